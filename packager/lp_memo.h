/*
 * lp_memo: a per-process memo of file hashes, keyed by what stat(2) says of
 * the file (internal).
 *
 * A provider process serves one Terraform operation: twenty packages that
 * share `shared/` would otherwise hash those files twenty times in one plan.
 * The memo maps (st_dev, st_ino, st_size, st_mtim, st_ctim) to the SHA-256
 * this process itself computed from the file's bytes; it lives in memory
 * only, so nothing outside the process can plant an entry, and it dies with
 * the process (the apply, a separate process, hashes again).
 *
 * An entry is only ever recorded when (a) the file's stat is the same before
 * and after it was read, and (b) both its mtime and ctime are at least
 * LP_MEMO_SETTLE_SEC older than the moment hashing started. (b) is git's
 * "racy index" rule: every write moves ctime forward, but timestamps are
 * coarse (a clock tick), so a file written in the same tick as it was read
 * could change without its stat changing; a file last touched seconds before
 * the read cannot. Files with timestamps in the future are never recorded.
 */
#ifndef LP_MEMO_H
#define LP_MEMO_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#define LP_MEMO_SETTLE_SEC 2
#define LP_MEMO_MAX_ENTRIES ((size_t)1 << 21)

/* Copies the recorded SHA-256 of the file st describes into sha256 and
 * returns true, or returns false when there is none. Thread-safe. */
bool lp_memo_get(const struct stat *st, unsigned char sha256[32]);

/* Records sha256 for the file whose stat was `before` when hashing began at
 * `started` (CLOCK_REALTIME) and `after` once its bytes were read, when the
 * rules above allow it; otherwise does nothing. Thread-safe. */
void lp_memo_put(const struct stat *before, const struct stat *after,
                 const struct timespec *started, const unsigned char sha256[32]);

/* Forgets every entry (tests). */
void lp_memo_clear(void);

#endif
