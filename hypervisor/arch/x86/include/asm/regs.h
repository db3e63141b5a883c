/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The register frame saved on every entry to the hypervisor.  Its layout is
 * that of the ABI's cpu_user_regs, so a guest's frame can be copied to and
 * from the public structure as is; the part from rip to ss is exactly what
 * the CPU pushes on an interrupt.
 */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#ifndef __ASSEMBLY__
#include <pvx/types.h>

/* The layout is exactly the ABI's struct cpu_user_regs. */
#include <public/xen.h>

/* A general register by its instruction-encoding number (0 = rax ... 15 = r15). */
static inline uint64_t *guest_gpr(struct cpu_user_regs *r, unsigned int n)
{
    uint64_t *const regs[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                                &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                                &r->r12, &r->r13, &r->r14, &r->r15};

    return regs[n & 15];
}

static inline bool regs_from_guest(const struct cpu_user_regs *r)
{
    return (r->cs & 3) != 0;
}
#endif

#define X86_EFLAGS_IF 0x200
/* Flags a guest may set for itself: CF PF AF ZF SF TF DF OF NT AC ID (not IF, IOPL). */
#define X86_EFLAGS_USER_SETTABLE 0x00244dd5ULL
#define X86_EFLAGS_IOPL          0x3000

#endif
