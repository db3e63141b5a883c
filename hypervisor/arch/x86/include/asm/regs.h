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

struct cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;   /* pushed by the CPU or 0 */
    uint32_t entry_vector; /* written by the entry stub */
    uint64_t rip;
    uint16_t cs, _pad0[1];
    uint8_t saved_upcall_mask;
    uint8_t _pad1[3];
    uint64_t rflags;
    uint64_t rsp;
    uint16_t ss, _pad2[3];
    uint16_t es, _pad3[3];
    uint16_t ds, _pad4[3];
    uint16_t fs, _pad5[3];
    uint16_t gs, _pad6[3];
};

static inline bool regs_from_guest(const struct cpu_user_regs *r)
{
    return (r->cs & 3) != 0;
}
#endif

#define X86_EFLAGS_IF   0x200
#define X86_EFLAGS_IOPL 0x3000

#endif
