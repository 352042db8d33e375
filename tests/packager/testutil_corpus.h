/*
 * testutil_corpus: the frozen-output test corpus, generated from a seed (tests).
 *
 * Every item is a pure function of the seed: a 64-bit xorshift generator
 * and fixed arithmetic, no library calls whose results could differ between
 * machines. The items cover what packages hold: text, source code, binary
 * tables, incompressible noise (stored-block rule), the empty input, one
 * byte, long runs, and a 16 MiB mixture that crosses every buffer boundary.
 */
#ifndef LP_TEST_CORPUS_H
#define LP_TEST_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#define CORPUS_SEED 20261202u
#define CORPUS_N 8

/* Name of item i ("text.txt", ...). */
const char *corpus_name(size_t i);

/* Generates item i; caller frees *data (never NULL, even when *len == 0). */
void corpus_make(size_t i, uint64_t seed, unsigned char **data, size_t *len);

/* SHA-256 (FIPS 180-4) of data, so the test needs nothing but libc on every
 * target; checked against OpenSSL where that is available. */
void corpus_sha256(const unsigned char *data, size_t len, unsigned char out[32]);

/* Lowercase hex of 32 bytes into out[65]. */
void corpus_hex(const unsigned char d[32], char out[65]);

#endif
