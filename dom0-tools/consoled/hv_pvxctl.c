/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's hypervisor seam on libpvxctl: the domain list, foreign
 * mappings of console frames, event channels on one /dev/xen/evtchn fd and
 * the hypervisor's log.  Nothing here knows about consoles.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "consoled.h"
#include "pvxctl.h"

struct hv_pvxctl {
    struct cons_hv ops; /* first: the seam's pointer is this struct's */
    struct pvxctl *x;
    struct pvxctl_evtchn *e;
    char err[256];
};

static struct hv_pvxctl *of(struct cons_hv *hv)
{
    return (struct hv_pvxctl *)hv;
}

static int evtchn_failed(struct cons_hv *hv, int rc, const char *what)
{
    snprintf(of(hv)->err, sizeof(of(hv)->err), "%s: %s", what, strerror(-rc));
    return rc;
}

static int hv_list(struct cons_hv *hv, domid_t first, struct cons_dominfo *out, unsigned int max)
{
    pvxctl_dominfo_t info[64];
    int n;

    if (max > 64)
        max = 64;
    n = pvxctl_domain_list(of(hv)->x, first, info, max);
    if (n < 0) {
        snprintf(of(hv)->err, sizeof(of(hv)->err), "%s", pvxctl_error(of(hv)->x));
        return n;
    }
    for (int i = 0; i < n; i++)
        out[i] = (struct cons_dominfo){.domid = info[i].domain,
                                       .dying = !!(info[i].flags & PVX_DOMINF_dying)};
    return n;
}

static int hv_map_ring(struct cons_hv *hv, domid_t domid, uint64_t frame, void **page)
{
    xen_pfn_t mfn = frame;

    *page = pvxctl_map_foreign(of(hv)->x, domid, PROT_READ | PROT_WRITE, &mfn, 1, NULL);
    if (*page)
        return 0;
    snprintf(of(hv)->err, sizeof(of(hv)->err), "%s", pvxctl_error(of(hv)->x));
    return -EINVAL;
}

static void hv_unmap_ring(struct cons_hv *hv, void *page)
{
    (void)hv;
    pvxctl_unmap(page, 1);
}

static int hv_evtchn_fd(struct cons_hv *hv)
{
    return pvxctl_evtchn_fd(of(hv)->e);
}

static int hv_bind(struct cons_hv *hv, domid_t domid, uint32_t remote_port)
{
    int rc = pvxctl_evtchn_bind_interdomain(of(hv)->e, domid, remote_port);

    return rc < 0 ? evtchn_failed(hv, rc, "bind_interdomain") : rc;
}

static int hv_bind_virq(struct cons_hv *hv, unsigned int virq)
{
    int rc = pvxctl_evtchn_bind_virq(of(hv)->e, virq);

    return rc < 0 ? evtchn_failed(hv, rc, "bind_virq") : rc;
}

static int hv_unbind(struct cons_hv *hv, uint32_t port)
{
    int rc = pvxctl_evtchn_unbind(of(hv)->e, port);

    return rc < 0 ? evtchn_failed(hv, rc, "unbind") : 0;
}

static int hv_notify(struct cons_hv *hv, uint32_t port)
{
    int rc = pvxctl_evtchn_notify(of(hv)->e, port);

    return rc < 0 ? evtchn_failed(hv, rc, "notify") : 0;
}

static int hv_pending(struct cons_hv *hv, uint32_t *port)
{
    evtchn_port_t p;
    int rc = pvxctl_evtchn_pending(of(hv)->e, &p);

    if (!rc)
        *port = p;
    return rc;
}

static int hv_unmask(struct cons_hv *hv, uint32_t port)
{
    return pvxctl_evtchn_unmask(of(hv)->e, port);
}

static int hv_readconsole(struct cons_hv *hv, char *buf, uint32_t len, uint32_t *index)
{
    int n = pvxctl_readconsole(of(hv)->x, buf, len, index, true, false);

    if (n < 0)
        snprintf(of(hv)->err, sizeof(of(hv)->err), "%s", pvxctl_error(of(hv)->x));
    return n;
}

static const char *hv_error(struct cons_hv *hv)
{
    return of(hv)->err;
}

static void hv_close(struct cons_hv *hv)
{
    if (!hv)
        return;
    pvxctl_evtchn_close(of(hv)->e);
    pvxctl_close(of(hv)->x);
    free(of(hv));
}

int cons_hv_pvxctl_open(struct cons_hv **out, char *err, size_t errlen)
{
    struct hv_pvxctl *h = calloc(1, sizeof(*h));
    int rc;

    *out = NULL;
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    h->ops = (struct cons_hv){
        .list = hv_list,
        .map_ring = hv_map_ring,
        .unmap_ring = hv_unmap_ring,
        .evtchn_fd = hv_evtchn_fd,
        .bind = hv_bind,
        .bind_virq = hv_bind_virq,
        .unbind = hv_unbind,
        .notify = hv_notify,
        .pending = hv_pending,
        .unmask = hv_unmask,
        .readconsole = hv_readconsole,
        .error = hv_error,
        .close = hv_close,
    };
    rc = pvxctl_open(&h->x);
    if (rc) {
        snprintf(err, errlen, "%s", pvxctl_open_error());
        goto out;
    }
    rc = pvxctl_evtchn_open(&h->e, err, errlen);
    if (rc)
        goto out;
    *out = &h->ops;
    h = NULL;
out:
    if (h) {
        pvxctl_close(h->x);
        free(h);
    }
    return rc;
}
