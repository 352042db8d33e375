/*
 * Tests for tfp_tls: the AutoMTLS certificate must be what Terraform's Go TLS
 * stack accepts (parsed back with OpenSSL here: key type, SAN, key usages,
 * CA flag, validity, self-signature) and the handshake encoding must be
 * base64 without padding (checked against RFC 4648 vectors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tfp_tls.h"

static X509 *parse_der(const tfp_tls_identity *id)
{
    const unsigned char *p = id->cert_der;
    X509 *cert = d2i_X509(NULL, &p, (long)id->cert_der_len);
    assert_non_null(cert);
    assert_ptr_equal(p, id->cert_der + id->cert_der_len);
    return cert;
}

static tfp_tls_identity *generate(void)
{
    tfp_tls_identity *id = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_tls_identity_generate(&id, &err), 0);
    assert_non_null(id);
    return id;
}

static void certificate_uses_an_ecdsa_p256_key_and_is_self_signed(void **state)
{
    (void)state;
    tfp_tls_identity *id = generate();
    X509 *cert = parse_der(id);
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    assert_non_null(pub);
    assert_int_equal(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
    char group[64] = "";
    size_t glen = 0;
    assert_int_equal(EVP_PKEY_get_group_name(pub, group, sizeof(group), &glen), 1);
    assert_string_equal(group, "prime256v1");
    assert_int_equal(X509_verify(cert, pub), 1);
    assert_int_equal(X509_check_issued(cert, cert), X509_V_OK);
    X509_free(cert);
    tfp_tls_identity_free(id);
}

static void certificate_names_localhost_in_san_and_subject(void **state)
{
    (void)state;
    tfp_tls_identity *id = generate();
    X509 *cert = parse_der(id);
    GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    assert_non_null(sans);
    assert_int_equal(sk_GENERAL_NAME_num(sans), 1);
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, 0);
    assert_int_equal(gn->type, GEN_DNS);
    assert_string_equal((const char *)ASN1_STRING_get0_data(gn->d.dNSName), "localhost");
    GENERAL_NAMES_free(sans);
    assert_int_equal(X509_check_host(cert, "localhost", 0, 0, NULL), 1);
    char cn[64] = "";
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "localhost");
    X509_free(cert);
    tfp_tls_identity_free(id);
}

static void certificate_allows_server_and_client_auth_as_a_ca(void **state)
{
    (void)state;
    tfp_tls_identity *id = generate();
    X509 *cert = parse_der(id);
    uint32_t xku = X509_get_extended_key_usage(cert);
    assert_true(xku & XKU_SSL_SERVER);
    assert_true(xku & XKU_SSL_CLIENT);
    uint32_t ku = X509_get_key_usage(cert);
    assert_true(ku & KU_DIGITAL_SIGNATURE);
    assert_true(ku & KU_KEY_ENCIPHERMENT);
    assert_true(ku & KU_KEY_AGREEMENT);
    assert_true(ku & KU_KEY_CERT_SIGN);
    assert_true(X509_check_ca(cert) >= 1);
    assert_int_equal(X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0), 1);
    assert_int_equal(X509_check_purpose(cert, X509_PURPOSE_SSL_CLIENT, 0), 1);
    X509_free(cert);
    tfp_tls_identity_free(id);
}

static void certificate_is_valid_from_before_now_for_decades(void **state)
{
    (void)state;
    tfp_tls_identity *id = generate();
    X509 *cert = parse_der(id);
    time_t now = time(NULL);
    time_t in_20_years = now + (time_t)20 * 365 * 24 * 3600;
    assert_true(X509_cmp_time(X509_get0_notBefore(cert), &now) < 0);
    assert_true(X509_cmp_time(X509_get0_notAfter(cert), &in_20_years) > 0);
    /* Back-dated by seconds, not hours: it must not predate now - 5 min. */
    time_t five_min_ago = now - 300;
    assert_true(X509_cmp_time(X509_get0_notBefore(cert), &five_min_ago) > 0);
    X509_free(cert);
    tfp_tls_identity_free(id);
}

static void pem_forms_hold_the_same_certificate_and_its_key(void **state)
{
    (void)state;
    tfp_tls_identity *id = generate();
    X509 *der_cert = parse_der(id);
    BIO *cb = BIO_new_mem_buf(id->cert_pem, -1);
    BIO *kb = BIO_new_mem_buf(id->key_pem, -1);
    X509 *pem_cert = PEM_read_bio_X509(cb, NULL, NULL, NULL);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
    assert_non_null(pem_cert);
    assert_non_null(key);
    assert_int_equal(X509_cmp(der_cert, pem_cert), 0);
    assert_int_equal(X509_check_private_key(pem_cert, key), 1);
    EVP_PKEY_free(key);
    X509_free(pem_cert);
    X509_free(der_cert);
    BIO_free(kb);
    BIO_free(cb);
    tfp_tls_identity_free(id);
}

/* The key PEM is built by hand (tfp_tls.c): it must be byte for byte what
 * OpenSSL's own SEC 1 encoder writes for the same key. */
static void key_pem_is_what_openssl_writes_as_an_ec_private_key(void **state)
{
    (void)state;
    for (int i = 0; i < 8; i++) { /* scalars with leading zero bytes included, sometimes */
        tfp_tls_identity *id = generate();
        assert_non_null(strstr(id->key_pem, "-----BEGIN EC PRIVATE KEY-----\n"));
        BIO *kb = BIO_new_mem_buf(id->key_pem, -1);
        EVP_PKEY *key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
        assert_non_null(key);
        OSSL_ENCODER_CTX *ectx =
            OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM", "type-specific", NULL);
        unsigned char *want = NULL;
        size_t want_len = 0;
        assert_non_null(ectx);
        assert_int_equal(OSSL_ENCODER_to_data(ectx, &want, &want_len), 1);
        assert_int_equal(want_len, strlen(id->key_pem));
        assert_memory_equal(want, id->key_pem, want_len);
        OPENSSL_clear_free(want, want_len);
        OSSL_ENCODER_CTX_free(ectx);
        EVP_PKEY_free(key);
        BIO_free(kb);
        tfp_tls_identity_free(id);
    }
}

static void each_identity_has_a_fresh_key_and_serial(void **state)
{
    (void)state;
    tfp_tls_identity *a = generate();
    tfp_tls_identity *b = generate();
    assert_string_not_equal(a->key_pem, b->key_pem);
    X509 *ca = parse_der(a);
    X509 *cb = parse_der(b);
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca), X509_get0_serialNumber(cb)),
                         0);
    X509_free(ca);
    X509_free(cb);
    tfp_tls_identity_free(a);
    tfp_tls_identity_free(b);
}

static void check_b64(const char *in, const char *want)
{
    char *got = tfp_tls_base64_raw((const unsigned char *)in, strlen(in));
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void base64_uses_the_standard_alphabet_without_padding(void **state)
{
    (void)state;
    /* RFC 4648 section 10 vectors with the '=' removed. */
    check_b64("", "");
    check_b64("f", "Zg");
    check_b64("fo", "Zm8");
    check_b64("foo", "Zm9v");
    check_b64("foob", "Zm9vYg");
    check_b64("fooba", "Zm9vYmE");
    check_b64("foobar", "Zm9vYmFy");
    /* '+' and '/' (standard alphabet, not URL-safe). */
    const unsigned char hi[] = {0xfb, 0xff, 0xbf};
    char *got = tfp_tls_base64_raw(hi, sizeof(hi));
    assert_string_equal(got, "+/+/");
    free(got);
}

static void handshake_encoding_of_the_certificate_decodes_to_its_der(void **state)
{
    (void)state;
    tfp_tls_identity *id = generate();
    char *b64 = tfp_tls_base64_raw(id->cert_der, id->cert_der_len);
    assert_non_null(b64);
    assert_null(strchr(b64, '='));
    assert_null(strchr(b64, '\n'));
    size_t n = strlen(b64);
    char *padded = calloc(1, n + 4);
    memcpy(padded, b64, n);
    while (n % 4 != 0) {
        padded[n++] = '=';
    }
    unsigned char *der = malloc(n);
    int len = EVP_DecodeBlock(der, (const unsigned char *)padded, (int)n);
    assert_true(len >= (int)id->cert_der_len);
    assert_memory_equal(der, id->cert_der, id->cert_der_len);
    free(der);
    free(padded);
    free(b64);
    tfp_tls_identity_free(id);
}

static void freeing_null_is_harmless(void **state)
{
    (void)state;
    tfp_tls_identity_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(certificate_uses_an_ecdsa_p256_key_and_is_self_signed),
        cmocka_unit_test(certificate_names_localhost_in_san_and_subject),
        cmocka_unit_test(certificate_allows_server_and_client_auth_as_a_ca),
        cmocka_unit_test(certificate_is_valid_from_before_now_for_decades),
        cmocka_unit_test(pem_forms_hold_the_same_certificate_and_its_key),
        cmocka_unit_test(key_pem_is_what_openssl_writes_as_an_ec_private_key),
        cmocka_unit_test(each_identity_has_a_fresh_key_and_serial),
        cmocka_unit_test(base64_uses_the_standard_alphabet_without_padding),
        cmocka_unit_test(handshake_encoding_of_the_certificate_decodes_to_its_der),
        cmocka_unit_test(freeing_null_is_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
