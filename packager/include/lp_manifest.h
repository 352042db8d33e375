/*
 * lp_manifest: what goes into a package.
 *
 * A spec (ordered sources + options) is resolved into a manifest: the sorted
 * list of archive entries with mode, size and SHA-256, plus content_hash, a
 * SHA-256 over a canonical serialization of the entries and of the settings
 * that change the ZIP bytes (docs/internals/manifest.md). Building a manifest
 * reads and hashes every file once and writes nothing.
 *
 * Ownership: lp_spec and lp_source are borrowed views owned by the caller;
 * lp_manifest_build copies what it needs. The manifest is freed with
 * lp_manifest_free.
 */
#ifndef LP_MANIFEST_H
#define LP_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"

/* One source: either a filesystem path (dir taken recursively, or a file),
 * or inline content with an archive filename. */
typedef struct lp_source {
    const char *path;           /* file or directory; NULL for inline content */
    const char *prefix;         /* archive prefix ("shared", "python/lib"); NULL or "" for none */
    const char *const *include; /* globs; when n_include > 0 only matching files are taken */
    size_t n_include;
    const char *const *exclude; /* globs, added to the spec-wide excludes */
    size_t n_exclude;
    const char *content; /* inline content (may contain NUL); NULL for a path source */
    size_t content_len;
    const char *filename; /* archive path of the inline content */
} lp_source;

#define LP_SPEC_VERSION 1

typedef struct lp_spec {
    unsigned version; /* LP_SPEC_VERSION */
    const lp_source *sources;
    size_t n_sources;
    const char *const *excludes; /* globs applied to every path source */
    size_t n_excludes;
    int default_excludes; /* 1: also exclude __pycache__/, *.pyc, .git/, .DS_Store, .terraform/ */
    int level;            /* deflate level 0-9; 0 = stored */
    int allow_external_symlinks; /* 1: follow links whose target leaves the source root */
    int directory_entries;       /* 1: write directory entries too */
    const char *output_path;     /* when inside a source, it is never packaged; may be NULL */
    const char *base_dir;        /* relative paths are resolved against it; NULL = cwd */
    int threads; /* worker threads hashing files; <= 0: one per online CPU (added field) */
} lp_spec;

#define LP_SPEC_INIT                                                                               \
    {                                                                                              \
        LP_SPEC_VERSION, NULL, 0, NULL, 0, 1, 6, 0, 0, NULL, NULL, 0                               \
    }

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
} lp_file;

typedef struct lp_manifest {
    lp_file *files; /* sorted bytewise by archive_path */
    size_t n_files;
    uint64_t unzipped_size; /* sum of file sizes */
    int level;
    int directory_entries;
    char content_hash[65]; /* hex SHA-256 of the canonical serialization */
    void *internal;        /* private to the packager */
} lp_manifest;

/* Resolves spec into a manifest. On success *out is set; caller frees it with
 * lp_manifest_free. On failure returns LP_E* and fills err: LP_ENOENT (field
 * "path"), LP_EGLOB ("include"/"exclude"/"excludes"), LP_ESYMLINK,
 * LP_ECOLLISION, LP_EPATH ("path"/"prefix"/"filename"), LP_EINVAL (no file
 * at all, or "level" outside 0-9), LP_EIO, LP_ELIMIT, LP_ENOMEM. */
int lp_manifest_build(lp_manifest **out, const lp_spec *spec, lp_error *err);

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
