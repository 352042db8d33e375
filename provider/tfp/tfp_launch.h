/*
 * tfp_launch (private part): the command-line and environment gate that
 * both halves of a two-part plugin run (tfp_launch in the front binary,
 * tfp_serve in the serving library). It uses only libc, so that the front
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

#endif
