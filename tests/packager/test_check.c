/*
 * Tests for lp_check (lp_check.c, lp_check_sensitive.c): Node.js handlers,
 * runtimes, required files, size limits, options, and credential-like
 * files. The Python checks are tested in test_check_py.c.
 *
 * Tests build manifests by hand from inline contents (tu_hm_*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lp_check.h"
#include "lp_check_int.h" /* lp_check_runtime_is_known, lp_check_runtime_list */
#include "lp_manifest.h"
#include "testutil_check.h"

/* ---- Node.js handler ---- */

static lp_check_report *run_node(const lp_manifest *m, const char *handler)
{
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "nodejs20.x";
    o.handler = handler;
    return tu_check_run(m, &o);
}

static void node_handler_exports_are_seen(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"a.js", "// exports.handler = wrong\nexports.handler = async (event) => 1;\n"},
        {"b.js", "const x = 1;\nmodule.exports = { other, handler: async () => 1 };\n"},
        {"c.mjs", "export const handler = async (event) => { return `${'}'}`; };\n"},
        {"d.mjs", "async function main() {}\nexport { main as handler };\n"},
        {"dist/e.cjs", "module.exports.handler = function () {};\n"},
        {"f.js", "export async function handler(event) {}\n"},
        {"g.js", "var src_exports = {};\n__export(src_exports, {\n  handler: () => handler\n});\n"},
        {"h.js", "function handler() {}\nmodule.exports = { handler };\n"},
        {"i.js", "exports['handler'] = function () {};\n"},
    };
    lp_manifest *m = tu_hm_make(files, 9);
    const char *ok[] = {"a.handler",      "b.handler",   "c.handler",       "d.handler",
                        "dist/e.handler", "f.handler",   "g.handler",       "h.handler",
                        "i.handler",      "./a.handler", "a.handler.nested"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        lp_check_report *r = run_node(m, ok[i]);
        if (r->n != 0) {
            tu_check_dump(r);
            fail_msg("handler %s: expected no findings", ok[i]);
        }
        lp_check_report_free(r);
    }
    tu_hm_free(m);
}

static void node_handler_not_exported_is_warning(void **state)
{
    (void)state;
    tu_hm_file files[] = {
        {"index.js", "/* exports.handler = x */\nconst s = 'exports.handler = 1';\n"
                     "exports.main = async () => 1;\nexport { handler as other };\n"},
    };
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_node(m, "index.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_WARNING);
    assert_string_equal(f->summary, "Handler export not seen");
    assert_string_equal(f->archive_path, "index.js");
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void node_handler_file_missing_is_error(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"src/index.js", "exports.handler = 1;\n"}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_report *r = run_node(m, "index.handler");
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->field, "handler");
    assert_non_null(strstr(f->detail, "index.js, index.mjs or index.cjs"));
    lp_check_report_free(r);
    r = run_node(m, "index");
    f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->summary, "Malformed handler");
    lp_check_report_free(r);
    tu_hm_free(m);
}

/* The form is lp_spec's rule: a malformed handler's finding carries the
 * message validation prints (lp_spec_check_handler_form), per runtime. */
static void malformed_handler_findings_say_what_validation_says(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "def handler(e, c): pass\n"},
                          {"index.js", "exports.h = 1;\n"}};
    lp_manifest *m = tu_hm_make(files, 2);
    struct {
        const char *handler;
        const char *runtime;
        int nodejs;
    } bad[] = {{"app", "python3.12", 0},
               {"app.", "python3.12", 0},
               {".handler", "python3.12", 0},
               {"index", "nodejs20.x", 1},
               {"dist/.h", "nodejs20.x", 1}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lp_error e = LP_ERROR_INIT;
        assert_int_equal(lp_spec_check_handler_form(bad[i].handler, bad[i].nodejs, &e), LP_EINVAL);
        lp_check_options o = LP_CHECK_OPTIONS_INIT;
        o.runtime = bad[i].runtime;
        o.handler = bad[i].handler;
        lp_check_report *r = tu_check_run(m, &o);
        const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
        assert_string_equal(f->summary, "Malformed handler");
        assert_true(strncmp(f->detail, e.message, strlen(e.message)) == 0);
        assert_non_null(strstr(f->detail, "Runtime.MalformedHandlerName"));
        lp_check_report_free(r);
    }
    tu_hm_free(m);
}

/* ---- runtimes, required files, sizes ---- */

static void runtime_identifiers_are_known(void **state)
{
    (void)state;
    const char *known[] = {"python3.8", "python3.13",   "nodejs16.x",      "nodejs22.x",
                           "java8.al2", "java21",       "dotnet8",         "ruby3.3",
                           "provided",  "provided.al2", "provided.al2023", "go1.x"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        assert_true(lp_check_runtime_is_known(known[i]));
        assert_non_null(strstr(lp_check_runtime_list(), known[i]));
    }
    assert_false(lp_check_runtime_is_known("python2.7"));
    assert_false(lp_check_runtime_is_known("python3"));
    assert_false(lp_check_runtime_is_known(""));
    assert_false(lp_check_runtime_is_known(NULL));
}

static void unknown_runtime_is_error_and_skips_handler_checks(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"x.txt", ""}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.runtime = "python3.99";
    o.handler = "app.handler";
    lp_check_report *r = tu_check_run(m, &o);
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->field, "runtime");
    assert_non_null(strstr(f->detail, "python3.12"));
    lp_check_report_free(r);
    o.runtime = "java21"; /* not checked for other families */
    r = tu_check_run(m, &o);
    tu_check_clean(r);
    lp_check_report_free(r);
    o.runtime = "python3.8";
    o.handler = NULL;
    r = tu_check_run(m, &o);
    f = tu_check_one(r, LP_CHECK_WARNING);
    assert_string_equal(f->summary, "Deprecated Lambda runtime");
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void missing_required_file_is_error_with_index(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", ""}, {"config/settings.json", "{}"}};
    lp_manifest *m = tu_hm_make(files, 2);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    const char *req[] = {"app.py", "config/", "config/missing.yaml", "templates/"};
    o.required_files = req;
    o.n_required_files = 4;
    lp_check_report *r = tu_check_run(m, &o);
    if (r->n != 2) {
        tu_check_dump(r);
    }
    assert_int_equal(r->n, 2);
    assert_string_equal(r->items[0].field, "required_files");
    assert_int_equal(r->items[0].index, 2);
    assert_string_equal(r->items[0].archive_path, "config/missing.yaml");
    assert_non_null(strstr(r->items[0].detail, "required_files[2] is 'config/missing.yaml'"));
    assert_int_equal(r->items[1].index, 3);
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void unzipped_size_over_the_limit_is_error(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"big.bin", ""}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    m->unzipped_size = LP_LAMBDA_MAX_UNZIPPED;
    lp_check_report *r = tu_check_run(m, &o);
    tu_check_clean(r);
    lp_check_report_free(r);
    m->unzipped_size = LP_LAMBDA_MAX_UNZIPPED + 1;
    r = tu_check_run(m, &o);
    const lp_check_finding *f = tu_check_one(r, LP_CHECK_ERROR);
    assert_string_equal(f->field, "source");
    assert_non_null(strstr(f->detail, "262144001 bytes"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void zip_over_50_mb_gets_a_warning(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"a", ""}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    lp_check_report *r = tu_check_run(m, &o);
    assert_int_equal(lp_check_zip_size(r, LP_LAMBDA_MAX_DIRECT_ZIP), 0);
    assert_int_equal(r->n, 0);
    assert_int_equal(lp_check_zip_size(r, LP_LAMBDA_MAX_DIRECT_ZIP + 1), 0);
    assert_int_equal(lp_check_zip_size(r, LP_LAMBDA_MAX_DIRECT_ZIP * 2), 0);
    assert_int_equal(r->n, 2);
    assert_int_equal(r->items[1].severity, LP_CHECK_WARNING);
    assert_non_null(strstr(r->items[1].detail, "104857600 bytes"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void bad_options_are_refused(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"a", ""}};
    lp_manifest *m = tu_hm_make(files, 1);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.version = 99;
    lp_check_report *r = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_check_run(&r, m, &o, &err), LP_EINVAL);
    assert_null(r);
    tu_hm_free(m);
}

/* Every path the credential list covers is an error naming it and how to
 * allow it; look-alikes and templates are not. */
/* A wheel's CA bundle (certifi/cacert.pem) installed from a lock file is not
 * the user's credential; the same file among the user's sources is. */
static void installed_dependencies_are_not_checked_for_sensitive_files(void **state)
{
    (void)state;
    tu_hm_file files[] = {{"app.py", "x = 1\n"}, {"certifi/cacert.pem", "-----BEGIN"}};
    lp_manifest *m = tu_hm_make(files, 2);
    for (size_t i = 0; i < m->n_files; i++) {
        m->files[i].source_index = strcmp(m->files[i].archive_path, "app.py") == 0 ? 0 : 1;
    }
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    o.n_user_sources = 1; /* source 1 is an installed dependency */
    lp_check_report *r = tu_check_run(m, &o);
    assert_null(tu_check_detail(r, "looks like a credential"));
    lp_check_report_free(r);
    o.n_user_sources = 2; /* the same file as a source of the user's own */
    r = tu_check_run(m, &o);
    assert_non_null(tu_check_detail(r, "'certifi/cacert.pem' looks like a credential"));
    lp_check_report_free(r);
    tu_hm_free(m);
}

static void sensitive_files_are_errors_naming_each_file(void **state)
{
    (void)state;
    static const char *const secret[] = {
        ".env",
        "app/.env.production",
        "server.pem",
        "tls/private.key",
        "cert.p12",
        "cert.pfx",
        "id_rsa",
        "keys/id_rsa.pub",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
        ".ssh/config",
        "home/.ssh/known_hosts",
        ".aws/credentials",
        "x/.aws/config",
        ".netrc",
        ".npmrc",
        ".pypirc",
        ".git-credentials",
        "terraform.tfstate",
        "terraform.tfstate.backup",
        "prod.tfvars",
    };
    static const char *const harmless[] = {
        "app.py",      ".env.example", ".env.sample", ".env.template", "environment.py",
        "docs/ssh.md", "pem.py",       "keys.py",     "my.envrc",
    };
    size_t ns = sizeof(secret) / sizeof(secret[0]), nh = sizeof(harmless) / sizeof(harmless[0]);
    tu_hm_file files[64];
    for (size_t i = 0; i < ns; i++) {
        files[i] = (tu_hm_file){secret[i], "s"};
    }
    for (size_t i = 0; i < nh; i++) {
        files[ns + i] = (tu_hm_file){harmless[i], "h"};
    }
    lp_manifest *m = tu_hm_make(files, ns + nh);
    lp_check_options o = LP_CHECK_OPTIONS_INIT;
    lp_check_report *r = tu_check_run(m, &o);
    assert_int_equal(r->n, ns);
    for (size_t i = 0; i < ns; i++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "'%s' looks like a credential", secret[i]);
        const lp_check_finding *f = tu_check_detail(r, needle);
        if (f == NULL) {
            tu_check_dump(r);
            fail_msg("no finding for %s", secret[i]);
        }
        assert_int_equal(f->severity, LP_CHECK_ERROR);
        assert_string_equal(f->summary, "Sensitive file in package");
        assert_string_equal(f->field, "source");
        assert_non_null(strstr(f->detail, "allow_sensitive_files"));
        assert_string_equal(f->archive_path, secret[i]);
    }
    lp_check_report_free(r);

    /* allow_sensitive_files lets chosen ones through. */
    const char *allow[] = {"*.pem", ".aws/"};
    o.allow_sensitive_files = allow;
    o.n_allow_sensitive_files = 2;
    r = tu_check_run(m, &o);
    assert_int_equal(r->n, ns - 3);
    assert_null(tu_check_detail(r, "'server.pem'"));
    assert_null(tu_check_detail(r, "'.aws/credentials'"));
    lp_check_report_free(r);

    /* A bad or negated allow glob is an error of allow_sensitive_files. */
    const char *bad[] = {"!*.pem"};
    o.allow_sensitive_files = bad;
    o.n_allow_sensitive_files = 1;
    lp_check_report *none = NULL;
    lp_error err = LP_ERROR_INIT;
    assert_int_equal(lp_check_run(&none, m, &o, &err), LP_EGLOB);
    assert_string_equal(err.field, "allow_sensitive_files");
    tu_hm_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(node_handler_exports_are_seen),
        cmocka_unit_test(node_handler_not_exported_is_warning),
        cmocka_unit_test(node_handler_file_missing_is_error),
        cmocka_unit_test(malformed_handler_findings_say_what_validation_says),
        cmocka_unit_test(runtime_identifiers_are_known),
        cmocka_unit_test(unknown_runtime_is_error_and_skips_handler_checks),
        cmocka_unit_test(missing_required_file_is_error_with_index),
        cmocka_unit_test(unzipped_size_over_the_limit_is_error),
        cmocka_unit_test(zip_over_50_mb_gets_a_warning),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(sensitive_files_are_errors_naming_each_file),
        cmocka_unit_test(installed_dependencies_are_not_checked_for_sensitive_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
