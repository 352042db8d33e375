/*
 * tfp_loader_argv (internal, header only): the argument vector that runs a
 * program through an explicit dynamic loader, kept to the package's own
 * libraries. One definition for the two places that build it: a release
 * package's static launcher (release/launcher.c) and the front binary when
 * it runs the serving program under that same loader (tfp_launch.c). libc
 * only, no allocation.
 */
#ifndef TFP_LOADER_ARGV_H
#define TFP_LOADER_ARGV_H

#include <stddef.h>

/* Slots the loader and its options take before the program's arguments. */
#define TFP_LOADER_ARGV_FIXED 7

/*
 * Fills args (room for argc + TFP_LOADER_ARGV_FIXED + 1 pointers) with
 *
 *   LOADER [--inhibit-cache --library-path LIBDIR] --argv0 ARGV0 TARGET
 *   argv[1] ... argv[argc - 1] NULL
 *
 * (the bracketed part only when libdir is not NULL: without it the loader
 * searches as it would for any program). The strings are borrowed.
 */
static inline void tfp_loader_argv(char **args, const char *loader, const char *libdir,
                                   const char *argv0, const char *target, int argc, char **argv)
{
    size_t i = 0;
    args[i++] = (char *)loader;
    if (libdir != NULL) {
        args[i++] = "--inhibit-cache";
        args[i++] = "--library-path";
        args[i++] = (char *)libdir;
    }
    args[i++] = "--argv0";
    args[i++] = (char *)argv0;
    args[i++] = (char *)target;
    for (int a = 1; a < argc; a++) {
        args[i++] = argv[a];
    }
    args[i] = NULL;
}

#endif
