/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: event channels (event_channel_op(cmd, arg)).
 *
 * An event channel is a one-bit, edge-triggered notification.  Each domain
 * has a table of ports; binding a port connects it to a source: another
 * domain's port (interdomain), a virtual IRQ, a physical IRQ, or another of
 * the domain's own vCPUs (IPI).  Sending on one end sets the pending bit of
 * the other end; if that port is unmasked the target vCPU gets an upcall.
 *
 * Two layouts exist for the pending/mask bits: the 2-level ABI keeps them in
 * shared_info (at most EVTCHN_2L_NR_CHANNELS ports); the FIFO ABI, enabled
 * with EVTCHNOP_init_control, uses guest-provided event-word arrays and
 * per-priority queues.
 *
 * Each operation's argument structure is listed with the operation.  IN
 * fields are read by the hypervisor, OUT fields written by it.
 */
#ifndef PVX_PUBLIC_EVENT_CHANNEL_H
#define PVX_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_bind_pirq        2
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11
#define EVTCHNOP_expand_array     12
#define EVTCHNOP_set_priority     13

#ifndef __ASSEMBLY__
typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/*
 * alloc_unbound: allocate a port in <dom> that <remote_dom> may later bind.
 *   dom         IN   DOMID_SELF, or a domain the caller controls
 *   remote_dom  IN   the only domain allowed to bind it
 *   port        OUT  the new port
 */
struct evtchn_alloc_unbound {
    domid_t dom, remote_dom;
    evtchn_port_t port;
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/*
 * bind_interdomain: connect a new local port to an unbound remote port that
 * was allocated for the caller.
 *   remote_dom   IN   the other domain
 *   remote_port  IN   its unbound port
 *   local_port   OUT  the new local port
 */
struct evtchn_bind_interdomain {
    domid_t remote_dom;
    uint16_t _pvx_pad0;
    evtchn_port_t remote_port;
    evtchn_port_t local_port;
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/*
 * bind_virq: bind a virtual IRQ (VIRQ_*) on one vCPU.
 *   virq  IN   VIRQ_* number
 *   vcpu  IN   vCPU to deliver to (must be 0 for global VIRQs)
 *   port  OUT  the new port
 */
struct evtchn_bind_virq {
    uint32_t virq;
    uint32_t vcpu;
    evtchn_port_t port;
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/*
 * bind_pirq: bind a physical IRQ (privileged, needs the IRQ's permission).
 *   pirq   IN   physical IRQ number as mapped with PHYSDEVOP_map_pirq
 *   flags  IN   BIND_PIRQ__WILL_SHARE if the guest accepts sharing
 *   port   OUT  the new port
 */
struct evtchn_bind_pirq {
    uint32_t pirq;
    uint32_t flags;
    evtchn_port_t port;
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;
#define BIND_PIRQ__WILL_SHARE 1

/*
 * bind_ipi: a port for signalling one of the caller's own vCPUs.
 *   vcpu  IN   the vCPU that receives it
 *   port  OUT  the new port
 */
struct evtchn_bind_ipi {
    uint32_t vcpu;
    evtchn_port_t port;
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/* close: release a port (the remote end of an interdomain port becomes unbound). port IN. */
struct evtchn_close {
    evtchn_port_t port;
};
typedef struct evtchn_close evtchn_close_t;

/* send: raise the event on the port's remote end (or deliver the IPI). port IN. */
struct evtchn_send {
    evtchn_port_t port;
};
typedef struct evtchn_send evtchn_send_t;

/*
 * status: describe a port.
 *   dom, port  IN   the domain (DOMID_SELF or a controlled one) and its port
 *   status     OUT  EVTCHNSTAT_*
 *   vcpu       OUT  the vCPU notified
 *   u          OUT  the binding, according to status
 */
struct evtchn_status {
    domid_t dom;
    uint16_t _pvx_pad0;
    evtchn_port_t port;
    uint32_t status;
    uint32_t vcpu;
    union {
        struct {
            domid_t dom; /* the domain allowed to bind */
        } unbound;
        struct {
            domid_t dom;
            uint16_t _pvx_pad0;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
typedef struct evtchn_status evtchn_status_t;
#define EVTCHNSTAT_closed      0 /* free */
#define EVTCHNSTAT_unbound     1 /* allocated, waiting for the remote domain */
#define EVTCHNSTAT_interdomain 2 /* connected to another domain's port */
#define EVTCHNSTAT_pirq        3 /* bound to a physical IRQ */
#define EVTCHNSTAT_virq        4 /* bound to a virtual IRQ */
#define EVTCHNSTAT_ipi         5 /* bound to a vCPU of this domain */

/*
 * bind_vcpu: deliver a port's events to another vCPU (not for per-vCPU
 * VIRQs or IPIs).  port IN, vcpu IN.
 */
struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/* unmask: clear the mask bit and deliver the event if it is pending. port IN. */
struct evtchn_unmask {
    evtchn_port_t port;
};
typedef struct evtchn_unmask evtchn_unmask_t;

/* reset: close every port of a domain (DOMID_SELF or a controlled one). dom IN. */
struct evtchn_reset {
    domid_t dom;
};
typedef struct evtchn_reset evtchn_reset_t;

/*
 * init_control (FIFO ABI): register a vCPU's control block and switch the
 * domain to the FIFO ABI.
 *   control_gfn  IN   frame holding the control block
 *   offset       IN   byte offset of struct evtchn_fifo_control_block in it
 *   vcpu         IN   the vCPU
 *   link_bits    OUT  bits in a LINK field (EVTCHN_FIFO_LINK_BITS)
 */
struct evtchn_init_control {
    uint64_t control_gfn;
    uint32_t offset;
    uint32_t vcpu;
    uint8_t link_bits;
    uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/* expand_array (FIFO ABI): add one page of event words. array_gfn IN. */
struct evtchn_expand_array {
    uint64_t array_gfn;
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/* set_priority (FIFO ABI): port IN, priority IN (EVTCHN_FIFO_PRIORITY_*). */
struct evtchn_set_priority {
    evtchn_port_t port;
    uint32_t priority;
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* Argument of the obsolete event_channel_op_compat hypercall. */
struct evtchn_op {
    uint32_t cmd; /* EVTCHNOP_* */
    union {
        evtchn_alloc_unbound_t alloc_unbound;
        evtchn_bind_interdomain_t bind_interdomain;
        evtchn_bind_virq_t bind_virq;
        evtchn_bind_pirq_t bind_pirq;
        evtchn_bind_ipi_t bind_ipi;
        evtchn_close_t close;
        evtchn_send_t send;
        evtchn_status_t status;
        evtchn_bind_vcpu_t bind_vcpu;
        evtchn_unmask_t unmask;
    } u;
};
typedef struct evtchn_op evtchn_op_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_op_t);
#endif /* !__ASSEMBLY__ */

/* 2-level ABI: one bit per port in each of the 64 words of shared_info. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/*
 * FIFO ABI.  Each port has a 32-bit event word: flag bits at the top and the
 * LINK to the next queued port below.  A vCPU has one queue per priority;
 * the control block's `ready` has bit p set when queue p is non-empty and
 * head[p] is that queue's first port.
 */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)

#ifndef __ASSEMBLY__
typedef uint32_t event_word_t;
#endif

#define EVTCHN_FIFO_PENDING     31
#define EVTCHN_FIFO_MASKED      30
#define EVTCHN_FIFO_LINKED      29
#define EVTCHN_FIFO_BUSY        28
#define EVTCHN_FIFO_LINK_BITS   17
#define EVTCHN_FIFO_LINK_MASK   ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1 << EVTCHN_FIFO_LINK_BITS)

#ifndef __ASSEMBLY__
struct evtchn_fifo_control_block {
    uint32_t ready;
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;
#endif

#endif /* PVX_PUBLIC_EVENT_CHANNEL_H */
