// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lock discipline (pvx/spinlock.h): a lock taken out of order is
 * caught, the hypervisor lock nests for its CPU and is dropped whole on
 * the way to a guest, and a spin answers cross-CPU calls meanwhile.
 */
#include "harness.h"

#include <pvx/percpu.h>
#include <pvx/spinlock.h>

static unsigned int hook_calls;
static spinlock_t *release_on_spin; /* the "other CPU" lets go after a few spins */

void spin_wait_hook(void)
{
    if (++hook_calls == 3 && release_on_spin)
        __atomic_store_n(&release_on_spin->locked, 0, __ATOMIC_RELEASE);
}

static int reset(void **state)
{
    (void)state;
    per_cpu(0)->locks_held = 0;
    per_cpu(0)->hv_depth = 0;
    hook_calls = 0;
    release_on_spin = NULL;
    return 0;
}

static void test_in_order(void **state)
{
    spinlock_t call = SPINLOCK_INIT("call", LOCK_LEVEL_CALL);
    spinlock_t dump = SPINLOCK_INIT("dump", LOCK_LEVEL_DUMP);

    (void)state;
    hv_lock();
    spin_lock(&call);
    spin_lock(&dump);
    assert_true(spin_level_held(LOCK_LEVEL_CALL));
    spin_unlock(&dump);
    spin_unlock(&call);
    hv_unlock();
    assert_int_equal(per_cpu(0)->locks_held, 0);
}

static void test_wrong_order_caught(void **state)
{
    spinlock_t call = SPINLOCK_INIT("call", LOCK_LEVEL_CALL);
    spinlock_t dump = SPINLOCK_INIT("dump", LOCK_LEVEL_DUMP);

    (void)state;
    spin_lock(&dump);
    expect_assert_failure(spin_lock(&call)); /* lower level while holding a higher */
    expect_assert_failure(spin_lock(&dump)); /* the same level twice */
    expect_assert_failure(hv_lock());        /* the hypervisor lock inside a spinlock */
    spin_unlock(&dump);
    assert_false(call.locked);
}

static void test_hv_lock_nests(void **state)
{
    (void)state;
    hv_lock();
    hv_lock(); /* an interrupt taken in pvx */
    assert_true(hv_lock_held());
    hv_unlock();
    assert_true(hv_lock_held());
    hv_lock();
    hv_unlock_all(); /* the return to a guest */
    assert_false(hv_lock_held());
    assert_int_equal(per_cpu(0)->locks_held, 0);
    hv_lock(); /* free again */
    assert_int_equal(hv_unlock_for_wait(), 1);
    assert_false(hv_lock_held());
    hv_relock_after_wait(1);
    assert_true(hv_lock_held());
    hv_unlock();
}

static void test_spin_answers_calls(void **state)
{
    spinlock_t call = SPINLOCK_INIT("call", LOCK_LEVEL_CALL);

    (void)state;
    call.locked = 1; /* held by "another CPU" */
    release_on_spin = &call;
    assert_false(spin_trylock(&call));
    spin_lock(&call);
    assert_int_equal(hook_calls, 3);
    spin_unlock(&call);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_in_order, reset),
        cmocka_unit_test_setup(test_wrong_order_caught, reset),
        cmocka_unit_test_setup(test_hv_lock_nests, reset),
        cmocka_unit_test_setup(test_spin_answers_calls, reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
