/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cbuf.c: output waiting for the pty.  Discard keeps the oldest limit/2
 * and the newest limit/4 bytes once more than 5/4 of the limit waits;
 * keep drops nothing and reports full at the limit; the limit node is
 * parsed strictly and clamped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define LIMIT 4096u

static char *pattern(size_t n)
{
    char *p = malloc(n);

    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)(i * 31 + i / 256);
    return p;
}

static void test_roundtrip(void **state)
{
    struct cbuf b;
    const char *p;
    size_t n;
    char *data = pattern(3000);

    (void)state;
    cbuf_init(&b, LIMIT, false);
    assert_int_equal(cbuf_pending(&b), 0);
    assert_int_equal(cbuf_append(&b, data, 1000), 0);
    assert_int_equal(cbuf_append(&b, data + 1000, 2000), 0);
    p = cbuf_peek(&b, &n);
    assert_int_equal(n, 3000);
    assert_memory_equal(p, data, 3000);
    cbuf_consume(&b, 1200);
    p = cbuf_peek(&b, &n);
    assert_int_equal(n, 1800);
    assert_memory_equal(p, data + 1200, 1800);
    /* Appending after a partial consume keeps the order. */
    assert_int_equal(cbuf_append(&b, data, 500), 0);
    p = cbuf_peek(&b, &n);
    assert_int_equal(n, 2300);
    assert_memory_equal(p + 1800, data, 500);
    cbuf_consume(&b, n);
    assert_int_equal(cbuf_pending(&b), 0);
    assert_int_equal(b.discarded, 0);
    cbuf_free(&b);
    free(data);
}

/* One large burst while nobody reads: head and tail survive, the middle goes. */
static void test_discard_middle(void **state)
{
    struct cbuf b;
    const char *p;
    size_t n;
    char *data = pattern(10000);

    (void)state;
    cbuf_init(&b, LIMIT, false);
    assert_int_equal(cbuf_append(&b, data, 10000), 0);
    p = cbuf_peek(&b, &n);
    assert_int_equal(n, LIMIT / 2 + LIMIT / 4);
    assert_memory_equal(p, data, LIMIT / 2);
    assert_memory_equal(p + LIMIT / 2, data + 10000 - LIMIT / 4, LIMIT / 4);
    assert_int_equal(b.discarded, 10000 - (LIMIT / 2 + LIMIT / 4));
    assert_false(cbuf_full(&b)); /* discard mode never stops the ring */
    cbuf_free(&b);
    free(data);
}

/* Ring-sized appends: never more than 5/4 limit plus one append waits. */
static void test_discard_bounded(void **state)
{
    struct cbuf b;
    const char *p;
    size_t n, total = 0;
    char *data = pattern(2048);

    (void)state;
    cbuf_init(&b, LIMIT, false);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(cbuf_append(&b, data, 2048), 0);
        total += 2048;
        assert_true(cbuf_pending(&b) <= LIMIT + LIMIT / 4);
    }
    p = cbuf_peek(&b, &n);
    assert_int_equal(b.discarded + n, total);
    /* The very first bytes written are still first. */
    assert_memory_equal(p, data, 1024);
    cbuf_free(&b);
    free(data);
}

/* Bytes already sent do not count: only unsent output is bounded. */
static void test_discard_after_consume(void **state)
{
    struct cbuf b;
    const char *p;
    size_t n;
    char *data = pattern(5000);

    (void)state;
    cbuf_init(&b, LIMIT, false);
    assert_int_equal(cbuf_append(&b, data, 5000), 0); /* 5000 < 5/4 * 4096 */
    assert_int_equal(b.discarded, 0);
    cbuf_consume(&b, 4000);
    assert_int_equal(cbuf_append(&b, data, 3000), 0); /* 4000 waiting */
    assert_int_equal(b.discarded, 0);
    p = cbuf_peek(&b, &n);
    assert_int_equal(n, 4000);
    assert_memory_equal(p, data + 4000, 1000);
    assert_memory_equal(p + 1000, data, 3000);
    cbuf_free(&b);
    free(data);
}

static void test_keep(void **state)
{
    struct cbuf b;
    const char *p;
    size_t n;
    char *data = pattern(10000);

    (void)state;
    cbuf_init(&b, LIMIT, true);
    assert_int_equal(cbuf_append(&b, data, LIMIT - 1), 0);
    assert_false(cbuf_full(&b));
    assert_int_equal(cbuf_append(&b, data + LIMIT - 1, 10000 - (LIMIT - 1)), 0);
    assert_true(cbuf_full(&b));
    p = cbuf_peek(&b, &n);
    assert_int_equal(n, 10000); /* nothing dropped */
    assert_memory_equal(p, data, 10000);
    assert_int_equal(b.discarded, 0);
    cbuf_consume(&b, 10000 - LIMIT);
    assert_true(cbuf_full(&b)); /* exactly the limit still waits */
    cbuf_consume(&b, 1);
    assert_false(cbuf_full(&b));
    cbuf_free(&b);
    free(data);
}

/* A drained buffer gives back what a burst made it take. */
static void test_shrinks_when_empty(void **state)
{
    struct cbuf b;
    char *data = pattern(200000);

    (void)state;
    cbuf_init(&b, CBUF_LIMIT_DEFAULT, false);
    assert_int_equal(cbuf_append(&b, data, 200000), 0);
    assert_true(b.cap >= 200000);
    cbuf_consume(&b, 200000);
    assert_int_equal(b.cap, 0);
    assert_null(b.data);
    cbuf_free(&b);
    free(data);
}

static void test_limit_node(void **state)
{
    (void)state;
    assert_int_equal(cbuf_limit_from("1048576"), 1048576);
    assert_int_equal(cbuf_limit_from("65536"), 65536);
    assert_int_equal(cbuf_limit_from(NULL), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from(""), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from("0"), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from("-5"), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from(" 5000"), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from("12x"), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from("0x1000"), CBUF_LIMIT_DEFAULT);
    assert_int_equal(cbuf_limit_from("100"), CBUF_LIMIT_MIN);
    assert_int_equal(cbuf_limit_from("99999999999999"), CBUF_LIMIT_MAX);
    assert_int_equal(cbuf_limit_from("99999999999999999999999"), CBUF_LIMIT_DEFAULT);
}

int unit_cbuf(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_discard_middle),
        cmocka_unit_test(test_discard_bounded),
        cmocka_unit_test(test_discard_after_consume),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_shrinks_when_empty),
        cmocka_unit_test(test_limit_node),
    };

    return cmocka_run_group_tests_name("cbuf", tests, NULL, NULL);
}
