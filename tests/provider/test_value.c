/*
 * Tests for tfp_arena, tfp_type (compact JSON type form) and tfp_value
 * (builders, getters, equality, type checks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tfp_arena.h"
#include "tfp_type.h"
#include "tfp_value.h"

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

static void arena_refuses_allocations_past_its_limit(void **state)
{
    (void)state;
    tfp_arena *a = tfp_arena_new(1024);
    assert_non_null(tfp_arena_alloc(a, 512));
    assert_null(tfp_arena_alloc(a, 1024));
    assert_null(tfp_arena_array(a, SIZE_MAX / 2, 4));
    assert_null(tfp_arena_alloc(a, SIZE_MAX));
    char *s = tfp_arena_sprintf(a, "%s-%d", "x", 7);
    assert_string_equal(s, "x-7");
    assert_true(tfp_arena_used(a) <= 1024);
    tfp_arena_free(a);
    tfp_arena_free(NULL);
}

static void arena_serves_large_and_aligned_blocks(void **state)
{
    tfp_arena *a = *state;
    for (int i = 0; i < 100; i++) {
        uint8_t *p = tfp_arena_alloc(a, (size_t)(i * 997 % 70000));
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    }
    int *grown = tfp_arena_array(a, 4, sizeof(int));
    for (int i = 0; i < 4; i++) {
        grown[i] = i;
    }
    grown = tfp_arena_grow(a, grown, 4, 100000, sizeof(int));
    assert_non_null(grown);
    assert_int_equal(grown[3], 3);
    assert_int_equal(grown[99999], 0);
}

static void type_json(tfp_arena *a, const tfp_type *t, const char *want)
{
    const char *json;
    size_t len;
    assert_int_equal(tfp_type_to_json(a, t, &json, &len), TFP_OK);
    assert_string_equal(json, want);
    assert_int_equal(len, strlen(want));
    /* And back: the parsed type is equal and prints the same. */
    const tfp_type *back;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_type_from_json(a, (const uint8_t *)json, len, &back, &err), TFP_OK);
    assert_true(tfp_type_equal(back, t));
}

static void types_print_as_terraform_compact_json(void **state)
{
    tfp_arena *a = *state;
    type_json(a, &tfp_type_string, "\"string\"");
    type_json(a, &tfp_type_number, "\"number\"");
    type_json(a, &tfp_type_bool, "\"bool\"");
    type_json(a, &tfp_type_dynamic, "\"dynamic\"");
    type_json(a, tfp_type_list(a, &tfp_type_string), "[\"list\",\"string\"]");
    type_json(a, tfp_type_set(a, &tfp_type_number), "[\"set\",\"number\"]");
    type_json(a, tfp_type_map(a, tfp_type_list(a, &tfp_type_bool)),
              "[\"map\",[\"list\",\"bool\"]]");
    tfp_type_attr attrs[] = {{"n", &tfp_type_number, false}, {"a", &tfp_type_string, false}};
    type_json(a, tfp_type_object(a, 2, attrs), "[\"object\",{\"a\":\"string\",\"n\":\"number\"}]");
    tfp_type_attr opt[] = {{"b", &tfp_type_bool, true}, {"a", &tfp_type_string, false}};
    type_json(a, tfp_type_object(a, 2, opt),
              "[\"object\",{\"a\":\"string\",\"b\":\"bool\"},[\"b\"]]");
    const tfp_type *elems[] = {&tfp_type_string, &tfp_type_number};
    type_json(a, tfp_type_tuple(a, 2, elems), "[\"tuple\",[\"string\",\"number\"]]");
    type_json(a, tfp_type_object(a, 0, NULL), "[\"object\",{}]");
}

static void malformed_type_json_is_rejected(void **state)
{
    tfp_arena *a = *state;
    const char *bad[] = {"",
                         "\"strin\"",
                         "[\"list\"]",
                         "[\"list\",\"string\",1]",
                         "[\"wat\",1]",
                         "[\"object\",[]]",
                         "{}",
                         "42",
                         "[\"object\",{\"a\":\"x\"}]",
                         "[\"object\",{\"a\":\"string\",\"a\":\"bool\"}]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const tfp_type *t;
        tfp_error err = TFP_ERROR_INIT;
        int rc = tfp_type_from_json(a, (const uint8_t *)bad[i], strlen(bad[i]), &t, &err);
        if (rc == TFP_OK) {
            fail_msg("accepted bad type %s", bad[i]);
        }
        assert_true(err.message[0] != '\0');
    }
    /* Deep nesting beyond TFP_TYPE_MAX_DEPTH. */
    char deep[2048] = "";
    for (int i = 0; i < 100; i++) {
        strcat(deep, "[\"list\",");
    }
    strcat(deep, "\"string\"");
    for (int i = 0; i < 100; i++) {
        strcat(deep, "]");
    }
    const tfp_type *t;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_type_from_json(a, (const uint8_t *)deep, strlen(deep), &t, &err),
                     TFP_ELIMIT);
}

static void object_type_sorts_attributes_and_rejects_duplicates(void **state)
{
    tfp_arena *a = *state;
    tfp_type_attr attrs[] = {{"zeta", &tfp_type_string, false},
                             {"alpha", &tfp_type_bool, false},
                             {"mid", &tfp_type_number, false}};
    const tfp_type *t = tfp_type_object(a, 3, attrs);
    assert_string_equal(t->attrs[0].name, "alpha");
    assert_string_equal(t->attrs[2].name, "zeta");
    assert_int_equal(tfp_type_attr_index(t, "mid"), 1);
    assert_int_equal(tfp_type_attr_index(t, "nope"), -1);
    tfp_type_attr dup[] = {{"a", &tfp_type_string, false}, {"a", &tfp_type_bool, false}};
    assert_null(tfp_type_object(a, 2, dup));
}

static void object_builder_starts_null_and_sets_by_name(void **state)
{
    tfp_arena *a = *state;
    tfp_type_attr attrs[] = {{"id", &tfp_type_string, false}, {"n", &tfp_type_number, false}};
    const tfp_type *t = tfp_type_object(a, 2, attrs);
    tfp_value *o = tfp_value_object_new(a, t);
    assert_true(tfp_value_is_null(tfp_value_attr(o, "id")));
    assert_ptr_equal(tfp_value_attr(o, "id")->type, &tfp_type_string);
    assert_int_equal(tfp_value_object_set(o, "id", tfp_value_string(a, "x")), TFP_OK);
    assert_int_equal(tfp_value_object_set(o, "missing", tfp_value_string(a, "x")), TFP_ENOTFOUND);
    tfp_value *c = tfp_value_object_copy(a, o);
    assert_int_equal(tfp_value_object_set(c, "id", tfp_value_string(a, "y")), TFP_OK);
    assert_string_equal(tfp_value_str(tfp_value_attr(o, "id")), "x");
    assert_string_equal(tfp_value_str(tfp_value_attr(c, "id")), "y");
    assert_false(tfp_value_equal(o, c));
    assert_null(tfp_value_attr(tfp_value_null(a, t), "id"));
    assert_null(tfp_value_attr(NULL, "id"));
}

static void equality_follows_cty_raw_equals(void **state)
{
    tfp_arena *a = *state;
    assert_true(tfp_value_equal(tfp_value_int(a, 3), tfp_value_number(a, 3.0)));
    assert_true(tfp_value_equal(tfp_value_number_text(a, "3", 1), tfp_value_int(a, 3)));
    assert_false(tfp_value_equal(tfp_value_int(a, 3), tfp_value_int(a, 4)));
    assert_true(tfp_value_equal(tfp_value_unknown(a, &tfp_type_string),
                                tfp_value_unknown(a, &tfp_type_string)));
    assert_false(tfp_value_equal(tfp_value_unknown(a, &tfp_type_string),
                                 tfp_value_null(a, &tfp_type_string)));
    assert_false(tfp_value_equal(tfp_value_string(a, "a"), tfp_value_stringn(a, "a\0b", 3)));

    tfp_value *x[] = {tfp_value_string(a, "x"), tfp_value_string(a, "y")};
    tfp_value *y[] = {tfp_value_string(a, "y"), tfp_value_string(a, "x"), tfp_value_string(a, "x")};
    tfp_value *s1 = tfp_value_set(a, &tfp_type_string, 2, x);
    tfp_value *s2 = tfp_value_set(a, &tfp_type_string, 3, y);
    assert_int_equal(s2->n, 2); /* duplicate dropped */
    assert_true(tfp_value_equal(s1, s2));
    tfp_value *l1 = tfp_value_list(a, &tfp_type_string, 2, x);
    tfp_value *l2 = tfp_value_list(a, &tfp_type_string, 2, y);
    assert_false(tfp_value_equal(l1, l2));

    const char *k1[] = {"b", "a"};
    const char *k2[] = {"a", "b"};
    tfp_value *m1 = tfp_value_map(a, &tfp_type_string, 2, k1, x);
    tfp_value *v2[] = {x[1], x[0]};
    tfp_value *m2 = tfp_value_map(a, &tfp_type_string, 2, k2, v2);
    assert_true(tfp_value_equal(m1, m2));
    const char *dupk[] = {"a", "a"};
    assert_null(tfp_value_map(a, &tfp_type_string, 2, dupk, x));
}

static void known_fully_looks_through_the_whole_tree(void **state)
{
    tfp_arena *a = *state;
    tfp_value *items[] = {tfp_value_string(a, "x"), tfp_value_unknown(a, &tfp_type_string)};
    tfp_value *l = tfp_value_list(a, &tfp_type_string, 2, items);
    assert_true(tfp_value_is_known(l));
    assert_false(tfp_value_is_known_fully(l));
    tfp_value *k = tfp_value_list(a, &tfp_type_string, 1, items);
    assert_true(tfp_value_is_known_fully(k));
    assert_true(tfp_value_is_known_fully(tfp_value_null(a, &tfp_type_string)));
}

static void number_text_keeps_exactness(void **state)
{
    tfp_arena *a = *state;
    tfp_value *v = tfp_value_number_text(a, "-12", 3);
    int64_t i;
    assert_int_equal(tfp_value_as_int(v, &i), TFP_OK);
    assert_int_equal(i, -12);
    v = tfp_value_number_text(a, "1e3", 3);
    assert_true(v->num == 1000.0);
    assert_int_equal(tfp_value_as_int(v, &i), TFP_EINVAL); /* not an integer literal */
    assert_null(tfp_value_number_text(a, "1e", 2));
    assert_null(tfp_value_number_text(a, "abc", 3));
    assert_null(tfp_value_number_text(a, "1e999", 5)); /* not finite */
    assert_null(tfp_value_number_text(a, "", 0));
    assert_null(tfp_value_number(a, 1.0 / 0.0));
    v = tfp_value_number(a, 0.5);
    assert_int_equal(tfp_value_as_int(v, &i), TFP_EINVAL);
}

static void type_check_names_the_path_of_the_mismatch(void **state)
{
    tfp_arena *a = *state;
    tfp_type_attr attrs[] = {{"files", tfp_type_map(a, &tfp_type_string), false}};
    const tfp_type *t = tfp_type_object(a, 1, attrs);
    tfp_value *o = tfp_value_object_new(a, t);
    const char *keys[] = {"a.py"};
    tfp_value *vals[] = {tfp_value_bool(a, true)};
    tfp_value_object_set(o, "files", tfp_value_map(a, &tfp_type_bool, 1, keys, vals));
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_value_check_type(o, t, &err), TFP_EINVAL);
    assert_string_equal(err.message, ".files[\"a.py\"]: expected string, got bool");
    vals[0] = tfp_value_string(a, "h");
    tfp_value_object_set(o, "files", tfp_value_map(a, &tfp_type_string, 1, keys, vals));
    assert_int_equal(tfp_value_check_type(o, t, &err), TFP_OK);
    /* Anything conforms to dynamic. */
    assert_int_equal(tfp_value_check_type(o, &tfp_type_dynamic, &err), TFP_OK);
}

static void value_path_text_is_bounded(void **state)
{
    (void)state;
    tfp_vpath p;
    tfp_vpath_init(&p);
    assert_string_equal(tfp_vpath_str(&p), "(root)");
    size_t m = tfp_vpath_attr(&p, "source");
    tfp_vpath_index(&p, 12);
    tfp_vpath_key(&p, "k");
    assert_string_equal(tfp_vpath_str(&p), ".source[12][\"k\"]");
    tfp_vpath_pop(&p, m);
    assert_string_equal(tfp_vpath_str(&p), "(root)");
    char longname[600];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    tfp_vpath_attr(&p, "a");
    tfp_vpath_attr(&p, longname);
    tfp_vpath_attr(&p, "b");
    assert_true(strlen(p.text) < TFP_VPATH_MAX);
    assert_non_null(strstr(p.text, "..."));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arena_refuses_allocations_past_its_limit),
        cmocka_unit_test_setup_teardown(arena_serves_large_and_aligned_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(types_print_as_terraform_compact_json, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_type_json_is_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(object_type_sorts_attributes_and_rejects_duplicates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(object_builder_starts_null_and_sets_by_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(equality_follows_cty_raw_equals, setup, teardown),
        cmocka_unit_test_setup_teardown(known_fully_looks_through_the_whole_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(number_text_keeps_exactness, setup, teardown),
        cmocka_unit_test_setup_teardown(type_check_names_the_path_of_the_mismatch, setup, teardown),
        cmocka_unit_test(value_path_text_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
