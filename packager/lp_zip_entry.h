/*
 * lp_zip_entry: one ZIP entry's data, from a manifest file to the bytes a
 * ZIP holds (internal).
 *
 * lp_zip_entry_build streams the file through a fixed buffer: every chunk is
 * hashed (SHA-256, checked against the manifest at the end: LP_ECHANGED
 * otherwise, or handed back when the manifest's hash is still pending),
 * CRC-32'd and fed to lp_deflate; the compressed stream is
 * decoded again by an independent decoder (libdeflate's, once complete, up
 * to 4 MiB; zlib's, as it comes out, beyond) and its
 * size and CRC-32 compared with the input's (a mismatch is LP_EINTERNAL).
 * The resulting bytes stay in memory up to LP_ZIP_ENTRY_SPILL and go to an
 * unnamed temporary file beyond, so memory per worker is a constant whatever
 * the file size. The bytes depend only on the file's content and the level.
 */
#ifndef LP_ZIP_ENTRY_H
#define LP_ZIP_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_manifest.h"

/* Entry data kept in memory; beyond it, in a temporary file. */
#define LP_ZIP_ENTRY_SPILL ((size_t)16 << 20)

/* The largest file lp_zip_entry_read_small reads whole (its buffer is the
 * worker's read buffer, one byte larger). */
#define LP_ZIP_ENTRY_SMALL ((size_t)256 * 1024 - 1)

typedef struct lp_zip_entry {
    uint64_t size;      /* uncompressed size */
    uint64_t comp_size; /* bytes of data */
    uint32_t crc;       /* CRC-32 of the uncompressed bytes */
    int deflated;       /* 1: method 8 (lp_deflate), 0: method 0 (stored) */
    unsigned char *mem; /* the data when fd < 0 */
    size_t mem_cap;
    int fd; /* the data in an unlinked temporary file, or -1 */
} lp_zip_entry;

/* Per-thread state: a deflate stream, the verifying inflater, buffers. */
typedef struct lp_zip_entry_ctx lp_zip_entry_ctx;

/* spill_dir: where temporary files go (the output's directory). NULL when
 * memory is short. */
lp_zip_entry_ctx *lp_zip_entry_ctx_new(const char *spill_dir);
void lp_zip_entry_ctx_free(lp_zip_entry_ctx *c);

struct lp_progress_reporter;
/* Bytes read are added to r, which is asked before every chunk: a cancel
 * makes lp_zip_entry_build fail with LP_ECANCELED. r NULL: none. */
void lp_zip_entry_ctx_set_progress(lp_zip_entry_ctx *c, struct lp_progress_reporter *r);

/* Builds f's entry data at level (0: stored; empty files are stored at
 * every level). The bytes read are SHA-256'd: the digest must be expect
 * (LP_ECHANGED otherwise) when expect is not NULL, and goes to got when got
 * is not NULL; with both NULL (the bytes are f->content, hashed by the
 * caller) nothing is hashed. On success *out holds the data (release it
 * with lp_zip_entry_release). Errors: LP_ECHANGED (also when the size is
 * no longer f->size), LP_ENOENT, LP_EIO, LP_ENOMEM, LP_ECANCELED,
 * LP_EINTERNAL (the encoder's output did not decode to the input). */
int lp_zip_entry_build(lp_zip_entry_ctx *c, const lp_file *f, int level,
                       const unsigned char expect[32], unsigned char got[32], lp_zip_entry *out,
                       lp_error *err);

/* Reads path source f (at most LP_ZIP_ENTRY_SMALL bytes) whole, counting
 * its bytes as read: *data points to them inside c (valid until c's next
 * use) and sha256 receives their digest, so that the store can be asked
 * for the entry before it is compressed from memory. LP_ECHANGED when the
 * file's size is no longer f->size; LP_ENOENT, LP_EIO, LP_ECANCELED. */
int lp_zip_entry_read_small(lp_zip_entry_ctx *c, const lp_file *f, const unsigned char **data,
                            unsigned char sha256[32], lp_error *err);

/* The safety net of an entry of at most 4 MiB, once built: decodes its
 * deflated data (in memory) again in one call to libdeflate's decompressor
 * and compares the result's size and CRC-32 with e->size and e->crc.
 * Returns 0 when they agree, 1 when not (an encoder bug), -1 when the
 * check buffer cannot grow. lp_zip_entry_build calls it; larger entries
 * are checked by zlib as they are written. */
int lp_zip_entry_check_whole(lp_zip_entry_ctx *c, const lp_zip_entry *e);

/* Copies up to n bytes of the entry's data from offset off; returns the
 * count (0 at the end) or -1. */
int64_t lp_zip_entry_read(const lp_zip_entry *e, uint64_t off, void *buf, size_t n);

/* Frees the data (memory or temporary file); the sizes and CRC stay. */
void lp_zip_entry_release(lp_zip_entry *e);

#endif
