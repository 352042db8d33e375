/*
 * lp_manifest: what goes into a package.
 *
 * A spec (ordered sources + options) is resolved into a manifest: the sorted
 * list of archive entries with mode, size and SHA-256, plus content_hash, a
 * SHA-256 over a canonical serialization of the entries and of the settings
 * that change the ZIP bytes (docs/internals/manifest.md). Building a manifest
 * reads and hashes every file once and writes nothing; with
 * lp_spec.defer_hashes it only selects, and lp_zip_build hashes the files
 * as it packs them.
 *
 * The spec (lp_spec, lp_source) is defined in lp_spec.h. Ownership: the spec
 * is borrowed from the caller;
 * lp_manifest_build copies what it needs. The manifest is freed with
 * lp_manifest_free.
 */
#ifndef LP_MANIFEST_H
#define LP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_spec.h"

/* What the selection's stat said of a path source: which file it was and
 * when it last changed. The packager's hash memo is keyed by it (with the
 * size), so a file selected and hashed in one pass is stat'ed once. */
typedef struct lp_file_id {
    uint64_t dev, ino;
    int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
    int valid; /* 0: not known (inline content, or read from a ZIP) */
} lp_file_id;

typedef struct lp_file {
    char *archive_path; /* e.g. "shared/logic/courses.py" */
    char *source_path;  /* filesystem path read, NULL for inline content */
    int source_index;   /* index into spec->sources */
    uint32_t mode;      /* 0644 or 0755 (0755 when the source has any x bit) */
    uint64_t size;
    unsigned char sha256[32];
    char sha256_hex[65];
    const unsigned char *content; /* inline content (owned by the manifest), else NULL */
    int is_dir;                   /* a directory entry (only with directory_entries) */
    lp_file_id id;                /* path sources: the selection's stat */
    int hash_pending;             /* 1: sha256 is not known yet (lp_spec.defer_hashes) */
} lp_file;

typedef struct lp_manifest {
    lp_file *files; /* sorted bytewise by archive_path */
    size_t n_files;
    uint64_t unzipped_size; /* sum of file sizes */
    int level;
    int directory_entries;
    char content_hash[65]; /* hex SHA-256 of the canonical serialization; "" while
                              any file's hash is pending */
    void *internal;        /* private to the packager */
} lp_manifest;

/* Resolves spec into a manifest. On success *out is set; caller frees it with
 * lp_manifest_free. On failure returns LP_E* and fills err: LP_ENOENT (field
 * "path"), LP_EGLOB ("include"/"exclude"/"excludes"), LP_ESYMLINK,
 * LP_ECOLLISION, LP_EPATH ("path"/"prefix"/"filename"), LP_EINVAL (no file
 * at all, or "level" outside 0-9), LP_EIO, LP_ELIMIT, LP_ENOMEM. */
int lp_manifest_build(lp_manifest **out, const lp_spec *spec, lp_error *err);

/* Whether some file of m waits for its hash (built with lp_spec.defer_hashes
 * and not yet completed by lp_zip_build). */
int lp_manifest_pending(const lp_manifest *m);

/* Frees a manifest. Accepts NULL. */
void lp_manifest_free(lp_manifest *m);

/* Finds an entry by archive path (binary search); NULL when absent. Borrowed. */
const lp_file *lp_manifest_find(const lp_manifest *m, const char *archive_path);

/* Reads one entry's bytes (from disk or inline) into a malloc'd buffer
 * (*buf, *len; caller frees with free()). Reads at most max_len bytes:
 * a larger file fails with LP_ELIMIT. */
int lp_manifest_read(const lp_manifest *m, const lp_file *f, size_t max_len, unsigned char **buf,
                     size_t *len, lp_error *err);

/* Writes the canonical serialization (the bytes content_hash is taken of)
 * to a malloc'd NUL-terminated string; caller frees with free(). */
int lp_manifest_canonical(const lp_manifest *m, char **out, lp_error *err);

#endif
