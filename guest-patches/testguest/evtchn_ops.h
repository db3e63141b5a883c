/* SPDX-License-Identifier: GPL-2.0-only */
/* Short forms of the event-channel operations the event checks use most
 * (t_events.c, t_fifo.c). */
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

#endif
