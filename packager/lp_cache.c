/*
 * lp_cache: content-addressed store of built ZIPs (see include/lp_cache.h).
 *
 * Files are named <key>.zip inside the cache directory. Builds go through
 * lp_zip_write, which writes a temporary file and renames it, so concurrent
 * writers of one key (two resources with identical sources) each leave a
 * complete, identical entry. This module never trusts an entry without
 * hashing it. It knows nothing of Terraform.
 */
#include "lp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lp_fs.h"

#define CACHE_MAX_AGE_SECONDS (24 * 60 * 60)

static int key_is_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > 128) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = key[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

static int entry_path(char *buf, size_t len, const char *dir, const char *key, lp_error *err)
{
    if (!key_is_valid(key)) {
        return lp_error_set(err, LP_EINVAL, 0, -1, NULL, key, "invalid cache key '%s'", key);
    }
    int n = snprintf(buf, len, "%s/%s.zip", dir, key);
    if (n < 0 || (size_t)n >= len) {
        return lp_error_set(err, LP_EINVAL, ENAMETOOLONG, -1, NULL, dir,
                            "cache directory path too long: '%s'", dir);
    }
    return 0;
}

int lp_cache_get(const char *dir, const char *key, lp_zip_info *info, lp_error *err)
{
    char path[PATH_MAX];
    int rc = entry_path(path, sizeof(path), dir, key, err);
    if (rc < 0) {
        return rc;
    }
    return lp_zip_hash_file(path, info, err);
}

/* Removes leftovers and entries past their age, then the oldest entries
 * beyond LP_CACHE_MAX_ENTRIES. Best effort: failures are ignored. */
static void prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct {
        char name[NAME_MAX + 1];
        time_t mtime;
    } entries[LP_CACHE_MAX_ENTRIES * 4];
    size_t n = 0;
    time_t now = time(NULL);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        struct stat st;
        if (de->d_name[0] == '.' || len < 5 || fstatat(dirfd(d), de->d_name, &st, 0) != 0 ||
            !S_ISREG(st.st_mode)) {
            continue;
        }
        int is_zip = strcmp(de->d_name + len - 4, ".zip") == 0;
        int stale = now - st.st_mtime > (is_zip ? CACHE_MAX_AGE_SECONDS : 3600);
        if (stale) {
            unlinkat(dirfd(d), de->d_name, 0);
        } else if (is_zip && n < sizeof(entries) / sizeof(entries[0])) {
            snprintf(entries[n].name, sizeof(entries[n].name), "%s", de->d_name);
            entries[n].mtime = st.st_mtime;
            n++;
        }
    }
    while (n > LP_CACHE_MAX_ENTRIES) {
        size_t oldest = 0;
        for (size_t i = 1; i < n; i++) {
            if (entries[i].mtime < entries[oldest].mtime) {
                oldest = i;
            }
        }
        unlinkat(dirfd(d), entries[oldest].name, 0);
        entries[oldest] = entries[n - 1];
        n--;
    }
    closedir(d);
}

int lp_cache_put(const char *dir, const char *key, const lp_manifest *m, int threads,
                 lp_zip_info *info, lp_error *err)
{
    char path[PATH_MAX];
    int rc = entry_path(path, sizeof(path), dir, key, err);
    if (rc < 0) {
        return rc;
    }
    if ((rc = lp_fs_mkdirs(dir, 1, err)) < 0) {
        return rc;
    }
    if (lp_zip_hash_file(path, info, NULL) == 0) {
        return 0;
    }
    prune(dir);
    return lp_zip_write(m, path, threads, info, err);
}

/* Copies src to a temporary file beside dst, then renames it over dst. */
static int copy_atomic(const char *src, const char *dst, lp_error *err)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX.tmp", dst);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        return lp_error_set(err, LP_EINVAL, ENAMETOOLONG, -1, "output_path", dst,
                            "path too long: '%s'", dst);
    }
    int rc = 0;
    int in = -1, out = -1;
    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = lp_error_set(err, LP_EIO, errno, -1, NULL, src, "cannot read '%s': %s", src,
                          strerror(errno));
        goto done;
    }
    out = mkstemps(tmp, 4);
    if (out < 0) {
        rc = lp_error_set(err, LP_EIO, errno, -1, "output_path", dst, "cannot write '%s': %s", dst,
                          strerror(errno));
        tmp[0] = '\0';
        goto done;
    }
    char buf[1 << 16];
    for (;;) {
        ssize_t got = read(in, buf, sizeof(buf));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            rc = lp_error_set(err, LP_EIO, errno, -1, NULL, src, "cannot read '%s': %s", src,
                              strerror(errno));
            goto done;
        }
        if (got == 0) {
            break;
        }
        for (ssize_t off = 0; off < got;) {
            ssize_t put = write(out, buf + off, (size_t)(got - off));
            if (put < 0 && errno == EINTR) {
                continue;
            }
            if (put < 0) {
                rc = lp_error_set(err, LP_EIO, errno, -1, "output_path", dst,
                                  "cannot write '%s': %s", dst, strerror(errno));
                goto done;
            }
            off += put;
        }
    }
    if (fchmod(out, 0644) != 0 || fsync(out) != 0) {
        rc = lp_error_set(err, LP_EIO, errno, -1, "output_path", dst, "cannot write '%s': %s", dst,
                          strerror(errno));
        goto done;
    }
    if (close(out) != 0) {
        out = -1;
        rc = lp_error_set(err, LP_EIO, errno, -1, "output_path", dst, "cannot write '%s': %s", dst,
                          strerror(errno));
        goto done;
    }
    out = -1;
    if (rename(tmp, dst) != 0) {
        rc = lp_error_set(err, LP_EIO, errno, -1, "output_path", dst, "cannot replace '%s': %s",
                          dst, strerror(errno));
        goto done;
    }
    tmp[0] = '\0';
done:
    if (in >= 0) {
        close(in);
    }
    if (out >= 0) {
        close(out);
    }
    if (tmp[0] != '\0' && rc < 0) {
        unlink(tmp);
    }
    return rc;
}

int lp_cache_install(const char *dir, const char *key, const char *output_path,
                     const char *expect_sha256, lp_zip_info *installed, lp_error *err)
{
    char path[PATH_MAX];
    lp_zip_info found;
    int rc = entry_path(path, sizeof(path), dir, key, err);
    if (rc < 0) {
        return rc;
    }
    if ((rc = lp_zip_hash_file(path, &found, err)) < 0) {
        return rc;
    }
    if (strcmp(found.sha256_hex, expect_sha256) != 0) {
        unlink(path);
        return lp_error_set(err, LP_ECHANGED, 0, -1, NULL, path,
                            "cached package '%s' does not have the expected hash", path);
    }
    if ((rc = lp_fs_mkdirs(output_path, 0, err)) < 0) {
        return rc;
    }
    if (rename(path, output_path) != 0) {
        if (errno != EXDEV) {
            return lp_error_set(err, LP_EIO, errno, -1, "output_path", output_path,
                                "cannot write '%s': %s", output_path, strerror(errno));
        }
        if ((rc = copy_atomic(path, output_path, err)) < 0) {
            return rc;
        }
        unlink(path);
    }
    if (installed != NULL) {
        *installed = found;
    }
    return 0;
}
