/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: the core PV guest interface.
 *
 * This header defines the hypercall numbers and the structures every PV
 * guest shares with the hypervisor from its first instruction: start_info
 * (handed over at boot), shared_info and vcpu_info (event and time state),
 * and the memory-management hypercall arguments.  Numbers and layouts are
 * those of Xen's public interface for 64-bit PV guests; docs/abi.md describes
 * the calling convention and which calls pvx implements.
 */
#ifndef PVX_PUBLIC_XEN_H
#define PVX_PUBLIC_XEN_H

#include "pvx-defs.h"
#include "arch-x86/xen.h"

#ifndef __ASSEMBLY__
/* Handles for the basic element types. */
DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);
#endif

/*
 * ---- Hypercall numbers (rax) ----
 * Slot N of the hypercall page issues hypercall N.  Numbers marked
 * "obsolete" exist for old guests only.
 */
#define __HYPERVISOR_set_trap_table    0
#define __HYPERVISOR_mmu_update        1
#define __HYPERVISOR_set_gdt           2
#define __HYPERVISOR_stack_switch      3
#define __HYPERVISOR_set_callbacks     4
#define __HYPERVISOR_fpu_taskswitch    5
#define __HYPERVISOR_sched_op_compat   6 /* obsolete */
#define __HYPERVISOR_platform_op       7
#define __HYPERVISOR_set_debugreg      8
#define __HYPERVISOR_get_debugreg      9
#define __HYPERVISOR_update_descriptor 10
/* 11 is unused */
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16 /* obsolete */
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19 /* obsolete */
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35 /* pvx's own layout: sysctl.h */
#define __HYPERVISOR_domctl                        36 /* pvx's own layout: domctl.h */
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_tmem_op                       38
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42
/* 48-55: architecture-specific */
#define __HYPERVISOR_arch_0 48
#define __HYPERVISOR_arch_1 49
#define __HYPERVISOR_arch_2 50
#define __HYPERVISOR_arch_3 51
#define __HYPERVISOR_arch_4 52
#define __HYPERVISOR_arch_5 53
#define __HYPERVISOR_arch_6 54
#define __HYPERVISOR_arch_7 55

/*
 * ---- Virtual interrupts ----
 * Bound to event channels with EVTCHNOP_bind_virq.  "Per-vCPU" VIRQs are
 * bound separately on each vCPU; the others are global (bound once).
 */
#define VIRQ_TIMER      0  /* per-vCPU: timer tick / singleshot expiry */
#define VIRQ_DEBUG      1  /* per-vCPU: debug request from the console */
#define VIRQ_CONSOLE    2  /* global: hypervisor console input (dom0) */
#define VIRQ_DOM_EXC    3  /* global: some domain shut down or died (dom0) */
#define VIRQ_TBUF       4  /* global: trace buffer */
#define VIRQ_DEBUGGER   6  /* global: a domain hit a debug trap */
#define VIRQ_XENOPROF   7  /* per-vCPU: profiling samples */
#define VIRQ_CON_RING   8  /* global: hypervisor log ring has new data */
#define VIRQ_PCPU_STATE 9  /* global: physical CPU hot-plug */
#define VIRQ_MEM_EVENT  10 /* global: memory event */
#define VIRQ_ARGO       11 /* global: Argo message */
#define VIRQ_ENOMEM     12 /* global: hypervisor low on memory */
#define VIRQ_XENPMU     13 /* per-vCPU: PMU interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/*
 * ---- mmu_update(reqs, count, done, foreigndom) ----
 * Each request's ptr carries the command in its low 2 bits (ptr is 8-byte
 * aligned otherwise):
 *   MMU_NORMAL_PT_UPDATE   ptr = machine address of a PTE, val = new PTE.
 *   MMU_MACHPHYS_UPDATE    ptr = machine address of a frame, val = its pfn
 *                          (updates the M2P table).
 *   MMU_PT_UPDATE_PRESERVE_AD  as NORMAL but keep the A/D bits the CPU set.
 *   MMU_PT_UPDATE_NO_TRANSLATE as NORMAL (no translation for PV guests).
 * foreigndom names the owner of frames referenced by new PTEs (DOMID_SELF
 * normally; the control domain may name the domain it is building).
 */
#define MMU_NORMAL_PT_UPDATE       0
#define MMU_MACHPHYS_UPDATE        1
#define MMU_PT_UPDATE_PRESERVE_AD  2
#define MMU_PT_UPDATE_NO_TRANSLATE 3

/*
 * ---- mmuext_op(ops, count, done, foreigndom) ----
 *   cmd                      arg1           arg2
 *   PIN_L1..L4_TABLE         mfn            -         validate and pin
 *   UNPIN_TABLE              mfn            -
 *   NEW_BASEPTR              mfn            -         load kernel cr3
 *   NEW_USER_BASEPTR         mfn            -         set user cr3
 *   TLB_FLUSH_LOCAL/ALL      -              -
 *   TLB_FLUSH_MULTI          -              vcpumask
 *   INVLPG_LOCAL/ALL         linear_addr    -
 *   INVLPG_MULTI             linear_addr    vcpumask
 *   FLUSH_CACHE(_GLOBAL)     -              -
 *   SET_LDT                  linear_addr    nr_ents
 *   CLEAR_PAGE               mfn            -
 *   COPY_PAGE                mfn (dest)     src_mfn
 *   MARK/UNMARK_SUPER        mfn            -         (obsolete, refused)
 */
#define MMUEXT_PIN_L1_TABLE       0
#define MMUEXT_PIN_L2_TABLE       1
#define MMUEXT_PIN_L3_TABLE       2
#define MMUEXT_PIN_L4_TABLE       3
#define MMUEXT_UNPIN_TABLE        4
#define MMUEXT_NEW_BASEPTR        5
#define MMUEXT_TLB_FLUSH_LOCAL    6
#define MMUEXT_INVLPG_LOCAL       7
#define MMUEXT_TLB_FLUSH_MULTI    8
#define MMUEXT_INVLPG_MULTI       9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

#ifndef __ASSEMBLY__
struct mmuext_op {
    unsigned int cmd; /* IN: MMUEXT_* */
    uint32_t _pvx_pad0;
    union {
        xen_pfn_t mfn;
        unsigned long linear_addr;
    } arg1;
    union {
        unsigned int nr_ents;
        XEN_GUEST_HANDLE(const_void) vcpumask; /* bitmap of target vCPUs */
        xen_pfn_t src_mfn;
    } arg2;
};
typedef struct mmuext_op mmuext_op_t;
DEFINE_XEN_GUEST_HANDLE(mmuext_op_t);
#endif

/*
 * ---- update_va_mapping(va, pte, flags) ----
 * flags: flush type in bits 0-1 and scope in bit 2.  For UVMF_MULTI the
 * rest of the flags word is the (8-byte aligned) address of a bitmap of the
 * vCPUs to flush, or-ed with the flush type.
 */
#define UVMF_NONE           (xen_mk_ulong(0) << 0) /* no flush */
#define UVMF_TLB_FLUSH      (xen_mk_ulong(1) << 0) /* flush whole TLB */
#define UVMF_INVLPG         (xen_mk_ulong(2) << 0) /* flush this va only */
#define UVMF_FLUSHTYPE_MASK (xen_mk_ulong(3) << 0)
#define UVMF_MULTI          (xen_mk_ulong(0) << 2) /* on the vCPUs in a mask */
#define UVMF_LOCAL          (xen_mk_ulong(0) << 2) /* on this vCPU */
#define UVMF_ALL            (xen_mk_ulong(1) << 2) /* on all vCPUs */

/* ---- console_io(cmd, count, buffer) ---- */
#define CONSOLEIO_write 0 /* print count bytes from buffer */
#define CONSOLEIO_read  1 /* read up to count bytes of input (dom0) */

/* ---- vm_assist(cmd, type) ---- */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0  /* 32-bit only */
#define VMASST_TYPE_4gb_segments_notify  1  /* 32-bit only */
#define VMASST_TYPE_writable_pagetables  2  /* emulate writes to page tables */
#define VMASST_TYPE_pae_extended_cr3     3  /* 32-bit only */
#define VMASST_TYPE_architectural_iopl   4  /* iopl in rflags, not PHYSDEVOP */
#define VMASST_TYPE_runstate_update_flag 5  /* XEN_RUNSTATE_UPDATE protocol */
#define VMASST_TYPE_m2p_strict           32 /* hide unused M2P from user */

/*
 * ---- Domain identifiers ----
 * Real domains are numbered 0 .. DOMID_FIRST_RESERVED-1; the values above
 * have special meanings where a domid is expected.
 */
#define DOMID_FIRST_RESERVED xen_mk_uint(0x7FF0)
#define DOMID_SELF           xen_mk_uint(0x7FF0) /* the calling domain */
#define DOMID_IO             xen_mk_uint(0x7FF1) /* owner of I/O memory */
#define DOMID_XEN            xen_mk_uint(0x7FF2) /* the hypervisor */
#define DOMID_COW            xen_mk_uint(0x7FF3) /* shared copy-on-write pages */
#define DOMID_INVALID        xen_mk_uint(0x7FF4) /* "no domain" */
#define DOMID_IDLE           xen_mk_uint(0x7FFF) /* the idle domain */
#define DOMID_MASK           xen_mk_uint(0x7FFF)

#ifndef __ASSEMBLY__
typedef uint16_t domid_t;

/* One mmu_update request (see MMU_* above). */
struct mmu_update {
    uint64_t ptr; /* IN: machine address | MMU_* command */
    uint64_t val; /* IN: new contents */
};
typedef struct mmu_update mmu_update_t;
DEFINE_XEN_GUEST_HANDLE(mmu_update_t);

/*
 * multicall(calls, nr_calls): run several hypercalls in order.
 *   op      IN   hypercall number
 *   result  OUT  its return value
 *   args    IN   up to six arguments
 */
struct multicall_entry {
    xen_ulong_t op, result;
    xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);

/*
 * Per-vCPU system time (pvclock).  The hypervisor bumps `version` to an odd
 * value before an update and to the next even value after it; a reader
 * retries while it sees an odd version or a version change.  Time in ns:
 *   system_time + scale(rdtsc() - tsc_timestamp)
 * where scale(d) = ((d << tsc_shift) * tsc_to_system_mul) >> 32, shifting
 * right instead when tsc_shift is negative.
 */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* TSC at the last update */
    uint64_t system_time;       /* ns since boot at that TSC */
    uint32_t tsc_to_system_mul; /* 32.32 fixed-point multiplier */
    int8_t tsc_shift;
    uint8_t flags; /* XEN_PVCLOCK_* */
    uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0) /* TSC is synchronised across CPUs */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1) /* guest was paused */

/*
 * Per-vCPU event and time state (64 bytes), in shared_info or wherever the
 * guest registered it (VCPUOP_register_vcpu_info).
 *   evtchn_upcall_pending  set by pvx when events are pending for this vCPU
 *   evtchn_upcall_mask     set by the guest to hold off the event upcall
 *   evtchn_pending_sel     2-level ABI: which words of evtchn_pending[] to scan
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask;
    uint8_t _pvx_pad0[6];
    xen_ulong_t evtchn_pending_sel;
    struct arch_vcpu_info arch;
    vcpu_time_info_t time;
};
typedef struct vcpu_info vcpu_info_t;

/*
 * The shared_info page (one per domain).  The 2-level event channel ABI
 * keeps one pending and one mask bit per port here.  Wall-clock time of
 * system time 0 is wc_sec_hi:wc_sec seconds + wc_nsec, consistent when
 * wc_version is even and unchanged across the read.
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;
#define xen_wc_sec_hi wc_sec_hi

/*
 * start_info: built by the domain builder, its address passed in rsi at the
 * guest's entry point.  Addresses are virtual unless stated otherwise.
 *   magic          "xen-3.0-x86_64" (guest type), NUL-terminated
 *   nr_pages       pages in the domain (= p2m entries)
 *   shared_info    machine address of the shared_info page
 *   flags          SIF_*
 *   store_mfn      frame of the xenstore ring page (0 for dom0)
 *   store_evtchn   its event channel
 *   console        domU: frame + event channel of the console ring;
 *                  dom0: offset/size of a dom0_vga_console_info in this page
 *   pt_base        virtual address of the initial L4 table
 *   nr_pt_frames   number of bootstrap page-table frames
 *   mfn_list       virtual address of the p2m list (pfn -> mfn)
 *   mod_start      initial ramdisk: virtual address, or pfn with
 *                  SIF_MOD_START_PFN; mod_len its length in bytes
 *   cmd_line       kernel command line
 *   first_p2m_pfn, nr_p2m_frames  where the p2m list was placed in pfn space
 *                  when the guest asked for it at a separate address
 */
#define MAX_GUEST_CMDLINE 1024
struct start_info {
    char magic[32];
    unsigned long nr_pages;
    unsigned long shared_info;
    uint32_t flags;
    uint32_t _pvx_pad0;
    xen_pfn_t store_mfn;
    uint32_t store_evtchn;
    uint32_t _pvx_pad1;
    union {
        struct {
            xen_pfn_t mfn;
            uint32_t evtchn;
            uint32_t _pvx_pad0;
        } domU;
        struct {
            uint32_t info_off;
            uint32_t info_size;
        } dom0;
    } console;
    unsigned long pt_base;
    unsigned long nr_pt_frames;
    unsigned long mfn_list;
    unsigned long mod_start;
    unsigned long mod_len;
    int8_t cmd_line[MAX_GUEST_CMDLINE];
    unsigned long first_p2m_pfn;
    unsigned long nr_p2m_frames;
};
typedef struct start_info start_info_t;
#endif /* !__ASSEMBLY__ */

/* start_info.flags */
#define SIF_PRIVILEGED      (1 << 0)    /* may use privileged operations */
#define SIF_INITDOMAIN      (1 << 1)    /* this is dom0 */
#define SIF_MULTIBOOT_MOD   (1 << 2)    /* mod_start is a xen_multiboot_mod_list */
#define SIF_MOD_START_PFN   (1 << 3)    /* mod_start is a pfn, not a va */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)    /* toolstack uses the virtual p2m */
#define SIF_PM_MASK         (0xFF << 8) /* power-management bits */

#ifndef __ASSEMBLY__
/* With SIF_MULTIBOOT_MOD: one entry per module, addresses are physical. */
struct xen_multiboot_mod_list {
    uint32_t mod_start; /* first byte */
    uint32_t mod_end;   /* one past the last byte */
    uint32_t cmdline;   /* offset of the module's command line string */
    uint32_t pad;
};

/* Console framebuffer description handed to dom0 (start_info.console.dom0). */
typedef struct dom0_vga_console_info {
    uint8_t video_type; /* XEN_VGATYPE_* */
    uint8_t _pvx_pad0[3];
    union {
        struct {
            uint16_t font_height;
            uint16_t cursor_x, cursor_y;
            uint16_t rows, columns;
        } text_mode_3;
        struct {
            uint16_t width, height;
            uint16_t bytes_per_line;
            uint16_t bits_per_pixel;
            uint32_t lfb_base; /* low 32 bits of the framebuffer address */
            uint32_t lfb_size; /* in 64 KiB units */
            uint8_t red_pos, red_size;
            uint8_t green_pos, green_size;
            uint8_t blue_pos, blue_size;
            uint8_t rsvd_pos, rsvd_size;
            uint32_t gbl_caps;   /* VESA capabilities */
            uint16_t mode_attrs; /* VESA mode attributes */
            uint16_t pad;
            uint32_t ext_lfb_base; /* high 32 bits of the framebuffer address */
        } vesa_lfb;
    } u;
} dom0_vga_console_info_t;
#define xen_vga_console_info   dom0_vga_console_info
#define xen_vga_console_info_t dom0_vga_console_info_t
#endif

#define XEN_VGATYPE_TEXT_MODE_3 0x03
#define XEN_VGATYPE_VESA_LFB    0x23
#define XEN_VGATYPE_EFI_LFB     0x70

#ifndef __ASSEMBLY__
typedef uint8_t xen_domain_handle_t[16]; /* a domain's UUID, raw bytes */

typedef struct {
    uint8_t a[16];
} xen_uuid_t;
#endif

#endif /* PVX_PUBLIC_XEN_H */
