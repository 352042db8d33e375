/*
 * lp_pyscan: a Python tokenizer that reports imports and module-level names.
 *
 * The scanner reads one logical line at a time (physical lines joined inside
 * brackets and after backslashes; comments and blank lines dropped), keeps a
 * stack of the open blocks by indentation (def, class, try and its handlers,
 * `if TYPE_CHECKING:`, other), and looks at each simple statement for
 * `import`/`from` and, at module scope, for bindings. Strings are skipped
 * without being interpreted, so `import` inside a string or comment is never
 * reported. Guards that are only known later (`except ImportError:` after a
 * `try:` body) are recorded as ranges of import indices and applied at the
 * end in one linear pass.
 *
 * It must not do I/O, execute or evaluate anything, recurse on input
 * structure (only f-string nesting recurses, capped at LP_PYSCAN_MAX_FNEST),
 * or fail on input that is not valid Python. Memory is linear in the input.
 *
 * This file owns the block stack, the guards and the result; the tokenizer
 * is lp_pyscan_lex.c, the simple statements lp_pyscan_stmt.c
 * (lp_pyscan_int.h).
 */
#include "lp_pyscan_int.h"

#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"

static int push_block(scanner *s, size_t indent, bk_kind kind, size_t try_start, size_t try_end)
{
    block *nb =
        lp_buf_grow(s->blocks, &s->cap_blocks, s->n_blocks + 1, sizeof(*nb), LP_BUF_UNBOUNDED);
    if (nb == NULL) {
        return -1;
    }
    s->blocks = nb;
    block *b = &s->blocks[s->n_blocks++];
    b->indent = indent;
    b->kind = kind;
    b->try_start = try_start;
    b->try_end = try_end;
    if (kind == BK_DEF) {
        s->n_def_blocks++;
    } else if (kind == BK_CLASS) {
        s->n_class_blocks++;
    } else if (kind == BK_GUARD) {
        s->n_guard_blocks++;
    }
    return 0;
}

/* 1 when an except clause's types toks[a, colon) catch a failed import. */
static int except_catches_import(const scanner *s, size_t a, size_t colon)
{
    static const char *const catching[] = {"ImportError", "ModuleNotFoundError", "Exception",
                                           "BaseException"};
    if (a >= colon) {
        return 1; /* bare except */
    }
    for (size_t i = a; i < colon; i++) {
        if (s->toks[i].depth == 0 && is_name(s, i, "as")) {
            break;
        }
        for (size_t k = 0; k < sizeof(catching) / sizeof(catching[0]); k++) {
            if (is_name(s, i, catching[k])) {
                return 1;
            }
        }
    }
    return 0;
}

/* 1 when toks[a, colon) is `TYPE_CHECKING` or a dotted name ending in it. */
static int is_type_checking(const scanner *s, size_t a, size_t colon)
{
    if (a >= colon || (colon - a) % 2 == 0 || !is_name(s, colon - 1, "TYPE_CHECKING")) {
        return 0;
    }
    for (size_t i = a; i < colon; i++) {
        if ((i - a) % 2 == 0 ? s->toks[i].kind != TK_NAME : !is_op(s, i, ".")) {
            return 0;
        }
    }
    return 1;
}

/* 1 when toks[a, colon) is `__name__ == "__main__"` (either order, either
 * quote): the block runs only when the file is executed as a script, never
 * when Lambda imports it. */
static int is_main_guard(const scanner *s, size_t a, size_t colon)
{
    if (colon - a != 3 || !is_op(s, a + 1, "==")) {
        return 0;
    }
    for (int k = 0; k < 2; k++) {
        size_t n = k == 0 ? a : a + 2;
        size_t q = k == 0 ? a + 2 : a;
        const tk *t = &s->toks[q];
        if (is_name(s, n, "__name__") && t->kind == TK_STRING && t->len == 10 &&
            memcmp(s->buf + t->off + 1, "__main__", 8) == 0 &&
            (s->buf[t->off] == '"' || s->buf[t->off] == '\'')) {
            return 1;
        }
    }
    return 0;
}

/* 1 when a with-header toks[a, colon) is `suppress(ImportError)`-like. */
static int with_suppresses_import(const scanner *s, size_t a, size_t colon)
{
    int sup = 0;
    int imp = 0;
    for (size_t i = a; i < colon; i++) {
        sup |= is_name(s, i, "suppress");
        imp |= is_name(s, i, "ImportError") || is_name(s, i, "ModuleNotFoundError");
    }
    return sup && imp;
}

/* Index of the first depth-0 `:` after toks[0], or 0 when none. */
static size_t header_colon(const scanner *s)
{
    for (size_t i = 1; i < s->n_toks; i++) {
        if (s->toks[i].depth == 0 && is_op(s, i, ":")) {
            return i;
        }
    }
    return 0;
}

/* 1 when toks[k] starts a compound statement: a hard keyword, or `match` /
 * `case` used as one (`match x:`, not `match = 1` or `match.group()`). */
static int is_compound_keyword(const scanner *s, size_t k)
{
    static const char *const hard[] = {"if",     "elif",    "else", "while", "for",  "try",
                                       "except", "finally", "with", "def",   "class"};
    int is_kw = 0;
    for (size_t j = 0; j < sizeof(hard) / sizeof(hard[0]); j++) {
        is_kw |= is_name(s, k, hard[j]);
    }
    if (!is_kw && (is_name(s, 0, "match") || is_name(s, 0, "case")) && s->n_toks > 2) {
        /* soft keywords: `match x:` but not `match = 1` or `match.group()` */
        const tk *t1 = &s->toks[1];
        is_kw = t1->kind != TK_OP || is_op(s, 1, "(") || is_op(s, 1, "[") || is_op(s, 1, "{") ||
                is_op(s, 1, "-") || is_op(s, 1, "*");
    }
    return is_kw;
}

/* For `except` at toks[k]: when its types (up to colon) catch a failed
 * import, the imports [ts, te) of the try body become guarded. 0 or -1. */
static int guard_try_body(scanner *s, size_t k, size_t colon, size_t ts, size_t te)
{
    size_t a = k + 1;
    if (a < colon && is_op(s, a, "*")) {
        a++;
    }
    if (!except_catches_import(s, a, colon)) {
        return 0;
    }
    range *ng =
        lp_buf_grow(s->guards, &s->cap_guards, s->n_guards + 1, sizeof(*ng), LP_BUF_UNBOUNDED);
    if (ng == NULL) {
        return -1;
    }
    s->guards = ng;
    s->guards[s->n_guards].start = ts;
    s->guards[s->n_guards].end = te;
    s->n_guards++;
    return 0;
}

/* Handles a compound statement header; *body is set to the index of the
 * first token after its colon. Returns 0 (not a header: *body = 0), 1, or -1. */
static int compound_header(scanner *s, size_t indent, const block *prev, size_t *body)
{
    size_t n = s->n_toks;
    size_t k = 0;
    *body = 0;
    if (s->toks[0].kind != TK_NAME) {
        return 0;
    }
    if (is_name(s, 0, "async") && n > 1) {
        k = 1;
    }
    if (!is_compound_keyword(s, k)) {
        return 0;
    }
    size_t colon = header_colon(s);
    if (colon == 0) {
        return 0;
    }
    int scope = module_scope(s);
    bk_kind kind = BK_OTHER;
    size_t ts = 0;
    size_t te = 0;
    if (is_name(s, k, "def")) {
        kind = BK_DEF;
        if (scope && k + 1 < colon) {
            if (is_name(s, k + 1, "__getattr__")) {
                s->res->dynamic = 1;
            }
            if (lp_pyscan_stmt_add_def(s, k + 1) < 0) {
                return -1;
            }
        }
    } else if (is_name(s, k, "class")) {
        kind = BK_CLASS;
        if (scope && k + 1 < colon && lp_pyscan_stmt_add_def(s, k + 1) < 0) {
            return -1;
        }
    } else if (is_name(s, k, "try")) {
        kind = BK_TRY;
        ts = s->res->n_imports;
    } else if (is_name(s, k, "except") || is_name(s, k, "else") || is_name(s, k, "finally")) {
        if (prev != NULL && (prev->kind == BK_TRY || prev->kind == BK_TRYCHAIN)) {
            kind = BK_TRYCHAIN;
            ts = prev->try_start;
            te = prev->try_end;
            if (is_name(s, k, "except") && ts < te && guard_try_body(s, k, colon, ts, te) < 0) {
                return -1;
            }
        }
    } else if (is_name(s, k, "if")) {
        if (is_type_checking(s, k + 1, colon) || is_main_guard(s, k + 1, colon)) {
            kind = BK_GUARD;
        }
    } else if (is_name(s, k, "with")) {
        if (with_suppresses_import(s, k + 1, colon)) {
            kind = BK_GUARD;
        }
        for (size_t i = k + 1; scope && i + 2 <= colon; i++) {
            if (s->toks[i].depth == 0 && is_name(s, i, "as") &&
                (is_op(s, i + 2, ",") || i + 2 == colon) && lp_pyscan_stmt_add_def(s, i + 1) < 0) {
                return -1;
            }
        }
    } else if (is_name(s, k, "for")) {
        for (size_t i = k + 1; scope && i < colon && !is_name(s, i, "in"); i++) {
            if (lp_pyscan_stmt_add_def(s, i) < 0) {
                return -1;
            }
        }
    }
    if (push_block(s, indent, kind, ts, te) < 0) {
        return -1;
    }
    *body = colon + 1;
    return 1;
}

static void pop_block(scanner *s, block *out)
{
    *out = s->blocks[--s->n_blocks];
    if (out->kind == BK_DEF) {
        s->n_def_blocks--;
    } else if (out->kind == BK_CLASS) {
        s->n_class_blocks--;
    } else if (out->kind == BK_GUARD) {
        s->n_guard_blocks--;
    } else if (out->kind == BK_TRY) {
        out->try_end = s->res->n_imports;
    }
}

static int process_line(scanner *s, size_t indent)
{
    block prev;
    int have_prev = 0;
    while (s->n_blocks > 0 && s->blocks[s->n_blocks - 1].indent >= indent) {
        block b;
        pop_block(s, &b);
        if (b.indent == indent) {
            prev = b;
            have_prev = 1;
        }
    }
    for (size_t i = 0; i + 1 < s->n_toks; i++) {
        if ((is_name(s, i, "globals") || is_name(s, i, "exec")) && is_op(s, i + 1, "(")) {
            s->res->dynamic = 1;
        }
        if (i + 2 < s->n_toks && is_name(s, i, "sys") && is_op(s, i + 1, ".") &&
            is_name(s, i + 2, "modules")) {
            s->res->dynamic = 1; /* may install submodules or replace itself */
        }
    }
    size_t body = 0;
    int h = compound_header(s, indent, have_prev ? &prev : NULL, &body);
    if (h < 0) {
        return -1;
    }
    size_t a = body;
    for (size_t i = body; i <= s->n_toks; i++) {
        if (i == s->n_toks || (s->toks[i].depth == 0 && is_op(s, i, ";"))) {
            if (lp_pyscan_stmt_simple(s, a, i) < 0) {
                return -1;
            }
            a = i + 1;
        }
    }
    return 0;
}

/* Applies the except-clause guard ranges in one pass (difference array). */
static int apply_guards(scanner *s)
{
    lp_pyscan_result *r = s->res;
    if (s->n_guards == 0 || r->n_imports == 0) {
        return 0;
    }
    long *diff = calloc(r->n_imports + 1, sizeof(*diff));
    if (diff == NULL) {
        return -1;
    }
    for (size_t i = 0; i < s->n_guards; i++) {
        diff[s->guards[i].start]++;
        diff[s->guards[i].end]--;
    }
    long run = 0;
    for (size_t i = 0; i < r->n_imports; i++) {
        run += diff[i];
        if (run > 0) {
            r->imports[i].guarded = 1;
        }
    }
    free(diff);
    return 0;
}

static int cmp_def(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the module-level names and drops repeats, for bsearch. */
static void sort_defs(lp_pyscan_result *r)
{
    if (r->n_defs < 2) {
        return;
    }
    qsort(r->defs, r->n_defs, sizeof(*r->defs), cmp_def);
    size_t w = 1;
    for (size_t i = 1; i < r->n_defs; i++) {
        if (strcmp(r->defs[i], r->defs[w - 1]) == 0) {
            free(r->defs[i]);
        } else {
            r->defs[w++] = r->defs[i];
        }
    }
    r->n_defs = w;
}

int lp_pyscan_scan(lp_pyscan_result **out, const unsigned char *buf, size_t len, lp_error *err)
{
    int rc = 0;
    scanner s;
    memset(&s, 0, sizeof(s));
    *out = NULL;
    if (len > LP_PYSCAN_MAX_INPUT) {
        return lp_error_set(err, LP_ELIMIT, 0, -1, NULL, NULL,
                            "Python source of %zu bytes is larger than the scanner's limit of %zu",
                            len, LP_PYSCAN_MAX_INPUT);
    }
    s.res = calloc(1, sizeof(*s.res));
    if (s.res == NULL) {
        rc = -1;
        goto done;
    }
    s.buf = buf;
    s.len = buf != NULL ? len : 0;
    s.line = 1;
    if (s.len >= 3 && memcmp(s.buf, "\xef\xbb\xbf", 3) == 0) {
        s.pos = 3;
    }
    for (;;) {
        size_t indent = 0;
        int got = lp_pyscan_lex_line(&s, &indent);
        if (got < 0) {
            rc = -1;
            goto done;
        }
        if (got == 0) {
            break;
        }
        if (process_line(&s, indent) < 0) {
            rc = -1;
            goto done;
        }
    }
    if (apply_guards(&s) < 0) {
        rc = -1;
        goto done;
    }
    sort_defs(s.res);
    *out = s.res;
    s.res = NULL;
done:
    free(s.toks);
    free(s.blocks);
    free(s.guards);
    lp_pyscan_free(s.res);
    if (rc < 0) {
        return lp_error_set(err, LP_ENOMEM, 0, -1, NULL, NULL,
                            "out of memory while scanning Python source");
    }
    return 0;
}

void lp_pyscan_free(lp_pyscan_result *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n_imports; i++) {
        lp_pyscan_stmt_free_import(&r->imports[i]);
    }
    free(r->imports);
    for (size_t i = 0; i < r->n_defs; i++) {
        free(r->defs[i]);
    }
    free(r->defs);
    free(r);
}

int lp_pyscan_defines(const lp_pyscan_result *r, const char *name)
{
    if (r == NULL || name == NULL) {
        return 0;
    }
    return r->n_defs > 0 && bsearch(&name, r->defs, r->n_defs, sizeof(*r->defs), cmp_def) != NULL;
}
