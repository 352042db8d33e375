/*
 * libFuzzer target for tfp_msgpack_decode: the first byte picks the expected
 * type, the rest is the DynamicValue. Any input must decode or fail cleanly
 * (no crash, leak or UB, allocation bounded by the arena limit); whatever
 * decodes must encode, and decode again to an equal value.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tfp_msgpack.h"

static const tfp_type map_of_string = TFP_TYPE_MAP_OF(&tfp_type_string);
static const tfp_type set_of_number = TFP_TYPE_SET_OF(&tfp_type_number);
static const tfp_type_attr source_attrs[] = {{"excludes", &set_of_number, false},
                                             {"path", &tfp_type_string, false},
                                             {"prefix", &tfp_type_dynamic, false}};
static const tfp_type source_type = TFP_TYPE_OBJECT_OF(source_attrs, 3);
static const tfp_type source_list = TFP_TYPE_LIST_OF(&source_type);
static const tfp_type_attr pkg_attrs[] = {{"enabled", &tfp_type_bool, false},
                                          {"files", &map_of_string, false},
                                          {"id", &tfp_type_string, false},
                                          {"level", &tfp_type_number, false},
                                          {"source", &source_list, false}};
static const tfp_type pkg_type = TFP_TYPE_OBJECT_OF(pkg_attrs, 5);

static const tfp_type *const types[] = {&pkg_type,      &tfp_type_dynamic, &source_list,
                                        &map_of_string, &tfp_type_number,  &tfp_type_string};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const tfp_type *type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
    tfp_arena *arena = tfp_arena_new((size_t)64 * 1024 * 1024);
    if (arena == NULL) {
        return 0;
    }
    tfp_value *v = NULL;
    tfp_error err = TFP_ERROR_INIT;
    if (tfp_msgpack_decode(arena, data + 1, size - 1, type, &v, &err) == TFP_OK) {
        const uint8_t *out;
        size_t len;
        if (tfp_msgpack_encode(arena, v, type, &out, &len, &err) != TFP_OK) {
            abort(); /* a decoded value must always encode */
        }
        tfp_value *again = NULL;
        if (tfp_msgpack_decode(arena, out, len, type, &again, &err) != TFP_OK ||
            !tfp_value_equal(v, again)) {
            abort(); /* round trip must be stable */
        }
    }
    tfp_arena_free(arena);
    return 0;
}
