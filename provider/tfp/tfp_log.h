/*
 * tfp_log: hclog-style JSON log lines on stderr.
 *
 * Terraform (through go-plugin) reads every stderr line of the provider and,
 * when it parses as JSON with "@level", "@message" and a "@timestamp" with
 * exactly six fraction digits, re-logs it at that level under
 * "provider.terraform-provider-lambda...". A line looks like
 *
 *   {"@level":"info","@message":"serving","@module":"provider.lambda",
 *    "@timestamp":"2026-11-26T12:00:00.123456Z","socket":"/tmp/..."}
 *
 * stdout is reserved for the handshake line; this module never writes there.
 * All functions are thread-safe: each line is built in memory and written
 * with a single locked write.
 */
#ifndef TFP_LOG_H
#define TFP_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "tfp_resource.h" /* tfp_level */
#include "tfp_type.h"     /* tfp_error */

/* Value of "@module" in every line. */
#define TFP_LOG_MODULE "provider.lambda"

/* Longest message kept; longer ones are cut (Terraform's line buffer is 64 KiB). */
#define TFP_LOG_MESSAGE_MAX 16384

/*
 * Parses a Terraform log level name ("trace", "DEBUG", "warn", "error",
 * "off", "json" = trace). Returns 0 and sets *out, or -1 for anything else.
 */
int tfp_log_level_parse(const char *name, tfp_level *out);

/*
 * Sets the threshold from TF_LOG_PROVIDER, else TF_LOG, else info. An
 * unrecognised value leaves info. Call once at start-up (not thread-safe with
 * concurrent logging).
 */
void tfp_log_init_from_env(void);

void tfp_log_set_level(tfp_level level);
tfp_level tfp_log_get_level(void);
bool tfp_log_enabled(tfp_level level);

/*
 * Redirects the output (default stderr). Borrowed: the stream must outlive
 * all logging. NULL restores stderr. For tests.
 */
void tfp_log_set_stream(FILE *stream);

/* Lowercase hclog name of a level: "trace", "debug", "info", "warn", "error". */
const char *tfp_log_level_name(tfp_level level);

/*
 * Formats one line (with the trailing '\n') for `message` and `nkv` key/value
 * pairs (`kv[2*i]` key, `kv[2*i+1]` value, values logged as JSON strings) at
 * time `when`. Returns a malloc'd NUL-terminated string the caller frees, or
 * NULL on allocation failure.
 */
char *tfp_log_format(tfp_level level, const struct timespec *when, const char *message,
                     const char *const *kv, size_t nkv);

/* Logs a printf-formatted message with no extra fields. */
void tfp_logf(tfp_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tfp_vlogf(tfp_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/*
 * Logs `message` with extra fields given as NULL-terminated key, value
 * string pairs: tfp_log_kv(TFP_LEVEL_DEBUG, "rpc done", "rpc", name, "ms", buf, NULL).
 */
void tfp_log_kv(tfp_level level, const char *message, ...) __attribute__((sentinel));

#endif
