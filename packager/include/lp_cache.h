/*
 * lp_cache: a small content-addressed store of built ZIPs.
 *
 * Learning a package's ZIP hash means compressing it. The caller that needs
 * the hash first (e.g. `terraform plan`) stores the ZIP it built here under
 * its content hash; the caller that needs the file later (apply) installs it
 * at the output path instead of compressing again.
 *
 * Entries are never trusted for what they claim. A file found under a key
 * may have been planted (anyone with the sources can compute the key; CI
 * systems restore cache directories), truncated or damaged, and a hash taken
 * from the file itself proves nothing. Each entry is therefore stored with a
 * MAC (HMAC-SHA256 of the key, the writer's format id,
 * the ZIP's SHA-256 and size) under a 32-byte secret that lives outside the
 * cache directory: $LAMBDAPACK_CACHE_KEY_FILE, else
 * $XDG_CONFIG_HOME/lambdapack/cache-key, else ~/.config/lambdapack/cache-key,
 * created 0600 on first use. An entry whose MAC does not verify is removed
 * and rebuilt, never returned; without a usable key, every store builds.
 * An install takes an entry only when it hashes to the SHA-256 the caller
 * expects. Any cache added later follows the same rule.
 *
 * The cache is disposable: entries older than a day and all but the newest
 * LP_CACHE_MAX_ENTRIES are pruned on each store, and so are the temporary
 * files of killed runs (own naming pattern only, older than this process).
 */
#ifndef LP_CACHE_H
#define LP_CACHE_H

#include "lp_error.h"
#include "lp_manifest.h"
#include "lp_zip.h"

#define LP_CACHE_MAX_ENTRIES 16

/* Fills *info with the hashes of m's ZIP, stored in dir (created when
 * missing) under key: an entry already there is used only when its MAC
 * verifies; otherwise it is removed and m is built, and *replaced (when not
 * NULL) is set to 1 when the removed file differed from the build (planted
 * or damaged: callers log it). */
int lp_cache_put(const char *dir, const char *key, const lp_manifest *m, int threads,
                 lp_zip_info *info, int *replaced, lp_error *err);

/* lp_cache_put building with opts (lp_zip_options: threads, progress). A
 * cancelled build (LP_ECANCELED) adds no entry and leaves no temporary file;
 * an entry that was there and did not verify stays without its MAC (it is
 * rebuilt next time); one that verified is returned without a build. */
int lp_cache_put_opts(const char *dir, const char *key, const lp_manifest *m,
                      const lp_zip_options *opts, lp_zip_info *info, int *replaced, lp_error *err);

/* Moves the entry for key to output_path (atomically: rename, or copy to a
 * temporary file beside output_path then rename), creating missing parent
 * directories, and fills *installed (when not NULL) with its hashes. The
 * entry must hash to expect_sha256 (hex), else LP_ECHANGED and nothing is
 * written. LP_ENOENT when there is no entry. */
int lp_cache_install(const char *dir, const char *key, const char *output_path,
                     const char *expect_sha256, lp_zip_info *installed, lp_error *err);

#endif
