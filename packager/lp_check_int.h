/*
 * lp_check_int: what the parts of the checker share. lp_check.c holds the
 * report, the manifest lookups, the generic and Node.js checks and the entry
 * point; lp_check_py.c the Python checks (installed distributions through
 * lp_dist, the import walk), lp_check_py_handler.c the Python handler;
 * lp_jsscan the JavaScript export scan. Private to the packager.
 */
#ifndef LP_CHECK_INT_H
#define LP_CHECK_INT_H

#include <stddef.h>

#include "lp_check.h"
#include "lp_pyscan.h"
#include "lp_runtime.h"

#define PATHBUF 2048                          /* archive paths built for lookups */
#define MAX_SOURCE ((size_t)16 * 1024 * 1024) /* larger sources are not scanned */
#define MAX_FINDINGS 200                      /* further findings are summarized */

typedef enum mod_kind { MOD_NONE, MOD_FILE, MOD_PACKAGE, MOD_NAMESPACE, MOD_OPAQUE } mod_kind;

typedef struct modref {
    mod_kind kind;
    const lp_file *file; /* MOD_FILE: x.py; MOD_PACKAGE: x/__init__.py; else NULL */
} modref;

typedef struct qitem {
    size_t idx; /* index into m->files */
    char *mod;  /* dotted module name */
    int is_pkg; /* the file is a package's __init__.py */
} qitem;

typedef struct checker {
    const lp_manifest *m;
    const lp_check_options *o;
    const lp_runtime_info *rt;
    lp_check_report *rep;
    size_t cap_items;
    size_t dropped; /* findings not added past MAX_FINDINGS */
    lp_error *err;
    /* Python import walk */
    lp_pyscan_result **scans; /* per file index, scanned on demand */
    unsigned char *queued;    /* per file index */
    qitem *queue;
    size_t n_queue, cap_queue;
    char **unknown; /* top-level names already reported as unknown */
    size_t n_unknown, cap_unknown;
    char **installed; /* sorted top-level names of installed distributions */
    size_t n_installed, cap_installed;
} checker;

/* Adds a finding (detail formatted from fmt), or counts it as dropped past
 * MAX_FINDINGS. Returns 0 or LP_ENOMEM with c->err filled. */
int lp_check_add(checker *c, lp_check_severity sev, const char *field, int index, const char *path,
                 int line, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* The file (not directory) entry at the formatted archive path, or NULL. */
const lp_file *lp_check_find(const lp_manifest *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 1 when some entry's path starts with prefix. */
int lp_check_has_prefix(const lp_manifest *m, const char *prefix);

/* Resolves module path rel ("shared/logic/courses") the way Python's path
 * finder does within one sys.path entry. */
void lp_check_find_module(const lp_manifest *m, const char *rel, modref *out);

/* Gives the bytes of f: borrowed inline content, or a buffer read through
 * the manifest into *owned (caller frees). */
/* The "Malformed handler" finding, in validation's words, when the handler
 * does not have the runtime's form (node: Node.js's, else Python's).
 * Returns 1 when the form is right, else what adding the finding returned
 * (0, or < 0). */
int lp_check_handler_form(checker *c, int node);

int lp_check_file_bytes(checker *c, const lp_file *f, const unsigned char **data, size_t *len,
                        unsigned char **owned);

/* 1 when runtime is one of Lambda's runtime identifiers, else 0. */
int lp_check_runtime_is_known(const char *runtime);

/* A static, comma-separated list of the known runtime identifiers, for messages. */
const char *lp_check_runtime_list(void);

/* Files whose path marks them as credentials (lp_check_sensitive.c). */
int lp_check_sensitive(checker *c);

/* The Python checks (external_modules, handler, import walk). */
int lp_check_python(checker *c);

/* Frees what lp_check_python allocated in c. */
void lp_check_python_free(checker *c);

/* ---- shared by the Python checks (lp_check_py.c) ---- */

/* The scan of file f, made on first use and cached; *res NULL when the file
 * is too large to scan (a warning is added). */
int lp_check_py_scan(checker *c, const lp_file *f, const lp_pyscan_result **res);

/* 1 when external_modules covers dotted module name: an entry equal to it or
 * to one of its dotted prefixes ("google.cloud" covers "google.cloud.x"). */
int lp_check_py_external_covers(const checker *c, const char *name);

/* Dotted name of an archive module path ("a/b/c" -> "a.b.c") into buf. */
void lp_check_py_dotted(const char *rel, char *buf, size_t size);

/* Queues module r (at archive module path rel) for the import walk when it
 * is a file or a package; each file at most once. */
int lp_check_py_enqueue(checker *c, const modref *r, const char *rel);

/* The handler module and function (lp_check_py_handler.c). */
int lp_check_py_handler(checker *c);

#endif
