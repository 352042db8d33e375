/*
 * tfp_tls: makes the provider's AutoMTLS identity with OpenSSL (key pair,
 * self-signed certificate in go-plugin's shape, PEM and DER forms) and the
 * unpadded base64 the handshake line needs. It does no I/O and knows nothing
 * of gRPC: the server module feeds the PEM pair to gRPC's SSL credentials.
 */
#include "tfp_tls.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* go-plugin: 262980 hours (about 30 years). */
#define TFP_TLS_VALID_SECONDS (262980L * 3600L)
#define TFP_TLS_BACKDATE_SECONDS 30L

static int ssl_fail(tfp_error *err, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256] = "";
    if (e != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
    }
    ERR_clear_error();
    return tfp_error_sys(err, 0, "TLS identity: %s failed%s%s", what, e != 0 ? ": " : "", buf);
}

int tfp_tls_process_init(tfp_error *err)
{
    if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL) != 1) {
        return ssl_fail(err, "OpenSSL initialisation");
    }
    return 0;
}

/* Copies a memory BIO's content to a malloc'd NUL-terminated string. */
static char *bio_to_string(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n < 0 || data == NULL) {
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (s == NULL) {
        return NULL;
    }
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) {
        return -1;
    }
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1 ? 0 : -1;
}

#define P256_POINT_LEN 65 /* 0x04 || X || Y */

/* The key's public point in uncompressed form: 0, or -1 when the key does
 * not have one of that shape. Read once per identity, for the certificate
 * and for the private key's encoding. */
static int p256_point(const EVP_PKEY *key, unsigned char point[P256_POINT_LEN])
{
    size_t len = 0;
    int ok = EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                             P256_POINT_LEN, &len);
    return ok && len == P256_POINT_LEN && point[0] == 0x04 ? 0 : -1;
}

/*
 * Sets the certificate's SubjectPublicKeyInfo (id-ecPublicKey, namedCurve
 * P-256, the uncompressed point). Same bytes as X509_set_pubkey, which on a
 * fresh process first builds an OSSL_ENCODER context (~0.6 ms, a tenth of
 * the work before the handshake line).
 */
static int set_p256_pubkey(X509 *cert, const unsigned char point[P256_POINT_LEN])
{
    unsigned char *bits = OPENSSL_memdup(point, P256_POINT_LEN);
    if (bits == NULL) {
        return -1;
    }
    /* On success the public key takes bits; the two objects are static. */
    if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
                                V_ASN1_OBJECT, OBJ_nid2obj(NID_X9_62_prime256v1), bits,
                                P256_POINT_LEN)) {
        OPENSSL_free(bits);
        return -1;
    }
    return 0;
}

/* SEC 1 ECPrivateKey of a P-256 key (RFC 5915), the layout OpenSSL's
 * "type-specific" encoder writes: version 1, the 32-byte scalar, the curve
 * OID and the uncompressed public point. Only the two values vary. */
static const unsigned char SEC1_P256_HEAD[7] = {0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20};
static const unsigned char SEC1_P256_MID[16] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
                                                0x3d, 0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42};
#define SEC1_P256_PRIV 7                           /* offset of the scalar */
#define SEC1_P256_MIDAT (SEC1_P256_PRIV + 32)      /* of the OID and the BIT STRING header */
#define SEC1_P256_POINT (SEC1_P256_MIDAT + 16 + 1) /* of the point, after the unused-bits byte */
#define SEC1_P256_LEN (SEC1_P256_POINT + P256_POINT_LEN)
#define PEM_LINE 64

/* "EC PRIVATE KEY" PEM armour (RFC 7468: base64 in lines of 64) of a SEC 1
 * key. Returns a malloc'd string the caller wipes and frees, or NULL. Its
 * own copy of the key, the base64, is wiped before it returns. */
static char *key_pem_armor(const unsigned char der[SEC1_P256_LEN])
{
    static const char begin[] = "-----BEGIN EC PRIVATE KEY-----\n";
    static const char end[] = "-----END EC PRIVATE KEY-----\n";
    unsigned char b64[4 * ((SEC1_P256_LEN + 2) / 3) + 1];
    int n = EVP_EncodeBlock(b64, der, SEC1_P256_LEN);
    size_t lines = ((size_t)n + PEM_LINE - 1) / PEM_LINE;
    char *pem = n > 0 ? malloc(sizeof(begin) + (size_t)n + lines + sizeof(end)) : NULL;
    if (pem != NULL) {
        size_t o = sizeof(begin) - 1;
        memcpy(pem, begin, o);
        for (int i = 0; i < n; i += PEM_LINE) {
            int k = n - i < PEM_LINE ? n - i : PEM_LINE;
            memcpy(pem + o, b64 + i, (size_t)k);
            o += (size_t)k;
            pem[o++] = '\n';
        }
        memcpy(pem + o, end, sizeof(end)); /* with its NUL */
    }
    OPENSSL_cleanse(b64, sizeof(b64));
    return pem;
}

/*
 * The private key as "EC PRIVATE KEY" PEM, built from the key's scalar and
 * point. PEM_write_bio_PrivateKey says the same in PKCS#8 through OpenSSL
 * 3's encoder framework, whose set-up cost 3.6 M instructions on every start
 * (about 7% of the work before the handshake line, callgrind); gRPC reads
 * either form. Returns a malloc'd string, or NULL.
 */
static char *p256_key_pem(const EVP_PKEY *key, const unsigned char point[P256_POINT_LEN])
{
    unsigned char der[SEC1_P256_LEN];
    BIGNUM *priv = NULL;
    char *pem = NULL;
    if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv)) {
        goto done;
    }
    memcpy(der, SEC1_P256_HEAD, sizeof(SEC1_P256_HEAD));
    memcpy(der + SEC1_P256_MIDAT, SEC1_P256_MID, sizeof(SEC1_P256_MID));
    der[SEC1_P256_POINT - 1] = 0x00; /* no unused bits */
    memcpy(der + SEC1_P256_POINT, point, P256_POINT_LEN);
    if (BN_bn2binpad(priv, der + SEC1_P256_PRIV, 32) != 32) {
        goto done;
    }
    pem = key_pem_armor(der);
done:
    OPENSSL_cleanse(der, sizeof(der));
    BN_clear_free(priv);
    return pem;
}

int tfp_tls_identity_generate(tfp_tls_identity **out, tfp_error *err)
{
    int rc = -1;
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    BIGNUM *serial = NULL;
    BIO *cbio = NULL;
    unsigned char *der = NULL;
    unsigned char point[P256_POINT_LEN];
    tfp_tls_identity *id = calloc(1, sizeof(*id));

    *out = NULL;
    if (id == NULL) {
        rc = tfp_error_sys(err, 0, "TLS identity: out of memory");
        goto done;
    }
    key = EVP_EC_gen("P-256");
    if (key == NULL) {
        rc = ssl_fail(err, "EC key generation");
        goto done;
    }
    cert = X509_new();
    serial = BN_new();
    if (cert == NULL || serial == NULL) {
        rc = ssl_fail(err, "allocation");
        goto done;
    }
    /* A random positive 127-bit serial, like Go's crypto/rand serials. */
    if (!BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
        BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) == NULL) {
        rc = ssl_fail(err, "serial number");
        goto done;
    }
    X509_NAME *name = X509_get_subject_name(cert);
    if (!X509_set_version(cert, 2) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"HashiCorp", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost",
                                    -1, -1, 0) ||
        !X509_set_issuer_name(cert, name) ||
        X509_gmtime_adj(X509_getm_notBefore(cert), -TFP_TLS_BACKDATE_SECONDS) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), TFP_TLS_VALID_SECONDS) == NULL ||
        p256_point(key, point) != 0 || set_p256_pubkey(cert, point) != 0) {
        rc = ssl_fail(err, "certificate fields");
        goto done;
    }
    if (add_ext(cert, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
        add_ext(cert, NID_key_usage,
                "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign") != 0 ||
        add_ext(cert, NID_ext_key_usage, "serverAuth,clientAuth") != 0 ||
        add_ext(cert, NID_subject_alt_name, "DNS:localhost") != 0) {
        rc = ssl_fail(err, "certificate extensions");
        goto done;
    }
    if (X509_sign(cert, key, EVP_sha256()) <= 0) {
        rc = ssl_fail(err, "certificate signing");
        goto done;
    }
    cbio = BIO_new(BIO_s_mem());
    if (cbio == NULL || !PEM_write_bio_X509(cbio, cert) ||
        (id->key_pem = p256_key_pem(key, point)) == NULL) {
        rc = ssl_fail(err, "PEM encoding");
        goto done;
    }
    id->cert_pem = bio_to_string(cbio);
    int der_len = i2d_X509(cert, &der);
    if (id->cert_pem == NULL || der_len <= 0) {
        rc = ssl_fail(err, "DER encoding");
        goto done;
    }
    id->cert_der = malloc((size_t)der_len);
    if (id->cert_der == NULL) {
        rc = tfp_error_sys(err, 0, "TLS identity: out of memory");
        goto done;
    }
    memcpy(id->cert_der, der, (size_t)der_len);
    id->cert_der_len = (size_t)der_len;
    *out = id;
    id = NULL;
    rc = 0;
done:
    OPENSSL_free(der);
    BIO_free(cbio);
    BN_free(serial);
    X509_free(cert);
    EVP_PKEY_free(key);
    tfp_tls_identity_free(id);
    return rc;
}

void tfp_tls_identity_free(tfp_tls_identity *id)
{
    if (id == NULL) {
        return;
    }
    if (id->key_pem != NULL) {
        OPENSSL_cleanse(id->key_pem, strlen(id->key_pem));
        free(id->key_pem);
    }
    free(id->cert_pem);
    free(id->cert_der);
    free(id);
}

char *tfp_tls_base64_raw(const unsigned char *data, size_t len)
{
    if (len > (size_t)INT32_MAX / 2) {
        return NULL;
    }
    size_t cap = 4 * ((len + 2) / 3) + 1;
    char *out = malloc(cap);
    if (out == NULL) {
        return NULL;
    }
    int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    if (n < 0) {
        free(out);
        return NULL;
    }
    while (n > 0 && out[n - 1] == '=') {
        n--;
    }
    out[n] = '\0';
    return out;
}
