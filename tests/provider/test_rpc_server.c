/*
 * Tests for tfp_server (with tfp_rpc behind it) over a real unix socket,
 * driven by an in-process gRPC C-core client: side services, status codes
 * for unknown methods / malformed / oversized messages, concurrent calls on
 * the worker pool, StopProvider not queueing behind busy workers, Shutdown
 * ending held streams and the serving loop, and mutual TLS that refuses
 * clients without the expected certificate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>

#include "tfp_handshake.h"
#include "tfp_provider_int.h"
#include "tfp_rpc.h"
#include "tfp_server.h"
#include "tfp_tls.h"

#include "health.pb-c.h"
#include "plugin.pb-c.h"
#include "tfplugin6.pb-c.h"

#define SLOW_MS 300

/* ---- a provider with one slow resource -------------------------------- */

static const tfp_schema_attr slow_attrs[] = {
    {.name = "name", .type = &tfp_type_string, .optional = true, .description = "n"},
};
static const tfp_schema_block slow_block = {.attrs = slow_attrs, .n_attrs = 1};
static const tfp_schema slow_schema = {.version = 0, .block = &slow_block};

static int slow_validate(const tfp_ctx *ctx, const tfp_validate_in *in, tfp_diags *diags)
{
    (void)ctx;
    (void)in;
    (void)diags;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = SLOW_MS * 1000000L};
    nanosleep(&ts, NULL);
    return 0;
}

static const tfp_resource_type slow_type = {
    .name = "test_slow", .schema = &slow_schema, .validate = slow_validate};
static const tfp_resource_type *const resources[] = {&slow_type};

/* {name: null} */
static const uint8_t slow_config[] = {0x81, 0xa4, 'n', 'a', 'm', 'e', 0xc0};

/* ---- fixture: a served provider --------------------------------------- */

typedef struct fixture {
    tfp_socket_dir sd;
    char address[320];
    tfp_provider *provider;
    tfp_server *server;
    pthread_t thread;
    bool running;
    tfp_tls_identity *server_id;
    tfp_tls_identity *client_id;
} fixture;

static void *serve(void *arg)
{
    fixture *f = arg;
    tfp_server_run(f->server);
    return NULL;
}

static fixture *start(bool tls, size_t max_message)
{
    fixture *f = calloc(1, sizeof(*f));
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_socket_dir_create(&f->sd, NULL, &err), 0);
    snprintf(f->address, sizeof(f->address), "unix:%s", f->sd.path);
    static tfp_provider_def def;
    memset(&def, 0, sizeof(def));
    def.resources = resources;
    def.n_resources = 1;
    tfp_error perr = TFP_ERROR_INIT;
    f->provider = tfp_provider_new(&def, &perr);
    assert_non_null(f->provider);
    tfp_server_options opts = TFP_SERVER_OPTIONS_INIT;
    opts.address = f->address;
    opts.handler = tfp_rpc_handle;
    opts.handler_user = f->provider;
    opts.max_message = max_message;
    opts.workers = 8;
    if (tls) {
        assert_int_equal(tfp_tls_identity_generate(&f->server_id, &err), 0);
        assert_int_equal(tfp_tls_identity_generate(&f->client_id, &err), 0);
        opts.key_pem = f->server_id->key_pem;
        opts.cert_pem = f->server_id->cert_pem;
        opts.client_ca_pem = f->client_id->cert_pem;
    }
    assert_int_equal(tfp_server_start(&f->server, &opts, &err), 0);
    assert_int_equal(pthread_create(&f->thread, NULL, serve, f), 0);
    f->running = true;
    return f;
}

static void stop(fixture *f)
{
    if (f->running) {
        tfp_server_request_stop(f->server);
        pthread_join(f->thread, NULL);
    }
    tfp_server_free(f->server);
    tfp_provider_free(f->provider);
    tfp_tls_identity_free(f->server_id);
    tfp_tls_identity_free(f->client_id);
    tfp_socket_dir_remove(&f->sd);
    free(f);
}

/* ---- client ----------------------------------------------------------- */

static grpc_channel *plain_channel(const fixture *f)
{
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    grpc_channel *ch = grpc_channel_create(f->address, creds, NULL);
    grpc_channel_credentials_release(creds);
    return ch;
}

/* A TLS channel trusting the server cert, presenting `client` (may be NULL). */
static grpc_channel *tls_channel(const fixture *f, const tfp_tls_identity *client)
{
    grpc_ssl_pem_key_cert_pair pair;
    if (client != NULL) {
        pair.private_key = client->key_pem;
        pair.cert_chain = client->cert_pem;
    }
    grpc_channel_credentials *creds = grpc_ssl_credentials_create(
        f->server_id->cert_pem, client != NULL ? &pair : NULL, NULL, NULL);
    grpc_arg arg;
    arg.type = GRPC_ARG_STRING;
    arg.key = (char *)GRPC_SSL_TARGET_NAME_OVERRIDE_ARG;
    arg.value.string = (char *)"localhost";
    grpc_channel_args args = {1, &arg};
    grpc_channel *ch = grpc_channel_create(f->address, creds, &args);
    grpc_channel_credentials_release(creds);
    return ch;
}

typedef struct result {
    int status;
    uint8_t *data; /* malloc'd response bytes, NULL when none */
    size_t len;
} result;

static void drain_and_destroy(grpc_completion_queue *cq)
{
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
}

/* One unary call; req may be NULL (then len bytes of zeros are sent). */
static result unary(grpc_channel *ch, const char *method, const uint8_t *req, size_t len)
{
    result res = {-1, NULL, 0};
    grpc_completion_queue *cq = grpc_completion_queue_create_for_next(NULL);
    gpr_timespec deadline =
        gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_seconds(10, GPR_TIMESPAN));
    grpc_slice m = grpc_slice_from_copied_string(method);
    grpc_call *call =
        grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq, m, NULL, deadline, NULL);
    grpc_slice_unref(m);
    uint8_t *zeros = NULL;
    if (req == NULL && len > 0) {
        zeros = calloc(1, len);
        req = zeros;
    }
    grpc_slice body = grpc_slice_from_copied_buffer((const char *)req, len);
    free(zeros);
    grpc_byte_buffer *send = grpc_raw_byte_buffer_create(&body, 1);
    grpc_slice_unref(body);
    grpc_byte_buffer *recv = NULL;
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice details;
    grpc_op ops[6];
    memset(ops, 0, sizeof(ops));
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &details;
    assert_int_equal(grpc_call_start_batch(call, ops, 6, (void *)1, NULL), GRPC_CALL_OK);
    grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    assert_int_equal(ev.type, GRPC_OP_COMPLETE);
    res.status = (int)status;
    if (recv != NULL) {
        grpc_byte_buffer_reader reader;
        grpc_byte_buffer_reader_init(&reader, recv);
        grpc_slice s = grpc_byte_buffer_reader_readall(&reader);
        res.len = GRPC_SLICE_LENGTH(s);
        res.data = malloc(res.len + 1);
        memcpy(res.data, GRPC_SLICE_START_PTR(s), res.len);
        grpc_slice_unref(s);
        grpc_byte_buffer_reader_destroy(&reader);
        grpc_byte_buffer_destroy(recv);
    }
    grpc_slice_unref(details);
    grpc_byte_buffer_destroy(send);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    drain_and_destroy(cq);
    return res;
}

static result unary_msg(grpc_channel *ch, const char *method, const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = malloc(len + 1);
    protobuf_c_message_pack(msg, buf);
    result r = unary(ch, method, buf, len);
    free(buf);
    return r;
}

static int health(grpc_channel *ch, const char *service)
{
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    req.service = (char *)service;
    result r = unary_msg(ch, "/grpc.health.v1.Health/Check", &req.base);
    if (r.status == 0) {
        Grpc__Health__V1__HealthCheckResponse *resp =
            grpc__health__v1__health_check_response__unpack(NULL, r.len, r.data);
        assert_non_null(resp);
        assert_int_equal(resp->status,
                         GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
        grpc__health__v1__health_check_response__free_unpacked(resp, NULL);
    }
    free(r.data);
    return r.status;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- tests ------------------------------------------------------------ */

static void health_check_reports_serving_for_plugin(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    assert_int_equal(health(ch, "plugin"), GRPC_STATUS_OK);
    assert_int_equal(health(ch, ""), GRPC_STATUS_OK);
    assert_int_equal(health(ch, "other"), GRPC_STATUS_NOT_FOUND);
    grpc_channel_destroy(ch);
    stop(f);
}

static void unknown_methods_are_unimplemented(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    result r = unary(ch, "/foo.Bar/Baz", NULL, 0);
    assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
    r = unary(ch, "/tfplugin6.Provider/ListResource", NULL, 0);
    assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
    r = unary(ch, "/tfplugin6.Provider/", NULL, 0);
    assert_int_equal(r.status, GRPC_STATUS_UNIMPLEMENTED);
    grpc_channel_destroy(ch);
    stop(f);
}

static void malformed_protobuf_is_invalid_argument(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    const uint8_t bad[] = {0x12, 0x7f, 0x01};
    result r = unary(ch, "/tfplugin6.Provider/ValidateResourceConfig", bad, sizeof(bad));
    assert_int_equal(r.status, GRPC_STATUS_INVALID_ARGUMENT);
    assert_null(r.data);
    r = unary(ch, "/grpc.health.v1.Health/Check", bad, sizeof(bad));
    assert_int_equal(r.status, GRPC_STATUS_INVALID_ARGUMENT);
    /* The server is still fine afterwards. */
    assert_int_equal(health(ch, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(ch);
    stop(f);
}

static void oversized_messages_are_refused(void **state)
{
    (void)state;
    fixture *f = start(false, 1024 * 1024);
    grpc_channel *ch = plain_channel(f);
    result r = unary(ch, "/tfplugin6.Provider/GetProviderSchema", NULL, 2 * 1024 * 1024);
    assert_int_equal(r.status, GRPC_STATUS_RESOURCE_EXHAUSTED);
    assert_int_equal(health(ch, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(ch);
    stop(f);
}

static void schema_round_trips_over_grpc(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    Tfplugin6__GetProviderSchema__Request req = TFPLUGIN6__GET_PROVIDER_SCHEMA__REQUEST__INIT;
    result r = unary_msg(ch, "/tfplugin6.Provider/GetProviderSchema", &req.base);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    Tfplugin6__GetProviderSchema__Response *resp = (void *)protobuf_c_message_unpack(
        &tfplugin6__get_provider_schema__response__descriptor, NULL, r.len, r.data);
    assert_non_null(resp);
    assert_int_equal(resp->n_resource_schemas, 1);
    assert_string_equal(resp->resource_schemas[0]->key, "test_slow");
    protobuf_c_message_free_unpacked(&resp->base, NULL);
    free(r.data);
    grpc_channel_destroy(ch);
    stop(f);
}

typedef struct slow_arg {
    grpc_channel *ch;
    int status;
    int n_diags;
} slow_arg;

static void *slow_call(void *p)
{
    slow_arg *a = p;
    Tfplugin6__DynamicValue dv = TFPLUGIN6__DYNAMIC_VALUE__INIT;
    dv.msgpack.data = (uint8_t *)slow_config;
    dv.msgpack.len = sizeof(slow_config);
    Tfplugin6__ValidateResourceConfig__Request req =
        TFPLUGIN6__VALIDATE_RESOURCE_CONFIG__REQUEST__INIT;
    req.type_name = (char *)"test_slow";
    req.config = &dv;
    result r = unary_msg(a->ch, "/tfplugin6.Provider/ValidateResourceConfig", &req.base);
    a->status = r.status;
    if (r.status == 0) {
        Tfplugin6__ValidateResourceConfig__Response *resp = (void *)protobuf_c_message_unpack(
            &tfplugin6__validate_resource_config__response__descriptor, NULL, r.len, r.data);
        a->n_diags = resp != NULL ? (int)resp->n_diagnostics : -1;
        if (resp != NULL) {
            protobuf_c_message_free_unpacked(&resp->base, NULL);
        }
    }
    free(r.data);
    return NULL;
}

#define PARALLEL 8

static void concurrent_calls_run_in_parallel_and_stop_is_not_queued(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    assert_int_equal(health(ch, "plugin"), GRPC_STATUS_OK); /* connect first */
    pthread_t t[PARALLEL];
    slow_arg args[PARALLEL];
    long t0 = now_ms();
    for (int i = 0; i < PARALLEL; i++) {
        args[i] = (slow_arg){ch, -1, -1};
        assert_int_equal(pthread_create(&t[i], NULL, slow_call, &args[i]), 0);
    }
    /* Every worker is now asleep in a callback; StopProvider must not wait. */
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
    nanosleep(&pause, NULL);
    long s0 = now_ms();
    Tfplugin6__StopProvider__Request stop_req = TFPLUGIN6__STOP_PROVIDER__REQUEST__INIT;
    result r = unary_msg(ch, "/tfplugin6.Provider/StopProvider", &stop_req.base);
    long stop_ms = now_ms() - s0;
    assert_int_equal(r.status, GRPC_STATUS_OK);
    free(r.data);
    for (int i = 0; i < PARALLEL; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].status, GRPC_STATUS_OK);
        assert_int_equal(args[i].n_diags, 0);
    }
    long total = now_ms() - t0;
    print_message("%d x %d ms calls took %ld ms; StopProvider %ld ms\n", PARALLEL, SLOW_MS, total,
                  stop_ms);
    /* Serially this would take PARALLEL * SLOW_MS = 2400 ms. */
    assert_true(total < 3 * SLOW_MS);
    assert_true(stop_ms < SLOW_MS / 2);
    grpc_channel_destroy(ch);
    stop(f);
}

typedef struct stream {
    grpc_completion_queue *cq;
    grpc_call *call;
    grpc_byte_buffer *send;
    grpc_byte_buffer *recv;
    grpc_metadata_array initial, trailing;
    grpc_status_code status;
    grpc_slice details;
} stream;

/* Opens StreamStdio and asks for the first message and the final status. */
static void open_stdio(grpc_channel *ch, stream *s)
{
    memset(s, 0, sizeof(*s));
    s->cq = grpc_completion_queue_create_for_next(NULL);
    grpc_slice m = grpc_slice_from_static_string("/plugin.GRPCStdio/StreamStdio");
    s->call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, s->cq, m, NULL,
                                       gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_slice body = grpc_empty_slice();
    s->send = grpc_raw_byte_buffer_create(&body, 1);
    grpc_metadata_array_init(&s->initial);
    grpc_metadata_array_init(&s->trailing);
    grpc_op ops[6];
    memset(ops, 0, sizeof(ops));
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = s->send;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &s->initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &s->recv;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &s->trailing;
    ops[5].data.recv_status_on_client.status = &s->status;
    ops[5].data.recv_status_on_client.status_details = &s->details;
    assert_int_equal(grpc_call_start_batch(s->call, ops, 6, (void *)2, NULL), GRPC_CALL_OK);
}

static void shutdown_ends_held_streams_and_the_serving_loop(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    stream s;
    open_stdio(ch, &s);
    /* The stream stays open: nothing arrives for a while. */
    grpc_event ev = grpc_completion_queue_next(
        s.cq, gpr_time_add(gpr_now(GPR_CLOCK_REALTIME), gpr_time_from_millis(300, GPR_TIMESPAN)),
        NULL);
    assert_int_equal(ev.type, GRPC_QUEUE_TIMEOUT);

    Plugin__Empty empty = PLUGIN__EMPTY__INIT;
    long t0 = now_ms();
    result r = unary_msg(ch, "/plugin.GRPCController/Shutdown", &empty.base);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    free(r.data);
    /* The stream ends with OK and no message. */
    ev = grpc_completion_queue_next(s.cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    assert_int_equal(ev.type, GRPC_OP_COMPLETE);
    assert_int_equal(s.status, GRPC_STATUS_OK);
    assert_null(s.recv);
    /* And the serving loop returns promptly. */
    pthread_join(f->thread, NULL);
    f->running = false;
    long took = now_ms() - t0;
    print_message("Shutdown to loop exit: %ld ms\n", took);
    assert_true(took < 900); /* well under go-plugin's 2 s grace */
    assert_true(tfp_server_shutdown_by_client(f->server));

    grpc_slice_unref(s.details);
    grpc_byte_buffer_destroy(s.send);
    grpc_metadata_array_destroy(&s.initial);
    grpc_metadata_array_destroy(&s.trailing);
    grpc_call_unref(s.call);
    drain_and_destroy(s.cq);
    grpc_channel_destroy(ch);
    stop(f);
}

static void shutdown_lets_running_calls_finish(void **state)
{
    (void)state;
    fixture *f = start(false, 0);
    grpc_channel *ch = plain_channel(f);
    assert_int_equal(health(ch, "plugin"), GRPC_STATUS_OK);
    pthread_t t[PARALLEL];
    slow_arg args[PARALLEL];
    for (int i = 0; i < PARALLEL; i++) {
        args[i] = (slow_arg){ch, -1, -1};
        assert_int_equal(pthread_create(&t[i], NULL, slow_call, &args[i]), 0);
    }
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 100 * 1000000L};
    nanosleep(&pause, NULL);
    long t0 = now_ms();
    Plugin__Empty empty = PLUGIN__EMPTY__INIT;
    result r = unary_msg(ch, "/plugin.GRPCController/Shutdown", &empty.base);
    assert_int_equal(r.status, GRPC_STATUS_OK);
    free(r.data);
    for (int i = 0; i < PARALLEL; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].status, GRPC_STATUS_OK);
    }
    pthread_join(f->thread, NULL);
    f->running = false;
    long took = now_ms() - t0;
    print_message("Shutdown with %d running calls: loop exit after %ld ms\n", PARALLEL, took);
    assert_true(took < 1500);
    /* New calls are refused once the server is gone. */
    assert_int_not_equal(health(ch, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(ch);
    stop(f);
}

static void tls_requires_the_client_certificate_terraform_announced(void **state)
{
    (void)state;
    fixture *f = start(true, 0);
    /* Terraform's side: trusts our cert, presents the one it announced. */
    grpc_channel *good = tls_channel(f, f->client_id);
    assert_int_equal(health(good, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(good);
    /* No client certificate: refused. */
    grpc_channel *anon = tls_channel(f, NULL);
    assert_int_not_equal(health(anon, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(anon);
    /* A certificate Terraform did not announce: refused. */
    tfp_tls_identity *other = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_tls_identity_generate(&other, &err), 0);
    grpc_channel *wrong = tls_channel(f, other);
    assert_int_not_equal(health(wrong, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(wrong);
    tfp_tls_identity_free(other);
    /* Plaintext against the TLS server: refused. */
    grpc_channel *plain = plain_channel(f);
    assert_int_not_equal(health(plain, "plugin"), GRPC_STATUS_OK);
    grpc_channel_destroy(plain);
    stop(f);
}

static void bad_address_fails_to_start_without_leaking(void **state)
{
    (void)state;
    tfp_server_options opts = TFP_SERVER_OPTIONS_INIT;
    opts.address = "unix:/nonexistent-dir-for-tfp-test/x.sock";
    opts.handler = tfp_rpc_handle;
    tfp_server *srv = NULL;
    tfp_error err = TFP_ERROR_INIT;
    assert_int_equal(tfp_server_start(&srv, &opts, &err), -1);
    assert_null(srv);
    assert_non_null(strstr(err.message, "nonexistent-dir-for-tfp-test"));
    tfp_server_options bad = TFP_SERVER_OPTIONS_INIT;
    assert_int_equal(tfp_server_start(&srv, &bad, &err), -1);
}

int main(void)
{
    grpc_init(); /* the client side's reference */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(health_check_reports_serving_for_plugin),
        cmocka_unit_test(unknown_methods_are_unimplemented),
        cmocka_unit_test(malformed_protobuf_is_invalid_argument),
        cmocka_unit_test(oversized_messages_are_refused),
        cmocka_unit_test(schema_round_trips_over_grpc),
        cmocka_unit_test(concurrent_calls_run_in_parallel_and_stop_is_not_queued),
        cmocka_unit_test(shutdown_ends_held_streams_and_the_serving_loop),
        cmocka_unit_test(shutdown_lets_running_calls_finish),
        cmocka_unit_test(tls_requires_the_client_certificate_terraform_announced),
        cmocka_unit_test(bad_address_fails_to_start_without_leaking),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    grpc_shutdown_blocking();
    return rc;
}
