/*
 * lp_zip_write: writes a manifest as a reproducible ZIP.
 *
 * libzip is the container writer; the entry data is prepared here. Worker
 * threads build each entry with lp_zip_entry (stream the file, check its
 * SHA-256 against the manifest, deflate it with our frozen encoder
 * lp_deflate, decode the result again with libdeflate or zlib and compare
 * size and CRC);
 * every entry is handed to libzip through a zip_source_function whose
 * ZIP_SOURCE_STAT reports the compression method together with size,
 * compressed size and CRC, so libzip copies the bytes as they are instead of
 * compressing again. Entries are processed in archive order within a byte
 * budget (LP_ZIP_BUDGET, but always at least the entry libzip waits for);
 * an entry keeps at most LP_ZIP_ENTRY_SPILL bytes in memory, so memory is
 * bounded by a constant per worker, whatever the file sizes. Timestamps,
 * attributes and names are fixed here so the bytes depend on the manifest
 * only. The archive is written to a temporary file beside the output and
 * renamed over it; this module never leaves a partial ZIP.
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
#include <zip.h>

/* Bytes of file data and compressed output in flight at once (besides the
 * entry libzip is waiting for, which is always allowed). */
#define LP_ZIP_BUDGET ((size_t)64 << 20)

/* Entries of at least LP_ZIP_EARLY_MIN bytes start as soon as they are
 * within LP_ZIP_LOOKAHEAD bytes of input of the next entry in archive order
 * (budget permitting), so that a large file near the end does not finish
 * the build alone on one core while the others wait. Only the order in
 * which workers start entries changes, never the bytes. */
#define LP_ZIP_EARLY_MIN ((uint64_t)1 << 20)
#define LP_ZIP_LOOKAHEAD ((uint64_t)32 << 20)

/* MS-DOS date and time of every entry: 1980-01-01 00:00:00, the earliest a
 * ZIP can express (date = (year-1980)<<9 | month<<5 | day). */
#define LP_ZIP_DOS_DATE ((zip_uint16_t)((0 << 9) | (1 << 5) | 1))
#define LP_ZIP_DOS_TIME ((zip_uint16_t)0)

enum slot_state { SLOT_PENDING, SLOT_READY, SLOT_FAILED, SLOT_RELEASED };

typedef struct slot {
    enum slot_state state;
    lp_zip_entry e;    /* what libzip copies: deflated or stored bytes, sizes, CRC */
    size_t cost;       /* bytes charged to the budget */
    int started;       /* a worker has taken it */
    uint64_t input_at; /* input bytes of the entries before it */
} slot;

typedef struct pipeline {
    const lp_manifest *m;
    int level;
    char *spill_dir; /* where entries beyond LP_ZIP_ENTRY_SPILL go */
    slot *slots;
    size_t n;
    size_t next_start;        /* first entry in archive order no worker has taken */
    size_t next_early;        /* first large entry not taken (LP_ZIP_EARLY_MIN) */
    size_t lowest_unreleased; /* the entry libzip needs next (or later) */
    size_t inflight;
    int abort;
    int failed;
    size_t err_index;
    lp_error err;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    lp_store *store; /* NULL: build every entry */
    lp_progress_reporter *rep;
} pipeline;

typedef struct entry_src {
    pipeline *p;
    size_t index;
    size_t offset;
    int opened;
    zip_error_t error;
} entry_src;

/* Memory an entry holds until libzip copies it: its data, at most
 * LP_ZIP_ENTRY_SPILL (the rest waits in a temporary file). Reading and
 * compressing are streamed through per-worker buffers of constant size. */
static size_t entry_cost(const pipeline *p, const lp_file *f)
{
    uint64_t sz = p->level > 0 ? lp_deflate_bound(f->size) : f->size;
    return (sz > LP_ZIP_ENTRY_SPILL ? LP_ZIP_ENTRY_SPILL : (size_t)sz) + 1;
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
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
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
    size_t len = 0;
    /* Bytes lp_zip_entry does not count as it reads them (stored, inline). */
    uint64_t counted = f->source_path != NULL && f->content == NULL ? 0 : f->size;
    if (p->store != NULL && f->size > 0 && f->size <= LP_ZIP_ENTRY_SPILL &&
        lp_store_get(p->store, f->sha256, f->size, p->level, &ze.mem, &len, &ze.crc) == 0) {
        counted = f->size;
        /* Made here from bytes with this SHA-256, and its MAC verifies
         * (lp_store.h): the source is not read again. */
        ze.size = f->size;
        ze.comp_size = len;
        ze.mem_cap = len;
        ze.deflated = 1;
    } else if (lp_zip_entry_build(ctx, f, p->level, &ze, &e) < 0) {
        fail_slot(p, i, &e);
        return;
    } else if (p->store != NULL && ze.deflated && ze.fd < 0) {
        lp_store_put(p->store, f->sha256, f->size, p->level, ze.mem, (size_t)ze.comp_size, ze.crc);
    }
    lp_progress_add(p->rep, 1, counted);
    pthread_mutex_lock(&p->mu);
    slot *s = &p->slots[i];
    s->e = ze;
    s->state = SLOT_READY;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

#define PICK_NONE ((size_t)-1) /* every entry is taken */
#define PICK_WAIT ((size_t)-2) /* the budget is spent: wait for a release */

/* The entry a free worker takes next (called with p->mu held): a large
 * entry within the look-ahead when the budget allows, else the next one in
 * archive order when the budget allows or libzip waits for it. */
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
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        return NULL;
    }
    lp_zip_entry_ctx_set_progress(ctx, p->rep);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        size_t i = PICK_NONE;
        while (!p->abort && (i = pick(p)) == PICK_WAIT) {
            pthread_cond_wait(&p->cv, &p->mu);
        }
        if (!p->abort && lp_progress_cancelled(p->rep)) {
            p->abort = 1; /* every worker and libzip's wait stop */
            pthread_cond_broadcast(&p->cv);
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
        lp_zip_entry_release(&s->e);
        p->inflight -= s->cost;
        s->state = SLOT_RELEASED;
    }
    while (p->lowest_unreleased < p->n && p->slots[p->lowest_unreleased].state == SLOT_RELEASED) {
        p->lowest_unreleased++;
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Waits until entry i is processed; 0 when ready, -1 when failed. libzip
 * handles entries in order, so once it asks for entry i it is done with every
 * earlier one: any it did not open and close (it need not, e.g. for empty
 * entries) is released here, or the budget could stay charged forever. */
static int wait_ready(pipeline *p, size_t i, int allow_released)
{
    pthread_mutex_lock(&p->mu);
    for (size_t j = p->lowest_unreleased; j < i; j++) {
        slot *s = &p->slots[j];
        if (s->state == SLOT_READY) {
            lp_zip_entry_release(&s->e);
            p->inflight -= s->cost;
            s->state = SLOT_RELEASED;
        }
    }
    while (p->lowest_unreleased < p->n && p->slots[p->lowest_unreleased].state == SLOT_RELEASED) {
        p->lowest_unreleased++;
    }
    pthread_cond_broadcast(&p->cv);
    while (p->slots[i].state == SLOT_PENDING && !p->abort) {
        pthread_cond_wait(&p->cv, &p->mu);
    }
    int ok =
        p->slots[i].state == SLOT_READY || (allow_released && p->slots[i].state == SLOT_RELEASED);
    pthread_mutex_unlock(&p->mu);
    return ok ? 0 : -1;
}

static zip_int64_t entry_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    entry_src *es = ud;
    pipeline *p = es->p;
    slot *s = &p->slots[es->index];
    switch (cmd) {
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t)) {
            zip_error_set(&es->error, ZIP_ER_INVAL, 0);
            return -1;
        }
        /* The slot keeps its stat fields after its data is released. */
        if (wait_ready(p, es->index, 1) < 0) {
            zip_error_set(&es->error, ZIP_ER_READ, EIO);
            return -1;
        }
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC;
        st->size = s->e.size;
        st->comp_size = s->e.comp_size;
        st->comp_method = s->e.deflated ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
        st->crc = s->e.crc;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_OPEN:
        if (lp_progress_cancelled(p->rep) || wait_ready(p, es->index, 0) < 0) {
            zip_error_set(&es->error, ZIP_ER_READ, EIO);
            return -1;
        }
        es->offset = 0;
        es->opened = 1;
        return 0;
    case ZIP_SOURCE_READ: {
        if (!es->opened || s->state != SLOT_READY) {
            zip_error_set(&es->error, ZIP_ER_READ, EIO);
            return -1;
        }
        int64_t n = lp_zip_entry_read(&s->e, es->offset, data, len > SIZE_MAX ? SIZE_MAX : len);
        if (n < 0) {
            zip_error_set(&es->error, ZIP_ER_READ, errno);
            return -1;
        }
        es->offset += (size_t)n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE:
        /* libzip reads an entry once: its data can go now. */
        es->opened = 0;
        release(p, es->index);
        return 0;
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&es->error, data, len);
    case ZIP_SOURCE_FREE:
        zip_error_fini(&es->error);
        free(es);
        return 0;
    default:
        zip_error_set(&es->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

static int zip_fail(lp_error *err, zip_error_t *ze, const char *what, const char *path)
{
    int se = zip_error_code_system(ze);
    return lp_error_set(err, LP_EIO, zip_error_system_type(ze) == ZIP_ET_SYS ? se : 0, -1,
                        "output_path", path, "cannot %s '%s': %s", what, path,
                        zip_error_strerror(ze));
}

/* Adds every entry of m to za; the function sources refer to p. */
static int add_entries(zip_t *za, pipeline *p, const char *tmp, lp_error *err)
{
    const lp_manifest *m = p->m;
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        zip_int64_t idx;
        zip_uint32_t attr;
        if (f->is_dir) {
            idx = zip_dir_add(za, f->archive_path, ZIP_FL_ENC_UTF_8);
            attr = ((zip_uint32_t)(S_IFDIR | 0755) << 16) | 0x10; /* + MS-DOS directory bit */
        } else {
            entry_src *es = calloc(1, sizeof(*es));
            if (es == NULL) {
                return lp_error_nomem(err);
            }
            es->p = p;
            es->index = i;
            zip_error_init(&es->error);
            zip_error_t ze;
            zip_error_init(&ze);
            zip_source_t *src = zip_source_function_create(entry_cb, es, &ze);
            if (src == NULL) {
                zip_error_fini(&es->error);
                free(es);
                int rc = zip_fail(err, &ze, "write", tmp);
                zip_error_fini(&ze);
                return rc;
            }
            zip_error_fini(&ze);
            idx = zip_file_add(za, f->archive_path, src, ZIP_FL_ENC_UTF_8);
            if (idx < 0) {
                zip_source_free(src);
            }
            attr = (zip_uint32_t)(S_IFREG | (f->mode & 0777)) << 16;
        }
        if (idx < 0 ||
            zip_file_set_dostime(za, (zip_uint64_t)idx, LP_ZIP_DOS_TIME, LP_ZIP_DOS_DATE, 0) < 0 ||
            zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, attr) < 0 ||
            /* Stored entries (level 0, empty files) are declared so up front;
             * otherwise libzip would deflate them itself. */
            ((m->level == 0 || f->size == 0 || f->is_dir) &&
             zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0) < 0)) {
            return lp_error_set(err, LP_EIO, 0, f->source_index, NULL, f->archive_path,
                                "cannot add '%s' to '%s': %s", f->archive_path, tmp,
                                zip_strerror(za));
        }
    }
    return LP_OK;
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

/* Reserves a unique name beside the output (mkstemps: O_EXCL, random) into
 * *tmp (the caller frees it, and removes the file once *tmp is set and the
 * call succeeded). */
static int open_temp(const char *output_path, char **tmp, lp_error *err)
{
    if (asprintf(tmp, "%s.XXXXXX.tmp", output_path) < 0) {
        *tmp = NULL;
        return lp_error_nomem_at(err, -1, "output_path", output_path);
    }
    int fd = mkstemps(*tmp, 4);
    if (fd < 0) {
        return lp_error_set(err, LP_EIO, errno, -1, "output_path", output_path,
                            "cannot write '%s': %s", output_path, strerror(errno));
    }
    /* The ZIP is readable by everyone, like a file made under umask 022;
     * libzip copies this mode to the file it writes. */
    if (fchmod(fd, 0644) != 0) {
        int e = errno;
        close(fd);
        unlink(*tmp);
        return lp_error_set(err, LP_EIO, e, -1, "output_path", *tmp, "cannot write '%s': %s", *tmp,
                            strerror(e));
    }
    close(fd);
    return LP_OK;
}

/* The pipeline's slots, spill directory and locks (p->rep set already). */
static int pipeline_init(pipeline *p, const lp_manifest *m, const char *output_path, lp_error *err)
{
    p->m = m;
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
        if (m->files[i].is_dir) {
            p->slots[i].state = SLOT_RELEASED;
        }
    }
    while (p->lowest_unreleased < p->n && p->slots[p->lowest_unreleased].state == SLOT_RELEASED) {
        p->lowest_unreleased++;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    return LP_OK;
}

/* Why zip_close failed: a cancel, a worker's error, or libzip's own. */
static int close_error(pipeline *p, zip_t *za, const char *output_path, lp_error *err)
{
    pthread_mutex_lock(&p->mu);
    int failed = p->failed;
    pthread_mutex_unlock(&p->mu);
    if (lp_progress_cancelled(p->rep)) {
        return cancelled(err, output_path);
    }
    if (failed) {
        if (err != NULL) {
            *err = p->err;
        }
        return p->err.code;
    }
    return lp_error_set(err, LP_EIO, 0, -1, "output_path", output_path, "cannot write '%s': %s",
                        output_path, zip_strerror(za));
}

int lp_zip_write_opts(const lp_manifest *m, const char *output_path, const lp_zip_options *opts,
                      lp_zip_info *info, lp_error *err)
{
    static const lp_zip_options defaults = LP_ZIP_OPTIONS_INIT;
    int rc = LP_OK;
    char *tmp = NULL;
    zip_t *za = NULL;
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
    if ((rc = open_temp(output_path, &tmp, err)) < 0) {
        goto done;
    }
    tmp_exists = 1;

    int zerr = 0;
    if ((za = zip_open(tmp, ZIP_TRUNCATE, &zerr)) == NULL) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        rc = zip_fail(err, &ze, "write", tmp);
        zip_error_fini(&ze);
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
    if ((rc = pipeline_init(&p, m, output_path, err)) < 0) {
        goto done;
    }
    pipeline_ready = 1;

    /* Workers start first: nothing in libzip may wait on an entry before
     * they run. */
    wa.p = &p;
    if (lp_pool_start(&pool, lp_pool_threads(opts->threads, p.n), worker, &wa) == 0) {
        rc = lp_error_set(err, LP_ENOMEM, EAGAIN, -1, NULL, "", "cannot start a worker thread");
        goto done;
    }
    if ((rc = add_entries(za, &p, tmp, err)) < 0) {
        goto done;
    }
    if (zip_close(za) < 0) {
        rc = close_error(&p, za, output_path, err);
        goto done;
    }
    za = NULL;
    /* The last word before the ZIP takes its place. */
    if (lp_progress_end(&rep)) {
        rc = cancelled(err, output_path);
        goto done;
    }
    int se;
    if ((se = lp_fs_sync(tmp, 0)) < 0) {
        rc = lp_error_set(err, LP_EIO, -se, -1, "output_path", tmp, "cannot write '%s': %s", tmp,
                          strerror(-se));
        goto done;
    }
    /* Hashed before the rename: a failure here must leave the old ZIP. */
    if (info != NULL && (rc = lp_zip_hash_file(tmp, info, err)) < 0) {
        goto done;
    }
    if ((rc = lp_fs_replace(tmp, output_path, err)) < 0) {
        goto done;
    }
    tmp_exists = 0;
    lp_store_maintain(p.store);
done:
    if (za != NULL) {
        zip_discard(za); /* frees the entry sources */
    }
    if (pipeline_ready) {
        pthread_mutex_lock(&p.mu);
        p.abort = 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        lp_pool_join(&pool);
        for (size_t i = 0; i < p.n; i++) {
            lp_zip_entry_release(&p.slots[i].e);
        }
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.cv);
    }
    free(p.slots);
    free(p.spill_dir);
    if (tmp_exists) {
        unlink(tmp);
    }
    free(tmp);
    if (rep_ready) {
        lp_progress_fini(&rep);
    }
    return rc;
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
    int rc = lp_manifest_hash_path(path, path, -1, UINT64_MAX, &size, d, NULL, NULL, err);
    if (rc < 0) {
        if (err != NULL) {
            err->field = "output_path";
        }
        return rc;
    }
    lp_hash_hex(d, info->sha256_hex);
    lp_hash_base64(d, info->base64sha256);
    info->size = size;
    return LP_OK;
}
