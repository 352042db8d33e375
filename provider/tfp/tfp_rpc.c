/*
 * tfp_rpc: one handler per tfplugin6.Provider RPC. Each call gets its own
 * arena: the request is unpacked into it, converted to the core's plain
 * struct, handed to tfp_provider, and the plain response is converted back
 * into arena-allocated messages and packed into a malloc'd buffer for the
 * server. It must not let a failure escape as anything but an error
 * diagnostic (or INVALID_ARGUMENT for undecodable bytes), and must not keep
 * any state between calls.
 */
#include "tfp_rpc.h"

#include <stdlib.h>
#include <string.h>

#include "tfp_log.h"
#include "tfp_rpc_convert.h"

typedef struct rpc_call {
    tfp_provider *provider;
    tfp_arena *arena;
    const char *rpc;
} rpc_call;

/* Fills `resp` (already initialized, of the method's response type). Returns
   TFP_OK, or a negative code when the response could not be built. */
typedef int (*rpc_fn)(rpc_call *c, const ProtobufCMessage *req, ProtobufCMessage *resp);

typedef struct rpc_def {
    const char *name;
    const ProtobufCMessageDescriptor *req_desc;
    const ProtobufCMessageDescriptor *resp_desc;
    rpc_fn fn;
} rpc_def;

#define SET_DIAGS(c, diags, resp)                                                                  \
    tfp_rpc_diags_out((c)->arena, (diags), &(resp)->diagnostics, &(resp)->n_diagnostics)

/* A response whose only content is one error diagnostic. */
static int only_error(rpc_call *c, Tfplugin6__Diagnostic ***diags, size_t *n, const char *summary,
                      const char *detail)
{
    Tfplugin6__Diagnostic **arr = tfp_arena_array(c->arena, 1, sizeof(*arr));
    if (arr == NULL || (arr[0] = tfp_rpc_error_diag(c->arena, summary, detail)) == NULL) {
        return TFP_ENOMEM;
    }
    *diags = arr;
    *n = 1;
    return TFP_OK;
}

static Tfplugin6__ServerCapabilities *capabilities_out(rpc_call *c, const tfp_schema_resp *s)
{
    Tfplugin6__ServerCapabilities *caps = (Tfplugin6__ServerCapabilities *)tfp_rpc_new_message(
        c->arena, &tfplugin6__server_capabilities__descriptor);
    if (caps != NULL) {
        caps->plan_destroy = s->plan_destroy;
        caps->get_provider_schema_optional = s->get_provider_schema_optional;
        caps->move_resource_state = s->move_resource_state;
    }
    return caps;
}

/* ---- schema and metadata ---------------------------------------------- */

static int rpc_get_provider_schema(rpc_call *c, const ProtobufCMessage *req_msg,
                                   ProtobufCMessage *resp_msg)
{
    (void)req_msg;
    Tfplugin6__GetProviderSchema__Response *resp =
        (Tfplugin6__GetProviderSchema__Response *)resp_msg;
    tfp_schema_resp s;
    memset(&s, 0, sizeof(s));
    tfp_provider_get_schema(c->provider, c->arena, &s);
    tfp_error err = TFP_ERROR_INIT;
    resp->provider = tfp_rpc_schema_out(c->arena, s.provider, &err);
    if (resp->provider == NULL) {
        return only_error(c, &resp->diagnostics, &resp->n_diagnostics, "Invalid provider schema",
                          err.message);
    }
    if (s.n_resources > 0) {
        resp->resource_schemas =
            tfp_arena_array(c->arena, s.n_resources, sizeof(*resp->resource_schemas));
        if (resp->resource_schemas == NULL) {
            return TFP_ENOMEM;
        }
    }
    for (size_t i = 0; i < s.n_resources; i++) {
        const tfp_resource_type *rt = s.resources[i];
        Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *e =
            (Tfplugin6__GetProviderSchema__Response__ResourceSchemasEntry *)tfp_rpc_new_message(
                c->arena,
                &tfplugin6__get_provider_schema__response__resource_schemas_entry__descriptor);
        if (e == NULL) {
            return TFP_ENOMEM;
        }
        e->key = (char *)rt->name;
        e->value = tfp_rpc_schema_out(c->arena, rt->schema, &err);
        if (e->value == NULL) {
            return only_error(c, &resp->diagnostics, &resp->n_diagnostics,
                              "Invalid resource schema", err.message);
        }
        resp->resource_schemas[i] = e;
    }
    resp->n_resource_schemas = s.n_resources;
    resp->server_capabilities = capabilities_out(c, &s);
    if (resp->server_capabilities == NULL) {
        return TFP_ENOMEM;
    }
    return SET_DIAGS(c, &s.diags, resp);
}

static int rpc_get_metadata(rpc_call *c, const ProtobufCMessage *req_msg,
                            ProtobufCMessage *resp_msg)
{
    (void)req_msg;
    Tfplugin6__GetMetadata__Response *resp = (Tfplugin6__GetMetadata__Response *)resp_msg;
    tfp_schema_resp s;
    memset(&s, 0, sizeof(s));
    tfp_provider_get_schema(c->provider, c->arena, &s);
    if (s.n_resources > 0) {
        resp->resources = tfp_arena_array(c->arena, s.n_resources, sizeof(*resp->resources));
        if (resp->resources == NULL) {
            return TFP_ENOMEM;
        }
    }
    for (size_t i = 0; i < s.n_resources; i++) {
        Tfplugin6__GetMetadata__ResourceMetadata *m =
            (Tfplugin6__GetMetadata__ResourceMetadata *)tfp_rpc_new_message(
                c->arena, &tfplugin6__get_metadata__resource_metadata__descriptor);
        if (m == NULL) {
            return TFP_ENOMEM;
        }
        m->type_name = (char *)s.resources[i]->name;
        resp->resources[i] = m;
    }
    resp->n_resources = s.n_resources;
    resp->server_capabilities = capabilities_out(c, &s);
    if (resp->server_capabilities == NULL) {
        return TFP_ENOMEM;
    }
    return SET_DIAGS(c, &s.diags, resp);
}

static int rpc_get_functions(rpc_call *c, const ProtobufCMessage *req_msg,
                             ProtobufCMessage *resp_msg)
{
    (void)c;
    (void)req_msg;
    (void)resp_msg; /* no functions, no diagnostics */
    return TFP_OK;
}

/* ---- provider --------------------------------------------------------- */

static int rpc_validate_provider_config(rpc_call *c, const ProtobufCMessage *req_msg,
                                        ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ValidateProviderConfig__Request *req =
        (const Tfplugin6__ValidateProviderConfig__Request *)req_msg;
    Tfplugin6__ValidateProviderConfig__Response *resp =
        (Tfplugin6__ValidateProviderConfig__Response *)resp_msg;
    tfp_validate_provider_req in;
    tfp_validate_provider_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.config = tfp_rpc_dynamic_in(req->config);
    tfp_provider_validate_provider_config(c->provider, c->arena, &in, &out);
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_configure_provider(rpc_call *c, const ProtobufCMessage *req_msg,
                                  ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ConfigureProvider__Request *req =
        (const Tfplugin6__ConfigureProvider__Request *)req_msg;
    Tfplugin6__ConfigureProvider__Response *resp =
        (Tfplugin6__ConfigureProvider__Response *)resp_msg;
    tfp_configure_req in;
    tfp_configure_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.terraform_version = req->terraform_version;
    in.config = tfp_rpc_dynamic_in(req->config);
    tfp_log_kv(TFP_LEVEL_DEBUG, "configuring provider", "terraform_version",
               req->terraform_version != NULL ? req->terraform_version : "", NULL);
    tfp_provider_configure(c->provider, c->arena, &in, &out);
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_stop_provider(rpc_call *c, const ProtobufCMessage *req_msg,
                             ProtobufCMessage *resp_msg)
{
    (void)req_msg;
    (void)resp_msg; /* Error stays "" */
    tfp_logf(TFP_LEVEL_INFO, "StopProvider: cancelling running operations");
    tfp_provider_stop(c->provider);
    return TFP_OK;
}

/* ---- managed resources ------------------------------------------------ */

static int rpc_validate_resource_config(rpc_call *c, const ProtobufCMessage *req_msg,
                                        ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ValidateResourceConfig__Request *req =
        (const Tfplugin6__ValidateResourceConfig__Request *)req_msg;
    Tfplugin6__ValidateResourceConfig__Response *resp =
        (Tfplugin6__ValidateResourceConfig__Response *)resp_msg;
    tfp_validate_resource_req in;
    tfp_validate_resource_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.type_name = req->type_name;
    in.config = tfp_rpc_dynamic_in(req->config);
    tfp_provider_validate_resource_config(c->provider, c->arena, &in, &out);
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_upgrade_resource_state(rpc_call *c, const ProtobufCMessage *req_msg,
                                      ProtobufCMessage *resp_msg)
{
    const Tfplugin6__UpgradeResourceState__Request *req =
        (const Tfplugin6__UpgradeResourceState__Request *)req_msg;
    Tfplugin6__UpgradeResourceState__Response *resp =
        (Tfplugin6__UpgradeResourceState__Response *)resp_msg;
    if (req->raw_state != NULL && req->raw_state->json.len == 0 && req->raw_state->n_flatmap > 0) {
        return only_error(c, &resp->diagnostics, &resp->n_diagnostics, "Unsupported state format",
                          "The stored state is in the flatmap format of Terraform 0.11, which "
                          "this provider cannot read.");
    }
    tfp_upgrade_req in;
    tfp_upgrade_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.type_name = req->type_name;
    in.version = req->version;
    if (req->raw_state != NULL) {
        in.raw_state_json.data = req->raw_state->json.data;
        in.raw_state_json.len = req->raw_state->json.len;
    }
    tfp_provider_upgrade_resource_state(c->provider, c->arena, &in, &out);
    resp->upgraded_state = tfp_rpc_dynamic_out(c->arena, out.upgraded_state);
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_read_resource(rpc_call *c, const ProtobufCMessage *req_msg,
                             ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ReadResource__Request *req = (const Tfplugin6__ReadResource__Request *)req_msg;
    Tfplugin6__ReadResource__Response *resp = (Tfplugin6__ReadResource__Response *)resp_msg;
    tfp_read_req in;
    tfp_read_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.type_name = req->type_name;
    in.current_state = tfp_rpc_dynamic_in(req->current_state);
    in.private_data.data = req->private_.data;
    in.private_data.len = req->private_.len;
    tfp_provider_read_resource(c->provider, c->arena, &in, &out);
    resp->new_state = tfp_rpc_dynamic_out(c->arena, out.new_state);
    resp->private_ = tfp_rpc_bytes_out(out.private_data);
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_plan_resource_change(rpc_call *c, const ProtobufCMessage *req_msg,
                                    ProtobufCMessage *resp_msg)
{
    const Tfplugin6__PlanResourceChange__Request *req =
        (const Tfplugin6__PlanResourceChange__Request *)req_msg;
    Tfplugin6__PlanResourceChange__Response *resp =
        (Tfplugin6__PlanResourceChange__Response *)resp_msg;
    tfp_plan_req in;
    tfp_plan_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.type_name = req->type_name;
    in.prior_state = tfp_rpc_dynamic_in(req->prior_state);
    in.proposed_new_state = tfp_rpc_dynamic_in(req->proposed_new_state);
    in.config = tfp_rpc_dynamic_in(req->config);
    in.prior_private.data = req->prior_private.data;
    in.prior_private.len = req->prior_private.len;
    tfp_provider_plan_resource_change(c->provider, c->arena, &in, &out);
    resp->planned_state = tfp_rpc_dynamic_out(c->arena, out.planned_state);
    resp->planned_private = tfp_rpc_bytes_out(out.planned_private);
    resp->legacy_type_system = 0;
    if (out.n_requires_replace > 0) {
        resp->requires_replace =
            tfp_arena_array(c->arena, out.n_requires_replace, sizeof(*resp->requires_replace));
        if (resp->requires_replace == NULL) {
            return TFP_ENOMEM;
        }
        size_t n = 0;
        for (size_t i = 0; i < out.n_requires_replace; i++) {
            bool ok = true;
            Tfplugin6__AttributePath *p = tfp_rpc_path_out(c->arena, out.requires_replace[i], &ok);
            if (!ok) {
                return TFP_ENOMEM;
            }
            if (p != NULL) {
                resp->requires_replace[n++] = p;
            }
        }
        resp->n_requires_replace = n;
    }
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_apply_resource_change(rpc_call *c, const ProtobufCMessage *req_msg,
                                     ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ApplyResourceChange__Request *req =
        (const Tfplugin6__ApplyResourceChange__Request *)req_msg;
    Tfplugin6__ApplyResourceChange__Response *resp =
        (Tfplugin6__ApplyResourceChange__Response *)resp_msg;
    tfp_apply_req in;
    tfp_apply_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.type_name = req->type_name;
    in.prior_state = tfp_rpc_dynamic_in(req->prior_state);
    in.planned_state = tfp_rpc_dynamic_in(req->planned_state);
    in.config = tfp_rpc_dynamic_in(req->config);
    in.planned_private.data = req->planned_private.data;
    in.planned_private.len = req->planned_private.len;
    tfp_provider_apply_resource_change(c->provider, c->arena, &in, &out);
    resp->new_state = tfp_rpc_dynamic_out(c->arena, out.new_state);
    resp->private_ = tfp_rpc_bytes_out(out.private_data);
    resp->legacy_type_system = 0;
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_import_resource_state(rpc_call *c, const ProtobufCMessage *req_msg,
                                     ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ImportResourceState__Request *req =
        (const Tfplugin6__ImportResourceState__Request *)req_msg;
    Tfplugin6__ImportResourceState__Response *resp =
        (Tfplugin6__ImportResourceState__Response *)resp_msg;
    tfp_import_req in;
    tfp_import_resp out;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.type_name = req->type_name;
    in.id = req->id;
    tfp_provider_import_resource_state(c->provider, c->arena, &in, &out);
    if (out.n_imported > 0 && out.imported != NULL) {
        resp->imported_resources =
            tfp_arena_array(c->arena, out.n_imported, sizeof(*resp->imported_resources));
        if (resp->imported_resources == NULL) {
            return TFP_ENOMEM;
        }
        for (size_t i = 0; i < out.n_imported; i++) {
            Tfplugin6__ImportResourceState__ImportedResource *r =
                (Tfplugin6__ImportResourceState__ImportedResource *)tfp_rpc_new_message(
                    c->arena, &tfplugin6__import_resource_state__imported_resource__descriptor);
            if (r == NULL) {
                return TFP_ENOMEM;
            }
            r->type_name =
                tfp_rpc_utf8(c->arena, out.imported[i].type_name != NULL ? out.imported[i].type_name
                                                                         : req->type_name);
            if (r->type_name == NULL) {
                return TFP_ENOMEM;
            }
            r->state = tfp_rpc_dynamic_out(c->arena, out.imported[i].state);
            r->private_ = tfp_rpc_bytes_out(out.imported[i].private_data);
            resp->imported_resources[i] = r;
        }
        resp->n_imported_resources = out.n_imported;
    }
    return SET_DIAGS(c, &out.diags, resp);
}

static int rpc_move_resource_state(rpc_call *c, const ProtobufCMessage *req_msg,
                                   ProtobufCMessage *resp_msg)
{
    const Tfplugin6__MoveResourceState__Request *req =
        (const Tfplugin6__MoveResourceState__Request *)req_msg;
    Tfplugin6__MoveResourceState__Response *resp =
        (Tfplugin6__MoveResourceState__Response *)resp_msg;
    const char *detail =
        tfp_arena_sprintf(c->arena, "This provider cannot move resource state from '%s' to '%s'.",
                          req->source_type_name != NULL ? req->source_type_name : "",
                          req->target_type_name != NULL ? req->target_type_name : "");
    return only_error(c, &resp->diagnostics, &resp->n_diagnostics,
                      "Move Resource State Not Supported", detail != NULL ? detail : "");
}

/* ---- data sources, ephemeral resources, functions: none --------------- */

static int unknown_type(rpc_call *c, Tfplugin6__Diagnostic ***diags, size_t *n, const char *what,
                        const char *type_name)
{
    const char *summary = tfp_arena_sprintf(c->arena, "Unknown %s", what);
    const char *detail = tfp_arena_sprintf(c->arena, "This provider has no %s named '%s'.", what,
                                           type_name != NULL ? type_name : "");
    return only_error(c, diags, n, summary != NULL ? summary : "Unknown type",
                      detail != NULL ? detail : "");
}

static int rpc_validate_data_resource_config(rpc_call *c, const ProtobufCMessage *req_msg,
                                             ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ValidateDataResourceConfig__Request *req =
        (const Tfplugin6__ValidateDataResourceConfig__Request *)req_msg;
    Tfplugin6__ValidateDataResourceConfig__Response *resp =
        (Tfplugin6__ValidateDataResourceConfig__Response *)resp_msg;
    return unknown_type(c, &resp->diagnostics, &resp->n_diagnostics, "data source", req->type_name);
}

static int rpc_read_data_source(rpc_call *c, const ProtobufCMessage *req_msg,
                                ProtobufCMessage *resp_msg)
{
    const Tfplugin6__ReadDataSource__Request *req =
        (const Tfplugin6__ReadDataSource__Request *)req_msg;
    Tfplugin6__ReadDataSource__Response *resp = (Tfplugin6__ReadDataSource__Response *)resp_msg;
    return unknown_type(c, &resp->diagnostics, &resp->n_diagnostics, "data source", req->type_name);
}

#define EPHEMERAL_RPC(fn, Req, Resp)                                                               \
    static int fn(rpc_call *c, const ProtobufCMessage *req_msg, ProtobufCMessage *resp_msg)        \
    {                                                                                              \
        const Req *req = (const Req *)req_msg;                                                     \
        Resp *resp = (Resp *)resp_msg;                                                             \
        return unknown_type(c, &resp->diagnostics, &resp->n_diagnostics, "ephemeral resource",     \
                            req->type_name);                                                       \
    }

EPHEMERAL_RPC(rpc_validate_ephemeral, Tfplugin6__ValidateEphemeralResourceConfig__Request,
              Tfplugin6__ValidateEphemeralResourceConfig__Response)
EPHEMERAL_RPC(rpc_open_ephemeral, Tfplugin6__OpenEphemeralResource__Request,
              Tfplugin6__OpenEphemeralResource__Response)
EPHEMERAL_RPC(rpc_renew_ephemeral, Tfplugin6__RenewEphemeralResource__Request,
              Tfplugin6__RenewEphemeralResource__Response)
EPHEMERAL_RPC(rpc_close_ephemeral, Tfplugin6__CloseEphemeralResource__Request,
              Tfplugin6__CloseEphemeralResource__Response)

static int rpc_call_function(rpc_call *c, const ProtobufCMessage *req_msg,
                             ProtobufCMessage *resp_msg)
{
    const Tfplugin6__CallFunction__Request *req = (const Tfplugin6__CallFunction__Request *)req_msg;
    Tfplugin6__CallFunction__Response *resp = (Tfplugin6__CallFunction__Response *)resp_msg;
    Tfplugin6__FunctionError *fe = (Tfplugin6__FunctionError *)tfp_rpc_new_message(
        c->arena, &tfplugin6__function_error__descriptor);
    char *text = tfp_arena_sprintf(c->arena, "This provider has no function named '%s'.",
                                   req->name != NULL ? req->name : "");
    if (fe == NULL || text == NULL) {
        return TFP_ENOMEM;
    }
    fe->text = tfp_rpc_utf8(c->arena, text);
    if (fe->text == NULL) {
        return TFP_ENOMEM;
    }
    resp->error = fe;
    return TFP_OK;
}

/* ---- dispatch --------------------------------------------------------- */

#define RPC(name, fn, prefix)                                                                      \
    {                                                                                              \
        name, &prefix##__request__descriptor, &prefix##__response__descriptor, fn                  \
    }

static const rpc_def rpcs[] = {
    RPC("GetMetadata", rpc_get_metadata, tfplugin6__get_metadata),
    RPC("GetProviderSchema", rpc_get_provider_schema, tfplugin6__get_provider_schema),
    RPC("ValidateProviderConfig", rpc_validate_provider_config,
        tfplugin6__validate_provider_config),
    RPC("ValidateResourceConfig", rpc_validate_resource_config,
        tfplugin6__validate_resource_config),
    RPC("ValidateDataResourceConfig", rpc_validate_data_resource_config,
        tfplugin6__validate_data_resource_config),
    RPC("UpgradeResourceState", rpc_upgrade_resource_state, tfplugin6__upgrade_resource_state),
    RPC("ConfigureProvider", rpc_configure_provider, tfplugin6__configure_provider),
    RPC("ReadResource", rpc_read_resource, tfplugin6__read_resource),
    RPC("PlanResourceChange", rpc_plan_resource_change, tfplugin6__plan_resource_change),
    RPC("ApplyResourceChange", rpc_apply_resource_change, tfplugin6__apply_resource_change),
    RPC("ImportResourceState", rpc_import_resource_state, tfplugin6__import_resource_state),
    RPC("MoveResourceState", rpc_move_resource_state, tfplugin6__move_resource_state),
    RPC("ReadDataSource", rpc_read_data_source, tfplugin6__read_data_source),
    RPC("ValidateEphemeralResourceConfig", rpc_validate_ephemeral,
        tfplugin6__validate_ephemeral_resource_config),
    RPC("OpenEphemeralResource", rpc_open_ephemeral, tfplugin6__open_ephemeral_resource),
    RPC("RenewEphemeralResource", rpc_renew_ephemeral, tfplugin6__renew_ephemeral_resource),
    RPC("CloseEphemeralResource", rpc_close_ephemeral, tfplugin6__close_ephemeral_resource),
    RPC("GetFunctions", rpc_get_functions, tfplugin6__get_functions),
    RPC("CallFunction", rpc_call_function, tfplugin6__call_function),
    RPC("StopProvider", rpc_stop_provider, tfplugin6__stop_provider),
};

static const rpc_def *find_rpc(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < sizeof(rpcs) / sizeof(rpcs[0]); i++) {
        if (strcmp(rpcs[i].name, name) == 0) {
            return &rpcs[i];
        }
    }
    return NULL;
}

bool tfp_rpc_known(const char *rpc)
{
    return find_rpc(rpc) != NULL;
}

/*
 * Replaces whatever the handler built with a response that carries only one
 * error diagnostic (or, for CallFunction, a function error). Static strings
 * only, so it needs almost no memory.
 */
static int failure_response(rpc_call *c, const rpc_def *def, ProtobufCMessage *resp,
                            const char *detail)
{
    protobuf_c_message_init(def->resp_desc, resp);
    if (def->resp_desc == &tfplugin6__call_function__response__descriptor) {
        Tfplugin6__FunctionError *fe = (Tfplugin6__FunctionError *)tfp_rpc_new_message(
            c->arena, &tfplugin6__function_error__descriptor);
        if (fe == NULL) {
            return TFP_ENOMEM;
        }
        fe->text = (char *)detail;
        ((Tfplugin6__CallFunction__Response *)resp)->error = fe;
        return TFP_OK;
    }
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(def->resp_desc, "diagnostics");
    if (f == NULL || f->label != PROTOBUF_C_LABEL_REPEATED) {
        return TFP_OK; /* e.g. StopProvider: nothing to attach the error to */
    }
    Tfplugin6__Diagnostic **arr = NULL;
    size_t n = 0;
    if (only_error(c, &arr, &n, "Provider internal error", detail) != TFP_OK) {
        return TFP_ENOMEM;
    }
    *(size_t *)(void *)((char *)resp + f->quantifier_offset) = n;
    *(Tfplugin6__Diagnostic ***)(void *)((char *)resp + f->offset) = arr;
    return TFP_OK;
}

static void set_status(tfp_server_reply *reply, int status, const char *message)
{
    reply->status = status;
    snprintf(reply->message, sizeof(reply->message), "%s", message);
}

void tfp_rpc_handle(void *user, const char *rpc, const uint8_t *req, size_t req_len,
                    tfp_server_reply *reply)
{
    rpc_call c;
    ProtobufCAllocator alloc;
    const rpc_def *def = find_rpc(rpc);
    memset(&c, 0, sizeof(c));
    reply->status = TFP_STATUS_OK;
    reply->data = NULL;
    reply->len = 0;
    if (def == NULL) {
        set_status(reply, TFP_STATUS_UNIMPLEMENTED, "unknown tfplugin6.Provider method");
        return;
    }
    c.provider = user;
    c.rpc = rpc;
    c.arena = tfp_arena_new(0);
    if (c.arena == NULL) {
        set_status(reply, TFP_STATUS_INTERNAL, "out of memory");
        return;
    }
    tfp_rpc_arena_allocator(&alloc, c.arena);
    ProtobufCMessage *msg = protobuf_c_message_unpack(def->req_desc, &alloc, req_len, req);
    if (msg == NULL) {
        tfp_log_kv(TFP_LEVEL_WARN, "malformed request", "rpc", rpc, NULL);
        set_status(reply, TFP_STATUS_INVALID_ARGUMENT, "malformed request message");
        goto done;
    }
    ProtobufCMessage *resp = tfp_rpc_new_message(c.arena, def->resp_desc);
    if (resp == NULL) {
        set_status(reply, TFP_STATUS_INTERNAL, "out of memory");
        goto done;
    }
    if (def->fn(&c, msg, resp) != TFP_OK) {
        tfp_log_kv(TFP_LEVEL_ERROR, "cannot build the response", "rpc", rpc, NULL);
        if (failure_response(&c, def, resp,
                             "The provider ran out of memory while building its answer.") !=
            TFP_OK) {
            set_status(reply, TFP_STATUS_INTERNAL, "out of memory");
            goto done;
        }
    }
    size_t len = protobuf_c_message_get_packed_size(resp);
    reply->data = malloc(len > 0 ? len : 1);
    if (reply->data == NULL) {
        set_status(reply, TFP_STATUS_INTERNAL, "out of memory");
        goto done;
    }
    reply->len = protobuf_c_message_pack(resp, reply->data);
done:
    tfp_arena_free(c.arena);
}
