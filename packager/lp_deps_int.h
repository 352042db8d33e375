/*
 * lp_deps_int: what the parts of lp_deps share (include/lp_deps.h is the
 * contract). lp_deps.c holds the entry points, the request's inputs, the
 * cache key and the helpers below; lp_deps_tool.c finds pip and npm and runs
 * them; lp_deps_pip.c and lp_deps_npm.c are the two installers and what
 * they strip; lp_deps_entry.c the cache entries (MANIFEST, MAC,
 * verification, pruning). Private to the packager (and its tests).
 */
#ifndef LP_DEPS_INT_H
#define LP_DEPS_INT_H

#include <limits.h>
#include <stddef.h>

#include "lp_deps.h"

#define LP_DEPS_LOCK_MAX (64u * 1024 * 1024) /* lock files, MANIFESTs, RECORDs */
#define LP_DEPS_ENTRY_MAX_AGE (24 * 60 * 60) /* entries and version memos */
#define LP_DEPS_TAG_MAX 40
#define LP_DEPS_MAX_TAGS 40

/* ---- helpers (lp_deps.c) ---- */

/* Fills err (source_index from req) and returns code. */
int lp_deps_err(lp_error *err, int code, int sys_errno, const lp_deps_request *req,
                const char *field, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Reads a whole file of at most max bytes into *buf (NUL-terminated, caller
 * frees). 0, or -errno (-EFBIG past max). */
int lp_deps_read_file(const char *path, size_t max, char **buf, size_t *len);

void lp_deps_sha256_hex(const void *data, size_t n, char out[65]);

/* out = "a/b"; -1 when it does not fit. */
int lp_deps_join(char *out, size_t len, const char *a, const char *b);

/* rm -rf of a directory we created (never follows symlinks). 0 when
 * nothing is left (or nothing was there), else the negative errno of the
 * first failure; cleanups may ignore it. */
int lp_deps_remove_tree(const char *path);

/* The directory part of file ("." when there is none); -1 when too long. */
int lp_deps_dirname(const char *file, char *out, size_t len);

int lp_deps_ends_with(const char *s, const char *suffix);

/* ---- the tools (lp_deps_tool.c) ---- */

/* The executable and the version line of the tool. */
typedef struct lp_deps_tool_info {
    char exe[PATH_MAX];
    char version[256];
} lp_deps_tool_info;

/* An argument vector of borrowed strings (store: room for platform tags). */
typedef struct lp_deps_argv {
    char *v[128];
    size_t n;
    char store[LP_DEPS_MAX_TAGS][LP_DEPS_TAG_MAX];
} lp_deps_argv;

const char *lp_deps_tool_name(lp_deps_tool t);

/* Finds the tool and its version (remembered per executable under
 * req->cache_dir for a day). LP_ENOENT when missing or not running. */
int lp_deps_tool_find(lp_deps_tool_info *t, const lp_deps_request *req, lp_deps_tool tool,
                      lp_error *err);

/* Runs argv in cwd with the tools' environment; a failure or timeout
 * becomes LP_EIO holding the last lines of its stderr. */
int lp_deps_tool_run(const lp_deps_request *req, lp_deps_tool tool, char **argv, const char *cwd,
                     double *seconds, lp_error *err);

/* Appends s (borrowed) to a; silently full at 127 arguments. */
void lp_deps_tool_arg(lp_deps_argv *a, const char *s);

/* pip's and npm's names of a Lambda architecture (NULL = x86_64); -1 for
 * another one. */
int lp_deps_tool_arch(const char *architecture, const char **pip_arch, const char **npm_cpu);

/* Removes symlinks, and for pip __pycache__/ and *.pyc, for npm .bin/.
 * 0, or the negative errno of the first failure (a directory that cannot
 * be opened, a file that cannot be removed): a tree with them left in is
 * not to be installed. */
int lp_deps_tool_strip(const char *dir, lp_deps_tool tool);

/* ---- the installers (lp_deps_pip.c, lp_deps_npm.c) ---- */

/*
 * Counts the requirement lines of a requirements file's content that are not
 * pinned with == (or ===); *first gets the first of them (up to first_len).
 * *hashes is set to 1 when any line carries --hash. Pure. -1 when out of
 * memory (*hashes is then unknown).
 */
int lp_deps_pip_unpinned(const char *text, size_t len, int *hashes, char *first, size_t first_len);

/*
 * The manylinux platform tags the Amazon Linux of a Python runtime supports
 * for an architecture, newest first, into tags[0..*n). Python 3.8-3.11 run
 * on Amazon Linux 2 (glibc 2.26), 3.12 and later on Amazon Linux 2023
 * (glibc 2.34). The legacy aliases (manylinux2014, 2010, 1) follow the tag
 * they alias. Returns 0, or LP_EINVAL for a runtime that is not a Python one
 * or an architecture other than x86_64 and arm64.
 */
int lp_deps_platform_tags(const char *runtime, const char *architecture,
                          char tags[][LP_DEPS_TAG_MAX], size_t max, size_t *n);

/* pip install --target tree (wheels for the runtime's platform only), then
 * strips what is not reproducible. */
int lp_deps_pip_install(const lp_deps_request *req, const lp_deps_tool_info *t, const char *tree,
                        int hashes, double *seconds, lp_error *err);

/* npm ci in tmp/work on copies of the lock file and pkg_json, then moves
 * node_modules into tree and strips what is not reproducible. */
int lp_deps_npm_install(const lp_deps_request *req, const lp_deps_tool_info *t, const char *tmp,
                        const char *tree, const char *pkg_json, double *seconds, lp_error *err);

/* ---- cache entries (lp_deps_entry.c) ---- */

/* The MANIFEST text of a tree (malloc'd), or NULL with *bad set when the tree
 * holds something other than directories and regular files, or NULL with
 * *bad 0 when out of memory. */
char *lp_deps_entry_manifest(const char *tree, int *bad, size_t *n_files);

/* Writes <dir>/MAC for key and the MANIFEST text. 0, -ENOMEM, or -1 (no
 * secret, or the file cannot be written: see errno). */
int lp_deps_entry_mac_write(const char *dir, const char *key, const char *manifest);

/* 1 when the entry's MAC binds its key (the entry's name) to its MANIFEST and
 * its tree still matches that MANIFEST. */
int lp_deps_entry_verify(const char *entry, size_t *n_files);

/* Moves an entry aside and deletes it (a rename first, so that no reader
 * ever sees it half-deleted under its key). */
void lp_deps_entry_discard(const char *dir, const char *entry);

/* Removes leftovers, entries unused for a day and all but the newest
 * LP_DEPS_MAX_ENTRIES. Best effort. */
void lp_deps_entry_prune(const char *dir);

#endif
