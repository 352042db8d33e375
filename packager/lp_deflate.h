/*
 * lp_deflate: our own DEFLATE (RFC 1951) encoder, with frozen output
 * (internal).
 *
 * The bytes it produces for an input and a level are a pure function of those
 * two: not of the CPU, word size, endianness, thread count, addresses or of
 * how the input is split into lp_deflate_write calls. They are frozen under
 * LP_DEFLATE_FORMAT; changing any output byte for any input needs a new
 * format name. The algorithm (matchfinder, lazy rule, block ends, Huffman
 * construction, incompressible-data rule) is specified in
 * docs/internals/zip.md. No I/O: bytes come in through lp_deflate_write and
 * go out through a sink callback; memory is a constant per stream
 * (LP_DEFLATE_MEMORY), whatever the input size.
 */
#ifndef LP_DEFLATE_H
#define LP_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

/* Name of the frozen output definition; part of the writer identity. */
#define LP_DEFLATE_FORMAT "lpdeflate-1"

/* Approximate bytes allocated by one stream (for memory budgets). */
#define LP_DEFLATE_MEMORY ((size_t)2 << 20)

typedef struct lp_deflate lp_deflate;

/* Receives compressed bytes in order; returns 0, or a negative value that
 * aborts the stream (lp_deflate_write/finish then return that value). */
typedef int (*lp_deflate_sink)(void *ud, const unsigned char *data, size_t len);

/* A stream at level 0-9 (0: stored blocks only; 6 is the default). NULL when
 * the level is out of range or memory is short. */
lp_deflate *lp_deflate_new(int level);

/* Starts a new stream on s at the given level (reuses the allocation).
 * Returns 0, or -1 for a bad level. */
int lp_deflate_reset(lp_deflate *s, int level);

/* Accepts len more input bytes; compressed bytes may be passed to sink. */
int lp_deflate_write(lp_deflate *s, const void *data, size_t len, lp_deflate_sink sink, void *ud);

/* Ends the stream: everything left goes to sink, ending with the final
 * block. The stream must be reset before it is written to again. */
int lp_deflate_finish(lp_deflate *s, lp_deflate_sink sink, void *ud);

/* Frees a stream. Accepts NULL. */
void lp_deflate_free(lp_deflate *s);

/* An upper bound of the compressed size of len input bytes at any level. */
uint64_t lp_deflate_bound(uint64_t len);

/* A growing memory buffer and its sink: lp_deflate_write(s, d, n,
 * lp_deflate_mem_sink, &mem). The caller frees mem.data. */
typedef struct lp_deflate_mem {
    unsigned char *data;
    size_t len, cap;
} lp_deflate_mem;

int lp_deflate_mem_sink(void *ud, const unsigned char *data, size_t len);

/* One-shot: compresses in[0..len) at level into a new buffer (*out, freed by
 * the caller; *out_len bytes). Returns 0, -1 for a bad level, -2 when
 * memory is short. */
int lp_deflate_buffer(int level, const void *in, size_t len, unsigned char **out, size_t *out_len);

#endif
