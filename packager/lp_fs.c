/*
 * lp_fs: filesystem helpers shared by the ZIP writer, the output rules and
 * the cache. Creates directories; removes only stale temporary files of its
 * own naming pattern.
 */
#include "lp_fs.h"
#include "lp_compat.h"

#include <ctype.h>
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
        return lp_error_nomem_at(err, -1, "output_path", path);
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
        int older = LP_ST_MTIM(&st).tv_sec < run_start.tv_sec ||
                    (LP_ST_MTIM(&st).tv_sec == run_start.tv_sec &&
                     LP_ST_MTIM(&st).tv_nsec < run_start.tv_nsec);
        if (older && unlinkat(dirfd(d), de->d_name, 0) == 0) {
            removed++;
        }
    }
    closedir(d);
    return removed;
}

/* Levenshtein distance of a and b (case-insensitive), capped at cap + 1. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 255 || lb > 255) {
        return cap + 1;
    }
    size_t prev[256], cur[256];
    for (size_t j = 0; j <= lb; j++) {
        prev[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v) {
                v = prev[j] + 1;
            }
            if (cur[j - 1] + 1 < v) {
                v = cur[j - 1] + 1;
            }
            cur[j] = v;
            best = v < best ? v : best;
        }
        if (best > cap) {
            return cap + 1;
        }
        memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
    }
    return prev[lb];
}

/* The entry of dir closest to name within the cap, into out (which must
 * not alias name); 0 when none. */
static int closest_entry(const char *dir, const char *name, char *out, size_t size)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    size_t len = strlen(name);
    size_t cap = len / 3 > 0 ? len / 3 : 1;
    size_t best = cap + 1;
    struct dirent *e;
    out[0] = '\0';
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        size_t dist = edit_distance(name, e->d_name, cap);
        if (dist < best || (dist == best && dist <= cap && strcmp(e->d_name, out) < 0)) {
            best = dist;
            snprintf(out, size, "%s", e->d_name);
        }
    }
    closedir(d);
    return best <= cap;
}

int lp_fs_nearest_path(const char *path, const char *base_dir, char *buf, size_t size)
{
    char fs[PATH_MAX], shown[PATH_MAX], part[NAME_MAX + 1];
    int changed = 0;
    if (path == NULL || path[0] == '\0') {
        return 0;
    }
    int absolute = path[0] == '/';
    int nf = snprintf(fs, sizeof(fs), "%s", absolute || base_dir == NULL ? "" : base_dir);
    if (nf < 0 || (size_t)nf >= sizeof(fs)) {
        return 0;
    }
    shown[0] = '\0';
    const char *p = path;
    if (absolute) {
        snprintf(fs, sizeof(fs), "/");
        snprintf(shown, sizeof(shown), "/");
    }
    while (*p != '\0') {
        while (*p == '/') {
            p++;
        }
        size_t n = strcspn(p, "/");
        if (n == 0 || n > NAME_MAX) {
            break;
        }
        memcpy(part, p, n);
        part[n] = '\0';
        p += n;
        size_t lf = strlen(fs), ls = strlen(shown);
        const char *sep_f = lf > 0 && fs[lf - 1] != '/' ? "/" : "";
        const char *sep_s = ls > 0 && shown[ls - 1] != '/' ? "/" : "";
        char cand[PATH_MAX];
        struct stat st;
        int w = snprintf(cand, sizeof(cand), "%s%s%s", fs, sep_f, part);
        if (w < 0 || (size_t)w >= sizeof(cand)) {
            return 0;
        }
        if (strcmp(part, ".") != 0 && strcmp(part, "..") != 0 && lstat(cand, &st) != 0) {
            char near[NAME_MAX + 1];
            if (!closest_entry(lf > 0 ? fs : ".", part, near, sizeof(near))) {
                return 0;
            }
            memcpy(part, near, strlen(near) + 1);
            changed = 1;
        }
        if (snprintf(cand, sizeof(cand), "%s%s%s", fs, sep_f, part) >= (int)sizeof(cand)) {
            return 0;
        }
        memcpy(fs, cand, strlen(cand) + 1);
        if (snprintf(cand, sizeof(cand), "%s%s%s", shown, sep_s, part) >= (int)sizeof(cand)) {
            return 0;
        }
        memcpy(shown, cand, strlen(cand) + 1);
    }
    struct stat st;
    if (!changed || stat(fs, &st) != 0) {
        return 0;
    }
    int w = snprintf(buf, size, "%s", shown);
    return w >= 0 && (size_t)w < size;
}

int lp_fs_open_source(const char *path)
{
    return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

ssize_t lp_fs_read(int fd, void *buf, size_t len)
{
    ssize_t r;
    do {
        r = read(fd, buf, len);
    } while (r < 0 && errno == EINTR);
    return r;
}

int lp_fs_write_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            if (w == 0) {
                errno = EIO;
            }
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int lp_fs_sync(const char *path, int is_dir)
{
    int fd = open(path, (is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

/* fsyncs the directory holding path, so a rename into it is durable. It
 * runs after the rename, when nothing may fail any more: no allocation. */
static void sync_parent(const char *path)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
        return; /* longer than any path rename accepted */
    }
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        (void)lp_fs_sync(".", 1);
    } else {
        *(slash == dir ? slash + 1 : slash) = '\0';
        (void)lp_fs_sync(dir, 1);
    }
}

/* Copies src to a temporary file beside dst (fsynced), then renames it over
 * dst. */
static int copy_replace(const char *src, const char *dst, lp_error *err)
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
        ssize_t got = lp_fs_read(in, buf, sizeof(buf));
        if (got < 0) {
            rc = lp_error_set(err, LP_EIO, errno, -1, NULL, src, "cannot read '%s': %s", src,
                              strerror(errno));
            goto done;
        }
        if (got == 0) {
            break;
        }
        if (lp_fs_write_all(out, buf, (size_t)got) < 0) {
            rc = lp_error_set(err, LP_EIO, errno, -1, "output_path", dst, "cannot write '%s': %s",
                              dst, strerror(errno));
            goto done;
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

int lp_fs_replace(const char *from, const char *to, lp_error *err)
{
    if (rename(from, to) != 0) {
        if (errno != EXDEV) {
            return lp_error_set(err, LP_EIO, errno, -1, "output_path", to, "cannot write '%s': %s",
                                to, strerror(errno));
        }
        int rc = copy_replace(from, to, err);
        if (rc < 0) {
            return rc;
        }
        unlink(from);
    }
    sync_parent(to);
    return 0;
}

void lp_fs_drop_oldest(lp_fs_aged *entries, size_t n, size_t keep,
                       void (*drop)(void *payload, const char *name), void *payload)
{
    while (n > keep) {
        size_t oldest = 0;
        for (size_t i = 1; i < n; i++) {
            if (entries[i].mtime < entries[oldest].mtime) {
                oldest = i;
            }
        }
        drop(payload, entries[oldest].name);
        entries[oldest] = entries[n - 1];
        n--;
    }
}
