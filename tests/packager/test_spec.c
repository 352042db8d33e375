/*
 * Tests for lp_spec: the defaults both doors share, the value rules and the
 * JSON form of a package definition.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lp_manifest.h"
#include "lp_spec.h"
#include "lp_zip.h"

static lp_spec_package *load(const char *json)
{
    lp_spec_package *p = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_spec_package_from_json(&p, json, strlen(json), "/base", &err);
    if (rc != 0) {
        fail_msg("lp_spec_package_from_json: %d %s", rc, err.message);
    }
    return p;
}

static void defaults_are_the_documented_ones(void **state)
{
    (void)state;
    lp_spec_package p;
    lp_spec_package_init(&p);
    assert_int_equal(p.spec.version, LP_SPEC_VERSION);
    assert_int_equal(p.spec.level, 6);
    assert_int_equal(p.spec.default_excludes, 1);
    assert_int_equal(p.spec.directory_entries, 0);
    assert_int_equal(p.spec.allow_external_symlinks, 0);
    assert_int_equal(p.check.version, LP_CHECK_OPTIONS_VERSION);
    assert_int_equal(p.check.strict_imports, 1);
    lp_spec spec = LP_SPEC_INIT;
    lp_check_options check = LP_CHECK_OPTIONS_INIT;
    assert_int_equal(spec.level, p.spec.level);
    assert_int_equal(check.strict_imports, p.check.strict_imports);
}

static void json_of_terraform_values_gives_the_package(void **state)
{
    (void)state;
    lp_spec_package *p =
        load("{\"output_path\":\"build/a.zip\",\"compression_level\":9,\"default_excludes\":false,"
             "\"excludes\":[\"*.md\"],\"strict_imports\":false,\"runtime\":\"python3.12\","
             "\"handler\":\"app.handler\",\"external_modules\":[\"numpy\"],"
             "\"required_files\":null,\"files\":{\"x\":\"y\"},\"output_sha256\":\"ab\","
             "\"source\":[{\"path\":\"src/app\",\"prefix\":null,\"include\":null,"
             "\"exclude\":[\"tests/\"],\"content\":null,\"filename\":null},"
             "{\"path\":null,\"prefix\":null,\"include\":null,\"exclude\":null,"
             "\"content\":\"a\\u0000b\",\"filename\":\"cfg.bin\"}]}");
    assert_string_equal(p->output_path, "build/a.zip");
    assert_string_equal(p->spec.output_path, "build/a.zip");
    assert_string_equal(p->spec.base_dir, "/base");
    assert_int_equal(p->spec.level, 9);
    assert_int_equal(p->spec.default_excludes, 0);
    assert_int_equal(p->spec.n_excludes, 1);
    assert_string_equal(p->spec.excludes[0], "*.md");
    assert_int_equal(p->check.strict_imports, 0);
    assert_string_equal(p->check.runtime, "python3.12");
    assert_string_equal(p->check.handler, "app.handler");
    assert_int_equal(p->check.n_external_modules, 1);
    assert_int_equal(p->check.n_required_files, 0);
    assert_int_equal(p->spec.n_sources, 2);
    assert_string_equal(p->spec.sources[0].path, "src/app");
    assert_null(p->spec.sources[0].prefix);
    assert_int_equal(p->spec.sources[0].n_exclude, 1);
    assert_null(p->spec.sources[1].path);
    assert_int_equal(p->spec.sources[1].content_len, 3);
    assert_memory_equal(p->spec.sources[1].content, "a\0b", 3);
    assert_string_equal(p->spec.sources[1].filename, "cfg.bin");
    lp_spec_package_free(p);
}

static void json_nulls_take_the_defaults(void **state)
{
    (void)state;
    lp_spec_package *p = load("{\"output_path\":\"x.zip\",\"compression_level\":null,"
                              "\"strict_imports\":null,\"default_excludes\":null,"
                              "\"source\":[{\"path\":\"src\"}]}");
    assert_int_equal(p->spec.level, LP_SPEC_DEFAULT_LEVEL);
    assert_int_equal(p->check.strict_imports, LP_SPEC_DEFAULT_STRICT_IMPORTS);
    assert_int_equal(p->spec.default_excludes, LP_SPEC_DEFAULT_EXCLUDES);
    lp_spec_package_free(p);
}

static void json_of_wrong_type_is_error_naming_the_key(void **state)
{
    (void)state;
    const char *bad[] = {"[1]",
                         "{\"source\":{}}",
                         "{\"strict_imports\":\"yes\"}",
                         "{\"source\":[{\"exclude\":[1]}]}",
                         "{\"output_path\":3}",
                         "not json"};
    const char *field[] = {NULL, "source", "strict_imports", "exclude", "output_path", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lp_spec_package *p = NULL;
        lp_error err = LP_ERROR_INIT;
        assert_int_equal(lp_spec_package_from_json(&p, bad[i], strlen(bad[i]), NULL, &err),
                         LP_EINVAL);
        assert_null(p);
        if (field[i] == NULL) {
            assert_null(err.field);
        } else {
            assert_string_equal(err.field, field[i]);
        }
    }
}

static void bad_prefix_says_how_to_write_one(void **state)
{
    (void)state;
    const char *bad[] = {"/shared", "../x", "a//b", "a/./b", "a\\b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lp_error err = LP_ERROR_INIT;
        assert_int_equal(lp_spec_check_prefix(bad[i], 2, &err), LP_EPATH);
        assert_string_equal(err.field, "prefix");
        assert_int_equal(err.source_index, 2);
        assert_non_null(strstr(err.message, bad[i]));
        assert_non_null(strstr(err.message, "\"python/lib\""));
    }
    const char *good[] = {NULL, "", "shared", "shared/", "python/lib"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(lp_spec_check_prefix(good[i], 0, NULL), 0);
    }
}

typedef struct seen {
    size_t n;
    const char *fields[16];
} seen;

static void record(void *payload, const lp_error *e)
{
    seen *s = payload;
    if (s->n < 16) {
        s->fields[s->n++] = e->field != NULL ? e->field : "(block)";
    }
}

static void validate_reports_every_problem_with_its_field(void **state)
{
    (void)state;
    lp_spec_package *p =
        load("{\"compression_level\":12,\"runtime\":\"python2.7x\",\"handler\":\"nodot\","
             "\"excludes\":[\"[x\"],\"source\":[{\"path\":\"a\",\"prefix\":\"/abs\","
             "\"include\":[\"\"]},{\"content\":\"x\"},{\"path\":\"a\",\"content\":\"x\"}]}");
    seen s = {0};
    size_t n = lp_spec_validate(p, record, &s);
    assert_int_equal(n, 8);
    const char *want[] = {"level",  "runtime", "handler",  "excludes",
                          "prefix", "include", "filename", "(block)"};
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(s.fields[i], want[i]);
    }
    lp_spec_package_free(p);
}

/* One rule, one wording: the value check, the text form (lambdapack
 * --level), the manifest builder and the ZIP writer refuse the same levels
 * with the same message. */
static void every_door_refuses_a_bad_level_with_one_message(void **state)
{
    (void)state;
    const double good[] = {0, 1, 6, 9};
    const double bad[] = {-1, 10, 6.5, 1e9};
    for (size_t i = 0; i < 4; i++) {
        assert_true(lp_spec_level_valid(good[i]));
        assert_false(lp_spec_level_valid(bad[i]));
    }
    lp_error e = LP_ERROR_INIT;
    int level = -1;
    assert_int_equal(lp_spec_parse_level("7", &level, &e), 0);
    assert_int_equal(level, 7);
    const char *texts[] = {"12", "-1", "abc", "", "6x"};
    for (size_t i = 0; i < 5; i++) {
        lp_error_clear(&e);
        assert_int_equal(lp_spec_parse_level(texts[i], &level, &e), LP_EINVAL);
        assert_string_equal(e.field, "level");
        assert_non_null(strstr(e.message, "must be a whole number from 0 (store) to 9"));
    }
    lp_error a = LP_ERROR_INIT, b = LP_ERROR_INIT, c = LP_ERROR_INIT;
    assert_int_equal(lp_spec_check_level(12, &a), LP_EINVAL);
    assert_int_equal(lp_spec_parse_level("12", &level, &b), LP_EINVAL);
    assert_string_equal(a.message, b.message);
    lp_source src = {.content = "x", .content_len = 1, .filename = "x.txt"};
    lp_spec spec = LP_SPEC_INIT;
    spec.sources = &src;
    spec.n_sources = 1;
    spec.level = 12;
    lp_manifest *m = NULL;
    assert_int_equal(lp_manifest_build(&m, &spec, &c), LP_EINVAL);
    assert_null(m);
    assert_string_equal(c.field, "level");
    assert_string_equal(c.message, a.message);
    spec.level = 6;
    assert_int_equal(lp_manifest_build(&m, &spec, &c), 0);
    m->level = 12;
    lp_error_clear(&c);
    assert_int_equal(lp_zip_write(m, "/nonexistent-dir/never.zip", 1, NULL, &c), LP_EINVAL);
    assert_string_equal(c.message, a.message);
    lp_manifest_free(m);
}

/* Where a handler splits, for Python (and validation) and for Node.js. */
static void the_handler_form_splits_at_one_dot_per_runtime(void **state)
{
    (void)state;
    const char *h = "pkg/mod.handler";
    assert_ptr_equal(lp_spec_handler_dot(h, 0), h + 7);
    assert_ptr_equal(lp_spec_handler_dot(h, 1), h + 7);
    h = "app.a.b"; /* Python: the last dot; Node.js: the first after '/' */
    assert_ptr_equal(lp_spec_handler_dot(h, 0), h + 5);
    assert_ptr_equal(lp_spec_handler_dot(h, 1), h + 3);
    const char *bad_py[] = {"app", ".handler", "app.", ""};
    for (size_t i = 0; i < 4; i++) {
        lp_error e = LP_ERROR_INIT;
        assert_null(lp_spec_handler_dot(bad_py[i], 0));
        assert_int_equal(lp_spec_check_handler(bad_py[i], &e), LP_EINVAL);
        assert_string_equal(e.field, "handler");
        assert_non_null(strstr(e.message, "must look like `module.function`"));
    }
    lp_error e = LP_ERROR_INIT;
    assert_null(lp_spec_handler_dot("dist/.h", 1));
    assert_non_null(lp_spec_handler_dot("dist/.h", 0));
    assert_int_equal(lp_spec_check_handler_form("dist/.h", 1, &e), LP_EINVAL);
    assert_non_null(strstr(e.message, "must look like `file.function`"));
    assert_int_equal(lp_spec_check_handler(NULL, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_documented_ones),
        cmocka_unit_test(every_door_refuses_a_bad_level_with_one_message),
        cmocka_unit_test(the_handler_form_splits_at_one_dot_per_runtime),
        cmocka_unit_test(json_of_terraform_values_gives_the_package),
        cmocka_unit_test(json_nulls_take_the_defaults),
        cmocka_unit_test(json_of_wrong_type_is_error_naming_the_key),
        cmocka_unit_test(bad_prefix_says_how_to_write_one),
        cmocka_unit_test(validate_reports_every_problem_with_its_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
