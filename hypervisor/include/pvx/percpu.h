/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU data.  Every CPU's state lives in its own struct percpu, found
 * through this_cpu() (the arch keeps a pointer at the top of each CPU's
 * stack), so nothing assumes there is only one CPU.
 */
#ifndef PVX_PERCPU_H
#define PVX_PERCPU_H

#define NR_CPUS 8

#ifndef __ASSEMBLY__
#include <asm/percpu.h>
#include <pvx/types.h>

struct timer;

/* The arguments of a hypercall, as made. */
struct hypercall_record {
    uint64_t nr;
    uint64_t args[5];
};

struct percpu {
    unsigned int cpu_id;
    /* timer.c: the per-CPU min-heap of pending software timers */
    struct timer **timer_heap; /* 1-based; timer_heap[0] unused */
    unsigned int timer_heap_size, timer_heap_limit;
    uint64_t timer_interrupts;
    /* hypercall.c: the running handler's continuation request (nr and five
     * arguments), the last hypercall made here (for crash reports) and
     * whether a multicall is running (they do not nest). */
    bool continuation_pending;
    uint64_t continuation_args[6];
    struct hypercall_record last_hypercall;
    bool in_multicall;
    /* spinlock.c: the lock levels this CPU holds (a bit each) and how
     * deeply it holds the hypervisor lock. */
    uint32_t locks_held;
    unsigned int hv_depth;
    struct arch_percpu arch;
};

extern struct percpu percpu_data[NR_CPUS];

static inline struct percpu *per_cpu(unsigned int cpu)
{
    return &percpu_data[cpu];
}

unsigned int arch_smp_processor_id(void);

/* The running CPU's. */
static inline struct percpu *this_cpu(void)
{
    return per_cpu(arch_smp_processor_id());
}

#endif /* !__ASSEMBLY__ */

#endif
