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
#include <pvx/types.h>

struct timer;

struct percpu {
    unsigned int cpu_id;
    /* timer.c: the per-CPU min-heap of pending software timers */
    struct timer **timer_heap; /* 1-based; timer_heap[0] unused */
    unsigned int timer_heap_size, timer_heap_limit;
    uint64_t timer_interrupts;
};

extern struct percpu percpu_data[NR_CPUS];

static inline struct percpu *per_cpu(unsigned int cpu)
{
    return &percpu_data[cpu];
}

#endif /* !__ASSEMBLY__ */

#endif
