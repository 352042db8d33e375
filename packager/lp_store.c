/*
 * lp_store: compressed entry data shared by every build on the machine (see
 * lp_store.h for what, where and the trust rule).
 *
 * Layout: <root>/v<LP_STORE_FORMAT>-<LP_DEFLATE_FORMAT>/<xx>/<sha256>-<level>
 * where xx is the hash's first byte. An entry file is a 32-byte header
 * ("LPSTORE1", raw size, CRC-32, level, compressed length, little-endian),
 * the deflate stream, and the 32-byte HMAC. Entries are written to a
 * temporary file and renamed, so readers see whole entries or none (a torn
 * file from a crash fails its MAC). Use refreshes the mtime (at most every
 * few minutes), which the LRU pruning sorts by.
 */
#include "lp_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lp_cache_int.h"
#include "lp_deflate.h"
#include "lp_fs.h"
#include "lp_hash.h"

#define HEADER_LEN 32
#define MAC_LEN 32
#define ENTRY_MAX ((uint64_t)1 << 32)
#define TOUCH_AFTER_SEC (10 * 60)
#define PRUNE_STAMP "pruned"
#define PRUNE_EVERY_SEC (60 * 60)

struct lp_store {
    char root[PATH_MAX];
    char dir[PATH_MAX]; /* root/v<format>-<LP_DEFLATE_FORMAT> */
    atomic_int dirfd;   /* dir, opened once it exists (-1 before): entries are
                           looked up relative to it, two path components each */
    EVP_MAC_CTX *mac;   /* keyed template, duplicated per entry */
    uint64_t max_bytes;
    uint64_t added;
    pthread_mutex_t mu;
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static lp_store *g_store;
static int g_disabled;

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(v >> (8 * i));
    }
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static void header(unsigned char h[HEADER_LEN], uint64_t raw_size, uint32_t crc, int level,
                   uint64_t len)
{
    memcpy(h, "LPSTORE1", 8);
    put_u64(h + 8, raw_size);
    put_u64(h + 16, ((uint64_t)(uint32_t)level << 32) | crc);
    put_u64(h + 24, len);
}

static int root_dir(char *out, size_t cap)
{
    const char *dir = getenv("LAMBDAPACK_STORE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (dir != NULL && dir[0] == '/') {
        n = snprintf(out, cap, "%s", dir);
    } else if (xdg != NULL && xdg[0] == '/') {
        n = snprintf(out, cap, "%s/lambdapack/store", xdg);
    } else if (home != NULL && home[0] == '/') {
        n = snprintf(out, cap, "%s/.cache/lambdapack/store", home);
    } else {
        return -1;
    }
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static EVP_MAC_CTX *keyed_mac(void)
{
    unsigned char key[32];
    if (lp_cache_secret(key) != 0) {
        return NULL;
    }
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    if (ctx != NULL && EVP_MAC_init(ctx, key, sizeof(key), params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    OPENSSL_cleanse(key, sizeof(key));
    return ctx;
}

static void open_default(void)
{
    const char *off = getenv("LAMBDAPACK_STORE");
    if (g_disabled || (off != NULL && strcmp(off, "off") == 0)) {
        return;
    }
    lp_store *s = calloc(1, sizeof(*s));
    if (s == NULL || root_dir(s->root, sizeof(s->root)) != 0 ||
        snprintf(s->dir, sizeof(s->dir), "%s/v%d-%s", s->root, LP_STORE_FORMAT,
                 LP_DEFLATE_FORMAT) >= (int)sizeof(s->dir) ||
        (s->mac = keyed_mac()) == NULL) {
        free(s);
        return;
    }
    const char *max = getenv("LAMBDAPACK_STORE_MAX_MB");
    long long mb = max != NULL ? atoll(max) : 0;
    s->max_bytes = (uint64_t)(mb > 0 ? mb : LP_STORE_DEFAULT_MAX_MB) << 20;
    atomic_init(&s->dirfd, -1);
    pthread_mutex_init(&s->mu, NULL);
    g_store = s;
}

lp_store *lp_store_default(void)
{
    pthread_once(&g_once, open_default);
    return g_store;
}

void lp_store_disable(void)
{
    g_disabled = 1;
}

/* An entry's name inside the store directory: "xx/<hex>-<level>". */
#define ENTRY_NAME_MAX 80

static void entry_name(const unsigned char sha256[32], int level, char out[ENTRY_NAME_MAX])
{
    char hex[65];
    lp_hash_hex(sha256, hex);
    snprintf(out, ENTRY_NAME_MAX, "%.2s/%s-%d", hex, hex, level);
}

static int entry_path(const lp_store *s, const unsigned char sha256[32], int level, char *out,
                      size_t cap)
{
    char name[ENTRY_NAME_MAX];
    entry_name(sha256, level, name);
    int n = snprintf(out, cap, "%s/%s", s->dir, name);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* The store directory's descriptor, or -1 while it does not exist yet (the
 * first lp_store_put creates it). A directory removed and made again while
 * we run only turns later look-ups into misses. */
static int store_dirfd(lp_store *s)
{
    int fd = atomic_load(&s->dirfd);
    if (fd >= 0) {
        return fd;
    }
#ifdef O_PATH
    fd = open(s->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
    fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#endif
    int none = -1;
    if (fd >= 0 && !atomic_compare_exchange_strong(&s->dirfd, &none, fd)) {
        close(fd); /* another thread was first */
        fd = none;
    }
    return fd;
}

/* HMAC over the key, the header and the data. */
static int entry_mac(lp_store *s, const unsigned char sha256[32], const unsigned char *h,
                     const unsigned char *data, size_t len, unsigned char out[MAC_LEN])
{
    static const char domain[] = "lambdapack-store " LP_DEFLATE_FORMAT;
    pthread_mutex_lock(&s->mu);
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(s->mac);
    pthread_mutex_unlock(&s->mu);
    size_t got = 0;
    int ok = ctx != NULL && EVP_MAC_update(ctx, (const unsigned char *)domain, sizeof(domain)) &&
             EVP_MAC_update(ctx, sha256, 32) && EVP_MAC_update(ctx, h, HEADER_LEN) &&
             EVP_MAC_update(ctx, data, len) && EVP_MAC_final(ctx, out, &got, MAC_LEN) &&
             got == MAC_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok ? 0 : -1;
}

static int read_all(int fd, unsigned char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t r = lp_fs_read(fd, buf + off, len - off);
        if (r <= 0) {
            return -1;
        }
        off += (size_t)r;
    }
    return 0;
}

int lp_store_get(lp_store *s, const unsigned char sha256[32], uint64_t raw_size, int level,
                 unsigned char **data, size_t *len, uint32_t *crc)
{
    if (s == NULL) {
        return -1;
    }
    int dfd = store_dirfd(s);
    if (dfd < 0) {
        return -1; /* no store directory: nothing stored yet */
    }
    char rel[ENTRY_NAME_MAX];
    entry_name(sha256, level, rel);
    /* O_NONBLOCK: a FIFO planted under an entry's name must not make us
     * wait for a writer (regular files read the same with it). */
    int fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        return -1;
    }
    /* The whole entry in one read: header, data, MAC. */
    struct stat st;
    unsigned char want[MAC_LEN];
    unsigned char *buf = NULL;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             (uint64_t)st.st_size >= HEADER_LEN + MAC_LEN &&
             (uint64_t)st.st_size <= ENTRY_MAX + HEADER_LEN + MAC_LEN;
    size_t total = ok ? (size_t)st.st_size : 0;
    int oom = ok && (buf = malloc(total)) == NULL;
    ok = ok && !oom && read_all(fd, buf, total) == 0;
    const unsigned char *h = buf;
    uint64_t n = ok ? get_u64(h + 24) : 0;
    uint64_t lc = ok ? get_u64(h + 16) : 0;
    ok = ok && memcmp(h, "LPSTORE1", 8) == 0 && get_u64(h + 8) == raw_size &&
         (int)(lc >> 32) == level && n + HEADER_LEN + MAC_LEN == (uint64_t)st.st_size &&
         entry_mac(s, sha256, h, buf + HEADER_LEN, (size_t)n, want) == 0 &&
         CRYPTO_memcmp(buf + HEADER_LEN + n, want, MAC_LEN) == 0;
    if (ok && st.st_mtime + TOUCH_AFTER_SEC < time(NULL)) {
        (void)futimens(fd, NULL); /* recently used, for the LRU pruning */
    }
    close(fd);
    if (!ok) {
        free(buf);
        if (!oom) {
            (void)unlinkat(dfd, rel, 0); /* planted, damaged or truncated: never used */
        }
        return -1;
    }
    memmove(buf, buf + HEADER_LEN, (size_t)n); /* the caller owns the data alone */
    *data = buf;
    *len = (size_t)n;
    *crc = (uint32_t)lc;
    return 0;
}

void lp_store_put(lp_store *s, const unsigned char sha256[32], uint64_t raw_size, int level,
                  const unsigned char *data, size_t len, uint32_t crc)
{
    char path[PATH_MAX], tmp[PATH_MAX + 16];
    unsigned char h[HEADER_LEN], mac[MAC_LEN];
    if (s == NULL || len > ENTRY_MAX || entry_path(s, sha256, level, path, sizeof(path)) != 0 ||
        snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
        return;
    }
    header(h, raw_size, crc, level, len);
    if (entry_mac(s, sha256, h, data, len, mac) != 0) {
        return;
    }
    int fd = mkstemp(tmp);
    if (fd < 0 && errno == ENOENT && lp_fs_mkdirs(path, 0, NULL) == 0) {
        snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path); /* mkstemp spent the Xs */
        fd = mkstemp(tmp);
    }
    if (fd < 0) {
        return;
    }
    int ok = fchmod(fd, 0600) == 0 && lp_fs_write_all(fd, h, HEADER_LEN) == 0 &&
             lp_fs_write_all(fd, data, len) == 0 && lp_fs_write_all(fd, mac, MAC_LEN) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (!ok) {
        (void)unlink(tmp);
        return;
    }
    pthread_mutex_lock(&s->mu);
    s->added += HEADER_LEN + len + MAC_LEN;
    pthread_mutex_unlock(&s->mu);
}

/* ---- least-recently-used pruning ---- */

typedef struct victim {
    char *path;
    time_t mtime;
    uint64_t size;
} victim;

typedef struct victims {
    victim *v;
    size_t n, cap;
    uint64_t total;
} victims;

static int cmp_victim(const void *a, const void *b)
{
    time_t x = ((const victim *)a)->mtime, y = ((const victim *)b)->mtime;
    return x < y ? -1 : x > y;
}

/* Collects the regular files below dir, up to depth levels deep. */
static void collect(victims *vs, const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, PRUNE_STAMP) == 0) {
            continue;
        }
        char *path = NULL;
        struct stat st;
        if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
            break;
        }
        if (lstat(path, &st) != 0) {
            free(path);
            continue;
        }
        if (S_ISDIR(st.st_mode) && depth > 0) {
            collect(vs, path, depth - 1);
            free(path);
            continue;
        }
        if (!S_ISREG(st.st_mode) || (vs->n == vs->cap && vs->cap > SIZE_MAX / 4)) {
            free(path);
            continue;
        }
        if (vs->n == vs->cap) {
            size_t cap = vs->cap ? vs->cap * 2 : 1024;
            victim *grown = realloc(vs->v, cap * sizeof(*grown));
            if (grown == NULL) {
                free(path);
                break;
            }
            vs->v = grown;
            vs->cap = cap;
        }
        vs->v[vs->n++] = (victim){path, st.st_mtime, (uint64_t)st.st_size};
        vs->total += (uint64_t)st.st_size;
    }
    closedir(d);
}

void lp_store_maintain(lp_store *s)
{
    if (s == NULL) {
        return;
    }
    char stamp[PATH_MAX + 16];
    struct stat st;
    snprintf(stamp, sizeof(stamp), "%s/%s", s->root, PRUNE_STAMP);
    pthread_mutex_lock(&s->mu);
    uint64_t added = s->added;
    pthread_mutex_unlock(&s->mu);
    int stale = stat(stamp, &st) != 0 || st.st_mtime + PRUNE_EVERY_SEC < time(NULL);
    if (added == 0 || (!stale && added < s->max_bytes / 8)) {
        return;
    }
    victims vs = {NULL, 0, 0, 0};
    collect(&vs, s->root, 2); /* root / version / xx / entry */
    if (vs.total > s->max_bytes) {
        qsort(vs.v, vs.n, sizeof(*vs.v), cmp_victim);
        uint64_t goal = s->max_bytes / 10 * 8;
        for (size_t i = 0; i < vs.n && vs.total > goal; i++) {
            if (unlink(vs.v[i].path) == 0) {
                vs.total -= vs.v[i].size;
            }
        }
    }
    for (size_t i = 0; i < vs.n; i++) {
        free(vs.v[i].path);
    }
    free(vs.v);
    int fd = open(stamp, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        (void)futimens(fd, NULL);
        close(fd);
    }
    pthread_mutex_lock(&s->mu);
    s->added = 0;
    pthread_mutex_unlock(&s->mu);
}
