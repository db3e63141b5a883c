// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cross-CPU calls (hypervisor/smp.c): a call reaches the other online CPUs
 * in its mask and returns only once each has run the function, however
 * late; only the caller's own waiting counts towards reporting a silent
 * CPU, and one silent for a minute of it stops pvx.  The other CPUs are
 * played by the spin's pause: when a CPU's turn comes, the test runs the
 * real call interrupt handler as that CPU.
 */
#include "harness.h"

#include <pvx/arch.h>
#include <pvx/smp.h>
#include <pvx/time.h>

static uint64_t clock_ns;     /* what NOW() reads */
static uint64_t step_ns;      /* how far each pause moves the clock */
static uint64_t online;       /* arch_cpu_online_map() */
static uint64_t answer_at[4]; /* CPU i answers once the clock passes this (0: never) */
static uint64_t ipis_sent;    /* every mask handed to arch_send_call_ipi, or-ed */
static unsigned int ipi_calls;
static unsigned int ran_on[4];     /* the call's function, by the CPU that ran it */
static unsigned int flushed_on[4]; /* arch_flush_tlb_local(), by CPU */

uint64_t now_ns(void)
{
    return clock_ns;
}

uint64_t arch_cpu_online_map(void)
{
    return online;
}

void arch_send_call_ipi(uint64_t mask)
{
    ipis_sent |= mask;
    ipi_calls++;
}

void arch_flush_tlb_local(void)
{
    flushed_on[harness_cpu]++;
}

void arch_cpu_relax(void)
{
    clock_ns += step_ns;
    for (unsigned int cpu = 1; cpu < 4; cpu++) {
        if (!answer_at[cpu] || clock_ns < answer_at[cpu] || !(ipis_sent & cpumask_of(cpu)))
            continue;
        harness_cpu = cpu;
        smp_call_function_interrupt();
        harness_cpu = 0;
    }
}

static void note_cpu(void *data)
{
    (void)data;
    ran_on[harness_cpu]++;
}

static int reset(void **state)
{
    (void)state;
    clock_ns = SECONDS(1);
    step_ns = MICROSECS(100);
    online = 0xf;
    memset(answer_at, 0, sizeof(answer_at));
    ipis_sent = 0;
    ipi_calls = 0;
    memset(ran_on, 0, sizeof(ran_on));
    memset(flushed_on, 0, sizeof(flushed_on));
    harness_cpu = 0;
    harness_log_reset();
    return 0;
}

static void test_reaches_other_online_cpus(void **state)
{
    (void)state;
    online = 0x7; /* CPU 3 is not up */
    answer_at[1] = answer_at[2] = answer_at[3] = clock_ns + MILLISECS(1);
    smp_call_function_mask(~(cpumask_t)0, note_cpu, NULL);
    assert_int_equal(ipis_sent, 0x6);
    assert_int_equal(ran_on[0], 0);
    assert_int_equal(ran_on[1], 1);
    assert_int_equal(ran_on[2], 1);
    assert_int_equal(ran_on[3], 0);
    assert_false(harness_log_contains("SMP:"));
}

static void test_nothing_to_call(void **state)
{
    (void)state;
    smp_call_function_mask(cpumask_of(0), note_cpu, NULL); /* only this CPU */
    online = 0x1;
    smp_call_function_mask(~(cpumask_t)0, note_cpu, NULL); /* nobody else is up */
    assert_int_equal(ipi_calls, 0);
    assert_int_equal(ran_on[0], 0);
}

/* A stray call IPI, or one answered from a spin already, runs nothing. */
static void test_stray_interrupt_runs_nothing(void **state)
{
    (void)state;
    harness_cpu = 2;
    smp_call_function_interrupt();
    harness_cpu = 0;
    answer_at[1] = clock_ns + MILLISECS(1);
    smp_call_function_mask(cpumask_of(1), note_cpu, NULL);
    harness_cpu = 1;
    smp_call_function_interrupt(); /* its IPI, after it answered */
    harness_cpu = 0;
    assert_int_equal(ran_on[1], 1);
    assert_int_equal(ran_on[2], 0);
}

/* A target several seconds late (its emulator thread starved, say) is
 * waited for, not given up on: the caller returns after it ran. */
static void test_late_target_waited_for(void **state)
{
    (void)state;
    answer_at[1] = clock_ns + SECONDS(3);
    answer_at[2] = clock_ns + SECONDS(20);
    smp_call_function_mask(0x6, note_cpu, NULL);
    assert_int_equal(ran_on[1], 1);
    assert_int_equal(ran_on[2], 1);
    assert_true(clock_ns >= answer_at[2]);
    /* Reported once, for the CPU that was late by then. */
    assert_true(harness_log_contains("SMP: CPU2 has not answered a cross-CPU call for 5 s"));
    assert_false(harness_log_contains("SMP: CPU1 has not answered"));
    assert_true(harness_log_contains("SMP: the late cross-CPU call was answered"));
}

static void test_prompt_target_not_reported(void **state)
{
    (void)state;
    answer_at[1] = clock_ns + SECONDS(4);
    smp_call_function_mask(cpumask_of(1), note_cpu, NULL);
    assert_int_equal(ran_on[1], 1);
    assert_false(harness_log_contains("SMP:"));
}

/* Time in which the caller itself did not run (each pause a 2 s jump) is
 * not held against the target: 200 s of them end in no report, no stop. */
static void test_caller_stall_not_counted(void **state)
{
    (void)state;
    step_ns = SECONDS(2);
    answer_at[1] = clock_ns + SECONDS(200);
    smp_call_function_mask(cpumask_of(1), note_cpu, NULL);
    assert_int_equal(ran_on[1], 1);
    assert_false(harness_log_contains("SMP:"));
}

static void test_shootdown_flushes_everyone_asked(void **state)
{
    (void)state;
    answer_at[1] = answer_at[3] = clock_ns + MILLISECS(2);
    flush_tlb_mask(0xb); /* CPUs 0, 1 and 3 */
    assert_int_equal(flushed_on[0], 1);
    assert_int_equal(flushed_on[1], 1);
    assert_int_equal(flushed_on[2], 0);
    assert_int_equal(flushed_on[3], 1);
    flush_tlb_mask(0x2); /* another CPU only: this one keeps its TLB */
    assert_int_equal(flushed_on[0], 1);
    assert_int_equal(flushed_on[1], 2);
}

/* A CPU silent through a minute of waiting is hung: pvx stops (panic).
 * This leaves the call slot taken, so it runs last. */
static void test_hung_target_stops_pvx(void **state)
{
    (void)state;
    step_ns = MILLISECS(1);
    expect_assert_failure(smp_call_function_mask(cpumask_of(3), note_cpu, NULL));
    assert_true(clock_ns >= SECONDS(1) + SECONDS(60));
    assert_true(clock_ns < SECONDS(1) + SECONDS(61));
    assert_true(harness_log_contains("SMP: CPU3 has not answered a cross-CPU call for 60 s"));
    assert_int_equal(ran_on[3], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reaches_other_online_cpus, reset),
        cmocka_unit_test_setup(test_nothing_to_call, reset),
        cmocka_unit_test_setup(test_stray_interrupt_runs_nothing, reset),
        cmocka_unit_test_setup(test_late_target_waited_for, reset),
        cmocka_unit_test_setup(test_prompt_target_not_reported, reset),
        cmocka_unit_test_setup(test_caller_stall_not_counted, reset),
        cmocka_unit_test_setup(test_shootdown_flushes_everyone_asked, reset),
        cmocka_unit_test_setup(test_hung_target_stops_pvx, reset),
    };

    return cmocka_run_group_tests_name("smp", tests, NULL, NULL);
}
