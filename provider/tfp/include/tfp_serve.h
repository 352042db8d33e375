/*
 * tfp_serve: run a provider as a Terraform plugin (protocol 6), the C
 * counterpart of terraform-plugin-go's tf6server.Serve.
 *
 * tfp_serve handles the command line (--version, --help, --debug), checks
 * that Terraform started the process (magic cookie), negotiates protocol 6,
 * makes the AutoMTLS identity, creates a private socket directory, starts
 * the gRPC server, prints the go-plugin handshake line and serves until
 * Terraform calls Shutdown, SIGTERM/SIGHUP arrives or the parent process
 * goes away; then it frees everything and removes the socket directory.
 *
 * --debug serves plaintext without Terraform and prints a
 * TF_REATTACH_PROVIDERS value for a developer to export in another shell.
 * SIGINT is ignored when Terraform runs the plugin (like Go plugins: on
 * Ctrl-C Terraform itself sends StopProvider, then Shutdown); in --debug
 * mode it stops the server.
 *
 * A provider's main is its tfp_provider_def, its options and one call.
 *
 * Two-part plugins. Loading gRPC, OpenSSL and their dependencies costs
 * milliseconds before main runs, which Terraform pays for every
 * `--version` and every start. A provider can split itself in two:
 *
 *   - the front binary (what Terraform runs) links libc and the SDK's
 *     tfp_launch library only; its main calls tfp_launch(opts, PROGRAM);
 *   - the serving program PROGRAM (an executable shipped beside it) is an
 *     ordinary plugin: its main builds the tfp_provider_def and calls
 *     tfp_serve with the same options.
 *
 * tfp_launch answers --version and --help itself, refuses a start not made
 * by Terraform, and otherwise replaces the process with PROGRAM (same pid,
 * same arguments). tfp_serve refuses to serve for a front of another
 * release (a stale program beside a new binary).
 */
#ifndef TFP_SERVE_H
#define TFP_SERVE_H

#include "tfp_provider.h"

#define TFP_SERVE_OPTIONS_VERSION 1

typedef struct tfp_serve_options {
    int version;                  /* TFP_SERVE_OPTIONS_VERSION */
    int argc;                     /* main's arguments */
    char **argv;                  /* borrowed */
    const char *name;             /* binary name in messages, e.g. "terraform-provider-x" */
    const char *release;          /* provider version printed by --version */
    const char *registry_address; /* e.g. "registry.terraform.io/ns/x" (--debug reattach) */
    /* Prints what the binary is and how to use it, on --help and when not
       started by Terraform. argv0 is argv[0]. Required. */
    void (*usage)(const char *argv0);
} tfp_serve_options;

#define TFP_SERVE_OPTIONS_INIT                                                                     \
    {                                                                                              \
        .version = TFP_SERVE_OPTIONS_VERSION                                                       \
    }

/*
 * Serves `def` (borrowed; must stay valid while serving). Returns the
 * process exit status: 0 after a normal stop, --version or --help; 1 on a
 * bad command line, a process not started by Terraform, or a start-up
 * failure (logged as JSON on stderr).
 */
int tfp_serve(const tfp_provider_def *def, const tfp_serve_options *opts);

/*
 * The front binary's main: handles the command line like tfp_serve (same
 * flags, same exit statuses, same usage), then runs `program` (a file
 * name, looked for in the binary's own directory, or in a release
 * package's libexec/: provider/tfp/tfp_launch.c) in place of this process.
 * Returns 1, with a message on stderr, when it cannot be found or run.
 */
int tfp_launch(const tfp_serve_options *opts, const char *program);

#endif
