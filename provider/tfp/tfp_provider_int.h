/*
 * tfp_provider_int: the protocol-independent provider core, private to the
 * SDK (the public half is include/tfp_provider.h).
 *
 * One function per tfplugin6 RPC. Each takes a plain C request struct (the
 * transport copies the protobuf fields into it: DynamicValue as msgpack or
 * JSON bytes, raw state JSON, private bytes) and fills a plain C response
 * struct. Everything in a response (bytes, paths, diagnostics) is allocated
 * from the request arena the caller passes in, valid until the caller frees
 * that arena after sending the reply. Request bytes are borrowed for the call.
 *
 * The core decodes DynamicValues with the schema's object type, runs the
 * generic checks (tfp_schema_validate_config), calls the resource callbacks
 * (tfp_resource.h), checks and encodes their results, and reports every
 * failure — codec errors included — as diagnostics in the response. The RPC
 * functions never fail otherwise; they return nothing.
 *
 * No protobuf-c or gRPC here: the transport (tfp_rpc*.c) converts.
 *
 * Thread safety: all RPC functions may run concurrently on one provider
 * (each with its own arena). ConfigureProvider stores the provider config
 * and data under a lock; StopProvider sets a flag every running callback
 * can see through tfp_ctx_cancelled.
 */
#ifndef TFP_PROVIDER_INT_H
#define TFP_PROVIDER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_provider.h"

/* Object type of a resource's schema (provider-owned), or NULL when unknown. */
const tfp_type *tfp_provider_resource_type(const tfp_provider *provider, const char *type_name);

/* A DynamicValue: msgpack when msgpack.data != NULL, else json; both absent = null. */
typedef struct tfp_dynamic {
    tfp_bytes msgpack;
    tfp_bytes json;
} tfp_dynamic;

/* ---- GetProviderSchema ---- */
typedef struct tfp_schema_resp {
    const tfp_schema *provider;                /* NULL when the provider has no config schema */
    const tfp_resource_type *const *resources; /* borrowed from the def */
    size_t n_resources;
    bool plan_destroy;                 /* true */
    bool get_provider_schema_optional; /* true: the schema is fixed per release, so Terraform
                                          may answer later instances from its cache */
    bool move_resource_state;          /* false */
    tfp_diags diags;
} tfp_schema_resp;
void tfp_provider_get_schema(tfp_provider *p, tfp_arena *arena, tfp_schema_resp *resp);

/* ---- ValidateProviderConfig ---- */
typedef struct tfp_validate_provider_req {
    tfp_dynamic config;
} tfp_validate_provider_req;
typedef struct tfp_validate_provider_resp {
    tfp_diags diags;
} tfp_validate_provider_resp;
void tfp_provider_validate_provider_config(tfp_provider *p, tfp_arena *arena,
                                           const tfp_validate_provider_req *req,
                                           tfp_validate_provider_resp *resp);

/* ---- ConfigureProvider ---- */
typedef struct tfp_configure_req {
    const char *terraform_version; /* may be NULL */
    tfp_dynamic config;
} tfp_configure_req;
typedef struct tfp_configure_resp {
    tfp_diags diags;
} tfp_configure_resp;
void tfp_provider_configure(tfp_provider *p, tfp_arena *arena, const tfp_configure_req *req,
                            tfp_configure_resp *resp);

/* ---- ValidateResourceConfig ---- */
typedef struct tfp_validate_resource_req {
    const char *type_name;
    tfp_dynamic config;
} tfp_validate_resource_req;
typedef struct tfp_validate_resource_resp {
    tfp_diags diags;
} tfp_validate_resource_resp;
void tfp_provider_validate_resource_config(tfp_provider *p, tfp_arena *arena,
                                           const tfp_validate_resource_req *req,
                                           tfp_validate_resource_resp *resp);

/* ---- UpgradeResourceState ---- */
typedef struct tfp_upgrade_req {
    const char *type_name;
    int64_t version;
    tfp_bytes raw_state_json; /* RawState.json; flatmap is not supported */
} tfp_upgrade_req;
typedef struct tfp_upgrade_resp {
    tfp_bytes upgraded_state; /* msgpack DynamicValue; {NULL,0} on error */
    tfp_diags diags;
} tfp_upgrade_resp;
void tfp_provider_upgrade_resource_state(tfp_provider *p, tfp_arena *arena,
                                         const tfp_upgrade_req *req, tfp_upgrade_resp *resp);

/* ---- ReadResource ---- */
typedef struct tfp_read_req {
    const char *type_name;
    tfp_dynamic current_state;
    tfp_bytes private_data;
} tfp_read_req;
typedef struct tfp_read_resp {
    tfp_bytes new_state; /* msgpack */
    tfp_bytes private_data;
    tfp_diags diags;
} tfp_read_resp;
void tfp_provider_read_resource(tfp_provider *p, tfp_arena *arena, const tfp_read_req *req,
                                tfp_read_resp *resp);

/* ---- PlanResourceChange ---- */
typedef struct tfp_plan_req {
    const char *type_name;
    tfp_dynamic prior_state;
    tfp_dynamic proposed_new_state;
    tfp_dynamic config;
    tfp_bytes prior_private;
} tfp_plan_req;
typedef struct tfp_plan_resp {
    tfp_bytes planned_state; /* msgpack */
    const tfp_path *const *requires_replace;
    size_t n_requires_replace;
    tfp_bytes planned_private;
    bool legacy_type_system; /* always false */
    tfp_diags diags;
} tfp_plan_resp;
void tfp_provider_plan_resource_change(tfp_provider *p, tfp_arena *arena, const tfp_plan_req *req,
                                       tfp_plan_resp *resp);

/* ---- ApplyResourceChange ---- */
typedef struct tfp_apply_req {
    const char *type_name;
    tfp_dynamic prior_state;
    tfp_dynamic planned_state;
    tfp_dynamic config;
    tfp_bytes planned_private;
} tfp_apply_req;
typedef struct tfp_apply_resp {
    tfp_bytes new_state; /* msgpack */
    tfp_bytes private_data;
    bool legacy_type_system; /* always false */
    tfp_diags diags;
} tfp_apply_resp;
void tfp_provider_apply_resource_change(tfp_provider *p, tfp_arena *arena, const tfp_apply_req *req,
                                        tfp_apply_resp *resp);

/* ---- ImportResourceState ---- */
typedef struct tfp_imported {
    const char *type_name;
    tfp_bytes state; /* msgpack */
    tfp_bytes private_data;
} tfp_imported;
typedef struct tfp_import_req {
    const char *type_name;
    const char *id;
} tfp_import_req;
typedef struct tfp_import_resp {
    const tfp_imported *imported; /* 0 or 1 items */
    size_t n_imported;
    tfp_diags diags;
} tfp_import_resp;
void tfp_provider_import_resource_state(tfp_provider *p, tfp_arena *arena,
                                        const tfp_import_req *req, tfp_import_resp *resp);

/* ---- StopProvider ---- */
/* Sets the cancelled flag seen by every running and later callback. Never fails. */
void tfp_provider_stop(tfp_provider *p);

#endif
