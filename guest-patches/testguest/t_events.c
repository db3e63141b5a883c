// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event channels (2-level ABI): alloc_unbound + bind_interdomain to
 * ourselves, send and upcall delivery honouring the port mask and the
 * vcpu_info upcall mask, status, VIRQ and IPI binding, bind_vcpu, unmask,
 * close, and the error paths.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/event_channel.h>
#include <public/vcpu.h>
#include "evtchn_ops.h"

static bool pending(unsigned port)
{
    return shinfo->evtchn_pending[port / 64] & (1UL << (port % 64));
}

static u32 status_of(unsigned port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    if (ev(EVTCHNOP_status, st))
        return ~0u;
    return st->status;
}

/*
 * A port the hypervisor itself services: a pvx boot-time domU's console
 * (interdomain, peer DOMID_XEN).  0 when the domain has none: dom0 on pvx
 * and every PV domain on Xen 4.17, whose consoles are the console_io
 * hypercall or a dom0 daemon's ring.
 */
unsigned xen_serviced_port(void)
{
    struct evtchn_status st;
    unsigned port = (si->flags & SIF_INITDOMAIN) ? 0 : si->console.domU.evtchn;

    if (!port || status_of(port, &st) != EVTCHNSTAT_interdomain ||
        st.u.interdomain.dom != DOMID_XEN)
        return 0;
    return port;
}

/* bind_vcpu on such a port: Xen refuses to move its own end (-EINVAL),
 * after checking the vCPU; the port stays where it was. */
long bind_vcpu_xen_port(unsigned port)
{
    struct evtchn_bind_vcpu bvc = {.port = port, .vcpu = 0};
    struct evtchn_status st;
    long rc = ev(EVTCHNOP_bind_vcpu, &bvc);

    bvc.vcpu = 999;
    if (ev(EVTCHNOP_bind_vcpu, &bvc) != -XEN_ENOENT)
        return 1;
    if (status_of(port, &st) != EVTCHNSTAT_interdomain || st.vcpu != 0)
        return 2;
    return rc;
}

void t_events(void)
{
    struct evtchn_alloc_unbound au;
    struct evtchn_bind_interdomain bi;
    struct evtchn_bind_virq bv;
    struct evtchn_bind_ipi ipi;
    struct evtchn_bind_vcpu bvc;
    struct evtchn_unmask um;
    struct evtchn_status st;
    unsigned a, b, n;

    memset(&au, 0, sizeof(au));
    au.dom = DOMID_SELF;
    au.remote_dom = DOMID_SELF;
    CHECK_RC("alloc_unbound", ev(EVTCHNOP_alloc_unbound, &au), 0);
    a = au.port;
    CHECK("alloc_unbound_port_nonzero", a > 0 && a < 4096);
    CHECK_EQ("status_unbound", status_of(a, &st), EVTCHNSTAT_unbound);
    CHECK_RC("send_unbound_dropped", send(a), 0);

    memset(&bi, 0, sizeof(bi));
    bi.remote_dom = DOMID_SELF;
    bi.remote_port = a;
    CHECK_RC("bind_interdomain_self", ev(EVTCHNOP_bind_interdomain, &bi), 0);
    b = bi.local_port;
    CHECK("bind_interdomain_new_port", b > 0 && b != a);
    CHECK_EQ("status_interdomain", status_of(b, &st), EVTCHNSTAT_interdomain);
    CHECK_EQ("status_interdomain_peer_port", st.u.interdomain.port, a);
    CHECK_RC("bind_interdomain_twice", ev(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL);

    /* Masked port: pending is set, no upcall. */
    n = evt_count[a];
    CHECK_RC("send_masked", send(b), 0);
    CHECK("masked_port_pending", pending(a));
    CHECK_EQ("masked_port_no_upcall", evt_count[a], n);
    /* Unmask through the hypercall (mask bit still set): delivered at once. */
    um.port = a;
    CHECK_RC("unmask", ev(EVTCHNOP_unmask, &um), 0);
    CHECK("unmask_clears_mask_bit", !(shinfo->evtchn_mask[a / 64] & (1UL << (a % 64))));
    CHECK_EQ("unmask_delivers", evt_count[a], n + 1);
    CHECK("pending_cleared_by_handler", !pending(a));

    /* Unmasked port, events enabled: the upcall runs before send returns. */
    n = evt_count[a];
    CHECK_RC("send", send(b), 0);
    CHECK_EQ("upcall_delivered", evt_count[a], n + 1);
    /* The upcall frame: interrupted kernel context, events masked on entry. */
    CHECK_EQ("upcall_masks_events_on_entry", last_event.mask_at_entry, 1);
    CHECK_EQ("upcall_frame_cs_rpl0", last_event.cs & 0xffff, FLAT_KERNEL_CS & ~3);
    CHECK_EQ("upcall_frame_saved_mask_0", (last_event.cs >> 32) & 0xff, 0);
    CHECK("upcall_frame_if_set", last_event.rflags & 0x200);
    CHECK_EQ("upcall_frame_no_error_code", last_event.nextra, 0);
    /* And in the other direction. */
    evtchn_unmask_port(b);
    n = evt_count[b];
    send(a);
    CHECK_EQ("reverse_direction", evt_count[b], n + 1);

    /* vcpu_info upcall mask holds the upcall off until it is cleared. */
    events_disable();
    n = evt_count[a];
    send(b);
    CHECK_EQ("upcall_mask_holds_off", evt_count[a], n);
    CHECK_EQ("upcall_pending_set", vcpu->evtchn_upcall_pending, 1);
    CHECK("pending_sel_set", vcpu->evtchn_pending_sel & (1UL << (a / 64)));
    events_enable();
    CHECK_EQ("delivered_after_unmask", evt_count[a], n + 1);

    /* VIRQs. */
    memset(&bv, 0, sizeof(bv));
    bv.virq = VIRQ_DEBUG;
    bv.vcpu = 0;
    CHECK_RC("bind_virq_debug", ev(EVTCHNOP_bind_virq, &bv), 0);
    CHECK_EQ("status_virq", status_of(bv.port, &st), EVTCHNSTAT_virq);
    CHECK_EQ("status_virq_number", st.u.virq, VIRQ_DEBUG);
    CHECK_RC("bind_virq_twice", ev(EVTCHNOP_bind_virq, &bv), -XEN_EEXIST);
    CHECK_RC("send_to_virq_port", send(bv.port), -XEN_EINVAL);
    CHECK_RC("close_virq", ev_close(bv.port), 0);
    bv.virq = NR_VIRQS;
    CHECK_RC("bind_virq_out_of_range", ev(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL);
    bv.virq = VIRQ_TIMER;
    /* The first vCPU id this domain does not have (VCPUOP_is_up says). */
    bv.vcpu = 1;
    while (bv.vcpu < 4096 && hc_vcpu_op(VCPUOP_is_up, bv.vcpu, 0) != -XEN_ENOENT)
        bv.vcpu++;
    CHECK_RC("bind_virq_no_such_vcpu", ev(EVTCHNOP_bind_virq, &bv), -XEN_ENOENT);

    /* IPIs to ourselves. */
    memset(&ipi, 0, sizeof(ipi));
    CHECK_RC("bind_ipi", ev(EVTCHNOP_bind_ipi, &ipi), 0);
    CHECK_EQ("status_ipi", status_of(ipi.port, &st), EVTCHNSTAT_ipi);
    evtchn_unmask_port(ipi.port);
    n = evt_count[ipi.port];
    CHECK_RC("send_ipi", send(ipi.port), 0);
    CHECK_EQ("ipi_delivered", evt_count[ipi.port], n + 1);
    ipi.vcpu = 7;
    CHECK_RC("bind_ipi_no_such_vcpu", ev(EVTCHNOP_bind_ipi, &ipi), -XEN_ENOENT);

    /* bind_vcpu. */
    bvc.port = a;
    bvc.vcpu = 0;
    CHECK_RC("bind_vcpu", ev(EVTCHNOP_bind_vcpu, &bvc), 0);
    bvc.vcpu = 3;
    CHECK_RC("bind_vcpu_no_such_vcpu", ev(EVTCHNOP_bind_vcpu, &bvc), -XEN_ENOENT);
    if (xen_serviced_port())
        CHECK_RC("bind_vcpu_xen_port", bind_vcpu_xen_port(xen_serviced_port()), -XEN_EINVAL);
    else
        test_skip("bind_vcpu_xen_port", "no port serviced by the hypervisor here");

    /* Closing. */
    CHECK_RC("close_b", ev_close(b), 0);
    CHECK_EQ("peer_unbound_after_close", status_of(a, &st), EVTCHNSTAT_unbound);
    CHECK_RC("close_a", ev_close(a), 0);
    CHECK_EQ("status_closed", status_of(a, &st), EVTCHNSTAT_closed);
    CHECK_RC("close_twice", ev_close(a), -XEN_EINVAL);
    CHECK_RC("send_closed", send(a), -XEN_EINVAL);
    CHECK_RC("close_ipi", ev_close(ipi.port), 0);

    /* VIRQ_CONSOLE is global: bound on vCPU 0 by dom0. */
    memset(&bv, 0, sizeof(bv));
    bv.virq = VIRQ_CONSOLE;
    CHECK_RC("bind_virq_console", ev(EVTCHNOP_bind_virq, &bv), 0);
    ev_close(bv.port);

    /* reset closes every port of the domain. */
    {
        struct evtchn_reset rs = {.dom = DOMID_SELF};

        memset(&au, 0, sizeof(au));
        au.dom = au.remote_dom = DOMID_SELF;
        ev(EVTCHNOP_alloc_unbound, &au);
        CHECK_RC("reset_self", ev(EVTCHNOP_reset, &rs), 0);
        CHECK_EQ("reset_closed_ports", status_of(au.port, &st), EVTCHNSTAT_closed);
        rs.dom = 0x1234;
        CHECK_RC("reset_no_such_domain", ev(EVTCHNOP_reset, &rs), -XEN_ESRCH);
    }

    /* Error paths. */
    CHECK_RC("send_port_out_of_range", send(5000), -XEN_EINVAL);
    CHECK_RC("close_port_0", ev_close(0), -XEN_EINVAL);
    CHECK_RC("close_out_of_range", ev_close(100000), -XEN_EINVAL);
    um.port = 100000;
    CHECK_RC("unmask_out_of_range", ev(EVTCHNOP_unmask, &um), -XEN_EINVAL);
    CHECK_EQ("status_port_0", status_of(0, &st), EVTCHNSTAT_closed);
    st.port = 100000;
    st.dom = DOMID_SELF;
    CHECK_RC("status_out_of_range", ev(EVTCHNOP_status, &st), -XEN_EINVAL);
    au.dom = DOMID_SELF;
    au.remote_dom = 0x1234;
    /* The remote domain is only looked up when it binds. */
    CHECK_RC("alloc_unbound_unknown_remote_ok", ev(EVTCHNOP_alloc_unbound, &au), 0);
    CHECK_RC("close_unknown_remote", ev_close(au.port), 0);
    bi.remote_dom = 0x1234;
    bi.remote_port = 1;
    CHECK_RC("bind_interdomain_no_such_dom", ev(EVTCHNOP_bind_interdomain, &bi), -XEN_ESRCH);
    CHECK_RC("unknown_cmd", ev(99, &au), -XEN_ENOSYS);
    CHECK_RC("arg_hv_addr", hc_event_channel_op(EVTCHNOP_send, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("arg_null", hc_event_channel_op(EVTCHNOP_alloc_unbound, 0), -XEN_EFAULT);
}
