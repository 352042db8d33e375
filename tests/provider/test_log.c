/*
 * Tests for tfp_log: every line must be a JSON object Terraform's go-plugin
 * parses (@level, @message, @module, @timestamp with exactly six fraction
 * digits and Z), levels come from TF_LOG_PROVIDER/TF_LOG, and concurrent
 * writers never interleave lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "tfp_log.h"

static json_t *parse_line(const char *line)
{
    size_t n = strlen(line);
    assert_true(n > 0);
    assert_int_equal(line[n - 1], '\n');
    assert_null(memchr(line, '\n', n - 1));
    json_error_t jerr;
    json_t *j = json_loadb(line, n - 1, 0, &jerr);
    assert_non_null(j);
    return j;
}

static void timestamp_has_exactly_six_fraction_digits_and_z(void **state)
{
    (void)state;
    struct timespec ts = {.tv_sec = 1795694400, .tv_nsec = 123456789};
    char *line = tfp_log_format(TFP_LEVEL_INFO, &ts, "hello", NULL, 0);
    assert_non_null(line);
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "\"@timestamp\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                             "[0-9]{2}\\.[0-9]{6}Z\"",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    assert_int_equal(regexec(&re, line, 0, NULL, 0), 0);
    regfree(&re);
    json_t *j = parse_line(line);
    assert_string_equal(json_string_value(json_object_get(j, "@timestamp")),
                        "2026-11-26T12:00:00.123456Z");
    json_decref(j);
    free(line);
}

static void small_fractions_keep_their_leading_zeros(void **state)
{
    (void)state;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 5000};
    char *line = tfp_log_format(TFP_LEVEL_DEBUG, &ts, "m", NULL, 0);
    json_t *j = parse_line(line);
    assert_string_equal(json_string_value(json_object_get(j, "@timestamp")),
                        "1970-01-01T00:00:00.000005Z");
    json_decref(j);
    free(line);
}

static void line_carries_level_message_module_and_fields(void **state)
{
    (void)state;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 0};
    const char *kv[] = {"rpc", "PlanResourceChange", "path", "src/a \"b\".py"};
    char *line = tfp_log_format(TFP_LEVEL_WARN, &ts, "multi\nline \"quoted\"", kv, 2);
    json_t *j = parse_line(line);
    assert_string_equal(json_string_value(json_object_get(j, "@level")), "warn");
    assert_string_equal(json_string_value(json_object_get(j, "@message")),
                        "multi\nline \"quoted\"");
    assert_string_equal(json_string_value(json_object_get(j, "@module")), "provider.lambda");
    assert_string_equal(json_string_value(json_object_get(j, "rpc")), "PlanResourceChange");
    assert_string_equal(json_string_value(json_object_get(j, "path")), "src/a \"b\".py");
    json_decref(j);
    free(line);
    /* @level comes first, as hclog writes it. */
    line = tfp_log_format(TFP_LEVEL_ERROR, &ts, "x", NULL, 0);
    assert_int_equal(strncmp(line, "{\"@level\":\"error\",", 18), 0);
    free(line);
}

static void fields_cannot_override_the_reserved_keys(void **state)
{
    (void)state;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 0};
    const char *kv[] = {"@level", "error", "ok", "yes"};
    char *line = tfp_log_format(TFP_LEVEL_INFO, &ts, "m", kv, 2);
    json_t *j = parse_line(line);
    assert_string_equal(json_string_value(json_object_get(j, "@level")), "info");
    assert_string_equal(json_string_value(json_object_get(j, "ok")), "yes");
    json_decref(j);
    free(line);
}

static void invalid_utf8_still_gives_a_json_line(void **state)
{
    (void)state;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 0};
    char *line = tfp_log_format(TFP_LEVEL_INFO, &ts, "bad \xff\xfe bytes", NULL, 0);
    assert_non_null(line);
    json_t *j = parse_line(line);
    assert_non_null(strstr(json_string_value(json_object_get(j, "@message")), "bad"));
    json_decref(j);
    free(line);
}

static void level_names_follow_terraform(void **state)
{
    (void)state;
    tfp_level l;
    assert_int_equal(tfp_log_level_parse("TRACE", &l), 0);
    assert_int_equal(l, TFP_LEVEL_TRACE);
    assert_int_equal(tfp_log_level_parse("debug", &l), 0);
    assert_int_equal(l, TFP_LEVEL_DEBUG);
    assert_int_equal(tfp_log_level_parse("Info", &l), 0);
    assert_int_equal(l, TFP_LEVEL_INFO);
    assert_int_equal(tfp_log_level_parse("WARN", &l), 0);
    assert_int_equal(l, TFP_LEVEL_WARN);
    assert_int_equal(tfp_log_level_parse("error", &l), 0);
    assert_int_equal(l, TFP_LEVEL_ERROR);
    assert_int_equal(tfp_log_level_parse("off", &l), 0);
    assert_int_equal(l, TFP_LEVEL_OFF);
    assert_int_equal(tfp_log_level_parse("JSON", &l), 0);
    assert_int_equal(l, TFP_LEVEL_TRACE);
    assert_int_equal(tfp_log_level_parse("loud", &l), -1);
    assert_int_equal(tfp_log_level_parse(NULL, &l), -1);
}

static void provider_level_wins_over_tf_log_and_default_is_info(void **state)
{
    (void)state;
    unsetenv("TF_LOG_PROVIDER");
    unsetenv("TF_LOG");
    tfp_log_init_from_env();
    assert_int_equal(tfp_log_get_level(), TFP_LEVEL_INFO);
    setenv("TF_LOG", "trace", 1);
    tfp_log_init_from_env();
    assert_int_equal(tfp_log_get_level(), TFP_LEVEL_TRACE);
    setenv("TF_LOG_PROVIDER", "error", 1);
    tfp_log_init_from_env();
    assert_int_equal(tfp_log_get_level(), TFP_LEVEL_ERROR);
    setenv("TF_LOG_PROVIDER", "nonsense", 1);
    tfp_log_init_from_env();
    assert_int_equal(tfp_log_get_level(), TFP_LEVEL_INFO);
    unsetenv("TF_LOG_PROVIDER");
    unsetenv("TF_LOG");
}

/* Reads a stream's whole content (rewound) into a malloc'd string. */
static char *slurp(FILE *f)
{
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    return buf;
}

static void lines_below_the_threshold_are_dropped(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    tfp_log_set_stream(f);
    tfp_log_set_level(TFP_LEVEL_INFO);
    tfp_logf(TFP_LEVEL_DEBUG, "hidden %d", 1);
    tfp_logf(TFP_LEVEL_INFO, "shown %d", 2);
    tfp_log_kv(TFP_LEVEL_TRACE, "hidden too", "k", "v", NULL);
    tfp_log_kv(TFP_LEVEL_ERROR, "shown too", "k", "v", NULL);
    tfp_log_set_level(TFP_LEVEL_OFF);
    tfp_logf(TFP_LEVEL_ERROR, "off means off");
    tfp_log_set_stream(NULL);
    char *all = slurp(f);
    fclose(f);
    assert_null(strstr(all, "hidden"));
    assert_non_null(strstr(all, "\"shown 2\""));
    assert_non_null(strstr(all, "\"shown too\""));
    assert_non_null(strstr(all, "\"k\":\"v\""));
    assert_null(strstr(all, "off means"));
    free(all);
    tfp_log_set_level(TFP_LEVEL_INFO);
}

#define THREADS 4
#define LINES 200

static void *writer(void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int i = 0; i < LINES; i++) {
        tfp_log_kv(TFP_LEVEL_INFO, "concurrent line with some padding to make it longer", "thread",
                   id == 0   ? "0"
                   : id == 1 ? "1"
                   : id == 2 ? "2"
                             : "3",
                   NULL);
    }
    return NULL;
}

static void concurrent_writers_never_interleave_lines(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    tfp_log_set_stream(f);
    tfp_log_set_level(TFP_LEVEL_INFO);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    tfp_log_set_stream(NULL);
    char *all = slurp(f);
    fclose(f);
    int lines = 0;
    char *save = NULL;
    for (char *l = strtok_r(all, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
        json_error_t jerr;
        json_t *j = json_loads(l, 0, &jerr);
        assert_non_null(j);
        assert_non_null(json_object_get(j, "thread"));
        json_decref(j);
        lines++;
    }
    assert_int_equal(lines, THREADS * LINES);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(timestamp_has_exactly_six_fraction_digits_and_z),
        cmocka_unit_test(small_fractions_keep_their_leading_zeros),
        cmocka_unit_test(line_carries_level_message_module_and_fields),
        cmocka_unit_test(fields_cannot_override_the_reserved_keys),
        cmocka_unit_test(invalid_utf8_still_gives_a_json_line),
        cmocka_unit_test(level_names_follow_terraform),
        cmocka_unit_test(provider_level_wins_over_tf_log_and_default_is_info),
        cmocka_unit_test(lines_below_the_threshold_are_dropped),
        cmocka_unit_test(concurrent_writers_never_interleave_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
