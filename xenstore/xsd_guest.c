/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: guests over their store rings, in a pvx dom0.
 *
 * The toolstack builds a domain paused, with its store page a normal frame
 * of the guest and an unbound port whose remote end is dom0, then sends
 * INTRODUCE <domid> <mfn> <port>.  attach maps that frame, binds our end of
 * the port, resets the ring (as Xen 4.17.0's C xenstored does) and serves
 * the page as one unprivileged connection of the domain.
 *
 * The page belongs to the guest, which may write anything into it at any
 * time.  A guest that breaks the protocol (impossible indices, oversized
 * messages) loses its connection, with the reason in the page's error
 * field, as on Xen; its mapping and port stay until the domain is released
 * or dies, so a late event from it finds the domain and is ignored.
 *
 * Domain deaths: VIRQ_DOM_EXC is bound once; on each of its events (and
 * after every RELEASE) every introduced guest is looked up.  A domain seen
 * shut down for the first time fires @releaseDomain once; a dying or
 * vanished one is released (connection, mapping, port, owned nodes) which
 * fires @releaseDomain for it.
 *
 * Every hypervisor call goes through struct xsd_hyp_ops, so the unit tests
 * run all of this against fakes.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"
#include <public/xen.h>
#include <public/domctl.h>

struct guest {
    struct xsd_ring ring; /* first: the shared ring code's view */
    struct guest *next;
    struct xsd_domain *d;
    struct xsd_conn *conn; /* NULL once dropped for breaking the protocol */
    uint32_t port;         /* our end of the store channel */
};

static const struct xsd_hyp_ops *hyp;
static struct guest *guests;
static uint32_t virq_port;

static void guest_kick(struct xsd_ring *r)
{
    hyp->notify(((struct guest *)r)->port);
}

static const char *fault_name(uint32_t fault)
{
    switch (fault) {
    case XENSTORE_ERROR_RINGIDX:
        return "impossible ring index";
    case XENSTORE_ERROR_PROTO:
        return "malformed message";
    case XENSTORE_ERROR_COMM:
        return "not reading its replies";
    default:
        return "released";
    }
}

/* Only the connection goes; the page and port live as long as the domain. */
static void guest_close(struct xsd_conn *c)
{
    struct guest *g = c->tdata;

    assert(g && g->conn == c);
    xsd_ring_closed(c);
    xsd_log("domain %u: store connection closed (%s)", g->d->domid, fault_name(c->fault));
    g->conn = NULL;
    c->tdata = NULL;
}

static const struct xsd_transport_ops guest_ops = {
    .name = "guest-ring",
    .read = xsd_ring_read,
    .write = xsd_ring_write,
    .close = guest_close,
};

/* A new connection on g's ring: nothing of an earlier one survives. */
static int guest_connect(struct guest *g)
{
    g->conn = xsd_conn_new(&guest_ops, g, -1, g->d);
    if (!g->conn)
        return -ENOMEM;
    xsd_ring_reset(&g->ring);
    guest_kick(&g->ring);
    return 0;
}

static int guest_attach(struct xsd_domain *d)
{
    struct guest *g = NULL;
    void *page = NULL;
    uint32_t flags;
    int port = -1, ret;

    ret = hyp->domain_info(d->domid, &flags);
    if (ret || (flags & PVX_DOMINF_dying)) {
        xsd_log("INTRODUCE of domain %u: %s", d->domid,
                ret == -ESRCH ? "no such domain"
                : ret         ? "getdomaininfo failed"
                              : "dying");
        ret = -EINVAL;
        goto out;
    }
    ret = hyp->map(d->domid, d->gfn, &page);
    if (ret) {
        xsd_log("INTRODUCE of domain %u: cannot map its frame %#llx", d->domid,
                (unsigned long long)d->gfn);
        ret = -EINVAL;
        goto out;
    }
    port = hyp->bind(d->domid, d->evtchn);
    if (port < 0) {
        xsd_log("INTRODUCE of domain %u: cannot bind its port %u: %s", d->domid, d->evtchn,
                strerror(-port));
        ret = port == -ENOMEM ? -ENOMEM : -EINVAL;
        goto out;
    }
    g = xsd_zalloc(sizeof(*g));
    if (!g) {
        ret = -ENOMEM;
        goto out;
    }
    g->ring.intf = page;
    g->ring.kick = guest_kick;
    g->d = d;
    g->port = (uint32_t)port;
    ret = guest_connect(g);
    if (ret)
        goto out;
    g->next = guests;
    guests = g;
    d->bdata = g;
    xsd_log("domain %u: serving its store ring (frame %#llx, its port %u, ours %u)", d->domid,
            (unsigned long long)d->gfn, d->evtchn, g->port);
    g = NULL;
    page = NULL;
    port = -1;
out:
    free(g);
    if (port >= 0)
        hyp->unbind((uint32_t)port);
    if (page)
        hyp->unmap(page);
    return ret;
}

static void guest_detach(struct xsd_domain *d)
{
    struct guest *g = d->bdata, **pp;

    if (!g)
        return; /* dom0, served by xsd_ring.c */
    assert(g->d == d);
    if (g->conn)
        xsd_conn_close(g->conn);
    hyp->unbind(g->port);
    hyp->unmap(g->ring.intf);
    for (pp = &guests; *pp != g; pp = &(*pp)->next)
        assert(*pp);
    *pp = g->next;
    free(g);
    d->bdata = NULL;
}

/* INTRODUCE of an introduced guest: a new port, a fresh connection and ring. */
static int guest_reintroduce(struct xsd_domain *d, uint32_t remote_port)
{
    struct guest *g = d->bdata;
    int port;

    if (!g)
        return 0;
    port = hyp->bind(d->domid, remote_port);
    if (port < 0) {
        xsd_log("INTRODUCE of domain %u again: cannot bind its port %u: %s", d->domid, remote_port,
                strerror(-port));
        return port == -ENOMEM ? -ENOMEM : -EINVAL;
    }
    if (g->conn)
        xsd_conn_close(g->conn);
    hyp->unbind(g->port);
    g->port = (uint32_t)port;
    return guest_connect(g);
}

/* Which introduced guests shut down or died (Xen's check_domains). */
static void guest_check(void)
{
    struct xsd_domain *d, *dead[64];
    bool shutdown = false;
    unsigned int ndead;
    struct guest *g;

    do {
        ndead = 0;
        for (g = guests; g && ndead < sizeof(dead) / sizeof(dead[0]); g = g->next) {
            uint32_t flags;
            int ret = hyp->domain_info(g->d->domid, &flags);

            if (ret == -ESRCH || (!ret && (flags & PVX_DOMINF_dying))) {
                dead[ndead++] = g->d;
            } else if (ret) {
                xsd_log("domain %u: getdomaininfo: %s", g->d->domid, strerror(-ret));
            } else if ((flags & PVX_DOMINF_shutdown) && !g->d->shutdown) {
                g->d->shutdown = true;
                shutdown = true;
            }
        }
        for (unsigned int i = 0; i < ndead; i++) {
            xsd_log("domain %u died without RELEASE", dead[i]->domid);
            xsd_domain_release(dead[i]);
        }
        /* Each release fired @releaseDomain, which also covers the shutdowns. */
        if (ndead)
            shutdown = false;
    } while (ndead == sizeof(dead) / sizeof(dead[0]));
    if (shutdown)
        xsd_watch_fire_special(XSD_SPECIAL_RELEASE, DOMID_INVALID);
    /* Nodes still owned by a domain that is gone would pass to the next
     * domain given its id. */
    for (d = xsd.domains; d; d = d->next) {
        uint32_t flags;

        if (d->domid && !d->introduced && d->nnodes && hyp->domain_info(d->domid, &flags) == -ESRCH)
            xsd_store_remove_owned(d->domid);
    }
}

const struct xsd_domain_backend xsd_guest_backend = {
    .name = "guest-ring",
    .attach = guest_attach,
    .detach = guest_detach,
    .reintroduce = guest_reintroduce,
    .check = guest_check,
};

/* Serve g after an event: take its requests, push output the ring had no room for. */
static void guest_event(struct guest *g)
{
    struct xsd_conn *c = g->conn;

    if (!c)
        return;
    xsd_conn_input(c);
    if (!c->dead && c->out_head < c->out_len)
        xsd_conn_output(c);
}

/* One pending port of ours: VIRQ_DOM_EXC or a guest's store channel. */
void xsd_guest_port_event(uint32_t port)
{
    struct guest *g;

    if (port == virq_port) {
        guest_check();
        return;
    }
    for (g = guests; g; g = g->next) {
        if (g->port == port) {
            guest_event(g);
            return;
        }
    }
}

/* Events may have been lost (the event device overflowed): look at everything. */
void xsd_guest_event_all(void)
{
    struct guest *g, *next;

    for (g = guests; g; g = next) {
        next = g->next;
        guest_event(g);
    }
    guest_check();
}

int xsd_guest_init(const struct xsd_hyp_ops *ops)
{
    int port;

    assert(!hyp && !guests);
    port = ops->bind_virq(VIRQ_DOM_EXC);
    if (port < 0) {
        xsd_log("cannot bind VIRQ_DOM_EXC: %s (is another xenstored running?)", strerror(-port));
        return port;
    }
    hyp = ops;
    virq_port = (uint32_t)port;
    return 0;
}

/* After xsd_core_free(), which released every guest. */
void xsd_guest_fini(void)
{
    if (!hyp)
        return;
    assert(!guests);
    hyp->unbind(virq_port);
    hyp = NULL;
    virq_port = 0;
}
