/*
 * launcher: the static front door of a release package.
 *
 * A release zip holds, beside this launcher, the real program (LAUNCH_TARGET,
 * e.g. libexec/terraform-provider-lambda), every shared library it needs and
 * the dynamic loader they were built for (LAUNCH_LOADER, in lib/). The
 * launcher is linked -static, so it runs on any Linux kernel whatever libc
 * the machine has (glibc, musl, none at all). It finds the directory it lives
 * in and replaces itself (execv, same pid) with
 *
 *   ROOT/LAUNCH_LOADER --inhibit-cache --library-path ROOT/lib
 *                      --argv0 ARGV0 ROOT/LAUNCH_TARGET ARGS...
 *
 * so the bundled loader maps the bundled libraries and never the machine's.
 * Nothing goes into the environment (no LD_LIBRARY_PATH): programs the
 * provider starts (pip, npm) see the machine's own libraries.
 *
 * Finding ROOT must work where Terraform runs us: with a path relative to
 * the configuration directory (our cwd), in a chroot or container without
 * /proc, through a symlink. In that order it tries /proc/self/exe, the path
 * the kernel was given (AT_EXECFN), then argv[0] (searched on PATH when it
 * has no slash); relative paths are resolved against the cwd we started in.
 *
 * It must not do anything else: no allocation beyond the argument vector, no
 * configuration, no output except one line on stderr when it cannot start
 * the program (exit 127, like a shell).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "tfp_loader_argv.h"

#ifndef LAUNCH_TARGET
#error "LAUNCH_TARGET (the real program, relative to the package root) must be defined"
#endif
#ifndef LAUNCH_LOADER
#error "LAUNCH_LOADER (the bundled dynamic loader, relative to the package root) must be defined"
#endif

#define LAUNCH_EXIT_FAIL 127

static const char *g_name = "launcher";

static int fail(const char *what, const char *path, int errnum)
{
    fprintf(stderr, "%s: %s '%s': %s\n", g_name, what, path, strerror(errnum));
    return LAUNCH_EXIT_FAIL;
}

/* Resolves a path as given to execve (absolute, or relative to the cwd) to
 * an absolute one without symlinks. 0 on success. */
static int resolve(const char *given, char out[PATH_MAX])
{
    return realpath(given, out) != NULL ? 0 : -1;
}

/* Looks NAME (no slash) up on PATH as execvp would, then resolves it. */
static int resolve_on_path(const char *name, char out[PATH_MAX])
{
    const char *path = getenv("PATH");
    if (path == NULL || *path == '\0') {
        path = "/usr/local/bin:/usr/bin:/bin";
    }
    while (*path != '\0') {
        const char *end = strchr(path, ':');
        size_t len = end != NULL ? (size_t)(end - path) : strlen(path);
        char cand[PATH_MAX];
        int n = len == 0 ? snprintf(cand, sizeof(cand), "./%s", name)
                         : snprintf(cand, sizeof(cand), "%.*s/%s", (int)len, path, name);
        if (n > 0 && (size_t)n < sizeof(cand) && access(cand, X_OK) == 0 &&
            resolve(cand, out) == 0) {
            return 0;
        }
        if (end == NULL) {
            break;
        }
        path = end + 1;
    }
    return -1;
}

/* Our own executable's absolute path, symlinks resolved. */
static int self_path(const char *argv0, char out[PATH_MAX])
{
    ssize_t n = readlink("/proc/self/exe", out, PATH_MAX - 1);
    if (n > 0 && out[0] == '/') {
        out[n] = '\0';
        return 0;
    }
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    if (execfn != NULL && *execfn != '\0' && resolve(execfn, out) == 0) {
        return 0;
    }
    if (argv0 == NULL || *argv0 == '\0') {
        return -1;
    }
    if (strchr(argv0, '/') != NULL) {
        return resolve(argv0, out);
    }
    return resolve_on_path(argv0, out);
}

static int join(char out[PATH_MAX], const char *root, const char *rel)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", root, rel);
    return n > 0 && n < PATH_MAX ? 0 : -1;
}

int main(int argc, char **argv)
{
    char self[PATH_MAX], loader[PATH_MAX], libdir[PATH_MAX], target[PATH_MAX];
    const char *argv0 = argc > 0 && argv[0] != NULL ? argv[0] : "";
    const char *base = strrchr(argv0, '/');
    g_name = *argv0 != '\0' ? (base != NULL ? base + 1 : argv0) : g_name;

    if (self_path(argv0, self) != 0) {
        return fail("cannot find its own path from", argv0, errno != 0 ? errno : ENOENT);
    }
    char *slash = strrchr(self, '/');
    if (slash == NULL) {
        return fail("cannot find its own directory in", self, EINVAL);
    }
    *slash = '\0';
    const char *root = self[0] != '\0' ? self : "/";
    if (join(loader, root, LAUNCH_LOADER) != 0 || join(libdir, root, "lib") != 0 ||
        join(target, root, LAUNCH_TARGET) != 0) {
        return fail("package path too long:", root, ENAMETOOLONG);
    }
    if (access(target, R_OK) != 0) {
        return fail("cannot read the program", target, errno);
    }

    char **args = calloc((size_t)argc + TFP_LOADER_ARGV_FIXED + 1, sizeof(*args));
    if (args == NULL) {
        return fail("out of memory starting", target, ENOMEM);
    }
    tfp_loader_argv(args, loader, libdir, argv0, target, argc, argv);
    execv(loader, args);
    int e = errno;
    free(args);
    return fail("cannot run the bundled loader", loader, e);
}
