/*
 * lp_pyscan_lex: the tokenizer of lp_pyscan. Reads one logical line at a
 * time: physical lines joined inside brackets and after backslashes,
 * comments and blank lines dropped, indentation measured with tabs to the
 * next multiple of 8 (a form feed resets it). Tokens are names, numbers,
 * strings and operators, each with its line and bracket depth; strings of
 * every kind (prefixes, triple quotes, escapes, f-strings with nested
 * replacement fields) are skipped without being interpreted.
 *
 * Owns only the scanner's token array. Must not do I/O, or recurse except
 * on f-string nesting (capped at LP_PYSCAN_MAX_FNEST).
 */
#include "lp_pyscan_int.h"

#include <string.h>

#include "lp_buf.h"

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

/* Skips blank and comment-only lines up to the first token of the next
 * line, whose indentation goes into *indent. Returns 1, or 0 at EOF. */
static int start_line(scanner *s, size_t *indent)
{
    const unsigned char *b = s->buf;
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
        return 1;
    }
}

/* Reads a name at start, or a string when the name is its prefix. */
static int read_name(scanner *s, size_t start, int line, int depth)
{
    const unsigned char *b = s->buf;
    while (s->pos < s->len && is_id_char(b[s->pos])) {
        s->pos++;
    }
    size_t n = s->pos - start;
    if (s->pos < s->len && (b[s->pos] == '\'' || b[s->pos] == '"') && n <= 2 &&
        is_prefix_letter(b[start]) && (n == 1 || is_prefix_letter(b[start + 1]))) {
        int f = (b[start] | 0x20) == 'f' || (n == 2 && (b[start + 1] | 0x20) == 'f');
        skip_string(s, f, 0);
        return push_tok(s, TK_STRING, start, line, depth);
    }
    return push_tok(s, TK_NAME, start, line, depth);
}

/* Reads the token at s->pos (not blank, a comment, a line end or a
 * backslash). Returns 0, or -1 on ENOMEM. */
static int read_token(scanner *s)
{
    const unsigned char *b = s->buf;
    unsigned char c = b[s->pos];
    size_t start = s->pos;
    int line = s->line;
    int depth = s->depth;
    if (c == '\'' || c == '"') {
        skip_string(s, 0, 0);
        return push_tok(s, TK_STRING, start, line, depth);
    }
    if (is_id_start(c)) {
        return read_name(s, start, line, depth);
    }
    if ((c >= '0' && c <= '9') ||
        (c == '.' && s->pos + 1 < s->len && b[s->pos + 1] >= '0' && b[s->pos + 1] <= '9')) {
        s->pos++;
        while (s->pos < s->len && (is_id_char(b[s->pos]) || b[s->pos] == '.')) {
            s->pos++;
        }
        return push_tok(s, TK_NUMBER, start, line, depth);
    }
    if (c == '(' || c == '[' || c == '{') {
        s->depth++;
    } else if ((c == ')' || c == ']' || c == '}') && s->depth > 0) {
        s->depth--;
        depth = s->depth;
    }
    s->pos += op_len(s);
    return push_tok(s, TK_OP, start, line, depth);
}

int lp_pyscan_lex_line(scanner *s, size_t *indent)
{
    const unsigned char *b = s->buf;
    s->n_toks = 0;
    s->depth = 0;
    if (!start_line(s, indent)) {
        return 0;
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
        if (read_token(s) < 0) {
            return -1;
        }
    }
}
