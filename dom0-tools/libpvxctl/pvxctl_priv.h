/* SPDX-License-Identifier: MIT */
/*
 * libpvxctl internals: the handle and the two hypercall helpers every
 * operation file uses.
 *
 *   ctl.c      handle, errors, hypercalls, the bounce buffer
 *   domain.c   domctl: create, destroy, pause, info, limits, vCPU contexts
 *   host.c     sysctl and xen_version: physinfo, the log ring, version
 *   memory.c   memory_op, mmuext_op, M2P, foreign mappings
 *   evtchn.c   event channels: alloc_unbound, and /dev/xen/evtchn
 *   gnttab.c   other domains' grants through /dev/xen/gntdev
 */
#ifndef PVXCTL_PRIV_H
#define PVXCTL_PRIV_H

#include "pvxctl.h"

struct pvxctl {
    int privcmd;
    void *buf; /* locked, fork-private hypercall arguments */
    size_t buf_size;
    char err[512];
};

/* Issue a domctl/sysctl; op is copied through the bounce buffer and back. */
long pvxctl_domctl(struct pvxctl *x, struct pvx_domctl *op, uint32_t cmd, domid_t domid);
long pvxctl_sysctl(struct pvxctl *x, struct pvx_sysctl *op, uint32_t cmd);

#endif /* PVXCTL_PRIV_H */
