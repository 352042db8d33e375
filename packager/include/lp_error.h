/*
 * lp_error: the error value every packager function fills on failure.
 *
 * Functions return 0 on success or one of the negative LP_E* codes below,
 * and put the detail into a caller-provided lp_error: a one-line message that
 * names the path involved, plus where in the spec the problem sits
 * (source index and field name) so that a caller such as the Terraform
 * provider can point at the exact attribute.
 */
#ifndef LP_ERROR_H
#define LP_ERROR_H

#include <stddef.h>

enum {
    LP_OK = 0,
    LP_EINVAL = -1,     /* bad argument or spec (level, empty source, ...) */
    LP_ENOENT = -2,     /* a path does not exist */
    LP_EIO = -3,        /* read/write/stat failure; sys_errno set */
    LP_ECOLLISION = -4, /* two sources give the same archive path */
    LP_ESYMLINK = -5,   /* symlink escapes its source root, or loops */
    LP_EPATH = -6,      /* invalid archive path (absolute, .., \, empty part, bad UTF-8) */
    LP_EGLOB = -7,      /* a glob pattern does not compile */
    LP_ENOMEM = -8,     /* allocation failed */
    LP_EZIP = -9,       /* a ZIP cannot be read or is corrupt/hostile */
    LP_ELIMIT = -10,    /* a bound was exceeded (sizes, counts) */
    LP_ECHANGED = -11,  /* a source file changed while it was being packaged */
    LP_EEXIST = -12,    /* a file that is not ours is where we would write */
    LP_EINTERNAL = -13, /* a self-check failed (a bug): nothing was written */
    LP_ECANCELED = -14, /* the progress callback asked to stop (lp_progress.h): nothing was
                           written */
};

#define LP_ERROR_MSG_MAX 1024
#define LP_ERROR_PATH_MAX 1024

typedef struct lp_error {
    int code;                       /* one of LP_E*, LP_OK when clear */
    int sys_errno;                  /* errno behind an LP_EIO/LP_ENOENT, else 0 */
    int source_index;               /* index into lp_spec.sources, -1 when none */
    const char *field;              /* static string naming the spec field involved:
                                       "path", "prefix", "include", "exclude",
                                       "content", "filename", "excludes", "level",
                                       "output_path", or NULL */
    char path[LP_ERROR_PATH_MAX];   /* file or archive path involved, "" when none */
    char message[LP_ERROR_MSG_MAX]; /* one line, e.g.
                                      "cannot read 'src/x.py': Permission denied" */
} lp_error;

#define LP_ERROR_INIT                                                                              \
    {                                                                                              \
        LP_OK, 0, -1, NULL, "", ""                                                                 \
    }

/* Resets err to LP_ERROR_INIT. Accepts NULL. */
void lp_error_clear(lp_error *err);

/*
 * Fills err (when not NULL) and returns code, so callers can write
 * `return lp_error_set(err, LP_EIO, errno, -1, "path", p, "cannot read '%s': %s", ...)`.
 */
int lp_error_set(lp_error *err, int code, int sys_errno, int source_index, const char *field,
                 const char *path, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Fills err with LP_ENOMEM, "out of memory" (no location) and returns
 * LP_ENOMEM. Accepts NULL. */
int lp_error_nomem(lp_error *err);

/* The same, located: source index, spec field and path involved. */
int lp_error_nomem_at(lp_error *err, int source_index, const char *field, const char *path);

/* The code for a failed system call's errno: LP_ENOENT for ENOENT,
 * LP_ENOMEM for ENOMEM (realpath, opendir and the like allocate), else
 * LP_EIO. */
int lp_error_errno_code(int sys_errno);

/* A short static name for a code ("LP_ENOENT" -> "not found"). */
const char *lp_error_name(int code);

/* A static headline for an error of this code, the summary both the
 * resource's diagnostics and lambdapack print ("Source path does not
 * exist"). */
const char *lp_error_summary(int code);

#endif
