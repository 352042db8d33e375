/*
 * lp_check: plan-time proof that Lambda can load a package.
 *
 * Given a manifest and the function's runtime and handler, this module
 * checks the runtime identifier, Lambda's unzipped size limit, the required
 * files, that the handler resolves the way the Lambda runtime resolves it,
 * and (Python) that every import reachable from the handler module resolves:
 * in the package, in the runtime's standard library, among the modules the
 * Lambda runtime provides, or in external_modules. Python sources are read
 * through the manifest and scanned by lp_pyscan (the Python checks are in
 * lp_check_py.c); Node.js handler files get a token scan for exports
 * (lp_jsscan). Rules and their reasons are in docs/internals/checks.md.
 *
 * It must not execute or import anything, write anything, or scan modules
 * that the handler cannot reach; file lookups are binary searches over the
 * sorted manifest. Problems with the package are findings in the report;
 * only failures of the checker itself (memory, I/O) are error returns.
 */
#include "lp_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"
#include "lp_check_int.h"
#include "lp_jsscan.h"

/* ---- report ---------------------------------------------------------- */

static void free_finding(lp_check_finding *f)
{
    free(f->summary);
    free(f->detail);
    free(f->archive_path);
}

void lp_check_report_free(lp_check_report *r)
{
    if (r == NULL) {
        return;
    }
    for (size_t i = 0; i < r->n; i++) {
        free_finding(&r->items[i]);
    }
    free(r->items);
    free(r);
}

/* Appends a finding; the strings are copied. Returns 0 or LP_ENOMEM. */
static int report_add(lp_check_report *r, size_t *cap, lp_check_severity sev, const char *field,
                      int index, const char *path, int line, const char *summary,
                      const char *detail)
{
    lp_check_finding *ni = lp_buf_grow(r->items, cap, r->n + 1, sizeof(*ni), LP_BUF_UNBOUNDED);
    if (ni == NULL) {
        return LP_ENOMEM;
    }
    r->items = ni;
    lp_check_finding f;
    memset(&f, 0, sizeof(f));
    f.severity = sev;
    f.field = field;
    f.index = index;
    f.line = line;
    f.summary = strdup(summary);
    f.detail = strdup(detail);
    f.archive_path = path != NULL ? strdup(path) : NULL;
    if (f.summary == NULL || f.detail == NULL || (path != NULL && f.archive_path == NULL)) {
        free_finding(&f);
        return LP_ENOMEM;
    }
    r->items[r->n++] = f;
    return 0;
}

int lp_check_add(checker *c, lp_check_severity sev, const char *field, int index, const char *path,
                 int line, const char *summary, const char *fmt, ...)
{
    if (c->rep->n >= MAX_FINDINGS) {
        c->dropped++;
        return 0;
    }
    char *detail = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&detail, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return lp_error_nomem(c->err);
    }
    int rc = report_add(c->rep, &c->cap_items, sev, field, index, path, line, summary, detail);
    free(detail);
    if (rc < 0) {
        return lp_error_nomem(c->err);
    }
    return 0;
}

lp_check_report *lp_check_report_new(void)
{
    return calloc(1, sizeof(lp_check_report));
}

int lp_check_zip_size(lp_check_report *r, unsigned long long zip_size)
{
    if (r == NULL || zip_size <= LP_LAMBDA_MAX_DIRECT_ZIP) {
        return 0;
    }
    size_t cap = r->n; /* report_add grows from the current count */
    char detail[512];
    snprintf(detail, sizeof(detail),
             "The ZIP is %llu bytes, over the %llu bytes (50 MB) Lambda accepts in a direct "
             "upload; upload it through S3 (s3_bucket/s3_key) instead of filename.",
             zip_size, LP_LAMBDA_MAX_DIRECT_ZIP);
    return report_add(r, &cap, LP_CHECK_WARNING, "source", -1, NULL, 0,
                      "ZIP too large for a direct upload", detail);
}

/* ---- runtimes --------------------------------------------------------- */

int lp_check_runtime_is_known(const char *runtime)
{
    return lp_runtime_lookup(runtime) != NULL;
}

const char *lp_check_runtime_list(void)
{
    return lp_runtime_list_string();
}

/* ---- manifest lookups ------------------------------------------------- */

/* Index of the first entry whose path is >= key (bytewise). */
static size_t lower_bound(const lp_manifest *m, const char *key)
{
    size_t lo = 0;
    size_t hi = m->n_files;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->files[mid].archive_path, key) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* 1 when some entry's path starts with prefix. */
int lp_check_has_prefix(const lp_manifest *m, const char *prefix)
{
    size_t i = lower_bound(m, prefix);
    return i < m->n_files && strncmp(m->files[i].archive_path, prefix, strlen(prefix)) == 0;
}

const lp_file *lp_check_find(const lp_manifest *m, const char *fmt, ...)
{
    char p[PATHBUF];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(p, sizeof(p), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(p)) {
        return NULL;
    }
    const lp_file *f = lp_manifest_find(m, p);
    return (f != NULL && !f->is_dir) ? f : NULL;
}

/* 1 when a compiled extension module rel.<tag>.so or rel.so exists. */
static int has_extension(const lp_manifest *m, const char *rel)
{
    char p[PATHBUF];
    int n = snprintf(p, sizeof(p), "%s.", rel);
    if (n < 0 || (size_t)n >= sizeof(p)) {
        return 0;
    }
    for (size_t i = lower_bound(m, p); i < m->n_files; i++) {
        const char *a = m->files[i].archive_path;
        if (strncmp(a, p, (size_t)n) != 0) {
            break;
        }
        size_t l = strlen(a);
        if (strchr(a + n, '/') == NULL && l > 3 && strcmp(a + l - 3, ".so") == 0) {
            return 1;
        }
    }
    return 0;
}

/* Resolves module path rel ("shared/logic/courses") the way Python's path
 * finder does within one sys.path entry: a regular package first, then a
 * module file or extension, then a namespace directory. */
void lp_check_find_module(const lp_manifest *m, const char *rel, modref *out)
{
    out->file = NULL;
    if ((out->file = lp_check_find(m, "%s/__init__.py", rel)) != NULL) {
        out->kind = MOD_PACKAGE;
        return;
    }
    if ((out->file = lp_check_find(m, "%s.py", rel)) != NULL) {
        out->kind = MOD_FILE;
        return;
    }
    if (lp_check_find(m, "%s/__init__.pyc", rel) != NULL ||
        lp_check_find(m, "%s.pyc", rel) != NULL || has_extension(m, rel)) {
        out->kind = MOD_OPAQUE;
        return;
    }
    char p[PATHBUF];
    int n = snprintf(p, sizeof(p), "%s/", rel);
    if (n > 0 && (size_t)n < sizeof(p) && lp_check_has_prefix(m, p)) {
        out->kind = MOD_NAMESPACE;
        return;
    }
    out->kind = MOD_NONE;
}

/* Gives the bytes of f: borrowed inline content, or a buffer read through
 * the manifest into *owned (caller frees). */
int lp_check_file_bytes(checker *c, const lp_file *f, const unsigned char **data, size_t *len,
                        unsigned char **owned)
{
    *owned = NULL;
    if (f->content != NULL || f->source_path == NULL) {
        *data = f->content != NULL ? f->content : (const unsigned char *)"";
        *len = f->content != NULL ? (size_t)f->size : 0;
        return 0;
    }
    int rc = lp_manifest_read(c->m, f, MAX_SOURCE, owned, len, c->err);
    *data = *owned;
    return rc;
}

/* ---- generic checks --------------------------------------------------- */

static int check_runtime(checker *c)
{
    if (c->o->runtime == NULL) {
        return 0;
    }
    if (c->rt == NULL) {
        return lp_check_add(c, LP_CHECK_ERROR, "runtime", -1, NULL, 0, "Unknown Lambda runtime",
                            "'%s' is not a Lambda runtime identifier. Known runtimes: %s.",
                            c->o->runtime, lp_runtime_list_string());
    }
    if (c->rt->deprecated) {
        return lp_check_add(c, LP_CHECK_WARNING, "runtime", -1, NULL, 0,
                            "Deprecated Lambda runtime",
                            "AWS has deprecated the %s runtime: it no longer gets security "
                            "updates and AWS blocks creating and then updating functions that "
                            "use it. Move to a supported runtime.",
                            c->rt->id);
    }
    return 0;
}

static int check_size(checker *c)
{
    if (c->m->unzipped_size <= LP_LAMBDA_MAX_UNZIPPED) {
        return 0;
    }
    return lp_check_add(c, c->o->allow_oversize ? LP_CHECK_WARNING : LP_CHECK_ERROR, "source", -1,
                        NULL, 0, "Package exceeds Lambda's unzipped size limit",
                        "The package unzips to %llu bytes (%.1f MB); Lambda allows at most %llu "
                        "bytes (250 MB) for the function code and all its layers together.",
                        (unsigned long long)c->m->unzipped_size,
                        (double)c->m->unzipped_size / (1024.0 * 1024.0), LP_LAMBDA_MAX_UNZIPPED);
}

static int check_required(checker *c)
{
    for (size_t i = 0; i < c->o->n_required_files; i++) {
        const char *p = c->o->required_files[i];
        if (p == NULL) {
            continue;
        }
        size_t l = strlen(p);
        int present = (l > 0 && p[l - 1] == '/') ? lp_check_has_prefix(c->m, p)
                                                 : lp_manifest_find(c->m, p) != NULL;
        if (!present) {
            int rc = lp_check_add(c, LP_CHECK_ERROR, "required_files", (int)i, p, 0,
                                  "Required file missing from package",
                                  "required_files[%zu] is '%s', but the package has no entry "
                                  "with that archive path.",
                                  i, p);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return 0;
}

int lp_check_handler_form(checker *c, int node)
{
    lp_error form = LP_ERROR_INIT;
    if (lp_spec_check_handler_form(c->o->handler, node, &form) == 0) {
        return 1;
    }
    return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
                        "%s Lambda would fail with Runtime.MalformedHandlerName.", form.message);
}

/* ---- Node.js handler ---------------------------------------------------- */

static int check_node_handler(checker *c)
{
    const char *h = c->o->handler;
    const char *dot = lp_spec_handler_dot(h, 1);
    int formed = lp_check_handler_form(c, 1);
    if (formed != 1) {
        return formed;
    }
    char file[PATHBUF];
    char func[PATHBUF];
    int n = snprintf(file, sizeof(file), "%.*s", (int)(dot - h), h);
    if (n < 0 || (size_t)n >= sizeof(file)) {
        return 0;
    }
    /* only the first part of a nested handler path ("a.b") is looked for */
    snprintf(func, sizeof(func), "%s", dot + 1);
    char *fdot = strchr(func, '.');
    if (fdot != NULL) {
        *fdot = '\0';
    }
    const char *rel = file;
    while (rel[0] == '.' && rel[1] == '/') {
        rel += 2;
    }
    static const char *const exts[] = {".js",       ".mjs",       ".cjs",
                                       "/index.js", "/index.mjs", "/index.cjs"};
    const lp_file *f = NULL;
    for (size_t i = 0; f == NULL && i < sizeof(exts) / sizeof(exts[0]); i++) {
        f = lp_check_find(c->m, "%s%s", rel, exts[i]);
    }
    if (f == NULL) {
        return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0,
                            "Handler file not found in package",
                            "handler '%s': Lambda loads %s.js, %s.mjs or %s.cjs from the root of "
                            "the package, and the package has none of them. Lambda would fail "
                            "with Runtime.ImportModuleError: Cannot find module '%s'.",
                            h, rel, rel, rel, rel);
    }
    const unsigned char *d = NULL;
    size_t len = 0;
    unsigned char *owned = NULL;
    int rc = lp_check_file_bytes(c, f, &d, &len, &owned);
    if (rc == LP_ELIMIT) {
        lp_error_clear(c->err);
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    int found = lp_jsscan_exports(d, len, func);
    free(owned);
    if (found) {
        return 0;
    }
    return lp_check_add(c, LP_CHECK_WARNING, "handler", -1, f->archive_path, 0,
                        "Handler export not seen",
                        "handler '%s': %s has no export of '%s' that the checker can see "
                        "(exports.%s = ..., module.exports = { %s }, export const/function %s, "
                        "export { %s }). If it is missing, Lambda fails with "
                        "Runtime.HandlerNotFound.",
                        h, f->archive_path, func, func, func, func, func);
}

/* ---- entry point --------------------------------------------------------- */

int lp_check_run(lp_check_report **out, const lp_manifest *m, const lp_check_options *opts,
                 lp_error *err)
{
    int rc = 0;
    checker c;
    memset(&c, 0, sizeof(c));
    *out = NULL;
    if (m == NULL || opts == NULL || opts->version != LP_CHECK_OPTIONS_VERSION) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, NULL,
                            "lp_check_run: missing manifest or options of an unknown version");
    }
    c.m = m;
    c.o = opts;
    c.err = err;
    c.rt = lp_runtime_lookup(opts->runtime);
    c.rep = calloc(1, sizeof(*c.rep));
    if (c.rep == NULL) {
        rc = lp_error_nomem(err);
        goto done;
    }
    if ((rc = check_runtime(&c)) < 0 || (rc = check_size(&c)) < 0 ||
        (rc = check_required(&c)) < 0 || (rc = lp_check_sensitive(&c)) < 0) {
        goto done;
    }
    if (opts->handler != NULL && c.rt != NULL && c.rt->family == LP_RUNTIME_NODEJS) {
        if ((rc = check_node_handler(&c)) < 0) {
            goto done;
        }
    }
    if (opts->handler != NULL && c.rt != NULL && c.rt->family == LP_RUNTIME_PYTHON) {
        if ((rc = lp_check_python(&c)) < 0) {
            goto done;
        }
    }
    if (c.dropped > 0) {
        char detail[128];
        snprintf(detail, sizeof(detail), "%zu more findings were left out of this report.",
                 c.dropped);
        if (report_add(c.rep, &c.cap_items, LP_CHECK_WARNING, NULL, -1, NULL, 0, "More findings",
                       detail) < 0) {
            rc = lp_error_nomem(err);
            goto done;
        }
    }
    *out = c.rep;
    c.rep = NULL;
done:
    lp_check_report_free(c.rep);
    lp_check_python_free(&c);
    return rc < 0 ? rc : 0;
}
