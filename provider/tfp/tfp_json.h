/*
 * tfp_json: cty's JSON value form, used by Terraform for stored state
 * (UpgradeResourceState raw_state.json) and as a DynamicValue fallback.
 *
 * Decoding (jansson) reads untrusted bytes against a type: object = JSON
 * object, a missing attribute is null, an attribute the type does not have is
 * an error; number = JSON number (integers kept exact) or a decimal string;
 * dynamic = {"value": ..., "type": ...}. JSON cannot carry unknowns. Errors
 * name the value path. Encoding writes the same form, compact, keys sorted;
 * unknown values cannot be encoded (TFP_EINVAL).
 */
#ifndef TFP_JSON_H
#define TFP_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"
#include "tfp_type.h"
#include "tfp_value.h"

#define TFP_JSON_MAX_DEPTH 64

/* Decodes JSON bytes (borrowed) into a value of `type` in arena. Returns
 * TFP_OK, TFP_EFORMAT, TFP_EINVAL (shape), TFP_ELIMIT, TFP_ENOMEM. */
int tfp_json_decode(tfp_arena *arena, const uint8_t *data, size_t len, const tfp_type *type,
                    tfp_value **out, tfp_error *err);

/* Encodes v as JSON text in arena (NUL-terminated; *out_len excludes it). */
int tfp_json_encode(tfp_arena *arena, const tfp_value *v, const tfp_type *type, const char **out,
                    size_t *out_len, tfp_error *err);

#endif
