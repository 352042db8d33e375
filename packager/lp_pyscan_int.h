/*
 * lp_pyscan_int: what the parts of the Python scanner share (lp_pyscan.h is
 * the contract). lp_pyscan_lex.c turns the buffer into logical lines of
 * tokens; lp_pyscan_stmt.c reads the simple statements of a line (imports,
 * bindings, __all__); lp_pyscan.c keeps the stack of blocks, the guards and
 * the result. Private to the packager.
 */
#ifndef LP_PYSCAN_INT_H
#define LP_PYSCAN_INT_H

#include <stddef.h>
#include <string.h>

#include "lp_pyscan.h"

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

/* ---- tokens (lp_pyscan_lex.c) ---- */

/* Reads the next logical line into s->toks and its indentation into
 * *indent. Returns 1 when a line was read, 0 at EOF, -1 on ENOMEM. */
int lp_pyscan_lex_line(scanner *s, size_t *indent);

/* ---- simple statements (lp_pyscan_stmt.c) ---- */

/* Reads the simple statement toks[a, end): imports anywhere, bindings at
 * module scope. 0, or -1 on ENOMEM. */
int lp_pyscan_stmt_simple(scanner *s, size_t a, size_t end);

/* Adds the name toks[i] to the module-level names (keywords are not names).
 * 0, or -1 on ENOMEM. */
int lp_pyscan_stmt_add_def(scanner *s, size_t i);

/* Frees the strings of an import (not im itself). */
void lp_pyscan_stmt_free_import(lp_pyimport *im);

/* ---- token tests ---- */

static inline int tk_is(const scanner *s, size_t i, tk_kind kind, const char *text)
{
    size_t n = strlen(text);
    const tk *t = &s->toks[i];
    return t->kind == kind && t->len == n && memcmp(s->buf + t->off, text, n) == 0;
}

static inline int is_name(const scanner *s, size_t i, const char *text)
{
    return tk_is(s, i, TK_NAME, text);
}

static inline int is_op(const scanner *s, size_t i, const char *text)
{
    return tk_is(s, i, TK_OP, text);
}

static inline int module_scope(const scanner *s)
{
    return s->n_def_blocks == 0 && s->n_class_blocks == 0;
}

#endif
