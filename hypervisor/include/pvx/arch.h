/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boundary between generic code and an architecture.  Generic code
 * calls only these hooks; hypervisor/arch/<arch>/ implements each one.
 */
#ifndef PVX_ARCH_H
#define PVX_ARCH_H

#include <pvx/bootinfo.h>
#include <pvx/types.h>

/**
 * arch_early_setup() - first steps after the boot loader: console hardware,
 * exception handling and the boot information.
 * @bi: filled from the loader's data before return.
 * Runs on the boot stack with interrupts off.  Must leave printk usable.
 */
void arch_early_setup(struct bootinfo *bi);

/**
 * arch_image_range() - physical extent of the hypervisor image (including
 * bss and boot page tables), so the allocators never hand it out.
 */
void arch_image_range(paddr_t *start, paddr_t *end);

/**
 * arch_memory_setup() - build the hypervisor's final page tables (direct map
 * of all RAM, image, frame table) from the sanitized map and switch to them.
 * Uses the boot allocator; on return frame_table covers every frame below
 * e820_ram_end().
 */
void arch_memory_setup(const struct e820_map *m);

/**
 * arch_hardening_init() - once the page allocator is up: turn on the CPU's
 * protections against guests (SMEP, SMAP, Meltdown isolation) and say which.
 */
void arch_hardening_init(void);
/* arch_power_init() - learn from the firmware how to power the machine off
 * (x86: ACPI S5), for machine_shutdown(); prints what it found.  After
 * memory setup. */
void arch_power_init(void);

/**
 * arch_time_init() - calibrate the cycle counter, start the monotonic clock
 * and the one-shot timer interrupt.  Interrupts may be enabled afterwards.
 */
void arch_time_init(void);

/**
 * arch_timer_program() - make the local one-shot timer fire at or shortly
 * after @deadline (ns, monotonic); UINT64_MAX stops it.  Called with
 * interrupts off.
 */
void arch_timer_program(uint64_t deadline);

/**
 * arch_smp_init() - after arch_time_init(): find the other CPUs and start
 * them (at most `maxcpus=`); a CPU that does not start is reported and
 * left out.
 */
void arch_smp_init(void);

/** arch_cpu_online_map() - the CPUs that are up, as a bitmap of indices. */
uint64_t arch_cpu_online_map(void);
/** arch_send_call_ipi() - interrupt the CPUs in @mask (a bitmap of CPU
 * indices) so that they run smp_call_function_interrupt(). */
void arch_send_call_ipi(uint64_t mask);
/** arch_send_event_check() - send @cpu the event-check IPI (sched.c). */
void arch_send_event_check(unsigned int cpu);
struct domain;
/** arch_domain_forget_cpus() - @d is freed: flush the CPUs that ran it and
 * forget it in their TLB bookkeeping. */
void arch_domain_forget_cpus(struct domain *d);
/** arch_idle_enter() - this CPU goes idle: off every guest's page tables. */
void arch_idle_enter(void);
/** arch_timer_kick() - @cpu's timer heap changed from another CPU: make it
 * reprogram its timer (an event check). */
void arch_timer_kick(unsigned int cpu);
/** arch_flush_domain_tlbs() - frames @d's page tables no longer name are about
 * to be freed: flush this CPU and every CPU that ran @d, which may still
 * cache translations to them (entry updates leave that to the guest, as on
 * Xen, unless what the old entry named can go away at once). */
void arch_flush_domain_tlbs(const struct domain *d);
/** arch_flush_tlb_local() - flush this CPU's TLB (hypervisor and guest). */
void arch_flush_tlb_local(void);
/** arch_cpu_relax() - a spin-wait pause. */
void arch_cpu_relax(void);
/**
 * arch_run_selftests() - the arch's boot-time self-tests (selftest.c calls
 * it), reporting each check through @check.
 */
void arch_run_selftests(void (*check)(bool ok, const char *what));

/** arch_logdirty_mark() - pvx wrote @pg's frame other than through its
 * owner's page tables (a grant copy, a populated page): a domain in log-dirty
 * mode sends it again (arch/x86/pv/logdirty.c). */
struct page_info;
void arch_logdirty_mark(const struct page_info *pg);
/** arch_logdirty_domctl() - PVX_DOMCTL_logdirty for @d (ENABLE, CLEAN, FINAL,
 * OFF; include/public/domctl.h): tracking which pages it writes. */
struct pvx_domctl_logdirty;
long arch_logdirty_domctl(struct domain *d, struct pvx_domctl_logdirty *op);

/** arch_maddr_to_virt() / arch_virt_to_maddr(): the direct map. */
void *arch_maddr_to_virt(paddr_t ma);
paddr_t arch_virt_to_maddr(const void *va);

/** arch_set_wallclock() - the UTC time was @secs.@nsecs at system time
 * @system_time (ns): what guests' shared_info wall clocks say from now on. */
void arch_set_wallclock(uint64_t secs, uint32_t nsecs, uint64_t system_time);
/** arch_cpu_khz() - the calibrated cycle-counter frequency. */
uint32_t arch_cpu_khz(void);

/** arch_local_irq_*(): interrupt enable state of this CPU. */
unsigned long arch_local_irq_save(void);
void arch_local_irq_restore(unsigned long flags);
void arch_local_irq_enable(void);

/** arch_cpu_idle() - wait for an interrupt (interrupts enabled on return). */
void arch_cpu_idle(void);

/** arch_smp_processor_id() - index of the running CPU. */
unsigned int arch_smp_processor_id(void);

/** arch_backtrace() - print the call chain of the current context. */
void arch_backtrace(void);

/** arch_selftest_fault() - trigger the deliberate fault named by @spec
 * ("ud", "pf", "gp", "de", "df"; "KIND@CPU" on that online CPU) to
 * exercise the fatal-exception path. */
void arch_selftest_fault(const char *spec);

/** arch_shutdown() - stop the machine with @status (see pvx/shutdown.h). */
void __noreturn arch_shutdown(unsigned int status, bool reboot);

#endif

#ifndef PVX_ARCH_SERIAL_DECLARED
#define PVX_ARCH_SERIAL_DECLARED
/**
 * arch_serial_init() - (re)program serial port @index (0 = COM1) for @baud
 * 8n1.  Returns false when the port does not exist.
 */
bool arch_serial_init(unsigned int index, unsigned int baud);
/** arch_serial_write() - write bytes to the configured port, "\n" as CRLF. */
void arch_serial_write(const char *s, size_t len);
/** arch_serial_getc() - a received byte, if one is waiting. */
bool arch_serial_getc(char *c);
#endif

/** start_pvx() - the generic boot sequence; the arch entry code calls it on
 * CPU 0's stack with interrupts off and never expects it to return. */
void __noreturn start_pvx(void);

struct vcpu;
struct vcpu_guest_context;
/** arch_dump_guest_state() - log a vCPU's registers (for domain crashes). */
void arch_dump_guest_state(struct vcpu *v);

/** arch_set_continuation() - make the current hypercall re-execute with
 * args[0] as number and args[1..5] as arguments when the guest resumes. */
void arch_set_continuation(const uint64_t args[6]);
/** arch_hypercall_preempt_pending() - should a long hypercall yield now
 * (an interrupt or event is waiting)? */
bool arch_hypercall_preempt_pending(void);

struct page_info;
struct domain;
/** arch_run_vcpu() - load v's state on this CPU and enter the guest. */
void __noreturn arch_run_vcpu(struct vcpu *v);
/** arch_save_vcpu() - store the running vCPU's CPU-held state in v. */
void arch_save_vcpu(struct vcpu *v);
/** arch_set_current() - record the vCPU this CPU runs (NULL = idle). */
void arch_set_current(struct vcpu *v);
/** arch_get_writable_page() - take a lasting writable reference on a page
 * of d for a hypervisor mapping (registered vcpu_info); false if refused. */
bool arch_get_writable_page(struct page_info *pg, struct domain *d);

/** arch_init_vcpu_fpu() - give a new vCPU the x87/SSE reset state. */
void arch_init_vcpu_fpu(struct vcpu *v);
/**
 * arch_set_vcpu_context() - load a vcpu_guest_context into @v, which is not
 * running (VCPUOP_initialise, domctl setvcpucontext).  Every field is
 * checked before anything changes, except that new page tables and GDT are
 * taken in that order (a failure in the later leaves the earlier in place).
 * -ERESTART: validating a base table was preempted before the rest of the
 * context was applied; call again with the same (re-read) context.
 */
int arch_set_vcpu_context(struct vcpu *v, const struct vcpu_guest_context *c);
/** arch_get_vcpu_context() - the state of @v (not running) as a context. */
void arch_get_vcpu_context(const struct vcpu *v, struct vcpu_guest_context *c);
/** arch_domain_teardown() - drop every reference @d's vCPUs and page
 * tables hold (descriptor frames, vcpu_info pages, pins, base pointers). */
void arch_domain_teardown(struct domain *d);
/** arch_send_nmi() - make v take its NMI callback on its next entry. */
void arch_send_nmi(struct vcpu *v);
