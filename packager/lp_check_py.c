/*
 * lp_check_py: the Python checks of lp_check. Every import reachable from
 * the handler module must resolve in the package, the runtime's standard
 * library, the modules the Lambda runtime provides, or external_modules.
 * Installed distributions (lp_dist) are present but not scanned. Modules are
 * scanned by lp_pyscan on demand, each at most once, in breadth-first order
 * from the handler; the handler itself is checked by lp_check_py_handler.c,
 * which queues its module first.
 *
 * Owns the checker's Python state (scans, queue, unknown and installed
 * names), freed by lp_check_python_free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"
#include "lp_check_int.h"
#include "lp_dist.h"

/* ---- Python: installed distributions ---------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Collects a top-level name an installed distribution's metadata gives
 * (lp_dist); the metadata directory itself names nothing importable. */
static int add_installed(void *user, const lp_dist_name *n)
{
    checker *c = user;
    if (n->name == n->dist) {
        return 0;
    }
    char **ni = lp_buf_grow(c->installed, &c->cap_installed, c->n_installed + 1, sizeof(*ni),
                            LP_BUF_UNBOUNDED);
    if (ni == NULL) {
        return lp_error_nomem(c->err);
    }
    c->installed = ni;
    char *s = strndup(n->name, n->len);
    if (s == NULL) {
        return lp_error_nomem(c->err);
    }
    c->installed[c->n_installed++] = s;
    return 0;
}

/* Collects the top-level names that belong to installed distributions.
 * Their code is third-party: present, but not scanned. */
static int load_installed(checker *c)
{
    int rc = lp_dist_each(c->m, add_installed, c, c->err);
    if (rc < 0) {
        return rc;
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
        lp_check_find_module(c->m, rel, &r);
        if (r.kind == MOD_NONE) {
            continue;
        }
        int rc = lp_check_add(c, LP_CHECK_WARNING, "external_modules", (int)i, NULL, 0,
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
    /* Each file is queued at most once. */
    qitem *nq = lp_buf_grow(c->queue, &c->cap_queue, c->n_queue + 1, sizeof(*nq), c->m->n_files);
    if (nq == NULL) {
        return lp_error_nomem(c->err);
    }
    c->queue = nq;
    char *dup = strdup(mod);
    if (dup == NULL) {
        return lp_error_nomem(c->err);
    }
    c->queued[idx] = 1;
    c->queue[c->n_queue].idx = idx;
    c->queue[c->n_queue].mod = dup;
    c->queue[c->n_queue].is_pkg = is_pkg;
    c->n_queue++;
    return 0;
}

int lp_check_py_scan(checker *c, const lp_file *f, const lp_pyscan_result **res)
{
    size_t idx = (size_t)(f - c->m->files);
    *res = c->scans[idx];
    if (*res != NULL) {
        return 0;
    }
    const unsigned char *d = NULL;
    size_t len = 0;
    unsigned char *owned = NULL;
    int rc = lp_check_file_bytes(c, f, &d, &len, &owned);
    if (rc == 0) {
        rc = lp_pyscan_scan(&c->scans[idx], d, len, c->err);
    }
    free(owned);
    if (rc == LP_ELIMIT) {
        lp_error_clear(c->err);
        return lp_check_add(c, LP_CHECK_WARNING, "source", -1, f->archive_path, 0,
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

int lp_check_py_external_covers(const checker *c, const char *name)
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
        return lp_error_nomem(c->err);
    }
    int rc = lp_check_add(
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
        int rc = lp_check_file_bytes(c, f, &data, &len, &owned);
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
    char **nu =
        lp_buf_grow(c->unknown, &c->cap_unknown, c->n_unknown + 1, sizeof(*nu), LP_BUF_UNBOUNDED);
    if (nu == NULL) {
        return lp_error_nomem(c->err);
    }
    c->unknown = nu;
    if ((c->unknown[c->n_unknown] = strdup(top)) == NULL) {
        return lp_error_nomem(c->err);
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
    return lp_check_add(
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

void lp_check_py_dotted(const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s", rel);
    for (char *p = buf; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '.';
        }
    }
}

int lp_check_py_enqueue(checker *c, const modref *r, const char *rel)
{
    if (r->kind != MOD_FILE && r->kind != MOD_PACKAGE) {
        return 0;
    }
    char mod[PATHBUF];
    lp_check_py_dotted(rel, mod, sizeof(mod));
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
        lp_check_find_module(c->m, sub, &s);
        if (s.kind != MOD_NONE) {
            return lp_check_py_enqueue(c, &s, sub);
        }
    }
    if (r->kind == MOD_PACKAGE || r->kind == MOD_FILE) {
        const lp_pyscan_result *res = NULL;
        int rc = lp_check_py_scan(c, r->file, &res);
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
    lp_check_py_dotted(rel, mod, sizeof(mod));
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
/* The absolute module name of x's import into name. Returns 1 when name is
 * set, else what check_import returns: 0 (nothing more to check, a finding
 * may have been added) or a negative LP_E*. */
static int absolute_name(checker *c, const impctx *x, char *name, size_t size)
{
    const lp_pyimport *im = x->im;
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
            int rc = report_broken(c, x, "Relative import goes outside the package",
                                   has_parent
                                       ? "goes above the top-level package. Lambda would fail with "
                                         "Runtime.ImportModuleError: attempted relative import "
                                         "beyond top-level package."
                                       : "is a relative import in a top-level module. Lambda would "
                                         "fail with Runtime.ImportModuleError: attempted relative "
                                         "import with no known parent package.");
            return rc < 0 ? rc : 0;
        }
        int n = snprintf(name, size, "%s%s%s", base, im->module[0] != '\0' ? "." : "", im->module);
        if (n < 0 || (size_t)n >= size) {
            return 0;
        }
    } else {
        snprintf(name, size, "%s", im->module);
    }
    return 1;
}

/* The import of name goes through the module have (kind r: a file, or
 * opaque) as if it were a package. */
static int report_not_package(checker *c, const impctx *x, const modref *r, const char *name,
                              const char *have, const char *want_mod)
{
    if (r->kind == MOD_OPAQUE || x->im->guarded || lp_check_py_external_covers(c, name)) {
        return 0;
    }
    const lp_pyscan_result *pres = NULL;
    int rc;
    if ((rc = lp_check_py_scan(c, r->file, &pres)) < 0) {
        return rc;
    }
    if (pres == NULL || pres->dynamic) {
        return 0; /* it may put submodules into sys.modules (like os.path) */
    }
    char have_mod[PATHBUF];
    lp_check_py_dotted(have, have_mod, sizeof(have_mod));
    return report_broken(c, x, "Import cannot be resolved in the package",
                         "needs %s/ to be a package, but the package has %s, a module. Lambda "
                         "would fail with Runtime.ImportModuleError: No module named '%s'; '%s' "
                         "is not a package.",
                         have, r->file->archive_path, want_mod, have_mod);
}

/* The import of name needs module want (the last component when last) in
 * package have; the package has neither want.py nor want/. */
static int report_no_module(checker *c, const impctx *x, const char *name, const char *rel,
                            const char *have, const char *want, int last)
{
    if (x->im->guarded || lp_check_py_external_covers(c, name)) {
        return 0;
    }
    char want_mod[PATHBUF];
    lp_check_py_dotted(want, want_mod, sizeof(want_mod));
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

static int check_import(checker *c, impctx *x)
{
    const lp_pyimport *im = x->im;
    char name[PATHBUF];
    int got = absolute_name(c, x, name, sizeof(name));
    if (got <= 0) {
        return got;
    }
    /* top-level name: in the package, or somewhere else? */
    char rel[PATHBUF];
    snprintf(rel, sizeof(rel), "%s", name);
    char *dot = strchr(rel, '.');
    size_t top_len = dot != NULL ? (size_t)(dot - rel) : strlen(rel);
    char top[PATHBUF];
    snprintf(top, sizeof(top), "%.*s", (int)top_len, rel);
    modref r;
    lp_check_find_module(c->m, top, &r);
    if (r.kind == MOD_NONE) {
        if (im->guarded || lp_check_py_external_covers(c, name) || strcmp(top, "__main__") == 0 ||
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
        if ((rc = lp_check_py_enqueue(c, &r, rel)) < 0) {
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
        lp_check_py_dotted(want, want_mod, sizeof(want_mod));
        if (r.kind == MOD_FILE || r.kind == MOD_OPAQUE) {
            return report_not_package(c, x, &r, name, have, want_mod);
        }
        modref nr;
        lp_check_find_module(c->m, want, &nr);
        if (nr.kind == MOD_NONE) {
            return report_no_module(c, x, name, rel, have, want, last);
        }
        r = nr;
        cur_end = next_end;
    }
    if ((rc = lp_check_py_enqueue(c, &r, rel)) < 0) {
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
        int rc = lp_check_py_scan(c, f, &res);
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

/* ---- entry --------------------------------------------------------------- */

int lp_check_python(checker *c)
{
    size_t n = c->m->n_files > 0 ? c->m->n_files : 1;
    c->scans = calloc(n, sizeof(*c->scans));
    c->queued = calloc(n, 1);
    if (c->scans == NULL || c->queued == NULL) {
        return lp_error_nomem(c->err);
    }
    int rc;
    if ((rc = check_external(c)) < 0 || (rc = load_installed(c)) < 0 ||
        (rc = lp_check_py_handler(c)) < 0 || (rc = walk_imports(c)) < 0) {
        return rc;
    }
    return 0;
}

void lp_check_python_free(checker *c)
{
    if (c->scans != NULL) {
        for (size_t i = 0; i < c->m->n_files; i++) {
            lp_pyscan_free(c->scans[i]);
        }
    }
    free(c->scans);
    free(c->queued);
    for (size_t i = 0; i < c->n_queue; i++) {
        free(c->queue[i].mod);
    }
    free(c->queue);
    for (size_t i = 0; i < c->n_unknown; i++) {
        free(c->unknown[i]);
    }
    free(c->unknown);
    for (size_t i = 0; i < c->n_installed; i++) {
        free(c->installed[i]);
    }
    free(c->installed);
}
