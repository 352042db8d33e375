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
 * Two-part plugins. Loading gRPC and its dependencies costs several
 * milliseconds before main runs, which Terraform pays for every
 * `--version` and every start. A provider can split itself in two:
 *
 *   - the front binary (what Terraform runs) links libc and the SDK's
 *     tfp_launch library only; its main calls tfp_launch(opts, LIBRARY);
 *   - the serving library LIBRARY (a shared object shipped beside it)
 *     defines tfp_plugin_serve and tfp_plugin_release (below); its
 *     tfp_plugin_serve builds the tfp_provider_def and calls tfp_serve.
 *
 * tfp_launch answers --version and --help itself, refuses a start not made
 * by Terraform, and otherwise loads LIBRARY and hands it the process.
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

/* What a serving library exports (looked up by these names). */
#define TFP_PLUGIN_SERVE_SYMBOL "tfp_plugin_serve"
#define TFP_PLUGIN_RELEASE_SYMBOL "tfp_plugin_release"
#define TFP_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef int (*tfp_plugin_serve_fn)(const tfp_serve_options *opts);

/* Defined by a serving library: serves with opts (borrowed), returning
   what tfp_serve returns. */
TFP_PLUGIN_EXPORT int tfp_plugin_serve(const tfp_serve_options *opts);

/* Defined by a serving library: its release, which must equal the front
   binary's opts->release (a stale library beside a new binary is refused). */
TFP_PLUGIN_EXPORT extern const char tfp_plugin_release[];

/*
 * The front binary's main: handles the command line like tfp_serve (same
 * flags, same exit statuses, same usage), then loads `library` (a file
 * name, found through the binary's RUNPATH or the loader's library path)
 * and returns tfp_plugin_serve(opts). 1, with a message on stderr, when
 * the library cannot be loaded or is from another release.
 */
int tfp_launch(const tfp_serve_options *opts, const char *library);

#endif
