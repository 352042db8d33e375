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
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 32;
        char **grown = realloc(set->names, cap * sizeof(*grown));
        if (grown == NULL) {
            return LP_ENOMEM;
        }
        set->names = grown;
        set->cap = cap;
    }
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
static int fold_line(char **text, size_t *len, size_t *cap, const lp_file *f, size_t skip)
{
    char line[64 + 65 + 32];
    int n = snprintf(line, sizeof(line), "%o %llu %s ", (unsigned)f->mode,
                     (unsigned long long)f->size, f->sha256_hex);
    size_t path_len = strlen(f->archive_path + skip);
    size_t need = *len + (size_t)n + path_len + 2;
    if (need > *cap) {
        size_t cap2 = *cap ? *cap : 4096;
        while (cap2 < need) {
            cap2 *= 2;
        }
        char *grown = realloc(*text, cap2);
        if (grown == NULL) {
            return LP_ENOMEM;
        }
        *text = grown;
        *cap = cap2;
    }
    memcpy(*text + *len, line, (size_t)n);
    *len += (size_t)n;
    memcpy(*text + *len, f->archive_path + skip, path_len);
    *len += path_len;
    (*text)[(*len)++] = '\n';
    return 0;
}

int lp_summary_build(lp_summary **out, const lp_manifest *m, lp_error *err)
{
    name_set vendored = {NULL, 0, 0};
    lp_summary *s = calloc(1, sizeof(*s));
    char *text = NULL;
    size_t text_len = 0, text_cap = 0;
    int rc = LP_ENOMEM;
    *out = NULL;
    if (s == NULL ||
        (m->n_files > 0 && (s->items = calloc(m->n_files, sizeof(*s->items))) == NULL)) {
        goto done;
    }
    if ((rc = collect_vendored(&vendored, m)) < 0) {
        goto done;
    }
    for (size_t i = 0; i < m->n_files;) {
        const lp_file *f = &m->files[i];
        size_t t = top_len(f->archive_path);
        lp_summary_entry *e = &s->items[s->n];
        if (t == 0 ||
            (!is_metadata_dir(f->archive_path, t) && !set_has(&vendored, f->archive_path, t))) {
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
        /* Fold every entry under the same top-level directory (contiguous:
         * the manifest is sorted and they share the prefix "name/"). */
        text_len = 0;
        size_t j = i;
        for (; j < m->n_files && strncmp(m->files[j].archive_path, f->archive_path, t + 1) == 0;
             j++) {
            if ((rc = fold_line(&text, &text_len, &text_cap, &m->files[j], t + 1)) < 0) {
                goto done;
            }
        }
        unsigned char digest[32];
        if ((e->key = strndup(f->archive_path, t + 1)) == NULL ||
            (rc = lp_hash_sha256(text != NULL ? text : "", text_len, digest)) < 0) {
            rc = LP_ENOMEM;
            goto done;
        }
        lp_hash_hex(digest, e->sha256_hex);
        e->n_files = j - i;
        s->n++;
        i = j;
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
    free(text);
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
