/*
 * Tests for lp_zip_read_manifest and lp_manifest_diff: our own ZIPs read back
 * to the same manifest, and hand-made hostile ZIPs (unsafe names, lying
 * sizes, bad CRCs, truncation, garbage, bombs) are rejected cleanly.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp_zip.h"
#include "testutil.h"

static lp_manifest *build(const char *src, int level)
{
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.level = level;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    if (lp_manifest_build(&m, &spec, &err) != 0) {
        fail_msg("manifest: %s", err.message);
    }
    return m;
}

static void our_zip_reads_back_to_the_same_manifest(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "print('a')\n", 0644);
    tu_write(d, "src/bin/run", "#!/bin/sh\n", 0755);
    tu_write(d, "src/empty", "", 0644);
    char *src = tu_path(d, "src"), *out = tu_path(d, "out.zip");
    for (int level = 0; level <= 9; level += 9) {
        lp_manifest *m = build(src, level), *r = NULL;
        lp_error err = LP_ERROR_INIT;
        assert_int_equal(lp_zip_write(m, out, 0, NULL, &err), 0);
        assert_int_equal(lp_zip_read_manifest(&r, out, level, &err), 0);
        assert_int_equal(r->n_files, 3);
        assert_string_equal(r->content_hash, m->content_hash);
        assert_int_equal(lp_manifest_find(r, "bin/run")->mode, 0755);
        lp_diff_list *dl = NULL;
        assert_int_equal(lp_manifest_diff(&dl, m, r, &err), 0);
        assert_int_equal(dl->n, 0);
        lp_diff_list_free(dl);
        lp_manifest_free(m);
        lp_manifest_free(r);
    }
    free(src);
    free(out);
}

/* Reads path expecting code; returns err for further checks. */
static lp_error read_expect(const char *path, int code)
{
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_zip_read_manifest(&m, path, 6, &err);
    if (rc != code) {
        fail_msg("expected %d, got %d (%s)", code, rc, err.message);
    }
    if (rc == 0) {
        lp_manifest_free(m);
    } else {
        assert_null(m);
        assert_true(err.message[0] != '\0');
    }
    return err;
}

static void unsafe_entry_names_are_epath_naming_the_entry(void **state)
{
    const char *d = *state;
    const char *names[] = {"../evil.py",     "a/../../evil.py", "/etc/passwd",
                           "a\\..\\evil.py", "a//b.py",         "\xff\xfe.py"};
    char *z = tu_path(d, "bad.zip");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        tu_zip_entry e = {.name = names[i], .data = "x", .len = 1};
        tu_zip_raw(z, &e, 1, 0);
        lp_error err = read_expect(z, LP_EPATH);
        assert_string_equal(err.path, names[i]);
    }
    free(z);
}

/* libzip turns a NUL inside a stored name into a space; an extractor may
 * stop at it instead. Either way the name is not what it seems: refused. */
static void names_with_nul_or_control_bytes_are_epath(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "bad.zip");
    static const char nul_name[] = "app.py\0.txt";
    tu_zip_entry e = {.name = nul_name, .name_len = sizeof(nul_name) - 1, .data = "x", .len = 1};
    tu_zip_raw(z, &e, 1, 0);
    lp_error err = read_expect(z, LP_EPATH);
    assert_non_null(strstr(err.message, "NUL"));
    assert_non_null(strstr(err.message, "app.py\\x00.txt"));
    tu_zip_entry ok = {.name = "fine.py", .data = "x", .len = 1};
    tu_zip_entry two[] = {ok, {.name = "bell\a.py", .data = "y", .len = 1}};
    tu_zip_raw(z, two, 2, 0);
    err = read_expect(z, LP_EPATH);
    assert_non_null(strstr(err.message, "bell"));
    free(z);
}

static void declared_size_larger_than_data_is_ezip(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "bad.zip");
    tu_zip_entry e = {
        .name = "a.txt", .data = "hello", .len = 5, .size_set = 1, .uncomp_size = 5000000};
    tu_zip_raw(z, &e, 1, 0);
    read_expect(z, LP_EZIP);
    free(z);
}

static void declared_size_smaller_than_data_is_ezip(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "bad.zip");
    /* A deflated 1 MiB of zeros declared as 100 bytes: the reader must stop
     * at the declared size instead of inflating everything. */
    static unsigned char zeros[1 << 20];
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(9);
    size_t bound = libdeflate_deflate_compress_bound(c, sizeof(zeros));
    unsigned char *buf = malloc(bound);
    size_t clen = libdeflate_deflate_compress(c, zeros, sizeof(zeros), buf, bound);
    libdeflate_free_compressor(c);
    tu_zip_entry e = {.name = "bomb.bin",
                      .data = buf,
                      .len = clen,
                      .method = 8,
                      .crc_set = 1,
                      .crc = (uint32_t)libdeflate_crc32(0, zeros, sizeof(zeros)),
                      .size_set = 1,
                      .uncomp_size = 100};
    tu_zip_raw(z, &e, 1, 0);
    read_expect(z, LP_EZIP);
    free(buf);
    free(z);
}

static void huge_declared_total_is_elimit_before_reading(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "bad.zip");
    tu_zip_entry e[3] = {
        {.name = "a", .data = "x", .len = 1, .size_set = 1, .uncomp_size = 0x7fffffff},
        {.name = "b", .data = "x", .len = 1, .size_set = 1, .uncomp_size = 0x7fffffff},
        {.name = "c", .data = "x", .len = 1},
    };
    tu_zip_raw(z, e, 3, 0);
    read_expect(z, LP_ELIMIT);
    free(z);
}

static void bad_crc_is_ezip(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "bad.zip");
    tu_zip_entry e = {.name = "a.txt", .data = "hello", .len = 5, .crc_set = 1, .crc = 1234};
    tu_zip_raw(z, &e, 1, 0);
    lp_error err = read_expect(z, LP_EZIP);
    assert_non_null(strstr(err.message, "a.txt"));
    free(z);
}

static void truncated_archive_is_ezip(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "bad.zip");
    tu_zip_entry e[2] = {{.name = "a.txt", .data = "hello", .len = 5},
                         {.name = "b.txt", .data = "world", .len = 5}};
    size_t full = tu_zip_raw(z, e, 2, 0);
    for (size_t cut = 1; cut < full; cut += 7) {
        tu_zip_raw(z, e, 2, cut);
        read_expect(z, LP_EZIP);
    }
    free(z);
}

static void garbage_is_ezip(void **state)
{
    const char *d = *state;
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (unsigned char)(i * 131 + 7);
    }
    tu_write_bytes(d, "junk.zip", junk, sizeof(junk), 0644);
    char *z = tu_path(d, "junk.zip");
    read_expect(z, LP_EZIP);
    free(z);
}

static void duplicate_entries_are_ezip(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "dup.zip");
    tu_zip_entry e[2] = {{.name = "a.txt", .data = "one", .len = 3},
                         {.name = "a.txt", .data = "two", .len = 3}};
    tu_zip_raw(z, e, 2, 0);
    read_expect(z, LP_EZIP);
    free(z);
}

static void missing_zip_is_enoent(void **state)
{
    char *z = tu_path(*state, "nope.zip");
    read_expect(z, LP_ENOENT);
    free(z);
}

static void modes_come_from_unix_external_attributes(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "modes.zip");
    tu_zip_entry e[2] = {{.name = "run", .data = "x", .len = 1, .external = 0100755u << 16},
                         {.name = "plain", .data = "y", .len = 1, .external = 0}};
    tu_zip_raw(z, e, 2, 0);
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_zip_read_manifest(&m, z, 6, &err), 0);
    assert_int_equal(lp_manifest_find(m, "run")->mode, 0755);
    assert_int_equal(lp_manifest_find(m, "plain")->mode, 0644);
    lp_manifest_free(m);
    free(z);
}

static void symlink_entries_are_ezip(void **state)
{
    const char *d = *state;
    char *z = tu_path(d, "link.zip");
    tu_zip_entry e = {.name = "etc", .data = "/etc", .len = 4, .external = 0120777u << 16};
    tu_zip_raw(z, &e, 1, 0);
    lp_error err = read_expect(z, LP_EZIP);
    assert_non_null(strstr(err.message, "symbolic link"));
    free(z);
}

static void diff_reports_missing_extra_changed_and_mode(void **state)
{
    const char *d = *state;
    tu_write(d, "a/same.py", "s", 0644);
    tu_write(d, "a/gone.py", "g", 0644);
    tu_write(d, "a/changed.py", "1", 0644);
    tu_write(d, "a/mode.sh", "m", 0644);
    tu_write(d, "b/same.py", "s", 0644);
    tu_write(d, "b/new.py", "n", 0644);
    tu_write(d, "b/changed.py", "2", 0644);
    tu_write(d, "b/mode.sh", "m", 0755);
    char *a = tu_path(d, "a"), *b = tu_path(d, "b");
    lp_manifest *ma = build(a, 6), *mb = build(b, 6);
    lp_diff_list *dl = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_diff(&dl, ma, mb, &err), 0);
    assert_int_equal(dl->n, 4);
    assert_string_equal(dl->items[0].archive_path, "changed.py");
    assert_int_equal(dl->items[0].kind, LP_DIFF_CHANGED);
    assert_string_equal(dl->items[1].archive_path, "gone.py");
    assert_int_equal(dl->items[1].kind, LP_DIFF_MISSING);
    assert_string_equal(dl->items[2].archive_path, "mode.sh");
    assert_int_equal(dl->items[2].kind, LP_DIFF_MODE);
    assert_int_equal(dl->items[2].expected_mode, 0644);
    assert_int_equal(dl->items[2].actual_mode, 0755);
    assert_string_equal(dl->items[3].archive_path, "new.py");
    assert_int_equal(dl->items[3].kind, LP_DIFF_EXTRA);
    lp_diff_list_free(dl);
    lp_manifest_free(ma);
    lp_manifest_free(mb);
    free(a);
    free(b);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(our_zip_reads_back_to_the_same_manifest),
        T(unsafe_entry_names_are_epath_naming_the_entry),
        T(names_with_nul_or_control_bytes_are_epath),
        T(declared_size_larger_than_data_is_ezip),
        T(declared_size_smaller_than_data_is_ezip),
        T(huge_declared_total_is_elimit_before_reading),
        T(bad_crc_is_ezip),
        T(truncated_archive_is_ezip),
        T(garbage_is_ezip),
        T(duplicate_entries_are_ezip),
        T(missing_zip_is_enoent),
        T(modes_come_from_unix_external_attributes),
        T(symlink_entries_are_ezip),
        T(diff_reports_missing_extra_changed_and_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
