/* SPDX-License-Identifier: MIT */
/*
 * libpvxctl: event channels.  alloc_unbound goes straight to the hypervisor
 * (the control domain may allocate ports in other domains); the ports this
 * process itself listens on live in Linux's /dev/xen/evtchn, whose read
 * returns pending ports (each masked until written back).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pvxctl_priv.h"
#include "xen-devices.h"
#include <public/event_channel.h>

int pvxctl_evtchn_alloc_unbound(struct pvxctl *x, domid_t domid, domid_t remote,
                                evtchn_port_t *port)
{
    struct evtchn_alloc_unbound *a = pvxctl_buf(x, sizeof(*a));
    long rc;

    if (!a)
        return pvxctl_fail(x, domid, "alloc_unbound", -ENOMEM);
    memset(a, 0, sizeof(*a));
    a->dom = domid;
    a->remote_dom = remote;
    rc = pvxctl_hypercall(x, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, (uintptr_t)a, 0,
                          0, 0);
    if (rc)
        return pvxctl_failf(x, (int)rc, "domain %u: allocating an event channel for d%u: %s", domid,
                            remote, strerror((int)-rc));
    *port = a->port;
    return 0;
}

struct pvxctl_evtchn {
    int fd;
};

int pvxctl_evtchn_open(struct pvxctl_evtchn **out, char *err, size_t errlen)
{
    struct pvxctl_evtchn *e = malloc(sizeof(*e));

    *out = NULL;
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    e->fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (e->fd < 0) {
        int rc = -errno;

        snprintf(err, errlen,
                 "cannot open /dev/xen/evtchn: %s (run as root in dom0, with the xen-evtchn module "
                 "loaded)",
                 strerror(errno));
        free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void pvxctl_evtchn_close(struct pvxctl_evtchn *e)
{
    if (!e)
        return;
    close(e->fd);
    free(e);
}

int pvxctl_evtchn_fd(const struct pvxctl_evtchn *e)
{
    return e->fd;
}

static int evtchn_ioctl(struct pvxctl_evtchn *e, unsigned long req, void *arg)
{
    int rc = ioctl(e->fd, req, arg);

    return rc < 0 ? -errno : rc;
}

int pvxctl_evtchn_bind_interdomain(struct pvxctl_evtchn *e, domid_t remote, evtchn_port_t port)
{
    struct pvx_evtchn_bind_interdomain b = {.remote_domain = remote, .remote_port = port};

    return evtchn_ioctl(e, PVX_IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);
}

int pvxctl_evtchn_bind_virq(struct pvxctl_evtchn *e, unsigned int virq)
{
    struct pvx_evtchn_bind_virq b = {.virq = virq};

    return evtchn_ioctl(e, PVX_IOCTL_EVTCHN_BIND_VIRQ, &b);
}

int pvxctl_evtchn_unbind(struct pvxctl_evtchn *e, evtchn_port_t port)
{
    struct pvx_evtchn_port p = {.port = port};

    return evtchn_ioctl(e, PVX_IOCTL_EVTCHN_UNBIND, &p);
}

int pvxctl_evtchn_notify(struct pvxctl_evtchn *e, evtchn_port_t port)
{
    struct pvx_evtchn_port p = {.port = port};

    return evtchn_ioctl(e, PVX_IOCTL_EVTCHN_NOTIFY, &p);
}

int pvxctl_evtchn_pending(struct pvxctl_evtchn *e, evtchn_port_t *port)
{
    uint32_t p;
    ssize_t n = read(e->fd, &p, sizeof(p));

    if (n < 0)
        return -errno;
    if (n != sizeof(p))
        return -EIO;
    *port = p;
    return 0;
}

int pvxctl_evtchn_unmask(struct pvxctl_evtchn *e, evtchn_port_t port)
{
    uint32_t p = port;

    return write(e->fd, &p, sizeof(p)) == sizeof(p) ? 0 : -errno;
}
