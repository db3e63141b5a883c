/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exception and interrupt entry.
 *
 * Each of the 256 vectors has a stub that makes the stack look the same:
 * the CPU's frame (ss, rsp, rflags, cs, rip), then an 8-byte slot whose low
 * half is the error code (pushed by the CPU or 0) and whose high half the
 * stub fills with the vector number.  common_trap then pushes the general
 * registers so that %rsp points at a struct cpu_user_regs, and calls
 *     void do_trap(struct cpu_user_regs *regs)    (%rdi = regs)
 * with the stack 16-byte aligned.  All registers are restored on return.
 */
#include <asm/asm-offsets.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
                        (v) == 29 || (v) == 30)

    .text
    .align 16
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    .align 16
    .if !HAS_ERRCODE(vec)
    push    $0
    .endif
    movl    $vec, 4(%rsp)
    jmp     common_trap
    .set vec, vec + 1
    .endr

    .align 16
common_trap:
    cld
    push    %rdi
    push    %rsi
    push    %rdx
    push    %rcx
    push    %rax
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi
    /* 15 registers + error slot + CPU frame leave %rsp 8 mod 16. */
    sub     $8, %rsp
    call    do_trap
    add     $8, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rax
    pop     %rcx
    pop     %rdx
    pop     %rsi
    pop     %rdi
    add     $8, %rsp              /* error code and vector */
    iretq

    .section .rodata
    .align 8
    .globl trap_stub_size
trap_stub_size:
    .quad 16
