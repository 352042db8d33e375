/*
 * testutil_check: helpers for the lp_check tests (see testutil_check.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil_check.h"

static int cmp_lp_file(const void *a, const void *b)
{
    return strcmp(((const lp_file *)a)->archive_path, ((const lp_file *)b)->archive_path);
}

lp_manifest *tu_hm_make(const tu_hm_file *files, size_t n)
{
    lp_manifest *m = calloc(1, sizeof(*m));
    assert_non_null(m);
    m->files = calloc(n > 0 ? n : 1, sizeof(*m->files));
    assert_non_null(m->files);
    for (size_t i = 0; i < n; i++) {
        lp_file *f = &m->files[i];
        f->archive_path = strdup(files[i].path);
        assert_non_null(f->archive_path);
        f->content = (const unsigned char *)files[i].content;
        f->size = strlen(files[i].content);
        f->mode = 0644;
        m->unzipped_size += f->size;
    }
    m->n_files = n;
    qsort(m->files, n, sizeof(*m->files), cmp_lp_file);
    return m;
}

void tu_hm_free(lp_manifest *m)
{
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->files[i].archive_path);
    }
    free(m->files);
    free(m);
}

lp_check_report *tu_check_run(const lp_manifest *m, const lp_check_options *o)
{
    lp_check_report *r = NULL;
    lp_error err = LP_ERROR_INIT;
    int rc = lp_check_run(&r, m, o, &err);
    if (rc != 0) {
        fail_msg("lp_check_run failed: %d %s", rc, err.message);
    }
    assert_non_null(r);
    return r;
}

const lp_check_finding *tu_check_detail(const lp_check_report *r, const char *needle)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strstr(r->items[i].detail, needle) != NULL) {
            return &r->items[i];
        }
    }
    return NULL;
}

void tu_check_dump(const lp_check_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        print_message(
            "  [%s] %s: %s (%s:%d)\n", r->items[i].severity == LP_CHECK_ERROR ? "error" : "warning",
            r->items[i].summary, r->items[i].detail,
            r->items[i].archive_path != NULL ? r->items[i].archive_path : "-", r->items[i].line);
    }
}

void tu_check_clean(const lp_check_report *r)
{
    if (r->n != 0) {
        tu_check_dump(r);
        fail_msg("expected no findings, got %zu", r->n);
    }
}

const lp_check_finding *tu_check_one(const lp_check_report *r, lp_check_severity sev)
{
    if (r->n != 1 || r->items[0].severity != sev) {
        tu_check_dump(r);
        fail_msg("expected exactly one %s, got %zu findings",
                 sev == LP_CHECK_ERROR ? "error" : "warning", r->n);
    }
    return &r->items[0];
}
