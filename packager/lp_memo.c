/*
 * lp_memo: per-process file-hash memo (see lp_memo.h for the rules). An
 * open-addressing table keyed by (dev, ino), holding the full stat key, under
 * one mutex; it stops growing at LP_MEMO_MAX_ENTRIES.
 */
#include "lp_memo.h"
#include "lp_compat.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct memo_key {
    uint64_t dev, ino, size;
    int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
} memo_key;

typedef struct memo_slot {
    memo_key key;
    unsigned char sha256[32];
    bool used;
} memo_slot;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static memo_slot *g_slots;
static size_t g_cap, g_used;

static memo_key key_of(const struct stat *st)
{
    memo_key k;
    memset(&k, 0, sizeof(k));
    k.dev = (uint64_t)st->st_dev;
    k.ino = (uint64_t)st->st_ino;
    k.size = (uint64_t)st->st_size;
    k.mtime_sec = (int64_t)LP_ST_MTIM(st).tv_sec;
    k.mtime_nsec = (int64_t)LP_ST_MTIM(st).tv_nsec;
    k.ctime_sec = (int64_t)LP_ST_CTIM(st).tv_sec;
    k.ctime_nsec = (int64_t)LP_ST_CTIM(st).tv_nsec;
    return k;
}

static bool key_eq(const memo_key *a, const memo_key *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
           a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

static size_t slot_of(uint64_t dev, uint64_t ino, size_t cap)
{
    uint64_t h = (ino ^ (dev * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* The slot holding (dev, ino), or the empty slot where it would go. */
static memo_slot *find(memo_slot *slots, size_t cap, uint64_t dev, uint64_t ino)
{
    size_t i = slot_of(dev, ino, cap);
    while (slots[i].used && (slots[i].key.dev != dev || slots[i].key.ino != ino)) {
        i = (i + 1) & (cap - 1);
    }
    return &slots[i];
}

static bool grow(void)
{
    size_t cap = g_cap ? g_cap * 2 : 1024;
    memo_slot *slots = calloc(cap, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < g_cap; i++) {
        if (g_slots[i].used) {
            *find(slots, cap, g_slots[i].key.dev, g_slots[i].key.ino) = g_slots[i];
        }
    }
    free(g_slots);
    g_slots = slots;
    g_cap = cap;
    return true;
}

bool lp_memo_get(const struct stat *st, unsigned char sha256[32])
{
    memo_key k = key_of(st);
    bool hit = false;
    pthread_mutex_lock(&g_mu);
    if (g_cap > 0) {
        memo_slot *s = find(g_slots, g_cap, k.dev, k.ino);
        if (s->used && key_eq(&s->key, &k)) {
            memcpy(sha256, s->sha256, 32);
            hit = true;
        }
    }
    pthread_mutex_unlock(&g_mu);
    return hit;
}

/* Whether t is at least LP_MEMO_SETTLE_SEC before started. */
static bool settled(const struct timespec *t, const struct timespec *started)
{
    return t->tv_sec + LP_MEMO_SETTLE_SEC < started->tv_sec ||
           (t->tv_sec + LP_MEMO_SETTLE_SEC == started->tv_sec && t->tv_nsec <= started->tv_nsec);
}

void lp_memo_put(const struct stat *before, const struct stat *after,
                 const struct timespec *started, const unsigned char sha256[32])
{
    memo_key k = key_of(before);
    memo_key k2 = key_of(after);
    if (!key_eq(&k, &k2) || !S_ISREG(after->st_mode) || !settled(&LP_ST_MTIM(after), started) ||
        !settled(&LP_ST_CTIM(after), started)) {
        return;
    }
    pthread_mutex_lock(&g_mu);
    if ((g_used + 1) * 2 > g_cap && (g_used >= LP_MEMO_MAX_ENTRIES || !grow())) {
        pthread_mutex_unlock(&g_mu);
        return;
    }
    memo_slot *s = find(g_slots, g_cap, k.dev, k.ino);
    if (!s->used) {
        g_used++;
    }
    s->used = true;
    s->key = k;
    memcpy(s->sha256, sha256, 32);
    pthread_mutex_unlock(&g_mu);
}

void lp_memo_clear(void)
{
    pthread_mutex_lock(&g_mu);
    free(g_slots);
    g_slots = NULL;
    g_cap = g_used = 0;
    pthread_mutex_unlock(&g_mu);
}
