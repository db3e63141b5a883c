/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: callback_op(cmd, arg) registers the guest entry points
 * the hypervisor bounces into.
 *
 *   CALLBACKOP_register    struct callback_register (all fields IN)
 *   CALLBACKOP_unregister  struct callback_unregister (all fields IN)
 *
 * A 64-bit PV guest registers at least the event upcall, the failsafe
 * callback (entered when restoring the guest's segment state fails) and the
 * syscall entry; NMI delivery needs CALLBACKTYPE_nmi.
 */
#ifndef PVX_PUBLIC_CALLBACK_H
#define PVX_PUBLIC_CALLBACK_H

#include "xen.h"

#define CALLBACKTYPE_event               0 /* event channel upcall */
#define CALLBACKTYPE_failsafe            1 /* bad segment on return to guest */
#define CALLBACKTYPE_syscall             2 /* 64-bit syscall from user mode */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                 4 /* NMI */
#define CALLBACKTYPE_sysenter            5 /* 32-bit sysenter from user mode */
#define CALLBACKTYPE_syscall32           7 /* 32-bit syscall from user mode */

/* Mask events (set evtchn_upcall_mask) when entering the callback. */
#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register   0
#define CALLBACKOP_unregister 1

#ifndef __ASSEMBLY__
/* type: CALLBACKTYPE_*, flags: CALLBACKF_*, address: entry point. */
struct callback_register {
    uint16_t type;
    uint16_t flags;
    uint32_t _pvx_pad0;
    xen_callback_t address;
};
typedef struct callback_register callback_register_t;
DEFINE_XEN_GUEST_HANDLE(callback_register_t);

/* type: CALLBACKTYPE_* (only the NMI callback can be unregistered). */
struct callback_unregister {
    uint16_t type;
    uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;
DEFINE_XEN_GUEST_HANDLE(callback_unregister_t);
#endif

#endif /* PVX_PUBLIC_CALLBACK_H */
