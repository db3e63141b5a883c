/* SPDX-License-Identifier: MIT */
/* libpvxctl: the host, through sysctl (include/public/sysctl.h) and xen_version. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pvxctl_priv.h"
#include <public/version.h>

int pvxctl_physinfo(struct pvxctl *x, struct pvx_sysctl_physinfo *info)
{
    struct pvx_sysctl op = {0};
    long rc = pvxctl_sysctl(x, &op, PVX_SYSCTL_physinfo);

    if (rc)
        return pvxctl_fail(x, DOMID_INVALID, "physinfo", (int)rc);
    memcpy(info, &op.u.physinfo, sizeof(*info));
    return 0;
}

int pvxctl_readconsole(struct pvxctl *x, char *buf, uint32_t len, uint32_t *index, bool incremental,
                       bool clear)
{
    struct pvx_sysctl op = {0};
    char *b = pvxctl_buf(x, sizeof(op) + len);
    long rc;

    if (!b)
        return pvxctl_fail(x, DOMID_INVALID, "readconsole", -ENOMEM);
    op.u.readconsole.clear = clear;
    op.u.readconsole.incremental = incremental;
    op.u.readconsole.index = index ? *index : 0;
    op.u.readconsole.count = len;
    set_xen_guest_handle(op.u.readconsole.buffer, b + sizeof(op));
    rc = pvxctl_sysctl(x, &op, PVX_SYSCTL_readconsole);
    if (rc)
        return pvxctl_fail(x, DOMID_INVALID, "readconsole", (int)rc);
    if (op.u.readconsole.count > len)
        return pvxctl_failf(x, -EIO, "readconsole: pvx returned %u bytes for %u",
                            op.u.readconsole.count, len);
    memcpy(buf, b + sizeof(op), op.u.readconsole.count);
    if (index)
        *index = op.u.readconsole.index;
    return (int)op.u.readconsole.count;
}

int pvxctl_version(struct pvxctl *x, unsigned int *major, unsigned int *minor, char *extra,
                   size_t len)
{
    char *b = pvxctl_buf(x, sizeof(xen_extraversion_t));
    long v, rc;

    if (!b)
        return pvxctl_fail(x, DOMID_INVALID, "xen_version", -ENOMEM);
    v = pvxctl_hypercall(x, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    if (v < 0)
        return pvxctl_fail(x, DOMID_INVALID, "xen_version", (int)v);
    *major = (unsigned int)(v >> 16);
    *minor = (unsigned int)(v & 0xffff);
    memset(b, 0, sizeof(xen_extraversion_t));
    rc = pvxctl_hypercall(x, __HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)b, 0, 0, 0);
    if (rc < 0)
        return pvxctl_fail(x, DOMID_INVALID, "xen_version extraversion", (int)rc);
    snprintf(extra, len, "%.*s", (int)sizeof(xen_extraversion_t), b);
    return 0;
}
