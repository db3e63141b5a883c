/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Work across CPUs (smp.c): running a function on other CPUs and waiting
 * for it (the base of remote wake-ups and TLB shootdowns), and the TLB
 * shootdown itself.  CPU sets are bitmaps of CPU indices.
 */
#ifndef PVX_SMP_H
#define PVX_SMP_H

#include <pvx/percpu.h>
#include <pvx/types.h>

typedef uint64_t cpumask_t;
BUILD_BUG_ON(NR_CPUS > 64);

#define cpumask_of(cpu) ((cpumask_t)1 << (cpu))

/*
 * Run fn(data) on every online CPU in @mask other than this one, from their
 * call interrupt, and return once all have run it.  There is no time-out:
 * a target silent for a long time is reported, and one silent for a minute
 * of waiting stops pvx as hung (smp.c).  Callers take turns; one that waits
 * for its turn still answers calls.
 */
void smp_call_function_mask(cpumask_t mask, void (*fn)(void *), void *data);
/* The arch's call interrupt handler (its IPI vector, EOI done). */
void smp_call_function_interrupt(void);

/* Flush the TLBs of the CPUs in @mask (this one included if it is in it)
 * and return when they are done: after a change to page tables those CPUs
 * may have cached. */
void flush_tlb_mask(cpumask_t mask);

#endif
