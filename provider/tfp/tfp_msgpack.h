/*
 * tfp_msgpack: Terraform's msgpack wire format for DynamicValue, both ways.
 *
 * Decoding reads untrusted bytes against a known type: depth is bounded
 * (TFP_MSGPACK_MAX_DEPTH), every length is checked against the remaining input
 * before anything is allocated, and an error names the value path
 * (".source[1].path: expected string, got integer"). Rules (cty msgpack):
 *   null = nil; unknown = any ext (Terraform sends d4 00 00; a refined
 *   unknown is ext 12 whose payload is a map, kept raw); number = int, float
 *   or decimal string; string = str (bin accepted); list/set/tuple = array;
 *   map = map with string keys; object = map that must hold EVERY attribute
 *   exactly once; dynamic = 2-element array [type JSON bytes, value].
 *
 * Encoding writes exactly one value of a type: object = map with every
 * attribute in name order, nulls included; unknown = d4 00 00 (or the kept
 * refinement); integers as msgpack ints, other numbers as float64 unless they
 * arrived as decimal text that a double cannot hold exactly (then str).
 * Neither direction does I/O.
 */
#ifndef TFP_MSGPACK_H
#define TFP_MSGPACK_H

#include <stddef.h>
#include <stdint.h>

#include "tfp_arena.h"
#include "tfp_type.h"
#include "tfp_value.h"

#define TFP_MSGPACK_MAX_DEPTH 30
/* Largest DynamicValue accepted (Terraform's gRPC limit is 256 MiB; a package is far smaller). */
#define TFP_MSGPACK_MAX_INPUT ((size_t)16 * 1024 * 1024)

/*
 * Decodes `len` bytes (borrowed) as one value of `type`. On success *out is a
 * value in `arena` (strings copied). Trailing bytes are an error. Returns
 * TFP_OK, TFP_EFORMAT, TFP_EINVAL (wrong type), TFP_ELIMIT, TFP_ENOMEM.
 */
int tfp_msgpack_decode(tfp_arena *arena, const uint8_t *data, size_t len, const tfp_type *type,
                       tfp_value **out, tfp_error *err);

/*
 * Encodes v as `type` (v must conform; checked while encoding). On success
 * *out and *out_len point to bytes in `arena`. Returns TFP_OK, TFP_EINVAL,
 * TFP_ENOMEM.
 */
int tfp_msgpack_encode(tfp_arena *arena, const tfp_value *v, const tfp_type *type,
                       const uint8_t **out, size_t *out_len, tfp_error *err);

#endif
