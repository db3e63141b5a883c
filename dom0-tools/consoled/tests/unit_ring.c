/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.c against a fake ring in memory, the test playing the guest: output
 * drained in order across the array's end and the index's 2^32 wrap,
 * input that never passes in_cons, and guests that write garbage indexes
 * (every value is refused before a byte moves).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define OUT_SIZE 2048u
#define IN_SIZE  1024u

static struct xencons_interface *new_page(XENCONS_RING_IDX out_idx, XENCONS_RING_IDX in_idx)
{
    struct xencons_interface *intf = aligned_alloc(4096, 4096);

    assert_non_null(intf);
    memset(intf, 0, 4096);
    intf->out_cons = intf->out_prod = out_idx;
    intf->in_cons = intf->in_prod = in_idx;
    return intf;
}

/* The guest writes n bytes of output and publishes them. */
static void guest_write(struct xencons_interface *intf, const char *s, size_t n)
{
    XENCONS_RING_IDX prod = intf->out_prod;

    for (size_t i = 0; i < n; i++)
        intf->out[MASK_XENCONS_IDX(prod++, intf->out)] = s[i];
    intf->out_prod = prod;
}

/* The guest reads up to max bytes of pending input into buf (returns the count). */
static size_t guest_read(struct xencons_interface *intf, char *buf, size_t max)
{
    size_t n = 0;

    while (n < max && intf->in_cons != intf->in_prod)
        buf[n++] = intf->in[MASK_XENCONS_IDX(intf->in_cons++, intf->in)];
    return n;
}

static void test_output_in_order(void **state)
{
    struct xencons_interface *intf = new_page(0, 0);
    struct cons_ring r;
    char buf[OUT_SIZE];

    (void)state;
    assert_int_equal(ring_attach(&r, intf), 0);
    assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), 0);
    guest_write(intf, "hello\r\n", 7);
    assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), 7);
    assert_memory_equal(buf, "hello\r\n", 7);
    assert_int_equal(intf->out_cons, 7); /* published to the guest */
    assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), 0);
    free(intf);
}

/* Across the end of out[] and across 2^32: same bytes, same order. */
static void test_output_wraps(void **state)
{
    static const XENCONS_RING_IDX starts[] = {OUT_SIZE - 3, 0xfffffff0u, 0xffffffffu};
    char msg[600], buf[OUT_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)('a' + i % 26);
    for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
        struct xencons_interface *intf = new_page(starts[s], 0);
        struct cons_ring r;

        assert_int_equal(ring_attach(&r, intf), 0);
        guest_write(intf, msg, sizeof(msg));
        assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), sizeof(msg));
        assert_memory_equal(buf, msg, sizeof(msg));
        assert_int_equal(intf->out_cons, (XENCONS_RING_IDX)(starts[s] + sizeof(msg)));
        free(intf);
    }
}

/* A full ring (exactly 2048 pending) is legal; a smaller max takes a part. */
static void test_output_full_and_partial(void **state)
{
    struct xencons_interface *intf = new_page(100, 0);
    struct cons_ring r;
    char msg[OUT_SIZE], buf[OUT_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)i;
    assert_int_equal(ring_attach(&r, intf), 0);
    guest_write(intf, msg, sizeof(msg));
    assert_int_equal(ring_read_out(&r, buf, 10), 10);
    assert_memory_equal(buf, msg, 10);
    assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), OUT_SIZE - 10);
    assert_memory_equal(buf, msg + 10, OUT_SIZE - 10);
    free(intf);
}

static void test_output_garbage(void **state)
{
    static const XENCONS_RING_IDX bad[] = {OUT_SIZE + 1, 0x80000000u, 0xffffffffu, 5000};
    char buf[OUT_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct xencons_interface *intf = new_page(40, 0);
        struct cons_ring r;

        assert_int_equal(ring_attach(&r, intf), 0);
        intf->out_prod = 40 + bad[i];
        assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), -EIO);
        assert_int_equal(intf->out_cons, 40); /* nothing consumed */
        assert_int_equal(r.out_cons, 40);
        free(intf);
    }
}

/* Our out_cons is ours: a guest scribbling over the page's copy changes nothing. */
static void test_output_private_cons(void **state)
{
    struct xencons_interface *intf = new_page(0, 0);
    struct cons_ring r;
    char buf[OUT_SIZE];

    (void)state;
    assert_int_equal(ring_attach(&r, intf), 0);
    guest_write(intf, "abc", 3);
    intf->out_cons = 0xdeadbeef;
    assert_int_equal(ring_read_out(&r, buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "abc", 3);
    free(intf);
}

static void test_attach_garbage(void **state)
{
    struct xencons_interface *intf = new_page(0, 0);
    struct cons_ring r;

    (void)state;
    intf->out_prod = OUT_SIZE + 1;
    assert_int_equal(ring_attach(&r, intf), -EIO);
    intf->out_prod = 0;
    intf->in_cons = 7; /* the guest claims input we never wrote */
    assert_int_equal(ring_attach(&r, intf), -EIO);
    intf->in_cons = 0;
    assert_int_equal(ring_attach(&r, intf), 0);
    free(intf);
}

/* Input fills exactly the free space and never writes a byte the guest
 * has not consumed yet. */
static void test_input_never_passes_cons(void **state)
{
    struct xencons_interface *intf = new_page(0, 0xfffffe00u);
    struct cons_ring r;
    char src[3000], got[IN_SIZE], sentinel[IN_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(src); i++)
        src[i] = (char)(i * 7);
    assert_int_equal(ring_attach(&r, intf), 0);
    assert_int_equal(ring_in_space(&r), IN_SIZE);
    assert_int_equal(ring_write_in(&r, src, sizeof(src)), IN_SIZE);
    assert_int_equal((XENCONS_RING_IDX)(intf->in_prod - intf->in_cons), IN_SIZE);
    memcpy(sentinel, intf->in, IN_SIZE);
    assert_int_equal(ring_in_space(&r), 0);
    assert_int_equal(ring_write_in(&r, src, sizeof(src)), 0);
    assert_memory_equal(intf->in, sentinel, IN_SIZE); /* full: untouched */

    /* The guest takes 100 bytes: exactly 100 more fit, across 2^32. */
    assert_int_equal(guest_read(intf, got, 100), 100);
    assert_memory_equal(got, src, 100);
    assert_int_equal(ring_in_space(&r), 100);
    assert_int_equal(ring_write_in(&r, src + IN_SIZE, 500), 100);
    assert_int_equal((XENCONS_RING_IDX)(intf->in_prod - intf->in_cons), IN_SIZE);
    /* What the guest reads next is the input in order, nothing overwritten. */
    assert_int_equal(guest_read(intf, got, IN_SIZE), IN_SIZE);
    assert_memory_equal(got, src + 100, IN_SIZE);
    free(intf);
}

static void test_input_garbage(void **state)
{
    static const XENCONS_RING_IDX bad[] = {1, IN_SIZE + 1, 0x7fffffffu};
    char sentinel[IN_SIZE];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct xencons_interface *intf = new_page(0, 50);
        struct cons_ring r;

        assert_int_equal(ring_attach(&r, intf), 0);
        memcpy(sentinel, intf->in, IN_SIZE);
        /* in_cons ahead of in_prod, or too far behind it. */
        intf->in_cons = i == 0 ? 50 + bad[i] : 50 - bad[i];
        assert_int_equal(ring_in_space(&r), -EIO);
        assert_int_equal(ring_write_in(&r, "x", 1), -EIO);
        assert_int_equal(intf->in_prod, 50);
        assert_memory_equal(intf->in, sentinel, IN_SIZE);
        free(intf);
    }
}

/* Random index values: garbage is refused, anything else moves exactly what it allows. */
static void test_random_indexes(void **state)
{
    struct xencons_interface *intf = new_page(0, 0);
    char buf[OUT_SIZE];

    (void)state;
    srand(12345);
    for (int i = 0; i < 20000; i++) {
        XENCONS_RING_IDX oc = (XENCONS_RING_IDX)rand(), ip = (XENCONS_RING_IDX)rand();
        XENCONS_RING_IDX prod = oc + (XENCONS_RING_IDX)(rand() % 4096);
        XENCONS_RING_IDX cons = ip - (XENCONS_RING_IDX)(rand() % 2048);
        struct cons_ring r = {.intf = intf, .out_cons = oc, .in_prod = ip};
        int n;

        intf->out_prod = prod;
        intf->in_cons = cons;
        n = ring_read_out(&r, buf, sizeof(buf));
        if ((XENCONS_RING_IDX)(prod - oc) > OUT_SIZE) {
            assert_int_equal(n, -EIO);
            assert_int_equal(r.out_cons, oc);
        } else {
            assert_int_equal(n, (int)(XENCONS_RING_IDX)(prod - oc));
            assert_int_equal(r.out_cons, prod);
        }
        n = ring_write_in(&r, buf, sizeof(buf));
        if ((XENCONS_RING_IDX)(ip - cons) > IN_SIZE) {
            assert_int_equal(n, -EIO);
            assert_int_equal(r.in_prod, ip);
        } else {
            assert_int_equal(n, (int)(IN_SIZE - (XENCONS_RING_IDX)(ip - cons)));
            assert_int_equal((XENCONS_RING_IDX)(r.in_prod - cons), IN_SIZE);
        }
    }
    free(intf);
}

int unit_ring(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_in_order),         cmocka_unit_test(test_output_wraps),
        cmocka_unit_test(test_output_full_and_partial), cmocka_unit_test(test_output_garbage),
        cmocka_unit_test(test_output_private_cons),     cmocka_unit_test(test_attach_garbage),
        cmocka_unit_test(test_input_never_passes_cons), cmocka_unit_test(test_input_garbage),
        cmocka_unit_test(test_random_indexes),
    };

    return cmocka_run_group_tests_name("ring", tests, NULL, NULL);
}
