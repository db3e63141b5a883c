/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trap, event, syscall and failsafe entry points; the iret path; setjmp.
 *
 * Every bounce frame the hypervisor builds starts (lowest address) with the
 * interrupted rcx and r11, then `nextra` words (an error code for some
 * exceptions, DS/ES/FS/GS for the failsafe callback), then rip, cs, rflags,
 * rsp, ss.  Each stub pushes nextra and a vector number (0-255 for traps,
 * 256+ for callbacks) and joins trap_common, which saves the general
 * registers (struct trap_regs in traps.c) and calls trap_dispatch().  That
 * returns where it wrote the iret_context to resume with; we reload the
 * general registers and return through the iret hypercall.
 */

    .text

.macro STUB name, vec, nextra
    .p2align 4
    .globl \name
\name:
    pushq $\nextra
    pushq $\vec
    jmp trap_common
.endm

/* Exception vectors 0-31: the ones with an error code get nextra = 1. */
.macro EXC vec
    .if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || \
        (\vec == 14) || (\vec == 17) || (\vec == 21)
    STUB exc_\vec, \vec, 1
    .else
    STUB exc_\vec, \vec, 0
    .endif
.endm

    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    EXC \v
    .endr

    /* Software interrupt vectors the checks install (no error code). */
    STUB soft_0x80, 0x80, 0
    STUB soft_0x81, 0x81, 0
    STUB soft_0x82, 0x82, 0
    STUB soft_0x83, 0x83, 0

    /* Callbacks. */
    STUB event_callback, 256, 0
    STUB syscall_callback, 257, 0
    STUB failsafe_callback, 258, 4
    STUB nmi_callback, 259, 0

    .section .rodata
    .p2align 3
    .globl exc_stub_table
exc_stub_table:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad exc_\v
    .endr
    .text

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rbx
    andq $-16, %rsp
    movq %rbx, %rdi
    call trap_dispatch
    /*
     * rax = the iret_context to resume with; it may lie above our saved
     * registers.  Mask events until the iret hypercall restores the mask
     * from the context's rflags.IF, so that no upcall frame lands on the
     * registers we are still reading.
     */
    movq vcpu(%rip), %rcx
    movb $1, 1(%rcx)
    movq 0(%rbx), %r15
    movq 8(%rbx), %r14
    movq 16(%rbx), %r13
    movq 24(%rbx), %r12
    movq 40(%rbx), %r10
    movq 48(%rbx), %r9
    movq 56(%rbx), %r8
    movq 64(%rbx), %rbp
    movq 72(%rbx), %rdi
    movq 80(%rbx), %rsi
    movq 88(%rbx), %rdx
    movq %rax, %rsp
    movq 104(%rbx), %rbx
    jmp iret_via_transport

/* void hc_iret_to(const struct iret_context *ctx): never returns. */
    .globl hc_iret_to
hc_iret_to:
    movq %rdi, %rsp
    .globl iret_via_transport
iret_via_transport:
    cmpl $1, hc_transport(%rip)
    je 1f
    movl $23, %eax
    syscall
    ud2
1:  /* The page's iret slot pushes rcx, r11 and rax itself. */
    movq 0(%rsp), %rax
    movq 8(%rsp), %r11
    movq 16(%rsp), %rcx
    addq $24, %rsp
    jmp hypercall_page + 23 * 32

/* int jb_set(struct jmpbuf *jb) */
    .globl jb_set
jb_set:
    movq %rbx, 0(%rdi)
    movq %rbp, 8(%rdi)
    movq %r12, 16(%rdi)
    movq %r13, 24(%rdi)
    movq %r14, 32(%rdi)
    movq %r15, 40(%rdi)
    leaq 8(%rsp), %rax
    movq %rax, 48(%rdi)
    movq (%rsp), %rax
    movq %rax, 56(%rdi)
    xorl %eax, %eax
    ret

/* void jb_jump(struct jmpbuf *jb, int val) */
    .globl jb_jump
jb_jump:
    movq 0(%rdi), %rbx
    movq 8(%rdi), %rbp
    movq 16(%rdi), %r12
    movq 24(%rdi), %r13
    movq 32(%rdi), %r14
    movq 40(%rdi), %r15
    movq 48(%rdi), %rsp
    movl %esi, %eax
    testl %eax, %eax
    jnz 1f
    incl %eax
1:  jmpq *56(%rdi)
