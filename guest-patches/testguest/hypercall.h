/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hypercall transports and typed wrappers.
 *
 * A 64-bit PV kernel issues hypercall N with rax = N and arguments in rdi,
 * rsi, rdx, r10, r8, the result coming back in rax.  Two transports reach the
 * hypervisor:
 *   HC_SYSCALL  a raw `syscall` from guest kernel mode (Linux 6.1 style);
 *               rcx and r11 are lost to SYSCALL/SYSRET.
 *   HC_PAGE     `call hypercall_page + 32 * N` (Mini-OS style): the stub the
 *               builder wrote there saves rcx/r11 around the syscall.
 * Argument registers are treated as clobbered either way (debug hypervisors
 * poison them).  hc_transport selects the transport for hc_call().
 */
#ifndef TESTGUEST_HYPERCALL_H
#define TESTGUEST_HYPERCALL_H

#include "types.h"
#include <public/xen.h>

enum hc_transport {
    HC_SYSCALL = 0,
    HC_PAGE = 1,
};

extern enum hc_transport hc_transport;
extern char hypercall_page[4096];

static inline long hc_syscall(unsigned long nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long rax __asm__("rax") = nr;
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;

    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
                     :
                     : "rcx", "r11", "memory", "cc");
    return (long)rax;
}

static inline long hc_page(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
                           unsigned long a4, unsigned long a5)
{
    register unsigned long rax __asm__("rax") = (unsigned long)(hypercall_page + nr * 32);
    register unsigned long rdi __asm__("rdi") = a1;
    register unsigned long rsi __asm__("rsi") = a2;
    register unsigned long rdx __asm__("rdx") = a3;
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;

    __asm__ volatile("call *%%rax"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
                     :
                     : "rcx", "r11", "memory", "cc");
    return (long)rax;
}

static inline long hc_call(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3,
                           unsigned long a4, unsigned long a5)
{
    if (hc_transport == HC_PAGE && nr < 128)
        return hc_page(nr, a1, a2, a3, a4, a5);
    return hc_syscall(nr, a1, a2, a3, a4, a5);
}

#define UL(x)                  ((unsigned long)(x))
#define HC0(nr)                hc_call(nr, 0, 0, 0, 0, 0)
#define HC1(nr, a)             hc_call(nr, UL(a), 0, 0, 0, 0)
#define HC2(nr, a, b)          hc_call(nr, UL(a), UL(b), 0, 0, 0)
#define HC3(nr, a, b, c)       hc_call(nr, UL(a), UL(b), UL(c), 0, 0)
#define HC4(nr, a, b, c, d)    hc_call(nr, UL(a), UL(b), UL(c), UL(d), 0)
#define HC5(nr, a, b, c, d, e) hc_call(nr, UL(a), UL(b), UL(c), UL(d), UL(e))

/* Typed wrappers for the calls the checks use most. */
#define hc_set_trap_table(t)          HC1(__HYPERVISOR_set_trap_table, t)
#define hc_mmu_update(r, n, d, dom)   HC4(__HYPERVISOR_mmu_update, r, n, d, dom)
#define hc_set_gdt(f, n)              HC2(__HYPERVISOR_set_gdt, f, n)
#define hc_stack_switch(ss, sp)       HC2(__HYPERVISOR_stack_switch, ss, sp)
#define hc_set_callbacks(e, f, s)     HC3(__HYPERVISOR_set_callbacks, e, f, s)
#define hc_fpu_taskswitch(s)          HC1(__HYPERVISOR_fpu_taskswitch, s)
#define hc_update_descriptor(ma, d)   HC2(__HYPERVISOR_update_descriptor, ma, d)
#define hc_memory_op(c, a)            HC2(__HYPERVISOR_memory_op, c, a)
#define hc_multicall(l, n)            HC2(__HYPERVISOR_multicall, l, n)
#define hc_update_va_mapping(v, p, f) HC3(__HYPERVISOR_update_va_mapping, v, p, f)
#define hc_set_timer_op(t)            HC1(__HYPERVISOR_set_timer_op, t)
#define hc_xen_version(c, a)          HC2(__HYPERVISOR_xen_version, c, a)
#define hc_console_io(c, n, b)        HC3(__HYPERVISOR_console_io, c, n, b)
#define hc_grant_table_op(c, u, n)    HC3(__HYPERVISOR_grant_table_op, c, u, n)
#define hc_vm_assist(c, t)            HC2(__HYPERVISOR_vm_assist, c, t)
#define hc_vcpu_op(c, v, a)           HC3(__HYPERVISOR_vcpu_op, c, v, a)
#define hc_set_segment_base(w, b)     HC2(__HYPERVISOR_set_segment_base, w, b)
#define hc_mmuext_op(o, n, d, dom)    HC4(__HYPERVISOR_mmuext_op, o, n, d, dom)
#define hc_sched_op(c, a)             HC2(__HYPERVISOR_sched_op, c, a)
#define hc_callback_op(c, a)          HC2(__HYPERVISOR_callback_op, c, a)
#define hc_event_channel_op(c, a)     HC2(__HYPERVISOR_event_channel_op, c, a)
#define hc_physdev_op(c, a)           HC2(__HYPERVISOR_physdev_op, c, a)
#define hc_set_debugreg(r, v)         HC2(__HYPERVISOR_set_debugreg, r, v)
#define hc_get_debugreg(r)            HC1(__HYPERVISOR_get_debugreg, r)

/* The iret hypercall through the selected transport (entry.S). */
void hc_iret_to(const void *iret_context) __attribute__((noreturn));

#endif
