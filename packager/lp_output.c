/*
 * lp_output: the rules for the file at a package's output path (see
 * include/lp_output.h).
 */
#include "lp_output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_fs.h"
#include "lp_zip.h"

int lp_output_check_replaceable(const char *output_path, lp_error *err)
{
    struct stat st;
    if (stat(output_path, &st) != 0) {
        return LP_OK; /* nothing there (or an unreachable parent, reported by the writer) */
    }
    if (S_ISDIR(st.st_mode)) {
        return lp_error_set(err, LP_EIO, EISDIR, -1, "output_path", output_path,
                            "output '%s' is a directory; name the ZIP file to write", output_path);
    }
    if (!S_ISREG(st.st_mode)) {
        return lp_error_set(err, LP_EEXIST, 0, -1, "output_path", output_path,
                            "output '%s' exists and is not a regular file; refusing to replace it",
                            output_path);
    }
    if (st.st_size == 0) {
        return LP_OK;
    }
    unsigned char head[4] = {0};
    int fd = open(output_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ELOOP) {
        fd = open(output_path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        return lp_error_set(err, LP_EIO, errno, -1, "output_path", output_path,
                            "cannot read output '%s': %s", output_path, strerror(errno));
    }
    ssize_t got = read(fd, head, sizeof(head));
    close(fd);
    int is_zip = got == 4 && head[0] == 'P' && head[1] == 'K' &&
                 ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    if (!is_zip) {
        return lp_error_set(err, LP_EEXIST, 0, -1, "output_path", output_path,
                            "output '%s' exists and is not a ZIP archive; refusing to replace it "
                            "(is output_path a typo? move the file away or choose another path)",
                            output_path);
    }
    return LP_OK;
}

/* The nearest existing ancestor directory of path, into buf. */
static int nearest_ancestor(const char *path, char *buf, size_t len, struct stat *st)
{
    if (snprintf(buf, len, "%s", path) >= (int)len) {
        return -1;
    }
    for (;;) {
        char *slash = strrchr(buf, '/');
        if (slash == NULL) {
            snprintf(buf, len, ".");
        } else if (slash == buf) {
            slash[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (stat(buf, st) == 0) {
            return 0;
        }
        if ((errno != ENOENT && errno != ENOTDIR) || strcmp(buf, ".") == 0 ||
            strcmp(buf, "/") == 0) {
            return -1;
        }
    }
}

int lp_output_check_creatable(const char *output_path, lp_error *err)
{
    struct stat st;
    if (stat(output_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        return lp_error_set(err, LP_EIO, EISDIR, -1, "output_path", output_path,
                            "output_path '%s' is a directory; name the ZIP file to write.",
                            output_path);
    }
    char dir[PATH_MAX];
    if (nearest_ancestor(output_path, dir, sizeof(dir), &st) < 0) {
        return LP_OK; /* nothing to say before trying; the writer reports */
    }
    if (!S_ISDIR(st.st_mode)) {
        return lp_error_set(err, LP_EIO, ENOTDIR, -1, "output_path", output_path,
                            "output_path '%s' cannot be created: '%s' is not a directory.",
                            output_path, dir);
    }
    char probe[PATH_MAX];
    int n = snprintf(probe, sizeof(probe), "%s/.lambdapack-probe.XXXXXX", dir);
    if (n < 0 || (size_t)n >= sizeof(probe)) {
        return lp_error_set(err, LP_EIO, ENAMETOOLONG, -1, "output_path", output_path,
                            "output_path '%s' cannot be created: path too long.", output_path);
    }
    if (mkdtemp(probe) == NULL) {
        return lp_error_set(err, LP_EIO, errno, -1, "output_path", output_path,
                            "output_path '%s' cannot be created: directory '%s': %s.", output_path,
                            dir, strerror(errno));
    }
    rmdir(probe);
    return LP_OK;
}

int lp_output_remove(const char *output_path, const char *expect_sha256, lp_output_removal *what,
                     lp_error *err)
{
    lp_zip_info found;
    lp_error herr = LP_ERROR_INIT;
    int rc = lp_zip_hash_file(output_path, &found, &herr);
    if (rc == LP_ENOENT) {
        *what = LP_OUTPUT_ABSENT;
        return LP_OK;
    }
    *what = LP_OUTPUT_KEPT;
    if (rc < 0) {
        lp_error_set(err, rc, herr.sys_errno, -1, "output_path", output_path, "kept '%s': %s",
                     output_path, herr.message);
        return LP_OK;
    }
    if (expect_sha256 == NULL || expect_sha256[0] == '\0') {
        lp_error_set(err, LP_EEXIST, 0, -1, "output_path", output_path,
                     "kept '%s': the state records no ZIP hash for it, so it may not be the "
                     "package this resource wrote",
                     output_path);
        return LP_OK;
    }
    if (strcmp(found.sha256_hex, expect_sha256) != 0) {
        lp_error_set(err, LP_EEXIST, 0, -1, "output_path", output_path,
                     "kept '%s': it is no longer the ZIP this resource wrote (SHA-256 %s, the "
                     "state records %s); remove it by hand if it is not needed",
                     output_path, found.sha256_hex, expect_sha256);
        return LP_OK;
    }
    if (unlink(output_path) != 0 && errno != ENOENT) {
        return lp_error_set(err, LP_EIO, errno, -1, "output_path", output_path,
                            "cannot remove '%s': %s", output_path, strerror(errno));
    }
    *what = LP_OUTPUT_REMOVED;
    return LP_OK;
}

int lp_output_clean_stale(const char *output_path)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof(dir), "%s", output_path) >= (int)sizeof(dir)) {
        return 0;
    }
    char *slash = strrchr(dir, '/');
    const char *base = output_path;
    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else {
        base = output_path + (slash - dir) + 1;
        slash[slash == dir ? 1 : 0] = '\0';
    }
    return base[0] != '\0' ? lp_fs_remove_stale_temps(dir, base) : 0;
}

/* The parent directory of path into buf ("." for a bare name). */
static void parent_dir(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(buf, size, ".");
    } else if (slash == path) {
        snprintf(buf, size, "/");
    } else {
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
    }
}

static int same_identity(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

int lp_output_same(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    if (strcmp(a, b) == 0 || same_identity(a, b)) {
        return 1;
    }
    const char *base_a = strrchr(a, '/'), *base_b = strrchr(b, '/');
    base_a = base_a != NULL ? base_a + 1 : a;
    base_b = base_b != NULL ? base_b + 1 : b;
    if (strcmp(base_a, base_b) != 0) {
        return 0;
    }
    char dir_a[PATH_MAX], dir_b[PATH_MAX];
    parent_dir(a, dir_a, sizeof(dir_a));
    parent_dir(b, dir_b, sizeof(dir_b));
    return same_identity(dir_a, dir_b);
}
