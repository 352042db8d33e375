/*
 * lp_deflate: a DEFLATE (RFC 1951) encoder whose output is frozen.
 *
 * Hash-chain matchfinder (4-byte hash chains plus a one-entry 3-byte table),
 * greedy or lazy parsing per level, fixed block ends (symbol count or input
 * span), package-merge length-limited Huffman codes, and per block the
 * cheapest of dynamic, fixed and stored. Every decision depends only on the
 * input bytes and the level: positions are processed only when the full
 * match lookahead is buffered (or the input has ended), table sizes are
 * constants, ties are broken by symbol number, multi-byte values are read
 * and written byte by byte, and the window slides in a way that never
 * changes which candidates are seen. docs/internals/zip.md is the spec; a
 * change to any output byte needs a new LP_DEFLATE_FORMAT.
 */
#include "lp_deflate.h"

#include <stdlib.h>
#include <string.h>

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

/* The frozen parameter table (LP_DEFLATE_FORMAT "lpdeflate-1"). */
static const params LEVELS[10] = {
    {0, 0, 0, 0},         /* 0: stored blocks */
    {4, 16, 0, 0},        /* 1: greedy */
    {8, 32, 0, 0},        /* 2 */
    {16, 64, 0, 0},       /* 3 */
    {16, 32, 16, 8},      /* 4: lazy */
    {24, 48, 32, 12},     /* 5 */
    {35, 65, 65, 16},     /* 6: the default */
    {64, 128, 128, 32},   /* 7 */
    {192, 258, 258, 64},  /* 8 */
    {768, 258, 258, 258}, /* 9 */
};

enum mode { MODE_UNDECIDED, MODE_COMPRESS, MODE_STORE };

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

/* ---- small helpers ---- */

static uint32_t load32le(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t hash4(const unsigned char *p)
{
    return (load32le(p) * 0x1E35A7BDu) >> (32 - HASH4_BITS);
}

static uint32_t hash3(const unsigned char *p)
{
    return ((load32le(p) & 0xFFFFFFu) * 0x1E35A7BDu) >> (32 - HASH3_BITS);
}

/* Equal-or-not comparisons may use native loads: the answer does not depend
 * on the byte order. */
static uint32_t load32n(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t load64n(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Index of the first differing byte of two native 8-byte loads (x != 0). */
static uint32_t first_diff(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (uint32_t)__builtin_clzll(x) >> 3;
#else
    return (uint32_t)__builtin_ctzll(x) >> 3;
#endif
}

/* Length of the common prefix of a and b, from `from` up to limit. */
static uint32_t extend(const unsigned char *a, const unsigned char *b, uint32_t from,
                       uint32_t limit)
{
    uint32_t n = from;
    while (n + 8 <= limit) {
        uint64_t x = load64n(a + n) ^ load64n(b + n);
        if (x != 0) {
            return n + first_diff(x);
        }
        n += 8;
    }
    while (n < limit && a[n] == b[n]) {
        n++;
    }
    return n;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static uint32_t dist_sym(const lp_deflate *s, uint32_t dist)
{
    return dist <= 256 ? s->dist_code[dist - 1] : s->dist_code[256 + ((dist - 1) >> 7)];
}

/* ---- output ---- */

static void flush_out(lp_deflate *s)
{
    if (s->outpos > 0 && s->err == 0 && s->sink != NULL) {
        int rc = s->sink(s->ud, s->out, s->outpos);
        if (rc < 0) {
            s->err = rc;
        }
    }
    s->out_total += s->outpos;
    s->outpos = 0;
}

/* Appends n <= 32 bits, least significant first (RFC 1951 3.1.1). */
static void put_bits(lp_deflate *s, uint32_t bits, unsigned n)
{
    s->bitbuf |= (uint64_t)bits << s->bitcount;
    s->bitcount += n;
    if (s->bitcount >= 32) {
        unsigned char *o = s->out + s->outpos;
        o[0] = (unsigned char)s->bitbuf;
        o[1] = (unsigned char)(s->bitbuf >> 8);
        o[2] = (unsigned char)(s->bitbuf >> 16);
        o[3] = (unsigned char)(s->bitbuf >> 24);
        s->outpos += 4;
        s->bitbuf >>= 32;
        s->bitcount -= 32;
        if (s->outpos > OUTSZ - 8) {
            flush_out(s);
        }
    }
}

/* Pads with zero bits to a byte boundary and moves whole bytes out. */
static void align_byte(lp_deflate *s)
{
    s->bitcount = (s->bitcount + 7) & ~7u;
    while (s->bitcount > 0) {
        s->out[s->outpos++] = (unsigned char)s->bitbuf;
        s->bitbuf >>= 8;
        s->bitcount -= 8;
    }
    if (s->outpos > OUTSZ - 8) {
        flush_out(s);
    }
}

static void put_raw(lp_deflate *s, const unsigned char *data, size_t len)
{
    while (len > 0) {
        size_t n = OUTSZ - s->outpos;
        if (n > len) {
            n = len;
        }
        memcpy(s->out + s->outpos, data, n);
        s->outpos += n;
        data += n;
        len -= n;
        if (s->outpos == OUTSZ) {
            flush_out(s);
        }
    }
}

/* Stored blocks for data[0..len): pieces of STORED_MAX bytes, the last one
 * carrying `final`. */
static void put_stored(lp_deflate *s, const unsigned char *data, uint32_t len, int final)
{
    do {
        uint32_t n = min_u32(len, STORED_MAX);
        put_bits(s, (final && n == len) ? 1u : 0u, 1);
        put_bits(s, 0, 2);
        align_byte(s);
        unsigned char hdr[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)~n,
                                (unsigned char)(~n >> 8)};
        put_raw(s, hdr, 4);
        put_raw(s, data, n);
        data += n;
        len -= n;
    } while (len > 0);
}

/* ---- Huffman codes ---- */

/* Sorts k[0..n) ascending (n <= NLITLEN): a bottom-up merge sort through
 * tmp. The keys are distinct (the symbol is in the low bits), so the order
 * is the same whatever the sort. */
static void sort_keys(uint64_t *k, uint64_t *tmp, unsigned n)
{
    for (unsigned i = 1; i < n; i++) { /* runs of 8 by insertion */
        uint64_t v = k[i];
        unsigned j = i;
        while (j % 8 != 0 && k[j - 1] > v) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = v;
    }
    uint64_t *src = k, *dst = tmp;
    for (unsigned width = 8; width < n; width *= 2) {
        for (unsigned lo = 0; lo < n; lo += 2 * width) {
            unsigned mid = lo + width < n ? lo + width : n;
            unsigned hi = lo + 2 * width < n ? lo + 2 * width : n;
            unsigned a = lo, b = mid, o = lo;
            while (a < mid && b < hi) {
                dst[o++] = src[a] < src[b] ? src[a++] : src[b++];
            }
            while (a < mid) {
                dst[o++] = src[a++];
            }
            while (b < hi) {
                dst[o++] = src[b++];
            }
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != k) {
        memcpy(k, src, n * sizeof(*k));
    }
}

/*
 * Optimal code lengths of at most max_bits for freq[0..n) by package-merge.
 * Symbols with frequency 0 get length 0, except that a code always has at
 * least two symbols: when fewer are used, the lowest-numbered unused ones
 * are added and every used-or-added symbol gets length 1.
 */
static void huff_lengths(lp_deflate *s, const uint32_t *freq, unsigned n, unsigned max_bits,
                         uint8_t *len)
{
    uint64_t keys[NLITLEN];
    unsigned m = 0;
    memset(len, 0, n);
    for (unsigned i = 0; i < n; i++) {
        if (freq[i] > 0) {
            keys[m++] = (uint64_t)freq[i] << 16 | i;
        }
    }
    if (m < 2) {
        for (unsigned i = 0; i < n && m < 2; i++) {
            if (freq[i] == 0) {
                len[i] = 1;
                m++;
            }
        }
        for (unsigned i = 0; i < n; i++) {
            if (freq[i] > 0) {
                len[i] = 1;
            }
        }
        return;
    }
    uint64_t tmp[NLITLEN];
    sort_keys(keys, tmp, m);
    /* List d (0-based, depth d+1) holds the merge of the leaves and the
     * packages of list d+1; list max_bits-1 holds the leaves. */
    uint64_t *w = s->pm_w;
    int16_t *sy = s->pm_s;
    unsigned size[MAX_BITS];
    unsigned last = max_bits - 1;
    for (unsigned i = 0; i < m; i++) {
        w[last * PM_MAX + i] = keys[i] >> 16;
        sy[last * PM_MAX + i] = (int16_t)(keys[i] & 0xFFFF);
    }
    size[last] = m;
    for (unsigned d = last; d-- > 0;) {
        const uint64_t *pw = w + (d + 1) * PM_MAX;
        unsigned npk = size[d + 1] / 2, li = 0, pk = 0, k = 0;
        uint64_t *ow = w + d * PM_MAX;
        int16_t *os = sy + d * PM_MAX;
        while (li < m || pk < npk) {
            uint64_t lw = li < m ? keys[li] >> 16 : UINT64_MAX;
            uint64_t kw = pk < npk ? pw[2 * pk] + pw[2 * pk + 1] : UINT64_MAX;
            if (li < m && lw <= kw) {
                ow[k] = lw;
                os[k++] = (int16_t)(keys[li++] & 0xFFFF);
            } else {
                ow[k] = kw;
                os[k++] = -1;
                pk++;
            }
        }
        size[d] = k;
    }
    /* The first 2m-2 items of list 0 are chosen; the packages among the
     * first K items of list d are made of the first 2*(packages) items of
     * list d+1. Each appearance of a leaf adds one to its length. */
    unsigned take = 2 * m - 2;
    for (unsigned d = 0; d <= last && take > 0; d++) {
        unsigned pk = 0;
        for (unsigned i = 0; i < take; i++) {
            int16_t v = sy[d * PM_MAX + i];
            if (v >= 0) {
                len[v]++;
            } else {
                pk++;
            }
        }
        take = 2 * pk;
    }
}

/* Canonical codes (RFC 1951 3.2.2), bit-reversed for LSB-first output. */
static void huff_codes(const uint8_t *len, unsigned n, uint16_t *code)
{
    unsigned count[MAX_BITS + 1] = {0}, next[MAX_BITS + 2];
    for (unsigned i = 0; i < n; i++) {
        count[len[i]]++;
    }
    count[0] = 0;
    next[1] = 0;
    for (unsigned b = 1; b <= MAX_BITS; b++) {
        next[b + 1] = (next[b] + count[b]) << 1;
    }
    for (unsigned i = 0; i < n; i++) {
        unsigned l = len[i];
        if (l == 0) {
            code[i] = 0;
            continue;
        }
        unsigned c = next[l]++, r = 0;
        for (unsigned b = 0; b < l; b++) {
            r = (r << 1) | ((c >> b) & 1);
        }
        code[i] = (uint16_t)r;
    }
}

/* Run-length coded code lengths (RFC 1951 3.2.7): sym[i] with extra[i]. */
static unsigned rle_lengths(const uint8_t *lens, unsigned n, uint8_t *sym, uint8_t *extra)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n;) {
        uint8_t v = lens[i];
        unsigned run = 1;
        while (i + run < n && lens[i + run] == v) {
            run++;
        }
        i += run;
        if (v == 0) {
            while (run >= 11) {
                unsigned r = run > 138 ? 138 : run;
                sym[k] = 18;
                extra[k++] = (uint8_t)(r - 11);
                run -= r;
            }
            if (run >= 3) {
                sym[k] = 17;
                extra[k++] = (uint8_t)(run - 3);
                run = 0;
            }
        } else {
            sym[k] = v;
            extra[k++] = 0;
            run--;
            while (run >= 3) {
                unsigned r = run > 6 ? 6 : run;
                sym[k] = 16;
                extra[k++] = (uint8_t)(r - 3);
                run -= r;
            }
        }
        while (run > 0) {
            sym[k] = v;
            extra[k++] = 0;
            run--;
        }
    }
    return k;
}

static const uint8_t PRE_EXTRA_BITS[NPRE] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0, 0, 2, 3, 7};

/* The fixed code (RFC 1951 3.2.6) covers 288 literal/length symbols; 286 and
 * 287 never occur but take part in the code construction. */
#define NFIXED 288

static void fixed_lengths(uint8_t *lit, uint8_t *dist)
{
    for (unsigned i = 0; i < NFIXED; i++) {
        lit[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
    }
    for (unsigned i = 0; i < NDIST; i++) {
        dist[i] = 5;
    }
}

/* Bits of the block's symbols (EOB included) under the given lengths. */
static uint64_t data_bits(const lp_deflate *s, const uint8_t *lit, const uint8_t *dist)
{
    uint64_t bits = 0;
    for (unsigned i = 0; i < NLITLEN; i++) {
        bits +=
            (uint64_t)s->lit_freq[i] * ((uint64_t)lit[i] + (i >= 257 ? LEN_EXTRA[i - 257] : 0u));
    }
    for (unsigned i = 0; i < NDIST; i++) {
        bits += (uint64_t)s->dist_freq[i] * (dist[i] + DIST_EXTRA[i]);
    }
    return bits;
}

/* Writes the block's symbols and its end-of-block code. The bit writer's
 * state lives in locals here (the hottest output loop); it goes back into s
 * whenever the output buffer is handed to the sink, and at the end. */
static void put_symbols(lp_deflate *s, const uint8_t *llen, const uint16_t *lcode,
                        const uint8_t *dlen, const uint16_t *dcode)
{
    uint64_t bb = s->bitbuf;
    unsigned bc = s->bitcount;
    unsigned char *out = s->out;
    size_t op = s->outpos;
    const uint32_t *syms = s->syms;
#define PUT_BITS(bits, n)                                                                          \
    do {                                                                                           \
        bb |= (uint64_t)(bits) << bc;                                                              \
        bc += (n);                                                                                 \
        if (bc >= 32) {                                                                            \
            out[op] = (unsigned char)bb;                                                           \
            out[op + 1] = (unsigned char)(bb >> 8);                                                \
            out[op + 2] = (unsigned char)(bb >> 16);                                               \
            out[op + 3] = (unsigned char)(bb >> 24);                                               \
            op += 4;                                                                               \
            bb >>= 32;                                                                             \
            bc -= 32;                                                                              \
        }                                                                                          \
    } while (0)
    for (uint32_t i = 0; i < s->nsyms; i++) {
        uint32_t v = syms[i];
        if (v < 256) {
            PUT_BITS(lcode[v], llen[v]);
        } else {
            uint32_t len = v & 511, dist = v >> 9;
            unsigned lc = s->len_code[len], dc = dist_sym(s, dist);
            unsigned ln = llen[257 + lc], dn = dlen[dc];
            PUT_BITS(lcode[257 + lc] | (len - LEN_BASE[lc]) << ln, ln + LEN_EXTRA[lc]);
            PUT_BITS(dcode[dc] | (dist - DIST_BASE[dc]) << dn, dn + DIST_EXTRA[dc]);
        }
        if (op > OUTSZ - 16) {
            s->bitbuf = bb;
            s->bitcount = bc;
            s->outpos = op;
            flush_out(s);
            op = s->outpos;
        }
    }
#undef PUT_BITS
    s->bitbuf = bb;
    s->bitcount = bc;
    s->outpos = op;
    put_bits(s, lcode[256], llen[256]);
}

/* Writes the pending symbols as one block (the cheapest of dynamic, fixed
 * and stored; ties go to dynamic, then fixed) and starts a new one. */
static void flush_block(lp_deflate *s, int final)
{
    uint8_t llen[NLITLEN], dlen[NDIST], flen[NFIXED], fdlen[NDIST];
    uint8_t all[NLITLEN + NDIST], rsym[NLITLEN + NDIST], rext[NLITLEN + NDIST];
    uint8_t plen[NPRE];
    uint32_t pfreq[NPRE] = {0};
    uint16_t lcode[NFIXED], dcode[NDIST], pcode[NPRE];

    s->lit_freq[256]++;
    huff_lengths(s, s->lit_freq, NLITLEN, MAX_BITS, llen);
    huff_lengths(s, s->dist_freq, NDIST, MAX_BITS, dlen);
    unsigned hlit = NLITLEN, hdist = NDIST;
    while (hlit > 257 && llen[hlit - 1] == 0) {
        hlit--;
    }
    while (hdist > 1 && dlen[hdist - 1] == 0) {
        hdist--;
    }
    memcpy(all, llen, hlit);
    memcpy(all + hlit, dlen, hdist);
    unsigned nr = rle_lengths(all, hlit + hdist, rsym, rext);
    for (unsigned i = 0; i < nr; i++) {
        pfreq[rsym[i]]++;
    }
    huff_lengths(s, pfreq, NPRE, MAX_PRE_BITS, plen);
    unsigned hclen = NPRE;
    while (hclen > 4 && plen[PRE_ORDER[hclen - 1]] == 0) {
        hclen--;
    }
    uint64_t dyn = 3 + 5 + 5 + 4 + 3 * (uint64_t)hclen + data_bits(s, llen, dlen);
    for (unsigned i = 0; i < NPRE; i++) {
        dyn += (uint64_t)pfreq[i] * (plen[i] + PRE_EXTRA_BITS[i]);
    }
    fixed_lengths(flen, fdlen);
    uint64_t fix = 3 + data_bits(s, flen, fdlen);
    uint32_t raw = s->pos - s->block_start;
    uint64_t pieces = raw == 0 ? 1 : (raw + STORED_MAX - 1) / STORED_MAX;
    uint64_t stored = pieces * (3 + 32) + 8 * (uint64_t)raw + ((8 - (s->bitcount + 3) % 8) % 8) +
                      5 * (pieces - 1);

    if (stored < dyn && stored < fix) {
        put_stored(s, s->buf + s->block_start, raw, final);
    } else if (fix < dyn) {
        huff_codes(flen, NFIXED, lcode);
        huff_codes(fdlen, NDIST, dcode);
        put_bits(s, final ? 1u : 0u, 1);
        put_bits(s, 1, 2);
        put_symbols(s, flen, lcode, fdlen, dcode);
    } else {
        huff_codes(llen, NLITLEN, lcode);
        huff_codes(dlen, NDIST, dcode);
        huff_codes(plen, NPRE, pcode);
        put_bits(s, final ? 1u : 0u, 1);
        put_bits(s, 2, 2);
        put_bits(s, hlit - 257, 5);
        put_bits(s, hdist - 1, 5);
        put_bits(s, hclen - 4, 4);
        for (unsigned i = 0; i < hclen; i++) {
            put_bits(s, plen[PRE_ORDER[i]], 3);
        }
        for (unsigned i = 0; i < nr; i++) {
            put_bits(s, pcode[rsym[i]], plen[rsym[i]]);
            put_bits(s, rext[i], PRE_EXTRA_BITS[rsym[i]]);
        }
        put_symbols(s, llen, lcode, dlen, dcode);
    }
    s->nsyms = 0;
    memset(s->lit_freq, 0, sizeof(s->lit_freq));
    memset(s->dist_freq, 0, sizeof(s->dist_freq));
    s->block_start = s->pos;
}

/* ---- matchfinder and parser ---- */

/* The chain link from p to the older position c. Links are distances, so
 * sliding the buffer leaves them valid; a link to a position out of reach
 * of p is out of reach of every later position too, so it ends the walk. */
static uint16_t link(uint32_t p, uint32_t c)
{
    return p - c <= MAX_DIST ? (uint16_t)(p - c) : CHAIN_END;
}

static void insert(lp_deflate *s, uint32_t p)
{
    const unsigned char *c = s->buf + p;
    s->head3[hash3(c)] = p;
    uint32_t h = hash4(c);
    s->prev[p & WMASK] = link(p, s->head[h]);
    s->head[h] = p;
}

/*
 * Inserts position p (which has limit >= 4 bytes of lookahead, limit <=
 * MAX_MATCH) and returns the longest match longer than `best` found: first
 * the 3-byte table's entry (length 3 only, distance <= H3_MAX_DIST, when
 * best < 3), then up to `depth` entries of the 4-byte chain, newest first;
 * a longer match replaces the current one, an equal one does not. Returns
 * `best` unchanged (and leaves *dist) when nothing longer exists.
 */
static inline __attribute__((always_inline)) uint32_t find_insert(lp_deflate *s, uint32_t p,
                                                                  uint32_t limit, uint32_t depth,
                                                                  uint32_t best, uint32_t *dist)
{
    const unsigned char *cur = s->buf + p;
    uint32_t h3 = hash3(cur), h4 = hash4(cur);
    uint32_t c3 = s->head3[h3], c = s->head[h4];
    /* The next position's buckets are needed next: fetch them early. */
    const unsigned char *nx = cur + 1;
    __builtin_prefetch(&s->head[hash4(nx)]);
    __builtin_prefetch(&s->head3[hash3(nx)]);
    s->head3[h3] = p;
    s->prev[p & WMASK] = link(p, c);
    s->head[h4] = p;
    if (best < 3 && p - c3 <= H3_MAX_DIST) {
        const unsigned char *m = s->buf + c3;
        if (m[0] == cur[0] && m[1] == cur[1] && m[2] == cur[2]) {
            best = 3;
            *dist = p - c3;
        }
    }
    if (best >= limit) {
        return best;
    }
    /* A candidate can only beat best if its bytes 0..best all match: the
     * first four and the four ending at best are compared before the full
     * extension (the same candidates win as when comparing byte by byte). */
    const unsigned char *buf = s->buf;
    const uint16_t *prev = s->prev;
    uint32_t first = load32n(cur), nice = s->p.nice;
    uint32_t tail = best >= 3 ? load32n(cur + best - 3) : 0;
    while (depth-- > 0 && p - c <= MAX_DIST) {
        const unsigned char *m = buf + c;
        uint16_t back = prev[c & WMASK]; /* loaded early: the walk waits on it */
        if ((best < 3 || load32n(m + best - 3) == tail) && load32n(m) == first) {
            uint32_t l = extend(m, cur, 4, limit);
            if (l > best) {
                best = l;
                *dist = p - c;
                if (l >= nice || l >= limit) {
                    break;
                }
                tail = load32n(cur + best - 3);
            }
        }
        if (back == CHAIN_END) {
            break;
        }
        c -= back;
    }
    return best;
}

/* Parses positions while the full lookahead is buffered (or, when final, to
 * the end), ending blocks at SYM_MAX symbols or RAW_MAX input bytes. The
 * loop state lives in locals (stores into the symbol buffer could otherwise
 * alias it) and goes back into s before a block is written and at the end. */
static void compress_range(lp_deflate *s, int final)
{
    const params pr = s->p;
    const unsigned char *buf = s->buf;
    uint32_t end = s->end;
    uint32_t stop = final ? end : (end >= LOOKAHEAD ? end - LOOKAHEAD + 1 : 0);
    uint32_t pos = s->pos, next_insert = s->next_insert, block_start = s->block_start;
    uint32_t nsyms = s->nsyms, pend_len = s->pend_len, pend_dist = s->pend_dist;
    int pend = s->pend;
    uint32_t *syms = s->syms, *lit_freq = s->lit_freq, *dist_freq = s->dist_freq;
    while (pos < stop && s->err == 0) {
        uint32_t len = 0, dist = 0;
        if (pend) {
            len = pend_len;
            dist = pend_dist;
            pend = 0;
        } else if (end - pos >= 4) {
            len = find_insert(s, pos, min_u32(MAX_MATCH, end - pos), pr.depth, 2, &dist);
            next_insert = pos + 1;
        } else {
            next_insert = pos + 1;
        }
        if (len >= MIN_MATCH && len < pr.lazy_max && end - pos >= 5) {
            uint32_t nd = 0, depth = len >= pr.good ? (pr.depth >> 2) | 1 : (pr.depth >> 1) | 1;
            uint32_t nl =
                find_insert(s, pos + 1, min_u32(MAX_MATCH, end - pos - 1), depth, len, &nd);
            next_insert = pos + 2;
            if (nl > len) {
                syms[nsyms++] = buf[pos];
                lit_freq[buf[pos]]++;
                pos++;
                pend = 1;
                pend_len = nl;
                pend_dist = nd;
                goto block_end;
            }
        }
        if (len >= MIN_MATCH) {
            syms[nsyms++] = dist << 9 | len;
            lit_freq[257 + s->len_code[len]]++;
            dist_freq[dist_sym(s, dist)]++;
            uint32_t last = min_u32(pos + len, end >= 3 ? end - 3 : 0);
            for (uint32_t q = next_insert; q < last; q++) {
                insert(s, q);
            }
            pos += len;
            next_insert = pos;
        } else {
            syms[nsyms++] = buf[pos];
            lit_freq[buf[pos]]++;
            pos++;
        }
    block_end:
        if (nsyms >= SYM_MAX || pos - block_start >= RAW_MAX) {
            s->pos = pos;
            s->nsyms = nsyms;
            flush_block(s, 0);
            nsyms = 0;
            block_start = pos;
        }
    }
    s->pos = pos;
    s->next_insert = next_insert;
    s->nsyms = nsyms;
    s->pend = pend;
    s->pend_len = pend_len;
    s->pend_dist = pend_dist;
}

/* ---- buffer management ---- */

static void clear_tables(lp_deflate *s)
{
    memset(s->head, 0, sizeof(uint32_t) << HASH4_BITS);
    memset(s->head3, 0, sizeof(uint32_t) << HASH3_BITS);
    memset(s->prev, 0, sizeof(uint16_t) * WSIZE);
}

/* Moves the buffer down by keep bytes (a multiple of WSIZE, at most pos -
 * WSIZE). Hash-table entries below keep were at least WSIZE behind pos, out
 * of reach, and become 0 (none), which is out of reach too; chain links are
 * distances and need no change. */
static void slide(lp_deflate *s, uint32_t keep)
{
    memmove(s->buf, s->buf + keep, s->end - keep);
    s->start = s->start > keep ? s->start - keep : 0;
    s->pos -= keep;
    s->end -= keep;
    s->block_start -= keep;
    s->next_insert -= keep;
    uint32_t *tabs[2] = {s->head, s->head3};
    size_t sizes[2] = {(size_t)1 << HASH4_BITS, (size_t)1 << HASH3_BITS};
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < sizes[t]; i++) {
            uint32_t v = tabs[t][i];
            tabs[t][i] = v > keep ? v - keep : 0;
        }
    }
}

static void emit_stored_pending(lp_deflate *s, int final)
{
    while (s->end - s->pos > STORED_MAX) {
        put_stored(s, s->buf + s->pos, STORED_MAX, 0);
        s->pos += STORED_MAX;
    }
    if (final) {
        put_stored(s, s->buf + s->pos, s->end - s->pos, 1);
        s->pos = s->end;
    }
}

/* Makes room for more input when the buffer is full. */
static void make_room(lp_deflate *s)
{
    if (s->mode == MODE_STORE) {
        emit_stored_pending(s, 0);
        memmove(s->buf + WSIZE, s->buf + s->pos, s->end - s->pos);
        s->end = WSIZE + (s->end - s->pos);
        s->pos = s->block_start = s->next_insert = s->start = WSIZE;
        return;
    }
    compress_range(s, 0);
    uint32_t keep = s->pos - WSIZE;
    if (s->block_start < keep) {
        keep = s->block_start;
    }
    keep &= ~WMASK;
    if (keep > 0) {
        slide(s, keep);
    }
}

/* Decides, once PROBE_MIN bytes are in (or at the end), whether the stream
 * is compressed or stored: the first PROBE_LEN bytes are compressed as a
 * stream of their own at level 1, counting bytes only; at least
 * PROBE_RATIO_PERCENT of PROBE_LEN means stored blocks for everything. */
static void decide(lp_deflate *s, int at_end)
{
    if (at_end || s->total_in < PROBE_MIN) {
        s->mode = MODE_COMPRESS;
        return;
    }
    uint32_t saved_end = s->end;
    lp_deflate_sink saved_sink = s->sink;
    s->end = s->start + PROBE_LEN;
    s->p = LEVELS[1];
    s->sink = NULL;
    s->out_total = 0;
    compress_range(s, 1);
    flush_block(s, 1);
    align_byte(s);
    flush_out(s);
    uint64_t probe = s->out_total;
    s->end = saved_end;
    s->sink = saved_sink;
    s->p = LEVELS[s->level];
    s->out_total = 0;
    s->pos = s->block_start = s->next_insert = s->start;
    s->pend = 0;
    s->bitbuf = 0;
    s->bitcount = 0;
    clear_tables(s);
    s->mode = probe * 100 >= (uint64_t)PROBE_LEN * PROBE_RATIO_PERCENT ? MODE_STORE : MODE_COMPRESS;
}

/* ---- public interface ---- */

lp_deflate *lp_deflate_new(int level)
{
    if (level < 0 || level > 9) {
        return NULL;
    }
    lp_deflate *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->buf = calloc(1, (size_t)BUFSZ + BUFPAD);
    s->head = calloc((size_t)1 << HASH4_BITS, sizeof(uint32_t));
    s->head3 = calloc((size_t)1 << HASH3_BITS, sizeof(uint32_t));
    s->prev = calloc(WSIZE, sizeof(uint16_t));
    s->syms = calloc(SYM_MAX, sizeof(uint32_t));
    s->out = calloc(1, OUTSZ);
    s->pm_w = calloc((size_t)MAX_BITS * PM_MAX, sizeof(uint64_t));
    s->pm_s = calloc((size_t)MAX_BITS * PM_MAX, sizeof(int16_t));
    if (s->buf == NULL || s->head == NULL || s->head3 == NULL || s->prev == NULL ||
        s->syms == NULL || s->out == NULL || s->pm_w == NULL || s->pm_s == NULL) {
        lp_deflate_free(s);
        return NULL;
    }
    for (unsigned c = 0; c < 29; c++) {
        unsigned hi = c + 1 < 29 ? LEN_BASE[c + 1] : MAX_MATCH + 1;
        for (unsigned l = LEN_BASE[c]; l < hi && l <= MAX_MATCH; l++) {
            s->len_code[l] = (uint8_t)c;
        }
    }
    s->len_code[MAX_MATCH] = 28;
    for (unsigned c = 0; c < NDIST; c++) {
        unsigned lo = DIST_BASE[c], hi = lo + (1u << DIST_EXTRA[c]);
        for (unsigned d = lo; d < hi; d++) {
            if (d <= 256) {
                s->dist_code[d - 1] = (uint8_t)c;
            } else {
                s->dist_code[256 + ((d - 1) >> 7)] = (uint8_t)c;
            }
        }
    }
    s->start = 0;
    s->end = 0;
    (void)lp_deflate_reset(s, level);
    return s;
}

int lp_deflate_reset(lp_deflate *s, int level)
{
    if (s == NULL || level < 0 || level > 9) {
        return -1;
    }
    /* A new stream starts WSIZE past everything the last one left in the
     * tables, so none of it is ever in reach; only when that runs out of
     * buffer are the tables cleared. */
    uint32_t start = ((s->end + WMASK) & ~WMASK) + WSIZE;
    if (s->end == 0 || start > BUFSZ / 2) {
        clear_tables(s);
        start = WSIZE;
    }
    s->level = level;
    s->p = LEVELS[level];
    s->mode = level == 0 ? MODE_STORE : MODE_UNDECIDED;
    s->start = s->pos = s->end = s->block_start = s->next_insert = start;
    s->total_in = 0;
    s->pend = 0;
    s->nsyms = 0;
    memset(s->lit_freq, 0, sizeof(s->lit_freq));
    memset(s->dist_freq, 0, sizeof(s->dist_freq));
    s->bitbuf = 0;
    s->bitcount = 0;
    s->outpos = 0;
    s->out_total = 0;
    s->err = 0;
    return 0;
}

int lp_deflate_write(lp_deflate *s, const void *data, size_t len, lp_deflate_sink sink, void *ud)
{
    const unsigned char *in = data;
    s->sink = sink;
    s->ud = ud;
    while (len > 0 && s->err == 0) {
        if (s->end == BUFSZ) {
            make_room(s);
            continue;
        }
        size_t n = BUFSZ - s->end;
        if (n > len) {
            n = len;
        }
        memcpy(s->buf + s->end, in, n);
        s->end += (uint32_t)n;
        s->total_in += n;
        in += n;
        len -= n;
        if (s->mode == MODE_UNDECIDED && s->total_in >= PROBE_MIN) {
            decide(s, 0);
        }
    }
    if (s->err == 0 && s->outpos > OUTSZ / 2) {
        flush_out(s);
    }
    return s->err;
}

int lp_deflate_finish(lp_deflate *s, lp_deflate_sink sink, void *ud)
{
    s->sink = sink;
    s->ud = ud;
    if (s->total_in == 0) {
        put_bits(s, 1, 1); /* a final fixed block holding only end-of-block */
        put_bits(s, 1, 2);
        put_bits(s, 0, 7);
    } else {
        if (s->mode == MODE_UNDECIDED) {
            decide(s, 1);
        }
        if (s->mode == MODE_STORE) {
            emit_stored_pending(s, 1);
        } else {
            compress_range(s, 1);
            flush_block(s, 1);
        }
    }
    align_byte(s);
    flush_out(s);
    return s->err;
}

void lp_deflate_free(lp_deflate *s)
{
    if (s == NULL) {
        return;
    }
    free(s->buf);
    free(s->head);
    free(s->head3);
    free(s->prev);
    free(s->syms);
    free(s->out);
    free(s->pm_w);
    free(s->pm_s);
    free(s);
}

uint64_t lp_deflate_bound(uint64_t len)
{
    /* Every block is at most its stored size: 5 bytes per 65,535 input
     * bytes, plus one byte of header bits and 2 for an empty stream. */
    return len + 5 * (len / STORED_MAX + 1) + 8;
}

int lp_deflate_mem_sink(void *ud, const unsigned char *data, size_t len)
{
    lp_deflate_mem *m = ud;
    if (m->len + len > m->cap) {
        size_t cap = m->cap * 2 > m->len + len ? m->cap * 2 : m->len + len;
        unsigned char *g = realloc(m->data, cap);
        if (g == NULL) {
            return -2;
        }
        m->data = g;
        m->cap = cap;
    }
    memcpy(m->data + m->len, data, len);
    m->len += len;
    return 0;
}

int lp_deflate_buffer(int level, const void *in, size_t len, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (level < 0 || level > 9) {
        return -1;
    }
    lp_deflate *s = lp_deflate_new(level);
    if (s == NULL) {
        return -2;
    }
    lp_deflate_mem m = {NULL, 0, 0};
    int rc = lp_deflate_write(s, in, len, lp_deflate_mem_sink, &m);
    if (rc == 0) {
        rc = lp_deflate_finish(s, lp_deflate_mem_sink, &m);
    }
    lp_deflate_free(s);
    if (rc < 0) {
        free(m.data);
        return -2;
    }
    if (m.data == NULL && (m.data = malloc(1)) == NULL) {
        return -2;
    }
    *out = m.data;
    *out_len = m.len;
    return 0;
}
