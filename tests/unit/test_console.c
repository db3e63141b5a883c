/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/console.c (log ring, console= option). */
#include "harness.h"
#include "timer_stub.h"

#include <pvx/console.h>
#include <pvx/event.h>
#include <pvx/lib.h>
#include <pvx/time.h>
#include <pvx/timer.h>

/* Stand-ins for the timer, clock and event channels console.c uses. */
static unsigned int virqs_sent, rings_polled;

void console_rings_poll(void)
{
    rings_polled++;
}

void send_global_virq(unsigned int virq)
{
    assert_int_equal(virq, 2 /* VIRQ_CONSOLE */);
    virqs_sent++;
}

/* No domUs here (test_console_input.c has them): input always goes to dom0. */
struct domain *console_ring_find(domid_t id)
{
    (void)id;
    return NULL;
}

struct domain *console_ring_next(domid_t after)
{
    (void)after;
    return NULL;
}

size_t console_ring_input(struct domain *d, const char *buf, size_t len)
{
    (void)d;
    (void)buf;
    (void)len;
    fail();
    return 0;
}

struct domain *domain_lookup(domid_t id)
{
    (void)id;
    return NULL;
}
#include <pvx/param.h>

static void test_ring_keeps_latest(void **state)
{
    static char big[CONSOLE_RING_SIZE + 100];
    static char out[CONSOLE_RING_SIZE + 100];
    uint64_t pos = 0, start = console_ring_written();
    (void)state;

    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    console_write(big, sizeof(big));
    assert_int_equal(console_ring_written(), start + sizeof(big));
    /* A reader at 0 lost the overwritten bytes and gets the newest ring-full. */
    size_t n = console_ring_read(out, sizeof(out), &pos);
    assert_int_equal(n, CONSOLE_RING_SIZE);
    assert_memory_equal(out, big + sizeof(big) - CONSOLE_RING_SIZE, CONSOLE_RING_SIZE);
    assert_int_equal(pos, console_ring_written());
    /* Nothing new: nothing read. */
    assert_int_equal(console_ring_read(out, sizeof(out), &pos), 0);
}

static void test_ring_incremental_reads(void **state)
{
    char out[16];
    uint64_t pos = console_ring_written();
    (void)state;

    printk("hello %d\n", 42);
    assert_int_equal(console_ring_read(out, 5, &pos), 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(console_ring_read(out, sizeof(out), &pos), 4);
    assert_memory_equal(out, " 42\n", 4);
}

static void test_console_option(void **state)
{
    (void)state;
    assert_int_equal(parse_params("console=com1,9600", __start_pvx_params, __stop_pvx_params), 0);
    assert_int_equal(parse_params("console=com2", __start_pvx_params, __stop_pvx_params), 0);
    assert_int_equal(parse_params("console=none", __start_pvx_params, __stop_pvx_params), 0);
    assert_int_equal(parse_params("console=com3 console=com1,7 console=com1,abc console",
                                  __start_pvx_params, __stop_pvx_params),
                     4);
}

static void test_console_input(void **state)
{
    static char big[1500];
    char out[2048];
    (void)state;

    assert_int_equal(parse_params("console=com1", __start_pvx_params, __stop_pvx_params), 0);
    console_input_start();
    assert_non_null(stub_armed_timer);
    /* Nothing typed: no event, nothing to read, the poll re-arms itself. */
    stub_armed_timer->fn(stub_armed_timer->data);
    assert_int_equal(virqs_sent, 0);
    assert_int_equal(rings_polled, 1); /* the domU console rings ride on the same poll */
    assert_int_equal(console_input_read(out, sizeof(out)), 0);
    /* Typed bytes arrive in order, with one VIRQ_CONSOLE per poll. */
    harness_serial_input = "ls -l\r";
    stub_armed_timer->fn(stub_armed_timer->data);
    assert_int_equal(virqs_sent, 1);
    assert_int_equal(console_input_read(out, 3), 3);
    assert_memory_equal(out, "ls ", 3);
    assert_int_equal(console_input_read(out, sizeof(out)), 3);
    assert_memory_equal(out, "-l\r", 3);
    /* More than the ring holds: the excess is dropped, never overwritten. */
    memset(big, 'x', sizeof(big) - 1);
    big[0] = 'A';
    harness_serial_input = big;
    stub_armed_timer->fn(stub_armed_timer->data);
    assert_int_equal(console_input_read(out, sizeof(out)), 1024);
    assert_int_equal(out[0], 'A');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_keeps_latest),
        cmocka_unit_test(test_ring_incremental_reads),
        cmocka_unit_test(test_console_option),
        cmocka_unit_test(test_console_input),
    };
    return cmocka_run_group_tests_name("console", tests, NULL, NULL);
}
