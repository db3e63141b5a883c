/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which CPUs may hold a domain's translations, and shooting them down.
 * A CPU's TLB can hold entries of the one domain whose page tables it
 * loaded last (a CR3 load drops everything: no PCID, no global pages), so
 * each CPU records that domain (arch_percpu.tlb_domain) and each domain the
 * CPUs that name it (dirty_cpumask).  All of it under the hypervisor lock.
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/percpu.h>
#include <pvx/smp.h>

/* This CPU loads d's page tables (NULL: pvx's idle tables).  A CR3 load
 * flushes everything (no PCID, no global pages), so the previous domain's
 * translations are gone from this CPU. */
void pv_tlb_switch(struct domain *d)
{
    struct arch_percpu *ap = &this_cpu()->arch;
    uint64_t me = (uint64_t)1 << arch_smp_processor_id();

    if (ap->tlb_domain == d)
        return;
    if (ap->tlb_domain)
        ap->tlb_domain->dirty_cpumask &= ~me;
    ap->tlb_domain = d;
    if (d)
        d->dirty_cpumask |= me;
}

void pv_flush_tlb_others(const struct domain *d)
{
    uint64_t others = d->dirty_cpumask & ~((uint64_t)1 << arch_smp_processor_id());

    if (others)
        flush_tlb_mask(others);
}

void arch_flush_domain_tlbs(const struct domain *d)
{
    flush_tlb_local();
    pv_flush_tlb_others(d);
}

void pv_flush_tlb_others_all(void)
{
    uint64_t others = 0;

    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu != arch_smp_processor_id() && per_cpu(cpu)->arch.tlb_domain)
            others |= (uint64_t)1 << cpu;
    if (others)
        flush_tlb_mask(others);
}

void arch_domain_forget_cpus(struct domain *d)
{
    if (d->dirty_cpumask)
        flush_tlb_mask(d->dirty_cpumask);
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (per_cpu(cpu)->arch.tlb_domain == d)
            per_cpu(cpu)->arch.tlb_domain = NULL;
    d->dirty_cpumask = 0;
}

void arch_idle_enter(void)
{
    if (read_cr3() != idle_l4_maddr)
        write_cr3(idle_l4_maddr);
    pv_tlb_switch(NULL);
}
