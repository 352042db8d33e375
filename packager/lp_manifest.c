/*
 * lp_manifest: resolves a spec into the sorted, hashed list of entries and
 * the content hash over its canonical serialization.
 *
 * Selection (walking, globs, symlinks) is lp_select's job; this module sorts,
 * rejects collisions, adds directory entries when asked, hashes every file
 * once on a pool of threads and serializes the result canonically
 * (docs/internals/manifest.md). It writes nothing and knows nothing of ZIP:
 * the content hash must not depend on compressor or library versions.
 */
#include "lp_manifest.h"
#include "lp_compat.h"

#include "lp_buf.h"
#include "lp_fs.h"
#include "lp_hash.h"
#include "lp_manifest_int.h"
#include "lp_memo.h"
#include "lp_pool.h"
#include "lp_progress_int.h"
#include "lp_select.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int cmp_files(const void *a, const void *b)
{
    return strcmp(((const lp_file *)a)->archive_path, ((const lp_file *)b)->archive_path);
}

void lp_manifest_sort(lp_manifest *m)
{
    if (m->n_files > 1) {
        qsort(m->files, m->n_files, sizeof(*m->files), cmp_files);
    }
}

int lp_manifest_pending(const lp_manifest *m)
{
    for (size_t i = 0; m != NULL && i < m->n_files; i++) {
        if (m->files[i].hash_pending) {
            return 1;
        }
    }
    return 0;
}

void lp_manifest_free(lp_manifest *m)
{
    if (m == NULL) {
        return;
    }
    lp_select_free(m->files, m->n_files);
    free(m);
}

const lp_file *lp_manifest_find(const lp_manifest *m, const char *archive_path)
{
    if (m == NULL || m->n_files == 0) {
        return NULL;
    }
    lp_file key;
    memset(&key, 0, sizeof(key));
    key.archive_path = (char *)archive_path;
    return bsearch(&key, m->files, m->n_files, sizeof(*m->files), cmp_files);
}

int lp_manifest_hasher_init(lp_manifest_hasher *h)
{
    h->ctx = EVP_MD_CTX_new();
    h->buf = malloc(LP_HASH_BUF);
    return h->ctx != NULL && h->buf != NULL ? LP_OK : LP_ENOMEM;
}

void lp_manifest_hasher_fini(lp_manifest_hasher *h)
{
    EVP_MD_CTX_free(h->ctx);
    free(h->buf);
    h->ctx = NULL;
    h->buf = NULL;
}

/* The file's bytes into h's digest; *total counts them. */
static int read_and_hash(lp_manifest_hasher *h, int fd, const char *display, int si,
                         uint64_t expect_size, uint64_t max_size, uint64_t *total, struct stat *now,
                         lp_progress_reporter *rep, lp_error *err)
{
    for (;;) {
        ssize_t r = lp_fs_read(fd, h->buf, LP_HASH_BUF);
        if (r < 0) {
            return lp_error_set(err, LP_EIO, errno, si, "path", display, "cannot read '%s': %s",
                                display, strerror(errno));
        }
        if (r == 0) {
            return LP_OK;
        }
        if (*total == 0 && (size_t)r == LP_HASH_BUF) {
            LP_FADVISE_SEQUENTIAL(fd, LP_FADVISE_MIN); /* more than one chunk */
        }
        *total += (uint64_t)r;
        if (*total > max_size) {
            return lp_error_set(err, LP_ECHANGED, 0, si, "path", display,
                                "'%s' grew while it was being read", display);
        }
        EVP_DigestUpdate(h->ctx, h->buf, (size_t)r);
        if (lp_progress_add(rep, 0, (uint64_t)r)) {
            return lp_error_set(err, LP_ECANCELED, 0, si, "path", display,
                                "cancelled while reading '%s'", display);
        }
        /* All the bytes the stat promised, and the open file still holds no
         * more: the end-of-file read would return 0. */
        if (*total == expect_size && fstat(fd, now) == 0 && (uint64_t)now->st_size == *total) {
            return 1;
        }
    }
}

int lp_manifest_hash_path(lp_manifest_hasher *h, const char *path, const char *display, int si,
                          uint64_t expect_size, uint64_t max_size, uint64_t *size,
                          unsigned char sha256[32], struct stat *after, lp_progress_reporter *rep,
                          lp_error *err)
{
    int rc = LP_OK;
    int fd = -1;
    uint64_t total = 0;
    lp_manifest_hasher own = {NULL, NULL};
    struct stat now;
    if (h == NULL) {
        h = &own;
        if (lp_manifest_hasher_init(h) < 0) {
            rc = lp_error_nomem_at(err, si, "path", display);
            goto done;
        }
    }
    if (EVP_DigestInit_ex(h->ctx, lp_hash_sha256_md(), NULL) != 1) {
        rc = lp_error_nomem_at(err, si, "path", display);
        goto done;
    }
    if ((fd = lp_fs_open_source(path)) < 0) {
        rc = lp_error_set(err, errno == ENOENT ? LP_ENOENT : LP_EIO, errno, si, "path", display,
                          "cannot read '%s': %s", display, strerror(errno));
        goto done;
    }
    if (expect_size == 0) {
        expect_size = UINT64_MAX; /* an empty file: the first read is the end */
    }
    rc = read_and_hash(h, fd, display, si, expect_size, max_size, &total, &now, rep, err);
    if (rc < 0) {
        goto done;
    }
    EVP_DigestFinal_ex(h->ctx, sha256, NULL);
    *size = total;
    if (after != NULL) {
        if (rc == 1) {
            *after = now;
        } else if (fstat(fd, after) != 0) {
            after->st_mode = 0;
        }
    }
    rc = LP_OK;
done:
    if (fd >= 0) {
        close(fd);
    }
    lp_manifest_hasher_fini(&own);
    return rc;
}

/* ---- parallel hashing ---- */

typedef struct hash_pool {
    lp_file *files;
    size_t n;
    size_t next; /* next index to take */
    int failed;
    size_t err_index; /* lowest failing index so far */
    lp_error err;
    pthread_mutex_t mu;
    struct timespec started; /* CLOCK_REALTIME when hashing began */
    lp_progress_reporter *rep;
    int defer; /* lp_spec.defer_hashes: path sources are left for lp_zip_build */
} hash_pool;

/* Files can grow between stat and read; a read stops a little past the stat
 * size so that a growing log file cannot keep a worker busy forever. */
#define LP_GROWTH_SLACK ((uint64_t)1 << 30)

/* The stat the selection took of f (a regular file), rebuilt for lp_memo. */
static void selected_stat(const lp_file *f, struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFREG;
    st->st_dev = (dev_t)f->id.dev;
    st->st_ino = (ino_t)f->id.ino;
    st->st_size = (off_t)f->size;
    LP_ST_MTIM(st).tv_sec = (time_t)f->id.mtime_sec;
    LP_ST_MTIM(st).tv_nsec = (long)f->id.mtime_nsec;
    LP_ST_CTIM(st).tv_sec = (time_t)f->id.ctime_sec;
    LP_ST_CTIM(st).tv_nsec = (long)f->id.ctime_nsec;
}

/* Hashes a file from disk, or takes its hash from this process's memo when
 * its stat says it is the file hashed before (lp_memo.h has the rules). The
 * stat is the selection's when it has one (one path look-up per file, not
 * three); the one after reading is the open file's. */
static int hash_file(lp_manifest_hasher *h, lp_file *f, const struct timespec *started,
                     lp_progress_reporter *rep, lp_error *e)
{
    struct stat before, after;
    bool have_stat;
    if (f->id.valid) {
        selected_stat(f, &before);
        have_stat = true;
    } else {
        have_stat = stat(f->source_path, &before) == 0 && S_ISREG(before.st_mode);
    }
    if (have_stat && lp_memo_get(&before, f->sha256)) {
        f->size = (uint64_t)before.st_size;
        lp_progress_add(rep, 0, f->size);
        return 0;
    }
    int rc = lp_manifest_hash_path(h, f->source_path, f->source_path, f->source_index, f->size,
                                   f->size + LP_GROWTH_SLACK, &f->size, f->sha256, &after, rep, e);
    if (rc == 0 && have_stat && S_ISREG(after.st_mode) && (uint64_t)after.st_size == f->size) {
        lp_memo_put(&before, &after, started, f->sha256);
    }
    return rc;
}

static void *hash_worker(void *arg)
{
    hash_pool *p = arg;
    lp_manifest_hasher h;
    int hasher_ok = lp_manifest_hasher_init(&h) == LP_OK;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next++;
        int stop = (p->failed && i > p->err_index) || lp_progress_cancelled(p->rep);
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n || stop) {
            break;
        }
        lp_file *f = &p->files[i];
        lp_error e = LP_ERROR_INIT;
        int rc;
        if (f->is_dir) {
            rc = lp_hash_sha256("", 0, f->sha256);
        } else if (f->content != NULL) {
            rc = lp_hash_sha256(f->content, (size_t)f->size, f->sha256);
            lp_progress_add(p->rep, 0, f->size);
        } else if (p->defer) {
            f->hash_pending = 1; /* counted as a file, none of its bytes read */
            lp_progress_add(p->rep, 1, 0);
            continue;
        } else {
            /* Without a hasher of its own (memory is short), each file
             * makes one, and says so if it cannot. */
            rc = hash_file(hasher_ok ? &h : NULL, f, &p->started, p->rep, &e);
        }
        if (rc < 0 && e.code == LP_OK) {
            lp_error_nomem_at(&e, f->source_index, NULL, "");
        }
        if (rc == 0) {
            lp_hash_hex(f->sha256, f->sha256_hex);
            lp_progress_add(p->rep, 1, 0);
            continue;
        }
        pthread_mutex_lock(&p->mu);
        if (!p->failed || i < p->err_index) {
            p->failed = 1;
            p->err_index = i;
            p->err = e;
        }
        pthread_mutex_unlock(&p->mu);
    }
    lp_manifest_hasher_fini(&h);
    return NULL;
}

static int hash_all(lp_file *files, size_t n, int threads, int defer, lp_progress_reporter *rep,
                    lp_error *err)
{
    hash_pool p;
    memset(&p, 0, sizeof(p));
    p.files = files;
    p.n = n;
    p.rep = rep;
    p.defer = defer;
    if (defer) {
        threads = 1; /* only inline content is hashed now */
    }
    clock_gettime(CLOCK_REALTIME, &p.started);
    pthread_mutex_init(&p.mu, NULL);
    /* The calling thread works too. */
    lp_pool pool;
    lp_pool_start(&pool, lp_pool_threads(threads, n) - 1, hash_worker, &p);
    hash_worker(&p);
    lp_pool_join(&pool);
    pthread_mutex_destroy(&p.mu);
    if (p.failed) {
        if (err != NULL) {
            *err = p.err;
        }
        return p.err.code;
    }
    return LP_OK;
}

/* ---- canonical form ---- */

/* Digits of v in base (8 or 10), at least min_digits of them, into out;
 * returns the count. (fprintf per entry was a fifth of a no-change plan's
 * manifest time over 10,000 files.) */
static size_t put_digits(char *out, uint64_t v, unsigned base, size_t min_digits)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % base);
        v /= base;
    } while (v > 0);
    while (n < min_digits) {
        tmp[n++] = '0';
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    return n;
}

/* One entry's line up to the path: "F 0644 <size> <sha256> <len>:". */
static size_t entry_prefix(const lp_file *e, size_t path_len, char *out)
{
    size_t n = 0;
    out[n++] = e->is_dir ? 'D' : 'F';
    out[n++] = ' ';
    n += put_digits(out + n, e->mode, 8, 4);
    out[n++] = ' ';
    n += put_digits(out + n, e->size, 10, 1);
    out[n++] = ' ';
    memcpy(out + n, e->sha256_hex, 64);
    n += 64;
    out[n++] = ' ';
    n += put_digits(out + n, path_len, 10, 1);
    out[n++] = ':';
    return n;
}

int lp_manifest_canonical(const lp_manifest *m, char **out, lp_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    *out = NULL;
    if (f == NULL) {
        return lp_error_nomem(err);
    }
    fprintf(f, "lambda-package-manifest %d\n", LP_MANIFEST_FORMAT);
    fprintf(f, "level %d\n", m->level);
    fprintf(f, "directory_entries %d\n", m->directory_entries ? 1 : 0);
    fprintf(f, "entries %zu\n", m->n_files);
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *e = &m->files[i];
        char line[160];
        size_t plen = strlen(e->archive_path);
        fwrite(line, 1, entry_prefix(e, plen, line), f);
        fwrite(e->archive_path, 1, plen, f);
        fputc('\n', f);
    }
    if (ferror(f) != 0 || fclose(f) != 0) {
        free(buf);
        return lp_error_nomem(err);
    }
    *out = buf;
    return LP_OK;
}

int lp_manifest_seal(lp_manifest *m, lp_error *err)
{
    char *canon = NULL;
    unsigned char d[32];
    m->unzipped_size = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        m->unzipped_size += m->files[i].size;
    }
    int rc = lp_manifest_canonical(m, &canon, err);
    if (rc < 0) {
        return rc;
    }
    if (lp_hash_sha256(canon, strlen(canon), d) < 0) {
        free(canon);
        return lp_error_nomem(err);
    }
    free(canon);
    lp_hash_hex(d, m->content_hash);
    return LP_OK;
}

/* ---- building ---- */

static const char *origin(const lp_file *f)
{
    return f->source_path != NULL ? f->source_path : "inline content";
}

/* Two entries with the same path, or a file where another entry needs a
 * directory, would extract as one or fail to extract. */
static int check_collisions(const lp_manifest *m, lp_error *err)
{
    for (size_t i = 0; i + 1 < m->n_files; i++) {
        const lp_file *a = &m->files[i], *b = &m->files[i + 1];
        if (strcmp(a->archive_path, b->archive_path) == 0) {
            return lp_error_set(err, LP_ECOLLISION, 0, b->source_index, "path", a->archive_path,
                                "archive path '%s' comes from both source %d ('%s') and source "
                                "%d ('%s')",
                                a->archive_path, a->source_index, origin(a), b->source_index,
                                origin(b));
        }
    }
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        char *p = strdup(f->archive_path);
        if (p == NULL) {
            return lp_error_nomem(err);
        }
        for (char *s = strrchr(p, '/'); s != NULL; s = strrchr(p, '/')) {
            *s = '\0';
            const lp_file *c = lp_manifest_find(m, p);
            if (c != NULL) {
                int rc = lp_error_set(err, LP_ECOLLISION, 0, f->source_index, "path", p,
                                      "archive path '%s' is a file from source %d ('%s') and a "
                                      "directory for '%s' from source %d ('%s')",
                                      p, c->source_index, origin(c), f->archive_path,
                                      f->source_index, origin(f));
                free(p);
                return rc;
            }
        }
        free(p);
    }
    return LP_OK;
}

/* Adds an entry "d/" for every parent directory of every file, then sorts
 * and drops the repeats. */
static int add_directories(lp_manifest *m, lp_error *err)
{
    size_t n = m->n_files, cap = m->n_files;
    int rc = LP_OK;
    for (size_t i = 0; i < n; i++) {
        for (const char *s = strchr(m->files[i].archive_path, '/'); s != NULL;
             s = strchr(s + 1, '/')) {
            const char *path = m->files[i].archive_path;
            size_t len = (size_t)(s - path) + 1;
            /* The previous file usually shares this directory. */
            if (i > 0 && strncmp(m->files[i - 1].archive_path, path, len) == 0) {
                continue;
            }
            lp_file *g = lp_buf_grow(m->files, &cap, m->n_files + 1, sizeof(*g), LP_BUF_UNBOUNDED);
            if (g == NULL) {
                return lp_error_nomem(err);
            }
            m->files = g;
            lp_file *d = &m->files[m->n_files];
            memset(d, 0, sizeof(*d));
            if ((d->archive_path = strndup(m->files[i].archive_path, len)) == NULL) {
                return lp_error_nomem(err);
            }
            d->source_index = m->files[i].source_index;
            d->mode = 0755;
            d->is_dir = 1;
            lp_hash_sha256("", 0, d->sha256);
            lp_hash_hex(d->sha256, d->sha256_hex);
            m->n_files++;
        }
    }
    lp_manifest_sort(m);
    size_t w = 0;
    for (size_t r = 0; r < m->n_files; r++) {
        if (w > 0 && strcmp(m->files[w - 1].archive_path, m->files[r].archive_path) == 0) {
            free(m->files[r].archive_path);
            continue;
        }
        m->files[w++] = m->files[r];
    }
    m->n_files = w;
    return rc;
}

/* The unzipped limit, from the sizes lp_select saw: before any file is read,
 * so a huge (or sparse) file costs a stat, not a read. */
static int check_limit(const lp_manifest *m, const lp_spec *spec, lp_error *err)
{
    unsigned long long total = 0;
    const lp_file *largest = NULL;
    if (spec->max_unzipped == 0) {
        return LP_OK;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        total += f->size;
        if (largest == NULL || f->size > largest->size) {
            largest = f;
        }
    }
    if (total <= spec->max_unzipped) {
        return LP_OK;
    }
    return lp_error_set(err, LP_ELIMIT, 0, largest->source_index,
                        largest->source_index >= 0 ? "path" : NULL, origin(largest),
                        "the package would unzip to %llu bytes (%.1f MB), more than the %llu "
                        "bytes (%.0f MB) Lambda allows for a function and its layers; the "
                        "largest file is '%s' (%llu bytes). No file was read.",
                        total, (double)total / (1024.0 * 1024.0), spec->max_unzipped,
                        (double)spec->max_unzipped / (1024.0 * 1024.0), origin(largest),
                        (unsigned long long)largest->size);
}

static int cancelled(const lp_spec *spec, lp_error *err)
{
    const char *out = spec->output_path != NULL ? spec->output_path : "the package";
    return lp_error_set(err, LP_ECANCELED, 0, -1, "output_path", out,
                        "build of '%s' cancelled while reading the sources: nothing was written",
                        out);
}

/* Hashes every file, reporting to spec's progress callback. */
static int hash_files(const lp_manifest *m, const lp_spec *spec, lp_error *err)
{
    lp_progress_reporter rep;
    uint64_t bytes = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        bytes += m->files[i].size;
    }
    int rc = LP_OK;
    if (lp_progress_begin(&rep, spec->progress, spec->progress_payload, LP_PROGRESS_HASH,
                          m->n_files, bytes, NULL) ||
        (rc = hash_all(m->files, m->n_files, spec->threads, spec->defer_hashes, &rep, err)) ==
            LP_ECANCELED ||
        (rc == LP_OK && lp_progress_end(&rep))) {
        rc = cancelled(spec, err);
    }
    lp_progress_fini(&rep);
    return rc;
}

/* The selection, as a phase of its own: the walk reports once before and
 * once after (its totals are not known in advance). */
static int select_files(lp_manifest *m, const lp_spec *spec, lp_error *err)
{
    lp_progress_reporter rep;
    int rc = LP_OK;
    if (lp_progress_begin(&rep, spec->progress, spec->progress_payload, LP_PROGRESS_SELECT, 0, 0,
                          NULL)) {
        rc = cancelled(spec, err);
    } else if ((rc = lp_select_files(spec, &m->files, &m->n_files, err)) == LP_OK) {
        lp_progress_add(&rep, m->n_files, 0);
        if (lp_progress_end(&rep)) {
            rc = cancelled(spec, err);
        }
    }
    lp_progress_fini(&rep);
    return rc;
}

int lp_manifest_build(lp_manifest **out, const lp_spec *spec, lp_error *err)
{
    int rc = LP_OK;
    *out = NULL;
    lp_manifest *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return lp_error_nomem(err);
    }
    if (spec == NULL || spec->version < 1) {
        rc = lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "spec is missing or has no version");
        goto done;
    }
    if ((rc = lp_spec_check_level(spec->level, err)) < 0) {
        goto done;
    }
    if (spec->n_sources > 0 && spec->sources == NULL) {
        rc = lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "spec has no sources array");
        goto done;
    }
    m->level = spec->level;
    m->directory_entries = spec->directory_entries ? 1 : 0;
    if ((rc = select_files(m, spec, err)) < 0) {
        goto done;
    }
    if (m->n_files == 0) {
        rc = lp_error_set(err, LP_EINVAL, 0, -1, NULL, "",
                          "the sources select no file: the package would be empty");
        goto done;
    }
    lp_manifest_sort(m);
    if ((rc = check_collisions(m, err)) < 0 || (rc = check_limit(m, spec, err)) < 0) {
        goto done;
    }
    if ((rc = hash_files(m, spec, err)) < 0) {
        goto done;
    }
    if (m->directory_entries) {
        if ((rc = add_directories(m, err)) < 0) {
            goto done;
        }
    }
    if (!lp_manifest_pending(m) && (rc = lp_manifest_seal(m, err)) < 0) {
        goto done;
    }
    *out = m;
    m = NULL;
done:
    lp_manifest_free(m);
    return rc;
}

int lp_manifest_read(const lp_manifest *m, const lp_file *f, size_t max_len, unsigned char **buf,
                     size_t *len, lp_error *err)
{
    (void)m;
    *buf = NULL;
    *len = 0;
    int rc = LP_OK;
    int fd = -1;
    unsigned char *b = NULL;
    if (f->is_dir) {
        *buf = malloc(1);
        return *buf != NULL ? LP_OK
                            : lp_error_nomem_at(err, f->source_index, NULL, f->archive_path);
    }
    if (f->content != NULL || f->source_path == NULL) {
        if (f->size > max_len) {
            return lp_error_set(err, LP_ELIMIT, 0, f->source_index, "content", f->archive_path,
                                "'%s' is larger than %zu bytes", f->archive_path, max_len);
        }
        if ((b = malloc((size_t)f->size + 1)) == NULL) {
            return lp_error_nomem_at(err, f->source_index, NULL, f->archive_path);
        }
        if (f->size > 0) {
            memcpy(b, f->content, (size_t)f->size);
        }
        *buf = b;
        *len = (size_t)f->size;
        return LP_OK;
    }
    if ((fd = lp_fs_open_source(f->source_path)) < 0) {
        rc = lp_error_set(err, errno == ENOENT ? LP_ENOENT : LP_EIO, errno, f->source_index, "path",
                          f->source_path, "cannot read '%s': %s", f->source_path, strerror(errno));
        goto done;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = lp_error_set(err, LP_EIO, errno, f->source_index, "path", f->source_path,
                          "cannot read '%s': %s", f->source_path, strerror(errno));
        goto done;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max_len) {
        rc = lp_error_set(err, LP_ELIMIT, 0, f->source_index, "path", f->source_path,
                          "'%s' is larger than %zu bytes", f->source_path, max_len);
        goto done;
    }
    size_t cap = (size_t)st.st_size + 1, got = 0;
    if ((b = malloc(cap)) == NULL) {
        rc = lp_error_nomem_at(err, f->source_index, NULL, f->source_path);
        goto done;
    }
    for (;;) {
        if (got == cap) {
            /* Grew since fstat: stay within max_len. */
            if (cap > max_len) {
                rc = lp_error_set(err, LP_ELIMIT, 0, f->source_index, "path", f->source_path,
                                  "'%s' is larger than %zu bytes", f->source_path, max_len);
                goto done;
            }
            unsigned char *g = lp_buf_grow(b, &cap, cap + 1, 1, max_len + 1);
            if (g == NULL) {
                rc = lp_error_nomem_at(err, f->source_index, NULL, f->source_path);
                goto done;
            }
            b = g;
        }
        ssize_t r = lp_fs_read(fd, b + got, cap - got);
        if (r < 0) {
            rc = lp_error_set(err, LP_EIO, errno, f->source_index, "path", f->source_path,
                              "cannot read '%s': %s", f->source_path, strerror(errno));
            goto done;
        }
        if (r == 0) {
            break;
        }
        got += (size_t)r;
    }
    if (got > max_len) {
        rc = lp_error_set(err, LP_ELIMIT, 0, f->source_index, "path", f->source_path,
                          "'%s' is larger than %zu bytes", f->source_path, max_len);
        goto done;
    }
    *buf = b;
    *len = got;
    b = NULL;
done:
    if (fd >= 0) {
        close(fd);
    }
    free(b);
    return rc;
}
