/*
 * tfp_value: Terraform (cty) values in a request arena.
 *
 * A value is a tree of tfp_value nodes. Every node has a kind and the type it
 * belongs to (for NULL and UNKNOWN the type says "null/unknown of what"; under a
 * DYNAMIC attribute it is the concrete type the value arrived with).
 *
 * Ownership: all nodes, strings and arrays live in the arena given to the
 * constructor, and are valid until tfp_arena_free. Values are immutable once
 * built and may be shared between trees freely (e.g. a planned object that
 * reuses most attributes of the proposed one). The only mutation is
 * tfp_value_object_set on an object the caller just created or copied.
 *
 * Reading: the struct is public; use the fields that match `kind`:
 *   BOOL    b
 *   NUMBER  num (always set); num_is_int/num_int when the number is an integer
 *           that fits int64 exactly; num_text = the decimal text when it arrived
 *           as a string (exactness kept for big or non-binary numbers), else NULL
 *   STRING  str (NUL-terminated for convenience, may contain NUL) + str_len
 *   LIST, SET, TUPLE  n + items[0..n)
 *   MAP     n + keys[0..n) (sorted, strcmp order, unique) + items[0..n)
 *   OBJECT  n + items[i] = value of type->attrs[i] (same order, all present;
 *           an absent attribute is a NULL-kind value, never a NULL pointer)
 *   UNKNOWN refinement/refinement_len: the raw msgpack payload of a refined
 *           unknown (ext type 12) as Terraform sent it, or NULL; not_null is
 *           true when the refinement says the value will not be null.
 */
#ifndef TFP_VALUE_H
#define TFP_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"
#include "tfp_type.h"

typedef enum tfp_value_kind {
    TFP_VAL_NULL = 0,
    TFP_VAL_UNKNOWN,
    TFP_VAL_BOOL,
    TFP_VAL_NUMBER,
    TFP_VAL_STRING,
    TFP_VAL_LIST,
    TFP_VAL_SET,
    TFP_VAL_MAP,
    TFP_VAL_OBJECT,
    TFP_VAL_TUPLE,
} tfp_value_kind;

typedef struct tfp_value tfp_value;

struct tfp_value {
    tfp_value_kind kind;
    const tfp_type *type; /* never NULL */

    bool b;

    double num;
    bool num_is_int;
    int64_t num_int;
    const char *num_text;

    const char *str;
    size_t str_len;

    size_t n;
    tfp_value **items;
    const char **keys;

    const uint8_t *refinement;
    size_t refinement_len;
    bool not_null;
};

/*
 * Constructors. All return a new node in `arena`, or NULL on allocation
 * failure (or, where stated, invalid input).
 */
tfp_value *tfp_value_null(tfp_arena *arena, const tfp_type *type);
tfp_value *tfp_value_unknown(tfp_arena *arena, const tfp_type *type);
tfp_value *tfp_value_bool(tfp_arena *arena, bool b);
/* A number from a double; integral values within +-2^53 also get num_is_int. */
tfp_value *tfp_value_number(tfp_arena *arena, double d);
/* An exact integer. */
tfp_value *tfp_value_int(tfp_arena *arena, int64_t i);
/*
 * A number from decimal text as cty writes it ("12", "-1.5", "1e+30").
 * NULL when the text is not a finite decimal number. The text is kept.
 */
tfp_value *tfp_value_number_text(tfp_arena *arena, const char *text, size_t len);
/* A string; s is copied. */
tfp_value *tfp_value_string(tfp_arena *arena, const char *s);
tfp_value *tfp_value_stringn(tfp_arena *arena, const char *s, size_t len);
/*
 * Collections of `elem_type`; the items pointer array is copied, the item
 * nodes are shared. Items must conform to elem_type (not checked here; the
 * encoder checks). tfp_value_set drops exact duplicates (tfp_value_equal).
 */
tfp_value *tfp_value_list(tfp_arena *arena, const tfp_type *elem_type, size_t n,
                          tfp_value *const *items);
tfp_value *tfp_value_set(tfp_arena *arena, const tfp_type *elem_type, size_t n,
                         tfp_value *const *items);
/*
 * A map; keys (copied) and items are sorted together by key. NULL on a
 * duplicate key.
 */
tfp_value *tfp_value_map(tfp_arena *arena, const tfp_type *elem_type, size_t n,
                         const char *const *keys, tfp_value *const *items);
/* A tuple; its type is built from the items' types. */
tfp_value *tfp_value_tuple(tfp_arena *arena, size_t n, tfp_value *const *items);

/*
 * Object builder: a new object of `object_type` with every attribute set to a
 * null of the attribute's type. Fill it with tfp_value_object_set.
 */
tfp_value *tfp_value_object_new(tfp_arena *arena, const tfp_type *object_type);
/*
 * Shallow copy of a known object (new items array, shared attribute values),
 * to derive e.g. the planned state from the proposed one. NULL when `obj` is
 * not a known object or on allocation failure.
 */
tfp_value *tfp_value_object_copy(tfp_arena *arena, const tfp_value *obj);
/*
 * Sets attribute `name` of an object built by tfp_value_object_new/copy.
 * `v` is shared, not copied. Returns TFP_OK, TFP_ENOTFOUND (no such
 * attribute), TFP_EINVAL (obj not an object or v NULL).
 */
int tfp_value_object_set(tfp_value *obj, const char *name, tfp_value *v);

/* Getters. All accept NULL and then return NULL/false. */

/* Attribute of a known object, or NULL (not an object, null, unknown, no such name). */
tfp_value *tfp_value_attr(const tfp_value *obj, const char *name);
/* Element of a known map, or NULL. */
tfp_value *tfp_value_map_get(const tfp_value *map, const char *key);
/* Element i of a known list/set/tuple, or NULL when out of range. */
tfp_value *tfp_value_index(const tfp_value *v, size_t i);

bool tfp_value_is_null(const tfp_value *v);  /* kind NULL; NULL pointer counts as null */
bool tfp_value_is_known(const tfp_value *v); /* not UNKNOWN at the top (null is known) */
/* No UNKNOWN anywhere in the tree. */
bool tfp_value_is_known_fully(const tfp_value *v);
/* The string of a known string value, else NULL. */
const char *tfp_value_str(const tfp_value *v);
/* TFP_OK and *out when v is a known integral number within int64, else TFP_EINVAL. */
int tfp_value_as_int(const tfp_value *v, int64_t *out);
/* TFP_OK and *out when v is a known bool, else TFP_EINVAL. */
int tfp_value_as_bool(const tfp_value *v, bool *out);

/*
 * Raw structural equality (cty RawEquals): same kind and same contents;
 * unknown equals unknown of an equal type, null equals null. Numbers compare
 * by value (exact text when both have one). Sets compare as unordered.
 */
bool tfp_value_equal(const tfp_value *a, const tfp_value *b);

/*
 * Checks that v conforms to `type` (DYNAMIC accepts any value). On failure
 * returns TFP_EINVAL and err names the path: ".files[\"x\"]: expected string".
 */
int tfp_value_check_type(const tfp_value *v, const tfp_type *type, tfp_error *err);

/*
 * A value path as text, for codec error messages: ".source[1].path",
 * ".files[\"a.py\"]". Fixed size; a path too long for it ends in "...".
 * tfp_vpath_attr/index/key append a step and return the previous length,
 * which tfp_vpath_pop restores.
 */
#define TFP_VPATH_MAX 256
typedef struct tfp_vpath {
    char text[TFP_VPATH_MAX];
    size_t len;
    bool cut; /* text ends in "..." */
} tfp_vpath;

void tfp_vpath_init(tfp_vpath *p);
size_t tfp_vpath_attr(tfp_vpath *p, const char *name);
size_t tfp_vpath_index(tfp_vpath *p, size_t index);
size_t tfp_vpath_key(tfp_vpath *p, const char *key);
void tfp_vpath_pop(tfp_vpath *p, size_t len);
/* The text, or "(root)" for the empty path. */
const char *tfp_vpath_str(const tfp_vpath *p);

#endif
