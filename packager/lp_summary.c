/*
 * lp_summary: folds vendored trees of a manifest into one entry each
 * (see include/lp_summary.h for the rules). Reads only the small metadata
 * files (RECORD, top_level.txt) of distributions at the package root, never
 * the vendored code itself; knows nothing of Terraform.
 */
#include "lp_summary.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"
#include "lp_dist.h"
#include "lp_hash.h"

/* A set of normalized top-level names, kept sorted for bsearch. */
typedef struct name_set {
    char **names;
    size_t n, cap;
} name_set;

/* Lowercase, with '-' and '.' folded to '_' (a Python distribution name). */
static void normalize(char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '-' || *s == '.') {
            *s = '_';
        } else {
            *s = (char)tolower((unsigned char)*s);
        }
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const lp_summary_entry *)a)->key, ((const lp_summary_entry *)b)->key);
}

static int set_add(name_set *set, const char *name, size_t len)
{
    if (len == 0 || len > 255) {
        return 0;
    }
    char **grown = lp_buf_grow(set->names, &set->cap, set->n + 1, sizeof(*grown), LP_BUF_UNBOUNDED);
    if (grown == NULL) {
        return LP_ENOMEM;
    }
    set->names = grown;
    char *copy = strndup(name, len);
    if (copy == NULL) {
        return LP_ENOMEM;
    }
    normalize(copy);
    set->names[set->n++] = copy;
    return 0;
}

static void set_finish(name_set *set)
{
    if (set->n > 0) {
        qsort(set->names, set->n, sizeof(*set->names), cmp_str);
    }
}

static int set_has(const name_set *set, const char *name, size_t len)
{
    char key[256];
    if (len == 0 || len >= sizeof(key) || set->n == 0) {
        return 0;
    }
    memcpy(key, name, len);
    key[len] = '\0';
    normalize(key);
    const char *k = key;
    return bsearch(&k, set->names, set->n, sizeof(*set->names), cmp_str) != NULL;
}

static void set_free(name_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->names[i]);
    }
    free(set->names);
}

static int has_suffix(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* Length of the first path component, or 0 when the path has no '/'. */
static size_t top_len(const char *path)
{
    const char *slash = strchr(path, '/');
    return slash != NULL ? (size_t)(slash - path) : 0;
}

static int is_metadata_dir(const char *name, size_t len)
{
    return has_suffix(name, len, ".dist-info") || has_suffix(name, len, ".egg-info");
}

/* Vendored names: each distribution's name (from its metadata directory's
 * name, up to the first '-') and the directories and modules its metadata
 * lists (lp_dist); root files need no folding. */
static int add_vendored(void *user, const lp_dist_name *n)
{
    name_set *set = user;
    if (n->name == n->dist) {
        const char *dash = memchr(n->dist, '-', n->dist_len);
        return set_add(set, n->dist, dash != NULL ? (size_t)(dash - n->dist) : n->dist_len);
    }
    return n->kind == LP_DIST_FILE ? 0 : set_add(set, n->name, n->len);
}

static int collect_vendored(name_set *set, const lp_manifest *m)
{
    int rc = set_add(set, "node_modules", strlen("node_modules"));
    if (rc == 0) {
        rc = lp_dist_each(m, add_vendored, set, NULL);
    }
    set_finish(set);
    return rc;
}

/* Appends one canonical line for f (relative to its folded directory). */
static int fold_line(lp_buf *text, const lp_file *f, size_t skip)
{
    char line[64 + 65 + 32];
    int n = snprintf(line, sizeof(line), "%o %llu %s ", (unsigned)f->mode,
                     (unsigned long long)f->size, f->sha256_hex);
    int rc = lp_buf_add(text, line, (size_t)n);
    if (rc == 0) {
        rc = lp_buf_add(text, f->archive_path + skip, strlen(f->archive_path + skip));
    }
    return rc == 0 ? lp_buf_add(text, "\n", 1) : rc;
}

/* Length of the prefix "c1/.../cL/" of path (its first level components
 * and their slashes), or 0 when path lies less than level directories deep. */
static size_t prefix_at_level(const char *path, size_t level)
{
    const char *p = path;
    for (size_t l = 0; l < level; l++) {
        const char *slash = strchr(p, '/');
        if (slash == NULL) {
            return 0;
        }
        p = slash + 1;
    }
    return (size_t)(p - path);
}

static int is_vendored(const name_set *vendored, const char *path)
{
    size_t t = top_len(path);
    return t > 0 && (is_metadata_dir(path, t) || set_has(vendored, path, t));
}

/* Entries the summary has when first-party directories `level` deep are
 * folded (vendored ones count one entry per top-level directory); stops
 * counting past limit. The manifest is sorted, so a directory's files are
 * contiguous. */
static size_t count_entries(const lp_manifest *m, const name_set *vendored, size_t level,
                            size_t limit)
{
    size_t n = 0;
    const char *group = NULL;
    size_t group_len = 0;
    for (size_t i = 0; i < m->n_files && n <= limit; i++) {
        const char *path = m->files[i].archive_path;
        size_t p = is_vendored(vendored, path) ? top_len(path) + 1
                   : level > 0                 ? prefix_at_level(path, level)
                                               : 0;
        if (p == 0) {
            n++;
            group = NULL;
        } else if (group == NULL || group_len != p || strncmp(group, path, p) != 0) {
            n++;
            group = path;
            group_len = p;
        }
    }
    return n;
}

/* The first-party folding level (0: none), see include/lp_summary.h. */
static size_t choose_level(const lp_manifest *m, const name_set *vendored)
{
    if (count_entries(m, vendored, 0, LP_SUMMARY_MAX_ENTRIES) <= LP_SUMMARY_MAX_ENTRIES) {
        return 0;
    }
    size_t level = 1;
    while (count_entries(m, vendored, level + 1, LP_SUMMARY_MAX_ENTRIES) <=
           LP_SUMMARY_MAX_ENTRIES) {
        level++;
    }
    return level;
}

/* Folds files[i..] sharing the prefix of length p into e; returns the index
 * after the group, or a negative LP_E*. */
static long fold_group(const lp_manifest *m, size_t i, size_t p, lp_summary_entry *e, lp_buf *text)
{
    const char *path = m->files[i].archive_path;
    lp_buf_reset(text);
    size_t j = i;
    for (; j < m->n_files && strncmp(m->files[j].archive_path, path, p) == 0; j++) {
        int rc = fold_line(text, &m->files[j], p);
        if (rc < 0) {
            return rc;
        }
    }
    unsigned char digest[32];
    if ((e->key = strndup(path, p)) == NULL ||
        lp_hash_sha256(text->data != NULL ? text->data : "", text->len, digest) < 0) {
        return LP_ENOMEM;
    }
    lp_hash_hex(digest, e->sha256_hex);
    e->n_files = j - i;
    return (long)j;
}

int lp_summary_build(lp_summary **out, const lp_manifest *m, lp_error *err)
{
    name_set vendored = {NULL, 0, 0};
    lp_summary *s = calloc(1, sizeof(*s));
    lp_buf text = LP_BUF_INIT(SIZE_MAX);
    int rc = LP_ENOMEM;
    *out = NULL;
    if (s == NULL ||
        (m->n_files > 0 && (s->items = calloc(m->n_files, sizeof(*s->items))) == NULL)) {
        goto done;
    }
    if ((rc = collect_vendored(&vendored, m)) < 0) {
        goto done;
    }
    size_t level = choose_level(m, &vendored);
    for (size_t i = 0; i < m->n_files;) {
        const lp_file *f = &m->files[i];
        lp_summary_entry *e = &s->items[s->n];
        size_t p = is_vendored(&vendored, f->archive_path) ? top_len(f->archive_path) + 1
                   : level > 0                             ? prefix_at_level(f->archive_path, level)
                                                           : 0;
        if (p == 0) {
            if ((e->key = strdup(f->archive_path)) == NULL) {
                rc = LP_ENOMEM;
                goto done;
            }
            memcpy(e->sha256_hex, f->sha256_hex, sizeof(e->sha256_hex));
            e->n_files = 1;
            s->n++;
            i++;
            continue;
        }
        /* Every entry under the same directory: contiguous, since the
         * manifest is sorted and they share the prefix "dir/". */
        long next = fold_group(m, i, p, e, &text);
        if (next < 0) {
            rc = (int)next;
            goto done;
        }
        s->n++;
        i = (size_t)next;
    }
    /* Folded keys end in '/', which can sort after files of a similar name:
     * restore bytewise key order. */
    if (s->n > 1) { /* qsort(NULL, 0, ...) is undefined: an empty ZIP has no items */
        qsort(s->items, s->n, sizeof(*s->items), cmp_entry);
    }
    *out = s;
    s = NULL;
    rc = 0;
done:
    if (rc < 0) {
        lp_error_set(err, rc, 0, -1, NULL, NULL, "cannot summarize the package: %s",
                     lp_error_name(rc));
    }
    lp_buf_free(&text);
    set_free(&vendored);
    lp_summary_free(s);
    return rc;
}

void lp_summary_free(lp_summary *s)
{
    if (s == NULL) {
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].key);
    }
    free(s->items);
    free(s);
}
