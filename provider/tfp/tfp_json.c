/*
 * tfp_json: cty's JSON value form <-> tfp_value, guided by a type.
 *
 * Used for the raw state JSON Terraform hands to UpgradeResourceState and as
 * the JSON fallback of DynamicValue. Parsing is jansson's; this module walks
 * the parsed tree along the expected type (so recursion is bounded by the
 * type, not the input), copies what it keeps into the arena and names the
 * value path in every error. Like cty it accepts numbers and bools written as
 * strings (and the reverse for string attributes). No I/O.
 */
#include "tfp_json.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct jdec {
    tfp_arena *arena;
    tfp_vpath path;
    tfp_error *err;
} jdec;

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    case JSON_NULL:
        return "null";
    }
    return "invalid";
}

static int jmismatch(jdec *d, const char *want, const json_t *j)
{
    return tfp_error_set(d->err, TFP_EINVAL, "%s: expected %s, got JSON %s",
                         tfp_vpath_str(&d->path), want, json_kind(j));
}

static int jnomem(jdec *d)
{
    return tfp_error_set(d->err, TFP_ENOMEM, "%s: out of memory", tfp_vpath_str(&d->path));
}

static int jdecode(jdec *d, const json_t *j, const tfp_type *type, int depth, tfp_value **out);

static int jdecode_primitive(jdec *d, const json_t *j, const tfp_type *type, tfp_value **out)
{
    tfp_value *v = NULL;
    switch (type->kind) {
    case TFP_TYPE_STRING:
        if (json_is_string(j)) {
            v = tfp_value_stringn(d->arena, json_string_value(j), json_string_length(j));
        } else if (json_is_boolean(j)) {
            v = tfp_value_string(d->arena, json_is_true(j) ? "true" : "false");
        } else if (json_is_integer(j)) {
            char buf[32];
            snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
            v = tfp_value_string(d->arena, buf);
        } else {
            return jmismatch(d, "string", j);
        }
        break;
    case TFP_TYPE_NUMBER:
        if (json_is_integer(j)) {
            v = tfp_value_int(d->arena, (int64_t)json_integer_value(j));
        } else if (json_is_real(j)) {
            v = tfp_value_number(d->arena, json_real_value(j));
        } else if (json_is_string(j)) {
            v = tfp_value_number_text(d->arena, json_string_value(j), json_string_length(j));
            if (v == NULL) {
                return tfp_error_set(d->err, TFP_EINVAL, "%s: \"%.40s\" is not a number",
                                     tfp_vpath_str(&d->path), json_string_value(j));
            }
        } else {
            return jmismatch(d, "number", j);
        }
        break;
    case TFP_TYPE_BOOL:
        if (json_is_boolean(j)) {
            v = tfp_value_bool(d->arena, json_is_true(j));
        } else if (json_is_string(j) && strcmp(json_string_value(j), "true") == 0) {
            v = tfp_value_bool(d->arena, true);
        } else if (json_is_string(j) && strcmp(json_string_value(j), "false") == 0) {
            v = tfp_value_bool(d->arena, false);
        } else {
            return jmismatch(d, "bool", j);
        }
        break;
    default:
        return tfp_error_set(d->err, TFP_EINVAL, "%s: invalid type", tfp_vpath_str(&d->path));
    }
    if (v == NULL) {
        return jnomem(d);
    }
    *out = v;
    return TFP_OK;
}

static int jdecode_sequence(jdec *d, const json_t *j, const tfp_type *type, int depth,
                            tfp_value **out)
{
    if (!json_is_array(j)) {
        return jmismatch(d, tfp_type_kind_name(type->kind), j);
    }
    size_t n = json_array_size(j);
    if (type->kind == TFP_TYPE_TUPLE && n != type->n) {
        return tfp_error_set(d->err, TFP_EINVAL, "%s: a tuple of %zu elements is required",
                             tfp_vpath_str(&d->path), type->n);
    }
    tfp_value *v = tfp_arena_alloc(d->arena, sizeof(*v));
    tfp_value **items = tfp_arena_array(d->arena, n, sizeof(*items));
    if (v == NULL || items == NULL) {
        return jnomem(d);
    }
    for (size_t i = 0; i < n; i++) {
        size_t mark = tfp_vpath_index(&d->path, i);
        const tfp_type *et = type->kind == TFP_TYPE_TUPLE ? type->elems[i] : type->elem;
        int rc = jdecode(d, json_array_get(j, i), et, depth + 1, &items[i]);
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

static int jdecode_map(jdec *d, const json_t *j, const tfp_type *type, int depth, tfp_value **out)
{
    if (!json_is_object(j)) {
        return jmismatch(d, "map", j);
    }
    size_t n = json_object_size(j);
    const char **keys = tfp_arena_array(d->arena, n, sizeof(*keys));
    tfp_value **items = tfp_arena_array(d->arena, n, sizeof(*items));
    if (keys == NULL || items == NULL) {
        return jnomem(d);
    }
    size_t i = 0;
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)j, key, value)
    {
        keys[i] = key; /* copied by tfp_value_map */
        size_t mark = tfp_vpath_key(&d->path, key);
        int rc = jdecode(d, value, type->elem, depth + 1, &items[i]);
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&d->path, mark);
        i++;
    }
    tfp_value *v = tfp_value_map(d->arena, type->elem, n, keys, items);
    if (v == NULL) {
        return jnomem(d);
    }
    v->type = type;
    *out = v;
    return TFP_OK;
}

static int jdecode_object(jdec *d, const json_t *j, const tfp_type *type, int depth,
                          tfp_value **out)
{
    if (!json_is_object(j)) {
        return jmismatch(d, "object", j);
    }
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)j, key, value)
    {
        if (tfp_type_attr_index(type, key) < 0) {
            return tfp_error_set(d->err, TFP_EINVAL, "%s: unsupported attribute \"%.64s\"",
                                 tfp_vpath_str(&d->path), key);
        }
    }
    tfp_value *v = tfp_arena_alloc(d->arena, sizeof(*v));
    tfp_value **items = tfp_arena_array(d->arena, type->n, sizeof(*items));
    if (v == NULL || items == NULL) {
        return jnomem(d);
    }
    for (size_t i = 0; i < type->n; i++) {
        const json_t *a = json_object_get(j, type->attrs[i].name);
        size_t mark = tfp_vpath_attr(&d->path, type->attrs[i].name);
        int rc;
        if (a == NULL) {
            items[i] = tfp_value_null(d->arena, type->attrs[i].type);
            rc = items[i] == NULL ? jnomem(d) : TFP_OK;
        } else {
            rc = jdecode(d, a, type->attrs[i].type, depth + 1, &items[i]);
        }
        if (rc < 0) {
            return rc;
        }
        tfp_vpath_pop(&d->path, mark);
    }
    v->kind = TFP_VAL_OBJECT;
    v->type = type;
    v->n = type->n;
    v->items = items;
    *out = v;
    return TFP_OK;
}

static int jdecode_dynamic(jdec *d, const json_t *j, int depth, tfp_value **out)
{
    const json_t *tj = json_object_get(j, "type");
    const json_t *vj = json_object_get(j, "value");
    if (!json_is_object(j) || tj == NULL || vj == NULL || json_object_size(j) != 2) {
        return tfp_error_set(d->err, TFP_EINVAL,
                             "%s: dynamic value must be {\"value\": ..., \"type\": ...}",
                             tfp_vpath_str(&d->path));
    }
    char *text = json_dumps(tj, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL) {
        return jnomem(d);
    }
    const tfp_type *type;
    tfp_error terr = TFP_ERROR_INIT;
    int rc = tfp_type_from_json(d->arena, (const uint8_t *)text, strlen(text), &type, &terr);
    free(text);
    if (rc < 0) {
        return tfp_error_set(d->err, rc, "%s: %s", tfp_vpath_str(&d->path), terr.message);
    }
    if (type->kind == TFP_TYPE_DYNAMIC) {
        return tfp_error_set(d->err, TFP_EINVAL, "%s: dynamic value wraps type dynamic",
                             tfp_vpath_str(&d->path));
    }
    return jdecode(d, vj, type, depth + 1, out);
}

static int jdecode(jdec *d, const json_t *j, const tfp_type *type, int depth, tfp_value **out)
{
    if (depth > TFP_JSON_MAX_DEPTH) {
        return tfp_error_set(d->err, TFP_ELIMIT, "%s: nested deeper than %d levels",
                             tfp_vpath_str(&d->path), TFP_JSON_MAX_DEPTH);
    }
    if (json_is_null(j)) {
        *out = tfp_value_null(d->arena, type);
        return *out == NULL ? jnomem(d) : TFP_OK;
    }
    switch (type->kind) {
    case TFP_TYPE_STRING:
    case TFP_TYPE_NUMBER:
    case TFP_TYPE_BOOL:
        return jdecode_primitive(d, j, type, out);
    case TFP_TYPE_LIST:
    case TFP_TYPE_SET:
    case TFP_TYPE_TUPLE:
        return jdecode_sequence(d, j, type, depth, out);
    case TFP_TYPE_MAP:
        return jdecode_map(d, j, type, depth, out);
    case TFP_TYPE_OBJECT:
        return jdecode_object(d, j, type, depth, out);
    case TFP_TYPE_DYNAMIC:
        return jdecode_dynamic(d, j, depth, out);
    }
    return tfp_error_set(d->err, TFP_EINVAL, "%s: invalid type", tfp_vpath_str(&d->path));
}

int tfp_json_decode(tfp_arena *arena, const uint8_t *data, size_t len, const tfp_type *type,
                    tfp_value **out, tfp_error *err)
{
    if (arena == NULL || type == NULL || out == NULL || (data == NULL && len > 0)) {
        return tfp_error_set(err, TFP_EINVAL, "invalid argument");
    }
    json_error_t jerr;
    json_t *j = json_loadb((const char *)data, len,
                           JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (j == NULL) {
        return tfp_error_set(err, TFP_EFORMAT, "malformed JSON at line %d column %d: %s", jerr.line,
                             jerr.column, jerr.text);
    }
    jdec d = {.arena = arena, .err = err};
    tfp_vpath_init(&d.path);
    tfp_value *v = NULL;
    int rc = jdecode(&d, j, type, 0, &v);
    json_decref(j);
    if (rc == TFP_OK) {
        *out = v;
    }
    return rc;
}

/* ---- encoding ---- */

static json_t *jencode(const tfp_value *v, const tfp_type *type, tfp_vpath *path, tfp_arena *arena,
                       int depth, tfp_error *err);

static json_t *jencode_dynamic(const tfp_value *v, tfp_vpath *path, tfp_arena *arena, int depth,
                               tfp_error *err)
{
    const char *text;
    size_t len;
    if (tfp_type_to_json(arena, v->type, &text, &len) < 0) {
        tfp_error_set(err, TFP_ENOMEM, "%s: out of memory", tfp_vpath_str(path));
        return NULL;
    }
    json_t *tj = json_loadb(text, len, JSON_DECODE_ANY, NULL);
    json_t *vj = jencode(v, v->type, path, arena, depth + 1, err);
    if (tj == NULL || vj == NULL) {
        json_decref(tj);
        json_decref(vj);
        return NULL;
    }
    return json_pack("{soso}", "value", vj, "type", tj);
}

static json_t *jencode(const tfp_value *v, const tfp_type *type, tfp_vpath *path, tfp_arena *arena,
                       int depth, tfp_error *err)
{
    if (depth > TFP_JSON_MAX_DEPTH) {
        tfp_error_set(err, TFP_ELIMIT, "%s: nested too deeply", tfp_vpath_str(path));
        return NULL;
    }
    if (v->kind == TFP_VAL_UNKNOWN) {
        tfp_error_set(err, TFP_EINVAL, "%s: unknown values cannot be written as JSON",
                      tfp_vpath_str(path));
        return NULL;
    }
    if (type->kind == TFP_TYPE_DYNAMIC && v->type->kind != TFP_TYPE_DYNAMIC) {
        return jencode_dynamic(v, path, arena, depth, err);
    }
    if (v->kind == TFP_VAL_NULL) {
        return json_null();
    }
    json_t *j = NULL;
    switch (v->kind) {
    case TFP_VAL_BOOL:
        j = json_boolean(v->b);
        break;
    case TFP_VAL_NUMBER:
        j = v->num_is_int ? json_integer((json_int_t)v->num_int) : json_real(v->num);
        break;
    case TFP_VAL_STRING:
        j = json_stringn(v->str, v->str_len);
        break;
    case TFP_VAL_LIST:
    case TFP_VAL_SET:
    case TFP_VAL_TUPLE:
        j = json_array();
        for (size_t i = 0; j != NULL && i < v->n; i++) {
            size_t mark = tfp_vpath_index(path, i);
            const tfp_type *et = type->kind == TFP_TYPE_TUPLE ? type->elems[i] : type->elem;
            json_t *item =
                et == NULL ? NULL : jencode(v->items[i], et, path, arena, depth + 1, err);
            if (item == NULL || json_array_append_new(j, item) != 0) {
                json_decref(j);
                return NULL;
            }
            tfp_vpath_pop(path, mark);
        }
        break;
    case TFP_VAL_MAP:
    case TFP_VAL_OBJECT:
        j = json_object();
        for (size_t i = 0; j != NULL && i < v->n; i++) {
            bool is_map = v->kind == TFP_VAL_MAP;
            const char *key = is_map ? v->keys[i] : v->type->attrs[i].name;
            const tfp_type *et = is_map ? type->elem
                                 : type->kind == TFP_TYPE_OBJECT && i < type->n
                                     ? type->attrs[i].type
                                     : NULL;
            size_t mark = is_map ? tfp_vpath_key(path, key) : tfp_vpath_attr(path, key);
            json_t *item =
                et == NULL ? NULL : jencode(v->items[i], et, path, arena, depth + 1, err);
            if (item == NULL || json_object_set_new(j, key, item) != 0) {
                json_decref(j);
                return NULL;
            }
            tfp_vpath_pop(path, mark);
        }
        break;
    default:
        break;
    }
    if (j == NULL && err != NULL && err->code == TFP_OK) {
        tfp_error_set(err, TFP_EINVAL, "%s: value does not conform to type %s", tfp_vpath_str(path),
                      tfp_type_kind_name(type->kind));
    }
    return j;
}

int tfp_json_encode(tfp_arena *arena, const tfp_value *v, const tfp_type *type, const char **out,
                    size_t *out_len, tfp_error *err)
{
    if (arena == NULL || v == NULL || type == NULL || out == NULL) {
        return tfp_error_set(err, TFP_EINVAL, "invalid argument");
    }
    tfp_error local = TFP_ERROR_INIT;
    tfp_error *e = err != NULL ? err : &local;
    e->code = TFP_OK;
    int rc = tfp_value_check_type(v, type, e);
    if (rc < 0) {
        return rc;
    }
    tfp_vpath path;
    tfp_vpath_init(&path);
    json_t *j = jencode(v, type, &path, arena, 0, e);
    if (j == NULL) {
        return e->code != TFP_OK ? e->code : tfp_error_set(e, TFP_ENOMEM, "out of memory");
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(j);
    if (s == NULL) {
        return tfp_error_set(e, TFP_ENOMEM, "out of memory");
    }
    size_t len = strlen(s);
    char *copy = tfp_arena_memdup(arena, s, len);
    free(s);
    if (copy == NULL) {
        return tfp_error_set(e, TFP_ENOMEM, "out of memory");
    }
    *out = copy;
    if (out_len != NULL) {
        *out_len = len;
    }
    return TFP_OK;
}
