/*
 * Unit tests for lambda_package (resource_package.c) through its callbacks,
 * without Terraform or the RPC layer: the test sees only what the
 * resource's target exports (the SDK's public headers and the packager's).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* A configuration object: output_path and one path source. */
static tfp_value *package_config(fixture *f, const char *output, const char *src)
{
    const tfp_type *type = NULL;
    tfp_error terr = TFP_ERROR_INIT;
    const tfp_resource_type *t = resource_package_type();
    assert_int_equal(tfp_schema_block_type(f->arena, t->schema->block, &type, &terr), 0);
    tfp_value *cfg = tfp_value_object_new(f->arena, type);
    assert_non_null(cfg);
    const tfp_type *list = tfp_value_attr(cfg, "source")->type;
    tfp_value *source = tfp_value_object_new(f->arena, list->elem);
    assert_non_null(source);
    assert_int_equal(tfp_value_object_set(source, "path", tfp_value_string(f->arena, src)), 0);
    tfp_value *items[] = {source};
    assert_int_equal(
        tfp_value_object_set(cfg, "source", tfp_value_list(f->arena, list->elem, 1, items)), 0);
    assert_int_equal(tfp_value_object_set(cfg, "output_path", tfp_value_string(f->arena, output)),
                     0);
    return cfg;
}

static void a_stopped_provider_cancels_the_build_and_names_the_output_path(void **state)
{
    fixture *f = *state;
    char src[128], out[128], cache[128];
    snprintf(src, sizeof(src), "%s/src", f->dir);
    snprintf(out, sizeof(out), "%s/out/pkg.zip", f->dir);
    snprintf(cache, sizeof(cache), "%s/cache", f->dir);
    assert_int_equal(mkdir(src, 0755), 0);
    char file[160];
    snprintf(file, sizeof(file), "%s/app.py", src);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("def handler(event, context):\n    return 1\n", fp);
    fclose(fp);
    setenv("LAMBDAPACK_CACHE_DIR", cache, 1);

    atomic_int stopped;
    atomic_init(&stopped, 1); /* StopProvider came */
    f->ctx.cancelled = &stopped;
    tfp_value *cfg = package_config(f, out, src);
    tfp_plan_in in = {.prior_state = tfp_value_null(f->arena, cfg->type),
                      .proposed_new_state = cfg,
                      .config = cfg};
    tfp_plan_out pout;
    memset(&pout, 0, sizeof(pout));
    pout.planned_state = tfp_value_object_copy(f->arena, cfg);
    assert_int_equal(resource_package_type()->plan(&f->ctx, &in, &pout, &f->diags), -1);
    const tfp_diag *d = NULL;
    for (size_t i = 0; i < f->diags.n; i++) {
        if (f->diags.items[i].severity == TFP_DIAG_ERROR) {
            d = &f->diags.items[i];
            break;
        }
    }
    assert_non_null(d);
    assert_string_equal(d->summary, "Build cancelled");
    assert_non_null(strstr(d->detail, out));
    assert_non_null(strstr(d->detail, "cancelled"));
    assert_non_null(d->path);
    assert_string_equal(tfp_path_format(f->arena, d->path), ".output_path");
    assert_int_not_equal(access(out, F_OK), 0);

    /* Apply of a create gives the prior (null) state back. */
    tfp_apply_in ain = {.prior_state = tfp_value_null(f->arena, cfg->type),
                        .planned_state = pout.planned_state,
                        .config = cfg};
    tfp_apply_out aout;
    memset(&aout, 0, sizeof(aout));
    aout.new_state = tfp_value_object_copy(f->arena, pout.planned_state);
    assert_int_equal(resource_package_type()->apply(&f->ctx, &ain, &aout, &f->diags), -1);
    assert_true(tfp_value_is_null(aout.new_state));
    assert_int_not_equal(access(out, F_OK), 0);

    /* Not stopped: the same plan builds into the cache. */
    atomic_store(&stopped, 0);
    tfp_diags_init(&f->diags, f->arena);
    memset(&pout, 0, sizeof(pout));
    pout.planned_state = tfp_value_object_copy(f->arena, cfg);
    assert_int_equal(resource_package_type()->plan(&f->ctx, &in, &pout, &f->diags), 0);
    unsetenv("LAMBDAPACK_CACHE_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_type_is_lambda_package_with_its_schema),
        cmocka_unit_test_setup_teardown(import_of_a_missing_file_names_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(import_refuses_a_file_that_is_not_a_zip, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_stopped_provider_cancels_the_build_and_names_the_output_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
