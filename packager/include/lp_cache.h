/*
 * lp_cache: a small content-addressed store of built ZIPs.
 *
 * Learning a package's ZIP hash means compressing it. The caller that needs
 * the hash first (e.g. `terraform plan`) stores the ZIP it built here under
 * its content hash; the caller that needs the file later (apply) installs it
 * at the output path instead of compressing again. Entries are verified by
 * re-hashing on every lookup, so a damaged entry is a miss, never a wrong ZIP.
 *
 * The cache is disposable: entries older than a day and all but the newest
 * LP_CACHE_MAX_ENTRIES are pruned on each store.
 */
#ifndef LP_CACHE_H
#define LP_CACHE_H

#include "lp_error.h"
#include "lp_manifest.h"
#include "lp_zip.h"

#define LP_CACHE_MAX_ENTRIES 16

/* Looks up key (a lowercase hex content hash) in dir. Returns 0 and fills
 * *info when present and readable, LP_ENOENT when absent, LP_EINVAL for a key
 * that is not hex. */
int lp_cache_get(const char *dir, const char *key, lp_zip_info *info, lp_error *err);

/* Builds m's ZIP into dir (created when missing) under key and fills *info.
 * An entry already present is rebuilt only when unreadable. */
int lp_cache_put(const char *dir, const char *key, const lp_manifest *m, int threads,
                 lp_zip_info *info, lp_error *err);

/* Moves the entry for key to output_path (atomically: rename, or copy to a
 * temporary file beside output_path then rename), creating missing parent
 * directories, and fills *installed (when not NULL) with its hashes. The
 * entry must hash to expect_sha256 (hex), else LP_ECHANGED and nothing is
 * written. LP_ENOENT when there is no entry. */
int lp_cache_install(const char *dir, const char *key, const char *output_path,
                     const char *expect_sha256, lp_zip_info *installed, lp_error *err);

#endif
