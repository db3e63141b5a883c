/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Taking a domain apart, in libxl's order: pause it, take its devices
 * down, remove its xenstore nodes (its own tree, /vm/<uuid>, /libxl/N and
 * the console backend dom0 keeps for it), release it from xenstored, forget its saved config, and
 * only then destroy it in the hypervisor.  Each step tolerates what an
 * earlier, interrupted attempt already did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "toolstack.h"

struct nodes {
    domid_t domid;
    char *vm;
};

static int remove_nodes(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct nodes *n = arg;
    char path[128];
    int rc = 0;

    if (n->vm && !strncmp(n->vm, "/vm/", 4))
        rc = xlt_rm(t, tx, n->vm);
    snprintf(path, sizeof(path), "/local/domain/%u", n->domid);
    if (!rc)
        rc = xlt_rm(t, tx, path);
    snprintf(path, sizeof(path), "/libxl/%u", n->domid);
    if (!rc)
        rc = xlt_rm(t, tx, path);
    snprintf(path, sizeof(path), "/local/domain/0/backend/console/%u", n->domid);
    if (!rc)
        rc = xlt_rm_prune(t, tx, path);
    return rc;
}

void xlt_remove_devices(struct xlt *t, domid_t domid)
{
    int ids[64], n;

    n = xlt_dev_list(t, domid, "vbd", ids, 64);
    for (int i = 0; i < n; i++)
        xlt_vbd_remove(t, domid, ids[i], true);
    n = xlt_dev_list(t, domid, "vif", ids, 64);
    for (int i = 0; i < n; i++)
        xlt_vif_remove(t, domid, ids[i], true);
}

int xlt_destroy(struct xlt *t, domid_t domid)
{
    struct nodes n = {.domid = domid};
    pvxctl_dominfo_t info;
    int rc;

    if (domid == 0)
        return -EINVAL;
    rc = pvxctl_domain_info(t->ctl, domid, &info);
    if (rc)
        return rc;
    /* A dying domain is already on its way: destroying it again is quick. */
    if (!(info.flags & (PVX_DOMINF_dying | PVX_DOMINF_paused)))
        pvxctl_domain_pause(t->ctl, domid);
    xlt_remove_devices(t, domid);
    n.vm = xlt_read(t, XBT_NULL, "/local/domain/%u/vm", domid);
    rc = xlt_transaction(t, remove_nodes, &n);
    free(n.vm);
    if (rc)
        xlt_err("domain %u: removing its xenstore nodes: %s", domid, strerror(-rc));
    if (!xs_release_domain(t->xs, domid) && errno != ENOENT && errno != EINVAL)
        xlt_info(t, "domain %u: xenstored release: %s", domid, strerror(errno));
    xlt_saved_remove(domid);
    rc = pvxctl_domain_destroy(t->ctl, domid);
    if (rc)
        xlt_err("%s", pvxctl_error(t->ctl));
    return rc;
}
