/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: x86-64 specifics of the PV guest interface.
 *
 * A 64-bit PV guest kernel runs in ring 3, like its user space; the
 * hypervisor switches page tables (kernel/user) on transitions between them.
 * The selectors below are the flat segments the hypervisor installs in the
 * reserved part of every guest GDT.  Guests may use them directly.
 */
#ifndef PVX_PUBLIC_ARCH_X86_XEN_X86_64_H
#define PVX_PUBLIC_ARCH_X86_XEN_X86_64_H

#include "../pvx-defs.h"

/* ---- Flat selectors (RPL 3; kernel and user share them) ---- */
#define FLAT_RING3_CS32 0xe023 /* 32-bit compatibility code */
#define FLAT_RING3_CS64 0xe033 /* 64-bit code */
#define FLAT_RING3_DS32 0xe02b /* 32-bit data */
#define FLAT_RING3_DS64 0x0000 /* null selector: 64-bit data needs none */
#define FLAT_RING3_SS32 0xe02b
#define FLAT_RING3_SS64 0xe02b

#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS   FLAT_KERNEL_DS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64

#define FLAT_USER_CS64 FLAT_RING3_CS64
#define FLAT_USER_CS32 FLAT_RING3_CS32
#define FLAT_USER_CS   FLAT_USER_CS64
#define FLAT_USER_DS64 FLAT_RING3_DS64
#define FLAT_USER_DS32 FLAT_RING3_DS32
#define FLAT_USER_DS   FLAT_USER_DS64
#define FLAT_USER_SS64 FLAT_RING3_SS64
#define FLAT_USER_SS32 FLAT_RING3_SS32
#define FLAT_USER_SS   FLAT_USER_SS64

/*
 * ---- Virtual address space reserved by the hypervisor ----
 * [HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END) (L4 slots 256-271) belongs to
 * the hypervisor in every address space.  Its first 256 GiB hold the
 * read-only machine-to-physical table: one 8-byte guest pfn per machine
 * frame, which guests read directly at MACH2PHYS_VIRT_START.
 */
#define __HYPERVISOR_VIRT_START 0xFFFF800000000000
#define __HYPERVISOR_VIRT_END   0xFFFF880000000000
#define __MACH2PHYS_VIRT_START  0xFFFF800000000000
#define __MACH2PHYS_VIRT_END    0xFFFF804000000000

#ifndef HYPERVISOR_VIRT_START
#define HYPERVISOR_VIRT_START xen_mk_ulong(__HYPERVISOR_VIRT_START)
#define HYPERVISOR_VIRT_END   xen_mk_ulong(__HYPERVISOR_VIRT_END)
#endif
#define MACH2PHYS_VIRT_START xen_mk_ulong(__MACH2PHYS_VIRT_START)
#define MACH2PHYS_VIRT_END   xen_mk_ulong(__MACH2PHYS_VIRT_END)
#define MACH2PHYS_NR_ENTRIES ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)
#ifndef machine_to_phys_mapping
#define machine_to_phys_mapping ((unsigned long *)HYPERVISOR_VIRT_START)
#endif

/* set_segment_base hypercall: which base to load (IN: which, value). */
#define SEGBASE_FS          0 /* FS base */
#define SEGBASE_GS_USER     1 /* user GS base (the one swapgs exposes) */
#define SEGBASE_GS_KERNEL   2 /* kernel GS base */
#define SEGBASE_GS_USER_SEL 3 /* load a selector into user GS */

/* vcpu_guest_context.flags bit: the vCPU was stopped inside a syscall. */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall  (1 << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL  VGCF_in_syscall

#ifndef __ASSEMBLY__

/*
 * Frame for HYPERVISOR_iret, pushed on the guest kernel stack (lowest address
 * first) before jumping to the iret slot of the hypercall page.  rax, r11 and
 * rcx are restored from the frame, because the hypercall itself clobbers
 * them.  flags: VGCF_in_syscall means "return as sysret would" (rcx/r11 are
 * then left as the frame says but the return path may be faster).
 */
struct iret_context {
    uint64_t rax;    /* offset 0  */
    uint64_t r11;    /* offset 8  */
    uint64_t rcx;    /* offset 16 */
    uint64_t flags;  /* offset 24 */
    uint64_t rip;    /* offset 32 */
    uint64_t cs;     /* offset 40 */
    uint64_t rflags; /* offset 48 */
    uint64_t rsp;    /* offset 56 */
    uint64_t ss;     /* offset 64 */
};

/*
 * A general-purpose register slot.  With GCC/Clang the 64-bit slot is also
 * reachable as e<name> (same 64 bits) and _e<name> (low 32 bits), as guests
 * written for Xen expect; other compilers get only the r<name> spelling.
 */
#if defined(__GNUC__)
#define PVX_GPR(n)                                                                                 \
    PVX_EXTENSION union {                                                                          \
        uint64_t r##n, e##n;                                                                       \
        uint32_t _e##n;                                                                            \
    }
#else
#define PVX_GPR(n) uint64_t r##n
#endif

/*
 * Saved user-visible register state, as found in vcpu_guest_context and as
 * exchanged with the toolstack.  Size 200 bytes.
 */
struct cpu_user_regs {
    uint64_t r15;              /* offset 0   */
    uint64_t r14;              /* offset 8   */
    uint64_t r13;              /* offset 16  */
    uint64_t r12;              /* offset 24  */
    PVX_GPR(bp);               /* offset 32  */
    PVX_GPR(bx);               /* offset 40  */
    uint64_t r11;              /* offset 48  */
    uint64_t r10;              /* offset 56  */
    uint64_t r9;               /* offset 64  */
    uint64_t r8;               /* offset 72  */
    PVX_GPR(ax);               /* offset 80  */
    PVX_GPR(cx);               /* offset 88  */
    PVX_GPR(dx);               /* offset 96  */
    PVX_GPR(si);               /* offset 104 */
    PVX_GPR(di);               /* offset 112 */
    uint32_t error_code;       /* offset 120: hardware error code, if any */
    uint32_t entry_vector;     /* offset 124: hypervisor-internal */
    PVX_GPR(ip);               /* offset 128 */
    uint16_t cs;               /* offset 136 */
    uint16_t _pad0[1];         /* offset 138 */
    uint8_t saved_upcall_mask; /* offset 140: evtchn_upcall_mask at entry */
    uint8_t _pad1[3];          /* offset 141 */
    PVX_GPR(flags);            /* offset 144: rflags */
    PVX_GPR(sp);               /* offset 152 */
    uint16_t ss;               /* offset 160 */
    uint16_t _pad2[3];
    uint16_t es; /* offset 168 */
    uint16_t _pad3[3];
    uint16_t ds; /* offset 176 */
    uint16_t _pad4[3];
    uint16_t fs; /* offset 184 */
    uint16_t _pad5[3];
    uint16_t gs; /* offset 192 */
    uint16_t _pad6[3];
};
typedef struct cpu_user_regs cpu_user_regs_t;
DEFINE_XEN_GUEST_HANDLE(cpu_user_regs_t);

#undef PVX_GPR

/* CR3 values in vcpu_guest_context.ctrlreg[3] hold a plain frame number. */
#define xen_pfn_to_cr3(pfn) ((unsigned long)(pfn) << 12)
#define xen_cr3_to_pfn(cr3) ((unsigned long)(cr3) >> 12)

/* Per-vCPU architectural part of vcpu_info. */
struct arch_vcpu_info {
    unsigned long cr2; /* OUT: faulting address of the last #PF bounced to the guest */
    unsigned long pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

/* A callback entry point: a guest virtual address (code segment implied). */
typedef unsigned long xen_callback_t;

#endif /* !__ASSEMBLY__ */

#endif /* PVX_PUBLIC_ARCH_X86_XEN_X86_64_H */
