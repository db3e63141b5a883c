/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry from the boot loader.
 *
 * Both multiboot headers describe the image with the "address" fields, so
 * loaders place the flat image at PVX_LOAD_ADDRESS without parsing ELF, and
 * QEMU's -kernel (multiboot1, which refuses 64-bit ELF) and GRUB's
 * multiboot2 boot the same file.
 *
 * _start runs in 32-bit protected mode with paging off:
 *   in:  eax = loader magic, ebx = physical address of the loader's info
 * It checks for long mode, switches on the static boot page tables below
 * (identity map of the first 4 GiB, the image at PVX_IMAGE_VIRT_BASE, and the
 * first 4 GiB in the direct map) and jumps to the 64-bit image, which calls
 * start_pvx() on CPU 0's stack.  Everything in .boot.* is linked at its
 * physical address.
 */
#include <asm/config.h>
#include <asm/current.h>
#include <asm/asm-offsets.h>

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00010003 /* page-aligned modules, memory info, address fields */
#define MB2_MAGIC 0xe85250d6

#define PHYS(sym) ((sym) - PVX_IMAGE_VIRT_BASE)

    .section .boot.header, "a"
    .code32

    .align 4
mb1_header:
    .long MB1_MAGIC
    .long MB1_FLAGS
    .long -(MB1_MAGIC + MB1_FLAGS)
    .long mb1_header              /* header_addr */
    .long __image_phys_start      /* load_addr */
    .long __load_phys_end         /* load_end_addr */
    .long __bss_phys_end          /* bss_end_addr */
    .long _start                  /* entry_addr */

    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                       /* i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    /* information request: command line, loader name, modules, memory map */
    .align 8
    .short 1, 0
    .long 8 + 4 * 4
    .long 1, 2, 3, 6
    /* address tag */
    .align 8
    .short 2, 0
    .long 24
    .long mb2_header
    .long __image_phys_start
    .long __load_phys_end
    .long __bss_phys_end
    /* entry address tag */
    .align 8
    .short 3, 0
    .long 12
    .long _start
    /* modules page aligned */
    .align 8
    .short 6, 0
    .long 8
    /* end */
    .align 8
    .short 0, 0
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .globl _start
_start:
    cli
    cld
    mov     $boot_stack_top, %esp
    mov     %eax, boot_magic
    mov     %ebx, boot_info_pa

    /* Long mode and NX must exist (cpuid 0x80000001 edx bits 29, 20). */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    bt      $29, %edx
    jnc     no_long_mode

    mov     %edx, %esi            /* extended features, for NX below */

    /* PAE on, boot page tables in, long mode and NX on, paging on. */
    mov     %cr4, %eax
    or      $0x20, %eax
    mov     %eax, %cr4
    mov     $boot_l4, %eax
    mov     %eax, %cr3
    mov     $0xc0000080, %ecx
    rdmsr
    or      $0x100, %eax          /* LME */
    bt      $20, %esi
    jnc     1f
    or      $0x800, %eax          /* NXE */
1:  wrmsr
    mov     %cr0, %eax
    or      $0x80010001, %eax     /* PG | WP | PE */
    mov     %eax, %cr0

    lgdt    boot_gdt_desc
    ljmp    $0x08, $long_mode_entry

no_long_mode:
    /* Say why on COM1 (115200 8n1 as left by the firmware or not) and stop. */
    mov     $no_lm_msg, %esi
1:  lodsb
    test    %al, %al
    jz      2f
    mov     $0x3f8, %dx
    out     %al, %dx
    jmp     1b
2:  hlt
    jmp     2b

    .code64
long_mode_entry:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    xor     %eax, %eax
    mov     %eax, %fs
    mov     %eax, %gs
    movabs  $high_entry, %rax
    jmp     *%rax

    .section .boot.data, "aw"
no_lm_msg:
    .asciz  "pvx: this CPU has no 64-bit long mode; pvx cannot run here.\r\n"

    .globl boot_magic, boot_info_pa
    .align 4
boot_magic:     .long 0
boot_info_pa:   .long 0

    .align 16
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff      /* 0x08: 64-bit ring-0 code */
    .quad 0x00cf92000000ffff      /* 0x10: ring-0 data */
boot_gdt_end:
boot_gdt_desc:
    .short boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    /*
     * Static boot page tables: four L2 tables of 2 MiB pages cover the first
     * 4 GiB; one L3 points at them.  L4 slot 0 (identity, needed while the
     * instruction pointer is still physical), the direct-map slot and the
     * image slot all share them.
     */
    .align 4096
    .globl boot_l2_ident
boot_l2_ident:
    .set pa, 0
    .rept 2048
    .quad pa + 0xe3               /* P | RW | A | D | PSE */
    .set pa, pa + 0x200000
    .endr
boot_l3_ident:
    .quad boot_l2_ident + 0x0000 + 0x63
    .quad boot_l2_ident + 0x1000 + 0x63
    .quad boot_l2_ident + 0x2000 + 0x63
    .quad boot_l2_ident + 0x3000 + 0x63
    .fill 508, 8, 0
boot_l3_image:
    .quad boot_l2_ident + 0x63    /* image: first GiB */
    .fill 511, 8, 0
    .globl boot_l4
boot_l4:
    .quad boot_l3_ident + 0x63    /* slot 0: identity */
    .fill 257, 8, 0
    .quad boot_l3_image + 0x63    /* slot 258: image */
    .fill 3, 8, 0
    .quad boot_l3_ident + 0x63    /* slot 262: direct map */
    .fill 249, 8, 0

    .section .boot.bss, "aw", @nobits
    .align 16
    .space 1024
boot_stack_top:

    /* 64-bit code at the image's virtual address. */
    .text
    .code64
high_entry:
    /* The loader's values, read through their physical (low) addresses
     * while the identity map still exists. */
    movl    boot_magic, %r12d
    movl    boot_info_pa, %r13d
    /* Switch to CPU 0's stack block: cpu_info sits at its top. */
    lea     cpu0_stack(%rip), %rsp
    add     $(STACK_SIZE - CPUINFO_sizeof), %rsp
    /* Clear bss (loaders are asked to, but don't rely on it). */
    lea     __bss_start(%rip), %rdi
    lea     __bss_end(%rip), %rcx
    sub     %rdi, %rcx
    xor     %eax, %eax
    rep stosb
    mov     %r12d, multiboot_magic(%rip)
    mov     %r13d, multiboot_info_pa(%rip)
    xor     %ebp, %ebp
    push    $0                    /* terminate backtraces */
    call    start_pvx
    ud2

    .section .bss.stack_aligned, "aw", @nobits
    .align STACK_SIZE
    .globl cpu0_stack
cpu0_stack:
    .space STACK_SIZE
