/*
 * tfp_resource: what a resource type is to the provider core — a name, a
 * schema and a table of callbacks. A resource file (resource_*.c) defines one
 * `const tfp_resource_type` and knows nothing of gRPC, protobuf or msgpack:
 * it receives decoded tfp_values, returns tfp_values, and reports problems as
 * diagnostics with attribute paths.
 *
 * Calling conventions for every callback:
 *   - ctx, the *_in struct and every value in it are borrowed for the call.
 *   - Everything the callback returns (values in *_out, private bytes,
 *     paths, diagnostics) must be allocated from ctx->arena (or be static).
 *   - Return 0 on success. Return a negative value on failure after adding at
 *     least one error diagnostic (the core adds a generic one when there is
 *     none). Error diagnostics also count as failure when 0 is returned.
 *   - Callbacks run concurrently for different requests (Terraform runs up
 *     to 10 at once): keep no mutable global state; the provider data from
 *     Configure is shared and must be read-only or internally locked.
 *   - Long work should poll tfp_ctx_cancelled() (StopProvider) and give up
 *     with an error diagnostic when it turns true.
 *   - Values passed in conform to the schema's object type; the core checks
 *     the values returned (type conformance, apply result wholly known, read
 *     without unknowns) and turns violations into error diagnostics.
 */
#ifndef TFP_RESOURCE_H
#define TFP_RESOURCE_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "tfp_arena.h"
#include "tfp_diag.h"
#include "tfp_schema.h"
#include "tfp_value.h"

/* The SDK's one log-level type: of the ctx logger and of the plugin's own
 * log (TF_LOG). TFP_LEVEL_OFF is a threshold only, never a line's level. */
typedef enum tfp_level {
    TFP_LEVEL_TRACE = 0,
    TFP_LEVEL_DEBUG = 1,
    TFP_LEVEL_INFO = 2,
    TFP_LEVEL_WARN = 3,
    TFP_LEVEL_ERROR = 4,
    TFP_LEVEL_OFF = 5,
} tfp_level;

/* Logger hook installed with tfp_provider_set_logger; must be thread-safe. */
typedef void (*tfp_log_fn)(void *userdata, tfp_level level, const char *message);

/* Per-request context, built by the provider core for each callback. */
typedef struct tfp_ctx {
    tfp_arena *arena;                 /* the request arena: allocate all results here */
    const char *type_name;            /* resource type name, or NULL for provider calls */
    const tfp_value *provider_config; /* config given to ConfigureProvider, or NULL before */
    void *provider_data;              /* what the provider's configure callback returned */
    const void *resource_data;        /* tfp_resource_type.data */
    const atomic_int *cancelled;      /* nonzero once StopProvider was called; use
                                         tfp_ctx_cancelled() */
    tfp_log_fn log;                   /* may be NULL */
    void *log_userdata;
} tfp_ctx;

/* True once StopProvider was received. */
bool tfp_ctx_cancelled(const tfp_ctx *ctx);

/* Formats and sends one log line through ctx->log (no-op without a logger). */
void tfp_ctx_log(const tfp_ctx *ctx, tfp_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ValidateResourceConfig. config may contain unknowns (never null). */
typedef struct tfp_validate_in {
    const tfp_value *config;
} tfp_validate_in;

/*
 * PlanResourceChange. prior_state is null on create, proposed_new_state and
 * config are null on destroy (only passed when the type sets plan_destroy).
 * Before the call the core fills *out with:
 *   planned_state = proposed_new_state with, on create (prior null), every
 *     computed attribute that is null in config set UNKNOWN
 *     (tfp_schema_unknown_computed); on destroy a null;
 *   planned_private = prior_private; no requires_replace paths.
 * so a callback only changes what it must. Use tfp_plan_require_replace to
 * add a requires_replace path.
 */
typedef struct tfp_plan_in {
    const tfp_value *prior_state;
    const tfp_value *proposed_new_state;
    const tfp_value *config;
    tfp_bytes prior_private; /* borrowed */
} tfp_plan_in;

typedef struct tfp_plan_out {
    tfp_value *planned_state;
    tfp_bytes planned_private; /* in ctx->arena or static */
    const tfp_path **requires_replace;
    size_t n_requires_replace;
    size_t cap_requires_replace; /* managed by tfp_plan_require_replace */
} tfp_plan_out;

/* Appends a path (shared, must live in ctx->arena). TFP_OK or TFP_ENOMEM. */
int tfp_plan_require_replace(const tfp_ctx *ctx, tfp_plan_out *out, const tfp_path *path);

/*
 * ApplyResourceChange. planned_state is null for a delete: the callback must
 * leave new_state null (the core pre-fills a null). Otherwise the core
 * pre-fills new_state = planned_state, which the callback must make wholly
 * known (planned known values must come back unchanged).
 */
typedef struct tfp_apply_in {
    const tfp_value *prior_state;
    const tfp_value *planned_state;
    const tfp_value *config;
    tfp_bytes planned_private;
} tfp_apply_in;

typedef struct tfp_apply_out {
    tfp_value *new_state;
    tfp_bytes private_data; /* stored by Terraform, given back to Read/Plan */
} tfp_apply_out;

/*
 * ReadResource (refresh). Pre-filled: new_state = current_state,
 * private_data = private. Set new_state to a null value (tfp_value_null) when
 * the remote object is gone. No unknowns allowed in new_state.
 */
typedef struct tfp_read_in {
    const tfp_value *current_state;
    tfp_bytes private_data;
} tfp_read_in;

typedef struct tfp_read_out {
    tfp_value *new_state;
    tfp_bytes private_data;
} tfp_read_out;

/* ImportResourceState: build a state from an ID; Terraform calls Read next. */
typedef struct tfp_import_in {
    const char *id;
} tfp_import_in;

typedef struct tfp_import_out {
    tfp_value *state; /* an object of the resource type (may be partial: nulls) */
    tfp_bytes private_data;
} tfp_import_out;

/*
 * UpgradeResourceState. raw_json is the stored state JSON written under schema
 * `version`. decoded is raw_json decoded with the CURRENT schema (tfp_json), or
 * NULL when that failed (decode_error then says why). Pre-filled:
 * out->state = decoded. Without an upgrade callback the core uses `decoded`
 * as is and fails when it is NULL or version > current.
 */
typedef struct tfp_upgrade_in {
    int64_t version;
    tfp_bytes raw_json;
    const tfp_value *decoded;
    const char *decode_error;
} tfp_upgrade_in;

typedef struct tfp_upgrade_out {
    tfp_value *state;
} tfp_upgrade_out;

typedef struct tfp_resource_type {
    const char *name;         /* "lambda_package" */
    const tfp_schema *schema; /* borrowed, static */
    const void *data;         /* passed as ctx->resource_data */
    bool plan_on_destroy;     /* call plan with proposed = null; else core plans null */

    /* Every callback is optional (NULL = accept / keep the core's defaults). */
    int (*validate)(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags);
    int (*plan)(const tfp_ctx *ctx, const tfp_plan_in *in, tfp_plan_out *out, tfp_diags *diags);
    int (*apply)(const tfp_ctx *ctx, const tfp_apply_in *in, tfp_apply_out *out, tfp_diags *diags);
    int (*read)(const tfp_ctx *ctx, const tfp_read_in *in, tfp_read_out *out, tfp_diags *diags);
    int (*import_state)(const tfp_ctx *ctx, const tfp_import_in *in, tfp_import_out *out,
                        tfp_diags *diags);
    int (*upgrade)(const tfp_ctx *ctx, const tfp_upgrade_in *in, tfp_upgrade_out *out,
                   tfp_diags *diags);
} tfp_resource_type;

#endif
