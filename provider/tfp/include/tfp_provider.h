/*
 * tfp_provider: what a provider is (tfp_provider_def: its config schema and
 * callbacks, and its resources) and the provider object the SDK serves.
 *
 * A provider author fills a tfp_provider_def and hands it to tfp_serve
 * (tfp_serve.h). The SDK creates the provider core from it: the core decodes
 * DynamicValues with the schema's object type, runs the generic checks
 * (tfp_schema_validate_config), calls the resource callbacks
 * (tfp_resource.h), checks and encodes their results, and reports every
 * failure, codec errors included, as diagnostics.
 *
 * Thread safety: callbacks may run concurrently on one provider (each with
 * its own request arena). ConfigureProvider stores the provider config and
 * data under a lock; StopProvider sets a flag every running callback can see
 * through tfp_ctx_cancelled.
 */
#ifndef TFP_PROVIDER_H
#define TFP_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"
#include "tfp_diag.h"
#include "tfp_resource.h"
#include "tfp_schema.h"
#include "tfp_value.h"

/* What the provider is: its config schema and callbacks, and its resources. */
typedef struct tfp_provider_def {
    const tfp_schema *schema; /* provider config schema; NULL = empty block */
    const tfp_resource_type *const *resources;
    size_t n_resources;
    /* Optional. config is the provider block (may contain unknowns). */
    int (*validate_config)(const tfp_ctx *ctx, const tfp_value *config, tfp_diags *diags);
    /*
     * Optional. Called once by ConfigureProvider with the wholly decoded config
     * (allocated in a provider-owned arena, valid for the provider's life).
     * *provider_data is handed to every later callback as ctx->provider_data;
     * allocate it from ctx->arena (which is the provider-owned arena here) or
     * free it in free_provider_data.
     */
    int (*configure)(const tfp_ctx *ctx, const tfp_value *config, void **provider_data,
                     tfp_diags *diags);
    void (*free_provider_data)(void *provider_data); /* optional */
} tfp_provider_def;

typedef struct tfp_provider tfp_provider;

/*
 * Creates the core: derives every schema's object type (into a provider-owned
 * arena) and checks names are unique. `def` and everything it points to are
 * borrowed and must outlive the provider. Returns NULL on failure with err
 * filled. Caller frees with tfp_provider_free.
 */
tfp_provider *tfp_provider_new(const tfp_provider_def *def, tfp_error *err);

/* Frees the provider (and provider data via free_provider_data). Accepts NULL. */
void tfp_provider_free(tfp_provider *provider);

/* Installs a thread-safe logger used by tfp_ctx_log. Call before serving. */
void tfp_provider_set_logger(tfp_provider *provider, tfp_log_fn fn, void *userdata);

#endif
