/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest entries into pvx and the way back.
 *
 * A PV guest runs in ring 3 whether it is in its kernel or its user mode;
 * v->arch.kernel_mode says which.  Every exception, interrupt and syscall
 * from the guest lands with its frame in cpu_info.guest_regs.  pvx either
 * handles it (hypercall, emulated instruction, writable page table) or
 * "bounces" it: it writes an exception frame on the guest kernel's stack,
 * as the CPU would have, and resumes the guest at its registered handler.
 *
 * Bounce frame, from the new guest rsp upward: rcx, r11, [error code], rip,
 * cs (RPL 0 when the guest was in kernel mode; saved upcall mask in bits
 * 32-39), rflags (IF = events were unmasked), rsp, ss.
 */
#include <asm/apic.h>
#include <asm/debugreg.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv/logdirty.h>
#include <asm/pv/mm.h>
#include <asm/pv/traps.h>
#include <pvx/domain.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/percpu.h>
#include <pvx/sched.h>
#include <pvx/spinlock.h>

#define X86_EFLAGS_TF 0x00000100
#define X86_EFLAGS_DF 0x00000400
#define X86_EFLAGS_NT 0x00004000
#define X86_EFLAGS_RF 0x00010000
#define X86_EFLAGS_VM 0x00020000
#define X86_EFLAGS_AC 0x00040000

#define TI_MASK_EVENTS 4 /* trap_info flags: mask events on entry */

struct vcpu *current_vcpu(void)
{
    return get_cpu_info()->curr_vcpu;
}

struct cpu_user_regs *guest_cpu_user_regs(void)
{
    return &get_cpu_info()->guest_regs;
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    mfn_t table;

    v->arch.kernel_mode = !v->arch.kernel_mode;
    __asm__ volatile("swapgs" ::: "memory"); /* kernel <-> user GS base */
    table = v->arch.kernel_mode ? v->arch.guest_table : v->arch.guest_table_user;
    write_cr3(table << PAGE_SHIFT);
}

bool pv_bounce(struct vcpu *v, struct cpu_user_regs *regs, uint64_t handler, bool has_error,
               uint32_t error_code, bool mask_events)
{
    struct vcpu_info *vi = v->vcpu_info;
    bool was_kernel = v->arch.kernel_mode;
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t frame[8], sp;
    unsigned int n = 0;

    if (!handler)
        return false;
    if (!was_kernel) {
        pv_toggle_guest_mode(v);
        sp = v->arch.kernel_sp;
    } else {
        sp = regs->rsp;
    }
    sp &= ~15ULL;

    frame[n++] = regs->rcx;
    frame[n++] = regs->r11;
    if (has_error)
        frame[n++] = error_code;
    frame[n++] = regs->rip;
    frame[n++] = (uint64_t)(was_kernel ? (regs->cs & ~3) : regs->cs) | ((uint64_t)saved_mask << 32);
    frame[n++] = (regs->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL)) |
                 (saved_mask ? 0 : X86_EFLAGS_IF) | ((uint64_t)v->arch.iopl << 12);
    frame[n++] = regs->rsp;
    frame[n++] = regs->ss;
    sp -= n * 8;
    if (copy_to_guest(sp, frame, n * 8)) {
        domain_crash(v->domain, "cannot write an exception frame at %#llx (kernel stack bad)",
                     (unsigned long long)sp);
        return true;
    }
    regs->rsp = sp;
    regs->rip = handler;
    regs->cs = FLAT_RING3_CS64;
    regs->ss = FLAT_RING3_SS64;
    regs->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF | X86_EFLAGS_VM |
                      X86_EFLAGS_AC | X86_EFLAGS_IOPL);
    regs->rflags |= X86_EFLAGS_IF;
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    return true;
}

bool pv_inject_exception(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector,
                         bool has_error, uint32_t error_code)
{
    const struct trap_bounce_entry *t = &v->arch.traps[vector];

    return pv_bounce(v, regs, t->address, has_error, error_code, (t->flags & TI_MASK_EVENTS) != 0);
}

static bool has_error_code(unsigned int vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

static void deliver_or_crash(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector,
                             uint32_t error_code)
{
    if (!pv_inject_exception(v, regs, vector, has_error_code(vector), error_code))
        domain_crash(v->domain, "exception %u (error code %#x) at %#llx; the guest has no handler",
                     vector, error_code, (unsigned long long)regs->rip);
}

static void handle_page_fault(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint64_t addr = read_cr2();
    uint32_t ec = regs->error_code;

    /* A write through an entry log-dirty mode made read-only. */
    if (logdirty_fault(v, addr, ec))
        return;
    /* A write by the guest kernel to its own L1 page table. */
    if (v->arch.kernel_mode && (ec & 3) == 3 && !(ec & 0x18) && pv_ptwr_fault(v, addr, regs))
        return;
    v->vcpu_info->arch.cr2 = addr;
    v->arch.guest_cr2 = addr;
    /* The CPU always reports a user-mode access (the guest is in ring 3);
     * the guest must see whether its kernel or its user faulted. */
    ec = v->arch.kernel_mode ? ec & ~4u : ec | 4u;
    deliver_or_crash(v, regs, 14, ec);
}

/*
 * The vector of the `int $n` whose IDT gate refused the guest (#GP with the
 * IDT bit), or -1 when the #GP has no IDT bit.  Hardware reports n * 8 + 2,
 * but QEMU's TCG reports n * 16 + 2 in long mode, so the vector is read
 * from the instruction itself (CD ib) when it can be; the error code is the
 * fallback for an unreadable RIP.
 */
static int refused_soft_interrupt(const struct cpu_user_regs *regs)
{
    uint8_t insn[2];

    if (!(regs->error_code & 2))
        return -1;
    if (!copy_from_guest(insn, regs->rip, sizeof(insn)) && insn[0] == 0xcd)
        return insn[1];
    return (regs->error_code >> 3) & 0xff;
}

/* A software interrupt the IDT refused: deliver it if the guest's trap
 * table allows the guest's privilege level, else #GP as hardware reports
 * it (vector * 8 + 2), as Xen passes the CPU's code on. */
static void soft_interrupt(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector)
{
    const struct trap_bounce_entry *t = &v->arch.traps[vector];
    unsigned int dpl = t->flags & 3;

    if (t->address && dpl >= (v->arch.kernel_mode ? 1u : 3u)) {
        regs->rip += 2; /* int $n is two bytes */
        if (pv_inject_exception(v, regs, vector, false, 0))
            return;
        regs->rip -= 2;
    }
    deliver_or_crash(v, regs, 13, vector * 8 + 2);
}

static void handle_gp(struct vcpu *v, struct cpu_user_regs *regs)
{
    uint64_t io_hits;
    int vector;

    /* An LDT selector while the LDT could not be used: its pages may have
     * become usable since (the guest made them read-only).  Retry, as Xen's
     * lazy LDT mapping would. */
    if ((regs->error_code & 4) && v->arch.ldt_ents && !v->arch.ldt_copy) {
        uint64_t entry = v->arch.ldt_base + (regs->error_code & 0xfff8);

        pv_ldt_changed(v);
        if (v->arch.ldt_copy)
            return;
        /* Still unusable: the guest sees the page fault Xen's lazy mapping
         * of that LDT entry would have raised. */
        v->vcpu_info->arch.cr2 = entry;
        v->arch.guest_cr2 = entry;
        deliver_or_crash(v, regs, 14, v->arch.kernel_mode ? 0 : 4);
        return;
    }
    if (regs->error_code == 0 && pv_emulate_privileged(v, regs, &io_hits)) {
        /* A trap after the access, as the CPU raises I/O breakpoints. */
        if (io_hits) {
            v->arch.debugreg[6] |= io_hits | DR6_DEFAULT;
            deliver_or_crash(v, regs, 1, 0);
        }
        return;
    }
    vector = refused_soft_interrupt(regs);
    if (vector >= 0) {
        soft_interrupt(v, regs, (unsigned int)vector);
        return;
    }
    deliver_or_crash(v, regs, 13, regs->error_code);
}

static void handle_nm(struct vcpu *v, struct cpu_user_regs *regs)
{
    /* Lazy FPU: the guest set TS (fpu_taskswitch); clear it, real and
     * virtual, as Xen does, and let the guest's #NM handler restore its
     * state.  A virtual TS left set would come back on the CPU with the
     * next switch to this vCPU and fault its FPU use a second time. */
    write_cr0(read_cr0() & ~X86_CR0_TS);
    if (v->arch.virtual_ts) {
        v->arch.virtual_ts = false;
        deliver_or_crash(v, regs, 7, 0);
    }
}

void do_syscall(struct cpu_user_regs *regs);

/*
 * Some virtual CPUs carry out a guest's SYSCALL without the switch to ring
 * 0: KVM's PVM backend (no VMX/SVM; it emulates pvx instruction by
 * instruction) sets rip to LSTAR or CSTAR, saves rcx and r11 and applies
 * SFMASK but leaves CS and the privilege level the guest's, so the fetch at
 * our stub faults as a user access to a hypervisor page.  Turn that page
 * fault into the frame the stub would have built.  A guest jumping to the
 * stub itself gets no more than a syscall with the rcx and r11 it chose, so
 * the flags are cleaned of what ring 3 cannot set.
 */
static bool syscall_lost_ring0(struct cpu_user_regs *regs)
{
    uint64_t cs;

    /* Present, user, instruction fetch; no write, no reserved bit. */
    if ((regs->error_code & 0x1f) != 0x15 || read_cr2() != regs->rip)
        return false;
    if (regs->rip == rdmsr(MSR_LSTAR)) {
        regs->entry_vector = TRAP_syscall;
        cs = FLAT_RING3_CS64;
    } else if (regs->rip == rdmsr(MSR_CSTAR)) {
        regs->entry_vector = TRAP_syscall32;
        cs = FLAT_RING3_CS32;
    } else {
        return false;
    }
    regs->error_code = 0;
    regs->rip = regs->rcx;
    regs->cs = cs;
    regs->rflags = (regs->r11 & ~(X86_EFLAGS_IOPL | X86_EFLAGS_VM)) | X86_EFLAGS_IF;
    regs->ss = FLAT_RING3_SS64;
    return true;
}

void pv_do_trap(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    unsigned int vector = regs->entry_vector;

    switch (vector) {
    case 14:
        if (syscall_lost_ring0(regs)) {
            do_syscall(regs); /* returns to the guest itself */
            return;
        }
        handle_page_fault(v, regs);
        break;
    case 13:
        handle_gp(v, regs);
        break;
    case 6:
        if (!pv_emulate_forced_cpuid(v, regs))
            deliver_or_crash(v, regs, 6, 0);
        break;
    case 7:
        handle_nm(v, regs);
        break;
    case 1:
        pv_debug_status_from_trap(v);
        deliver_or_crash(v, regs, 1, 0);
        break;
    case HYPERCALL_VECTOR:
        if (v->arch.kernel_mode)
            regs->rax =
                do_hypercall(regs->rax, regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8);
        else
            deliver_or_crash(v, regs, 13, HYPERCALL_VECTOR << 3 | 2);
        break;
    default:
        if (vector < 32)
            deliver_or_crash(v, regs, vector, regs->error_code);
        else /* int $0x80 and friends through DPL-3 gates */
            deliver_or_crash(v, regs, vector, 0);
        break;
    }
    arch_exit_to_guest(regs);
}

void do_syscall(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    if (regs->entry_vector == TRAP_syscall && v->arch.kernel_mode) {
        regs->rax = do_hypercall(regs->rax, regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8);
    } else if (regs->entry_vector == TRAP_syscall && v->arch.syscall_callback) {
        /* A guest user's syscall goes to its kernel; rcx/r11 carry the user
         * rip and rflags in the frame, as after a real syscall. */
        regs->rflags &= ~X86_EFLAGS_DF;
        pv_bounce(v, regs, v->arch.syscall_callback, false, 0, v->arch.syscall_masks_events);
    } else {
        regs->rip -= 2; /* #UD at the syscall instruction */
        deliver_or_crash(v, regs, 6, 0);
    }
    arch_exit_to_guest(regs);
}

/* syscall_common (entry.S): a syscall from the guest takes the hypervisor
 * lock as every other entry does; restore_all drops it. */
void do_syscall_entry(struct cpu_user_regs *regs);
void do_syscall_entry(struct cpu_user_regs *regs)
{
    ASSERT(!hv_lock_held());
    hv_lock();
    do_syscall(regs);
}

void arch_exit_to_guest(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    struct vcpu_info *vi;

    if (!vcpu_runnable(v) || sched_should_switch(v))
        schedule();
    vi = v->vcpu_info;
    if (v->arch.nmi_pending && !v->arch.nmi_masked && v->arch.nmi_callback) {
        /* An NMI goes to its own callback and holds off further NMIs until
         * the guest returns with the iret hypercall. */
        v->arch.nmi_pending = false;
        v->arch.nmi_masked = true;
        pv_bounce(v, regs, v->arch.nmi_callback, false, 0, false);
    } else if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask && v->arch.event_callback)
        pv_bounce(v, regs, v->arch.event_callback, false, 0, true);
    if (!vcpu_runnable(v)) /* the bounce may have crashed the domain */
        schedule();
}

void pv_bad_iret(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    /* restore_all dropped the hypervisor lock before the iretq that failed. */
    hv_lock();

    domain_crash(v->domain, "the CPU refused to return to the guest frame (cs %#x ss %#x)",
                 regs->cs, regs->ss);
    schedule();
}

void arch_dump_guest_state(struct vcpu *v)
{
    const struct cpu_user_regs *r = guest_cpu_user_regs();
    const struct hypercall_record *hc = &this_cpu()->last_hypercall;

    printk("  vcpu %u in %s mode: rip %04x:%016llx rsp %04x:%016llx rflags %08llx\n", v->vcpu_id,
           v->arch.kernel_mode ? "kernel" : "user", r->cs, (unsigned long long)r->rip, r->ss,
           (unsigned long long)r->rsp, (unsigned long long)r->rflags);
    printk("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)r->rax,
           (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
    printk("  last hypercall %llu (%#llx, %#llx, %#llx, %#llx, %#llx)\n",
           (unsigned long long)hc->nr, (unsigned long long)hc->args[0],
           (unsigned long long)hc->args[1], (unsigned long long)hc->args[2],
           (unsigned long long)hc->args[3], (unsigned long long)hc->args[4]);
    printk("  rsi %016llx rdi %016llx rbp %016llx cr2 %016llx\n", (unsigned long long)r->rsi,
           (unsigned long long)r->rdi, (unsigned long long)r->rbp,
           (unsigned long long)v->arch.guest_cr2);
}
