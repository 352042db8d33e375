/*
 * lp_jsscan: a token scan of JavaScript source for a handler's export (see
 * lp_jsscan.h). The lexer knows comments, strings, template literals and
 * names; everything else is one-byte punctuation.
 */
#include "lp_jsscan.h"

#include <string.h>

typedef enum js_kind { JS_NAME, JS_STR, JS_PUNCT } js_kind;

typedef struct js_tok {
    js_kind kind;
    const unsigned char *p; /* JS_STR: the contents without quotes */
    size_t n;
} js_tok;

typedef struct js_lexer {
    const unsigned char *d;
    size_t len;
    size_t pos;
} js_lexer;

static int js_id(unsigned char ch)
{
    return ch == '_' || ch == '$' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch >= 0x80;
}

/* Next token; 0 at the end. Comments are skipped; template literals are
 * skipped as strings (their ${} parts included); regular expressions are
 * not recognised, which can only make the export check unsure. */
static int js_next(js_lexer *l, js_tok *t)
{
    const unsigned char *d = l->d;
    for (;;) {
        while (l->pos < l->len && (d[l->pos] == ' ' || d[l->pos] == '\t' || d[l->pos] == '\n' ||
                                   d[l->pos] == '\r' || d[l->pos] == '\f' || d[l->pos] == '\v')) {
            l->pos++;
        }
        if (l->pos >= l->len) {
            return 0;
        }
        if (d[l->pos] == '/' && l->pos + 1 < l->len && d[l->pos + 1] == '/') {
            while (l->pos < l->len && d[l->pos] != '\n') {
                l->pos++;
            }
            continue;
        }
        if (d[l->pos] == '/' && l->pos + 1 < l->len && d[l->pos + 1] == '*') {
            l->pos += 2;
            while (l->pos + 1 < l->len && !(d[l->pos] == '*' && d[l->pos + 1] == '/')) {
                l->pos++;
            }
            l->pos = l->pos + 2 < l->len ? l->pos + 2 : l->len;
            continue;
        }
        break;
    }
    unsigned char ch = d[l->pos];
    if (ch == '\'' || ch == '"' || ch == '`') {
        size_t start = ++l->pos;
        size_t braces = 0;
        while (l->pos < l->len) {
            unsigned char x = d[l->pos];
            if (x == '\\') {
                l->pos += 2;
                continue;
            }
            if (ch == '`' && x == '$' && l->pos + 1 < l->len && d[l->pos + 1] == '{') {
                braces++;
                l->pos += 2;
                continue;
            }
            if (ch == '`' && braces > 0 && x == '}') {
                braces--;
            } else if (x == ch && braces == 0) {
                break;
            } else if (x == '\n' && ch != '`') {
                break;
            }
            l->pos++;
        }
        if (l->pos > l->len) {
            l->pos = l->len;
        }
        t->kind = JS_STR;
        t->p = d + start;
        t->n = l->pos - start;
        if (l->pos < l->len) {
            l->pos++;
        }
        return 1;
    }
    if (js_id(ch)) {
        size_t start = l->pos;
        while (l->pos < l->len && js_id(d[l->pos])) {
            l->pos++;
        }
        t->kind = JS_NAME;
        t->p = d + start;
        t->n = l->pos - start;
        return 1;
    }
    t->kind = JS_PUNCT;
    t->p = d + l->pos;
    t->n = 1;
    l->pos++;
    return 1;
}

static int js_is(const js_tok *t, js_kind kind, const char *s)
{
    size_t n = strlen(s);
    /* n == 0: an empty token may have no text (p NULL), which memcmp must not see. */
    return t->kind == kind && t->n == n && (n == 0 || memcmp(t->p, s, n) == 0);
}

int lp_jsscan_exports(const unsigned char *d, size_t len, const char *name)
{
    js_lexer l = {d, len, 0};
    js_tok w[6]; /* sliding window of the last tokens, w[5] newest */
    memset(w, 0, sizeof(w));
    int obj_depth = 0; /* inside `module.exports = {` / `__export(x, {`: brace depth */
    int in_export_list = 0;
    js_tok t;
    while (js_next(&l, &t)) {
        memmove(w, w + 1, 5 * sizeof(w[0]));
        w[5] = t;
        int is_target = (t.kind == JS_NAME || t.kind == JS_STR) && js_is(&t, t.kind, name);
        if (obj_depth > 0) {
            if (js_is(&t, JS_PUNCT, "{") || js_is(&t, JS_PUNCT, "(") || js_is(&t, JS_PUNCT, "[")) {
                obj_depth++;
            } else if (js_is(&t, JS_PUNCT, "}") || js_is(&t, JS_PUNCT, ")") ||
                       js_is(&t, JS_PUNCT, "]")) {
                obj_depth--;
            } else if (obj_depth == 1 && is_target &&
                       (js_is(&w[4], JS_PUNCT, "{") || js_is(&w[4], JS_PUNCT, ",") ||
                        js_is(&w[4], JS_NAME, "async"))) {
                return 1; /* a key or shorthand property of the exports object */
            }
            continue;
        }
        if (in_export_list) {
            if (js_is(&t, JS_PUNCT, "}")) {
                in_export_list = 0;
            } else if (is_target && !js_is(&w[4], JS_NAME, "as")) {
                /* `export { name }` or `export { x as name }`; `export { name as y }`
                   exports y, which the next token tells */
                js_tok nx;
                js_lexer save = l;
                if (!(js_next(&l, &nx) && js_is(&nx, JS_NAME, "as"))) {
                    return 1;
                }
                l = save;
            } else if (is_target) {
                return 1;
            }
            continue;
        }
        /* exports.name = / module.exports.name = / exports["name"] = */
        if (js_is(&t, JS_PUNCT, "=") && w[4].kind != JS_PUNCT) {
            if (js_is(&w[4], JS_NAME, name) && js_is(&w[3], JS_PUNCT, ".") &&
                js_is(&w[2], JS_NAME, "exports")) {
                return 1;
            }
        }
        if (js_is(&t, JS_PUNCT, "=") && js_is(&w[4], JS_PUNCT, "]") && js_is(&w[3], JS_STR, name) &&
            js_is(&w[2], JS_PUNCT, "[") && js_is(&w[1], JS_NAME, "exports")) {
            return 1;
        }
        /* module.exports = { ... } */
        if (js_is(&t, JS_PUNCT, "{") && js_is(&w[4], JS_PUNCT, "=") &&
            js_is(&w[3], JS_NAME, "exports") && js_is(&w[2], JS_PUNCT, ".") &&
            js_is(&w[1], JS_NAME, "module")) {
            obj_depth = 1;
            continue;
        }
        /* esbuild's CommonJS output: __export(x_exports, { name: () => name }) */
        if (js_is(&t, JS_PUNCT, "{") && js_is(&w[4], JS_PUNCT, ",") && w[3].kind == JS_NAME &&
            js_is(&w[2], JS_PUNCT, "(") && js_is(&w[1], JS_NAME, "__export")) {
            obj_depth = 1;
            continue;
        }
        /* export { a, b as name } */
        if (js_is(&t, JS_PUNCT, "{") && js_is(&w[4], JS_NAME, "export")) {
            in_export_list = 1;
            continue;
        }
        /* export const|let|var|function|class name; export async function name */
        if (is_target && t.kind == JS_NAME) {
            const js_tok *k = &w[4];
            if (js_is(k, JS_PUNCT, "*")) {
                k = &w[3]; /* generator */
            }
            const js_tok *e = k - 1;
            if (js_is(k, JS_NAME, "function") && js_is(e, JS_NAME, "async")) {
                e--;
            }
            if ((js_is(k, JS_NAME, "const") || js_is(k, JS_NAME, "let") ||
                 js_is(k, JS_NAME, "var") || js_is(k, JS_NAME, "function") ||
                 js_is(k, JS_NAME, "class")) &&
                e >= w && js_is(e, JS_NAME, "export")) {
                return 1;
            }
        }
    }
    return 0;
}
