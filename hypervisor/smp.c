/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Cross-CPU calls.  One call is in flight at a time (call_lock, a level-1
 * spinlock: callers may hold the hypervisor lock): the caller
 * publishes the function and the set of CPUs that still have to run it,
 * sends each of them the call IPI (arch_send_call_ipi) and spins until the
 * set is empty.  Each target runs the function from its interrupt handler
 * and then clears its bit, so the caller knows the function finished
 * everywhere when it returns (a shootdown must not return earlier).
 *
 * A call is never given up: a shootdown that returned before a target had
 * flushed would let that CPU go on translating through page tables about to
 * be freed.  An emulated CPU can fall silent for a second or more when the
 * host does not run its thread, so only the caller's own waiting is counted
 * (not a gap in which the caller itself did not run), a late target is
 * reported after CALL_REPORT of it, and one still silent after CALL_HUNG is
 * taken as hung: pvx stops, with every CPU's state.
 */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/smp.h>
#include <pvx/spinlock.h>
#include <pvx/time.h>

#define CALL_REPORT SECONDS(5)
#define CALL_HUNG   SECONDS(60)
#define CALL_GAP    MILLISECS(10) /* longer between two reads: the caller was not running */

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
        return; /* answered already from a spin, or a stray IPI */
    fn = call.fn;
    data = call.data;
    fn(data);
    __atomic_fetch_and(&call.pending, ~me, __ATOMIC_RELEASE);
}

static void report_silent(cpumask_t left, const char *what)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (left & cpumask_of(cpu))
            printk("SMP: CPU%u %s\n", cpu, what);
}

void smp_call_function_mask(cpumask_t mask, void (*fn)(void *), void *data)
{
    uint64_t waited = 0, last, now;
    bool reported = false;
    cpumask_t left;

    mask &= arch_cpu_online_map() & ~cpumask_of(arch_smp_processor_id());
    if (!mask)
        return;
    spin_lock(&call_lock); /* its spin answers calls: the holder may be waiting for us */
    call.fn = fn;
    call.data = data;
    __atomic_store_n(&call.pending, mask, __ATOMIC_RELEASE);
    arch_send_call_ipi(mask);
    last = NOW();
    while ((left = __atomic_load_n(&call.pending, __ATOMIC_ACQUIRE))) {
        arch_cpu_relax();
        now = NOW();
        if (now - last < CALL_GAP)
            waited += now - last;
        last = now;
        if (!reported && waited >= CALL_REPORT) {
            report_silent(left, "has not answered a cross-CPU call for 5 s; still waiting");
            reported = true;
        }
        if (waited >= CALL_HUNG) {
            report_silent(left, "has not answered a cross-CPU call for 60 s");
            panic("SMP: a CPU is hung");
        }
    }
    if (reported)
        printk("SMP: the late cross-CPU call was answered\n");
    spin_unlock(&call_lock);
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
