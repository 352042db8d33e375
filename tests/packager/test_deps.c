/*
 * Tests for lp_deps and lp_proc that need no pip or npm: pinning detection,
 * Amazon Linux platform tags, tool detection, request errors found before
 * any tool runs, and bounded subprocess runs (exit codes, stderr tails,
 * timeouts that kill the whole process group). The installs themselves are
 * tested with real pip and npm in test_deps_pip.sh and test_deps_npm.sh.
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

#include "lp_deps_int.h" /* lp_deps_pip_unpinned, lp_deps_platform_tags */
#include "lp_proc.h"
#include "testutil.h"

static int count_unpinned(const char *text, int *hashes, char *first)
{
    return lp_deps_pip_unpinned(text, strlen(text), hashes, first, 128);
}

static void fully_pinned_requirements_have_no_unpinned_line(void **state)
{
    (void)state;
    int hashes = -1;
    char first[128];
    assert_int_equal(count_unpinned("# comment\nalpha==1.0\n\nbeta[extra]==2.0 ; python_version "
                                    ">= '3.8'\n-r other.txt\n--index-url x\n",
                                    &hashes, first),
                     0);
    assert_int_equal(hashes, 0);
    assert_string_equal(first, "");
}

static void ranges_wildcards_bare_names_and_editables_are_unpinned(void **state)
{
    (void)state;
    int hashes = 0;
    char first[128];
    assert_int_equal(count_unpinned("alpha>=1.0\nbeta==2.*\ngamma\n-e ./local\ndelta==1,<2\n"
                                    "ok==1.0\n",
                                    &hashes, first),
                     5);
    assert_string_equal(first, "alpha>=1.0");
}

static void hashes_on_continuation_lines_are_seen(void **state)
{
    (void)state;
    int hashes = 0;
    char first[128];
    assert_int_equal(count_unpinned("alpha==1.0 \\\n    --hash=sha256:abcd \\\n"
                                    "    --hash=sha256:ef01\nbeta==2.0 --hash=sha256:99\n",
                                    &hashes, first),
                     0);
    assert_int_equal(hashes, 1);
}

static void platform_tags_follow_the_runtimes_amazon_linux(void **state)
{
    (void)state;
    char tags[LP_DEPS_MAX_TAGS][LP_DEPS_TAG_MAX];
    size_t n = 0;
    assert_int_equal(lp_deps_platform_tags("python3.12", "x86_64", tags, LP_DEPS_MAX_TAGS, &n), 0);
    assert_string_equal(tags[0], "manylinux_2_34_x86_64"); /* AL2023: glibc 2.34 */
    int has2014 = 0, has1 = 0;
    for (size_t i = 0; i < n; i++) {
        has2014 |= strcmp(tags[i], "manylinux2014_x86_64") == 0;
        has1 |= strcmp(tags[i], "manylinux1_x86_64") == 0;
        assert_null(strstr(tags[i], "2_35"));
    }
    assert_true(has2014 && has1);
    assert_string_equal(tags[n - 1], "manylinux1_x86_64");

    assert_int_equal(lp_deps_platform_tags("python3.11", "arm64", tags, LP_DEPS_MAX_TAGS, &n), 0);
    assert_string_equal(tags[0], "manylinux_2_26_aarch64"); /* AL2: glibc 2.26 */
    assert_string_equal(tags[n - 1], "manylinux2014_aarch64");
    assert_string_equal(tags[n - 2], "manylinux_2_17_aarch64");

    assert_int_equal(lp_deps_platform_tags("nodejs20.x", "x86_64", tags, LP_DEPS_MAX_TAGS, &n),
                     LP_EINVAL);
    assert_int_equal(lp_deps_platform_tags("python3.12", "s390x", tags, LP_DEPS_MAX_TAGS, &n),
                     LP_EINVAL);
}

static void the_tool_follows_the_file_name(void **state)
{
    (void)state;
    assert_int_equal(lp_deps_tool_for("src/requirements.txt"), LP_DEPS_PIP);
    assert_int_equal(lp_deps_tool_for("requirements-prod.txt"), LP_DEPS_PIP);
    assert_int_equal(lp_deps_tool_for("a/package-lock.json"), LP_DEPS_NPM);
    assert_int_equal(lp_deps_tool_for("npm-shrinkwrap.json"), LP_DEPS_NPM);
    assert_int_equal(lp_deps_tool_for("package.json"), 0);
    assert_int_equal(lp_deps_tool_for("Pipfile.lock"), 0);
}

static int request_error(const char *dir, const char *file, const char *runtime, const char *arch,
                         lp_error *err)
{
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    lp_deps_result res;
    char *cache = tu_path(dir, "cache");
    req.file = file;
    req.runtime = runtime;
    req.architecture = arch;
    req.cache_dir = cache;
    req.index = 3;
    int rc = lp_deps_install(&res, &req, err);
    lp_deps_result_free(&res);
    free(cache);
    return rc;
}

static void requests_that_cannot_work_fail_before_any_tool_runs(void **state)
{
    const char *dir = *state;
    lp_error err = LP_ERROR_INIT;
    char *req = tu_path(dir, "requirements.txt");
    char *lock = tu_path(dir, "package-lock.json");
    tu_write(dir, "requirements.txt", "alpha==1.0\n", 0644);
    tu_write(dir, "package-lock.json", "{\"lockfileVersion\": 3, ", 0644);

    assert_int_equal(request_error(dir, req, "nodejs20.x", NULL, &err), LP_EINVAL);
    assert_non_null(strstr(err.message, "Python runtime"));
    assert_int_equal(err.source_index, 3);
    assert_string_equal(err.field, "file");

    assert_int_equal(request_error(dir, req, "python3.12", "riscv", &err), LP_EINVAL);
    assert_string_equal(err.field, "architecture");

    assert_int_equal(request_error(dir, lock, "nodejs20.x", NULL, &err), LP_EINVAL);
    assert_non_null(strstr(err.message, "not a valid lock file"));

    tu_write(dir, "package-lock.json", "{\"lockfileVersion\": 3}", 0644);
    assert_int_equal(request_error(dir, lock, "nodejs20.x", NULL, &err), LP_ENOENT);
    assert_non_null(strstr(err.message, "package.json"));

    char *missing = tu_path(dir, "nope/requirements.txt");
    assert_int_equal(request_error(dir, missing, "python3.12", NULL, &err), LP_ENOENT);
    assert_non_null(strstr(err.message, "nope/requirements.txt"));
    free(missing);
    free(req);
    free(lock);
}

static void a_child_exit_code_and_stderr_tail_are_reported(void **state)
{
    (void)state;
    lp_proc_result res;
    lp_error err = LP_ERROR_INIT;
    char sh[4096];
    assert_int_equal(lp_proc_which("sh", sh, sizeof(sh)), 0);
    char *argv[] = {sh, "-c",
                    "echo out; i=0; while [ $i -lt 3000 ]; do echo line$i >&2; "
                    "i=$((i+1)); done; exit 7",
                    NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    assert_int_equal(lp_proc_run(&res, argv, envp, "/", 30, NULL, NULL, &err), 0);
    assert_int_equal(res.exit_code, 7);
    assert_int_equal(res.timed_out, 0);
    assert_string_equal(res.out_tail, "out\n");
    assert_true(strlen(res.err_tail) < LP_PROC_TAIL);
    assert_string_equal(lp_proc_last_lines(res.err_tail, 2), "line2998\nline2999\n");
}

static void a_child_past_its_deadline_is_killed_with_its_group(void **state)
{
    const char *dir = *state;
    lp_proc_result res;
    lp_error err = LP_ERROR_INIT;
    char sh[4096];
    char *marker = tu_path(dir, "grandchild-ran");
    char script[8192];
    snprintf(script, sizeof(script), "(sleep 3; touch '%s') & sleep 60", marker);
    assert_int_equal(lp_proc_which("sh", sh, sizeof(sh)), 0);
    char *argv[] = {sh, "-c", script, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    assert_int_equal(lp_proc_run(&res, argv, envp, NULL, 1, NULL, NULL, &err), 0);
    assert_int_equal(res.timed_out, 1);
    assert_true(res.seconds < 10);
    sleep(4);
    size_t len = 0;
    assert_null(tu_read(marker, &len)); /* the grandchild died with the group */
    free(marker);
}

/* A stop callback that says stop on its third call. */
static int stop_on_third(const lp_progress *p, void *payload)
{
    int *calls = payload;
    assert_int_equal(p->phase, LP_PROGRESS_DEPS);
    return ++*calls >= 3;
}

static void a_child_its_caller_stops_is_killed_with_its_group(void **state)
{
    const char *dir = *state;
    lp_proc_result res;
    lp_error err = LP_ERROR_INIT;
    char sh[4096];
    char *marker = tu_path(dir, "grandchild-ran");
    char script[8192];
    snprintf(script, sizeof(script), "(sleep 3; touch '%s') & sleep 60", marker);
    assert_int_equal(lp_proc_which("sh", sh, sizeof(sh)), 0);
    char *argv[] = {sh, "-c", script, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    int calls = 0;
    assert_int_equal(lp_proc_run(&res, argv, envp, NULL, 60, stop_on_third, &calls, &err), 0);
    assert_int_equal(res.cancelled, 1);
    assert_int_equal(res.timed_out, 0);
    assert_int_equal(calls, 3);
    sleep(4);
    size_t len = 0;
    assert_null(tu_read(marker, &len)); /* the grandchild died with the group */
    free(marker);
}

static void a_missing_program_is_not_found(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(lp_proc_which("lambdapack-no-such-tool", out, sizeof(out)), LP_ENOENT);
    assert_int_equal(lp_proc_which("/nonexistent/tool", out, sizeof(out)), LP_ENOENT);
}

/* ---- installs with a fake pip: a python3 script on PATH that writes what
 * pip writes (dist-info with INSTALLER, REQUESTED, direct_url.json and a
 * RECORD listing them, bin/, __pycache__/) and logs every run. The mode file
 * beside it selects: "ok", "fail" (stderr and exit 1) or "hang". ---- */

static const char fake_pip[] =
    "#!/bin/sh\n"
    "here=$(dirname \"$0\")\n"
    "echo \"$*\" >>\"$here/runs.log\"\n"
    "if [ \"$3\" = --version ]; then echo 'pip 99.0 from /somewhere (python 3.12)'; exit 0; fi\n"
    "mode=$(cat \"$here/mode\")\n"
    "if [ \"$mode\" = fail ]; then i=0; while [ $i -lt 50 ]; do echo noise$i >&2; i=$((i+1)); "
    "done; echo 'ERROR: No matching distribution found for nope==1.0' >&2; exit 1; fi\n"
    "if [ \"$mode\" = hang ]; then sleep 30; fi\n"
    "while [ $# -gt 0 ]; do [ \"$1\" = --target ] && t=$2; shift; done\n"
    "mkdir -p \"$t/pkg/__pycache__\" \"$t/pkg-1.0.dist-info\" \"$t/bin\"\n"
    "echo 'X = 1' >\"$t/pkg/__init__.py\"\n"
    "echo junk >\"$t/pkg/__pycache__/__init__.cpython-312.pyc\"\n"
    "echo '#!/usr/local/bin/python3' >\"$t/bin/pkg-cli\"\n"
    "echo pip >\"$t/pkg-1.0.dist-info/INSTALLER\"\n"
    "echo >\"$t/pkg-1.0.dist-info/REQUESTED\"\n"
    "echo '{\"url\": \"file:///home/me\"}' >\"$t/pkg-1.0.dist-info/direct_url.json\"\n"
    "echo 'Name: pkg' >\"$t/pkg-1.0.dist-info/METADATA\"\n"
    "printf '%s\\n' '../../bin/pkg-cli,sha256=a,1' 'pkg-1.0.dist-info/INSTALLER,sha256=b,4' "
    "'pkg-1.0.dist-info/METADATA,sha256=c,10' 'pkg-1.0.dist-info/RECORD,,' "
    "'pkg-1.0.dist-info/REQUESTED,sha256=d,0' 'pkg-1.0.dist-info/direct_url.json,sha256=e,1' "
    "'\"pkg/__init__.py\",sha256=f,6' 'pkg/__pycache__/__init__.cpython-312.pyc,,' "
    ">\"$t/pkg-1.0.dist-info/RECORD\"\n";

/* A whole file as a NUL-terminated string (NULL when missing). */
static char *read_text(const char *path)
{
    size_t n = 0;
    unsigned char *b = tu_read(path, &n);
    char *s = b != NULL ? malloc(n + 1) : NULL;
    if (s != NULL) {
        memcpy(s, b, n);
        s[n] = '\0';
    }
    free(b);
    return s;
}

typedef struct fake_env {
    char *dir;   /* scratch root */
    char *bin;   /* holds python3, mode, runs.log */
    char *cache; /* the deps cache */
    char *req;   /* requirements.txt */
    char *old_path;
} fake_env;

static int fake_setup(void **state)
{
    fake_env *f = calloc(1, sizeof(*f));
    f->dir = tu_mkdtemp();
    f->bin = tu_path(f->dir, "bin");
    f->cache = tu_path(f->dir, "cache");
    f->req = tu_path(f->dir, "requirements.txt");
    tu_write(f->dir, "bin/python3", fake_pip, 0755);
    tu_write(f->dir, "bin/mode", "ok", 0644);
    tu_write(f->dir, "requirements.txt", "pkg==1.0\n", 0644);
    const char *p = getenv("PATH");
    f->old_path = strdup(p != NULL ? p : "/usr/bin:/bin");
    char *path = malloc(strlen(f->bin) + strlen(f->old_path) + 2);
    sprintf(path, "%s:%s", f->bin, f->old_path);
    setenv("PATH", path, 1);
    free(path);
    *state = f;
    return 0;
}

static int fake_teardown(void **state)
{
    fake_env *f = *state;
    setenv("PATH", f->old_path, 1);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f->bin);
    free(f->cache);
    free(f->req);
    free(f->old_path);
    free(f);
    return 0;
}

static int fake_install(fake_env *f, int timeout, lp_deps_result *res, lp_error *err)
{
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    req.file = f->req;
    req.runtime = "python3.12";
    req.cache_dir = f->cache;
    req.timeout_seconds = timeout;
    req.index = 0;
    return lp_deps_install(res, &req, err);
}

static int count_runs(const fake_env *f, const char *word)
{
    char *log = tu_path(f->bin, "runs.log");
    char *text = read_text(log);
    int count = 0;
    for (char *line = text; line != NULL && *line != '\0';) {
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        count += strstr(line, word) != NULL;
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(text);
    free(log);
    return count;
}

static int exists(const char *dir, const char *rel)
{
    char *p = tu_path(dir, rel);
    struct stat st;
    int ok = lstat(p, &st) == 0;
    free(p);
    return ok;
}

static void an_install_strips_what_pip_writes_that_is_not_reproducible(void **state)
{
    fake_env *f = *state;
    lp_deps_result res;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(fake_install(f, 30, &res, &err), 0);
    assert_int_equal(res.cache_hit, 0);
    assert_true(exists(res.tree, "pkg/__init__.py"));
    assert_true(exists(res.tree, "pkg-1.0.dist-info/METADATA"));
    static const char *const gone[] = {"bin", "pkg/__pycache__", "pkg-1.0.dist-info/INSTALLER",
                                       "pkg-1.0.dist-info/REQUESTED",
                                       "pkg-1.0.dist-info/direct_url.json"};
    for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
        assert_false(exists(res.tree, gone[i]));
    }
    char *record = tu_path(res.tree, "pkg-1.0.dist-info/RECORD");
    char *text = read_text(record);
    assert_string_equal(text, "pkg-1.0.dist-info/METADATA,sha256=c,10\n"
                              "pkg-1.0.dist-info/RECORD,,\n"
                              "\"pkg/__init__.py\",sha256=f,6\n");
    free(text);
    free(record);
    assert_int_equal(res.n_files, 3);
    /* nothing but the entry (and the tool memo) is left in the cache */
    assert_int_equal(tu_count_entries(f->cache), 2);
    lp_deps_result_free(&res);
}

static void a_second_install_is_a_verified_hit_that_runs_no_tool(void **state)
{
    fake_env *f = *state;
    lp_deps_result a, b;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(fake_install(f, 30, &a, &err), 0);
    int runs = count_runs(f, "");
    assert_int_equal(fake_install(f, 30, &b, &err), 0);
    assert_int_equal(b.cache_hit, 1);
    assert_string_equal(a.tree, b.tree);
    assert_int_equal(count_runs(f, ""), runs); /* not even --version */
    lp_deps_result_free(&a);
    lp_deps_result_free(&b);
}

static void a_changed_lock_file_is_a_new_key(void **state)
{
    fake_env *f = *state;
    lp_deps_result a, b;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(fake_install(f, 30, &a, &err), 0);
    tu_write(f->dir, "requirements.txt", "pkg==1.0\nother==2.0\n", 0644);
    assert_int_equal(fake_install(f, 30, &b, &err), 0);
    assert_int_equal(b.cache_hit, 0);
    assert_string_not_equal(a.key, b.key);
    assert_int_equal(count_runs(f, "install"), 2);
    lp_deps_result_free(&a);
    lp_deps_result_free(&b);
}

static void a_damaged_entry_is_discarded_and_installed_again(void **state)
{
    fake_env *f = *state;
    lp_deps_result res;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(fake_install(f, 30, &res, &err), 0);
    tu_write(res.tree, "pkg/__init__.py", "X = 2\n", 0644); /* same size, other bytes */
    lp_deps_result_free(&res);
    assert_int_equal(fake_install(f, 30, &res, &err), 0);
    assert_int_equal(res.cache_hit, 0);
    char *init = tu_path(res.tree, "pkg/__init__.py");
    char *text = read_text(init);
    assert_string_equal(text, "X = 1\n");
    free(text);
    free(init);
    lp_deps_result_free(&res);

    tu_write(f->cache, "extra-file-is-not-a-key", "", 0644);
    assert_int_equal(fake_install(f, 30, &res, &err), 0);
    tu_write(res.tree, "pkg/added.py", "", 0644); /* an added file is damage too */
    lp_deps_result_free(&res);
    assert_int_equal(fake_install(f, 30, &res, &err), 0);
    assert_int_equal(res.cache_hit, 0);
    assert_false(exists(res.tree, "pkg/added.py"));
    lp_deps_result_free(&res);
    assert_int_equal(count_runs(f, "install"), 3);
}

/* Someone who can write the cache copies a consistent entry (tree and
 * MANIFEST agree) under another key, or drops the MAC: neither is believed. */
static void a_planted_entry_without_its_own_mac_is_installed_again(void **state)
{
    fake_env *f = *state;
    lp_deps_result a, b;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(fake_install(f, 30, &a, &err), 0);
    tu_write(f->dir, "requirements.txt", "pkg==1.0\nother==2.0\n", 0644);
    assert_int_equal(fake_install(f, 30, &b, &err), 0);
    assert_int_equal(b.cache_hit, 0);
    char *entry_a = tu_path(f->cache, a.key), *entry_b = tu_path(f->cache, b.key);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", entry_b, entry_a, entry_b);
    assert_int_equal(system(cmd), 0); /* b's key now holds a's consistent entry */
    lp_deps_result_free(&b);
    assert_int_equal(fake_install(f, 30, &b, &err), 0);
    assert_int_equal(b.cache_hit, 0);
    lp_deps_result_free(&b);
    char *mac = tu_path(entry_b, "MAC");
    assert_int_equal(unlink(mac), 0); /* an entry without a MAC */
    assert_int_equal(fake_install(f, 30, &b, &err), 0);
    assert_int_equal(b.cache_hit, 0);
    lp_deps_result_free(&b);
    assert_int_equal(fake_install(f, 30, &b, &err), 0);
    assert_int_equal(b.cache_hit, 1); /* what it installed itself verifies */
    lp_deps_result_free(&b);
    lp_deps_result_free(&a);
    assert_int_equal(count_runs(f, "install"), 4);
    free(mac);
    free(entry_a);
    free(entry_b);
}

static void a_failed_install_reports_the_stderr_tail_and_leaves_no_entry(void **state)
{
    fake_env *f = *state;
    lp_deps_result res;
    lp_error err = LP_ERROR_INIT;
    tu_write(f->bin, "mode", "fail", 0644);
    assert_int_equal(fake_install(f, 30, &res, &err), LP_EIO);
    assert_int_equal(err.source_index, 0);
    assert_string_equal(err.field, "file");
    assert_non_null(strstr(err.message, "No matching distribution found for nope==1.0"));
    assert_non_null(strstr(err.message, "noise49"));
    assert_null(strstr(err.message, "noise10\n")); /* only the last lines */
    assert_non_null(strstr(err.message, "source distributions are not built"));
    assert_int_equal(tu_count_entries(f->cache), 1); /* the tool memo only */
    lp_deps_result_free(&res);
}

static void an_install_past_its_deadline_is_stopped_and_leaves_no_entry(void **state)
{
    fake_env *f = *state;
    lp_deps_result res;
    lp_error err = LP_ERROR_INIT;
    tu_write(f->bin, "mode", "hang", 0644);
    assert_int_equal(fake_install(f, 1, &res, &err), LP_EIO);
    assert_non_null(strstr(err.message, "did not finish within 1 seconds"));
    assert_int_equal(tu_count_entries(f->cache), 1);
    lp_deps_result_free(&res);
}

static void an_install_its_caller_stops_is_cancelled_and_leaves_no_entry(void **state)
{
    fake_env *f = *state;
    lp_deps_result res;
    lp_error err = LP_ERROR_INIT;
    tu_write(f->bin, "mode", "hang", 0644);
    lp_deps_request req = LP_DEPS_REQUEST_INIT;
    req.file = f->req;
    req.runtime = "python3.12";
    req.cache_dir = f->cache;
    req.timeout_seconds = 60;
    req.index = 0;
    int calls = 0;
    req.stop = stop_on_third;
    req.stop_payload = &calls;
    assert_int_equal(lp_deps_install(&res, &req, &err), LP_ECANCELED);
    assert_non_null(strstr(err.message, "cancelled"));
    assert_string_equal(err.field, "file");
    assert_int_equal(calls, 3);
    assert_int_equal(tu_count_entries(f->cache), 1); /* the tool memo only */
    lp_deps_result_free(&res);
}

static void a_missing_python_says_what_to_install(void **state)
{
    fake_env *f = *state;
    lp_deps_result res;
    lp_error err = LP_ERROR_INIT;
    char *empty = tu_path(f->dir, "empty");
    tu_mkdirs(f->dir, "empty");
    setenv("PATH", empty, 1);
    assert_int_equal(fake_install(f, 30, &res, &err), LP_ENOENT);
    assert_non_null(strstr(err.message, "apt-get install python3 python3-pip"));
    assert_string_equal(err.field, "file");
    free(empty);
    lp_deps_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fully_pinned_requirements_have_no_unpinned_line),
        cmocka_unit_test(ranges_wildcards_bare_names_and_editables_are_unpinned),
        cmocka_unit_test(hashes_on_continuation_lines_are_seen),
        cmocka_unit_test(platform_tags_follow_the_runtimes_amazon_linux),
        cmocka_unit_test(the_tool_follows_the_file_name),
        cmocka_unit_test_setup_teardown(requests_that_cannot_work_fail_before_any_tool_runs,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test(a_child_exit_code_and_stderr_tail_are_reported),
        cmocka_unit_test_setup_teardown(a_child_past_its_deadline_is_killed_with_its_group,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test_setup_teardown(a_child_its_caller_stops_is_killed_with_its_group,
                                        tu_setup_tmpdir, tu_teardown_tmpdir),
        cmocka_unit_test(a_missing_program_is_not_found),
#define FAKE(t) cmocka_unit_test_setup_teardown(t, fake_setup, fake_teardown)
        FAKE(an_install_strips_what_pip_writes_that_is_not_reproducible),
        FAKE(a_second_install_is_a_verified_hit_that_runs_no_tool),
        FAKE(a_changed_lock_file_is_a_new_key),
        FAKE(a_damaged_entry_is_discarded_and_installed_again),
        FAKE(a_planted_entry_without_its_own_mac_is_installed_again),
        FAKE(a_failed_install_reports_the_stderr_tail_and_leaves_no_entry),
        FAKE(an_install_past_its_deadline_is_stopped_and_leaves_no_entry),
        FAKE(an_install_its_caller_stops_is_cancelled_and_leaves_no_entry),
        FAKE(a_missing_python_says_what_to_install),
#undef FAKE
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
