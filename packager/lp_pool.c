/*
 * lp_pool: starting and joining the packager's worker threads (see
 * lp_pool.h).
 */
#include "lp_pool.h"

#include <unistd.h>

int lp_pool_threads(int requested, size_t work)
{
    long n = requested;
    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n <= 0) {
            n = 1;
        }
    }
    if (n > LP_POOL_MAX_THREADS) {
        n = LP_POOL_MAX_THREADS;
    }
    if (work > 0 && (size_t)n > work) {
        n = (long)work;
    }
    return (int)n;
}

int lp_pool_start(lp_pool *pool, int n, void *(*fn)(void *), void *arg)
{
    pool->started = 0;
    if (n > LP_POOL_MAX_THREADS) {
        n = LP_POOL_MAX_THREADS;
    }
    while (pool->started < n && pthread_create(&pool->tids[pool->started], NULL, fn, arg) == 0) {
        pool->started++;
    }
    return pool->started;
}

void lp_pool_join(lp_pool *pool)
{
    for (int t = 0; t < pool->started; t++) {
        pthread_join(pool->tids[t], NULL);
    }
    pool->started = 0;
}
