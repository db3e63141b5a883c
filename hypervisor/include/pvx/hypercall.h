/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall dispatch.  One const table indexed by hypercall number holds each
 * handler and whether only a privileged (control) domain may call it.  Numbers
 * without a handler, and privileged calls from others, return -ENOSYS and
 * -EPERM.  Handlers take up to five 64-bit arguments (rdi, rsi, rdx, r10, r8)
 * and return a negative errno or a non-negative result.
 *
 * A handler that must stop part-way (a long batch) calls
 * hypercall_create_continuation() with the arguments to resume with; the guest
 * then re-executes the same hypercall, so other work (interrupts, events,
 * other vCPUs) can run in between.
 */
#ifndef PVX_HYPERCALL_H
#define PVX_HYPERCALL_H

#include <pvx/types.h>

typedef long (*hypercall_fn_t)(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

struct hypercall_entry {
    hypercall_fn_t fn;
    uint8_t nargs;
    bool privileged;
};

#define NR_HYPERCALLS 64

/* Run hypercall nr for the current vCPU; returns the value for rax. */
long do_hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/* Re-issue the current hypercall with new arguments on return to the guest.
 * Returns the value the handler should return (ignored by the guest). */
long hypercall_create_continuation(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                   uint64_t a5);
/* True when the current handler should stop and continue later. */
bool hypercall_preempt_check(void);

/* Handlers, by owner file. */
/* hypercalls.c */
long do_xen_version(uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
long do_console_io(uint64_t cmd, uint64_t count, uint64_t buf, uint64_t, uint64_t);
long do_vm_assist(uint64_t cmd, uint64_t type, uint64_t, uint64_t, uint64_t);
long do_multicall(uint64_t list, uint64_t nr, uint64_t, uint64_t, uint64_t);
/* sched.c */
long do_sched_op(uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
long do_set_timer_op(uint64_t timeout, uint64_t, uint64_t, uint64_t, uint64_t);
long do_vcpu_op(uint64_t cmd, uint64_t vcpuid, uint64_t arg, uint64_t, uint64_t);
/* event_channel.c */
long do_event_channel_op(uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
/* memory.c */
long do_memory_op(uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
/* memory_exchange.c: XENMEM_exchange */
struct domain;
long memory_exchange(struct domain *caller, uint64_t arg);
/* grant_table.c */
long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count, uint64_t, uint64_t);
/* arch/x86/pv/: traps, callbacks, descriptors, segments, physdev */
long do_set_trap_table(uint64_t traps, uint64_t, uint64_t, uint64_t, uint64_t);
long do_set_callbacks(uint64_t event, uint64_t failsafe, uint64_t syscall, uint64_t, uint64_t);
long do_callback_op(uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
long do_stack_switch(uint64_t ss, uint64_t sp, uint64_t, uint64_t, uint64_t);
long do_fpu_taskswitch(uint64_t set, uint64_t, uint64_t, uint64_t, uint64_t);
long do_iret(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long do_set_segment_base(uint64_t which, uint64_t base, uint64_t, uint64_t, uint64_t);
long do_set_gdt(uint64_t frames, uint64_t entries, uint64_t, uint64_t, uint64_t);
long do_update_descriptor(uint64_t maddr, uint64_t desc, uint64_t, uint64_t, uint64_t);
long do_set_debugreg(uint64_t reg, uint64_t value, uint64_t, uint64_t, uint64_t);
long do_get_debugreg(uint64_t reg, uint64_t, uint64_t, uint64_t, uint64_t);
long do_physdev_op(uint64_t cmd, uint64_t arg, uint64_t, uint64_t, uint64_t);
long do_platform_op(uint64_t arg, uint64_t, uint64_t, uint64_t, uint64_t);
/* arch/x86/pv/mm.c */
long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t done, uint64_t foreigndom, uint64_t);
long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t done, uint64_t foreigndom, uint64_t);
long do_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags, uint64_t, uint64_t);

#endif
