/*
 * lp_progress: the reporter behind lp_progress.h (see lp_progress_int.h).
 * Knows nothing of what is being counted; never blocks a worker on the
 * callback (trylock) except for the phase's first and last calls.
 */
#include "lp_progress_int.h"

#include <string.h>
#include <time.h>

#define NS_PER_MS ((int_fast64_t)1000000)

static int_fast64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int_fast64_t)ts.tv_sec * 1000 * NS_PER_MS + ts.tv_nsec;
}

/* Calls the callback; r->mu is held. */
static void call(lp_progress_reporter *r)
{
    lp_progress p;
    memset(&p, 0, sizeof(p));
    p.phase = r->phase;
    p.files_total = r->files_total;
    p.bytes_total = r->bytes_total;
    p.files_done = atomic_load(&r->files_done);
    p.bytes_done = (uint64_t)atomic_load(&r->bytes_done);
    p.path = r->path;
    atomic_store(&r->next_ns, now_ns() + LP_PROGRESS_INTERVAL_MS * NS_PER_MS);
    if (r->cb(&p, r->payload) != 0) {
        atomic_store(&r->cancelled, 1);
    }
}

int lp_progress_begin(lp_progress_reporter *r, lp_progress_cb cb, void *payload,
                      lp_progress_phase phase, size_t files_total, uint64_t bytes_total,
                      const char *path)
{
    r->cb = cb;
    r->payload = payload;
    r->phase = phase;
    r->files_total = files_total;
    r->bytes_total = bytes_total;
    r->path = path;
    atomic_init(&r->files_done, 0);
    atomic_init(&r->bytes_done, 0);
    atomic_init(&r->cancelled, 0);
    atomic_init(&r->next_ns, 0);
    pthread_mutex_init(&r->mu, NULL);
    if (cb != NULL) {
        pthread_mutex_lock(&r->mu);
        call(r);
        pthread_mutex_unlock(&r->mu);
    }
    return lp_progress_cancelled(r);
}

int lp_progress_cancelled(const lp_progress_reporter *r)
{
    return r != NULL && atomic_load(&r->cancelled) != 0;
}

int lp_progress_add(lp_progress_reporter *r, size_t files, uint64_t bytes)
{
    if (r == NULL) {
        return 0;
    }
    atomic_fetch_add(&r->files_done, files);
    atomic_fetch_add(&r->bytes_done, bytes);
    if (r->cb == NULL || atomic_load(&r->cancelled) != 0) {
        return lp_progress_cancelled(r);
    }
    if (now_ns() >= atomic_load(&r->next_ns) && pthread_mutex_trylock(&r->mu) == 0) {
        /* Checked again: another thread may have called it meanwhile. */
        if (now_ns() >= atomic_load(&r->next_ns) && atomic_load(&r->cancelled) == 0) {
            call(r);
        }
        pthread_mutex_unlock(&r->mu);
    }
    return lp_progress_cancelled(r);
}

int lp_progress_end(lp_progress_reporter *r)
{
    if (r->cb != NULL && atomic_load(&r->cancelled) == 0) {
        pthread_mutex_lock(&r->mu);
        call(r);
        pthread_mutex_unlock(&r->mu);
    }
    return lp_progress_cancelled(r);
}

void lp_progress_fini(lp_progress_reporter *r)
{
    pthread_mutex_destroy(&r->mu);
}
