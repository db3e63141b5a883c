/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Consoles of domains other than dom0.  Until dom0 runs a console backend,
 * pvx services each domain's xencons_interface ring itself: it drains the
 * guest's output (on the guest's event, and from a poll for guests that
 * write before they notify), prints it tagged with the domain, and raises
 * the ring's event so a guest waiting for space carries on.
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

static struct domain *ring_domains[MAX_RING_DOMAINS];
static unsigned int nr_ring_domains;

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
        if (ring_domains[i]->state == DOMAIN_RUNNING)
            drain(ring_domains[i]);
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
    ring_domains[nr_ring_domains++] = d;
    return 0;
}
