/*
 * Tests for lp_cache: entries are found only when present and intact, an
 * install moves the entry into place (creating parents) only when it has the
 * expected hash, keys cannot name other files, and pruning bounds the cache.
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
#include "testutil.h"

#define KEY_A "aaaa000000000000000000000000000000000000000000000000000000000001"

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
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, &err), 0);
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
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, &err), 0);
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
    assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &put, &err), 0);
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
        assert_int_equal(lp_cache_put(dir, m->content_hash, m, 1, &info, &err), 0);
        lp_manifest_free(m);
    }
    /* Pruning runs before each store: the limit plus the newest entry. */
    assert_true(tu_count_entries(dir) <= LP_CACHE_MAX_ENTRIES + 1);
    free(dir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_missing_entry_is_enoent),
        T(a_key_that_is_not_hex_is_einval),
        T(put_then_get_gives_the_zip_hashes),
        T(install_moves_the_entry_and_creates_parents),
        T(install_with_another_hash_writes_nothing),
        T(the_cache_keeps_at_most_its_entry_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
