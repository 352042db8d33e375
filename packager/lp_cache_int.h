/*
 * lp_cache_int: what lp_cache shares with the other stores of the packager
 * (internal).
 */
#ifndef LP_CACHE_INT_H
#define LP_CACHE_INT_H

/* The 32-byte MAC secret kept outside every cache directory (lp_cache.h:
 * $LAMBDAPACK_CACHE_KEY_FILE, else $XDG_CONFIG_HOME/lambdapack/cache-key,
 * else ~/.config/lambdapack/cache-key; created 0600 on first use). Returns 0
 * when a key is available. */
int lp_cache_secret(unsigned char key[32]);

#endif
