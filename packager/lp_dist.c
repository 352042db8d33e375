/*
 * lp_dist: names of the installed distributions at a package's root
 * (see lp_dist.h for the rules).
 */
#include "lp_dist.h"

#include <stdlib.h>
#include <string.h>

static int has_suffix(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

size_t lp_dist_metadata_dir(const char *path)
{
    const char *slash = strchr(path, '/');
    if (slash == NULL) {
        return 0;
    }
    size_t t = (size_t)(slash - path);
    return has_suffix(path, t, ".dist-info") || has_suffix(path, t, ".egg-info") ? t : 0;
}

/* The name one line gives, or len 0 when it gives none. */
static void parse_line(const unsigned char *d, size_t len, int is_record, lp_dist_name *out)
{
    /* RECORD is CSV: a quoted path may hold commas. */
    int quoted = len > 0 && d[0] == '"';
    size_t a = quoted ? 1 : 0;
    size_t b = a;
    while (b < len && d[b] != '/' && (quoted || d[b] != ',') && d[b] != '"' && d[b] != '\r' &&
           (is_record || d[b] != '.')) {
        b++;
    }
    size_t n = b - a;
    out->kind = !is_record ? LP_DIST_LISTED : (b < len && d[b] == '/') ? LP_DIST_DIR : LP_DIST_FILE;
    if (out->kind == LP_DIST_FILE) {
        const unsigned char *dot = memchr(d + a, '.', n);
        n = dot != NULL ? (size_t)(dot - (d + a)) : n;
    }
    const char *s = (const char *)d + a;
    int skip = n == 0 || n > LP_DIST_NAME_MAX || s[0] == '.' || has_suffix(s, n, ".dist-info") ||
               has_suffix(s, n, ".egg-info");
    out->name = s;
    out->len = skip ? 0 : n;
}

int lp_dist_parse(const char *dist, size_t dist_len, const unsigned char *d, size_t len,
                  int is_record, lp_dist_fn fn, void *user)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && d[e] != '\n') {
            e++;
        }
        lp_dist_name n = {dist, dist_len, NULL, 0, LP_DIST_DIR};
        parse_line(d + i, e - i, is_record, &n);
        if (n.len > 0) {
            int rc = fn(user, &n);
            if (rc < 0) {
                return rc;
            }
        }
        i = e + 1;
    }
    return 0;
}

static int read_metadata(const lp_manifest *m, const lp_file *f, size_t t, lp_dist_fn fn,
                         void *user, lp_error *err)
{
    const char *rest = f->archive_path + t + 1;
    int is_record = strcmp(rest, "RECORD") == 0 && has_suffix(f->archive_path, t, ".dist-info");
    if (f->is_dir || (!is_record && strcmp(rest, "top_level.txt") != 0)) {
        return 0;
    }
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = lp_manifest_read(m, f, LP_DIST_METADATA_MAX, &buf, &len, NULL);
    if (rc == LP_ENOMEM) {
        return lp_error_nomem_at(err, -1, NULL, f->archive_path);
    }
    if (rc < 0) {
        return 0; /* unreadable or oversized metadata names nothing */
    }
    rc = lp_dist_parse(f->archive_path, t, buf, len, is_record, fn, user);
    free(buf);
    return rc;
}

int lp_dist_each(const lp_manifest *m, lp_dist_fn fn, void *user, lp_error *err)
{
    for (size_t i = 0; i < m->n_files; i++) {
        const lp_file *f = &m->files[i];
        size_t t = lp_dist_metadata_dir(f->archive_path);
        if (t == 0) {
            continue;
        }
        /* The manifest is sorted: a directory's entries are contiguous. */
        if (i == 0 || strncmp(m->files[i - 1].archive_path, f->archive_path, t + 1) != 0) {
            lp_dist_name self = {f->archive_path, t, f->archive_path, t, LP_DIST_DIR};
            int rc = fn(user, &self);
            if (rc < 0) {
                return rc;
            }
        }
        int rc = read_metadata(m, f, t, fn, user, err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}
