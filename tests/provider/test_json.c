/*
 * Tests for tfp_json: decoding the raw state JSON Terraform hands to
 * UpgradeResourceState into a value of the schema type, and writing values
 * back as cty JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tfp_json.h"

static const tfp_type map_of_string = TFP_TYPE_MAP_OF(&tfp_type_string);
static const tfp_type_attr source_attrs[] = {{"path", &tfp_type_string, false},
                                             {"prefix", &tfp_type_string, false}};
static const tfp_type source_type = TFP_TYPE_OBJECT_OF(source_attrs, 2);
static const tfp_type source_list = TFP_TYPE_LIST_OF(&source_type);
static const tfp_type_attr state_attrs[] = {{"extra", &tfp_type_dynamic, false},
                                            {"files", &map_of_string, false},
                                            {"id", &tfp_type_string, false},
                                            {"level", &tfp_type_number, false},
                                            {"source", &source_list, false}};
static const tfp_type state_type = TFP_TYPE_OBJECT_OF(state_attrs, 5);

static int setup(void **state)
{
    *state = tfp_arena_new(0);
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    tfp_arena_free(*state);
    return 0;
}

static int decode(tfp_arena *a, const char *json, const tfp_type *t, tfp_value **v, tfp_error *e)
{
    return tfp_json_decode(a, (const uint8_t *)json, strlen(json), t, v, e);
}

static void stored_state_decodes_with_missing_attributes_as_null(void **state)
{
    tfp_arena *a = *state;
    const char *json = "{\"id\":\"x\",\"files\":{\"b.py\":\"h2\",\"a.py\":\"h1\"},"
                       "\"source\":[{\"path\":\"src\",\"prefix\":null}],\"level\":6}";
    tfp_value *v = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(decode(a, json, &state_type, &v, &err), TFP_OK);
    assert_string_equal(tfp_value_str(tfp_value_attr(v, "id")), "x");
    tfp_value *files = tfp_value_attr(v, "files");
    assert_int_equal(files->n, 2);
    assert_string_equal(files->keys[0], "a.py");
    assert_string_equal(tfp_value_str(tfp_value_map_get(files, "b.py")), "h2");
    assert_true(tfp_value_is_null(tfp_value_attr(v, "extra")));
    int64_t level;
    assert_int_equal(tfp_value_as_int(tfp_value_attr(v, "level"), &level), TFP_OK);
    assert_int_equal(level, 6);
    tfp_value *src0 = tfp_value_index(tfp_value_attr(v, "source"), 0);
    assert_string_equal(tfp_value_str(tfp_value_attr(src0, "path")), "src");
    assert_true(tfp_value_is_null(tfp_value_attr(src0, "prefix")));
}

static void unknown_attribute_in_state_is_an_error_with_path(void **state)
{
    tfp_arena *a = *state;
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(decode(a, "{\"id\":\"x\",\"old_field\":1}", &state_type, &v, &err),
                     TFP_EINVAL);
    assert_non_null(strstr(err.message, "unsupported attribute \"old_field\""));
    assert_int_equal(decode(a, "{\"source\":[{\"path\":{}}]}", &state_type, &v, &err), TFP_EINVAL);
    assert_string_equal(err.message, ".source[0].path: expected string, got JSON object");
    assert_int_equal(decode(a, "{\"id\":", &state_type, &v, &err), TFP_EFORMAT);
    assert_int_equal(decode(a, "{\"id\":\"a\",\"id\":\"b\"}", &state_type, &v, &err), TFP_EFORMAT);
}

static void primitives_accept_cty_string_forms(void **state)
{
    tfp_arena *a = *state;
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(decode(a, "\"12.5\"", &tfp_type_number, &v, &err), TFP_OK);
    assert_true(v->num == 12.5);
    assert_int_equal(decode(a, "\"true\"", &tfp_type_bool, &v, &err), TFP_OK);
    assert_true(v->b);
    assert_int_equal(decode(a, "7", &tfp_type_string, &v, &err), TFP_OK);
    assert_string_equal(v->str, "7");
    assert_int_equal(decode(a, "\"seven\"", &tfp_type_number, &v, &err), TFP_EINVAL);
    assert_int_equal(decode(a, "1.5", &tfp_type_number, &v, &err), TFP_OK);
    assert_false(v->num_is_int);
}

static void dynamic_values_round_trip_with_their_type(void **state)
{
    tfp_arena *a = *state;
    const char *json = "{\"extra\":{\"value\":[\"a\",\"b\"],\"type\":[\"list\",\"string\"]},"
                       "\"files\":null,\"id\":\"i\",\"level\":1,\"source\":[]}";
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(decode(a, json, &state_type, &v, &err), TFP_OK);
    tfp_value *extra = tfp_value_attr(v, "extra");
    assert_int_equal(extra->kind, TFP_VAL_LIST);
    assert_int_equal(extra->n, 2);
    const char *out;
    size_t len;
    assert_int_equal(tfp_json_encode(a, v, &state_type, &out, &len, &err), TFP_OK);
    assert_string_equal(out, "{\"extra\":{\"type\":[\"list\",\"string\"],\"value\":[\"a\",\"b\"]},"
                             "\"files\":null,\"id\":\"i\",\"level\":1,\"source\":[]}");
}

static void unknown_values_cannot_be_written_as_json(void **state)
{
    tfp_arena *a = *state;
    tfp_value *o = tfp_value_object_new(a, &source_type);
    tfp_value_object_set(o, "prefix", tfp_value_unknown(a, &tfp_type_string));
    const char *out;
    size_t len;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_json_encode(a, o, &source_type, &out, &len, &err), TFP_EINVAL);
    assert_non_null(strstr(err.message, ".prefix"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stored_state_decodes_with_missing_attributes_as_null, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_attribute_in_state_is_an_error_with_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(primitives_accept_cty_string_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(dynamic_values_round_trip_with_their_type, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_values_cannot_be_written_as_json, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
