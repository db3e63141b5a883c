/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ratelimit.c: 29 events flow at once, the 30th leaves the port masked
 * until the 200 ms period ends; a flooding guest gets at most its
 * allowance per period.
 */
#include "unit.h"

static void test_allowance(void **state)
{
    struct ratelimit r;

    (void)state;
    ratelimit_init(&r, 1000);
    assert_int_equal(ratelimit_deadline(&r), -1);
    for (int i = 1; i < RATELIMIT_EVENTS; i++)
        assert_true(ratelimit_event(&r));
    assert_false(ratelimit_event(&r)); /* the 30th */
    assert_int_equal(ratelimit_deadline(&r), 1000 + RATELIMIT_PERIOD_MS);
    assert_false(ratelimit_ready(&r, 1000 + RATELIMIT_PERIOD_MS - 1));
    assert_true(ratelimit_ready(&r, 1000 + RATELIMIT_PERIOD_MS));
    assert_int_equal(ratelimit_deadline(&r), -1);
    assert_int_equal(r.period_end, 1000 + 2 * RATELIMIT_PERIOD_MS);
}

/* A quiet period resets the count even when the source was never throttled. */
static void test_period_resets(void **state)
{
    struct ratelimit r;

    (void)state;
    ratelimit_init(&r, 0);
    for (int i = 1; i < RATELIMIT_EVENTS; i++)
        assert_true(ratelimit_event(&r));
    assert_true(ratelimit_ready(&r, RATELIMIT_PERIOD_MS + 50));
    assert_int_equal(r.count, 0);
    assert_true(ratelimit_event(&r));
}

/*
 * A guest notifying every millisecond for two seconds, handled as the
 * daemon does (an event only while unmasked; unmasked again at once while
 * within the allowance, else when the period ends): at most
 * the allowance per period gets through.
 */
static void test_flood(void **state)
{
    struct ratelimit r;
    bool masked = false;
    int handled = 0;

    (void)state;
    ratelimit_init(&r, 0);
    for (int64_t now = 0; now < 2000; now++) {
        if (masked && ratelimit_ready(&r, now))
            masked = false;
        if (!masked) {
            /* console_event: delivery masks, then console_tick may unmask. */
            handled++;
            ratelimit_event(&r);
            masked = !ratelimit_ready(&r, now);
        }
    }
    assert_true(handled <= (2000 / RATELIMIT_PERIOD_MS + 1) * RATELIMIT_EVENTS);
    assert_true(handled >= (2000 / RATELIMIT_PERIOD_MS) * (RATELIMIT_EVENTS - 1));
}

int unit_ratelimit(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowance),
        cmocka_unit_test(test_period_resets),
        cmocka_unit_test(test_flood),
    };

    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
