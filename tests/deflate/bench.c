/*
 * deflate_bench: single-thread throughput and size of lp_deflate against
 * libdeflate at the same level, on the same files, in the same run
 * (bench/README.md). Files are read into memory first; each round
 * compresses every file once with each encoder (interleaved), and the best
 * of the rounds is reported. Not a test: it measures, asserts nothing.
 *
 * Usage: deflate_bench LEVEL ROUNDS FILE... (or "-" to read paths from stdin)
 */
#include "lp_deflate.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct item {
    unsigned char *data;
    size_t len;
} item;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int count_sink(void *ud, const unsigned char *d, size_t n)
{
    (void)d;
    *(size_t *)ud += n;
    return 0;
}

static int load(const char *path, item *it)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    size_t cap = 65536;
    it->data = malloc(cap);
    it->len = 0;
    size_t r;
    while (it->data != NULL && (r = fread(it->data + it->len, 1, cap - it->len, f)) > 0) {
        it->len += r;
        if (it->len == cap) {
            it->data = realloc(it->data, cap *= 2);
        }
    }
    fclose(f);
    return it->data != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: deflate_bench LEVEL ROUNDS FILE... | -\n");
        return 2;
    }
    int level = atoi(argv[1]), rounds = atoi(argv[2]);
    size_t n = 0, cap = 1024;
    item *items = malloc(cap * sizeof(*items));
    char line[4096];
    for (int i = 3; i < argc; i++) {
        int from_stdin = strcmp(argv[i], "-") == 0;
        for (int first = 1;; first = 0) {
            const char *p = argv[i];
            if (from_stdin) {
                if (fgets(line, sizeof(line), stdin) == NULL) {
                    break;
                }
                line[strcspn(line, "\n")] = '\0';
                p = line;
            } else if (!first) {
                break;
            }
            if (n == cap) {
                items = realloc(items, (cap *= 2) * sizeof(*items));
            }
            if (items == NULL || load(p, &items[n]) < 0) {
                fprintf(stderr, "deflate_bench: cannot read %s\n", p);
                return 2;
            }
            n++;
        }
    }
    lp_deflate *s = lp_deflate_new(level);
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    size_t total = 0, ours = 0, theirs = 0, bound = 0;
    for (size_t i = 0; i < n; i++) {
        total += items[i].len;
        size_t b = libdeflate_deflate_compress_bound(c, items[i].len);
        bound = b > bound ? b : bound;
    }
    unsigned char *out = malloc(bound);
    double best_ours = 1e30, best_theirs = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        ours = 0;
        for (size_t i = 0; i < n; i++) {
            lp_deflate_reset(s, level);
            lp_deflate_write(s, items[i].data, items[i].len, count_sink, &ours);
            lp_deflate_finish(s, count_sink, &ours);
        }
        double t1 = now();
        theirs = 0;
        for (size_t i = 0; i < n; i++) {
            theirs += libdeflate_deflate_compress(c, items[i].data, items[i].len, out, bound);
        }
        double t2 = now();
        best_ours = t1 - t0 < best_ours ? t1 - t0 : best_ours;
        best_theirs = t2 - t1 < best_theirs ? t2 - t1 : best_theirs;
    }
    printf("files %zu, %zu bytes, level %d, best of %d rounds (thread CPU time)\n", n, total, level,
           rounds);
    printf("lp_deflate (%s): %zu bytes, %.1f MB/s\n", LP_DEFLATE_FORMAT, ours,
           (double)total / best_ours / 1e6);
    printf("libdeflate %s: %zu bytes, %.1f MB/s\n", LIBDEFLATE_VERSION_STRING, theirs,
           (double)total / best_theirs / 1e6);
    printf("throughput lp_deflate / libdeflate: %.2f; size lp_deflate / libdeflate: %.4f\n",
           best_theirs / best_ours, (double)ours / (double)theirs);
    free(out);
    libdeflate_free_compressor(c);
    lp_deflate_free(s);
    for (size_t i = 0; i < n; i++) {
        free(items[i].data);
    }
    free(items);
    return 0;
}
