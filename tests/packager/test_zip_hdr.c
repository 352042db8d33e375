/*
 * Tests for lp_zip_hdr: each record's fields at the offsets APPNOTE.TXT
 * gives them (4.3.7 local header, 4.3.12 central header, 4.3.14-16 end
 * records, 4.5.3 the ZIP64 extra field), read back here byte by byte, and
 * the ZIP64 rules at the edges no test can reach with real data (entries
 * and offsets of 4 GiB). The bytes for ordinary entries are also pinned by
 * the ZIP golden test (test_deflate.c) through the whole writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lp_zip_hdr.h"

#define G4 ((uint64_t)0xFFFFFFFFu)

static uint32_t rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

static uint64_t rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static lp_zip_hdr entry(const char *name, uint64_t size, uint64_t comp, uint64_t offset)
{
    lp_zip_hdr h;
    memset(&h, 0, sizeof(h));
    h.name = name;
    h.name_len = strlen(name);
    h.size = size;
    h.comp_size = comp;
    h.offset = offset;
    h.crc = 0xCAFEF00Du;
    h.deflated = 1;
    h.ext_attr = 0100644u << 16;
    return h;
}

static void small_entry_headers_hold_every_field_and_no_extra(void **state)
{
    (void)state;
    unsigned char b[256];
    lp_zip_hdr h = entry("app.py", 1000, 400, 1234);
    size_t n = lp_zip_hdr_local(&h, b);
    assert_int_equal(n, 30 + 6);
    assert_int_equal(rd32(b), 0x04034b50u);
    assert_int_equal(rd16(b + 4), 20);    /* version needed: deflate */
    assert_int_equal(rd16(b + 6), 0);     /* flags */
    assert_int_equal(rd16(b + 8), 8);     /* method */
    assert_int_equal(rd16(b + 10), 0);    /* time 00:00:00 */
    assert_int_equal(rd16(b + 12), 0x21); /* date 1980-01-01 */
    assert_int_equal(rd32(b + 14), 0xCAFEF00Du);
    assert_int_equal(rd32(b + 18), 400);
    assert_int_equal(rd32(b + 22), 1000);
    assert_int_equal(rd16(b + 26), 6);
    assert_int_equal(rd16(b + 28), 0);
    assert_memory_equal(b + 30, "app.py", 6);

    int zip64 = 0;
    n = lp_zip_hdr_central(&h, b, &zip64);
    assert_int_equal(n, 46 + 6);
    assert_int_equal(zip64, 0);
    assert_int_equal(rd32(b), 0x02014b50u);
    assert_int_equal(rd16(b + 4), 0x033F); /* made by Unix, 6.3 */
    assert_int_equal(rd16(b + 6), 20);
    assert_int_equal(rd16(b + 10), 8);
    assert_int_equal(rd16(b + 14), 0x21);
    assert_int_equal(rd32(b + 16), 0xCAFEF00Du);
    assert_int_equal(rd32(b + 20), 400);
    assert_int_equal(rd32(b + 24), 1000);
    assert_int_equal(rd16(b + 28), 6);
    assert_int_equal(rd16(b + 30), 0); /* extra */
    assert_int_equal(rd16(b + 32), 0); /* comment */
    assert_int_equal(rd16(b + 34), 0); /* disk */
    assert_int_equal(rd16(b + 36), 0); /* internal attributes */
    assert_int_equal(rd32(b + 38), 0100644u << 16);
    assert_int_equal(rd32(b + 42), 1234);
    assert_memory_equal(b + 46, "app.py", 6);
}

static void version_needed_is_10_for_stored_files_20_for_directories_and_deflate(void **state)
{
    (void)state;
    unsigned char b[256];
    lp_zip_hdr h = entry("empty.txt", 0, 0, 0);
    h.deflated = 0;
    lp_zip_hdr_local(&h, b);
    assert_int_equal(rd16(b + 4), 10);
    assert_int_equal(rd16(b + 8), 0);
    h = entry("pkg/", 0, 0, 0);
    h.deflated = 0;
    lp_zip_hdr_local(&h, b);
    assert_int_equal(rd16(b + 4), 20);
}

static void non_ascii_name_sets_the_utf8_flag_and_ascii_does_not(void **state)
{
    (void)state;
    unsigned char b[256];
    int zip64 = 0;
    lp_zip_hdr h = entry("caf\xc3\xa9.py", 1, 1, 0);
    lp_zip_hdr_local(&h, b);
    assert_int_equal(rd16(b + 6), 0x0800);
    lp_zip_hdr_central(&h, b, &zip64);
    assert_int_equal(rd16(b + 8), 0x0800);
    h = entry("cafe~.py", 1, 1, 0);
    lp_zip_hdr_local(&h, b);
    assert_int_equal(rd16(b + 6), 0);
}

static void local_header_of_a_4_gib_entry_holds_both_sizes_in_zip64(void **state)
{
    (void)state;
    unsigned char b[256];
    /* Only the uncompressed size is too big: both go to the extra field. */
    lp_zip_hdr h = entry("big.bin", G4 + 10, 5000, 0);
    size_t n = lp_zip_hdr_local(&h, b);
    assert_int_equal(n, 30 + 7 + 20);
    assert_int_equal(rd16(b + 4), 45);
    assert_int_equal(rd32(b + 18), 0xFFFFFFFFu);
    assert_int_equal(rd32(b + 22), 0xFFFFFFFFu);
    assert_int_equal(rd16(b + 28), 20);
    const unsigned char *x = b + 30 + 7;
    assert_int_equal(rd16(x), 0x0001);
    assert_int_equal(rd16(x + 2), 16);
    assert_true(rd64(x + 4) == G4 + 10);
    assert_true(rd64(x + 12) == 5000);
}

static void central_header_holds_only_the_values_that_do_not_fit(void **state)
{
    (void)state;
    unsigned char b[256];
    int zip64 = 0;
    /* Size and offset too big, compressed size not: two 8-byte values, in
     * the order size, (compressed size), offset. */
    lp_zip_hdr h = entry("big.bin", G4, 5000, G4 + 77);
    size_t n = lp_zip_hdr_central(&h, b, &zip64);
    assert_int_equal(zip64, 1);
    assert_int_equal(n, 46 + 7 + 4 + 16);
    assert_int_equal(rd16(b + 6), 45);
    assert_int_equal(rd32(b + 20), 5000);
    assert_int_equal(rd32(b + 24), 0xFFFFFFFFu);
    assert_int_equal(rd16(b + 30), 20);
    assert_int_equal(rd32(b + 42), 0xFFFFFFFFu);
    const unsigned char *x = b + 46 + 7;
    assert_int_equal(rd16(x), 0x0001);
    assert_int_equal(rd16(x + 2), 16);
    assert_true(rd64(x + 4) == G4);
    assert_true(rd64(x + 12) == G4 + 77);

    /* An entry that fits leaves *zip64 as it was. */
    h = entry("small", 1, 1, 1);
    lp_zip_hdr_central(&h, b, &zip64);
    assert_int_equal(zip64, 1);
}

static void end_record_alone_up_to_65534_entries(void **state)
{
    (void)state;
    unsigned char b[LP_ZIP_HDR_END_MAX];
    size_t n = lp_zip_hdr_end(65534, 300, 7000, 0, b);
    assert_int_equal(n, 22);
    assert_int_equal(rd32(b), 0x06054b50u);
    assert_int_equal(rd16(b + 4), 0);
    assert_int_equal(rd16(b + 6), 0);
    assert_int_equal(rd16(b + 8), 65534);
    assert_int_equal(rd16(b + 10), 65534);
    assert_int_equal(rd32(b + 12), 300);
    assert_int_equal(rd32(b + 16), 7000);
    assert_int_equal(rd16(b + 20), 0);
}

static void zip64_end_records_from_65535_entries(void **state)
{
    (void)state;
    unsigned char b[LP_ZIP_HDR_END_MAX];
    size_t n = lp_zip_hdr_end(65535, 300, 7000, 0, b);
    assert_int_equal(n, 98);
    assert_int_equal(rd32(b), 0x06064b50u);
    assert_true(rd64(b + 4) == 44);
    assert_int_equal(rd16(b + 12), 45);
    assert_int_equal(rd16(b + 14), 45);
    assert_true(rd64(b + 24) == 65535);
    assert_true(rd64(b + 32) == 65535);
    assert_true(rd64(b + 40) == 300);
    assert_true(rd64(b + 48) == 7000);
    assert_int_equal(rd32(b + 56), 0x07064b50u);
    assert_true(rd64(b + 64) == 7300); /* the ZIP64 end record follows the directory */
    assert_int_equal(rd32(b + 72), 1);
    assert_int_equal(rd32(b + 76), 0x06054b50u);
    assert_int_equal(rd16(b + 84), 0xFFFF);
    assert_int_equal(rd16(b + 86), 0xFFFF);
    assert_int_equal(rd32(b + 88), 300);
    assert_int_equal(rd32(b + 92), 7000);
}

static void zip64_end_records_for_a_directory_past_4_gib_or_a_zip64_entry(void **state)
{
    (void)state;
    unsigned char b[LP_ZIP_HDR_END_MAX];
    size_t n = lp_zip_hdr_end(3, 300, G4 + 1, 0, b);
    assert_int_equal(n, 98);
    assert_int_equal(rd16(b + 76 + 8), 3);
    assert_int_equal(rd32(b + 76 + 16), 0xFFFFFFFFu);
    assert_int_equal(lp_zip_hdr_end(3, 300, 7000, 1, b), 98);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_entry_headers_hold_every_field_and_no_extra),
        cmocka_unit_test(version_needed_is_10_for_stored_files_20_for_directories_and_deflate),
        cmocka_unit_test(non_ascii_name_sets_the_utf8_flag_and_ascii_does_not),
        cmocka_unit_test(local_header_of_a_4_gib_entry_holds_both_sizes_in_zip64),
        cmocka_unit_test(central_header_holds_only_the_values_that_do_not_fit),
        cmocka_unit_test(end_record_alone_up_to_65534_entries),
        cmocka_unit_test(zip64_end_records_from_65535_entries),
        cmocka_unit_test(zip64_end_records_for_a_directory_past_4_gib_or_a_zip64_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
