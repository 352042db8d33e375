/*
 * lp_error: filling and naming the packager's error values.
 * Knows nothing of the modules that report errors; formats one line only.
 */
#include "lp_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lp_error_clear(lp_error *err)
{
    if (err == NULL) {
        return;
    }
    lp_error clean = LP_ERROR_INIT;
    *err = clean;
}

int lp_error_set(lp_error *err, int code, int sys_errno, int source_index, const char *field,
                 const char *path, const char *fmt, ...)
{
    if (err == NULL) {
        return code;
    }
    err->code = code;
    err->sys_errno = sys_errno;
    err->source_index = source_index;
    err->field = field;
    snprintf(err->path, sizeof(err->path), "%s", path != NULL ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    /* Messages are one line: fold any newline a path or strerror brought in. */
    for (char *p = err->message; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = ' ';
        }
    }
    return code;
}

int lp_error_nomem(lp_error *err)
{
    return lp_error_nomem_at(err, -1, NULL, NULL);
}

int lp_error_nomem_at(lp_error *err, int source_index, const char *field, const char *path)
{
    return lp_error_set(err, LP_ENOMEM, ENOMEM, source_index, field, path, "out of memory");
}

int lp_error_errno_code(int sys_errno)
{
    switch (sys_errno) {
    case ENOENT:
        return LP_ENOENT;
    case ENOMEM:
        return LP_ENOMEM;
    default:
        return LP_EIO;
    }
}

const char *lp_error_name(int code)
{
    switch (code) {
    case LP_OK:
        return "ok";
    case LP_EINVAL:
        return "invalid argument";
    case LP_ENOENT:
        return "not found";
    case LP_EIO:
        return "I/O error";
    case LP_ECOLLISION:
        return "path collision";
    case LP_ESYMLINK:
        return "symlink outside source";
    case LP_EPATH:
        return "invalid archive path";
    case LP_EGLOB:
        return "invalid glob";
    case LP_ENOMEM:
        return "out of memory";
    case LP_EZIP:
        return "invalid ZIP";
    case LP_ELIMIT:
        return "limit exceeded";
    case LP_ECHANGED:
        return "file changed during build";
    case LP_EEXIST:
        return "file in the way";
    case LP_EINTERNAL:
        return "internal error";
    case LP_ECANCELED:
        return "cancelled";
    default:
        return "unknown error";
    }
}

const char *lp_error_summary(int code)
{
    switch (code) {
    case LP_ENOENT:
        return "Source path does not exist";
    case LP_EIO:
        return "Cannot read or write package files";
    case LP_ECOLLISION:
        return "Two sources produce the same archive path";
    case LP_ESYMLINK:
        return "Symlink leaves its source";
    case LP_EPATH:
        return "Invalid archive path";
    case LP_EGLOB:
        return "Invalid glob pattern";
    case LP_ELIMIT:
        return "Package too large";
    case LP_ECHANGED:
        return "Source changed while packaging";
    case LP_EZIP:
        return "Invalid ZIP";
    case LP_EEXIST:
        return "Refusing to replace a file that is not a package";
    case LP_ECANCELED:
        return "Build cancelled";
    default:
        return "Cannot build package";
    }
}
