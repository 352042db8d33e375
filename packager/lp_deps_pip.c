/*
 * lp_deps_pip: the pip installer of lp_deps. Reads a requirements file for
 * the unpinned-line warning, gives the Amazon Linux manylinux tags of a
 * Python runtime, runs `python3 -m pip install --target` for wheels of that
 * platform only, and strips what pip writes that is not reproducible
 * (INSTALLER, REQUESTED, direct_url.json, bin/ and their RECORD lines,
 * __pycache__/, *.pyc, symlinks).
 *
 * Writes only inside the tree it is given. Knows nothing of Terraform.
 */
#include "lp_deps_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_runtime.h"

/* ---- requirements files ---- */

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '[' || c == ']' || c == ',';
}

/* One logical line (continuations joined, comment removed). */
static void check_requirement(const char *line, size_t n, int *unpinned, int *hashes, char *first,
                              size_t first_len)
{
    while (n > 0 && (line[0] == ' ' || line[0] == '\t')) {
        line++;
        n--;
    }
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r')) {
        n--;
    }
    if (n == 0) {
        return;
    }
    if (memmem(line, n, "--hash", 6) != NULL) {
        *hashes = 1;
    }
    int editable = n > 2 && (strncmp(line, "-e", 2) == 0 || strncmp(line, "--editable", 10) == 0);
    if (line[0] == '-' && !editable) {
        return; /* an option line: -r, -c, --index-url, --hash continuation, ... */
    }
    size_t spec_end = n;
    const char *semi = memchr(line, ';', n);
    if (semi != NULL) {
        spec_end = (size_t)(semi - line);
    }
    const char *opt = memmem(line, spec_end, " -", 2);
    if (opt != NULL) {
        spec_end = (size_t)(opt - line);
    }
    const char *eq = memmem(line, spec_end, "==", 2);
    size_t name_len = 0;
    while (name_len < spec_end && is_name_char(line[name_len])) {
        name_len++;
    }
    int pinned = !editable && eq != NULL && name_len > 0 &&
                 memchr(eq, '*', spec_end - (size_t)(eq - line)) == NULL &&
                 memchr(line, '>', spec_end) == NULL && memchr(line, '<', spec_end) == NULL;
    if (!pinned) {
        if (*unpinned == 0 && first != NULL && first_len > 0) {
            snprintf(first, first_len, "%.*s", (int)(spec_end < 120 ? spec_end : 120), line);
        }
        (*unpinned)++;
    }
}

int lp_deps_pip_unpinned(const char *text, size_t len, int *hashes, char *first, size_t first_len)
{
    int unpinned = 0, h = 0;
    char *joined = malloc(len + 1);
    size_t jn = 0, i = 0;
    if (first != NULL && first_len > 0) {
        first[0] = '\0';
    }
    if (joined == NULL) {
        return -1;
    }
    while (i <= len) {
        const char *nl = i < len ? memchr(text + i, '\n', len - i) : NULL;
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t ln = end - i;
        const char *l = text + i;
        /* a comment starts at '#' at line start or after whitespace */
        for (size_t k = 0; k < ln; k++) {
            if (l[k] == '#' && (k == 0 || l[k - 1] == ' ' || l[k - 1] == '\t')) {
                ln = k;
                break;
            }
        }
        while (ln > 0 && (l[ln - 1] == '\r' || l[ln - 1] == ' ' || l[ln - 1] == '\t')) {
            ln--;
        }
        int cont = ln > 0 && l[ln - 1] == '\\';
        memcpy(joined + jn, l, cont ? ln - 1 : ln);
        jn += cont ? ln - 1 : ln;
        if (!cont) {
            check_requirement(joined, jn, &unpinned, &h, first, first_len);
            jn = 0;
        } else {
            joined[jn++] = ' ';
        }
        if (nl == NULL) {
            break;
        }
        i = end + 1;
    }
    free(joined);
    if (hashes != NULL) {
        *hashes = h;
    }
    return unpinned;
}

/* ---- platforms ---- */

int lp_deps_platform_tags(const char *runtime, const char *architecture,
                          char tags[][LP_DEPS_TAG_MAX], size_t max, size_t *n)
{
    const lp_runtime_info *rt = lp_runtime_lookup(runtime);
    const char *arch, *cpu;
    *n = 0;
    if (rt == NULL || rt->family != LP_RUNTIME_PYTHON ||
        lp_deps_tool_arch(architecture, &arch, &cpu) < 0) {
        return LP_EINVAL;
    }
    int glibc = rt->python_minor >= 12 ? 34 : 26;
    int oldest = strcmp(arch, "x86_64") == 0 ? 5 : 17;
    for (int g = glibc; g >= oldest && *n < max; g--) {
        snprintf(tags[(*n)++], LP_DEPS_TAG_MAX, "manylinux_2_%d_%s", g, arch);
        const char *alias = g == 17 ? "2014" : g == 12 ? "2010" : g == 5 ? "1" : NULL;
        if (alias != NULL && *n < max) {
            snprintf(tags[(*n)++], LP_DEPS_TAG_MAX, "manylinux%s_%s", alias, arch);
        }
    }
    return 0;
}

/* ---- stripping ---- */

static int record_path(const char *row, size_t n, char *out, size_t len)
{
    size_t o = 0, i = 0;
    if (n > 0 && row[0] == '"') {
        for (i = 1; i < n; i++) {
            if (row[i] == '"') {
                if (i + 1 < n && row[i + 1] == '"') {
                    i++;
                } else {
                    break;
                }
            }
            if (o + 1 >= len) {
                return -1;
            }
            out[o++] = row[i];
        }
    } else {
        for (; i < n && row[i] != ','; i++) {
            if (o + 1 >= len) {
                return -1;
            }
            out[o++] = row[i];
        }
    }
    out[o] = '\0';
    return 0;
}

/* Keeps the RECORD rows whose file is still in the tree. Returns 0 or a
 * negative errno (-ENOMEM when out of memory). */
static int rewrite_record(const char *tree, const char *record)
{
    char *text = NULL;
    size_t len = 0;
    int e = lp_deps_read_file(record, LP_DEPS_LOCK_MAX, &text, &len);
    if (e < 0) {
        return e;
    }
    char *out = malloc(len + 1);
    if (out == NULL) {
        free(text);
        return -ENOMEM;
    }
    size_t o = 0;
    for (size_t i = 0; out != NULL && i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl != NULL ? (size_t)(nl - text) + 1 : len;
        char rel[PATH_MAX], abs[PATH_MAX];
        struct stat st;
        int keep = record_path(text + i, end - i, rel, sizeof(rel)) == 0 && rel[0] != '/' &&
                   strstr(rel, "..") == NULL && lp_deps_join(abs, sizeof(abs), tree, rel) == 0 &&
                   lstat(abs, &st) == 0 && S_ISREG(st.st_mode);
        if (keep) {
            memcpy(out + o, text + i, end - i);
            o += end - i;
        }
        i = end;
    }
    int rc = -EIO;
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", record);
    FILE *f = fopen(tmp, "we");
    if (f != NULL) {
        int ok = fwrite(out, 1, o, f) == o;
        ok = fclose(f) == 0 && ok;
        rc = ok && rename(tmp, record) == 0 ? 0 : -EIO;
        if (rc < 0) {
            unlink(tmp);
        }
    }
    free(out);
    free(text);
    return rc;
}

/* Removes what pip writes that is not reproducible. Returns 0 or a
 * negative errno (-ENOMEM when out of memory). */
static int strip_pip(const char *tree)
{
    char path[PATH_MAX];
    int rc = lp_deps_join(path, sizeof(path), tree, "bin") == 0 ? lp_deps_remove_tree(path) : 0;
    int e = lp_deps_tool_strip(tree, LP_DEPS_PIP);
    rc = rc < 0 ? rc : e;
    DIR *d = opendir(tree);
    struct dirent *de;
    if (d == NULL && rc == 0) {
        rc = -errno;
    }
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (!lp_deps_ends_with(de->d_name, ".dist-info")) {
            continue;
        }
        static const char *const drop[] = {"INSTALLER", "REQUESTED", "direct_url.json"};
        char info[PATH_MAX], f[PATH_MAX];
        if (lp_deps_join(info, sizeof(info), tree, de->d_name) < 0) {
            continue;
        }
        for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
            if (lp_deps_join(f, sizeof(f), info, drop[i]) == 0) {
                unlink(f);
            }
        }
        if (lp_deps_join(f, sizeof(f), info, "RECORD") == 0 && access(f, F_OK) == 0 &&
            (e = rewrite_record(tree, f)) < 0 && rc == 0) {
            rc = e;
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    return rc;
}

/* ---- installing ---- */

int lp_deps_pip_install(const lp_deps_request *req, const lp_deps_tool_info *t, const char *tree,
                        int hashes, double *seconds, lp_error *err)
{
    const lp_runtime_info *rt = lp_runtime_lookup(req->runtime);
    lp_deps_argv *a = calloc(1, sizeof(*a));
    char pyver[16], abi[16], file_abs[PATH_MAX], cwd[PATH_MAX];
    size_t n_tags = 0;
    int rc;
    if (a == NULL) {
        return lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    }
    lp_deps_platform_tags(req->runtime, req->architecture, a->store, LP_DEPS_MAX_TAGS, &n_tags);
    snprintf(pyver, sizeof(pyver), "3.%d", rt->python_minor);
    snprintf(abi, sizeof(abi), "cp3%d", rt->python_minor);
    if (realpath(req->file, file_abs) == NULL || lp_deps_dirname(file_abs, cwd, sizeof(cwd)) < 0) {
        free(a);
        return lp_deps_err(err, LP_ENOENT, errno, req, "file", req->file, "cannot resolve '%s': %s",
                           req->file, strerror(errno));
    }
    char *find_abs[16];
    size_t n_find = 0;
    const char *base[] = {t->exe,
                          "-m",
                          "pip",
                          "install",
                          "--target",
                          tree,
                          "--no-compile",
                          "--only-binary=:all:",
                          "--implementation",
                          "cp",
                          "--python-version",
                          pyver,
                          "--abi",
                          abi,
                          "--disable-pip-version-check",
                          "--no-input",
                          "--progress-bar",
                          "off",
                          "--no-warn-script-location"};
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        lp_deps_tool_arg(a, base[i]);
    }
    for (size_t i = 0; i < n_tags; i++) {
        lp_deps_tool_arg(a, "--platform");
        lp_deps_tool_arg(a, a->store[i]);
    }
    if (hashes) {
        lp_deps_tool_arg(a, "--require-hashes");
    }
    if (req->index_url != NULL && req->index_url[0] == '\0') {
        lp_deps_tool_arg(a, "--no-index");
    } else if (req->index_url != NULL) {
        lp_deps_tool_arg(a, "--index-url");
        lp_deps_tool_arg(a, req->index_url);
    }
    for (size_t i = 0; i < req->n_find_links && n_find < 16; i++) {
        find_abs[n_find] = realpath(req->find_links[i], NULL);
        if (find_abs[n_find] == NULL && errno == ENOMEM) {
            /* pip runs elsewhere: the path as written would name another directory */
            rc = lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "find_links", req->find_links[i],
                             "out of memory");
            goto done;
        }
        lp_deps_tool_arg(a, "--find-links");
        lp_deps_tool_arg(a, find_abs[n_find] != NULL ? find_abs[n_find] : req->find_links[i]);
        n_find++;
    }
    lp_deps_tool_arg(a, "-r");
    lp_deps_tool_arg(a, file_abs);
    rc = lp_deps_tool_run(req, LP_DEPS_PIP, a->v, cwd, seconds, err);
    if (rc == LP_EIO && err != NULL && strstr(err->message, "No matching distribution") != NULL) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof(err->message) - used,
                 "\nOnly wheels are installed (CPython %s, %s, glibc up to %s): source "
                 "distributions are not built, since a build is neither reproducible nor "
                 "possible for another architecture. Publish or pick a wheel for this platform.",
                 pyver,
                 a->store[0] + strlen(a->store[0]) - (strstr(a->store[0], "aarch64") ? 7 : 6),
                 rt->python_minor >= 12 ? "2.34 (Amazon Linux 2023)" : "2.26 (Amazon Linux 2)");
    }
    int e;
    if (rc == 0 && (e = strip_pip(tree)) < 0) {
        rc = lp_deps_err(err, lp_error_errno_code(-e), -e, req, "file", tree,
                         "cannot remove pip's non-reproducible files in '%s': %s", tree,
                         strerror(-e));
    }
done:
    for (size_t i = 0; i < n_find; i++) {
        free(find_abs[i]);
    }
    free(a);
    return rc;
}
