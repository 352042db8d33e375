/*
 * lp_fs: filesystem helpers shared by the ZIP writer and the cache.
 * Creates directories only; never removes or rewrites anything.
 */
#include "lp_fs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int mkdir_one(const char *dir, lp_error *err)
{
    if (dir[0] == '\0' || mkdir(dir, 0777) == 0 || errno == EEXIST) {
        return LP_OK;
    }
    return lp_error_set(err, LP_EIO, errno, -1, "output_path", dir,
                        "cannot create directory '%s': %s", dir, strerror(errno));
}

int lp_fs_mkdirs(const char *path, int include_last, lp_error *err)
{
    char *p = strdup(path);
    int rc = LP_OK;
    if (p == NULL) {
        return lp_error_set(err, LP_ENOMEM, ENOMEM, -1, "output_path", path, "out of memory");
    }
    for (char *s = strchr(p + 1, '/'); s != NULL && rc == LP_OK; s = strchr(s + 1, '/')) {
        *s = '\0';
        rc = mkdir_one(p, err);
        *s = '/';
    }
    if (rc == LP_OK && include_last) {
        rc = mkdir_one(p, err);
    }
    free(p);
    return rc;
}
