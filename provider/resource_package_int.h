/*
 * resource_package_int: what the parts of the lambda_package resource share.
 * resource_package.c is the lifecycle (plan, apply, read, import, delete)
 * and the resource type; resource_package_schema.c the schema;
 * resource_package_config.c validation and the configuration -> lp_spec
 * mapping; resource_package_state.c the state and the build record.
 * Private to the resource_package target.
 */
#ifndef RESOURCE_PACKAGE_INT_H
#define RESOURCE_PACKAGE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"
#include "lp_manifest.h"
#include "lp_spec.h"
#include "lp_zip.h"
#include "tfp_resource.h"

/* The resource's schema (resource_package_schema.c). */
extern const tfp_schema package_schema;

/* ---- configuration (resource_package_config.c) ---- */

typedef struct package_config {
    const char *output_path;
    lp_source *sources;
    lp_spec_package pkg; /* the definition both doors share (lp_spec.h) */
} package_config;

/* The path of the top-level attribute name. */
const tfp_path *package_attr_path(const tfp_ctx *ctx, const char *name);

/* Reads a wholly known configuration (or planned state) into *pc. */
int package_config_read(const tfp_ctx *ctx, const tfp_value *cfg, package_config *pc,
                        tfp_diags *diags);

/* Adds e as an error diagnostic on the attribute it points at (source[i].field,
 * excludes, ...); returns -1. */
int package_diag_error(const tfp_ctx *ctx, tfp_diags *diags, const lp_error *e);

/* The resource's validate callback: what can be checked of a configuration
 * that may be partly unknown. */
int package_validate(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags);

/* ---- state and build records (resource_package_state.c) ---- */

/*
 * What the last build produced: its content hash and ZIP hashes, plus the
 * writer that made it: the ZIP format version (LP_ZIP_WRITER), which names
 * our own frozen deflate format. A record from another format (or from a
 * release that named its libdeflate version here) is not trusted to predict
 * this writer's bytes: the plan rebuilds once.
 */
typedef struct package_record {
    char content_hash[65];
    lp_zip_info zip;
} package_record;

/* The record of a build of content_hash into zip (in the arena). */
tfp_bytes package_record_encode(const tfp_ctx *ctx, const char *content_hash,
                                const lp_zip_info *zip);

/* A record this writer made: it predicts this writer's bytes. */
bool package_record_decode(tfp_bytes b, package_record *r);

/* A record from any writer: what was written then. */
bool package_record_decode_any(tfp_bytes b, package_record *r);

/* Sets attribute name of obj to v; an error diagnostic when v is NULL (out
 * of memory) or obj has no such attribute. */
int package_set_attr(const tfp_ctx *ctx, tfp_value *obj, const char *name, tfp_value *v,
                     tfp_diags *diags);

/* Fills every content attribute from a manifest and the ZIP's hashes. */
int package_state_set(const tfp_ctx *ctx, tfp_value *obj, const lp_manifest *m,
                      const lp_zip_info *zip, tfp_diags *diags);

/* Sets the ZIP-level attributes to null: there is no ZIP at output_path. */
int package_state_set_missing(const tfp_ctx *ctx, tfp_value *obj, tfp_diags *diags);

/* Optional+computed arguments get their defaults where config (NULL on
 * import) leaves them null. */
int package_state_set_defaults(const tfp_ctx *ctx, tfp_value *obj, const tfp_value *config,
                               tfp_diags *diags);

#endif
