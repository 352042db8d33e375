/*
 * lp_deflate_int: what the two halves of the frozen encoder share
 * (internal): the format's constants, the stream's state, and the block
 * writer's entry points. lp_deflate.c is the match finder, the parser and
 * the buffer; lp_deflate_block.c turns a block's symbols into bits (Huffman
 * codes by package-merge, the cheapest of dynamic, fixed and stored).
 * docs/internals/zip.md is the spec of both.
 */
#ifndef LP_DEFLATE_INT_H
#define LP_DEFLATE_INT_H

#include "lp_deflate.h"

#include <stddef.h>
#include <stdint.h>

#define WSIZE ((uint32_t)32768)
#define WMASK (WSIZE - 1)
#define MAX_DIST ((uint32_t)32767)
#define MIN_MATCH 3
#define MAX_MATCH 258
#define LOOKAHEAD ((uint32_t)262) /* bytes after a position before it is parsed */
#define BUFSZ ((uint32_t)1 << 20) /* input buffer, window included */
#define BUFPAD 16
#define HASH4_BITS 15
#define HASH3_BITS 14
/* A chain link that ends the walk: the previous position is out of reach. */
#define CHAIN_END ((uint16_t)0xFFFF)
#define H3_MAX_DIST ((uint32_t)4096) /* farthest length-3 match */
#define SYM_MAX ((uint32_t)32768)    /* symbols per block */
#define RAW_MAX ((uint32_t)1 << 18)  /* input bytes per block (a block may exceed by < 258) */
#define OUTSZ ((size_t)65536)
#define STORED_MAX ((uint32_t)65535)
#define PROBE_MIN ((uint64_t)256 * 1024) /* inputs this large are probed */
#define PROBE_LEN ((uint32_t)65536)      /* the probe: the first 64 KiB at level 1 */
#define PROBE_RATIO_PERCENT 97

#define NLITLEN 286
#define NDIST 30
#define NPRE 19
#define MAX_BITS 15
#define MAX_PRE_BITS 7
#define PM_MAX (2 * NLITLEN)

typedef struct params {
    uint32_t depth;    /* hash-chain candidates examined per search */
    uint32_t nice;     /* a match this long ends the search */
    uint32_t lazy_max; /* look one position ahead only below this length (0: greedy) */
    uint32_t good;     /* the look-ahead search uses depth/2, or depth/4 at or above this length */
} params;

static const uint16_t LEN_BASE[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LEN_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t DIST_BASE[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
static const uint8_t PRE_ORDER[NPRE] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                        11, 4,  12, 3, 13, 2, 14, 1, 15};

enum mode { MODE_UNDECIDED, MODE_COMPRESS, MODE_STORE };

struct lp_deflate {
    int level;
    params p;
    enum mode mode;
    unsigned char *buf; /* BUFSZ + BUFPAD */
    uint32_t *head;     /* 4-byte hash -> newest position, 0 = none */
    uint32_t *head3;    /* 3-byte hash -> newest position */
    uint16_t *prev;     /* position & WMASK -> distance back to the previous position with
                           the same 4-byte hash, or CHAIN_END */
    uint32_t start, pos, end, block_start, next_insert;
    uint64_t total_in;
    int pend; /* a match search result for pos is pending (lazy parsing) */
    uint32_t pend_len, pend_dist;
    /* the current block */
    uint32_t *syms; /* literal byte, or dist << 9 | len */
    uint32_t nsyms;
    uint32_t lit_freq[NLITLEN], dist_freq[NDIST];
    uint8_t len_code[MAX_MATCH + 1];
    uint8_t dist_code[512];
    /* output */
    uint64_t bitbuf;
    unsigned bitcount;
    unsigned char *out;
    size_t outpos;
    uint64_t out_total;
    lp_deflate_sink sink; /* NULL: count only (the probe) */
    void *ud;
    int err;
    /* package-merge scratch */
    uint64_t *pm_w; /* MAX_BITS lists of PM_MAX weights */
    int16_t *pm_s;  /* symbol, or -1 for a package */
};

static inline uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static inline uint32_t dist_sym(const lp_deflate *s, uint32_t dist)
{
    return dist <= 256 ? s->dist_code[dist - 1] : s->dist_code[256 + ((dist - 1) >> 7)];
}

/* ---- the block writer (lp_deflate_block.c) ---- */

/* Hands the output buffer to the sink (none: only counted). */
void lp_deflate_flush_out(lp_deflate *s);
/* Appends n <= 32 bits, least significant first. */
void lp_deflate_put_bits(lp_deflate *s, uint32_t bits, unsigned n);
/* Pads with zero bits to a byte boundary. */
void lp_deflate_align_byte(lp_deflate *s);
/* Stored blocks for data[0..len), the last one carrying `final`. */
void lp_deflate_put_stored(lp_deflate *s, const unsigned char *data, uint32_t len, int final);
/* Writes the pending symbols as one block and starts a new one. */
void lp_deflate_flush_block(lp_deflate *s, int final);

#endif
