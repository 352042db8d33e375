/*
 * tfp_type: cty types as Terraform knows them, and the error value shared by
 * the tfp_ value modules.
 *
 * A type is an immutable tree of tfp_type nodes. Primitive types are the
 * global constants below; composite types are built either statically (the
 * TFP_TYPE_*_OF initializers, handy for schemas) or in an arena
 * (tfp_type_list, tfp_type_object, ...). Object attributes are always kept
 * sorted by name (strcmp order), which is also the order Terraform uses on the
 * wire.
 *
 * tfp_type_to_json produces the compact JSON Terraform expects in schemas and
 * in dynamic values ("string", ["list","string"],
 * ["object",{"a":"string"}]); tfp_type_from_json parses it back (untrusted
 * input: bounded depth and size).
 */
#ifndef TFP_TYPE_H
#define TFP_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"

/* Return codes of every tfp_ function that returns int. */
enum {
    TFP_OK = 0,
    TFP_EINVAL = -1,    /* bad argument, or a value that does not conform to its type */
    TFP_ENOMEM = -2,    /* arena limit reached or malloc failed */
    TFP_ELIMIT = -3,    /* untrusted input exceeds a bound (depth, size, count) */
    TFP_EFORMAT = -4,   /* malformed bytes (msgpack, JSON) */
    TFP_ENOTFOUND = -5, /* unknown name (resource type, attribute) */
    TFP_ESYS = -6,      /* a system or library call failed (sys_errno when from errno) */
};

#define TFP_ERROR_MSG_MAX 512

/*
 * The SDK's one error value: a one-line message that starts with the value
 * path when there is one, e.g. ".source[1].path: expected string, got
 * integer", or names the system call that failed.
 */
typedef struct tfp_error {
    int code;      /* TFP_E*, TFP_OK when clear */
    int sys_errno; /* errno behind a TFP_ESYS failure, 0 when none */
    char message[TFP_ERROR_MSG_MAX];
} tfp_error;

#define TFP_ERROR_INIT                                                                             \
    {                                                                                              \
        .code = TFP_OK, .sys_errno = 0, .message = ""                                              \
    }

/* Fills err (when not NULL) and returns code. */
int tfp_error_set(tfp_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills err (when not NULL) with TFP_ESYS and sys_errno, and returns -1: the
 * failure value of the process-level modules (handshake, TLS, server). */
int tfp_error_sys(tfp_error *err, int sys_errno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

typedef enum tfp_type_kind {
    TFP_TYPE_STRING = 1,
    TFP_TYPE_NUMBER,
    TFP_TYPE_BOOL,
    TFP_TYPE_DYNAMIC, /* "any type": the value carries its concrete type */
    TFP_TYPE_LIST,
    TFP_TYPE_SET,
    TFP_TYPE_MAP, /* string keys */
    TFP_TYPE_OBJECT,
    TFP_TYPE_TUPLE, /* only seen inside dynamic values */
} tfp_type_kind;

typedef struct tfp_type tfp_type;

typedef struct tfp_type_attr {
    const char *name;
    const tfp_type *type;
    bool optional; /* object type "optional attribute" marker (3rd JSON element) */
} tfp_type_attr;

struct tfp_type {
    tfp_type_kind kind;
    const tfp_type *elem;         /* LIST, SET, MAP: element type */
    size_t n;                     /* OBJECT: attribute count; TUPLE: element count */
    const tfp_type_attr *attrs;   /* OBJECT: n attributes sorted by name (strcmp) */
    const tfp_type *const *elems; /* TUPLE: n element types */
};

/* The primitive types (static, never freed). */
extern const tfp_type tfp_type_string;
extern const tfp_type tfp_type_number;
extern const tfp_type tfp_type_bool;
extern const tfp_type tfp_type_dynamic;

/*
 * Static initializers for schemas, e.g.
 *   static const tfp_type map_of_string = TFP_TYPE_MAP_OF(&tfp_type_string);
 *   static const tfp_type_attr pair_attrs[] = {{"a", &tfp_type_string, false},
 *                                              {"b", &tfp_type_number, false}};
 *   static const tfp_type pair = TFP_TYPE_OBJECT_OF(pair_attrs, 2);
 * Attributes given to TFP_TYPE_OBJECT_OF must already be sorted by name.
 */
#define TFP_TYPE_LIST_OF(e)                                                                        \
    {                                                                                              \
        TFP_TYPE_LIST, (e), 0, NULL, NULL                                                          \
    }
#define TFP_TYPE_SET_OF(e)                                                                         \
    {                                                                                              \
        TFP_TYPE_SET, (e), 0, NULL, NULL                                                           \
    }
#define TFP_TYPE_MAP_OF(e)                                                                         \
    {                                                                                              \
        TFP_TYPE_MAP, (e), 0, NULL, NULL                                                           \
    }
#define TFP_TYPE_OBJECT_OF(attrs, n)                                                               \
    {                                                                                              \
        TFP_TYPE_OBJECT, NULL, (n), (attrs), NULL                                                  \
    }

/* Arena constructors. Result lives in `arena`; NULL on allocation failure. */
const tfp_type *tfp_type_list(tfp_arena *arena, const tfp_type *elem);
const tfp_type *tfp_type_set(tfp_arena *arena, const tfp_type *elem);
const tfp_type *tfp_type_map(tfp_arena *arena, const tfp_type *elem);
/*
 * Object type from n attributes in any order (copied and sorted; names are
 * copied too). NULL on allocation failure or a duplicate name.
 */
const tfp_type *tfp_type_object(tfp_arena *arena, size_t n, const tfp_type_attr *attrs);
/* Tuple of n element types (pointer array copied). */
const tfp_type *tfp_type_tuple(tfp_arena *arena, size_t n, const tfp_type *const *elems);

/* Structural equality (optional markers ignored). */
bool tfp_type_equal(const tfp_type *a, const tfp_type *b);

/* Index of attribute `name` in an object type, or -1 (also for non-objects). */
long tfp_type_attr_index(const tfp_type *object, const char *name);

/* Name of a kind for messages: "string", "list", ... */
const char *tfp_type_kind_name(tfp_type_kind kind);

/*
 * Compact JSON of a type, as Terraform wants it in schema attributes and
 * dynamic values. On success *out points to arena bytes (NUL-terminated,
 * *out_len excludes the NUL). Returns TFP_OK, TFP_ENOMEM.
 */
int tfp_type_to_json(tfp_arena *arena, const tfp_type *type, const char **out, size_t *out_len);

/*
 * Parses JSON type bytes (untrusted) into a type in `arena`. Depth is bounded
 * (TFP_TYPE_MAX_DEPTH). Returns TFP_OK, TFP_EFORMAT (bad JSON or not a type),
 * TFP_ELIMIT, TFP_ENOMEM; err gets the detail.
 */
#define TFP_TYPE_MAX_DEPTH 64
int tfp_type_from_json(tfp_arena *arena, const uint8_t *json, size_t len, const tfp_type **out,
                       tfp_error *err);

#endif
