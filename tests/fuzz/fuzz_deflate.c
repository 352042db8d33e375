/*
 * libFuzzer round-trip target for lp_deflate: the first byte picks the level
 * (low nibble, mod 10) and the piece size the input is fed in (high
 * nibble); the rest is the data. The stream must inflate (libdeflate's
 * decompressor, independent of our encoder) to exactly the data, stay
 * within lp_deflate_bound, and equal the output of a single write at the same level:
 * the split of the input never changes the bytes. The data is also repeated
 * and fed again, for matches across the copies.
 */
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_deflate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two streams live across inputs: reuse after reset is exercised too. */
static lp_deflate *chunked, *whole;

static void check(int level, size_t piece, const uint8_t *in, size_t len)
{
    lp_deflate_mem z = {NULL, 0, 0}, w = {NULL, 0, 0};
    if ((chunked == NULL && (chunked = lp_deflate_new(level)) == NULL) ||
        (whole == NULL && (whole = lp_deflate_new(level)) == NULL)) {
        abort();
    }
    lp_deflate *s = chunked;
    if (lp_deflate_reset(s, level) < 0 || lp_deflate_reset(whole, level) < 0) {
        abort();
    }
    for (size_t off = 0; off < len; off += piece) {
        size_t n = piece < len - off ? piece : len - off;
        if (lp_deflate_write(s, in + off, n, lp_deflate_mem_sink, &z) < 0) {
            abort();
        }
    }
    if (lp_deflate_finish(s, lp_deflate_mem_sink, &z) < 0 || z.len > lp_deflate_bound(len)) {
        abort();
    }
    if (lp_deflate_write(whole, in, len, lp_deflate_mem_sink, &w) < 0 ||
        lp_deflate_finish(whole, lp_deflate_mem_sink, &w) < 0 || w.len != z.len ||
        memcmp(w.data, z.data, z.len) != 0) {
        abort();
    }
    free(w.data);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    unsigned char *back = malloc(len + 1);
    size_t got = 0;
    if (d == NULL || back == NULL) {
        abort();
    }
    if (libdeflate_deflate_decompress(d, z.data, z.len, back, len + 1, &got) !=
            LIBDEFLATE_SUCCESS ||
        got != len || (len > 0 && memcmp(back, in, len) != 0)) {
        abort();
    }
    libdeflate_free_decompressor(d);
    free(back);
    free(z.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    int level = (data[0] & 15) % 10;
    size_t piece = (size_t)1 << (data[0] >> 4); /* 1 .. 32 KiB */
    check(level, piece, data + 1, size - 1);
    /* The data four times over (at most 16 KiB): matches across copies. */
    size_t n = size - 1, big = n * 4 < 16384 ? n * 4 : 16384;
    unsigned char *rep = malloc(big + 1);
    if (rep == NULL || n == 0) {
        free(rep);
        return 0;
    }
    for (size_t i = 0; i < big; i++) {
        rep[i] = data[1 + i % n];
    }
    check(level, piece * 7 + 1, rep, big);
    free(rep);
    return 0;
}
