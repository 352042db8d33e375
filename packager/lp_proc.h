/*
 * lp_proc: runs an external tool (pip, npm) with a bounded time (internal).
 *
 * The child is started with posix_spawn (safe in the provider's threaded
 * process), in its own process group, with stdin from /dev/null, an explicit
 * environment and working directory. Its stdout and stderr are read while it
 * runs; the last LP_PROC_TAIL bytes of each are kept for diagnostics, the
 * rest is dropped. When the deadline passes the whole group is killed.
 */
#ifndef LP_PROC_H
#define LP_PROC_H

#include <stddef.h>

#include "lp_error.h"
#include "lp_progress.h"

#define LP_PROC_TAIL 4096
#define LP_PROC_POLL_MS 100 /* how often stop is asked */

typedef struct lp_proc_result {
    int exit_code;               /* exit status, or -1 when killed by a signal */
    int signal;                  /* the signal that ended it, 0 when it exited */
    int timed_out;               /* 1: killed because the deadline passed */
    int cancelled;               /* 1: killed because stop returned non-zero */
    double seconds;              /* wall-clock run time */
    char out_tail[LP_PROC_TAIL]; /* last bytes of stdout, NUL-terminated */
    char err_tail[LP_PROC_TAIL]; /* last bytes of stderr, NUL-terminated */
} lp_proc_result;

/* Finds name in the PATH of this process (or takes it as is when it contains
 * a '/'); writes the executable's path into out. Returns 0 or LP_ENOENT. */
int lp_proc_which(const char *name, char *out, size_t out_len);

/* Runs argv[0] (a path, see lp_proc_which) with argv, envp (NULL-terminated,
 * borrowed) in cwd (NULL: this process's), for at most timeout_seconds;
 * stop (may be NULL) is asked every LP_PROC_POLL_MS with phase
 * LP_PROGRESS_DEPS, and non-zero kills the group (res->cancelled).
 * Returns 0 when the child ran (whatever its exit status, see *res), LP_EIO
 * when it could not be started (err names argv[0]), LP_ENOMEM. */
int lp_proc_run(lp_proc_result *res, char *const argv[], char *const envp[], const char *cwd,
                int timeout_seconds, lp_progress_cb stop, void *stop_payload, lp_error *err);

/* The last `lines` lines of a tail (borrowed pointer into tail). */
const char *lp_proc_last_lines(const char *tail, int lines);

#endif
