/*
 * tfp_launch (private part): the command-line and environment gate that
 * both halves of a two-part plugin run (tfp_launch in the front binary,
 * tfp_serve in the serving program). It uses only libc, so that the front
 * binary answers --version and --help without loading gRPC or OpenSSL.
 */
#ifndef TFP_LAUNCH_H
#define TFP_LAUNCH_H

#include <stdbool.h>

#include "tfp_serve.h"

/*
 * Reads opts->argv: prints the version or the usage when asked, and checks
 * that Terraform started us (magic cookie) unless --debug was given.
 * Returns -1 to go on serving (*debug set), else the exit status to end
 * with (0 after --version or --help, 1 on a bad command line).
 */
int tfp_launch_parse_args(const tfp_serve_options *opts, bool *debug);

/* The variable through which the front binary hands its release to the
   serving program it runs. */
#define TFP_LAUNCH_RELEASE_ENV "TFP_LAUNCH_RELEASE"

/*
 * The serving program's check of the front that started it: 0 when none
 * did (TFP_LAUNCH_RELEASE_ENV unset) or when the front's release equals
 * opts->release; -1, with a message on stderr, when a front of another
 * release started it. Removes the variable either way.
 */
int tfp_launch_check_front(const tfp_serve_options *opts);

#endif
