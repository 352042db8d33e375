/*
 * lp_zip_read: reads an existing ZIP back into a manifest, and compares
 * manifests.
 *
 * The ZIP is untrusted. It is opened read-only with libzip's consistency
 * checks; names are validated before anything else (`..`, absolute,
 * backslashes, bad UTF-8: LP_EPATH); symlink and device entries are
 * LP_EZIP; entry count and declared sizes are
 * capped (LP_ELIMIT) before any data is read; every entry is streamed through
 * one fixed buffer, CRC-checked by libzip and SHA-256 hashed here, and its
 * real length must equal the declared one. Nothing is written and no
 * allocation depends on a size the archive declares.
 */
#include "lp_zip.h"

#include "lp_buf.h"
#include "lp_hash.h"
#include "lp_manifest_int.h"
#include "lp_path.h"
#include "lp_progress_int.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

/* Bounds on what lp_zip_read_manifest accepts. */
#define LP_ZIP_MAX_ENTRIES 200000
#define LP_ZIP_MAX_TOTAL ((zip_uint64_t)1 << 30)

static int zip_err(lp_error *err, const char *zip_path, const char *entry, const char *what)
{
    if (entry != NULL) {
        return lp_error_set(err, LP_EZIP, 0, -1, NULL, entry, "invalid ZIP '%s': entry '%s': %s",
                            zip_path, entry, what);
    }
    return lp_error_set(err, LP_EZIP, 0, -1, NULL, zip_path, "invalid ZIP '%s': %s", zip_path,
                        what);
}

/* Streams entry i through buf, hashing it; the real length must equal the
 * declared size. */
static int read_entry(zip_t *za, zip_uint64_t i, const char *zip_path, lp_file *f,
                      unsigned char *buf, size_t bufsize, EVP_MD_CTX *ctx,
                      lp_progress_reporter *rep, lp_error *err)
{
    int rc = LP_OK;
    uint64_t total = 0;
    zip_file_t *zf = zip_fopen_index(za, i, 0);
    if (zf == NULL) {
        return zip_err(err, zip_path, f->archive_path, zip_strerror(za));
    }
    EVP_DigestInit_ex(ctx, lp_hash_sha256_md(), NULL);
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, bufsize);
        if (n < 0) {
            rc = zip_err(err, zip_path, f->archive_path, zip_file_strerror(zf));
            goto done;
        }
        if (n == 0) {
            break;
        }
        total += (uint64_t)n;
        if (total > f->size) {
            rc = zip_err(err, zip_path, f->archive_path, "data longer than its declared size");
            goto done;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        if (lp_progress_add(rep, 0, (uint64_t)n)) {
            rc = lp_error_set(err, LP_ECANCELED, 0, -1, NULL, zip_path, "reading '%s' cancelled",
                              zip_path);
            goto done;
        }
    }
    if (total != f->size) {
        rc = zip_err(err, zip_path, f->archive_path, "data shorter than its declared size");
        goto done;
    }
    EVP_DigestFinal_ex(ctx, f->sha256, NULL);
    lp_hash_hex(f->sha256, f->sha256_hex);
done:
    zip_fclose(zf);
    return rc;
}

/* Little-endian fields of the ZIP headers. */
static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

/*
 * Checks the entry names as they are stored, byte for byte. libzip hands out
 * names as C strings and turns a NUL inside a name into a space, so
 * "app.py\0.txt" would pass as "app.py .txt" while an extractor that stops at
 * the NUL sees "app.py". Reads the end record (ZIP64 too) and walks the n
 * central headers; a NUL or other control byte in a name is LP_EPATH.
 */
static int check_raw_names(const char *zip_path, zip_uint64_t n, lp_error *err)
{
    enum { TAIL = 65557, NAME = 65536 };
    unsigned char h[56];
    int rc = LP_OK;
    unsigned char *tail = malloc(TAIL + NAME), *name = tail + TAIL;
    if (tail == NULL) {
        return lp_error_nomem(err);
    }
    FILE *f = fopen(zip_path, "rbe");
    if (f == NULL) {
        free(tail);
        return lp_error_set(err, LP_EIO, errno, -1, NULL, zip_path, "cannot read '%s': %s",
                            zip_path, strerror(errno));
    }
    off_t size = fseeko(f, 0, SEEK_END) == 0 ? ftello(f) : -1;
    size_t len = size < 0 ? 0 : (size_t)(size < (off_t)TAIL ? size : (off_t)TAIL);
    off_t base = size - (off_t)len;
    long eocd = -1;
    if (size < 22 || fseeko(f, base, SEEK_SET) != 0 || fread(tail, 1, len, f) != len) {
        rc = zip_err(err, zip_path, NULL, "cannot read the end of central directory");
        goto done;
    }
    for (long i = (long)len - 22; i >= 0 && eocd < 0; i--) {
        if (memcmp(tail + i, "PK\5\6", 4) == 0) {
            eocd = i;
        }
    }
    if (eocd < 0) {
        rc = zip_err(err, zip_path, NULL, "no end of central directory");
        goto done;
    }
    uint64_t cd = le(tail + eocd + 16, 4);
    if (le(tail + eocd + 10, 2) == 0xffff || le(tail + eocd + 16, 4) == 0xffffffff ||
        le(tail + eocd + 12, 4) == 0xffffffff) {
        /* ZIP64: the locator just before the end record points at the real one. */
        if (eocd < 20 || memcmp(tail + eocd - 20, "PK\6\7", 4) != 0 ||
            fseeko(f, (off_t)le(tail + eocd - 20 + 8, 8), SEEK_SET) != 0 ||
            fread(h, 1, 56, f) != 56 || memcmp(h, "PK\6\6", 4) != 0) {
            rc = zip_err(err, zip_path, NULL, "bad ZIP64 end of central directory");
            goto done;
        }
        cd = le(h + 48, 8);
    }
    if (fseeko(f, (off_t)cd, SEEK_SET) != 0) {
        rc = zip_err(err, zip_path, NULL, "bad central directory offset");
        goto done;
    }
    for (zip_uint64_t i = 0; i < n; i++) {
        if (fread(h, 1, 46, f) != 46 || memcmp(h, "PK\1\2", 4) != 0) {
            rc = zip_err(err, zip_path, NULL, "truncated central directory");
            goto done;
        }
        size_t nlen = (size_t)le(h + 28, 2);
        long skip = (long)(le(h + 30, 2) + le(h + 32, 2));
        if (fread(name, 1, nlen, f) != nlen || fseek(f, skip, SEEK_CUR) != 0) {
            rc = zip_err(err, zip_path, NULL, "truncated central directory");
            goto done;
        }
        for (size_t k = 0; k < nlen; k++) {
            if (name[k] < 0x20 || name[k] == 0x7f) {
                char shown[128];
                size_t o = 0;
                for (size_t j = 0; j < nlen && o + 5 < sizeof(shown); j++) {
                    o += (size_t)snprintf(shown + o, sizeof(shown) - o,
                                          name[j] < 0x20 || name[j] >= 0x7f ? "\\x%02x" : "%c",
                                          name[j]);
                }
                rc = lp_error_set(err, LP_EPATH, 0, -1, NULL, shown,
                                  "ZIP '%s' has an unsafe entry name '%s': %s byte in the name",
                                  zip_path, shown, name[k] == 0 ? "NUL" : "control");
                goto done;
            }
        }
    }
done:
    fclose(f);
    free(tail);
    return rc;
}

/* Opens the regular file zip_path with libzip's consistency checks. */
static int open_zip(zip_t **za, const char *zip_path, lp_error *err)
{
    int rc = LP_OK;
    int zerr = 0;
    struct stat st;
    if (stat(zip_path, &st) != 0) {
        return lp_error_set(err, errno == ENOENT ? LP_ENOENT : LP_EIO, errno, -1, NULL, zip_path,
                            "cannot read '%s': %s", zip_path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return lp_error_set(err, LP_EIO, EISDIR, -1, NULL, zip_path,
                            "cannot read '%s': not a regular file", zip_path);
    }
    if ((*za = zip_open(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr)) == NULL) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ) {
            int se = zip_error_code_system(&ze);
            rc = lp_error_set(err, se == ENOENT ? LP_ENOENT : LP_EIO, se, -1, NULL, zip_path,
                              "cannot read '%s': %s", zip_path, zip_error_strerror(&ze));
        } else {
            rc = zip_err(err, zip_path, NULL, zip_error_strerror(&ze));
        }
        zip_error_fini(&ze);
    }
    return rc;
}

/* First pass over entry i: its name, attributes and declared size, before
 * any data; appends it to m (the running total of sizes is *total). */
static int add_entry(lp_manifest *m, zip_t *za, zip_uint64_t i, const char *zip_path,
                     zip_uint64_t *total, lp_error *err)
{
    zip_stat_t zs;
    if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &zs) < 0) {
        return zip_err(err, zip_path, NULL, zip_strerror(za));
    }
    const char *name = (zs.valid & ZIP_STAT_NAME) ? zs.name : NULL;
    if (name == NULL) {
        return zip_err(err, zip_path, NULL, "entry without a name");
    }
    const char *why = lp_path_check(name, 1);
    if (why != NULL) {
        return lp_error_set(err, LP_EPATH, 0, -1, NULL, name,
                            "ZIP '%s' has an unsafe entry name '%s': %s", zip_path, name, why);
    }
    if ((zs.valid & ZIP_STAT_SIZE) == 0) {
        return zip_err(err, zip_path, name, "no size");
    }
    if (zs.size > LP_ZIP_MAX_TOTAL || *total + zs.size > LP_ZIP_MAX_TOTAL) {
        return lp_error_set(err, LP_ELIMIT, 0, -1, NULL, name,
                            "ZIP '%s' unpacks to more than %llu bytes", zip_path,
                            (unsigned long long)LP_ZIP_MAX_TOTAL);
    }
    *total += zs.size;
    lp_file *f = &m->files[m->n_files];
    if ((f->archive_path = strdup(name)) == NULL) {
        return lp_error_nomem_at(err, -1, NULL, zip_path);
    }
    m->n_files++;
    f->source_index = -1;
    f->size = zs.size;
    f->is_dir = name[strlen(name) - 1] == '/';
    zip_uint8_t opsys = 0;
    zip_uint32_t attr = 0;
    if (zip_file_get_external_attributes(za, i, 0, &opsys, &attr) < 0) {
        return zip_err(err, zip_path, name, zip_strerror(za));
    }
    zip_uint32_t type = (attr >> 16) & S_IFMT;
    if (opsys == ZIP_OPSYS_UNIX && type != 0 && type != S_IFREG && type != S_IFDIR) {
        /* A symlink (or device) entry would extract as something that is
         * not its bytes, possibly pointing outside the target directory. */
        return zip_err(err, zip_path, name,
                       type == S_IFLNK ? "symbolic link entry" : "special file entry");
    }
    if (opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & 07777) != 0) {
        f->mode = (attr >> 16) & 07777;
    } else {
        f->mode = f->is_dir ? 0755 : 0644;
    }
    if (f->is_dir) {
        if (zs.size != 0) {
            return zip_err(err, zip_path, name, "directory entry with data");
        }
        m->directory_entries = 1;
    }
    return LP_OK;
}

int lp_zip_read_manifest(lp_manifest **out, const char *zip_path, int level, lp_error *err)
{
    return lp_zip_read_manifest_opts(out, zip_path, level, NULL, err);
}

/* The second pass: every entry's data, reported to opts->progress. */
static int read_all(lp_manifest *m, zip_t *za, const char *zip_path, zip_uint64_t total,
                    const lp_zip_options *opts, unsigned char *buf, EVP_MD_CTX *ctx, lp_error *err)
{
    lp_progress_reporter rep;
    size_t files = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        files += m->files[i].is_dir ? 0 : 1;
    }
    int rc = LP_OK;
    if (lp_progress_begin(&rep, opts != NULL ? opts->progress : NULL,
                          opts != NULL ? opts->progress_payload : NULL, LP_PROGRESS_VERIFY, files,
                          total, zip_path)) {
        rc = LP_ECANCELED;
    }
    for (size_t i = 0; rc == LP_OK && i < m->n_files; i++) {
        rc = read_entry(za, (zip_uint64_t)i, zip_path, &m->files[i], buf, LP_HASH_BUF, ctx, &rep,
                        err);
        if (rc == LP_OK && lp_progress_add(&rep, m->files[i].is_dir ? 0 : 1, 0)) {
            rc = LP_ECANCELED;
        }
    }
    if (rc == LP_OK && lp_progress_end(&rep)) {
        rc = LP_ECANCELED;
    }
    if (rc == LP_ECANCELED) {
        rc = lp_error_set(err, LP_ECANCELED, 0, -1, NULL, zip_path, "reading '%s' cancelled",
                          zip_path);
    }
    lp_progress_fini(&rep);
    return rc;
}

int lp_zip_read_manifest_opts(lp_manifest **out, const char *zip_path, int level,
                              const lp_zip_options *opts, lp_error *err)
{
    int rc = LP_OK;
    zip_t *za = NULL;
    unsigned char *buf = NULL;
    EVP_MD_CTX *ctx = NULL;
    lp_manifest *m = NULL;

    *out = NULL;
    if (zip_path == NULL) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "no ZIP path");
    }
    if (opts != NULL && opts->version != LP_ZIP_OPTIONS_VERSION) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "lp_zip_options of version %u",
                            opts->version);
    }
    if ((rc = open_zip(&za, zip_path, err)) < 0) {
        return rc;
    }
    zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0) {
        rc = zip_err(err, zip_path, NULL, zip_strerror(za));
        goto done;
    }
    if (n > LP_ZIP_MAX_ENTRIES) {
        rc = lp_error_set(err, LP_ELIMIT, 0, -1, NULL, zip_path,
                          "ZIP '%s' has %lld entries, more than %d", zip_path, (long long)n,
                          LP_ZIP_MAX_ENTRIES);
        goto done;
    }
    if ((m = calloc(1, sizeof(*m))) == NULL ||
        (n > 0 && (m->files = calloc((size_t)n, sizeof(*m->files))) == NULL) ||
        (buf = malloc(LP_HASH_BUF)) == NULL || (ctx = EVP_MD_CTX_new()) == NULL) {
        rc = lp_error_nomem_at(err, -1, NULL, zip_path);
        goto done;
    }
    m->level = level;
    if ((rc = check_raw_names(zip_path, (zip_uint64_t)n, err)) < 0) {
        goto done;
    }
    /* First pass: names, attributes and declared sizes, before any data. */
    zip_uint64_t total = 0;
    for (zip_uint64_t i = 0; i < (zip_uint64_t)n; i++) {
        if ((rc = add_entry(m, za, i, zip_path, &total, err)) < 0) {
            goto done;
        }
    }
    /* Second pass: the data. */
    if ((rc = read_all(m, za, zip_path, total, opts, buf, ctx, err)) < 0) {
        goto done;
    }
    lp_manifest_sort(m);
    for (size_t i = 0; i + 1 < m->n_files; i++) {
        if (strcmp(m->files[i].archive_path, m->files[i + 1].archive_path) == 0) {
            rc = zip_err(err, zip_path, m->files[i].archive_path, "duplicate entry");
            goto done;
        }
    }
    if ((rc = lp_manifest_seal(m, err)) < 0) {
        goto done;
    }
    *out = m;
    m = NULL;
done:
    lp_manifest_free(m);
    EVP_MD_CTX_free(ctx);
    free(buf);
    if (za != NULL) {
        zip_discard(za);
    }
    return rc;
}

static int add_diff(lp_diff_list *d, size_t *cap, lp_diff_kind kind, const lp_file *e,
                    const lp_file *a, lp_error *err)
{
    lp_diff *g = lp_buf_grow(d->items, cap, d->n + 1, sizeof(*g), LP_BUF_UNBOUNDED);
    if (g == NULL) {
        return lp_error_nomem(err);
    }
    d->items = g;
    lp_diff *it = &d->items[d->n];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    if ((it->archive_path = strdup(e != NULL ? e->archive_path : a->archive_path)) == NULL) {
        return lp_error_nomem(err);
    }
    if (e != NULL) {
        it->expected_mode = e->mode;
        memcpy(it->expected_sha256, e->sha256_hex, sizeof(it->expected_sha256));
    }
    if (a != NULL) {
        it->actual_mode = a->mode;
        memcpy(it->actual_sha256, a->sha256_hex, sizeof(it->actual_sha256));
    }
    d->n++;
    return LP_OK;
}

int lp_manifest_diff(lp_diff_list **out, const lp_manifest *expected, const lp_manifest *actual,
                     lp_error *err)
{
    int rc = LP_OK;
    size_t cap = 0, i = 0, j = 0;
    *out = NULL;
    if (expected == NULL || actual == NULL) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, "", "no manifest to compare");
    }
    lp_diff_list *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return lp_error_nomem(err);
    }
    while (i < expected->n_files || j < actual->n_files) {
        const lp_file *e = i < expected->n_files ? &expected->files[i] : NULL;
        const lp_file *a = j < actual->n_files ? &actual->files[j] : NULL;
        int c = e == NULL ? 1 : a == NULL ? -1 : strcmp(e->archive_path, a->archive_path);
        if (c < 0) {
            rc = add_diff(d, &cap, LP_DIFF_MISSING, e, NULL, err);
            i++;
        } else if (c > 0) {
            rc = add_diff(d, &cap, LP_DIFF_EXTRA, NULL, a, err);
            j++;
        } else {
            if (e->size != a->size || memcmp(e->sha256, a->sha256, 32) != 0) {
                rc = add_diff(d, &cap, LP_DIFF_CHANGED, e, a, err);
            } else if (e->mode != a->mode) {
                rc = add_diff(d, &cap, LP_DIFF_MODE, e, a, err);
            }
            i++;
            j++;
        }
        if (rc < 0) {
            lp_diff_list_free(d);
            return rc;
        }
    }
    *out = d;
    return LP_OK;
}

void lp_diff_list_free(lp_diff_list *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].archive_path);
    }
    free(d->items);
    free(d);
}
