/*
 * lp_store: the machine's store of compressed entry data (internal).
 *
 * Compressing is most of a build's cost, and most builds change a few files.
 * The store keeps, for each file content ever deflated here, the deflate
 * stream and CRC-32 that lp_zip_write made of it, keyed by the content's
 * SHA-256, the compression level and the compressor's identity
 * (LP_STORE_FORMAT plus LP_DEFLATE_FORMAT, the frozen encoder's format: a
 * compressor that may emit other bytes never shares entries). Every package, every run
 * and both lambdapack and the provider share it, so a rebuild costs the
 * changed bytes plus the container write.
 *
 * Where: $LAMBDAPACK_STORE_DIR, else $XDG_CACHE_HOME/lambdapack/store, else
 * ~/.cache/lambdapack/store; LAMBDAPACK_STORE=off (or lp_store_disable,
 * `lambdapack build --no-cache`) turns it off. Size: at most
 * $LAMBDAPACK_STORE_MAX_MB (default 2048) MiB; least recently used entries
 * (by mtime, refreshed on use) are pruned once a run has added enough.
 *
 * Trust: an entry is never believed for what its name claims. Anyone who
 * can write the directory, or restore it from a CI cache, can plant a file
 * under any name. Each entry carries an HMAC-SHA256 over the key (content
 * SHA-256, level, compressor), the sizes, the CRC and the compressed bytes,
 * under the 32-byte secret lp_cache keeps outside every cache directory
 * (lp_cache.h). An entry is used only when its MAC verifies; otherwise it is
 * removed and the file is compressed from its bytes. Without a secret there
 * is no store. Only entries this machine's own builds made, from bytes whose
 * SHA-256 they had just checked, can verify.
 */
#ifndef LP_STORE_H
#define LP_STORE_H

#include <stddef.h>
#include <stdint.h>

#define LP_STORE_FORMAT 1
#define LP_STORE_DEFAULT_MAX_MB 2048

typedef struct lp_store lp_store;

/* The process's store, opened on first use; NULL when it is off or cannot
 * be used (no directory, no secret). Thread-safe. */
lp_store *lp_store_default(void);

/* Turns the process's store off (before its first use). */
void lp_store_disable(void);

/* The deflate stream stored for (sha256, raw_size, level): 0 with *data (a
 * malloc'd buffer, caller frees), *len and *crc set; -1 when there is none
 * that verifies (a failing entry is removed). Thread-safe. */
int lp_store_get(lp_store *s, const unsigned char sha256[32], uint64_t raw_size, int level,
                 unsigned char **data, size_t *len, uint32_t *crc);

/* Stores a deflate stream of the content whose SHA-256 the caller has just
 * checked. Best effort: failures are ignored. Thread-safe. */
void lp_store_put(lp_store *s, const unsigned char sha256[32], uint64_t raw_size, int level,
                  const unsigned char *data, size_t len, uint32_t crc);

/* Prunes least recently used entries when this process has added enough
 * since the last pruning. Call after a build. */
void lp_store_maintain(lp_store *s);

#endif
