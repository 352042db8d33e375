/*
 * main: terraform-provider-lambda's entry point. It checks that Terraform
 * started it (magic cookie), negotiates protocol 6, makes the AutoMTLS
 * identity, creates a private socket directory, starts the gRPC server,
 * prints the go-plugin handshake line and serves until Terraform calls
 * Shutdown, SIGTERM arrives or the parent process goes away; then it frees
 * everything and removes the socket directory. It holds no protocol or
 * resource logic of its own.
 *
 * --debug serves plaintext without Terraform and prints a
 * TF_REATTACH_PROVIDERS value for a developer to export in another shell.
 * SIGINT is ignored when Terraform runs us (like Go plugins: on Ctrl-C
 * Terraform itself sends StopProvider, then Shutdown); in --debug mode it stops
 * the server.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "resources.h"
#include "tfp_handshake.h"
#include "tfp_log.h"
#include "tfp_provider.h"
#include "tfp_rpc.h"
#include "tfp_server.h"
#include "tfp_tls.h"

#ifndef TFP_VERSION
#define TFP_VERSION "0.0.0"
#endif

static volatile sig_atomic_t g_stop_signal = 0;
static pid_t g_parent = 0;

static void on_stop_signal(int sig)
{
    g_stop_signal = sig;
}

static bool should_stop(void *user)
{
    (void)user;
    if (g_stop_signal != 0) {
        return true;
    }
    /* Reparented: Terraform died without calling Shutdown. */
    return g_parent != 0 && getppid() != g_parent;
}

static void log_bridge(void *user, tfp_level level, const char *message)
{
    (void)user;
    tfp_logf((tfp_log_level)level, "%s", message);
}

static void usage_not_plugin(const char *argv0)
{
    fprintf(stderr,
            "This binary is a plugin for Terraform: the provider lambdapack/lambda\n"
            "(registry.terraform.io/lambdapack/lambda, version %s). It is not meant to be\n"
            "run directly; Terraform starts it.\n"
            "\n"
            "To use it, declare it in your configuration\n"
            "\n"
            "  terraform {\n"
            "    required_providers {\n"
            "      lambda = { source = \"lambdapack/lambda\" }\n"
            "    }\n"
            "  }\n"
            "\n"
            "and let Terraform find this binary, either through a CLI configuration file\n"
            "(TF_CLI_CONFIG_FILE) with a filesystem_mirror that holds it as\n"
            "  <dir>/registry.terraform.io/lambdapack/lambda/%s/linux_amd64/"
            "terraform-provider-lambda_v%s\n"
            "followed by `terraform init`, or with dev_overrides pointing at the directory\n"
            "that contains %s. See README.md for both set-ups.\n"
            "\n"
            "Options: --version, --help, --debug (serve for TF_REATTACH_PROVIDERS, for\n"
            "developers).\n",
            TFP_VERSION, TFP_VERSION, TFP_VERSION, argv0);
}

static int build_provider(tfp_provider **out)
{
    static const tfp_resource_type *resources[1];
    size_t n = 0;
#ifdef HAVE_RESOURCE_PACKAGE
    resources[n++] = resource_package_type();
#endif
    static tfp_provider_def def;
    memset(&def, 0, sizeof(def));
    def.resources = resources;
    def.n_resources = n;
    tfp_error err = TFP_ERROR_INIT;
    *out = tfp_provider_new(&def, &err);
    if (*out == NULL) {
        tfp_logf(TFP_LOG_ERROR, "cannot create the provider: %s", err.message);
        fprintf(stderr, "terraform-provider-lambda: cannot create the provider: %s\n", err.message);
        return -1;
    }
    tfp_provider_set_logger(*out, log_bridge, NULL);
    return 0;
}

static void install_signals(bool debug)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (debug) {
        sigaction(SIGINT, &sa, NULL);
    } else {
        signal(SIGINT, SIG_IGN);
    }
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    bool debug = false;
    int rc = 1;
    tfp_err err = {0, ""};
    tfp_tls_identity *id = NULL;
    tfp_provider *provider = NULL;
    tfp_server *server = NULL;
    char *cert_b64 = NULL;
    tfp_socket_dir sd;
    memset(&sd, 0, sizeof(sd));
    struct timespec t_start;
    clock_gettime(CLOCK_MONOTONIC, &t_start);

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-version") == 0) {
            printf("terraform-provider-lambda %s (plugin protocol %d)\n", TFP_VERSION,
                   TFP_APP_PROTOCOL_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage_not_plugin(argv[0]);
            return 0;
        }
        if (strcmp(argv[i], "--debug") == 0) {
            debug = true;
        } else {
            usage_not_plugin(argv[0]);
            return 1;
        }
    }
    if (!debug && !tfp_handshake_cookie_ok(getenv(TFP_MAGIC_COOKIE_KEY))) {
        usage_not_plugin(argv[0]);
        return 1;
    }
    tfp_log_init_from_env();

    int version = TFP_APP_PROTOCOL_VERSION;
    if (!debug &&
        tfp_handshake_negotiate(getenv("PLUGIN_PROTOCOL_VERSIONS"), &version, &err) != 0) {
        fprintf(stderr, "terraform-provider-lambda: %s\n", err.message);
        tfp_logf(TFP_LOG_ERROR, "%s", err.message);
        return 1;
    }
    const char *client_cert = debug ? NULL : getenv("PLUGIN_CLIENT_CERT");
    if (client_cert != NULL && *client_cert == '\0') {
        client_cert = NULL;
    }
    if (client_cert != NULL) {
        if (tfp_tls_identity_generate(&id, &err) != 0) {
            tfp_logf(TFP_LOG_ERROR, "%s", err.message);
            goto done;
        }
        cert_b64 = tfp_tls_base64_raw(id->cert_der, id->cert_der_len);
        if (cert_b64 == NULL) {
            tfp_logf(TFP_LOG_ERROR, "cannot encode the server certificate");
            goto done;
        }
    } else if (!debug) {
        tfp_logf(TFP_LOG_WARN, "PLUGIN_CLIENT_CERT not set: serving without TLS, as Terraform "
                               "asked (TF_DISABLE_PLUGIN_TLS)");
    }
    /* go-plugin's own knob for where sockets go; Terraform leaves it unset
       (then $TMPDIR or /tmp). */
    if (tfp_socket_dir_create(&sd, getenv("PLUGIN_UNIX_SOCKET_DIR"), &err) != 0) {
        tfp_logf(TFP_LOG_ERROR, "%s", err.message);
        goto done;
    }
    if (build_provider(&provider) != 0) {
        goto done;
    }
    g_parent = debug ? 0 : getppid();
    install_signals(debug);

    char address[300];
    snprintf(address, sizeof(address), "unix:%s", sd.path);
    tfp_server_options opts = TFP_SERVER_OPTIONS_INIT;
    opts.address = address;
    if (id != NULL) {
        opts.key_pem = id->key_pem;
        opts.cert_pem = id->cert_pem;
        opts.client_ca_pem = client_cert;
    }
    opts.handler = tfp_rpc_handle;
    opts.handler_user = provider;
    opts.stop_check = should_stop;
    if (tfp_server_start(&server, &opts, &err) != 0) {
        tfp_logf(TFP_LOG_ERROR, "%s", err.message);
        goto done;
    }
    /* The key is in gRPC's hands now; drop our copy early. */
    tfp_tls_identity_free(id);
    id = NULL;

    char line[4096];
    if (tfp_handshake_format_line(line, sizeof(line), version, "unix", sd.path, cert_b64, &err) <
        0) {
        tfp_logf(TFP_LOG_ERROR, "%s", err.message);
        goto done;
    }
    if (debug) {
        char reattach[1024];
        if (tfp_handshake_format_reattach(reattach, sizeof(reattach), TFP_PROVIDER_ADDRESS,
                                          (long)getpid(), sd.path, &err) < 0) {
            tfp_logf(TFP_LOG_ERROR, "%s", err.message);
            goto done;
        }
        printf("Provider started in debug mode (plaintext, no Terraform cookie needed).\n"
               "In another shell, run:\n\n  export TF_REATTACH_PROVIDERS='%s'\n\n"
               "then terraform plan/apply as usual. Stop with Ctrl-C.\n",
               reattach);
    } else {
        fputs(line, stdout);
    }
    if (fflush(stdout) != 0) {
        tfp_logf(TFP_LOG_ERROR, "cannot write the handshake line: %s", strerror(errno));
        goto done;
    }
    struct timespec t_ready;
    clock_gettime(CLOCK_MONOTONIC, &t_ready);
    char startup_us[32];
    snprintf(startup_us, sizeof(startup_us), "%ld",
             (long)(t_ready.tv_sec - t_start.tv_sec) * 1000000L +
                 (t_ready.tv_nsec - t_start.tv_nsec) / 1000L);
    tfp_log_kv(TFP_LOG_DEBUG, "plugin serving", "socket", sd.path, "tls",
               cert_b64 != NULL ? "true" : "false", "version", TFP_VERSION, "startup_us",
               startup_us, NULL);

    tfp_server_run(server);
    if (g_stop_signal != 0) {
        tfp_logf(TFP_LOG_DEBUG, "stopped by signal %d", (int)g_stop_signal);
    } else if (!tfp_server_shutdown_by_client(server) && !debug) {
        tfp_logf(TFP_LOG_DEBUG, "parent process went away; stopping");
    }
    rc = 0;
done:
    tfp_server_free(server);
    tfp_provider_free(provider);
    tfp_tls_identity_free(id);
    free(cert_b64);
    tfp_socket_dir_remove(&sd);
    return rc;
}
