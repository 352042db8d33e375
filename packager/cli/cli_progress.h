/*
 * cli_progress: the progress line and the interrupt of a lambdapack build
 * (cli_progress.c).
 */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include <signal.h>

#include "lp_progress.h"

typedef struct cli_progress {
    int tty;
    int shown; /* a line was drawn: it needs its newline */
    int active;
    double t0, last;
    const char *output;
    struct sigaction old_int, old_term;
} cli_progress;

/* Seconds since the epoch, to the microsecond. */
double cli_progress_now(void);

/* Starts the clock and catches SIGINT and SIGTERM (once each). */
void cli_progress_start(cli_progress *p, const char *output);

/* Restores the signal handlers and ends a drawn line. Idempotent. */
void cli_progress_stop(cli_progress *p);

/* The packager's progress callback (payload: a started cli_progress):
 * draws the line, and returns 1 (cancel) after an interrupt. */
int cli_progress_cb(const lp_progress *p, void *payload);

/* The exit status of a build that an interrupt cancelled: 128 + the
 * signal, as a shell reports a process the signal killed (130 for SIGINT). */
int cli_progress_exit_status(void);

#endif
