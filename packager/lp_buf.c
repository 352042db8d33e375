/*
 * lp_buf: bounded growth of arrays and byte buffers (see lp_buf.h).
 */
#include "lp_buf.h"

#include <stdlib.h>
#include <string.h>

void *lp_buf_grow(void *p, size_t *cap, size_t need, size_t elem, size_t max)
{
    if (need <= *cap) {
        return p;
    }
    if (need > max || elem == 0 || need > SIZE_MAX / elem) {
        return NULL;
    }
    size_t nc = *cap != 0 ? *cap : LP_BUF_MIN_ELEMS;
    while (nc < need) {
        nc = nc > SIZE_MAX / 2 ? SIZE_MAX : nc * 2;
    }
    if (nc > max) {
        nc = max;
    }
    if (nc > SIZE_MAX / elem) {
        nc = need;
    }
    void *np = realloc(p, nc * elem);
    if (np == NULL) {
        return NULL;
    }
    *cap = nc;
    return np;
}

int lp_buf_add(lp_buf *b, const void *data, size_t n)
{
    if (n > b->max || b->len > b->max - n) {
        return LP_ELIMIT;
    }
    /* +1 keeps room for the terminating NUL. */
    char *g = lp_buf_grow(b->data, &b->cap, b->len + n + 1, 1, SIZE_MAX);
    if (g == NULL) {
        return LP_ENOMEM;
    }
    b->data = g;
    if (n > 0) {
        memcpy(b->data + b->len, data, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

void lp_buf_reset(lp_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

void lp_buf_free(lp_buf *b)
{
    if (b == NULL) {
        return;
    }
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
