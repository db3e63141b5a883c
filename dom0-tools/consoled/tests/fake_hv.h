/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A pretend hypervisor for the end-to-end test: domains, console pages
 * and event channels in memory shared between the test (playing guests
 * and toolstack) and the daemon it forks.  Events travel through a pipe;
 * like /dev/xen/evtchn, a delivered port stays masked until unmasked, and
 * notifications meanwhile are delivered once on unmask.
 */
#ifndef PVX_CONSOLED_FAKE_HV_H
#define PVX_CONSOLED_FAKE_HV_H

#include "consoled.h"

#define FAKE_DOMS        8
#define FAKE_PORT(slot)  (100 + (slot)) /* the daemon's local port for a slot */
#define FAKE_VIRQ_PORT   99
#define FAKE_HVLOG_BYTES 4096

struct fake_dom {
    int domid; /* 0: free slot */
    int dying;
    uint64_t frame;
    uint32_t remote_port;
    int bound;               /* the local port bound to it, 0 if none */
    int raised;              /* in the pipe already: a pending bit, so a flood coalesces */
    int masked, pending;     /* evtchn state of that port */
    unsigned int notifies;   /* daemon -> guest */
    unsigned int deliveries; /* guest -> daemon events handed out */
    unsigned int maps, unmaps, binds, unbinds;
};

struct fake_shared {
    struct fake_dom dom[FAKE_DOMS];
    char hvlog[FAKE_HVLOG_BYTES];
    uint32_t hvlog_len;
};

struct fake_world {
    struct fake_shared *sh;
    struct xencons_interface *ring; /* FAKE_DOMS pages */
    int ev[2];                      /* test writes ports to ev[1]; the daemon reads ev[0] */
};

/* Shared memory and the event pipe; before any fork. */
int fake_world_create(struct fake_world *w);
void fake_world_destroy(struct fake_world *w);
/* The daemon's seam over the world (in the daemon's process). */
struct cons_hv *fake_hv_new(struct fake_world *w);
/* The guest in slot raises its console event. */
void fake_raise(struct fake_world *w, int slot);

#endif /* PVX_CONSOLED_FAKE_HV_H */
