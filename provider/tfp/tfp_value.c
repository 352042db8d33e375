/*
 * tfp_value: construction, reading, comparing and type-checking of cty values
 * held in a request arena, plus the text value paths codecs use in errors.
 *
 * This module must not parse or produce wire bytes (tfp_msgpack, tfp_json do)
 * and must not allocate outside the arena it is given.
 */
#include "tfp_value.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_INT_MAX 9007199254740992.0 /* 2^53 */

static tfp_value *new_value(tfp_arena *arena, tfp_value_kind kind, const tfp_type *type)
{
    tfp_value *v = tfp_arena_alloc(arena, sizeof(*v));
    if (v != NULL) {
        v->kind = kind;
        v->type = type;
    }
    return v;
}

tfp_value *tfp_value_null(tfp_arena *arena, const tfp_type *type)
{
    return type == NULL ? NULL : new_value(arena, TFP_VAL_NULL, type);
}

tfp_value *tfp_value_unknown(tfp_arena *arena, const tfp_type *type)
{
    return type == NULL ? NULL : new_value(arena, TFP_VAL_UNKNOWN, type);
}

tfp_value *tfp_value_bool(tfp_arena *arena, bool b)
{
    tfp_value *v = new_value(arena, TFP_VAL_BOOL, &tfp_type_bool);
    if (v != NULL) {
        v->b = b;
    }
    return v;
}

tfp_value *tfp_value_number(tfp_arena *arena, double d)
{
    if (!isfinite(d)) {
        return NULL;
    }
    tfp_value *v = new_value(arena, TFP_VAL_NUMBER, &tfp_type_number);
    if (v != NULL) {
        v->num = d;
        if (d == trunc(d) && fabs(d) <= EXACT_INT_MAX) {
            v->num_is_int = true;
            v->num_int = (int64_t)d;
        }
    }
    return v;
}

tfp_value *tfp_value_int(tfp_arena *arena, int64_t i)
{
    tfp_value *v = new_value(arena, TFP_VAL_NUMBER, &tfp_type_number);
    if (v != NULL) {
        v->num = (double)i;
        v->num_is_int = true;
        v->num_int = i;
    }
    return v;
}

/* Checks cty's decimal syntax: -?digits(.digits)?([eE][+-]?digits)? */
static bool decimal_syntax(const char *s, size_t len, bool *is_integer)
{
    size_t i = 0;
    size_t digits = 0;
    *is_integer = true;
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        i++;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < len && s[i] == '.') {
        *is_integer = false;
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        *is_integer = false;
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+')) {
            i++;
        }
        size_t exp_digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            exp_digits++;
        }
        if (exp_digits == 0) {
            return false;
        }
    }
    return i == len;
}

tfp_value *tfp_value_number_text(tfp_arena *arena, const char *text, size_t len)
{
    bool is_integer;
    if (text == NULL || len == 0 || len > 1024 || !decimal_syntax(text, len, &is_integer)) {
        return NULL;
    }
    char *copy = tfp_arena_memdup(arena, text, len);
    if (copy == NULL) {
        return NULL;
    }
    errno = 0;
    double d = strtod(copy, NULL);
    if (!isfinite(d)) {
        return NULL;
    }
    tfp_value *v = new_value(arena, TFP_VAL_NUMBER, &tfp_type_number);
    if (v == NULL) {
        return NULL;
    }
    v->num = d;
    v->num_text = copy;
    if (is_integer) {
        errno = 0;
        long long ll = strtoll(copy, NULL, 10);
        if (errno == 0) {
            v->num_is_int = true;
            v->num_int = (int64_t)ll;
        }
    }
    return v;
}

tfp_value *tfp_value_string(tfp_arena *arena, const char *s)
{
    return s == NULL ? NULL : tfp_value_stringn(arena, s, strlen(s));
}

tfp_value *tfp_value_stringn(tfp_arena *arena, const char *s, size_t len)
{
    if (s == NULL && len > 0) {
        return NULL;
    }
    char *copy = tfp_arena_memdup(arena, s == NULL ? "" : s, len);
    if (copy == NULL) {
        return NULL;
    }
    tfp_value *v = new_value(arena, TFP_VAL_STRING, &tfp_type_string);
    if (v != NULL) {
        v->str = copy;
        v->str_len = len;
    }
    return v;
}

static tfp_value *sequence(tfp_arena *arena, tfp_value_kind kind, const tfp_type *type, size_t n,
                           tfp_value *const *items)
{
    if (type == NULL || (n > 0 && items == NULL)) {
        return NULL;
    }
    tfp_value **copy = tfp_arena_array(arena, n, sizeof(*copy));
    tfp_value *v = new_value(arena, kind, type);
    if (copy == NULL || v == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i] == NULL) {
            return NULL;
        }
        copy[i] = items[i];
    }
    v->n = n;
    v->items = copy;
    return v;
}

tfp_value *tfp_value_list(tfp_arena *arena, const tfp_type *elem_type, size_t n,
                          tfp_value *const *items)
{
    return sequence(arena, TFP_VAL_LIST, tfp_type_list(arena, elem_type), n, items);
}

tfp_value *tfp_value_set(tfp_arena *arena, const tfp_type *elem_type, size_t n,
                         tfp_value *const *items)
{
    tfp_value *v = sequence(arena, TFP_VAL_SET, tfp_type_set(arena, elem_type), n, items);
    if (v == NULL) {
        return NULL;
    }
    size_t kept = 0;
    for (size_t i = 0; i < v->n; i++) {
        bool dup = false;
        if (tfp_value_is_known_fully(v->items[i])) {
            for (size_t k = 0; k < kept && !dup; k++) {
                dup = tfp_value_equal(v->items[k], v->items[i]);
            }
        }
        if (!dup) {
            v->items[kept++] = v->items[i];
        }
    }
    v->n = kept;
    return v;
}

typedef struct map_entry {
    const char *key;
    tfp_value *item;
} map_entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const map_entry *)a)->key, ((const map_entry *)b)->key);
}

tfp_value *tfp_value_map(tfp_arena *arena, const tfp_type *elem_type, size_t n,
                         const char *const *keys, tfp_value *const *items)
{
    const tfp_type *type = tfp_type_map(arena, elem_type);
    if (type == NULL || (n > 0 && (keys == NULL || items == NULL))) {
        return NULL;
    }
    map_entry *entries = tfp_arena_array(arena, n, sizeof(*entries));
    tfp_value **sorted_items = tfp_arena_array(arena, n, sizeof(*sorted_items));
    const char **sorted_keys = tfp_arena_array(arena, n, sizeof(*sorted_keys));
    tfp_value *v = new_value(arena, TFP_VAL_MAP, type);
    if (entries == NULL || sorted_items == NULL || sorted_keys == NULL || v == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (keys[i] == NULL || items[i] == NULL) {
            return NULL;
        }
        entries[i].key = keys[i];
        entries[i].item = items[i];
    }
    if (n > 1) {
        qsort(entries, n, sizeof(*entries), cmp_entry);
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && strcmp(entries[i - 1].key, entries[i].key) == 0) {
            return NULL;
        }
        sorted_keys[i] = tfp_arena_strdup(arena, entries[i].key);
        if (sorted_keys[i] == NULL) {
            return NULL;
        }
        sorted_items[i] = entries[i].item;
    }
    v->n = n;
    v->keys = sorted_keys;
    v->items = sorted_items;
    return v;
}

tfp_value *tfp_value_tuple(tfp_arena *arena, size_t n, tfp_value *const *items)
{
    const tfp_type **types = tfp_arena_array(arena, n, sizeof(*types));
    if (types == NULL || (n > 0 && items == NULL)) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i] == NULL) {
            return NULL;
        }
        types[i] = items[i]->type;
    }
    return sequence(arena, TFP_VAL_TUPLE, tfp_type_tuple(arena, n, types), n, items);
}

tfp_value *tfp_value_object_new(tfp_arena *arena, const tfp_type *object_type)
{
    if (object_type == NULL || object_type->kind != TFP_TYPE_OBJECT) {
        return NULL;
    }
    tfp_value *v = new_value(arena, TFP_VAL_OBJECT, object_type);
    tfp_value **items = tfp_arena_array(arena, object_type->n, sizeof(*items));
    if (v == NULL || items == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < object_type->n; i++) {
        items[i] = tfp_value_null(arena, object_type->attrs[i].type);
        if (items[i] == NULL) {
            return NULL;
        }
    }
    v->n = object_type->n;
    v->items = items;
    return v;
}

tfp_value *tfp_value_object_copy(tfp_arena *arena, const tfp_value *obj)
{
    if (obj == NULL || obj->kind != TFP_VAL_OBJECT) {
        return NULL;
    }
    return sequence(arena, TFP_VAL_OBJECT, obj->type, obj->n, obj->items);
}

int tfp_value_object_set(tfp_value *obj, const char *name, tfp_value *v)
{
    if (obj == NULL || obj->kind != TFP_VAL_OBJECT || v == NULL) {
        return TFP_EINVAL;
    }
    long i = tfp_type_attr_index(obj->type, name);
    if (i < 0 || (size_t)i >= obj->n) {
        return TFP_ENOTFOUND;
    }
    obj->items[i] = v;
    return TFP_OK;
}

tfp_value *tfp_value_attr(const tfp_value *obj, const char *name)
{
    if (obj == NULL || obj->kind != TFP_VAL_OBJECT) {
        return NULL;
    }
    long i = tfp_type_attr_index(obj->type, name);
    return i < 0 || (size_t)i >= obj->n ? NULL : obj->items[i];
}

tfp_value *tfp_value_map_get(const tfp_value *map, const char *key)
{
    if (map == NULL || map->kind != TFP_VAL_MAP || key == NULL) {
        return NULL;
    }
    size_t lo = 0, hi = map->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(map->keys[mid], key);
        if (c == 0) {
            return map->items[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

tfp_value *tfp_value_index(const tfp_value *v, size_t i)
{
    if (v == NULL ||
        (v->kind != TFP_VAL_LIST && v->kind != TFP_VAL_SET && v->kind != TFP_VAL_TUPLE) ||
        i >= v->n) {
        return NULL;
    }
    return v->items[i];
}

bool tfp_value_is_null(const tfp_value *v)
{
    return v == NULL || v->kind == TFP_VAL_NULL;
}

bool tfp_value_is_known(const tfp_value *v)
{
    return v != NULL && v->kind != TFP_VAL_UNKNOWN;
}

bool tfp_value_is_known_fully(const tfp_value *v)
{
    if (v == NULL || v->kind == TFP_VAL_UNKNOWN) {
        return false;
    }
    switch (v->kind) {
    case TFP_VAL_LIST:
    case TFP_VAL_SET:
    case TFP_VAL_MAP:
    case TFP_VAL_OBJECT:
    case TFP_VAL_TUPLE:
        for (size_t i = 0; i < v->n; i++) {
            if (!tfp_value_is_known_fully(v->items[i])) {
                return false;
            }
        }
        return true;
    default:
        return true;
    }
}

const char *tfp_value_str(const tfp_value *v)
{
    return v != NULL && v->kind == TFP_VAL_STRING ? v->str : NULL;
}

int tfp_value_as_int(const tfp_value *v, int64_t *out)
{
    if (v == NULL || v->kind != TFP_VAL_NUMBER || !v->num_is_int) {
        return TFP_EINVAL;
    }
    *out = v->num_int;
    return TFP_OK;
}

int tfp_value_as_bool(const tfp_value *v, bool *out)
{
    if (v == NULL || v->kind != TFP_VAL_BOOL) {
        return TFP_EINVAL;
    }
    *out = v->b;
    return TFP_OK;
}

static bool number_equal(const tfp_value *a, const tfp_value *b)
{
    if (a->num_is_int && b->num_is_int) {
        return a->num_int == b->num_int;
    }
    if (a->num_text != NULL && b->num_text != NULL && strcmp(a->num_text, b->num_text) == 0) {
        return true;
    }
    return a->num == b->num;
}

static bool set_equal(const tfp_value *a, const tfp_value *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (size_t i = 0; i < a->n; i++) {
        bool found = false;
        for (size_t k = 0; k < b->n && !found; k++) {
            found = tfp_value_equal(a->items[i], b->items[k]);
        }
        if (!found) {
            return false;
        }
    }
    for (size_t k = 0; k < b->n; k++) {
        bool found = false;
        for (size_t i = 0; i < a->n && !found; i++) {
            found = tfp_value_equal(a->items[i], b->items[k]);
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

bool tfp_value_equal(const tfp_value *a, const tfp_value *b)
{
    if (a == b) {
        return true;
    }
    if (a == NULL || b == NULL || a->kind != b->kind) {
        return false;
    }
    switch (a->kind) {
    case TFP_VAL_NULL:
    case TFP_VAL_UNKNOWN:
        return tfp_type_equal(a->type, b->type);
    case TFP_VAL_BOOL:
        return a->b == b->b;
    case TFP_VAL_NUMBER:
        return number_equal(a, b);
    case TFP_VAL_STRING:
        return a->str_len == b->str_len && memcmp(a->str, b->str, a->str_len) == 0;
    case TFP_VAL_SET:
        return set_equal(a, b);
    case TFP_VAL_MAP:
    case TFP_VAL_OBJECT:
    case TFP_VAL_LIST:
    case TFP_VAL_TUPLE:
        if (a->n != b->n) {
            return false;
        }
        if (a->kind == TFP_VAL_OBJECT && !tfp_type_equal(a->type, b->type)) {
            return false;
        }
        for (size_t i = 0; i < a->n; i++) {
            if (a->kind == TFP_VAL_MAP && strcmp(a->keys[i], b->keys[i]) != 0) {
                return false;
            }
            if (!tfp_value_equal(a->items[i], b->items[i])) {
                return false;
            }
        }
        return true;
    }
    return false;
}

static const char *value_kind_name(const tfp_value *v)
{
    switch (v->kind) {
    case TFP_VAL_NULL:
        return "null";
    case TFP_VAL_UNKNOWN:
        return "unknown";
    case TFP_VAL_BOOL:
        return "bool";
    case TFP_VAL_NUMBER:
        return "number";
    case TFP_VAL_STRING:
        return "string";
    case TFP_VAL_LIST:
        return "list";
    case TFP_VAL_SET:
        return "set";
    case TFP_VAL_MAP:
        return "map";
    case TFP_VAL_OBJECT:
        return "object";
    case TFP_VAL_TUPLE:
        return "tuple";
    }
    return "invalid";
}

static int check(const tfp_value *v, const tfp_type *type, tfp_vpath *path, int depth,
                 tfp_error *err)
{
    if (v == NULL || type == NULL) {
        return tfp_error_set(err, TFP_EINVAL, "%s: missing value", tfp_vpath_str(path));
    }
    if (depth > 64) {
        return tfp_error_set(err, TFP_ELIMIT, "%s: nested too deeply", tfp_vpath_str(path));
    }
    if (v->kind == TFP_VAL_NULL || v->kind == TFP_VAL_UNKNOWN) {
        return TFP_OK;
    }
    if (type->kind == TFP_TYPE_DYNAMIC) {
        return check(v, v->type, path, depth + 1, err);
    }
    bool ok;
    switch (type->kind) {
    case TFP_TYPE_STRING:
        ok = v->kind == TFP_VAL_STRING;
        break;
    case TFP_TYPE_NUMBER:
        ok = v->kind == TFP_VAL_NUMBER;
        break;
    case TFP_TYPE_BOOL:
        ok = v->kind == TFP_VAL_BOOL;
        break;
    case TFP_TYPE_LIST:
        ok = v->kind == TFP_VAL_LIST;
        break;
    case TFP_TYPE_SET:
        ok = v->kind == TFP_VAL_SET;
        break;
    case TFP_TYPE_MAP:
        ok = v->kind == TFP_VAL_MAP;
        break;
    case TFP_TYPE_OBJECT:
        ok = v->kind == TFP_VAL_OBJECT && v->n == type->n;
        break;
    case TFP_TYPE_TUPLE:
        ok = v->kind == TFP_VAL_TUPLE && v->n == type->n;
        break;
    default:
        ok = false;
    }
    if (!ok) {
        return tfp_error_set(err, TFP_EINVAL, "%s: expected %s, got %s", tfp_vpath_str(path),
                             tfp_type_kind_name(type->kind), value_kind_name(v));
    }
    int rc;
    for (size_t i = 0; i < v->n; i++) {
        size_t mark;
        const tfp_type *et;
        switch (type->kind) {
        case TFP_TYPE_OBJECT:
            mark = tfp_vpath_attr(path, type->attrs[i].name);
            et = type->attrs[i].type;
            break;
        case TFP_TYPE_MAP:
            mark = tfp_vpath_key(path, v->keys[i]);
            et = type->elem;
            break;
        case TFP_TYPE_TUPLE:
            mark = tfp_vpath_index(path, i);
            et = type->elems[i];
            break;
        default:
            mark = tfp_vpath_index(path, i);
            et = type->elem;
        }
        if ((rc = check(v->items[i], et, path, depth + 1, err)) < 0) {
            return rc;
        }
        tfp_vpath_pop(path, mark);
    }
    return TFP_OK;
}

int tfp_value_check_type(const tfp_value *v, const tfp_type *type, tfp_error *err)
{
    tfp_vpath path;
    tfp_vpath_init(&path);
    return check(v, type, &path, 0, err);
}

void tfp_vpath_init(tfp_vpath *p)
{
    p->text[0] = '\0';
    p->len = 0;
    p->cut = false;
}

/* Appends n bytes; when they do not fit, ends the text with "..." instead. */
static void vpath_put(tfp_vpath *p, const char *piece, size_t n)
{
    const size_t cap = sizeof(p->text) - 4; /* room kept for "..." and NUL */
    if (p->cut) {
        return;
    }
    if (n > cap - p->len) {
        memcpy(p->text + p->len, "...", 4);
        p->len += 3;
        p->cut = true;
        return;
    }
    memcpy(p->text + p->len, piece, n);
    p->len += n;
    p->text[p->len] = '\0';
}

size_t tfp_vpath_attr(tfp_vpath *p, const char *name)
{
    size_t old = p->len;
    vpath_put(p, ".", 1);
    vpath_put(p, name, strlen(name));
    return old;
}

size_t tfp_vpath_index(tfp_vpath *p, size_t index)
{
    size_t old = p->len;
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "[%zu]", index);
    vpath_put(p, buf, n > 0 ? (size_t)n : 0);
    return old;
}

size_t tfp_vpath_key(tfp_vpath *p, const char *key)
{
    size_t old = p->len;
    vpath_put(p, "[\"", 2);
    vpath_put(p, key, strlen(key));
    vpath_put(p, "\"]", 2);
    return old;
}

void tfp_vpath_pop(tfp_vpath *p, size_t len)
{
    if (len <= p->len) {
        p->cut = p->cut && len == p->len;
        p->len = len;
        p->text[len] = '\0';
    }
}

const char *tfp_vpath_str(const tfp_vpath *p)
{
    return p->len == 0 ? "(root)" : p->text;
}
