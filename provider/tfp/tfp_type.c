/*
 * tfp_type: cty types — constants, arena constructors, equality and the
 * compact JSON form Terraform uses for types (schemas, dynamic values).
 *
 * JSON is produced and parsed with jansson. Parsing treats its input as
 * untrusted (bounded depth, every shape checked). This module knows nothing
 * of values or of the msgpack wire format.
 */
#include "tfp_type.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const tfp_type tfp_type_string = {TFP_TYPE_STRING, NULL, 0, NULL, NULL};
const tfp_type tfp_type_number = {TFP_TYPE_NUMBER, NULL, 0, NULL, NULL};
const tfp_type tfp_type_bool = {TFP_TYPE_BOOL, NULL, 0, NULL, NULL};
const tfp_type tfp_type_dynamic = {TFP_TYPE_DYNAMIC, NULL, 0, NULL, NULL};

int tfp_error_set(tfp_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        err->code = code;
        err->sys_errno = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

int tfp_error_sys(tfp_error *err, int sys_errno, const char *fmt, ...)
{
    if (err != NULL) {
        err->code = TFP_ESYS;
        err->sys_errno = sys_errno;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return -1;
}

static const tfp_type *collection(tfp_arena *arena, tfp_type_kind kind, const tfp_type *elem)
{
    if (elem == NULL) {
        return NULL;
    }
    tfp_type *t = tfp_arena_alloc(arena, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->kind = kind;
    t->elem = elem;
    return t;
}

const tfp_type *tfp_type_list(tfp_arena *arena, const tfp_type *elem)
{
    return collection(arena, TFP_TYPE_LIST, elem);
}

const tfp_type *tfp_type_set(tfp_arena *arena, const tfp_type *elem)
{
    return collection(arena, TFP_TYPE_SET, elem);
}

const tfp_type *tfp_type_map(tfp_arena *arena, const tfp_type *elem)
{
    return collection(arena, TFP_TYPE_MAP, elem);
}

static int cmp_attr(const void *a, const void *b)
{
    return strcmp(((const tfp_type_attr *)a)->name, ((const tfp_type_attr *)b)->name);
}

const tfp_type *tfp_type_object(tfp_arena *arena, size_t n, const tfp_type_attr *attrs)
{
    tfp_type *t = tfp_arena_alloc(arena, sizeof(*t));
    tfp_type_attr *copy = tfp_arena_array(arena, n, sizeof(*copy));
    if (t == NULL || copy == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (attrs[i].name == NULL || attrs[i].type == NULL) {
            return NULL;
        }
        copy[i] = attrs[i];
        copy[i].name = tfp_arena_strdup(arena, attrs[i].name);
        if (copy[i].name == NULL) {
            return NULL;
        }
    }
    if (n > 1) {
        qsort(copy, n, sizeof(*copy), cmp_attr);
    }
    for (size_t i = 1; i < n; i++) {
        if (strcmp(copy[i - 1].name, copy[i].name) == 0) {
            return NULL;
        }
    }
    t->kind = TFP_TYPE_OBJECT;
    t->n = n;
    t->attrs = copy;
    return t;
}

const tfp_type *tfp_type_tuple(tfp_arena *arena, size_t n, const tfp_type *const *elems)
{
    tfp_type *t = tfp_arena_alloc(arena, sizeof(*t));
    const tfp_type **copy = tfp_arena_array(arena, n, sizeof(*copy));
    if (t == NULL || copy == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (elems[i] == NULL) {
            return NULL;
        }
        copy[i] = elems[i];
    }
    t->kind = TFP_TYPE_TUPLE;
    t->n = n;
    t->elems = copy;
    return t;
}

bool tfp_type_equal(const tfp_type *a, const tfp_type *b)
{
    if (a == b) {
        return true;
    }
    if (a == NULL || b == NULL || a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
    case TFP_TYPE_LIST:
    case TFP_TYPE_SET:
    case TFP_TYPE_MAP:
        return tfp_type_equal(a->elem, b->elem);
    case TFP_TYPE_OBJECT:
        if (a->n != b->n) {
            return false;
        }
        for (size_t i = 0; i < a->n; i++) {
            if (strcmp(a->attrs[i].name, b->attrs[i].name) != 0 ||
                !tfp_type_equal(a->attrs[i].type, b->attrs[i].type)) {
                return false;
            }
        }
        return true;
    case TFP_TYPE_TUPLE:
        if (a->n != b->n) {
            return false;
        }
        for (size_t i = 0; i < a->n; i++) {
            if (!tfp_type_equal(a->elems[i], b->elems[i])) {
                return false;
            }
        }
        return true;
    default:
        return true;
    }
}

long tfp_type_attr_index(const tfp_type *object, const char *name)
{
    if (object == NULL || object->kind != TFP_TYPE_OBJECT || name == NULL) {
        return -1;
    }
    size_t lo = 0, hi = object->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(object->attrs[mid].name, name);
        if (c == 0) {
            return (long)mid;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return -1;
}

const char *tfp_type_kind_name(tfp_type_kind kind)
{
    switch (kind) {
    case TFP_TYPE_STRING:
        return "string";
    case TFP_TYPE_NUMBER:
        return "number";
    case TFP_TYPE_BOOL:
        return "bool";
    case TFP_TYPE_DYNAMIC:
        return "dynamic";
    case TFP_TYPE_LIST:
        return "list";
    case TFP_TYPE_SET:
        return "set";
    case TFP_TYPE_MAP:
        return "map";
    case TFP_TYPE_OBJECT:
        return "object";
    case TFP_TYPE_TUPLE:
        return "tuple";
    }
    return "invalid";
}

/* Builds the jansson form; NULL on allocation failure or a malformed type. */
static json_t *type_to_jansson(const tfp_type *t, int depth)
{
    if (t == NULL || depth > TFP_TYPE_MAX_DEPTH) {
        return NULL;
    }
    switch (t->kind) {
    case TFP_TYPE_STRING:
    case TFP_TYPE_NUMBER:
    case TFP_TYPE_BOOL:
    case TFP_TYPE_DYNAMIC:
        return json_string(tfp_type_kind_name(t->kind));
    case TFP_TYPE_LIST:
    case TFP_TYPE_SET:
    case TFP_TYPE_MAP:
        return json_pack("[so]", tfp_type_kind_name(t->kind), type_to_jansson(t->elem, depth + 1));
    case TFP_TYPE_OBJECT: {
        json_t *attrs = json_object();
        json_t *optional = json_array();
        if (attrs == NULL || optional == NULL) {
            json_decref(attrs);
            json_decref(optional);
            return NULL;
        }
        for (size_t i = 0; i < t->n; i++) {
            if (json_object_set_new(attrs, t->attrs[i].name,
                                    type_to_jansson(t->attrs[i].type, depth + 1)) != 0 ||
                (t->attrs[i].optional &&
                 json_array_append_new(optional, json_string(t->attrs[i].name)) != 0)) {
                json_decref(attrs);
                json_decref(optional);
                return NULL;
            }
        }
        if (json_array_size(optional) > 0) {
            return json_pack("[soo]", "object", attrs, optional);
        }
        json_decref(optional);
        return json_pack("[so]", "object", attrs);
    }
    case TFP_TYPE_TUPLE: {
        json_t *elems = json_array();
        if (elems == NULL) {
            return NULL;
        }
        for (size_t i = 0; i < t->n; i++) {
            if (json_array_append_new(elems, type_to_jansson(t->elems[i], depth + 1)) != 0) {
                json_decref(elems);
                return NULL;
            }
        }
        return json_pack("[so]", "tuple", elems);
    }
    }
    return NULL;
}

int tfp_type_to_json(tfp_arena *arena, const tfp_type *type, const char **out, size_t *out_len)
{
    json_t *j = type_to_jansson(type, 0);
    if (j == NULL) {
        return TFP_ENOMEM;
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    json_decref(j);
    if (s == NULL) {
        return TFP_ENOMEM;
    }
    size_t len = strlen(s);
    char *copy = tfp_arena_memdup(arena, s, len);
    free(s);
    if (copy == NULL) {
        return TFP_ENOMEM;
    }
    *out = copy;
    if (out_len != NULL) {
        *out_len = len;
    }
    return TFP_OK;
}

static int type_from_jansson(tfp_arena *arena, const json_t *j, int depth, const tfp_type **out,
                             tfp_error *err)
{
    if (depth > TFP_TYPE_MAX_DEPTH) {
        return tfp_error_set(err, TFP_ELIMIT, "type nested deeper than %d levels",
                             TFP_TYPE_MAX_DEPTH);
    }
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        if (strcmp(s, "string") == 0) {
            *out = &tfp_type_string;
        } else if (strcmp(s, "number") == 0) {
            *out = &tfp_type_number;
        } else if (strcmp(s, "bool") == 0) {
            *out = &tfp_type_bool;
        } else if (strcmp(s, "dynamic") == 0) {
            *out = &tfp_type_dynamic;
        } else {
            return tfp_error_set(err, TFP_EFORMAT, "unknown primitive type \"%.64s\"", s);
        }
        return TFP_OK;
    }
    if (!json_is_array(j) || json_array_size(j) < 2 || !json_is_string(json_array_get(j, 0))) {
        return tfp_error_set(err, TFP_EFORMAT, "type must be a string or [kind, ...] array");
    }
    const char *kind = json_string_value(json_array_get(j, 0));
    const json_t *arg = json_array_get(j, 1);
    size_t size = json_array_size(j);
    int rc;
    if (strcmp(kind, "list") == 0 || strcmp(kind, "set") == 0 || strcmp(kind, "map") == 0) {
        if (size != 2) {
            return tfp_error_set(err, TFP_EFORMAT, "%s type takes one element type", kind);
        }
        const tfp_type *elem;
        if ((rc = type_from_jansson(arena, arg, depth + 1, &elem, err)) < 0) {
            return rc;
        }
        *out = kind[0] == 'l'   ? tfp_type_list(arena, elem)
               : kind[0] == 's' ? tfp_type_set(arena, elem)
                                : tfp_type_map(arena, elem);
    } else if (strcmp(kind, "object") == 0) {
        if (!json_is_object(arg) || size > 3) {
            return tfp_error_set(err, TFP_EFORMAT, "object type needs an attribute object");
        }
        size_t n = json_object_size(arg);
        tfp_type_attr *attrs = tfp_arena_array(arena, n, sizeof(*attrs));
        if (attrs == NULL && n > 0) {
            return tfp_error_set(err, TFP_ENOMEM, "out of memory");
        }
        size_t i = 0;
        const char *key;
        json_t *value;
        const json_t *optional = size == 3 ? json_array_get(j, 2) : NULL;
        if (optional != NULL && !json_is_array(optional)) {
            return tfp_error_set(err, TFP_EFORMAT, "object optional attributes must be an array");
        }
        json_object_foreach((json_t *)arg, key, value)
        {
            attrs[i].name = key;
            attrs[i].optional = false;
            if ((rc = type_from_jansson(arena, value, depth + 1, &attrs[i].type, err)) < 0) {
                return rc;
            }
            for (size_t k = 0; optional != NULL && k < json_array_size(optional); k++) {
                const char *o = json_string_value(json_array_get(optional, k));
                if (o != NULL && strcmp(o, key) == 0) {
                    attrs[i].optional = true;
                }
            }
            i++;
        }
        *out = tfp_type_object(arena, n, attrs);
    } else if (strcmp(kind, "tuple") == 0) {
        if (!json_is_array(arg) || size != 2) {
            return tfp_error_set(err, TFP_EFORMAT, "tuple type needs an element type array");
        }
        size_t n = json_array_size(arg);
        const tfp_type **elems = tfp_arena_array(arena, n, sizeof(*elems));
        if (elems == NULL && n > 0) {
            return tfp_error_set(err, TFP_ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            if ((rc = type_from_jansson(arena, json_array_get(arg, i), depth + 1, &elems[i], err)) <
                0) {
                return rc;
            }
        }
        *out = tfp_type_tuple(arena, n, elems);
    } else {
        return tfp_error_set(err, TFP_EFORMAT, "unknown type kind \"%.64s\"", kind);
    }
    if (*out == NULL) {
        return tfp_error_set(err, TFP_ENOMEM, "out of memory");
    }
    return TFP_OK;
}

int tfp_type_from_json(tfp_arena *arena, const uint8_t *json, size_t len, const tfp_type **out,
                       tfp_error *err)
{
    json_error_t jerr;
    json_t *j =
        json_loadb((const char *)json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL) {
        return tfp_error_set(err, TFP_EFORMAT, "type JSON: %s", jerr.text);
    }
    int rc = type_from_jansson(arena, j, 0, out, err);
    json_decref(j);
    return rc;
}
