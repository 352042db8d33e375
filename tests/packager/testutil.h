/*
 * testutil: helpers for the packager tests: scratch directories, writing and
 * reading files, and hand-made raw ZIPs for the hostile-input tests.
 * Every helper aborts the test (cmocka fail) on setup errors.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include "lp_manifest.h"

#include <stddef.h>
#include <stdint.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); caller frees the string
 * and removes the tree with tu_rmtree. */
char *tu_mkdtemp(void);

/* Removes a tree (like rm -rf). */
void tu_rmtree(const char *path);

/* Writes data to dir/rel (parents created) with the given mode. */
void tu_write(const char *dir, const char *rel, const char *data, unsigned mode);

/* Writes n bytes. */
void tu_write_bytes(const char *dir, const char *rel, const void *data, size_t n, unsigned mode);

/* mkdir -p dir/rel. */
void tu_mkdirs(const char *dir, const char *rel);

/* dir + "/" + rel, malloc'd. */
char *tu_path(const char *dir, const char *rel);

/* Reads a whole file into a malloc'd buffer (*n set); NULL when missing. */
unsigned char *tu_read(const char *path, size_t *n);

/* 1 when both files exist and hold the same bytes. */
int tu_same_file(const char *a, const char *b);

/* Number of entries in dir besides . and .. */
int tu_count_entries(const char *dir);

/* One entry of a raw, hand-made ZIP. */
typedef struct tu_zip_entry {
    const char *name;
    size_t name_len;  /* 0: strlen(name); more to embed NUL bytes */
    const void *data; /* the stored (or, with method 8, deflated) bytes */
    size_t len;
    uint16_t method;      /* 0 stored, 8 deflate */
    uint32_t crc;         /* used when crc_set */
    int crc_set;          /* 0: compute CRC of data (stored only) */
    uint32_t uncomp_size; /* used when size_set */
    int size_set;         /* 0: len */
    uint32_t external;    /* external attributes */
} tu_zip_entry;

/* Writes a minimal ZIP (local headers, central directory, end record) to
 * path; truncate_to > 0 cuts the file to that many bytes. Returns size. */
size_t tu_zip_raw(const char *path, const tu_zip_entry *e, size_t n, size_t truncate_to);

/* Runs a shell command; returns its exit status (or -1). */
int tu_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmocka setup/teardown: *state is a fresh temporary directory (a malloc'd
 * path), removed with everything in it afterwards. */
int tu_setup_tmpdir(void **state);
int tu_teardown_tmpdir(void **state);

/* Builds the manifest of one directory source (optional prefix) with the
 * default options; returns lp_manifest_build's result. */
int tu_build_dir(lp_manifest **m, const char *path, const char *prefix, lp_error *err);

/* The same at a given compression level (TU_DEFAULT_LEVEL: LP_SPEC_INIT's). */
#define TU_DEFAULT_LEVEL 6
int tu_build_dir_level(lp_manifest **m, const char *path, const char *prefix, int level,
                       lp_error *err);

#endif
