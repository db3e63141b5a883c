/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Consoles of domains other than dom0.  Until dom0 runs a console backend,
 * pvx services each domain's xencons_interface ring itself: it drains the
 * guest's output (on the guest's event, and from a poll for guests that
 * write before they notify), prints it tagged with the domain, and raises
 * the ring's event so a guest waiting for space carries on.  Serial input
 * switched to a domain (console.c) goes into the ring's `in` half.
 */
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/lib.h>
#include <asm/pv/mm.h>
#include <public/io/console.h>

#define MAX_RING_DOMAINS 256

static struct ring_slot {
    struct domain *d;
    uint64_t in_dropped; /* input bytes that found the ring full */
} slots[MAX_RING_DOMAINS];
static unsigned int nr_ring_domains;

/* Only a domain that still runs (paused included) takes input or output. */
static bool ring_live(const struct domain *d)
{
    return d->state == DOMAIN_RUNNING;
}

static struct ring_slot *slot_of(const struct domain *d)
{
    for (unsigned int i = 0; i < nr_ring_domains; i++)
        if (slots[i].d == d)
            return &slots[i];
    return NULL;
}

static void drain(struct domain *d)
{
    struct xencons_interface *ring = arch_maddr_to_virt(d->console_mfn << PAGE_SHIFT);
    uint32_t cons = ring->out_cons, prod = ring->out_prod;
    char buf[64];
    unsigned int n = 0;

    __asm__ volatile("" ::: "memory"); /* read prod before the bytes */
    if (prod - cons > sizeof(ring->out)) {
        /* A corrupt index from the guest: resynchronise, lose nothing of pvx's. */
        ring->out_cons = prod;
        return;
    }
    if (cons == prod)
        return;
    while (cons != prod) {
        buf[n++] = ring->out[cons++ & (sizeof(ring->out) - 1)];
        if (n == sizeof(buf)) {
            domain_console_write(d, buf, n);
            n = 0;
        }
    }
    domain_console_write(d, buf, n);
    __asm__ volatile("" ::: "memory");
    ring->out_cons = cons;
    arch_logdirty_mark(mfn_to_page(d->console_mfn));
    evtchn_port_set_pending(d, d->console_port);
}

static void ring_notified(struct domain *d, uint32_t port)
{
    (void)port;
    drain(d);
}

void console_rings_poll(void)
{
    for (unsigned int i = 0; i < nr_ring_domains; i++)
        if (ring_live(slots[i].d))
            drain(slots[i].d);
}

struct domain *console_ring_find(domid_t id)
{
    for (unsigned int i = 0; i < nr_ring_domains; i++)
        if (slots[i].d->domain_id == id && ring_live(slots[i].d))
            return slots[i].d;
    return NULL;
}

struct domain *console_ring_next(domid_t after)
{
    struct domain *best = NULL;

    /* By id, not by slot: detaching reorders the slots. */
    for (unsigned int i = 0; i < nr_ring_domains; i++) {
        struct domain *d = slots[i].d;

        if (d->domain_id > after && ring_live(d) && (!best || d->domain_id < best->domain_id))
            best = d;
    }
    return best;
}

size_t console_ring_input(struct domain *d, const char *buf, size_t len)
{
    struct ring_slot *slot = slot_of(d);
    struct xencons_interface *ring;
    uint32_t cons, prod, used;
    size_t space, n;

    if (!slot || !ring_live(d))
        return 0;
    ring = arch_maddr_to_virt(d->console_mfn << PAGE_SHIFT);
    /* in_cons is the guest's: read it once and trust nothing about it (a
     * corrupt one leaves no space, so pvx never writes past what it read). */
    cons = *(volatile uint32_t *)&ring->in_cons;
    prod = ring->in_prod;
    used = prod - cons;
    space = used <= sizeof(ring->in) ? sizeof(ring->in) - used : 0;
    n = MIN(len, space);
    for (size_t i = 0; i < n; i++)
        ring->in[prod++ & (sizeof(ring->in) - 1)] = buf[i];
    __asm__ volatile("" ::: "memory"); /* the bytes before the index that publishes them */
    ring->in_prod = prod;
    arch_logdirty_mark(mfn_to_page(d->console_mfn));
    if (n < len) {
        /* Typing faster than the guest reads: drop and count, never overrun. */
        if (!slot->in_dropped)
            printk("(pvx) d%u's console input ring is full: input dropped\n", d->domain_id);
        slot->in_dropped += len - n;
    }
    if (n)
        evtchn_port_set_pending(d, d->console_port);
    return n;
}

uint64_t console_ring_input_dropped(const struct domain *d)
{
    const struct ring_slot *slot = slot_of(d);

    return slot ? slot->in_dropped : 0;
}

int console_ring_attach(struct domain *d, mfn_t mfn)
{
    int port;

    if (nr_ring_domains == MAX_RING_DOMAINS)
        return -ENOSPC;
    /* pvx writes the ring: hold a writable reference so the guest can never
     * turn that frame into a page table. */
    if (get_page_and_type(mfn_to_page(mfn), d, PGT_writable_page))
        return -EINVAL;
    port = evtchn_alloc_xen_port(d, 0, ring_notified);
    if (port < 0) {
        put_page_and_type(mfn_to_page(mfn));
        return port;
    }
    d->console_mfn = mfn;
    d->console_port = (uint32_t)port;
    slots[nr_ring_domains++] = (struct ring_slot){.d = d};
    return 0;
}

void console_ring_detach(struct domain *d)
{
    for (unsigned int i = 0; i < nr_ring_domains; i++) {
        if (slots[i].d != d)
            continue;
        slots[i] = slots[--nr_ring_domains];
        put_page_and_type(mfn_to_page(d->console_mfn)); /* the ring's writable reference */
        d->console_mfn = 0;
        d->console_port = 0;
        return;
    }
}
