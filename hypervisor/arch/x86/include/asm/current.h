/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-CPU state found from the stack pointer.  Each CPU runs on a
 * STACK_SIZE-aligned stack block whose top holds struct cpu_info: the guest
 * register frame (where the CPU pushes a trap from ring 3, because TSS.rsp0
 * points just past it) followed by the CPU's identity.  No segment register
 * is needed to find it, so guest FS/GS bases stay loaded while in pvx.
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <asm/config.h>
#include <asm/regs.h>

#ifndef __ASSEMBLY__
struct percpu;
struct vcpu;

struct cpu_info {
    struct cpu_user_regs guest_regs;
    unsigned int processor_id;
    unsigned int _pad;
    struct percpu *percpu;
    struct vcpu *curr_vcpu; /* the vCPU this CPU runs, NULL when idle */
    /* XPTI (xpti.c): this CPU's guest-visible root table, 0 with XPTI off,
     * and the full page tables entry code switches back to from it. */
    uint64_t xpti_root_cr3;
    uint64_t xpti_full_cr3;
    uint64_t _pad2; /* keeps guest_regs.es (TSS.rsp0) 16-byte aligned */
};

static inline struct cpu_info *get_cpu_info(void)
{
    uint64_t sp;

    __asm__("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1 - sizeof(struct cpu_info));
}
#endif

#endif
