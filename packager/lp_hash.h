/*
 * lp_hash: SHA-256 over files and buffers, hex and base64 encodings
 * (internal). Uses OpenSSL's EVP interface.
 */
#ifndef LP_HASH_H
#define LP_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Buffer size used to stream files. */
#define LP_HASH_BUF 65536

/* OpenSSL's SHA-256, fetched once per process: EVP_DigestInit_ex with
 * EVP_sha256() looks the implementation up again on every call, which is a
 * tenth of hashing a small file. */
const struct evp_md_st *lp_hash_sha256_md(void);

/* out = SHA-256(data[0..n)). Returns 0, or LP_ENOMEM. */
int lp_hash_sha256(const void *data, size_t n, unsigned char out[32]);

/* out = lowercase hex of HMAC-SHA256(key, data[0..n)). Returns 0, or
 * LP_ENOMEM (out is then all NULs, which never equals a MAC). */
int lp_hash_hmac_hex(const unsigned char key[32], const void *data, size_t n, char out[65]);

/* Lowercase hex of 32 bytes into out[65]. */
void lp_hash_hex(const unsigned char d[32], char out[65]);

/* Standard base64 (with padding) of 32 bytes into out[45]. */
void lp_hash_base64(const unsigned char d[32], char out[45]);

#endif
