/*
 * lp_progress_int: the reporter behind lp_progress.h (internal).
 *
 * One reporter per phase of an operation. Worker threads add what they
 * finished (lock-free counters) and ask whether to stop (one atomic load);
 * the reporter calls the user's callback under a mutex taken with trylock,
 * so at most one thread is in it and none waits for it, at most every
 * LP_PROGRESS_INTERVAL_MS. Once the callback returned non-zero, every later
 * question answers "stop". A reporter without a callback never stops and
 * costs a few atomic adds.
 */
#ifndef LP_PROGRESS_INT_H
#define LP_PROGRESS_INT_H

#include "lp_progress.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct lp_progress_reporter {
    lp_progress_cb cb; /* NULL: report nothing, never cancel */
    void *payload;
    lp_progress_phase phase;
    size_t files_total;
    uint64_t bytes_total;
    const char *path;
    atomic_size_t files_done;
    atomic_uint_fast64_t bytes_done;
    atomic_int cancelled;
    atomic_int_fast64_t next_ns; /* CLOCK_MONOTONIC time of the next allowed call */
    pthread_mutex_t mu;          /* held while the callback runs */
} lp_progress_reporter;

/* Sets up r for one phase and makes the phase's first call (counts 0).
 * Returns 1 when that call cancelled. cb may be NULL. */
int lp_progress_begin(lp_progress_reporter *r, lp_progress_cb cb, void *payload,
                      lp_progress_phase phase, size_t files_total, uint64_t bytes_total,
                      const char *path);

/* Adds finished work and, when the interval has passed and no other thread
 * is in the callback, calls it. Returns 1 when the operation is cancelled
 * (now or before). Any thread. */
int lp_progress_add(lp_progress_reporter *r, size_t files, uint64_t bytes);

/* 1 once the callback has cancelled. Any thread; one atomic load. */
int lp_progress_cancelled(const lp_progress_reporter *r);

/* The phase's last call, whatever the interval (waits for a callback in
 * progress). Returns 1 when cancelled (now or before). */
int lp_progress_end(lp_progress_reporter *r);

/* Releases r's mutex. */
void lp_progress_fini(lp_progress_reporter *r);

#endif
