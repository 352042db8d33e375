/*
 * tfp_provider: the protocol-independent provider core.
 *
 * For each RPC: find the resource type, decode the DynamicValues with its
 * schema's object type (msgpack, or JSON as Terraform's fallback), run the
 * generic checks, pre-fill the callback's output with the sensible default,
 * call the callback, check what it returned (type, unknowns, delete = null)
 * and encode it. Every failure becomes a diagnostic in the response; nothing
 * here aborts on bad input.
 *
 * This module must not know protobuf-c, gRPC or any particular resource, and
 * must not do I/O (logging goes through the hook the transport installs).
 */
#include "tfp_provider_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfp_json.h"
#include "tfp_msgpack.h"

typedef struct rtype {
    const tfp_resource_type *def;
    const tfp_type *type; /* object type of def->schema->block, in provider->arena */
} rtype;

struct tfp_provider {
    const tfp_provider_def *def;
    tfp_arena *arena; /* provider lifetime: schema types */
    const tfp_schema_block *config_block;
    const tfp_type *config_type;
    rtype *resources;
    size_t n_resources;

    pthread_mutex_t lock; /* guards the fields below */
    bool configured;
    tfp_arena *config_arena; /* provider lifetime: config value, provider data */
    const tfp_value *config;
    void *provider_data;

    atomic_int cancelled; /* set by tfp_provider_stop */
    tfp_log_fn log;
    void *log_userdata;
};

static const tfp_schema_block empty_block = {0};

/* ---- context helpers for resources ---- */

bool tfp_ctx_cancelled(const tfp_ctx *ctx)
{
    return ctx != NULL && ctx->cancelled != NULL && atomic_load(ctx->cancelled) != 0;
}

void tfp_ctx_log(const tfp_ctx *ctx, tfp_level level, const char *fmt, ...)
{
    if (ctx == NULL || ctx->log == NULL) {
        return;
    }
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    ctx->log(ctx->log_userdata, level, buf);
}

int tfp_plan_require_replace(const tfp_ctx *ctx, tfp_plan_out *out, const tfp_path *path)
{
    if (ctx == NULL || out == NULL || path == NULL) {
        return TFP_EINVAL;
    }
    if (out->n_requires_replace == out->cap_requires_replace) {
        size_t cap = out->cap_requires_replace == 0 ? 4 : out->cap_requires_replace * 2;
        const tfp_path **grown = tfp_arena_grow(ctx->arena, (void *)out->requires_replace,
                                                out->n_requires_replace, cap, sizeof(*grown));
        if (grown == NULL) {
            return TFP_ENOMEM;
        }
        out->requires_replace = grown;
        out->cap_requires_replace = cap;
    }
    out->requires_replace[out->n_requires_replace++] = path;
    return TFP_OK;
}

/* ---- construction ---- */

tfp_provider *tfp_provider_new(const tfp_provider_def *def, tfp_error *err)
{
    if (def == NULL || (def->n_resources > 0 && def->resources == NULL)) {
        tfp_error_set(err, TFP_EINVAL, "provider definition missing");
        return NULL;
    }
    tfp_provider *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        tfp_error_set(err, TFP_ENOMEM, "out of memory");
        return NULL;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        tfp_error_set(err, TFP_ENOMEM, "cannot create provider lock");
        return NULL;
    }
    p->def = def;
    p->arena = tfp_arena_new(0);
    p->resources = calloc(def->n_resources == 0 ? 1 : def->n_resources, sizeof(*p->resources));
    if (p->arena == NULL || p->resources == NULL) {
        tfp_error_set(err, TFP_ENOMEM, "out of memory");
        goto fail;
    }
    p->config_block =
        def->schema != NULL && def->schema->block != NULL ? def->schema->block : &empty_block;
    if (tfp_schema_block_type(p->arena, p->config_block, &p->config_type, err) < 0) {
        goto fail;
    }
    for (size_t i = 0; i < def->n_resources; i++) {
        const tfp_resource_type *r = def->resources[i];
        if (r == NULL || r->name == NULL || r->schema == NULL || r->schema->block == NULL) {
            tfp_error_set(err, TFP_EINVAL, "resource %zu has no name or schema", i);
            goto fail;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(p->resources[k].def->name, r->name) == 0) {
                tfp_error_set(err, TFP_EINVAL, "resource type \"%s\" is defined twice", r->name);
                goto fail;
            }
        }
        tfp_error terr = TFP_ERROR_INIT;
        if (tfp_schema_block_type(p->arena, r->schema->block, &p->resources[i].type, &terr) < 0) {
            tfp_error_set(err, terr.code, "resource \"%s\": %s", r->name, terr.message);
            goto fail;
        }
        p->resources[i].def = r;
        p->n_resources = i + 1;
    }
    return p;
fail:
    tfp_provider_free(p);
    return NULL;
}

void tfp_provider_free(tfp_provider *p)
{
    if (p == NULL) {
        return;
    }
    if (p->provider_data != NULL && p->def->free_provider_data != NULL) {
        p->def->free_provider_data(p->provider_data);
    }
    tfp_arena_free(p->config_arena);
    tfp_arena_free(p->arena);
    free(p->resources);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void tfp_provider_set_logger(tfp_provider *p, tfp_log_fn fn, void *userdata)
{
    p->log = fn;
    p->log_userdata = userdata;
}

static const rtype *find_resource(const tfp_provider *p, const char *name)
{
    for (size_t i = 0; name != NULL && i < p->n_resources; i++) {
        if (strcmp(p->resources[i].def->name, name) == 0) {
            return &p->resources[i];
        }
    }
    return NULL;
}

const tfp_type *tfp_provider_resource_type(const tfp_provider *p, const char *type_name)
{
    const rtype *r = p == NULL ? NULL : find_resource(p, type_name);
    return r == NULL ? NULL : r->type;
}

void tfp_provider_stop(tfp_provider *p)
{
    if (p != NULL) {
        atomic_store(&p->cancelled, 1);
    }
}

/* ---- per-request helpers ---- */

static tfp_ctx make_ctx(tfp_provider *p, tfp_arena *arena, const rtype *r)
{
    tfp_ctx ctx = {0};
    ctx.arena = arena;
    ctx.type_name = r != NULL ? r->def->name : NULL;
    ctx.resource_data = r != NULL ? r->def->data : NULL;
    ctx.cancelled = &p->cancelled;
    ctx.log = p->log;
    ctx.log_userdata = p->log_userdata;
    pthread_mutex_lock(&p->lock);
    ctx.provider_config = p->config;
    ctx.provider_data = p->provider_data;
    pthread_mutex_unlock(&p->lock);
    return ctx;
}

static const rtype *lookup(tfp_provider *p, const char *type_name, tfp_diags *diags)
{
    const rtype *r = find_resource(p, type_name);
    if (r == NULL) {
        tfp_diag_error(diags, "Unknown resource type",
                       "The provider does not implement the resource type \"%s\".",
                       type_name == NULL ? "" : type_name);
    }
    return r;
}

/* Decodes a DynamicValue; absent (no bytes) is a null. Errors -> diagnostic. */
static int decode(tfp_arena *arena, const tfp_dynamic *dyn, const tfp_type *type, const char *what,
                  tfp_value **out, tfp_diags *diags)
{
    tfp_error err = TFP_ERROR_INIT;
    int rc;
    if (dyn->msgpack.data != NULL && dyn->msgpack.len > 0) {
        rc = tfp_msgpack_decode(arena, dyn->msgpack.data, dyn->msgpack.len, type, out, &err);
    } else if (dyn->json.data != NULL && dyn->json.len > 0) {
        rc = tfp_json_decode(arena, dyn->json.data, dyn->json.len, type, out, &err);
    } else {
        *out = tfp_value_null(arena, type);
        rc = *out == NULL ? tfp_error_set(&err, TFP_ENOMEM, "out of memory") : TFP_OK;
    }
    if (rc < 0) {
        tfp_diag_error(diags, "Invalid value from Terraform", "Cannot decode the %s: %s", what,
                       err.message);
    }
    return rc;
}

static int encode(tfp_arena *arena, const tfp_value *v, const tfp_type *type, const char *what,
                  tfp_bytes *out, tfp_diags *diags)
{
    tfp_error err = TFP_ERROR_INIT;
    const uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = tfp_msgpack_encode(arena, v, type, &bytes, &len, &err);
    if (rc < 0) {
        tfp_diag_error(diags, "Provider produced an invalid value", "Cannot encode the %s: %s",
                       what, err.message);
        return rc;
    }
    out->data = bytes;
    out->len = len;
    return TFP_OK;
}

/* Turns a callback's outcome into "did it fail", adding a diagnostic if it forgot to. */
static bool failed(int rc, tfp_diags *diags, const char *type_name, const char *what)
{
    if (rc < 0 && !tfp_diags_has_error(diags)) {
        tfp_diag_error(diags, "Provider error", "%s: %s failed without a diagnostic (code %d).",
                       type_name == NULL ? "provider" : type_name, what, rc);
    }
    return rc < 0 || tfp_diags_has_error(diags);
}

/* Checks a value returned by a callback against the type and, optionally, for unknowns. */
static int check_result(const tfp_value *v, const tfp_type *type, bool wholly_known,
                        const char *type_name, const char *what, tfp_diags *diags)
{
    tfp_error err = TFP_ERROR_INIT;
    if (v == NULL) {
        tfp_diag_error(diags, "Provider produced an invalid value", "%s: the %s is missing.",
                       type_name, what);
        return TFP_EINVAL;
    }
    if (tfp_value_check_type(v, type, &err) < 0) {
        tfp_diag_error(diags, "Provider produced an invalid value", "%s: the %s: %s", type_name,
                       what, err.message);
        return TFP_EINVAL;
    }
    if (wholly_known && !tfp_value_is_known_fully(v)) {
        tfp_diag_error(diags, "Provider produced an invalid value",
                       "%s: the %s still contains unknown values.", type_name, what);
        return TFP_EINVAL;
    }
    return TFP_OK;
}

/* ---- RPCs ---- */

void tfp_provider_get_schema(tfp_provider *p, tfp_arena *arena, tfp_schema_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    resp->provider = p->def->schema;
    resp->resources = p->def->resources;
    resp->n_resources = p->def->n_resources;
    resp->plan_destroy = true;
    /* Terraform starts a provider three times per plan; with this, only the
     * first start is asked for the schema (fixed per release). */
    resp->get_provider_schema_optional = true;
    resp->move_resource_state = false;
}

void tfp_provider_validate_provider_config(tfp_provider *p, tfp_arena *arena,
                                           const tfp_validate_provider_req *req,
                                           tfp_validate_provider_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    tfp_value *config;
    if (decode(arena, &req->config, p->config_type, "provider configuration", &config,
               &resp->diags) < 0) {
        return;
    }
    tfp_schema_validate_config(arena, p->config_block, config, &resp->diags);
    if (p->def->validate_config != NULL && !tfp_diags_has_error(&resp->diags)) {
        tfp_ctx ctx = make_ctx(p, arena, NULL);
        failed(p->def->validate_config(&ctx, config, &resp->diags), &resp->diags, NULL,
               "ValidateProviderConfig");
    }
}

void tfp_provider_configure(tfp_provider *p, tfp_arena *arena, const tfp_configure_req *req,
                            tfp_configure_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    pthread_mutex_lock(&p->lock);
    if (p->configured) {
        pthread_mutex_unlock(&p->lock);
        tfp_diag_warning(&resp->diags, "Provider already configured",
                         "ConfigureProvider was called twice; the second configuration is "
                         "ignored.");
        return;
    }
    tfp_arena *keep = tfp_arena_new(0);
    tfp_value *config = NULL;
    void *data = NULL;
    if (keep == NULL) {
        tfp_diag_error(&resp->diags, "Out of memory", "Cannot allocate the provider state.");
        goto done;
    }
    if (decode(keep, &req->config, p->config_type, "provider configuration", &config,
               &resp->diags) < 0) {
        goto done;
    }
    if (p->def->configure != NULL) {
        tfp_ctx ctx = {0};
        ctx.arena = keep;
        ctx.provider_config = config;
        ctx.cancelled = &p->cancelled;
        ctx.log = p->log;
        ctx.log_userdata = p->log_userdata;
        if (failed(p->def->configure(&ctx, config, &data, &resp->diags), &resp->diags, NULL,
                   "ConfigureProvider")) {
            if (data != NULL && p->def->free_provider_data != NULL) {
                p->def->free_provider_data(data);
            }
            goto done;
        }
    }
    p->configured = true;
    p->config_arena = keep;
    p->config = config;
    p->provider_data = data;
    keep = NULL;
done:
    pthread_mutex_unlock(&p->lock);
    tfp_arena_free(keep);
}

void tfp_provider_validate_resource_config(tfp_provider *p, tfp_arena *arena,
                                           const tfp_validate_resource_req *req,
                                           tfp_validate_resource_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    const rtype *r = lookup(p, req->type_name, &resp->diags);
    tfp_value *config;
    if (r == NULL ||
        decode(arena, &req->config, r->type, "resource configuration", &config, &resp->diags) < 0) {
        return;
    }
    tfp_schema_validate_config(arena, r->def->schema->block, config, &resp->diags);
    if (r->def->validate != NULL && !tfp_diags_has_error(&resp->diags)) {
        tfp_ctx ctx = make_ctx(p, arena, r);
        tfp_validate_in in = {.config = config};
        failed(r->def->validate(&ctx, &in, &resp->diags), &resp->diags, r->def->name, "validate");
    }
}

void tfp_provider_upgrade_resource_state(tfp_provider *p, tfp_arena *arena,
                                         const tfp_upgrade_req *req, tfp_upgrade_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    const rtype *r = lookup(p, req->type_name, &resp->diags);
    if (r == NULL) {
        return;
    }
    int64_t current = r->def->schema->version;
    if (req->version > current) {
        tfp_diag_error(&resp->diags, "Resource state is from a newer provider",
                       "The stored state of this %s has schema version %lld, but this provider "
                       "only knows versions up to %lld. Use a newer provider version.",
                       r->def->name, (long long)req->version, (long long)current);
        return;
    }
    tfp_value *decoded = NULL;
    const char *decode_error = NULL;
    if (req->raw_state_json.data == NULL || req->raw_state_json.len == 0) {
        decoded = tfp_value_null(arena, r->type);
    } else {
        tfp_error err = TFP_ERROR_INIT;
        if (tfp_json_decode(arena, req->raw_state_json.data, req->raw_state_json.len, r->type,
                            &decoded, &err) < 0) {
            decoded = NULL;
            decode_error = tfp_arena_strdup(arena, err.message);
            if (decode_error == NULL) {
                decode_error = "out of memory";
            }
        }
    }
    tfp_upgrade_out out = {.state = decoded};
    if (r->def->upgrade != NULL) {
        tfp_ctx ctx = make_ctx(p, arena, r);
        tfp_upgrade_in in = {.version = req->version,
                             .raw_json = req->raw_state_json,
                             .decoded = decoded,
                             .decode_error = decode_error};
        if (failed(r->def->upgrade(&ctx, &in, &out, &resp->diags), &resp->diags, r->def->name,
                   "upgrade")) {
            return;
        }
    } else if (decoded == NULL) {
        tfp_diag_error(&resp->diags, "Cannot read the stored state",
                       "The stored state of this %s (schema version %lld) does not match the "
                       "current schema: %s",
                       r->def->name, (long long)req->version, decode_error);
        return;
    }
    if (check_result(out.state, r->type, true, r->def->name, "upgraded state", &resp->diags) < 0) {
        return;
    }
    encode(arena, out.state, r->type, "upgraded state", &resp->upgraded_state, &resp->diags);
}

void tfp_provider_read_resource(tfp_provider *p, tfp_arena *arena, const tfp_read_req *req,
                                tfp_read_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    const rtype *r = lookup(p, req->type_name, &resp->diags);
    tfp_value *current;
    if (r == NULL ||
        decode(arena, &req->current_state, r->type, "current state", &current, &resp->diags) < 0) {
        return;
    }
    tfp_read_out out = {.new_state = current, .private_data = req->private_data};
    if (r->def->read != NULL && !tfp_value_is_null(current)) {
        tfp_ctx ctx = make_ctx(p, arena, r);
        tfp_read_in in = {.current_state = current, .private_data = req->private_data};
        if (failed(r->def->read(&ctx, &in, &out, &resp->diags), &resp->diags, r->def->name,
                   "read")) {
            /* Keep the object in state: hand back what Terraform had. */
            out.new_state = current;
            out.private_data = req->private_data;
        }
    }
    if (check_result(out.new_state, r->type, true, r->def->name, "refreshed state", &resp->diags) <
            0 ||
        encode(arena, out.new_state, r->type, "refreshed state", &resp->new_state, &resp->diags) <
            0) {
        return;
    }
    resp->private_data = out.private_data;
}

/*
 * Between plan and apply the private state travels inside Terraform's plan:
 * the core wraps the resource's planned private state together with the
 * prior one, so that a failed apply can give the prior one back (the
 * ApplyResourceChange request carries no prior private state). Layout:
 * PRIVATE_MAGIC, the planned part's length in decimal, '\n', the planned
 * part, the prior part. Anything else (a plan from an older provider) is all
 * planned, with no prior part.
 */
#define PRIVATE_MAGIC "tfp-private-1\n"

static tfp_bytes private_wrap(tfp_arena *arena, tfp_bytes planned, tfp_bytes prior)
{
    if (planned.len == 0 && prior.len == 0) {
        return planned;
    }
    char head[64];
    int n = snprintf(head, sizeof(head), "%s%zu\n", PRIVATE_MAGIC, planned.len);
    size_t len = (size_t)n + planned.len + prior.len;
    uint8_t *buf = tfp_arena_alloc(arena, len);
    if (n < 0 || buf == NULL) {
        return planned;
    }
    memcpy(buf, head, (size_t)n);
    if (planned.len > 0) {
        memcpy(buf + n, planned.data, planned.len);
    }
    if (prior.len > 0) {
        memcpy(buf + n + planned.len, prior.data, prior.len);
    }
    return (tfp_bytes){buf, len};
}

static void private_unwrap(tfp_bytes wrapped, tfp_bytes *planned, tfp_bytes *prior)
{
    size_t magic = strlen(PRIVATE_MAGIC), i = magic, len = 0;
    *planned = wrapped;
    *prior = (tfp_bytes){NULL, 0};
    if (wrapped.len <= magic || memcmp(wrapped.data, PRIVATE_MAGIC, magic) != 0) {
        return;
    }
    for (; i < wrapped.len && wrapped.data[i] >= '0' && wrapped.data[i] <= '9' && i < magic + 12;
         i++) {
        len = len * 10 + (size_t)(wrapped.data[i] - '0');
    }
    if (i == magic || i >= wrapped.len || wrapped.data[i] != '\n' || len > wrapped.len - i - 1) {
        return;
    }
    i++;
    *planned = (tfp_bytes){len > 0 ? wrapped.data + i : NULL, len};
    *prior =
        (tfp_bytes){wrapped.len > i + len ? wrapped.data + i + len : NULL, wrapped.len - i - len};
}

void tfp_provider_plan_resource_change(tfp_provider *p, tfp_arena *arena, const tfp_plan_req *req,
                                       tfp_plan_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    const rtype *r = lookup(p, req->type_name, &resp->diags);
    tfp_value *prior, *proposed, *config;
    if (r == NULL ||
        decode(arena, &req->prior_state, r->type, "prior state", &prior, &resp->diags) < 0 ||
        decode(arena, &req->proposed_new_state, r->type, "proposed new state", &proposed,
               &resp->diags) < 0 ||
        decode(arena, &req->config, r->type, "configuration", &config, &resp->diags) < 0) {
        return;
    }
    bool destroy = tfp_value_is_null(proposed);
    bool create = tfp_value_is_null(prior);
    tfp_plan_out out = {.planned_state = proposed, .planned_private = req->prior_private};
    if (!destroy && create) {
        out.planned_state =
            tfp_schema_unknown_computed(arena, r->def->schema->block, config, proposed);
        if (out.planned_state == NULL) {
            tfp_diag_error(&resp->diags, "Out of memory", "Cannot build the planned state.");
            return;
        }
    }
    if (r->def->plan != NULL && (!destroy || r->def->plan_on_destroy)) {
        tfp_ctx ctx = make_ctx(p, arena, r);
        tfp_plan_in in = {.prior_state = prior,
                          .proposed_new_state = proposed,
                          .config = config,
                          .prior_private = req->prior_private};
        if (failed(r->def->plan(&ctx, &in, &out, &resp->diags), &resp->diags, r->def->name,
                   "plan")) {
            return;
        }
    }
    if (destroy && !tfp_value_is_null(out.planned_state)) {
        tfp_diag_error(&resp->diags, "Provider produced an invalid plan",
                       "%s: the plan to destroy must have a null planned state.", r->def->name);
        return;
    }
    if (check_result(out.planned_state, r->type, false, r->def->name, "planned state",
                     &resp->diags) < 0 ||
        encode(arena, out.planned_state, r->type, "planned state", &resp->planned_state,
               &resp->diags) < 0) {
        return;
    }
    resp->planned_private = private_wrap(arena, out.planned_private, req->prior_private);
    if (!create && !destroy) {
        resp->requires_replace = out.requires_replace;
        resp->n_requires_replace = out.n_requires_replace;
    }
}

void tfp_provider_apply_resource_change(tfp_provider *p, tfp_arena *arena, const tfp_apply_req *req,
                                        tfp_apply_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    const rtype *r = lookup(p, req->type_name, &resp->diags);
    tfp_value *prior, *planned, *config;
    if (r == NULL ||
        decode(arena, &req->prior_state, r->type, "prior state", &prior, &resp->diags) < 0 ||
        decode(arena, &req->planned_state, r->type, "planned state", &planned, &resp->diags) < 0 ||
        decode(arena, &req->config, r->type, "configuration", &config, &resp->diags) < 0) {
        return;
    }
    bool destroy = tfp_value_is_null(planned);
    tfp_bytes planned_private, prior_private;
    private_unwrap(req->planned_private, &planned_private, &prior_private);
    tfp_apply_out out = {.new_state = planned, .private_data = planned_private};
    if (destroy) {
        out.private_data = (tfp_bytes){NULL, 0};
    }
    bool bad = false;
    if (r->def->apply != NULL) {
        tfp_ctx ctx = make_ctx(p, arena, r);
        tfp_apply_in in = {.prior_state = prior,
                           .planned_state = planned,
                           .config = config,
                           .planned_private = planned_private};
        bad = failed(r->def->apply(&ctx, &in, &out, &resp->diags), &resp->diags, r->def->name,
                     "apply");
    }
    if (!bad && destroy && !tfp_value_is_null(out.new_state)) {
        tfp_diag_error(&resp->diags, "Provider returned invalid result object after apply",
                       "%s: after a delete the new state must be null.", r->def->name);
        bad = true;
    }
    if (!bad && check_result(out.new_state, r->type, true, r->def->name, "new state after apply",
                             &resp->diags) < 0) {
        bad = true;
    }
    if (bad) {
        /*
         * Terraform keeps whatever state (and private state) comes back with
         * the errors. Unless the callback returned a usable object that is
         * neither the plan nor the prior one (a partial result it vouches
         * for), return the prior state and the prior private state: a failed
         * apply must not record what the plan announced, as if it had been
         * done. Values are compared, not pointers: a callback that copied the
         * planned state and failed returns an equal object.
         */
        bool is_prior = tfp_value_equal(out.new_state, prior);
        if (is_prior || tfp_value_equal(out.new_state, planned) ||
            !tfp_value_is_known_fully(out.new_state) ||
            tfp_value_check_type(out.new_state, r->type, NULL) < 0 ||
            (destroy && !tfp_value_is_null(out.new_state))) {
            out.new_state = prior;
            out.private_data = prior_private;
        }
    }
    if (encode(arena, out.new_state, r->type, "new state", &resp->new_state, &resp->diags) < 0) {
        return;
    }
    resp->private_data = out.private_data;
}

void tfp_provider_import_resource_state(tfp_provider *p, tfp_arena *arena,
                                        const tfp_import_req *req, tfp_import_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    tfp_diags_init(&resp->diags, arena);
    const rtype *r = lookup(p, req->type_name, &resp->diags);
    if (r == NULL) {
        return;
    }
    if (r->def->import_state == NULL) {
        tfp_diag_error(&resp->diags, "Resource import not supported",
                       "The resource type %s cannot be imported.", r->def->name);
        return;
    }
    tfp_import_out out = {.state = tfp_value_object_new(arena, r->type)};
    tfp_imported *imp = tfp_arena_alloc(arena, sizeof(*imp));
    if (out.state == NULL || imp == NULL) {
        tfp_diag_error(&resp->diags, "Out of memory", "Cannot build the imported state.");
        return;
    }
    tfp_ctx ctx = make_ctx(p, arena, r);
    tfp_import_in in = {.id = req->id == NULL ? "" : req->id};
    if (failed(r->def->import_state(&ctx, &in, &out, &resp->diags), &resp->diags, r->def->name,
               "import")) {
        return;
    }
    if (tfp_value_is_null(out.state)) {
        tfp_diag_error(&resp->diags, "Cannot import non-existent remote object",
                       "%s: nothing found for the ID \"%s\".", r->def->name, in.id);
        return;
    }
    if (check_result(out.state, r->type, true, r->def->name, "imported state", &resp->diags) < 0 ||
        encode(arena, out.state, r->type, "imported state", &imp->state, &resp->diags) < 0) {
        return;
    }
    imp->type_name = r->def->name;
    imp->private_data = out.private_data;
    resp->imported = imp;
    resp->n_imported = 1;
}
