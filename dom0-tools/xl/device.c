/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split-driver devices in xenstore, as libxl lays them out: a frontend
 * directory the guest owns (dom0 may read it), a backend directory dom0 owns
 * (the guest may read it), and the toolstack's own copy under /libxl.  Both
 * directories are written with `state` 1 in one transaction, since Linux's
 * xenbus probes a device only when it finds it in state 1 with its peer's
 * path already there.
 *
 * Removal follows the xenbus protocol: the backend is asked to close
 * (`online` 0, `state` 5) and its driver takes it to 6 once the frontend
 * has let go; a forced removal (a domain being destroyed) deletes the
 * frontend directory first, which the backend sees as its peer gone.
 * Either way the directories are deleted at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"

#define CLOSE_TIMEOUT_MS 10000

void xlt_dev_paths(const struct xlt_dev *d, struct xlt_dev_paths *p)
{
    snprintf(p->fe, sizeof(p->fe), "/local/domain/%u/device/%s/%d", d->domid, d->kind, d->devid);
    snprintf(p->be, sizeof(p->be), "/local/domain/%u/backend/%s/%u/%d", d->backend, d->kind,
             d->domid, d->devid);
    snprintf(p->libxl, sizeof(p->libxl), "/libxl/%u/device/%s/%d", d->domid, d->kind, d->devid);
}

struct add {
    const struct xlt_dev *d;
    const char *const *fe_kv, *const *be_kv;
};

/* Write the pairs under dir; a key ending in '!' is written read-only to
 * the guest (owned by the backend domain), as libxl does for vif `mtu`. */
static int write_pairs(struct xlt *t, xs_transaction_t tx, const struct xlt_dev *d, const char *dir,
                       const char *const *kv)
{
    char path[256];
    int rc = 0;

    for (; !rc && kv && kv[0]; kv += 2) {
        size_t len = strlen(kv[0]);
        bool ro = len && kv[0][len - 1] == '!';

        snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(ro ? len - 1 : len), kv[0]);
        rc = xlt_write(t, tx, path, kv[1]);
        if (!rc && ro)
            rc = xlt_set_perms(t, tx, path, d->backend, false, d->domid);
    }
    return rc;
}

static int add_tx(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct add *a = arg;
    const struct xlt_dev *d = a->d;
    struct xlt_dev_paths p;
    char path[300], num[16];
    int rc;

    xlt_dev_paths(d, &p);
    /* A leftover of an earlier device with this id goes first. */
    rc = xlt_rm(t, tx, p.fe);
    if (!rc)
        rc = xlt_rm(t, tx, p.be);
    if (!rc)
        rc = xlt_mkdir(t, tx, p.fe, d->domid, false, d->backend);
    if (!rc)
        rc = xlt_mkdir(t, tx, p.be, d->backend, false, d->domid);
    snprintf(num, sizeof(num), "%u", d->backend);
    {
        const char *fe[] = {"backend", p.be, "backend-id", num, "state", "1", NULL};

        if (!rc)
            rc = write_pairs(t, tx, d, p.fe, fe);
    }
    snprintf(num, sizeof(num), "%u", d->domid);
    {
        const char *be[] = {"frontend", p.fe,    "frontend-id", num, "online",
                            "1",        "state", "1",           NULL};

        if (!rc)
            rc = write_pairs(t, tx, d, p.be, be);
    }
    if (!rc)
        rc = write_pairs(t, tx, d, p.fe, a->fe_kv);
    if (!rc)
        rc = write_pairs(t, tx, d, p.be, a->be_kv);
    /* The toolstack's record of the device. */
    if (!rc)
        rc = xlt_mkdir(t, tx, p.libxl, 0, false, DOMID_INVALID);
    snprintf(path, sizeof(path), "%s/frontend", p.libxl);
    if (!rc)
        rc = xlt_write(t, tx, path, p.fe);
    snprintf(path, sizeof(path), "%s/backend", p.libxl);
    if (!rc)
        rc = xlt_write(t, tx, path, p.be);
    return rc;
}

int xlt_dev_add(struct xlt *t, const struct xlt_dev *d, const char *const *fe_kv,
                const char *const *be_kv)
{
    struct add a = {d, fe_kv, be_kv};

    return xlt_transaction(t, add_tx, &a);
}

int xlt_dev_state(struct xlt *t, const char *dir)
{
    char *v = xlt_read(t, XBT_NULL, "%s/state", dir), *end;
    long s;

    if (!v)
        return XenbusStateUnknown;
    s = strtol(v, &end, 10);
    if (*end || end == v || s < 0 || s > XenbusStateReconfigured)
        s = XenbusStateUnknown;
    free(v);
    return (int)s;
}

int xlt_dev_wait_state(struct xlt *t, const char *dir, int state, int timeout_ms)
{
    char path[300];
    int64_t deadline = xlt_now_ms() + timeout_ms;
    int rc = -ETIMEDOUT;

    snprintf(path, sizeof(path), "%s/state", dir);
    if (!xs_watch(t->xs, path, "xlt-dev"))
        return -errno;
    while (xlt_now_ms() < deadline) {
        int now = xlt_dev_state(t, dir);

        if (now == state) {
            rc = 0;
            break;
        }
        /* Closed is final: a device that went there will not come back. */
        if (now == XenbusStateClosed && state != XenbusStateClosed) {
            rc = -EIO;
            break;
        }
        xlt_watch_event(t, 200);
    }
    xs_unwatch(t->xs, path, "xlt-dev");
    return rc;
}

struct close_req {
    const struct xlt_dev *d;
    bool force;
};

static int close_tx(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct close_req *c = arg;
    struct xlt_dev_paths p;
    char path[300];
    int rc;

    xlt_dev_paths(c->d, &p);
    snprintf(path, sizeof(path), "%s/online", p.be);
    rc = xlt_write(t, tx, path, "0");
    snprintf(path, sizeof(path), "%s/state", p.be);
    if (!rc && xlt_dev_state(t, p.be) != XenbusStateClosed)
        rc = xlt_write(t, tx, path, "5");
    if (!rc && c->force)
        rc = xlt_rm(t, tx, p.fe);
    return rc;
}

int xlt_dev_close(struct xlt *t, const struct xlt_dev *d, bool force)
{
    struct close_req c = {d, force};
    struct xlt_dev_paths p;
    char *be;

    xlt_dev_paths(d, &p);
    be = xlt_read(t, XBT_NULL, "%s", p.be);
    if (!be)
        return -ENODEV;
    free(be);
    return xlt_transaction(t, close_tx, &c);
}

int xlt_dev_wait_closed(struct xlt *t, const struct xlt_dev *d)
{
    struct xlt_dev_paths p;

    xlt_dev_paths(d, &p);
    return xlt_dev_wait_state(t, p.be, XenbusStateClosed, CLOSE_TIMEOUT_MS);
}

static int forget_tx(struct xlt *t, xs_transaction_t tx, void *arg)
{
    struct xlt_dev_paths p;
    int rc;

    xlt_dev_paths(arg, &p);
    rc = xlt_rm_prune(t, tx, p.fe);
    if (!rc)
        rc = xlt_rm_prune(t, tx, p.be);
    if (!rc)
        rc = xlt_rm_prune(t, tx, p.libxl);
    return rc;
}

int xlt_dev_forget(struct xlt *t, const struct xlt_dev *d)
{
    return xlt_transaction(t, forget_tx, (void *)d);
}

int xlt_dev_list(struct xlt *t, domid_t domid, const char *kind, int *devids, int max)
{
    char path[128];
    unsigned int num = 0;
    char **ents;
    int n = 0;

    snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", kind, domid);
    ents = xs_directory(t->xs, XBT_NULL, path, &num);
    for (unsigned int i = 0; ents && i < num && n < max; i++) {
        char *end;
        long id = strtol(ents[i], &end, 10);

        if (!*end && end != ents[i] && id >= 0)
            devids[n++] = (int)id;
    }
    free(ents);
    /* In id order, as xl lists them. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && devids[j - 1] > devids[j]; j--) {
            int tmp = devids[j];

            devids[j] = devids[j - 1];
            devids[j - 1] = tmp;
        }
    return n;
}
