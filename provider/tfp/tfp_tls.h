/*
 * tfp_tls: the provider's side of go-plugin's AutoMTLS.
 *
 * When Terraform sets PLUGIN_CLIENT_CERT, the plugin makes a fresh key pair
 * and self-signed certificate, serves TLS with it (requiring Terraform's
 * client certificate), and announces the certificate in the handshake line
 * as base64 (standard alphabet, no padding) of its DER form.
 *
 * The certificate follows go-plugin's own template: ECDSA (P-256 here),
 * CN=localhost, O=HashiCorp, SAN DNS:localhost, CA:TRUE, key usage
 * digitalSignature|keyEncipherment|keyAgreement|keyCertSign, extended key
 * usage serverAuth+clientAuth, valid from 30 s ago for ~30 years.
 */
#ifndef TFP_TLS_H
#define TFP_TLS_H

#include <stddef.h>

#include "tfp_log.h"

typedef struct tfp_tls_identity {
    char *key_pem;           /* SEC 1 ("EC PRIVATE KEY") PEM private key, NUL-terminated */
    char *cert_pem;          /* PEM certificate, NUL-terminated */
    unsigned char *cert_der; /* DER certificate */
    size_t cert_der_len;
} tfp_tls_identity;

/*
 * Sets OpenSSL up for the whole serving process; call it before anything
 * else in the process touches OpenSSL (gRPC's TLS, the packager's hashing).
 * It asks OpenSSL not to register its exit-time cleanup: gRPC's own threads
 * may still be finishing while exit() runs, and a thread that ends after
 * that cleanup has deleted OpenSSL's per-thread keys loses its error queue
 * (LeakSanitizer saw it as a 904-byte leak from CRYPTO_zalloc, once in a
 * few hundred runs). Without the cleanup OpenSSL's state stays reachable
 * until the process ends. Returns 0, or -1 with err filled.
 */
int tfp_tls_process_init(tfp_error *err);

/*
 * Generates a new identity. Returns 0 and sets *out (caller frees with
 * tfp_tls_identity_free), or -1 with err filled.
 */
int tfp_tls_identity_generate(tfp_tls_identity **out, tfp_error *err);

/* Frees an identity, wiping the private key first. Accepts NULL. */
void tfp_tls_identity_free(tfp_tls_identity *id);

/*
 * Base64 with the standard alphabet and no '=' padding (Go's
 * base64.RawStdEncoding). Returns a malloc'd NUL-terminated string the
 * caller frees, or NULL on allocation failure or absurd length.
 */
char *tfp_tls_base64_raw(const unsigned char *data, size_t len);

#endif
