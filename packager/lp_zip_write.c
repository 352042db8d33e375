/*
 * lp_zip_write: writes a manifest as a reproducible ZIP.
 *
 * Worker threads build each entry's data with lp_zip_entry (stream the
 * file, check its SHA-256 against the manifest, deflate it with our frozen
 * encoder lp_deflate, decode the result again with libdeflate or zlib and
 * compare size and CRC); the calling thread writes the container itself,
 * in archive order, with the records of lp_zip_hdr, so no library takes
 * part in a byte of the ZIP. Entries are processed in archive order within
 * a byte budget (LP_ZIP_BUDGET, but always at least the entry the writer
 * waits for); an entry keeps at most LP_ZIP_ENTRY_SPILL bytes in memory, so
 * memory is bounded by a constant per worker, whatever the file sizes. The
 * ZIP is written once, through one buffer, and hashed on the way out; it
 * goes to a temporary file beside the output, is made durable and is
 * renamed over it: this module never leaves a partial ZIP.
 */
#include "lp_zip.h"

#include "lp_deflate.h"
#include "lp_fs.h"
#include "lp_hash.h"
#include "lp_manifest_int.h"
#include "lp_pool.h"
#include "lp_progress_int.h"
#include "lp_store.h"
#include "lp_zip_entry.h"
#include "lp_zip_hdr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes of file data and compressed output in flight at once (besides the
 * entry the writer is waiting for, which is always allowed). */
#define LP_ZIP_BUDGET ((size_t)64 << 20)

/* Entries of at least LP_ZIP_EARLY_MIN bytes start as soon as they are
 * within LP_ZIP_LOOKAHEAD bytes of input of the next entry in archive order
 * (budget permitting), so that a large file near the end does not finish
 * the build alone on one core while the others wait. Only the order in
 * which workers start entries changes, never the bytes. */
#define LP_ZIP_EARLY_MIN ((uint64_t)1 << 20)
#define LP_ZIP_LOOKAHEAD ((uint64_t)32 << 20)

/* When the writer has caught up with the workers, it sleeps until this many
 * entries are ready (or a worker waits for memory, or every entry is taken),
 * so that it wakes once per batch rather than once per entry. */
#define LP_ZIP_WRITER_BATCH 32

enum slot_state { SLOT_PENDING, SLOT_READY, SLOT_FAILED, SLOT_RELEASED };

typedef struct slot {
    enum slot_state state;
    lp_zip_entry e;    /* what the ZIP holds: deflated or stored bytes, sizes, CRC */
    size_t cost;       /* bytes charged to the budget */
    int started;       /* a worker has taken it */
    uint64_t input_at; /* input bytes of the entries before it */
    uint64_t offset;   /* of its local header in the ZIP, once written */
    int pending;       /* its hash is taken from the bytes packed (lp_zip_build) */
} slot;

typedef struct pipeline {
    const lp_manifest *m;
    lp_file *fill; /* m's files, when lp_zip_build completes their pending hashes */
    int level;
    char *spill_dir; /* where entries beyond LP_ZIP_ENTRY_SPILL go */
    slot *slots;
    size_t n;
    size_t next_start;        /* first entry in archive order no worker has taken */
    size_t next_early;        /* first large entry not taken (LP_ZIP_EARLY_MIN) */
    size_t lowest_unreleased; /* the entry the writer needs next (or later) */
    size_t inflight;
    int abort;
    int failed;
    size_t err_index;
    lp_error err;
    size_t ready_ahead;  /* entries ready and not yet written */
    int workers_blocked; /* workers waiting for the budget */
    int all_taken;       /* no entry is left for a worker to take */
    int writer_waiting;  /* the writer sleeps on wcv for entry writer_at */
    size_t writer_at;
    pthread_mutex_t mu;
    pthread_cond_t cv;  /* workers: the budget, the end */
    pthread_cond_t wcv; /* the writer: its next entry */
    lp_store *store;    /* NULL: build every entry */
    lp_progress_reporter *rep;
} pipeline;

/* Memory an entry holds until the writer copies it: its data, at most
 * LP_ZIP_ENTRY_SPILL (the rest waits in a temporary file). Reading and
 * compressing are streamed through per-worker buffers of constant size. */
static size_t entry_cost(const pipeline *p, const lp_file *f)
{
    uint64_t sz = p->level > 0 ? lp_deflate_bound(f->size) : f->size;
    return (sz > LP_ZIP_ENTRY_SPILL ? LP_ZIP_ENTRY_SPILL : (size_t)sz) + 1;
}

/* Whether the writer, waiting for entry i, should go on (called with p->mu
 * held): the entry failed or the build stops, or it is ready and so is a
 * batch behind it, or no more will come soon (a worker waits for the writer
 * to free memory, or there is nothing left to start). */
static int writer_may_go(const pipeline *p, size_t i)
{
    enum slot_state st = p->slots[i].state;
    if (p->abort || st == SLOT_FAILED || st == SLOT_RELEASED) {
        return 1;
    }
    return st == SLOT_READY &&
           (p->ready_ahead >= LP_ZIP_WRITER_BATCH || p->workers_blocked > 0 || p->all_taken);
}

/* Wakes the writer when it may go on (called with p->mu held). */
static void poke_writer(pipeline *p)
{
    if (p->writer_waiting && writer_may_go(p, p->writer_at)) {
        pthread_cond_signal(&p->wcv);
    }
}

/* Wakes everyone: a failure or the end (called with p->mu held). */
static void wake_all(pipeline *p)
{
    pthread_cond_broadcast(&p->cv);
    pthread_cond_broadcast(&p->wcv);
}

static void fail_slot(pipeline *p, size_t i, const lp_error *e)
{
    pthread_mutex_lock(&p->mu);
    p->slots[i].state = SLOT_FAILED;
    if (e->code == LP_ECANCELED) {
        p->abort = 1; /* lp_zip_write_opts reports the cancel itself */
    }
    if (!p->failed || i < p->err_index) {
        p->failed = 1;
        p->err_index = i;
        p->err = *e;
    }
    wake_all(p);
    pthread_mutex_unlock(&p->mu);
}

/* Entry data from the store, when it holds a verified entry made from
 * bytes with this SHA-256 and its MAC verifies (lp_store.h): the source is
 * not read again. Returns 1 then, else 0. */
static int from_store(const pipeline *p, const lp_file *f, const unsigned char sha[32],
                      lp_zip_entry *ze)
{
    size_t len = 0;
    if (p->store == NULL || f->size == 0 || f->size > LP_ZIP_ENTRY_SPILL ||
        lp_store_get(p->store, sha, f->size, p->level, &ze->mem, &len, &ze->crc) != 0) {
        return 0;
    }
    ze->size = f->size;
    ze->comp_size = len;
    ze->mem_cap = len;
    ze->deflated = 1;
    return 1;
}

static void keep_in_store(const pipeline *p, const lp_file *f, const unsigned char sha[32],
                          const lp_zip_entry *ze)
{
    if (p->store != NULL && ze->deflated && ze->fd < 0) {
        lp_store_put(p->store, sha, f->size, p->level, ze->mem, (size_t)ze->comp_size, ze->crc);
    }
}

/* An entry whose hash is pending: its SHA-256 goes to sha, taken from the
 * very bytes packed. Without a store to ask, or for a file the store does
 * not hold, the file is read once (hash, CRC and encoder together). A small
 * file is read whole first, so the store can be asked before anything is
 * compressed; a larger one the store may hold is hashed first (the one case
 * of two reads). *counted: bytes read that lp_zip_entry did not count. */
static int build_pending(const pipeline *p, const lp_file *f, unsigned char sha[32],
                         lp_zip_entry_ctx *ctx, lp_zip_entry *ze, uint64_t *counted, lp_error *e)
{
    if (p->store == NULL || f->size == 0 || f->size > LP_ZIP_ENTRY_SPILL ||
        f->source_path == NULL || f->content != NULL) {
        return lp_zip_entry_build(ctx, f, p->level, NULL, sha, ze, e);
    }
    int rc;
    if (f->size <= LP_ZIP_ENTRY_SMALL) {
        const unsigned char *data = NULL;
        if ((rc = lp_zip_entry_read_small(ctx, f, &data, sha, e)) < 0 ||
            from_store(p, f, sha, ze)) {
            return rc;
        }
        lp_file mem = *f;
        mem.content = data; /* what was read and hashed, not the file again */
        rc = lp_zip_entry_build(ctx, &mem, p->level, NULL, NULL, ze, e);
    } else {
        uint64_t size = 0;
        if ((rc = lp_manifest_hash_path(NULL, f->source_path, f->source_path, f->source_index,
                                        f->size, f->size, &size, sha, NULL, NULL, e)) < 0) {
            return rc;
        }
        if (size == f->size && from_store(p, f, sha, ze)) {
            *counted = f->size;
            return LP_OK;
        }
        rc = lp_zip_entry_build(ctx, f, p->level, sha, NULL, ze, e);
    }
    if (rc == LP_OK) {
        keep_in_store(p, f, sha, ze);
    }
    return rc;
}

/* Entry i into its slot: from the store of compressed entries when it holds
 * a verified one (entries up to LP_ZIP_ENTRY_SPILL), else built by
 * lp_zip_entry (the file is streamed, hashed, deflated by lp_deflate and
 * inflated again) and then stored. */
static void process(pipeline *p, size_t i, lp_zip_entry_ctx *ctx)
{
    const lp_file *f = &p->m->files[i];
    lp_error e = LP_ERROR_INIT;
    lp_zip_entry ze;
    memset(&ze, 0, sizeof(ze));
    ze.fd = -1;
    /* Bytes lp_zip_entry does not count as it reads them (stored, inline). */
    uint64_t counted = f->source_path != NULL && f->content == NULL ? 0 : f->size;
    int rc = LP_OK;
    if (p->slots[i].pending) {
        rc = build_pending(p, f, p->fill[i].sha256, ctx, &ze, &counted, &e);
    } else if (from_store(p, f, f->sha256, &ze)) {
        counted = f->size;
    } else if ((rc = lp_zip_entry_build(ctx, f, p->level, f->sha256, NULL, &ze, &e)) == LP_OK) {
        keep_in_store(p, f, f->sha256, &ze);
    }
    if (rc < 0) {
        fail_slot(p, i, &e);
        return;
    }
    lp_progress_add(p->rep, 1, counted);
    pthread_mutex_lock(&p->mu);
    slot *s = &p->slots[i];
    s->e = ze;
    s->state = SLOT_READY;
    p->ready_ahead++;
    poke_writer(p);
    pthread_mutex_unlock(&p->mu);
}

#define PICK_NONE ((size_t)-1) /* every entry is taken */
#define PICK_WAIT ((size_t)-2) /* the budget is spent: wait for a release */

/* The entry a free worker takes next (called with p->mu held): a large
 * entry within the look-ahead when the budget allows, else the next one in
 * archive order when the budget allows or the writer waits for it. */
static size_t pick(pipeline *p)
{
    const lp_file *files = p->m->files;
    while (p->next_start < p->n &&
           (p->slots[p->next_start].started || files[p->next_start].is_dir)) {
        p->next_start++; /* taken early, or a directory (no data) */
    }
    if (p->next_start >= p->n) {
        return PICK_NONE;
    }
    if (p->next_early < p->next_start) {
        p->next_early = p->next_start;
    }
    while (p->next_early < p->n &&
           (p->slots[p->next_early].started || files[p->next_early].is_dir ||
            files[p->next_early].size < LP_ZIP_EARLY_MIN)) {
        p->next_early++;
    }
    size_t e = p->next_early, s = p->next_start;
    if (e < p->n && e != s && p->slots[e].input_at - p->slots[s].input_at <= LP_ZIP_LOOKAHEAD &&
        p->inflight + entry_cost(p, &files[e]) <= LP_ZIP_BUDGET) {
        return e;
    }
    if (s == p->lowest_unreleased || p->inflight + entry_cost(p, &files[s]) <= LP_ZIP_BUDGET) {
        return s;
    }
    return PICK_WAIT;
}

typedef struct worker_arg {
    pipeline *p;
} worker_arg;

static void *worker(void *arg)
{
    pipeline *p = ((worker_arg *)arg)->p;
    lp_zip_entry_ctx *ctx = lp_zip_entry_ctx_new(p->spill_dir);
    if (ctx == NULL) {
        lp_error e = LP_ERROR_INIT;
        lp_error_nomem(&e);
        pthread_mutex_lock(&p->mu);
        if (!p->failed) {
            p->failed = 1;
            p->err_index = 0;
            p->err = e;
        }
        p->abort = 1;
        wake_all(p);
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    lp_zip_entry_ctx_set_progress(ctx, p->rep);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        size_t i = PICK_NONE;
        while (!p->abort && (i = pick(p)) == PICK_WAIT) {
            p->workers_blocked++;
            poke_writer(p); /* only it can free memory */
            pthread_cond_wait(&p->cv, &p->mu);
            p->workers_blocked--;
        }
        if (!p->abort && lp_progress_cancelled(p->rep)) {
            p->abort = 1; /* every worker and the writer's wait stop */
            wake_all(p);
        }
        if (i == PICK_NONE) {
            p->all_taken = 1;
            poke_writer(p);
        }
        if (p->abort || i == PICK_NONE) {
            break;
        }
        size_t cost = entry_cost(p, &p->m->files[i]);
        p->slots[i].started = 1;
        p->slots[i].cost = cost;
        p->inflight += cost;
        pthread_mutex_unlock(&p->mu);
        process(p, i, ctx);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    lp_zip_entry_ctx_free(ctx);
    return NULL;
}

/* Frees entry i's data and lets the workers move on. */
static void release(pipeline *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    slot *s = &p->slots[i];
    if (s->state != SLOT_RELEASED) {
        if (s->state == SLOT_READY) {
            p->ready_ahead--;
        }
        lp_zip_entry_release(&s->e);
        p->inflight -= s->cost;
        s->state = SLOT_RELEASED;
    }
    while (p->lowest_unreleased < p->n && p->slots[p->lowest_unreleased].state == SLOT_RELEASED) {
        p->lowest_unreleased++;
    }
    if (p->workers_blocked > 0) {
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
}

/* Waits until entry i is processed: 0 when ready, -1 when it failed or the
 * build stops. When the writer has to wait, it waits for a batch
 * (writer_may_go). */
static int wait_ready(pipeline *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    if (p->slots[i].state == SLOT_PENDING) {
        p->writer_waiting = 1;
        p->writer_at = i;
        while (!writer_may_go(p, i)) {
            pthread_cond_wait(&p->wcv, &p->mu);
        }
        p->writer_waiting = 0;
    }
    int ok = p->slots[i].state == SLOT_READY;
    pthread_mutex_unlock(&p->mu);
    return ok ? 0 : -1;
}

/* ---- the container: written in archive order through one buffer ---- */

/* The output buffer; a header with the longest name fits in it. */
#define LP_ZIP_OUT_BUF ((size_t)1 << 20)

/* The temporary ZIP as it is written: every byte goes through buf, or
 * straight to fd when it is large, and is hashed on its way out, so the
 * ZIP's SHA-256 needs no second read. */
typedef struct zout {
    int fd;
    const char *output_path; /* for messages: the name the user knows */
    unsigned char *buf;
    size_t len;
    uint64_t off; /* bytes put so far, buffered ones included */
    EVP_MD_CTX *sha;
} zout;

static int write_error(lp_error *err, const char *output_path, int e)
{
    return lp_error_set(err, LP_EIO, e, -1, "output_path", output_path, "cannot write '%s': %s",
                        output_path, strerror(e));
}

static int zout_init(zout *o, const char *output_path, lp_error *err)
{
    o->output_path = output_path;
    if ((o->buf = malloc(LP_ZIP_OUT_BUF)) == NULL || (o->sha = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestInit_ex(o->sha, lp_hash_sha256_md(), NULL) != 1) {
        return lp_error_nomem_at(err, -1, "output_path", output_path);
    }
    return LP_OK;
}

static void zout_fini(zout *o)
{
    if (o->fd >= 0) {
        close(o->fd);
    }
    free(o->buf);
    EVP_MD_CTX_free(o->sha);
}

static int zout_write(zout *o, const unsigned char *data, size_t n, lp_error *err)
{
    if (n > 0 && EVP_DigestUpdate(o->sha, data, n) != 1) {
        return lp_error_nomem_at(err, -1, "output_path", o->output_path);
    }
    return lp_fs_write_all(o->fd, data, n) < 0 ? write_error(err, o->output_path, errno) : LP_OK;
}

static int zout_flush(zout *o, lp_error *err)
{
    size_t n = o->len;
    o->len = 0;
    return zout_write(o, o->buf, n, err);
}

/* Room for need bytes at the end of the buffer (need <= LP_ZIP_OUT_BUF);
 * zout_commit then counts what was put there. */
static unsigned char *zout_reserve(zout *o, size_t need, lp_error *err)
{
    if (o->len + need > LP_ZIP_OUT_BUF && zout_flush(o, err) < 0) {
        return NULL;
    }
    return o->buf + o->len;
}

static void zout_commit(zout *o, size_t n)
{
    o->len += n;
    o->off += n;
}

static int zout_put(zout *o, const void *data, size_t n, lp_error *err)
{
    if (o->len + n <= LP_ZIP_OUT_BUF) {
        if (n > 0) {
            memcpy(o->buf + o->len, data, n);
        }
        zout_commit(o, n);
        return LP_OK;
    }
    if (zout_flush(o, err) < 0) {
        return -1;
    }
    o->off += n;
    return zout_write(o, data, n, err);
}

/* *info from a ZIP's SHA-256 and size. */
static void fill_info(const unsigned char d[32], uint64_t size, lp_zip_info *info)
{
    lp_hash_hex(d, info->sha256_hex);
    lp_hash_base64(d, info->base64sha256);
    info->size = size;
}

/* The ZIP's size and SHA-256, once everything is flushed. */
static int zout_digest(zout *o, lp_zip_info *info, lp_error *err)
{
    unsigned char d[32];
    unsigned int dlen = 0;
    if (EVP_DigestFinal_ex(o->sha, d, &dlen) != 1 || dlen != sizeof(d)) {
        return lp_error_nomem_at(err, -1, "output_path", o->output_path);
    }
    fill_info(d, o->off, info);
    return LP_OK;
}

/* Entry i's header fields; a released slot keeps its sizes and CRC. */
static void hdr_of(const pipeline *p, size_t i, lp_zip_hdr *h)
{
    const lp_file *f = &p->m->files[i];
    const slot *s = &p->slots[i];
    memset(h, 0, sizeof(*h));
    h->name = f->archive_path;
    h->name_len = strlen(f->archive_path);
    h->offset = s->offset;
    if (f->is_dir) {
        h->ext_attr = ((uint32_t)(S_IFDIR | 0755) << 16) | 0x10; /* + MS-DOS directory bit */
        return;
    }
    h->size = s->e.size;
    h->comp_size = s->e.comp_size;
    h->crc = s->e.crc;
    h->deflated = s->e.deflated;
    h->ext_attr = (uint32_t)(S_IFREG | (f->mode & 0777)) << 16;
}

/* Copies an entry's data (memory, or its temporary file) into the ZIP. */
static int put_data(zout *o, const lp_file *f, const lp_zip_entry *e, lp_error *err)
{
    if (e->fd < 0) {
        return zout_put(o, e->mem, (size_t)e->comp_size, err);
    }
    for (uint64_t done = 0; done < e->comp_size;) {
        if (o->len == LP_ZIP_OUT_BUF && zout_flush(o, err) < 0) {
            return -1;
        }
        int64_t n = lp_zip_entry_read(e, done, o->buf + o->len, LP_ZIP_OUT_BUF - o->len);
        if (n <= 0) {
            int se = n < 0 ? errno : EIO;
            return lp_error_set(err, LP_EIO, se, f->source_index, NULL, f->archive_path,
                                "cannot read back the compressed data of '%s': %s", f->archive_path,
                                strerror(se));
        }
        zout_commit(o, (size_t)n);
        done += (uint64_t)n;
    }
    return LP_OK;
}

/* Local headers and data in archive order, each entry as soon as a worker
 * has it; then the central directory and the end records. 1 when a worker
 * failed or the build was cancelled (pipeline_error says which). */
static int write_container(pipeline *p, zout *o, lp_error *err)
{
    const lp_manifest *m = p->m;
    lp_zip_hdr h;
    unsigned char *b;
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        if (lp_progress_cancelled(p->rep) || (!f->is_dir && wait_ready(p, i) < 0)) {
            return 1;
        }
        p->slots[i].offset = o->off;
        hdr_of(p, i, &h);
        if (h.name_len > LP_ZIP_HDR_NAME_MAX) {
            return lp_error_set(err, LP_EINVAL, 0, f->source_index, NULL, f->archive_path,
                                "archive path '%.64s...' is longer than a ZIP can hold",
                                f->archive_path);
        }
        if ((b = zout_reserve(o, LP_ZIP_HDR_LOCAL_MAX(h.name_len), err)) == NULL) {
            return -1;
        }
        zout_commit(o, lp_zip_hdr_local(&h, b));
        if (!f->is_dir) {
            int rc = put_data(o, f, &p->slots[i].e, err);
            release(p, i);
            if (rc < 0) {
                return rc;
            }
        }
    }
    uint64_t cd_offset = o->off;
    int any_zip64 = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        hdr_of(p, i, &h);
        if ((b = zout_reserve(o, LP_ZIP_HDR_CENTRAL_MAX(h.name_len), err)) == NULL) {
            return -1;
        }
        zout_commit(o, lp_zip_hdr_central(&h, b, &any_zip64));
    }
    if ((b = zout_reserve(o, LP_ZIP_HDR_END_MAX, err)) == NULL) {
        return -1;
    }
    zout_commit(o, lp_zip_hdr_end(m->n_files, o->off - cd_offset, cd_offset, any_zip64, b));
    return zout_flush(o, err);
}

int lp_zip_write(const lp_manifest *m, const char *output_path, int threads, lp_zip_info *info,
                 lp_error *err)
{
    lp_zip_options opts = LP_ZIP_OPTIONS_INIT;
    opts.threads = threads;
    return lp_zip_write_opts(m, output_path, &opts, info, err);
}

/* Counts of what the workers build: files with data, their bytes. */
static void write_totals(const lp_manifest *m, size_t *files, uint64_t *bytes)
{
    *files = 0;
    *bytes = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        if (!m->files[i].is_dir) {
            (*files)++;
            *bytes += m->files[i].size;
        }
    }
}

static int cancelled(lp_error *err, const char *output_path)
{
    return lp_error_set(err, LP_ECANCELED, 0, -1, "output_path", output_path,
                        "build of '%s' cancelled: no ZIP was written", output_path);
}

/* The arguments and the output's place: a regular file or nothing. */
static int check_args(const lp_manifest *m, const char *output_path, const lp_zip_options *opts,
                      lp_error *err)
{
    struct stat st;
    if (opts->version != LP_ZIP_OPTIONS_VERSION) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "lp_zip_options of version %u",
                            opts->version);
    }
    if (m == NULL || output_path == NULL || output_path[0] == '\0') {
        return lp_error_set(err, LP_EINVAL, 0, -1, "output_path", "",
                            "no manifest or no output path");
    }
    if (m->n_files == 0) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "the package has no file");
    }
    if (lp_spec_check_level(m->level, err) < 0) {
        return LP_EINVAL;
    }
    if (stat(output_path, &st) == 0 && !S_ISREG(st.st_mode)) {
        return lp_error_set(err, LP_EIO, EISDIR, -1, "output_path", output_path,
                            "cannot write '%s': %s", output_path,
                            S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
    }
    return LP_OK;
}

/* Creates a unique file beside the output (mkstemps: O_EXCL, random), its
 * name into *tmp and its descriptor into *fd (the caller frees *tmp, and
 * removes the file once *tmp is set and the call succeeded). */
static int open_temp(const char *output_path, char **tmp, int *fd, lp_error *err)
{
    if (asprintf(tmp, "%s.XXXXXX.tmp", output_path) < 0) {
        *tmp = NULL;
        return lp_error_nomem_at(err, -1, "output_path", output_path);
    }
    if ((*fd = mkstemps(*tmp, 4)) < 0) {
        return write_error(err, output_path, errno);
    }
    /* The ZIP is readable by everyone, like a file made under umask 022. */
    if (fchmod(*fd, 0644) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        unlink(*tmp);
        return lp_error_set(err, LP_EIO, e, -1, "output_path", *tmp, "cannot write '%s': %s", *tmp,
                            strerror(e));
    }
    return LP_OK;
}

/* The pipeline's slots, spill directory and locks (p->rep set already).
 * complete: m itself when its pending hashes are to be filled, else NULL. */
static int pipeline_init(pipeline *p, const lp_manifest *m, lp_manifest *complete,
                         const char *output_path, lp_error *err)
{
    p->m = m;
    p->fill = complete != NULL ? complete->files : NULL;
    p->level = m->level;
    p->store = m->level > 0 ? lp_store_default() : NULL;
    p->n = m->n_files;
    if ((p->spill_dir = strdup(output_path)) == NULL ||
        (p->slots = calloc(p->n, sizeof(*p->slots))) == NULL) {
        return lp_error_nomem(err);
    }
    char *slash = strrchr(p->spill_dir, '/');
    if (slash == NULL) {
        strcpy(p->spill_dir, ".");
    } else {
        *(slash == p->spill_dir ? slash + 1 : slash) = '\0';
    }
    uint64_t at = 0;
    for (size_t i = 0; i < p->n; at += m->files[i].size, i++) {
        p->slots[i].e.fd = -1;
        p->slots[i].input_at = at;
        p->slots[i].pending = p->fill != NULL && m->files[i].hash_pending;
        if (m->files[i].is_dir) {
            p->slots[i].state = SLOT_RELEASED;
        }
    }
    while (p->lowest_unreleased < p->n && p->slots[p->lowest_unreleased].state == SLOT_RELEASED) {
        p->lowest_unreleased++;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    pthread_cond_init(&p->wcv, NULL);
    return LP_OK;
}

/* Why the writer stopped waiting for an entry: a cancel or a worker's error. */
static int pipeline_error(pipeline *p, const char *output_path, lp_error *err)
{
    pthread_mutex_lock(&p->mu);
    int failed = p->failed;
    pthread_mutex_unlock(&p->mu);
    if (lp_progress_cancelled(p->rep) || !failed) {
        return cancelled(err, output_path);
    }
    if (err != NULL) {
        *err = p->err;
    }
    return p->err.code;
}

/* Makes the written ZIP durable, then fills *info from the running hash. */
static int finish_temp(zout *o, lp_zip_info *info, lp_error *err)
{
    if (fsync(o->fd) != 0) {
        return write_error(err, o->output_path, errno);
    }
    int fd = o->fd;
    o->fd = -1;
    if (close(fd) != 0) {
        return write_error(err, o->output_path, errno);
    }
    return info != NULL ? zout_digest(o, info, err) : LP_OK;
}

/* The hashes the workers took from the bytes they packed go into the
 * manifest, which is then sealed (content_hash). */
static int complete_manifest(lp_manifest *m, const pipeline *p, lp_error *err)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->slots[i].pending) {
            lp_hash_hex(m->files[i].sha256, m->files[i].sha256_hex);
            m->files[i].hash_pending = 0;
        }
    }
    return lp_manifest_seal(m, err);
}

/* A build that failed after complete_manifest leaves m as it found it. */
static void uncomplete_manifest(lp_manifest *m, const pipeline *p)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->slots[i].pending) {
            m->files[i].hash_pending = 1;
            m->files[i].sha256_hex[0] = '\0';
        }
    }
    m->content_hash[0] = '\0';
}

/* lp_zip_write_opts and lp_zip_build: complete is m itself when m's pending
 * hashes are to be filled, else NULL. */
static int write_zip(const lp_manifest *m, lp_manifest *complete, const char *output_path,
                     const lp_zip_options *opts, lp_zip_info *info, lp_error *err)
{
    static const lp_zip_options defaults = LP_ZIP_OPTIONS_INIT;
    int rc = LP_OK;
    char *tmp = NULL;
    zout o = {.fd = -1};
    int tmp_exists = 0;
    pipeline p;
    lp_pool pool = {.started = 0};
    worker_arg wa;
    int pipeline_ready = 0;
    lp_progress_reporter rep;
    int rep_ready = 0;

    memset(&p, 0, sizeof(p));
    if (opts == NULL) {
        opts = &defaults;
    }
    if ((rc = check_args(m, output_path, opts, err)) < 0 ||
        (rc = lp_fs_mkdirs(output_path, 0, err)) < 0) {
        return rc;
    }
    if ((rc = open_temp(output_path, &tmp, &o.fd, err)) < 0) {
        goto done;
    }
    tmp_exists = 1;
    if ((rc = zout_init(&o, output_path, err)) < 0) {
        goto done;
    }

    size_t files_total;
    uint64_t bytes_total;
    write_totals(m, &files_total, &bytes_total);
    rep_ready = 1;
    if (lp_progress_begin(&rep, opts->progress, opts->progress_payload, LP_PROGRESS_WRITE,
                          files_total, bytes_total, output_path)) {
        rc = cancelled(err, output_path);
        goto done;
    }
    p.rep = &rep;
    if ((rc = pipeline_init(&p, m, complete, output_path, err)) < 0) {
        goto done;
    }
    pipeline_ready = 1;

    /* Workers start first: the writer waits on them from its first entry. */
    wa.p = &p;
    if (lp_pool_start(&pool, lp_pool_threads(opts->threads, p.n), worker, &wa) == 0) {
        rc = lp_error_set(err, LP_ENOMEM, EAGAIN, -1, NULL, "", "cannot start a worker thread");
        goto done;
    }
    if ((rc = write_container(&p, &o, err)) != 0) {
        rc = rc > 0 ? pipeline_error(&p, output_path, err) : rc;
        goto done;
    }
    if (complete != NULL && (rc = complete_manifest(complete, &p, err)) < 0) {
        goto done;
    }
    /* The last word before the ZIP takes its place. */
    if (lp_progress_end(&rep)) {
        rc = cancelled(err, output_path);
        goto done;
    }
    /* Hashed before the rename: a failure here must leave the old ZIP. */
    if ((rc = finish_temp(&o, info, err)) < 0 || (rc = lp_fs_replace(tmp, output_path, err)) < 0) {
        goto done;
    }
    tmp_exists = 0;
    lp_store_maintain(p.store);
done:
    if (rc < 0 && complete != NULL && pipeline_ready) {
        uncomplete_manifest(complete, &p);
    }
    if (pipeline_ready) {
        pthread_mutex_lock(&p.mu);
        p.abort = 1;
        wake_all(&p);
        pthread_mutex_unlock(&p.mu);
        lp_pool_join(&pool);
        for (size_t i = 0; i < p.n; i++) {
            lp_zip_entry_release(&p.slots[i].e);
        }
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv);
        pthread_cond_destroy(&p.wcv);
    }
    free(p.slots);
    free(p.spill_dir);
    zout_fini(&o);
    if (tmp_exists) {
        unlink(tmp);
    }
    free(tmp);
    if (rep_ready) {
        lp_progress_fini(&rep);
    }
    return rc;
}

int lp_zip_write_opts(const lp_manifest *m, const char *output_path, const lp_zip_options *opts,
                      lp_zip_info *info, lp_error *err)
{
    if (lp_manifest_pending(m)) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "",
                            "the manifest's hashes are pending: lp_zip_build completes it");
    }
    return write_zip(m, NULL, output_path, opts, info, err);
}

int lp_zip_build(lp_manifest *m, const char *output_path, const lp_zip_options *opts,
                 lp_zip_info *info, lp_error *err)
{
    return write_zip(m, lp_manifest_pending(m) ? m : NULL, output_path, opts, info, err);
}

int lp_zip_hash_file(const char *path, lp_zip_info *info, lp_error *err)
{
    uint64_t size = 0;
    unsigned char d[32];
    struct stat st;
    if (path == NULL || info == NULL) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "no path or no info");
    }
    if (stat(path, &st) != 0) {
        return lp_error_set(err, errno == ENOENT ? LP_ENOENT : LP_EIO, errno, -1, "output_path",
                            path, "cannot read '%s': %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return lp_error_set(err, LP_EIO, EISDIR, -1, "output_path", path,
                            "cannot read '%s': not a regular file", path);
    }
    int rc = lp_manifest_hash_path(NULL, path, path, -1, (uint64_t)st.st_size, UINT64_MAX, &size, d,
                                   NULL, NULL, err);
    if (rc < 0) {
        if (err != NULL) {
            err->field = "output_path";
        }
        return rc;
    }
    fill_info(d, size, info);
    return LP_OK;
}
