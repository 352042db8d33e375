/*
 * lp_fs: small filesystem helpers shared by the ZIP writer and the cache
 * (internal). Errors name the path and point at the spec's output_path.
 */
#ifndef LP_FS_H
#define LP_FS_H

#include "lp_error.h"

/* mkdir -p for every directory above path, and for path itself when
 * include_last. Existing directories are fine. Returns 0, LP_EIO or
 * LP_ENOMEM. */
int lp_fs_mkdirs(const char *path, int include_last, lp_error *err);

#endif
