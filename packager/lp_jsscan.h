/*
 * lp_jsscan: does a JavaScript source visibly export a name?
 *
 * Recognised (CommonJS and ES modules): exports.name = / module.exports.name
 * = / exports["name"] =; module.exports = { name, name: ..., async name() };
 * esbuild's __export(x_exports, { name: () => name }); export
 * const|let|var|function|function*|async function|class name; export { a,
 * b as name }. Regular expressions are not recognised, which can only make
 * the answer "not seen". No I/O and no allocation: the input is any bytes,
 * of any length (the fuzz target tests/fuzz/fuzz_jsscan.c holds it to that).
 */
#ifndef LP_JSSCAN_H
#define LP_JSSCAN_H

#include <stddef.h>

/* 1 when the source d[0..len) visibly exports `name` (NUL-terminated), else 0. */
int lp_jsscan_exports(const unsigned char *d, size_t len, const char *name);

#endif
