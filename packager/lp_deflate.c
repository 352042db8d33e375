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
#include "lp_deflate_int.h"

#include <stdlib.h>
#include <string.h>

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
            lp_deflate_flush_block(s, 0);
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
        lp_deflate_put_stored(s, s->buf + s->pos, STORED_MAX, 0);
        s->pos += STORED_MAX;
    }
    if (final) {
        lp_deflate_put_stored(s, s->buf + s->pos, s->end - s->pos, 1);
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
    lp_deflate_flush_block(s, 1);
    lp_deflate_align_byte(s);
    lp_deflate_flush_out(s);
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
        lp_deflate_flush_out(s);
    }
    return s->err;
}

int lp_deflate_finish(lp_deflate *s, lp_deflate_sink sink, void *ud)
{
    s->sink = sink;
    s->ud = ud;
    if (s->total_in == 0) {
        lp_deflate_put_bits(s, 1, 1); /* a final fixed block holding only end-of-block */
        lp_deflate_put_bits(s, 1, 2);
        lp_deflate_put_bits(s, 0, 7);
    } else {
        if (s->mode == MODE_UNDECIDED) {
            decide(s, 1);
        }
        if (s->mode == MODE_STORE) {
            emit_stored_pending(s, 1);
        } else {
            compress_range(s, 1);
            lp_deflate_flush_block(s, 1);
        }
    }
    lp_deflate_align_byte(s);
    lp_deflate_flush_out(s);
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
