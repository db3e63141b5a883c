/* SPDX-License-Identifier: GPL-2.0-only */
/* Short forms of the event-channel operations the checks use most
 * (t_events.c, t_fifo.c, t_xdom.c, t_stress.c). */
#ifndef TESTGUEST_EVTCHN_OPS_H
#define TESTGUEST_EVTCHN_OPS_H

#include "hypercall.h"
#include <public/event_channel.h>

static inline long ev(unsigned cmd, void *arg)
{
    return hc_event_channel_op(cmd, arg);
}

static inline long send(unsigned port)
{
    struct evtchn_send s = {.port = port};

    return ev(EVTCHNOP_send, &s);
}

static inline long ev_close(unsigned port)
{
    struct evtchn_close c = {.port = port};

    return ev(EVTCHNOP_close, &c);
}

static inline long ev_alloc_unbound(domid_t remote, unsigned *port)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = remote};
    long rc = ev(EVTCHNOP_alloc_unbound, &a);

    *port = a.port;
    return rc;
}

static inline long ev_bind(domid_t dom, unsigned rport, unsigned *lport)
{
    struct evtchn_bind_interdomain b = {.remote_dom = dom, .remote_port = rport};
    long rc = ev(EVTCHNOP_bind_interdomain, &b);

    *lport = b.local_port;
    return rc;
}

#endif
