/*
 * tfp_server: a small gRPC server on gRPC C core's completion-queue API.
 *
 * One loop thread owns the completion queue: it accepts calls with
 * grpc_server_request_call (keeping TFP_SERVER_PENDING_REQUESTS requests
 * outstanding), dispatches on the method path, answers the go-plugin side
 * services itself and hands /tfplugin6.Provider calls to a fixed pool of
 * worker threads. A worker runs the handler and starts the final batch
 * (initial metadata, message, status, close) itself; the loop thread frees
 * the call when that batch completes. Every call context is freed on the loop
 * thread only, so the live-call counter needs no lock.
 *
 * This module knows no Terraform semantics: it moves bytes between gRPC and
 * the handler. It must not block the loop thread on handler work (except for
 * StopProvider, which must not queue behind a long apply and is quick).
 */
#include "tfp_server.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

#include "health.pb-c.h"
#include "plugin.pb-c.h"

#define TFP_SERVER_PENDING_REQUESTS 16
#define TFP_SERVER_DEFAULT_MAX_MESSAGE ((size_t)64 * 1024 * 1024)
#define TFP_SERVER_DEFAULT_WORKERS 10 /* Terraform runs at most 10 operations at once */
#define TFP_SERVER_MAX_WORKERS 64
#define TFP_SERVER_CANCEL_AFTER_MS 1000
#define TFP_METHOD_MAX 160

#define PROVIDER_PREFIX "/tfplugin6.Provider/"

typedef enum tag_kind {
    TAG_REQUEST,  /* a requested call arrived (or the request was dropped) */
    TAG_RECV,     /* the request message of a unary call was read */
    TAG_FINISH,   /* the final batch of a call completed */
    TAG_HOLD,     /* a held stream closed (client went away or status sent) */
    TAG_STATUS,   /* the closing status of a held stream was sent */
    TAG_SHUTDOWN, /* grpc_server_shutdown_and_notify finished */
} tag_kind;

typedef struct call_ctx call_ctx;

typedef struct tag {
    tag_kind kind;
    call_ctx *ctx;
} tag;

typedef enum method_kind {
    M_UNKNOWN,
    M_PROVIDER,
    M_HEALTH,
    M_SHUTDOWN,
    M_HOLD,
} method_kind;

struct call_ctx {
    tfp_server *srv;
    grpc_call *call;
    grpc_call_details details;
    grpc_metadata_array request_md;
    tag t_request, t_recv, t_finish, t_hold, t_status;
    method_kind kind;
    char method[TFP_METHOD_MAX];
    const char *rpc; /* bare method name inside method[] */
    grpc_byte_buffer *recv_buf;
    grpc_byte_buffer *send_buf;
    grpc_slice status_details;
    bool has_status_details;
    int cancelled;             /* filled by RECV_CLOSE_ON_SERVER */
    atomic_int pending;        /* batches started and not yet completed */
    atomic_bool final_started; /* no batch will be started after the current ones */
    bool status_sent;          /* held stream: closing status started */
    struct timespec started;
    call_ctx *next_job;              /* worker queue link */
    call_ctx *next_held, *prev_held; /* list of held streams (loop thread only) */
    call_ctx *next_dead;             /* contexts whose final batch could not start */
};

struct tfp_server {
    grpc_server *server;
    grpc_completion_queue *cq;
    tfp_server_handler handler;
    void *handler_user;
    tfp_server_stop_check stop_check;
    void *stop_user;
    unsigned poll_ms;

    size_t live; /* call contexts alive (loop thread only) */
    bool shutting_down;
    bool shutdown_notified;
    bool cancelled_all;
    bool finished;
    atomic_bool stop_requested;
    atomic_bool client_shutdown;
    struct timespec shutdown_started;
    tag t_shutdown;
    call_ctx *held;

    /* worker pool */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    call_ctx *queue_head, *queue_tail;
    call_ctx *dead;
    bool workers_stop;
    pthread_t workers[TFP_SERVER_MAX_WORKERS];
    unsigned nworkers; /* started; grows on demand (enqueue), up to max_workers */
    unsigned max_workers;
    unsigned jobs; /* calls queued or running on a worker (under lock) */
};

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

/* Routes gRPC's own log lines into our JSON log. */
static void grpc_log_to_tfp(gpr_log_func_args *args)
{
    tfp_level level = TFP_LEVEL_DEBUG;
    if (args->severity == GPR_LOG_SEVERITY_ERROR) {
        level = TFP_LEVEL_WARN;
    }
    char where[32];
    snprintf(where, sizeof(where), "%d", args->line);
    tfp_log_kv(level, args->message, "grpc_file", args->file, "grpc_line", where, NULL);
}

/* ---- call contexts ---------------------------------------------------- */

static call_ctx *ctx_new(tfp_server *srv)
{
    call_ctx *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) {
        return NULL;
    }
    ctx->srv = srv;
    grpc_call_details_init(&ctx->details);
    grpc_metadata_array_init(&ctx->request_md);
    ctx->t_request = (tag){TAG_REQUEST, ctx};
    ctx->t_recv = (tag){TAG_RECV, ctx};
    ctx->t_finish = (tag){TAG_FINISH, ctx};
    ctx->t_hold = (tag){TAG_HOLD, ctx};
    ctx->t_status = (tag){TAG_STATUS, ctx};
    atomic_init(&ctx->pending, 0);
    atomic_init(&ctx->final_started, false);
    srv->live++;
    return ctx;
}

static void held_unlink(call_ctx *ctx)
{
    tfp_server *srv = ctx->srv;
    if (ctx->prev_held != NULL) {
        ctx->prev_held->next_held = ctx->next_held;
    } else if (srv->held == ctx) {
        srv->held = ctx->next_held;
    }
    if (ctx->next_held != NULL) {
        ctx->next_held->prev_held = ctx->prev_held;
    }
    ctx->next_held = ctx->prev_held = NULL;
}

/* Loop thread only. */
static void ctx_free(call_ctx *ctx)
{
    tfp_server *srv = ctx->srv;
    if (ctx->kind == M_HOLD) {
        held_unlink(ctx);
    }
    if (ctx->call != NULL) {
        grpc_call_unref(ctx->call);
    }
    grpc_call_details_destroy(&ctx->details);
    grpc_metadata_array_destroy(&ctx->request_md);
    if (ctx->recv_buf != NULL) {
        grpc_byte_buffer_destroy(ctx->recv_buf);
    }
    if (ctx->send_buf != NULL) {
        grpc_byte_buffer_destroy(ctx->send_buf);
    }
    if (ctx->has_status_details) {
        grpc_slice_unref(ctx->status_details);
    }
    free(ctx);
    srv->live--;
}

static void request_call(tfp_server *srv)
{
    if (srv->shutting_down) {
        return;
    }
    call_ctx *ctx = ctx_new(srv);
    if (ctx == NULL) {
        tfp_logf(TFP_LEVEL_ERROR, "out of memory accepting a gRPC call");
        return;
    }
    grpc_call_error e =
        grpc_server_request_call(srv->server, &ctx->call, &ctx->details, &ctx->request_md, srv->cq,
                                 srv->cq, &ctx->t_request);
    if (e != GRPC_CALL_OK) {
        tfp_logf(TFP_LEVEL_ERROR, "grpc_server_request_call failed (%d)", (int)e);
        ctx_free(ctx);
    }
}

/* Puts a context on the dead list: its final batch failed to start, so no
   completion will come; the loop thread frees it. Any thread. */
static void ctx_bury(call_ctx *ctx)
{
    tfp_server *srv = ctx->srv;
    pthread_mutex_lock(&srv->lock);
    ctx->next_dead = srv->dead;
    srv->dead = ctx;
    pthread_mutex_unlock(&srv->lock);
}

static void free_dead(tfp_server *srv)
{
    pthread_mutex_lock(&srv->lock);
    call_ctx *d = srv->dead;
    srv->dead = NULL;
    pthread_mutex_unlock(&srv->lock);
    while (d != NULL) {
        call_ctx *next = d->next_dead;
        ctx_free(d);
        d = next;
    }
}

static grpc_call_error start_batch(call_ctx *ctx, const grpc_op *ops, size_t n, tag *t)
{
    atomic_fetch_add(&ctx->pending, 1);
    grpc_call_error e = grpc_call_start_batch(ctx->call, ops, n, t, NULL);
    if (e != GRPC_CALL_OK) {
        atomic_fetch_sub(&ctx->pending, 1);
        tfp_log_kv(TFP_LEVEL_ERROR, "cannot start a gRPC batch", "method", ctx->method, NULL);
    }
    return e;
}

/*
 * Sends the final answer of a call: initial metadata, the message when
 * status is OK, the status, and waits for the close. Any thread. Takes
 * ownership of `data` (malloc'd, may be NULL).
 */
static void finish_call(call_ctx *ctx, int status, uint8_t *data, size_t len, const char *message)
{
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof(ops));

    ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[n].data.send_initial_metadata.count = 0;
    n++;
    if (status == TFP_STATUS_OK) {
        grpc_slice s = grpc_empty_slice();
        if (data != NULL && len > 0) {
            s = grpc_slice_new(data, len, free); /* the slice frees data */
            data = NULL;
        }
        ctx->send_buf = grpc_raw_byte_buffer_create(&s, 1);
        grpc_slice_unref(s);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = ctx->send_buf;
        n++;
    }
    free(data);
    if (status != TFP_STATUS_OK && message != NULL && *message != '\0') {
        ctx->status_details = grpc_slice_from_copied_string(message);
        ctx->has_status_details = true;
    }
    ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    ops[n].data.send_status_from_server.trailing_metadata_count = 0;
    ops[n].data.send_status_from_server.status = (grpc_status_code)status;
    ops[n].data.send_status_from_server.status_details =
        ctx->has_status_details ? &ctx->status_details : NULL;
    n++;
    ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[n].data.recv_close_on_server.cancelled = &ctx->cancelled;
    n++;

    atomic_store(&ctx->final_started, true);
    if (start_batch(ctx, ops, n, &ctx->t_finish) != GRPC_CALL_OK) {
        ctx_bury(ctx);
    }
}

/* Copies the received message into one contiguous slice. */
static grpc_slice read_message(grpc_byte_buffer *buf)
{
    grpc_byte_buffer_reader reader;
    if (!grpc_byte_buffer_reader_init(&reader, buf)) {
        return grpc_empty_slice();
    }
    grpc_slice s = grpc_byte_buffer_reader_readall(&reader);
    grpc_byte_buffer_reader_destroy(&reader);
    return s;
}

static void run_provider_call(call_ctx *ctx)
{
    tfp_server *srv = ctx->srv;
    tfp_server_reply reply;
    memset(&reply, 0, sizeof(reply));
    grpc_slice s = read_message(ctx->recv_buf);
    srv->handler(srv->handler_user, ctx->rpc, GRPC_SLICE_START_PTR(s), GRPC_SLICE_LENGTH(s),
                 &reply);
    grpc_slice_unref(s);
    if (tfp_log_enabled(TFP_LEVEL_DEBUG)) {
        char ms[32];
        snprintf(ms, sizeof(ms), "%ld", elapsed_ms(&ctx->started));
        char st[16];
        snprintf(st, sizeof(st), "%d", reply.status);
        tfp_log_kv(TFP_LEVEL_DEBUG, "served RPC", "rpc", ctx->rpc, "status", st, "duration_ms", ms,
                   NULL);
    }
    finish_call(ctx, reply.status, reply.data, reply.len, reply.message);
}

/* ---- worker pool ------------------------------------------------------ */

static void *worker_main(void *arg)
{
    tfp_server *srv = arg;
    for (;;) {
        pthread_mutex_lock(&srv->lock);
        while (srv->queue_head == NULL && !srv->workers_stop) {
            pthread_cond_wait(&srv->cond, &srv->lock);
        }
        call_ctx *ctx = srv->queue_head;
        if (ctx == NULL) {
            pthread_mutex_unlock(&srv->lock);
            return NULL;
        }
        srv->queue_head = ctx->next_job;
        if (srv->queue_head == NULL) {
            srv->queue_tail = NULL;
        }
        pthread_mutex_unlock(&srv->lock);
        ctx->next_job = NULL;
        run_provider_call(ctx);
        pthread_mutex_lock(&srv->lock);
        srv->jobs--;
        pthread_mutex_unlock(&srv->lock);
    }
}

/* Starts one more worker. Loop thread only (it alone writes workers[] and
 * nworkers). */
static bool add_worker(tfp_server *srv)
{
    if (srv->nworkers >= srv->max_workers ||
        pthread_create(&srv->workers[srv->nworkers], NULL, worker_main, srv) != 0) {
        return false;
    }
    srv->nworkers++;
    return true;
}

/* Queues a call for the workers. A start makes one worker; another is
 * started whenever there are more calls in hand than workers, up to
 * max_workers, so a start pays for the threads a session really uses
 * (Terraform runs up to ten calls at once). When a thread cannot be made,
 * the call waits for one of those there are. */
static void enqueue(tfp_server *srv, call_ctx *ctx)
{
    pthread_mutex_lock(&srv->lock);
    if (srv->queue_tail != NULL) {
        srv->queue_tail->next_job = ctx;
    } else {
        srv->queue_head = ctx;
    }
    srv->queue_tail = ctx;
    if (++srv->jobs > srv->nworkers) {
        (void)add_worker(srv);
    }
    pthread_cond_signal(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
}

/* ---- side services ---------------------------------------------------- */

static void answer_health(call_ctx *ctx)
{
    grpc_slice s = read_message(ctx->recv_buf);
    Grpc__Health__V1__HealthCheckRequest *req = grpc__health__v1__health_check_request__unpack(
        NULL, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
    grpc_slice_unref(s);
    if (req == NULL) {
        finish_call(ctx, TFP_STATUS_INVALID_ARGUMENT, NULL, 0, "malformed HealthCheckRequest");
        return;
    }
    bool known =
        req->service == NULL || req->service[0] == '\0' || strcmp(req->service, "plugin") == 0;
    grpc__health__v1__health_check_request__free_unpacked(req, NULL);
    if (!known) {
        finish_call(ctx, 5 /* NOT_FOUND */, NULL, 0, "unknown service");
        return;
    }
    Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    resp.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    size_t len = grpc__health__v1__health_check_response__get_packed_size(&resp);
    uint8_t *data = malloc(len > 0 ? len : 1);
    if (data == NULL) {
        finish_call(ctx, TFP_STATUS_INTERNAL, NULL, 0, "out of memory");
        return;
    }
    grpc__health__v1__health_check_response__pack(&resp, data);
    finish_call(ctx, TFP_STATUS_OK, data, len, NULL);
}

static void begin_shutdown(tfp_server *srv);

static void answer_shutdown(call_ctx *ctx)
{
    /* plugin.Empty: no fields, so any well-formed message will do. */
    grpc_slice s = read_message(ctx->recv_buf);
    Plugin__Empty *req = plugin__empty__unpack(NULL, GRPC_SLICE_LENGTH(s), GRPC_SLICE_START_PTR(s));
    grpc_slice_unref(s);
    if (req == NULL) {
        finish_call(ctx, TFP_STATUS_INVALID_ARGUMENT, NULL, 0, "malformed Empty");
        return;
    }
    plugin__empty__free_unpacked(req, NULL);
    tfp_logf(TFP_LEVEL_DEBUG, "Shutdown requested by Terraform");
    atomic_store(&ctx->srv->client_shutdown, true);
    finish_call(ctx, TFP_STATUS_OK, NULL, 0, NULL);
    /* The reply is queued before the server stops accepting; shutdown waits
       for it to be sent. */
    begin_shutdown(ctx->srv);
}

/* Ends a held stream with status OK. Loop thread. */
static void end_held_stream(call_ctx *ctx)
{
    if (ctx->status_sent) {
        return;
    }
    ctx->status_sent = true;
    grpc_op op;
    memset(&op, 0, sizeof(op));
    op.op = GRPC_OP_SEND_STATUS_FROM_SERVER;
    op.data.send_status_from_server.trailing_metadata_count = 0;
    op.data.send_status_from_server.status = GRPC_STATUS_OK;
    op.data.send_status_from_server.status_details = NULL;
    start_batch(ctx, &op, 1, &ctx->t_status);
}

static void hold_stream(call_ctx *ctx)
{
    tfp_server *srv = ctx->srv;
    grpc_op ops[2];
    memset(ops, 0, sizeof(ops));
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[0].data.send_initial_metadata.count = 0;
    ops[1].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    ops[1].data.recv_close_on_server.cancelled = &ctx->cancelled;
    atomic_store(&ctx->final_started, true);
    if (start_batch(ctx, ops, 2, &ctx->t_hold) != GRPC_CALL_OK) {
        ctx_free(ctx);
        return;
    }
    ctx->next_held = srv->held;
    if (srv->held != NULL) {
        srv->held->prev_held = ctx;
    }
    srv->held = ctx;
    if (srv->shutting_down) {
        end_held_stream(ctx);
    }
}

/* ---- dispatch --------------------------------------------------------- */

static method_kind classify(call_ctx *ctx)
{
    size_t len = GRPC_SLICE_LENGTH(ctx->details.method);
    if (len >= sizeof(ctx->method)) {
        len = sizeof(ctx->method) - 1;
    }
    memcpy(ctx->method, GRPC_SLICE_START_PTR(ctx->details.method), len);
    ctx->method[len] = '\0';
    const char *slash = strrchr(ctx->method, '/');
    ctx->rpc = slash != NULL ? slash + 1 : ctx->method;

    if (strncmp(ctx->method, PROVIDER_PREFIX, strlen(PROVIDER_PREFIX)) == 0 &&
        ctx->rpc[0] != '\0' && ctx->rpc == ctx->method + strlen(PROVIDER_PREFIX)) {
        return M_PROVIDER;
    }
    if (strcmp(ctx->method, "/grpc.health.v1.Health/Check") == 0) {
        return M_HEALTH;
    }
    if (strcmp(ctx->method, "/plugin.GRPCController/Shutdown") == 0) {
        return M_SHUTDOWN;
    }
    if (strcmp(ctx->method, "/plugin.GRPCStdio/StreamStdio") == 0 ||
        strcmp(ctx->method, "/plugin.GRPCBroker/StartStream") == 0) {
        return M_HOLD;
    }
    return M_UNKNOWN;
}

static void on_call(call_ctx *ctx)
{
    clock_gettime(CLOCK_MONOTONIC, &ctx->started);
    ctx->kind = classify(ctx);
    tfp_log_kv(TFP_LEVEL_TRACE, "gRPC call", "method", ctx->method, NULL);
    switch (ctx->kind) {
    case M_HOLD:
        hold_stream(ctx);
        return;
    case M_UNKNOWN:
        finish_call(ctx, TFP_STATUS_UNIMPLEMENTED, NULL, 0, "unknown method");
        return;
    case M_PROVIDER:
    case M_HEALTH:
    case M_SHUTDOWN:
        break;
    }
    grpc_op op;
    memset(&op, 0, sizeof(op));
    op.op = GRPC_OP_RECV_MESSAGE;
    op.data.recv_message.recv_message = &ctx->recv_buf;
    if (start_batch(ctx, &op, 1, &ctx->t_recv) != GRPC_CALL_OK) {
        finish_call(ctx, TFP_STATUS_INTERNAL, NULL, 0, "cannot read the request");
    }
}

static void on_request_message(call_ctx *ctx, bool ok)
{
    if (!ok || ctx->recv_buf == NULL) {
        finish_call(ctx, TFP_STATUS_INVALID_ARGUMENT, NULL, 0, "no request message");
        return;
    }
    switch (ctx->kind) {
    case M_PROVIDER:
        if (strcmp(ctx->rpc, "StopProvider") == 0) {
            run_provider_call(ctx); /* inline: must not wait behind workers */
        } else {
            enqueue(ctx->srv, ctx);
        }
        return;
    case M_HEALTH:
        answer_health(ctx);
        return;
    case M_SHUTDOWN:
        answer_shutdown(ctx);
        return;
    case M_HOLD:
    case M_UNKNOWN:
        break;
    }
    finish_call(ctx, TFP_STATUS_INTERNAL, NULL, 0, "unexpected message");
}

static void begin_shutdown(tfp_server *srv)
{
    if (srv->shutting_down) {
        return;
    }
    srv->shutting_down = true;
    clock_gettime(CLOCK_MONOTONIC, &srv->shutdown_started);
    tfp_logf(TFP_LEVEL_DEBUG, "plugin server shutting down");
    for (call_ctx *h = srv->held; h != NULL; h = h->next_held) {
        end_held_stream(h);
    }
    grpc_server_shutdown_and_notify(srv->server, srv->cq, &srv->t_shutdown);
}

static void on_event(tfp_server *srv, tag *t, bool ok)
{
    call_ctx *ctx = t->ctx;
    switch (t->kind) {
    case TAG_SHUTDOWN:
        srv->shutdown_notified = true;
        return;
    case TAG_REQUEST:
        if (!ok) {
            ctx_free(ctx); /* the server is shutting down */
            return;
        }
        request_call(srv);
        on_call(ctx);
        return;
    case TAG_RECV:
        atomic_fetch_sub(&ctx->pending, 1);
        on_request_message(ctx, ok);
        return;
    case TAG_FINISH:
    case TAG_HOLD:
    case TAG_STATUS:
        if (t->kind == TAG_HOLD) {
            held_unlink(ctx);
            ctx->status_sent = true; /* the call is over: nothing more to send */
        }
        if (atomic_fetch_sub(&ctx->pending, 1) == 1 && atomic_load(&ctx->final_started)) {
            ctx_free(ctx);
        }
        return;
    }
}

/* ---- public ----------------------------------------------------------- */

int tfp_server_start(tfp_server **out, const tfp_server_options *opts, tfp_error *err)
{
    *out = NULL;
    if (opts == NULL || opts->version != TFP_SERVER_OPTIONS_VERSION || opts->handler == NULL ||
        opts->address == NULL) {
        return tfp_error_sys(err, 0, "gRPC server: invalid options");
    }
    bool tls = opts->key_pem != NULL || opts->cert_pem != NULL;
    if (tls && (opts->key_pem == NULL || opts->cert_pem == NULL || opts->client_ca_pem == NULL)) {
        return tfp_error_sys(err, 0, "gRPC server: TLS needs a key, a certificate and a client CA");
    }
    tfp_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL) {
        return tfp_error_sys(err, ENOMEM, "gRPC server: out of memory");
    }
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->cond, NULL);
    srv->handler = opts->handler;
    srv->handler_user = opts->handler_user;
    srv->stop_check = opts->stop_check;
    srv->stop_user = opts->stop_user;
    srv->poll_ms = opts->poll_ms != 0 ? opts->poll_ms : 100;
    srv->t_shutdown = (tag){TAG_SHUTDOWN, NULL};
    atomic_init(&srv->stop_requested, false);
    atomic_init(&srv->client_shutdown, false);

    gpr_set_log_function(grpc_log_to_tfp);
    grpc_init();

    size_t max = opts->max_message != 0 ? opts->max_message : TFP_SERVER_DEFAULT_MAX_MESSAGE;
    if (max > (size_t)INT32_MAX) {
        max = (size_t)INT32_MAX;
    }
    grpc_arg args[2];
    memset(args, 0, sizeof(args));
    args[0].type = GRPC_ARG_INTEGER;
    args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
    args[0].value.integer = (int)max;
    args[1].type = GRPC_ARG_INTEGER;
    args[1].key = (char *)GRPC_ARG_MAX_SEND_MESSAGE_LENGTH;
    args[1].value.integer = (int)max;
    grpc_channel_args cargs = {2, args};

    srv->cq = grpc_completion_queue_create_for_next(NULL);
    srv->server = grpc_server_create(&cargs, NULL);
    grpc_server_register_completion_queue(srv->server, srv->cq, NULL);

    grpc_server_credentials *creds = NULL;
    if (tls) {
        grpc_ssl_pem_key_cert_pair pair = {opts->key_pem, opts->cert_pem};
        creds = grpc_ssl_server_credentials_create_ex(
            opts->client_ca_pem, &pair, 1,
            GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY, NULL);
    } else {
        creds = grpc_insecure_server_credentials_create();
    }
    int port = creds != NULL ? grpc_server_add_http2_port(srv->server, opts->address, creds) : 0;
    if (creds != NULL) {
        grpc_server_credentials_release(creds);
    }
    if (port == 0) {
        tfp_error_sys(err, 0, "gRPC server: cannot listen on '%s'%s", opts->address,
                      creds == NULL ? " (bad TLS credentials)" : "");
        grpc_server_destroy(srv->server); /* never started: no shutdown needed */
        srv->server = NULL;
        grpc_completion_queue_shutdown(srv->cq);
        while (grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
               GRPC_QUEUE_SHUTDOWN) {
        }
        grpc_completion_queue_destroy(srv->cq);
        grpc_shutdown_blocking();
        pthread_cond_destroy(&srv->cond);
        pthread_mutex_destroy(&srv->lock);
        free(srv);
        return -1;
    }
    grpc_server_start(srv->server);

    unsigned nw = opts->workers != 0 ? opts->workers : TFP_SERVER_DEFAULT_WORKERS;
    srv->max_workers = nw > TFP_SERVER_MAX_WORKERS ? TFP_SERVER_MAX_WORKERS : nw;
    (void)add_worker(srv); /* the rest as calls come (enqueue) */
    for (int i = 0; i < TFP_SERVER_PENDING_REQUESTS; i++) {
        request_call(srv);
    }
    if (srv->nworkers == 0) {
        tfp_error_sys(err, 0, "gRPC server: cannot start worker threads");
        tfp_server_free(srv);
        return -1;
    }
    *out = srv;
    return 0;
}

void tfp_server_request_stop(tfp_server *srv)
{
    atomic_store(&srv->stop_requested, true);
}

bool tfp_server_shutdown_by_client(const tfp_server *srv)
{
    return atomic_load(&srv->client_shutdown);
}

int tfp_server_run(tfp_server *srv)
{
    if (srv->finished) {
        return 0;
    }
    struct timespec last_check;
    clock_gettime(CLOCK_MONOTONIC, &last_check);
    for (;;) {
        gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                             gpr_time_from_millis(srv->poll_ms, GPR_TIMESPAN));
        grpc_event ev = grpc_completion_queue_next(srv->cq, deadline, NULL);
        if (ev.type == GRPC_OP_COMPLETE) {
            on_event(srv, ev.tag, ev.success != 0);
        }
        free_dead(srv);
        if (!srv->shutting_down) {
            bool stop = atomic_load(&srv->stop_requested);
            if (!stop && srv->stop_check != NULL && elapsed_ms(&last_check) >= (long)srv->poll_ms) {
                clock_gettime(CLOCK_MONOTONIC, &last_check);
                stop = srv->stop_check(srv->stop_user);
            }
            if (stop) {
                begin_shutdown(srv);
            }
        } else if (!srv->shutdown_notified && !srv->cancelled_all &&
                   elapsed_ms(&srv->shutdown_started) >= TFP_SERVER_CANCEL_AFTER_MS) {
            tfp_logf(TFP_LEVEL_DEBUG, "cancelling gRPC calls still open at shutdown");
            grpc_server_cancel_all_calls(srv->server);
            srv->cancelled_all = true;
        }
        if (srv->shutdown_notified && srv->live == 0) {
            break;
        }
    }
    /* Every context is gone, so the worker queue is empty. */
    pthread_mutex_lock(&srv->lock);
    srv->workers_stop = true;
    pthread_cond_broadcast(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
    for (unsigned i = 0; i < srv->nworkers; i++) {
        pthread_join(srv->workers[i], NULL);
    }
    srv->nworkers = 0;
    grpc_server_destroy(srv->server);
    srv->server = NULL;
    grpc_completion_queue_shutdown(srv->cq);
    while (grpc_completion_queue_next(srv->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(srv->cq);
    srv->cq = NULL;
    srv->finished = true;
    return 0;
}

void tfp_server_free(tfp_server *srv)
{
    if (srv == NULL) {
        return;
    }
    if (!srv->finished) {
        tfp_server_request_stop(srv);
        tfp_server_run(srv);
    }
    grpc_shutdown_blocking();
    pthread_cond_destroy(&srv->cond);
    pthread_mutex_destroy(&srv->lock);
    free(srv);
}
