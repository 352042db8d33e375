/*
 * testutil_corpus: seeded test inputs and a self-contained SHA-256 (see testutil_corpus.h).
 */
#include "testutil_corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const NAMES[CORPUS_N] = {
    "empty",     "one-byte",  "text.txt", "source.py",
    "table.bin", "noise.bin", "runs.bin", "mixed-16MiB.bin",
};

const char *corpus_name(size_t i)
{
    return i < CORPUS_N ? NAMES[i] : "";
}

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static uint32_t below(rng *r, uint32_t n)
{
    return (uint32_t)((next(r) >> 32) % n);
}

typedef struct out {
    unsigned char *p;
    size_t len, cap;
} out;

static void put(out *o, const void *d, size_t n)
{
    if (o->len + n > o->cap) {
        while (o->len + n > o->cap) {
            o->cap = o->cap ? o->cap * 2 : 4096;
        }
        o->p = realloc(o->p, o->cap);
        if (o->p == NULL) {
            abort();
        }
    }
    memcpy(o->p + o->len, d, n);
    o->len += n;
}

static void putc_(out *o, unsigned char c)
{
    put(o, &c, 1);
}

/* A word of 1-10 letters from a 400-word vocabulary, Zipf-like. */
static void word(rng *r, out *o)
{
    uint32_t k = below(r, 400);
    k = k * k / 400; /* favours small indices */
    rng w = {0x9E3779B97F4A7C15ull * (k + 1)};
    uint32_t n = 1 + below(&w, 10);
    for (uint32_t i = 0; i < n; i++) {
        putc_(o, (unsigned char)('a' + below(&w, 26)));
    }
}

static void text(rng *r, out *o, size_t n)
{
    size_t end = o->len + n;
    while (o->len < end) {
        word(r, o);
        uint32_t p = below(r, 20);
        put(o, p == 0 ? ".\n" : p == 1 ? ", " : " ", p < 2 ? 2 : 1);
    }
    o->len = end;
}

static void source(rng *r, out *o, size_t n)
{
    static const char *const KW[] = {"def ",  "return ", "if ",  "for ", "in ", "import ", "class ",
                                     "self.", "None",    "True", " = ",  "(",   ")",       ":",
                                     ", ",    "[",       "]",    " + ",  " == "};
    size_t end = o->len + n;
    uint32_t indent = 0;
    while (o->len < end) {
        for (uint32_t i = 0; i < indent; i++) {
            put(o, "    ", 4);
        }
        uint32_t toks = 2 + below(r, 8);
        for (uint32_t t = 0; t < toks; t++) {
            if (below(r, 3) == 0) {
                const char *k = KW[below(r, sizeof(KW) / sizeof(KW[0]))];
                put(o, k, strlen(k));
            } else {
                word(r, o);
            }
        }
        putc_(o, '\n');
        uint32_t d = below(r, 4);
        indent = d == 0 && indent > 0 ? indent - 1 : d == 1 && indent < 4 ? indent + 1 : indent;
    }
    o->len = end;
}

static void table(rng *r, out *o, size_t n)
{
    size_t end = o->len + n;
    uint32_t v = 0;
    while (o->len < end) {
        v += below(r, 64);
        unsigned char rec[12] = {(unsigned char)v,
                                 (unsigned char)(v >> 8),
                                 (unsigned char)(v >> 16),
                                 (unsigned char)(v >> 24),
                                 (unsigned char)below(r, 4),
                                 0,
                                 0,
                                 0,
                                 (unsigned char)below(r, 256),
                                 0x7f,
                                 'E',
                                 'L'};
        put(o, rec, sizeof(rec));
    }
    o->len = end;
}

static void noise(rng *r, out *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        putc_(o, (unsigned char)(next(r) >> 56));
    }
}

static void runs(rng *r, out *o, size_t n)
{
    size_t end = o->len + n;
    while (o->len < end) {
        unsigned char c = (unsigned char)below(r, 4);
        uint32_t len = below(r, 3) == 0 ? 1 + below(r, 70000) : 1 + below(r, 300);
        for (uint32_t i = 0; i < len; i++) {
            putc_(o, c);
        }
    }
    o->len = end;
}

void corpus_make(size_t i, uint64_t seed, unsigned char **data, size_t *len)
{
    rng r = {seed * 0x2545F4914F6CDD1Dull + i + 1};
    out o = {NULL, 0, 0};
    for (int k = 0; k < 8; k++) {
        (void)next(&r);
    }
    switch (i) {
    case 1:
        putc_(&o, 'x');
        break;
    case 2:
        text(&r, &o, 300000);
        break;
    case 3:
        source(&r, &o, 400000);
        break;
    case 4:
        table(&r, &o, 300000);
        break;
    case 5:
        noise(&r, &o, 1 << 20);
        break;
    case 6:
        runs(&r, &o, 2 << 20);
        break;
    case 7:
        while (o.len < ((size_t)16 << 20)) {
            size_t piece = 1 + below(&r, 700000), room = ((size_t)16 << 20) - o.len;
            piece = piece < room ? piece : room;
            switch (below(&r, 5)) {
            case 0:
                text(&r, &o, piece);
                break;
            case 1:
                source(&r, &o, piece);
                break;
            case 2:
                table(&r, &o, piece);
                break;
            case 3:
                noise(&r, &o, piece < 100000 ? piece : 100000);
                break;
            default:
                runs(&r, &o, piece);
                break;
            }
        }
        o.len = (size_t)16 << 20;
        break;
    default:
        break;
    }
    if (o.p == NULL && (o.p = malloc(1)) == NULL) {
        abort();
    }
    *data = o.p;
    *len = o.len;
}

/* ---- SHA-256 ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void block(uint32_t h[8], const unsigned char *b)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 =
            hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = bb;
        bb = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void corpus_sha256(const unsigned char *data, size_t len, unsigned char out32[32])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        block(h, data + i);
    }
    unsigned char tail[128] = {0};
    size_t rest = len - i;
    memcpy(tail, data + i, rest);
    tail[rest] = 0x80;
    size_t tl = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++) {
        tail[tl - 1 - (size_t)k] = (unsigned char)(bits >> (8 * k));
    }
    block(h, tail);
    if (tl == 128) {
        block(h, tail + 64);
    }
    for (int k = 0; k < 8; k++) {
        out32[4 * k] = (unsigned char)(h[k] >> 24);
        out32[4 * k + 1] = (unsigned char)(h[k] >> 16);
        out32[4 * k + 2] = (unsigned char)(h[k] >> 8);
        out32[4 * k + 3] = (unsigned char)h[k];
    }
}

void corpus_hex(const unsigned char d[32], char out65[65])
{
    for (int i = 0; i < 32; i++) {
        snprintf(out65 + 2 * i, 3, "%02x", d[i]);
    }
}
