/*
 * tfp_serve: the plugin's process life (see tfp_serve.h): command line,
 * go-plugin handshake, AutoMTLS identity, socket directory, gRPC server,
 * signals and the parent watch. It holds no protocol or resource logic.
 */
#include "tfp_serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tfp_handshake.h"
#include "tfp_launch.h"
#include "tfp_log.h"
#include "tfp_rpc.h"
#include "tfp_server.h"
#include "tfp_tls.h"

/* What one serving run owns; released by serve_release. */
typedef struct serve_state {
    const tfp_serve_options *opts;
    bool debug;
    int protocol;
    tfp_tls_identity *id;
    char *cert_b64;
    const char *client_cert;
    tfp_socket_dir sd;
    tfp_provider *provider;
    tfp_server *server;
    struct timespec t_start;
} serve_state;

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
    tfp_logf(level, "%s", message);
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

/* Protocol negotiation and, when Terraform sent its certificate, our identity. */
static int prepare_transport(serve_state *st)
{
    tfp_error err = TFP_ERROR_INIT;
    st->protocol = TFP_APP_PROTOCOL_VERSION;
    if (!st->debug &&
        tfp_handshake_negotiate(getenv("PLUGIN_PROTOCOL_VERSIONS"), &st->protocol, &err) != 0) {
        fprintf(stderr, "%s: %s\n", st->opts->name, err.message);
        tfp_logf(TFP_LEVEL_ERROR, "%s", err.message);
        return -1;
    }
    st->client_cert = st->debug ? NULL : getenv("PLUGIN_CLIENT_CERT");
    if (st->client_cert != NULL && *st->client_cert == '\0') {
        st->client_cert = NULL;
    }
    if (st->client_cert != NULL) {
        if (tfp_tls_identity_generate(&st->id, &err) != 0) {
            tfp_logf(TFP_LEVEL_ERROR, "%s", err.message);
            return -1;
        }
        st->cert_b64 = tfp_tls_base64_raw(st->id->cert_der, st->id->cert_der_len);
        if (st->cert_b64 == NULL) {
            tfp_logf(TFP_LEVEL_ERROR, "cannot encode the server certificate");
            return -1;
        }
    } else if (!st->debug) {
        tfp_logf(TFP_LEVEL_WARN, "PLUGIN_CLIENT_CERT not set: serving without TLS, as Terraform "
                                 "asked (TF_DISABLE_PLUGIN_TLS)");
    }
    /* go-plugin's own knob for where sockets go; Terraform leaves it unset
       (then $TMPDIR or /tmp). */
    if (tfp_socket_dir_create(&st->sd, getenv("PLUGIN_UNIX_SOCKET_DIR"), &err) != 0) {
        tfp_logf(TFP_LEVEL_ERROR, "%s", err.message);
        return -1;
    }
    return 0;
}

static int start_server(serve_state *st, const tfp_provider_def *def)
{
    tfp_error perr = TFP_ERROR_INIT;
    st->provider = tfp_provider_new(def, &perr);
    if (st->provider == NULL) {
        tfp_logf(TFP_LEVEL_ERROR, "cannot create the provider: %s", perr.message);
        fprintf(stderr, "%s: cannot create the provider: %s\n", st->opts->name, perr.message);
        return -1;
    }
    tfp_provider_set_logger(st->provider, log_bridge, NULL);
    g_parent = st->debug ? 0 : getppid();
    install_signals(st->debug);

    char address[300];
    snprintf(address, sizeof(address), "unix:%s", st->sd.path);
    tfp_server_options opts = TFP_SERVER_OPTIONS_INIT;
    opts.address = address;
    if (st->id != NULL) {
        opts.key_pem = st->id->key_pem;
        opts.cert_pem = st->id->cert_pem;
        opts.client_ca_pem = st->client_cert;
    }
    opts.handler = tfp_rpc_handle;
    opts.handler_user = st->provider;
    opts.stop_check = should_stop;
    tfp_error err = TFP_ERROR_INIT;
    if (tfp_server_start(&st->server, &opts, &err) != 0) {
        tfp_logf(TFP_LEVEL_ERROR, "%s", err.message);
        return -1;
    }
    /* The key is in gRPC's hands now; drop our copy early. */
    tfp_tls_identity_free(st->id);
    st->id = NULL;
    return 0;
}

/* Prints the handshake line (or, with --debug, the reattach instructions). */
static int announce(serve_state *st)
{
    tfp_error err = TFP_ERROR_INIT;
    char line[4096];
    if (tfp_handshake_format_line(line, sizeof(line), st->protocol, "unix", st->sd.path,
                                  st->cert_b64, &err) < 0) {
        tfp_logf(TFP_LEVEL_ERROR, "%s", err.message);
        return -1;
    }
    if (st->debug) {
        char reattach[1024];
        if (tfp_handshake_format_reattach(reattach, sizeof(reattach), st->opts->registry_address,
                                          (long)getpid(), st->sd.path, &err) < 0) {
            tfp_logf(TFP_LEVEL_ERROR, "%s", err.message);
            return -1;
        }
        printf("Provider started in debug mode (plaintext, no Terraform cookie needed).\n"
               "In another shell, run:\n\n  export TF_REATTACH_PROVIDERS='%s'\n\n"
               "then terraform plan/apply as usual. Stop with Ctrl-C.\n",
               reattach);
    } else {
        fputs(line, stdout);
    }
    if (fflush(stdout) != 0) {
        tfp_logf(TFP_LEVEL_ERROR, "cannot write the handshake line: %s", strerror(errno));
        return -1;
    }
    struct timespec t_ready;
    clock_gettime(CLOCK_MONOTONIC, &t_ready);
    char startup_us[32];
    snprintf(startup_us, sizeof(startup_us), "%ld",
             (long)(t_ready.tv_sec - st->t_start.tv_sec) * 1000000L +
                 (t_ready.tv_nsec - st->t_start.tv_nsec) / 1000L);
    tfp_log_kv(TFP_LEVEL_DEBUG, "plugin serving", "socket", st->sd.path, "tls",
               st->cert_b64 != NULL ? "true" : "false", "version", st->opts->release, "startup_us",
               startup_us, NULL);
    return 0;
}

static void serve_release(serve_state *st)
{
    tfp_server_free(st->server);
    tfp_provider_free(st->provider);
    tfp_tls_identity_free(st->id);
    free(st->cert_b64);
    tfp_socket_dir_remove(&st->sd);
}

int tfp_serve(const tfp_provider_def *def, const tfp_serve_options *opts)
{
    serve_state st;
    memset(&st, 0, sizeof(st));
    st.opts = opts;
    clock_gettime(CLOCK_MONOTONIC, &st.t_start);
    if (tfp_launch_check_front(opts) != 0) {
        return 1;
    }
    int rc = tfp_launch_parse_args(opts, &st.debug);
    if (rc >= 0) {
        return rc;
    }
    tfp_log_init_from_env();
    rc = 1;
    tfp_error err = TFP_ERROR_INIT;
    if (tfp_tls_process_init(&err) != 0) {
        fprintf(stderr, "%s: %s\n", opts->name, err.message);
        return rc;
    }
    if (prepare_transport(&st) == 0 && start_server(&st, def) == 0 && announce(&st) == 0) {
        tfp_server_run(st.server);
        if (g_stop_signal != 0) {
            tfp_logf(TFP_LEVEL_DEBUG, "stopped by signal %d", (int)g_stop_signal);
        } else if (!tfp_server_shutdown_by_client(st.server) && !st.debug) {
            tfp_logf(TFP_LEVEL_DEBUG, "parent process went away; stopping");
        }
        rc = 0;
    }
    serve_release(&st);
    return rc;
}
