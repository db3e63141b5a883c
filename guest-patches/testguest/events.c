// SPDX-License-Identifier: GPL-2.0-only
/*
 * 2-level event channels: the upcall scans pending & ~mask through the
 * per-vCPU selector word, clears each pending bit and counts it (and calls
 * a handler if one is set).  Checks look at evt_count[] and upcalls.
 */
#include "guest.h"
#include <public/event_channel.h>

volatile unsigned evt_count[4096];
volatile unsigned upcalls;
static evtchn_handler_t handlers[4096];

static inline unsigned long xchg_ulong(volatile unsigned long *p, unsigned long v)
{
    __asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

static inline void sync_clear_bit(unsigned nr, volatile unsigned long *addr)
{
    __asm__ volatile("lock btrq %1, %0"
                     : "+m"(addr[nr / 64])
                     : "Ir"((unsigned long)(nr % 64))
                     : "memory");
}

static inline void sync_set_bit(unsigned nr, volatile unsigned long *addr)
{
    __asm__ volatile("lock btsq %1, %0"
                     : "+m"(addr[nr / 64])
                     : "Ir"((unsigned long)(nr % 64))
                     : "memory");
}

void events_init(void)
{
    /* Start with every port masked; checks unmask the ones they use. */
    for (unsigned i = 0; i < ARRAY_SIZE(shinfo->evtchn_mask); i++)
        shinfo->evtchn_mask[i] = ~0UL;
}

void evtchn_set_handler(unsigned port, evtchn_handler_t h)
{
    handlers[port] = h;
}

void evtchn_mask_port(unsigned port)
{
    sync_set_bit(port, shinfo->evtchn_mask);
}

void evtchn_unmask_port(unsigned port)
{
    struct evtchn_unmask op = {.port = port};

    /*
     * The hypervisor clears the mask bit itself and raises the upcall if the
     * port is pending: it only does so when it sees the bit still set.
     */
    if (shinfo->evtchn_pending[port / 64] & (1UL << (port % 64)))
        hc_event_channel_op(EVTCHNOP_unmask, &op);
    else
        sync_clear_bit(port, shinfo->evtchn_mask);
}

void evtchn_upcall(void)
{
    upcalls++;
    while (READ_ONCE(vcpu->evtchn_upcall_pending)) {
        unsigned long sel;

        vcpu->evtchn_upcall_pending = 0;
        sel = xchg_ulong(&vcpu->evtchn_pending_sel, 0);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            unsigned long bits;

            sel &= sel - 1;
            bits = shinfo->evtchn_pending[w] & ~shinfo->evtchn_mask[w];
            while (bits) {
                unsigned b = (unsigned)__builtin_ctzl(bits);
                unsigned port = w * 64 + b;

                bits &= bits - 1;
                sync_clear_bit(port, shinfo->evtchn_pending);
                evt_count[port]++;
                if (handlers[port])
                    handlers[port](port);
            }
        }
    }
}
