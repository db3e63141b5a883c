/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: x86 definitions used by the common headers.
 *
 * pvx supports 64-bit PV guests only.  `unsigned long` below is therefore
 * always 8 bytes; it is kept where Xen guests expect that type so that
 * existing guest code compiles unchanged.
 */
#ifndef PVX_PUBLIC_ARCH_X86_XEN_H
#define PVX_PUBLIC_ARCH_X86_XEN_H

#include "../pvx-defs.h"

#if !defined(__x86_64__) && !defined(PVX_ALLOW_FOREIGN_ARCH)
#error "pvx: the public ABI is defined for x86-64 only"
#endif

#include "xen-x86_64.h"

#ifndef __ASSEMBLY__
typedef unsigned long xen_pfn_t; /* a (guest or machine) page frame number */
#define PRI_xen_pfn  "lx"
#define PRIu_xen_pfn "lu"
typedef unsigned long xen_ulong_t; /* a register-sized ABI value */
#define PRI_xen_ulong "lx"
#endif

/* Capability markers tested by guest sources. */
#define XEN_HAVE_PV_GUEST_ENTRY 1 /* start_info exists */
#define XEN_HAVE_PV_UPCALL_MASK 1 /* vcpu_info has evtchn_upcall_mask */

/*
 * GDT frames 14 and 15 (entries 0xe000/8 upward) are owned by the hypervisor
 * and hold the FLAT_* selectors; a guest GDT must fit below them.
 */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

/* vcpu_info slots embedded in shared_info; higher vCPUs must register one. */
#define XEN_LEGACY_MAX_VCPUS 32

#ifndef __ASSEMBLY__

/*
 * set_trap_table: one entry per virtual exception/interrupt vector, the
 * table ending with an entry whose address is 0.
 *   vector  IN  exception vector (0-255)
 *   flags   IN  bits 0-1: highest privilege level allowed to raise it with
 *               `int n` (3 = user may); bit 2: mask events on entry
 *   cs      IN  code selector of the handler
 *   address IN  handler virtual address
 */
struct trap_info {
    uint8_t vector;
    uint8_t flags;
    uint16_t cs;
    uint32_t _pvx_pad0;
    unsigned long address;
};
typedef struct trap_info trap_info_t;
DEFINE_XEN_GUEST_HANDLE(trap_info_t);

#define TI_GET_DPL(ti)      ((ti)->flags & 3)
#define TI_GET_IF(ti)       ((ti)->flags & 4)
#define TI_SET_DPL(ti, dpl) ((ti)->flags |= (dpl))
#define TI_SET_IF(ti, i)    ((ti)->flags |= ((!!(i)) << 2))

typedef uint64_t tsc_timestamp_t;

/*
 * Full architectural state of a vCPU, used by VCPUOP_initialise and by the
 * toolstack (pvx domctl set/get vcpu context).  Size 5168 bytes.
 */
struct vcpu_guest_context {
    struct {
        char x[512];
    } fpu_ctxt;                          /* FXSAVE image */
    unsigned long flags;                 /* VGCF_* */
    struct cpu_user_regs user_regs;      /* general registers */
    struct trap_info trap_ctxt[256];     /* virtual IDT */
    unsigned long ldt_base, ldt_ents;    /* LDT linear address, entries */
    unsigned long gdt_frames[16];        /* GDT frames (machine) */
    unsigned long gdt_ents;              /* GDT entries in use */
    unsigned long kernel_ss, kernel_sp;  /* guest kernel stack */
    unsigned long ctrlreg[8];            /* CR0-CR7; CR3 as xen_pfn_to_cr3() */
    unsigned long debugreg[8];           /* DR0-DR7 */
    unsigned long event_callback_eip;    /* event upcall entry */
    unsigned long failsafe_callback_eip; /* failsafe (bad segment) entry */
    unsigned long syscall_callback_eip;  /* 64-bit syscall entry */
    unsigned long vm_assist;             /* VMASST_* bits enabled */
    uint64_t fs_base;
    uint64_t gs_base_kernel;
    uint64_t gs_base_user;
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_guest_context_t);

#endif /* !__ASSEMBLY__ */

/* vcpu_guest_context.flags */
#define _VGCF_i387_valid               0
#define VGCF_i387_valid                (1 << _VGCF_i387_valid)
#define VGCF_I387_VALID                (1 << 0)
#define _VGCF_in_kernel                2
#define VGCF_in_kernel                 (1 << _VGCF_in_kernel)
#define VGCF_IN_KERNEL                 (1 << 2)
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1 << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1 << _VGCF_syscall_disables_events)
#define _VGCF_online                   5
#define VGCF_online                    (1 << _VGCF_online)

#ifndef __ASSEMBLY__

/* Architectural part of shared_info (all fields written by the guest). */
struct arch_shared_info {
    unsigned long max_pfn;                /* highest guest pfn + 1 */
    xen_pfn_t pfn_to_mfn_frame_list_list; /* frame of the p2m frame list list */
    unsigned long nmi_reason;             /* XEN_NMIREASON_* (written by pvx) */
    unsigned long p2m_cr3;                /* 0, or cr3 of the p2m's page tables */
    unsigned long p2m_vaddr;              /* virtual address of the linear p2m */
    unsigned long p2m_generation;         /* bumped around every p2m change */
};
typedef struct arch_shared_info arch_shared_info_t;

/* A CPUID result as reported by policy interfaces. */
typedef struct xen_cpuid_leaf {
    uint32_t leaf, subleaf; /* subleaf XEN_CPUID_NO_SUBLEAF if none */
    uint32_t a, b, c, d;
} xen_cpuid_leaf_t;
DEFINE_XEN_GUEST_HANDLE(xen_cpuid_leaf_t);
#define XEN_CPUID_NO_SUBLEAF 0xffffffffu

/* An MSR value as reported by policy interfaces. */
typedef struct xen_msr_entry {
    uint32_t idx;
    uint32_t flags; /* must be 0 */
    uint64_t val;
} xen_msr_entry_t;
DEFINE_XEN_GUEST_HANDLE(xen_msr_entry_t);

#endif /* !__ASSEMBLY__ */

/*
 * Forced emulation: a guest kernel prefixes an instruction (in practice
 * cpuid) with `ud2; .ascii "xen"` so that it traps and the hypervisor
 * emulates it with the PV view (e.g. leaf 0x40000000 = "XenVMMXenVMM").
 */
#ifdef __ASSEMBLY__
#define XEN_EMULATE_PREFIX .byte 0x0f, 0x0b, 0x78, 0x65, 0x6e;
#define XEN_CPUID          XEN_EMULATE_PREFIX cpuid
#else
#define XEN_EMULATE_PREFIX ".byte 0x0f,0x0b,0x78,0x65,0x6e ; "
#define XEN_CPUID          XEN_EMULATE_PREFIX "cpuid"
#endif

/* Port an HVM guest can write characters to; not used by PV guests. */
#define XEN_HVM_DEBUGCONS_IOPORT 0xe9

#endif /* PVX_PUBLIC_ARCH_X86_XEN_H */
