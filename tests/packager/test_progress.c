/*
 * Tests for the progress callback and cancellation (lp_progress.h) of
 * lp_manifest_build, lp_zip_write_opts and lp_cache_put_opts: what a
 * cancelled build leaves behind (nothing), and what the callback is shown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lp_cache.h"
#include "lp_cache_int.h" /* lp_cache_get */
#include "lp_manifest.h"
#include "lp_progress.h"
#include "lp_zip.h"
#include "testutil.h"

/* Added to every seed: each run writes new content, so that no entry of the
 * store of compressed entries (lp_store) short-cuts the compression. */
static uint64_t run_seed;

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Incompressible bytes, different for every seed. */
static void fill_random(unsigned char *b, size_t n, uint64_t seed)
{
    uint64_t x = (seed + run_seed) * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (unsigned char)(x >> 24);
    }
}

/* Text of random words: deflate at level 9 works hard on it (long match
 * searches), unlike random bytes, which it stores at once. */
static void fill_words(unsigned char *b, size_t n, uint64_t seed)
{
    static const char *const words[] = {"lambda", "package", "zip",   "deflate", "hash",
                                        "source", "archive", "build", "cancel",  "progress",
                                        "python", "handler", "state", "plan",    "apply"};
    uint64_t x = (seed + run_seed) * 0x9E3779B97F4A7C15ull + 1;
    size_t i = 0;
    while (i < n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const char *w = words[(x >> 20) % (sizeof(words) / sizeof(words[0]))];
        for (size_t k = 0; w[k] != '\0' && i < n; k++) {
            b[i++] = (unsigned char)w[k];
        }
        if (i < n) {
            b[i++] = (unsigned char)" \n,."[(x >> 40) & 3];
        }
    }
}

/* dir/src/fNNN.bin: n files of size bytes each, random. */
static char *make_tree(const char *dir, size_t n, size_t size, uint64_t seed)
{
    unsigned char *b = malloc(size);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "src/f%03zu.bin", i);
        fill_random(b, size, seed + i);
        tu_write_bytes(dir, rel, b, size, 0644);
    }
    free(b);
    return tu_path(dir, "src");
}

static lp_manifest *manifest_of(const char *src, int level, lp_progress_cb cb, void *payload)
{
    lp_source s = {.path = src};
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.level = level;
    spec.progress = cb;
    spec.progress_payload = payload;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_manifest_build(&m, &spec, &err);
    if (rc != 0) {
        print_message("lp_manifest_build: %s\n", err.message);
    }
    assert_int_equal(rc, 0);
    return m;
}

/* ---- a recorder ---- */

#define MAX_CALLS 4096

typedef struct recorder {
    lp_progress calls[MAX_CALLS];
    size_t n;
    lp_progress_phase cancel_phase; /* 0: never cancel */
    size_t cancel_after_files;      /* cancel once files_done reaches it */
    int cancel_mid_file;            /* cancel once 0 < bytes_done < bytes_total */
    atomic_int inside;              /* threads in the callback now */
    int overlapped;                 /* two at once were seen */
    int sleep_us;
    char path[256];
} recorder;

static int record(const lp_progress *p, void *payload)
{
    recorder *r = payload;
    if (atomic_fetch_add(&r->inside, 1) != 0) {
        r->overlapped = 1;
    }
    if (r->n < MAX_CALLS) {
        r->calls[r->n++] = *p;
    }
    if (p->path != NULL) {
        snprintf(r->path, sizeof(r->path), "%s", p->path);
    }
    if (r->sleep_us > 0) {
        struct timespec ts = {0, (long)r->sleep_us * 1000};
        nanosleep(&ts, NULL);
    }
    int stop = 0;
    if (r->cancel_phase != 0 && p->phase == r->cancel_phase) {
        stop = p->files_done >= r->cancel_after_files &&
               (!r->cancel_mid_file || (p->bytes_done > 0 && p->bytes_done < p->bytes_total));
    }
    atomic_fetch_sub(&r->inside, 1);
    return stop;
}

static recorder *recorder_new(void)
{
    recorder *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    atomic_init(&r->inside, 0);
    return r;
}

/* ---- tests ---- */

static void zip_write_cancelled_after_some_files_leaves_no_output_nor_temp_file(void **state)
{
    const char *dir = *state;
    char *src = make_tree(dir, 120, 192 * 1024, 1);
    lp_manifest *m = manifest_of(src, 9, NULL, NULL);
    tu_mkdirs(dir, "out");
    char *out = tu_path(dir, "out/pkg.zip");
    char *outdir = tu_path(dir, "out");

    recorder *r = recorder_new();
    r->cancel_phase = LP_PROGRESS_WRITE;
    r->cancel_after_files = 3;
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.threads = 2;
    opts.progress = record;
    opts.progress_payload = r;
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_write_opts(m, out, &opts, &info, &err), LP_ECANCELED);
    assert_int_equal(err.code, LP_ECANCELED);
    assert_string_equal(err.field, "output_path");
    assert_string_equal(err.path, out);
    assert_non_null(strstr(err.message, "cancelled"));
    assert_false(exists(out));
    assert_int_equal(tu_count_entries(outdir), 0); /* no temporary file either */
    assert_true(r->n >= 2);
    assert_true(r->calls[r->n - 1].files_done >= 3);

    /* The next build is whole and reads back as the manifest. */
    assert_int_equal(lp_zip_write(m, out, 2, &info, &err), 0);
    lp_manifest *back = NULL;
    lp_diff_list *d = NULL;
    assert_int_equal(lp_zip_read_manifest(&back, out, 9, &err), 0);
    assert_int_equal(lp_manifest_diff(&d, m, back, &err), 0);
    assert_int_equal(d->n, 0);
    assert_int_equal(tu_count_entries(outdir), 1);
    lp_diff_list_free(d);
    lp_manifest_free(back);
    free(r);
    free(outdir);
    free(out);
    lp_manifest_free(m);
    free(src);
}

static void cancelled_zip_write_keeps_the_previous_output(void **state)
{
    const char *dir = *state;
    tu_write(dir, "old/app.py", "print('old')\n", 0644);
    char *old = tu_path(dir, "old");
    lp_manifest *small = manifest_of(old, 6, NULL, NULL);
    char *out = tu_path(dir, "pkg.zip");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_write(small, out, 1, &info, &err), 0);
    size_t before_len = 0;
    unsigned char *before = tu_read(out, &before_len);

    char *src = make_tree(dir, 8, 64 * 1024, 2);
    lp_manifest *m = manifest_of(src, 6, NULL, NULL);
    recorder *r = recorder_new();
    r->cancel_phase = LP_PROGRESS_WRITE; /* at the first call */
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.progress = record;
    opts.progress_payload = r;
    assert_int_equal(lp_zip_write_opts(m, out, &opts, &info, &err), LP_ECANCELED);
    size_t after_len = 0;
    unsigned char *after = tu_read(out, &after_len);
    assert_non_null(after);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    /* old/, src/ and the one ZIP: no temporary file beside it. */
    assert_int_equal(tu_count_entries(dir), 3);
    free(after);
    free(before);
    free(r);
    lp_manifest_free(m);
    free(src);
    lp_manifest_free(small);
    free(out);
    free(old);
}

static void cancel_inside_one_big_file_is_seen_before_the_file_ends(void **state)
{
    const char *dir = *state;
    unsigned char *text = malloc((size_t)8 << 20);
    assert_non_null(text);
    fill_words(text, (size_t)8 << 20, 3);
    tu_write_bytes(dir, "src/big.txt", text, (size_t)8 << 20, 0644);
    free(text);
    char *src = tu_path(dir, "src");
    lp_manifest *m = manifest_of(src, 9, NULL, NULL);
    char *out = tu_path(dir, "big.zip");
    recorder *r = recorder_new();
    r->cancel_phase = LP_PROGRESS_WRITE;
    r->cancel_mid_file = 1;
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.threads = 1;
    opts.progress = record;
    opts.progress_payload = r;
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_zip_write_opts(m, out, &opts, &info, &err);
    assert_int_equal(rc, LP_ECANCELED);
    /* The cancelling call came while the one file was half read: reported
     * per chunk, and the chunk loop stopped there. */
    const lp_progress *last = &r->calls[r->n - 1];
    assert_int_equal(last->files_done, 0);
    assert_true(last->bytes_done > 0 && last->bytes_done < last->bytes_total);
    assert_false(exists(out));
    assert_int_equal(tu_count_entries(dir), 1); /* src/ only */
    free(r);
    free(out);
    lp_manifest_free(m);
    free(src);
}

static void progress_counts_are_monotonic_and_end_at_the_totals(void **state)
{
    const char *dir = *state;
    char *src = make_tree(dir, 40, 100 * 1024 + 7, 4);
    tu_write(dir, "src/empty.txt", "", 0644);
    recorder *r = recorder_new();
    r->sleep_us = 2000; /* slow callback: calls from workers would overlap */
    lp_manifest *m = manifest_of(src, 9, record, r);
    char *out = tu_path(dir, "pkg.zip");
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.threads = 4;
    opts.progress = record;
    opts.progress_payload = r;
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_write_opts(m, out, &opts, &info, &err), 0);
    assert_false(r->overlapped);

    const lp_progress_phase phases[] = {LP_PROGRESS_SELECT, LP_PROGRESS_HASH, LP_PROGRESS_WRITE};
    size_t at = 0;
    for (size_t k = 0; k < 3; k++) {
        size_t first = at;
        assert_true(at < r->n);
        assert_int_equal(r->calls[at].phase, phases[k]);
        assert_int_equal(r->calls[at].files_done, 0);
        assert_int_equal(r->calls[at].bytes_done, 0);
        while (at + 1 < r->n && r->calls[at + 1].phase == phases[k]) {
            const lp_progress *a = &r->calls[at], *b = &r->calls[at + 1];
            assert_true(b->files_done >= a->files_done);
            assert_true(b->bytes_done >= a->bytes_done);
            assert_int_equal(b->files_total, a->files_total);
            assert_int_equal(b->bytes_total, a->bytes_total);
            at++;
        }
        const lp_progress *last = &r->calls[at];
        assert_true(at > first); /* a first and a last call */
        if (phases[k] == LP_PROGRESS_SELECT) {
            assert_int_equal(last->files_done, 41);
        } else {
            assert_int_equal(last->files_total, 41);
            assert_int_equal(last->files_done, last->files_total);
            assert_int_equal(last->bytes_total, m->unzipped_size);
            assert_int_equal(last->bytes_done, last->bytes_total);
        }
        at++;
    }
    assert_int_equal(at, r->n);
    assert_string_equal(r->path, out);
    free(r);
    free(out);
    lp_manifest_free(m);
    free(src);
}

static void manifest_build_cancelled_while_hashing_returns_ecanceled(void **state)
{
    const char *dir = *state;
    char *src = make_tree(dir, 30, 32 * 1024, 5);
    const lp_progress_phase phases[] = {LP_PROGRESS_SELECT, LP_PROGRESS_HASH};
    for (size_t k = 0; k < 2; k++) {
        recorder *r = recorder_new();
        r->cancel_phase = phases[k];
        lp_source s = {.path = src};
        lp_spec spec = LP_SPEC_INIT;
        spec.sources = &s;
        spec.n_sources = 1;
        spec.output_path = "build/pkg.zip";
        spec.progress = record;
        spec.progress_payload = r;
        lp_manifest *m = NULL;
        lp_error err = LP_ERROR_INIT;
        assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_ECANCELED);
        assert_null(m);
        assert_string_equal(err.field, "output_path");
        assert_non_null(strstr(err.message, "build/pkg.zip"));
        assert_int_equal(r->calls[r->n - 1].phase, phases[k]);
        free(r);
    }
    free(src);
}

static void cancelled_cache_put_adds_no_entry_and_the_cache_still_works(void **state)
{
    const char *dir = *state;
    char *src = make_tree(dir, 60, 128 * 1024, 6);
    lp_manifest *m = manifest_of(src, 9, NULL, NULL);
    char *cache = tu_path(dir, "cache");
    recorder *r = recorder_new();
    r->cancel_phase = LP_PROGRESS_WRITE;
    r->cancel_after_files = 2;
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.progress = record;
    opts.progress_payload = r;
    lp_zip_info info, got;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_put_opts(cache, m->content_hash, m, &opts, &info, NULL, &err),
                     LP_ECANCELED);
    assert_int_equal(lp_cache_get(cache, m->content_hash, &got, &err), LP_ENOENT);
    assert_int_equal(tu_count_entries(cache), 0); /* no entry, MAC or temporary file */

    /* Without a cancel: an entry that verifies and installs. */
    assert_int_equal(lp_cache_put(cache, m->content_hash, m, 0, &info, NULL, &err), 0);
    assert_int_equal(lp_cache_get(cache, m->content_hash, &got, &err), 0);
    assert_string_equal(got.sha256_hex, info.sha256_hex);
    char *out = tu_path(dir, "pkg.zip");
    assert_int_equal(lp_cache_install(cache, m->content_hash, out, info.sha256_hex, &got, &err), 0);
    assert_string_equal(got.sha256_hex, info.sha256_hex);
    free(out);
    free(r);
    free(cache);
    lp_manifest_free(m);
    free(src);
}

static void zip_read_reports_progress_and_stops_when_cancelled(void **state)
{
    const char *dir = *state;
    char *src = make_tree(dir, 12, 40 * 1024, 7);
    lp_manifest *m = manifest_of(src, 6, NULL, NULL);
    char *out = tu_path(dir, "pkg.zip");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_write(m, out, 1, &info, &err), 0);

    recorder *r = recorder_new();
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.progress = record;
    opts.progress_payload = r;
    lp_manifest *back = NULL;
    assert_int_equal(lp_zip_read_manifest_opts(&back, out, 6, &opts, &err), 0);
    assert_string_equal(back->content_hash, m->content_hash);
    assert_true(r->n >= 2);
    for (size_t i = 0; i < r->n; i++) {
        assert_int_equal(r->calls[i].phase, LP_PROGRESS_VERIFY);
        if (i > 0) {
            assert_true(r->calls[i].files_done >= r->calls[i - 1].files_done);
            assert_true(r->calls[i].bytes_done >= r->calls[i - 1].bytes_done);
        }
    }
    assert_int_equal(r->calls[r->n - 1].files_done, 12);
    assert_int_equal(r->calls[r->n - 1].files_total, 12);
    assert_int_equal(r->calls[r->n - 1].bytes_done, m->unzipped_size);
    assert_int_equal(r->calls[r->n - 1].bytes_total, m->unzipped_size);
    assert_string_equal(r->path, out);
    lp_manifest_free(back);
    back = NULL;

    memset(r, 0, sizeof(*r));
    r->cancel_phase = LP_PROGRESS_VERIFY;
    assert_int_equal(lp_zip_read_manifest_opts(&back, out, 6, &opts, &err), LP_ECANCELED);
    assert_null(back);
    assert_string_equal(err.path, out);
    free(r);
    free(out);
    lp_manifest_free(m);
    free(src);
}

int main(void)
{
    run_seed = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() << 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            zip_write_cancelled_after_some_files_leaves_no_output_nor_temp_file, tu_setup_tmpdir,
            tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(cancelled_zip_write_keeps_the_previous_output,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(cancel_inside_one_big_file_is_seen_before_the_file_ends,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(progress_counts_are_monotonic_and_end_at_the_totals,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(manifest_build_cancelled_while_hashing_returns_ecanceled,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(cancelled_cache_put_adds_no_entry_and_the_cache_still_works,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(zip_read_reports_progress_and_stops_when_cancelled,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
