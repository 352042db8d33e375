/*
 * lp_manifest_int: helpers shared by the manifest builder and the ZIP reader
 * (internal).
 */
#ifndef LP_MANIFEST_INT_H
#define LP_MANIFEST_INT_H

#include "lp_manifest.h"

#include <openssl/evp.h>
#include <sys/stat.h>

/* Format version written into the canonical serialization. */
#define LP_MANIFEST_FORMAT 1

/* Sorts m->files bytewise by archive path. */
void lp_manifest_sort(lp_manifest *m);

/* Sets m->unzipped_size and m->content_hash from m->files (sorted), m->level
 * and m->directory_entries. */
int lp_manifest_seal(lp_manifest *m, lp_error *err);

struct lp_progress_reporter;

/* What hashing a file needs, kept by a worker from one file to the next:
 * OpenSSL's digest context and the read buffer. */
typedef struct lp_manifest_hasher {
    EVP_MD_CTX *ctx;
    unsigned char *buf; /* LP_HASH_BUF bytes */
} lp_manifest_hasher;

/* LP_OK or LP_ENOMEM (then fini is still safe). */
int lp_manifest_hasher_init(lp_manifest_hasher *h);
void lp_manifest_hasher_fini(lp_manifest_hasher *h);

/* Reads a regular file through a fixed buffer, hashing it; at most max_size
 * bytes are accepted (LP_ECHANGED beyond). Fills *size and sha256, and
 * *after (may be NULL) with the open file's fstat once read (st_mode 0 when
 * fstat failed). expect_size: the size a stat just saw (UINT64_MAX: none);
 * once that many bytes are in and fstat still says so, the file is taken as
 * read without one more read for the end of file. Messages name display.
 * Every chunk's bytes are added to rep (may be NULL), which is asked before
 * the next: LP_ECANCELED once it cancelled. h: a worker's hasher, or NULL
 * for one of this call's own. */
int lp_manifest_hash_path(lp_manifest_hasher *h, const char *path, const char *display, int si,
                          uint64_t expect_size, uint64_t max_size, uint64_t *size,
                          unsigned char sha256[32], struct stat *after,
                          struct lp_progress_reporter *rep, lp_error *err);

#endif
