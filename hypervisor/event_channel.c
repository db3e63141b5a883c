/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channel ports and the EVTCHNOP_* hypercall.
 *
 * Each domain owns a table of ports (struct evtchn_domain), grown a bucket
 * of EVTCHN_PORT_GROUP ports at a time as the domain allocates them, up to
 * evtchn_port_limit(): its own limit (createdomain's max_evtchn_port + 1)
 * capped by its ABI's, 4096 ports under 2-level, 2^17 under FIFO.  Port
 * 0 is reserved so that 0 can mean "no port" in the ABI.  A port is FREE,
 * or UNBOUND (allocated, waiting for the named remote domain to bind it),
 * or bound: INTERDOMAIN (to a port of another domain or of the same one),
 * VIRQ (to a virtual IRQ on one vCPU), IPI (to one of the domain's own
 * vCPUs) or PIRQ (the hardware domain's legacy lines, pirq.c).  What
 * "pending" and "masked" mean is the domain's ABI's business
 * (d->evtchn.ops: event_2l.c or event_fifo.c); this file only calls
 * through that table.
 *
 * Error codes follow Xen's for every path, including the order in which
 * the checks are made, because the same test guest runs on both.  Where
 * Xen 4.17 and current Xen differ (a domain other than the handler binding
 * a global VIRQ: accepted by 4.17, -EBUSY now) pvx follows current Xen.
 * bind_pirq is the hardware domain's only (-EPERM).
 * A guest names other domains only through DOMID_SELF or an id; acting on
 * another domain's ports (alloc_unbound, status, reset) needs the control
 * domain.
 *
 * Interdomain peers are kept as (domain id, port).  Closing one end, or
 * destroying its domain, turns the other end back into an UNBOUND port
 * naming the closer, so a peer id names a live domain, except while that
 * domain is dying and not yet cleaned up (evtchn_domain_close_all()): its
 * peers' ports then behave as if unbound.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/pirq.h>
#include <pvx/mm.h>
#include <public/event_channel.h>

BUILD_BUG_ON(EVTCHN_2L_NR_PORTS != EVTCHN_2L_NR_CHANNELS);
BUILD_BUG_ON(EVTCHN_FIFO_NR_PORTS != EVTCHN_FIFO_NR_CHANNELS);
BUILD_BUG_ON(EVTCHN_FIFO_NR_PORTS % EVTCHN_PORTS_PER_TABLE);
BUILD_BUG_ON(EVTCHN_2L_NR_PORTS % EVTCHN_PORT_GROUP);
BUILD_BUG_ON(EVTCHN_DEFAULT_MAX_PORTS > EVTCHN_2L_NR_PORTS);
BUILD_BUG_ON(NR_VIRQS > 255);

/* Hypervisor-serviced ports (evtchn_alloc_xen_port): few distinct
 * functions exist, so a port stores a small index instead of a pointer. */
#define NR_XEN_CONSUMERS 8
static evtchn_xen_notify_fn xen_consumers[NR_XEN_CONSUMERS];

/* Global VIRQ handler domains by id, where one was set; domain 0 otherwise. */
static domid_t global_virq_handlers[NR_VIRQS];
static bool global_virq_handler_set[NR_VIRQS];

/* ---- Helpers: domains, vCPUs, ports ---- */

/* DOMID_SELF or any live domain; privilege is checked by the caller. */
static struct domain *domain_by_any_id(domid_t id)
{
    return id == DOMID_SELF ? current->domain : domain_lookup(id);
}

/* The peer of an interdomain port; d itself for a loop-back channel, even
 * while d is dying and no longer found by domain_lookup(). */
static struct domain *peer_domain(struct domain *d, domid_t id)
{
    return id == d->domain_id ? d : domain_lookup(id);
}

/* Xen's "target" rule: a domain acts on itself, the control domain on any. */
static bool may_act_for(const struct domain *caller, const struct domain *d)
{
    return caller == d || caller->is_privileged;
}

static struct vcpu *domain_vcpu(const struct domain *d, uint32_t id)
{
    if (id >= d->max_vcpus || id >= MAX_VCPUS_PER_DOMAIN)
        return NULL;
    return d->vcpus[id];
}

static bool port_is_valid(const struct domain *d, uint32_t port)
{
    return port < d->evtchn.valid_ports;
}

static struct evtchn *port_lookup(const struct domain *d, uint32_t port)
{
    return port_is_valid(d, port) ? evtchn_port_entry(&d->evtchn, port) : NULL;
}

/* A port already known to be valid. */
static struct evtchn *port_entry(const struct domain *d, uint32_t port)
{
    return evtchn_port_entry(&d->evtchn, port);
}

uint32_t evtchn_port_limit(const struct domain *d)
{
    uint32_t abi = d->evtchn.fifo ? EVTCHN_FIFO_NR_PORTS : EVTCHN_2L_NR_PORTS;

    return MIN(d->evtchn.max_ports, abi);
}

/* Make the next bucket (ports valid_ports onwards) valid; -ENOMEM. */
static int add_bucket(struct evtchn_domain *ed)
{
    uint32_t group = ed->valid_ports / EVTCHN_PORT_GROUP;
    struct evtchn ***table = &ed->tables[group / EVTCHN_GROUPS_PER_TABLE];
    struct evtchn *bucket;

    if (!*table) {
        *table = xzalloc_array(struct evtchn *, EVTCHN_GROUPS_PER_TABLE);
        if (!*table)
            return -ENOMEM;
    }
    bucket = xzalloc_array(struct evtchn, EVTCHN_PORT_GROUP);
    if (!bucket)
        return -ENOMEM; /* an empty table stays for the next try */
    (*table)[group % EVTCHN_GROUPS_PER_TABLE] = bucket;
    ed->valid_ports += EVTCHN_PORT_GROUP;
    return 0;
}

/* Bound or unbound (not free, not port 0). */
static bool port_in_use(const struct evtchn *chn)
{
    return chn->state > ECS_RESERVED;
}

/*
 * The lowest free port, made valid (its bucket allocated), as Xen hands
 * them out; -EINVAL if d is dying, -ENOSPC at evtchn_port_limit(), -ENOMEM
 * when a new bucket cannot be had.  The search starts at free_hint: ports
 * below it are all in use.
 */
static int get_free_port(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;
    uint32_t limit = evtchn_port_limit(d);
    bool hint_moves = true;

    if (d->state == DOMAIN_DYING)
        return -EINVAL;
    for (uint32_t port = ed->free_hint; port < limit; port++) {
        if (port == ed->valid_ports) {
            int rc = add_bucket(ed);

            if (rc)
                return rc;
        }
        if (port_entry(d, port)->state != ECS_FREE)
            continue;
        if (hint_moves)
            ed->free_hint = port;
        hint_moves = false;
        /* A FIFO port still on a guest queue is not reused until the guest
         * has unlinked it, as on Xen: its old queue would be corrupted. */
        if (ed->ops->is_busy && ed->ops->is_busy(d, port))
            continue;
        return (int)port;
    }
    return -ENOSPC;
}

/* Turn a free port (from get_free_port) into a bound or unbound one. */
static struct evtchn *port_claim(struct domain *d, uint32_t port, enum evtchn_state state)
{
    struct evtchn *chn = port_entry(d, port);

    ASSERT(chn->state == ECS_FREE);
    chn->state = state;
    chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    d->evtchn.active_ports++;
    return chn;
}

static void port_free(struct domain *d, uint32_t port)
{
    struct evtchn *chn = port_entry(d, port);
    struct evtchn freed = {
        .fifo_last_prio = chn->fifo_last_prio,
        .fifo_last_vcpu = chn->fifo_last_vcpu,
    };

    ASSERT(port_in_use(chn));
    /* A stale pending bit would fire as soon as the port is bound again. */
    if (d->shared_info)
        d->evtchn.ops->clear_pending(d, port);
    *chn = freed;
    d->evtchn.active_ports--;
    d->evtchn.free_hint = MIN(d->evtchn.free_hint, port);
}

/* Raise a port of d on the vCPU it notifies. */
static void port_raise(struct domain *d, uint32_t port)
{
    const struct evtchn *chn = port_entry(d, port);
    struct vcpu *v = domain_vcpu(d, chn->notify_vcpu);

    /* notify_vcpu is only ever set to an existing vCPU, and vCPUs live as
     * long as their domain. */
    BUG_ON(!v || !v->vcpu_info || !d->shared_info);
    d->evtchn.ops->set_pending(v, port);
}

/* ---- VIRQ classes ---- */

bool virq_is_per_vcpu(unsigned int virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU;
}

bool virq_is_global(unsigned int virq)
{
    /* VIRQ_ARGO is per-domain: any domain may bind it on vCPU 0. */
    return virq < NR_VIRQS && !virq_is_per_vcpu(virq) && virq != VIRQ_ARGO;
}

struct domain *global_virq_handler(unsigned int virq)
{
    ASSERT(virq < NR_VIRQS);
    return domain_lookup(global_virq_handler_set[virq] ? global_virq_handlers[virq] : 0);
}

int set_global_virq_handler(struct domain *d, unsigned int virq)
{
    struct domain *old;

    if (virq >= NR_VIRQS || !virq_is_global(virq) || d->state == DOMAIN_DYING)
        return -EINVAL;
    old = global_virq_handler(virq);
    /* The current handler keeps the VIRQ while it has it bound. */
    if (old && old != d && old->vcpus[0] && old->vcpus[0]->virq_to_port[virq])
        return -EBUSY;
    global_virq_handlers[virq] = d->domain_id;
    global_virq_handler_set[virq] = true;
    return 0;
}

static void clear_global_virq_handlers(const struct domain *d)
{
    for (unsigned int virq = 0; virq < NR_VIRQS; virq++)
        if (global_virq_handler_set[virq] && global_virq_handlers[virq] == d->domain_id)
            global_virq_handler_set[virq] = false;
}

/* ---- Operations (each returns 0 or a negative errno) ---- */

static int evtchn_alloc_unbound(struct evtchn_alloc_unbound *a)
{
    struct domain *caller = current->domain;
    struct domain *d = domain_by_any_id(a->dom);
    struct evtchn *chn;
    int port;

    if (!d)
        return -ESRCH;
    port = get_free_port(d);
    if (port < 0)
        return port;
    if (!may_act_for(caller, d))
        return -EPERM;

    chn = port_claim(d, (uint32_t)port, ECS_UNBOUND);
    /* remote_dom is not checked: the domain it names may not exist yet. */
    chn->remote_dom = a->remote_dom == DOMID_SELF ? caller->domain_id : a->remote_dom;
    a->port = (uint32_t)port;
    return 0;
}

static int evtchn_bind_interdomain(struct evtchn_bind_interdomain *b)
{
    struct domain *ld = current->domain;
    struct domain *rd = domain_by_any_id(b->remote_dom);
    struct evtchn *lchn, *rchn;
    int lport;

    if (!rd)
        return -ESRCH;
    lport = get_free_port(ld);
    if (lport < 0)
        return lport;
    rchn = port_lookup(rd, b->remote_port);
    if (!rchn || rchn->state != ECS_UNBOUND || rchn->remote_dom != ld->domain_id)
        return -EINVAL;

    lchn = port_claim(ld, (uint32_t)lport, ECS_INTERDOMAIN);
    lchn->remote_dom = rd->domain_id;
    lchn->u.remote_port = b->remote_port;
    rchn->state = ECS_INTERDOMAIN;
    rchn->remote_dom = ld->domain_id;
    rchn->u.remote_port = (uint32_t)lport;

    /* The remote may have sent while its port was still unbound; those
     * events were dropped, so always start with one pending here. */
    port_raise(ld, (uint32_t)lport);
    b->local_port = (uint32_t)lport;
    return 0;
}

static int evtchn_bind_virq(struct evtchn_bind_virq *b)
{
    struct domain *d = current->domain;
    struct evtchn *chn;
    struct vcpu *v;
    int port;

    if (b->virq >= NR_VIRQS)
        return -EINVAL;
    if (!virq_is_per_vcpu(b->virq) && b->vcpu != 0)
        return -EINVAL;
    v = domain_vcpu(d, b->vcpu);
    if (!v)
        return -ENOENT;
    if (virq_is_global(b->virq) && global_virq_handler(b->virq) != d)
        return -EBUSY;
    if (v->virq_to_port[b->virq])
        return -EEXIST;
    port = get_free_port(d);
    if (port < 0)
        return port;

    chn = port_claim(d, (uint32_t)port, ECS_VIRQ);
    chn->notify_vcpu = b->vcpu;
    chn->u.virq = b->virq;
    v->virq_to_port[b->virq] = (uint32_t)port;
    b->port = (uint32_t)port;
    return 0;
}

static int evtchn_bind_ipi(struct evtchn_bind_ipi *b)
{
    struct domain *d = current->domain;
    struct evtchn *chn;
    int port;

    if (!domain_vcpu(d, b->vcpu))
        return -ENOENT;
    port = get_free_port(d);
    if (port < 0)
        return port;

    chn = port_claim(d, (uint32_t)port, ECS_IPI);
    chn->notify_vcpu = b->vcpu;
    b->port = (uint32_t)port;
    return 0;
}

static int evtchn_bind_pirq(struct evtchn_bind_pirq *b)
{
    struct domain *d = current->domain;
    struct evtchn *chn;
    int port, rc;

    /* A domain without the IRQ: Xen's answer is -EPERM. */
    if (!d->is_privileged)
        return -EPERM;
    port = get_free_port(d);
    if (port < 0)
        return port;
    rc = pirq_bind(d, b->pirq, (uint32_t)port);
    if (rc)
        return rc;
    chn = port_claim(d, (uint32_t)port, ECS_PIRQ);
    chn->u.pirq = b->pirq;
    b->port = (uint32_t)port;
    return 0;
}

/* The VIRQ's entry in virq_to_port lives on vCPU 0 unless it is per-vCPU. */
static void unbind_virq(struct domain *d, uint32_t port, const struct evtchn *chn)
{
    struct vcpu *v = domain_vcpu(d, virq_is_per_vcpu(chn->u.virq) ? chn->notify_vcpu : 0);

    BUG_ON(!v || v->virq_to_port[chn->u.virq] != port);
    v->virq_to_port[chn->u.virq] = 0;
}

/*
 * The peer end of interdomain port (d, port), or NULL when the peer is pvx
 * itself or its domain is already dying (domain_lookup() no longer finds
 * it; evtchn_domain_close_all() is about to unbind this end).
 */
static struct evtchn *peer_port(struct domain *d, uint32_t port, struct domain **rdp)
{
    const struct evtchn *chn = port_entry(d, port);
    struct domain *rd;
    struct evtchn *rchn;

    if (chn->xen_consumer)
        return NULL;
    rd = peer_domain(d, chn->remote_dom);
    if (!rd)
        return NULL;
    rchn = port_lookup(rd, chn->u.remote_port);
    /* Bindings are made and undone in pairs, except when the peer closed
     * its end while this domain was dying and unreachable: then the peer
     * port may have been reused for something else. */
    if (!rchn || rchn->state != ECS_INTERDOMAIN || rchn->xen_consumer ||
        rchn->remote_dom != d->domain_id || rchn->u.remote_port != port)
        return NULL;
    if (rdp)
        *rdp = rd;
    return rchn;
}

/* The peer end of a closing interdomain port waits for us to bind again. */
static void unbind_peer(struct domain *d, uint32_t port)
{
    struct evtchn *rchn = peer_port(d, port, NULL);

    if (!rchn)
        return;
    rchn->state = ECS_UNBOUND;
    rchn->remote_dom = d->domain_id;
    rchn->u.remote_port = 0;
}

static int evtchn_close(struct domain *d, uint32_t port)
{
    struct evtchn *chn = port_lookup(d, port);

    if (!chn)
        return -EINVAL;

    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        return -EINVAL;
    case ECS_UNBOUND:
    case ECS_IPI:
        break;
    case ECS_VIRQ:
        unbind_virq(d, port, chn);
        break;
    case ECS_INTERDOMAIN:
        unbind_peer(d, port);
        break;
    case ECS_PIRQ:
        pirq_unbind(d, chn->u.pirq);
        break;
    default:
        ASSERT_UNREACHABLE();
    }
    port_free(d, port);
    return 0;
}

static int evtchn_send(struct domain *ld, uint32_t lport)
{
    const struct evtchn *lchn = port_lookup(ld, lport);
    struct domain *rd;
    struct evtchn *rchn;

    if (!lchn)
        return -EINVAL;

    switch (lchn->state) {
    case ECS_INTERDOMAIN:
        if (lchn->xen_consumer) {
            xen_consumers[lchn->xen_consumer - 1](ld, lport);
            return 0;
        }
        rchn = peer_port(ld, lport, &rd);
        if (rchn)
            port_raise(rd, lchn->u.remote_port);
        return 0;
    case ECS_IPI:
        port_raise(ld, lport);
        return 0;
    case ECS_UNBOUND:
        return 0; /* nobody listens yet: dropped, as on Xen */
    default:
        return -EINVAL; /* VIRQ, PIRQ, free or reserved */
    }
}

static void fill_status(struct evtchn_status *s, const struct evtchn *chn)
{
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        s->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        s->status = EVTCHNSTAT_unbound;
        s->u.unbound.dom = chn->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        s->status = EVTCHNSTAT_interdomain;
        s->u.interdomain.dom = chn->remote_dom; /* DOMID_XEN for pvx-serviced ports */
        s->u.interdomain.port = chn->u.remote_port;
        break;
    case ECS_PIRQ:
        s->status = EVTCHNSTAT_pirq;
        s->u.pirq = chn->u.pirq;
        break;
    case ECS_VIRQ:
        s->status = EVTCHNSTAT_virq;
        s->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        s->status = EVTCHNSTAT_ipi;
        break;
    default:
        ASSERT_UNREACHABLE();
    }
    s->vcpu = chn->notify_vcpu;
}

static int evtchn_status(struct evtchn_status *s)
{
    struct domain *d = domain_by_any_id(s->dom);
    const struct evtchn *chn;

    if (!d)
        return -ESRCH;
    chn = port_lookup(d, s->port);
    if (!chn)
        return -EINVAL;
    if (!may_act_for(current->domain, d))
        return -EPERM;
    fill_status(s, chn);
    return 0;
}

static int evtchn_bind_vcpu(uint32_t port, uint32_t vcpu)
{
    struct domain *d = current->domain;
    struct evtchn *chn;

    if (!domain_vcpu(d, vcpu))
        return -ENOENT;
    chn = port_lookup(d, port);
    if (!chn)
        return -EINVAL;

    /* pvx's own end of a channel it services: not the guest's to move. */
    if (chn->xen_consumer)
        return -EINVAL;

    switch (chn->state) {
    case ECS_VIRQ:
        /* A per-vCPU VIRQ belongs to the vCPU it was bound on. */
        if (virq_is_per_vcpu(chn->u.virq))
            return -EINVAL;
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        break;
    default:
        return -EINVAL; /* IPI (fixed vCPU), free, reserved */
    }
    /* Already pending events stay with the old vCPU's selector, as on Xen. */
    chn->notify_vcpu = vcpu;
    return 0;
}

static int evtchn_unmask(uint32_t port)
{
    struct domain *d = current->domain;
    const struct evtchn *chn = port_lookup(d, port);

    if (!chn)
        return -EINVAL;
    /* Unmasking an unused port is accepted and does nothing. */
    if (port_in_use(chn))
        d->evtchn.ops->unmask(d, domain_vcpu(d, chn->notify_vcpu), port);
    return 0;
}

/* Xen lets a controller reset another domain only while it is paused; pvx
 * has no controller pause count yet, so every vCPU must be paused. */
static bool domain_is_paused(const struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++)
        if (d->vcpus[i] && !d->vcpus[i]->pause_count)
            return false;
    return true;
}

/* Close every port in use (EVTCHNOP_reset, domain teardown). */
static void close_all_ports(struct domain *d)
{
    for (uint32_t port = 1; port < d->evtchn.valid_ports && d->evtchn.active_ports; port++)
        if (port_in_use(port_entry(d, port)))
            evtchn_close(d, port);
    ASSERT(d->evtchn.active_ports == 0);
}

static int evtchn_reset(const struct evtchn_reset *r)
{
    struct domain *d = domain_by_any_id(r->dom);

    if (!d)
        return -ESRCH;
    if (!may_act_for(current->domain, d))
        return -EPERM;
    if (d != current->domain && !domain_is_paused(d))
        return -EINVAL;

    /* Ports pvx services are the guest's ends of their channels: they go
     * too, like every interdomain end on Xen. */
    close_all_ports(d);
    /* With no port left the domain is back on the 2-level ABI, as on Xen
     * (a guest that is resumed or kexec'd chooses again).  Its buckets
     * stay: ports past 4095 remain valid (closed) but cannot be had again
     * until it switches to FIFO anew. */
    evtchn_fifo_destroy(d);
    return 0;
}

static int evtchn_set_priority(const struct evtchn_set_priority *s)
{
    struct domain *d = current->domain;
    const struct evtchn *chn = port_lookup(d, s->port);

    if (!chn)
        return -EINVAL;
    if (!d->evtchn.ops->set_priority)
        return -ENOSYS; /* the 2-level ABI has no priorities */
    /* Xen's "usable" test: in use, and not a port pvx services. */
    if (!port_in_use(chn) || chn->xen_consumer)
        return -EACCES;
    return d->evtchn.ops->set_priority(d, s->port, s->priority);
}

/* ---- The hypercall ---- */

/* Copy the argument in, run op, copy it back out when op succeeded and
 * has OUT fields.  A failed copy-out cannot undo the operation (the guest
 * lost the result through its own bad pointer), as on Xen. */
#define EVTCHN_OP_INOUT(type, op)                                                                  \
    ({                                                                                             \
        type a_;                                                                                   \
        long rc_ = -EFAULT;                                                                        \
        if (!copy_from_guest(&a_, arg, sizeof(a_))) {                                              \
            rc_ = op(&a_);                                                                         \
            if (!rc_ && copy_to_guest(arg, &a_, sizeof(a_)))                                       \
                rc_ = -EFAULT;                                                                     \
        }                                                                                          \
        rc_;                                                                                       \
    })

#define EVTCHN_OP_IN(type, expr)                                                                   \
    ({                                                                                             \
        type a_;                                                                                   \
        copy_from_guest(&a_, arg, sizeof(a_)) ? -EFAULT : (long)(expr);                            \
    })

long do_event_channel_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;

    /* The ABI's cmd is a C int: the upper half of the register is ignored. */
    switch ((uint32_t)cmd) {
    case EVTCHNOP_alloc_unbound:
        return EVTCHN_OP_INOUT(struct evtchn_alloc_unbound, evtchn_alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        return EVTCHN_OP_INOUT(struct evtchn_bind_interdomain, evtchn_bind_interdomain);
    case EVTCHNOP_bind_virq:
        return EVTCHN_OP_INOUT(struct evtchn_bind_virq, evtchn_bind_virq);
    case EVTCHNOP_bind_ipi:
        return EVTCHN_OP_INOUT(struct evtchn_bind_ipi, evtchn_bind_ipi);
    case EVTCHNOP_bind_pirq:
        return EVTCHN_OP_INOUT(struct evtchn_bind_pirq, evtchn_bind_pirq);
    case EVTCHNOP_status:
        return EVTCHN_OP_INOUT(struct evtchn_status, evtchn_status);
    case EVTCHNOP_close:
        return EVTCHN_OP_IN(struct evtchn_close, evtchn_close(d, a_.port));
    case EVTCHNOP_send:
        return EVTCHN_OP_IN(struct evtchn_send, evtchn_send(d, a_.port));
    case EVTCHNOP_bind_vcpu:
        return EVTCHN_OP_IN(struct evtchn_bind_vcpu, evtchn_bind_vcpu(a_.port, a_.vcpu));
    case EVTCHNOP_unmask:
        return EVTCHN_OP_IN(struct evtchn_unmask, evtchn_unmask(a_.port));
    case EVTCHNOP_reset:
        return EVTCHN_OP_IN(struct evtchn_reset, evtchn_reset(&a_));
    case EVTCHNOP_init_control:
        return EVTCHN_OP_INOUT(struct evtchn_init_control, evtchn_fifo_init_control);
    case EVTCHNOP_expand_array:
        return EVTCHN_OP_IN(struct evtchn_expand_array, evtchn_fifo_expand_array(&a_));
    case EVTCHNOP_set_priority:
        return EVTCHN_OP_IN(struct evtchn_set_priority, evtchn_set_priority(&a_));
    default:
        return -ENOSYS;
    }
}

/* ---- Interface for the rest of pvx ---- */

void evtchn_port_set_pending(struct domain *d, uint32_t port)
{
    const struct evtchn *chn = port_lookup(d, port);

    /* The guest may have closed the port since pvx learnt its number. */
    if (chn && port_in_use(chn))
        port_raise(d, port);
}

int evtchn_port_poll(struct domain *d, uint32_t port)
{
    const struct evtchn *chn = port_lookup(d, port);

    if (!chn || !port_in_use(chn))
        return -EINVAL;
    return d->evtchn.ops->is_pending(d, port);
}

/*
 * SCHEDOP_poll waits for ports that are usually masked (a PV spinlock's
 * kick), so a newly pending port wakes the domain's vCPUs polling it
 * whatever its mask: a vCPU that polls one port only for that port, one
 * that polls several (or none) for any, as on Xen.  A vCPU that polls
 * another single port sleeps on (it is woken early only by an upcall).
 */
void evtchn_wake_pollers(const struct domain *d, uint32_t port)
{
    for (unsigned int i = 0; i < d->max_vcpus && i < MAX_VCPUS_PER_DOMAIN; i++) {
        struct vcpu *v = d->vcpus[i];

        if (v && v->polling && (!v->poll_port || v->poll_port == port))
            vcpu_wake(v);
    }
}

int evtchn_poll_ports(struct vcpu *v, uint64_t ports, uint32_t nr_ports, uint32_t *wait_port)
{
    const struct vcpu_info *vi = v->vcpu_info;
    uint32_t port = 0;

    /* As Xen's guest_handle_okay(): where the array starts, whatever its
     * length; the ports themselves are read one by one below. */
    if (!guest_range_ok(ports, sizeof(port)))
        return -EFAULT;
    /* An upcall waiting to be taken ends the poll at once, whatever the
     * ports: the guest's handler runs as the hypercall returns. */
    if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask)
        return 1;
    for (uint32_t i = 0; i < nr_ports; i++) {
        int rc;

        if (copy_from_guest(&port, ports + i * sizeof(port), sizeof(port)))
            return -EFAULT;
        rc = evtchn_port_poll(v->domain, port);
        if (rc)
            return rc; /* pending (1), or not a port it may poll */
    }
    /* Waiting for one port: only that one (or an upcall) ends the wait. */
    *wait_port = nr_ports == 1 ? port : 0;
    return 0;
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
    uint32_t port;

    ASSERT(virq_is_per_vcpu(virq));
    port = v->virq_to_port[virq];
    if (port)
        port_raise(v->domain, port);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
    uint32_t port;

    ASSERT(virq < NR_VIRQS && !virq_is_per_vcpu(virq));
    if (!d || !d->vcpus[0])
        return;
    port = d->vcpus[0]->virq_to_port[virq];
    if (port)
        port_raise(d, port); /* on the vCPU chosen with bind_vcpu */
}

void send_global_virq(unsigned int virq)
{
    ASSERT(virq_is_global(virq));
    send_guest_global_virq(global_virq_handler(virq), virq);
}

static unsigned int xen_consumer_index(evtchn_xen_notify_fn fn)
{
    unsigned int i;

    for (i = 0; i < NR_XEN_CONSUMERS; i++) {
        if (!xen_consumers[i])
            xen_consumers[i] = fn;
        if (xen_consumers[i] == fn)
            break;
    }
    BUG_ON(i == NR_XEN_CONSUMERS); /* raise NR_XEN_CONSUMERS */
    return i + 1;
}

int evtchn_alloc_xen_port(struct domain *d, unsigned int vcpu, evtchn_xen_notify_fn fn)
{
    struct evtchn *chn;
    int port;

    BUG_ON(!fn || !domain_vcpu(d, vcpu));
    port = get_free_port(d);
    if (port < 0)
        return port;
    chn = port_claim(d, (uint32_t)port, ECS_INTERDOMAIN);
    chn->xen_consumer = (uint8_t)xen_consumer_index(fn);
    chn->remote_dom = DOMID_XEN;
    chn->notify_vcpu = vcpu;
    return port;
}

int evtchn_close_port(struct domain *d, uint32_t port)
{
    return evtchn_close(d, port);
}

int evtchn_domain_init(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;

    memset(ed, 0, sizeof(*ed));
    ed->max_ports = EVTCHN_DEFAULT_MAX_PORTS;
    ed->ops = &evtchn_port_ops_2l;
    if (add_bucket(ed)) {
        evtchn_domain_destroy(d);
        return -ENOMEM;
    }
    port_entry(d, 0)->state = ECS_RESERVED;
    ed->free_hint = 1;
    return 0;
}

int evtchn_set_max_ports(struct domain *d, uint32_t max_ports)
{
    struct evtchn_domain *ed = &d->evtchn;

    if (max_ports == 0 || max_ports > EVTCHN_MAX_PORTS_UNLIMITED)
        return -EINVAL;
    for (uint32_t port = max_ports; port < ed->valid_ports; port++)
        if (port_entry(d, port)->state != ECS_FREE)
            return -EBUSY;
    ed->max_ports = max_ports;
    return 0;
}

void evtchn_domain_close_all(struct domain *d)
{
    if (!d->evtchn.valid_ports)
        return;
    close_all_ports(d);
    clear_global_virq_handlers(d);
}

void evtchn_domain_destroy(struct domain *d)
{
    struct evtchn_domain *ed = &d->evtchn;

    evtchn_domain_close_all(d);
    evtchn_fifo_destroy(d); /* after the closes: they clear FIFO words */
    for (unsigned int t = 0; t < EVTCHN_NR_PORT_TABLES; t++) {
        if (!ed->tables[t])
            continue;
        for (unsigned int g = 0; g < EVTCHN_GROUPS_PER_TABLE; g++)
            xfree(ed->tables[t][g]);
        xfree(ed->tables[t]);
        ed->tables[t] = NULL;
    }
    ed->max_ports = 0;
    ed->valid_ports = 0;
    ed->free_hint = 0;
}
