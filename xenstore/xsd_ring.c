/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: the shared-ring transport, and dom0's own kernel xenbus.
 *
 * The ring code (xsd_ring_take/put/read/write/reset) serves any
 * xenstore_domain_interface page: dom0's here, the guests' in xsd_guest.c.
 * The page is written by the other end at any time, so every index is read
 * once, checked, and never trusted beyond the ring.
 *
 * When dom0 is started with no store event channel, its kernel allocates a
 * store page and an unbound port for a local daemon and waits for one.  We
 * take both from /dev/xen/xenbus_backend (the port through its ioctl, the
 * page through mmap, or /proc/xen/xsd_kva with xenfs), bind our end of the
 * port through /dev/xen/evtchn, and serve the page as one privileged
 * connection of domain 0.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xenstored.h"
#include "xen-devices.h"

#define RING_PAGE 4096

struct dom0_ring {
    struct xsd_ring ring; /* first: the shared ring code's view */
    int fd;               /* /dev/xen/evtchn */
    uint32_t port;        /* our end of the channel */
};

static void dom0_kick(struct xsd_ring *r)
{
    struct dom0_ring *d = (struct dom0_ring *)r;
    struct pvx_evtchn_port n = {.port = d->port};

    ioctl(d->fd, PVX_IOCTL_EVTCHN_NOTIFY, &n);
}

/* Copy between the linear buffer and ring bytes [idx, idx+len), wrapping. */
static void ring_copy(char *ring, XENSTORE_RING_IDX idx, char *buf, size_t len, bool to_ring)
{
    size_t off = MASK_XENSTORE_IDX(idx), first = XENSTORE_RING_SIZE - off;

    if (first > len)
        first = len;
    if (to_ring) {
        memcpy(ring + off, buf, first);
        memcpy(ring, buf + first, len - first);
    } else {
        memcpy(buf, ring + off, first);
        memcpy(buf + first, ring, len - first);
    }
}

/* Take up to len request bytes from the ring; -EIO if the indices are impossible. */
ssize_t xsd_ring_take(struct xenstore_domain_interface *intf, void *buf, size_t len)
{
    XENSTORE_RING_IDX cons = __atomic_load_n(&intf->req_cons, __ATOMIC_RELAXED);
    XENSTORE_RING_IDX prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
    XENSTORE_RING_IDX avail = prod - cons;

    if (avail > XENSTORE_RING_SIZE) {
        xsd_log("ring: request indices %u/%u out of range", cons, prod);
        return -EIO;
    }
    if (avail > len)
        avail = (XENSTORE_RING_IDX)len;
    if (!avail)
        return 0;
    ring_copy(intf->req, cons, buf, avail, false);
    __atomic_store_n(&intf->req_cons, cons + avail, __ATOMIC_RELEASE);
    return avail;
}

/* Put up to len response bytes into the ring; -EIO if the indices are impossible. */
ssize_t xsd_ring_put(struct xenstore_domain_interface *intf, const void *buf, size_t len)
{
    XENSTORE_RING_IDX cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE);
    XENSTORE_RING_IDX prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_RELAXED);
    XENSTORE_RING_IDX used = prod - cons, space;

    if (used > XENSTORE_RING_SIZE) {
        xsd_log("ring: response indices %u/%u out of range", cons, prod);
        return -EIO;
    }
    space = XENSTORE_RING_SIZE - used;
    if (space > len)
        space = (XENSTORE_RING_IDX)len;
    if (!space)
        return 0;
    ring_copy(intf->rsp, prod, (char *)buf, space, true);
    __atomic_store_n(&intf->rsp_prod, prod + space, __ATOMIC_RELEASE);
    return space;
}

/* Transport read of a ring connection: an impossible index is the peer's fault. */
ssize_t xsd_ring_read(struct xsd_conn *c, void *buf, size_t len)
{
    struct xsd_ring *r = c->tdata;
    ssize_t n = xsd_ring_take(r->intf, buf, len);

    if (n < 0)
        c->fault = XENSTORE_ERROR_RINGIDX;
    else if (n > 0)
        r->kick(r);
    return n;
}

ssize_t xsd_ring_write(struct xsd_conn *c, const void *buf, size_t len)
{
    struct xsd_ring *r = c->tdata;
    ssize_t n = xsd_ring_put(r->intf, buf, len);

    if (n < 0)
        c->fault = XENSTORE_ERROR_RINGIDX;
    else if (n > 0)
        r->kick(r);
    return n;
}

/* A fresh connection: both rings empty (as Xen 4.17.0 does on INTRODUCE). */
void xsd_ring_reset(struct xsd_ring *r)
{
    struct xenstore_domain_interface *intf = r->intf;

    __atomic_store_n(&intf->req_cons, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->req_prod, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->rsp_cons, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->rsp_prod, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
}

/* The connection is going: if the peer broke the protocol, say why in the page. */
void xsd_ring_closed(struct xsd_conn *c)
{
    struct xsd_ring *r = c->tdata;

    if (!r || !c->fault)
        return;
    __atomic_store_n(&r->intf->error, c->fault, __ATOMIC_RELEASE);
    r->kick(r);
}

static void ring_close(struct xsd_conn *c)
{
    struct dom0_ring *r = c->tdata;

    xsd_ring_closed(c);
    xsd_poll_del(&c->poll);
    close(c->poll.fd); /* unbinds our port */
    c->poll.fd = -1;
    munmap(r->ring.intf, RING_PAGE);
    free(r);
    c->tdata = NULL;
    xsd_log("dom0 ring closed");
}

static const struct xsd_transport_ops ring_ops = {
    .name = "ring",
    .read = xsd_ring_read,
    .write = xsd_ring_write,
    .close = ring_close,
};

/* The kernel moved an index: take its requests, push our pending output. */
static void ring_event(struct xsd_pollable *p, uint32_t events)
{
    struct xsd_conn *c = (struct xsd_conn *)p;
    uint32_t port;

    (void)events;
    /* Writing a pending port back unmasks it for the next event. */
    while (read(p->fd, &port, sizeof(port)) == sizeof(port))
        if (write(p->fd, &port, sizeof(port)) != sizeof(port))
            break;
    xsd_conn_input(c);
    if (!c->dead && c->out_len)
        xsd_conn_output(c);
}

/* The store page: mmap of xenbus_backend, else xenfs's xsd_kva. */
static void *map_store_page(int backend_fd)
{
    void *p = mmap(NULL, RING_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, backend_fd, 0);
    int fd;

    if (p != MAP_FAILED)
        return p;
    fd = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    p = mmap(NULL, RING_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

int xsd_ring_dom0_attach(void)
{
    struct pvx_evtchn_bind_interdomain bi = {.remote_domain = 0};
    struct xsd_domain *d = xsd_domain_get(0);
    struct dom0_ring *r = xsd_zalloc(sizeof(*r));
    struct xsd_conn *c = NULL;
    int bfd, efd = -1, port, local;

    bfd = open("/dev/xen/xenbus_backend", O_RDWR | O_CLOEXEC);
    if (!d || !r || bfd < 0) {
        xsd_log("dom0 ring: open /dev/xen/xenbus_backend: %s", strerror(errno));
        goto fail;
    }
    port = ioctl(bfd, PVX_IOCTL_XENBUS_BACKEND_EVTCHN);
    r->ring.intf = map_store_page(bfd);
    r->ring.kick = dom0_kick;
    r->fd = -1;
    if (port <= 0 || !r->ring.intf) {
        xsd_log("dom0 ring: store port %d, page %s: %s", port, r->ring.intf ? "mapped" : "unmapped",
                strerror(errno));
        goto fail;
    }
    efd = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    bi.remote_port = (uint32_t)port;
    local = efd < 0 ? -1 : ioctl(efd, PVX_IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi);
    if (local <= 0) {
        xsd_log("dom0 ring: bind to dom0 port %d: %s", port, strerror(errno));
        goto fail;
    }
    r->port = (uint32_t)local;
    r->fd = efd;
    c = xsd_conn_new(&ring_ops, r, efd, d);
    if (!c)
        goto fail;
    c->poll.handler = ring_event;
    if (xsd_poll_add(&c->poll, EPOLLIN)) {
        xsd_conn_close(c);
        close(bfd);
        return -EIO;
    }
    close(bfd);
    d->introduced = true;
    d->evtchn = (uint32_t)port;
    xsd_log("dom0 ring: serving dom0's xenbus (dom0 port %d, ours %d)", port, local);
    /* The kernel waits for a first event before it probes xenbus; requests
     * may already be queued. */
    ring_event(&c->poll, EPOLLIN);
    if (!c->dead)
        dom0_kick(&r->ring);
    return 0;
fail:
    if (r && r->ring.intf)
        munmap(r->ring.intf, RING_PAGE);
    free(r);
    if (efd >= 0)
        close(efd);
    if (bfd >= 0)
        close(bfd);
    return -EIO;
}
