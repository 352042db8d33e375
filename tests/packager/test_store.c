/*
 * Tests for lp_store, the machine's store of compressed entries: an entry
 * comes back only when its MAC verifies, for its own content hash, size and
 * level; planted, damaged and moved entries are refused and removed; least
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

static void a_planted_or_damaged_entry_is_refused_and_removed(void **state)
{
    (void)state;
    unsigned char sha[32], *data = NULL;
    size_t len = 0;
    uint32_t crc = 0;
    sha_of("content three", sha);
    lp_store_put(store(), sha, 13, 6, (const unsigned char *)"GOODDATA", 8, 7);
    char *path = entry_file(sha, 6);
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
        cmocka_unit_test(least_recently_used_entries_are_pruned_to_the_bound),
        cmocka_unit_test_setup_teardown(a_build_from_the_store_has_the_same_bytes, tu_setup_tmpdir,
                                        tu_teardown_tmpdir),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    tu_rmtree(tmpl);
    free(g_root);
    free(key);
    return rc;
}
