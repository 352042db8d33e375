/*
 * tfp_launch: the front half of a two-part plugin (see tfp_serve.h) and the
 * command-line gate both halves share (tfp_launch.h).
 *
 * The front binary links libc only. Terraform runs `--version` and every
 * start of the plugin through it; trivial flags are answered here, before
 * any of gRPC's sixty-odd shared libraries is mapped. To serve, it loads
 * the serving library and calls its entry point with the same options, in
 * the same process. It holds no protocol logic.
 *
 * Where the library is looked for, in order:
 *   1. the directory of /proc/self/exe: the front binary's own, or, when a
 *      bundled loader runs it (a release package), the loader's, lib/,
 *      which is where release packages keep the library;
 *   2. dlopen's own search by file name: LD_LIBRARY_PATH or the bundled
 *      loader's --library-path, the binary's RUNPATH ($ORIGIN: step 1
 *      without /proc), the system's directories.
 * Step 1 does not rely on RUNPATH because glibc applies the RUNPATH of the
 * object that calls dlopen, and under AddressSanitizer that is libasan.
 */
#include "tfp_launch.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tfp_handshake.h"

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

/* Looks a symbol up, as an object pointer (function pointers are copied
   out of it with memcpy: ISO C has no cast between the two). */
static void *lookup(void *lib, const char *symbol, const char *library, const char *name)
{
    dlerror();
    void *p = dlsym(lib, symbol);
    if (p == NULL) {
        const char *why = dlerror();
        fprintf(stderr, "%s: %s has no symbol %s (%s): it is not this plugin's serving library\n",
                name, library, symbol, why != NULL ? why : "null");
    }
    return p;
}

/* dlopen()s library (a file name) as described at the top of this file. */
static void *load(const char *library)
{
    /* RTLD_LAZY leaves each dependency to bind the way it was linked (as
       when they are loaded with the executable): RTLD_NOW would force some
       5,000 extra symbol look-ups through libcrypto, libzip and the like.
       The serving library itself is linked -z now, so a missing symbol of
       its own still fails here. */
    const int mode = RTLD_LAZY | RTLD_LOCAL;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    const char *slash = strrchr(self, '/');
    if (slash != NULL && strchr(library, '/') == NULL) {
        char path[PATH_MAX];
        int len = snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - self), self, library);
        if (len > 0 && (size_t)len < sizeof(path) && access(path, F_OK) == 0) {
            return dlopen(path, mode);
        }
    }
    return dlopen(library, mode);
}

int tfp_launch(const tfp_serve_options *opts, const char *library)
{
    bool debug = false;
    int rc = tfp_launch_parse_args(opts, &debug);
    if (rc >= 0) {
        return rc;
    }
    /* The handle is never closed: the process ends when serving does. */
    void *lib = load(library);
    if (lib == NULL) {
        const char *why = dlerror();
        fprintf(stderr,
                "%s: cannot load %s, the part of this plugin that serves Terraform; it must "
                "stay in the directory of the binary (or in the package's lib/): %s\n",
                opts->name, library, why != NULL ? why : "unknown error");
        return 1;
    }
    const char *release = lookup(lib, TFP_PLUGIN_RELEASE_SYMBOL, library, opts->name);
    void *entry = lookup(lib, TFP_PLUGIN_SERVE_SYMBOL, library, opts->name);
    if (release == NULL || entry == NULL) {
        return 1;
    }
    if (strcmp(release, opts->release) != 0) {
        fprintf(stderr, "%s: %s is from release %s, this binary is %s: install both together\n",
                opts->name, library, release, opts->release);
        return 1;
    }
    tfp_plugin_serve_fn serve;
    memcpy(&serve, &entry, sizeof(serve));
    return serve(opts);
}
