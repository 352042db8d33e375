/*
 * lp_check_py_handler: the Python handler check of lp_check. The handler
 * "file.function" must name a module Lambda's bootstrap can import from the
 * package root (the part before the last dot, '/' read as '.'), every
 * parent package on the way must resolve, and the module must define the
 * function at module level. A module missing from the root gets a hint when
 * the package has a file of that name elsewhere (a prefix too high or too
 * low). The modules it resolves are queued for the import walk
 * (lp_check_py.c).
 *
 * Adds findings to the checker; owns nothing.
 */
#include <stdio.h>
#include <string.h>

#include "lp_check_int.h"

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

/* The handler's module (kind r at archive module path rel, dotted mod) must
 * define func at module level. */
static int check_function(checker *c, const modref *r, const char *rel, const char *mod,
                          const char *func)
{
    const char *h = c->o->handler;
    int rc;
    if (r->kind == MOD_OPAQUE) {
        return 0; /* compiled module: its names cannot be seen */
    }
    if (r->kind == MOD_NAMESPACE) {
        return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, NULL, 0, "Handler function not found",
                            "handler '%s': module '%s' is the directory %s/ without __init__.py, "
                            "which defines no functions. Lambda would fail with "
                            "Runtime.HandlerNotFound: Handler '%s' missing on module '%s'.",
                            h, mod, rel, func, mod);
    }
    const lp_pyscan_result *res = NULL;
    if ((rc = lp_check_py_scan(c, r->file, &res)) < 0) {
        return rc;
    }
    if (res == NULL || lp_pyscan_defines(res, func)) {
        return 0;
    }
    if (res->star_import || res->dynamic) {
        return lp_check_add(c, LP_CHECK_WARNING, "handler", -1, r->file->archive_path, 0,
                            "Handler function not confirmed",
                            "handler '%s': %s does not define '%s' where the checker can see it "
                            "(it has a star import or binds names dynamically).",
                            h, r->file->archive_path, func);
    }
    return lp_check_add(c, LP_CHECK_ERROR, "handler", -1, r->file->archive_path, 0,
                        "Handler function not found in module",
                        "handler '%s': %s does not define '%s' at module level (def, async def, "
                        "class, assignment or import). Lambda would fail with "
                        "Runtime.HandlerNotFound: Handler '%s' missing on module '%s'.",
                        h, r->file->archive_path, func, func, mod);
}

int lp_check_py_handler(checker *c)
{
    const char *h = c->o->handler;
    const char *dot = lp_spec_handler_dot(h, 0);
    int formed = lp_check_handler_form(c, 0);
    if (formed != 1) {
        return formed;
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
    lp_check_py_dotted(rel, mod, sizeof(mod));
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
        if (r.kind == MOD_NONE && lp_check_py_external_covers(c, mod)) {
            return 0; /* the handler module comes from a layer (/opt/python) */
        }
        if (r.kind == MOD_NONE) {
            char missing[PATHBUF];
            char part[PATHBUF];
            snprintf(missing, sizeof(missing), "%s", rel);
            lp_check_py_dotted(missing, part, sizeof(part));
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
        if ((rc = lp_check_py_enqueue(c, &r, rel)) < 0) {
            return rc;
        }
        if (slash == NULL) {
            break;
        }
        *slash = saved;
        end = slash + 1;
    }
    return check_function(c, &r, rel, mod, func);
}
