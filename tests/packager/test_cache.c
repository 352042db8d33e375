/*
 * Tests for lp_cache: a store always builds, so a planted, damaged or
 * truncated entry is replaced by this writer's bytes (and reported); an
 * install moves the entry into place (creating parents) only when it has the
 * expected hash; keys cannot name other files; pruning bounds the cache and
 * removes only stale temporary files of its own pattern.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp_cache.h"
#include "lp_cache_int.h" /* lp_cache_get */
#include "testutil.h"

#define KEY_A "aaaa000000000000000000000000000000000000000000000000000000000001"

/* The MAC key file for the stores that follow: under the test's directory,
 * never the user's. */
static void use_key(void **state, const char *name)
{
    char *key = tu_path(*state, name);
    assert_int_equal(setenv("LAMBDAPACK_CACHE_KEY_FILE", key, 1), 0);
    free(key);
}

static ino_t inode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_ino;
}

static lp_manifest *inline_manifest(const char *content)
{
    lp_source src;
    memset(&src, 0, sizeof(src));
    src.content = content;
    src.content_len = strlen(content);
    src.filename = "app.py";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &src;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    return m;
}

static void a_missing_entry_is_enoent(void **state)
{
    char *dir = tu_path(*state, "cache");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_get(dir, KEY_A, &info, &err), LP_ENOENT);
    free(dir);
}

static void a_key_that_is_not_hex_is_einval(void **state)
{
    char *dir = tu_path(*state, "cache");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_get(dir, "../../etc/passwd", &info, &err), LP_EINVAL);
    assert_int_equal(lp_cache_get(dir, "", &info, &err), LP_EINVAL);
    assert_int_equal(lp_cache_get(dir, "ABCDEF", &info, &err), LP_EINVAL);
    free(dir);
}

static void put_then_get_gives_the_zip_hashes(void **state)
{
    char *dir = tu_path(*state, "deep/cache");
    lp_manifest *m = inline_manifest("print('hi')\n");
    lp_zip_info put, got, direct;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, NULL, &err), 0);
    assert_int_equal(lp_cache_get(dir, m->content_hash, &got, &err), 0);
    assert_string_equal(put.sha256_hex, got.sha256_hex);
    assert_string_equal(put.base64sha256, got.base64sha256);
    /* The same bytes as a direct build. */
    char *out = tu_path(*state, "direct.zip");
    assert_int_equal(lp_zip_write(m, out, 1, &direct, &err), 0);
    assert_string_equal(direct.sha256_hex, put.sha256_hex);
    lp_manifest_free(m);
    free(out);
    free(dir);
}

static void install_moves_the_entry_and_creates_parents(void **state)
{
    char *dir = tu_path(*state, "cache");
    char *out = tu_path(*state, "build/fn/out.zip");
    lp_manifest *m = inline_manifest("x = 1\n");
    lp_zip_info put, installed, after;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, NULL, &err), 0);
    assert_int_equal(lp_cache_install(dir, m->content_hash, out, put.sha256_hex, &installed, &err),
                     0);
    assert_int_equal(lp_zip_hash_file(out, &after, &err), 0);
    assert_string_equal(after.sha256_hex, put.sha256_hex);
    assert_string_equal(installed.base64sha256, after.base64sha256);
    assert_int_equal(installed.size, after.size);
    assert_int_equal(lp_cache_get(dir, m->content_hash, &after, &err), LP_ENOENT);
    assert_int_equal(lp_cache_install(dir, m->content_hash, out, put.sha256_hex, NULL, &err),
                     LP_ENOENT);
    lp_manifest_free(m);
    free(out);
    free(dir);
}

static void install_with_another_hash_writes_nothing(void **state)
{
    char *dir = tu_path(*state, "cache");
    char *out = tu_path(*state, "out.zip");
    tu_write(*state, "out.zip", "previous package", 0644);
    lp_manifest *m = inline_manifest("x = 2\n");
    lp_zip_info put, wrong;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, NULL, &err), 0);
    wrong = put;
    wrong.sha256_hex[0] = wrong.sha256_hex[0] == '0' ? '1' : '0';
    assert_int_equal(lp_cache_install(dir, m->content_hash, out, wrong.sha256_hex, NULL, &err),
                     LP_ECHANGED);
    size_t n = 0;
    unsigned char *kept = tu_read(out, &n);
    assert_int_equal(n, strlen("previous package"));
    assert_memory_equal(kept, "previous package", n);
    free(kept);
    lp_manifest_free(m);
    free(out);
    free(dir);
}

static void the_cache_keeps_at_most_its_entry_limit(void **state)
{
    char *dir = tu_path(*state, "cache");
    lp_error err = LP_ERROR_INIT;
    for (int i = 0; i < LP_CACHE_MAX_ENTRIES + 6; i++) {
        char content[32];
        snprintf(content, sizeof(content), "v = %d\n", i);
        lp_manifest *m = inline_manifest(content);
        lp_zip_info info;
        assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &info, NULL, &err), 0);
        lp_manifest_free(m);
    }
    /* Pruning runs before each store: the limit plus the newest entry, each
     * with its .mac. */
    assert_true(tu_count_entries(dir) <= 2 * (LP_CACHE_MAX_ENTRIES + 1));
    free(dir);
}

/* Plants data as the entry for m, stores m, and checks the entry is now the
 * writer's own build, reported as replaced. */
static void check_store_replaces(void **state, const void *data, size_t n, int truncate_real)
{
    char *dir = tu_path(*state, "cache");
    lp_manifest *m = inline_manifest("print('real')\n");
    lp_zip_info put, direct, got;
    lp_error err = LP_ERROR_INIT;
    char *out = tu_path(*state, "direct.zip");
    assert_int_equal(lp_zip_write(m, out, 1, &direct, &err), 0);
    char rel[160];
    snprintf(rel, sizeof(rel), "cache/%s.zip", m->content_hash);
    if (truncate_real) {
        size_t len = 0;
        unsigned char *real = tu_read(out, &len);
        if (truncate_real > 0) {
            len /= 2; /* truncated */
        } else {
            real[len / 2] ^= 0x40; /* one flipped byte */
        }
        tu_write_bytes(*state, rel, real, len, 0644);
        free(real);
    } else {
        tu_write_bytes(*state, rel, data, n, 0644);
    }
    /* A MAC file beside it does not help: it does not verify. */
    snprintf(rel, sizeof(rel), "cache/%s.mac", m->content_hash);
    tu_write(*state, rel, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0644);
    int replaced = 0;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, &replaced, &err), 0);
    assert_int_equal(replaced, 1);
    assert_string_equal(put.sha256_hex, direct.sha256_hex);
    assert_int_equal(lp_cache_get(dir, m->content_hash, &got, &err), 0);
    assert_string_equal(got.sha256_hex, direct.sha256_hex);
    /* A second store finds its own build: not reported. */
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, &replaced, &err), 0);
    assert_int_equal(replaced, 0);
    lp_manifest_free(m);
    free(out);
    free(dir);
}

static void a_planted_entry_is_replaced_by_a_build(void **state)
{
    /* A valid ZIP of other content, as anyone knowing the sources could plant. */
    lp_manifest *other = inline_manifest("print('evil')\n");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    char *zip = tu_path(*state, "evil.zip");
    assert_int_equal(lp_zip_write(other, zip, 1, &info, &err), 0);
    size_t n = 0;
    unsigned char *bytes = tu_read(zip, &n);
    check_store_replaces(state, bytes, n, 0);
    free(bytes);
    free(zip);
    lp_manifest_free(other);
}

static void a_truncated_entry_is_replaced_by_a_build(void **state)
{
    check_store_replaces(state, NULL, 0, 1);
}

static void a_damaged_entry_is_replaced_by_a_build(void **state)
{
    check_store_replaces(state, NULL, 0, -1);
}

static void garbage_under_a_key_is_replaced_by_a_build(void **state)
{
    check_store_replaces(state, "not a zip at all", 16, 0);
}

static void pruning_removes_only_stale_temporary_files_of_its_own_pattern(void **state)
{
    char *dir = tu_path(*state, "cache");
    tu_write(*state, "cache/" KEY_A ".zip.Ab12Cd.tmp", "left by kill -9", 0644);
    tu_write(*state, "cache/" KEY_A ".zip.Ab12Cd.tmp.x1y2z3", "left by kill -9", 0644);
    tu_write(*state, "cache/" KEY_A ".zip.fresh1.tmp", "a concurrent run", 0644);
    tu_write(*state, "cache/notes.txt", "not ours", 0644);
    tu_write(*state, "cache/" KEY_A ".zip.tmp", "not our pattern", 0644);
    assert_int_equal(tu_sh("cd '%s' && touch -d '1 hour ago' %s.zip.Ab12Cd.tmp "
                           "%s.zip.Ab12Cd.tmp.x1y2z3 notes.txt %s.zip.tmp",
                           dir, KEY_A, KEY_A, KEY_A),
                     0);
    lp_manifest *m = inline_manifest("x = 3\n");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &info, NULL, &err), 0);
    struct stat st;
    char *p = tu_path(dir, KEY_A ".zip.Ab12Cd.tmp");
    assert_int_not_equal(stat(p, &st), 0);
    free(p);
    p = tu_path(dir, KEY_A ".zip.Ab12Cd.tmp.x1y2z3");
    assert_int_not_equal(stat(p, &st), 0);
    free(p);
    p = tu_path(dir, KEY_A ".zip.fresh1.tmp"); /* newer than this process: kept */
    assert_int_equal(stat(p, &st), 0);
    free(p);
    p = tu_path(dir, "notes.txt");
    assert_int_equal(stat(p, &st), 0);
    free(p);
    p = tu_path(dir, KEY_A ".zip.tmp");
    assert_int_equal(stat(p, &st), 0);
    free(p);
    lp_manifest_free(m);
    free(dir);
}

static void a_verified_entry_is_used_without_building_again(void **state)
{
    char *dir = tu_path(*state, "cache");
    lp_manifest *m = inline_manifest("print('once')\n");
    lp_zip_info first, second;
    lp_error err = LP_ERROR_INIT;
    int replaced = 1;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &first, &replaced, &err), 0);
    char zip[1024];
    snprintf(zip, sizeof(zip), "%s/%s.zip", dir, m->content_hash);
    ino_t ino = inode_of(zip);
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &second, &replaced, &err), 0);
    assert_int_equal(replaced, 0);
    assert_true(inode_of(zip) == ino); /* not rewritten */
    assert_string_equal(first.sha256_hex, second.sha256_hex);
    /* Under another key (another machine, or a key file removed) the entry
     * proves nothing: it is built again. */
    use_key(state, "other-key");
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &second, &replaced, &err), 0);
    assert_true(inode_of(zip) != ino);
    assert_string_equal(first.sha256_hex, second.sha256_hex);
    free(dir);
    lp_manifest_free(m);
}

static void without_a_key_every_store_builds(void **state)
{
    use_key(state, "no-such-dir-file/sub/key"); /* below a file: cannot be created */
    char *blocker = tu_path(*state, "no-such-dir-file");
    tu_write(*state, "no-such-dir-file", "a file, so no key below it", 0644);
    char *dir = tu_path(*state, "cache");
    lp_manifest *m = inline_manifest("print('keyless')\n");
    lp_zip_info info;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &info, NULL, &err), 0);
    char zip[1024];
    snprintf(zip, sizeof(zip), "%s/%s.zip", dir, m->content_hash);
    ino_t ino = inode_of(zip);
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &info, NULL, &err), 0);
    assert_true(inode_of(zip) != ino);
    free(blocker);
    free(dir);
    lp_manifest_free(m);
}

/* A fresh directory, and a MAC key file inside it. */
static int setup(void **state)
{
    int rc = tu_setup_tmpdir(state);
    if (rc == 0) {
        use_key(state, "key");
    }
    return rc;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, tu_teardown_tmpdir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_missing_entry_is_enoent),
        T(a_key_that_is_not_hex_is_einval),
        T(put_then_get_gives_the_zip_hashes),
        T(install_moves_the_entry_and_creates_parents),
        T(install_with_another_hash_writes_nothing),
        T(the_cache_keeps_at_most_its_entry_limit),
        T(a_verified_entry_is_used_without_building_again),
        T(without_a_key_every_store_builds),
        T(a_planted_entry_is_replaced_by_a_build),
        T(a_truncated_entry_is_replaced_by_a_build),
        T(a_damaged_entry_is_replaced_by_a_build),
        T(garbage_under_a_key_is_replaced_by_a_build),
        T(pruning_removes_only_stale_temporary_files_of_its_own_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
