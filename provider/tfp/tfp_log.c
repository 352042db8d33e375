/*
 * tfp_log: writes hclog-compatible JSON lines to stderr so Terraform shows the
 * provider's messages at their own level. It formats with jansson (escaping,
 * key order) and writes each line with one locked fwrite. It must never write
 * to stdout (the handshake channel) and never abort: a line that cannot be
 * built is dropped.
 */
#include "tfp_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

static _Atomic int g_level = TFP_LEVEL_INFO;
static FILE *_Atomic g_stream = NULL;
static pthread_mutex_t g_write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"trace", "debug", "info", "warn", "error", "off"};

const char *tfp_log_level_name(tfp_level level)
{
    if ((int)level < 0 || level > TFP_LEVEL_OFF) {
        return "info";
    }
    return level_names[level];
}

int tfp_log_level_parse(const char *name, tfp_level *out)
{
    static const struct {
        const char *name;
        tfp_level level;
    } table[] = {
        {"trace", TFP_LEVEL_TRACE}, {"json", TFP_LEVEL_TRACE}, {"debug", TFP_LEVEL_DEBUG},
        {"info", TFP_LEVEL_INFO},   {"warn", TFP_LEVEL_WARN},  {"warning", TFP_LEVEL_WARN},
        {"error", TFP_LEVEL_ERROR}, {"off", TFP_LEVEL_OFF},
    };
    if (name == NULL) {
        return -1;
    }
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcasecmp(name, table[i].name) == 0) {
            *out = table[i].level;
            return 0;
        }
    }
    return -1;
}

void tfp_log_init_from_env(void)
{
    tfp_level level = TFP_LEVEL_INFO;
    const char *v = getenv("TF_LOG_PROVIDER");
    if (v == NULL || *v == '\0') {
        v = getenv("TF_LOG");
    }
    if (v != NULL && *v != '\0' && tfp_log_level_parse(v, &level) != 0) {
        level = TFP_LEVEL_INFO;
    }
    tfp_log_set_level(level);
}

void tfp_log_set_level(tfp_level level)
{
    atomic_store(&g_level, (int)level);
}

tfp_level tfp_log_get_level(void)
{
    return (tfp_level)atomic_load(&g_level);
}

bool tfp_log_enabled(tfp_level level)
{
    return level != TFP_LEVEL_OFF && (int)level >= atomic_load(&g_level);
}

void tfp_log_set_stream(FILE *stream)
{
    atomic_store(&g_stream, stream);
}

/* A JSON string for s; bytes that are not valid UTF-8 become '?'. Caller decrefs. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    if (j != NULL) {
        return j;
    }
    char *copy = strdup(s);
    if (copy == NULL) {
        return NULL;
    }
    for (char *p = copy; *p != '\0'; p++) {
        if ((unsigned char)*p >= 0x80) {
            *p = '?';
        }
    }
    j = json_string(copy);
    free(copy);
    return j;
}

static int format_timestamp(const struct timespec *when, char *buf, size_t cap)
{
    struct tm tm;
    time_t secs = when->tv_sec;
    if (gmtime_r(&secs, &tm) == NULL) {
        return -1;
    }
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n == 0) {
        return -1;
    }
    long micros = when->tv_nsec / 1000;
    if (micros < 0 || micros > 999999) {
        micros = 0;
    }
    int m = snprintf(buf + n, cap - n, ".%06ldZ", micros);
    return (m < 0 || (size_t)m >= cap - n) ? -1 : 0;
}

char *tfp_log_format(tfp_level level, const struct timespec *when, const char *message,
                     const char *const *kv, size_t nkv)
{
    char ts[64];
    char *line = NULL;
    char *dumped = NULL;
    json_t *obj = json_object();
    if (obj == NULL || format_timestamp(when, ts, sizeof(ts)) != 0) {
        goto done;
    }
    if (json_object_set_new(obj, "@level", json_string(tfp_log_level_name(level))) != 0 ||
        json_object_set_new(obj, "@message", json_text(message != NULL ? message : "")) != 0 ||
        json_object_set_new(obj, "@module", json_string(TFP_LOG_MODULE)) != 0 ||
        json_object_set_new(obj, "@timestamp", json_string(ts)) != 0) {
        goto done;
    }
    for (size_t i = 0; i < nkv; i++) {
        const char *k = kv[2 * i];
        const char *v = kv[2 * i + 1];
        if (k == NULL || k[0] == '@') {
            continue; /* the @ keys are ours */
        }
        if (json_object_set_new(obj, k, json_text(v != NULL ? v : "")) != 0) {
            goto done;
        }
    }
    dumped = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (dumped == NULL) {
        goto done;
    }
    size_t len = strlen(dumped);
    line = malloc(len + 2);
    if (line == NULL) {
        goto done;
    }
    memcpy(line, dumped, len);
    line[len] = '\n';
    line[len + 1] = '\0';
done:
    free(dumped);
    json_decref(obj);
    return line;
}

static void emit(tfp_level level, const char *message, const char *const *kv, size_t nkv)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char *line = tfp_log_format(level, &now, message, kv, nkv);
    if (line == NULL) {
        return;
    }
    FILE *out = atomic_load(&g_stream);
    if (out == NULL) {
        out = stderr;
    }
    pthread_mutex_lock(&g_write_lock);
    fputs(line, out);
    fflush(out);
    pthread_mutex_unlock(&g_write_lock);
    free(line);
}

void tfp_vlogf(tfp_level level, const char *fmt, va_list ap)
{
    if (!tfp_log_enabled(level)) {
        return;
    }
    char *msg = malloc(TFP_LOG_MESSAGE_MAX);
    if (msg == NULL) {
        return;
    }
    vsnprintf(msg, TFP_LOG_MESSAGE_MAX, fmt, ap);
    emit(level, msg, NULL, 0);
    free(msg);
}

void tfp_logf(tfp_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tfp_vlogf(level, fmt, ap);
    va_end(ap);
}

#define TFP_LOG_KV_MAX 16

void tfp_log_kv(tfp_level level, const char *message, ...)
{
    if (!tfp_log_enabled(level)) {
        return;
    }
    const char *kv[2 * TFP_LOG_KV_MAX];
    size_t n = 0;
    va_list ap;
    va_start(ap, message);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (k == NULL) {
            break;
        }
        const char *v = va_arg(ap, const char *);
        if (n < TFP_LOG_KV_MAX) {
            kv[2 * n] = k;
            kv[2 * n + 1] = v;
            n++;
        }
    }
    va_end(ap);
    emit(level, message, kv, n);
}
