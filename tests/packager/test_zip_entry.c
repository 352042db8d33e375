/*
 * Tests for lp_zip_entry's safety net: an entry's compressed data must
 * decode again to its size and CRC-32. The whole-entry check (libdeflate's
 * decompressor, entries up to 4 MiB) is given damaged data directly; the
 * build path shows it checks what it builds (a small and a large entry, the
 * large one checked by zlib as it streams) and that a file changed since its
 * manifest is reported as changed, not as an encoder bug.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_hash.h"
#include "lp_zip_entry.h"

static unsigned char *text(size_t n)
{
    unsigned char *b = malloc(n);
    assert_non_null(b);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (unsigned char)("abcdefgh lambda handler shared\n"[(x >> 16) % 31]);
    }
    return b;
}

static lp_file inline_file(const unsigned char *data, size_t n)
{
    lp_file f;
    memset(&f, 0, sizeof(f));
    f.archive_path = "handler.py";
    f.source_index = 0;
    f.mode = 0644;
    f.size = n;
    f.content = data;
    assert_int_equal(lp_hash_sha256(data, n, f.sha256), 0);
    return f;
}

static void built_entry(lp_zip_entry_ctx *c, const unsigned char *data, size_t n, lp_zip_entry *e)
{
    lp_file f = inline_file(data, n);
    lp_error err = {0};
    assert_int_equal(lp_zip_entry_build(c, &f, 6, f.sha256, NULL, e, &err), LP_OK);
    assert_true(e->deflated);
    assert_true(e->comp_size < n);
}

static void an_intact_entry_passes_the_whole_check(void **state)
{
    (void)state;
    lp_zip_entry_ctx *c = lp_zip_entry_ctx_new(NULL);
    unsigned char *data = text(200000);
    lp_zip_entry e;
    built_entry(c, data, 200000, &e);
    assert_int_equal(lp_zip_entry_check_whole(c, &e), 0);
    lp_zip_entry_release(&e);
    lp_zip_entry_ctx_free(c);
    free(data);
}

static void a_flipped_byte_fails_the_whole_check(void **state)
{
    (void)state;
    lp_zip_entry_ctx *c = lp_zip_entry_ctx_new(NULL);
    unsigned char *data = text(200000);
    lp_zip_entry e;
    built_entry(c, data, 200000, &e);
    for (uint64_t at = 1; at < e.comp_size; at += e.comp_size / 7) {
        e.mem[at] ^= 0x10;
        assert_int_equal(lp_zip_entry_check_whole(c, &e), 1);
        e.mem[at] ^= 0x10;
    }
    assert_int_equal(lp_zip_entry_check_whole(c, &e), 0);
    lp_zip_entry_release(&e);
    lp_zip_entry_ctx_free(c);
    free(data);
}

static void truncated_or_extended_data_fails_the_whole_check(void **state)
{
    (void)state;
    lp_zip_entry_ctx *c = lp_zip_entry_ctx_new(NULL);
    unsigned char *data = text(100000);
    lp_zip_entry e;
    built_entry(c, data, 100000, &e);
    uint64_t n = e.comp_size;
    e.comp_size = n - 1;
    assert_int_equal(lp_zip_entry_check_whole(c, &e), 1);
    assert_true(e.mem_cap > n);
    e.mem[n] = 0;
    e.comp_size = n + 1; /* a byte after the final block */
    assert_int_equal(lp_zip_entry_check_whole(c, &e), 1);
    e.comp_size = n;
    e.crc ^= 1; /* decodes, but not to the content's CRC */
    assert_int_equal(lp_zip_entry_check_whole(c, &e), 1);
    lp_zip_entry_release(&e);
    lp_zip_entry_ctx_free(c);
    free(data);
}

static void entries_above_the_whole_limit_are_checked_while_streaming(void **state)
{
    (void)state;
    size_t n = (size_t)5 << 20;
    lp_zip_entry_ctx *c = lp_zip_entry_ctx_new(NULL);
    unsigned char *data = text(n);
    lp_zip_entry e;
    built_entry(c, data, n, &e);
    assert_int_equal(e.size, n);
    assert_int_equal(lp_zip_entry_check_whole(c, &e), 1); /* not its path */
    lp_zip_entry_release(&e);
    lp_zip_entry_ctx_free(c);
    free(data);
}

static void content_that_differs_from_its_manifest_is_a_change_not_a_bug(void **state)
{
    (void)state;
    lp_zip_entry_ctx *c = lp_zip_entry_ctx_new(NULL);
    unsigned char *data = text(50000);
    lp_file f = inline_file(data, 50000);
    data[100] ^= 1; /* after the manifest hashed it */
    lp_zip_entry e;
    lp_error err = {0};
    assert_int_equal(lp_zip_entry_build(c, &f, 6, f.sha256, NULL, &e, &err), LP_ECHANGED);
    assert_non_null(strstr(err.message, "changed"));
    lp_zip_entry_ctx_free(c);
    free(data);
}

/* A FIFO where the selection saw a regular file (swapped in between its stat
 * and the read): a change, reported at once, not a wait for a writer. */
static void a_source_swapped_for_a_fifo_is_a_change_without_waiting(void **state)
{
    (void)state;
    char dir[] = "/tmp/lp-entry-fifo-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/handler.py", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    unsigned char *data = text(1000);
    lp_file f = inline_file(data, 1000);
    f.content = NULL;
    f.source_path = path;
    lp_zip_entry_ctx *c = lp_zip_entry_ctx_new(NULL);
    lp_zip_entry e;
    lp_error err = {0};
    const unsigned char *read = NULL;
    unsigned char sha[32];
    alarm(10); /* an open that waited for a writer would end the test here */
    assert_int_equal(lp_zip_entry_build(c, &f, 6, f.sha256, NULL, &e, &err), LP_ECHANGED);
    assert_int_equal(lp_zip_entry_read_small(c, &f, &read, sha, &err), LP_ECHANGED);
    alarm(0);
    assert_null(read);
    lp_zip_entry_ctx_free(c);
    free(data);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_intact_entry_passes_the_whole_check),
        cmocka_unit_test(a_flipped_byte_fails_the_whole_check),
        cmocka_unit_test(truncated_or_extended_data_fails_the_whole_check),
        cmocka_unit_test(entries_above_the_whole_limit_are_checked_while_streaming),
        cmocka_unit_test(content_that_differs_from_its_manifest_is_a_change_not_a_bug),
        cmocka_unit_test(a_source_swapped_for_a_fifo_is_a_change_without_waiting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
