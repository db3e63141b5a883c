/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trap dispatch.  Every vector arrives in do_trap() with the saved frame.
 * Interrupts go to their handlers; an exception raised by the hypervisor
 * itself is fatal: pvx prints the vector, error code, every register, CR2
 * and a symbolized backtrace, then stops the machine cleanly.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/extable.h>
#include <asm/pv/logdirty.h>
#include <asm/pv/traps.h>
#include <asm/regs.h>
#include <asm/smp.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/lib.h>
#include <pvx/shutdown.h>
#include <pvx/sched.h>
#include <pvx/smp.h>
#include <pvx/spinlock.h>
#include <pvx/symbols.h>

static const char *const exception_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM no FPU",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
};

static void print_symbol(const char *prefix, uint64_t addr)
{
    uint64_t off;
    const char *name = symbol_lookup(addr, &off);

    if (name)
        printk("%s[<%016llx>] %s+%#llx\n", prefix, (unsigned long long)addr, name,
               (unsigned long long)off);
    else
        printk("%s[<%016llx>] ?\n", prefix, (unsigned long long)addr);
}

/* Walk the frame-pointer chain, staying inside the current stack block. */
static void backtrace_from(uint64_t rip, uint64_t rbp)
{
    uint64_t lo = (uint64_t)get_cpu_info() & ~(uint64_t)(STACK_SIZE - 1);
    uint64_t hi = lo + STACK_SIZE;

    printk("Backtrace:\n");
    print_symbol("  ", rip);
    for (unsigned int depth = 0; depth < 32; depth++) {
        uint64_t *frame = (uint64_t *)rbp;

        if (rbp < lo || rbp + 16 > hi || (rbp & 7))
            break;
        if (!frame[1])
            break;
        print_symbol("  ", frame[1]);
        rbp = frame[0];
    }
}

void arch_backtrace(void)
{
    const uint64_t *frame = __builtin_frame_address(0);

    /* Start at our caller: its return address and its frame. */
    backtrace_from(frame[1], frame[0]);
}

static void dump_regs(const struct cpu_user_regs *r)
{
    printk("RIP: %04x:%016llx RFLAGS: %016llx\n", r->cs, (unsigned long long)r->rip,
           (unsigned long long)r->rflags);
    printk("RAX: %016llx RBX: %016llx RCX: %016llx\n", (unsigned long long)r->rax,
           (unsigned long long)r->rbx, (unsigned long long)r->rcx);
    printk("RDX: %016llx RSI: %016llx RDI: %016llx\n", (unsigned long long)r->rdx,
           (unsigned long long)r->rsi, (unsigned long long)r->rdi);
    printk("RBP: %016llx RSP: %016llx  R8: %016llx\n", (unsigned long long)r->rbp,
           (unsigned long long)r->rsp, (unsigned long long)r->r8);
    printk(" R9: %016llx R10: %016llx R11: %016llx\n", (unsigned long long)r->r9,
           (unsigned long long)r->r10, (unsigned long long)r->r11);
    printk("R12: %016llx R13: %016llx R14: %016llx\n", (unsigned long long)r->r12,
           (unsigned long long)r->r13, (unsigned long long)r->r14);
    printk("R15: %016llx  SS: %04x\n", (unsigned long long)r->r15, r->ss);
    printk("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n", (unsigned long long)read_cr0(),
           (unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
           (unsigned long long)read_cr4());
}

static void __noreturn fatal_trap(const struct cpu_user_regs *r)
{
    unsigned int v = r->entry_vector;

    printk("\n*** pvx: fatal exception %u (%s), error code %#x, on CPU %u\n", v,
           v < 32 && exception_names[v] ? exception_names[v] : "unknown", r->error_code,
           arch_smp_processor_id());
    if (v == 14)
        printk("Page fault address (CR2): %016llx (%s %s, %s)\n", (unsigned long long)read_cr2(),
               r->error_code & 1 ? "protection violation on" : "not-present",
               r->error_code & 16  ? "instruction fetch"
               : r->error_code & 2 ? "write"
                                   : "read",
               r->error_code & 4 ? "user mode" : "hypervisor mode");
    dump_cpu_state(r);
    printk("*** pvx: halting\n");
    machine_halt();
}

void dump_cpu_state(const struct cpu_user_regs *regs)
{
    dump_regs(regs);
    if (!regs_from_guest(regs))
        backtrace_from(regs->rip, regs->rbp);
}

void do_trap(struct cpu_user_regs *regs);
/*
 * Locking (docs/architecture.md): an entry from a guest takes the
 * hypervisor lock, which the return to the guest drops (restore_all); an
 * interrupt in pvx takes it unless this CPU holds it already (an interrupt
 * while idle).  The call IPI runs its function without it (the caller
 * holds it and waits), and a stop NMI needs nothing.
 */
static void do_trap_locked(struct cpu_user_regs *regs)
{
    unsigned int v = regs->entry_vector;
    uint64_t fixup;

    if (v == APIC_TIMER_VECTOR) {
        apic_timer_interrupt();
        if (regs_from_guest(regs))
            arch_exit_to_guest(regs);
        return;
    }
    if (v == IPI_CALL_VECTOR || v == IPI_EVENT_CHECK_VECTOR) {
        /* The event check: this CPU's timers or run queue changed
         * elsewhere; the exit path reschedules if asked to. */
        if (v == IPI_EVENT_CHECK_VECTOR)
            sched_event_check();
        if (regs_from_guest(regs))
            arch_exit_to_guest(regs);
        return;
    }
    if (v >= PIC_VECTOR_BASE && v < PIC_VECTOR_BASE + NR_LEGACY_IRQS) {
        arch_irq_dispatch(v); /* dom0's device interrupt: a PIRQ event */
        if (regs_from_guest(regs))
            arch_exit_to_guest(regs);
        return;
    }
    if (regs_from_guest(regs)) {
        pv_do_trap(regs);
        return;
    }
    if (v == 1) {
        debug_trap_in_hypervisor(regs);
        return;
    }
    /* pvx writing guest memory through an entry log-dirty mode protects. */
    if (v == 14 && current && logdirty_fault(current, read_cr2(), (uint32_t)regs->error_code))
        return;
    /* A fault on guest-controlled input at an instruction that expects it. */
    if ((v == 13 || v == 14) && (fixup = search_exception_table(regs->rip)) != 0) {
        regs->rip = fixup;
        return;
    }
    if (v >= 32) {
        printk("pvx: unexpected interrupt vector %u ignored\n", v);
        apic_eoi();
        return;
    }
    fatal_trap(regs);
}

void do_trap(struct cpu_user_regs *regs);
void do_trap(struct cpu_user_regs *regs)
{
    unsigned int v = regs->entry_vector;

    if (v == APIC_SPURIOUS_VECTOR)
        return;
    if (v == IPI_CALL_VECTOR) {
        apic_eoi();
        smp_call_function_interrupt();
    } else if (v == IPI_EVENT_CHECK_VECTOR) {
        apic_eoi();
    }
    if (v == 2 && smp_nmi_stop(regs))
        return; /* not reached: a stopped CPU halts */
    if (regs_from_guest(regs)) {
        ASSERT(!hv_lock_held());
        hv_lock(); /* dropped by restore_all on the way back */
        do_trap_locked(regs);
        return;
    }
    if (v < 32 && v != 2) {
        /* An exception in pvx: its code holds the lock (or is booting). */
        do_trap_locked(regs);
        return;
    }
    if (v == IPI_CALL_VECTOR)
        return; /* from pvx: nothing else to do */
    hv_lock();
    do_trap_locked(regs);
    hv_unlock();
}
