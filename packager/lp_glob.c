/*
 * lp_glob: compiles include/exclude patterns and matches them against
 * relative archive-style paths.
 *
 * A pattern is split on `/` into components; `**` components match any
 * number of path components, others are matched one component at a time
 * with `*`, `?`, `[...]` and `\` escapes (never crossing `/`). Matching
 * "the path or any parent directory" is done in one dynamic-programming pass
 * (components x pattern components), so a hostile pattern such as
 * "**, a, **, a, **" costs O(components * pattern) and not exponential time.
 * This module does no I/O and must stay that way (it is fuzzed).
 */
#include "lp_glob.h"

#include "lp_path.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct lp_glob_seg {
    const char *text; /* points into lp_glob.body, not NUL-terminated */
    size_t len;
    int globstar; /* the component is exactly `**` */
} lp_glob_seg;

struct lp_glob {
    char *body; /* pattern without leading/trailing `/`, owned */
    lp_glob_seg *segs;
    size_t n_segs;
    int dir_only;
    int negated; /* the pattern began with `!` */
};

/* One code point at s (n bytes left, n > 0), decoded by lp_path (the
 * packager's one UTF-8 decoder); a byte that starts no valid sequence is a
 * character of its own. */
static size_t utf8_next(const char *s, size_t n, uint32_t *cp)
{
    size_t len = lp_path_utf8_next(s, n, cp);
    if (len == 0) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    return len;
}

/* Length of the class starting at p[0] == '[' within n bytes, including the
 * closing ']', or 0 when unclosed. */
static size_t class_len(const char *p, size_t n)
{
    size_t i = 1;
    if (i < n && (p[i] == '!' || p[i] == '^')) {
        i++;
    }
    if (i < n && p[i] == ']') {
        i++; /* a leading ']' is literal */
    }
    while (i < n) {
        if (p[i] == '\\') {
            if (i + 1 >= n) {
                return 0;
            }
            i += 2;
            continue;
        }
        if (p[i] == ']') {
            return i + 1;
        }
        i++;
    }
    return 0;
}

/* Whether code point c is in the class p[0..n) (n = class_len, p[0] == '['). */
static int class_match(const char *p, size_t n, uint32_t c)
{
    size_t i = 1, end = n - 1; /* end indexes the closing ']' */
    int negate = 0, found = 0;
    if (p[i] == '!' || p[i] == '^') {
        negate = 1;
        i++;
    }
    int first = 1;
    while (i < end) {
        uint32_t lo, hi;
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == ']' && !first) {
            break;
        }
        first = 0;
        i += utf8_next(p + i, end - i, &lo);
        hi = lo;
        if (i + 1 < end && p[i] == '-') {
            size_t j = i + 1;
            if (p[j] == '\\' && j + 1 < end) {
                j++;
            }
            j += utf8_next(p + j, end - j, &hi);
            i = j;
        }
        if (c >= lo && c <= hi) {
            found = 1;
        }
    }
    return found != negate;
}

/* Matches one pattern component against one path component. Iterative, with
 * one backtrack point for the last `*`: O(len(p) * len(s)). */
static int seg_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0;
    size_t star_p = SIZE_MAX, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '*') {
            while (pi < pn && p[pi] == '*') {
                pi++;
            }
            star_p = pi;
            star_s = si;
            continue;
        }
        if (pi < pn) {
            uint32_t sc;
            size_t sl = utf8_next(s + si, sn - si, &sc);
            if (p[pi] == '?') {
                pi++;
                si += sl;
                continue;
            }
            if (p[pi] == '[') {
                size_t cl = class_len(p + pi, pn - pi);
                if (cl > 0 && class_match(p + pi, cl, sc)) {
                    pi += cl;
                    si += sl;
                    continue;
                }
            } else {
                size_t lit = pi;
                if (p[lit] == '\\' && lit + 1 < pn) {
                    lit++;
                }
                if (p[lit] == s[si]) {
                    pi = lit + 1;
                    si++;
                    continue;
                }
            }
        }
        if (star_p == SIZE_MAX) {
            return 0;
        }
        /* Let the last star swallow one more character and retry. */
        uint32_t skip;
        star_s += utf8_next(s + star_s, sn - star_s, &skip);
        si = star_s;
        pi = star_p;
    }
    while (pi < pn && p[pi] == '*') {
        pi++;
    }
    return pi == pn;
}

void lp_glob_free(lp_glob *g)
{
    if (g == NULL) {
        return;
    }
    free(g->body);
    free(g->segs);
    free(g);
}

/* A component p[0..len) of pattern: escapes and bracket classes must be
 * complete. */
static int check_component(const char *p, size_t len, const char *pattern, lp_error *err)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\\') {
            if (i + 1 >= len) {
                return lp_error_set(err, LP_EGLOB, 0, -1, NULL, pattern,
                                    "invalid glob '%s': trailing '\\'", pattern);
            }
            i++;
        } else if (p[i] == '[') {
            size_t cl = class_len(p + i, len - i);
            if (cl == 0) {
                return lp_error_set(err, LP_EGLOB, 0, -1, NULL, pattern,
                                    "invalid glob '%s': unclosed '['", pattern);
            }
            i += cl - 1;
        }
    }
    return LP_OK;
}

/* Splits g->body (blen bytes) at '/' into g->segs; an unanchored pattern
 * starts with `**`, and consecutive `**` components are one. */
static int split_segments(lp_glob *g, size_t blen, int anchored, const char *pattern, lp_error *err)
{
    size_t n = 1;
    for (size_t i = 0; i < blen; i++) {
        n += g->body[i] == '/';
    }
    if ((g->segs = calloc(n + 1, sizeof(*g->segs))) == NULL) {
        return lp_error_nomem_at(err, -1, NULL, pattern);
    }
    if (!anchored) {
        /* `name` behaves as `**` + `/name`: the basename at any depth. */
        g->segs[g->n_segs++] = (lp_glob_seg){"**", 2, 1};
    }
    const char *p = g->body;
    const char *end = g->body + blen;
    while (p <= end) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *stop = slash != NULL ? slash : end;
        size_t len = (size_t)(stop - p);
        if (len == 0) {
            return lp_error_set(err, LP_EGLOB, 0, -1, NULL, pattern,
                                "invalid glob '%s': empty path component", pattern);
        }
        int rc = check_component(p, len, pattern, err);
        if (rc < 0) {
            return rc;
        }
        int star2 = len == 2 && p[0] == '*' && p[1] == '*';
        /* Consecutive `**` components are one. */
        if (!(star2 && g->n_segs > 0 && g->segs[g->n_segs - 1].globstar)) {
            g->segs[g->n_segs++] = (lp_glob_seg){p, len, star2};
        }
        if (slash == NULL) {
            break;
        }
        p = slash + 1;
    }
    return LP_OK;
}

int lp_glob_compile(lp_glob **out, const char *pattern, lp_error *err)
{
    int rc = LP_OK;
    lp_glob *g = NULL;
    *out = NULL;
    size_t plen = strlen(pattern);
    if (plen == 0) {
        return lp_error_set(err, LP_EGLOB, 0, -1, NULL, "", "invalid glob '': empty pattern");
    }
    if (plen > LP_GLOB_MAX_PATTERN) {
        return lp_error_set(err, LP_EGLOB, 0, -1, NULL, "",
                            "invalid glob '%.64s...': longer than %d bytes", pattern,
                            LP_GLOB_MAX_PATTERN);
    }
    if ((g = calloc(1, sizeof(*g))) == NULL) {
        rc = lp_error_nomem_at(err, -1, NULL, pattern);
        goto done;
    }
    const char *b = pattern;
    size_t blen = plen;
    int anchored = 0;
    if (b[0] == '!') { /* gitignore negation; `\!` is a literal `!` */
        g->negated = 1;
        b++;
        blen--;
        if (blen == 0) {
            rc = lp_error_set(err, LP_EGLOB, 0, -1, NULL, pattern,
                              "invalid glob '!': nothing after the negation");
            goto done;
        }
    }
    if (b[0] == '/') {
        anchored = 1;
        b++;
        blen--;
    }
    /* A trailing '/' (not an escaped one) means "directories only". */
    if (blen > 0 && b[blen - 1] == '/' && !(blen > 1 && b[blen - 2] == '\\')) {
        g->dir_only = 1;
        blen--;
    }
    if (blen == 0) {
        rc = lp_error_set(err, LP_EGLOB, 0, -1, NULL, pattern,
                          "invalid glob '%s': no name to match", pattern);
        goto done;
    }
    if (memchr(b, '/', blen) != NULL) {
        anchored = 1;
    }
    if ((g->body = malloc(blen + 1)) == NULL) {
        rc = lp_error_nomem_at(err, -1, NULL, pattern);
        goto done;
    }
    memcpy(g->body, b, blen);
    g->body[blen] = '\0';

    if ((rc = split_segments(g, blen, anchored, pattern, err)) < 0) {
        goto done;
    }
    *out = g;
    g = NULL;
done:
    lp_glob_free(g);
    return rc;
}

static int match(const lp_glob *g, const char *path, int is_dir, int parents);

/* Paths of up to this many components are matched without allocating. */
#define MATCH_STACK_COMPONENTS 32

int lp_glob_match(const lp_glob *g, const char *path, int is_dir)
{
    return match(g, path, is_dir, 1);
}

int lp_glob_match_self(const lp_glob *g, const char *path, int is_dir)
{
    return match(g, path, is_dir, 0);
}

int lp_glob_negated(const lp_glob *g)
{
    return g->negated;
}

/* The usual unanchored one-component pattern (`*.pyc`, `__pycache__/`),
 * matched against a path itself: the same answer as the general case below,
 * from the last component alone. */
static int match_basename(const lp_glob *g, const char *path, size_t plen, int is_dir)
{
    size_t end = plen;
    while (end > 0 && path[end - 1] == '/') {
        end--;
    }
    size_t start = end;
    while (start > 0 && path[start - 1] != '/') {
        start--;
    }
    if (start == end || (g->dir_only && !is_dir)) {
        return 0;
    }
    const lp_glob_seg *sg = &g->segs[1];
    return seg_match(sg->text, sg->len, path + start, end - start);
}

static int match(const lp_glob *g, const char *path, int is_dir, int parents)
{
    size_t plen = strlen(path);
    if (!parents && g->n_segs == 2 && g->segs[0].globstar && !g->segs[1].globstar) {
        return match_basename(g, path, plen, is_dir);
    }
    /* Split path into components (empty components are skipped). */
    size_t nc = 0;
    for (size_t i = 0; i < plen; i++) {
        if (path[i] != '/' && (i == 0 || path[i - 1] == '/')) {
            nc++;
        }
    }
    size_t S = g->n_segs;
    /* starts[nc], lens[nc], and two DP rows of nc + 1 bytes: on the stack for
     * the usual depths (this runs for every pattern and every path walked). */
    size_t stack_starts[2 * (MATCH_STACK_COMPONENTS + 1)];
    unsigned char stack_rows[2 * (MATCH_STACK_COMPONENTS + 1)];
    int on_heap = nc > MATCH_STACK_COMPONENTS;
    size_t *starts = on_heap ? malloc((nc + 1) * 2 * sizeof(size_t)) : stack_starts;
    unsigned char *rows = on_heap ? malloc((nc + 1) * 2) : stack_rows;
    int rc = 0;
    if (starts == NULL || rows == NULL) {
        rc = LP_ENOMEM;
        goto done;
    }
    size_t *lens = starts + nc + 1;
    size_t k = 0;
    for (size_t i = 0; i < plen;) {
        if (path[i] == '/') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < plen && path[j] != '/') {
            j++;
        }
        starts[k] = i;
        lens[k] = j - i;
        k++;
        i = j;
    }
    /* next[c]: segs[si+1..] + tail match comps[c..]; cur[c]: segs[si..]. The
     * tail accepts any remaining components when at least one remains (a
     * matched parent directory), and the end of the path only when the
     * pattern is not restricted to directories or the path is one. */
    unsigned char *next = rows, *cur = rows + nc + 1;
    for (size_t c = 0; c <= nc; c++) {
        next[c] = c < nc ? (unsigned char)parents : (unsigned char)(!g->dir_only || is_dir);
    }
    for (size_t si = S; si-- > 0;) {
        const lp_glob_seg *sg = &g->segs[si];
        for (size_t c = nc + 1; c-- > 0;) {
            if (sg->globstar) {
                cur[c] = next[c] || (c < nc && cur[c + 1]);
            } else {
                cur[c] = c < nc && next[c + 1] &&
                         seg_match(sg->text, sg->len, path + starts[c], lens[c]);
            }
        }
        unsigned char *t = next;
        next = cur;
        cur = t;
    }
    /* A match that consumed no component at all is a match of nothing. */
    rc = nc > 0 && next[0];
done:
    if (on_heap) {
        free(starts);
        free(rows);
    }
    return rc;
}
