/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cross-CPU calls.  One call is in flight at a time (call_lock, a level-1
 * spinlock: callers may hold the hypervisor lock): the caller
 * publishes the function and the set of CPUs that still have to run it,
 * sends each of them the call IPI (arch_send_call_ipi) and spins until the
 * set is empty.  Each target runs the function from its interrupt handler
 * and then clears its bit, so the caller knows the function finished
 * everywhere when it returns (a shootdown must not return earlier).
 */
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/smp.h>
#include <pvx/spinlock.h>
#include <pvx/time.h>

#define CALL_TIMEOUT MILLISECS(1000)

static spinlock_t call_lock = SPINLOCK_INIT("call", LOCK_LEVEL_CALL);
static struct {
    void (*fn)(void *);
    void *data;
    cpumask_t pending; /* CPUs yet to run fn */
} call;

void smp_call_function_interrupt(void)
{
    cpumask_t me = cpumask_of(arch_smp_processor_id());
    void (*fn)(void *);
    void *data;

    if (!(__atomic_load_n(&call.pending, __ATOMIC_ACQUIRE) & me))
        return; /* a call that timed out for us, or a stray IPI */
    fn = call.fn;
    data = call.data;
    fn(data);
    __atomic_fetch_and(&call.pending, ~me, __ATOMIC_RELEASE);
}

int smp_call_function_mask(cpumask_t mask, void (*fn)(void *), void *data)
{
    uint64_t deadline;
    cpumask_t left;
    int rc = 0;

    mask &= arch_cpu_online_map() & ~cpumask_of(arch_smp_processor_id());
    if (!mask)
        return 0;
    spin_lock(&call_lock); /* its spin answers calls: the holder may be waiting for us */
    call.fn = fn;
    call.data = data;
    __atomic_store_n(&call.pending, mask, __ATOMIC_RELEASE);
    arch_send_call_ipi(mask);
    deadline = NOW() + CALL_TIMEOUT;
    while ((left = __atomic_load_n(&call.pending, __ATOMIC_ACQUIRE)) && NOW() < deadline)
        arch_cpu_relax();
    if (left) {
        for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
            if (left & cpumask_of(cpu))
                printk("SMP: CPU%u did not answer a cross-CPU call\n", cpu);
        __atomic_store_n(&call.pending, 0, __ATOMIC_RELEASE);
        rc = -ETIMEDOUT;
    }
    spin_unlock(&call_lock);
    return rc;
}

/* Every spin answers calls: a CPU spinning with interrupts off must not
 * hold up a call whose caller holds what it spins for. */
void spin_wait_hook(void)
{
    smp_call_function_interrupt();
    arch_cpu_relax();
}

static void flush_tlb_here(void *unused)
{
    (void)unused;
    arch_flush_tlb_local();
}

void flush_tlb_mask(cpumask_t mask)
{
    if (mask & cpumask_of(arch_smp_processor_id()))
        arch_flush_tlb_local();
    smp_call_function_mask(mask, flush_tlb_here, NULL);
}
