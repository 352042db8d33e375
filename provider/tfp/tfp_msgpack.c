/*
 * tfp_msgpack: Terraform DynamicValue msgpack <-> tfp_value, guided by a type.
 *
 * Decoding takes untrusted bytes in two passes: scan() walks the raw bytes
 * and checks that they hold exactly one well-formed msgpack value, that every
 * declared length fits in the bytes that remain (an array of n elements needs
 * at least n more bytes) and that nesting stays within TFP_MSGPACK_MAX_DEPTH.
 * Only then does msgpack-c (msgpack_unpack_next) build its object tree, so its
 * allocations are bounded by a small multiple of the input size. The second
 * pass converts that tree into arena values against the expected type,
 * naming the value path in every error.
 *
 * Encoding uses msgpack-c's packer into an sbuffer, then copies the bytes into
 * the arena. This module does no I/O and knows nothing of schemas or RPCs.
 */
#include "tfp_msgpack.h"

#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>

/* cty's ext type for an unknown value that carries refinements. */
#define REFINED_UNKNOWN_EXT 12
/* Key of the "nullness" refinement inside that ext's map. */
#define REFINEMENT_NULLNESS 1

/* ---- pass 1: structural scan of untrusted bytes ---- */

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

/* For the type bytes 0xc4..0xdf: the size of the length field (bin, str,
 * ext, array and map) or of the fixed payload (numbers, fixext: type byte
 * and data). */
static const struct {
    uint8_t hdr;
    uint8_t skip;
} type_sizes[0xe0 - 0xc4] = {
    [0xc4 - 0xc4] = {1, 0},  /* bin 8 */
    [0xc5 - 0xc4] = {2, 0},  /* bin 16 */
    [0xc6 - 0xc4] = {4, 0},  /* bin 32 */
    [0xc7 - 0xc4] = {1, 0},  /* ext 8: length, then type byte */
    [0xc8 - 0xc4] = {2, 0},  /* ext 16 */
    [0xc9 - 0xc4] = {4, 0},  /* ext 32 */
    [0xca - 0xc4] = {0, 4},  /* float 32 */
    [0xcb - 0xc4] = {0, 8},  /* float 64 */
    [0xcc - 0xc4] = {0, 1},  /* uint 8 */
    [0xcd - 0xc4] = {0, 2},  /* uint 16 */
    [0xce - 0xc4] = {0, 4},  /* uint 32 */
    [0xcf - 0xc4] = {0, 8},  /* uint 64 */
    [0xd0 - 0xc4] = {0, 1},  /* int 8 */
    [0xd1 - 0xc4] = {0, 2},  /* int 16 */
    [0xd2 - 0xc4] = {0, 4},  /* int 32 */
    [0xd3 - 0xc4] = {0, 8},  /* int 64 */
    [0xd4 - 0xc4] = {0, 2},  /* fixext 1 */
    [0xd5 - 0xc4] = {0, 3},  /* fixext 2 */
    [0xd6 - 0xc4] = {0, 5},  /* fixext 4 */
    [0xd7 - 0xc4] = {0, 9},  /* fixext 8 */
    [0xd8 - 0xc4] = {0, 17}, /* fixext 16 */
    [0xd9 - 0xc4] = {1, 0},  /* str 8 */
    [0xda - 0xc4] = {2, 0},  /* str 16 */
    [0xdb - 0xc4] = {4, 0},  /* str 32 */
    [0xdc - 0xc4] = {2, 0},  /* array 16 */
    [0xdd - 0xc4] = {4, 0},  /* array 32 */
    [0xde - 0xc4] = {2, 0},  /* map 16 */
    [0xdf - 0xc4] = {4, 0},  /* map 32 */
};

/*
 * Checks one value at data[*pos]; advances *pos past it. Returns TFP_OK,
 * TFP_EFORMAT (truncated/invalid) or TFP_ELIMIT (too deep).
 */
static int scan(const uint8_t *data, size_t len, size_t *pos, int depth)
{
    if (*pos >= len) {
        return TFP_EFORMAT;
    }
    uint8_t c = data[(*pos)++];
    size_t rest = len - *pos;
    uint64_t skip = 0;  /* bytes of payload to skip */
    uint64_t items = 0; /* nested values that follow */
    size_t hdr = 0;     /* bytes of length field */
    if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
        return TFP_OK;
    } else if (c >= 0x80 && c <= 0x8f) {
        items = 2u * (c & 0x0fu);
    } else if (c >= 0x90 && c <= 0x9f) {
        items = c & 0x0fu;
    } else if (c >= 0xa0 && c <= 0xbf) {
        skip = c & 0x1fu;
    } else if (c == 0xc1) {
        return TFP_EFORMAT; /* never used */
    } else {
        hdr = type_sizes[c - 0xc4].hdr;
        skip = type_sizes[c - 0xc4].skip;
        if (hdr > 0) {
            if (rest < hdr) {
                return TFP_EFORMAT;
            }
            uint64_t n = be(data + *pos, hdr);
            *pos += hdr;
            rest -= hdr;
            if (c == 0xdc || c == 0xdd) {
                items = n;
            } else if (c == 0xde || c == 0xdf) {
                items = 2 * n;
            } else if (c >= 0xc7 && c <= 0xc9) {
                skip = n + 1;
            } else {
                skip = n;
            }
        }
    }
    if (skip > 0) {
        if (skip > rest) {
            return TFP_EFORMAT;
        }
        *pos += (size_t)skip;
        return TFP_OK;
    }
    if (items > 0) {
        if (items > rest) {
            return TFP_EFORMAT; /* each value needs at least one byte */
        }
        if (depth + 1 > TFP_MSGPACK_MAX_DEPTH) {
            return TFP_ELIMIT;
        }
        for (uint64_t i = 0; i < items; i++) {
            int rc = scan(data, len, pos, depth + 1);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return TFP_OK;
}

/* Scans data as exactly one value with nothing after it. */
static int scan_one(const uint8_t *data, size_t len)
{
    size_t pos = 0;
    int rc = scan(data, len, &pos, 0);
    if (rc == TFP_OK && pos != len) {
        rc = TFP_EFORMAT;
    }
    return rc;
}

/* ---- pass 2: msgpack-c object tree -> tfp_value ---- */

typedef struct decoder {
    tfp_arena *arena;
    tfp_vpath path;
    tfp_error *err;
} decoder;

static const char *object_kind(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return "nil";
    case MSGPACK_OBJECT_BOOLEAN:
        return "bool";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return "integer";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return "float";
    case MSGPACK_OBJECT_STR:
        return "string";
    case MSGPACK_OBJECT_ARRAY:
        return "array";
    case MSGPACK_OBJECT_MAP:
        return "map";
    case MSGPACK_OBJECT_BIN:
        return "binary";
    case MSGPACK_OBJECT_EXT:
        return "extension";
    }
    return "invalid";
}

/* msgpack-c leaves ptr NULL for empty str/bin/ext payloads: never pass that on. */
static const char *bytes_of(const char *ptr)
{
    return ptr == NULL ? "" : ptr;
}

static int mismatch(decoder *d, const char *want, const msgpack_object *o)
{
    return tfp_error_set(d->err, TFP_EINVAL, "%s: expected %s, got msgpack %s",
                         tfp_vpath_str(&d->path), want, object_kind(o));
}

static int nomem(decoder *d)
{
    return tfp_error_set(d->err, TFP_ENOMEM, "%s: out of memory", tfp_vpath_str(&d->path));
}

/* Reads the nullness refinement, if the ext payload is a well-formed map. */
static bool refined_not_null(const char *payload, size_t len)
{
    if (scan_one((const uint8_t *)payload, len) != TFP_OK) {
        return false;
    }
    bool not_null = false;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    if (msgpack_unpack_next(&u, payload, len, &off) == MSGPACK_UNPACK_SUCCESS &&
        u.data.type == MSGPACK_OBJECT_MAP) {
        for (uint32_t i = 0; i < u.data.via.map.size; i++) {
            const msgpack_object_kv *kv = &u.data.via.map.ptr[i];
            if (kv->key.type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                kv->key.via.u64 == REFINEMENT_NULLNESS && kv->val.type == MSGPACK_OBJECT_BOOLEAN) {
                not_null = !kv->val.via.boolean;
            }
        }
    }
    msgpack_unpacked_destroy(&u);
    return not_null;
}

static int decode_value(decoder *d, const msgpack_object *o, const tfp_type *type, tfp_value **out);

static int decode_unknown(decoder *d, const msgpack_object *o, const tfp_type *type,
                          tfp_value **out)
{
    tfp_value *v = tfp_value_unknown(d->arena, type);
    if (v == NULL) {
        return nomem(d);
    }
    if (o->via.ext.type == REFINED_UNKNOWN_EXT && o->via.ext.size > 0) {
        v->refinement = tfp_arena_memdup(d->arena, o->via.ext.ptr, o->via.ext.size);
        if (v->refinement == NULL) {
            return nomem(d);
        }
        v->refinement_len = o->via.ext.size;
        v->not_null = refined_not_null(o->via.ext.ptr, o->via.ext.size);
    }
    *out = v;
    return TFP_OK;
}

static int decode_dynamic(decoder *d, const msgpack_object *o, tfp_value **out)
{
    if (o->type == MSGPACK_OBJECT_NIL) {
        *out = tfp_value_null(d->arena, &tfp_type_dynamic);
        return *out == NULL ? nomem(d) : TFP_OK;
    }
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 2) {
        return tfp_error_set(d->err, TFP_EINVAL,
                             "%s: dynamic value must be a [type, value] array, got msgpack %s",
                             tfp_vpath_str(&d->path), object_kind(o));
    }
    const msgpack_object *tj = &o->via.array.ptr[0];
    const char *bytes;
    size_t n;
    if (tj->type == MSGPACK_OBJECT_BIN) {
        bytes = bytes_of(tj->via.bin.ptr);
        n = tj->via.bin.size;
    } else if (tj->type == MSGPACK_OBJECT_STR) {
        bytes = bytes_of(tj->via.str.ptr);
        n = tj->via.str.size;
    } else {
        return mismatch(d, "type JSON bytes", tj);
    }
    const tfp_type *type;
    tfp_error terr = TFP_ERROR_INIT;
    int rc = tfp_type_from_json(d->arena, (const uint8_t *)bytes, n, &type, &terr);
    if (rc < 0) {
        return tfp_error_set(d->err, rc, "%s: %s", tfp_vpath_str(&d->path), terr.message);
    }
    if (type->kind == TFP_TYPE_DYNAMIC) {
        return tfp_error_set(d->err, TFP_EINVAL, "%s: dynamic value wraps type dynamic",
                             tfp_vpath_str(&d->path));
    }
    return decode_value(d, &o->via.array.ptr[1], type, out);
}

static int decode_number(decoder *d, const msgpack_object *o, tfp_value **out)
{
    tfp_value *v;
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 <= (uint64_t)INT64_MAX) {
            v = tfp_value_int(d->arena, (int64_t)o->via.u64);
        } else {
            char buf[32];
            int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)o->via.u64);
            v = tfp_value_number_text(d->arena, buf, (size_t)n);
        }
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        v = tfp_value_int(d->arena, o->via.i64);
        break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        if (!isfinite(o->via.f64)) {
            return tfp_error_set(d->err, TFP_EINVAL, "%s: number is not finite",
                                 tfp_vpath_str(&d->path));
        }
        v = tfp_value_number(d->arena, o->via.f64);
        break;
    case MSGPACK_OBJECT_STR:
        v = tfp_value_number_text(d->arena, bytes_of(o->via.str.ptr), o->via.str.size);
        /* NULL means bad text or no memory: a 0-byte probe tells them apart. */
        if (v == NULL && tfp_arena_alloc(d->arena, 0) != NULL) {
            return tfp_error_set(
                d->err, TFP_EINVAL, "%s: \"%.*s\" is not a number", tfp_vpath_str(&d->path),
                (int)(o->via.str.size > 40 ? 40 : o->via.str.size), bytes_of(o->via.str.ptr));
        }
        break;
    default:
        return mismatch(d, "number", o);
    }
    if (v == NULL) {
        return nomem(d);
    }
    *out = v;
    return TFP_OK;
}

/* Copies a msgpack string key; rejects embedded NUL (keys are C strings here). */
static int decode_key(decoder *d, const msgpack_object *k, const char **out)
{
    if (k->type != MSGPACK_OBJECT_STR) {
        return mismatch(d, "string key", k);
    }
    const char *key = bytes_of(k->via.str.ptr);
    if (memchr(key, '\0', k->via.str.size) != NULL) {
        return tfp_error_set(d->err, TFP_EINVAL, "%s: map key contains a NUL byte",
                             tfp_vpath_str(&d->path));
    }
    *out = tfp_arena_memdup(d->arena, key, k->via.str.size);
    return *out == NULL ? nomem(d) : TFP_OK;
}

static int decode_sequence(decoder *d, const msgpack_object *o, const tfp_type *type,
                           tfp_value **out)
{
    const char *want = tfp_type_kind_name(type->kind);
    if (o->type != MSGPACK_OBJECT_ARRAY) {
        return mismatch(d, want, o);
    }
    size_t n = o->via.array.size;
    if (type->kind == TFP_TYPE_TUPLE && n != type->n) {
        return tfp_error_set(d->err, TFP_EINVAL,
                             "%s: a tuple of %zu elements is required (%zu given)",
                             tfp_vpath_str(&d->path), type->n, n);
    }
    tfp_value *v = tfp_arena_alloc(d->arena, sizeof(*v));
    tfp_value **items = tfp_arena_array(d->arena, n, sizeof(*items));
    if (v == NULL || items == NULL) {
        return nomem(d);
    }
    for (size_t i = 0; i < n; i++) {
        size_t mark = tfp_vpath_index(&d->path, i);
        const tfp_type *et = type->kind == TFP_TYPE_TUPLE ? type->elems[i] : type->elem;
        int rc = decode_value(d, &o->via.array.ptr[i], et, &items[i]);
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&d->path, mark);
    }
    v->kind = type->kind == TFP_TYPE_LIST  ? TFP_VAL_LIST
              : type->kind == TFP_TYPE_SET ? TFP_VAL_SET
                                           : TFP_VAL_TUPLE;
    v->type = type;
    v->n = n;
    v->items = items;
    *out = v;
    return TFP_OK;
}

static int decode_map(decoder *d, const msgpack_object *o, const tfp_type *type, tfp_value **out)
{
    if (o->type != MSGPACK_OBJECT_MAP) {
        return mismatch(d, "map", o);
    }
    size_t n = o->via.map.size;
    const char **keys = tfp_arena_array(d->arena, n, sizeof(*keys));
    tfp_value **items = tfp_arena_array(d->arena, n, sizeof(*items));
    if (keys == NULL || items == NULL) {
        return nomem(d);
    }
    bool sorted = true;
    for (size_t i = 0; i < n; i++) {
        int rc = decode_key(d, &o->via.map.ptr[i].key, &keys[i]);
        if (rc < 0) {
            return rc;
        }
        size_t mark = tfp_vpath_key(&d->path, keys[i]);
        if ((rc = decode_value(d, &o->via.map.ptr[i].val, type->elem, &items[i])) < 0) {
            return rc;
        }
        tfp_vpath_pop(&d->path, mark);
        if (i > 0 && strcmp(keys[i - 1], keys[i]) >= 0) {
            sorted = false;
        }
    }
    tfp_value *v;
    if (sorted) {
        /* Terraform sends keys in order: take them as they are. */
        v = tfp_arena_alloc(d->arena, sizeof(*v));
        if (v == NULL) {
            return nomem(d);
        }
        v->kind = TFP_VAL_MAP;
        v->type = type;
        v->n = n;
        v->keys = keys;
        v->items = items;
    } else {
        v = tfp_value_map(d->arena, type->elem, n, keys, items);
        if (v == NULL) {
            return tfp_error_set(d->err, TFP_EINVAL, "%s: duplicate map key (or out of memory)",
                                 tfp_vpath_str(&d->path));
        }
        v->type = type;
    }
    *out = v;
    return TFP_OK;
}

static int decode_object(decoder *d, const msgpack_object *o, const tfp_type *type, tfp_value **out)
{
    if (o->type != MSGPACK_OBJECT_MAP) {
        return mismatch(d, "object", o);
    }
    size_t n = o->via.map.size;
    if (n != type->n) {
        return tfp_error_set(d->err, TFP_EINVAL,
                             "%s: an object with %zu attributes is required (%zu given)",
                             tfp_vpath_str(&d->path), type->n, n);
    }
    tfp_value *v = tfp_arena_alloc(d->arena, sizeof(*v));
    tfp_value **items = tfp_arena_array(d->arena, n, sizeof(*items));
    if (v == NULL || items == NULL) {
        return nomem(d);
    }
    for (size_t i = 0; i < n; i++) {
        const msgpack_object *k = &o->via.map.ptr[i].key;
        if (k->type != MSGPACK_OBJECT_STR) {
            return mismatch(d, "attribute name", k);
        }
        char name[256];
        const char *key = bytes_of(k->via.str.ptr);
        if (k->via.str.size >= sizeof(name) || memchr(key, '\0', k->via.str.size)) {
            return tfp_error_set(d->err, TFP_EINVAL, "%s: unsupported attribute name",
                                 tfp_vpath_str(&d->path));
        }
        memcpy(name, key, k->via.str.size);
        name[k->via.str.size] = '\0';
        long idx = tfp_type_attr_index(type, name);
        if (idx < 0) {
            return tfp_error_set(d->err, TFP_EINVAL, "%s: unsupported attribute \"%s\"",
                                 tfp_vpath_str(&d->path), name);
        }
        if (items[idx] != NULL) {
            return tfp_error_set(d->err, TFP_EINVAL, "%s: duplicate attribute \"%s\"",
                                 tfp_vpath_str(&d->path), name);
        }
        size_t mark = tfp_vpath_attr(&d->path, type->attrs[idx].name);
        int rc = decode_value(d, &o->via.map.ptr[i].val, type->attrs[idx].type, &items[idx]);
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&d->path, mark);
    }
    v->kind = TFP_VAL_OBJECT;
    v->type = type;
    v->n = n;
    v->items = items;
    *out = v;
    return TFP_OK;
}

static int decode_value(decoder *d, const msgpack_object *o, const tfp_type *type, tfp_value **out)
{
    if (o->type == MSGPACK_OBJECT_EXT) {
        return decode_unknown(d, o, type, out);
    }
    if (type->kind == TFP_TYPE_DYNAMIC) {
        return decode_dynamic(d, o, out);
    }
    if (o->type == MSGPACK_OBJECT_NIL) {
        *out = tfp_value_null(d->arena, type);
        return *out == NULL ? nomem(d) : TFP_OK;
    }
    switch (type->kind) {
    case TFP_TYPE_STRING:
        if (o->type == MSGPACK_OBJECT_STR) {
            *out = tfp_value_stringn(d->arena, bytes_of(o->via.str.ptr), o->via.str.size);
        } else if (o->type == MSGPACK_OBJECT_BIN) {
            *out = tfp_value_stringn(d->arena, bytes_of(o->via.bin.ptr), o->via.bin.size);
        } else {
            return mismatch(d, "string", o);
        }
        return *out == NULL ? nomem(d) : TFP_OK;
    case TFP_TYPE_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN) {
            return mismatch(d, "bool", o);
        }
        *out = tfp_value_bool(d->arena, o->via.boolean);
        return *out == NULL ? nomem(d) : TFP_OK;
    case TFP_TYPE_NUMBER:
        return decode_number(d, o, out);
    case TFP_TYPE_LIST:
    case TFP_TYPE_SET:
    case TFP_TYPE_TUPLE:
        return decode_sequence(d, o, type, out);
    case TFP_TYPE_MAP:
        return decode_map(d, o, type, out);
    case TFP_TYPE_OBJECT:
        return decode_object(d, o, type, out);
    case TFP_TYPE_DYNAMIC:
        break;
    }
    return tfp_error_set(d->err, TFP_EINVAL, "%s: invalid type", tfp_vpath_str(&d->path));
}

int tfp_msgpack_decode(tfp_arena *arena, const uint8_t *data, size_t len, const tfp_type *type,
                       tfp_value **out, tfp_error *err)
{
    if (arena == NULL || type == NULL || out == NULL || (data == NULL && len > 0)) {
        return tfp_error_set(err, TFP_EINVAL, "invalid argument");
    }
    if (len > TFP_MSGPACK_MAX_INPUT) {
        return tfp_error_set(err, TFP_ELIMIT, "msgpack value of %zu bytes exceeds the %zu limit",
                             len, TFP_MSGPACK_MAX_INPUT);
    }
    int rc = scan_one(data, len);
    if (rc == TFP_ELIMIT) {
        return tfp_error_set(err, rc, "msgpack value nested deeper than %d levels",
                             TFP_MSGPACK_MAX_DEPTH);
    }
    if (rc < 0) {
        return tfp_error_set(err, rc, "malformed msgpack (%zu bytes)", len);
    }
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    msgpack_unpack_return ur = msgpack_unpack_next(&u, (const char *)data, len, &off);
    if (ur != MSGPACK_UNPACK_SUCCESS || off != len) {
        rc = tfp_error_set(err, ur == MSGPACK_UNPACK_NOMEM_ERROR ? TFP_ENOMEM : TFP_EFORMAT,
                           "malformed msgpack (%zu bytes)", len);
        goto done;
    }
    decoder d = {.arena = arena, .err = err};
    tfp_vpath_init(&d.path);
    tfp_value *v = NULL;
    if ((rc = decode_value(&d, &u.data, type, &v)) < 0) {
        goto done;
    }
    *out = v;
    rc = TFP_OK;
done:
    msgpack_unpacked_destroy(&u);
    return rc;
}

/* ---- encoding ---- */

typedef struct encoder {
    msgpack_packer pk;
    tfp_arena *arena;
    tfp_vpath path;
    tfp_error *err;
} encoder;

static int enc_fail(encoder *e)
{
    return tfp_error_set(e->err, TFP_ENOMEM, "%s: out of memory while encoding",
                         tfp_vpath_str(&e->path));
}

static int enc_mismatch(encoder *e, const tfp_type *type, const tfp_value *v)
{
    return tfp_error_set(e->err, TFP_EINVAL, "%s: value of kind %d does not conform to type %s",
                         tfp_vpath_str(&e->path), (int)v->kind, tfp_type_kind_name(type->kind));
}

static int encode_value(encoder *e, const tfp_value *v, const tfp_type *type, int depth);

/* An unknown value: with its refinements when it carries them for this
 * type, else cty's plain unknown (fixext 1, type 0). */
static int encode_unknown(encoder *e, const tfp_value *v, const tfp_type *type)
{
    msgpack_packer *pk = &e->pk;
    int rc;
    /* Refinements are type-specific (a string prefix, number bounds):
     * only write them back for the type they arrived with. Terraform
     * ignores them on dynamic and refuses payloads over 1 KiB. */
    if (v->refinement != NULL && v->refinement_len > 1 && v->refinement_len <= 1024 &&
        type->kind != TFP_TYPE_DYNAMIC && tfp_type_equal(v->type, type)) {
        rc = msgpack_pack_ext(pk, v->refinement_len, REFINED_UNKNOWN_EXT) != 0 ||
             msgpack_pack_ext_body(pk, v->refinement, v->refinement_len) != 0;
    } else {
        static const char fixext1_zero[] = {0};
        rc = msgpack_pack_ext(pk, 1, 0) != 0 || msgpack_pack_ext_body(pk, fixext1_zero, 1);
    }
    return rc ? enc_fail(e) : TFP_OK;
}

/* A known string, bool or number. */
static int encode_primitive(encoder *e, const tfp_value *v, const tfp_type *type)
{
    msgpack_packer *pk = &e->pk;
    int rc = 0;
    switch (type->kind) {
    case TFP_TYPE_STRING:
        if (v->kind != TFP_VAL_STRING) {
            return enc_mismatch(e, type, v);
        }
        rc = msgpack_pack_str(pk, v->str_len) || msgpack_pack_str_body(pk, v->str, v->str_len);
        break;
    case TFP_TYPE_BOOL:
        if (v->kind != TFP_VAL_BOOL) {
            return enc_mismatch(e, type, v);
        }
        rc = v->b ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
        break;
    default: /* TFP_TYPE_NUMBER */
        if (v->kind != TFP_VAL_NUMBER) {
            return enc_mismatch(e, type, v);
        }
        if (v->num_is_int) {
            rc = msgpack_pack_int64(pk, v->num_int);
        } else if (v->num_text != NULL) {
            size_t n = strlen(v->num_text);
            rc = msgpack_pack_str(pk, n) || msgpack_pack_str_body(pk, v->num_text, n);
        } else {
            rc = msgpack_pack_double(pk, v->num);
        }
        break;
    }
    return rc != 0 ? enc_fail(e) : TFP_OK;
}

/* A known list, set or tuple: an array. */
static int encode_sequence(encoder *e, const tfp_value *v, const tfp_type *type, int depth)
{
    tfp_value_kind want = type->kind == TFP_TYPE_LIST  ? TFP_VAL_LIST
                          : type->kind == TFP_TYPE_SET ? TFP_VAL_SET
                                                       : TFP_VAL_TUPLE;
    if (v->kind != want || (want == TFP_VAL_TUPLE && v->n != type->n) || v->n > UINT32_MAX) {
        return enc_mismatch(e, type, v);
    }
    if (msgpack_pack_array(&e->pk, v->n) != 0) {
        return enc_fail(e);
    }
    for (size_t i = 0; i < v->n; i++) {
        size_t mark = tfp_vpath_index(&e->path, i);
        const tfp_type *et = want == TFP_VAL_TUPLE ? type->elems[i] : type->elem;
        int rc = encode_value(e, v->items[i], et, depth + 1);
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&e->path, mark);
    }
    return TFP_OK;
}

/* A known map: a msgpack map in the value's key order. */
static int encode_map(encoder *e, const tfp_value *v, const tfp_type *type, int depth)
{
    msgpack_packer *pk = &e->pk;
    if (v->kind != TFP_VAL_MAP || v->n > UINT32_MAX) {
        return enc_mismatch(e, type, v);
    }
    if (msgpack_pack_map(pk, v->n) != 0) {
        return enc_fail(e);
    }
    for (size_t i = 0; i < v->n; i++) {
        size_t klen = strlen(v->keys[i]);
        if (msgpack_pack_str(pk, klen) != 0 || msgpack_pack_str_body(pk, v->keys[i], klen) != 0) {
            return enc_fail(e);
        }
        size_t mark = tfp_vpath_key(&e->path, v->keys[i]);
        int rc = encode_value(e, v->items[i], type->elem, depth + 1);
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&e->path, mark);
    }
    return TFP_OK;
}

/* A known object: a msgpack map in the type's attribute order. */
static int encode_object(encoder *e, const tfp_value *v, const tfp_type *type, int depth)
{
    msgpack_packer *pk = &e->pk;
    if (v->kind != TFP_VAL_OBJECT || v->n != type->n) {
        return enc_mismatch(e, type, v);
    }
    if (msgpack_pack_map(pk, v->n) != 0) {
        return enc_fail(e);
    }
    for (size_t i = 0; i < v->n; i++) {
        const char *name = type->attrs[i].name;
        if (v->type != type && strcmp(v->type->attrs[i].name, name) != 0) {
            return tfp_error_set(e->err, TFP_EINVAL,
                                 "%s: object has \"%s\" where \"%s\" is expected",
                                 tfp_vpath_str(&e->path), v->type->attrs[i].name, name);
        }
        size_t nlen = strlen(name);
        if (msgpack_pack_str(pk, nlen) != 0 || msgpack_pack_str_body(pk, name, nlen) != 0) {
            return enc_fail(e);
        }
        size_t mark = tfp_vpath_attr(&e->path, name);
        int rc = encode_value(e, v->items[i], type->attrs[i].type, depth + 1);
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&e->path, mark);
    }
    return TFP_OK;
}

static int encode_value(encoder *e, const tfp_value *v, const tfp_type *type, int depth)
{
    msgpack_packer *pk = &e->pk;
    if (v == NULL || type == NULL) {
        return tfp_error_set(e->err, TFP_EINVAL, "%s: missing value", tfp_vpath_str(&e->path));
    }
    if (depth > TFP_MSGPACK_MAX_DEPTH) {
        return tfp_error_set(e->err, TFP_ELIMIT, "%s: nested too deeply", tfp_vpath_str(&e->path));
    }
    if (type->kind == TFP_TYPE_DYNAMIC && v->type->kind != TFP_TYPE_DYNAMIC) {
        const char *json;
        size_t json_len;
        if (tfp_type_to_json(e->arena, v->type, &json, &json_len) < 0) {
            return enc_fail(e);
        }
        if (msgpack_pack_array(pk, 2) != 0 || msgpack_pack_bin(pk, json_len) != 0 ||
            msgpack_pack_bin_body(pk, json, json_len) != 0) {
            return enc_fail(e);
        }
        return encode_value(e, v, v->type, depth + 1);
    }
    if (v->kind == TFP_VAL_UNKNOWN) {
        return encode_unknown(e, v, type);
    }
    if (v->kind == TFP_VAL_NULL) {
        return msgpack_pack_nil(pk) != 0 ? enc_fail(e) : TFP_OK;
    }
    switch (type->kind) {
    case TFP_TYPE_STRING:
    case TFP_TYPE_BOOL:
    case TFP_TYPE_NUMBER:
        return encode_primitive(e, v, type);
    case TFP_TYPE_LIST:
    case TFP_TYPE_SET:
    case TFP_TYPE_TUPLE:
        return encode_sequence(e, v, type, depth);
    case TFP_TYPE_MAP:
        return encode_map(e, v, type, depth);
    case TFP_TYPE_OBJECT:
        return encode_object(e, v, type, depth);
    case TFP_TYPE_DYNAMIC:
        return enc_mismatch(e, type, v);
    }
    return TFP_OK;
}

int tfp_msgpack_encode(tfp_arena *arena, const tfp_value *v, const tfp_type *type,
                       const uint8_t **out, size_t *out_len, tfp_error *err)
{
    if (arena == NULL || out == NULL || out_len == NULL) {
        return tfp_error_set(err, TFP_EINVAL, "invalid argument");
    }
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    encoder e = {.arena = arena, .err = err};
    tfp_vpath_init(&e.path);
    msgpack_packer_init(&e.pk, &sbuf, msgpack_sbuffer_write);
    int rc = encode_value(&e, v, type, 0);
    if (rc < 0) {
        goto done;
    }
    uint8_t *copy = tfp_arena_memdup(arena, sbuf.data, sbuf.size);
    if (copy == NULL) {
        rc = tfp_error_set(err, TFP_ENOMEM, "out of memory copying %zu encoded bytes", sbuf.size);
        goto done;
    }
    *out = copy;
    *out_len = sbuf.size;
    rc = TFP_OK;
done:
    msgpack_sbuffer_destroy(&sbuf);
    return rc;
}
