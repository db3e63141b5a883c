/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 part of each CPU's struct percpu (pvx/percpu.h): state the PV
 * core keeps per physical CPU because it describes what that CPU's
 * registers and tables hold.
 */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#ifndef __ASSEMBLY__
struct vcpu;
struct domain;

struct arch_percpu {
    /* pv/context.c: whose x87/SSE state this CPU's registers hold (lazy:
     * saved only when another vCPU needs them), NULL for nobody's. */
    struct vcpu *fpu_owner;
    /* pv/descriptors.c: whose descriptors this CPU's GDT holds, and how
     * many of its guest entries they fill. */
    const struct vcpu *gdt_owner;
    unsigned int gdt_loaded_ents;
    /* pv/context.c: whose page tables this CPU has loaded since its last
     * full flush (NULL: pvx's idle tables), so its TLB may hold that
     * domain's translations (the domain's dirty_cpumask has this CPU). */
    struct domain *tlb_domain;
};
#endif

#endif
