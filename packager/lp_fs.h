/*
 * lp_fs: small filesystem helpers shared by the ZIP writer, the output rules
 * and the cache (internal). Errors name the path and point at the spec's
 * output_path.
 */
#ifndef LP_FS_H
#define LP_FS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "lp_error.h"

/* mkdir -p for every directory above path, and for path itself when
 * include_last. Existing directories are fine. Returns 0, LP_EIO or
 * LP_ENOMEM. */
int lp_fs_mkdirs(const char *path, int include_last, lp_error *err);

/*
 * The one atomic-replace path of the packager (writer and cache): moves
 * `from` (a complete, fsynced file) over `to` with rename(2), or, across
 * filesystems, copies it to a temporary file beside `to`, fsyncs and renames
 * that, then removes `from`. Either way the directory of `to` is fsynced so
 * the replace survives a crash. Readers see the old file or the new one,
 * never a partial one. Returns 0 or LP_EIO (err names `to`).
 */
int lp_fs_replace(const char *from, const char *to, lp_error *err);

/* fsyncs a file (is_dir 0) or directory by path; 0 or -errno. */
int lp_fs_sync(const char *path, int is_dir);

/* Opens a source file to read: open(2) read-only, close-on-exec, never as a
 * controlling terminal, and without waiting when what is at path is no
 * longer a regular file (a FIFO swapped in after the selection's stat would
 * otherwise block until a writer came). Returns the fd, or -1 (errno). */
int lp_fs_open_source(const char *path);

/* read(2), retried when a signal interrupts it: what read returns
 * otherwise (bytes read, 0 at the end, -1 with errno set). */
ssize_t lp_fs_read(int fd, void *buf, size_t len);

/* Writes all len bytes, retrying interrupted and short writes: 0, or -1
 * with errno set (EIO when write(2) wrote nothing and reported no error). */
int lp_fs_write_all(int fd, const void *buf, size_t len);

/* True when name is a temporary file this packager makes for the file
 * base: base.XXXXXX.tmp, or base.XXXXXX.tmp.XXXXXX, which libzip made under
 * earlier releases (X alphanumeric: mkstemp's random part). base NULL: any
 * base ending in ".zip". */
int lp_fs_is_temp_name(const char *name, const char *base);

/* Removes the regular files in dir whose name lp_fs_is_temp_name(name, base)
 * accepts and whose mtime is before this process started. Best effort;
 * returns how many were removed. */
int lp_fs_remove_stale_temps(const char *dir, const char *base);

/* For a path that does not exist: the nearest one that does, as the user
 * would write it. Walks path's components from the left (resolved against
 * base_dir unless absolute; NULL = cwd); a component that is missing is
 * replaced by the entry of its directory with the smallest edit distance
 * (at most a third of its length, at least 1; ties: the first by name).
 * Writes the suggestion into buf and returns 1, or returns 0 when nothing
 * close exists. Reads directories only. */
int lp_fs_nearest_path(const char *path, const char *base_dir, char *buf, size_t size);

/* A cache entry's name and last use, for lp_fs_drop_oldest. */
typedef struct lp_fs_aged {
    char name[NAME_MAX + 1];
    time_t mtime;
} lp_fs_aged;

/* Calls drop(payload, name) on the least recently used of entries[0..n)
 * until at most keep remain (the pruning rule the caches share). Reorders
 * entries; drop's failures are the caller's to ignore. */
void lp_fs_drop_oldest(lp_fs_aged *entries, size_t n, size_t keep,
                       void (*drop)(void *payload, const char *name), void *payload);

#endif
