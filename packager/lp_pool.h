/*
 * lp_pool: the packager's one worker pool (hashing in lp_manifest,
 * compression in lp_zip_write). It only starts and joins threads; the work
 * queue belongs to the caller, whose workers take items until none is left.
 */
#ifndef LP_POOL_H
#define LP_POOL_H

#include <pthread.h>
#include <stddef.h>

/* Most threads a pool runs, whatever `threads` asks for. */
#define LP_POOL_MAX_THREADS 64

typedef struct lp_pool {
    pthread_t tids[LP_POOL_MAX_THREADS];
    int started;
} lp_pool;

/* Threads to use: `requested` (<= 0: one per online CPU), clamped to
 * [1, LP_POOL_MAX_THREADS] and to `work` items when work > 0. */
int lp_pool_threads(int requested, size_t work);

/* Starts up to n threads (clamped to LP_POOL_MAX_THREADS) running fn(arg).
 * Returns how many started (pool->started); 0 when none could start. */
int lp_pool_start(lp_pool *pool, int n, void *(*fn)(void *), void *arg);

/* Joins every started thread. Safe to call on a pool that started none. */
void lp_pool_join(lp_pool *pool);

#endif
