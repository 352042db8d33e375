/*
 * Tests for lp_buf: bounded array growth and the bounded byte buffer that
 * replace the packager's hand-written realloc doubling.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lp_buf.h"

static void an_array_grows_by_doubling_and_keeps_its_items(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 100; n++) {
        int *g = lp_buf_grow(a, &cap, n + 1, sizeof(*g), LP_BUF_UNBOUNDED);
        assert_non_null(g);
        a = g;
        a[n] = (int)n;
        assert_true(cap >= n + 1);
    }
    assert_int_equal(cap, 128); /* 16, 32, 64, 128 */
    for (size_t n = 0; n < 100; n++) {
        assert_int_equal(a[n], (int)n);
    }
    free(a);
}

static void an_array_never_grows_past_its_maximum(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    a = lp_buf_grow(a, &cap, 10, sizeof(*a), 20);
    assert_non_null(a);
    assert_int_equal(cap, 16);
    int *g = lp_buf_grow(a, &cap, 17, sizeof(*a), 20);
    assert_non_null(g);
    assert_int_equal(cap, 20); /* clipped at the maximum, not 32 */
    a = g;
    assert_null(lp_buf_grow(a, &cap, 21, sizeof(*a), 20));
    assert_int_equal(cap, 20); /* failure leaves the array as it was */
    free(a);
}

static void a_size_that_overflows_is_refused(void **state)
{
    (void)state;
    size_t cap = 0;
    assert_null(lp_buf_grow(NULL, &cap, SIZE_MAX / 8 + 1, 16, LP_BUF_UNBOUNDED));
    assert_int_equal(cap, 0);
}

static void a_buffer_appends_and_stays_terminated(void **state)
{
    (void)state;
    lp_buf b = LP_BUF_INIT(1000);
    assert_int_equal(lp_buf_add(&b, "abc", 3), 0);
    assert_int_equal(lp_buf_add(&b, "", 0), 0);
    assert_int_equal(lp_buf_add(&b, "de", 2), 0);
    assert_string_equal(b.data, "abcde");
    assert_int_equal(b.len, 5);
    lp_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    lp_buf_free(&b);
    assert_null(b.data);
    lp_buf_free(NULL);
}

static void a_buffer_refuses_content_past_its_maximum(void **state)
{
    (void)state;
    lp_buf b = LP_BUF_INIT(4);
    assert_int_equal(lp_buf_add(&b, "abcd", 4), 0);
    assert_int_equal(lp_buf_add(&b, "e", 1), LP_ELIMIT);
    assert_string_equal(b.data, "abcd");
    lp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_array_grows_by_doubling_and_keeps_its_items),
        cmocka_unit_test(an_array_never_grows_past_its_maximum),
        cmocka_unit_test(a_size_that_overflows_is_refused),
        cmocka_unit_test(a_buffer_appends_and_stays_terminated),
        cmocka_unit_test(a_buffer_refuses_content_past_its_maximum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
