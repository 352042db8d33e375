/*
 * lp_deps: third-party dependencies installed from a lock file into a
 * verified, shared cache, ready to be packaged as one more path source.
 *
 * Two installers:
 *   pip  requirements*.txt, as `python3 -m pip install --target` for the
 *        runtime's Python version, ABI and Amazon Linux manylinux tags
 *        (wheels only, never sdists);
 *   npm  package-lock.json (package.json beside it), as `npm ci --omit=dev
 *        --ignore-scripts` for linux and the architecture's CPU.
 * What the tools write that is not reproducible is removed (pip: INSTALLER,
 * REQUESTED, direct_url.json, bin/ and their RECORD lines, __pycache__/,
 * *.pyc; npm: node_modules/.package-lock.json, every .bin/; both: symlinks).
 *
 * The installed tree is cached under a key (lp_deps_key): the SHA-256 of the
 * lock file (and package.json), the tool and its version, runtime,
 * architecture, index settings and LP_DEPS_FORMAT. An entry is a directory
 * <dir>/<key>/ with tree/ and MANIFEST (path, mode, size, SHA-256 of every
 * file); it is built in a temporary directory and renamed into place, and it
 * is re-hashed against MANIFEST on every use: an entry that does not match
 * is removed and installed again. A warm lookup runs no tool.
 *
 * Knows nothing of Terraform. Docs: docs/guides/dependencies.md.
 */
#ifndef LP_DEPS_H
#define LP_DEPS_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_manifest.h"
#include "lp_progress.h"

#define LP_DEPS_FORMAT 1
#define LP_DEPS_REQUEST_VERSION 1
#define LP_DEPS_DEFAULT_TIMEOUT 900 /* seconds for one install */
#define LP_DEPS_MAX_ENTRIES 16      /* pruning: newest entries kept */

typedef enum lp_deps_tool {
    LP_DEPS_PIP = 1,
    LP_DEPS_NPM = 2,
} lp_deps_tool;

typedef struct lp_deps_request {
    unsigned version;              /* LP_DEPS_REQUEST_VERSION */
    const char *file;              /* requirements*.txt or package-lock.json */
    const char *runtime;           /* "python3.12", "nodejs20.x" */
    const char *architecture;      /* "x86_64" or "arm64"; NULL = "x86_64" */
    const char *index_url;         /* NULL: the tool's default; "": no index (pip) */
    const char *const *find_links; /* pip only: directories of wheels */
    size_t n_find_links;
    const char *cache_dir; /* where entries live (created when missing) */
    int timeout_seconds;   /* <= 0: LP_DEPS_DEFAULT_TIMEOUT */
    int index;             /* copied into lp_error.source_index */
    /* Called (when set) before a tool runs, e.g. for CLI progress. */
    void (*progress)(void *payload, const char *message);
    void *payload;
    /* Asked (when set) about every LP_PROC_POLL_MS while a tool runs (phase
     * LP_PROGRESS_DEPS); non-zero kills the tool's process group and the
     * install fails with LP_ECANCELED, adding nothing to the cache. */
    lp_progress_cb stop;
    void *stop_payload;
} lp_deps_request;

#define LP_DEPS_REQUEST_INIT                                                                       \
    {                                                                                              \
        .version = LP_DEPS_REQUEST_VERSION, .index = -1                                            \
    }

typedef struct lp_deps_result {
    char *tree; /* the installed tree (inside the cache); caller frees */
    lp_deps_tool tool;
    int cache_hit;            /* 1: found and verified, no tool ran */
    double seconds;           /* time of the install (0 on a hit) */
    size_t n_files;           /* files in the tree */
    char key[65];             /* cache key, hex */
    int unpinned;             /* pip: requirement lines without == (0 for npm) */
    char unpinned_first[128]; /* the first of them, for messages */
} lp_deps_result;

/* Detects the tool from the file name: package-lock.json or
 * npm-shrinkwrap.json -> npm, *.txt -> pip; 0 when neither. */
lp_deps_tool lp_deps_tool_for(const char *file);

/*
 * Installs (or finds in the cache) the dependencies of req. On success fills
 * *res (free with lp_deps_result_free). Errors (err->source_index =
 * req->index, err->field names the request field):
 *   LP_EINVAL  runtime or architecture that does not fit the file ("file");
 *   LP_ENOENT  the file (or package.json beside it) is missing ("file"), or
 *              the tool is not installed (message says what to install);
 *   LP_EIO     the tool failed or timed out: the message holds the last lines
 *              of its stderr; or the cache cannot be written;
 *   LP_ECANCELED  req->stop returned non-zero: the tool was killed;
 *   LP_ENOMEM.
 * Nothing half-installed is left in the cache.
 */
int lp_deps_install(lp_deps_result *res, const lp_deps_request *req, lp_error *err);

/* Frees what lp_deps_install put into res. Accepts NULL. */
void lp_deps_result_free(lp_deps_result *res);

/* The machine-wide cache directory: $LAMBDAPACK_CACHE_DIR/deps when set,
 * else $XDG_CACHE_HOME/lambdapack/deps, else $HOME/.cache/lambdapack/deps
 * (else /tmp/lambdapack-deps-<uid>). Returns 0 or LP_EINVAL (too long). */
int lp_deps_default_cache_dir(char *out, size_t out_len);

/* The installed dependencies of a package, and the spec that adds them. */
typedef struct lp_deps_set {
    lp_deps_result *results; /* one per dependency */
    size_t n;
    lp_source *sources; /* base sources, then one path source per dependency */
    size_t n_base;      /* how many of sources are the base spec's */
    lp_spec spec;       /* base spec with sources replaced; borrows this set */
} lp_deps_set;

/*
 * Installs every dependency with the runtime, architecture, cache directory,
 * timeout and progress callback of common (its file and index fields are
 * ignored), and builds a spec that is base plus one path source per
 * dependency (its tree under its prefix). On failure err->source_index is
 * the index of the failing dependency. Caller frees *out with
 * lp_deps_set_free; out->spec borrows both *out and base.
 */
int lp_deps_install_all(lp_deps_set **out, const lp_spec *base, const lp_dependency *deps, size_t n,
                        const lp_deps_request *common, lp_error *err);

/* Frees a set. Accepts NULL. */
void lp_deps_set_free(lp_deps_set *set);

#endif
