/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercalls that set up how pvx enters the guest kernel: the virtual IDT
 * (set_trap_table), callbacks, the kernel stack for bounces from user mode
 * (stack_switch), the iret hypercall back out, segment bases and lazy-FPU
 * TS.  Every address is checked before pvx will jump to it or load it.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/extable.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/pv/traps.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/callback.h>
#include <public/xen.h>

#define X86_EFLAGS_RF 0x00010000

/* The guest's entry points must be guest addresses pvx may jump to. */
static bool guest_code_ok(uint64_t addr)
{
    return is_canonical(addr) && guest_range_ok(addr, 1);
}

long do_set_trap_table(uint64_t traps, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;
    struct trap_info ti;

    if (!traps) {
        memset(v->arch.traps, 0, sizeof(v->arch.traps));
        return 0;
    }
    for (unsigned int i = 0; i < 256 + 1; i++) {
        if (copy_from_guest(&ti, traps + (uint64_t)i * sizeof(ti), sizeof(ti)))
            return -EFAULT;
        if (ti.address == 0)
            return 0;
        if (!guest_code_ok(ti.address))
            return -EINVAL;
        v->arch.traps[ti.vector].address = ti.address;
        v->arch.traps[ti.vector].cs = ti.cs | 3; /* guest kernel code runs at RPL 3 */
        v->arch.traps[ti.vector].flags = ti.flags;
    }
    return -EINVAL; /* no terminating entry within 256 vectors */
}

static long register_callback(struct vcpu *v, const struct callback_register *cb)
{
    bool mask = (cb->flags & CALLBACKF_mask_events) != 0;

    if (!guest_code_ok(cb->address))
        return -EINVAL;
    switch (cb->type) {
    case CALLBACKTYPE_event:
        v->arch.event_callback = cb->address;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->arch.failsafe_callback = cb->address;
        v->arch.failsafe_masks_events = mask;
        return 0;
    case CALLBACKTYPE_syscall:
        v->arch.syscall_callback = cb->address;
        v->arch.syscall_masks_events = mask;
        return 0;
    case CALLBACKTYPE_nmi:
        v->arch.nmi_callback = cb->address;
        return 0;
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
        /* Accepted as Xen does; pvx runs no 32-bit code, so they never fire. */
        return 0;
    default:
        return -ENOSYS;
    }
}

long do_callback_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    switch (cmd) {
    case CALLBACKOP_register: {
        struct callback_register cb;

        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -EFAULT;
        return register_callback(v, &cb);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister cb;

        if (copy_from_guest(&cb, arg, sizeof(cb)))
            return -EFAULT;
        if (cb.type != CALLBACKTYPE_nmi)
            return -EINVAL; /* only the NMI callback may be removed */
        v->arch.nmi_callback = 0;
        return 0;
    }
    default:
        return -ENOSYS;
    }
}

long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    if (!guest_code_ok(event) || !guest_code_ok(failsafe) || !guest_code_ok(syscall))
        return -EINVAL;
    v->arch.event_callback = event;
    v->arch.failsafe_callback = failsafe;
    v->arch.syscall_callback = syscall;
    v->arch.syscall_masks_events = true;
    return 0;
}

long do_stack_switch(uint64_t ss, uint64_t sp, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    if ((ss & 3) != 3 && ss != 0)
        ss |= 3; /* the guest kernel's stack segment runs at RPL 3 */
    v->arch.kernel_ss = ss;
    v->arch.kernel_sp = sp;
    return 0;
}

long do_fpu_taskswitch(uint64_t set, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    v->arch.virtual_ts = set != 0;
    if (set)
        write_cr0(read_cr0() | X86_CR0_TS);
    else
        write_cr0(read_cr0() & ~X86_CR0_TS);
    return 0;
}

long do_set_segment_base(uint64_t which, uint64_t base, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    switch (which) {
    case SEGBASE_FS:
        if (!is_canonical(base))
            return -EINVAL;
        wrmsr(MSR_FS_BASE, base);
        v->arch.fs_base = base;
        return 0;
    case SEGBASE_GS_USER:
        /* In kernel mode the user's base is the inactive one. */
        if (!is_canonical(base))
            return -EINVAL;
        wrmsr(MSR_SHADOW_GS_BASE, base);
        v->arch.gs_base_user = base;
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!is_canonical(base))
            return -EINVAL;
        wrmsr(MSR_GS_BASE, base);
        v->arch.gs_base_kernel = base;
        return 0;
    case SEGBASE_GS_USER_SEL: {
        uint16_t sel = (uint16_t)(base | 3);

        /* Load the selector with the user base active; the CPU fetches the
         * user base from the descriptor.  A selector it refuses loads as
         * null instead, and the call still succeeds (as the ABI says). */
        __asm__ volatile("swapgs\n"
                         "1: movw %w0, %%gs\n"
                         "2: swapgs\n"
                         ".pushsection .fixup, \"ax\"\n"
                         "3: xorl %%eax, %%eax\n"
                         "   movw %%ax, %%gs\n"
                         "   jmp 2b\n"
                         ".popsection\n" _ASM_EXTABLE(1b, 3b)
                         :
                         : "r"(sel)
                         : "rax", "memory");
        v->arch.gs_sel_user = sel;
        v->arch.gs_base_user = rdmsr(MSR_SHADOW_GS_BASE);
        return 0;
    }
    default:
        return -EINVAL;
    }
}

long do_iret(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct cpu_user_regs *regs = guest_cpu_user_regs();
    struct vcpu *v = current;
    struct iret_context ic;

    if (copy_from_guest(&ic, regs->rsp, sizeof(ic))) {
        domain_crash(v->domain, "iret: frame at %#llx unreadable", (unsigned long long)regs->rsp);
        return -EFAULT;
    }
    if (!is_canonical(ic.rip) || !guest_range_ok(ic.rip, 1)) {
        domain_crash(v->domain, "iret: bad return address %#llx", (unsigned long long)ic.rip);
        return -EINVAL;
    }
    if ((ic.cs & 3) == 3 && v->arch.kernel_mode) {
        if (!v->arch.guest_table_user) {
            domain_crash(v->domain, "iret to user mode without a user page table");
            return -EINVAL;
        }
        pv_toggle_guest_mode(v);
    }
    regs->rip = ic.rip;
    regs->cs = (uint16_t)(ic.cs | 3);
    /* RF too, as on Xen: it resumes at an instruction breakpoint's
     * instruction without hitting it again. */
    regs->rflags = (ic.rflags & (X86_EFLAGS_USER_SETTABLE | X86_EFLAGS_RF)) | X86_EFLAGS_IF | 0x2;
    regs->rsp = ic.rsp;
    regs->ss = (uint16_t)(ic.ss | 3);
    if (!(ic.flags & VGCF_in_syscall)) {
        regs->r11 = ic.r11;
        regs->rcx = ic.rcx;
    }
    v->vcpu_info->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    v->arch.nmi_masked = false;
    return (long)ic.rax; /* becomes the guest's rax */
}
