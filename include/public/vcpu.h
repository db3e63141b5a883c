/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: per-vCPU operations (vcpu_op(cmd, vcpuid, arg)).
 *
 *   VCPUOP_initialise       struct vcpu_guest_context: set the initial state
 *                           of a vCPU that has never run (before VCPUOP_up).
 *   VCPUOP_up / _down       bring a vCPU online / take it offline.
 *   VCPUOP_is_up            returns 1 if the vCPU is online, else 0.
 *   VCPUOP_get_runstate_info               struct vcpu_runstate_info (OUT)
 *   VCPUOP_register_runstate_memory_area   keep a runstate_info updated at
 *                                          a guest address
 *   VCPUOP_set_periodic_timer / _stop_periodic_timer
 *   VCPUOP_set_singleshot_timer / _stop_singleshot_timer
 *   VCPUOP_register_vcpu_info  move the vCPU's vcpu_info out of shared_info
 *   VCPUOP_send_nmi         inject an NMI into the vCPU
 *   VCPUOP_get_physid       physical CPU identity (dom0 only)
 *   VCPUOP_register_vcpu_time_memory_area  extra copy of vcpu_time_info
 */
#ifndef PVX_PUBLIC_VCPU_H
#define PVX_PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise                     0
#define VCPUOP_up                             1
#define VCPUOP_down                           2
#define VCPUOP_is_up                          3
#define VCPUOP_get_runstate_info              4
#define VCPUOP_register_runstate_memory_area  5
#define VCPUOP_set_periodic_timer             6
#define VCPUOP_stop_periodic_timer            7
#define VCPUOP_set_singleshot_timer           8
#define VCPUOP_stop_singleshot_timer          9
#define VCPUOP_register_vcpu_info             10
#define VCPUOP_send_nmi                       11
#define VCPUOP_get_physid                     12
#define VCPUOP_register_vcpu_time_memory_area 13

/* vcpu_runstate_info.state */
#define RUNSTATE_running  0 /* on a physical CPU */
#define RUNSTATE_runnable 1 /* wants to run */
#define RUNSTATE_blocked  2 /* waiting for an event */
#define RUNSTATE_offline  3 /* down, or paused by the toolstack */

/*
 * Set in state_entry_time while the hypervisor updates the area, if the
 * guest enabled VMASST_TYPE_runstate_update_flag.
 */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)

#ifndef __ASSEMBLY__
/*
 *   state             OUT  RUNSTATE_*
 *   state_entry_time  OUT  system time (ns) when state was entered
 *   time              OUT  ns spent in each RUNSTATE_*
 */
struct vcpu_runstate_info {
    int state;
    uint32_t _pvx_pad0;
    uint64_t state_entry_time;
    uint64_t time[4];
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);

/* addr IN: guest virtual address of a vcpu_runstate_info to keep updated. */
struct vcpu_register_runstate_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
        struct vcpu_runstate_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

/* period_ns IN: period of VIRQ_TIMER ticks. */
struct vcpu_set_periodic_timer {
    uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

/*
 *   timeout_abs_ns  IN  system time at which VIRQ_TIMER fires
 *   flags           IN  VCPU_SSHOTTMR_future: fail with -ETIME if already past
 */
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;
    uint32_t flags;
    uint32_t _pvx_pad0;
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);
#endif

#define _VCPU_SSHOTTMR_future (0)
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

#ifndef __ASSEMBLY__
/*
 * Place the vCPU's vcpu_info at byte <offset> of guest frame <mfn>; it must
 * not cross a page boundary.  Can be done once per vCPU.
 *   mfn IN, offset IN, rsvd IN (0)
 */
struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);

/* phys_id OUT: APIC id in bits 0-31, ACPI id in bits 32-63. */
struct vcpu_get_physid {
    uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);

/* addr IN: guest virtual address of a vcpu_time_info to keep updated. */
struct vcpu_register_time_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_time_info_t) h;
        struct vcpu_time_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);
#endif

#endif /* PVX_PUBLIC_VCPU_H */
