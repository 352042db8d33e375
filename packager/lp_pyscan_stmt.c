/*
 * lp_pyscan_stmt: the simple statements of lp_pyscan. Reports `import` and
 * `from ... import` statements (with their names, level, line, and whether
 * a guard or a def encloses them) and, at module scope, the names bound by
 * imports, assignment targets, `global` and the string literals of
 * `__all__`. Anything it does not understand binds nothing and is not an
 * error.
 *
 * Appends to the scanner's result; owns nothing else. No I/O.
 */
#include "lp_pyscan_int.h"

#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"

static int is_keyword(const scanner *s, size_t i)
{
    static const char *const kws[] = {
        "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
        "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
        "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
        "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
    for (size_t k = 0; k < sizeof(kws) / sizeof(kws[0]); k++) {
        if (is_name(s, i, kws[k])) {
            return 1;
        }
    }
    return 0;
}

static char *tok_strdup(const scanner *s, size_t i)
{
    const tk *t = &s->toks[i];
    char *p = malloc(t->len + 1);
    if (p != NULL) {
        memcpy(p, s->buf + t->off, t->len);
        p[t->len] = '\0';
    }
    return p;
}

int lp_pyscan_stmt_add_def(scanner *s, size_t i)
{
    lp_pyscan_result *r = s->res;
    if (s->toks[i].kind != TK_NAME || is_keyword(s, i)) {
        return 0;
    }
    char **nd = lp_buf_grow(r->defs, &s->cap_defs, r->n_defs + 1, sizeof(*nd), LP_BUF_UNBOUNDED);
    if (nd == NULL) {
        return -1;
    }
    r->defs = nd;
    char *name = tok_strdup(s, i);
    if (name == NULL) {
        return -1;
    }
    r->defs[r->n_defs++] = name;
    return 0;
}

/* Parses a dotted name starting at *i (< end) into a malloc'd string; *i is
 * moved past it. Returns the string, NULL when there is no name (or it is too
 * long), and sets *oom on allocation failure. */
static char *dotted_name(scanner *s, size_t *i, size_t end, int *oom)
{
    size_t k = *i;
    size_t total = 0;
    if (k >= end || s->toks[k].kind != TK_NAME) {
        return NULL;
    }
    for (;;) {
        total += s->toks[k].len;
        k++;
        if (k + 1 < end && is_op(s, k, ".") && s->toks[k + 1].kind == TK_NAME) {
            total++;
            k++;
            continue;
        }
        break;
    }
    size_t first = *i;
    *i = k;
    if (total > LP_PYSCAN_MAX_NAME) {
        return NULL;
    }
    char *out = malloc(total + 1);
    if (out == NULL) {
        *oom = 1;
        return NULL;
    }
    size_t w = 0;
    for (size_t j = first; j < k; j++) {
        const tk *t = &s->toks[j];
        memcpy(out + w, s->buf + t->off, t->len);
        w += t->len;
    }
    out[w] = '\0';
    return out;
}

void lp_pyscan_stmt_free_import(lp_pyimport *im)
{
    free(im->module);
    for (size_t i = 0; i < im->n_names; i++) {
        free(im->names[i]);
    }
    free(im->names);
}

/* Appends *im (taking ownership of its strings, also on failure). */
static int add_import(scanner *s, lp_pyimport *im)
{
    lp_pyscan_result *r = s->res;
    lp_pyimport *ni =
        lp_buf_grow(r->imports, &s->cap_imports, r->n_imports + 1, sizeof(*ni), LP_BUF_UNBOUNDED);
    if (ni == NULL) {
        lp_pyscan_stmt_free_import(im);
        return -1;
    }
    r->imports = ni;
    im->guarded = s->n_guard_blocks > 0;
    im->in_function = s->n_def_blocks > 0;
    r->imports[r->n_imports++] = *im;
    return 0;
}

/* `import a.b [as c], d` in toks[a, end). */
static int parse_import(scanner *s, size_t a, size_t end)
{
    size_t i = a + 1;
    while (i < end) {
        int oom = 0;
        size_t first = i;
        char *mod = dotted_name(s, &i, end, &oom);
        if (oom) {
            return -1;
        }
        if (i == first) {
            break; /* not a name: malformed */
        }
        size_t bound = first;
        if (i + 1 < end && is_name(s, i, "as") && s->toks[i + 1].kind == TK_NAME) {
            bound = i + 1;
            i += 2;
        }
        if (mod != NULL) {
            lp_pyimport im = {0};
            im.module = mod;
            im.line = s->toks[a].line;
            if (add_import(s, &im) < 0) {
                return -1;
            }
            if (module_scope(s) && lp_pyscan_stmt_add_def(s, bound) < 0) {
                return -1;
            }
        }
        if (i < end && is_op(s, i, ",")) {
            i++;
            continue;
        }
        break;
    }
    return 0;
}

/* `from [.]*[a.b] import (x [as y], ...)` or `... import *` in toks[a, end). */
static int parse_from(scanner *s, size_t a, size_t end)
{
    size_t i = a + 1;
    int level = 0;
    int err = 0;
    lp_pyimport im = {0};
    while (i < end && s->toks[i].kind == TK_OP) {
        if (is_op(s, i, ".")) {
            level++;
        } else if (is_op(s, i, "...")) {
            level += 3;
        } else {
            break;
        }
        i++;
    }
    if (i < end && s->toks[i].kind == TK_NAME && !is_name(s, i, "import")) {
        int oom = 0;
        size_t before = i;
        im.module = dotted_name(s, &i, end, &oom);
        if (oom) {
            return -1;
        }
        if (im.module == NULL && i != before) {
            return 0; /* name too long: not reported */
        }
    } else {
        im.module = malloc(1);
        if (im.module == NULL) {
            return -1;
        }
        im.module[0] = '\0';
    }
    if (im.module == NULL || i >= end || !is_name(s, i, "import") ||
        (level == 0 && im.module[0] == '\0')) {
        goto done; /* malformed: nothing to report */
    }
    i++;
    if (i < end && is_op(s, i, "(")) {
        i++;
    }
    size_t cap_names = 0;
    while (i < end) {
        size_t name_tok = i;
        size_t bound = i;
        if (is_op(s, i, "*")) {
            i++;
            if (module_scope(s)) {
                s->res->star_import = 1;
            }
        } else if (s->toks[i].kind == TK_NAME) {
            i++;
            if (i + 1 < end && is_name(s, i, "as") && s->toks[i + 1].kind == TK_NAME) {
                bound = i + 1;
                i += 2;
            }
            if (module_scope(s) && lp_pyscan_stmt_add_def(s, bound) < 0) {
                err = -1;
                goto done;
            }
        } else {
            break;
        }
        char **nn =
            lp_buf_grow(im.names, &cap_names, im.n_names + 1, sizeof(*nn), LP_BUF_UNBOUNDED);
        if (nn == NULL) {
            err = -1;
            goto done;
        }
        im.names = nn;
        im.names[im.n_names] = tok_strdup(s, name_tok);
        if (im.names[im.n_names] == NULL) {
            err = -1;
            goto done;
        }
        im.n_names++;
        if (i < end && is_op(s, i, ",")) {
            i++;
            continue;
        }
        break;
    }
    if (im.n_names == 0 || (level == 0 && strcmp(im.module, "__future__") == 0)) {
        goto done;
    }
    im.is_from = 1;
    im.level = level;
    im.line = s->toks[a].line;
    return add_import(s, &im); /* takes ownership */
done:
    lp_pyscan_stmt_free_import(&im);
    return err;
}

/* Adds the names of an assignment target toks[a, end) ("x", "a, b",
 * "(a, [b, *c])"); attribute and subscript targets bind nothing here. */
static int parse_target(scanner *s, size_t a, size_t end)
{
    if (a >= end) {
        return 0;
    }
    for (size_t i = a; i < end; i++) {
        const tk *t = &s->toks[i];
        if (t->kind == TK_NAME) {
            if (is_keyword(s, i)) {
                return 0;
            }
        } else if (t->kind == TK_OP) {
            if (is_op(s, i, "(") || is_op(s, i, "[")) {
                if (i > a && (s->toks[i - 1].kind == TK_NAME || is_op(s, i - 1, ")") ||
                              is_op(s, i - 1, "]"))) {
                    return 0; /* call or subscript */
                }
            } else if (!is_op(s, i, ",") && !is_op(s, i, ")") && !is_op(s, i, "]") &&
                       !is_op(s, i, "*")) {
                return 0;
            }
        } else {
            return 0;
        }
    }
    for (size_t i = a; i < end; i++) {
        if (s->toks[i].kind == TK_NAME && lp_pyscan_stmt_add_def(s, i) < 0) {
            return -1;
        }
    }
    return 0;
}

static int parse_assignment(scanner *s, size_t a, size_t end)
{
    size_t seg = a;
    int first = 1;
    for (size_t i = a; i < end; i++) {
        if (s->toks[i].depth != 0 || !is_op(s, i, "=")) {
            continue;
        }
        size_t stop = i;
        if (first) {
            /* annotated assignment: `x: int = 1` */
            for (size_t k = seg; k < i; k++) {
                if (s->toks[k].depth == 0 && is_op(s, k, ":")) {
                    stop = k;
                    break;
                }
            }
        }
        if (parse_target(s, seg, stop) < 0) {
            return -1;
        }
        first = 0;
        seg = i + 1;
    }
    return 0;
}

/* `__all__ = [...]`, `__all__ += (...)`, `__all__.extend([...])`: the listed
 * names are what the module exports, so they count as bound even when the
 * module binds them in ways the scanner cannot see (decorators, enums). */
static int parse_all(scanner *s, size_t a, size_t end)
{
    if (a + 1 >= end || !(is_op(s, a + 1, "=") || is_op(s, a + 1, "+=") || is_op(s, a + 1, "."))) {
        return 0;
    }
    lp_pyscan_result *r = s->res;
    for (size_t i = a + 2; i < end; i++) {
        const tk *t = &s->toks[i];
        const unsigned char *p = s->buf + t->off;
        if (t->kind != TK_STRING || t->len < 3 || (p[0] != '\'' && p[0] != '"') ||
            p[t->len - 1] != p[0] || memchr(p, '\\', t->len) != NULL ||
            (t->len >= 6 && p[1] == p[0] && p[2] == p[0])) {
            continue; /* only plain 'name' / "name" literals */
        }
        char **nd =
            lp_buf_grow(r->defs, &s->cap_defs, r->n_defs + 1, sizeof(*nd), LP_BUF_UNBOUNDED);
        if (nd == NULL) {
            return -1;
        }
        r->defs = nd;
        char *name = malloc(t->len - 1);
        if (name == NULL) {
            return -1;
        }
        memcpy(name, p + 1, t->len - 2);
        name[t->len - 2] = '\0';
        r->defs[r->n_defs++] = name;
    }
    return 0;
}

int lp_pyscan_stmt_simple(scanner *s, size_t a, size_t end)
{
    if (a >= end) {
        return 0;
    }
    if (is_name(s, a, "import")) {
        return parse_import(s, a, end);
    }
    if (is_name(s, a, "from")) {
        return parse_from(s, a, end);
    }
    if (is_name(s, a, "global")) {
        for (size_t i = a + 1; i < end; i++) {
            if (s->toks[i].kind == TK_NAME && lp_pyscan_stmt_add_def(s, i) < 0) {
                return -1;
            }
        }
        return 0;
    }
    if (module_scope(s)) {
        if (is_name(s, a, "__all__") && parse_all(s, a, end) < 0) {
            return -1;
        }
        return parse_assignment(s, a, end);
    }
    return 0;
}
