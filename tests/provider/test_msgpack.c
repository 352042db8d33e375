/*
 * Tests for tfp_msgpack: decoding the exact byte strings Terraform sends
 * (written by hand from the object wire format), encoding back to the same
 * bytes, and refusing malformed or hostile input with a value path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tfp_msgpack.h"

/* object({enabled=bool, files=map(string), id=string, level=number,
 *         source=list(object({path=string, prefix=string}))}) */
static const tfp_type map_of_string = TFP_TYPE_MAP_OF(&tfp_type_string);
static const tfp_type_attr source_attrs[] = {{"path", &tfp_type_string, false},
                                             {"prefix", &tfp_type_string, false}};
static const tfp_type source_type = TFP_TYPE_OBJECT_OF(source_attrs, 2);
static const tfp_type source_list = TFP_TYPE_LIST_OF(&source_type);
static const tfp_type_attr pkg_attrs[] = {{"enabled", &tfp_type_bool, false},
                                          {"files", &map_of_string, false},
                                          {"id", &tfp_type_string, false},
                                          {"level", &tfp_type_number, false},
                                          {"source", &source_list, false}};
static const tfp_type pkg_type = TFP_TYPE_OBJECT_OF(pkg_attrs, 5);

/* As Terraform sends a planned create: files null, id unknown (d4 00 00). */
static const uint8_t pkg_bytes[] = {
    0x85,                                                      /* map of 5 */
    0xa7, 'e',  'n', 'a',  'b',  'l',  'e',  'd',  0xc3,       /* enabled = true */
    0xa5, 'f',  'i', 'l',  'e',  's',  0xc0,                   /* files = null */
    0xa2, 'i',  'd', 0xd4, 0x00, 0x00,                         /* id = unknown */
    0xa5, 'l',  'e', 'v',  'e',  'l',  0x09,                   /* level = 9 */
    0xa6, 's',  'o', 'u',  'r',  'c',  'e',  0x92,             /* source = [ */
    0x82, 0xa4, 'p', 'a',  't',  'h',  0xa3, 's',  'r',  'c',  /*   {path = "src", */
    0xa6, 'p',  'r', 'e',  'f',  'i',  'x',  0xc0,             /*    prefix = null}, */
    0x82, 0xa4, 'p', 'a',  't',  'h',  0xa1, 'x',              /*   {path = "x", */
    0xa6, 'p',  'r', 'e',  'f',  'i',  'x',  0xa2, 'l',  'b'}; /*    prefix = "lb"}] */

typedef struct fixture {
    tfp_arena *arena;
} fixture;

static int setup(void **state)
{
    fixture *f = test_malloc(sizeof(*f));
    f->arena = tfp_arena_new(0);
    *state = f;
    return f->arena == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tfp_arena_free(f->arena);
    test_free(f);
    return 0;
}

static tfp_value *decode_ok(fixture *f, const uint8_t *b, size_t n, const tfp_type *t)
{
    tfp_value *v = NULL;
    tfp_error err = TFP_ERROR_INIT;
    int rc = tfp_msgpack_decode(f->arena, b, n, t, &v, &err);
    if (rc != TFP_OK) {
        print_error("decode failed: %s\n", err.message);
    }
    assert_int_equal(rc, TFP_OK);
    assert_non_null(v);
    return v;
}

static void terraform_object_with_null_unknown_and_nested_list_decodes(void **state)
{
    fixture *f = *state;
    tfp_value *v = decode_ok(f, pkg_bytes, sizeof(pkg_bytes), &pkg_type);
    assert_int_equal(v->kind, TFP_VAL_OBJECT);
    bool b = false;
    assert_int_equal(tfp_value_as_bool(tfp_value_attr(v, "enabled"), &b), TFP_OK);
    assert_true(b);
    assert_true(tfp_value_is_null(tfp_value_attr(v, "files")));
    assert_int_equal(tfp_value_attr(v, "files")->type->kind, TFP_TYPE_MAP);
    assert_false(tfp_value_is_known(tfp_value_attr(v, "id")));
    int64_t level = 0;
    assert_int_equal(tfp_value_as_int(tfp_value_attr(v, "level"), &level), TFP_OK);
    assert_int_equal(level, 9);
    tfp_value *src = tfp_value_attr(v, "source");
    assert_int_equal(src->kind, TFP_VAL_LIST);
    assert_int_equal(src->n, 2);
    assert_string_equal(tfp_value_str(tfp_value_attr(tfp_value_index(src, 0), "path")), "src");
    assert_true(tfp_value_is_null(tfp_value_attr(tfp_value_index(src, 0), "prefix")));
    assert_string_equal(tfp_value_str(tfp_value_attr(tfp_value_index(src, 1), "prefix")), "lb");
    assert_false(tfp_value_is_known_fully(v));
}

static void terraform_object_reencodes_to_identical_bytes(void **state)
{
    fixture *f = *state;
    tfp_value *v = decode_ok(f, pkg_bytes, sizeof(pkg_bytes), &pkg_type);
    const uint8_t *out;
    size_t len;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_encode(f->arena, v, &pkg_type, &out, &len, &err), TFP_OK);
    assert_int_equal(len, sizeof(pkg_bytes));
    assert_memory_equal(out, pkg_bytes, len);
}

static void built_object_encodes_every_attribute_in_name_order(void **state)
{
    fixture *f = *state;
    tfp_arena *a = f->arena;
    tfp_value *obj = tfp_value_object_new(a, &source_type);
    /* Set in reverse order: the encoder must still write path before prefix. */
    assert_int_equal(tfp_value_object_set(obj, "prefix", tfp_value_unknown(a, &tfp_type_string)),
                     TFP_OK);
    assert_int_equal(tfp_value_object_set(obj, "path", tfp_value_string(a, "a")), TFP_OK);
    static const uint8_t want[] = {0x82, 0xa4, 'p', 'a', 't', 'h', 0xa1, 'a',  0xa6,
                                   'p',  'r',  'e', 'f', 'i', 'x', 0xd4, 0x00, 0x00};
    const uint8_t *out;
    size_t len;
    assert_int_equal(tfp_msgpack_encode(a, obj, &source_type, &out, &len, NULL), TFP_OK);
    assert_int_equal(len, sizeof(want));
    assert_memory_equal(out, want, len);

    /* A fresh object is all nulls, still with every attribute present. */
    static const uint8_t nulls[] = {0x82, 0xa4, 'p', 'a', 't', 'h', 0xc0, 0xa6,
                                    'p',  'r',  'e', 'f', 'i', 'x', 0xc0};
    assert_int_equal(tfp_msgpack_encode(a, tfp_value_object_new(a, &source_type), &source_type,
                                        &out, &len, NULL),
                     TFP_OK);
    assert_int_equal(len, sizeof(nulls));
    assert_memory_equal(out, nulls, len);
}

static void refined_unknown_keeps_refinement_and_not_null(void **state)
{
    fixture *f = *state;
    /* ext8 (c7) len 10, type 12, payload {1: false, 2: "s3://"} */
    static const uint8_t in[] = {0xc7, 0x0a, 0x0c, 0x82, 0x01, 0xc2, 0x02,
                                 0xa5, 's',  '3',  ':',  '/',  '/'};
    tfp_value *v = decode_ok(f, in, sizeof(in), &tfp_type_string);
    assert_int_equal(v->kind, TFP_VAL_UNKNOWN);
    assert_true(v->not_null);
    assert_int_equal(v->refinement_len, 10);
    const uint8_t *out;
    size_t len;
    assert_int_equal(tfp_msgpack_encode(f->arena, v, &tfp_type_string, &out, &len, NULL), TFP_OK);
    assert_int_equal(len, sizeof(in));
    assert_memory_equal(out, in, len);
}

static void refinement_is_dropped_when_the_unknown_moves_to_another_type(void **state)
{
    fixture *f = *state;
    static const uint8_t in[] = {0xc7, 0x0a, 0x0c, 0x82, 0x01, 0xc2, 0x02,
                                 0xa5, 's',  '3',  ':',  '/',  '/'};
    tfp_value *v = decode_ok(f, in, sizeof(in), &tfp_type_string);
    /* Reused under a list(string) attribute: a string prefix would be invalid there. */
    const tfp_type *list = tfp_type_list(f->arena, &tfp_type_string);
    const uint8_t *out;
    size_t len;
    assert_int_equal(tfp_msgpack_encode(f->arena, v, list, &out, &len, NULL), TFP_OK);
    static const uint8_t plain[] = {0xd4, 0x00, 0x00};
    assert_int_equal(len, sizeof(plain));
    assert_memory_equal(out, plain, len);
}

static void any_extension_decodes_as_plain_unknown(void **state)
{
    fixture *f = *state;
    static const uint8_t fixext4[] = {0xd6, 0x05, 1, 2, 3, 4};
    tfp_value *v = decode_ok(f, fixext4, sizeof(fixext4), &tfp_type_number);
    assert_int_equal(v->kind, TFP_VAL_UNKNOWN);
    assert_null(v->refinement);
    assert_false(v->not_null);
    /* A refined unknown whose payload is garbage is still an unknown. */
    static const uint8_t bad_refinement[] = {0xd5, 0x0c, 0xc1, 0xc1};
    v = decode_ok(f, bad_refinement, sizeof(bad_refinement), &tfp_type_string);
    assert_int_equal(v->kind, TFP_VAL_UNKNOWN);
    assert_false(v->not_null);
}

static void numbers_decode_from_int_float_and_decimal_string(void **state)
{
    fixture *f = *state;
    static const uint8_t f64[] = {0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}; /* 1.5 */
    tfp_value *v = decode_ok(f, f64, sizeof(f64), &tfp_type_number);
    assert_true(v->num == 1.5);
    assert_false(v->num_is_int);

    static const uint8_t f64_int[] = {0xcb, 0x40, 0x22, 0, 0, 0, 0, 0, 0}; /* 9.0 */
    v = decode_ok(f, f64_int, sizeof(f64_int), &tfp_type_number);
    assert_true(v->num_is_int);
    assert_int_equal(v->num_int, 9);

    static const uint8_t neg[] = {0xd0, 0x9c}; /* int8 -100 */
    v = decode_ok(f, neg, sizeof(neg), &tfp_type_number);
    assert_true(v->num_is_int);
    assert_int_equal(v->num_int, -100);

    static const uint8_t big[] = {0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    v = decode_ok(f, big, sizeof(big), &tfp_type_number);
    assert_false(v->num_is_int);
    assert_string_equal(v->num_text, "18446744073709551615");

    static const uint8_t text[] = {0xa4, '1', '.', '2', '5'};
    v = decode_ok(f, text, sizeof(text), &tfp_type_number);
    assert_true(v->num == 1.25);
    assert_string_equal(v->num_text, "1.25");

    static const uint8_t exact[] = {0xb0, '9', '0', '0', '7', '1', '9', '9', '2',
                                    '5',  '4', '7', '4', '0', '9', '9', '3'}; /* 2^53+1 */
    v = decode_ok(f, exact, sizeof(exact), &tfp_type_number);
    assert_true(v->num_is_int);
    assert_int_equal(v->num_int, 9007199254740993LL);

    static const uint8_t not_number[] = {0xa3, '1', 'x', '2'};
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(
        tfp_msgpack_decode(f->arena, not_number, sizeof(not_number), &tfp_type_number, &v, &err),
        TFP_EINVAL);
    assert_non_null(strstr(err.message, "not a number"));
}

static void numbers_encode_as_int_float_or_text(void **state)
{
    fixture *f = *state;
    const uint8_t *out;
    size_t len;
    assert_int_equal(tfp_msgpack_encode(f->arena, tfp_value_int(f->arena, 300), &tfp_type_number,
                                        &out, &len, NULL),
                     TFP_OK);
    static const uint8_t i300[] = {0xcd, 0x01, 0x2c};
    assert_int_equal(len, sizeof(i300));
    assert_memory_equal(out, i300, len);

    assert_int_equal(tfp_msgpack_encode(f->arena, tfp_value_number(f->arena, 1.5), &tfp_type_number,
                                        &out, &len, NULL),
                     TFP_OK);
    static const uint8_t f15[] = {0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0};
    assert_int_equal(len, sizeof(f15));
    assert_memory_equal(out, f15, len);

    assert_int_equal(tfp_msgpack_encode(f->arena, tfp_value_number_text(f->arena, "0.1", 3),
                                        &tfp_type_number, &out, &len, NULL),
                     TFP_OK);
    static const uint8_t t01[] = {0xa3, '0', '.', '1'};
    assert_int_equal(len, sizeof(t01));
    assert_memory_equal(out, t01, len);
}

static void dynamic_value_carries_its_type(void **state)
{
    fixture *f = *state;
    /* [bin "\"string\"", "x"] as cty writes a dynamic string */
    static const uint8_t in[] = {0x92, 0xc4, 0x08, '"', 's',  't', 'r',
                                 'i',  'n',  'g',  '"', 0xa1, 'x'};
    tfp_value *v = decode_ok(f, in, sizeof(in), &tfp_type_dynamic);
    assert_int_equal(v->kind, TFP_VAL_STRING);
    assert_int_equal(v->type->kind, TFP_TYPE_STRING);
    assert_string_equal(v->str, "x");
    const uint8_t *out;
    size_t len;
    assert_int_equal(tfp_msgpack_encode(f->arena, v, &tfp_type_dynamic, &out, &len, NULL), TFP_OK);
    assert_int_equal(len, sizeof(in));
    assert_memory_equal(out, in, len);

    /* A list of numbers under a dynamic attribute, type given as str. */
    static const uint8_t list[] = {0x92, 0xb1, '[', '"', 'l', 'i', 's', 't', '"',  ',',  '"',
                                   'n',  'u',  'm', 'b', 'e', 'r', '"', ']', 0x92, 0x01, 0x02};
    v = decode_ok(f, list, sizeof(list), &tfp_type_dynamic);
    assert_int_equal(v->kind, TFP_VAL_LIST);
    assert_int_equal(v->n, 2);
    assert_int_equal(v->items[1]->num_int, 2);

    /* nil and unknown stay plain for dynamic. */
    static const uint8_t nil[] = {0xc0};
    v = decode_ok(f, nil, 1, &tfp_type_dynamic);
    assert_true(tfp_value_is_null(v));
    static const uint8_t unk[] = {0xd4, 0, 0};
    v = decode_ok(f, unk, 3, &tfp_type_dynamic);
    assert_int_equal(v->kind, TFP_VAL_UNKNOWN);
}

static void maps_decode_sorted_and_reencode(void **state)
{
    fixture *f = *state;
    /* keys out of order on input: {"b": "2", "a": "1"} */
    static const uint8_t in[] = {0x82, 0xa1, 'b', 0xa1, '2', 0xa1, 'a', 0xa1, '1'};
    tfp_value *v = decode_ok(f, in, sizeof(in), &map_of_string);
    assert_int_equal(v->n, 2);
    assert_string_equal(v->keys[0], "a");
    assert_string_equal(tfp_value_str(tfp_value_map_get(v, "b")), "2");
    assert_null(tfp_value_map_get(v, "c"));
    static const uint8_t want[] = {0x82, 0xa1, 'a', 0xa1, '1', 0xa1, 'b', 0xa1, '2'};
    const uint8_t *out;
    size_t len;
    assert_int_equal(tfp_msgpack_encode(f->arena, v, &map_of_string, &out, &len, NULL), TFP_OK);
    assert_int_equal(len, sizeof(want));
    assert_memory_equal(out, want, len);

    static const uint8_t dup[] = {0x82, 0xa1, 'a', 0xa1, '1', 0xa1, 'a', 0xa1, '2'};
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_decode(f->arena, dup, sizeof(dup), &map_of_string, &v, &err),
                     TFP_EINVAL);
    assert_non_null(strstr(err.message, "duplicate"));
}

static void empty_strings_keys_and_type_bytes_are_handled(void **state)
{
    fixture *f = *state;
    /* {"": ""} as map(string); msgpack-c gives NULL pointers for empty payloads. */
    static const uint8_t m[] = {0x81, 0xa0, 0xa0};
    tfp_value *v = decode_ok(f, m, sizeof(m), &map_of_string);
    assert_int_equal(v->n, 1);
    assert_string_equal(v->keys[0], "");
    assert_int_equal(tfp_value_map_get(v, "")->str_len, 0);
    tfp_error err = TFP_ERROR_INIT;
    static const uint8_t obj[] = {0x82, 0xa0, 0xc0, 0xa4, 'p', 'a', 't', 'h', 0xc0};
    assert_int_equal(tfp_msgpack_decode(f->arena, obj, sizeof(obj), &source_type, &v, &err),
                     TFP_EINVAL);
    static const uint8_t num[] = {0xa0};
    assert_int_equal(tfp_msgpack_decode(f->arena, num, sizeof(num), &tfp_type_number, &v, &err),
                     TFP_EINVAL);
    static const uint8_t dyn[] = {0x92, 0xc4, 0x00, 0xc0};
    assert_int_equal(tfp_msgpack_decode(f->arena, dyn, sizeof(dyn), &tfp_type_dynamic, &v, &err),
                     TFP_EFORMAT);
}

static void wrong_kind_error_names_the_value_path(void **state)
{
    fixture *f = *state;
    /* pkg_bytes with source[1].path = 7 instead of "x" (a1 'x' -> 07). */
    uint8_t bad[sizeof(pkg_bytes) - 1];
    size_t at = sizeof(pkg_bytes) - 12; /* offset of a1 'x' */
    assert_int_equal(pkg_bytes[at], 0xa1);
    memcpy(bad, pkg_bytes, at);
    bad[at] = 0x07;
    memcpy(bad + at + 1, pkg_bytes + at + 2, sizeof(pkg_bytes) - at - 2);
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_decode(f->arena, bad, sizeof(bad), &pkg_type, &v, &err),
                     TFP_EINVAL);
    assert_string_equal(err.message, ".source[1].path: expected string, got msgpack integer");

    static const uint8_t map_bad[] = {0x81, 0xa3, 'a', '.', 'b', 0xc3};
    assert_int_equal(
        tfp_msgpack_decode(f->arena, map_bad, sizeof(map_bad), &map_of_string, &v, &err),
        TFP_EINVAL);
    assert_string_equal(err.message, "[\"a.b\"]: expected string, got msgpack bool");
}

static void object_needs_every_attribute_and_no_others(void **state)
{
    fixture *f = *state;
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    static const uint8_t missing[] = {0x81, 0xa4, 'p', 'a', 't', 'h', 0xc0};
    assert_int_equal(tfp_msgpack_decode(f->arena, missing, sizeof(missing), &source_type, &v, &err),
                     TFP_EINVAL);
    assert_non_null(strstr(err.message, "an object with 2 attributes is required (1 given)"));

    static const uint8_t extra[] = {0x82, 0xa4, 'p', 'a', 't', 'h',
                                    0xc0, 0xa3, 'z', 'z', 'z', 0xc0};
    assert_int_equal(tfp_msgpack_decode(f->arena, extra, sizeof(extra), &source_type, &v, &err),
                     TFP_EINVAL);
    assert_non_null(strstr(err.message, "unsupported attribute \"zzz\""));

    static const uint8_t twice[] = {0x82, 0xa4, 'p', 'a', 't', 'h', 0xc0,
                                    0xa4, 'p',  'a', 't', 'h', 0xc0};
    assert_int_equal(tfp_msgpack_decode(f->arena, twice, sizeof(twice), &source_type, &v, &err),
                     TFP_EINVAL);
    assert_non_null(strstr(err.message, "duplicate attribute"));
}

static void truncated_or_trailing_bytes_are_rejected(void **state)
{
    fixture *f = *state;
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    for (size_t n = 0; n < sizeof(pkg_bytes); n++) {
        assert_int_equal(tfp_msgpack_decode(f->arena, pkg_bytes, n, &pkg_type, &v, &err),
                         TFP_EFORMAT);
    }
    static const uint8_t trailing[] = {0xc0, 0xc0};
    assert_int_equal(
        tfp_msgpack_decode(f->arena, trailing, sizeof(trailing), &tfp_type_string, &v, &err),
        TFP_EFORMAT);
    static const uint8_t reserved[] = {0xc1};
    assert_int_equal(tfp_msgpack_decode(f->arena, reserved, 1, &tfp_type_string, &v, &err),
                     TFP_EFORMAT);
}

static void huge_declared_lengths_fail_without_allocating(void **state)
{
    fixture *f = *state;
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    static const uint8_t arr32[] = {0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0};
    assert_int_equal(tfp_msgpack_decode(f->arena, arr32, sizeof(arr32), &source_list, &v, &err),
                     TFP_EFORMAT);
    static const uint8_t map32[] = {0xdf, 0x7f, 0xff, 0xff, 0xff};
    assert_int_equal(tfp_msgpack_decode(f->arena, map32, sizeof(map32), &map_of_string, &v, &err),
                     TFP_EFORMAT);
    static const uint8_t str32[] = {0xdb, 0xff, 0xff, 0xff, 0xf0, 'a'};
    assert_int_equal(tfp_msgpack_decode(f->arena, str32, sizeof(str32), &tfp_type_string, &v, &err),
                     TFP_EFORMAT);
    static const uint8_t ext32[] = {0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c};
    assert_int_equal(tfp_msgpack_decode(f->arena, ext32, sizeof(ext32), &tfp_type_string, &v, &err),
                     TFP_EFORMAT);
    assert_true(tfp_arena_used(f->arena) < 4096);
}

static void deep_nesting_is_refused(void **state)
{
    fixture *f = *state;
    uint8_t deep[200];
    memset(deep, 0x91, sizeof(deep));
    deep[sizeof(deep) - 1] = 0xc0;
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_decode(f->arena, deep, sizeof(deep), &tfp_type_dynamic, &v, &err),
                     TFP_ELIMIT);
    assert_non_null(strstr(err.message, "nested"));
}

static void arena_limit_turns_into_enomem(void **state)
{
    (void)state;
    tfp_arena *small = tfp_arena_new(512);
    tfp_value *v;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_decode(small, pkg_bytes, sizeof(pkg_bytes), &pkg_type, &v, &err),
                     TFP_ENOMEM);
    assert_non_null(strstr(err.message, "out of memory"));
    tfp_arena_free(small);
}

static void encoder_rejects_values_that_do_not_match_the_type(void **state)
{
    fixture *f = *state;
    tfp_value *obj = tfp_value_object_new(f->arena, &source_type);
    assert_int_equal(tfp_value_object_set(obj, "path", tfp_value_int(f->arena, 1)), TFP_OK);
    const uint8_t *out;
    size_t len;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_encode(f->arena, obj, &source_type, &out, &len, &err), TFP_EINVAL);
    assert_non_null(strstr(err.message, ".path"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(terraform_object_with_null_unknown_and_nested_list_decodes,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(terraform_object_reencodes_to_identical_bytes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(built_object_encodes_every_attribute_in_name_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(refined_unknown_keeps_refinement_and_not_null, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            refinement_is_dropped_when_the_unknown_moves_to_another_type, setup, teardown),
        cmocka_unit_test_setup_teardown(any_extension_decodes_as_plain_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(numbers_decode_from_int_float_and_decimal_string, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(numbers_encode_as_int_float_or_text, setup, teardown),
        cmocka_unit_test_setup_teardown(dynamic_value_carries_its_type, setup, teardown),
        cmocka_unit_test_setup_teardown(maps_decode_sorted_and_reencode, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_strings_keys_and_type_bytes_are_handled, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wrong_kind_error_names_the_value_path, setup, teardown),
        cmocka_unit_test_setup_teardown(object_needs_every_attribute_and_no_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(truncated_or_trailing_bytes_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(huge_declared_lengths_fail_without_allocating, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(deep_nesting_is_refused, setup, teardown),
        cmocka_unit_test(arena_limit_turns_into_enomem),
        cmocka_unit_test_setup_teardown(encoder_rejects_values_that_do_not_match_the_type, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
