/*
 * lp_deflate_block: the frozen encoder's block writer. A block's symbols
 * become bits here: optimal length-limited Huffman codes by package-merge,
 * each block costed exactly as dynamic, fixed and stored and written as the
 * cheapest, and the bit writer itself. Nothing here depends on anything but
 * the symbols and the stream's bit position (docs/internals/zip.md).
 */
#include "lp_deflate_int.h"

#include <string.h>

/* ---- output ---- */

void lp_deflate_flush_out(lp_deflate *s)
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
/* Appends n <= 32 bits to the bit buffer *bb holding *bc bits, least
 * significant first (RFC 1951 3.1.1), moving each 4 whole bytes to out at
 * *op. The one bit writer: lp_deflate_put_bits runs it on the stream's
 * state, put_symbols on copies in locals. */
static inline void append_bits(uint64_t *bb, unsigned *bc, unsigned char *out, size_t *op,
                               uint32_t bits, unsigned n)
{
    *bb |= (uint64_t)bits << *bc;
    *bc += n;
    if (*bc >= 32) {
        unsigned char *o = out + *op;
        o[0] = (unsigned char)*bb;
        o[1] = (unsigned char)(*bb >> 8);
        o[2] = (unsigned char)(*bb >> 16);
        o[3] = (unsigned char)(*bb >> 24);
        *op += 4;
        *bb >>= 32;
        *bc -= 32;
    }
}

void lp_deflate_put_bits(lp_deflate *s, uint32_t bits, unsigned n)
{
    append_bits(&s->bitbuf, &s->bitcount, s->out, &s->outpos, bits, n);
    if (s->outpos > OUTSZ - 8) {
        lp_deflate_flush_out(s);
    }
}

/* Pads with zero bits to a byte boundary and moves whole bytes out. */
void lp_deflate_align_byte(lp_deflate *s)
{
    s->bitcount = (s->bitcount + 7) & ~7u;
    while (s->bitcount > 0) {
        s->out[s->outpos++] = (unsigned char)s->bitbuf;
        s->bitbuf >>= 8;
        s->bitcount -= 8;
    }
    if (s->outpos > OUTSZ - 8) {
        lp_deflate_flush_out(s);
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
            lp_deflate_flush_out(s);
        }
    }
}

/* Stored blocks for data[0..len): pieces of STORED_MAX bytes, the last one
 * carrying `final`. */
void lp_deflate_put_stored(lp_deflate *s, const unsigned char *data, uint32_t len, int final)
{
    do {
        uint32_t n = min_u32(len, STORED_MAX);
        lp_deflate_put_bits(s, (final && n == len) ? 1u : 0u, 1);
        lp_deflate_put_bits(s, 0, 2);
        lp_deflate_align_byte(s);
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
    for (uint32_t i = 0; i < s->nsyms; i++) {
        uint32_t v = syms[i];
        if (v < 256) {
            append_bits(&bb, &bc, out, &op, lcode[v], llen[v]);
        } else {
            uint32_t len = v & 511, dist = v >> 9;
            unsigned lc = s->len_code[len], dc = dist_sym(s, dist);
            unsigned ln = llen[257 + lc], dn = dlen[dc];
            append_bits(&bb, &bc, out, &op, lcode[257 + lc] | (len - LEN_BASE[lc]) << ln,
                        ln + LEN_EXTRA[lc]);
            append_bits(&bb, &bc, out, &op, dcode[dc] | (dist - DIST_BASE[dc]) << dn,
                        dn + DIST_EXTRA[dc]);
        }
        if (op > OUTSZ - 16) {
            s->bitbuf = bb;
            s->bitcount = bc;
            s->outpos = op;
            lp_deflate_flush_out(s);
            op = s->outpos;
        }
    }
    s->bitbuf = bb;
    s->bitcount = bc;
    s->outpos = op;
    lp_deflate_put_bits(s, lcode[256], llen[256]);
}

/* Writes the pending symbols as one block (the cheapest of dynamic, fixed
 * and stored; ties go to dynamic, then fixed) and starts a new one. */
void lp_deflate_flush_block(lp_deflate *s, int final)
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
        lp_deflate_put_stored(s, s->buf + s->block_start, raw, final);
    } else if (fix < dyn) {
        huff_codes(flen, NFIXED, lcode);
        huff_codes(fdlen, NDIST, dcode);
        lp_deflate_put_bits(s, final ? 1u : 0u, 1);
        lp_deflate_put_bits(s, 1, 2);
        put_symbols(s, flen, lcode, fdlen, dcode);
    } else {
        huff_codes(llen, NLITLEN, lcode);
        huff_codes(dlen, NDIST, dcode);
        huff_codes(plen, NPRE, pcode);
        lp_deflate_put_bits(s, final ? 1u : 0u, 1);
        lp_deflate_put_bits(s, 2, 2);
        lp_deflate_put_bits(s, hlit - 257, 5);
        lp_deflate_put_bits(s, hdist - 1, 5);
        lp_deflate_put_bits(s, hclen - 4, 4);
        for (unsigned i = 0; i < hclen; i++) {
            lp_deflate_put_bits(s, plen[PRE_ORDER[i]], 3);
        }
        for (unsigned i = 0; i < nr; i++) {
            lp_deflate_put_bits(s, pcode[rsym[i]], plen[rsym[i]]);
            lp_deflate_put_bits(s, rext[i], PRE_EXTRA_BITS[rsym[i]]);
        }
        put_symbols(s, llen, lcode, dlen, dcode);
    }
    s->nsyms = 0;
    memset(s->lit_freq, 0, sizeof(s->lit_freq));
    memset(s->dist_freq, 0, sizeof(s->dist_freq));
    s->block_start = s->pos;
}
