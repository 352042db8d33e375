/*
 * lp_fs: filesystem helpers shared by the ZIP writer, the output rules and
 * the cache. Creates directories; removes only stale temporary files of its
 * own naming pattern.
 */
#include "lp_fs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* When this process started, for "older than the run". */
static struct timespec run_start;

__attribute__((constructor)) static void record_run_start(void)
{
    clock_gettime(CLOCK_REALTIME, &run_start);
}

/* ".XXXXXX" at s: a dot and six alphanumerics. */
static int is_random_part(const char *s)
{
    if (s[0] != '.') {
        return 0;
    }
    for (int i = 1; i <= 6; i++) {
        if (!isalnum((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

int lp_fs_is_temp_name(const char *name, const char *base)
{
    size_t n = strlen(name), b;
    if (base != NULL) {
        b = strlen(base);
        if (n <= b || strncmp(name, base, b) != 0) {
            return 0;
        }
    } else {
        const char *zip = strstr(name, ".zip.");
        if (zip == NULL || zip == name) {
            return 0;
        }
        b = (size_t)(zip - name) + 4;
    }
    const char *rest = name + b;
    if (strlen(rest) < 11 || !is_random_part(rest) || strncmp(rest + 7, ".tmp", 4) != 0) {
        return 0;
    }
    rest += 11;
    return rest[0] == '\0' || (strlen(rest) == 7 && is_random_part(rest));
}

int lp_fs_remove_stale_temps(const char *dir, const char *base)
{
    DIR *d = opendir(dir);
    int removed = 0;
    if (d == NULL) {
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (!lp_fs_is_temp_name(de->d_name, base) ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        int older =
            st.st_mtim.tv_sec < run_start.tv_sec ||
            (st.st_mtim.tv_sec == run_start.tv_sec && st.st_mtim.tv_nsec < run_start.tv_nsec);
        if (older && unlinkat(dirfd(d), de->d_name, 0) == 0) {
            removed++;
        }
    }
    closedir(d);
    return removed;
}
