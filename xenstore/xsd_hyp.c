/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: the guest backend's hypervisor calls, through libpvxctl
 * (dom0-tools/libpvxctl): foreign mappings and getdomaininfo through
 * /dev/xen/privcmd, and one /dev/xen/evtchn handle for every port we bind
 * (the guests' store channels and VIRQ_DOM_EXC).  That handle's fd is in the
 * epoll loop; each pending port is handed to xsd_guest_port_event().
 *
 * Linked into the daemon only: the unit tests use fakes instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "xenstored.h"
#include "xen-devices.h"
#include "libpvxctl/pvxctl.h"

/* Ports handled per wakeup, so a guest that never stops notifying cannot
 * keep the loop from everything else (epoll reports the rest next turn). */
#define EVENTS_PER_TURN 64

static struct pvxctl *px;
static struct pvxctl_evtchn *xe;
static struct xsd_pollable evp = {.fd = -1};

/* Our bound ports, to unmask after the event device overflowed. */
static uint32_t *ports;
static size_t nports, ports_cap;

static int track_port(int port)
{
    if (port < 0)
        return port;
    if (nports == ports_cap) {
        size_t nc = ports_cap ? ports_cap * 2 : 64;
        uint32_t *np = realloc(ports, nc * sizeof(*np));

        if (!np) {
            pvxctl_evtchn_unbind(xe, (evtchn_port_t)port);
            return -ENOMEM;
        }
        ports = np;
        ports_cap = nc;
    }
    ports[nports++] = (uint32_t)port;
    return port;
}

/* The type pvx gives frame mfn of domid (PVX_DOMCTL_PFINFO_*, XTAB: not domid's). */
static int frame_type(uint32_t domid, uint64_t mfn, uint64_t *type)
{
    struct pvx_domctl *op = pvxctl_buf(px, sizeof(*op) + sizeof(xen_pfn_t));
    xen_pfn_t *entry;
    long rc;

    if (!op)
        return -ENOMEM;
    entry = (xen_pfn_t *)(op + 1);
    memset(op, 0, sizeof(*op));
    op->cmd = PVX_DOMCTL_getpageframeinfo;
    op->interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    op->domain = (domid_t)domid;
    op->u.getpageframeinfo.num = 1;
    set_xen_guest_handle(op->u.getpageframeinfo.array, entry);
    *entry = mfn;
    rc = pvxctl_hypercall(px, __HYPERVISOR_domctl, (uintptr_t)op, 0, 0, 0, 0);
    if (rc)
        return (int)rc;
    *type = *entry >> PVX_DOMCTL_PFINFO_SHIFT;
    return 0;
}

static int hyp_map(uint32_t domid, uint64_t mfn, void **page)
{
    xen_pfn_t frame = mfn;
    uint64_t type = PVX_DOMCTL_PFINFO_XTAB;
    int ret;

    /* dom0 may map I/O memory of no domain's: only a plain page of the
     * guest's own is its store page. */
    ret = mfn & ~PVX_DOMCTL_PFINFO_FRAME_MASK ? -EINVAL : frame_type(domid, mfn, &type);
    if (ret || type != PVX_DOMCTL_PFINFO_NOTAB) {
        xsd_log(
            "domain %u: frame %#llx is not a page of its own (getpageframeinfo: %d, type %#llx)",
            domid, (unsigned long long)mfn, ret, (unsigned long long)type);
        return -EINVAL;
    }
    *page = pvxctl_map_foreign(px, (domid_t)domid, PROT_READ | PROT_WRITE, &frame, 1, NULL);
    if (*page)
        return 0;
    xsd_log("%s", pvxctl_error(px));
    return -EINVAL;
}

static void hyp_unmap(void *page)
{
    pvxctl_unmap(page, 1);
}

static int hyp_bind(uint32_t domid, uint32_t remote_port)
{
    return track_port(pvxctl_evtchn_bind_interdomain(xe, (domid_t)domid, remote_port));
}

static int hyp_bind_virq(uint32_t virq)
{
    return track_port(pvxctl_evtchn_bind_virq(xe, virq));
}

static void hyp_unbind(uint32_t port)
{
    size_t i;

    for (i = 0; i < nports; i++) {
        if (ports[i] == port) {
            ports[i] = ports[--nports];
            break;
        }
    }
    pvxctl_evtchn_unbind(xe, port);
}

static void hyp_notify(uint32_t port)
{
    pvxctl_evtchn_notify(xe, port);
}

static int hyp_domain_info(uint32_t domid, uint32_t *flags)
{
    pvxctl_dominfo_t info;
    int ret = pvxctl_domain_info(px, (domid_t)domid, &info);

    if (!ret)
        *flags = info.flags;
    return ret;
}

static const struct xsd_hyp_ops pvxctl_ops = {
    .map = hyp_map,
    .unmap = hyp_unmap,
    .bind = hyp_bind,
    .bind_virq = hyp_bind_virq,
    .unbind = hyp_unbind,
    .notify = hyp_notify,
    .domain_info = hyp_domain_info,
};

/* The device queued more ports than it holds: start over and look at everything. */
static void overflowed(void)
{
    size_t i;

    xsd_log("event channel device overflowed; checking every guest");
    ioctl(evp.fd, PVX_IOCTL_EVTCHN_RESET);
    for (i = 0; i < nports; i++)
        pvxctl_evtchn_unmask(xe, ports[i]);
    xsd_guest_event_all();
}

static void evtchn_event(struct xsd_pollable *p, uint32_t events)
{
    evtchn_port_t port;
    int i, ret = 0;

    (void)p;
    (void)events;
    for (i = 0; i < EVENTS_PER_TURN; i++) {
        ret = pvxctl_evtchn_pending(xe, &port);
        if (ret)
            break;
        /* Unmask first: an event that comes while we serve is not lost. */
        pvxctl_evtchn_unmask(xe, port);
        xsd_guest_port_event(port);
    }
    if (ret == -EFBIG)
        overflowed();
    else if (ret && ret != -EAGAIN && ret != -EINTR)
        xsd_log("reading /dev/xen/evtchn: %s", strerror(-ret));
}

const struct xsd_hyp_ops *xsd_hyp_open(void)
{
    char err[256];
    int ret;

    ret = pvxctl_open(&px);
    if (ret) {
        xsd_log("guest rings: %s", pvxctl_open_error());
        goto out;
    }
    ret = pvxctl_evtchn_open(&xe, err, sizeof(err));
    if (ret) {
        xsd_log("guest rings: %s", err);
        goto out;
    }
    evp.fd = pvxctl_evtchn_fd(xe);
    evp.handler = evtchn_event;
    ret = xsd_poll_add(&evp, EPOLLIN);
    if (ret)
        xsd_log("guest rings: epoll: %s", strerror(-ret));
out:
    if (!ret)
        return &pvxctl_ops;
    xsd_hyp_close();
    return NULL;
}

/* After xsd_guest_fini(). */
void xsd_hyp_close(void)
{
    if (xe) {
        xsd_poll_del(&evp);
        pvxctl_evtchn_close(xe);
    }
    xe = NULL;
    evp.fd = -1;
    pvxctl_close(px);
    px = NULL;
    free(ports);
    ports = NULL;
    nports = ports_cap = 0;
}
