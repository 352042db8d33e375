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
#include <stdint.h>

/* Longest archive path accepted, in bytes. */
#define LP_PATH_MAX 4096

/* The packager's one UTF-8 decoder. Decodes the code point at s (n > 0
 * bytes left) into *cp and returns its length (1-4), or returns 0 when s
 * does not start with a valid sequence: a stray continuation byte, C0, C1
 * or F5-FF, a truncated sequence, an overlong form, a surrogate
 * (U+D800-DFFF) or a code point above U+10FFFF. */
size_t lp_path_utf8_next(const char *s, size_t n, uint32_t *cp);

/* 1 when s[0..n) is valid UTF-8 (lp_path_utf8_next's rules), else 0. */
int lp_path_utf8_valid(const char *s, size_t n);

/* NULL when path is a valid archive path (allow_dir: a trailing `/` is
 * accepted), else a static string saying why ("absolute path", ...). */
const char *lp_path_check(const char *path, int allow_dir);

#endif
