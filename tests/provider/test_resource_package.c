/*
 * Unit tests for lambda_package (resource_package.c) through its callbacks,
 * without Terraform or the RPC layer: the test sees only what the
 * resource's target exports (the SDK's public headers and the packager's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "resources.h"

typedef struct fixture {
    tfp_arena *arena;
    tfp_ctx ctx;
    tfp_diags diags;
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->arena = tfp_arena_new(0);
    assert_non_null(f->arena);
    f->ctx.arena = f->arena;
    f->ctx.type_name = "lambda_package";
    tfp_diags_init(&f->diags, f->arena);
    snprintf(f->dir, sizeof(f->dir), "/tmp/lp-resource-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    tfp_arena_free(f->arena);
    free(f);
    return 0;
}

static const char *first_error_detail(const tfp_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].severity == TFP_DIAG_ERROR) {
            return d->items[i].detail;
        }
    }
    return NULL;
}

static void the_type_is_lambda_package_with_its_schema(void **state)
{
    (void)state;
    const tfp_resource_type *t = resource_package_type();
    assert_string_equal(t->name, "lambda_package");
    assert_non_null(t->schema);
    const char *attrs[] = {"output_path", "content_hash", "output_base64sha256", "files"};
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        assert_non_null(tfp_schema_find_attr(t->schema->block, attrs[i]));
    }
    assert_non_null(t->validate);
    assert_non_null(t->plan);
    assert_non_null(t->apply);
    assert_non_null(t->read);
    assert_non_null(t->import_state);
}

static void import_of_a_missing_file_names_the_path(void **state)
{
    fixture *f = *state;
    char path[128];
    snprintf(path, sizeof(path), "%s/none.zip", f->dir);
    tfp_import_in in = {.id = path};
    tfp_import_out out;
    memset(&out, 0, sizeof(out));
    assert_int_equal(resource_package_type()->import_state(&f->ctx, &in, &out, &f->diags), -1);
    const char *detail = first_error_detail(&f->diags);
    assert_non_null(detail);
    assert_non_null(strstr(detail, path));
}

static void import_refuses_a_file_that_is_not_a_zip(void **state)
{
    fixture *f = *state;
    char path[128];
    snprintf(path, sizeof(path), "%s/notes.txt", f->dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("not a package\n", fp);
    fclose(fp);
    tfp_import_in in = {.id = path};
    tfp_import_out out;
    memset(&out, 0, sizeof(out));
    assert_int_equal(resource_package_type()->import_state(&f->ctx, &in, &out, &f->diags), -1);
    assert_true(tfp_diags_has_error(&f->diags));
    /* The user's file is left as it was. */
    assert_int_equal(access(path, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_type_is_lambda_package_with_its_schema),
        cmocka_unit_test_setup_teardown(import_of_a_missing_file_names_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(import_refuses_a_file_that_is_not_a_zip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
