/*
 * lp_buf: growth with a bound, written once (as curl's dynbuf).
 *
 * lp_buf_grow grows a typed array in place of the hand-written realloc
 * doubling: capacity doubles from LP_BUF_MIN_ELEMS, never past `max`
 * elements, with overflow checked. lp_buf is a byte buffer with a maximum
 * length for text built piece by piece.
 */
#ifndef LP_BUF_H
#define LP_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"

/* First capacity of an array that grows from empty. */
#define LP_BUF_MIN_ELEMS 16
/* `max` for an array whose only bound is memory. */
#define LP_BUF_UNBOUNDED SIZE_MAX

/*
 * Returns p grown so it holds at least `need` elements of `elem` bytes
 * (*cap updated), or NULL with p and *cap untouched when need exceeds max or
 * the allocation fails. Typical use:
 *
 *   item *g = lp_buf_grow(a->items, &a->cap, a->n + 1, sizeof(*g), MAX_ITEMS);
 *   if (g == NULL) return lp_error_nomem(err);
 *   a->items = g;
 */
void *lp_buf_grow(void *p, size_t *cap, size_t need, size_t elem, size_t max);

typedef struct lp_buf {
    char *data; /* NUL-terminated when len > 0; NULL until the first add */
    size_t len;
    size_t cap;
    size_t max; /* longest content allowed */
} lp_buf;

#define LP_BUF_INIT(max_len)                                                                       \
    {                                                                                              \
        .data = NULL, .len = 0, .cap = 0, .max = (max_len)                                         \
    }

/* Appends n bytes. Returns 0, LP_ELIMIT (would pass max) or LP_ENOMEM; on
 * failure the content is unchanged. */
int lp_buf_add(lp_buf *b, const void *data, size_t n);

/* Empties the buffer, keeping its memory. */
void lp_buf_reset(lp_buf *b);

/* Frees the memory and resets to empty. Accepts NULL. */
void lp_buf_free(lp_buf *b);

#endif
