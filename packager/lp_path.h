/*
 * lp_path: archive path rules shared by the builder and the ZIP reader
 * (internal).
 *
 * An archive path is relative, `/`-separated, valid UTF-8, without empty,
 * `.` or `..` components, backslashes or control characters; a directory
 * entry ends with one `/`. No I/O.
 */
#ifndef LP_PATH_H
#define LP_PATH_H

#include <stddef.h>

/* Longest archive path accepted, in bytes. */
#define LP_PATH_MAX 4096

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates), else 0. */
int lp_path_utf8_valid(const char *s, size_t n);

/* NULL when path is a valid archive path (allow_dir: a trailing `/` is
 * accepted), else a static string saying why ("absolute path", ...). */
const char *lp_path_check(const char *path, int allow_dir);

#endif
