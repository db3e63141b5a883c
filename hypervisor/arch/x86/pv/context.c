/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Putting a vCPU on this CPU and taking it off.  A running vCPU's registers
 * live in cpu_info.guest_regs (where its traps land); a vCPU that is not
 * running keeps them in v->arch.user_regs, together with the state the CPU
 * holds for it: page-table base, FS/GS bases, the TS bit.
 */
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/pv/traps.h>
#include <pvx/domain.h>
#include <pvx/lib.h>
#include <pvx/sched.h>

void arch_save_vcpu(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();

    v->arch.user_regs = ci->guest_regs;
    /* In kernel mode GS_BASE is the kernel's and SHADOW_GS the user's. */
    v->arch.fs_base = rdmsr(MSR_FS_BASE);
    if (v->arch.kernel_mode) {
        v->arch.gs_base_kernel = rdmsr(MSR_GS_BASE);
        v->arch.gs_base_user = rdmsr(MSR_SHADOW_GS_BASE);
    } else {
        v->arch.gs_base_user = rdmsr(MSR_GS_BASE);
        v->arch.gs_base_kernel = rdmsr(MSR_SHADOW_GS_BASE);
    }
}

void arch_run_vcpu(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();
    mfn_t table = v->arch.kernel_mode ? v->arch.guest_table : v->arch.guest_table_user;

    ci->curr_vcpu = v;
    pv_load_guest_gdt(v, false);
    pv_load_guest_ldt(v);
    write_cr3(table << PAGE_SHIFT);
    wrmsr(MSR_FS_BASE, v->arch.fs_base);
    wrmsr(MSR_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user);
    wrmsr(MSR_SHADOW_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel);
    write_cr0(v->arch.virtual_ts ? read_cr0() | X86_CR0_TS : read_cr0() & ~X86_CR0_TS);
    ci->guest_regs = v->arch.user_regs;
    update_vcpu_system_time(v);
    /* Deliver whatever became pending while the vCPU was off the CPU. */
    arch_exit_to_guest(&ci->guest_regs);
    arch_enter_guest(&ci->guest_regs);
}
