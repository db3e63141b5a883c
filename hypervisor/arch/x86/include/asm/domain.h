/* SPDX-License-Identifier: GPL-2.0-only */
/* x86 PV parts of a domain and a vCPU. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <asm/regs.h>
#include <pvx/types.h>

struct trap_bounce_entry {
    uint64_t address; /* 0 = no handler */
    uint16_t cs;
    uint8_t flags; /* TI_* from trap_info: DPL in bits 0-1, mask events in bit 2 */
};

struct arch_vcpu {
    /* x87/SSE state (FXSAVE image), switched eagerly with the vCPU so no
     * domain sees another's registers. */
    uint8_t fpu[512] __attribute__((aligned(16)));

    /* The guest's registers while it is not running on a CPU. */
    struct cpu_user_regs user_regs;

    bool kernel_mode;       /* guest kernel (true) or guest user (false) */
    mfn_t guest_table;      /* kernel L4 (NEW_BASEPTR) */
    mfn_t guest_table_user; /* user L4 (NEW_USER_BASEPTR), 0 = none */

    struct trap_bounce_entry traps[256];
    uint64_t event_callback, failsafe_callback, syscall_callback, nmi_callback;
    bool syscall_masks_events, failsafe_masks_events;
    uint64_t kernel_ss, kernel_sp; /* stack_switch */

    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint16_t gs_sel_user;

    bool virtual_ts;    /* CR0.TS as the guest sees it (fpu_taskswitch) */
    uint64_t guest_cr2; /* for reads of CR2 */
    unsigned int iopl;  /* virtual IOPL (PHYSDEVOP_set_iopl) */
    uint64_t iobmp;     /* guest address of its I/O bitmap (set_iobitmap), 0 = none */
    unsigned int iobmp_ports;

    /* Segment descriptor tables (set_gdt / MMUEXT_SET_LDT). */
    mfn_t gdt_frames[14];
    unsigned int gdt_ents;
    uint64_t ldt_base;
    unsigned int ldt_ents;
    uint64_t *ldt_copy; /* checked copy the CPU's LDT points at (descriptors.c) */
    unsigned int ldt_copy_ents;
    unsigned int ldt_nr_frames;
    mfn_t ldt_frames[17];         /* descriptor-typed frames behind the LDT (64 KiB, unaligned) */
    bool nmi_pending, nmi_masked; /* VCPUOP_send_nmi; masked until the iret hypercall */

    uint64_t time_area_guest; /* VCPUOP_register_vcpu_time_memory_area (guest VA) */
    uint64_t runstate_guest;  /* VCPUOP_register_runstate_memory_area (guest VA) */
    uint64_t debugreg[8];     /* DR0-3, DR6, DR7 as the guest set them (pv/debugreg.c) */
    uint64_t dr7_emul;        /* enables of I/O breakpoints: kept, never loaded */
    uint64_t cr4_guest_bits;  /* CR4 bits the guest set itself (TSD, DE) */
};

struct logdirty;

struct arch_domain {
    mfn_t *p2m_unused; /* placeholder: PV guests keep their own p2m */
    uint16_t *io_bitmap_unused;
    struct logdirty *logdirty; /* log-dirty mode (pv/logdirty.c); NULL: off */
};

#endif
