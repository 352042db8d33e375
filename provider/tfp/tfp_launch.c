/*
 * tfp_launch: the front half of a two-part plugin (see tfp_serve.h) and the
 * command-line gate both halves share (tfp_launch.h).
 *
 * The front binary links libc only. Terraform runs `--version` and every
 * start of the plugin through it; trivial flags are answered here, before
 * gRPC or OpenSSL is mapped. To serve, it replaces itself (execv: the same
 * process, which Terraform watches) with the serving program, passing the
 * same arguments and its release in TFP_LAUNCH_RELEASE_ENV, which the
 * serving program checks and removes (tfp_launch_check_front). It holds no
 * protocol logic.
 *
 * The serving program is looked for in the front binary's own directory
 * (a build, a dev_overrides or plugin directory, a release package's
 * libexec/). The front's path is the one the kernel was given (AT_EXECFN,
 * which glibc's loader sets to the program's path when it is run on a
 * program explicitly), else /proc/self/exe, else argv[0].
 *
 * When a release package's launcher started us, the dynamic loader was run
 * explicitly (lib/ld-* ... libexec/<front>; AT_BASE is then 0, since the
 * kernel mapped no interpreter). The serving program is then run the same
 * way: by the package's loader, ../lib/<our interpreter's file name>, with
 * ../lib as the library path, so that it maps the package's libraries and
 * never the machine's. None of this needs /proc, which an empty root or a
 * distroless container may not have. Without a ../lib/ loader (someone ran
 * ld.so on a build's front by hand), the loader running us, /proc/self/exe,
 * runs the program with its own library search.
 */
#include "tfp_launch.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <link.h>
#include <sys/auxv.h>
#elif defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "tfp_handshake.h"
#include "tfp_loader_argv.h"

bool tfp_handshake_cookie_ok(const char *value)
{
    return value != NULL && strcmp(value, TFP_MAGIC_COOKIE_VALUE) == 0;
}

int tfp_launch_parse_args(const tfp_serve_options *opts, bool *debug)
{
    const char *argv0 = opts->argc > 0 ? opts->argv[0] : opts->name;
    *debug = false;
    for (int i = 1; i < opts->argc; i++) {
        const char *arg = opts->argv[i];
        if (strcmp(arg, "--version") == 0 || strcmp(arg, "-version") == 0) {
            printf("%s %s (plugin protocol %d)\n", opts->name, opts->release,
                   TFP_APP_PROTOCOL_VERSION);
            return 0;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            opts->usage(argv0);
            return 0;
        }
        if (strcmp(arg, "--debug") != 0) {
            opts->usage(argv0);
            return 1;
        }
        *debug = true;
    }
    if (!*debug && !tfp_handshake_cookie_ok(getenv(TFP_MAGIC_COOKIE_KEY))) {
        opts->usage(argv0);
        return 1;
    }
    return -1;
}

int tfp_launch_check_front(const tfp_serve_options *opts)
{
    const char *front = getenv(TFP_LAUNCH_RELEASE_ENV);
    if (front == NULL) {
        return 0; /* started on its own */
    }
    int same = strcmp(front, opts->release) == 0;
    if (!same) {
        fprintf(stderr,
                "%s: the serving program is from release %s, the binary that started it is %s: "
                "install both together\n",
                opts->name, opts->release, front);
    }
    /* Programs the provider starts (pip, npm) must not inherit it. */
    unsetenv(TFP_LAUNCH_RELEASE_ENV);
    return same ? 0 : -1;
}

/* The front binary's own absolute path: 0, or -1 when it cannot be told. */
static int self_path(const char *argv0, char out[PATH_MAX])
{
#if defined(__linux__)
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    if (execfn != NULL && *execfn != '\0' && realpath(execfn, out) != NULL) {
        return 0;
    }
    ssize_t n = getauxval(AT_BASE) != 0 ? readlink("/proc/self/exe", out, PATH_MAX - 1) : -1;
    if (n > 0 && out[0] == '/') {
        out[n] = '\0';
        return 0;
    }
#elif defined(__APPLE__)
    char given[PATH_MAX];
    uint32_t size = sizeof(given);
    if (_NSGetExecutablePath(given, &size) == 0 && realpath(given, out) != NULL) {
        return 0;
    }
#endif
    if (argv0 != NULL && strchr(argv0, '/') != NULL && realpath(argv0, out) != NULL) {
        return 0;
    }
    return -1;
}

/* The file name of our own program interpreter (PT_INTERP), or NULL. */
static const char *interpreter_name(void)
{
#if defined(__linux__)
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
    size_t n = (size_t)getauxval(AT_PHNUM);
    uintptr_t bias = 0;
    for (size_t i = 0; ph != NULL && i < n; i++) {
        if (ph[i].p_type == PT_PHDR) {
            bias = (uintptr_t)ph - ph[i].p_vaddr;
        }
    }
    for (size_t i = 0; ph != NULL && i < n; i++) {
        if (ph[i].p_type == PT_INTERP) {
            const char *interp = (const char *)(bias + ph[i].p_vaddr);
            const char *slash = strrchr(interp, '/');
            return slash != NULL ? slash + 1 : interp;
        }
    }
#endif
    return NULL;
}

static int join(char out[PATH_MAX], const char *dir, const char *rest, const char *name)
{
    int n = snprintf(out, PATH_MAX, "%s/%s%s", dir, rest, name);
    return n > 0 && n < PATH_MAX ? 0 : -1;
}

enum { FOUND, NO_PROGRAM, NO_LOADER };

/* Finds `program` as described at the top of this file: its path in
 *path, the loader's in *loader (empty when it runs directly), and whether
 *that loader's directory is the library path (*own_libs). */
static int find_program(const char *argv0, const char *program, char path[PATH_MAX],
                        char loader[PATH_MAX], bool *own_libs)
{
    char self[PATH_MAX];
    loader[0] = '\0';
    *own_libs = true;
    if (self_path(argv0, self) != 0) {
        return NO_PROGRAM;
    }
    *strrchr(self, '/') = '\0';
    const char *dir = self[0] != '\0' ? self : "/";
    if (join(path, dir, "", program) != 0 || access(path, F_OK) != 0) {
        return NO_PROGRAM;
    }
#if defined(__linux__)
    /* A dynamic front with no interpreter mapped by the kernel was run by an
     * explicit loader: a release package's, ../lib/<interpreter>, or else
     * the one running us now (someone ran ld.so on the front by hand). A
     * static front has no PT_INTERP and runs the program directly. */
    const char *interp = getauxval(AT_BASE) == 0 ? interpreter_name() : NULL;
    if (interp != NULL &&
        (join(loader, dir, "../lib/", interp) != 0 || access(loader, X_OK) != 0)) {
        ssize_t n = readlink("/proc/self/exe", loader, PATH_MAX - 1);
        if (n <= 0 || loader[0] != '/') {
            return NO_LOADER;
        }
        loader[n] = '\0';
        *own_libs = false;
    }
#endif
    return FOUND;
}

/* Runs program in place of this process; returns only on failure. */
static void exec_program(const tfp_serve_options *opts, const char *path, const char *loader,
                         bool own_libs)
{
    if (loader[0] == '\0') {
        execv(path, opts->argv);
        return;
    }
    char **args = calloc((size_t)opts->argc + TFP_LOADER_ARGV_FIXED + 1, sizeof(*args));
    if (args == NULL) {
        errno = ENOMEM;
        return;
    }
    char libdir[PATH_MAX];
    memcpy(libdir, loader, strlen(loader) + 1);
    *strrchr(libdir, '/') = '\0';
    tfp_loader_argv(args, loader, own_libs ? libdir : NULL,
                    opts->argc > 0 ? opts->argv[0] : opts->name, path, opts->argc, opts->argv);
    execv(loader, args);
    int e = errno;
    free(args);
    errno = e;
}

int tfp_launch(const tfp_serve_options *opts, const char *program)
{
    bool debug = false;
    int rc = tfp_launch_parse_args(opts, &debug);
    if (rc >= 0) {
        return rc;
    }
    char path[PATH_MAX], loader[PATH_MAX];
    const char *argv0 = opts->argc > 0 ? opts->argv[0] : NULL;
    bool own_libs = true;
    int found = find_program(argv0, program, path, loader, &own_libs);
    if (found == NO_PROGRAM) {
        fprintf(stderr,
                "%s: cannot find %s, the program of this plugin that serves Terraform; it must "
                "stay in the directory of the binary\n",
                opts->name, program);
        return 1;
    }
    if (found == NO_LOADER) {
        fprintf(stderr,
                "%s: cannot find the dynamic loader of this package (%s, from lib/) to run %s: "
                "keep the package together\n",
                opts->name, loader, path);
        return 1;
    }
    if (setenv(TFP_LAUNCH_RELEASE_ENV, opts->release, 1) != 0) {
        fprintf(stderr, "%s: cannot start %s: %s\n", opts->name, path, strerror(errno));
        return 1;
    }
    exec_program(opts, path, loader, own_libs);
    fprintf(stderr, "%s: cannot run %s, the program of this plugin that serves Terraform: %s\n",
            opts->name, path, strerror(errno));
    unsetenv(TFP_LAUNCH_RELEASE_ENV);
    return 1;
}
