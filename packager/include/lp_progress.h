/*
 * lp_progress: how a long packager operation reports progress and how its
 * caller stops it.
 *
 * The operations that read or compress every file take a callback in their
 * options: lp_manifest_build (lp_spec.progress), lp_zip_write_opts,
 * lp_cache_put_opts and lp_zip_read_manifest_opts (lp_zip_options.progress),
 * lp_deps_install (lp_deps_request.stop, asked while a tool runs).
 * The packager calls it with
 * the phase and the counts so far; a non-zero return cancels the operation,
 * which then returns LP_ECANCELED after removing what it had started to
 * write (no output, no temporary file, no cache entry, no store entry).
 *
 * When the callback runs:
 *   - never from two threads at once, but possibly from any of the
 *     operation's threads (a worker, or the caller's thread): it must not
 *     assume thread-local state and must be quick (it holds up one worker);
 *   - once when a phase starts (counts 0), at most about every
 *     LP_PROGRESS_INTERVAL_MS while work advances, and once when the phase
 *     has finished (done == total), before anything is renamed into place;
 *   - the counts it sees only grow within a phase.
 * Cancelling is observed by every worker before its next file and, inside
 * a file, before its next chunk (LP_HASH_BUF or the ZIP writer's read
 * buffer), so a cancelled operation stops within about one chunk per
 * worker.
 */
#ifndef LP_PROGRESS_H
#define LP_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Most often the callback is called while work advances. */
#define LP_PROGRESS_INTERVAL_MS 50

typedef enum lp_progress_phase {
    LP_PROGRESS_SELECT = 1, /* walking the sources (totals 0; files_done at the end) */
    LP_PROGRESS_HASH = 2,   /* reading and hashing every selected file */
    LP_PROGRESS_WRITE = 3,  /* compressing the entries and writing the ZIP */
    LP_PROGRESS_VERIFY = 4, /* reading a ZIP back: inflating and hashing every entry */
    LP_PROGRESS_DEPS = 5,   /* a dependency install: pip or npm runs (counts stay 0) */
} lp_progress_phase;

typedef struct lp_progress {
    lp_progress_phase phase;
    size_t files_done; /* files finished (directory entries are not counted) */
    size_t files_total;
    uint64_t bytes_done; /* bytes of file content read, hashed or compressed */
    uint64_t bytes_total;
    const char *path; /* the ZIP being written (WRITE) or read (VERIFY), else NULL; borrowed */
} lp_progress;

/* Returns 0 to go on, anything else to cancel. p is borrowed for the call;
 * payload is the caller's, passed back untouched. */
typedef int (*lp_progress_cb)(const lp_progress *p, void *payload);

#endif
