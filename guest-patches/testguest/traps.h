/* SPDX-License-Identifier: GPL-2.0-only */
/* The decoded view of one bounce frame, as trap handlers see it. */
#ifndef TESTGUEST_TRAPS_H
#define TESTGUEST_TRAPS_H

#include "guest.h"

/* General registers saved by trap_common (lowest address first). */
struct trap_regs {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, nextra;
    u64 frame[]; /* rcx, r11, extra[nextra], rip, cs, rflags, rsp, ss */
};

#define VEC_EVENT    256
#define VEC_SYSCALL  257
#define VEC_FAILSAFE 258
#define VEC_NMI      259

/* One trap being handled; handlers may change the resume state. */
struct trap_ctx {
    struct trap_regs *regs;
    unsigned vector;
    int nextra;
    u64 rcx, r11, extra[4];
    u64 rip, cs, rflags, rsp, ss;
    u8 mask_at_entry;
};

/* The last event upcall's frame (set by the event callback). */
extern struct trap_ctx last_event;

/* Hooks for the user-mode checks: traps from guest user mode and syscalls. */
extern void (*user_trap_hook)(struct trap_ctx *t);
extern void (*syscall_hook)(struct trap_ctx *t);
/* Hook for #GP/#UD checks that want to look at the trap themselves. */
extern bool (*trap_hook)(struct trap_ctx *t);

/* entry.S stubs. */
extern const u64 exc_stub_table[32];
void event_callback(void);
void syscall_callback(void);
void failsafe_callback(void);
void nmi_callback(void);
void soft_0x80(void);
void soft_0x81(void);
void soft_0x82(void);
void soft_0x83(void);

/* The trap table traps_init() installs (for checks that re-install it). */
extern struct trap_info trap_table[40];

#endif
