/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/timer.c (ordering, cancel, re-arm) with a simulated clock. */
#include "harness.h"

#include <pvx/mm.h>
#include <pvx/percpu.h>
#include <pvx/timer.h>

#define NT 1000

static struct timer timers[NT];
static uint64_t fire_log[NT * 2];
static unsigned int fire_count;
static uint64_t sim_now;

static void record(void *data)
{
    struct timer *t = data;

    assert_true(t->expires <= sim_now); /* never early */
    fire_log[fire_count++] = t->expires;
}

static int setup(void **state)
{
    (void)state;
    harness_phys_init(16ULL << 20);
    frame_table = calloc(4096, sizeof(struct page_info));
    page_alloc_init(4096);
    page_alloc_add_range(0x100000, 16ULL << 20);
    return timer_init_cpu(0);
}

static int reset(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < NT; i++)
        if (timer_is_active(&timers[i]))
            stop_timer(&timers[i]);
    fire_count = 0;
    sim_now = 0;
    return 0;
}

static void test_random_order(void **state)
{
    (void)state;
    srand(1234);
    for (unsigned int i = 0; i < NT; i++) {
        init_timer(&timers[i], record, &timers[i], 0);
        set_timer(&timers[i], 1 + (uint64_t)(rand() % 100000));
    }
    /* The hardware timer is always armed for the earliest deadline. */
    assert_int_equal(harness_timer_deadline, timer_next_deadline(0));
    for (sim_now = 0; fire_count < NT; sim_now += 997)
        timer_expire(0, sim_now);
    for (unsigned int i = 1; i < NT; i++)
        assert_true(fire_log[i - 1] <= fire_log[i]);
    assert_int_equal(timer_next_deadline(0), UINT64_MAX);
    assert_int_equal(harness_timer_deadline, UINT64_MAX);
}

static void test_stop_and_rearm(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < 10; i++) {
        init_timer(&timers[i], record, &timers[i], 0);
        set_timer(&timers[i], 100 * (i + 1));
    }
    stop_timer(&timers[0]);    /* the earliest */
    stop_timer(&timers[5]);    /* one in the middle */
    stop_timer(&timers[5]);    /* stopping twice is harmless */
    set_timer(&timers[9], 50); /* re-arm the latest to be first */
    assert_int_equal(timer_next_deadline(0), 50);
    assert_int_equal(harness_timer_deadline, 50);
    set_timer(&timers[9], 5000); /* and back to last */
    assert_int_equal(timer_next_deadline(0), 200);
    sim_now = 10000;
    timer_expire(0, sim_now);
    assert_int_equal(fire_count, 8);
    assert_int_equal(fire_log[0], 200);
    assert_int_equal(fire_log[7], 5000);
    assert_false(timer_is_active(&timers[5]));
}

static unsigned int periodic_runs;
static struct timer periodic;

static void periodic_fn(void *data)
{
    (void)data;
    periodic_runs++;
    set_timer(&periodic, periodic.expires + 1000); /* a handler may re-arm itself */
}

static void test_handler_rearms(void **state)
{
    (void)state;
    periodic_runs = 0;
    init_timer(&periodic, periodic_fn, NULL, 0);
    set_timer(&periodic, 1000);
    timer_expire(0, 5500);
    /* Due at 1000..5000: five runs in one expiry pass, next at 6000. */
    assert_int_equal(periodic_runs, 5);
    assert_int_equal(timer_next_deadline(0), 6000);
    stop_timer(&periodic);
}

static void test_past_deadline_fires_next_pass(void **state)
{
    (void)state;
    sim_now = 1000;
    init_timer(&timers[0], record, &timers[0], 0);
    set_timer(&timers[0], 10);
    timer_expire(0, sim_now);
    assert_int_equal(fire_count, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_random_order, reset),
        cmocka_unit_test_setup(test_stop_and_rearm, reset),
        cmocka_unit_test_setup(test_handler_rearms, reset),
        cmocka_unit_test_setup(test_past_deadline_fires_next_pass, reset),
    };
    return cmocka_run_group_tests_name("timer", tests, setup, NULL);
}
