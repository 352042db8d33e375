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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp_deps.h"
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
    assert_int_equal(lp_proc_run(&res, argv, envp, "/", 30, &err), 0);
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
    assert_int_equal(lp_proc_run(&res, argv, envp, NULL, 1, &err), 0);
    assert_int_equal(res.timed_out, 1);
    assert_true(res.seconds < 10);
    sleep(4);
    assert_null(tu_read(marker, NULL)); /* the grandchild died with the group */
    free(marker);
}

static void a_missing_program_is_not_found(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(lp_proc_which("lambdapack-no-such-tool", out, sizeof(out)), LP_ENOENT);
    assert_int_equal(lp_proc_which("/nonexistent/tool", out, sizeof(out)), LP_ENOENT);
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
        cmocka_unit_test(a_missing_program_is_not_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
