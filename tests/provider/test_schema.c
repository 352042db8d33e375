/*
 * Tests for tfp_schema (block -> object type, generic config checks, the
 * create-time "computed becomes unknown" helper) and tfp_diag (paths and the
 * diagnostics list).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tfp_diag.h"
#include "tfp_schema.h"

static const tfp_type map_of_string = TFP_TYPE_MAP_OF(&tfp_type_string);

static const tfp_schema_attr source_attrs[] = {
    {.name = "path", .type = &tfp_type_string, .required = true},
    {.name = "prefix", .type = &tfp_type_string, .optional = true},
    {.name = "digest", .type = &tfp_type_string, .computed = true},
};
static const tfp_schema_block source_block = {.attrs = source_attrs, .n_attrs = 3};
static const tfp_schema_attr pkg_attrs[] = {
    {.name = "handler", .type = &tfp_type_string, .required = true},
    {.name = "level", .type = &tfp_type_number, .optional = true, .computed = true},
    {.name = "files", .type = &map_of_string, .computed = true},
};
static const tfp_schema_nested_block pkg_blocks[] = {
    {.type_name = "source",
     .nesting = TFP_NEST_LIST,
     .block = &source_block,
     .min_items = 1,
     .max_items = 3},
};
static const tfp_schema_block pkg_block = {
    .attrs = pkg_attrs, .n_attrs = 3, .blocks = pkg_blocks, .n_blocks = 1};

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

static const tfp_type *pkg_type(tfp_arena *a)
{
    const tfp_type *t = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_schema_block_type(a, &pkg_block, &t, &err), TFP_OK);
    return t;
}

static void block_type_includes_attributes_and_nested_blocks(void **state)
{
    tfp_arena *a = *state;
    const char *json;
    assert_int_equal(tfp_type_to_json(a, pkg_type(a), &json, NULL), TFP_OK);
    assert_string_equal(json, "[\"object\",{\"files\":[\"map\",\"string\"],\"handler\":\"string\","
                              "\"level\":\"number\",\"source\":[\"list\",[\"object\",{\"digest\":"
                              "\"string\",\"path\":\"string\",\"prefix\":\"string\"}]]}]");
}

static void nesting_modes_map_to_collection_types(void **state)
{
    tfp_arena *a = *state;
    static const tfp_schema_attr x[] = {{.name = "x", .type = &tfp_type_bool, .optional = true}};
    static const tfp_schema_block inner = {.attrs = x, .n_attrs = 1};
    static const tfp_schema_nested_block blocks[] = {
        {.type_name = "g", .nesting = TFP_NEST_GROUP, .block = &inner},
        {.type_name = "m", .nesting = TFP_NEST_MAP, .block = &inner},
        {.type_name = "s", .nesting = TFP_NEST_SET, .block = &inner},
        {.type_name = "single", .nesting = TFP_NEST_SINGLE, .block = &inner},
    };
    static const tfp_schema_block outer = {.blocks = blocks, .n_blocks = 4};
    const tfp_type *t;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_schema_block_type(a, &outer, &t, &err), TFP_OK);
    const char *json;
    assert_int_equal(tfp_type_to_json(a, t, &json, NULL), TFP_OK);
    assert_string_equal(json, "[\"object\",{\"g\":[\"object\",{\"x\":\"bool\"}],\"m\":[\"map\","
                              "[\"object\",{\"x\":\"bool\"}]],\"s\":[\"set\",[\"object\",{\"x\":"
                              "\"bool\"}]],\"single\":[\"object\",{\"x\":\"bool\"}]}]");
}

static void schema_with_duplicate_or_flagless_names_is_refused(void **state)
{
    tfp_arena *a = *state;
    static const tfp_schema_attr dup[] = {
        {.name = "source", .type = &tfp_type_string, .optional = true}};
    static const tfp_schema_block bad = {
        .attrs = dup, .n_attrs = 1, .blocks = pkg_blocks, .n_blocks = 1};
    const tfp_type *t;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_schema_block_type(a, &bad, &t, &err), TFP_EINVAL);
    assert_non_null(strstr(err.message, "\"source\""));
    static const tfp_schema_attr noflag[] = {{.name = "a", .type = &tfp_type_string}};
    static const tfp_schema_block bad2 = {.attrs = noflag, .n_attrs = 1};
    assert_int_equal(tfp_schema_block_type(a, &bad2, &t, &err), TFP_EINVAL);
}

/* Config: handler = <handler>, source = [n blocks with path = "p"/null]. */
static tfp_value *config(tfp_arena *a, const char *handler, size_t n, bool null_path)
{
    const tfp_type *t = pkg_type(a);
    tfp_value *c = tfp_value_object_new(a, t);
    if (handler != NULL) {
        tfp_value_object_set(c, "handler", tfp_value_string(a, handler));
    }
    const tfp_type *st = t->attrs[tfp_type_attr_index(t, "source")].type;
    tfp_value *items[8];
    for (size_t i = 0; i < n; i++) {
        items[i] = tfp_value_object_new(a, st->elem);
        if (!null_path) {
            tfp_value_object_set(items[i], "path", tfp_value_string(a, "p"));
        }
    }
    tfp_value_object_set(c, "source", tfp_value_list(a, st->elem, n, items));
    return c;
}

static void valid_config_passes_generic_checks(void **state)
{
    tfp_arena *a = *state;
    tfp_diags d;
    tfp_diags_init(&d, a);
    tfp_schema_validate_config(a, &pkg_block, config(a, "h", 2, false), &d);
    assert_int_equal(tfp_diags_count(&d), 0);
    tfp_schema_validate_config(a, &pkg_block, tfp_value_null(a, pkg_type(a)), &d);
    assert_int_equal(tfp_diags_count(&d), 0);
}

static void missing_required_attribute_is_reported_at_its_path(void **state)
{
    tfp_arena *a = *state;
    tfp_diags d;
    tfp_diags_init(&d, a);
    tfp_schema_validate_config(a, &pkg_block, config(a, NULL, 2, true), &d);
    assert_int_equal(tfp_diags_count(&d), 3);
    assert_true(tfp_diags_has_error(&d));
    assert_string_equal(tfp_path_format(a, tfp_diags_at(&d, 0)->path), ".handler");
    assert_string_equal(tfp_diags_at(&d, 0)->summary, "Missing required argument");
    assert_string_equal(tfp_path_format(a, tfp_diags_at(&d, 1)->path), ".source[0].path");
    assert_string_equal(tfp_path_format(a, tfp_diags_at(&d, 2)->path), ".source[1].path");
}

static void block_counts_outside_min_max_are_errors(void **state)
{
    tfp_arena *a = *state;
    tfp_diags d;
    tfp_diags_init(&d, a);
    tfp_schema_validate_config(a, &pkg_block, config(a, "h", 0, false), &d);
    assert_int_equal(tfp_diags_count(&d), 1);
    assert_string_equal(tfp_path_format(a, tfp_diags_at(&d, 0)->path), ".source");
    assert_non_null(strstr(tfp_diags_at(&d, 0)->detail, "At least 1 \"source\" block is"));
    tfp_diags_init(&d, a);
    tfp_schema_validate_config(a, &pkg_block, config(a, "h", 4, false), &d);
    assert_int_equal(tfp_diags_count(&d), 1);
    assert_non_null(strstr(tfp_diags_at(&d, 0)->detail, "No more than 3"));
}

static void computed_only_attribute_set_in_config_is_an_error(void **state)
{
    tfp_arena *a = *state;
    tfp_value *c = config(a, "h", 1, false);
    const char *k[] = {"a"};
    tfp_value *v[] = {tfp_value_string(a, "x")};
    tfp_value_object_set(c, "files", tfp_value_map(a, &tfp_type_string, 1, k, v));
    tfp_diags d;
    tfp_diags_init(&d, a);
    tfp_schema_validate_config(a, &pkg_block, c, &d);
    assert_int_equal(tfp_diags_count(&d), 1);
    assert_string_equal(tfp_path_format(a, tfp_diags_at(&d, 0)->path), ".files");
}

static void unknown_config_values_pass_checks(void **state)
{
    tfp_arena *a = *state;
    tfp_value *c = config(a, "h", 1, false);
    const tfp_type *t = pkg_type(a);
    tfp_value_object_set(c, "source",
                         tfp_value_unknown(a, t->attrs[tfp_type_attr_index(t, "source")].type));
    tfp_value_object_set(c, "handler", tfp_value_unknown(a, &tfp_type_string));
    tfp_diags d;
    tfp_diags_init(&d, a);
    tfp_schema_validate_config(a, &pkg_block, c, &d);
    assert_int_equal(tfp_diags_count(&d), 0);
}

static void computed_attributes_null_in_config_become_unknown_on_create(void **state)
{
    tfp_arena *a = *state;
    tfp_value *c = config(a, "h", 2, false);
    tfp_value *planned = tfp_schema_unknown_computed(a, &pkg_block, c, c);
    assert_non_null(planned);
    assert_ptr_not_equal(planned, c);
    assert_false(tfp_value_is_known(tfp_value_attr(planned, "files")));
    assert_false(tfp_value_is_known(tfp_value_attr(planned, "level")));
    assert_string_equal(tfp_value_str(tfp_value_attr(planned, "handler")), "h");
    tfp_value *src = tfp_value_attr(planned, "source");
    assert_false(tfp_value_is_known(tfp_value_attr(tfp_value_index(src, 1), "digest")));
    assert_string_equal(tfp_value_str(tfp_value_attr(tfp_value_index(src, 1), "path")), "p");
    /* The input is untouched. */
    assert_true(tfp_value_is_null(tfp_value_attr(c, "files")));
    assert_true(tfp_value_is_null(
        tfp_value_attr(tfp_value_index(tfp_value_attr(c, "source"), 1), "digest")));
    /* An optional+computed attribute set in config keeps its value. */
    tfp_value_object_set(c, "level", tfp_value_int(a, 4));
    planned = tfp_schema_unknown_computed(a, &pkg_block, c, c);
    int64_t lvl;
    assert_int_equal(tfp_value_as_int(tfp_value_attr(planned, "level"), &lvl), TFP_OK);
    assert_int_equal(lvl, 4);
}

static void paths_build_parse_and_format_alike(void **state)
{
    tfp_arena *a = *state;
    const tfp_path *built =
        tfp_path_attr(a, tfp_path_index(a, tfp_path_attr(a, NULL, "source"), 1), "path");
    const tfp_path *parsed = tfp_path_parse(a, "source[1].path");
    assert_true(tfp_path_equal(built, parsed));
    assert_string_equal(tfp_path_format(a, built), ".source[1].path");
    const tfp_path *key = tfp_path_parse(a, ".files[\"a \\\"q\\\".py\"]");
    assert_non_null(key);
    assert_int_equal(key->n, 2);
    assert_int_equal(key->steps[1].kind, TFP_STEP_KEY_STRING);
    assert_string_equal(key->steps[1].name, "a \"q\".py");
    assert_string_equal(tfp_path_format(a, key), ".files[\"a \\\"q\\\".py\"]");
    assert_false(tfp_path_equal(built, key));
    assert_null(tfp_path_parse(a, "source["));
    assert_null(tfp_path_parse(a, "source[-1]"));
    assert_null(tfp_path_parse(a, "a..b"));
    assert_null(tfp_path_parse(a, "files[\"x]"));
    assert_string_equal(tfp_path_format(a, NULL), "");
}

static void diagnostics_keep_severity_summary_detail_and_path(void **state)
{
    tfp_arena *a = *state;
    tfp_diags d;
    tfp_diags_init(&d, a);
    assert_false(tfp_diags_has_error(&d));
    tfp_diag_warning(&d, "Careful", "only %d", 1);
    assert_false(tfp_diags_has_error(&d));
    for (int i = 0; i < 20; i++) {
        tfp_diag_error_at(&d, tfp_path_parse(a, "source[0].path"), "Missing files",
                          "'%s' has no match (%d)", "shared/logic/*.py", i);
    }
    assert_true(tfp_diags_has_error(&d));
    assert_int_equal(tfp_diags_count(&d), 21);
    const tfp_diag *x = tfp_diags_at(&d, 20);
    assert_int_equal(x->severity, TFP_DIAG_ERROR);
    assert_string_equal(x->summary, "Missing files");
    assert_string_equal(x->detail, "'shared/logic/*.py' has no match (19)");
    assert_string_equal(tfp_path_format(a, x->path), ".source[0].path");
    assert_int_equal(tfp_diags_at(&d, 0)->severity, TFP_DIAG_WARNING);
    assert_null(tfp_diags_at(&d, 21));
}

static void diagnostics_out_of_memory_still_report_an_error(void **state)
{
    (void)state;
    tfp_arena *small = tfp_arena_new(256);
    tfp_diags d;
    tfp_diags_init(&d, small);
    for (int i = 0; i < 50; i++) {
        tfp_diag_warning(&d, "w", "a warning long enough to use the arena up %d", i);
    }
    assert_true(d.oom);
    assert_true(tfp_diags_has_error(&d));
    const tfp_diag *last = tfp_diags_at(&d, tfp_diags_count(&d) - 1);
    assert_int_equal(last->severity, TFP_DIAG_ERROR);
    assert_string_equal(last->summary, "Out of memory");
    tfp_arena_free(small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(block_type_includes_attributes_and_nested_blocks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(nesting_modes_map_to_collection_types, setup, teardown),
        cmocka_unit_test_setup_teardown(schema_with_duplicate_or_flagless_names_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(valid_config_passes_generic_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(missing_required_attribute_is_reported_at_its_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(block_counts_outside_min_max_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(computed_only_attribute_set_in_config_is_an_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_config_values_pass_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(computed_attributes_null_in_config_become_unknown_on_create,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(paths_build_parse_and_format_alike, setup, teardown),
        cmocka_unit_test_setup_teardown(diagnostics_keep_severity_summary_detail_and_path, setup,
                                        teardown),
        cmocka_unit_test(diagnostics_out_of_memory_still_report_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
