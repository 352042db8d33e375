/*
 * tfp_diag: attribute paths and the diagnostics list every RPC returns.
 *
 * A path is an immutable list of steps (attribute name, string map key,
 * integer index), matching tfplugin6 AttributePath. Paths are built in an
 * arena, each builder returning a new path that extends its parent:
 *
 *   tfp_path *p = tfp_path_attr(a, tfp_path_index(a, tfp_path_attr(a, NULL, "source"), 1),
 *                               "path");
 *   // or: tfp_path_parse(a, "source[1].path")
 *
 * A diagnostics list (tfp_diags) lives in a request arena and grows there. If
 * an allocation fails while adding, the list remembers it (oom) and
 * tfp_diags_count/tfp_diags_at report one extra static error diagnostic
 * ("Out of memory") at the end, so an error is never lost.
 *
 * Not thread-safe: one tfp_diags per request.
 */
#ifndef TFP_DIAG_H
#define TFP_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"
#include "tfp_type.h" /* TFP_OK, TFP_ENOMEM */

typedef enum tfp_path_step_kind {
    TFP_STEP_ATTR = 1,       /* .name */
    TFP_STEP_KEY_STRING = 2, /* ["key"] */
    TFP_STEP_KEY_INT = 3,    /* [index] */
} tfp_path_step_kind;

typedef struct tfp_path_step {
    tfp_path_step_kind kind;
    const char *name; /* ATTR: attribute name; KEY_STRING: the key */
    int64_t index;    /* KEY_INT */
} tfp_path_step;

typedef struct tfp_path {
    size_t n;
    const tfp_path_step *steps;
} tfp_path;

/*
 * Path builders: parent (may be NULL = root) plus one step. Strings are
 * copied. Result in arena; NULL on allocation failure (a NULL parent that came
 * from a failed allocation then yields a shorter path, never a crash).
 */
const tfp_path *tfp_path_attr(tfp_arena *arena, const tfp_path *parent, const char *name);
const tfp_path *tfp_path_index(tfp_arena *arena, const tfp_path *parent, int64_t index);
const tfp_path *tfp_path_key(tfp_arena *arena, const tfp_path *parent, const char *key);

/*
 * Parses `source[1].path`, `.files["a/b.py"]` (leading dot optional; keys in
 * double quotes with \" and \\ escapes). NULL on syntax error or allocation
 * failure.
 */
const tfp_path *tfp_path_parse(tfp_arena *arena, const char *text);

/* Formats as `.source[1].path` / `.files["k"]`; "" for the root. NULL on failure. */
const char *tfp_path_format(tfp_arena *arena, const tfp_path *path);

bool tfp_path_equal(const tfp_path *a, const tfp_path *b);

typedef enum tfp_severity {
    TFP_DIAG_ERROR = 1,
    TFP_DIAG_WARNING = 2,
} tfp_severity;

typedef struct tfp_diag {
    tfp_severity severity;
    const char *summary;  /* never NULL */
    const char *detail;   /* may be "" */
    const tfp_path *path; /* NULL when the diagnostic is not about an attribute */
} tfp_diag;

typedef struct tfp_diags {
    tfp_arena *arena; /* borrowed */
    size_t n, cap;
    tfp_diag *items;
    bool oom;
} tfp_diags;

/* Initializes an empty list that allocates from `arena` (borrowed). */
void tfp_diags_init(tfp_diags *diags, tfp_arena *arena);

/*
 * Adds a diagnostic. summary is copied, detail is formatted (printf) into the
 * arena, path is shared (must live in the same arena or longer). Returns
 * TFP_OK or TFP_ENOMEM (then diags->oom is set).
 */
int tfp_diag_add(tfp_diags *diags, tfp_severity severity, const tfp_path *path, const char *summary,
                 const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
int tfp_diag_vadd(tfp_diags *diags, tfp_severity severity, const tfp_path *path,
                  const char *summary, const char *detail_fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

/* Shorthands for tfp_diag_add. */
int tfp_diag_error(tfp_diags *diags, const char *summary, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tfp_diag_error_at(tfp_diags *diags, const tfp_path *path, const char *summary,
                      const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));
int tfp_diag_warning(tfp_diags *diags, const char *summary, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
int tfp_diag_warning_at(tfp_diags *diags, const tfp_path *path, const char *summary,
                        const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

/* True when any error was added (or an allocation failed while adding). */
bool tfp_diags_has_error(const tfp_diags *diags);

/* Count and items including the synthetic "Out of memory" error when oom. */
size_t tfp_diags_count(const tfp_diags *diags);
const tfp_diag *tfp_diags_at(const tfp_diags *diags, size_t i);

#endif
