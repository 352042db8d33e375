/*
 * lp_dist: the installed Python distributions at a package's root, read from
 * their metadata (x-1.0.dist-info/RECORD and top_level.txt,
 * x.egg-info/top_level.txt). One parser, shared by the checks ("installed":
 * present, third-party, not scanned) and the files summary ("vendored":
 * folded), so both see the same names.
 *
 * A RECORD line "pkg/mod.py,sha256=...,123" names the directory "pkg"; a
 * line "six.py,..." names the root module file "six" (the name runs to the
 * first dot); "_cffi.cpython-312-x86_64-linux-gnu.so" names "_cffi". A
 * top_level.txt line names a top-level module or package. A quoted RECORD
 * path (CSV) may hold commas; empty names, "..", names starting with
 * '.' and the metadata directories themselves are not names. Metadata files
 * that are larger than LP_DIST_METADATA_MAX or cannot be read are skipped:
 * their distribution then simply names nothing. No I/O besides reading
 * those files through the manifest.
 */
#ifndef LP_DIST_H
#define LP_DIST_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_manifest.h"

/* Longest metadata file read. */
#define LP_DIST_METADATA_MAX ((size_t)16 * 1024 * 1024)
/* Longest top-level name kept. */
#define LP_DIST_NAME_MAX 255

typedef enum lp_dist_kind {
    LP_DIST_DIR,    /* RECORD: a top-level directory ("pkg/...") */
    LP_DIST_FILE,   /* RECORD: a file at the root ("six.py"); the name is its module */
    LP_DIST_LISTED, /* top_level.txt: a top-level module or package */
} lp_dist_kind;

/* One name of a distribution; `dist` is its metadata directory, e.g.
 * "PyYAML-6.0.dist-info" (not NUL-terminated, dist_len bytes). */
typedef struct lp_dist_name {
    const char *dist;
    size_t dist_len;
    const char *name; /* not NUL-terminated */
    size_t len;       /* 1..LP_DIST_NAME_MAX */
    lp_dist_kind kind;
} lp_dist_name;

/* Returns 0 to go on, or a negative LP_E* code that stops the walk. */
typedef int (*lp_dist_fn)(void *user, const lp_dist_name *n);

/* Length of a metadata directory's name when `path` starts with one at the
 * root ("x.dist-info/..." or "x.egg-info/..."), else 0. */
size_t lp_dist_metadata_dir(const char *path);

/*
 * Calls fn for every metadata directory of m (kind LP_DIST_DIR with
 * name == dist, once per directory) and for every name its RECORD or
 * top_level.txt gives. Returns 0, LP_ENOMEM (err filled) or fn's code.
 */
int lp_dist_each(const lp_manifest *m, lp_dist_fn fn, void *user, lp_error *err);

/* Parses one metadata file's bytes (is_record: RECORD, else top_level.txt),
 * calling fn per name with dist/dist_len as given. No I/O. */
int lp_dist_parse(const char *dist, size_t dist_len, const unsigned char *d, size_t len,
                  int is_record, lp_dist_fn fn, void *user);

#endif
