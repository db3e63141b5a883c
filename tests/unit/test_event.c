/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: hypervisor/event_channel.c and event_2l.c.  Every EVTCHNOP is
 * made as a guest makes it (argument in guest memory, DOMID_SELF, the
 * current vCPU) and checked against Xen's results, success and error paths
 * alike, and the 2-level pending/mask/selector/upcall bits are read from
 * the fake domains' shared_info pages.
 *
 * Domains: d0 is the control domain (2 vCPUs), d1 a domU with 2 vCPUs, d2
 * a domU with 1 vCPU.
 */
#include "harness.h"
#include "event_harness.h"

#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/hypercall.h>
#include <public/event_channel.h>
#include <public/physdev.h>
#include <pvx/pirq.h>
#include <asm/irq.h>

static struct domain *d0, *d1, *d2;

static int setup(void **state)
{
    (void)state;
    d0 = eh_domain_create(0, 2, true);
    d1 = eh_domain_create(1, 2, false);
    d2 = eh_domain_create(2, 1, false);
    eh_set_current(d0->vcpus[0]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eh_reset_all();
    return 0;
}

/* ---- the guest's view ---- */

static void as(struct domain *d)
{
    eh_set_current(d->vcpus[0]);
}

static long alloc_unbound(domid_t dom, domid_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = {.dom = dom, .remote_dom = remote, .port = 0xdead};
    long rc = eh_op(EVTCHNOP_alloc_unbound, &a, sizeof(a));

    if (port)
        *port = a.port;
    return rc;
}

static long bind_interdomain(domid_t rdom, uint32_t rport, uint32_t *lport)
{
    struct evtchn_bind_interdomain b = {.remote_dom = rdom, .remote_port = rport};
    long rc = eh_op(EVTCHNOP_bind_interdomain, &b, sizeof(b));

    if (lport)
        *lport = b.local_port;
    return rc;
}

static long bind_virq(uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_virq b = {.virq = virq, .vcpu = vcpu};
    long rc = eh_op(EVTCHNOP_bind_virq, &b, sizeof(b));

    if (port)
        *port = b.port;
    return rc;
}

static long bind_ipi(uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_ipi b = {.vcpu = vcpu};
    long rc = eh_op(EVTCHNOP_bind_ipi, &b, sizeof(b));

    if (port)
        *port = b.port;
    return rc;
}

static long port_op(unsigned int cmd, uint32_t port)
{
    uint32_t p = port;

    return eh_op(cmd, &p, sizeof(p));
}

static long ev_close(uint32_t port)
{
    return port_op(EVTCHNOP_close, port);
}

static long ev_send(uint32_t port)
{
    return port_op(EVTCHNOP_send, port);
}

static long ev_unmask(uint32_t port)
{
    return port_op(EVTCHNOP_unmask, port);
}

static long ev_status(domid_t dom, uint32_t port, struct evtchn_status *s)
{
    memset(s, 0, sizeof(*s));
    s->dom = dom;
    s->port = port;
    return eh_op(EVTCHNOP_status, s, sizeof(*s));
}

static long ev_bind_vcpu(uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = {.port = port, .vcpu = vcpu};

    return eh_op(EVTCHNOP_bind_vcpu, &b, sizeof(b));
}

static long ev_reset(domid_t dom)
{
    struct evtchn_reset r = {.dom = dom};

    return eh_op(EVTCHNOP_reset, &r, sizeof(r));
}

/* Status as seen by the port's owner: EVTCHNSTAT_*. */
static uint32_t state_of(struct domain *d, uint32_t port)
{
    struct vcpu *saved = current;
    struct evtchn_status s;

    as(d);
    assert_int_equal(ev_status(DOMID_SELF, port, &s), 0);
    eh_set_current(saved);
    return s.status;
}

static bool pending(const struct domain *d, uint32_t port)
{
    return (d->shared_info->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

static void set_mask(struct domain *d, uint32_t port, bool masked)
{
    if (masked)
        d->shared_info->evtchn_mask[port / 64] |= 1UL << (port % 64);
    else
        d->shared_info->evtchn_mask[port / 64] &= ~(1UL << (port % 64));
}

static bool sel(const struct vcpu *v, uint32_t port)
{
    return (v->vcpu_info->evtchn_pending_sel >> (port / 64)) & 1;
}

static uint8_t upcall(const struct vcpu *v)
{
    return v->vcpu_info->evtchn_upcall_pending;
}

/* What a guest's upcall handler does: take upcall and selector, then clear
 * the pending bits it handled. */
static void guest_ack_all(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        d->vcpus[i]->vcpu_info->evtchn_upcall_pending = 0;
        d->vcpus[i]->vcpu_info->evtchn_pending_sel = 0;
    }
    memset(d->shared_info->evtchn_pending, 0, sizeof(d->shared_info->evtchn_pending));
}

/* A connected pair: a port in da bound to a port in db. */
static void connect(struct domain *da, uint32_t *pa, struct domain *db, uint32_t *pb)
{
    as(da);
    assert_int_equal(alloc_unbound(DOMID_SELF, db->domain_id, pa), 0);
    as(db);
    assert_int_equal(bind_interdomain(da->domain_id, *pa, pb), 0);
    guest_ack_all(da);
    guest_ack_all(db);
    eh_clear_kicks();
}

/* ---- init, port 0, allocation ---- */

static void test_port0_reserved(void **state)
{
    struct evtchn_status s;
    uint32_t p;

    (void)state;
    assert_int_equal(ev_status(DOMID_SELF, 0, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_int_equal(ev_close(0), -EINVAL);
    assert_int_equal(ev_send(0), -EINVAL);
    assert_int_equal(ev_unmask(0), 0);
    assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &p), 0);
    assert_int_equal(p, 1); /* the first port handed out is 1, never 0 */
    assert_int_equal(d0->evtchn.active_ports, 1);
}

static void test_alloc_unbound_self(void **state)
{
    struct evtchn_status s;
    uint32_t p1, p2;

    (void)state;
    as(d1);
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p1), 0);
    assert_int_equal(alloc_unbound(1, DOMID_SELF, &p2), 0); /* own id works too */
    assert_int_equal(p1, 1);
    assert_int_equal(p2, 2);
    assert_int_equal(ev_status(DOMID_SELF, p1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 0);
    assert_int_equal(s.vcpu, 0);
    assert_int_equal(ev_status(DOMID_SELF, p2, &s), 0);
    assert_int_equal(s.u.unbound.dom, 1); /* DOMID_SELF names the caller */
    /* The remote domain is not checked: it may be created later. */
    assert_int_equal(alloc_unbound(DOMID_SELF, 77, &p1), 0);
}

static void test_alloc_unbound_foreign(void **state)
{
    struct evtchn_status s;
    uint32_t p;

    (void)state;
    as(d1);
    assert_int_equal(alloc_unbound(2, DOMID_SELF, &p), -EPERM);
    assert_int_equal(alloc_unbound(0, 1, &p), -EPERM);
    assert_int_equal(alloc_unbound(99, 1, &p), -ESRCH);
    assert_int_equal(d2->evtchn.active_ports, 0);

    /* The control domain allocates in d2 for d1; DOMID_SELF as remote
     * names the caller (d0), not d2. */
    as(d0);
    assert_int_equal(alloc_unbound(2, 1, &p), 0);
    assert_int_equal(p, 1);
    assert_int_equal(alloc_unbound(2, DOMID_SELF, &p), 0);
    as(d2);
    assert_int_equal(ev_status(DOMID_SELF, 1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 1);
    assert_int_equal(ev_status(DOMID_SELF, 2, &s), 0);
    assert_int_equal(s.u.unbound.dom, 0);
    assert_int_equal(d0->evtchn.active_ports, 0);
}

static void test_port_exhaustion(void **state)
{
    uint32_t p;

    (void)state;
    as(d1);
    for (uint32_t i = 1; i < EVTCHN_DEFAULT_MAX_PORTS; i++) {
        assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), 0);
        assert_int_equal(p, i);
    }
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), -ENOSPC);
    assert_int_equal(bind_ipi(0, &p), -ENOSPC);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0, &p), -ENOSPC);
    assert_int_equal(d1->vcpus[0]->virq_to_port[VIRQ_TIMER], 0);
    as(d0);
    assert_int_equal(alloc_unbound(DOMID_SELF, 1, &p), 0);
    as(d1);
    assert_int_equal(bind_interdomain(0, p, &p), -ENOSPC);
    /* A freed port is the next one handed out. */
    assert_int_equal(ev_close(500), 0);
    assert_int_equal(bind_ipi(1, &p), 0);
    assert_int_equal(p, 500);
    assert_int_equal(d1->evtchn.active_ports, EVTCHN_DEFAULT_MAX_PORTS - 1);
}

static void test_valid_ports_grow_in_groups(void **state)
{
    struct evtchn_status s;
    uint32_t p;

    (void)state;
    as(d1);
    /* Never-reached ports are invalid, as beyond Xen's allocated buckets. */
    assert_int_equal(ev_status(DOMID_SELF, EVTCHN_PORT_GROUP - 1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_int_equal(ev_status(DOMID_SELF, EVTCHN_PORT_GROUP, &s), -EINVAL);
    assert_int_equal(ev_unmask(EVTCHN_PORT_GROUP), -EINVAL);
    assert_int_equal(ev_close(EVTCHN_PORT_GROUP + 10), -EINVAL);
    for (uint32_t i = 1; i <= EVTCHN_PORT_GROUP; i++)
        assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), 0);
    assert_int_equal(p, EVTCHN_PORT_GROUP);
    assert_int_equal(ev_status(DOMID_SELF, 2 * EVTCHN_PORT_GROUP - 1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_int_equal(ev_status(DOMID_SELF, 2 * EVTCHN_PORT_GROUP, &s), -EINVAL);
    /* Out of range entirely. */
    assert_int_equal(ev_status(DOMID_SELF, EVTCHN_DEFAULT_MAX_PORTS, &s), -EINVAL);
    assert_int_equal(ev_status(DOMID_SELF, 0xffffffffu, &s), -EINVAL);
    assert_int_equal(ev_send(0xffffffffu), -EINVAL);
}

/* ---- interdomain ---- */

static void test_bind_interdomain(void **state)
{
    struct evtchn_status s;
    uint32_t p1, p2;

    (void)state;
    as(d1);
    assert_int_equal(alloc_unbound(DOMID_SELF, 2, &p1), 0);
    eh_clear_kicks();
    as(d2);
    assert_int_equal(bind_interdomain(1, p1, &p2), 0);
    assert_int_equal(p2, 1);

    assert_int_equal(ev_status(DOMID_SELF, p2, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, 1);
    assert_int_equal(s.u.interdomain.port, p1);
    as(d1);
    assert_int_equal(ev_status(DOMID_SELF, p1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, 2);
    assert_int_equal(s.u.interdomain.port, p2);

    /* Events sent while the remote end was unbound were lost: the binder's
     * new port starts pending, the remote's does not. */
    assert_true(pending(d2, p2));
    assert_int_equal(upcall(d2->vcpus[0]), 1);
    assert_int_equal(eh_kicks(d2->vcpus[0]), 1);
    assert_false(pending(d1, p1));
    assert_int_equal(eh_kicks(d1->vcpus[0]), 0);
}

static void test_bind_interdomain_errors(void **state)
{
    uint32_t p, q, ipi;

    (void)state;
    as(d1);
    assert_int_equal(alloc_unbound(DOMID_SELF, 2, &p), 0);
    assert_int_equal(bind_ipi(0, &ipi), 0);
    as(d0);
    /* Allocated for d2, so nobody else may bind it, not even d0. */
    assert_int_equal(bind_interdomain(1, p, &q), -EINVAL);
    as(d2);
    assert_int_equal(bind_interdomain(99, p, &q), -ESRCH);
    assert_int_equal(bind_interdomain(1, 0, &q), -EINVAL);
    assert_int_equal(bind_interdomain(1, 40, &q), -EINVAL);         /* free */
    assert_int_equal(bind_interdomain(1, 5000, &q), -EINVAL);       /* out of range */
    assert_int_equal(bind_interdomain(1, ipi, &q), -EINVAL);        /* not unbound */
    assert_int_equal(bind_interdomain(DOMID_SELF, p, &q), -EINVAL); /* d2 has no port p */
    assert_int_equal(d2->evtchn.active_ports, 0);
    assert_int_equal(bind_interdomain(1, p, &q), 0);
    /* Already bound: a second bind fails. */
    assert_int_equal(bind_interdomain(1, p, &q), -EINVAL);
    assert_int_equal(d2->evtchn.active_ports, 1);
}

static void test_send_both_ways(void **state)
{
    uint32_t p1, p2;

    (void)state;
    connect(d1, &p1, d2, &p2);
    as(d1);
    assert_int_equal(ev_send(p1), 0);
    assert_true(pending(d2, p2));
    assert_true(sel(d2->vcpus[0], p2));
    assert_int_equal(upcall(d2->vcpus[0]), 1);
    assert_int_equal(eh_kicks(d2->vcpus[0]), 1);
    assert_false(pending(d1, p1));
    assert_int_equal(eh_kicks(d1->vcpus[0]), 0);

    as(d2);
    assert_int_equal(ev_send(p2), 0);
    assert_true(pending(d1, p1));
    assert_int_equal(upcall(d1->vcpus[0]), 1);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 1);
    assert_int_equal(eh_kicks(d1->vcpus[1]), 0);
}

static void test_interdomain_to_self(void **state)
{
    uint32_t p, q;

    (void)state;
    as(d1);
    assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &p), 0);
    assert_int_equal(bind_interdomain(DOMID_SELF, p, &q), 0);
    assert_int_not_equal(p, q);
    assert_int_equal(state_of(d1, p), EVTCHNSTAT_interdomain);
    assert_int_equal(state_of(d1, q), EVTCHNSTAT_interdomain);
    guest_ack_all(d1);
    eh_clear_kicks();

    assert_int_equal(ev_send(p), 0);
    assert_true(pending(d1, q));
    assert_false(pending(d1, p));
    assert_int_equal(eh_kicks(d1->vcpus[0]), 1);
    guest_ack_all(d1);
    assert_int_equal(ev_send(q), 0);
    assert_true(pending(d1, p));
    assert_false(pending(d1, q));

    /* Closing one end leaves the other unbound, naming ourselves: it can
     * be bound again. */
    assert_int_equal(ev_close(p), 0);
    assert_int_equal(state_of(d1, q), EVTCHNSTAT_unbound);
    assert_false(pending(d1, p));
    assert_int_equal(bind_interdomain(1, q, &p), 0);
    assert_int_equal(state_of(d1, q), EVTCHNSTAT_interdomain);
    /* Close both ends. */
    assert_int_equal(ev_close(q), 0);
    assert_int_equal(ev_close(p), 0);
    assert_int_equal(d1->evtchn.active_ports, 0);
}

static void test_close_interdomain(void **state)
{
    struct evtchn_status s;
    uint32_t p1, p2, again;

    (void)state;
    connect(d1, &p1, d2, &p2);
    as(d1);
    assert_int_equal(ev_send(p1), 0);
    as(d2);
    assert_int_equal(ev_close(p2), 0);
    assert_int_equal(ev_status(DOMID_SELF, p2, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_closed);
    assert_false(pending(d2, p2)); /* cleared so a rebind does not fire */
    as(d1);
    assert_int_equal(ev_status(DOMID_SELF, p1, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_unbound);
    assert_int_equal(s.u.unbound.dom, 2);
    /* Sending on the now unbound end is silently dropped. */
    assert_int_equal(ev_send(p1), 0);
    assert_false(pending(d2, p2));
    /* d2 can reconnect; d0 cannot take its place. */
    as(d0);
    assert_int_equal(bind_interdomain(1, p1, &again), -EINVAL);
    as(d2);
    assert_int_equal(bind_interdomain(1, p1, &again), 0);
    assert_int_equal(ev_close(again), 0);
    assert_int_equal(ev_close(again), -EINVAL); /* double close */
}

/* ---- send ---- */

static void test_send_cases(void **state)
{
    uint32_t unbound, virq, free_port = 30;

    (void)state;
    as(d1);
    assert_int_equal(alloc_unbound(DOMID_SELF, 2, &unbound), 0);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0, &virq), 0);
    assert_int_equal(ev_send(unbound), 0);
    assert_false(pending(d1, unbound));
    assert_int_equal(ev_send(virq), -EINVAL);
    assert_int_equal(ev_send(free_port), -EINVAL);
    assert_int_equal(ev_send(EVTCHN_DEFAULT_MAX_PORTS), -EINVAL);
    assert_int_equal(ev_send(EVTCHN_2L_NR_PORTS), -EINVAL);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 0);
}

/* ---- VIRQs ---- */

static void test_bind_virq_per_vcpu(void **state)
{
    uint32_t p0, p1, p;

    (void)state;
    as(d1);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0, &p0), 0);
    assert_int_equal(bind_virq(VIRQ_TIMER, 1, &p1), 0);
    assert_int_not_equal(p0, p1);
    assert_int_equal(d1->vcpus[0]->virq_to_port[VIRQ_TIMER], p0);
    assert_int_equal(d1->vcpus[1]->virq_to_port[VIRQ_TIMER], p1);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0, &p), -EEXIST);
    assert_int_equal(bind_virq(VIRQ_TIMER, 1, &p), -EEXIST);
    assert_int_equal(bind_virq(VIRQ_DEBUG, 1, &p), 0);
    assert_int_equal(bind_virq(VIRQ_TIMER, 2, &p), -ENOENT);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0xffffffffu, &p), -ENOENT);
    assert_int_equal(bind_virq(NR_VIRQS, 0, &p), -EINVAL);
    assert_int_equal(bind_virq(0xffffffffu, 0, &p), -EINVAL);

    {
        struct evtchn_status s;

        assert_int_equal(ev_status(DOMID_SELF, p1, &s), 0);
        assert_int_equal(s.status, EVTCHNSTAT_virq);
        assert_int_equal(s.u.virq, VIRQ_TIMER);
        assert_int_equal(s.vcpu, 1);
    }

    /* Delivery goes to the vCPU the VIRQ was bound on. */
    set_mask(d1, p1, false);
    send_guest_vcpu_virq(d1->vcpus[1], VIRQ_TIMER);
    assert_true(pending(d1, p1));
    assert_true(sel(d1->vcpus[1], p1));
    assert_false(sel(d1->vcpus[0], p1));
    assert_int_equal(upcall(d1->vcpus[1]), 1);
    assert_int_equal(upcall(d1->vcpus[0]), 0);
    assert_int_equal(eh_kicks(d1->vcpus[1]), 1);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 0);
    /* Unbound per-vCPU VIRQ: nothing happens. */
    send_guest_vcpu_virq(d2->vcpus[0], VIRQ_TIMER);
    assert_int_equal(eh_kicks(d2->vcpus[0]), 0);

    /* Close clears the binding; the VIRQ can be bound again. */
    assert_int_equal(ev_close(p1), 0);
    assert_int_equal(d1->vcpus[1]->virq_to_port[VIRQ_TIMER], 0);
    send_guest_vcpu_virq(d1->vcpus[1], VIRQ_TIMER);
    assert_int_equal(bind_virq(VIRQ_TIMER, 1, &p), 0);
    assert_int_equal(p, p1);
    assert_false(pending(d1, p)); /* the close cleared it */
}

static void test_bind_virq_global(void **state)
{
    uint32_t p, q;

    (void)state;
    /* Global VIRQs: vCPU 0 only, and only for the handler domain (d0). */
    as(d0);
    assert_int_equal(bind_virq(VIRQ_DOM_EXC, 1, &p), -EINVAL);
    assert_int_equal(bind_virq(VIRQ_DOM_EXC, 0, &p), 0);
    assert_int_equal(bind_virq(VIRQ_DOM_EXC, 0, &q), -EEXIST);
    assert_int_equal(bind_virq(VIRQ_CONSOLE, 0, &q), 0);
    as(d1);
    assert_int_equal(bind_virq(VIRQ_DOM_EXC, 0, &q), -EBUSY);
    assert_int_equal(bind_virq(VIRQ_CONSOLE, 0, &q), -EBUSY);
    assert_int_equal(bind_virq(VIRQ_CON_RING, 1, &q), -EINVAL); /* vcpu check first */
    /* VIRQ_ARGO is per-domain: anyone, vCPU 0 only. */
    assert_int_equal(bind_virq(VIRQ_ARGO, 1, &q), -EINVAL);
    assert_int_equal(bind_virq(VIRQ_ARGO, 0, &q), 0);

    send_guest_global_virq(d0, VIRQ_DOM_EXC);
    assert_true(pending(d0, p));
    assert_int_equal(eh_kicks(d0->vcpus[0]), 1);
    guest_ack_all(d0);
    send_global_virq(VIRQ_DOM_EXC);
    assert_true(pending(d0, p));
    assert_int_equal(eh_kicks(d0->vcpus[0]), 2);
    /* Not bound by d1: no-op. */
    send_guest_global_virq(d1, VIRQ_DOM_EXC);
    send_guest_global_virq(NULL, VIRQ_DOM_EXC);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 0);

    /* A global VIRQ can be moved to another vCPU with bind_vcpu. */
    guest_ack_all(d0);
    as(d0);
    assert_int_equal(ev_bind_vcpu(p, 1), 0);
    send_global_virq(VIRQ_DOM_EXC);
    assert_true(sel(d0->vcpus[1], p));
    assert_int_equal(eh_kicks(d0->vcpus[1]), 1);
    /* Closing it clears vCPU 0's table entry, where global VIRQs live. */
    assert_int_equal(ev_close(p), 0);
    assert_int_equal(d0->vcpus[0]->virq_to_port[VIRQ_DOM_EXC], 0);
    assert_int_equal(bind_virq(VIRQ_DOM_EXC, 0, &p), 0);
}

static void test_global_virq_handler(void **state)
{
    uint32_t p;

    (void)state;
    assert_ptr_equal(global_virq_handler(VIRQ_CONSOLE), d0);
    assert_int_equal(set_global_virq_handler(d1, VIRQ_TIMER), -EINVAL);
    assert_int_equal(set_global_virq_handler(d1, NR_VIRQS), -EINVAL);
    as(d0);
    assert_int_equal(bind_virq(VIRQ_CONSOLE, 0, &p), 0);
    /* d0 holds it bound: it cannot be taken away. */
    assert_int_equal(set_global_virq_handler(d1, VIRQ_CONSOLE), -EBUSY);
    assert_int_equal(ev_close(p), 0);
    assert_int_equal(set_global_virq_handler(d1, VIRQ_CONSOLE), 0);
    assert_ptr_equal(global_virq_handler(VIRQ_CONSOLE), d1);
    assert_int_equal(bind_virq(VIRQ_CONSOLE, 0, &p), -EBUSY);
    as(d1);
    assert_int_equal(bind_virq(VIRQ_CONSOLE, 0, &p), 0);
    send_global_virq(VIRQ_CONSOLE);
    assert_true(pending(d1, p));
    /* When the handler dies, the VIRQ goes back to d0. */
    eh_domain_set_dying(d1);
    evtchn_domain_close_all(d1);
    assert_ptr_equal(global_virq_handler(VIRQ_CONSOLE), d0);
}

/* ---- IPI ---- */

static void test_bind_ipi(void **state)
{
    struct evtchn_status s;
    uint32_t p, q;

    (void)state;
    as(d1);
    assert_int_equal(bind_ipi(2, &p), -ENOENT);
    assert_int_equal(bind_ipi(1, &p), 0);
    assert_int_equal(ev_status(DOMID_SELF, p, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_ipi);
    assert_int_equal(s.vcpu, 1);
    assert_int_equal(ev_send(p), 0);
    assert_true(pending(d1, p));
    assert_true(sel(d1->vcpus[1], p));
    assert_int_equal(eh_kicks(d1->vcpus[1]), 1);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 0);
    /* IPIs stay on their vCPU. */
    assert_int_equal(ev_bind_vcpu(p, 0), -EINVAL);
    assert_int_equal(bind_ipi(0, &q), 0);
    assert_int_not_equal(p, q);
    assert_int_equal(ev_close(p), 0);
    assert_false(pending(d1, p));
}

/* ---- 2-level bits ---- */

static void test_masked_port(void **state)
{
    struct vcpu *v;
    uint32_t p1, p2;

    (void)state;
    connect(d1, &p1, d2, &p2);
    v = d2->vcpus[0];
    set_mask(d2, p2, true);
    as(d1);
    assert_int_equal(ev_send(p1), 0);
    /* Pending, but no selector, no upcall, no kick. */
    assert_true(pending(d2, p2));
    assert_false(sel(v, p2));
    assert_int_equal(upcall(v), 0);
    assert_int_equal(eh_kicks(v), 0);

    /* The unmask hypercall delivers it. */
    as(d2);
    assert_int_equal(ev_unmask(p2), 0);
    assert_false((d2->shared_info->evtchn_mask[p2 / 64] >> (p2 % 64)) & 1);
    assert_true(sel(v, p2));
    assert_int_equal(upcall(v), 1);
    assert_int_equal(eh_kicks(v), 1);
    /* Unmasking an unmasked port does nothing, even when pending and the
     * guest has already consumed the selector (Xen's rule). */
    v->vcpu_info->evtchn_pending_sel = 0;
    v->vcpu_info->evtchn_upcall_pending = 0;
    assert_int_equal(ev_unmask(p2), 0);
    assert_false(sel(v, p2));
    assert_int_equal(eh_kicks(v), 1);
    /* Unmasking a masked port that is not pending: no upcall either. */
    guest_ack_all(d2);
    set_mask(d2, p2, true);
    assert_int_equal(ev_unmask(p2), 0);
    assert_int_equal(upcall(v), 0);
    assert_int_equal(eh_kicks(v), 1);
    /* Unmask of a free (valid) port is accepted; out of range is not. */
    assert_int_equal(ev_unmask(50), 0);
    assert_int_equal(ev_unmask(EVTCHN_DEFAULT_MAX_PORTS), -EINVAL);
}

static void test_no_double_kick(void **state)
{
    struct vcpu *v;
    uint32_t p1, p2, q1, q2;

    (void)state;
    connect(d1, &p1, d2, &p2);
    connect(d1, &q1, d2, &q2);
    v = d2->vcpus[0];
    as(d1);
    assert_int_equal(ev_send(p1), 0);
    assert_int_equal(eh_kicks(v), 1);
    /* Re-raising a pending port changes nothing. */
    v->vcpu_info->evtchn_upcall_pending = 0; /* even if the guest took the upcall */
    assert_int_equal(ev_send(p1), 0);
    assert_int_equal(upcall(v), 0);
    assert_int_equal(eh_kicks(v), 1);
    /* Another port in the same selector word: selector already set, so no
     * new upcall. */
    v->vcpu_info->evtchn_upcall_pending = 1;
    assert_int_equal(ev_send(q1), 0);
    assert_true(pending(d2, q2));
    assert_int_equal(eh_kicks(v), 1);
}

static void test_selector_words(void **state)
{
    struct vcpu *v;
    uint32_t p, first = 0;

    (void)state;
    v = d1->vcpus[0];
    as(d1);
    /* Ports in word 0 and word 1 of evtchn_pending. */
    for (uint32_t i = 0; i < 70; i++) {
        assert_int_equal(bind_ipi(0, &p), 0);
        if (!first)
            first = p;
    }
    assert_int_equal(ev_send(first), 0);
    assert_int_equal(v->vcpu_info->evtchn_pending_sel, 1UL << 0);
    assert_int_equal(eh_kicks(v), 1);
    /* Upcall still pending: a second word sets its selector bit, no kick. */
    assert_int_equal(ev_send(65), 0);
    assert_int_equal(v->vcpu_info->evtchn_pending_sel, 3UL);
    assert_int_equal(d1->shared_info->evtchn_pending[1], 1UL << 1);
    assert_int_equal(eh_kicks(v), 1);
    /* The guest took the upcall and cleared the selector but not the
     * pending bits: a pending port is not re-signalled. */
    v->vcpu_info->evtchn_upcall_pending = 0;
    v->vcpu_info->evtchn_pending_sel = 0;
    assert_int_equal(ev_send(65), 0);
    assert_int_equal(v->vcpu_info->evtchn_pending_sel, 0);
    /* After clearing pending, the next send goes through again. */
    d1->shared_info->evtchn_pending[1] = 0;
    assert_int_equal(ev_send(65), 0);
    assert_int_equal(v->vcpu_info->evtchn_pending_sel, 2UL);
    assert_int_equal(eh_kicks(v), 2);
}

static void test_2l_helpers(void **state)
{
    (void)state;
    set_mask(d1, 4095, true);
    assert_true(evtchn_2l_is_masked(d1, 4095));
    assert_false(evtchn_2l_is_pending(d1, 4095));
    evtchn_2l_set_pending(d1->vcpus[1], 4095);
    assert_true(evtchn_2l_is_pending(d1, 4095));
    assert_false(sel(d1->vcpus[1], 4095));
    evtchn_2l_unmask(d1, d1->vcpus[1], 4095);
    assert_true(sel(d1->vcpus[1], 4095));
    assert_int_equal(eh_kicks(d1->vcpus[1]), 1);
    evtchn_2l_clear_pending(d1, 4095);
    assert_false(evtchn_2l_is_pending(d1, 4095));
    /* The guest's other bits in the same words are untouched. */
    d1->shared_info->evtchn_pending[63] = 0x5555555555555555UL;
    evtchn_2l_set_pending(d1->vcpus[0], 4095);
    assert_int_equal(d1->shared_info->evtchn_pending[63], 0xd555555555555555UL);
    evtchn_2l_clear_pending(d1, 4032);
    assert_int_equal(d1->shared_info->evtchn_pending[63], 0xd555555555555554UL);
    /* upcall_mask is not the hypervisor's to change. */
    assert_int_equal(d1->vcpus[0]->vcpu_info->evtchn_upcall_mask, 1);
    evtchn_vcpu_mark_pending(d1->vcpus[0]);
    evtchn_vcpu_mark_pending(d1->vcpus[0]);
    assert_int_equal(d1->vcpus[0]->vcpu_info->evtchn_upcall_mask, 1);
}

/* ---- bind_vcpu ---- */

static void test_bind_vcpu(void **state)
{
    uint32_t p1, p2, timer, unbound;

    (void)state;
    connect(d1, &p1, d2, &p2);
    as(d1);
    assert_int_equal(ev_bind_vcpu(p1, 1), 0);
    as(d2);
    assert_int_equal(ev_send(p2), 0);
    assert_true(sel(d1->vcpus[1], p1));
    assert_false(sel(d1->vcpus[0], p1));
    assert_int_equal(eh_kicks(d1->vcpus[1]), 1);
    assert_int_equal(state_of(d1, p1), EVTCHNSTAT_interdomain);

    as(d1);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0, &timer), 0);
    assert_int_equal(ev_bind_vcpu(timer, 1), -EINVAL); /* per-vCPU VIRQ */
    assert_int_equal(alloc_unbound(DOMID_SELF, 2, &unbound), 0);
    assert_int_equal(ev_bind_vcpu(unbound, 1), 0);
    assert_int_equal(ev_bind_vcpu(40, 1), -EINVAL);   /* free */
    assert_int_equal(ev_bind_vcpu(0, 1), -EINVAL);    /* reserved */
    assert_int_equal(ev_bind_vcpu(5000, 1), -EINVAL); /* out of range */
    assert_int_equal(ev_bind_vcpu(p1, 2), -ENOENT);
    assert_int_equal(ev_bind_vcpu(5000, 2), -ENOENT); /* the vCPU is checked first */

    /* An unbound port keeps its vCPU once bound: d2 binds, the first
     * (conservative) event lands on d1's vCPU 1. */
    as(d2);
    {
        uint32_t q;

        assert_int_equal(bind_interdomain(1, unbound, &q), 0);
        guest_ack_all(d1);
        assert_int_equal(ev_send(q), 0);
        assert_true(sel(d1->vcpus[1], unbound));
    }
    /* Closing a port resets its vCPU to 0 for the next binding. */
    as(d1);
    assert_int_equal(ev_close(p1), 0);
    assert_int_equal(alloc_unbound(DOMID_SELF, 2, &p1), 0);
    {
        struct evtchn_status s;

        assert_int_equal(ev_status(DOMID_SELF, p1, &s), 0);
        assert_int_equal(s.vcpu, 0);
    }
}

/* ---- status ---- */

static void test_status_foreign(void **state)
{
    struct evtchn_status s;
    uint32_t p;

    (void)state;
    as(d2);
    assert_int_equal(bind_ipi(0, &p), 0);
    as(d1);
    assert_int_equal(ev_status(2, p, &s), -EPERM);
    assert_int_equal(ev_status(2, 5000, &s), -EINVAL); /* port checked before privilege */
    assert_int_equal(ev_status(99, p, &s), -ESRCH);
    as(d0);
    assert_int_equal(ev_status(2, p, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_ipi);
    /* IN fields come back unchanged. */
    assert_int_equal(s.dom, 2);
    assert_int_equal(s.port, p);
}

/* ---- reset ---- */

static void test_reset_self(void **state)
{
    uint32_t p1, p2, timer, ipi, unbound;

    (void)state;
    connect(d1, &p1, d2, &p2);
    as(d1);
    assert_int_equal(bind_virq(VIRQ_TIMER, 1, &timer), 0);
    assert_int_equal(bind_ipi(0, &ipi), 0);
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &unbound), 0);
    assert_int_equal(ev_send(ipi), 0);
    assert_int_equal(ev_reset(DOMID_SELF), 0);
    assert_int_equal(d1->evtchn.active_ports, 0);
    assert_int_equal(d1->vcpus[1]->virq_to_port[VIRQ_TIMER], 0);
    assert_false(pending(d1, ipi));
    assert_int_equal(state_of(d1, p1), EVTCHNSTAT_closed);
    assert_int_equal(state_of(d2, p2), EVTCHNSTAT_unbound);
    /* Ports are handed out from 1 again. */
    assert_int_equal(bind_ipi(0, &ipi), 0);
    assert_int_equal(ipi, 1);
    /* Own id works like DOMID_SELF. */
    assert_int_equal(ev_reset(1), 0);
    assert_int_equal(d1->evtchn.active_ports, 0);
}

static void test_reset_foreign(void **state)
{
    uint32_t p;

    (void)state;
    as(d2);
    assert_int_equal(bind_ipi(0, &p), 0);
    as(d1);
    assert_int_equal(ev_reset(2), -EPERM);
    assert_int_equal(ev_reset(99), -ESRCH);
    as(d0);
    /* The controller resets another domain only while it is paused. */
    assert_int_equal(ev_reset(2), -EINVAL);
    d2->vcpus[0]->pause_count = 1;
    assert_int_equal(ev_reset(2), 0);
    assert_int_equal(d2->evtchn.active_ports, 0);
}

/* ---- the hypercall itself ---- */

static void test_bad_guest_pointers(void **state)
{
    static const unsigned int cmds[] = {
        EVTCHNOP_bind_interdomain,
        EVTCHNOP_bind_virq,
        EVTCHNOP_bind_pirq,
        EVTCHNOP_close,
        EVTCHNOP_send,
        EVTCHNOP_status,
        EVTCHNOP_alloc_unbound,
        EVTCHNOP_bind_ipi,
        EVTCHNOP_bind_vcpu,
        EVTCHNOP_unmask,
        EVTCHNOP_reset,
        EVTCHNOP_init_control,
        EVTCHNOP_expand_array,
        EVTCHNOP_set_priority,
    };

    (void)state;
    as(d1);
    for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
        assert_int_equal(do_event_channel_op(cmds[i], 0, 0, 0, 0), -EFAULT);
        assert_int_equal(do_event_channel_op(cmds[i], 0xffff800000000000ULL, 0, 0, 0), -EFAULT);
        /* A structure that runs off the end of guest memory. */
        assert_int_equal(do_event_channel_op(cmds[i], EH_GUEST_BASE + EH_GUEST_SIZE - 1, 0, 0, 0),
                         -EFAULT);
    }
    assert_int_equal(d1->evtchn.active_ports, 0);
}

static void test_copy_out_fault(void **state)
{
    uint32_t p;

    (void)state;
    as(d1);
    eh_guest_readonly = true;
    /* The port is allocated even though the guest cannot learn its number,
     * as on Xen. */
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), -EFAULT);
    assert_int_equal(d1->evtchn.active_ports, 1);
    assert_int_equal(bind_ipi(0, &p), -EFAULT);
    assert_int_equal(d1->evtchn.active_ports, 2);
    /* IN-only operations do not write back. */
    assert_int_equal(ev_send(2), 0);
    assert_int_equal(ev_close(2), 0);
    /* Failures are not copied out, so they keep their own error. */
    assert_int_equal(bind_ipi(7, &p), -ENOENT);
    eh_guest_readonly = false;
}

static void test_misc_ops(void **state)
{
    struct evtchn_init_control ic = {.control_gfn = 1, .vcpu = 0};
    struct evtchn_expand_array ea = {.array_gfn = 1};
    struct evtchn_set_priority sp = {.port = 1, .priority = 7};
    struct evtchn_bind_pirq bp = {.pirq = 1};
    uint32_t p;

    (void)state;
    as(d1);
    assert_int_equal(do_event_channel_op(14, EH_GUEST_BASE, 0, 0, 0), -ENOSYS);
    assert_int_equal(do_event_channel_op(1000, EH_GUEST_BASE, 0, 0, 0), -ENOSYS);
    assert_int_equal(do_event_channel_op(0xffffffffULL, EH_GUEST_BASE, 0, 0, 0), -ENOSYS);
    /* A frame d1 does not own: refused, and d1 stays on 2-level (the FIFO
     * ABI has its own tests, test_event_fifo.c). */
    assert_int_equal(eh_op(EVTCHNOP_init_control, &ic, sizeof(ic)), -EINVAL);
    assert_int_equal(eh_op(EVTCHNOP_expand_array, &ea, sizeof(ea)), -EOPNOTSUPP);
    /* 2-level has no priorities: -ENOSYS for any valid port, used or not. */
    assert_int_equal(eh_op(EVTCHNOP_set_priority, &sp, sizeof(sp)), -ENOSYS);
    assert_int_equal(bind_ipi(0, &p), 0);
    assert_int_equal(eh_op(EVTCHNOP_set_priority, &sp, sizeof(sp)), -ENOSYS);
    sp.port = 5000;
    assert_int_equal(eh_op(EVTCHNOP_set_priority, &sp, sizeof(sp)), -EINVAL);
    assert_int_equal(eh_op(EVTCHNOP_bind_pirq, &bp, sizeof(bp)), -EPERM); /* a domU */
    /* The cmd is a 32-bit int in the ABI: upper register bits are ignored. */
    {
        uint32_t port = p;

        memcpy(eh_guest_mem, &port, sizeof(port));
        assert_int_equal(do_event_channel_op((1ULL << 32) | EVTCHNOP_send, EH_GUEST_BASE, 0, 0, 0),
                         0);
        assert_true(pending(d1, p));
    }
}

/* ---- PIRQs (pirq.c): the hardware domain's legacy lines ---- */

static long bind_pirq(uint32_t pirq, uint32_t *port)
{
    struct evtchn_bind_pirq b = {.pirq = pirq, .port = 0xdead};
    long rc = eh_op(EVTCHNOP_bind_pirq, &b, sizeof(b));

    *port = b.port;
    return rc;
}

static void test_pirq_lifecycle(void **state)
{
    uint32_t port, other, flags;

    (void)state;
    eh_irq_masked = 0xffff;
    as(d0);
    /* Lines the hypervisor drives, and numbers beyond the controller. */
    assert_int_equal(bind_pirq(0, &other), -EINVAL);
    assert_int_equal(bind_pirq(4, &other), -EINVAL);
    assert_int_equal(bind_pirq(16, &other), -EINVAL);
    assert_int_equal(bind_pirq(0xffffffff, &other), -EINVAL);
    assert_int_equal(eh_irq_masked, 0xffff);
    assert_int_equal(d0->evtchn.active_ports, 0);

    /* Binding unmasks the line; a second binding is refused. */
    assert_int_equal(bind_pirq(3, &port), 0);
    assert_true(port != 0);
    assert_false(eh_irq_masked & (1u << 3));
    assert_int_equal(bind_pirq(3, &other), -EEXIST);
    assert_int_equal(pirq_status(d0, 3, &flags), 0);
    assert_int_equal(flags, XENIRQSTAT_needs_eoi);

    /* An interrupt: the port goes pending; the line stays masked (as the
     * arch code left it) until the EOI, which only the binder may give. */
    arch_irq_mask(3);
    pirq_raise(3);
    assert_true(pending(d0, port));
    assert_true(eh_irq_masked & (1u << 3));
    assert_int_equal(pirq_eoi(d1, 3), -EINVAL);
    assert_true(eh_irq_masked & (1u << 3));
    assert_int_equal(pirq_eoi(d0, 3), 0);
    assert_false(eh_irq_masked & (1u << 3));
    /* An EOI with nothing in flight leaves the line as it is. */
    assert_int_equal(pirq_eoi(d0, 3), 0);
    assert_int_equal(pirq_eoi(d0, 5), -EINVAL); /* not bound */
    assert_int_equal(pirq_count(3), 1);

    /* status reports the PIRQ; closing the port masks the line again. */
    {
        struct evtchn_status st = {.dom = DOMID_SELF, .port = port};

        assert_int_equal(eh_op(EVTCHNOP_status, &st, sizeof(st)), 0);
        assert_int_equal(st.status, EVTCHNSTAT_pirq);
        assert_int_equal(st.u.pirq, 3);
    }
    assert_int_equal(ev_close(port), 0);
    assert_true(eh_irq_masked & (1u << 3));
    pirq_raise(3); /* nobody bound: nothing pending, nothing unmasked */
    assert_false(pending(d0, port));
    assert_true(eh_irq_masked & (1u << 3));
    assert_int_equal(bind_pirq(3, &port), 0); /* free again */
    assert_int_equal(ev_close(port), 0);
}

static void test_pirq_refusals(void **state)
{
    struct physdev_map_pirq m = {
        .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_GSI, .index = 9, .pirq = -1};
    uint32_t flags;

    (void)state;
    /* Only the hardware domain has PIRQs. */
    assert_int_equal(pirq_map(d1, &m), -EPERM);
    assert_int_equal(pirq_status(d1, 9, &flags), -EINVAL);
    assert_int_equal(pirq_may_have(d1, 9), -EPERM);
    /* dom0: identity GSI mappings for its lines only. */
    assert_int_equal(pirq_map(d0, &m), 0);
    assert_int_equal(m.pirq, 9);
    m.pirq = 7;
    assert_int_equal(pirq_map(d0, &m), -EINVAL); /* PIRQ must equal the GSI */
    m.pirq = -1;
    m.index = 2;
    assert_int_equal(pirq_map(d0, &m), -EINVAL); /* the cascade is not a device line */
    m.index = -5;
    assert_int_equal(pirq_map(d0, &m), -EINVAL);
    m.index = 9;
    m.type = MAP_PIRQ_TYPE_MSI;
    assert_int_equal(pirq_map(d0, &m), -EOPNOTSUPP);
    m.type = MAP_PIRQ_TYPE_GSI;
    m.domid = 1;
    assert_int_equal(pirq_map(d0, &m), -EPERM); /* no passthrough to domUs */
    assert_int_equal(pirq_may_have(d0, 4), -EINVAL);
    assert_int_equal(pirq_may_have(d0, 10), 0);
    assert_int_equal(pirq_unmap(d0, DOMID_SELF, 9), 0);
    assert_int_equal(pirq_unmap(d0, DOMID_SELF, -1), -EINVAL);
}

/* ---- domain destruction ---- */

static void test_domain_close_all(void **state)
{
    uint32_t a1, b1, a2, b2, loop1, loop2, virq, ipi, p;

    (void)state;
    connect(d1, &a1, d2, &b1);
    connect(d2, &b2, d1, &a2);
    as(d1);
    assert_int_equal(alloc_unbound(DOMID_SELF, DOMID_SELF, &loop1), 0);
    assert_int_equal(bind_interdomain(DOMID_SELF, loop1, &loop2), 0);
    assert_int_equal(bind_virq(VIRQ_TIMER, 1, &virq), 0);
    assert_int_equal(bind_ipi(1, &ipi), 0);

    eh_domain_set_dying(d1);
    /* A dying domain gets no new ports. */
    as(d1);
    assert_int_equal(bind_ipi(0, &p), -EINVAL);
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), -EINVAL);
    as(d0);
    assert_int_equal(alloc_unbound(1, 0, &p), -ESRCH);

    evtchn_domain_close_all(d1);
    assert_int_equal(d1->evtchn.active_ports, 0);
    assert_int_equal(d1->vcpus[1]->virq_to_port[VIRQ_TIMER], 0);
    /* Peers are unbound again, naming the dead domain; no event raised. */
    assert_int_equal(state_of(d2, b1), EVTCHNSTAT_unbound);
    assert_int_equal(state_of(d2, b2), EVTCHNSTAT_unbound);
    assert_false(pending(d2, b1));
    assert_int_equal(eh_kicks(d2->vcpus[0]), 0);
    as(d2);
    {
        struct evtchn_status s;

        assert_int_equal(ev_status(DOMID_SELF, b1, &s), 0);
        assert_int_equal(s.u.unbound.dom, 1);
    }
    assert_int_equal(ev_send(b1), 0);
    assert_int_equal(ev_close(b1), 0);
    /* Closing again is harmless; destroy frees the table. */
    evtchn_domain_close_all(d1);
    evtchn_domain_destroy(d1);
    assert_int_equal(d1->evtchn.valid_ports, 0);
    for (unsigned int t = 0; t < EVTCHN_NR_PORT_TABLES; t++)
        assert_null(d1->evtchn.tables[t]);
    evtchn_domain_destroy(d1);
}

static void test_peer_dying_before_cleanup(void **state)
{
    uint32_t p1, p2, reused, q;

    (void)state;
    connect(d1, &p1, d2, &p2);
    /* d1 is dying but not cleaned up yet: d2's port acts as if unbound. */
    eh_domain_set_dying(d1);
    as(d2);
    assert_int_equal(ev_send(p2), 0);
    assert_false(pending(d1, p1));
    assert_int_equal(ev_close(p2), 0);
    /* d2 reuses the port number for something else... */
    as(d0);
    assert_int_equal(alloc_unbound(DOMID_SELF, 2, &q), 0);
    as(d2);
    assert_int_equal(bind_interdomain(0, q, &reused), 0);
    assert_int_equal(reused, p2);
    /* ...and d1's late cleanup must leave it alone. */
    evtchn_domain_close_all(d1);
    assert_int_equal(state_of(d2, reused), EVTCHNSTAT_interdomain);
    assert_int_equal(state_of(d0, q), EVTCHNSTAT_interdomain);
}

static void test_init_failure(void **state)
{
    struct domain d;
    long live = eh_live_allocs;
    uint32_t p;

    (void)state;
    memset(&d, 0, sizeof(d));
    eh_fail_alloc = true;
    assert_int_equal(evtchn_domain_init(&d), -ENOMEM);
    assert_int_equal(eh_live_allocs, live);
    /* A limit needs no memory: the table grows as ports are allocated. */
    assert_int_equal(evtchn_set_max_ports(d1, 16), 0);
    eh_fail_alloc = false;
    assert_int_equal(d1->evtchn.max_ports, 16);
    /* Its first bucket and the table holding it, nothing more. */
    assert_int_equal(evtchn_domain_init(&d), 0);
    assert_int_equal(eh_live_allocs, live + 2);
    assert_int_equal(d.evtchn.valid_ports, EVTCHN_PORT_GROUP);
    evtchn_domain_destroy(&d);
    assert_int_equal(eh_live_allocs, live);
    /* A bucket that cannot be had: -ENOMEM, nothing claimed. */
    as(d1);
    assert_int_equal(evtchn_set_max_ports(d1, EVTCHN_DEFAULT_MAX_PORTS), 0);
    for (uint32_t i = 1; i < EVTCHN_PORT_GROUP; i++)
        assert_int_equal(bind_ipi(0, &p), 0);
    eh_fail_alloc = true;
    assert_int_equal(bind_ipi(0, &p), -ENOMEM);
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), -ENOMEM);
    eh_fail_alloc = false;
    assert_int_equal(d1->evtchn.active_ports, EVTCHN_PORT_GROUP - 1);
    assert_int_equal(ev_close(EVTCHN_PORT_GROUP), -EINVAL);
    assert_int_equal(bind_ipi(0, &p), 0);
    assert_int_equal(p, EVTCHN_PORT_GROUP);
}

static void test_set_max_ports(void **state)
{
    uint32_t p;

    (void)state;
    as(d1);
    assert_int_equal(evtchn_set_max_ports(d1, 0), -EINVAL);
    assert_int_equal(evtchn_set_max_ports(d1, EVTCHN_MAX_PORTS_UNLIMITED + 1), -EINVAL);
    for (int i = 0; i < 20; i++)
        assert_int_equal(bind_ipi(0, &p), 0);
    assert_int_equal(evtchn_set_max_ports(d1, 16), -EBUSY);
    for (uint32_t port = 16; port <= 20; port++)
        assert_int_equal(ev_close(port), 0);
    assert_int_equal(evtchn_set_max_ports(d1, 16), 0);
    assert_int_equal(state_of(d1, 15), EVTCHNSTAT_ipi); /* kept */
    assert_int_equal(bind_ipi(0, &p), -ENOSPC);
    assert_int_equal(ev_send(16), -EINVAL);
    assert_int_equal(evtchn_set_max_ports(d1, EVTCHN_2L_NR_PORTS), 0);
    assert_int_equal(bind_ipi(0, &p), 0);
    assert_int_equal(p, 16);
    for (uint32_t i = 17; i < EVTCHN_2L_NR_PORTS; i++)
        assert_int_equal(bind_ipi(1, &p), 0);
    assert_int_equal(p, EVTCHN_2L_NR_PORTS - 1);
    assert_int_equal(bind_ipi(0, &p), -ENOSPC);
    assert_int_equal(ev_send(EVTCHN_2L_NR_PORTS - 1), 0);
    assert_true(sel(d1->vcpus[1], EVTCHN_2L_NR_PORTS - 1));
    /* A higher limit of its own: the 2-level ABI's still applies. */
    assert_int_equal(evtchn_set_max_ports(d1, EVTCHN_MAX_PORTS_UNLIMITED), 0);
    assert_int_equal(evtchn_port_limit(d1), EVTCHN_2L_NR_PORTS);
    assert_int_equal(bind_ipi(0, &p), -ENOSPC);
    assert_int_equal(alloc_unbound(DOMID_SELF, 0, &p), -ENOSPC);
    assert_int_equal(bind_virq(VIRQ_TIMER, 0, &p), -ENOSPC);
    assert_int_equal(d1->evtchn.valid_ports, EVTCHN_2L_NR_PORTS);
    {
        struct evtchn_status s;

        assert_int_equal(ev_status(DOMID_SELF, EVTCHN_2L_NR_PORTS, &s), -EINVAL);
    }
}

/* ---- pvx-serviced ports ---- */

static unsigned int xen_notified;
static uint32_t xen_notified_port;

static void xen_notify(struct domain *d, uint32_t port)
{
    assert_ptr_equal(d, d2);
    xen_notified++;
    xen_notified_port = port;
}

static void test_xen_port(void **state)
{
    struct evtchn_status s;
    int port;

    (void)state;
    xen_notified = 0;
    port = evtchn_alloc_xen_port(d2, 0, xen_notify);
    assert_true(port > 0);
    as(d2);
    assert_int_equal(ev_status(DOMID_SELF, (uint32_t)port, &s), 0);
    assert_int_equal(s.status, EVTCHNSTAT_interdomain);
    assert_int_equal(s.u.interdomain.dom, DOMID_XEN);
    /* The guest's send reaches pvx. */
    assert_int_equal(ev_send((uint32_t)port), 0);
    assert_int_equal(xen_notified, 1);
    assert_int_equal(xen_notified_port, (uint32_t)port);
    assert_false(pending(d2, (uint32_t)port));
    /* pvx raises it toward the guest. */
    evtchn_port_set_pending(d2, (uint32_t)port);
    assert_true(pending(d2, (uint32_t)port));
    assert_int_equal(eh_kicks(d2->vcpus[0]), 1);
    assert_int_equal(evtchn_port_poll(d2, (uint32_t)port), 1);
    /* Nobody can bind to it. */
    as(d1);
    {
        uint32_t q;

        assert_int_equal(bind_interdomain(2, (uint32_t)port, &q), -EINVAL);
    }
    /* pvx's end stays on the vCPU pvx chose: Xen's -EINVAL, after the
     * vCPU and port checks. */
    as(d2);
    assert_int_equal(ev_bind_vcpu((uint32_t)port, 0), -EINVAL);
    assert_int_equal(ev_bind_vcpu((uint32_t)port, 1), -ENOENT);
    assert_int_equal(ev_status(DOMID_SELF, (uint32_t)port, &s), 0);
    assert_int_equal(s.vcpu, 0);
    /* The guest may close its end; pvx's later raises are ignored. */
    as(d2);
    assert_int_equal(ev_close((uint32_t)port), 0);
    evtchn_port_set_pending(d2, (uint32_t)port);
    assert_false(pending(d2, (uint32_t)port));
    assert_int_equal(evtchn_port_poll(d2, (uint32_t)port), -EINVAL);
    evtchn_port_set_pending(d2, 5000);
    /* The same function reuses its consumer slot. */
    assert_true(evtchn_alloc_xen_port(d2, 0, xen_notify) > 0);
    assert_true(evtchn_alloc_xen_port(d2, 0, xen_notify) > 0);
    assert_int_equal(evtchn_close_port(d2, 1), 0);
    assert_int_equal(evtchn_close_port(d2, 1), -EINVAL);
}

static void test_port_poll(void **state)
{
    uint32_t p;

    (void)state;
    as(d1);
    assert_int_equal(bind_ipi(0, &p), 0);
    set_mask(d1, p, true);
    assert_int_equal(evtchn_port_poll(d1, p), 0);
    assert_int_equal(ev_send(p), 0);
    assert_int_equal(evtchn_port_poll(d1, p), 1);
    assert_int_equal(evtchn_port_poll(d1, 0), -EINVAL);
    assert_int_equal(evtchn_port_poll(d1, 5000), -EINVAL);
}

static void test_poll_wakeup(void **state)
{
    struct vcpu *poller;
    uint32_t p1, p2, ipi, other;

    (void)state;
    connect(d1, &p1, d2, &p2);
    poller = d1->vcpus[1];
    as(d1);
    assert_int_equal(bind_ipi(1, &ipi), 0);
    assert_int_equal(bind_ipi(0, &other), 0);
    /* A spinlock kick: the waiter polls its own masked IPI port on vCPU 1,
     * another vCPU sends it. */
    set_mask(d1, ipi, true);
    set_mask(d1, other, true);
    poller->polling = poller->blocked = true;
    poller->poll_port = ipi;
    assert_int_equal(ev_send(ipi), 0);
    assert_int_equal(eh_wakes(poller), 1);
    assert_false(poller->polling);
    assert_int_equal(eh_kicks(poller), 0); /* masked: no upcall */
    /* Already pending: nothing new to wake for. */
    poller->polling = poller->blocked = true;
    assert_int_equal(ev_send(ipi), 0);
    assert_int_equal(eh_wakes(poller), 1);
    /* A poller of one port sleeps through every other port, as on Xen's
     * poll_evtchn: a masked IPI of another vCPU, an interdomain port. */
    assert_int_equal(ev_send(other), 0);
    as(d2);
    assert_int_equal(ev_send(p2), 0);
    assert_int_equal(eh_wakes(poller), 1);
    assert_true(poller->polling && poller->blocked);
    /* A poller of several ports (poll_port 0) wakes for any of the domain's. */
    d1->shared_info->evtchn_pending[0] = 0;
    poller->poll_port = 0;
    assert_int_equal(ev_send(p2), 0);
    assert_int_equal(eh_wakes(poller), 2);
    assert_false(poller->polling);
    /* Non-polling vCPUs are left alone. */
    assert_int_equal(eh_wakes(d1->vcpus[0]), 0);
    assert_int_equal(eh_wakes(d2->vcpus[0]), 0);
}

/* SCHEDOP_poll's port checks (evtchn_poll_ports), with the port array in
 * guest memory past what eh_op() uses. */
#define POLL_ARRAY (EH_GUEST_BASE + 2048)

static int poll_ports(struct vcpu *v, const uint32_t *ports, uint32_t n, uint32_t *wait)
{
    memcpy(eh_guest_mem + 2048, ports, n * sizeof(*ports));
    *wait = 0xdead;
    return evtchn_poll_ports(v, POLL_ARRAY, n, wait);
}

static void test_poll_ports(void **state)
{
    struct vcpu *v;
    struct vcpu_info *vi;
    uint32_t a, b, c, wait;

    (void)state;
    as(d1);
    v = d1->vcpus[0];
    vi = v->vcpu_info;
    assert_int_equal(bind_ipi(0, &a), 0);
    assert_int_equal(bind_ipi(0, &b), 0);
    assert_int_equal(bind_ipi(1, &c), 0);
    set_mask(d1, a, true);
    set_mask(d1, b, true);
    vi->evtchn_upcall_pending = 0;
    vi->evtchn_upcall_mask = 0;

    /* Nothing pending: wait, for the one port or for any. */
    assert_int_equal(poll_ports(v, (uint32_t[]){a}, 1, &wait), 0);
    assert_int_equal(wait, a);
    assert_int_equal(poll_ports(v, (uint32_t[]){a, b}, 2, &wait), 0);
    assert_int_equal(wait, 0);
    assert_int_equal(poll_ports(v, (uint32_t[]){0}, 0, &wait), 0);
    assert_int_equal(wait, 0);

    /* A pending port ends the poll, even masked; ports are taken in order. */
    assert_int_equal(ev_send(b), 0);
    assert_int_equal(poll_ports(v, (uint32_t[]){a, b}, 2, &wait), 1);
    assert_int_equal(poll_ports(v, (uint32_t[]){b, 5000}, 2, &wait), 1);
    assert_int_equal(poll_ports(v, (uint32_t[]){5000, b}, 2, &wait), -EINVAL);
    assert_int_equal(poll_ports(v, (uint32_t[]){a}, 1, &wait), 0);

    /* Only ports in use may be polled: not port 0, not a closed port, not
     * a free one below the valid limit, not one beyond it. */
    assert_int_equal(poll_ports(v, (uint32_t[]){0}, 1, &wait), -EINVAL);
    assert_int_equal(ev_close(c), 0);
    assert_int_equal(poll_ports(v, (uint32_t[]){c}, 1, &wait), -EINVAL);
    assert_true(d1->evtchn.valid_ports > 60);
    assert_int_equal(poll_ports(v, (uint32_t[]){60}, 1, &wait), -EINVAL);
    assert_int_equal(poll_ports(v, (uint32_t[]){1000}, 1, &wait), -EINVAL);

    /* An upcall the vCPU can take ends the poll before any port is read
     * (Xen's local_events_need_delivery), a masked one does not. */
    vi->evtchn_upcall_pending = 1;
    assert_int_equal(poll_ports(v, (uint32_t[]){a}, 1, &wait), 1);
    assert_int_equal(poll_ports(v, (uint32_t[]){5000}, 1, &wait), 1);
    vi->evtchn_upcall_mask = 1;
    assert_int_equal(poll_ports(v, (uint32_t[]){a}, 1, &wait), 0);
    assert_int_equal(wait, a);
    vi->evtchn_upcall_mask = 0;

    /* Where the array starts is checked first, even for no ports... */
    assert_int_equal(evtchn_poll_ports(v, 0x1000, 1, &wait), -EFAULT);
    assert_int_equal(evtchn_poll_ports(v, 0x1000, 0, &wait), -EFAULT);
    vi->evtchn_upcall_pending = 1;
    assert_int_equal(evtchn_poll_ports(v, 0x1000, 1, &wait), -EFAULT);
    vi->evtchn_upcall_pending = 0;
    /* ... then the ports are read in order: a pending one ends the scan
     * before an unreadable one is reached. */
    memcpy(eh_guest_mem + EH_GUEST_SIZE - 4, &b, 4);
    assert_int_equal(evtchn_poll_ports(v, EH_GUEST_BASE + EH_GUEST_SIZE - 4, 2, &wait), 1);
    memcpy(eh_guest_mem + EH_GUEST_SIZE - 4, &a, 4);
    assert_int_equal(evtchn_poll_ports(v, EH_GUEST_BASE + EH_GUEST_SIZE - 4, 2, &wait), -EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_port0_reserved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_unbound_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_unbound_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_valid_ports_grow_in_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_interdomain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_interdomain_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_both_ways, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interdomain_to_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_interdomain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_cases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_virq_per_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_virq_global, setup, teardown),
        cmocka_unit_test_setup_teardown(test_global_virq_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_ipi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_masked_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_double_kick, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selector_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_2l_helpers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bind_vcpu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_self, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_guest_pointers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_out_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(test_misc_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pirq_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pirq_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domain_close_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_dying_before_cleanup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_max_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xen_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_wakeup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_ports, setup, teardown),
    };

    return cmocka_run_group_tests_name("event", tests, NULL, NULL);
}
