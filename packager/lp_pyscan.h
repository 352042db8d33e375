/*
 * lp_pyscan: finds the imports and module-level names of a Python source.
 *
 * A tokenizer for Python 3 source written in C: it takes a buffer (no I/O),
 * understands strings of every kind (prefixes, triple quotes, escapes,
 * f-strings with nested replacement fields), comments, implicit line joining
 * inside brackets, backslash continuations, indentation, `;`-separated
 * statements, CRLF/CR line ends and a UTF-8 BOM (source is treated as bytes),
 * and reports:
 *   - every import statement (module, imported names, relative level, line,
 *     whether it is optional and whether it runs only when a function runs);
 *   - the names bound at module scope (def, async def, class, assignments,
 *     imports, for/with targets, `global` declarations, and the string
 *     literals of `__all__ = [...]`).
 * It never executes anything and never fails on malformed Python: it reports
 * what it can see. Work is linear in the input; nothing recurses on input
 * structure except f-string nesting, which is capped at LP_PYSCAN_MAX_FNEST.
 *
 * Internal to the packager (used by lp_check). See docs/internals/checks.md.
 */
#ifndef LP_PYSCAN_H
#define LP_PYSCAN_H

#include <stddef.h>

#include "lp_error.h"

#define LP_PYSCAN_MAX_INPUT ((size_t)64 * 1024 * 1024) /* larger buffers: LP_ELIMIT */
#define LP_PYSCAN_MAX_NAME 1024                        /* longer dotted names are not reported */
#define LP_PYSCAN_MAX_FNEST 8 /* deeper nested f-strings are skipped as plain strings */

typedef struct lp_pyimport {
    char *module; /* dotted name after any leading dots: "shared.logic.courses";
                     "" for `from . import x` */
    int level;    /* number of leading dots (relative import), 0 when absolute */
    int is_from;  /* 1: `from module import names`; 0: `import module` */
    char **names; /* from-imports: the imported names as written before any
                     `as` ("*" for a star import); NULL for plain imports */
    size_t n_names;
    int line;        /* 1-based line of the `import`/`from` keyword */
    int guarded;     /* 1: optional: inside `try:` whose handlers catch ImportError,
                        ModuleNotFoundError, Exception, BaseException or everything,
                        inside `if TYPE_CHECKING:`/`if typing.TYPE_CHECKING:`,
                        inside `if __name__ == "__main__":` (never runs on import),
                        or inside `with suppress(ImportError):` */
    int in_function; /* 1: inside a def body: runs when the function is called */
} lp_pyimport;

typedef struct lp_pyscan_result {
    lp_pyimport *imports; /* in source order; `from __future__` imports are left out */
    size_t n_imports;
    char **defs; /* names bound at module scope, sorted bytewise, each once */
    size_t n_defs;
    int star_import; /* module scope has `from x import *`: more names may exist */
    int dynamic;     /* module defines __getattr__, calls globals()/exec() or
                        touches sys.modules: names (and submodules) may be
                        bound in ways a scanner cannot see */
} lp_pyscan_result;

/*
 * Scans buf[0..len). On success returns 0 and sets *out (caller frees with
 * lp_pyscan_free). Returns LP_ELIMIT when len > LP_PYSCAN_MAX_INPUT and
 * LP_ENOMEM when memory runs out; err is filled (path left empty).
 * Malformed Python is not an error.
 */
int lp_pyscan_scan(lp_pyscan_result **out, const unsigned char *buf, size_t len, lp_error *err);

/* Frees a result. Accepts NULL. */
void lp_pyscan_free(lp_pyscan_result *r);

/* 1 when `name` is bound at module scope according to r, else 0. */
int lp_pyscan_defines(const lp_pyscan_result *r, const char *name);

#endif
