/*
 * lp_glob: the glob patterns of include/exclude lists (internal).
 *
 * Semantics (docs/internals/glob.md): `*` and `?` never cross `/`, `**` as a
 * whole component matches zero or more components, `[a-z]`/`[!x]` classes,
 * `\` escapes the next character. A pattern without `/` matches the basename
 * at any depth; with a `/` (a leading one is dropped) it is anchored at the
 * source root; a trailing `/` restricts it to directories. A pattern matches
 * a path when it matches the path itself or any of its parent directories.
 * A leading `!` marks a negated pattern (gitignore's re-include, for exclude
 * lists; the caller applies it); `\!` is a literal `!`.
 * No I/O: patterns and paths are plain strings.
 */
#ifndef LP_GLOB_H
#define LP_GLOB_H

#include "lp_error.h"

/* Longest pattern accepted, in bytes. */
#define LP_GLOB_MAX_PATTERN 4096

typedef struct lp_glob lp_glob;

/* Compiles pattern. On success *out is set (free with lp_glob_free).
 * LP_EGLOB (message names the pattern) when empty, too long, an unclosed
 * `[`, a trailing `\` or an empty component; LP_ENOMEM. err->field and
 * err->source_index are left to the caller. */
int lp_glob_compile(lp_glob **out, const char *pattern, lp_error *err);

/* 1 when g matches path (relative, `/`-separated, no leading `/`; is_dir says
 * whether path itself is a directory), 0 when not, LP_ENOMEM. */
int lp_glob_match(const lp_glob *g, const char *path, int is_dir);

/* Like lp_glob_match, but only the path itself, never a parent directory:
 * gitignore's rule for walks that prune excluded directories. */
int lp_glob_match_self(const lp_glob *g, const char *path, int is_dir);

/* 1 when the pattern began with `!` (the rest is what it matches). */
int lp_glob_negated(const lp_glob *g);

/* Frees g. Accepts NULL. */
void lp_glob_free(lp_glob *g);

#endif
