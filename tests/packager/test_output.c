/*
 * Tests for lp_output_same: two spellings of an output path are one file by
 * the device/inode rule lp_select uses to keep the output out of its own
 * package.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_output.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/lp-output-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", dir, rel);
}

static void spellings_of_one_directory_are_one_output(void **state)
{
    (void)state;
    char a[256], b[256];
    path(a, sizeof(a), "build");
    assert_int_equal(mkdir(a, 0755), 0);
    path(a, sizeof(a), "build/x.zip"); /* not created yet */
    path(b, sizeof(b), "./build/../build/x.zip");
    assert_true(lp_output_same(a, b));
    char link[256], via[256];
    path(link, sizeof(link), "alias");
    path(b, sizeof(b), "build");
    assert_int_equal(symlink(b, link), 0);
    path(via, sizeof(via), "alias/x.zip");
    assert_true(lp_output_same(a, via));
}

static void an_existing_file_is_known_by_its_inode(void **state)
{
    (void)state;
    char a[256], b[256];
    path(a, sizeof(a), "x.zip");
    FILE *f = fopen(a, "w");
    assert_non_null(f);
    fclose(f);
    path(b, sizeof(b), "hard.zip");
    assert_int_equal(link(a, b), 0);
    assert_true(lp_output_same(a, b));
}

static void other_names_or_directories_are_other_outputs(void **state)
{
    (void)state;
    char a[256], b[256];
    path(a, sizeof(a), "one");
    assert_int_equal(mkdir(a, 0755), 0);
    path(a, sizeof(a), "two");
    assert_int_equal(mkdir(a, 0755), 0);
    path(a, sizeof(a), "one/x.zip");
    path(b, sizeof(b), "two/x.zip");
    assert_false(lp_output_same(a, b));
    path(b, sizeof(b), "one/y.zip");
    assert_false(lp_output_same(a, b));
    assert_false(lp_output_same("missing/a/x.zip", "missing/b/x.zip"));
    assert_true(lp_output_same("missing/a/x.zip", "missing/a/x.zip"));
    assert_false(lp_output_same(a, NULL));
    assert_true(lp_output_same(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(spellings_of_one_directory_are_one_output, setup, teardown),
        cmocka_unit_test_setup_teardown(an_existing_file_is_known_by_its_inode, setup, teardown),
        cmocka_unit_test_setup_teardown(other_names_or_directories_are_other_outputs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
