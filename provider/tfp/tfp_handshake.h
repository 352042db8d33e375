/*
 * tfp_handshake: go-plugin's start-up contract, minus the network.
 *
 * Terraform starts the provider with TF_PLUGIN_MAGIC_COOKIE (proof that a
 * plugin host started us), PLUGIN_PROTOCOL_VERSIONS (e.g. "5,6"; we speak
 * only 6) and, with AutoMTLS, PLUGIN_CLIENT_CERT. The provider answers with
 * one line on stdout:
 *
 *   1|6|unix|/tmp/tfp-lambda-XXXXXX/plugin.sock|grpc|<base64 DER cert>\n
 *
 * core protocol | app protocol | network | address | "grpc" | server cert
 * (empty when serving plaintext). This module checks the environment,
 * formats the line, and owns the private socket directory.
 */
#ifndef TFP_HANDSHAKE_H
#define TFP_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "tfp_log.h"

#define TFP_MAGIC_COOKIE_KEY "TF_PLUGIN_MAGIC_COOKIE"
#define TFP_MAGIC_COOKIE_VALUE "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
#define TFP_CORE_PROTOCOL_VERSION 1
#define TFP_APP_PROTOCOL_VERSION 6
#define TFP_PROVIDER_ADDRESS "registry.terraform.io/lambdapack/lambda"

/* True when value (may be NULL) is Terraform's magic cookie. */
bool tfp_handshake_cookie_ok(const char *value);

/*
 * Picks our protocol from PLUGIN_PROTOCOL_VERSIONS ("5,6", "6,5", "6"; NULL
 * or empty means the host did not say, which go-plugin treats as its
 * default, and we then answer 6). Returns 0 and sets *version to 6, or -1
 * with err naming the offered list when 6 is not among them.
 */
int tfp_handshake_negotiate(const char *offered, int *version, tfp_error *err);

/*
 * Formats the handshake line into buf (NUL-terminated, ends in '\n').
 * cert_b64 may be NULL for plaintext. Returns the line length, or -1 with
 * err filled if it does not fit or an argument contains '|' or a newline.
 */
int tfp_handshake_format_line(char *buf, size_t cap, int app_version, const char *network,
                              const char *address, const char *cert_b64, tfp_error *err);

/*
 * Formats the TF_REATTACH_PROVIDERS value for --debug mode (JSON, one line,
 * no newline) into buf. Returns its length or -1 with err filled.
 */
int tfp_handshake_format_reattach(char *buf, size_t cap, const char *provider_address, long pid,
                                  const char *socket_path, tfp_error *err);

/* A private directory holding the plugin's unix socket. */
typedef struct tfp_socket_dir {
    char dir[256];       /* e.g. /tmp/tfp-lambda-AbC123, mode 0700 */
    char path[256 + 16]; /* dir + "/plugin.sock" */
} tfp_socket_dir;

/*
 * Creates the directory with mkdtemp under tmp_root (NULL: $TMPDIR, else
 * /tmp). Returns 0, or -1 with err filled (path too long for a unix socket
 * address, mkdtemp failure).
 */
int tfp_socket_dir_create(tfp_socket_dir *sd, const char *tmp_root, tfp_error *err);

/*
 * Removes the socket (if present) and the directory. Idempotent; safe to
 * call from a signal handler (uses only unlink/rmdir). Accepts NULL.
 */
void tfp_socket_dir_remove(const tfp_socket_dir *sd);

#endif
