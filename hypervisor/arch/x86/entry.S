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
#include <asm/smap.h>
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

/*
 * XPTI (xpti.c): while a guest runs, CR3 holds this CPU's root table, which
 * maps of pvx only what this file needs (its text, the entry data page,
 * the top of the stack block, GDT, IDT, TSS).  Every entry switches to the
 * full tables first.  The test is on CR3 itself, so an NMI or #MC anywhere
 * (even between the exit path's CR3 write and its iretq) switches exactly
 * when needed.  Out: %r12 = the root CR3 this entry left, 0 if none; a
 * callee-saved register, so it survives the C handler for the ring-0
 * return path to go back to the root table.  Clobbers %rax, %rcx.
 */
.macro XPTI_ENTER
    mov     %rsp, %rax
    or      $(STACK_SIZE - 1), %rax
    mov     %cr3, %r12
    cmp     1 - CPUINFO_sizeof + CPUINFO_xpti_root_cr3(%rax), %r12
    jne     1f
    mov     1 - CPUINFO_sizeof + CPUINFO_xpti_full_cr3(%rax), %rcx
    mov     %rcx, %cr3
    jmp     2f
1:  xor     %r12d, %r12d
2:
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

    /* Everything here runs with the root table too: its own section, mapped
     * there by xpti.c, page-aligned so nothing else shares its pages. */
    .section .text.entry, "ax"
    .align 4096
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
    ASM_CLAC                      /* an interrupt gate keeps the guest's AC */
    cld
    SAVE_GPRS
    XPTI_ENTER
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
    testb   $3, UREGS_cs(%rsp)
    jz      restore_hypervisor
    /* To the guest: with XPTI, xpti_exit() (C, full tables) readies this
     * CPU's root table and returns its CR3.  Without a root table (XPTI
     * off) there is nothing to do.  Then pvx is done: the hypervisor lock
     * (spinlock.c) is dropped last, after the root copy of the guest's L4
     * was taken under it, and before the root table (which maps no C code)
     * is loaded.  %rbx and %r12 are restored from the frame below. */
    mov     %rsp, %rbx
    and     $~15, %rsp
    xor     %r12d, %r12d
    mov     %rbx, %rax
    or      $(STACK_SIZE - 1), %rax
    cmpq    $0, 1 - CPUINFO_sizeof + CPUINFO_xpti_root_cr3(%rax)
    je      1f
    call    xpti_exit
    mov     %rax, %r12
1:  call    hv_unlock_all
    mov     %rbx, %rsp
    test    %r12, %r12
    jz      2f
    mov     %r12, %cr3
2:  RESTORE_GPRS
    add     $8, %rsp
    jmp     iret_to_frame

/* Back into pvx itself; to the root table if this entry left it (an NMI or
 * #MC in the exit path above, or the fault of its iretq). */
restore_hypervisor:
    test    %r12, %r12
    jz      1f
    mov     %r12, %cr3
1:  RESTORE_GPRS
    add     $8, %rsp              /* error code and vector */
iret_to_frame:
    iretq
    ASM_EXTABLE iret_to_frame, bad_guest_iret

/* The CPU refused the frame at iret_to_frame; %rsp points at its rip slot.
 * The trap's return came here on the root table (restore_hypervisor). */
bad_guest_iret:
    XPTI_ENTER
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
    cld                           /* SFMASK already cleared AC */
    SAVE_GPRS
    XPTI_ENTER
    mov     %rsp, %rdi
    sub     $8, %rsp
    call    do_syscall_entry      /* (struct cpu_user_regs *) */
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

    /* The syscall stubs' data, read before the switch: a page of its own. */
    .section .data.entry, "aw"
    .align 4096
    .globl syscall_saved_rsp, syscall_stack
syscall_saved_rsp:
    .fill NR_CPUS, 8, 0
syscall_stack:
    .fill NR_CPUS, 8, 0
    .align 4096

    .section .rodata
    .align 8
    .globl trap_stub_size
trap_stub_size:
    .quad 16
