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
 */
#include "lp_pyscan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"

typedef enum tk_kind { TK_NAME, TK_NUMBER, TK_STRING, TK_OP } tk_kind;

typedef struct tk {
    tk_kind kind;
    size_t off; /* into the buffer */
    size_t len;
    int line;
    int depth; /* bracket depth at the token (0: not inside any bracket) */
} tk;

typedef enum bk_kind { BK_DEF, BK_CLASS, BK_TRY, BK_TRYCHAIN, BK_GUARD, BK_OTHER } bk_kind;

typedef struct block {
    size_t indent; /* indentation of the header line */
    bk_kind kind;
    size_t try_start; /* BK_TRY/BK_TRYCHAIN: imports [try_start, try_end) are in the try body */
    size_t try_end;
} block;

typedef struct range {
    size_t start;
    size_t end;
} range;

typedef struct scanner {
    const unsigned char *buf;
    size_t len;
    size_t pos;
    int line;
    int depth;
    tk *toks; /* the current logical line */
    size_t n_toks, cap_toks;
    block *blocks;
    size_t n_blocks, cap_blocks;
    size_t n_def_blocks, n_class_blocks, n_guard_blocks;
    range *guards; /* import index ranges made optional by an except clause */
    size_t n_guards, cap_guards;
    size_t cap_imports, cap_defs;
    lp_pyscan_result *res;
} scanner;

static int is_id_start(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_id_char(unsigned char c)
{
    return is_id_start(c) || (c >= '0' && c <= '9');
}

static int is_prefix_letter(unsigned char c)
{
    c = (unsigned char)(c | 0x20);
    return c == 'r' || c == 'b' || c == 'u' || c == 'f' || c == 't';
}

/* Length of the line end at pos (\r\n: 2, \n or \r: 1), 0 when none. */
static size_t newline_len(const scanner *s, size_t pos)
{
    if (pos >= s->len) {
        return 0;
    }
    if (s->buf[pos] == '\n') {
        return 1;
    }
    if (s->buf[pos] == '\r') {
        return (pos + 1 < s->len && s->buf[pos + 1] == '\n') ? 2 : 1;
    }
    return 0;
}

static void skip_string(scanner *s, int is_f, unsigned nest);

/* Skips an f-string replacement field; pos is just after its `{`. Stops
 * after the matching `}`, at EOF, or (single-line strings) before a line end. */
static void skip_fexpr(scanner *s, int single_line, unsigned nest)
{
    const unsigned char *b = s->buf;
    size_t d = 1;
    while (s->pos < s->len) {
        unsigned char c = b[s->pos];
        size_t nl = newline_len(s, s->pos);
        if (nl != 0) {
            if (single_line) {
                return;
            }
            s->pos += nl;
            s->line++;
            continue;
        }
        if (c == '\'' || c == '"') {
            /* a nested string; it is an f-string when its prefix has an f */
            size_t k = s->pos;
            int nlet = 0;
            int f = 0;
            while (k > 0 && nlet < 3 && is_prefix_letter(b[k - 1])) {
                k--;
                nlet++;
                if ((b[k] | 0x20) == 'f') {
                    f = 1;
                }
            }
            if (nlet > 2 || (k > 0 && is_id_char(b[k - 1])) || nest + 1 >= LP_PYSCAN_MAX_FNEST) {
                f = 0;
            }
            skip_string(s, f, nest + 1);
            continue;
        }
        if (c == '{' || c == '(' || c == '[') {
            d++;
        } else if (c == '}' || c == ')' || c == ']') {
            d--;
            if (d == 0) {
                s->pos++;
                return;
            }
        }
        s->pos++;
    }
}

/* Skips a string literal; pos is at its opening quote. A single-quoted
 * string that reaches a line end without a backslash is unterminated: the
 * scan stops before the line end so that the next line is read normally. */
static void skip_string(scanner *s, int is_f, unsigned nest)
{
    const unsigned char *b = s->buf;
    unsigned char q = b[s->pos];
    int triple = s->pos + 2 < s->len && b[s->pos + 1] == q && b[s->pos + 2] == q;
    s->pos += triple ? 3 : 1;
    while (s->pos < s->len) {
        unsigned char c = b[s->pos];
        if (c == '\\') {
            /* escapes the next character in every kind of string, raw included,
               as far as finding the end of the string is concerned */
            s->pos++;
            size_t nl = newline_len(s, s->pos);
            if (nl != 0) {
                s->pos += nl;
                s->line++;
            } else if (s->pos < s->len) {
                s->pos++;
            }
            continue;
        }
        size_t nl = newline_len(s, s->pos);
        if (nl != 0) {
            if (!triple) {
                return;
            }
            s->pos += nl;
            s->line++;
            continue;
        }
        if (c == q) {
            if (!triple) {
                s->pos++;
                return;
            }
            if (s->pos + 2 < s->len && b[s->pos + 1] == q && b[s->pos + 2] == q) {
                s->pos += 3;
                return;
            }
            s->pos++;
            continue;
        }
        if (is_f && c == '{') {
            if (s->pos + 1 < s->len && b[s->pos + 1] == '{') {
                s->pos += 2;
                continue;
            }
            s->pos++;
            skip_fexpr(s, !triple, nest);
            continue;
        }
        s->pos++;
    }
}

static size_t op_len(const scanner *s)
{
    static const char *const three[] = {"...", "**=", "//=", ">>=", "<<="};
    static const char *const two[] = {"->", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=", "/=",
                                      "%=", "&=", "|=", "^=", "@=", "**", "//", "<<", ">>"};
    const unsigned char *p = s->buf + s->pos;
    size_t avail = s->len - s->pos;
    if (avail >= 3) {
        for (size_t i = 0; i < sizeof(three) / sizeof(three[0]); i++) {
            if (memcmp(p, three[i], 3) == 0) {
                return 3;
            }
        }
    }
    if (avail >= 2) {
        for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
            if (memcmp(p, two[i], 2) == 0) {
                return 2;
            }
        }
    }
    return 1;
}

static int push_tok(scanner *s, tk_kind kind, size_t start, int line, int depth)
{
    tk *nt = lp_buf_grow(s->toks, &s->cap_toks, s->n_toks + 1, sizeof(*nt), LP_BUF_UNBOUNDED);
    if (nt == NULL) {
        return -1;
    }
    s->toks = nt;
    tk *t = &s->toks[s->n_toks++];
    t->kind = kind;
    t->off = start;
    t->len = s->pos - start;
    t->line = line;
    t->depth = depth;
    return 0;
}

/* Reads the next logical line into s->toks and its indentation into
 * *indent. Returns 1 when a line was read, 0 at EOF, -1 on ENOMEM. */
static int read_line(scanner *s, size_t *indent)
{
    const unsigned char *b = s->buf;
    s->n_toks = 0;
    s->depth = 0;
    for (;;) {
        size_t ind = 0;
        while (s->pos < s->len) {
            unsigned char c = b[s->pos];
            if (c == ' ') {
                ind++;
            } else if (c == '\t') {
                ind = (ind / 8 + 1) * 8;
            } else if (c == '\f') {
                ind = 0;
            } else {
                break;
            }
            s->pos++;
        }
        if (s->pos >= s->len) {
            return 0;
        }
        if (b[s->pos] == '#') {
            while (s->pos < s->len && newline_len(s, s->pos) == 0) {
                s->pos++;
            }
        }
        size_t nl = newline_len(s, s->pos);
        if (nl != 0) {
            s->pos += nl;
            s->line++;
            continue;
        }
        if (s->pos >= s->len) {
            return 0;
        }
        *indent = ind;
        break;
    }
    for (;;) {
        if (s->pos >= s->len) {
            return s->n_toks > 0;
        }
        unsigned char c = b[s->pos];
        if (c == ' ' || c == '\t' || c == '\f') {
            s->pos++;
            continue;
        }
        if (c == '#') {
            while (s->pos < s->len && newline_len(s, s->pos) == 0) {
                s->pos++;
            }
            continue;
        }
        size_t nl = newline_len(s, s->pos);
        if (nl != 0) {
            s->pos += nl;
            s->line++;
            if (s->depth > 0 || s->n_toks == 0) {
                continue;
            }
            return 1;
        }
        if (c == '\\') {
            s->pos++;
            nl = newline_len(s, s->pos);
            if (nl != 0) {
                s->pos += nl;
                s->line++;
            }
            continue;
        }
        size_t start = s->pos;
        int line = s->line;
        int depth = s->depth;
        if (c == '\'' || c == '"') {
            skip_string(s, 0, 0);
            if (push_tok(s, TK_STRING, start, line, depth) < 0) {
                return -1;
            }
            continue;
        }
        if (is_id_start(c)) {
            while (s->pos < s->len && is_id_char(b[s->pos])) {
                s->pos++;
            }
            size_t n = s->pos - start;
            if (s->pos < s->len && (b[s->pos] == '\'' || b[s->pos] == '"') && n <= 2 &&
                is_prefix_letter(b[start]) && (n == 1 || is_prefix_letter(b[start + 1]))) {
                int f = (b[start] | 0x20) == 'f' || (n == 2 && (b[start + 1] | 0x20) == 'f');
                skip_string(s, f, 0);
                if (push_tok(s, TK_STRING, start, line, depth) < 0) {
                    return -1;
                }
                continue;
            }
            if (push_tok(s, TK_NAME, start, line, depth) < 0) {
                return -1;
            }
            continue;
        }
        if ((c >= '0' && c <= '9') ||
            (c == '.' && s->pos + 1 < s->len && b[s->pos + 1] >= '0' && b[s->pos + 1] <= '9')) {
            s->pos++;
            while (s->pos < s->len && (is_id_char(b[s->pos]) || b[s->pos] == '.')) {
                s->pos++;
            }
            if (push_tok(s, TK_NUMBER, start, line, depth) < 0) {
                return -1;
            }
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            s->depth++;
        } else if ((c == ')' || c == ']' || c == '}') && s->depth > 0) {
            s->depth--;
            depth = s->depth;
        }
        s->pos += op_len(s);
        if (push_tok(s, TK_OP, start, line, depth) < 0) {
            return -1;
        }
    }
}

static int tk_is(const scanner *s, size_t i, tk_kind kind, const char *text)
{
    size_t n = strlen(text);
    const tk *t = &s->toks[i];
    return t->kind == kind && t->len == n && memcmp(s->buf + t->off, text, n) == 0;
}

static int is_name(const scanner *s, size_t i, const char *text)
{
    return tk_is(s, i, TK_NAME, text);
}

static int is_op(const scanner *s, size_t i, const char *text)
{
    return tk_is(s, i, TK_OP, text);
}

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

static int module_scope(const scanner *s)
{
    return s->n_def_blocks == 0 && s->n_class_blocks == 0;
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

static int add_def(scanner *s, size_t i)
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

static void free_import(lp_pyimport *im)
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
        free_import(im);
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
            if (module_scope(s) && add_def(s, bound) < 0) {
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
            if (module_scope(s) && add_def(s, bound) < 0) {
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
    free_import(&im);
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
        if (s->toks[i].kind == TK_NAME && add_def(s, i) < 0) {
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

static int simple_statement(scanner *s, size_t a, size_t end)
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
            if (s->toks[i].kind == TK_NAME && add_def(s, i) < 0) {
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
    static const char *const hard[] = {"if",     "elif",    "else", "while", "for",  "try",
                                       "except", "finally", "with", "def",   "class"};
    int is_kw = 0;
    for (size_t j = 0; j < sizeof(hard) / sizeof(hard[0]); j++) {
        is_kw |= is_name(s, k, hard[j]);
    }
    if (!is_kw && (is_name(s, 0, "match") || is_name(s, 0, "case")) && n > 2) {
        /* soft keywords: `match x:` but not `match = 1` or `match.group()` */
        const tk *t1 = &s->toks[1];
        is_kw = t1->kind != TK_OP || is_op(s, 1, "(") || is_op(s, 1, "[") || is_op(s, 1, "{") ||
                is_op(s, 1, "-") || is_op(s, 1, "*");
    }
    if (!is_kw) {
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
            if (add_def(s, k + 1) < 0) {
                return -1;
            }
        }
    } else if (is_name(s, k, "class")) {
        kind = BK_CLASS;
        if (scope && k + 1 < colon && add_def(s, k + 1) < 0) {
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
            if (is_name(s, k, "except") && ts < te) {
                size_t a = k + 1;
                if (a < colon && is_op(s, a, "*")) {
                    a++;
                }
                if (except_catches_import(s, a, colon)) {
                    range *ng = lp_buf_grow(s->guards, &s->cap_guards, s->n_guards + 1, sizeof(*ng),
                                            LP_BUF_UNBOUNDED);
                    if (ng == NULL) {
                        return -1;
                    }
                    s->guards = ng;
                    s->guards[s->n_guards].start = ts;
                    s->guards[s->n_guards].end = te;
                    s->n_guards++;
                }
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
                (is_op(s, i + 2, ",") || i + 2 == colon) && add_def(s, i + 1) < 0) {
                return -1;
            }
        }
    } else if (is_name(s, k, "for")) {
        for (size_t i = k + 1; scope && i < colon && !is_name(s, i, "in"); i++) {
            if (add_def(s, i) < 0) {
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
            if (simple_statement(s, a, i) < 0) {
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
        int got = read_line(&s, &indent);
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
        free_import(&r->imports[i]);
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
