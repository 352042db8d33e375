/*
 * tfp_rpc_convert: conversions between protobuf-c tfplugin6 messages and the
 * provider core's plain structs. Internal to the transport: only tfp_rpc.c
 * and its tests include this header (it exposes protobuf-c types).
 *
 * Every message built here is allocated from the request arena (nothing to
 * free one by one); every string and byte run is either borrowed from the
 * core's response (same arena) or copied into it. Functions return NULL /
 * a negative TFP_E* code when the arena is exhausted.
 */
#ifndef TFP_RPC_CONVERT_H
#define TFP_RPC_CONVERT_H

#include <protobuf-c/protobuf-c.h>

#include "tfp_arena.h"
#include "tfp_diag.h"
#include "tfp_provider_int.h"
#include "tfp_schema.h"

#include "tfplugin6.pb-c.h"

/*
 * s as valid UTF-8: s itself when it already is (NULL gives ""), else an
 * arena copy with every invalid byte replaced by U+FFFD. proto3 string fields
 * must be UTF-8: Terraform (grpc-go) rejects the whole response otherwise,
 * and diagnostics may quote file names that are not. NULL on OOM.
 */
char *tfp_rpc_utf8(tfp_arena *arena, const char *s);

/* A protobuf-c allocator that allocates from `arena` and never frees. */
void tfp_rpc_arena_allocator(ProtobufCAllocator *out, tfp_arena *arena);

/* A zero-initialized message of `desc`'s type in the arena, or NULL. */
ProtobufCMessage *tfp_rpc_new_message(tfp_arena *arena, const ProtobufCMessageDescriptor *desc);

/* Request DynamicValue (may be NULL = absent = null) -> core view (borrowed). */
tfp_dynamic tfp_rpc_dynamic_in(const Tfplugin6__DynamicValue *dv);

/* Bytes (borrowed) -> protobuf bytes field. */
ProtobufCBinaryData tfp_rpc_bytes_out(tfp_bytes b);

/* Core msgpack bytes -> a DynamicValue message; NULL when absent or on OOM. */
Tfplugin6__DynamicValue *tfp_rpc_dynamic_out(tfp_arena *arena, tfp_bytes msgpack);

/* A path -> AttributePath message (NULL path -> NULL). *ok false on OOM. */
Tfplugin6__AttributePath *tfp_rpc_path_out(tfp_arena *arena, const tfp_path *path, bool *ok);

/*
 * Diagnostics -> array of Diagnostic messages. Sets *out / *n. Returns TFP_OK
 * or TFP_ENOMEM.
 */
int tfp_rpc_diags_out(tfp_arena *arena, const tfp_diags *diags, Tfplugin6__Diagnostic ***out,
                      size_t *n);

/* One error diagnostic (strings borrowed, must outlive the packing). */
Tfplugin6__Diagnostic *tfp_rpc_error_diag(tfp_arena *arena, const char *summary,
                                          const char *detail);

/*
 * A schema -> Schema message (NULL schema -> an empty block, version 0).
 * Returns NULL on OOM or when a type cannot be encoded (err says which
 * attribute).
 */
Tfplugin6__Schema *tfp_rpc_schema_out(tfp_arena *arena, const tfp_schema *schema, tfp_error *err);

#endif
