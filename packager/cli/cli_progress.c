/*
 * cli_progress: the progress line of a lambdapack build and its interrupt.
 * A line on stderr for builds that take over a second, only when stderr is
 * a terminal, drawn by the packager's progress callback (which the packager
 * never runs on two threads at once) at most every PROGRESS_REDRAW seconds.
 * The same callback cancels the build after SIGINT or SIGTERM, and the
 * packager removes what it had started to write.
 *
 * Owns the signal handlers between cli_progress_start and
 * cli_progress_stop. Part of the CLI, not of the library.
 */
#include "cli_progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

double cli_progress_now(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* The signal (SIGINT, SIGTERM) that arrived while a build ran, else 0; the
 * progress callback then cancels the build, and the packager removes what
 * it had started to write. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    interrupted = sig;
}

/* A progress line on stderr for builds that take over a second, only when
 * stderr is a terminal, drawn by the packager's progress callback (which
 * the packager never runs on two threads at once) at most every
 * PROGRESS_REDRAW seconds. The same callback cancels the build after an
 * interrupt. */
#define PROGRESS_REDRAW 0.25

static const char *phase_name(lp_progress_phase phase)
{
    switch (phase) {
    case LP_PROGRESS_SELECT:
        return "selecting sources for";
    case LP_PROGRESS_HASH:
        return "hashing sources for";
    case LP_PROGRESS_WRITE:
        return "writing";
    case LP_PROGRESS_VERIFY:
        return "reading";
    case LP_PROGRESS_DEPS:
        return "installing dependencies for";
    }
    return "building";
}

int cli_progress_cb(const lp_progress *p, void *payload)
{
    cli_progress *pr = payload;
    if (interrupted) {
        return 1;
    }
    double t = cli_progress_now();
    if (!pr->tty || p->phase == LP_PROGRESS_DEPS || t - pr->t0 < 1.0 ||
        t - pr->last < PROGRESS_REDRAW) {
        return 0; /* installs print their own lines */
    }
    pr->last = t;
    if (p->files_total > 0) {
        fprintf(stderr, "\rlambdapack: %s %s... %zu/%zu files, %.1f/%.1f MB %.0fs\033[K",
                phase_name(p->phase), pr->output, p->files_done, p->files_total,
                (double)p->bytes_done / 1e6, (double)p->bytes_total / 1e6, t - pr->t0);
    } else {
        fprintf(stderr, "\rlambdapack: %s %s... %zu files %.0fs\033[K", phase_name(p->phase),
                pr->output, p->files_done, t - pr->t0);
    }
    pr->shown = 1;
    return 0;
}

/* Catches sig once (a second one ends the process as usual), unless it was
 * ignored when we started (nohup, a background job of a script). */
static void catch_once(int sig, struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_interrupt;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, old) == 0 && old->sa_handler == SIG_IGN) {
        sigaction(sig, old, NULL);
    }
}

/* Starts the clock and catches SIGINT and SIGTERM (once per command: a
 * started p stays as it is). */
void cli_progress_start(cli_progress *p, const char *output)
{
    if (p->active) {
        return;
    }
    memset(p, 0, sizeof(*p));
    p->output = output;
    p->tty = isatty(STDERR_FILENO);
    p->t0 = cli_progress_now();
    interrupted = 0;
    catch_once(SIGINT, &p->old_int);
    catch_once(SIGTERM, &p->old_term);
    p->active = 1;
}

void cli_progress_stop(cli_progress *p)
{
    if (!p->active) {
        return;
    }
    sigaction(SIGINT, &p->old_int, NULL);
    sigaction(SIGTERM, &p->old_term, NULL);
    if (p->shown) {
        fputc('\n', stderr);
    }
    p->active = 0;
}

/* The exit status of a build that an interrupt cancelled: 128 + the
 * signal, as a shell reports a process the signal killed (130 for SIGINT). */
int cli_progress_exit_status(void)
{
    return 128 + (interrupted != 0 ? (int)interrupted : SIGINT);
}
