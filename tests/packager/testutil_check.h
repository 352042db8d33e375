/*
 * testutil_check: helpers for the tests of lp_check (test_check.c,
 * test_check_py.c): manifests of inline files made by hand (tu_hm_*), a
 * check run that fails the test on error, and expectations on its report.
 */
#ifndef TESTUTIL_CHECK_H
#define TESTUTIL_CHECK_H

#include <stddef.h>

#include "lp_check.h"
#include "lp_manifest.h"

typedef struct tu_hm_file {
    const char *path;
    const char *content;
} tu_hm_file;

/* A manifest of inline files, sorted like lp_manifest_build sorts. Freed with tu_hm_free. */
lp_manifest *tu_hm_make(const tu_hm_file *files, size_t n);

/* Frees a manifest of tu_hm_make. */
void tu_hm_free(lp_manifest *m);

/* lp_check_run, failing the test when it fails; caller frees the report. */
lp_check_report *tu_check_run(const lp_manifest *m, const lp_check_options *o);

/* The first finding whose detail contains needle, or NULL. */
const lp_check_finding *tu_check_detail(const lp_check_report *r, const char *needle);

/* Prints every finding (for a failing test's output). */
void tu_check_dump(const lp_check_report *r);

/* Fails the test unless the report has no finding. */
void tu_check_clean(const lp_check_report *r);

/* Fails the test unless the report has exactly one finding, of severity
 * sev; returns it. */
const lp_check_finding *tu_check_one(const lp_check_report *r, lp_check_severity sev);

#endif
