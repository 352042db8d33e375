/*
 * Tests for tfp_provider, the protocol-independent core, with a tiny
 * resource type defined here ("test_thing"). Inputs are msgpack built with
 * our encoder, outputs are decoded again and checked value by value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "tfp_msgpack.h"
#include "tfp_provider_int.h"

/* ---- the test resource ---- */

static const tfp_schema_attr tag_attrs[] = {
    {.name = "key", .type = &tfp_type_string, .required = true},
};
static const tfp_schema_block tag_block = {.attrs = tag_attrs, .n_attrs = 1};
static const tfp_schema_attr thing_attrs[] = {
    {.name = "name", .type = &tfp_type_string, .required = true},
    {.name = "content", .type = &tfp_type_string, .optional = true},
    {.name = "id", .type = &tfp_type_string, .computed = true},
    {.name = "digest", .type = &tfp_type_string, .computed = true},
};
static const tfp_schema_nested_block thing_blocks[] = {
    {.type_name = "tag", .nesting = TFP_NEST_LIST, .block = &tag_block, .max_items = 2},
};
static const tfp_schema_block thing_block = {
    .attrs = thing_attrs, .n_attrs = 4, .blocks = thing_blocks, .n_blocks = 1};
static const tfp_schema thing_schema = {.version = 1, .block = &thing_block};

static atomic_int plan_calls;    /* counts plan callbacks */
static atomic_int saw_cancelled; /* set by plan when ctx says cancelled */
static int apply_leaves_unknown;
static int apply_fails_after_copy;  /* thing_apply copies the plan, then fails */
static tfp_bytes apply_saw_private; /* planned_private as thing_apply received it */

static int thing_validate(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags)
{
    const char *name = tfp_value_str(tfp_value_attr(in->config, "name"));
    tfp_ctx_log(ctx, TFP_LEVEL_DEBUG, "validating %s", name == NULL ? "(null)" : name);
    if (name != NULL && strcmp(name, "bad") == 0) {
        tfp_diag_error_at(diags, tfp_path_attr(ctx->arena, NULL, "name"), "Invalid name",
                          "The name \"%s\" is not allowed.", name);
        return -1;
    }
    return 0;
}

static tfp_value *digest_of(tfp_arena *a, const tfp_value *content)
{
    if (!tfp_value_is_known(content)) {
        return tfp_value_unknown(a, &tfp_type_string);
    }
    if (tfp_value_is_null(content)) {
        return tfp_value_string(a, "d:");
    }
    return tfp_value_string(a, tfp_arena_sprintf(a, "d:%s", content->str));
}

static int thing_plan(const tfp_ctx *ctx, const tfp_plan_in *in, tfp_plan_out *out,
                      tfp_diags *diags)
{
    (void)diags;
    atomic_fetch_add(&plan_calls, 1);
    if (tfp_ctx_cancelled(ctx)) {
        atomic_store(&saw_cancelled, 1);
    }
    tfp_value *planned = tfp_value_object_copy(ctx->arena, out->planned_state);
    tfp_value_object_set(planned, "digest",
                         digest_of(ctx->arena, tfp_value_attr(in->config, "content")));
    out->planned_state = planned;
    if (!tfp_value_is_null(in->prior_state) &&
        !tfp_value_equal(tfp_value_attr(in->prior_state, "name"),
                         tfp_value_attr(in->config, "name"))) {
        tfp_plan_require_replace(ctx, out, tfp_path_attr(ctx->arena, NULL, "name"));
    }
    static const uint8_t priv[] = "planned-private";
    out->planned_private = (tfp_bytes){priv, sizeof(priv) - 1};
    return 0;
}

static int thing_apply(const tfp_ctx *ctx, const tfp_apply_in *in, tfp_apply_out *out,
                       tfp_diags *diags)
{
    (void)diags;
    if (tfp_value_is_null(in->planned_state)) {
        return 0; /* delete: the core pre-filled a null */
    }
    tfp_value *s = tfp_value_object_copy(ctx->arena, in->planned_state);
    apply_saw_private = in->planned_private;
    if (apply_fails_after_copy) {
        out->new_state = s;
        tfp_diag_error(diags, "Disk full", "cannot write");
        return -1;
    }
    if (!apply_leaves_unknown) {
        const char *name = tfp_value_str(tfp_value_attr(in->planned_state, "name"));
        tfp_value_object_set(
            s, "id", tfp_value_string(ctx->arena, tfp_arena_sprintf(ctx->arena, "id-%s", name)));
    }
    out->new_state = s;
    static const uint8_t priv[] = "applied";
    out->private_data = (tfp_bytes){priv, sizeof(priv) - 1};
    return 0;
}

static int thing_read(const tfp_ctx *ctx, const tfp_read_in *in, tfp_read_out *out,
                      tfp_diags *diags)
{
    (void)diags;
    if (in->private_data.len == 4 && memcmp(in->private_data.data, "gone", 4) == 0) {
        out->new_state = tfp_value_null(ctx->arena, in->current_state->type);
    }
    return 0;
}

static int thing_import(const tfp_ctx *ctx, const tfp_import_in *in, tfp_import_out *out,
                        tfp_diags *diags)
{
    if (strcmp(in->id, "missing") == 0) {
        tfp_diag_error(diags, "Not found", "no thing %s", in->id);
        return -1;
    }
    tfp_value_object_set(out->state, "id", tfp_value_string(ctx->arena, in->id));
    tfp_value_object_set(out->state, "name", tfp_value_string(ctx->arena, in->id));
    return 0;
}

static const tfp_resource_type thing = {
    .name = "test_thing",
    .schema = &thing_schema,
    .validate = thing_validate,
    .plan = thing_plan,
    .apply = thing_apply,
    .read = thing_read,
    .import_state = thing_import,
};

static int configure_calls;

static int provider_configure(const tfp_ctx *ctx, const tfp_value *config, void **data,
                              tfp_diags *diags)
{
    (void)diags;
    configure_calls++;
    const char *region = tfp_value_str(tfp_value_attr(config, "region"));
    *data = tfp_arena_strdup(ctx->arena, region == NULL ? "none" : region);
    return 0;
}

static const tfp_schema_attr provider_attrs[] = {
    {.name = "region", .type = &tfp_type_string, .optional = true},
};
static const tfp_schema_block provider_block = {.attrs = provider_attrs, .n_attrs = 1};
static const tfp_schema provider_schema = {.block = &provider_block};
static const tfp_resource_type *const resources[] = {&thing};
static const tfp_provider_def def = {
    .schema = &provider_schema,
    .resources = resources,
    .n_resources = 1,
    .configure = provider_configure,
};

/* ---- helpers ---- */

typedef struct fixture {
    tfp_provider *p;
    tfp_arena *a;
    const tfp_type *type;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof(*f));
    tfp_error err = TFP_ERROR_INIT;
    f->p = tfp_provider_new(&def, &err);
    f->a = tfp_arena_new(0);
    f->type = tfp_provider_resource_type(f->p, "test_thing");
    plan_calls = 0;
    saw_cancelled = 0;
    apply_leaves_unknown = 0;
    apply_fails_after_copy = 0;
    apply_saw_private = (tfp_bytes){NULL, 0};
    configure_calls = 0;
    *state = f;
    return f->p == NULL || f->a == NULL || f->type == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tfp_provider_free(f->p);
    tfp_arena_free(f->a);
    test_free(f);
    return 0;
}

/* An object of the resource type with name/content set (NULL = null) and the rest null. */
static tfp_value *thing_value(fixture *f, const char *name, const char *content)
{
    tfp_value *v = tfp_value_object_new(f->a, f->type);
    if (name != NULL) {
        tfp_value_object_set(v, "name", tfp_value_string(f->a, name));
    }
    if (content != NULL) {
        tfp_value_object_set(v, "content", tfp_value_string(f->a, content));
    }
    return v;
}

static tfp_dynamic mp(fixture *f, const tfp_value *v)
{
    tfp_dynamic d = {{NULL, 0}, {NULL, 0}};
    if (v == NULL) {
        return d; /* absent = null */
    }
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_msgpack_encode(f->a, v, f->type, &d.msgpack.data, &d.msgpack.len, &err),
                     TFP_OK);
    return d;
}

static tfp_value *unmp(fixture *f, tfp_bytes b)
{
    tfp_value *v = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_non_null(b.data);
    assert_int_equal(tfp_msgpack_decode(f->a, b.data, b.len, f->type, &v, &err), TFP_OK);
    return v;
}

static void assert_no_diags(const tfp_diags *d)
{
    for (size_t i = 0; i < tfp_diags_count(d); i++) {
        print_error("unexpected diagnostic: %s: %s\n", tfp_diags_at(d, i)->summary,
                    tfp_diags_at(d, i)->detail);
    }
    assert_int_equal(tfp_diags_count(d), 0);
}

/* ---- tests ---- */

static void schema_response_lists_resources_and_capabilities(void **state)
{
    fixture *f = *state;
    tfp_schema_resp r;
    tfp_provider_get_schema(f->p, f->a, &r);
    assert_true(r.plan_destroy);
    assert_true(r.get_provider_schema_optional);
    assert_int_equal(r.n_resources, 1);
    assert_string_equal(r.resources[0]->name, "test_thing");
    assert_ptr_equal(r.provider, &provider_schema);
    assert_int_equal(tfp_diags_count(&r.diags), 0);
}

static void validate_runs_generic_checks_then_the_resource(void **state)
{
    fixture *f = *state;
    tfp_validate_resource_req req = {"test_thing", mp(f, thing_value(f, "ok", NULL))};
    tfp_validate_resource_resp resp;
    tfp_provider_validate_resource_config(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);

    req.config = mp(f, thing_value(f, "bad", NULL));
    tfp_provider_validate_resource_config(f->p, f->a, &req, &resp);
    assert_int_equal(tfp_diags_count(&resp.diags), 1);
    assert_string_equal(tfp_diags_at(&resp.diags, 0)->summary, "Invalid name");
    assert_string_equal(tfp_path_format(f->a, tfp_diags_at(&resp.diags, 0)->path), ".name");

    req.config = mp(f, thing_value(f, NULL, NULL));
    tfp_provider_validate_resource_config(f->p, f->a, &req, &resp);
    assert_int_equal(tfp_diags_count(&resp.diags), 1);
    assert_string_equal(tfp_diags_at(&resp.diags, 0)->summary, "Missing required argument");
}

static char logged[256];
static tfp_level logged_level;

static void test_logger(void *userdata, tfp_level level, const char *message)
{
    assert_ptr_equal(userdata, logged);
    logged_level = level;
    snprintf(logged, sizeof(logged), "%s", message);
}

static void callbacks_log_through_the_installed_logger(void **state)
{
    fixture *f = *state;
    tfp_validate_resource_req req = {"test_thing", mp(f, thing_value(f, "ok", NULL))};
    tfp_validate_resource_resp resp;
    tfp_provider_validate_resource_config(f->p, f->a, &req, &resp); /* no logger: no-op */
    tfp_provider_set_logger(f->p, test_logger, logged);
    tfp_provider_validate_resource_config(f->p, f->a, &req, &resp);
    assert_string_equal(logged, "validating ok");
    assert_int_equal(logged_level, TFP_LEVEL_DEBUG);
}

static void unknown_resource_type_is_an_error_diagnostic(void **state)
{
    fixture *f = *state;
    tfp_plan_req req = {.type_name = "test_nope"};
    tfp_plan_resp resp;
    tfp_provider_plan_resource_change(f->p, f->a, &req, &resp);
    assert_true(tfp_diags_has_error(&resp.diags));
    assert_string_equal(tfp_diags_at(&resp.diags, 0)->summary, "Unknown resource type");
    assert_null(resp.planned_state.data);
}

static void garbage_msgpack_becomes_a_diagnostic(void **state)
{
    fixture *f = *state;
    static const uint8_t junk[] = {0x85, 0xa4, 'n', 'a', 'm', 'e', 0xdd, 0xff, 0xff};
    tfp_validate_resource_req req = {"test_thing", {{junk, sizeof(junk)}, {NULL, 0}}};
    tfp_validate_resource_resp resp;
    tfp_provider_validate_resource_config(f->p, f->a, &req, &resp);
    assert_true(tfp_diags_has_error(&resp.diags));
    assert_string_equal(tfp_diags_at(&resp.diags, 0)->summary, "Invalid value from Terraform");
    assert_non_null(strstr(tfp_diags_at(&resp.diags, 0)->detail, "resource configuration"));
}

static void create_plan_marks_computed_unknown_and_propagates_unknown_inputs(void **state)
{
    fixture *f = *state;
    tfp_value *config = thing_value(f, "n", "hello");
    tfp_plan_req req = {
        .type_name = "test_thing", .proposed_new_state = mp(f, config), .config = mp(f, config)};
    tfp_plan_resp resp;
    tfp_provider_plan_resource_change(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    tfp_value *planned = unmp(f, resp.planned_state);
    assert_false(tfp_value_is_known(tfp_value_attr(planned, "id")));
    assert_string_equal(tfp_value_str(tfp_value_attr(planned, "digest")), "d:hello");
    assert_string_equal(tfp_value_str(tfp_value_attr(planned, "name")), "n");
    assert_int_equal(resp.n_requires_replace, 0);

    /* content unknown in config (from another resource) -> digest unknown */
    tfp_value *config2 = thing_value(f, "n", NULL);
    tfp_value_object_set(config2, "content", tfp_value_unknown(f->a, &tfp_type_string));
    req.proposed_new_state = mp(f, config2);
    req.config = mp(f, config2);
    tfp_provider_plan_resource_change(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    planned = unmp(f, resp.planned_state);
    assert_false(tfp_value_is_known(tfp_value_attr(planned, "digest")));
    assert_false(tfp_value_is_known(tfp_value_attr(planned, "content")));
}

static void apply_create_returns_wholly_known_state(void **state)
{
    fixture *f = *state;
    tfp_value *config = thing_value(f, "n", "hello");
    tfp_value *planned = tfp_value_object_copy(f->a, config);
    tfp_value_object_set(planned, "id", tfp_value_unknown(f->a, &tfp_type_string));
    tfp_value_object_set(planned, "digest", tfp_value_string(f->a, "d:hello"));
    tfp_apply_req req = {
        .type_name = "test_thing", .planned_state = mp(f, planned), .config = mp(f, config)};
    tfp_apply_resp resp;
    tfp_provider_apply_resource_change(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    tfp_value *s = unmp(f, resp.new_state);
    assert_true(tfp_value_is_known_fully(s));
    assert_string_equal(tfp_value_str(tfp_value_attr(s, "id")), "id-n");
    assert_string_equal(tfp_value_str(tfp_value_attr(s, "digest")), "d:hello");
    assert_memory_equal(resp.private_data.data, "applied", 7);
}

static void apply_leaving_unknowns_is_reported_and_prior_kept(void **state)
{
    fixture *f = *state;
    apply_leaves_unknown = 1;
    tfp_value *prior = thing_value(f, "n", "old");
    tfp_value_object_set(prior, "id", tfp_value_string(f->a, "id-n"));
    tfp_value_object_set(prior, "digest", tfp_value_string(f->a, "d:old"));
    tfp_value *config = thing_value(f, "n", "hello");
    tfp_value *planned = tfp_value_object_copy(f->a, config);
    tfp_value_object_set(planned, "id", tfp_value_unknown(f->a, &tfp_type_string));
    tfp_value_object_set(planned, "digest", tfp_value_string(f->a, "d:hello"));
    tfp_apply_req req = {.type_name = "test_thing",
                         .prior_state = mp(f, prior),
                         .planned_state = mp(f, planned),
                         .config = mp(f, config)};
    tfp_apply_resp resp;
    tfp_provider_apply_resource_change(f->p, f->a, &req, &resp);
    assert_true(tfp_diags_has_error(&resp.diags));
    assert_non_null(strstr(tfp_diags_at(&resp.diags, 0)->detail, "unknown"));
    /* The object is not lost from state: the prior comes back. */
    assert_true(tfp_value_equal(unmp(f, resp.new_state), prior));
}

/* Plans an update of a thing whose prior private state is "applied-before",
 * then applies that plan; returns the apply response. */
static void plan_then_apply_update(fixture *f, tfp_value **prior_out, tfp_apply_resp *resp)
{
    tfp_value *prior = thing_value(f, "n", "old");
    tfp_value_object_set(prior, "id", tfp_value_string(f->a, "id-n"));
    tfp_value_object_set(prior, "digest", tfp_value_string(f->a, "d:old"));
    tfp_value *config = thing_value(f, "n", "new");
    tfp_value *proposed = tfp_value_object_copy(f->a, prior);
    tfp_value_object_set(proposed, "content", tfp_value_string(f->a, "new"));
    static const uint8_t prior_private[] = "applied-before";
    tfp_plan_req preq = {.type_name = "test_thing",
                         .prior_state = mp(f, prior),
                         .proposed_new_state = mp(f, proposed),
                         .config = mp(f, config),
                         .prior_private = {prior_private, sizeof(prior_private) - 1}};
    tfp_plan_resp presp;
    tfp_provider_plan_resource_change(f->p, f->a, &preq, &presp);
    assert_no_diags(&presp.diags);
    tfp_apply_req req = {.type_name = "test_thing",
                         .prior_state = mp(f, prior),
                         .planned_state = {presp.planned_state, {NULL, 0}},
                         .config = mp(f, config),
                         .planned_private = presp.planned_private};
    tfp_provider_apply_resource_change(f->p, f->a, &req, resp);
    *prior_out = prior;
}

static void apply_sees_the_private_state_its_plan_returned(void **state)
{
    fixture *f = *state;
    tfp_value *prior;
    tfp_apply_resp resp;
    plan_then_apply_update(f, &prior, &resp);
    assert_no_diags(&resp.diags);
    assert_int_equal(apply_saw_private.len, strlen("planned-private"));
    assert_memory_equal(apply_saw_private.data, "planned-private", apply_saw_private.len);
    assert_int_equal(resp.private_data.len, 7);
    assert_memory_equal(resp.private_data.data, "applied", 7);
}

static void failed_apply_returns_prior_state_and_prior_private_state(void **state)
{
    fixture *f = *state;
    apply_fails_after_copy = 1; /* returns a copy of the plan: equal, not the same pointer */
    tfp_value *prior;
    tfp_apply_resp resp;
    plan_then_apply_update(f, &prior, &resp);
    assert_true(tfp_diags_has_error(&resp.diags));
    tfp_value *s = unmp(f, resp.new_state);
    assert_true(tfp_value_equal(s, prior));
    assert_string_equal(tfp_value_str(tfp_value_attr(s, "digest")), "d:old");
    assert_int_equal(resp.private_data.len, strlen("applied-before"));
    assert_memory_equal(resp.private_data.data, "applied-before", resp.private_data.len);
}

static void update_that_changes_name_requires_replace(void **state)
{
    fixture *f = *state;
    tfp_value *prior = thing_value(f, "old", "c");
    tfp_value_object_set(prior, "id", tfp_value_string(f->a, "id-old"));
    tfp_value_object_set(prior, "digest", tfp_value_string(f->a, "d:c"));
    tfp_value *config = thing_value(f, "new", "c");
    tfp_value *proposed = tfp_value_object_copy(f->a, prior);
    tfp_value_object_set(proposed, "name", tfp_value_string(f->a, "new"));
    static const uint8_t prior_private[] = "applied";
    tfp_plan_req req = {.type_name = "test_thing",
                        .prior_state = mp(f, prior),
                        .proposed_new_state = mp(f, proposed),
                        .config = mp(f, config),
                        .prior_private = {prior_private, 7}};
    tfp_plan_resp resp;
    tfp_provider_plan_resource_change(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    assert_int_equal(resp.n_requires_replace, 1);
    assert_string_equal(tfp_path_format(f->a, resp.requires_replace[0]), ".name");
    /* Computed values from prior are kept on update (not turned unknown). */
    tfp_value *planned = unmp(f, resp.planned_state);
    assert_string_equal(tfp_value_str(tfp_value_attr(planned, "id")), "id-old");
}

static void destroy_plans_and_applies_null_without_calling_plan(void **state)
{
    fixture *f = *state;
    tfp_value *prior = thing_value(f, "n", "c");
    tfp_value_object_set(prior, "id", tfp_value_string(f->a, "id-n"));
    tfp_value_object_set(prior, "digest", tfp_value_string(f->a, "d:c"));
    tfp_plan_req req = {.type_name = "test_thing", .prior_state = mp(f, prior)};
    tfp_plan_resp resp;
    tfp_provider_plan_resource_change(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    assert_int_equal(plan_calls, 0);
    assert_true(tfp_value_is_null(unmp(f, resp.planned_state)));

    tfp_apply_req areq = {.type_name = "test_thing", .prior_state = mp(f, prior)};
    tfp_apply_resp aresp;
    tfp_provider_apply_resource_change(f->p, f->a, &areq, &aresp);
    assert_no_diags(&aresp.diags);
    static const uint8_t nil[] = {0xc0};
    assert_int_equal(aresp.new_state.len, 1);
    assert_memory_equal(aresp.new_state.data, nil, 1);
}

static void read_returns_state_or_null_when_gone(void **state)
{
    fixture *f = *state;
    tfp_value *cur = thing_value(f, "n", "c");
    tfp_value_object_set(cur, "id", tfp_value_string(f->a, "id-n"));
    tfp_value_object_set(cur, "digest", tfp_value_string(f->a, "d:c"));
    static const uint8_t here[] = "here";
    tfp_read_req req = {"test_thing", mp(f, cur), {here, 4}};
    tfp_read_resp resp;
    tfp_provider_read_resource(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    assert_true(tfp_value_equal(unmp(f, resp.new_state), cur));
    assert_int_equal(resp.private_data.len, 4);

    static const uint8_t gone[] = "gone";
    req.private_data = (tfp_bytes){gone, 4};
    tfp_provider_read_resource(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    assert_true(tfp_value_is_null(unmp(f, resp.new_state)));
}

static void import_builds_state_from_id(void **state)
{
    fixture *f = *state;
    tfp_import_req req = {"test_thing", "abc"};
    tfp_import_resp resp;
    tfp_provider_import_resource_state(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    assert_int_equal(resp.n_imported, 1);
    assert_string_equal(resp.imported[0].type_name, "test_thing");
    tfp_value *s = unmp(f, resp.imported[0].state);
    assert_string_equal(tfp_value_str(tfp_value_attr(s, "id")), "abc");
    assert_true(tfp_value_is_null(tfp_value_attr(s, "content")));

    req.id = "missing";
    tfp_provider_import_resource_state(f->p, f->a, &req, &resp);
    assert_int_equal(resp.n_imported, 0);
    assert_string_equal(tfp_diags_at(&resp.diags, 0)->summary, "Not found");
}

static void upgrade_decodes_stored_json_with_current_schema(void **state)
{
    fixture *f = *state;
    const char *json =
        "{\"name\":\"n\",\"id\":\"id-n\",\"digest\":\"d:\",\"tag\":[{\"key\":\"k\"}]}";
    tfp_upgrade_req req = {"test_thing", 1, {(const uint8_t *)json, strlen(json)}};
    tfp_upgrade_resp resp;
    tfp_provider_upgrade_resource_state(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    tfp_value *s = unmp(f, resp.upgraded_state);
    assert_string_equal(tfp_value_str(tfp_value_attr(s, "id")), "id-n");
    assert_true(tfp_value_is_null(tfp_value_attr(s, "content")));
    assert_string_equal(
        tfp_value_str(tfp_value_attr(tfp_value_index(tfp_value_attr(s, "tag"), 0), "key")), "k");

    req.version = 2;
    tfp_provider_upgrade_resource_state(f->p, f->a, &req, &resp);
    assert_true(tfp_diags_has_error(&resp.diags));
    assert_string_equal(tfp_diags_at(&resp.diags, 0)->summary,
                        "Resource state is from a newer provider");

    const char *old = "{\"title\":\"n\"}";
    tfp_upgrade_req req2 = {"test_thing", 0, {(const uint8_t *)old, strlen(old)}};
    tfp_provider_upgrade_resource_state(f->p, f->a, &req2, &resp);
    assert_true(tfp_diags_has_error(&resp.diags));
    assert_non_null(strstr(tfp_diags_at(&resp.diags, 0)->detail, "\"title\""));
}

static void configure_stores_provider_data_for_later_calls(void **state)
{
    fixture *f = *state;
    const tfp_type *pt = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_schema_block_type(f->a, &provider_block, &pt, &err), TFP_OK);
    tfp_value *cfg = tfp_value_object_new(f->a, pt);
    tfp_value_object_set(cfg, "region", tfp_value_string(f->a, "eu-west-1"));
    tfp_configure_req req = {.terraform_version = "1.11.4"};
    assert_int_equal(
        tfp_msgpack_encode(f->a, cfg, pt, &req.config.msgpack.data, &req.config.msgpack.len, NULL),
        TFP_OK);
    tfp_configure_resp resp;
    tfp_provider_configure(f->p, f->a, &req, &resp);
    assert_no_diags(&resp.diags);
    assert_int_equal(configure_calls, 1);
    /* The request arena may go away; the provider keeps its copy. */
    tfp_arena_free(f->a);
    f->a = tfp_arena_new(0);
    tfp_provider_configure(f->p, f->a, &req, &resp);
    assert_int_equal(configure_calls, 1);
    assert_int_equal(tfp_diags_at(&resp.diags, 0)->severity, TFP_DIAG_WARNING);

    tfp_validate_provider_req vreq = {{{NULL, 0}, {NULL, 0}}};
    tfp_validate_provider_resp vresp;
    tfp_provider_validate_provider_config(f->p, f->a, &vreq, &vresp);
    assert_no_diags(&vresp.diags);
}

static void stop_is_visible_to_running_callbacks(void **state)
{
    fixture *f = *state;
    tfp_provider_stop(f->p);
    tfp_value *config = thing_value(f, "n", "x");
    tfp_plan_req req = {
        .type_name = "test_thing", .proposed_new_state = mp(f, config), .config = mp(f, config)};
    tfp_plan_resp resp;
    tfp_provider_plan_resource_change(f->p, f->a, &req, &resp);
    assert_int_equal(saw_cancelled, 1);
}

typedef struct worker {
    tfp_provider *p;
    tfp_dynamic config;
    int failures;
} worker;

static void *plan_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 200; i++) {
        tfp_arena *a = tfp_arena_new(0);
        tfp_plan_req req = {
            .type_name = "test_thing", .proposed_new_state = w->config, .config = w->config};
        tfp_plan_resp resp;
        tfp_provider_plan_resource_change(w->p, a, &req, &resp);
        if (tfp_diags_count(&resp.diags) != 0 || resp.planned_state.len == 0) {
            w->failures++;
        }
        tfp_arena_free(a);
    }
    return NULL;
}

static void concurrent_requests_each_use_their_own_arena(void **state)
{
    fixture *f = *state;
    tfp_dynamic config = mp(f, thing_value(f, "n", "hello"));
    pthread_t t[8];
    worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (worker){f->p, config, 0};
        assert_int_equal(pthread_create(&t[i], NULL, plan_worker, &w[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    assert_int_equal(plan_calls, 8 * 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(schema_response_lists_resources_and_capabilities, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(validate_runs_generic_checks_then_the_resource, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(callbacks_log_through_the_installed_logger, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unknown_resource_type_is_an_error_diagnostic, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(garbage_msgpack_becomes_a_diagnostic, setup, teardown),
        cmocka_unit_test_setup_teardown(
            create_plan_marks_computed_unknown_and_propagates_unknown_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(apply_create_returns_wholly_known_state, setup, teardown),
        cmocka_unit_test_setup_teardown(apply_leaving_unknowns_is_reported_and_prior_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(apply_sees_the_private_state_its_plan_returned, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(failed_apply_returns_prior_state_and_prior_private_state,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(update_that_changes_name_requires_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(destroy_plans_and_applies_null_without_calling_plan, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(read_returns_state_or_null_when_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(import_builds_state_from_id, setup, teardown),
        cmocka_unit_test_setup_teardown(upgrade_decodes_stored_json_with_current_schema, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(configure_stores_provider_data_for_later_calls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stop_is_visible_to_running_callbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_requests_each_use_their_own_arena, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
