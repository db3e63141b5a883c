// SPDX-License-Identifier: GPL-2.0-only
/* sched_op: yield, block, poll (shutdown is the guest's last call). */
#include "guest.h"
#include "test.h"
#include <public/sched.h>
#include <public/event_channel.h>

/*
 * What ends a poll before it starts, as Xen 4.17's do_poll: a port that is
 * not in use is refused, even below the domain's port limit; an upcall the
 * vCPU could take (pending, not masked) returns at once, before any port is
 * looked at, and is then delivered; one held back by the mask does not.
 */
static void poll_ends_before_waiting(struct sched_poll *poll, evtchn_port_t *ports)
{
    struct evtchn_alloc_unbound w = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    struct evtchn_close c;
    unsigned n;
    u64 t0;

    hc_event_channel_op(EVTCHNOP_alloc_unbound, &w);
    c.port = w.port;
    hc_event_channel_op(EVTCHNOP_close, &c);
    ports[0] = w.port;
    poll->nr_ports = 1;
    poll->timeout = system_time_ns() + 5000000;
    CHECK_RC("poll_closed_port", hc_sched_op(SCHEDOP_poll, poll), -XEN_EINVAL);

    hc_event_channel_op(EVTCHNOP_alloc_unbound, &w); /* in use, not pending */
    evtchn_mask_port(w.port);
    ports[0] = w.port;
    events_disable();
    vcpu->evtchn_upcall_pending = 1;
    t0 = system_time_ns();
    poll->timeout = t0 + 20000000;
    CHECK_RC("poll_upcall_masked", hc_sched_op(SCHEDOP_poll, poll), 0);
    CHECK("poll_upcall_masked_waits", system_time_ns() >= t0 + 15000000);
    /* An interrupt between the unmask and the poll may run the upcall
     * first, which consumes the pending flag: the poll then rightly waits.
     * Only a wait with no such upcall counts against the hypervisor. */
    for (int attempt = 0;; attempt++) {
        bool waited, raced;
        long rc;

        events_disable();
        n = upcalls;
        vcpu->evtchn_upcall_pending = 1;
        barrier();
        vcpu->evtchn_upcall_mask = 0; /* as events_enable(), without its hypercall */
        barrier();
        t0 = system_time_ns();
        poll->timeout = t0 + 1000000000ULL;
        rc = hc_sched_op(SCHEDOP_poll, poll);
        waited = system_time_ns() >= t0 + 500000000ULL;
        raced = waited && upcalls != n && !vcpu->evtchn_upcall_pending;
        if (raced && attempt < 3)
            continue;
        CHECK_RC("poll_upcall_deliverable", rc, 0);
        CHECK("poll_upcall_returns_at_once", !waited);
        CHECK("poll_upcall_then_delivered", upcalls != n);
        break;
    }
    events_enable();
    c.port = w.port;
    hc_event_channel_op(EVTCHNOP_close, &c);
}

void t_sched(void)
{
    struct evtchn_alloc_unbound au;
    struct evtchn_bind_interdomain bi;
    struct evtchn_send s;
    struct sched_poll poll;
    evtchn_port_t ports[2];
    struct sched_remote_shutdown rs;
    u64 t0;

    CHECK_RC("yield", hc_sched_op(SCHEDOP_yield, 0), 0);

    memset(&au, 0, sizeof(au));
    au.dom = au.remote_dom = DOMID_SELF;
    hc_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    memset(&bi, 0, sizeof(bi));
    bi.remote_dom = DOMID_SELF;
    bi.remote_port = au.port;
    hc_event_channel_op(EVTCHNOP_bind_interdomain, &bi);
    evtchn_unmask_port(au.port);

    /* Block with an event already pending returns at once, events enabled. */
    events_disable();
    s.port = bi.local_port;
    hc_event_channel_op(EVTCHNOP_send, &s);
    CHECK_EQ("pending_while_masked", vcpu->evtchn_upcall_pending, 1);
    CHECK_RC("block_with_pending", hc_sched_op(SCHEDOP_block, 0), 0);
    CHECK_EQ("block_enables_events", vcpu->evtchn_upcall_mask, 0);
    CHECK_EQ("block_delivered_event", vcpu->evtchn_upcall_pending, 0);

    /* Poll: a masked port that is not pending times out. */
    evtchn_mask_port(au.port);
    ports[0] = au.port;
    memset(&poll, 0, sizeof(poll));
    set_xen_guest_handle(poll.ports, ports);
    poll.nr_ports = 1;
    t0 = system_time_ns();
    poll.timeout = t0 + 3000000;
    CHECK_RC("poll_timeout", hc_sched_op(SCHEDOP_poll, &poll), 0);
    CHECK("poll_waited", system_time_ns() >= t0 + 2000000);
    /* Poll on a pending port returns at once. */
    hc_event_channel_op(EVTCHNOP_send, &s);
    t0 = system_time_ns();
    poll.timeout = t0 + 2000000000ULL;
    CHECK_RC("poll_pending", hc_sched_op(SCHEDOP_poll, &poll), 0);
    CHECK("poll_returned_early", system_time_ns() < t0 + 1000000000ULL);
    /* Ports are checked in order: a pending one ends the scan early. */
    ports[1] = 5000;
    poll.nr_ports = 2;
    CHECK_RC("poll_pending_before_bad_port", hc_sched_op(SCHEDOP_poll, &poll), 0);
    ports[0] = 5000;
    ports[1] = au.port;
    CHECK_RC("poll_bad_port", hc_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL);
    ports[0] = au.port;
    poll.nr_ports = 200;
    CHECK_RC("poll_too_many_ports", hc_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL);
    poll.nr_ports = 1;
    set_xen_guest_handle(poll.ports, (evtchn_port_t *)HV_ADDR_XEN);
    CHECK_RC("poll_ports_hv_addr", hc_sched_op(SCHEDOP_poll, &poll), -XEN_EFAULT);
    CHECK_RC("poll_arg_hv_addr", hc_sched_op(SCHEDOP_poll, HV_ADDR_XEN), -XEN_EFAULT);
    /* Where the array starts is checked even when there are no ports. */
    poll.nr_ports = 0;
    poll.timeout = system_time_ns() + 5000000;
    CHECK_RC("poll_no_ports_hv_addr", hc_sched_op(SCHEDOP_poll, &poll), -XEN_EFAULT);
    set_xen_guest_handle(poll.ports, ports);
    poll_ends_before_waiting(&poll, ports);
    evtchn_unmask_port(au.port);

    rs.domain_id = 0x1234;
    rs.reason = SHUTDOWN_poweroff;
    CHECK_RC("remote_shutdown_no_such_domain", hc_sched_op(SCHEDOP_remote_shutdown, &rs),
             -XEN_ESRCH);
    CHECK_RC("shutdown_arg_hv_addr", hc_sched_op(SCHEDOP_shutdown, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("unknown_cmd", hc_sched_op(99, 0), -XEN_ENOSYS);
    {
        struct evtchn_close c = {.port = au.port};
        hc_event_channel_op(EVTCHNOP_close, &c);
        c.port = bi.local_port;
        hc_event_channel_op(EVTCHNOP_close, &c);
    }
}
