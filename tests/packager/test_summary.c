/*
 * Tests for lp_summary: first-party files stay one entry each, vendored
 * distributions fold into one "dir/" entry whose hash moves with any file
 * below it.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_manifest.h"
#include "lp_summary.h"

typedef struct inline_file {
    const char *name;
    const char *content;
} inline_file;

static lp_summary *summarize(const inline_file *files, size_t n)
{
    lp_source *sources = calloc(n, sizeof(*sources));
    assert_non_null(sources);
    for (size_t i = 0; i < n; i++) {
        sources[i].filename = files[i].name;
        sources[i].content = files[i].content;
        sources[i].content_len = strlen(files[i].content);
    }
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = sources;
    spec.n_sources = n;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    lp_summary *s = NULL;
    assert_int_equal(lp_summary_build(&s, m, &err), 0);
    lp_manifest_free(m);
    free(sources);
    return s;
}

static const lp_summary_entry *find(const lp_summary *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->items[i].key, key) == 0) {
            return &s->items[i];
        }
    }
    return NULL;
}

static const inline_file vendored_tree[] = {
    {"app/handler.py", "import requests\n"},
    {"app/__init__.py", ""},
    {"requests/__init__.py", "# requests\n"},
    {"requests/api.py", "def get(): pass\n"},
    {"requests-2.31.0.dist-info/RECORD",
     "requests/__init__.py,sha256=x,1\nrequests/api.py,sha256=y,2\n"
     "requests-2.31.0.dist-info/RECORD,,\n"},
    {"requests-2.31.0.dist-info/METADATA", "Name: requests\n"},
    {"yaml/__init__.py", "# PyYAML's package is yaml\n"},
    {"PyYAML-6.0.dist-info/top_level.txt", "yaml\n_yaml\n"},
    {"six.py", "# a single-file module stays a file\n"},
    {"six-1.16.0.dist-info/RECORD", "six.py,sha256=z,3\n"},
    {"node_modules/left-pad/index.js", "module.exports = 1;\n"},
};
#define N_VENDORED (sizeof(vendored_tree) / sizeof(vendored_tree[0]))

static void first_party_files_are_listed_one_by_one(void **state)
{
    (void)state;
    lp_summary *s = summarize(vendored_tree, N_VENDORED);
    assert_non_null(find(s, "app/handler.py"));
    assert_non_null(find(s, "app/__init__.py"));
    assert_non_null(find(s, "six.py"));
    assert_int_equal(find(s, "app/handler.py")->n_files, 1);
    lp_summary_free(s);
}

static void distributions_fold_into_one_entry_each(void **state)
{
    (void)state;
    lp_summary *s = summarize(vendored_tree, N_VENDORED);
    const lp_summary_entry *req = find(s, "requests/");
    assert_non_null(req);
    assert_int_equal(req->n_files, 2);
    assert_null(find(s, "requests/api.py"));
    assert_non_null(find(s, "yaml/"));                      /* via top_level.txt */
    assert_non_null(find(s, "requests-2.31.0.dist-info/")); /* metadata folds too */
    assert_non_null(find(s, "node_modules/"));
    assert_null(find(s, "node_modules/left-pad/index.js"));
    /* app/ (2) + six.py + 4 folded dirs + six's dist-info */
    assert_int_equal(s->n, 2 + 1 + 4 + 2);
    lp_summary_free(s);
}

static void keys_are_sorted_bytewise(void **state)
{
    (void)state;
    lp_summary *s = summarize(vendored_tree, N_VENDORED);
    for (size_t i = 1; i < s->n; i++) {
        assert_true(strcmp(s->items[i - 1].key, s->items[i].key) < 0);
    }
    lp_summary_free(s);
}

static void a_change_inside_a_folded_dir_changes_its_hash_only(void **state)
{
    (void)state;
    inline_file changed[N_VENDORED];
    memcpy(changed, vendored_tree, sizeof(changed));
    for (size_t i = 0; i < N_VENDORED; i++) {
        if (strcmp(changed[i].name, "requests/api.py") == 0) {
            changed[i].content = "def get(): return 1\n";
        }
    }
    lp_summary *a = summarize(vendored_tree, N_VENDORED);
    lp_summary *b = summarize(changed, N_VENDORED);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->items[i].key, b->items[i].key);
        int same = strcmp(a->items[i].sha256_hex, b->items[i].sha256_hex) == 0;
        assert_int_equal(same, strcmp(a->items[i].key, "requests/") != 0);
    }
    lp_summary_free(a);
    lp_summary_free(b);
}

static void a_tree_without_distributions_is_not_folded(void **state)
{
    (void)state;
    static const inline_file plain[] = {
        {"handler.py", "x = 1\n"},
        {"lib/a.py", "a = 1\n"},
        {"lib/b.py", "b = 1\n"},
    };
    lp_summary *s = summarize(plain, 3);
    assert_int_equal(s->n, 3);
    assert_non_null(find(s, "lib/a.py"));
    lp_summary_free(s);
}

/* What refresh sees for a damaged ZIP: no files. No undefined behaviour
 * (qsort of a NULL array) on the way. */
static void an_empty_manifest_summarizes_to_no_entries(void **state)
{
    (void)state;
    lp_manifest empty;
    memset(&empty, 0, sizeof(empty));
    lp_summary *s = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_summary_build(&s, &empty, &err), 0);
    assert_int_equal(s->n, 0);
    lp_summary_free(s);
}

/* 12 directories of 100 files below src/, plus handler.py: 1,201 files. */
static inline_file *big_first_party_tree(size_t *n, char ***names_out)
{
    *n = 12 * 100 + 1;
    inline_file *files = calloc(*n, sizeof(*files));
    char **names = calloc(*n, sizeof(*names));
    assert_non_null(files);
    assert_non_null(names);
    for (size_t i = 0; i < *n - 1; i++) {
        names[i] = malloc(64);
        assert_non_null(names[i]);
        snprintf(names[i], 64, "src/pkg%02zu/mod%02zu.py", i / 100, i % 100);
        files[i].name = names[i];
        files[i].content = "x = 1\n";
    }
    files[*n - 1].name = "handler.py";
    files[*n - 1].content = "import src\n";
    *names_out = names;
    return files;
}

static void free_tree(inline_file *files, char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    free(files);
}

static void many_first_party_files_fold_at_the_deepest_level_that_fits(void **state)
{
    (void)state;
    size_t n = 0;
    char **names = NULL;
    inline_file *files = big_first_party_tree(&n, &names);
    lp_summary *s = summarize(files, n);
    /* Level 2 (src/pkgNN/) gives 13 entries; level 3 would list all 1,201. */
    assert_int_equal(s->n, 13);
    assert_non_null(find(s, "handler.py"));
    assert_non_null(find(s, "src/pkg00/"));
    assert_int_equal(find(s, "src/pkg11/")->n_files, 100);
    assert_null(find(s, "src/"));
    assert_true(s->n <= LP_SUMMARY_MAX_ENTRIES);

    files[150].content = "x = 2\n"; /* src/pkg01/mod50.py */
    lp_summary *t = summarize(files, n);
    assert_int_equal(t->n, s->n);
    for (size_t i = 0; i < s->n; i++) {
        assert_string_equal(s->items[i].key, t->items[i].key);
        int same = strcmp(s->items[i].sha256_hex, t->items[i].sha256_hex) == 0;
        assert_int_equal(same, strcmp(s->items[i].key, "src/pkg01/") != 0);
    }
    lp_summary_free(t);
    lp_summary_free(s);
    free_tree(files, names, n);
}

static void a_tree_at_the_limit_is_not_folded(void **state)
{
    (void)state;
    size_t n = 0;
    char **names = NULL;
    inline_file *files = big_first_party_tree(&n, &names);
    /* 999 files of src/ plus handler.py: exactly 1,000 entries. */
    files[999] = files[n - 1];
    lp_summary *s = summarize(files, LP_SUMMARY_MAX_ENTRIES);
    assert_int_equal(s->n, LP_SUMMARY_MAX_ENTRIES);
    assert_non_null(find(s, "src/pkg00/mod00.py"));
    lp_summary_free(s);
    free_tree(files, names, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_party_files_are_listed_one_by_one),
        cmocka_unit_test(distributions_fold_into_one_entry_each),
        cmocka_unit_test(keys_are_sorted_bytewise),
        cmocka_unit_test(a_change_inside_a_folded_dir_changes_its_hash_only),
        cmocka_unit_test(a_tree_without_distributions_is_not_folded),
        cmocka_unit_test(an_empty_manifest_summarizes_to_no_entries),
        cmocka_unit_test(many_first_party_files_fold_at_the_deepest_level_that_fits),
        cmocka_unit_test(a_tree_at_the_limit_is_not_folded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
