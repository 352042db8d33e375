/*
 * Tests for lp_store, the machine's store of compressed entries: an entry
 * comes back only when its MAC verifies, for its own content hash, size and
 * level; planted, damaged and moved entries (a FIFO too, without waiting on
 * it) are refused and removed; least
 * recently used entries are pruned to the size bound; and lp_zip_write gives
 * the same bytes from the store as from compressing.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>

#include "lp_deflate.h"
#include "lp_hash.h"
#include "lp_store.h"
#include "lp_zip.h"
#include "testutil.h"

static char *g_root; /* LAMBDAPACK_STORE_DIR for the whole run */

static void sha_of(const char *text, unsigned char sha[32])
{
    assert_int_equal(lp_hash_sha256(text, strlen(text), sha), 0);
}

static char *entry_file(const unsigned char sha[32], int level)
{
    char hex[65];
    lp_hash_hex(sha, hex);
    char *p = NULL;
    assert_true(asprintf(&p, "%s/v%d-%s/%.2s/%s-%d", g_root, LP_STORE_FORMAT, LP_DEFLATE_FORMAT,
                         hex, hex, level) > 0);
    return p;
}

static lp_store *store(void)
{
    lp_store *s = lp_store_default();
    assert_non_null(s);
    return s;
}

static void an_entry_comes_back_for_its_own_hash_size_and_level(void **state)
{
    (void)state;
    unsigned char sha[32], *data = NULL;
    size_t len = 0;
    uint32_t crc = 0;
    sha_of("content one", sha);
    lp_store_put(store(), sha, 11, 6, (const unsigned char *)"DEFLATED", 8, 0x1234);
    assert_int_equal(lp_store_get(store(), sha, 11, 6, &data, &len, &crc), 0);
    assert_int_equal(len, 8);
    assert_memory_equal(data, "DEFLATED", 8);
    assert_int_equal(crc, 0x1234);
    free(data);
    assert_int_equal(lp_store_get(store(), sha, 12, 6, &data, &len, &crc), -1);
    assert_int_equal(lp_store_get(store(), sha, 11, 9, &data, &len, &crc), -1);
    unsigned char other[32];
    sha_of("content two", other);
    assert_int_equal(lp_store_get(store(), other, 11, 6, &data, &len, &crc), -1);
}

/* Stores a good level-6 entry for text (13 bytes raw) and returns its file. */
static char *good_entry(const char *text, unsigned char sha[32])
{
    sha_of(text, sha);
    lp_store_put(store(), sha, 13, 6, (const unsigned char *)"GOODDATA", 8, 7);
    return entry_file(sha, 6);
}

static void a_planted_or_damaged_entry_is_refused_and_removed(void **state)
{
    (void)state;
    unsigned char sha[32], *data = NULL;
    size_t len = 0;
    uint32_t crc = 0;
    char *path = good_entry("content three", sha);
    size_t n = 0;
    unsigned char *bytes = tu_read(path, &n);
    assert_non_null(bytes);

    bytes[32] ^= 1; /* one bit of the compressed data */
    tu_write_bytes("/", path + 1, bytes, n, 0600);
    assert_int_equal(lp_store_get(store(), sha, 13, 6, &data, &len, &crc), -1);
    assert_int_not_equal(access(path, F_OK), 0);

    bytes[32] ^= 1;
    tu_write_bytes("/", path + 1, bytes, n - 1, 0600); /* truncated */
    assert_int_equal(lp_store_get(store(), sha, 13, 6, &data, &len, &crc), -1);
    assert_int_not_equal(access(path, F_OK), 0);

    /* A whole entry of another content, moved under this one's name. */
    unsigned char other[32];
    sha_of("content four", other);
    lp_store_put(store(), other, 13, 6, (const unsigned char *)"EVILDATA", 8, 7);
    char *other_path = entry_file(other, 6);
    assert_int_equal(rename(other_path, path), 0);
    assert_int_equal(lp_store_get(store(), sha, 13, 6, &data, &len, &crc), -1);
    assert_int_not_equal(access(path, F_OK), 0);
    free(other_path);
    free(bytes);
    free(path);
}

/* lp_store_get of good_entry's content: 0 or -1. */
static int get_good(const unsigned char sha[32])
{
    unsigned char *data = NULL;
    size_t len = 0;
    uint32_t crc = 0;
    int rc = lp_store_get(store(), sha, 13, 6, &data, &len, &crc);
    free(data);
    return rc;
}

static void a_fifo_planted_as_an_entry_is_refused_without_waiting(void **state)
{
    (void)state;
    unsigned char sha[32];
    char *path = good_entry("content five", sha);
    assert_int_equal(get_good(sha), 0);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(10); /* an open that waited for a writer would end the test here */
    assert_int_equal(get_good(sha), -1);
    alarm(0);
    assert_int_not_equal(access(path, F_OK), 0);
    free(path);
}

static void least_recently_used_entries_are_pruned_to_the_bound(void **state)
{
    (void)state;
    /* LAMBDAPACK_STORE_MAX_MB=1 (main): 24 entries of 64 KiB exceed it. */
    enum { N = 24, LEN = 64 * 1024 };
    unsigned char *blob = calloc(1, LEN);
    assert_non_null(blob);
    unsigned char shas[N][32];
    for (int i = 0; i < N; i++) {
        char text[32];
        snprintf(text, sizeof(text), "lru %d", i);
        sha_of(text, shas[i]);
        lp_store_put(store(), shas[i], LEN, 6, blob, LEN, 1);
        char *path = entry_file(shas[i], 6);
        struct timespec t[2] = {{1000000 + i, 0}, {1000000 + i, 0}}; /* older first */
        assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
        free(path);
    }
    lp_store_maintain(store());
    unsigned char *data = NULL;
    size_t len = 0;
    uint32_t crc = 0;
    assert_int_equal(lp_store_get(store(), shas[N - 1], LEN, 6, &data, &len, &crc), 0);
    free(data);
    assert_int_equal(lp_store_get(store(), shas[0], LEN, 6, &data, &len, &crc), -1);
    int kept = 0;
    for (int i = 0; i < N; i++) {
        char *path = entry_file(shas[i], 6);
        kept += access(path, F_OK) == 0;
        free(path);
    }
    assert_true(kept > 0 && kept * LEN <= (1 << 20));
    free(blob);
}

static void a_build_from_the_store_has_the_same_bytes(void **state)
{
    const char *dir = *state;
    char big[20000];
    for (size_t i = 0; i < sizeof(big) - 1; i++) {
        big[i] = (char)('a' + (i * 7 + i / 13) % 26);
    }
    big[sizeof(big) - 1] = '\0';
    tu_write(dir, "src/handler.py", "def handler(e, c):\n    return 1\n", 0644);
    tu_write(dir, "src/data.txt", big, 0644);
    char *src = tu_path(dir, "src");
    char *out[3] = {tu_path(dir, "a.zip"), tu_path(dir, "b.zip"), tu_path(dir, "c.zip")};
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    assert_int_equal(lp_zip_write(m, out[0], 1, NULL, &err), 0); /* fills the store */
    const lp_file *f = lp_manifest_find(m, "data.txt");
    assert_non_null(f);
    char *entry = entry_file(f->sha256, 6);
    assert_int_equal(access(entry, F_OK), 0);

    /* Sources gone: the entries come from the store. */
    tu_write(dir, "src/data.txt", "", 0644);
    assert_int_equal(lp_zip_write(m, out[1], 1, NULL, &err), 0);
    assert_true(tu_same_file(out[0], out[1]));

    /* A damaged entry is not used: the file is compressed again. */
    tu_write(dir, "src/data.txt", big, 0644);
    size_t n = 0;
    unsigned char *bytes = tu_read(entry, &n);
    bytes[40] ^= 0xff;
    tu_write_bytes("/", entry + 1, bytes, n, 0600);
    assert_int_equal(lp_zip_write(m, out[2], 1, NULL, &err), 0);
    assert_true(tu_same_file(out[0], out[2]));
    free(bytes);
    free(entry);
    lp_manifest_free(m);
    for (int i = 0; i < 3; i++) {
        free(out[i]);
    }
    free(src);
}

/* Plants, under the hash and size of `of`, a valid entry holding `other`
 * (same length) compressed: what the writer finds for `of` tells whether
 * it asked the store. */
static void plant_other(const unsigned char *of, const unsigned char *other, size_t n)
{
    unsigned char sha[32], *z = NULL;
    size_t zn = 0;
    assert_int_equal(lp_hash_sha256(of, n, sha), 0);
    assert_int_equal(lp_deflate_buffer(6, other, n, &z, &zn), 0);
    lp_store_put(store(), sha, n, 6, z, zn, (uint32_t)libdeflate_crc32(0, other, n));
    free(z);
}

static void a_deferred_build_asks_the_store_by_the_hash_of_the_bytes_it_read(void **state)
{
    const char *dir = *state;
    /* One file read whole before the store is asked, one hashed first. */
    size_t sizes[2] = {5000, 400000};
    const char *names[2] = {"small.txt", "mid.bin"};
    unsigned char *want[2], *planted[2];
    for (int k = 0; k < 2; k++) {
        want[k] = malloc(sizes[k]);
        planted[k] = malloc(sizes[k]);
        for (size_t i = 0; i < sizes[k]; i++) {
            want[k][i] = (unsigned char)('a' + (i * 7 + i / 13 + (size_t)k) % 26);
            planted[k][i] = (unsigned char)('A' + (i * 5 + (size_t)k) % 26);
        }
        char rel[64];
        snprintf(rel, sizeof(rel), "src/%s", names[k]);
        tu_write_bytes(dir, rel, want[k], sizes[k], 0644);
        plant_other(want[k], planted[k], sizes[k]);
    }
    char *src = tu_path(dir, "src"), *out = tu_path(dir, "d.zip");
    lp_source so;
    memset(&so, 0, sizeof(so));
    so.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &so;
    spec.n_sources = 1;
    spec.defer_hashes = 1;
    lp_manifest *m = NULL, *r = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(lp_zip_build(m, out, NULL, NULL, &err), 0);
    assert_int_equal(lp_zip_read_manifest(&r, out, 6, &err), 0);
    for (int k = 0; k < 2; k++) {
        unsigned char sha[32];
        char hex[65];
        assert_int_equal(lp_hash_sha256(planted[k], sizes[k], sha), 0);
        lp_hash_hex(sha, hex);
        /* The ZIP holds what the store gave for the file's hash; the
         * manifest names the file's own bytes. */
        assert_string_equal(lp_manifest_find(r, names[k])->sha256_hex, hex);
        assert_string_not_equal(lp_manifest_find(m, names[k])->sha256_hex, hex);
        free(want[k]);
        free(planted[k]);
    }
    lp_manifest_free(m);
    lp_manifest_free(r);
    free(src);
    free(out);
}

int main(void)
{
    char tmpl[] = "/tmp/lp-store-test.XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    g_root = tu_path(tmpl, "store");
    char *key = tu_path(tmpl, "key");
    setenv("LAMBDAPACK_STORE_DIR", g_root, 1);
    setenv("LAMBDAPACK_CACHE_KEY_FILE", key, 1);
    setenv("LAMBDAPACK_STORE_MAX_MB", "1", 1);
    unsetenv("LAMBDAPACK_STORE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_entry_comes_back_for_its_own_hash_size_and_level),
        cmocka_unit_test(a_planted_or_damaged_entry_is_refused_and_removed),
        cmocka_unit_test(a_fifo_planted_as_an_entry_is_refused_without_waiting),
        cmocka_unit_test(least_recently_used_entries_are_pruned_to_the_bound),
        cmocka_unit_test_setup_teardown(
            a_deferred_build_asks_the_store_by_the_hash_of_the_bytes_it_read, tu_setup_tmpdir,
            tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(a_build_from_the_store_has_the_same_bytes, tu_setup_tmpdir,
                                        tu_teardown_tmpdir),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tu_rmtree(tmpl);
    free(g_root);
    free(key);
    return rc;
}
