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
#include <asm/config.h>
#include <asm/desc.h>
#include <asm/extable.h>
#include <pvx/percpu.h>

#define TRAP_syscall   0x100 /* entry_vector of a 64-bit syscall */
#define TRAP_syscall32 0x101 /* entry_vector of a compat-mode syscall */

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
                        (v) == 29 || (v) == 30)

/*
 * Push the general registers so that, on top of the error-code slot and the
 * CPU frame, %rsp points at a struct cpu_user_regs (r15 at the lowest
 * address); RESTORE_GPRS undoes it.
 */
.macro SAVE_GPRS
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
.endm

.macro RESTORE_GPRS
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
.endm

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

/*
 * #DB arrives on its own IST stack (desc.c).  From the guest, its frame moves
 * to cpu_info.guest_regs, where every other guest trap lands, and it goes on
 * as they do; from pvx it is handled where it is.
 */
    .align 16
    .globl debug_ist_entry
debug_ist_entry:
    push    $0
    movl    $1, 4(%rsp)
    testb   $3, 16(%rsp)              /* the interrupted CS */
    jz      common_trap
    push    %rax
    push    %rcx
    mov     %rsp, %rax
    or      $(STACK_SIZE - 1), %rax
    lea     1 - CPUINFO_sizeof + CPUINFO_guest_regs + UREGS_error_code(%rax), %rax
    .irp    slot, 0, 8, 16, 24, 32, 40 /* error slot, rip, cs, rflags, rsp, ss */
    mov     16 + \slot(%rsp), %rcx
    mov     %rcx, \slot(%rax)
    .endr
    pop     %rcx
    xchg    %rax, (%rsp)              /* restores rax; the new stack on top */
    pop     %rsp
    jmp     common_trap

    .align 16
common_trap:
    cld
    SAVE_GPRS
    mov     %rsp, %rdi
    /* 15 registers + error slot + CPU frame leave %rsp 8 mod 16. */
    sub     $8, %rsp
    call    do_trap
    add     $8, %rsp
    /* fall through */

/*
 * restore_all: %rsp = struct cpu_user_regs to return to (a hypervisor
 * frame, or cpu_info.guest_regs for a guest).  Everything is restored.
 * A guest frame pvx validated can still fault here (a selector the guest
 * changed under us): the fixup hands that to bad_guest_iret.
 */
    .globl restore_all
restore_all:
    RESTORE_GPRS
    add     $8, %rsp              /* error code and vector */
iret_to_frame:
    iretq
    ASM_EXTABLE iret_to_frame, bad_guest_iret

/* The CPU refused the frame at iret_to_frame; %rsp points at its rip slot. */
bad_guest_iret:
    sub     $UREGS_rip, %rsp
    mov     %rsp, %rdi
    and     $~15, %rsp
    call    pv_bad_iret           /* does not return */
    ud2

/*
 * 64-bit syscall from ring 3.  LSTAR points at this CPU's stub (one per CPU,
 * so no register is needed to find the CPU): it parks the guest %rsp,
 * switches to cpu_info.guest_regs of this CPU and builds the same frame a
 * trap from ring 3 would have: ss, rsp, rflags (from %r11), cs, rip (from
 * %rcx), then vector TRAP_syscall.
 *   in:  rcx = guest rip, r11 = guest rflags, rax = hypercall number,
 *        rdi, rsi, rdx, r10, r8 = arguments
 */
    .macro SYSCALL_STUB cpu, vector, cs
    movq    %rsp, syscall_saved_rsp + 8 * \cpu(%rip)
    movq    syscall_stack + 8 * \cpu(%rip), %rsp
    pushq   $FLAT_RING3_SS64
    pushq   syscall_saved_rsp + 8 * \cpu(%rip)
    pushq   %r11
    pushq   $\cs
    pushq   %rcx
    pushq   $0
    movl    $\vector, 4(%rsp)
    jmp     syscall_common
    .endm

    .align 64
    .globl syscall_stubs, syscall32_stubs
syscall_stubs:
    .set cpu, 0
    .rept NR_CPUS
    .align 64
    SYSCALL_STUB cpu, TRAP_syscall, FLAT_RING3_CS64
    .set cpu, cpu + 1
    .endr
syscall32_stubs:
    .set cpu, 0
    .rept NR_CPUS
    .align 64
    SYSCALL_STUB cpu, TRAP_syscall32, FLAT_RING3_CS32
    .set cpu, cpu + 1
    .endr

syscall_common:
    cld
    SAVE_GPRS
    mov     %rsp, %rdi
    sub     $8, %rsp
    call    do_syscall            /* (struct cpu_user_regs *) */
    add     $8, %rsp
    jmp     restore_all

/*
 * arch_enter_guest(regs): %rdi = cpu_info.guest_regs of this CPU, already
 * filled.  Abandons the current stack and returns to the guest.
 */
    .globl arch_enter_guest
arch_enter_guest:
    mov     %rdi, %rsp
    jmp     restore_all

    .data
    .align 8
    .globl syscall_saved_rsp, syscall_stack
syscall_saved_rsp:
    .fill NR_CPUS, 8, 0
syscall_stack:
    .fill NR_CPUS, 8, 0

    .section .rodata
    .align 8
    .globl trap_stub_size
trap_stub_size:
    .quad 16
