/*
 * tfp_server: the provider's gRPC server on gRPC C core.
 *
 * Serves, on one unix socket (TLS with a required, verified client
 * certificate, or plaintext when Terraform asked for it):
 *   - /tfplugin6.Provider/<Rpc>: every unary call is handed, as raw protobuf
 *     bytes, to the handler in the options, on a worker thread (StopProvider
 *     runs on the loop thread so it never waits behind a long apply);
 *   - /grpc.health.v1.Health/Check: "plugin" (and "") answer SERVING;
 *   - /plugin.GRPCController/Shutdown: answers Empty, then the server stops;
 *   - /plugin.GRPCStdio/StreamStdio and /plugin.GRPCBroker/StartStream: held
 *     open without sending anything, ended with status OK at shutdown;
 *   - anything else: UNIMPLEMENTED.
 * Requests larger than max_message bytes are refused by gRPC itself
 * (RESOURCE_EXHAUSTED).
 *
 * This header exposes no gRPC or protobuf-c type: status codes are plain ints
 * with gRPC's values (TFP_STATUS_*).
 */
#ifndef TFP_SERVER_H
#define TFP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tfp_log.h"

/* gRPC status codes used by the handlers (same values as grpc_status_code). */
enum {
    TFP_STATUS_OK = 0,
    TFP_STATUS_INVALID_ARGUMENT = 3,
    TFP_STATUS_UNIMPLEMENTED = 12,
    TFP_STATUS_INTERNAL = 13,
};

/* What a handler fills: a serialized response message, or a non-OK status. */
typedef struct tfp_server_reply {
    int status;        /* TFP_STATUS_*; data is sent only with TFP_STATUS_OK */
    uint8_t *data;     /* malloc'd serialized response; the server frees it */
    size_t len;        /* length of data */
    char message[256]; /* status message for a non-OK status */
} tfp_server_reply;

/*
 * Handles one /tfplugin6.Provider call. `rpc` is the bare method name
 * ("GetProviderSchema"), `req` the request bytes (borrowed for the call).
 * Called concurrently from several threads. reply arrives zeroed.
 */
typedef void (*tfp_server_handler)(void *user, const char *rpc, const uint8_t *req, size_t req_len,
                                   tfp_server_reply *reply);

/* Polled by the serving loop about every poll_ms; returning true stops it. */
typedef bool (*tfp_server_stop_check)(void *user);

#define TFP_SERVER_OPTIONS_VERSION 1
typedef struct tfp_server_options {
    int version;                /* TFP_SERVER_OPTIONS_VERSION */
    const char *address;        /* gRPC address, e.g. "unix:/tmp/x/plugin.sock" */
    const char *key_pem;        /* server key; NULL with cert_pem NULL = plaintext */
    const char *cert_pem;       /* server certificate */
    const char *client_ca_pem;  /* PLUGIN_CLIENT_CERT: sole trusted client CA */
    size_t max_message;         /* bytes; 0 = 64 MiB */
    unsigned workers;           /* at most this many worker threads, started as calls come; 0 = 10,
                                   Terraform's parallelism */
    unsigned poll_ms;           /* stop_check period; 0 = 100 */
    tfp_server_handler handler; /* required */
    void *handler_user;         /* borrowed */
    tfp_server_stop_check stop_check; /* optional */
    void *stop_user;                  /* borrowed */
} tfp_server_options;

#define TFP_SERVER_OPTIONS_INIT                                                                    \
    {                                                                                              \
        TFP_SERVER_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL        \
    }

typedef struct tfp_server tfp_server;

/*
 * Initializes gRPC, binds the address and starts serving in the background
 * of the completion queue (calls are only processed inside tfp_server_run).
 * Returns 0 and sets *out (caller frees with tfp_server_free), or -1 with err
 * filled (bad credentials, address in use, ...). The option strings are
 * copied or consumed before return.
 */
int tfp_server_start(tfp_server **out, const tfp_server_options *opts, tfp_error *err);

/*
 * Processes calls until Shutdown is called by the client, stop_check returns
 * true or tfp_server_request_stop is called; then ends the held streams,
 * shuts the server down (cancelling calls that do not finish within a
 * second), waits for handlers to return and drains the queue. Returns 0.
 */
int tfp_server_run(tfp_server *srv);

/* Asks a running server to stop (thread-safe, not async-signal-safe). */
void tfp_server_request_stop(tfp_server *srv);

/* True when the stop came from the client's Shutdown call. */
bool tfp_server_shutdown_by_client(const tfp_server *srv);

/* Destroys the server and releases gRPC (grpc_shutdown). Accepts NULL. */
void tfp_server_free(tfp_server *srv);

#endif
