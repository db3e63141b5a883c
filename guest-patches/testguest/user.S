/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest user mode.  enter_user() saves the kernel context and returns to
 * user mode through the iret hypercall (CS RPL 3 switches to the user page
 * tables); user_exit() resumes that kernel context from a syscall or trap
 * handler.  The user program lives in its own page so that the checks can
 * map it at a user address.
 */
#include <public/xen.h>

    .text
/* long enter_user(u64 rip, u64 rsp) */
    .globl enter_user
enter_user:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, user_kernel_rsp(%rip)
    pushq $FLAT_USER_SS
    pushq %rsi
    pushq $0x202
    pushq $FLAT_USER_CS
    pushq %rdi
    pushq $0                /* flags */
    pushq $0                /* rcx */
    pushq $0                /* r11 */
    pushq $0                /* rax */
    movq user_rdi(%rip), %rdi
    movq user_rsi(%rip), %rsi
    jmp iret_via_transport

/* void user_exit(long value): back into enter_user's caller. */
    .globl user_exit
user_exit:
    movq user_kernel_rsp(%rip), %rsp
    movq %rdi, %rax
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

    .data
    .p2align 3
user_kernel_rsp: .quad 0
    .globl user_rdi, user_rsi
user_rdi: .quad 0   /* rdi and rsi the user program starts with */
user_rsi: .quad 0

/*
 * The user program (position independent).  rdi at entry selects a test:
 *   0: syscall(1, 41) -> expect 42, then syscall(2, result) to exit
 *   1: int3
 *   2: read a kernel address (rsi)
 *   3: cli (privileged)
 *   4: write to its own read-only page (rsi)
 *   5: syscall with rcx/r11 patterns: exits with rcx == rip-after && r11 flags
 *   6: benchmark: time `syscall` (rax = 3) n times, then exit with 0
 *   7: benchmark: time `int $0x80` n times, then exit with 0
 *   8: int $0x80 (a DPL-3 gate: reaches the guest kernel's handler)
 *   9: int $0x83 (a DPL-1 gate: #GP from user mode)
 *  10: mov %dr7, %rax (privileged: #GP from user mode)
 * For 6 and 7, rsi points at a user-writable buffer: [0] = n (at least 1),
 * then n rdtsc deltas, one per round trip, written by the loop.
 */
    .section .text.user, "ax", @progbits
    .p2align 12
    .globl user_page
user_page:
    cmpq $0, %rdi
    je 10f
    cmpq $1, %rdi
    je 11f
    cmpq $2, %rdi
    je 12f
    cmpq $3, %rdi
    je 13f
    cmpq $4, %rdi
    je 14f
    cmpq $5, %rdi
    je 15f
    cmpq $6, %rdi
    je 16f
    cmpq $7, %rdi
    je 17f
    cmpq $8, %rdi
    je 18f
    cmpq $9, %rdi
    je 19f
    cmpq $10, %rdi
    je 20f
    ud2
10: movl $1, %eax
    movl $41, %edi
    syscall
    movq %rax, %rdi
    movl $2, %eax
    syscall
    ud2
11: int3
    ud2
12: movq (%rsi), %rax
    ud2
13: cli
    ud2
14: movq $1, (%rsi)
    ud2
15: movq $0x1234, %rcx
    movq $0x5678, %r11
    movl $3, %eax
    syscall
user_after_syscall:
    /* rcx must now hold this instruction's address (sysret-style). */
    leaq user_after_syscall(%rip), %rdi
    xorq %rcx, %rdi
    movl $2, %eax
    syscall
    ud2

/* TIMED_LOOP insn: run `insn` (%rsi) times, storing each rdtsc delta. */
.macro TIMED_LOOP insn:vararg
    movq (%rsi), %r12
    leaq 8(%rsi), %r13
1:  rdtsc
    movl %eax, %r14d
    shlq $32, %rdx
    orq %rdx, %r14
    movl $3, %eax
    \insn
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    subq %r14, %rax
    movq %rax, (%r13)
    addq $8, %r13
    decq %r12
    jnz 1b
    xorl %edi, %edi
    movl $2, %eax
    syscall
    ud2
.endm
16: TIMED_LOOP syscall
17: TIMED_LOOP int $0x80
18: int $0x80
    ud2
19: int $0x83
    ud2
20: movq %dr7, %rax
    ud2
    .p2align 12
    .globl user_page_end
user_page_end:
