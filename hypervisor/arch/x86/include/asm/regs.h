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

static inline bool regs_from_guest(const struct cpu_user_regs *r)
{
    return (r->cs & 3) != 0;
}
#endif

#define X86_EFLAGS_IF   0x200
#define X86_EFLAGS_IOPL 0x3000

#endif
