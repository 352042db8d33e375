/*
 * lp_path: validates archive paths, so that nothing we write or accept can
 * escape the directory it is extracted into. Pure string checks, no I/O.
 */
#include "lp_path.h"

#include <string.h>

size_t lp_path_utf8_next(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[0];
    size_t len;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF; /* bounds of the second byte */
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        if (c == 0xE0) {
            lo = 0xA0; /* overlong below */
        } else if (c == 0xED) {
            hi = 0x9F; /* surrogates above */
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        if (c == 0xF0) {
            lo = 0x90; /* overlong below */
        } else if (c == 0xF4) {
            hi = 0x8F; /* past U+10FFFF above */
        }
    } else {
        return 0;
    }
    if (len > n || u[1] < lo || u[1] > hi) {
        return 0;
    }
    for (size_t k = 1; k < len; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            return 0;
        }
        v = (v << 6) | (u[k] & 0x3Fu);
    }
    *cp = v;
    return len;
}

int lp_path_utf8_valid(const char *s, size_t n)
{
    uint32_t cp;
    for (size_t i = 0, len; i < n; i += len) {
        if ((len = lp_path_utf8_next(s + i, n - i, &cp)) == 0) {
            return 0;
        }
    }
    return 1;
}

const char *lp_path_check(const char *path, int allow_dir)
{
    size_t n = strlen(path);
    if (n == 0) {
        return "empty path";
    }
    if (n > LP_PATH_MAX) {
        return "path too long";
    }
    if (path[0] == '/') {
        return "absolute path";
    }
    if (strchr(path, '\\') != NULL) {
        return "backslash in path";
    }
    if (n >= 2 && path[1] == ':') {
        return "drive letter in path";
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7F) {
            return "control character in path";
        }
    }
    if (!lp_path_utf8_valid(path, n)) {
        return "path is not valid UTF-8";
    }
    if (path[n - 1] == '/') {
        if (!allow_dir) {
            return "path ends with '/'";
        }
        n--;
        if (n == 0) {
            return "empty path";
        }
    }
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || path[i] == '/') {
            size_t len = i - start;
            if (len == 0) {
                return "empty path component";
            }
            if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
                return "'..' in path";
            }
            if (len == 1 && path[start] == '.') {
                return "'.' in path";
            }
            start = i + 1;
        }
    }
    return NULL;
}
