/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86 PV execution core (hypervisor/arch/x86/pv/):
 *
 *   dom0_build.c  build a domain from a Xen PV ELF kernel
 *   traps.c       guest exceptions, interrupts and syscalls; bounce frames;
 *                 event upcalls; the exit path back to the guest
 *   emulate.c     privileged instructions (#GP) and forced CPUID (#UD)
 *   callbacks.c   trap table, callbacks, stack_switch, iret, segment bases,
 *                 fpu_taskswitch
 *   debugreg.c    debug registers: set/get, loading them, #DB
 *   context.c     switching the CPU between vCPUs
 */
#ifndef ASM_PV_TRAPS_H
#define ASM_PV_TRAPS_H

#include <asm/regs.h>
#include <pvx/types.h>

struct boot_module;
struct domain;
struct vcpu;

#define TRAP_syscall     0x100
#define TRAP_syscall32   0x101
#define HYPERCALL_VECTOR 0x82

/* dom0_build.c */
/* mem: bytes of RAM for the domain (0: dom0's automatic size). */
/* Write the hypercall transfer page (a stub per hypercall) at p. */
void pv_fill_hypercall_page(uint8_t *p);
int pv_build_domain(struct domain *d, const struct boot_module *kernel,
                    const struct boot_module *initrd, const char *cmdline, uint64_t mem);

/* traps.c */
struct cpu_user_regs *guest_cpu_user_regs(void);
void pv_do_trap(struct cpu_user_regs *regs);
/* Last step before returning to a guest: scheduling, pending events. */
void arch_exit_to_guest(struct cpu_user_regs *regs);
/* Deliver exception vector to the guest kernel; false if it has no handler. */
bool pv_inject_exception(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector,
                         bool has_error, uint32_t error_code);
/* Bounce to the guest's handler at addr (events, syscalls, failsafe). */
bool pv_bounce(struct vcpu *v, struct cpu_user_regs *regs, uint64_t handler, bool has_error,
               uint32_t error_code, bool mask_events);
void pv_toggle_guest_mode(struct vcpu *v);
void __noreturn pv_bad_iret(struct cpu_user_regs *regs);

/* emulate.c */
/* Carry out the privileged instruction at regs->rip for v; false if it may
 * not (the caller raises #GP).  *io_hits: DR6 B0-B3 of the I/O breakpoints
 * an emulated port access hit (the caller raises #DB after it), else 0. */
bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs, uint64_t *io_hits);
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs);
void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);

/* descriptors.c */
void pv_load_guest_gdt(struct vcpu *v, bool changed);
/* Install frames as v's GDT (entries descriptors); -EINVAL if unusable. */
int pv_set_gdt(struct vcpu *v, const uint64_t *frames, uint64_t entries);
/* Drop v's GDT and LDT frame references (domain destruction). */
void pv_release_descriptors(struct vcpu *v);
void pv_load_guest_ldt(struct vcpu *v);

/* debugreg.c */
/* Set or read v's DRn as set_debugreg/get_debugreg and `mov` do (loaded into
 * the CPU at once if v runs): 0, -EPERM or -EINVAL for a refused value,
 * -ENODEV for no such register (a `mov` then raises #UD, else #GP). */
long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value);
int pv_get_debugreg(const struct vcpu *v, unsigned int reg, uint64_t *value);
/* A new context's state: nothing armed. */
void pv_reset_debugregs(struct vcpu *v);
/* Context switch: the CPU's registers change only for a vCPU whose DR7
 * enables a breakpoint. */
void pv_debugregs_switch_in(const struct vcpu *v);
void pv_debugregs_switch_out(const struct vcpu *v);
/* A #DB from the guest: fold the CPU's DR6 into v's before it is bounced. */
void pv_debug_status_from_trap(struct vcpu *v);
/* Which of v's I/O breakpoints (armed only with its CR4.DE) an access of
 * size bytes at port hits, as DR6 B0-B3; pvx checks them itself because
 * it, not the CPU, carries out a guest's port access. */
uint64_t pv_io_breakpoint_hits(const struct vcpu *v, uint16_t port, unsigned int size);
/* A #DB raised inside pvx by a guest's debug state: noted, then resumed. */
void debug_trap_in_hypervisor(struct cpu_user_regs *regs);

/* context.c */
void __noreturn arch_run_vcpu(struct vcpu *v);
void arch_save_vcpu(struct vcpu *v);
void arch_enter_guest(struct cpu_user_regs *regs) __noreturn;
void arch_dump_guest_state(struct vcpu *v);

#endif
