/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Split-driver devices: the xenstore side common to every kind (device.c),
 * disks (vbd.c) and network interfaces (vif.c).
 */
#ifndef PVX_XL_DEVICE_H
#define PVX_XL_DEVICE_H

#include <public/io/xenbus.h>

#include "domcfg.h"
#include "toolstack.h"

struct xlt_dev {
    const char *kind; /* "vbd", "vif" */
    domid_t domid;    /* the guest (frontend) */
    domid_t backend;  /* the backend's domain: 0 */
    int devid;
};

struct xlt_dev_paths {
    char fe[96], be[96], libxl[96];
};

void xlt_dev_paths(const struct xlt_dev *d, struct xlt_dev_paths *p);

/*
 * Write the frontend and backend directories (state 1, their ACLs, the
 * peer's path and id, backend `online` 1) and the /libxl record, plus the
 * kind's own keys: fe_kv and be_kv are NULL-terminated {key, value, ...}
 * lists; a key ending in '!' is made read-only to the guest.
 */
int xlt_dev_add(struct xlt *t, const struct xlt_dev *d, const char *const *fe_kv,
                const char *const *be_kv);
/* A directory's `state` (XenbusStateUnknown when absent or garbage). */
int xlt_dev_state(struct xlt *t, const char *dir);
/* Wait for the directory's state; -ETIMEDOUT, or -EIO if it closed instead. */
int xlt_dev_wait_state(struct xlt *t, const char *dir, int state, int timeout_ms);
/* Ask the backend to close (online 0, state 5); force: also delete the
 * frontend directory first, as for a domain being destroyed.  -ENODEV if
 * there is no such device. */
int xlt_dev_close(struct xlt *t, const struct xlt_dev *d, bool force);
/* Wait (10 s at most) for the backend to reach Closed. */
int xlt_dev_wait_closed(struct xlt *t, const struct xlt_dev *d);
/* Delete the frontend, backend and /libxl directories. */
int xlt_dev_forget(struct xlt *t, const struct xlt_dev *d);
/* The domain's device ids of a kind (from its backend directories), sorted. */
int xlt_dev_list(struct xlt *t, domid_t domid, const char *kind, int *devids, int max);

/* destroy.c: all of a domain's disks and interfaces, forcibly (a domain
 * being destroyed): the backends let go of its rings and grants, loop
 * devices are freed, nodes deleted. */
void xlt_remove_devices(struct xlt *t, domid_t domid);

/* ---- vbd.c: disks -------------------------------------------------------------- */

/* Check what can be checked before a domain exists (the target is there,
 * readable, writable if access is); err says what to do. */
int xlt_vbd_check(const struct pvx_domcfg_disk *disk, char *err, size_t errlen);
/* Attach: a loop device for a file image, then the device nodes. */
int xlt_vbd_add(struct xlt *t, domid_t domid, const struct pvx_domcfg_disk *disk);
/* Detach: close (forced for a dying guest), wait, free its loop device,
 * delete its nodes. */
int xlt_vbd_remove(struct xlt *t, domid_t domid, int devid, bool force);
/* The disk as an xl disk spec (key=value form), for saved configurations. */
void xlt_vbd_spec(const struct pvx_domcfg_disk *disk, char *buf, size_t len);

/* ---- vif.c: network interfaces ---------------------------------------------------- */

int xlt_vif_check(const struct pvx_nic *nic, char *err, size_t errlen);
/* Attach: the nodes, then netback's vif<domid>.<handle> into its bridge. */
int xlt_vif_add(struct xlt *t, domid_t domid, const struct pvx_nic *nic);
int xlt_vif_remove(struct xlt *t, domid_t domid, int devid, bool force);
/* The interface as an xl vif spec (mac, bridge, ip, vifname, mtu). */
void xlt_vif_spec(const struct pvx_nic *nic, char *buf, size_t len);

#endif
