/*
 * lp_proc: bounded runs of external tools (see lp_proc.h).
 *
 * Nothing here interprets the tool's output; callers do. The child never
 * inherits our descriptors other than the two pipes (posix_spawn file
 * actions close the read ends; everything else we open is O_CLOEXEC).
 */
#include "lp_proc.h"
#include "lp_compat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int lp_proc_which(const char *name, char *out, size_t out_len)
{
    if (strchr(name, '/') != NULL) {
        if (!is_executable(name) || (size_t)snprintf(out, out_len, "%s", name) >= out_len) {
            return LP_ENOENT;
        }
        return 0;
    }
    const char *path = getenv("PATH");
    if (path == NULL) {
        path = "/usr/local/bin:/usr/bin:/bin";
    }
    const char *p = path;
    while (*p != '\0') {
        const char *colon = strchr(p, ':');
        size_t n = colon != NULL ? (size_t)(colon - p) : strlen(p);
        int w = n == 0 ? snprintf(out, out_len, "./%s", name)
                       : snprintf(out, out_len, "%.*s/%s", (int)n, p, name);
        if (w > 0 && (size_t)w < out_len && is_executable(out)) {
            return 0;
        }
        p += n;
        if (*p == ':') {
            p++;
        }
    }
    return LP_ENOENT;
}

/* Appends n bytes to a tail buffer keeping only its last cap-1 bytes. */
static void tail_append(char *tail, size_t *len, size_t cap, const char *buf, size_t n)
{
    if (n >= cap - 1) {
        memcpy(tail, buf + n - (cap - 1), cap - 1);
        *len = cap - 1;
    } else {
        if (*len + n > cap - 1) {
            size_t drop = *len + n - (cap - 1);
            memmove(tail, tail + drop, *len - drop);
            *len -= drop;
        }
        memcpy(tail + *len, buf, n);
        *len += n;
    }
    tail[*len] = '\0';
}

static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

/* Asks stop, at most every LP_PROC_POLL_MS; 1 when it says stop. */
static int stop_asked(lp_progress_cb stop, void *payload, double *next)
{
    if (stop == NULL || now_seconds() < *next) {
        return 0;
    }
    *next = now_seconds() + LP_PROC_POLL_MS / 1000.0;
    lp_progress p;
    memset(&p, 0, sizeof(p));
    p.phase = LP_PROGRESS_DEPS;
    return stop(&p, payload) != 0;
}

/* Reads both pipes until they close, the deadline passes or stop says so. */
static void pump(lp_proc_result *res, int fds[2], pid_t pid, double deadline, lp_progress_cb stop,
                 void *stop_payload)
{
    double next_ask = 0;
    size_t lens[2] = {0, 0};
    char *tails[2] = {res->out_tail, res->err_tail};
    char buf[8192];
    while (fds[0] >= 0 || fds[1] >= 0) {
        double left = deadline - now_seconds();
        if (left <= 0) {
            res->timed_out = 1;
            kill_group(pid);
            break;
        }
        if (stop_asked(stop, stop_payload, &next_ask)) {
            res->cancelled = 1;
            kill_group(pid);
            break;
        }
        struct pollfd pfd[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        int ms = left > 1.0 ? 1000 : (int)(left * 1000) + 1;
        if (stop != NULL && ms > LP_PROC_POLL_MS) {
            ms = LP_PROC_POLL_MS;
        }
        int r = poll(pfd, 2, ms);
        if (r < 0 && errno != EINTR) {
            kill_group(pid);
            break;
        }
        for (int i = 0; r > 0 && i < 2; i++) {
            if (fds[i] < 0 || (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            ssize_t got = read(fds[i], buf, sizeof(buf));
            if (got > 0) {
                tail_append(tails[i], &lens[i], LP_PROC_TAIL, buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(fds[i]);
                fds[i] = -1;
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
}

/* Waits for the child, still bounded by the deadline (a child that closed
 * its pipes but keeps running is killed too). */
static void reap(lp_proc_result *res, pid_t pid, double deadline)
{
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            break;
        }
        if (w < 0 && errno != EINTR) {
            return;
        }
        if (now_seconds() > deadline && !res->timed_out) {
            res->timed_out = 1;
            kill_group(pid);
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (WIFEXITED(status)) {
        res->exit_code = WEXITSTATUS(status);
    } else {
        res->exit_code = -1;
        res->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    }
}

#if !(defined(LP_HAVE_SPAWN_ADDCHDIR_NP) && LP_HAVE_SPAWN_ADDCHDIR_NP)
/* Without posix_spawn_file_actions_addchdir_np (older macOS and BSDs), the
 * child is /bin/sh, which changes to cwd and then execs argv unchanged.
 * Caller frees the array (not the strings). */
static char **argv_in_dir(char *const argv[], const char *cwd)
{
    size_t n = 0;
    while (argv[n] != NULL) {
        n++;
    }
    char **v = calloc(n + 5, sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    v[0] = "/bin/sh";
    v[1] = "-c";
    v[2] = "cd -- \"$0\" && exec \"$@\"";
    v[3] = (char *)cwd;
    memcpy(v + 4, argv, n * sizeof(*v));
    return v;
}
#endif

int lp_proc_run(lp_proc_result *res, char *const argv[], char *const envp[], const char *cwd,
                int timeout_seconds, lp_progress_cb stop, void *stop_payload, lp_error *err)
{
    memset(res, 0, sizeof(*res));
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = LP_EIO, e = 0;
    if (lp_pipe_cloexec(out_pipe) != 0 || lp_pipe_cloexec(err_pipe) != 0) {
        e = errno;
        goto fail_pipes;
    }
    if ((e = posix_spawn_file_actions_init(&fa)) != 0) {
        goto fail_pipes;
    }
    if ((e = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        goto fail_pipes;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                        POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    char *const *spawn_argv = argv;
    char **shell_argv = NULL;
    if (cwd != NULL) {
#if defined(LP_HAVE_SPAWN_ADDCHDIR_NP) && LP_HAVE_SPAWN_ADDCHDIR_NP
        posix_spawn_file_actions_addchdir_np(&fa, cwd);
#else
        if ((shell_argv = argv_in_dir(argv, cwd)) == NULL) {
            posix_spawn_file_actions_destroy(&fa);
            posix_spawnattr_destroy(&attr);
            e = ENOMEM;
            rc = LP_ENOMEM;
            goto fail_pipes;
        }
        spawn_argv = shell_argv;
#endif
    }
    double start = now_seconds();
    pid_t pid;
    e = posix_spawn(&pid, spawn_argv[0], &fa, &attr, spawn_argv, envp);
    free(shell_argv);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (e != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return lp_error_set(err, LP_EIO, e, -1, NULL, argv[0], "cannot run '%s': %s", argv[0],
                            strerror(e));
    }
    double deadline = start + (timeout_seconds > 0 ? timeout_seconds : 600);
    int fds[2] = {out_pipe[0], err_pipe[0]};
    pump(res, fds, pid, deadline, stop, stop_payload);
    reap(res, pid, deadline + 5);
    res->seconds = now_seconds() - start;
    return 0;

fail_pipes:
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0) {
            close(out_pipe[i]);
        }
        if (err_pipe[i] >= 0) {
            close(err_pipe[i]);
        }
    }
    return lp_error_set(err, rc, e, -1, NULL, argv[0], "cannot run '%s': %s", argv[0], strerror(e));
}

const char *lp_proc_last_lines(const char *tail, int lines)
{
    size_t n = strlen(tail);
    while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == ' ')) {
        n--;
    }
    const char *p = tail + n;
    int seen = 0;
    while (p > tail) {
        if (p[-1] == '\n' && ++seen == lines) {
            break;
        }
        p--;
    }
    return p;
}
