/*
 * tfp_arena: a bounded bump allocator, one per RPC request.
 *
 * Everything a request decodes or builds (values, types from dynamic values,
 * diagnostics, encoded msgpack, paths) is allocated from the request's arena
 * and released all at once by tfp_arena_free. Nothing allocated from an arena
 * is ever freed on its own.
 *
 * The arena has a hard limit on the total bytes it hands out (default
 * TFP_ARENA_DEFAULT_LIMIT). Past the limit, or when malloc fails, the
 * allocation functions return NULL; they never abort. Callers turn a NULL into
 * an error (TFP_ENOMEM) or a diagnostic.
 *
 * An arena is NOT thread-safe: use one per request/thread. Long-lived data
 * (a provider's schema types) lives in an arena owned by the tfp_provider.
 */
#ifndef TFP_ARENA_H
#define TFP_ARENA_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* 256 MiB: the most one request may allocate. */
#define TFP_ARENA_DEFAULT_LIMIT ((size_t)256 * 1024 * 1024)

typedef struct tfp_arena tfp_arena;

/*
 * A borrowed run of bytes (msgpack, JSON, private data). Who owns `data` is
 * stated wherever a tfp_bytes appears; {NULL, 0} means "absent/empty".
 */
typedef struct tfp_bytes {
    const uint8_t *data;
    size_t len;
} tfp_bytes;

/*
 * Creates an arena that hands out at most `limit` bytes in total (0 means
 * TFP_ARENA_DEFAULT_LIMIT). Returns NULL when out of memory.
 * Caller frees with tfp_arena_free.
 */
tfp_arena *tfp_arena_new(size_t limit);

/* Frees the arena and everything allocated from it. Accepts NULL. */
void tfp_arena_free(tfp_arena *arena);

/*
 * Returns `size` zeroed bytes aligned for any type (max_align_t), valid until
 * tfp_arena_free. size 0 returns a valid unique pointer. NULL when the limit
 * would be exceeded or malloc fails.
 */
void *tfp_arena_alloc(tfp_arena *arena, size_t size);

/* tfp_arena_alloc(n * size) with overflow check; NULL on overflow. */
void *tfp_arena_array(tfp_arena *arena, size_t n, size_t size);

/*
 * Grows an array previously returned by tfp_arena_array/alloc from old_n to
 * new_n elements of `size` bytes (copying; the old block is simply abandoned
 * in the arena). NULL on overflow/limit; the old block stays valid then.
 */
void *tfp_arena_grow(tfp_arena *arena, void *old, size_t old_n, size_t new_n, size_t size);

/* Copies n bytes; the copy is followed by a NUL byte (not counted). */
void *tfp_arena_memdup(tfp_arena *arena, const void *p, size_t n);

/* Copies a NUL-terminated string. NULL in -> NULL out. */
char *tfp_arena_strdup(tfp_arena *arena, const char *s);

/* Copies at most n bytes of s and NUL-terminates. */
char *tfp_arena_strndup(tfp_arena *arena, const char *s, size_t n);

/* printf into a fresh arena string. NULL on failure. */
char *tfp_arena_sprintf(tfp_arena *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *tfp_arena_vsprintf(tfp_arena *arena, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Bytes handed out so far (for tests and logging). */
size_t tfp_arena_used(const tfp_arena *arena);

#endif
