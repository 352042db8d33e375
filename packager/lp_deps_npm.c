/*
 * lp_deps_npm: the npm installer of lp_deps. Copies package-lock.json (or
 * npm-shrinkwrap.json) and package.json into a work directory, runs
 * `npm ci --omit=dev --ignore-scripts` there for linux and the
 * architecture's CPU, moves node_modules into the entry's tree and strips
 * what is not reproducible (node_modules/.package-lock.json, every .bin/,
 * symlinks).
 *
 * Writes only inside the temporary entry it is given; the user's directory
 * is only read. Knows nothing of Terraform.
 */
#include "lp_deps_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 0, or the negative errno of what could not be removed. */
static int strip_npm(const char *tree)
{
    char path[PATH_MAX];
    if (lp_deps_join(path, sizeof(path), tree, "node_modules/.package-lock.json") == 0) {
        unlink(path);
    }
    return lp_deps_tool_strip(tree, LP_DEPS_NPM);
}

static int copy_file(const char *from, const char *to)
{
    char *buf = NULL;
    size_t len = 0;
    if (lp_deps_read_file(from, LP_DEPS_LOCK_MAX, &buf, &len) < 0) {
        return -1;
    }
    FILE *f = fopen(to, "wxe");
    int ok = f != NULL && fwrite(buf, 1, len, f) == len;
    if (f != NULL) {
        ok = fclose(f) == 0 && ok;
    }
    free(buf);
    return ok ? 0 : -1;
}

int lp_deps_npm_install(const lp_deps_request *req, const lp_deps_tool_info *t, const char *tmp,
                        const char *tree, const char *pkg_json, double *seconds, lp_error *err)
{
    char work[PATH_MAX], lock_copy[PATH_MAX], pkg_copy[PATH_MAX], nm[PATH_MAX], nm_to[PATH_MAX];
    const char *arch = "x86_64", *cpu = "x64";
    lp_deps_tool_arch(req->architecture, &arch, &cpu);
    const char *lock_base = strrchr(req->file, '/');
    lock_base = lock_base != NULL ? lock_base + 1 : req->file;
    if (lp_deps_join(work, sizeof(work), tmp, "work") < 0 ||
        lp_deps_join(lock_copy, sizeof(lock_copy), work, lock_base) < 0 ||
        lp_deps_join(pkg_copy, sizeof(pkg_copy), work, "package.json") < 0 ||
        lp_deps_join(nm, sizeof(nm), work, "node_modules") < 0 ||
        lp_deps_join(nm_to, sizeof(nm_to), tree, "node_modules") < 0 || mkdir(work, 0700) != 0 ||
        mkdir(tree, 0700) != 0 || copy_file(req->file, lock_copy) < 0 ||
        copy_file(pkg_json, pkg_copy) < 0) {
        return lp_deps_err(err, LP_EIO, errno, req, "file", tmp,
                           "cannot prepare a copy of '%s' in '%s': %s", req->file, tmp,
                           strerror(errno));
    }
    char cpu_opt[32];
    snprintf(cpu_opt, sizeof(cpu_opt), "--cpu=%s", cpu);
    lp_deps_argv *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return lp_deps_err(err, LP_ENOMEM, ENOMEM, req, "file", req->file, "out of memory");
    }
    const char *base[] = {
        t->exe,      "ci",         "--omit=dev", "--ignore-scripts",    "--no-audit",
        "--no-fund", "--os=linux", cpu_opt,      "--no-update-notifier"};
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        lp_deps_tool_arg(a, base[i]);
    }
    if (req->index_url != NULL && req->index_url[0] == '\0') {
        lp_deps_tool_arg(a, "--offline");
    } else if (req->index_url != NULL) {
        lp_deps_tool_arg(a, "--registry");
        lp_deps_tool_arg(a, req->index_url);
    }
    int rc = lp_deps_tool_run(req, LP_DEPS_NPM, a->v, work, seconds, err);
    free(a);
    struct stat st;
    if (rc == 0 && lstat(nm, &st) == 0 && S_ISDIR(st.st_mode) && rename(nm, nm_to) != 0) {
        rc = lp_deps_err(err, LP_EIO, errno, req, "file", nm, "cannot move '%s': %s", nm,
                         strerror(errno));
    }
    int e;
    if (rc == 0 && (e = strip_npm(tree)) < 0) {
        rc = lp_deps_err(err, lp_error_errno_code(-e), -e, req, "file", tree,
                         "cannot remove npm's non-reproducible files in '%s': %s", tree,
                         strerror(-e));
    }
    return rc;
}
