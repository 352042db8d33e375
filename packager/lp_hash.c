/*
 * lp_hash: thin helpers over OpenSSL EVP for the SHA-256 digests the
 * manifest and ZIP info report, and their hex/base64 spellings. Its one
 * piece of state is the SHA-256 implementation, fetched from OpenSSL once
 * per process; it knows nothing of manifests or ZIPs.
 */
#include "lp_hash.h"

#include "lp_error.h"

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static pthread_once_t g_md_once = PTHREAD_ONCE_INIT;
static EVP_MD *g_md; /* kept for the process's life */

static void fetch_md(void)
{
    g_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *lp_hash_sha256_md(void)
{
    pthread_once(&g_md_once, fetch_md);
    return g_md != NULL ? g_md : EVP_sha256();
}

int lp_hash_sha256(const void *data, size_t n, unsigned char out[32])
{
    unsigned int len = 0;
    if (EVP_Digest(data, n, out, &len, lp_hash_sha256_md(), NULL) != 1 || len != 32) {
        return LP_ENOMEM;
    }
    return 0;
}

int lp_hash_hmac_hex(const unsigned char key[32], const void *data, size_t n, char out[65])
{
    unsigned char mac[32];
    unsigned int len = sizeof(mac);
    if (HMAC(EVP_sha256(), key, 32, data, n, mac, &len) == NULL || len != 32) {
        memset(out, 0, 65);
        return LP_ENOMEM;
    }
    lp_hash_hex(mac, out);
    return 0;
}

void lp_hash_hex(const unsigned char d[32], char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = '\0';
}

void lp_hash_base64(const unsigned char d[32], char out[45])
{
    /* 32 bytes -> 44 characters + NUL. */
    EVP_EncodeBlock((unsigned char *)out, d, 32);
    out[44] = '\0';
}
