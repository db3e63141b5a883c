/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels.  Per-domain port table; ports are bound as unbound
 * (waiting for a named remote domain), interdomain, VIRQ, IPI or PIRQ.
 * Raising a port marks it pending the way the domain's ABI says, then
 * kicks the vCPU it notifies (vcpu_kick) so the upcall is delivered on
 * return to guest.  A domain starts with the 2-level ABI and switches to
 * FIFO, for good (EVTCHNOP_reset aside), with its first init_control.
 *
 *   event_channel.c   ports, the EVTCHNOP_* operations, do_event_channel_op()
 *   event_2l.c        2-level ABI: pending/mask bits in shared_info, selectors
 *   event_fifo.c      FIFO ABI: guest event words, per-vCPU priority queues,
 *                     init_control / expand_array
 *
 * The two ABIs sit behind struct evtchn_port_ops, chosen per domain
 * (d->evtchn.ops); event_channel.c never touches ABI bits itself.
 *
 * Locking: none yet (see pvx/domain.h: one CPU, hypervisor code runs with
 * interrupts off).  Guest-shared words are still updated with locked
 * operations, because the guest changes them without any hypervisor
 * involvement and will do so from other CPUs once pvx is SMP.
 */
#ifndef PVX_EVENT_H
#define PVX_EVENT_H

#include <pvx/types.h>

struct evtchn_init_control;
struct evtchn_expand_array;

#define NR_VIRQS             24
#define EVTCHN_2L_NR_PORTS   4096       /* the 2-level ABI's limit */
#define EVTCHN_FIFO_NR_PORTS (1u << 17) /* the FIFO ABI's (EVTCHN_FIFO_NR_CHANNELS) */

/*
 * A domain's own port limit, as a count of ports (Xen's max_evtchn_port + 1):
 * a toolstack-built domain's comes from createdomain (xl.cfg
 * max_event_channels, 1023 by default as in libxl), dom0 has none
 * (EVTCHN_MAX_PORTS_UNLIMITED: Xen's -1 clamped to INT_MAX).  The ports a
 * domain can allocate stop at the lower of that and its ABI's limit.
 */
#define EVTCHN_DEFAULT_MAX_PORTS   1024
#define EVTCHN_MAX_PORTS_UNLIMITED (0x7fffffffu + 1)

/*
 * The port table is allocated lazily in buckets of EVTCHN_PORT_GROUP ports
 * (the lowest free port is always the next one handed out, so the table
 * grows a bucket at a time), reached through up to EVTCHN_NR_PORT_TABLES
 * tables of EVTCHN_GROUPS_PER_TABLE bucket pointers.  Ports become valid
 * (status/unmask/close answer for them instead of -EINVAL) a bucket at a
 * time and stay valid until the domain is destroyed, as Xen's do.
 */
#define EVTCHN_PORT_GROUP       64
#define EVTCHN_GROUPS_PER_TABLE 64
#define EVTCHN_PORTS_PER_TABLE  (EVTCHN_PORT_GROUP * EVTCHN_GROUPS_PER_TABLE)
#define EVTCHN_NR_PORT_TABLES   (EVTCHN_FIFO_NR_PORTS / EVTCHN_PORTS_PER_TABLE)

struct domain;
struct vcpu;

enum evtchn_state {
    ECS_FREE = 0,
    ECS_RESERVED, /* port 0 */
    ECS_UNBOUND,
    ECS_INTERDOMAIN,
    ECS_PIRQ,
    ECS_VIRQ,
    ECS_IPI,
};

struct evtchn {
    uint8_t state;        /* enum evtchn_state */
    uint8_t xen_consumer; /* INTERDOMAIN to pvx itself: 1 + index of its notify function */
    uint16_t remote_dom;  /* UNBOUND: who may bind; INTERDOMAIN: peer domain id */
    uint32_t notify_vcpu;
    union {
        uint32_t remote_port; /* INTERDOMAIN */
        uint32_t virq;        /* VIRQ */
        uint32_t pirq;        /* PIRQ */
    } u;
    /* FIFO ABI only (event_fifo.c).  The queue a port was last linked on
     * survives a close: the guest may not have taken the port off yet. */
    uint8_t priority;        /* the queue the next link goes on */
    bool fifo_pending;       /* raised while its event word did not exist */
    uint8_t fifo_last_prio;  /* priority and vCPU of the queue it was */
    uint16_t fifo_last_vcpu; /* last linked on */
};

struct evtchn_port_ops;
struct evtchn_fifo_domain;

struct evtchn_domain {
    /* Bucket g of table t holds the EVTCHN_PORT_GROUP ports from
     * EVTCHN_PORT_GROUP * (t * EVTCHN_GROUPS_PER_TABLE + g) on; every
     * bucket below valid_ports exists, none above it. */
    struct evtchn **tables[EVTCHN_NR_PORT_TABLES];
    uint32_t max_ports;                /* the domain's own limit (see above) */
    uint32_t valid_ports;              /* a multiple of EVTCHN_PORT_GROUP */
    uint32_t active_ports;             /* ports in use, port 0 not counted */
    uint32_t free_hint;                /* no port in 1..free_hint-1 is ECS_FREE */
    const struct evtchn_port_ops *ops; /* the domain's ABI */
    struct evtchn_fifo_domain *fifo;   /* FIFO state, NULL under 2-level */
};

/* A port below ed->valid_ports. */
static inline struct evtchn *evtchn_port_entry(const struct evtchn_domain *ed, uint32_t port)
{
    uint32_t group = port / EVTCHN_PORT_GROUP;

    return &ed->tables[group / EVTCHN_GROUPS_PER_TABLE][group % EVTCHN_GROUPS_PER_TABLE]
                      [port % EVTCHN_PORT_GROUP];
}

int evtchn_domain_init(struct domain *d);
void evtchn_domain_destroy(struct domain *d);

/* Raise a VIRQ on a vCPU (no-op if the guest has not bound it). */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
/* Raise a global VIRQ (bound on vCPU 0 of the domain). */
void send_guest_global_virq(struct domain *d, unsigned int virq);
/* Mark port pending in d and notify its vCPU. */
void evtchn_port_set_pending(struct domain *d, uint32_t port);

/* ---- Lifecycle and control (event_channel.c) ---- */

/*
 * Close every port of d, for the domain-destroy path.  The peer end of each
 * interdomain port becomes unbound again, naming d (as on Xen, no event is
 * raised on the peer: it learns of the death from VIRQ_DOM_EXC / xenstore).
 * Global VIRQs d was the handler for go back to the default handler.  Call
 * it before d is unlinked from the domain list; afterwards every allocation
 * in d fails with -EINVAL once d->state is DOMAIN_DYING.
 */
void evtchn_domain_close_all(struct domain *d);

/* Change d's own port limit (a count of ports, see above; domctl and dom0's
 * build).  -EINVAL outside 1..EVTCHN_MAX_PORTS_UNLIMITED, -EBUSY if a port
 * at or above the new limit is in use. */
int evtchn_set_max_ports(struct domain *d, uint32_t max_ports);
/* The ports d may have now: its own limit, capped by its ABI's. */
uint32_t evtchn_port_limit(const struct domain *d);

/* Close one port of d from hypervisor code (no guest restrictions). */
int evtchn_close_port(struct domain *d, uint32_t port);

/*
 * Global VIRQs (all but the per-vCPU TIMER, DEBUG, XENOPROF, XENPMU and the
 * per-domain ARGO) are delivered to one handler domain, domain 0 unless
 * set_global_virq_handler() named another; only that domain may bind them,
 * others get -EBUSY, as on Xen.
 */
bool virq_is_per_vcpu(unsigned int virq);
bool virq_is_global(unsigned int virq);
struct domain *global_virq_handler(unsigned int virq);
int set_global_virq_handler(struct domain *d, unsigned int virq);
/* Raise a global VIRQ on its handler domain (e.g. VIRQ_DOM_EXC). */
void send_global_virq(unsigned int virq);

/*
 * Ports serviced by pvx itself (a console ring before dom0's daemon
 * exists).  The guest sees an interdomain port whose peer is DOMID_XEN,
 * port 0; its EVTCHNOP_send calls fn(d, port) and pvx raises the port with
 * evtchn_port_set_pending().  Returns the port or a negative errno.
 */
typedef void (*evtchn_xen_notify_fn)(struct domain *d, uint32_t port);
int evtchn_alloc_xen_port(struct domain *d, unsigned int vcpu, evtchn_xen_notify_fn fn);

/* For SCHEDOP_poll: -EINVAL for a port that is not valid or not in use,
 * else whether it is pending. */
int evtchn_port_poll(struct domain *d, uint32_t port);

/*
 * SCHEDOP_poll's look at v's ports (nr_ports ports at guest address
 * ports), in Xen's order: -EFAULT unless the array starts in guest memory
 * (even an empty one); then 1 (the poll is over before it starts) if v has
 * an event it can take
 * now (upcall pending and not masked); then each port in turn: -EFAULT if
 * it cannot be read, -EINVAL if it is not valid or not in use, 1 if it is
 * pending.  0 means v must wait: *wait_port is then the one port that can
 * end the wait, or 0 (never a usable port) when any port can.
 */
int evtchn_poll_ports(struct vcpu *v, uint64_t ports, uint32_t nr_ports, uint32_t *wait_port);

/* ---- The ABI behind a port (event_2l.c, event_fifo.c) ---- */

/*
 * What an ABI does to one port's guest-visible state.  Ports are in use
 * and below the domain's evtchn_port_limit(); v is the vCPU the port
 * notifies.
 */
struct evtchn_port_ops {
    /* Mark pending; if unmasked (and, FIFO, not already queued) tell v. */
    void (*set_pending)(struct vcpu *v, uint32_t port);
    void (*clear_pending)(struct domain *d, uint32_t port);
    /* Clear the mask; a pending port is delivered now. */
    void (*unmask)(struct domain *d, struct vcpu *v, uint32_t port);
    bool (*is_pending)(const struct domain *d, uint32_t port);
    bool (*is_masked)(const struct domain *d, uint32_t port);
    /* Still on a guest queue: not to be reused yet (NULL: never). */
    bool (*is_busy)(const struct domain *d, uint32_t port);
    /* -EINVAL for a priority the ABI lacks (NULL: -ENOSYS, no priorities). */
    int (*set_priority)(struct domain *d, uint32_t port, unsigned int priority);
};

extern const struct evtchn_port_ops evtchn_port_ops_2l;
extern const struct evtchn_port_ops evtchn_port_ops_fifo;

/* SCHEDOP_poll: wake d's vCPUs polling port (or any port); event_channel.c. */
void evtchn_wake_pollers(const struct domain *d, uint32_t port);
/* Set v's evtchn_upcall_pending; kick v only if it was clear (event_2l.c). */
void evtchn_vcpu_mark_pending(struct vcpu *v);

/* ---- 2-level bit logic (event_2l.c), ports already checked < 4096 ---- */

/* Set port's pending bit; if it was clear and the port is unmasked, set the
 * selector bit in v's vcpu_info and mark v's upcall pending. */
void evtchn_2l_set_pending(struct vcpu *v, uint32_t port);
void evtchn_2l_clear_pending(struct domain *d, uint32_t port);
/* Clear the mask bit; if it was set and the port is pending, notify v. */
void evtchn_2l_unmask(struct domain *d, struct vcpu *v, uint32_t port);
bool evtchn_2l_is_pending(const struct domain *d, uint32_t port);
bool evtchn_2l_is_masked(const struct domain *d, uint32_t port);

/* ---- FIFO ABI (event_fifo.c) ---- */

/*
 * EVTCHNOP_init_control for the current domain.  The first one switches
 * the domain to FIFO: ports already bound keep their binding, get the
 * default priority, and a port pending under 2-level is raised again once
 * the guest adds the event-array page holding its word (mask bits are not
 * carried over: the guest initialises its event words).  Errors as Xen:
 * -ENOENT no such vCPU; -EINVAL offset past the page or not 8-aligned, a
 * second init for the vCPU, a frame that is not the domain's writable RAM.
 */
int evtchn_fifo_init_control(struct evtchn_init_control *ic);
/* EVTCHNOP_expand_array: -EOPNOTSUPP before init_control, -ENOSPC past
 * EVTCHN_FIFO_NR_CHANNELS words, -EINVAL for a bad frame. */
int evtchn_fifo_expand_array(const struct evtchn_expand_array *ea);
/* Drop every page reference and go back to 2-level (domain teardown,
 * EVTCHNOP_reset).  Harmless for a 2-level domain. */
void evtchn_fifo_destroy(struct domain *d);

#endif
