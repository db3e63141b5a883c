/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: domctl, the toolstack's per-domain control interface.
 *
 * This is pvx's own interface, not Xen's (Xen's domctl is internal to its
 * toolstack and changes with every release).  Only the hypercall number is
 * shared -- __HYPERVISOR_domctl (36) -- so that Linux's privcmd driver
 * passes calls through unchanged.  Every name here is pvx-prefixed.
 *
 * Call: domctl(struct pvx_domctl *op).  Only the control domain (dom0) may
 * call it; others get -EPERM.  The hypervisor rejects any call whose
 * interface_version differs from PVX_DOMCTL_INTERFACE_VERSION with
 * -EACCES, and checks the domain id, vCPU numbers and ranges of every call.
 * Results are written back into the same structure.  docs/abi.md describes
 * each operation.
 */
#ifndef PVX_PUBLIC_DOMCTL_H
#define PVX_PUBLIC_DOMCTL_H

#include "xen.h"

/* "pv" in the top half, revision 1 below.  Bump on any layout change. */
#define PVX_DOMCTL_INTERFACE_VERSION 0x70760001

#define PVX_DOMCTL_createdomain      1
#define PVX_DOMCTL_destroydomain     2
#define PVX_DOMCTL_pausedomain       3
#define PVX_DOMCTL_unpausedomain     4
#define PVX_DOMCTL_getdomaininfo     5
#define PVX_DOMCTL_max_mem           6
#define PVX_DOMCTL_max_vcpus         7
#define PVX_DOMCTL_setvcpucontext    8
#define PVX_DOMCTL_getvcpucontext    9
#define PVX_DOMCTL_hypercall_init    10
#define PVX_DOMCTL_getpageframeinfo  11
#define PVX_DOMCTL_ioport_permission 12
#define PVX_DOMCTL_iomem_permission  13
#define PVX_DOMCTL_settimeoffset     14
#define PVX_DOMCTL_scheduler_op      15
#define PVX_DOMCTL_setvcpuaffinity   16
#define PVX_DOMCTL_getvcpuaffinity   17
#define PVX_DOMCTL_getvcpuinfo       18
#define PVX_DOMCTL_resumedomain      19
#define PVX_DOMCTL_logdirty          20

/* Length of a domain name, including the terminating NUL. */
#define PVX_DOMAIN_NAME_LEN 32

/* The most createdomain's max_maptrack_frames may be (262144 mappings). */
#define PVX_MAX_MAPTRACK_FRAMES 1024

#ifndef __ASSEMBLY__
/*
 * createdomain: create an empty, paused domain.  pvx_domctl.domain is IN
 * (a wanted id, or DOMID_INVALID for "any free id") and OUT (the new id).
 *   max_vcpus            IN  number of vCPUs the domain may have (>= 1)
 *   flags                IN  PVX_DOMCTL_CDF_*
 *   max_pages            IN  memory limit in pages (0: none yet, see max_mem)
 *   max_grant_frames     IN  grant table size limit in frames (0: default)
 *   max_maptrack_frames  IN  grant mappings it may hold, in frames of 256
 *                            mappings as Xen counts them (xl.cfg's
 *                            max_maptrack_frames), at most
 *                            PVX_MAX_MAPTRACK_FRAMES (Xen's default); 0: it
 *                            may map no grants (as on Xen), not "default"
 *   max_evtchn_port      IN  highest event channel port (0: default, 1023);
 *                            any value, clamped to INT_MAX as on Xen: the
 *                            guest's ABI caps it further (4095 under
 *                            2-level, 131071 under FIFO)
 *   handle               IN  UUID reported by getdomaininfo
 *   name                 IN  NUL-terminated name (console tags, logs)
 */
struct pvx_domctl_createdomain {
    uint32_t max_vcpus;
    uint32_t flags;
    uint64_t max_pages;
    uint32_t max_grant_frames;
    uint32_t max_maptrack_frames;
    uint32_t max_evtchn_port;
    uint32_t _pad0;
    xen_domain_handle_t handle;
    char name[PVX_DOMAIN_NAME_LEN];
};
typedef struct pvx_domctl_createdomain pvx_domctl_createdomain_t;
#endif

/* createdomain flags */
#define PVX_DOMCTL_CDF_io (1U << 0) /* may be granted I/O ports and I/O memory */

/* getdomaininfo flags */
#define PVX_DOMINF_dying      (1U << 0) /* being destroyed */
#define PVX_DOMINF_shutdown   (1U << 1) /* shut down; see shutdown_reason */
#define PVX_DOMINF_paused     (1U << 2) /* paused by the toolstack */
#define PVX_DOMINF_blocked    (1U << 3) /* all vCPUs blocked */
#define PVX_DOMINF_running    (1U << 4) /* a vCPU is running now */
#define PVX_DOMINF_privileged (1U << 5) /* the control domain */
#define PVX_DOMINF_io         (1U << 6) /* created with PVX_DOMCTL_CDF_io */

#ifndef __ASSEMBLY__
/*
 * getdomaininfo: describe the existing domain with the lowest id >= the
 * requested pvx_domctl.domain (so a loop visits every domain); -ESRCH if
 * there is none.  All fields OUT.
 *   domain             the domain described
 *   flags              PVX_DOMINF_*
 *   shutdown_reason    SHUTDOWN_* (valid with PVX_DOMINF_shutdown)
 *   nr_online_vcpus    vCPUs currently up
 *   max_vcpu_id        highest vCPU id (max_vcpus - 1)
 *   tot_pages          pages currently owned
 *   max_pages          memory limit in pages
 *   shared_info_frame  machine frame of its shared_info page
 *   cpu_time           CPU time consumed by all its vCPUs, ns
 *   handle, name       as given at creation
 */
struct pvx_domctl_getdomaininfo {
    domid_t domain;
    uint16_t _pad0;
    uint32_t flags;
    uint32_t shutdown_reason;
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t _pad1;
    uint64_t tot_pages;
    uint64_t max_pages;
    uint64_t shared_info_frame;
    uint64_t cpu_time;
    xen_domain_handle_t handle;
    char name[PVX_DOMAIN_NAME_LEN];
};
typedef struct pvx_domctl_getdomaininfo pvx_domctl_getdomaininfo_t;
DEFINE_XEN_GUEST_HANDLE(pvx_domctl_getdomaininfo_t);

/* max_mem: max_pages IN, the new memory limit.  It may be below tot_pages:
 * the domain then gets no new page until it has given enough back. */
struct pvx_domctl_max_mem {
    uint64_t max_pages;
};
typedef struct pvx_domctl_max_mem pvx_domctl_max_mem_t;

/* max_vcpus: max IN, the number of vCPUs (may only grow before first unpause). */
struct pvx_domctl_max_vcpus {
    uint32_t max;
};
typedef struct pvx_domctl_max_vcpus pvx_domctl_max_vcpus_t;

/*
 * setvcpucontext / getvcpucontext: a vCPU's full register state.
 *   vcpu  IN  vCPU id (< max_vcpus)
 *   ctxt  IN  buffer holding (set) or receiving (get) a vcpu_guest_context;
 *            set is allowed only while the domain is paused
 */
struct pvx_domctl_vcpucontext {
    uint32_t vcpu;
    uint32_t _pad0;
    XEN_GUEST_HANDLE(vcpu_guest_context_t) ctxt;
};
typedef struct pvx_domctl_vcpucontext pvx_domctl_vcpucontext_t;

/*
 * resumedomain: a domain that shut down with SHUTDOWN_suspend runs again
 * in place (a cancelled save).  No arguments; -EINVAL unless it is shut
 * down for suspend.  Whatever its SCHEDOP_shutdown returns is what vCPU 0's
 * saved rax says: the toolstack sets it to 1 first (setvcpucontext), which
 * tells the guest its suspend was cancelled.  A toolstack pause stays.
 */

/*
 * logdirty: which pages a domain writes, for live migration (Xen's
 * shadow_op log-dirty mode in pvx's form).
 *   op       IN   PVX_LOGDIRTY_*
 *   nr_pfns  IN   the size of the domain's pfn space (its p2m) that is
 *                 tracked: ENABLE sets it, CLEAN and FINAL must repeat it
 *   bitmap   IN   CLEAN, FINAL: where nr_pfns bits go (bit n of byte n / 8
 *                 for pfn n: set when the page was written since ENABLE or
 *                 the previous CLEAN)
 *   dirty    OUT  CLEAN, FINAL: how many bits were set
 * ENABLE starts tracking (-EBUSY when on); CLEAN hands out the pages written
 * since the last ENABLE or CLEAN and starts a new round; FINAL, meant for a
 * paused or suspended domain, does the same for the last round, includes
 * every page pvx or another domain still may write behind the guest's back
 * (mapped writable by them), and stops tracking; OFF stops tracking.  While
 * tracking, the guest may read the writable bit of its own L1 entries as
 * clear (its first write through such an entry completes unseen).
 */
#define PVX_LOGDIRTY_ENABLE   1
#define PVX_LOGDIRTY_CLEAN    2
#define PVX_LOGDIRTY_FINAL    3
#define PVX_LOGDIRTY_OFF      4
#define PVX_LOGDIRTY_MAX_PFNS (xen_mk_ullong(1) << 26) /* 256 GiB of guest */

struct pvx_domctl_logdirty {
    uint32_t op;
    uint32_t _pad0;
    uint64_t nr_pfns;
    XEN_GUEST_HANDLE(uint8) bitmap;
    uint64_t dirty;
};
typedef struct pvx_domctl_logdirty pvx_domctl_logdirty_t;

/* hypercall_init: gmfn IN, a frame of the domain to fill with hypercall stubs. */
struct pvx_domctl_hypercall_init {
    uint64_t gmfn;
};
typedef struct pvx_domctl_hypercall_init pvx_domctl_hypercall_init_t;
#endif

/*
 * getpageframeinfo: a domain builder's batch query of frame types.
 *   num    IN   entries in array
 *   array  IN   machine frames of the domain; OUT each entry becomes
 *               (type << PVX_DOMCTL_PFINFO_SHIFT) | frame
 * Types: NOTAB (plain page), L1TAB..L4TAB (validated page table of that
 * level), with PVX_DOMCTL_PFINFO_PINNED or-ed in when pinned; XTAB when the
 * frame does not belong to the domain.
 */
#define PVX_DOMCTL_PFINFO_SHIFT      60
#define PVX_DOMCTL_PFINFO_NOTAB      0x0
#define PVX_DOMCTL_PFINFO_L1TAB      0x1
#define PVX_DOMCTL_PFINFO_L2TAB      0x2
#define PVX_DOMCTL_PFINFO_L3TAB      0x3
#define PVX_DOMCTL_PFINFO_L4TAB      0x4
#define PVX_DOMCTL_PFINFO_PINNED     0x8
#define PVX_DOMCTL_PFINFO_XTAB       0xf
#define PVX_DOMCTL_PFINFO_FRAME_MASK ((xen_mk_ullong(1) << PVX_DOMCTL_PFINFO_SHIFT) - 1)

#ifndef __ASSEMBLY__
struct pvx_domctl_getpageframeinfo {
    uint64_t num;
    XEN_GUEST_HANDLE(xen_pfn_t) array;
};
typedef struct pvx_domctl_getpageframeinfo pvx_domctl_getpageframeinfo_t;

/*
 * ioport_permission: allow (allow_access = 1) or revoke (0) the domain's
 * access to ports first_port .. first_port + nr_ports - 1.  All IN.
 */
struct pvx_domctl_ioport_permission {
    uint32_t first_port;
    uint32_t nr_ports;
    uint8_t allow_access;
    uint8_t _pad0[7];
};
typedef struct pvx_domctl_ioport_permission pvx_domctl_ioport_permission_t;

/* iomem_permission: as above for machine frames first_mfn .. + nr_mfns - 1. */
struct pvx_domctl_iomem_permission {
    uint64_t first_mfn;
    uint64_t nr_mfns;
    uint8_t allow_access;
    uint8_t _pad0[7];
};
typedef struct pvx_domctl_iomem_permission pvx_domctl_iomem_permission_t;

/* settimeoffset: time_offset_seconds IN, added to the domain's wall clock. */
struct pvx_domctl_settimeoffset {
    int64_t time_offset_seconds;
};
typedef struct pvx_domctl_settimeoffset pvx_domctl_settimeoffset_t;
#endif

/* scheduler_op commands */
#define PVX_DOMCTL_SCHEDOP_putinfo 0
#define PVX_DOMCTL_SCHEDOP_getinfo 1
#define PVX_SCHED_DEFAULT_WEIGHT   256

#ifndef __ASSEMBLY__
/*
 * scheduler_op: the domain's share of CPU time.
 *   cmd     IN       PVX_DOMCTL_SCHEDOP_*
 *   weight  IN/OUT   relative share, 1..65535 (default 256)
 *   cap     IN/OUT   upper limit in percent of one CPU, 0 = no cap
 */
struct pvx_domctl_scheduler_op {
    uint32_t cmd;
    uint16_t weight;
    uint16_t cap;
};
typedef struct pvx_domctl_scheduler_op pvx_domctl_scheduler_op_t;

/*
 * A set of physical CPUs in the caller's memory, laid out as Xen's
 * xenctl_bitmap: bit n of byte n / 8 is CPU n, nr_bits bits.
 */
struct pvx_domctl_cpumap {
    XEN_GUEST_HANDLE(uint8) bitmap;
    uint32_t nr_bits;
    uint32_t _pad0;
};
typedef struct pvx_domctl_cpumap pvx_domctl_cpumap_t;

/* vcpuaffinity flags: which set (Xen's XEN_VCPUAFFINITY_*). */
#define PVX_VCPUAFFINITY_HARD (1U << 0)
#define PVX_VCPUAFFINITY_SOFT (1U << 1)

/*
 * setvcpuaffinity / getvcpuaffinity, Xen's layout: the physical CPUs vCPU
 * `vcpu` may run on (hard affinity; soft affinity is kept and reported but
 * does not steer the scheduler).
 *   vcpu         IN
 *   flags        IN      PVX_VCPUAFFINITY_HARD and/or _SOFT, at least one
 *   cpumap_hard  IN/OUT  set: the new set in, the effective one (with the
 *                        CPUs that run vCPUs) out; get: the set as given
 *   cpumap_soft  IN/OUT  the same for the soft set
 * A hard set naming no CPU that runs vCPUs is -EINVAL.
 */
struct pvx_domctl_vcpuaffinity {
    uint32_t vcpu;
    uint32_t flags;
    struct pvx_domctl_cpumap cpumap_hard;
    struct pvx_domctl_cpumap cpumap_soft;
};
typedef struct pvx_domctl_vcpuaffinity pvx_domctl_vcpuaffinity_t;

/*
 * getvcpuinfo, Xen's layout: vcpu IN; the rest OUT.  cpu is the physical
 * CPU the vCPU runs on, or last ran or waits on.
 */
struct pvx_domctl_getvcpuinfo {
    uint32_t vcpu;
    uint8_t online;
    uint8_t blocked;
    uint8_t running;
    uint8_t _pad0;
    uint64_t cpu_time; /* ns */
    uint32_t cpu;
    uint32_t _pad1;
};
typedef struct pvx_domctl_getvcpuinfo pvx_domctl_getvcpuinfo_t;

/*
 * The call.  cmd and interface_version are IN; domain is IN (the target)
 * except where an operation says otherwise; u holds the operation's
 * arguments.  Operations without arguments (destroy, pause, unpause)
 * ignore u.
 */
struct pvx_domctl {
    uint32_t cmd;               /* PVX_DOMCTL_* */
    uint32_t interface_version; /* PVX_DOMCTL_INTERFACE_VERSION */
    domid_t domain;
    uint16_t _pad0[3];
    union {
        struct pvx_domctl_createdomain createdomain;
        struct pvx_domctl_getdomaininfo getdomaininfo;
        struct pvx_domctl_max_mem max_mem;
        struct pvx_domctl_max_vcpus max_vcpus;
        struct pvx_domctl_vcpucontext vcpucontext;
        struct pvx_domctl_hypercall_init hypercall_init;
        struct pvx_domctl_getpageframeinfo getpageframeinfo;
        struct pvx_domctl_ioport_permission ioport_permission;
        struct pvx_domctl_iomem_permission iomem_permission;
        struct pvx_domctl_settimeoffset settimeoffset;
        struct pvx_domctl_scheduler_op scheduler_op;
        struct pvx_domctl_vcpuaffinity vcpuaffinity;
        struct pvx_domctl_getvcpuinfo getvcpuinfo;
        struct pvx_domctl_logdirty logdirty;
        uint8_t pad[128];
    } u;
};
typedef struct pvx_domctl pvx_domctl_t;
DEFINE_XEN_GUEST_HANDLE(pvx_domctl_t);
#endif

#endif /* PVX_PUBLIC_DOMCTL_H */
