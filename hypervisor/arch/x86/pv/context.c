/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Putting a vCPU on this CPU and taking it off.  A running vCPU's registers
 * live in cpu_info.guest_regs (where its traps land); a vCPU that is not
 * running keeps them in v->arch.user_regs, together with the state the CPU
 * holds for it: page-table base, FS/GS bases, the TS bit.
 *
 * x87/SSE state moves only when another vCPU needs the registers: pvx itself
 * never touches them, so they keep the last vCPU's state (fpu_owner) until
 * a different one runs, and a vCPU rescheduled on its own CPU pays nothing.
 * The owner is per CPU (arch_percpu.fpu_owner).  Descheduling saves the
 * state to memory (fxsave) and leaves it in the registers too, so a vCPU
 * can move to another CPU; the CPU it runs on next forgets it everywhere
 * else.
 */
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/pv/traps.h>
#include <pvx/domain.h>
#include <pvx/lib.h>
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/percpu.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <asm/pv/mm.h>
#include <public/xen.h>

/* Write the registers' state back to its owner's area, if v owns them. */
static void fpu_sync(const struct vcpu *v)
{
    struct arch_percpu *ap = &this_cpu()->arch;
    uint64_t cr0;

    if (ap->fpu_owner != v)
        return;
    cr0 = read_cr0();
    clts(); /* the guest's TS must not fault pvx's own save */
    __asm__ volatile("fxsaveq %0" : "=m"(ap->fpu_owner->arch.fpu));
    write_cr0(cr0);
}

/* v's state is about to change or go away: no CPU's registers hold it. */
static void fpu_forget(const struct vcpu *v)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (per_cpu(cpu)->arch.fpu_owner == v)
            per_cpu(cpu)->arch.fpu_owner = NULL;
}

void arch_save_vcpu(struct vcpu *v)
{
    struct cpu_info *ci = get_cpu_info();

    pv_debugregs_switch_out(v);
    /* Its x87/SSE state goes to memory now: it may run next on another CPU,
     * which cannot read this one's registers.  They keep it too, so
     * running here again costs no restore (fpu_owner stays v). */
    fpu_sync(v);
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
    struct arch_percpu *ap = &this_cpu()->arch;
    mfn_t table = v->arch.kernel_mode ? v->arch.guest_table : v->arch.guest_table_user;

    ci->curr_vcpu = v;
    /* Another CPU's registers may still hold an older copy of v's state
     * (it ran there before): they must not be taken for v's again. */
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (cpu != arch_smp_processor_id() && per_cpu(cpu)->arch.fpu_owner == v)
            per_cpu(cpu)->arch.fpu_owner = NULL;
    pv_load_guest_gdt(v, false);
    pv_load_guest_ldt(v);
    write_cr3(table << PAGE_SHIFT);
    pv_tlb_switch(v->domain);
    wrmsr(MSR_FS_BASE, v->arch.fs_base);
    wrmsr(MSR_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_kernel : v->arch.gs_base_user);
    wrmsr(MSR_SHADOW_GS_BASE, v->arch.kernel_mode ? v->arch.gs_base_user : v->arch.gs_base_kernel);
    if (ap->fpu_owner != v) {
        clts();
        if (ap->fpu_owner)
            __asm__ volatile("fxsaveq %0" : "=m"(ap->fpu_owner->arch.fpu));
        __asm__ volatile("fxrstorq %0" : : "m"(v->arch.fpu));
        ap->fpu_owner = v;
    }
    write_cr0(v->arch.virtual_ts ? read_cr0() | X86_CR0_TS : read_cr0() & ~X86_CR0_TS);
    pv_debugregs_switch_in(v);
    ci->guest_regs = v->arch.user_regs;
    update_vcpu_system_time(v);
    /* Deliver whatever became pending while the vCPU was off the CPU. */
    arch_exit_to_guest(&ci->guest_regs);
    arch_enter_guest(&ci->guest_regs);
}

/* The state a new vCPU starts with: FNINIT and the reset MXCSR. */
void arch_init_vcpu_fpu(struct vcpu *v)
{
    memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
    *(uint16_t *)&v->arch.fpu[0] = 0x037f;  /* FCW: all exceptions masked */
    *(uint32_t *)&v->arch.fpu[24] = 0x1f80; /* MXCSR: likewise */
}

static bool code_addr_ok(uint64_t addr)
{
    return addr == 0 || (is_canonical(addr) && guest_range_ok(addr, 1));
}

static bool data_addr_ok(uint64_t addr)
{
    return is_canonical(addr) && (addr < (1ULL << 47) || addr >= PVX_VIRT_END);
}

/* A guest kernel runs in ring 3: a selector it names with a lower RPL (as
 * Linux passes its __KERNEL_CS for a new vCPU) means RPL 3, as on Xen. */
static uint16_t guest_rpl(uint16_t sel)
{
    return sel | 3;
}

/* A selector the guest may load: not one of pvx's own GDT slots (other than
 * the flat ring-3 ones pvx provides for guests). */
static bool guest_selector_ok(uint64_t sel, bool null_ok)
{
    if ((sel & ~3ULL) == 0)
        return null_ok;
    if (sel > 0xffff)
        return false;
    return (sel >> 3) < FIRST_RESERVED_GDT_ENTRY || sel == FLAT_RING3_CS64 ||
           sel == FLAT_RING3_CS32 || sel == FLAT_RING3_DS64 || sel == FLAT_RING3_DS32 ||
           sel == FLAT_RING3_SS64 || sel == FLAT_RING3_SS32;
}

int arch_set_vcpu_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct cpu_user_regs *r = &c->user_regs;
    struct arch_vcpu *a = &v->arch;
    mfn_t kernel_l4 = xen_cr3_to_pfn(c->ctrlreg[3]), user_l4 = xen_cr3_to_pfn(c->ctrlreg[1]);
    int rc;

    ASSERT(v != current);
    /* Everything is checked before anything changes. */
    if (!data_addr_ok(r->rip) || !data_addr_ok(r->rsp) || !code_addr_ok(c->event_callback_eip) ||
        !code_addr_ok(c->failsafe_callback_eip) || !code_addr_ok(c->syscall_callback_eip) ||
        !is_canonical(c->fs_base) || !is_canonical(c->gs_base_kernel) ||
        !is_canonical(c->gs_base_user) || !data_addr_ok(c->kernel_sp))
        return -EINVAL;
    if (!guest_selector_ok(guest_rpl(r->cs), false) || !guest_selector_ok(guest_rpl(r->ss), true) ||
        !guest_selector_ok(guest_rpl(c->kernel_ss), true))
        return -EINVAL;
    for (unsigned int i = 0; i < 256; i++)
        if (!code_addr_ok(c->trap_ctxt[i].address))
            return -EINVAL;
    if (c->ldt_ents) /* an LDT comes later, through MMUEXT_SET_LDT */
        return -EINVAL;
    if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY || !kernel_l4)
        return -EINVAL;

    /* The base tables come first: their validation may stop (-ERESTART)
     * and the caller then calls again with the context read afresh.  A
     * kernel table validated by an earlier part is already v's, so the next
     * part finds it in place; nothing else of the context has changed. */
    rc = pv_set_guest_table(v, kernel_l4, false, true);
    if (rc)
        return rc;
    rc = pv_set_guest_table(v, user_l4, true, true);
    if (rc)
        return rc;
    rc = pv_set_gdt(v, c->gdt_frames, c->gdt_ents);
    if (rc)
        return rc;

    fpu_forget(v);
    if (c->flags & VGCF_i387_valid)
        memcpy(a->fpu, c->fpu_ctxt.x, sizeof(a->fpu));
    else
        arch_init_vcpu_fpu(v);
    *(uint32_t *)&a->fpu[24] &= 0xffff; /* MXCSR reserved bits would fault fxrstor */
    a->user_regs = *r;
    a->user_regs.cs = guest_rpl(r->cs);
    a->user_regs.ss = guest_rpl(r->ss);
    a->user_regs.rflags = (r->rflags & X86_EFLAGS_USER_SETTABLE) | X86_EFLAGS_IF | 0x2;
    /* The context's IOPL field is the vCPU's virtual IOPL (what
     * PHYSDEVOP_set_iopl sets), as on Xen: Linux starts its secondary vCPUs
     * with IOPL 1 this way, and dom0 drives its devices from every vCPU. */
    a->iopl = (unsigned int)((r->rflags & X86_EFLAGS_IOPL) >> 12);
    a->user_regs.entry_vector = 0;
    a->kernel_mode = c->flags & VGCF_in_kernel;
    for (unsigned int i = 0; i < 256; i++) {
        a->traps[i].address = c->trap_ctxt[i].address;
        a->traps[i].cs = c->trap_ctxt[i].cs | 3;
        a->traps[i].flags = c->trap_ctxt[i].flags;
    }
    a->event_callback = c->event_callback_eip;
    a->failsafe_callback = c->failsafe_callback_eip;
    a->syscall_callback = c->syscall_callback_eip;
    a->failsafe_masks_events = c->flags & VGCF_failsafe_disables_events;
    a->syscall_masks_events = c->flags & VGCF_syscall_disables_events;
    a->kernel_ss = guest_rpl(c->kernel_ss);
    a->kernel_sp = c->kernel_sp;
    a->fs_base = c->fs_base;
    a->gs_base_kernel = c->gs_base_kernel;
    a->gs_base_user = c->gs_base_user;
    a->virtual_ts = c->ctrlreg[0] & X86_CR0_TS;
    a->cr4_guest_bits = c->ctrlreg[4] & (X86_CR4_TSD | X86_CR4_DE);
    /* Each debug register goes through set_debugreg's rules; as on Xen, a
     * value it refuses leaves that register at its reset value rather than
     * failing the call. */
    pv_reset_debugregs(v);
    for (unsigned int i = 0; i < 4; i++)
        pv_set_debugreg(v, i, c->debugreg[i]);
    pv_set_debugreg(v, 6, c->debugreg[6]);
    pv_set_debugreg(v, 7, c->debugreg[7]);
    return 0;
}

void arch_get_vcpu_context(const struct vcpu *v, struct vcpu_guest_context *c)
{
    const struct arch_vcpu *a = &v->arch;

    ASSERT(v != current);
    fpu_sync(v);
    memset(c, 0, sizeof(*c));
    memcpy(c->fpu_ctxt.x, a->fpu, sizeof(a->fpu));
    c->flags = VGCF_i387_valid | (a->kernel_mode ? VGCF_in_kernel : 0) |
               (a->failsafe_masks_events ? VGCF_failsafe_disables_events : 0) |
               (a->syscall_masks_events ? VGCF_syscall_disables_events : 0) |
               (v->online ? VGCF_online : 0);
    c->user_regs = a->user_regs;
    c->user_regs.rflags |= (uint64_t)a->iopl << 12; /* the virtual IOPL, as it was set */
    for (unsigned int i = 0; i < 256; i++) {
        c->trap_ctxt[i].vector = (uint8_t)i;
        c->trap_ctxt[i].flags = a->traps[i].flags;
        c->trap_ctxt[i].cs = a->traps[i].cs;
        c->trap_ctxt[i].address = a->traps[i].address;
    }
    c->ldt_base = a->ldt_base;
    c->ldt_ents = a->ldt_ents;
    for (unsigned int i = 0; i < (a->gdt_ents + 511) / 512; i++)
        c->gdt_frames[i] = a->gdt_frames[i];
    c->gdt_ents = a->gdt_ents;
    c->kernel_ss = a->kernel_ss;
    c->kernel_sp = a->kernel_sp;
    c->ctrlreg[0] = a->virtual_ts ? X86_CR0_TS : 0;
    c->ctrlreg[1] = xen_pfn_to_cr3(a->guest_table_user);
    c->ctrlreg[3] = xen_pfn_to_cr3(a->guest_table);
    c->ctrlreg[4] = a->cr4_guest_bits;
    for (unsigned int i = 0; i < 4; i++)
        c->debugreg[i] = a->debugreg[i];
    c->debugreg[6] = a->debugreg[6];
    c->debugreg[7] = a->debugreg[7] | a->dr7_emul;
    c->event_callback_eip = a->event_callback;
    c->failsafe_callback_eip = a->failsafe_callback;
    c->syscall_callback_eip = a->syscall_callback;
    c->vm_assist = v->domain->vm_assist;
    c->fs_base = a->fs_base;
    c->gs_base_kernel = a->gs_base_kernel;
    c->gs_base_user = a->gs_base_user;
}

void arch_domain_teardown(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        if (!v)
            continue;
        fpu_forget(v);
        pv_release_descriptors(v);
        if (v->vcpu_info_registered) {
            put_page_and_type(mfn_to_page(arch_virt_to_maddr(v->vcpu_info) >> PAGE_SHIFT));
            v->vcpu_info_registered = false;
            v->vcpu_info = &d->shared_info->vcpu_info[i];
        }
    }
    pv_mm_domain_teardown(d);
}
