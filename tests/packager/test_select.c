/*
 * Tests for source selection (lp_select, through lp_manifest_build): globs,
 * default excludes, prefixes, single files, inline content, base_dir,
 * symlinks, collisions, the output ZIP, and validation errors with the spec
 * field and source index they name.
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
#include "testutil.h"

static void prefix_puts_files_under_a_directory(void **state)
{
    const char *d = *state;
    tu_write(d, "shared/logic/courses.py", "x", 0644);
    char *src = tu_path(d, "shared");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, "python/shared/", &err), 0);
    assert_string_equal(m->files[0].archive_path, "python/shared/logic/courses.py");
    lp_manifest_free(m);
    free(src);
}

static void default_excludes_drop_caches_and_vcs_files(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    tu_write(d, "src/__pycache__/a.cpython-312.pyc", "x", 0644);
    tu_write(d, "src/b.pyc", "x", 0644);
    tu_write(d, "src/.git/HEAD", "x", 0644);
    tu_write(d, "src/sub/.DS_Store", "x", 0644);
    tu_write(d, "src/.terraform/x", "x", 0644);
    tu_write(d, "src/.venv/lib/site.py", "x", 0644);
    tu_write(d, "src/.pytest_cache/v/x", "x", 0644);
    tu_write(d, "src/.mypy_cache/x.json", "x", 0644);
    tu_write(d, "src/.ruff_cache/x", "x", 0644);
    tu_write(d, "src/.tox/py312/x", "x", 0644);
    tu_write(d, "src/.coverage", "x", 0644);
    tu_write(d, "src/web/node_modules/.cache/babel/x.json", "x", 0644);
    tu_write(d, "src/node_modules/.cache/x", "x", 0644);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    assert_int_equal(m->n_files, 1);
    assert_string_equal(m->files[0].archive_path, "a.py");
    lp_manifest_free(m);

    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.default_excludes = 0;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 14);
    lp_manifest_free(m);
    free(src);
}

static void include_and_exclude_globs_select_files(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    tu_write(d, "src/a.txt", "a", 0644);
    tu_write(d, "src/tests/test_a.py", "a", 0644);
    tu_write(d, "src/lib/b.py", "b", 0644);
    char *src = tu_path(d, "src");
    const char *inc[] = {"*.py"};
    const char *exc[] = {"tests/"};
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    s.include = inc;
    s.n_include = 1;
    s.exclude = exc;
    s.n_exclude = 1;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 2);
    assert_string_equal(m->files[0].archive_path, "a.py");
    assert_string_equal(m->files[1].archive_path, "lib/b.py");
    lp_manifest_free(m);

    /* Spec-wide excludes apply to every source. */
    const char *sx[] = {"lib/**"};
    s.exclude = NULL;
    s.n_exclude = 0;
    spec.excludes = sx;
    spec.n_excludes = 1;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 2);
    assert_string_equal(m->files[1].archive_path, "tests/test_a.py");
    lp_manifest_free(m);
    free(src);
}

static void invalid_glob_names_field_and_source(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    char *src = tu_path(d, "src");
    const char *bad[] = {"[oops"};
    lp_source s[2];
    memset(s, 0, sizeof(s));
    s[0].path = src;
    s[1].path = src;
    s[1].prefix = "x";
    s[1].include = bad;
    s[1].n_include = 1;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = s;
    spec.n_sources = 2;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EGLOB);
    assert_null(m);
    assert_int_equal(err.source_index, 1);
    assert_string_equal(err.field, "include");
    assert_non_null(strstr(err.message, "[oops"));

    s[1].include = NULL;
    s[1].n_include = 0;
    s[1].exclude = bad;
    s[1].n_exclude = 1;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EGLOB);
    assert_string_equal(err.field, "exclude");

    s[1].exclude = NULL;
    s[1].n_exclude = 0;
    spec.excludes = bad;
    spec.n_excludes = 1;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EGLOB);
    assert_string_equal(err.field, "excludes");
    free(src);
}

static void single_file_source_uses_its_name(void **state)
{
    const char *d = *state;
    tu_write(d, "dir/handler.py", "h", 0755);
    char *src = tu_path(d, "dir/handler.py");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, "fn", &err), 0);
    assert_int_equal(m->n_files, 1);
    assert_string_equal(m->files[0].archive_path, "fn/handler.py");
    assert_int_equal(m->files[0].mode, 0755);
    lp_manifest_free(m);
    free(src);
}

static void inline_content_becomes_an_entry(void **state)
{
    (void)state;
    static const char content[] = "a\0bc";
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.content = content;
    s.content_len = 4;
    s.filename = "config/settings.json";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 1);
    assert_string_equal(m->files[0].archive_path, "config/settings.json");
    assert_int_equal(m->files[0].size, 4);
    assert_int_equal(m->files[0].mode, 0644);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_int_equal(lp_manifest_read(m, &m->files[0], 100, &buf, &len, &err), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(buf, content, 4);
    free(buf);
    assert_int_equal(lp_manifest_read(m, &m->files[0], 3, &buf, &len, &err), LP_ELIMIT);
    lp_manifest_free(m);
}

static void relative_paths_resolve_against_base_dir(void **state)
{
    const char *d = *state;
    tu_write(d, "proj/src/a.py", "a", 0644);
    char *base = tu_path(d, "proj");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = "src";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.base_dir = base;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_string_equal(m->files[0].archive_path, "a.py");
    lp_manifest_free(m);
    free(base);
}

static void missing_source_is_enoent_with_index_and_field(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    char *src = tu_path(d, "src");
    lp_source s[2];
    memset(s, 0, sizeof(s));
    s[0].path = src;
    s[1].path = "/nonexistent/lp/path";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = s;
    spec.n_sources = 2;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_ENOENT);
    assert_int_equal(err.source_index, 1);
    assert_string_equal(err.field, "path");
    assert_non_null(strstr(err.message, "/nonexistent/lp/path"));
    free(src);
}

static void same_archive_path_from_two_sources_is_a_collision(void **state)
{
    const char *d = *state;
    tu_write(d, "one/x.py", "1", 0644);
    tu_write(d, "two/x.py", "2", 0644);
    char *one = tu_path(d, "one"), *two = tu_path(d, "two");
    lp_source s[2];
    memset(s, 0, sizeof(s));
    s[0].path = one;
    s[1].path = two;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = s;
    spec.n_sources = 2;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_ECOLLISION);
    assert_string_equal(err.path, "x.py");
    assert_non_null(strstr(err.message, "source 0"));
    assert_non_null(strstr(err.message, "source 1"));
    assert_non_null(strstr(err.message, one));
    assert_non_null(strstr(err.message, two));

    /* A file where another source needs a directory collides too. */
    tu_write(d, "three/x.py/y", "3", 0644);
    char *three = tu_path(d, "three");
    s[1].path = three;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_ECOLLISION);
    free(one);
    free(two);
    free(three);
}

static void invalid_archive_paths_are_epath(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, "../up", &err), LP_EPATH);
    assert_string_equal(err.field, "prefix");
    assert_int_equal(tu_build_dir(&m, src, "/abs", &err), LP_EPATH);
    assert_int_equal(tu_build_dir(&m, src, "a\\b", &err), LP_EPATH);
    assert_int_equal(tu_build_dir(&m, src, "a//b", &err), LP_EPATH);

    tu_write(d, "bad/back\\slash.py", "x", 0644);
    char *bad = tu_path(d, "bad");
    assert_int_equal(tu_build_dir(&m, bad, NULL, &err), LP_EPATH);
    assert_string_equal(err.path, "back\\slash.py");
    tu_rmtree(bad);
    tu_write(d, "bad/\xff\xfe.py", "x", 0644);
    assert_int_equal(tu_build_dir(&m, bad, NULL, &err), LP_EPATH);
    assert_non_null(strstr(err.message, "UTF-8"));

    lp_source s;
    memset(&s, 0, sizeof(s));
    s.content = "x";
    s.content_len = 1;
    s.filename = "../evil.py";
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EPATH);
    assert_string_equal(err.field, "filename");
    free(src);
    free(bad);
}

static void symlink_inside_the_source_is_followed(void **state)
{
    const char *d = *state;
    tu_write(d, "src/real/x.py", "x", 0644);
    char *link = tu_path(d, "src/alias");
    char *flink = tu_path(d, "src/y.py");
    assert_int_equal(symlink("real", link), 0);
    assert_int_equal(symlink("real/x.py", flink), 0);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), 0);
    assert_int_equal(m->n_files, 3);
    assert_non_null(lp_manifest_find(m, "alias/x.py"));
    assert_non_null(lp_manifest_find(m, "y.py"));
    assert_string_equal(lp_manifest_find(m, "y.py")->sha256_hex,
                        lp_manifest_find(m, "real/x.py")->sha256_hex);
    lp_manifest_free(m);
    free(link);
    free(flink);
    free(src);
}

static void symlink_escaping_the_source_is_esymlink_unless_allowed(void **state)
{
    const char *d = *state;
    tu_write(d, "outside/secret.txt", "s", 0644);
    tu_write(d, "src/a.py", "a", 0644);
    char *target = tu_path(d, "outside/secret.txt");
    char *link = tu_path(d, "src/leak.txt");
    assert_int_equal(symlink(target, link), 0);
    char *src = tu_path(d, "src");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_ESYMLINK);
    assert_non_null(strstr(err.message, "leak.txt"));
    assert_int_equal(err.source_index, 0);
    spec.allow_external_symlinks = 1;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_non_null(lp_manifest_find(m, "leak.txt"));
    lp_manifest_free(m);
    free(target);
    free(link);
    free(src);
}

static void excluded_escaping_or_dangling_symlink_is_skipped_unfollowed(void **state)
{
    const char *d = *state;
    tu_write(d, "outside/secret.txt", "s", 0644);
    tu_write(d, "src/a.py", "a", 0644);
    char *target = tu_path(d, "outside/secret.txt");
    char *link = tu_path(d, "src/leak.txt");
    char *dangling = tu_path(d, "src/cache/old");
    assert_int_equal(symlink(target, link), 0);
    tu_write(d, "src/cache/keep.py", "k", 0644);
    assert_int_equal(symlink("/nonexistent/target", dangling), 0);
    char *src = tu_path(d, "src");
    const char *excl[] = {"leak.txt", "cache/old"};
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    s.exclude = excl;
    s.n_exclude = 2;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_null(lp_manifest_find(m, "leak.txt"));
    assert_null(lp_manifest_find(m, "cache/old"));
    assert_non_null(lp_manifest_find(m, "cache/keep.py"));
    lp_manifest_free(m);
    free(target);
    free(link);
    free(dangling);
    free(src);
}

static void symlink_loop_is_esymlink(void **state)
{
    const char *d = *state;
    tu_write(d, "src/sub/a.py", "a", 0644);
    char *link = tu_path(d, "src/sub/back");
    assert_int_equal(symlink("..", link), 0);
    char *src = tu_path(d, "src");
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), LP_ESYMLINK);
    assert_non_null(strstr(err.message, "back"));
    char *self = tu_path(d, "src/self");
    assert_int_equal(symlink("self", self), 0);
    unlink(link);
    assert_int_equal(tu_build_dir(&m, src, NULL, &err), LP_ESYMLINK);
    free(self);
    free(link);
    free(src);
}

static void output_zip_and_its_temp_files_inside_a_source_are_skipped(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    tu_write(d, "src/out.zip", "old zip", 0644);
    tu_write(d, "src/out.zip.Ab12Cd.tmp", "partial", 0644);
    tu_write(d, "src/other.zip", "kept", 0644);
    char *src = tu_path(d, "src");
    char *out = tu_path(d, "src/out.zip");
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.output_path = out;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 2);
    assert_non_null(lp_manifest_find(m, "a.py"));
    assert_non_null(lp_manifest_find(m, "other.zip"));
    lp_manifest_free(m);

    /* Also without the default excludes: the output is never a source. */
    spec.default_excludes = 0;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 2);
    lp_manifest_free(m);
    spec.default_excludes = 1;

    /* Also when reached through another path to the same directory. */
    char *alias = tu_path(d, "alias");
    assert_int_equal(symlink(src, alias), 0);
    s.path = alias;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), 0);
    assert_int_equal(m->n_files, 2);
    lp_manifest_free(m);
    free(alias);
    free(src);
    free(out);
}

/* Builds src with spec-wide excludes exc and source excludes sexc; returns
 * the archive paths joined by spaces, or the error's message. */
static char *select_with(const char *src, const char *const *exc, size_t n, const char *const *sexc,
                         size_t sn, int *rc)
{
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    s.exclude = sexc;
    s.n_exclude = sn;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    spec.excludes = exc;
    spec.n_excludes = n;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    *rc = lp_manifest_build(&m, &spec, &err);
    char *out = calloc(1, 4096);
    assert_non_null(out);
    if (*rc < 0) {
        snprintf(out, 4096, "%s", err.message);
        return out;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        strcat(out, i > 0 ? " " : "");
        strcat(out, m->files[i].archive_path);
    }
    lp_manifest_free(m);
    return out;
}

static void gitignore_negation_re_includes_with_last_match_winning(void **state)
{
    const char *d = *state;
    tu_write(d, "src/README.md", "r", 0644);
    tu_write(d, "src/NOTES.md", "n", 0644);
    tu_write(d, "src/app.py", "a", 0644);
    tu_write(d, "src/docs/keep.md", "k", 0644);
    tu_write(d, "src/docs/drop.md", "d", 0644);
    tu_write(d, "src/logs/keep.txt", "k", 0644);
    char *src = tu_path(d, "src");
    int rc;
    char *got;

    const char *md[] = {"*.md", "!README.md"};
    got = select_with(src, md, 2, NULL, 0, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(got, "README.md app.py logs/keep.txt");
    free(got);

    /* Order matters: a later plain pattern excludes again. */
    const char *md_rev[] = {"!README.md", "*.md"};
    got = select_with(src, md_rev, 2, NULL, 0, &rc);
    assert_string_equal(got, "app.py logs/keep.txt");
    free(got);

    /* Files matched by "docs/<star>" can be re-included... */
    const char *docs[] = {"docs/*", "!docs/keep.md"};
    got = select_with(src, docs, 2, NULL, 0, &rc);
    assert_string_equal(got, "NOTES.md README.md app.py docs/keep.md logs/keep.txt");
    free(got);

    /* ...but not below an excluded directory (git does not look inside). */
    const char *logs[] = {"logs/", "!logs/keep.txt"};
    got = select_with(src, logs, 2, NULL, 0, &rc);
    assert_string_equal(got, "NOTES.md README.md app.py docs/drop.md docs/keep.md");
    free(got);

    /* A source's own exclude comes last: it can re-include a spec-wide one. */
    const char *all_md[] = {"*.md"};
    const char *keep_notes[] = {"!NOTES.md"};
    got = select_with(src, all_md, 1, keep_notes, 1, &rc);
    assert_string_equal(got, "NOTES.md app.py logs/keep.txt");
    free(got);

    /* ...and a default exclude. */
    tu_write(d, "src/.coverage", "c", 0644);
    const char *keep_cov[] = {"!.coverage"};
    got = select_with(src, keep_cov, 1, NULL, 0, &rc);
    assert_string_equal(got, ".coverage NOTES.md README.md app.py docs/drop.md docs/keep.md "
                             "logs/keep.txt");
    free(got);

    /* `\!` is a literal '!' in a name. */
    tu_write(d, "src/!bang.txt", "b", 0644);
    const char *bang[] = {"\\!bang.txt", ".coverage"};
    got = select_with(src, bang, 2, NULL, 0, &rc);
    assert_string_equal(got, "NOTES.md README.md app.py docs/drop.md docs/keep.md logs/keep.txt");
    free(got);
    free(src);
}

static void negation_in_an_include_list_is_an_error(void **state)
{
    const char *d = *state;
    tu_write(d, "src/a.py", "a", 0644);
    char *src = tu_path(d, "src");
    const char *inc[] = {"!a.py"};
    lp_source s;
    memset(&s, 0, sizeof(s));
    s.path = src;
    s.include = inc;
    s.n_include = 1;
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &s;
    spec.n_sources = 1;
    lp_manifest *m = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_manifest_build(&m, &spec, &err), LP_EGLOB);
    assert_string_equal(err.field, "include");
    assert_non_null(strstr(err.message, "exclude lists"));
    free(src);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_setup_tmpdir, tu_teardown_tmpdir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(prefix_puts_files_under_a_directory),
        T(default_excludes_drop_caches_and_vcs_files),
        T(include_and_exclude_globs_select_files),
        T(gitignore_negation_re_includes_with_last_match_winning),
        T(negation_in_an_include_list_is_an_error),
        T(invalid_glob_names_field_and_source),
        T(single_file_source_uses_its_name),
        T(inline_content_becomes_an_entry),
        T(relative_paths_resolve_against_base_dir),
        T(missing_source_is_enoent_with_index_and_field),
        T(same_archive_path_from_two_sources_is_a_collision),
        T(invalid_archive_paths_are_epath),
        T(symlink_inside_the_source_is_followed),
        T(symlink_escaping_the_source_is_esymlink_unless_allowed),
        T(excluded_escaping_or_dangling_symlink_is_skipped_unfollowed),
        T(symlink_loop_is_esymlink),
        T(output_zip_and_its_temp_files_inside_a_source_are_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
