/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Register-level probes that C cannot express: which registers a hypercall
 * transport preserves, the iret hypercall and a native same-ring iretq.
 */
#include <public/xen.h>

#define PAT(n) (0x5a5a000000000000 + (n))

    .text

/*
 * unsigned long hc_probe_regs(int transport): issue xen_version(0) with
 * every non-argument register holding a pattern; return a bitmask of the
 * registers that changed (bit 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15,
 * 6 r9, 7 rcx, 8 r11 -- rcx/r11 only for the hypercall page).
 */
    .globl hc_probe_regs
hc_probe_regs:
    pushq %rbx
    pushq %rbp
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movl %edi, %r8d
    movabsq $PAT(1), %rbx
    movabsq $PAT(2), %rbp
    movabsq $PAT(3), %r12
    movabsq $PAT(4), %r13
    movabsq $PAT(5), %r14
    movabsq $PAT(6), %r15
    movabsq $PAT(7), %r9
    movabsq $PAT(8), %rcx
    movabsq $PAT(9), %r11
    xorl %edi, %edi
    xorl %esi, %esi
    testl %r8d, %r8d
    jnz 1f
    movl $__HYPERVISOR_xen_version, %eax
    syscall
    movabsq $PAT(8), %rcx
    movabsq $PAT(9), %r11
    jmp 2f
1:  call hypercall_page + __HYPERVISOR_xen_version * 32
2:  xorl %eax, %eax
    movabsq $PAT(1), %rdx
    cmpq %rdx, %rbx
    setne %dl
    movzbl %dl, %edx
    orq %rdx, %rax
    movabsq $PAT(2), %rdx
    cmpq %rdx, %rbp
    setne %dl
    movzbl %dl, %edx
    shlq $1, %rdx
    orq %rdx, %rax
    movabsq $PAT(3), %rdx
    cmpq %rdx, %r12
    setne %dl
    movzbl %dl, %edx
    shlq $2, %rdx
    orq %rdx, %rax
    movabsq $PAT(4), %rdx
    cmpq %rdx, %r13
    setne %dl
    movzbl %dl, %edx
    shlq $3, %rdx
    orq %rdx, %rax
    movabsq $PAT(5), %rdx
    cmpq %rdx, %r14
    setne %dl
    movzbl %dl, %edx
    shlq $4, %rdx
    orq %rdx, %rax
    movabsq $PAT(6), %rdx
    cmpq %rdx, %r15
    setne %dl
    movzbl %dl, %edx
    shlq $5, %rdx
    orq %rdx, %rax
    movabsq $PAT(7), %rdx
    cmpq %rdx, %r9
    setne %dl
    movzbl %dl, %edx
    shlq $6, %rdx
    orq %rdx, %rax
    movabsq $PAT(8), %rdx
    cmpq %rdx, %rcx
    setne %dl
    movzbl %dl, %edx
    shlq $7, %rdx
    orq %rdx, %rax
    movabsq $PAT(9), %rdx
    cmpq %rdx, %r11
    setne %dl
    movzbl %dl, %edx
    shlq $8, %rdx
    orq %rdx, %rax
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbp
    popq %rbx
    ret

/*
 * unsigned long iret_probe(unsigned long flags): return to the next
 * instruction through the iret hypercall (the current transport), with
 * rax/rcx/r11 taken from the frame.  Returns rax; iret_probe_rcx/r11 get
 * the rcx/r11 seen after the return.
 */
    .globl iret_probe, iret_probe_rcx, iret_probe_r11
iret_probe:
    movq %rsp, %rdx
    pushq $FLAT_KERNEL_SS
    pushq %rdx
    pushfq
    pushq $(FLAT_KERNEL_CS & ~3)
    leaq 1f(%rip), %rax
    pushq %rax
    pushq %rdi
    pushq $0xcc11
    pushq $0xbb11
    movabsq $0x1234abcd5678, %rax
    pushq %rax
    movq %rsp, %rdi
    jmp hc_iret_to
1:  movq %rcx, iret_probe_rcx(%rip)
    movq %r11, iret_probe_r11(%rip)
    ret

/* unsigned long native_iret_probe(void): ring-3 to ring-3 iretq; returns 1. */
    .globl native_iret_probe
native_iret_probe:
    movq %rsp, %rdx
    pushq $FLAT_KERNEL_SS
    pushq %rdx
    pushfq
    pushq $FLAT_KERNEL_CS
    leaq 1f(%rip), %rax
    pushq %rax
    xorl %eax, %eax
    iretq
1:  movl $1, %eax
    ret

    .data
    .p2align 3
iret_probe_rcx: .quad 0
iret_probe_r11: .quad 0
