/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Structure offsets for assembly.  Compiled to assembly only; the build
 * turns each "->NAME value" marker into a #define in asm/asm-offsets.h.
 */
#include <asm/current.h>
#include <asm/regs.h>
#include <pvx/types.h>

#define DEFINE(sym, val)      __asm__ volatile("\n.ascii \"->" #sym " %c0\"" : : "i"(val))
#define OFFSET(sym, str, mem) DEFINE(sym, offsetof(str, mem))

void asm_offsets(void);
void asm_offsets(void)
{
    OFFSET(UREGS_r15, struct cpu_user_regs, r15);
    OFFSET(UREGS_rax, struct cpu_user_regs, rax);
    OFFSET(UREGS_rdi, struct cpu_user_regs, rdi);
    OFFSET(UREGS_error_code, struct cpu_user_regs, error_code);
    OFFSET(UREGS_entry_vector, struct cpu_user_regs, entry_vector);
    OFFSET(UREGS_rip, struct cpu_user_regs, rip);
    OFFSET(UREGS_cs, struct cpu_user_regs, cs);
    OFFSET(UREGS_rflags, struct cpu_user_regs, rflags);
    OFFSET(UREGS_rsp, struct cpu_user_regs, rsp);
    OFFSET(UREGS_ss, struct cpu_user_regs, ss);
    OFFSET(UREGS_es, struct cpu_user_regs, es);
    DEFINE(UREGS_sizeof, sizeof(struct cpu_user_regs));
    DEFINE(CPUINFO_sizeof, sizeof(struct cpu_info));
    OFFSET(CPUINFO_guest_regs, struct cpu_info, guest_regs);
    OFFSET(CPUINFO_xpti_root_cr3, struct cpu_info, xpti_root_cr3);
    OFFSET(CPUINFO_xpti_full_cr3, struct cpu_info, xpti_full_cr3);
}
