/*
 * Tests for lp_glob: the include/exclude pattern semantics documented in
 * docs/internals/glob.md.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "lp_glob.h"

/* 1/0 for pattern vs path; fails the test when the pattern does not compile. */
static int m(const char *pattern, const char *path, int is_dir)
{
    lp_glob *g = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_glob_compile(&g, pattern, &err);
    if (rc != 0) {
        fail_msg("pattern '%s' did not compile: %s", pattern, err.message);
    }
    int r = lp_glob_match(g, path, is_dir);
    lp_glob_free(g);
    return r;
}

static void star_matches_within_one_component(void **state)
{
    (void)state;
    assert_true(m("*.py", "handler.py", 0));
    assert_true(m("h*r.py", "handler.py", 0));
    assert_false(m("a/*.py", "a/b/c.py", 0));
    assert_true(m("a/*/c.py", "a/b/c.py", 0));
    assert_true(m("*", "anything", 0));
    assert_false(m("*.py", "handler.pyc", 0));
}

static void question_mark_matches_one_character(void **state)
{
    (void)state;
    assert_true(m("?.py", "a.py", 0));
    assert_false(m("?.py", "ab.py", 0));
    assert_false(m("a?b", "a/b", 0));
    /* One character, not one byte. */
    assert_true(m("caf?", "caf\xc3\xa9", 0));
}

/* The decoder is lp_path's, the one archive paths are checked with: a code
 * point of 2, 3 or 4 bytes is one character, in `?` and in classes; a byte
 * that starts no valid sequence (a stray continuation byte, an overlong
 * form, a surrogate) is one character of its own. */
static void question_mark_and_classes_take_code_points_as_lp_path_decodes_them(void **state)
{
    (void)state;
    assert_true(m("x?", "x\xe2\x82\xac", 0));     /* U+20AC */
    assert_true(m("x?", "x\xf0\x9f\x98\x80", 0)); /* U+1F600 */
    assert_true(m("x[\xc3\xa0-\xc3\xbf]", "x\xc3\xa9", 0));
    assert_false(m("x[\xc3\xa0-\xc3\xbf]", "x\xc3\x80", 0));
    assert_true(m("x??", "x\x80\x80", 0));     /* stray continuation bytes */
    assert_false(m("x?", "x\xe0\x80\xaf", 0)); /* overlong '/' is three bytes */
    assert_true(m("x???", "x\xe0\x80\xaf", 0));
    assert_true(m("x???", "x\xed\xa0\x80", 0)); /* a surrogate */
    assert_false(m("x?", "x\xed\xa0\x80", 0));
}

static void character_classes_and_negation(void **state)
{
    (void)state;
    assert_true(m("[a-c].txt", "b.txt", 0));
    assert_false(m("[a-c].txt", "d.txt", 0));
    assert_true(m("[!a-c].txt", "d.txt", 0));
    assert_false(m("[!a-c].txt", "a.txt", 0));
    assert_true(m("[^x]", "y", 0));
    assert_true(m("[]]", "]", 0));
    assert_true(m("[ab-]", "-", 0));
}

static void backslash_escapes_a_wildcard(void **state)
{
    (void)state;
    assert_true(m("a\\*b", "a*b", 0));
    assert_false(m("a\\*b", "axb", 0));
}

static void pattern_without_slash_matches_basename_at_any_depth(void **state)
{
    (void)state;
    assert_true(m("*.pyc", "x.pyc", 0));
    assert_true(m("*.pyc", "a/b/c/x.pyc", 0));
    assert_true(m(".DS_Store", "shared/.DS_Store", 0));
    assert_false(m("x.py", "ax.py", 0));
}

static void pattern_with_slash_is_anchored_at_the_root(void **state)
{
    (void)state;
    assert_true(m("shared/logic/*.py", "shared/logic/courses.py", 0));
    assert_false(m("shared/logic/*.py", "x/shared/logic/courses.py", 0));
    assert_true(m("/top.txt", "top.txt", 0));
    assert_false(m("/top.txt", "sub/top.txt", 0));
}

static void double_star_matches_zero_or_more_components(void **state)
{
    (void)state;
    assert_true(m("**/*.py", "a.py", 0));
    assert_true(m("**/*.py", "a/b/c.py", 0));
    assert_true(m("a/**/z", "a/z", 0));
    assert_true(m("a/**/z", "a/b/c/z", 0));
    assert_false(m("a/**/z", "b/z", 0));
    assert_true(m("a/**", "a/b", 0));
}

static void trailing_slash_matches_directories_and_their_contents(void **state)
{
    (void)state;
    assert_true(m("__pycache__/", "__pycache__", 1));
    assert_false(m("__pycache__/", "__pycache__", 0));
    assert_true(m("__pycache__/", "a/__pycache__/x.pyc", 0));
    assert_true(m("build/", "build/out/x", 0));
}

static void matching_a_parent_directory_matches_everything_below(void **state)
{
    (void)state;
    assert_true(m("tests", "tests/unit/test_a.py", 0));
    assert_true(m("shared/logic", "shared/logic/courses.py", 0));
    assert_false(m("shared/logic", "shared/logical.py", 0));
}

static void invalid_patterns_are_rejected_naming_the_pattern(void **state)
{
    (void)state;
    const char *bad[] = {"", "/", "[abc", "a/[", "a\\", "a//b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lp_glob *g = NULL;
        lp_error err = LP_ERROR_INIT;
        assert_int_equal(lp_glob_compile(&g, bad[i], &err), LP_EGLOB);
        assert_null(g);
        assert_int_equal(err.code, LP_EGLOB);
        assert_non_null(strstr(err.message, "invalid glob"));
        assert_non_null(strstr(err.message, bad[i]));
    }
}

static void many_double_stars_stay_fast(void **state)
{
    (void)state;
    char pat[400] = "";
    char path[2100] = "";
    for (int i = 0; i < 40; i++) {
        strcat(pat, "**/a/");
    }
    strcat(pat, "b");
    for (int i = 0; i < 1000; i++) {
        strcat(path, "a/");
    }
    strcat(path, "c");
    /* Exponential backtracking would not finish; the DP is quadratic. */
    assert_false(m(pat, path, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(star_matches_within_one_component),
        cmocka_unit_test(question_mark_matches_one_character),
        cmocka_unit_test(question_mark_and_classes_take_code_points_as_lp_path_decodes_them),
        cmocka_unit_test(character_classes_and_negation),
        cmocka_unit_test(backslash_escapes_a_wildcard),
        cmocka_unit_test(pattern_without_slash_matches_basename_at_any_depth),
        cmocka_unit_test(pattern_with_slash_is_anchored_at_the_root),
        cmocka_unit_test(double_star_matches_zero_or_more_components),
        cmocka_unit_test(trailing_slash_matches_directories_and_their_contents),
        cmocka_unit_test(matching_a_parent_directory_matches_everything_below),
        cmocka_unit_test(invalid_patterns_are_rejected_naming_the_pattern),
        cmocka_unit_test(many_double_stars_stay_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
