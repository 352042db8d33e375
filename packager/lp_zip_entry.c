/*
 * lp_zip_entry: reads, verifies, compresses and re-checks one entry's data.
 *
 * The read buffer, the deflate stream and the two decoders belong to the
 * context (one per worker thread) and are reused from entry to entry. The
 * compressed bytes pass through the sink below into the entry's memory
 * buffer (or its temporary file once larger than LP_ZIP_ENTRY_SPILL). An
 * entry of at most CHECK_WHOLE_MAX bytes is decoded again in one call by
 * libdeflate's decompressor once it is complete (the fastest independent
 * decoder, but it needs the whole output in memory); a larger one streams
 * through zlib's inflate as it is written. Either way the decoded bytes are
 * only counted and CRC'd.
 */
#include "lp_zip_entry.h"
#include "lp_compat.h"

#include "lp_deflate.h"
#include "lp_fs.h"
#include "lp_hash.h"
#include "lp_progress_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_BUF (LP_ZIP_ENTRY_SMALL + 1)
#define CHECK_BUF ((size_t)64 * 1024)
/* Entries up to this size are checked whole (libdeflate); a worker's check
 * buffer grows to at most this. Their compressed data stays in memory:
 * lp_deflate adds at most 5 bytes per 65,535 to incompressible input. */
#define CHECK_WHOLE_MAX ((uint64_t)4 << 20)

struct lp_zip_entry_ctx {
    char *spill_dir;
    unsigned char *rbuf;  /* READ_BUF */
    unsigned char *check; /* CHECK_BUF, inflate's output */
    unsigned char *whole; /* the whole check's output, whole_cap bytes */
    size_t whole_cap;
    struct libdeflate_decompressor *dd;
    lp_deflate *ds;
    z_stream z;
    int z_ready;
    EVP_MD_CTX *md;
    lp_progress_reporter *progress; /* may be NULL */
};

/* What the sink needs while one entry is built. */
typedef struct sink_state {
    lp_zip_entry_ctx *c;
    lp_zip_entry *e;
    int io_errno;     /* the spill file could not be written */
    int stream_check; /* 1: zlib checks the data as it is written */
    int check_failed; /* inflate saw bad data or data after the end */
    int check_ended;  /* inflate reached the final block's end */
    uint32_t check_crc;
    uint64_t check_size;
    int hash; /* 1: the input is SHA-256'd on the way in */
} sink_state;

lp_zip_entry_ctx *lp_zip_entry_ctx_new(const char *spill_dir)
{
    lp_zip_entry_ctx *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->spill_dir = strdup(spill_dir != NULL && spill_dir[0] != '\0' ? spill_dir : ".");
    c->rbuf = malloc(READ_BUF);
    c->check = malloc(CHECK_BUF);
    c->md = EVP_MD_CTX_new();
    c->dd = libdeflate_alloc_decompressor();
    if (c->spill_dir == NULL || c->rbuf == NULL || c->check == NULL || c->md == NULL ||
        c->dd == NULL || inflateInit2(&c->z, -15) != Z_OK) {
        lp_zip_entry_ctx_free(c);
        return NULL;
    }
    c->z_ready = 1;
    return c;
}

void lp_zip_entry_ctx_set_progress(lp_zip_entry_ctx *c, lp_progress_reporter *r)
{
    c->progress = r;
}

void lp_zip_entry_ctx_free(lp_zip_entry_ctx *c)
{
    if (c == NULL) {
        return;
    }
    if (c->z_ready) {
        inflateEnd(&c->z);
    }
    lp_deflate_free(c->ds);
    if (c->dd != NULL) {
        libdeflate_free_decompressor(c->dd);
    }
    free(c->whole);
    EVP_MD_CTX_free(c->md);
    free(c->check);
    free(c->rbuf);
    free(c->spill_dir);
    free(c);
}

/* An unlinked file in dir: nothing is left behind, even after a crash. */
static int spill_open(const char *dir)
{
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) {
        return fd;
    }
#endif
    char *t = NULL;
    if (asprintf(&t, "%s/.lambdapack-spill.XXXXXX", dir) < 0) {
        errno = ENOMEM;
        return -1;
    }
    int fd2 = mkostemp(t, O_CLOEXEC);
    if (fd2 >= 0) {
        unlink(t);
    }
    free(t);
    return fd2;
}

/* Appends entry data: to memory, or to the spill file beyond the limit. */
static int store_data(sink_state *ss, const unsigned char *data, size_t len)
{
    lp_zip_entry *e = ss->e;
    if (e->fd < 0 && e->comp_size + len <= LP_ZIP_ENTRY_SPILL) {
        if (e->comp_size + len > e->mem_cap) {
            size_t cap = e->mem_cap < 65536 ? 65536 : e->mem_cap * 2;
            while (cap < e->comp_size + len) {
                cap *= 2;
            }
            if (cap > LP_ZIP_ENTRY_SPILL) {
                cap = LP_ZIP_ENTRY_SPILL;
            }
            unsigned char *g = realloc(e->mem, cap);
            if (g == NULL) {
                ss->io_errno = ENOMEM;
                return -1;
            }
            e->mem = g;
            e->mem_cap = cap;
        }
        memcpy(e->mem + e->comp_size, data, len);
        e->comp_size += len;
        return 0;
    }
    if (e->fd < 0) {
        if ((e->fd = spill_open(ss->c->spill_dir)) < 0) {
            ss->io_errno = errno;
            return -1;
        }
        int rc = lp_fs_write_all(e->fd, e->mem, (size_t)e->comp_size);
        int saved = errno;
        free(e->mem);
        e->mem = NULL;
        e->mem_cap = 0;
        if (rc < 0) {
            ss->io_errno = saved;
            return -1;
        }
    }
    if (lp_fs_write_all(e->fd, data, len) < 0) {
        ss->io_errno = errno;
        return -1;
    }
    e->comp_size += len;
    return 0;
}

/* The independent check: inflate what the encoder wrote. */
static void check_data(sink_state *ss, const unsigned char *data, size_t len)
{
    z_stream *z = &ss->c->z;
    if (ss->check_failed) {
        return;
    }
    if (ss->check_ended) {
        ss->check_failed = len > 0; /* bytes after the final block */
        return;
    }
    z->next_in = (unsigned char *)(uintptr_t)data;
    z->avail_in = (uInt)len;
    while (z->avail_in > 0 && !ss->check_ended) {
        z->next_out = ss->c->check;
        z->avail_out = (uInt)CHECK_BUF;
        int rc = inflate(z, Z_NO_FLUSH);
        size_t got = CHECK_BUF - z->avail_out;
        ss->check_crc = (uint32_t)libdeflate_crc32(ss->check_crc, ss->c->check, got);
        ss->check_size += got;
        if (rc == Z_STREAM_END) {
            ss->check_ended = 1;
            if (z->avail_in > 0) {
                ss->check_failed = 1;
            }
        } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && got > 0)) {
            ss->check_failed = 1;
            return;
        }
    }
}

int lp_zip_entry_check_whole(lp_zip_entry_ctx *c, const lp_zip_entry *e)
{
    size_t want = (size_t)e->size;
    if (e->fd >= 0 || e->size > CHECK_WHOLE_MAX) {
        return 1; /* cannot happen: see CHECK_WHOLE_MAX */
    }
    if (want > c->whole_cap) {
        size_t cap = c->whole_cap < 65536 ? 65536 : c->whole_cap;
        while (cap < want) {
            cap *= 2;
        }
        unsigned char *g = realloc(c->whole, cap);
        if (g == NULL) {
            return -1;
        }
        c->whole = g;
        c->whole_cap = cap;
    }
    size_t in_used = 0, got = 0;
    enum libdeflate_result r = libdeflate_deflate_decompress_ex(c->dd, e->mem, (size_t)e->comp_size,
                                                                c->whole, want, &in_used, &got);
    if (r != LIBDEFLATE_SUCCESS || in_used != e->comp_size || got != want) {
        return 1;
    }
    return (uint32_t)libdeflate_crc32(0, c->whole, got) == e->crc ? 0 : 1;
}

static int entry_sink(void *ud, const unsigned char *data, size_t len)
{
    sink_state *ss = ud;
    if (ss->stream_check) {
        check_data(ss, data, len);
    }
    return store_data(ss, data, len) < 0 ? -1 : 0;
}

/* Feeds input bytes: hash, CRC and (unless stored) the encoder. */
static int feed(sink_state *ss, const unsigned char *data, size_t n, int level)
{
    lp_zip_entry *e = ss->e;
    if (ss->hash) {
        EVP_DigestUpdate(ss->c->md, data, n);
    }
    e->crc = (uint32_t)libdeflate_crc32(e->crc, data, n);
    if (level == 0) {
        return store_data(ss, data, n);
    }
    return lp_deflate_write(ss->c->ds, data, n, entry_sink, ss) < 0 ? -1 : 0;
}

static const char *display(const lp_file *f)
{
    return f->source_path != NULL ? f->source_path : f->archive_path;
}

static int changed(const lp_file *f, lp_error *err)
{
    return lp_error_set(err, LP_ECHANGED, 0, f->source_index, "path", display(f),
                        "'%s' changed while it was being packaged", display(f));
}

static int cannot_read(const lp_file *f, int e, lp_error *err)
{
    return lp_error_set(err, e == ENOENT ? LP_ENOENT : LP_EIO, e, f->source_index, "path",
                        f->source_path, "cannot read '%s': %s", f->source_path, strerror(e));
}

/* Streams the file (at most size + 1 bytes) through feed. */
static int read_source(sink_state *ss, const lp_file *f, int level, uint64_t *total, lp_error *err)
{
    if (f->content != NULL || f->source_path == NULL) {
        *total = f->size;
        return f->size == 0 || feed(ss, f->content, (size_t)f->size, level) == 0 ? LP_OK : -1;
    }
    int fd = lp_fs_open_source(f->source_path);
    if (fd < 0) {
        return cannot_read(f, errno, err);
    }
    LP_FADVISE_SEQUENTIAL(fd, f->size);
    int rc = LP_OK;
    *total = 0;
    for (;;) {
        size_t want = READ_BUF;
        if (f->size + 1 - *total < want) {
            want = (size_t)(f->size + 1 - *total);
        }
        ssize_t r = lp_fs_read(fd, ss->c->rbuf, want);
        if (r < 0) {
            rc = cannot_read(f, errno, err);
            break;
        }
        if (r == 0) {
            break;
        }
        *total += (uint64_t)r;
        if (*total > f->size) {
            rc = changed(f, err); /* grew */
            break;
        }
        if (feed(ss, ss->c->rbuf, (size_t)r, level) < 0) {
            rc = -1;
            break;
        }
        if (lp_progress_add(ss->c->progress, 0, (uint64_t)r)) {
            rc = lp_error_set(err, LP_ECANCELED, 0, f->source_index, "path", f->source_path,
                              "cancelled while compressing '%s'", f->source_path);
            break;
        }
        if ((size_t)r < want && *total == f->size) {
            break; /* a short read at the stat's size: the end of the file */
        }
    }
    close(fd);
    return rc;
}

int lp_zip_entry_read_small(lp_zip_entry_ctx *c, const lp_file *f, const unsigned char **data,
                            unsigned char sha256[32], lp_error *err)
{
    *data = NULL;
    if (f->source_path == NULL || f->content != NULL || f->size > LP_ZIP_ENTRY_SMALL) {
        return lp_error_set(err, LP_EINVAL, 0, f->source_index, NULL, f->archive_path,
                            "'%s' is not a small file to read whole", f->archive_path);
    }
    int fd = lp_fs_open_source(f->source_path);
    if (fd < 0) {
        return cannot_read(f, errno, err);
    }
    /* One byte more than the stat said: a file that grew is seen. A read
     * that returns less than it was asked for, with the stat's size in hand,
     * has met the end of the file: no end-of-file read is needed. */
    size_t want = (size_t)f->size + 1, total = 0;
    int rc = LP_OK;
    while (total < want) {
        size_t ask = want - total;
        ssize_t r = lp_fs_read(fd, c->rbuf + total, ask);
        if (r < 0) {
            rc = cannot_read(f, errno, err);
            break;
        }
        if (r == 0) {
            break;
        }
        total += (size_t)r;
        if ((size_t)r < ask && total == f->size) {
            break;
        }
    }
    close(fd);
    if (rc == LP_OK && total != f->size) {
        rc = changed(f, err);
    }
    if (rc == LP_OK && lp_hash_sha256(c->rbuf, total, sha256) < 0) {
        rc = lp_error_nomem_at(err, f->source_index, NULL, f->archive_path);
    }
    if (rc == LP_OK && lp_progress_add(c->progress, 0, total)) {
        rc = lp_error_set(err, LP_ECANCELED, 0, f->source_index, "path", f->source_path,
                          "cancelled while compressing '%s'", f->source_path);
    }
    if (rc == LP_OK) {
        *data = c->rbuf;
    }
    return rc;
}

int lp_zip_entry_build(lp_zip_entry_ctx *c, const lp_file *f, int level,
                       const unsigned char expect[32], unsigned char got[32], lp_zip_entry *out,
                       lp_error *err)
{
    memset(out, 0, sizeof(*out));
    out->fd = -1;
    out->size = f->size;
    if (f->size == 0 && (f->content != NULL || f->source_path == NULL)) {
        return LP_OK; /* stored, no data */
    }
    int deflate = level > 0 && f->size > 0;
    if (deflate && (c->ds == NULL ? (c->ds = lp_deflate_new(level)) == NULL
                                  : lp_deflate_reset(c->ds, level) < 0)) {
        return lp_error_nomem_at(err, f->source_index, NULL, f->archive_path);
    }
    sink_state ss = {c, out, 0, f->size > CHECK_WHOLE_MAX,    0,
                     0, 0,   0, expect != NULL || got != NULL};
    if (deflate && ss.stream_check && inflateReset(&c->z) != Z_OK) {
        return lp_error_nomem_at(err, f->source_index, NULL, f->archive_path);
    }
    if (ss.hash) {
        EVP_DigestInit_ex(c->md, lp_hash_sha256_md(), NULL);
    }
    uint64_t total = 0;
    int rc = read_source(&ss, f, deflate ? level : 0, &total, err);
    if (rc == -1) {
        rc = LP_OK; /* failed in the sink: reported below */
    }
    if (rc == LP_OK && ss.io_errno == 0 && deflate &&
        lp_deflate_finish(c->ds, entry_sink, &ss) < 0 && ss.io_errno == 0) {
        ss.io_errno = EIO;
    }
    int whole_bad = 0;
    if (rc == LP_OK && ss.io_errno == 0 && deflate && !ss.stream_check &&
        (whole_bad = lp_zip_entry_check_whole(c, out)) < 0) {
        ss.io_errno = ENOMEM;
    }
    if (rc == LP_OK && ss.io_errno != 0) {
        rc = ss.io_errno == ENOMEM
                 ? lp_error_nomem_at(err, f->source_index, NULL, f->archive_path)
                 : lp_error_set(err, LP_EIO, ss.io_errno, -1, "output_path", c->spill_dir,
                                "cannot write a temporary file in '%s' for '%s': %s", c->spill_dir,
                                f->archive_path, strerror(ss.io_errno));
    }
    if (rc == LP_OK && ss.hash) {
        unsigned char d[32];
        EVP_DigestFinal_ex(c->md, d, NULL);
        if (expect != NULL && memcmp(d, expect, 32) != 0) {
            rc = changed(f, err);
        } else if (got != NULL) {
            memcpy(got, d, 32);
        }
    }
    if (rc == LP_OK && total != f->size) {
        rc = changed(f, err);
    }
    if (rc == LP_OK && f->size == 0) {
        lp_zip_entry_release(out); /* a path source that is empty: stored */
        out->comp_size = 0;
        return LP_OK;
    }
    if (rc == LP_OK && deflate &&
        (ss.stream_check ? ss.check_failed || !ss.check_ended || ss.check_size != f->size ||
                               ss.check_crc != out->crc
                         : whole_bad != 0)) {
        rc = lp_error_set(err, LP_EINTERNAL, 0, f->source_index, NULL, f->archive_path,
                          "internal error: the compressed data of '%s' does not decompress to "
                          "its content (" LP_DEFLATE_FORMAT ", level %d); no ZIP was written",
                          f->archive_path, level);
    }
    if (rc < 0) {
        lp_zip_entry_release(out);
        return rc;
    }
    out->deflated = deflate;
    return LP_OK;
}

int64_t lp_zip_entry_read(const lp_zip_entry *e, uint64_t off, void *buf, size_t n)
{
    if (off >= e->comp_size) {
        return 0;
    }
    if (n > e->comp_size - off) {
        n = (size_t)(e->comp_size - off);
    }
    if (e->fd < 0) {
        memcpy(buf, e->mem + off, n);
        return (int64_t)n;
    }
    for (;;) {
        ssize_t r = pread(e->fd, buf, n, (off_t)off);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        return r < 0 ? -1 : (int64_t)r;
    }
}

void lp_zip_entry_release(lp_zip_entry *e)
{
    free(e->mem);
    e->mem = NULL;
    e->mem_cap = 0;
    if (e->fd >= 0) {
        close(e->fd);
        e->fd = -1;
    }
}
