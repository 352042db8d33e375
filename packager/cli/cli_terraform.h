/*
 * cli_terraform: finds a lambda_package in the JSON of `terraform show -json`.
 *
 * Reads the state form (`values.root_module`) or the plan form
 * (`planned_values.root_module`, from `terraform show -json PLANFILE`),
 * walks child modules, and hands the resource's attribute values to
 * lp_spec_package_from_json, so the CLI builds from the very definition the
 * resource builds from. Part of the lambdapack CLI, not of the library.
 */
#ifndef CLI_TERRAFORM_H
#define CLI_TERRAFORM_H

#include <stdio.h>

#include "lp_error.h"
#include "lp_spec.h"

/* What the state records of the ZIP, for comparisons; "" when absent. */
typedef struct cli_terraform_record {
    char output_sha256[65];
    char output_base64sha256[45];
    char content_hash[65];
    const char *form; /* "state" or "plan": which JSON it came from (static) */
} cli_terraform_record;

/* Reads the whole JSON document from in and finds the lambda_package whose
 * address is address (e.g. "module.api.lambda_package.this"). base_dir is
 * where its relative paths resolve (NULL: cwd). On success *out is set
 * (caller frees it with lp_spec_package_free) and *rec (when not NULL) is
 * filled. LP_EINVAL with a message naming the address and listing the
 * lambda_package addresses present; LP_EIO when in cannot be read;
 * LP_ENOMEM. */
int cli_terraform_package(lp_spec_package **out, cli_terraform_record *rec, FILE *in,
                          const char *address, const char *base_dir, lp_error *err);

#endif
