/*
 * lp_cache_int: what lp_cache shares with the other stores of the packager
 * (internal).
 */
#ifndef LP_CACHE_INT_H
#define LP_CACHE_INT_H

#include "lp_cache.h"

/* The 32-byte MAC secret kept outside every cache directory (lp_cache.h:
 * $LAMBDAPACK_CACHE_KEY_FILE, else $XDG_CONFIG_HOME/lambdapack/cache-key,
 * else ~/.config/lambdapack/cache-key; created 0600 on first use). Returns 0
 * when a key is available. */
int lp_cache_secret(unsigned char key[32]);

/* The hashes of the file stored under key (a lowercase hex content hash) in
 * dir, as found: LP_ENOENT when absent, LP_EINVAL for a key that is not
 * hex. This says nothing about whether the entry is the package of key;
 * never use it in place of a build (the tests use it to look inside). */
int lp_cache_get(const char *dir, const char *key, lp_zip_info *info, lp_error *err);

#endif
