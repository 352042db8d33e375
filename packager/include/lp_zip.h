/*
 * lp_zip: writing, hashing, reading and verifying deterministic ZIPs.
 *
 * lp_zip_write turns a manifest into a ZIP whose bytes depend only on the
 * manifest (entries sorted, one fixed timestamp, normalized modes, no extra
 * fields). It writes to a temporary file in the target directory and renames
 * it over output_path, so a failure never leaves a partial ZIP nor destroys
 * the previous one. Each source file is read again and must still match the
 * manifest's SHA-256 (else LP_ECHANGED), or, through lp_zip_build, gives
 * the manifest its SHA-256 from the bytes packed (one read per file).
 */
#ifndef LP_ZIP_H
#define LP_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_manifest.h"
#include "lp_progress.h"

/* The writer's identity: the container layout version and the deflate
 * format (lp_deflate's LP_DEFLATE_FORMAT). The bytes lp_zip_write produces
 * are a function of the manifest and this string only; a change to any
 * byte needs a new version here. Spec: docs/internals/zip.md. */
#define LP_ZIP_WRITER "lpzip-1+lpdeflate-1"

typedef struct lp_zip_info {
    char sha256_hex[65];   /* SHA-256 of the ZIP file, hex */
    char base64sha256[45]; /* base64 of the raw digest: Lambda's CodeSha256 */
    uint64_t size;         /* ZIP size in bytes */
} lp_zip_info;

/* Builds the ZIP for m at output_path (parents created). threads <= 0 means
 * one per online CPU. Fills *info when not NULL. Layout, memory bound and
 * atomicity: docs/internals/zip.md. Errors: LP_ECHANGED (a file's size or
 * SHA-256 no longer matches m; err->path names it), LP_ENOENT (a file
 * vanished), LP_EIO (field "output_path": cannot write, output is a
 * directory), LP_EINVAL (empty manifest, bad level), LP_ENOMEM. On failure
 * the previous output_path is untouched and no temporary file is left. */
int lp_zip_write(const lp_manifest *m, const char *output_path, int threads, lp_zip_info *info,
                 lp_error *err);

#define LP_ZIP_OPTIONS_VERSION 1

/* How lp_zip_write_opts, lp_cache_put_opts and lp_zip_read_manifest_opts
 * work. */
typedef struct lp_zip_options {
    unsigned version;        /* LP_ZIP_OPTIONS_VERSION */
    int threads;             /* <= 0: one per online CPU (writing only) */
    lp_progress_cb progress; /* phase LP_PROGRESS_WRITE (or _VERIFY when reading); non-zero
                                cancels (lp_progress.h) */
    void *progress_payload;  /* passed back to progress */
} lp_zip_options;

#define LP_ZIP_OPTIONS_INIT                                                                        \
    {                                                                                              \
        .version = LP_ZIP_OPTIONS_VERSION                                                          \
    }

/* lp_zip_write with options (opts NULL: the defaults). Also LP_ECANCELED
 * (field "output_path", err->path = output_path) when opts->progress
 * returned non-zero: the previous output_path is untouched, no temporary
 * file is left and nothing was added to the store of compressed entries
 * that was not complete. LP_EINVAL for options of an unknown version, and
 * for a manifest whose hashes are pending (lp_zip_build writes those). */
int lp_zip_write_opts(const lp_manifest *m, const char *output_path, const lp_zip_options *opts,
                      lp_zip_info *info, lp_error *err);

/* lp_zip_write_opts for a manifest that may still wait for its hashes
 * (lp_spec.defer_hashes): each pending file is read once, and its SHA-256
 * is taken from the very bytes that are packed, so the manifest cannot
 * disagree with the ZIP; once every entry is written the manifest is
 * completed (sha256, sha256_hex, content_hash) before the ZIP is renamed
 * into place. Files whose hash is known are checked against it as by
 * lp_zip_write_opts. On failure m is left as it was (pending). A file whose
 * size changed since the selection is LP_ECHANGED. */
int lp_zip_build(lp_manifest *m, const char *output_path, const lp_zip_options *opts,
                 lp_zip_info *info, lp_error *err);

/* Hashes an existing file (any file) into *info. LP_ENOENT when missing. */
int lp_zip_hash_file(const char *path, lp_zip_info *info, lp_error *err);

/* Reads an existing ZIP into a manifest: every entry's bytes are inflated,
 * CRC-checked and SHA-256 hashed; modes come from the external attributes.
 * content_hash is computed as for a built manifest with the given level.
 * Hostile input (.. or absolute names, lying sizes, truncation) gives
 * LP_EZIP or LP_EPATH, never a crash or an unbounded allocation: LP_EPATH
 * (err->path = the entry name) for unsafe names; LP_EZIP for corrupt,
 * truncated, encrypted, duplicate, symlink entries or sizes that differ from
 * the data; LP_ELIMIT beyond 200,000 entries or 1 GiB declared in total;
 * LP_ENOENT/LP_EIO when the file cannot be read. Nothing is written.
 * Caller frees *out with lp_manifest_free. */
int lp_zip_read_manifest(lp_manifest **out, const char *zip_path, int level, lp_error *err);

/* lp_zip_read_manifest with options (opts NULL: the defaults): progress is
 * told about the second pass (phase LP_PROGRESS_VERIFY: entries and bytes
 * inflated), and a non-zero return stops it with LP_ECANCELED (err->path =
 * zip_path). */
int lp_zip_read_manifest_opts(lp_manifest **out, const char *zip_path, int level,
                              const lp_zip_options *opts, lp_error *err);

typedef enum lp_diff_kind {
    LP_DIFF_MISSING, /* expected, not in the ZIP */
    LP_DIFF_EXTRA,   /* in the ZIP, not expected */
    LP_DIFF_CHANGED, /* content differs */
    LP_DIFF_MODE,    /* same content, mode differs */
} lp_diff_kind;

typedef struct lp_diff {
    lp_diff_kind kind;
    char *archive_path;
    uint32_t expected_mode, actual_mode;
    char expected_sha256[65], actual_sha256[65];
} lp_diff;

typedef struct lp_diff_list {
    lp_diff *items; /* sorted by archive_path */
    size_t n;
} lp_diff_list;

/* Compares two manifests (expected vs actual). Caller frees *out with
 * lp_diff_list_free. An empty list means they match. */
int lp_manifest_diff(lp_diff_list **out, const lp_manifest *expected, const lp_manifest *actual,
                     lp_error *err);

void lp_diff_list_free(lp_diff_list *d);

#endif
