/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The toolstack interface (include/public/domctl.h and sysctl.h).
 *
 *   domctl.c   per-domain control: create, destroy, pause, info, limits,
 *              vCPU contexts, frame types, I/O rights, time, scheduling
 *   domctl_vcpu.c  vCPU placement: affinity, which CPU a vCPU runs on
 *   sysctl.c   host-wide: the log ring, physical info, the domain list
 */
#ifndef PVX_DOMCTL_H
#define PVX_DOMCTL_H

#include <public/domctl.h>

struct domain;

/* Describe d as getdomaininfo does (shared with sysctl's domain list). */
void domctl_fill_info(const struct domain *d, struct pvx_domctl_getdomaininfo *info);

/* domctl_vcpu.c: setvcpuaffinity / getvcpuaffinity, getvcpuinfo. */
long domctl_vcpuaffinity(struct domain *d, struct pvx_domctl_vcpuaffinity *a, bool set);
long domctl_getvcpuinfo(struct domain *d, struct pvx_domctl_getvcpuinfo *info);

long do_domctl(uint64_t op, uint64_t, uint64_t, uint64_t, uint64_t);
long do_sysctl(uint64_t op, uint64_t, uint64_t, uint64_t, uint64_t);

#endif
