/*
 * tfp_rpc: the tfplugin6.Provider service on top of the protocol-independent
 * core (tfp_provider.h).
 *
 * For each call it unpacks the protobuf request (into a per-request arena,
 * so the size of what a request may allocate is bounded), converts it to the
 * core's plain request struct, calls the core, converts the plain response
 * back and packs it. Conversion covers DynamicValue bytes, private bytes,
 * diagnostics with attribute paths, requires_replace, server capabilities
 * and schemas (attributes, nested blocks, nesting, min/max, descriptions).
 *
 * Malformed request bytes give INVALID_ARGUMENT; a failure while building a
 * response (out of memory, a type that cannot be encoded) gives a response
 * with one error diagnostic and status OK, as Terraform expects. RPCs the
 * provider has no use for answer properly: GetMetadata (capabilities and
 * resource names), GetFunctions (none), data sources and ephemeral resources
 * (error diagnostic: unknown type), CallFunction (function error),
 * MoveResourceState (error diagnostic: unsupported).
 */
#ifndef TFP_RPC_H
#define TFP_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_provider_int.h"
#include "tfp_server.h"

/*
 * A tfp_server_handler: `user` is the tfp_provider (borrowed, must outlive
 * the server); `rpc` the bare method name. Thread-safe.
 */
void tfp_rpc_handle(void *user, const char *rpc, const uint8_t *req, size_t req_len,
                    tfp_server_reply *reply);

/* True when `rpc` is a tfplugin6.Provider method this module answers. */
bool tfp_rpc_known(const char *rpc);

#endif
