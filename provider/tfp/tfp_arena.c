/*
 * tfp_arena: bounded bump allocator for one request.
 *
 * Memory comes in chunks (malloc); small allocations are carved from the
 * current chunk, large ones get a chunk of their own. The sum of sizes handed
 * out is checked against the limit before anything is allocated, so a hostile
 * length in a request ends in a NULL return, not an abort or an OOM kill.
 * This module must not know about values or requests, and must not free
 * single allocations.
 */
#include "tfp_arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN _Alignof(max_align_t)
#define CHUNK_SIZE ((size_t)64 * 1024)

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    max_align_t data[]; /* aligned payload */
} chunk;

struct tfp_arena {
    chunk *head; /* current chunk first */
    size_t limit;
    size_t used; /* bytes handed out, rounded to ALIGN */
};

tfp_arena *tfp_arena_new(size_t limit)
{
    tfp_arena *arena = calloc(1, sizeof(*arena));
    if (arena == NULL) {
        return NULL;
    }
    arena->limit = limit == 0 ? TFP_ARENA_DEFAULT_LIMIT : limit;
    return arena;
}

void tfp_arena_free(tfp_arena *arena)
{
    if (arena == NULL) {
        return;
    }
    chunk *c = arena->head;
    while (c != NULL) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(arena);
}

static chunk *new_chunk(size_t size)
{
    chunk *c = malloc(sizeof(chunk) + size);
    if (c == NULL) {
        return NULL;
    }
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *tfp_arena_alloc(tfp_arena *arena, size_t size)
{
    if (arena == NULL) {
        return NULL;
    }
    size_t rounded = size == 0 ? ALIGN : size;
    if (rounded > arena->limit) {
        return NULL;
    }
    rounded = (rounded + ALIGN - 1) & ~(ALIGN - 1);
    if (rounded > arena->limit - arena->used) {
        return NULL;
    }
    chunk *c = arena->head;
    if (c == NULL || c->size - c->used < rounded) {
        if (rounded > CHUNK_SIZE / 4) {
            /* Big block: own chunk, linked behind the current one so the
             * current chunk's free space stays in use. */
            chunk *big = new_chunk(rounded);
            if (big == NULL) {
                return NULL;
            }
            big->used = rounded;
            if (c == NULL) {
                arena->head = big;
            } else {
                big->next = c->next;
                c->next = big;
            }
            arena->used += rounded;
            memset(big->data, 0, rounded);
            return big->data;
        }
        c = new_chunk(CHUNK_SIZE);
        if (c == NULL) {
            return NULL;
        }
        c->next = arena->head;
        arena->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += rounded;
    arena->used += rounded;
    memset(p, 0, rounded);
    return p;
}

void *tfp_arena_array(tfp_arena *arena, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    return tfp_arena_alloc(arena, n * size);
}

void *tfp_arena_grow(tfp_arena *arena, void *old, size_t old_n, size_t new_n, size_t size)
{
    if (new_n < old_n) {
        return NULL;
    }
    void *p = tfp_arena_array(arena, new_n, size);
    if (p != NULL && old != NULL && old_n > 0) {
        memcpy(p, old, old_n * size);
    }
    return p;
}

void *tfp_arena_memdup(tfp_arena *arena, const void *p, size_t n)
{
    if (n == SIZE_MAX) {
        return NULL;
    }
    char *copy = tfp_arena_alloc(arena, n + 1);
    if (copy == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(copy, p, n);
    }
    copy[n] = '\0';
    return copy;
}

char *tfp_arena_strdup(tfp_arena *arena, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    return tfp_arena_memdup(arena, s, strlen(s));
}

char *tfp_arena_strndup(tfp_arena *arena, const char *s, size_t n)
{
    if (s == NULL) {
        return NULL;
    }
    return tfp_arena_memdup(arena, s, strnlen(s, n));
}

char *tfp_arena_vsprintf(tfp_arena *arena, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        return NULL;
    }
    char *s = tfp_arena_alloc(arena, (size_t)n + 1);
    if (s == NULL) {
        return NULL;
    }
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *tfp_arena_sprintf(tfp_arena *arena, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = tfp_arena_vsprintf(arena, fmt, ap);
    va_end(ap);
    return s;
}

size_t tfp_arena_used(const tfp_arena *arena)
{
    return arena == NULL ? 0 : arena->used;
}
