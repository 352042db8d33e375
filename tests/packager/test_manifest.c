/*
 * Tests for lp_manifest: sorting, hashes, modes, directory entries, the
 * canonical serialization and what changes the content hash.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_manifest.h"
#include "lp_memo.h"
#include "testutil.h"

/* SHA-256 of "abc" and of the empty string (FIPS 180-2 test vectors). */
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void directory_source_is_taken_recursively_and_sorted(void **state)
{
    const char *d = *state;
    tu_write(d, "src/b.py", "b", 0644);
    tu_write(d, "src/a/z.py", "z", 0644);
    tu_write(d, "src/a/b/c.py", "c", 0644);
    tu_write(d, "src/B.py", "B", 0644);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    assert_int_equal(m->n_files, 4);
    assert_string_equal(m->files[0].archive_path, "B.py");
    assert_string_equal(m->files[1].archive_path, "a/b/c.py");
    assert_string_equal(m->files[2].archive_path, "a/z.py");
    assert_string_equal(m->files[3].archive_path, "b.py");
    assert_int_equal(m->unzipped_size, 4);
    lp_manifest_free(m);
    free(src);
}

static void file_hashes_are_sha256_of_the_contents(void **state)
{
    const char *d = *state;
    tu_write(d, "src/abc.txt", "abc", 0644);
    tu_write(d, "src/empty.txt", "", 0644);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    const lp_file *f = lp_manifest_find(m, "abc.txt");
    assert_non_null(f);
    assert_string_equal(f->sha256_hex, SHA_ABC);
    assert_int_equal(f->size, 3);
    f = lp_manifest_find(m, "empty.txt");
    assert_non_null(f);
    assert_string_equal(f->sha256_hex, SHA_EMPTY);
    assert_null(lp_manifest_find(m, "nope"));
    lp_manifest_free(m);
    free(src);
}

static void modes_are_0644_or_0755_when_any_execute_bit_is_set(void **state)
{
    const char *d = *state;
    tu_write(d, "src/plain", "p", 0600);
    tu_write(d, "src/group_x", "g", 0610);
    tu_write(d, "src/all", "a", 0777);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    assert_int_equal(lp_manifest_find(m, "plain")->mode, 0644);
    assert_int_equal(lp_manifest_find(m, "group_x")->mode, 0755);
    assert_int_equal(lp_manifest_find(m, "all")->mode, 0755);
    lp_manifest_free(m);
    free(src);
}

static void package_without_files_is_einval_but_empty_source_is_fine(void **state)
{
    const char *d = *state;
    tu_mkdirs(d, "empty");
    tu_write(d, "src/a.py", "a", 0644);
    char *empty = tu_path(d, "empty");
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, empty, NULL, &err), LP_EINVAL);
    lp_source s[2];
    memset(s, 0, sizeof(s));
    s[0].path = empty;
    s[1].path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = s;
    spec.n_sources = 2;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 1);
    lp_manifest_free(m);
    free(empty);
    free(src);
}

static void level_outside_0_to_9_is_einval_on_level(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    char *src = tu_path(d, "src");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    spec.level = 10;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EINVAL);
    assert_string_equal(err.field, "level");
    spec.level = -1;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EINVAL);
    free(src);
}

static void directory_entries_are_added_when_asked(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a/b/c.py", "c", 0644);
    tu_write(d, "src/a/d.py", "d", 0644);
    char *src = tu_path(d, "src");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.directory_entries = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 4);
    assert_string_equal(m->files[0].archive_path, "a/");
    assert_true(m->files[0].is_dir);
    assert_int_equal(m->files[0].mode, 0755);
    assert_string_equal(m->files[1].archive_path, "a/b/");
    assert_string_equal(m->files[2].archive_path, "a/b/c.py");
    assert_string_equal(m->files[3].archive_path, "a/d.py");
    lp_manifest_free(m);
    free(src);
}

static void canonical_serialization_is_the_documented_format(void **state)
{
    const char *d = *state;
    tu_write(d, "src/abc.txt", "abc", 0644);
    tu_write(d, "src/bin/run", "", 0755);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    char *canon = NULL;
    assert_int_equal(lp_manifest_canonical(m, &canon, &err), 0);
    assert_string_equal(canon, "lambda-package-manifest 1\n"
                               "level 6\n"
                               "directory_entries 0\n"
                               "entries 2\n"
                               "F 0644 3 " SHA_ABC " 7:abc.txt\n"
                               "F 0755 0 " SHA_EMPTY " 7:bin/run\n");
    /* The content hash is SHA-256 of exactly that text (checked with
     * sha256sum, an independent implementation). */
    char *cf = tu_path(d, "canon");
    tu_write(d, "canon", canon, 0644);
    char *expect_file = tu_path(d, "expect");
    assert_int_equal(tu_sh("sha256sum < '%s' | cut -c1-64 | tr -d '\\n' > '%s'", cf, expect_file),
                     0);
    size_t n = 0;
    unsigned char *expect = tu_read(expect_file, &n);
    assert_int_equal(n, 64);
    assert_memory_equal(expect, m->content_hash, 64);
    free(expect);
    free(expect_file);
    free(cf);
    free(canon);
    lp_manifest_free(m);
    free(src);
}

static void content_hash_changes_with_content_mode_path_and_level(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    char *src = tu_path(d, "src");
    char *f = tu_path(d, "src/a.py");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    char hashes[5][65];
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    memcpy(hashes[0], m->content_hash, 65);
    lp_manifest_free(m);
    tu_write(d, "src/a.py", "b", 0644);
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    memcpy(hashes[1], m->content_hash, 65);
    lp_manifest_free(m);
    chmod(f, 0755);
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    memcpy(hashes[2], m->content_hash, 65);
    lp_manifest_free(m);
    s.prefix = "p";
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    memcpy(hashes[3], m->content_hash, 65);
    lp_manifest_free(m);
    spec.level = 9;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    memcpy(hashes[4], m->content_hash, 65);
    lp_manifest_free(m);
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            assert_string_not_equal(hashes[i], hashes[j]);
        }
    }
    free(src);
    free(f);
}

static void thread_count_does_not_change_the_manifest(void **state)
{
    const char *d = *state;
    char name[64];
    for (int i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "src/d%d/f%d.py", i % 7, i);
        tu_write(d, name, name, 0644);
    }
    char *src = tu_path(d, "src");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *a = NULL, *b = NULL;
    lp_error err = LP_ERROR_INIT;
    spec.threads = 1;
    assert_int_equal(lp_manifest_build(&a, &spec, &err), 0);
    spec.threads = 8;
    assert_int_equal(lp_manifest_build(&b, &spec, &err), 0);
    assert_int_equal(a->n_files, 200);
    assert_string_equal(a->content_hash, b->content_hash);
    lp_manifest_free(a);
    lp_manifest_free(b);
    free(src);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

/* Lambda's unzipped limit is checked from the sizes the walk saw, before a
 * single byte is read: a file that was hashed would be in this process's
 * memo (its timestamps are settled), one that was not read is not. */
static void unzipped_limit_is_checked_before_any_file_is_read(void **state)
{
    const char *d = *state;
    char big[4096];
    memset(big, 'x', sizeof(big));
    big[sizeof(big) - 1] = '\0';
    tu_write(d, "src/big.bin", big, 0644);
    tu_write(d, "src/small.py", "x = 1\n", 0644);
    /* Settled for the memo: mtime and ctime older than LP_MEMO_SETTLE_SEC. */
    assert_int_equal(tu_sh("touch -d '1 hour ago' '%s/src/big.bin' '%s/src/small.py'", d, d), 0);
    sleep(LP_MEMO_SETTLE_SEC + 1);
    char *src = tu_path(d, "src");
    char *bigpath = tu_path(d, "src/big.bin");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    assert_true(spec.max_unzipped == 262144000ULL); /* Lambda's 250 MB by default */
    spec.sources = &s;
    spec.n_sources = 1;
    spec.max_unzipped = 1000;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    lp_memo_clear();
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_ELIMIT);
    assert_null(m);
    assert_non_null(strstr(err.message, "4101 bytes"));
    assert_non_null(strstr(err.message, "big.bin"));
    assert_non_null(strstr(err.message, "No file was read"));
    assert_int_equal(err.source_index, 0);
    struct stat st;
    unsigned char sha[32];
    assert_int_equal(stat(bigpath, &st), 0);
    assert_false(lp_memo_get(&st, sha));
    /* Without the limit the same build reads (and memoizes) the file. */
    spec.max_unzipped = 0;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_true(lp_memo_get(&st, sha));
    lp_manifest_free(m);
    free(bigpath);
    free(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(directory_source_is_taken_recursively_and_sorted),
        T(unzipped_limit_is_checked_before_any_file_is_read),
        T(file_hashes_are_sha256_of_the_contents),
        T(modes_are_0644_or_0755_when_any_execute_bit_is_set),
        T(package_without_files_is_einval_but_empty_source_is_fine),
        T(level_outside_0_to_9_is_einval_on_level),
        T(directory_entries_are_added_when_asked),
        T(canonical_serialization_is_the_documented_format),
        T(content_hash_changes_with_content_mode_path_and_level),
        T(thread_count_does_not_change_the_manifest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
