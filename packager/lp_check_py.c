/*
 * lp_check_py: the Python checks of lp_check. The handler "file.function"
 * must name a module Lambda's bootstrap can import from the package root and
 * a function it defines; every import reachable from the handler module must
 * resolve in the package, the runtime's standard library, the modules the
 * Lambda runtime provides, or external_modules. Installed distributions
 * (lp_dist) are present but not scanned. Modules are scanned by lp_pyscan
 * on demand, each at most once, in breadth-first order from the handler.
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
        lp_check_find_module(c->m, sub, &s);
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
        lp_check_find_module(c->m, want, &nr);
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

/* The fix when the handler's module file W = rel.py is not at the root but
 * the package has a file A of the same name elsewhere:
 *   A is a tail of W (W = X/A): the source put it too high; prefix "X";
 *   A ends with W (A = Y/W): the source put it under Y/; drop Y from its
 *   prefix, or name the file in the handler;
 *   otherwise: the handler that would load A. */
static void python_hint(const checker *c, const char *rel, const char *func, char *buf, size_t size)
{
    buf[0] = '\0';
    const char *base = strrchr(rel, '/');
    base = base != NULL ? base + 1 : rel;
    char want[PATHBUF], name[PATHBUF];
    int n = snprintf(want, sizeof(want), "%s.py", rel);
    int nb = snprintf(name, sizeof(name), "%s.py", base);
    if (n < 0 || (size_t)n >= sizeof(want) || nb < 0 || (size_t)nb >= sizeof(name)) {
        return;
    }
    size_t lw = (size_t)n;
    for (size_t i = 0; i < c->m->n_files; i++) {
        const lp_file *f = &c->m->files[i];
        const char *a = f->archive_path;
        size_t l = strlen(a);
        const char *fbase = strrchr(a, '/');
        if (strcmp(fbase != NULL ? fbase + 1 : a, name) != 0) {
            continue;
        }
        int w; /* a hint cut short at size is still a hint */
        if (l < lw && want[lw - l - 1] == '/' && strcmp(want + lw - l, a) == 0) {
            w = snprintf(buf, size,
                         " The package has %s (from source[%d]), which Lambda needs at %s: give "
                         "that source prefix = \"%.*s\" (prepend \"%.*s/\" to its prefix if it "
                         "has one).",
                         a, f->source_index, want, (int)(lw - l - 1), want, (int)(lw - l - 1),
                         want);
        } else if (l > lw && a[l - lw - 1] == '/' && strcmp(a + l - lw, want) == 0) {
            w = snprintf(buf, size,
                         " The package has it under a folder, at %s (from source[%d]): remove "
                         "\"%.*s\" from that source's prefix so the file lands at %s, or write "
                         "handler = \"%.*s.%s\".",
                         a, f->source_index, (int)(l - lw - 1), a, want, (int)(l - 3), a, func);
        } else {
            w = snprintf(buf, size,
                         " The package has %s (from source[%d]): handler = \"%.*s.%s\" would load "
                         "it, or change that source's prefix so it lands at %s.",
                         a, f->source_index, (int)(l - 3), a, func, want);
        }
        (void)w;
        return;
    }
}

static int check_python_handler(checker *c)
{
    const char *h = c->o->handler;
    const char *dot = strrchr(h, '.');
    if (dot == NULL || dot == h || dot[1] == '\0') {
        return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
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
        return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
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
        return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Malformed handler",
                            "handler '%s' gives module name '%s', which has an empty part.", h,
                            mod);
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
            lp_check_find_module(c->m, rel, &r);
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
            char hint[PATHBUF * 4];
            python_hint(c, rel, func, hint, sizeof(hint));
            return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0,
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
        return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Handler function not found",
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
        return lp_check_add(c, LP_CHECK_WARNING, "handler", -1, r.file->archive_path, 0,
                            "Handler function not confirmed",
                            "handler '%s': %s does not define '%s' where the checker can see it "
                            "(it has a star import or binds names dynamically).",
                            h, r.file->archive_path, func);
    }
    return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, r.file->archive_path, 0,
                        "Handler function not found in module",
                        "handler '%s': %s does not define '%s' at module level (def, async def, "
                        "class, assignment or import). Lambda would fail with "
                        "Runtime.HandlerNotFound: Handler '%s' missing on module '%s'.",
                        h, r.file->archive_path, func, func, mod);
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
        (rc = check_python_handler(c)) < 0 || (rc = walk_imports(c)) < 0) {
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
