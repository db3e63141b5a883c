/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Domains and virtual CPUs.
 *
 *   domain.c        create/destroy, lookup by id, shutdown and crash
 *   arch/x86/pv/    the x86 PV part of each (struct arch_domain/arch_vcpu)
 *   event_*.c       event channels (struct evtchn_domain)
 *   sched.c         blocking, waking, the run queue
 *
 * Locking: pvx runs guests on the boot CPU only for now, and hypervisor
 * code runs with interrupts off except in the idle loop, so domain state
 * needs no locks yet.  Every structure is already per-domain or per-vCPU.
 */
#ifndef PVX_DOMAIN_H
#define PVX_DOMAIN_H

#include <asm/domain.h>
#include <pvx/event.h>
#include <pvx/sched_credit.h>
#include <pvx/rangeset.h>
#include <pvx/timer.h>
#include <pvx/types.h>
#include <public/xen.h>

#define MAX_VCPUS_PER_DOMAIN 32 /* XEN_LEGACY_MAX_VCPUS: vcpu_info slots in shared_info */
#define DOMAIN_NAME_MAX      32

struct domain;
struct page_info;

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;

    /* Where this vCPU's vcpu_info lives: its slot in shared_info, or the
     * area the guest registered (VCPUOP_register_vcpu_info). */
    struct vcpu_info *vcpu_info;
    bool vcpu_info_registered;

    /* Scheduling state (sched.c). */
    bool initialised; /* has a context (built, VCPUOP_initialise, setvcpucontext) */
    bool online;      /* up (VCPUOP_up/down): runs when not blocked or paused */
    bool blocked;     /* SCHEDOP_block: waits for an event */
    unsigned int pause_count;
    uint64_t cpu_time; /* ns spent running */
    uint64_t last_run_start;

    /* Guest timers (sched.c): set_timer_op / singleshot, and periodic. */
    struct timer singleshot_timer;
    struct timer periodic_timer;
    uint64_t periodic_period;

    struct csched_vcpu csched; /* the credit scheduler's view (sched_credit.c) */
    uint64_t soft_affinity;    /* as set by setvcpuaffinity; reported only */

    /* SCHEDOP_poll: waiting for one of a set of ports, until a deadline.
     * poll_port is the one port it waits for, 0 when any port ends the wait
     * (a poll of several ports, or none), as Xen's poll_evtchn. */
    bool polling;
    uint32_t poll_port;
    struct timer poll_timer;

    /* Event channels bound to per-vCPU VIRQs (event_channel.c). */
    uint32_t virq_to_port[NR_VIRQS];

    struct arch_vcpu arch;
};

enum domain_state {
    DOMAIN_RUNNING,
    DOMAIN_SHUTDOWN, /* the guest asked to stop (reason in shutdown_code) */
    DOMAIN_DYING,
};

struct e820_packed;

struct domain {
    domid_t domain_id;
    char name[DOMAIN_NAME_MAX];
    bool is_privileged; /* the control domain */
    enum domain_state state;
    bool destroy_scanned;       /* DYING: domain_destroy() has swept its frames */
    unsigned int shutdown_code; /* SHUTDOWN_* */

    unsigned int max_vcpus;
    struct vcpu *vcpus[MAX_VCPUS_PER_DOMAIN];
    /* CPUs whose TLB may hold its translations: they loaded its page
     * tables since their last full flush (pv/context.c, hypervisor lock). */
    uint64_t dirty_cpumask;

    struct shared_info *shared_info; /* hypervisor address of the page */
    mfn_t shared_info_mfn;

    uint64_t tot_pages; /* pages owned */
    uint64_t max_pages;

    uint64_t vm_assist; /* VMASST_TYPE_* bits enabled */

    /* Toolstack control (domctl.c). */
    unsigned int ctl_pause_count;   /* pausedomain nesting; a created domain starts at 1 */
    bool has_run;                   /* unpaused at least once: max_vcpus is fixed */
    bool io_capable;                /* PVX_DOMCTL_CDF_io: may be given I/O ranges */
    uint8_t handle[16];             /* the toolstack's UUID */
    int64_t time_offset_seconds;    /* added to the wall clock it sees */
    struct e820_packed *memory_map; /* XENMEM_set_memory_map; NULL: none */
    unsigned int nr_memory_map;
    unsigned int max_grant_frames;    /* 0: GNTTAB_MAX_FRAMES */
    unsigned int max_maptrack_frames; /* maptrack frames it may have (0: it maps nothing) */
    struct rangeset ioport_caps;      /* I/O ports a domU may use (ioport_permission) */
    struct rangeset iomem_caps;       /* machine frames a domU may map (iomem_permission) */

    struct evtchn_domain evtchn;
    struct csched_dom csched; /* weight and cap (sched_credit.c) */
    struct grant_table *grant_table;
    struct arch_domain arch;

    /* The console ring pvx services for a domU (console_ring.c). */
    mfn_t console_mfn;
    uint32_t console_port;

    /* Console output (console_io) collected into lines. */
    char console_line[256];
    unsigned int console_len;

    struct domain *next_in_list;
};

/* The vCPU running on this CPU (NULL in the idle loop). */
struct vcpu *current_vcpu(void);
#define current (current_vcpu())

struct domain *domain_create(domid_t id, const char *name, unsigned int max_vcpus, bool privileged);
/* Take d apart (domctl destroydomain): its vCPUs stop for good, its event
 * channels close (peers are told), its grant mappings and page tables are
 * dropped and its memory goes back to the allocator.  Frames other domains
 * still map through grants stay allocated until they unmap; until then d
 * lingers as a dying domain, visible to getdomaininfo, its id not reused. */
void domain_destroy(struct domain *d);
/* Free a dying domain's frame once nothing references it (mm.c calls this
 * when the last reference goes); true if it was freed. */
bool domain_reap_page(struct page_info *pg);
/* Grow d's vCPUs to n (domctl max_vcpus); new ones start offline. */
int domain_set_max_vcpus(struct domain *d, unsigned int n);
/* The existing domain (dying ones included) with the lowest id >= id. */
struct domain *domain_next(domid_t id);
/* Any domain with this id, dying ones included (ids of those are taken). */
struct domain *domain_lookup_any(domid_t id);
/* Toolstack pause and unpause (nesting); -EINVAL unpausing a running one. */
void domain_pause_by_ctl(struct domain *d);
int domain_unpause_by_ctl(struct domain *d);
uint64_t domain_cpu_time(const struct domain *d);
struct domain *domain_lookup(domid_t id);
/* The domain id names for caller: itself (DOMID_SELF or its own id), or for
 * the control domain any live domain.  0, -ESRCH (none such) or -EPERM (one
 * the caller may not act on). */
int domain_lookup_for(struct domain *caller, domid_t id, struct domain **d);

/* The guest asked to stop with a reason (SHUTDOWN_*). */
void domain_shutdown(struct domain *d, unsigned int reason);
/* Undo a SHUTDOWN_suspend (a cancelled save): 0, or -EINVAL if d is not
 * shut down for suspend. */
int domain_resume(struct domain *d);

/* The VM assists a 64-bit PV guest may have (vm_assist, and a restored
 * vCPU 0 context's vm_assist field), as Xen accepts them. */
#define DOMAIN_VM_ASSIST_VALID                                                                     \
    ((1ULL << VMASST_TYPE_4gb_segments) | (1ULL << VMASST_TYPE_4gb_segments_notify) |              \
     (1ULL << VMASST_TYPE_writable_pagetables) | (1ULL << VMASST_TYPE_pae_extended_cr3) |          \
     (1ULL << VMASST_TYPE_architectural_iopl) | (1ULL << VMASST_TYPE_runstate_update_flag) |       \
     (1ULL << VMASST_TYPE_m2p_strict))
/* The guest did something that cannot be survived: log why and stop it.
 * pvx and every other domain go on. */
void domain_crash(struct domain *d, const char *fmt, ...) __printf(2, 3);

/* Write guest console output, a line at a time, tagged "(dN) " for domUs. */
void domain_console_write(struct domain *d, const char *s, size_t len);

/* Assign a fresh page to d (owner set, counted in tot_pages). */
struct page_info *domain_alloc_page(struct domain *d);
bool page_owned_by(const struct page_info *pg, const struct domain *d);
/* A page pvx shares with d (shared_info, grant frames): owned by d so it can
 * map it, but not counted as d's memory. */
struct page_info *domain_alloc_shared_page(struct domain *d);
/* Give back a frame of d that nothing references; -EBUSY while referenced. */
int domain_release_page(struct domain *d, mfn_t mfn);
/* Could it be given back: 0, -EINVAL (not d's to give) or -EBUSY (referenced)? */
int domain_frame_releasable(const struct domain *d, mfn_t mfn);
/* Free d's frame pg (nothing references it), uncounting it. */
void domain_free_frame(struct domain *d, struct page_info *pg);

/* Events: make the vCPU take an upcall as soon as it can (sched.c). */
void vcpu_kick(struct vcpu *v);
/* The vCPU is waiting (SCHEDOP_block) until an event arrives. */
void vcpu_block(struct vcpu *v);
void vcpu_wake(struct vcpu *v);

#endif
