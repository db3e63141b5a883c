/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Boot entry and the Xen ELF notes that make this image a 64-bit PV kernel.
 *
 * The domain builder enters _start in guest kernel mode (ring 3, flat
 * selectors, events masked) with %rsi = start_info and %rsp on a boot stack
 * it allocated.  We move to our own stack and call the C entry point.
 */
#include <public/elfnote.h>
#include <public/features.h>

/* One note: name "Xen", a type from elfnote.h, and its descriptor. */
.macro XEN_NOTE type, kind, value:vararg
    .p2align 2
    .long 2f - 1f
    .long 4f - 3f
    .long \type
1:  .asciz "Xen"
2:  .p2align 2
3:  \kind \value
4:  .p2align 2
.endm

    .section .note.Xen, "a", @note
    XEN_NOTE XEN_ELFNOTE_GUEST_OS,      .asciz, "pvx-testguest"
    XEN_NOTE XEN_ELFNOTE_GUEST_VERSION, .asciz, "1"
    XEN_NOTE XEN_ELFNOTE_XEN_VERSION,   .asciz, "xen-3.0"
    XEN_NOTE XEN_ELFNOTE_LOADER,        .asciz, "generic"
    XEN_NOTE XEN_ELFNOTE_VIRT_BASE,     .quad,  0xffffffff80000000
    XEN_NOTE XEN_ELFNOTE_PADDR_OFFSET,  .quad,  0
    XEN_NOTE XEN_ELFNOTE_ENTRY,         .quad,  _start
    XEN_NOTE XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page
    XEN_NOTE XEN_ELFNOTE_FEATURES,      .asciz, "!writable_page_tables"
    XEN_NOTE XEN_ELFNOTE_SUPPORTED_FEATURES, .long, \
        (1 << XENFEAT_writable_page_tables) | (1 << XENFEAT_dom0)

    .section .text.entry, "ax", @progbits
    .globl _start
_start:
    /* Record what the builder handed over, before anything else runs. */
    movq %rsp, boot_rsp(%rip)
    movq %rsi, boot_rsi(%rip)
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    movq %rsi, %rdi
    call guest_main
1:  ud2
    jmp 1b

    .data
    .globl boot_rsp, boot_rsi
    .p2align 3
boot_rsp: .quad 0
boot_rsi: .quad 0

    .section .bss.page_aligned, "aw", @nobits
    .p2align 12
    .globl boot_stack, boot_stack_top
boot_stack:
    .skip 65536
boot_stack_top:
