/*
 * lp_compat: the few places where Linux, macOS and the BSDs differ, each
 * behind a feature check made by CMake (LP_HAVE_*, top-level CMakeLists.txt)
 * or by the platform's own macros, with a portable fallback. Internal to the
 * packager; nothing here changes behaviour, only how it is reached. What is
 * built but not tested off Linux: docs/guides/releasing.md, "Portability".
 */
#ifndef LP_COMPAT_H
#define LP_COMPAT_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* struct stat's nanosecond times: st_mtim (POSIX 2008: Linux, the BSDs) or
 * st_mtimespec (macOS). */
#if defined(__APPLE__)
#define LP_ST_MTIM(st) ((st)->st_mtimespec)
#define LP_ST_CTIM(st) ((st)->st_ctimespec)
#else
#define LP_ST_MTIM(st) ((st)->st_mtim)
#define LP_ST_CTIM(st) ((st)->st_ctim)
#endif

/* A read-ahead hint for a file of `size` bytes; a no-op where posix_fadvise
 * does not exist (macOS), and for files below LP_FADVISE_MIN, which the
 * kernel's default read-ahead already covers (one system call less per
 * small file). */
#define LP_FADVISE_MIN ((uint64_t)256 << 10)
#if defined(POSIX_FADV_SEQUENTIAL)
#define LP_FADVISE_SEQUENTIAL(fd, size)                                                            \
    ((void)((uint64_t)(size) >= LP_FADVISE_MIN && posix_fadvise((fd), 0, 0, POSIX_FADV_SEQUENTIAL)))
#else
#define LP_FADVISE_SEQUENTIAL(fd, size) ((void)(fd), (void)(size))
#endif

/* pipe(2) with both ends close-on-exec: pipe2 where it exists (Linux, the
 * BSDs), else pipe + fcntl (macOS; the window between them only matters to
 * a process that forks from another thread meanwhile, which posix_spawn
 * callers here don't). 0, or -1 with errno. */
static inline int lp_pipe_cloexec(int fds[2])
{
#if defined(LP_HAVE_PIPE2) && LP_HAVE_PIPE2
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) {
        return -1;
    }
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
#endif
}

#endif
