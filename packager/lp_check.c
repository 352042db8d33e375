/*
 * lp_check: plan-time proof that Lambda can load a package.
 *
 * Given a manifest and the function's runtime and handler, this module
 * checks the runtime identifier, Lambda's unzipped size limit, the required
 * files, that the handler resolves the way the Lambda runtime resolves it,
 * and (Python) that every import reachable from the handler module resolves:
 * in the package, in the runtime's standard library, among the modules the
 * Lambda runtime provides, or in external_modules. Python sources are read
 * through the manifest and scanned by lp_pyscan; Node.js handler files get a
 * light token scan for exports. Rules and their reasons are in
 * docs/internals/checks.md.
 *
 * It must not execute or import anything, write anything, or scan modules
 * that the handler cannot reach; file lookups are binary searches over the
 * sorted manifest. Problems with the package are findings in the report;
 * only failures of the checker itself (memory, I/O) are error returns.
 */
#include "lp_check.h"

#include "lp_pyscan.h"
#include "lp_runtime.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (r->n == *cap) {
        size_t nc = *cap != 0 ? *cap * 2 : 8;
        lp_check_finding *ni = realloc(r->items, nc * sizeof(*ni));
        if (ni == NULL) {
            return LP_ENOMEM;
        }
        r->items = ni;
        *cap = nc;
    }
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

static int add_finding(checker *c, lp_check_severity sev, const char *field, int index,
                       const char *path, int line, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static int add_finding(checker *c, lp_check_severity sev, const char *field, int index,
                       const char *path, int line, const char *summary, const char *fmt, ...)
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
        return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
    }
    int rc = report_add(c->rep, &c->cap_items, sev, field, index, path, line, summary, detail);
    free(detail);
    if (rc < 0) {
        return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
    }
    return 0;
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
static int has_prefix(const lp_manifest *m, const char *prefix)
{
    size_t i = lower_bound(m, prefix);
    return i < m->n_files && strncmp(m->files[i].archive_path, prefix, strlen(prefix)) == 0;
}

static const lp_file *find_fmt(const lp_manifest *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const lp_file *find_fmt(const lp_manifest *m, const char *fmt, ...)
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
static void find_module(const lp_manifest *m, const char *rel, modref *out)
{
    out->file = NULL;
    if ((out->file = find_fmt(m, "%s/__init__.py", rel)) != NULL) {
        out->kind = MOD_PACKAGE;
        return;
    }
    if ((out->file = find_fmt(m, "%s.py", rel)) != NULL) {
        out->kind = MOD_FILE;
        return;
    }
    if (find_fmt(m, "%s/__init__.pyc", rel) != NULL || find_fmt(m, "%s.pyc", rel) != NULL ||
        has_extension(m, rel)) {
        out->kind = MOD_OPAQUE;
        return;
    }
    char p[PATHBUF];
    int n = snprintf(p, sizeof(p), "%s/", rel);
    if (n > 0 && (size_t)n < sizeof(p) && has_prefix(m, p)) {
        out->kind = MOD_NAMESPACE;
        return;
    }
    out->kind = MOD_NONE;
}

/* Gives the bytes of f: borrowed inline content, or a buffer read through
 * the manifest into *owned (caller frees). */
static int file_bytes(checker *c, const lp_file *f, const unsigned char **data, size_t *len,
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
        return add_finding(c, LP_CHECK_ERROR, "runtime", -1, NULL, 0, "Unknown Lambda runtime",
                           "'%s' is not a Lambda runtime identifier. Known runtimes: %s.",
                           c->o->runtime, lp_runtime_list_string());
    }
    if (c->rt->deprecated) {
        return add_finding(c, LP_CHECK_WARNING, "runtime", -1, NULL, 0, "Deprecated Lambda runtime",
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
    return add_finding(c, LP_CHECK_ERROR, "source", -1, NULL, 0,
                       "Package exceeds Lambda's unzipped size limit",
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
        int present =
            (l > 0 && p[l - 1] == '/') ? has_prefix(c->m, p) : lp_manifest_find(c->m, p) != NULL;
        if (!present) {
            int rc = add_finding(c, LP_CHECK_ERROR, "required_files", (int)i, p, 0,
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

/* ---- Python: installed distributions ---------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_installed(checker *c, const char *name, size_t n)
{
    if (n == 0 || n >= 256) {
        return 0;
    }
    if (c->n_installed == c->cap_installed) {
        size_t nc = c->cap_installed != 0 ? c->cap_installed * 2 : 32;
        char **ni = realloc(c->installed, nc * sizeof(*ni));
        if (ni == NULL) {
            return LP_ENOMEM;
        }
        c->installed = ni;
        c->cap_installed = nc;
    }
    char *s = strndup(name, n);
    if (s == NULL) {
        return LP_ENOMEM;
    }
    c->installed[c->n_installed++] = s;
    return 0;
}

/* Top-level import names listed by a RECORD (wheel) or top_level.txt
 * (egg) file: "pkg/mod.py,sha256=...,123" gives "pkg"; "six.py,..." gives
 * "six"; "_cffi.cpython-312-x86_64-linux-gnu.so" gives "_cffi". */
static int parse_installed(checker *c, const unsigned char *d, size_t len, int is_record)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && d[e] != '\n') {
            e++;
        }
        size_t a = i;
        if (a < e && d[a] == '"') {
            a++;
        }
        size_t b = a;
        while (b < e && d[b] != '/' && d[b] != ',' && d[b] != '"' && d[b] != '\r' &&
               (is_record || d[b] != '.')) {
            b++;
        }
        int is_dir = b < e && d[b] == '/';
        size_t n = b - a;
        if (is_record && !is_dir) {
            /* a file at the root: module name up to the first dot */
            const unsigned char *dot = memchr(d + a, '.', n);
            n = dot != NULL ? (size_t)(dot - (d + a)) : n;
        }
        const char *s = (const char *)d + a;
        int skip = n == 0 || memchr(s, '-', n) != NULL || (n == 2 && memcmp(s, "..", 2) == 0) ||
                   (n >= 10 && memcmp(s + n - 10, ".dist-info", 10) == 0) || s[0] == '.';
        if (!skip && add_installed(c, s, n) < 0) {
            return LP_ENOMEM;
        }
        i = e + 1;
    }
    return 0;
}

/* Collects the top-level names that belong to installed distributions
 * (x-1.0.dist-info/RECORD, x.egg-info/top_level.txt at the root). Their
 * code is third-party: present, but not scanned. */
static int load_installed(checker *c)
{
    for (size_t i = 0; i < c->m->n_files; i++) {
        const lp_file *f = &c->m->files[i];
        const char *a = f->archive_path;
        const char *slash = strchr(a, '/');
        if (slash == NULL || f->is_dir) {
            continue;
        }
        int rec = strcmp(slash, "/RECORD") == 0 && slash - a > 10 &&
                  memcmp(slash - 10, ".dist-info", 10) == 0;
        int top = strcmp(slash, "/top_level.txt") == 0 && slash - a > 9 &&
                  memcmp(slash - 9, ".egg-info", 9) == 0;
        if (!rec && !top) {
            continue;
        }
        const unsigned char *d = NULL;
        size_t len = 0;
        unsigned char *owned = NULL;
        int rc = file_bytes(c, f, &d, &len, &owned);
        if (rc == LP_ELIMIT) {
            lp_error_clear(c->err);
            continue;
        }
        if (rc < 0) {
            return rc;
        }
        rc = parse_installed(c, d, len, rec);
        free(owned);
        if (rc < 0) {
            return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
        }
    }
    if (c->n_installed > 1) {
        qsort(c->installed, c->n_installed, sizeof(*c->installed), cmp_str);
    }
    return 0;
}

static int is_installed(const checker *c, const char *top)
{
    return c->n_installed > 0 &&
           bsearch(&top, c->installed, c->n_installed, sizeof(*c->installed), cmp_str) != NULL;
}

/* Warns about external_modules entries that the package also contains: the
 * package's copy wins, since /var/task comes first on sys.path. */
static int check_external(checker *c)
{
    for (size_t i = 0; i < c->o->n_external_modules; i++) {
        const char *e = c->o->external_modules[i];
        if (e == NULL || e[0] == '\0') {
            continue;
        }
        char rel[PATHBUF];
        int n = snprintf(rel, sizeof(rel), "%s", e);
        if (n < 0 || (size_t)n >= sizeof(rel)) {
            continue;
        }
        for (char *p = rel; *p != '\0'; p++) {
            if (*p == '.') {
                *p = '/';
            }
        }
        modref r;
        find_module(c->m, rel, &r);
        if (r.kind == MOD_NONE) {
            continue;
        }
        int rc = add_finding(c, LP_CHECK_WARNING, "external_modules", (int)i, NULL, 0,
                             "External module is also in the package",
                             "external_modules[%zu] is '%s', but the package contains it too "
                             "(%s). Lambda imports the package's copy: /var/task comes before "
                             "layers on sys.path.",
                             i, e, r.file != NULL ? r.file->archive_path : rel);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

/* ---- Python: the import walk ------------------------------------------ */

static int enqueue(checker *c, const lp_file *f, const char *mod, int is_pkg)
{
    size_t idx = (size_t)(f - c->m->files);
    if (c->queued[idx]) {
        return 0;
    }
    if (c->n_queue == c->cap_queue) {
        size_t nc = c->cap_queue != 0 ? c->cap_queue * 2 : 32;
        qitem *nq = realloc(c->queue, nc * sizeof(*nq));
        if (nq == NULL) {
            return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
        }
        c->queue = nq;
        c->cap_queue = nc;
    }
    char *dup = strdup(mod);
    if (dup == NULL) {
        return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
    }
    c->queued[idx] = 1;
    c->queue[c->n_queue].idx = idx;
    c->queue[c->n_queue].mod = dup;
    c->queue[c->n_queue].is_pkg = is_pkg;
    c->n_queue++;
    return 0;
}

/* The scan of file f, made on first use and cached; *res NULL when the file
 * is too large to scan (a warning is added). */
static int get_scan(checker *c, const lp_file *f, const lp_pyscan_result **res)
{
    size_t idx = (size_t)(f - c->m->files);
    *res = c->scans[idx];
    if (*res != NULL) {
        return 0;
    }
    const unsigned char *d = NULL;
    size_t len = 0;
    unsigned char *owned = NULL;
    int rc = file_bytes(c, f, &d, &len, &owned);
    if (rc == 0) {
        rc = lp_pyscan_scan(&c->scans[idx], d, len, c->err);
    }
    free(owned);
    if (rc == LP_ELIMIT) {
        lp_error_clear(c->err);
        return add_finding(c, LP_CHECK_WARNING, "source", -1, f->archive_path, 0,
                           "Python module too large to check",
                           "%s is larger than %zu bytes; its imports were not checked.",
                           f->archive_path, MAX_SOURCE);
    }
    if (rc < 0) {
        return rc;
    }
    *res = c->scans[idx];
    return 0;
}

/* The import statement as written, for messages. */
static void stmt_text(const lp_pyimport *im, char *buf, size_t size)
{
    if (!im->is_from) {
        snprintf(buf, size, "import %s", im->module);
        return;
    }
    size_t w = 0;
    int n = snprintf(buf, size, "from %.*s%s import ", im->level > 16 ? 16 : im->level,
                     "................", im->module);
    w = n > 0 ? (size_t)n : 0;
    for (size_t i = 0; i < im->n_names && w < size; i++) {
        if (i == 3) {
            snprintf(buf + w, size - w, ", ...");
            return;
        }
        n = snprintf(buf + w, size - w, "%s%s", i > 0 ? ", " : "", im->names[i]);
        w += n > 0 ? (size_t)n : 0;
    }
}

/* 1 when external_modules covers dotted module name: an entry equal to it or
 * to one of its dotted prefixes ("google.cloud" covers "google.cloud.x"). */
static int external_covers(const checker *c, const char *name)
{
    for (size_t i = 0; i < c->o->n_external_modules; i++) {
        const char *e = c->o->external_modules[i];
        size_t l = e != NULL ? strlen(e) : 0;
        if (l > 0 && strncmp(name, e, l) == 0 && (name[l] == '\0' || name[l] == '.')) {
            return 1;
        }
    }
    return 0;
}

/* Context of one import while it is being resolved. */
typedef struct impctx {
    const qitem *from; /* the module making the import */
    const char *path;  /* its archive path */
    const lp_pyimport *im;
    char stmt[512];
} impctx;

/* Reports an import problem inside the package: an error, or a warning when
 * the import runs only inside a function. The detail is formatted from fmt. */
static int report_broken(checker *c, const impctx *x, const char *summary, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int report_broken(checker *c, const impctx *x, const char *summary, const char *fmt, ...)
{
    const lp_pyimport *im = x->im;
    char *what = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&what, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
    }
    int rc = add_finding(
        c, im->in_function ? LP_CHECK_WARNING : LP_CHECK_ERROR, "source", -1, x->path, im->line,
        summary, "%s:%d: `%s` %s%s", x->path, im->line, x->stmt, what,
        im->in_function ? " The import is inside a function, so it fails when that function runs."
                        : "");
    free(what);
    return rc;
}

/* 1 when requirement line `line` (n bytes) names distribution `name`,
 * compared as pip does: case-insensitively, with '-', '_' and '.' alike. */
static int requirement_names(const char *line, size_t n, const char *name)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t')) {
        i++;
    }
    size_t k = 0;
    for (; i < n; i++, k++) {
        char a = line[i];
        if (!((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z') || (a >= '0' && a <= '9') ||
              a == '-' || a == '_' || a == '.')) {
            break;
        }
        char b = name[k];
        if (b == '\0') {
            return 0;
        }
        a = a == '-' || a == '.' ? '_' : (char)(a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a);
        b = b == '-' || b == '.' ? '_' : (char)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
        if (a != b) {
            return 0;
        }
    }
    return k > 0 && name[k] == '\0';
}

/* When a requirements.txt in the package names `top`, says so in buf. */
static int requirements_hint(checker *c, const char *top, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < c->m->n_files; i++) {
        const lp_file *f = &c->m->files[i];
        const char *base = strrchr(f->archive_path, '/');
        base = base != NULL ? base + 1 : f->archive_path;
        if (f->is_dir || strcmp(base, "requirements.txt") != 0) {
            continue;
        }
        const unsigned char *data = NULL;
        unsigned char *owned = NULL;
        size_t len = 0;
        int rc = file_bytes(c, f, &data, &len, &owned);
        if (rc < 0) {
            return rc;
        }
        const char *t = (const char *)data;
        int found = 0;
        for (size_t at = 0; at < len && !found;) {
            const char *nl = memchr(t + at, '\n', len - at);
            size_t end = nl != NULL ? (size_t)(nl - t) : len;
            found = requirement_names(t + at, end - at, top);
            at = end + 1;
        }
        free(owned);
        if (found) {
            snprintf(buf, size,
                     " The package's %s names '%s', but nothing installs it into the "
                     "package: a requirements.txt is not read by Lambda.",
                     f->archive_path, top);
            return 0;
        }
    }
    return 0;
}

static int report_unknown(checker *c, const impctx *x, const char *top)
{
    if (c->rep->n >= MAX_FINDINGS) {
        c->dropped++; /* keeps the list below short: the search stays cheap */
        return 0;
    }
    for (size_t i = 0; i < c->n_unknown; i++) {
        if (strcmp(c->unknown[i], top) == 0) {
            return 0; /* one finding per top-level name */
        }
    }
    if (c->n_unknown == c->cap_unknown) {
        size_t nc = c->cap_unknown != 0 ? c->cap_unknown * 2 : 16;
        char **nu = realloc(c->unknown, nc * sizeof(*nu));
        if (nu == NULL) {
            return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
        }
        c->unknown = nu;
        c->cap_unknown = nc;
    }
    if ((c->unknown[c->n_unknown] = strdup(top)) == NULL) {
        return lp_error_set(c->err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
    }
    c->n_unknown++;
    const lp_pyimport *im = x->im;
    char req[PATHBUF + 160];
    int rc = requirements_hint(c, top, req, sizeof(req));
    if (rc < 0) {
        return rc;
    }
    /* Strict covers what runs when the module loads; an import inside a
     * function fails only when that function runs, so it stays a warning. */
    int error = c->o->strict_imports && !im->in_function;
    return add_finding(
        c, error ? LP_CHECK_ERROR : LP_CHECK_WARNING, "source", -1, x->path, im->line,
        "Import not found in the package or the runtime",
        "%s:%d: `%s`: '%s' is not in the package, not in the %s standard library, not provided by "
        "the Lambda runtime and not listed in external_modules, so Lambda would fail with "
        "Runtime.ImportModuleError: No module named '%s'.%s Fix it by one of: add a source block "
        "that puts '%s' in the package; list \"%s\" in external_modules when a layer provides "
        "it; install it into the package with dependencies.%s",
        x->path, im->line, x->stmt, top, c->rt->id, top, req, top, top,
        im->in_function ? " The import is inside a function, so it fails only when that function "
                          "runs."
        : error         ? " (strict_imports = false makes this a warning.)"
                        : "");
}

/* Dotted name of an archive module path ("a/b/c" -> "a.b.c") into buf. */
static void dotted(const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s", rel);
    for (char *p = buf; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '.';
        }
    }
}

static int enqueue_mod(checker *c, const modref *r, const char *rel)
{
    if (r->kind != MOD_FILE && r->kind != MOD_PACKAGE) {
        return 0;
    }
    char mod[PATHBUF];
    dotted(rel, mod, sizeof(mod));
    return enqueue(c, r->file, mod, r->kind == MOD_PACKAGE);
}

/* Attributes every module has without binding them. */
static int module_attribute(const char *name)
{
    static const char *const attrs[] = {"__builtins__", "__cached__", "__dict__", "__doc__",
                                        "__file__",     "__loader__", "__name__", "__package__",
                                        "__path__",     "__spec__"};
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        if (strcmp(name, attrs[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Checks `from <module at rel, kind r> import name`. */
static int check_from_name(checker *c, const impctx *x, const modref *r, const char *rel,
                           const char *name)
{
    if (strcmp(name, "*") == 0 || r->kind == MOD_OPAQUE || module_attribute(name)) {
        return 0;
    }
    char sub[PATHBUF];
    int n = snprintf(sub, sizeof(sub), "%s/%s", rel, name);
    if (n < 0 || (size_t)n >= sizeof(sub)) {
        return 0;
    }
    if (r->kind == MOD_PACKAGE || r->kind == MOD_NAMESPACE) {
        modref s;
        find_module(c->m, sub, &s);
        if (s.kind != MOD_NONE) {
            return enqueue_mod(c, &s, sub);
        }
    }
    if (r->kind == MOD_PACKAGE || r->kind == MOD_FILE) {
        const lp_pyscan_result *res = NULL;
        int rc = get_scan(c, r->file, &res);
        if (rc < 0) {
            return rc;
        }
        if (res == NULL || lp_pyscan_defines(res, name) || res->star_import || res->dynamic) {
            return 0;
        }
    }
    if (x->im->guarded) {
        return 0;
    }
    char mod[PATHBUF];
    dotted(rel, mod, sizeof(mod));
    const char *sum = "Import cannot be resolved in the package";
    if (r->kind == MOD_FILE) {
        return report_broken(c, x, sum,
                             "needs a name '%s' in %s, but %s does not define it at module level. "
                             "Lambda would fail with Runtime.ImportModuleError: cannot import name "
                             "'%s' from '%s'.",
                             name, r->file->archive_path, r->file->archive_path, name, mod);
    }
    if (r->kind == MOD_PACKAGE) {
        return report_broken(c, x, sum,
                             "needs %s.py or %s/__init__.py, or a name '%s' defined in %s; the "
                             "package has none of them. Lambda would fail with "
                             "Runtime.ImportModuleError: cannot import name '%s' from '%s'.",
                             sub, sub, name, r->file->archive_path, name, mod);
    }
    return report_broken(c, x, sum,
                         "needs %s.py or %s/__init__.py; the package has %s/ but no %s.py or %s/. "
                         "Lambda would fail with Runtime.ImportModuleError: cannot import name "
                         "'%s' from '%s'.",
                         sub, sub, rel, sub, sub, name, mod);
}

/* Resolves one import of module x->from. */
static int check_import(checker *c, impctx *x)
{
    const lp_pyimport *im = x->im;
    char name[PATHBUF];
    /* the absolute module name */
    if (im->level > 0) {
        char base[PATHBUF];
        snprintf(base, sizeof(base), "%s", x->from->mod);
        int has_parent = x->from->is_pkg || strchr(x->from->mod, '.') != NULL;
        int drop = im->level - (x->from->is_pkg ? 1 : 0);
        int ok = 1;
        for (int i = 0; ok && i < drop; i++) {
            char *dot = strrchr(base, '.');
            if (dot == NULL) {
                ok = 0;
            } else {
                *dot = '\0';
            }
        }
        if (!ok) {
            if (im->guarded) {
                return 0;
            }
            return report_broken(c, x, "Relative import goes outside the package",
                                 has_parent
                                     ? "goes above the top-level package. Lambda would fail with "
                                       "Runtime.ImportModuleError: attempted relative import "
                                       "beyond top-level package."
                                     : "is a relative import in a top-level module. Lambda would "
                                       "fail with Runtime.ImportModuleError: attempted relative "
                                       "import with no known parent package.");
        }
        int n = snprintf(name, sizeof(name), "%s%s%s", base, im->module[0] != '\0' ? "." : "",
                         im->module);
        if (n < 0 || (size_t)n >= sizeof(name)) {
            return 0;
        }
    } else {
        snprintf(name, sizeof(name), "%s", im->module);
    }
    /* top-level name: in the package, or somewhere else? */
    char rel[PATHBUF];
    snprintf(rel, sizeof(rel), "%s", name);
    char *dot = strchr(rel, '.');
    size_t top_len = dot != NULL ? (size_t)(dot - rel) : strlen(rel);
    char top[PATHBUF];
    snprintf(top, sizeof(top), "%.*s", (int)top_len, rel);
    modref r;
    find_module(c->m, top, &r);
    if (r.kind == MOD_NONE) {
        if (im->guarded || external_covers(c, name) || strcmp(top, "__main__") == 0 ||
            lp_runtime_python_stdlib_has(c->rt->python_minor, top, top_len) ||
            lp_runtime_python_provided_has(top, top_len)) {
            return 0;
        }
        return report_unknown(c, x, top);
    }
    if (is_installed(c, top)) {
        return 0; /* third-party distribution: present, not checked inside */
    }
    /* walk the components: a.b.c needs a/, a/b/, a/b/c */
    for (char *p = rel; *p != '\0'; p++) {
        if (*p == '.') {
            *p = '/';
        }
    }
    char *cur_end = rel + top_len; /* rel[0..cur_end) is resolved, kind r */
    int rc = 0;
    while (*cur_end != '\0') {
        char saved = *cur_end;
        *cur_end = '\0';
        if ((rc = enqueue_mod(c, &r, rel)) < 0) {
            return rc;
        }
        char have[PATHBUF];
        snprintf(have, sizeof(have), "%s", rel);
        *cur_end = saved;
        char *next_end = strchr(cur_end + 1, '/');
        if (next_end == NULL) {
            next_end = cur_end + strlen(cur_end);
        }
        int last = *next_end == '\0';
        char want[PATHBUF];
        snprintf(want, sizeof(want), "%.*s", (int)(next_end - rel), rel);
        char want_mod[PATHBUF];
        dotted(want, want_mod, sizeof(want_mod));
        if (r.kind == MOD_FILE || r.kind == MOD_OPAQUE) {
            if (r.kind == MOD_OPAQUE || im->guarded || external_covers(c, name)) {
                return 0;
            }
            const lp_pyscan_result *pres = NULL;
            if ((rc = get_scan(c, r.file, &pres)) < 0) {
                return rc;
            }
            if (pres == NULL || pres->dynamic) {
                return 0; /* it may put submodules into sys.modules (like os.path) */
            }
            char have_mod[PATHBUF];
            dotted(have, have_mod, sizeof(have_mod));
            return report_broken(
                c, x, "Import cannot be resolved in the package",
                "needs %s/ to be a package, but the package has %s, a module. Lambda would "
                "fail with Runtime.ImportModuleError: No module named '%s'; '%s' is not a "
                "package.",
                have, r.file->archive_path, want_mod, have_mod);
        }
        modref nr;
        find_module(c->m, want, &nr);
        if (nr.kind == MOD_NONE) {
            if (im->guarded || external_covers(c, name)) {
                return 0;
            }
            char missing[2 * PATHBUF + 16];
            if (last) {
                snprintf(missing, sizeof(missing), "%s.py or %s/", want, want);
            } else {
                snprintf(missing, sizeof(missing), "%s/", want);
            }
            return report_broken(c, x, "Import cannot be resolved in the package",
                                 "needs %s.py or %s/__init__.py; the package has %s/ but no %s. "
                                 "Lambda would fail with Runtime.ImportModuleError: No module "
                                 "named '%s'.",
                                 rel, rel, have, missing, want_mod);
        }
        r = nr;
        cur_end = next_end;
    }
    if ((rc = enqueue_mod(c, &r, rel)) < 0) {
        return rc;
    }
    if (im->is_from) {
        for (size_t i = 0; i < im->n_names; i++) {
            if ((rc = check_from_name(c, x, &r, rel, im->names[i])) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

static int walk_imports(checker *c)
{
    for (size_t q = 0; q < c->n_queue; q++) {
        qitem item = c->queue[q]; /* copy: the queue may move while we add */
        const lp_file *f = &c->m->files[item.idx];
        const lp_pyscan_result *res = NULL;
        int rc = get_scan(c, f, &res);
        if (rc < 0) {
            return rc;
        }
        for (size_t i = 0; res != NULL && i < res->n_imports; i++) {
            impctx x;
            x.from = &item;
            x.path = f->archive_path;
            x.im = &res->imports[i];
            stmt_text(x.im, x.stmt, sizeof(x.stmt));
            if ((rc = check_import(c, &x)) < 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* ---- Python handler ---------------------------------------------------- */

/* A hint when the module file exists under another directory. */
static void python_hint(const checker *c, const char *rel, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *base = strrchr(rel, '/');
    base = base != NULL ? base + 1 : rel;
    char want[PATHBUF];
    int n = snprintf(want, sizeof(want), "/%s.py", base);
    if (n < 0 || (size_t)n >= sizeof(want)) {
        return;
    }
    for (size_t i = 0; i < c->m->n_files; i++) {
        const char *a = c->m->files[i].archive_path;
        size_t l = strlen(a);
        if (l >= (size_t)n && strcmp(a + l - (size_t)n, want) == 0) {
            snprintf(buf, size,
                     " The package has %s: check the handler's path or the source's "
                     "prefix.",
                     a);
            return;
        }
    }
}

static int check_python_handler(checker *c)
{
    const char *h = c->o->handler;
    const char *dot = strrchr(h, '.');
    if (dot == NULL || dot == h || dot[1] == '\0') {
        return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
                           "handler '%s' must have the form module.function (for example "
                           "'app.handler' or 'pkg/mod.handler'). Lambda would fail with "
                           "Runtime.MalformedHandlerName.",
                           h);
    }
    const char *func = dot + 1;
    char rel[PATHBUF];
    char mod[PATHBUF];
    int n = snprintf(rel, sizeof(rel), "%.*s", (int)(dot - h), h);
    if (n < 0 || (size_t)n >= sizeof(rel)) {
        return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
                           "handler is longer than %zu bytes.", sizeof(rel) - 1);
    }
    /* Lambda: module = part before the last dot with '/' read as '.' */
    for (char *p = rel; *p != '\0'; p++) {
        if (*p == '.') {
            *p = '/';
        }
    }
    dotted(rel, mod, sizeof(mod));
    if (rel[0] == '/' || strstr(rel, "//") != NULL || rel[strlen(rel) - 1] == '/') {
        return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
                           "handler '%s' gives module name '%s', which has an empty part.", h, mod);
    }
    /* every component must resolve; parents' __init__.py run first */
    modref r;
    r.kind = MOD_NONE;
    r.file = NULL;
    int rc = 0;
    char *end = rel;
    for (;;) {
        char *slash = strchr(end, '/');
        char saved = slash != NULL ? '/' : '\0';
        if (slash != NULL) {
            *slash = '\0';
        }
        if (end != rel && r.kind != MOD_PACKAGE && r.kind != MOD_NAMESPACE) {
            r.kind = MOD_NONE; /* a parent that is a module cannot hold submodules */
        } else {
            find_module(c->m, rel, &r);
        }
        if (r.kind == MOD_NONE && external_covers(c, mod)) {
            return 0; /* the handler module comes from a layer (/opt/python) */
        }
        if (r.kind == MOD_NONE) {
            char missing[PATHBUF];
            char part[PATHBUF];
            snprintf(missing, sizeof(missing), "%s", rel);
            dotted(missing, part, sizeof(part));
            if (slash != NULL) {
                *slash = saved;
            }
            char hint[PATHBUF + 128];
            python_hint(c, rel, hint, sizeof(hint));
            return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0,
                               "Handler module not found in package",
                               "handler '%s': Lambda imports module '%s' and needs %s.py or "
                               "%s/__init__.py at the root of the package; the package has no "
                               "%s.py or %s/. Lambda would fail with Runtime.ImportModuleError: "
                               "Unable to import module '%s': No module named '%s'.%s",
                               h, mod, rel, rel, missing, missing, mod, part, hint);
        }
        if ((rc = enqueue_mod(c, &r, rel)) < 0) {
            return rc;
        }
        if (slash == NULL) {
            break;
        }
        *slash = saved;
        end = slash + 1;
    }
    if (r.kind == MOD_OPAQUE) {
        return 0; /* compiled module: its names cannot be seen */
    }
    if (r.kind == MOD_NAMESPACE) {
        return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Handler function not found",
                           "handler '%s': module '%s' is the directory %s/ without __init__.py, "
                           "which defines no functions. Lambda would fail with "
                           "Runtime.HandlerNotFound: Handler '%s' missing on module '%s'.",
                           h, mod, rel, func, mod);
    }
    const lp_pyscan_result *res = NULL;
    if ((rc = get_scan(c, r.file, &res)) < 0) {
        return rc;
    }
    if (res == NULL || lp_pyscan_defines(res, func)) {
        return 0;
    }
    if (res->star_import || res->dynamic) {
        return add_finding(c, LP_CHECK_WARNING, "handler", -1, r.file->archive_path, 0,
                           "Handler function not confirmed",
                           "handler '%s': %s does not define '%s' where the checker can see it "
                           "(it has a star import or binds names dynamically).",
                           h, r.file->archive_path, func);
    }
    return add_finding(c, LP_CHECK_ERROR, "handler", -1, r.file->archive_path, 0,
                       "Handler function not found in module",
                       "handler '%s': %s does not define '%s' at module level (def, async def, "
                       "class, assignment or import). Lambda would fail with "
                       "Runtime.HandlerNotFound: Handler '%s' missing on module '%s'.",
                       h, r.file->archive_path, func, func, mod);
}

/* ---- Node.js handler ---------------------------------------------------- */

typedef enum js_kind { JS_NAME, JS_STR, JS_PUNCT } js_kind;

typedef struct js_tok {
    js_kind kind;
    const unsigned char *p; /* JS_STR: the contents without quotes */
    size_t n;
} js_tok;

typedef struct js_lexer {
    const unsigned char *d;
    size_t len;
    size_t pos;
} js_lexer;

static int js_id(unsigned char ch)
{
    return ch == '_' || ch == '$' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch >= 0x80;
}

/* Next token; 0 at the end. Comments are skipped; template literals are
 * skipped as strings (their ${} parts included); regular expressions are
 * not recognised, which can only make the export check unsure. */
static int js_next(js_lexer *l, js_tok *t)
{
    const unsigned char *d = l->d;
    for (;;) {
        while (l->pos < l->len && (d[l->pos] == ' ' || d[l->pos] == '\t' || d[l->pos] == '\n' ||
                                   d[l->pos] == '\r' || d[l->pos] == '\f' || d[l->pos] == '\v')) {
            l->pos++;
        }
        if (l->pos >= l->len) {
            return 0;
        }
        if (d[l->pos] == '/' && l->pos + 1 < l->len && d[l->pos + 1] == '/') {
            while (l->pos < l->len && d[l->pos] != '\n') {
                l->pos++;
            }
            continue;
        }
        if (d[l->pos] == '/' && l->pos + 1 < l->len && d[l->pos + 1] == '*') {
            l->pos += 2;
            while (l->pos + 1 < l->len && !(d[l->pos] == '*' && d[l->pos + 1] == '/')) {
                l->pos++;
            }
            l->pos = l->pos + 2 < l->len ? l->pos + 2 : l->len;
            continue;
        }
        break;
    }
    unsigned char ch = d[l->pos];
    if (ch == '\'' || ch == '"' || ch == '`') {
        size_t start = ++l->pos;
        size_t braces = 0;
        while (l->pos < l->len) {
            unsigned char x = d[l->pos];
            if (x == '\\') {
                l->pos += 2;
                continue;
            }
            if (ch == '`' && x == '$' && l->pos + 1 < l->len && d[l->pos + 1] == '{') {
                braces++;
                l->pos += 2;
                continue;
            }
            if (ch == '`' && braces > 0 && x == '}') {
                braces--;
            } else if (x == ch && braces == 0) {
                break;
            } else if (x == '\n' && ch != '`') {
                break;
            }
            l->pos++;
        }
        if (l->pos > l->len) {
            l->pos = l->len;
        }
        t->kind = JS_STR;
        t->p = d + start;
        t->n = l->pos - start;
        if (l->pos < l->len) {
            l->pos++;
        }
        return 1;
    }
    if (js_id(ch)) {
        size_t start = l->pos;
        while (l->pos < l->len && js_id(d[l->pos])) {
            l->pos++;
        }
        t->kind = JS_NAME;
        t->p = d + start;
        t->n = l->pos - start;
        return 1;
    }
    t->kind = JS_PUNCT;
    t->p = d + l->pos;
    t->n = 1;
    l->pos++;
    return 1;
}

static int js_is(const js_tok *t, js_kind kind, const char *s)
{
    size_t n = strlen(s);
    return t->kind == kind && t->n == n && memcmp(t->p, s, n) == 0;
}

/* 1 when the JS source visibly exports `name` (CommonJS or ES module). */
static int js_exports(const unsigned char *d, size_t len, const char *name)
{
    js_lexer l = {d, len, 0};
    js_tok w[6]; /* sliding window of the last tokens, w[5] newest */
    memset(w, 0, sizeof(w));
    int obj_depth = 0; /* inside `module.exports = {` / `__export(x, {`: brace depth */
    int in_export_list = 0;
    js_tok t;
    while (js_next(&l, &t)) {
        memmove(w, w + 1, 5 * sizeof(w[0]));
        w[5] = t;
        int is_target = (t.kind == JS_NAME || t.kind == JS_STR) && js_is(&t, t.kind, name);
        if (obj_depth > 0) {
            if (js_is(&t, JS_PUNCT, "{") || js_is(&t, JS_PUNCT, "(") || js_is(&t, JS_PUNCT, "[")) {
                obj_depth++;
            } else if (js_is(&t, JS_PUNCT, "}") || js_is(&t, JS_PUNCT, ")") ||
                       js_is(&t, JS_PUNCT, "]")) {
                obj_depth--;
            } else if (obj_depth == 1 && is_target &&
                       (js_is(&w[4], JS_PUNCT, "{") || js_is(&w[4], JS_PUNCT, ",") ||
                        js_is(&w[4], JS_NAME, "async"))) {
                return 1; /* a key or shorthand property of the exports object */
            }
            continue;
        }
        if (in_export_list) {
            if (js_is(&t, JS_PUNCT, "}")) {
                in_export_list = 0;
            } else if (is_target && !js_is(&w[4], JS_NAME, "as")) {
                /* `export { name }` or `export { x as name }`; `export { name as y }`
                   exports y, which the next token tells */
                js_tok nx;
                js_lexer save = l;
                if (!(js_next(&l, &nx) && js_is(&nx, JS_NAME, "as"))) {
                    return 1;
                }
                l = save;
            } else if (is_target) {
                return 1;
            }
            continue;
        }
        /* exports.name = / module.exports.name = / exports["name"] = */
        if (js_is(&t, JS_PUNCT, "=") && w[4].kind != JS_PUNCT) {
            if (js_is(&w[4], JS_NAME, name) && js_is(&w[3], JS_PUNCT, ".") &&
                js_is(&w[2], JS_NAME, "exports")) {
                return 1;
            }
        }
        if (js_is(&t, JS_PUNCT, "=") && js_is(&w[4], JS_PUNCT, "]") && js_is(&w[3], JS_STR, name) &&
            js_is(&w[2], JS_PUNCT, "[") && js_is(&w[1], JS_NAME, "exports")) {
            return 1;
        }
        /* module.exports = { ... } */
        if (js_is(&t, JS_PUNCT, "{") && js_is(&w[4], JS_PUNCT, "=") &&
            js_is(&w[3], JS_NAME, "exports") && js_is(&w[2], JS_PUNCT, ".") &&
            js_is(&w[1], JS_NAME, "module")) {
            obj_depth = 1;
            continue;
        }
        /* esbuild's CommonJS output: __export(x_exports, { name: () => name }) */
        if (js_is(&t, JS_PUNCT, "{") && js_is(&w[4], JS_PUNCT, ",") && w[3].kind == JS_NAME &&
            js_is(&w[2], JS_PUNCT, "(") && js_is(&w[1], JS_NAME, "__export")) {
            obj_depth = 1;
            continue;
        }
        /* export { a, b as name } */
        if (js_is(&t, JS_PUNCT, "{") && js_is(&w[4], JS_NAME, "export")) {
            in_export_list = 1;
            continue;
        }
        /* export const|let|var|function|class name; export async function name */
        if (is_target && t.kind == JS_NAME) {
            const js_tok *k = &w[4];
            if (js_is(k, JS_PUNCT, "*")) {
                k = &w[3]; /* generator */
            }
            const js_tok *e = k - 1;
            if (js_is(k, JS_NAME, "function") && js_is(e, JS_NAME, "async")) {
                e--;
            }
            if ((js_is(k, JS_NAME, "const") || js_is(k, JS_NAME, "let") ||
                 js_is(k, JS_NAME, "var") || js_is(k, JS_NAME, "function") ||
                 js_is(k, JS_NAME, "class")) &&
                e >= w && js_is(e, JS_NAME, "export")) {
                return 1;
            }
        }
    }
    return 0;
}

static int check_node_handler(checker *c)
{
    const char *h = c->o->handler;
    const char *slash = strrchr(h, '/');
    const char *base = slash != NULL ? slash + 1 : h;
    const char *dot = strchr(base, '.');
    if (dot == NULL || dot == base || dot[1] == '\0') {
        return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
                           "handler '%s' must have the form file.function (for example "
                           "'index.handler' or 'dist/app.handler'). Lambda would fail with "
                           "Runtime.MalformedHandlerName.",
                           h);
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
        f = find_fmt(c->m, "%s%s", rel, exts[i]);
    }
    if (f == NULL) {
        return add_finding(c, LP_CHECK_ERROR, "handler", -1, NULL, 0,
                           "Handler file not found in package",
                           "handler '%s': Lambda loads %s.js, %s.mjs or %s.cjs from the root of "
                           "the package, and the package has none of them. Lambda would fail "
                           "with Runtime.ImportModuleError: Cannot find module '%s'.",
                           h, rel, rel, rel, rel);
    }
    const unsigned char *d = NULL;
    size_t len = 0;
    unsigned char *owned = NULL;
    int rc = file_bytes(c, f, &d, &len, &owned);
    if (rc == LP_ELIMIT) {
        lp_error_clear(c->err);
        return 0;
    }
    if (rc < 0) {
        return rc;
    }
    int found = js_exports(d, len, func);
    free(owned);
    if (found) {
        return 0;
    }
    return add_finding(c, LP_CHECK_WARNING, "handler", -1, f->archive_path, 0,
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
        rc = lp_error_set(err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
        goto done;
    }
    if ((rc = check_runtime(&c)) < 0 || (rc = check_size(&c)) < 0 ||
        (rc = check_required(&c)) < 0) {
        goto done;
    }
    if (opts->handler != NULL && c.rt != NULL && c.rt->family == LP_RUNTIME_NODEJS) {
        if ((rc = check_node_handler(&c)) < 0) {
            goto done;
        }
    }
    if (opts->handler != NULL && c.rt != NULL && c.rt->family == LP_RUNTIME_PYTHON) {
        size_t n = m->n_files > 0 ? m->n_files : 1;
        c.scans = calloc(n, sizeof(*c.scans));
        c.queued = calloc(n, 1);
        if (c.scans == NULL || c.queued == NULL) {
            rc = lp_error_set(err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
            goto done;
        }
        if ((rc = check_external(&c)) < 0 || (rc = load_installed(&c)) < 0 ||
            (rc = check_python_handler(&c)) < 0 || (rc = walk_imports(&c)) < 0) {
            goto done;
        }
    }
    if (c.dropped > 0) {
        char detail[128];
        snprintf(detail, sizeof(detail), "%zu more findings were left out of this report.",
                 c.dropped);
        if (report_add(c.rep, &c.cap_items, LP_CHECK_WARNING, NULL, -1, NULL, 0, "More findings",
                       detail) < 0) {
            rc = lp_error_set(err, LP_ENOMEM, 0, -1, NULL, NULL, "out of memory");
            goto done;
        }
    }
    *out = c.rep;
    c.rep = NULL;
done:
    lp_check_report_free(c.rep);
    if (c.scans != NULL) {
        for (size_t i = 0; i < m->n_files; i++) {
            lp_pyscan_free(c.scans[i]);
        }
    }
    free(c.scans);
    free(c.queued);
    for (size_t i = 0; i < c.n_queue; i++) {
        free(c.queue[i].mod);
    }
    free(c.queue);
    for (size_t i = 0; i < c.n_unknown; i++) {
        free(c.unknown[i]);
    }
    free(c.unknown);
    for (size_t i = 0; i < c.n_installed; i++) {
        free(c.installed[i]);
    }
    free(c.installed);
    return rc < 0 ? rc : 0;
}
