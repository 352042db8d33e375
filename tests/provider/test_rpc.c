/*
 * Tests for tfp_rpc: protobuf bytes in, protobuf bytes out, through the real
 * provider core with a small resource defined here. Inputs are hand-written
 * msgpack (Terraform's wire form) packed into tfplugin6 requests; outputs are
 * unpacked and checked field by field: schemas, diagnostics with attribute
 * paths, requires_replace, private bytes, the delete null, the RPCs the
 * provider does not support, and status codes for malformed or unknown calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tfp_log.h"
#include "tfp_provider_int.h"
#include "tfp_rpc.h"
#include "tfp_rpc_convert.h"

#include "tfplugin6.pb-c.h"

/* ---- the test resource: test_thing ----------------------------------- */

static const tfp_type tags_type = TFP_TYPE_MAP_OF(&tfp_type_string);

static const tfp_schema_attr part_attrs[] = {
    {.name = "path", .type = &tfp_type_string, .required = true, .description = "A path."},
};
static const tfp_schema_block part_block = {.attrs = part_attrs, .n_attrs = 1};
static const tfp_schema_nested_block thing_blocks[] = {
    {.type_name = "part",
     .nesting = TFP_NEST_LIST,
     .block = &part_block,
     .min_items = 1,
     .max_items = 3},
};
static const tfp_schema_attr thing_attrs[] = {
    {.name = "id", .type = &tfp_type_string, .computed = true, .description = "The id."},
    {.name = "name",
     .type = &tfp_type_string,
     .required = true,
     .description = "The **name**.",
     .description_kind = TFP_STRING_MARKDOWN},
    {.name = "size", .type = &tfp_type_number, .optional = true, .description = "Size."},
    {.name = "tags",
     .type = &tags_type,
     .optional = true,
     .sensitive = true,
     .description = "Tags."},
};
static const tfp_schema_block thing_block = {.attrs = thing_attrs,
                                             .n_attrs = 4,
                                             .blocks = thing_blocks,
                                             .n_blocks = 1,
                                             .description = "A thing."};
static const tfp_schema thing_schema = {.version = 2, .block = &thing_block};

static int thing_validate(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags)
{
    const char *name = tfp_value_str(tfp_value_attr(in->config, "name"));
    if (tfp_ctx_cancelled(ctx)) {
        tfp_diag_warning(diags, "Cancelled", "stop was requested");
    }
    if (name != NULL && strcmp(name, "bad") == 0) {
        const tfp_path *p = tfp_path_attr(
            ctx->arena, tfp_path_index(ctx->arena, tfp_path_attr(ctx->arena, NULL, "part"), 0),
            "path");
        tfp_diag_error_at(diags, p, "Bad part", "part %d is bad", 0);
        const tfp_path *t = tfp_path_key(ctx->arena, tfp_path_attr(ctx->arena, NULL, "tags"), "x");
        tfp_diag_warning_at(diags, t, "Odd tag", "tag x");
        return -1;
    }
    if (name != NULL && strcmp(name, "latin1") == 0) {
        const tfp_path *k =
            tfp_path_key(ctx->arena, tfp_path_attr(ctx->arena, NULL, "tags"), "\xc0\x80");
        tfp_diag_warning_at(diags, k, "Bad \xff summary", "caf\xe9 \xff ok");
        return 0;
    }
    if (name != NULL && strcmp(name, "silent-failure") == 0) {
        return -1; /* no diagnostic: the core must add one */
    }
    return 0;
}

static int thing_plan(const tfp_ctx *ctx, const tfp_plan_in *in, tfp_plan_out *out,
                      tfp_diags *diags)
{
    (void)diags;
    if (!tfp_value_is_null(in->prior_state)) {
        tfp_plan_require_replace(ctx, out, tfp_path_attr(ctx->arena, NULL, "name"));
    }
    static const uint8_t pp[] = {'p', 'p', 0, 1};
    out->planned_private.data = pp;
    out->planned_private.len = sizeof(pp);
    return 0;
}

static int thing_import(const tfp_ctx *ctx, const tfp_import_in *in, tfp_import_out *out,
                        tfp_diags *diags)
{
    (void)diags;
    tfp_value_object_set(out->state, "id", tfp_value_string(ctx->arena, in->id));
    tfp_value_object_set(out->state, "name", tfp_value_string(ctx->arena, in->id));
    static const uint8_t priv[] = {'i', 'm', 'p'};
    out->private_data.data = priv;
    out->private_data.len = sizeof(priv);
    return 0;
}

static const tfp_resource_type thing_type = {
    .name = "test_thing",
    .schema = &thing_schema,
    .validate = thing_validate,
    .plan = thing_plan,
    .import_state = thing_import,
};

static const tfp_resource_type *const resources[] = {&thing_type};

static int setup(void **state)
{
    static tfp_provider_def def;
    memset(&def, 0, sizeof(def));
    def.resources = resources;
    def.n_resources = 1;
    tfp_error err = TFP_ERROR_INIT;
    tfp_provider *p = tfp_provider_new(&def, &err);
    assert_non_null(p);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    tfp_provider_free(*state);
    return 0;
}

/* ---- helpers ---------------------------------------------------------- */

/* Packs msg, calls the handler, checks the status, returns the reply bytes. */
static tfp_server_reply call(tfp_provider *p, const char *rpc, const ProtobufCMessage *msg,
                             int want_status)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(len + 1);
    protobuf_c_message_pack(msg, buf);
    tfp_server_reply reply;
    memset(&reply, 0, sizeof(reply));
    tfp_rpc_handle(p, rpc, buf, len, &reply);
    free(buf);
    assert_int_equal(reply.status, want_status);
    return reply;
}

/* A complete test_thing object: {id: nil, name: NAME, part: [{path: "a"}],
   size: nil, tags: nil}, keys sorted as Terraform sends them. */
static size_t thing_msgpack(uint8_t *out, const char *name)
{
    size_t n = 0;
    size_t nl = strlen(name);
    const uint8_t head[] = {0x85, 0xa2, 'i', 'd', 0xc0, 0xa4, 'n', 'a', 'm', 'e'};
    memcpy(out, head, sizeof(head));
    n += sizeof(head);
    out[n++] = (uint8_t)(0xa0 | nl);
    memcpy(out + n, name, nl);
    n += nl;
    const uint8_t tail[] = {0xa4, 'p',  'a', 'r', 't', 0x91, 0x81, 0xa4, 'p', 'a', 't', 'h', 0xa1,
                            'a',  0xa4, 's', 'i', 'z', 'e',  0xc0, 0xa4, 't', 'a', 'g', 's', 0xc0};
    memcpy(out + n, tail, sizeof(tail));
    n += sizeof(tail);
    return n;
}

static const uint8_t msgpack_null[] = {0xc0};

static Tfplugin6__DynamicValue dyn(const uint8_t *data, size_t len)
{
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = (uint8_t *)data;
    dv.msgpack.len = len;
    return dv;
}

/* ---- tests ------------------------------------------------------------ */

static void schema_carries_attributes_blocks_and_capabilities(void **state)
{
    Tfplugin6__GetProviderSchema__Request req = TFPLUGIN6__GET_PROVIDER_SCHEMA__REQUEST__INIT;
    tfp_server_reply r = call(*state, "GetProviderSchema", &req.base, TFP_STATUS_OK);
    Tfplugin6__GetProviderSchema__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__get_provider_schema__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_non_null(resp->provider);
    assert_non_null(resp->provider->block);
    assert_int_equal(resp->provider->block->n_attributes, 0);
    assert_non_null(resp->server_capabilities);
    assert_true(resp->server_capabilities->plan_destroy);
    assert_true(resp->server_capabilities->get_provider_schema_optional);
    assert_false(resp->server_capabilities->move_resource_state);

    assert_int_equal(resp->n_resource_schemas, 1);
    assert_string_equal(resp->resource_schemas[0]->key, "test_thing");
    Tfplugin6__Schema *s = resp->resource_schemas[0]->value;
    assert_int_equal(s->version, 2);
    assert_string_equal(s->block->description, "A thing.");
    assert_int_equal(s->block->n_attributes, 4);
    Tfplugin6__Schema__Attribute *id = s->block->attributes[0];
    assert_string_equal(id->name, "id");
    assert_true(id->computed);
    assert_false(id->optional);
    assert_int_equal(id->type.len, strlen("\"string\""));
    assert_memory_equal(id->type.data, "\"string\"", id->type.len);
    Tfplugin6__Schema__Attribute *name = s->block->attributes[1];
    assert_true(name->required);
    assert_string_equal(name->description, "The **name**.");
    assert_int_equal(name->description_kind, TFPLUGIN6__STRING_KIND__MARKDOWN);
    Tfplugin6__Schema__Attribute *tags = s->block->attributes[3];
    assert_true(tags->sensitive);
    assert_int_equal(tags->type.len, strlen("[\"map\",\"string\"]"));
    assert_memory_equal(tags->type.data, "[\"map\",\"string\"]", tags->type.len);

    assert_int_equal(s->block->n_block_types, 1);
    Tfplugin6__Schema__NestedBlock *nb = s->block->block_types[0];
    assert_string_equal(nb->type_name, "part");
    assert_int_equal(nb->nesting, TFPLUGIN6__SCHEMA__NESTED_BLOCK__NESTING_MODE__LIST);
    assert_int_equal(nb->min_items, 1);
    assert_int_equal(nb->max_items, 3);
    assert_int_equal(nb->block->n_attributes, 1);
    assert_string_equal(nb->block->attributes[0]->name, "path");
    assert_true(nb->block->attributes[0]->required);

    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void validate_diagnostics_carry_every_kind_of_path_step(void **state)
{
    uint8_t mp[128];
    Tfplugin6__DynamicValue dv = dyn(mp, thing_msgpack(mp, "bad"));
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = "test_thing";
    req.config = &dv;
    tfp_server_reply r = call(*state, "ValidateResourceConfig", &req.base, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__validate_resource_config__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 2);

    Tfplugin6__Diagnostic *e = resp->diagnostics[0];
    assert_int_equal(e->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    assert_string_equal(e->summary, "Bad part");
    assert_string_equal(e->detail, "part 0 is bad");
    assert_non_null(e->attribute);
    assert_int_equal(e->attribute->n_steps, 3);
    assert_int_equal(e->attribute->steps[0]->selector_case,
                     TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ATTRIBUTE_NAME);
    assert_string_equal(e->attribute->steps[0]->attribute_name, "part");
    assert_int_equal(e->attribute->steps[1]->selector_case,
                     TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_INT);
    assert_int_equal(e->attribute->steps[1]->element_key_int, 0);
    assert_string_equal(e->attribute->steps[2]->attribute_name, "path");

    Tfplugin6__Diagnostic *w = resp->diagnostics[1];
    assert_int_equal(w->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__WARNING);
    assert_int_equal(w->attribute->n_steps, 2);
    assert_int_equal(w->attribute->steps[1]->selector_case,
                     TFPLUGIN6__ATTRIBUTE_PATH__STEP__SELECTOR_ELEMENT_KEY_STRING);
    assert_string_equal(w->attribute->steps[1]->element_key_string, "x");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void diagnostic_strings_are_made_valid_utf8(void **state)
{
    uint8_t mp[128];
    Tfplugin6__DynamicValue dv = dyn(mp, thing_msgpack(mp, "latin1"));
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = "test_thing";
    req.config = &dv;
    tfp_server_reply r = call(*state, "ValidateResourceConfig", &req.base, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__validate_resource_config__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_string_equal(resp->diagnostics[0]->summary, "Bad \xef\xbf\xbd summary");
    assert_string_equal(resp->diagnostics[0]->detail, "caf\xef\xbf\xbd \xef\xbf\xbd ok");
    assert_string_equal(resp->diagnostics[0]->attribute->steps[1]->element_key_string,
                        "\xef\xbf\xbd\xef\xbf\xbd");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void utf8_check_follows_the_standard(void **state)
{
    (void)state;
    tfp_arena *a = tfp_arena_new(0);
    const char *ok = "plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
    assert_ptr_equal(tfp_rpc_utf8(a, ok), ok); /* valid: returned as is */
    assert_string_equal(tfp_rpc_utf8(a, NULL), "");
    /* surrogate, truncated, above U+10FFFF, overlong 3-byte, lone continuation */
    assert_string_equal(tfp_rpc_utf8(a, "\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(tfp_rpc_utf8(a, "a\xe2\x82"), "a\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(tfp_rpc_utf8(a, "\xf4\x90\x80\x80"),
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(tfp_rpc_utf8(a, "\xe0\x80\xaf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(tfp_rpc_utf8(a, "\x80x"), "\xef\xbf\xbdx");
    tfp_arena_free(a);
}

static void valid_config_gives_no_diagnostics(void **state)
{
    uint8_t mp[128];
    Tfplugin6__DynamicValue dv = dyn(mp, thing_msgpack(mp, "good"));
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = "test_thing";
    req.config = &dv;
    tfp_server_reply r = call(*state, "ValidateResourceConfig", &req.base, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__validate_resource_config__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void handler_failures_are_error_diagnostics_with_ok_status(void **state)
{
    /* A callback failing without a diagnostic, undecodable msgpack, and an
       unknown resource type all come back as OK + an error diagnostic. */
    uint8_t mp[128];
    const uint8_t garbage[] = {0x85, 0xa2, 'i'};
    struct {
        const char *type;
        const uint8_t *data;
        size_t len;
    } cases[] = {
        {"test_thing", mp, thing_msgpack(mp, "silent-failure")},
        {"test_thing", garbage, sizeof(garbage)},
        {"no_such_thing", msgpack_null, sizeof(msgpack_null)},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        Tfplugin6__DynamicValue dv = dyn(cases[i].data, cases[i].len);
        Tfplugin6__ValidateResourceConfig__Request req =
            TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
        req.type_name = (char *)cases[i].type;
        req.config = &dv;
        tfp_server_reply r = call(*state, "ValidateResourceConfig", &req.base, TFP_STATUS_OK);
        Tfplugin6__ValidateResourceConfig__Response *resp = (void *)protobuf_c_message_unpack(
            &tfplugin6__validate_resource_config__response__descriptor, NULL, r.len, r.data);
        assert_non_null(resp);
        assert_true(resp->n_diagnostics >= 1);
        assert_int_equal(resp->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
        assert_true(strlen(resp->diagnostics[0]->summary) > 0);
        protobuf_c_message_free_unpacked(&resp->base, NULL);
        free(r.data);
    }
}

static void plan_returns_requires_replace_and_private_bytes(void **state)
{
    uint8_t prior_mp[128];
    uint8_t new_mp[128];
    Tfplugin6__DynamicValue prior = dyn(prior_mp, thing_msgpack(prior_mp, "old"));
    Tfplugin6__DynamicValue proposed = dyn(new_mp, thing_msgpack(new_mp, "new"));
    Tfplugin6__DynamicValue config = dyn(new_mp, thing_msgpack(new_mp, "new"));
    Tfplugin6__PlanResourceChange__Request req = TFPLUGIN6__PLAN_RESOURCE_CHANGE__REQUEST__INIT;
    req.type_name = "test_thing";
    req.prior_state = &prior;
    req.proposed_new_state = &proposed;
    req.config = &config;
    tfp_server_reply r = call(*state, "PlanResourceChange", &req.base, TFP_STATUS_OK);
    Tfplugin6__PlanResourceChange__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__plan_resource_change__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_non_null(resp->planned_state);
    assert_true(resp->planned_state->msgpack.len > 0);
    assert_int_equal(resp->planned_state->msgpack.data[0], 0x85); /* a 5-key map */
    assert_int_equal(resp->n_requires_replace, 1);
    assert_int_equal(resp->requires_replace[0]->n_steps, 1);
    assert_string_equal(resp->requires_replace[0]->steps[0]->attribute_name, "name");
    /* The core wraps the resource's bytes with the (here empty) prior private
     * state, so that a failed apply can return the latter. */
    static const char wrapped[] = "tfp-private-1\n4\npp\0\1";
    assert_int_equal(resp->planned_private.len, sizeof(wrapped) - 1);
    assert_memory_equal(resp->planned_private.data, wrapped, sizeof(wrapped) - 1);
    assert_false(resp->legacy_type_system);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void apply_of_a_delete_returns_a_msgpack_null(void **state)
{
    uint8_t prior_mp[128];
    Tfplugin6__DynamicValue prior = dyn(prior_mp, thing_msgpack(prior_mp, "old"));
    Tfplugin6__DynamicValue planned = dyn(msgpack_null, sizeof(msgpack_null));
    Tfplugin6__DynamicValue config = dyn(msgpack_null, sizeof(msgpack_null));
    Tfplugin6__ApplyResourceChange__Request req = TFPLUGIN6__APPLY_RESOURCE_CHANGE__REQUEST__INIT;
    req.type_name = "test_thing";
    req.prior_state = &prior;
    req.planned_state = &planned;
    req.config = &config;
    tfp_server_reply r = call(*state, "ApplyResourceChange", &req.base, TFP_STATUS_OK);
    Tfplugin6__ApplyResourceChange__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__apply_resource_change__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_non_null(resp->new_state);
    assert_int_equal(resp->new_state->msgpack.len, 1);
    assert_int_equal(resp->new_state->msgpack.data[0], 0xc0);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void stop_provider_is_seen_by_later_callbacks(void **state)
{
    Tfplugin6__StopProvider__Request stop = TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;
    tfp_server_reply r = call(*state, "StopProvider", &stop.base, TFP_STATUS_OK);
    Tfplugin6__StopProvider__Response *sresp = (void *)protobuf_c_message_unpack(
        &tfplugin6__stop_provider__response__descriptor, NULL, r.len, r.data);
    assert_non_null(sresp);
    assert_string_equal(sresp->error, "");
    protobuf_c_message_free_unpacked(&sresp->base, NULL);
    free(r.data);

    uint8_t mp[128];
    Tfplugin6__DynamicValue dv = dyn(mp, thing_msgpack(mp, "good"));
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = "test_thing";
    req.config = &dv;
    r = call(*state, "ValidateResourceConfig", &req.base, TFP_STATUS_OK);
    Tfplugin6__ValidateResourceConfig__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__validate_resource_config__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_string_equal(resp->diagnostics[0]->summary, "Cancelled");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void unsupported_kinds_answer_with_an_error_diagnostic(void **state)
{
    Tfplugin6__DynamicValue dv = dyn(msgpack_null, sizeof(msgpack_null));
    Tfplugin6__ValidateDataResourceConfig__Request vd =
        TFPLUGIN6__VALIDATE_DATA_RESOURCE_CONFIG__REQUEST__INIT;
    vd.type_name = "lambda_whatever";
    vd.config = &dv;
    tfp_server_reply r = call(*state, "ValidateDataResourceConfig", &vd.base, TFP_STATUS_OK);
    Tfplugin6__ValidateDataResourceConfig__Response *vdr = (void *)protobuf_c_message_unpack(
        &tfplugin6__validate_data_resource_config__response__descriptor, NULL, r.len, r.data);
    assert_int_equal(vdr->n_diagnostics, 1);
    assert_string_equal(vdr->diagnostics[0]->summary, "Unknown data source");
    assert_non_null(strstr(vdr->diagnostics[0]->detail, "lambda_whatever"));
    protobuf_c_message_free_unpacked(&vdr->base, NULL);
    free(r.data);

    Tfplugin6__ReadDataSource__Request rd = TFPLUGIN6__READ_DATA_SOURCE__REQUEST__INIT;
    rd.type_name = "x";
    r = call(*state, "ReadDataSource", &rd.base, TFP_STATUS_OK);
    Tfplugin6__ReadDataSource__Response *rdr = (void *)protobuf_c_message_unpack(
        &tfplugin6__read_data_source__response__descriptor, NULL, r.len, r.data);
    assert_int_equal(rdr->n_diagnostics, 1);
    assert_int_equal(rdr->diagnostics[0]->severity, TFPLUGIN6__DIAGNOSTIC__SEVERITY__ERROR);
    protobuf_c_message_free_unpacked(&rdr->base, NULL);
    free(r.data);

    Tfplugin6__OpenEphemeralResource__Request oe =
        TFPLUGIN6__OPEN_EPHEMERAL_RESOURCE__REQUEST__INIT;
    oe.type_name = "lambda_secret";
    r = call(*state, "OpenEphemeralResource", &oe.base, TFP_STATUS_OK);
    Tfplugin6__OpenEphemeralResource__Response *oer = (void *)protobuf_c_message_unpack(
        &tfplugin6__open_ephemeral_resource__response__descriptor, NULL, r.len, r.data);
    assert_int_equal(oer->n_diagnostics, 1);
    assert_string_equal(oer->diagnostics[0]->summary, "Unknown ephemeral resource");
    protobuf_c_message_free_unpacked(&oer->base, NULL);
    free(r.data);

    Tfplugin6__MoveResourceState__Request mv = TFPLUGIN6__MOVE_RESOURCE_STATE__REQUEST__INIT;
    mv.source_type_name = "a";
    mv.target_type_name = "test_thing";
    r = call(*state, "MoveResourceState", &mv.base, TFP_STATUS_OK);
    Tfplugin6__MoveResourceState__Response *mvr = (void *)protobuf_c_message_unpack(
        &tfplugin6__move_resource_state__response__descriptor, NULL, r.len, r.data);
    assert_int_equal(mvr->n_diagnostics, 1);
    assert_non_null(strstr(mvr->diagnostics[0]->summary, "Not Supported"));
    protobuf_c_message_free_unpacked(&mvr->base, NULL);
    free(r.data);

    Tfplugin6__CallFunction__Request cf = TFPLUGIN6__CALL_FUNCTION__REQUEST__INIT;
    cf.name = "hash";
    r = call(*state, "CallFunction", &cf.base, TFP_STATUS_OK);
    Tfplugin6__CallFunction__Response *cfr = (void *)protobuf_c_message_unpack(
        &tfplugin6__call_function__response__descriptor, NULL, r.len, r.data);
    assert_non_null(cfr->error);
    assert_non_null(strstr(cfr->error->text, "hash"));
    protobuf_c_message_free_unpacked(&cfr->base, NULL);
    free(r.data);
}

static void metadata_and_functions_describe_what_exists(void **state)
{
    Tfplugin6__GetMetadata__Request gm = TFPLUGIN6__GET_METADATA__REQUEST__INIT;
    tfp_server_reply r = call(*state, "GetMetadata", &gm.base, TFP_STATUS_OK);
    Tfplugin6__GetMetadata__Response *gmr = (void *)protobuf_c_message_unpack(
        &tfplugin6__get_metadata__response__descriptor, NULL, r.len, r.data);
    assert_int_equal(gmr->n_resources, 1);
    assert_string_equal(gmr->resources[0]->type_name, "test_thing");
    assert_int_equal(gmr->n_data_sources, 0);
    assert_true(gmr->server_capabilities->plan_destroy);
    assert_true(gmr->server_capabilities->get_provider_schema_optional);
    protobuf_c_message_free_unpacked(&gmr->base, NULL);
    free(r.data);

    Tfplugin6__GetFunctions__Request gf = TFPLUGIN6__GET_FUNCTIONS__REQUEST__INIT;
    r = call(*state, "GetFunctions", &gf.base, TFP_STATUS_OK);
    Tfplugin6__GetFunctions__Response *gfr = (void *)protobuf_c_message_unpack(
        &tfplugin6__get_functions__response__descriptor, NULL, r.len, r.data);
    assert_non_null(gfr);
    assert_int_equal(gfr->n_functions, 0);
    assert_int_equal(gfr->n_diagnostics, 0);
    protobuf_c_message_free_unpacked(&gfr->base, NULL);
    free(r.data);
}

static void read_passes_private_bytes_through(void **state)
{
    uint8_t mp[128];
    Tfplugin6__DynamicValue cur = dyn(mp, thing_msgpack(mp, "good"));
    Tfplugin6__ReadResource__Request req = TFPLUGIN6__READ_RESOURCE__REQUEST__INIT;
    req.type_name = "test_thing";
    req.current_state = &cur;
    req.private_.data = (uint8_t *)"\x00secret\xff";
    req.private_.len = 8;
    tfp_server_reply r = call(*state, "ReadResource", &req.base, TFP_STATUS_OK);
    Tfplugin6__ReadResource__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__read_resource__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_non_null(resp->new_state);
    assert_int_equal(resp->private_.len, 8);
    assert_memory_equal(resp->private_.data, "\x00secret\xff", 8);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void upgrade_reads_raw_json_and_refuses_flatmap(void **state)
{
    const char *json = "{\"id\":\"i\",\"name\":\"n\",\"part\":[{\"path\":\"a\"}],"
                       "\"size\":null,\"tags\":null}";
    Tfplugin6__RawState raw = TFPLUGIN6__RAW_STATE__INIT;
    raw.json.data = (uint8_t *)json;
    raw.json.len = strlen(json);
    Tfplugin6__UpgradeResourceState__Request req = TFPLUGIN6__UPGRADE_RESOURCE_STATE__REQUEST__INIT;
    req.type_name = "test_thing";
    req.version = 2;
    req.raw_state = &raw;
    tfp_server_reply r = call(*state, "UpgradeResourceState", &req.base, TFP_STATUS_OK);
    Tfplugin6__UpgradeResourceState__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__upgrade_resource_state__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_non_null(resp->upgraded_state);
    assert_int_equal(resp->upgraded_state->msgpack.data[0], 0x85);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);

    /* A Terraform 0.11 flatmap state: refused with a diagnostic. */
    Tfplugin6__RawState__FlatmapEntry e = TFPLUGIN6__RAW_STATE__FLATMAP_ENTRY__INIT;
    e.key = "id";
    e.value = "x";
    Tfplugin6__RawState__FlatmapEntry *entries[] = {&e};
    Tfplugin6__RawState flat = TFPLUGIN6__RAW_STATE__INIT;
    flat.n_flatmap = 1;
    flat.flatmap = entries;
    req.raw_state = &flat;
    r = call(*state, "UpgradeResourceState", &req.base, TFP_STATUS_OK);
    resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__upgrade_resource_state__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 1);
    assert_string_equal(resp->diagnostics[0]->summary, "Unsupported state format");
    assert_null(resp->upgraded_state);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static void import_returns_the_state_type_name_and_private(void **state)
{
    Tfplugin6__ImportResourceState__Request req = TFPLUGIN6__IMPORT_RESOURCE_STATE__REQUEST__INIT;
    req.type_name = "test_thing";
    req.id = "abc";
    tfp_server_reply r = call(*state, "ImportResourceState", &req.base, TFP_STATUS_OK);
    Tfplugin6__ImportResourceState__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__import_resource_state__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_diagnostics, 0);
    assert_int_equal(resp->n_imported_resources, 1);
    Tfplugin6__ImportResourceState__ImportedResource *ir = resp->imported_resources[0];
    assert_string_equal(ir->type_name, "test_thing");
    assert_non_null(ir->state);
    assert_true(ir->state->msgpack.len > 0);
    assert_int_equal(ir->private_.len, 3);
    assert_memory_equal(ir->private_.data, "imp", 3);
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
}

static const char *const all_rpcs[] = {
    "GetMetadata",
    "GetProviderSchema",
    "ValidateProviderConfig",
    "ValidateResourceConfig",
    "ValidateDataResourceConfig",
    "UpgradeResourceState",
    "ConfigureProvider",
    "ReadResource",
    "PlanResourceChange",
    "ApplyResourceChange",
    "ImportResourceState",
    "MoveResourceState",
    "ReadDataSource",
    "ValidateEphemeralResourceConfig",
    "OpenEphemeralResource",
    "RenewEphemeralResource",
    "CloseEphemeralResource",
    "GetFunctions",
    "CallFunction",
};

/* xorshift: deterministic, so a failure reproduces. */
static uint32_t next_random(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void random_bytes_never_break_any_rpc(void **state)
{
    uint32_t seed = 0x5eed1234u;
    uint8_t buf[512];
    size_t ok = 0, invalid = 0;
    tfp_level saved = tfp_log_get_level();
    tfp_log_set_level(TFP_LEVEL_OFF); /* thousands of "malformed request" warnings */
    for (size_t m = 0; m < sizeof(all_rpcs) / sizeof(all_rpcs[0]); m++) {
        assert_true(tfp_rpc_known(all_rpcs[m]));
        for (int round = 0; round < 300; round++) {
            size_t len = next_random(&seed) % sizeof(buf);
            for (size_t i = 0; i < len; i++) {
                buf[i] = (uint8_t)next_random(&seed);
            }
            /* Some rounds: a well-formed field 2 (config/current_state) whose
               DynamicValue bytes are random msgpack. */
            if (round % 3 == 0 && len > 8) {
                buf[0] = 0x12;
                buf[1] = (uint8_t)(len - 2 > 127 ? 127 : len - 2);
                buf[2] = 0x0a;
                buf[3] = (uint8_t)(buf[1] - 2);
            }
            tfp_server_reply reply;
            memset(&reply, 0, sizeof(reply));
            tfp_rpc_handle(*state, all_rpcs[m], buf, len, &reply);
            if (reply.status == TFP_STATUS_OK) {
                ok++;
            } else {
                assert_int_equal(reply.status, TFP_STATUS_INVALID_ARGUMENT);
                invalid++;
            }
            free(reply.data);
        }
    }
    tfp_log_set_level(saved);
    print_message("%zu answered, %zu refused as malformed\n", ok, invalid);
    assert_true(ok > 0);
    assert_true(invalid > 0);
}

static void malformed_request_bytes_are_invalid_argument(void **state)
{
    /* Field 2 (config) as a length-delimited run longer than the buffer. */
    const uint8_t bad[] = {0x12, 0x7f, 0x01};
    tfp_server_reply reply;
    memset(&reply, 0, sizeof(reply));
    tfp_rpc_handle(*state, "ValidateResourceConfig", bad, sizeof(bad), &reply);
    assert_int_equal(reply.status, TFP_STATUS_INVALID_ARGUMENT);
    assert_null(reply.data);
    assert_true(strlen(reply.message) > 0);
}

static void unknown_methods_are_unimplemented(void **state)
{
    tfp_server_reply reply;
    memset(&reply, 0, sizeof(reply));
    tfp_rpc_handle(*state, "ListResource", NULL, 0, &reply);
    assert_int_equal(reply.status, TFP_STATUS_UNIMPLEMENTED);
    assert_null(reply.data);
    assert_false(tfp_rpc_known("ListResource"));
    assert_true(tfp_rpc_known("PlanResourceChange"));
}

static void empty_request_bytes_are_a_valid_empty_message(void **state)
{
    /* proto3: zero bytes is a request with every field unset. */
    tfp_server_reply reply;
    memset(&reply, 0, sizeof(reply));
    tfp_rpc_handle(*state, "ReadResource", NULL, 0, &reply);
    assert_int_equal(reply.status, TFP_STATUS_OK);
    Tfplugin6__ReadResource__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__read_resource__response__descriptor, NULL, reply.len, reply.data);
    assert_non_null(resp);
    assert_true(resp->n_diagnostics >= 1); /* no type name: unknown resource type */
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(reply.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schema_carries_attributes_blocks_and_capabilities),
        cmocka_unit_test(validate_diagnostics_carry_every_kind_of_path_step),
        cmocka_unit_test(valid_config_gives_no_diagnostics),
        cmocka_unit_test(diagnostic_strings_are_made_valid_utf8),
        cmocka_unit_test(utf8_check_follows_the_standard),
        cmocka_unit_test(handler_failures_are_error_diagnostics_with_ok_status),
        cmocka_unit_test(plan_returns_requires_replace_and_private_bytes),
        cmocka_unit_test(apply_of_a_delete_returns_a_msgpack_null),
        cmocka_unit_test(unsupported_kinds_answer_with_an_error_diagnostic),
        cmocka_unit_test(metadata_and_functions_describe_what_exists),
        cmocka_unit_test(read_passes_private_bytes_through),
        cmocka_unit_test(upgrade_reads_raw_json_and_refuses_flatmap),
        cmocka_unit_test(import_returns_the_state_type_name_and_private),
        cmocka_unit_test(random_bytes_never_break_any_rpc),
        cmocka_unit_test(malformed_request_bytes_are_invalid_argument),
        cmocka_unit_test(unknown_methods_are_unimplemented),
        cmocka_unit_test(empty_request_bytes_are_a_valid_empty_message),
        /* last: it cancels the provider for good */
        cmocka_unit_test(stop_provider_is_seen_by_later_callbacks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
