/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary CPU start-up (smpboot.c copies ap_trampoline_start..end to
 * AP_TRAMPOLINE_PA, below 1 MiB, and sends STARTUP with that page).
 *
 * A STARTUP IPI leaves the CPU in real mode at CS:IP = (page << 8):0.  The
 * copy is only ever run at AP_TRAMPOLINE_PA, so every address inside it is
 * AP_TRAMPOLINE_PA + its offset.  Steps:
 *   16-bit: load the copy's GDT, protected mode on;
 *   32-bit: PAE, the static boot page tables (boot_l4: the identity map of
 *           the first 4 GiB and the image), EFER as the boot CPU had it
 *           (patched into ap_trampoline_efer), paging on;
 *   64-bit: jump to ap_high_entry in the image.
 * ap_high_entry then switches to pvx's GDT-independent state:
 *   in:  ap_boot_cr3/cr4/cr0 (the boot CPU's), ap_boot_stack (top of the
 *        CPU's stack block, below its cpu_info), interrupts off
 *   out: calls start_secondary() on that stack; never returns.
 */
#include <asm/config.h>
#include <asm/smp.h>

#define TRAMP(sym) (AP_TRAMPOLINE_PA + ((sym) - ap_trampoline_start))

    .section .rodata, "a"
    .code16
    .globl ap_trampoline_start, ap_trampoline_end, ap_trampoline_efer
    .align 16
ap_trampoline_start:
    cli
    cld
    mov     %cs, %ax
    mov     %ax, %ds
    lgdtl   (tramp_gdt_desc - ap_trampoline_start)
    mov     %cr0, %eax
    or      $1, %eax              /* PE */
    mov     %eax, %cr0
    ljmpl   $0x08, $TRAMP(tramp_32)

    .code32
tramp_32:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %cr4, %eax
    or      $0x20, %eax           /* PAE */
    mov     %eax, %cr4
    mov     $boot_l4, %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx     /* EFER: LME, and NXE/SCE as on the boot CPU */
    mov     TRAMP(ap_trampoline_efer), %eax
    xor     %edx, %edx
    wrmsr
    mov     %cr0, %eax
    or      $0x80010001, %eax     /* PG | WP | PE */
    mov     %eax, %cr0
    ljmp    $0x18, $TRAMP(tramp_64)

    .code64
tramp_64:
    movabs  $ap_high_entry, %rax
    jmp     *%rax

    .align 8
ap_trampoline_efer:
    .long   0
    .align 16
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff      /* 0x08: 32-bit ring-0 code */
    .quad 0x00cf92000000ffff      /* 0x10: ring-0 data */
    .quad 0x00af9a000000ffff      /* 0x18: 64-bit ring-0 code */
tramp_gdt_desc:
    .short  tramp_gdt_desc - tramp_gdt - 1
    .long   TRAMP(tramp_gdt)
ap_trampoline_end:

    .text
    .code64
    .globl ap_high_entry
ap_high_entry:
    /* A GDT in the image first: the copy's goes with the identity map. */
    lgdt    ap_gdt_desc(%rip)
    mov     ap_boot_cr4(%rip), %rax
    mov     %rax, %cr4
    mov     ap_boot_cr3(%rip), %rax
    mov     %rax, %cr3
    mov     ap_boot_cr0(%rip), %rax
    mov     %rax, %cr0
    mov     ap_boot_stack(%rip), %rsp
    xor     %ebp, %ebp
    push    $0                    /* terminate backtraces */
    call    start_secondary
    ud2

    .section .rodata, "a"
    .align 16
ap_gdt:
    .quad 0
    .quad 0
    .quad 0
    .quad 0x00af9b000000ffff      /* 0x18: 64-bit ring-0 code, as loaded (accessed: never written) */
ap_gdt_desc:
    .short  ap_gdt_desc - ap_gdt - 1
    .quad   ap_gdt
