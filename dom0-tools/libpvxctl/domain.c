/* SPDX-License-Identifier: MIT */
/* libpvxctl: domains, through pvx's domctl (include/public/domctl.h). */
#include <errno.h>
#include <string.h>

#include "pvxctl_priv.h"
#include <public/sched.h>

int pvxctl_domain_create(struct pvxctl *x, const struct pvxctl_create *c, domid_t *domid)
{
    struct pvx_domctl op = {0};
    struct pvx_domctl_createdomain *cd = &op.u.createdomain;
    long rc;

    cd->max_vcpus = c->max_vcpus;
    cd->flags = c->flags;
    cd->max_pages = c->max_pages;
    cd->max_grant_frames = c->max_grant_frames;
    cd->max_maptrack_frames = c->max_maptrack_frames;
    cd->max_evtchn_port = c->max_evtchn_port;
    memcpy(cd->handle, c->uuid, sizeof(cd->handle));
    if (c->name && strlen(c->name) >= sizeof(cd->name))
        return pvxctl_failf(x, -EINVAL, "createdomain: the name '%s' is longer than %zu bytes",
                            c->name, sizeof(cd->name) - 1);
    if (c->name)
        strcpy(cd->name, c->name);
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_createdomain, *domid);
    if (rc)
        return pvxctl_fail(x, *domid, "createdomain", (int)rc);
    *domid = op.domain;
    return 0;
}

/* An operation with no arguments. */
static int simple(struct pvxctl *x, domid_t domid, uint32_t cmd, const char *name)
{
    struct pvx_domctl op = {0};
    long rc = pvxctl_domctl(x, &op, cmd, domid);

    return rc ? pvxctl_fail(x, domid, name, (int)rc) : 0;
}

int pvxctl_domain_destroy(struct pvxctl *x, domid_t domid)
{
    return simple(x, domid, PVX_DOMCTL_destroydomain, "destroydomain");
}

int pvxctl_domain_pause(struct pvxctl *x, domid_t domid)
{
    return simple(x, domid, PVX_DOMCTL_pausedomain, "pausedomain");
}

int pvxctl_domain_unpause(struct pvxctl *x, domid_t domid)
{
    return simple(x, domid, PVX_DOMCTL_unpausedomain, "unpausedomain");
}

int pvxctl_domain_info(struct pvxctl *x, domid_t domid, pvxctl_dominfo_t *info)
{
    struct pvx_domctl op = {0};
    long rc = pvxctl_domctl(x, &op, PVX_DOMCTL_getdomaininfo, domid);

    /* getdomaininfo answers the next domain up; only an exact match counts. */
    if (!rc && op.u.getdomaininfo.domain != domid)
        rc = -ESRCH;
    if (rc)
        return pvxctl_fail(x, domid, "getdomaininfo", (int)rc);
    memcpy(info, &op.u.getdomaininfo, sizeof(*info));
    return 0;
}

int pvxctl_domain_list(struct pvxctl *x, domid_t first, pvxctl_dominfo_t *infos, unsigned int max)
{
    struct pvx_sysctl op = {0};
    size_t bytes = sizeof(op) + (size_t)max * sizeof(*infos);
    char *b = pvxctl_buf(x, bytes);
    long rc;

    if (!b)
        return pvxctl_fail(x, DOMID_INVALID, "getdomaininfolist", -ENOMEM);
    op.u.getdomaininfolist.first_domain = first;
    op.u.getdomaininfolist.max_domains = max;
    set_xen_guest_handle(op.u.getdomaininfolist.buffer, (void *)(b + sizeof(op)));
    rc = pvxctl_sysctl(x, &op, PVX_SYSCTL_getdomaininfolist);
    if (rc)
        return pvxctl_fail(x, DOMID_INVALID, "getdomaininfolist", (int)rc);
    if (op.u.getdomaininfolist.num_domains > max)
        return pvxctl_failf(x, -EIO, "getdomaininfolist: pvx returned %u domains for %u slots",
                            op.u.getdomaininfolist.num_domains, max);
    memcpy(infos, b + sizeof(op), op.u.getdomaininfolist.num_domains * sizeof(*infos));
    return (int)op.u.getdomaininfolist.num_domains;
}

int pvxctl_domain_max_mem(struct pvxctl *x, domid_t domid, uint64_t max_pages)
{
    struct pvx_domctl op = {0};
    long rc;

    op.u.max_mem.max_pages = max_pages;
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_max_mem, domid);
    return rc ? pvxctl_fail(x, domid, "max_mem", (int)rc) : 0;
}

int pvxctl_domain_max_vcpus(struct pvxctl *x, domid_t domid, uint32_t max)
{
    struct pvx_domctl op = {0};
    long rc;

    op.u.max_vcpus.max = max;
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_max_vcpus, domid);
    return rc ? pvxctl_fail(x, domid, "max_vcpus", (int)rc) : 0;
}

static int vcpucontext(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                       struct vcpu_guest_context *ctx, bool set)
{
    struct pvx_domctl op = {0};
    char *b = pvxctl_buf(x, sizeof(op) + sizeof(*ctx));
    struct vcpu_guest_context *bctx = (void *)(b + sizeof(op));
    const char *name = set ? "setvcpucontext" : "getvcpucontext";
    long rc;

    if (!b)
        return pvxctl_fail(x, domid, name, -ENOMEM);
    if (set)
        memcpy(bctx, ctx, sizeof(*ctx));
    op.u.vcpucontext.vcpu = vcpu;
    set_xen_guest_handle(op.u.vcpucontext.ctxt, bctx);
    rc = pvxctl_domctl(x, &op, set ? PVX_DOMCTL_setvcpucontext : PVX_DOMCTL_getvcpucontext, domid);
    if (rc)
        return pvxctl_failf(x, (int)rc, "domain %u: %s of vCPU %u: %s", domid, name, vcpu,
                            strerror((int)-rc));
    if (!set)
        memcpy(ctx, bctx, sizeof(*ctx));
    return 0;
}

int pvxctl_vcpu_setcontext(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                           const struct vcpu_guest_context *ctx)
{
    return vcpucontext(x, domid, vcpu, (struct vcpu_guest_context *)ctx, true);
}

int pvxctl_vcpu_getcontext(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                           struct vcpu_guest_context *ctx)
{
    return vcpucontext(x, domid, vcpu, ctx, false);
}

int pvxctl_hypercall_init(struct pvxctl *x, domid_t domid, uint64_t gmfn)
{
    struct pvx_domctl op = {0};
    long rc;

    op.u.hypercall_init.gmfn = gmfn;
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_hypercall_init, domid);
    return rc ? pvxctl_fail(x, domid, "hypercall_init", (int)rc) : 0;
}

int pvxctl_sched_get(struct pvxctl *x, domid_t domid, uint16_t *weight, uint16_t *cap)
{
    struct pvx_domctl op = {0};
    long rc;

    op.u.scheduler_op.cmd = PVX_DOMCTL_SCHEDOP_getinfo;
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_scheduler_op, domid);
    if (rc)
        return pvxctl_fail(x, domid, "scheduler getinfo", (int)rc);
    *weight = op.u.scheduler_op.weight;
    *cap = op.u.scheduler_op.cap;
    return 0;
}

int pvxctl_sched_set(struct pvxctl *x, domid_t domid, uint16_t weight, uint16_t cap)
{
    struct pvx_domctl op = {0};
    long rc;

    op.u.scheduler_op.cmd = PVX_DOMCTL_SCHEDOP_putinfo;
    op.u.scheduler_op.weight = weight;
    op.u.scheduler_op.cap = cap;
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_scheduler_op, domid);
    return rc ? pvxctl_fail(x, domid, "scheduler putinfo", (int)rc) : 0;
}

int pvxctl_vcpu_info(struct pvxctl *x, domid_t domid, uint32_t vcpu,
                     struct pvx_domctl_getvcpuinfo *info)
{
    struct pvx_domctl op = {0};
    long rc;

    op.u.getvcpuinfo.vcpu = vcpu;
    rc = pvxctl_domctl(x, &op, PVX_DOMCTL_getvcpuinfo, domid);
    if (rc)
        return pvxctl_fail(x, domid, "getvcpuinfo", (int)rc);
    *info = op.u.getvcpuinfo;
    return 0;
}

/* Both CPU sets as 64-bit masks through the bounce buffer (bit n: CPU n). */
static int vcpuaffinity(struct pvxctl *x, domid_t domid, uint32_t vcpu, uint64_t *hard,
                        uint64_t *soft, bool set)
{
    struct pvx_domctl op = {0};
    char *b = pvxctl_buf(x, sizeof(op) + 2 * sizeof(uint64_t));
    uint64_t *maps = (void *)(b + sizeof(op));
    const char *name = set ? "setvcpuaffinity" : "getvcpuaffinity";
    long rc;

    if (!b)
        return pvxctl_fail(x, domid, name, -ENOMEM);
    op.u.vcpuaffinity.vcpu = vcpu;
    op.u.vcpuaffinity.flags =
        (hard ? PVX_VCPUAFFINITY_HARD : 0) | (soft ? PVX_VCPUAFFINITY_SOFT : 0);
    maps[0] = hard ? *hard : 0;
    maps[1] = soft ? *soft : 0;
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_hard.bitmap, (uint8_t *)&maps[0]);
    set_xen_guest_handle(op.u.vcpuaffinity.cpumap_soft.bitmap, (uint8_t *)&maps[1]);
    op.u.vcpuaffinity.cpumap_hard.nr_bits = 64;
    op.u.vcpuaffinity.cpumap_soft.nr_bits = 64;
    rc =
        pvxctl_domctl(x, &op, set ? PVX_DOMCTL_setvcpuaffinity : PVX_DOMCTL_getvcpuaffinity, domid);
    if (rc)
        return pvxctl_failf(x, (int)rc, "domain %u: %s of vCPU %u: %s", domid, name, vcpu,
                            strerror((int)-rc));
    if (hard)
        *hard = maps[0];
    if (soft)
        *soft = maps[1];
    return 0;
}

int pvxctl_vcpu_getaffinity(struct pvxctl *x, domid_t domid, uint32_t vcpu, uint64_t *hard,
                            uint64_t *soft)
{
    return vcpuaffinity(x, domid, vcpu, hard, soft, false);
}

int pvxctl_vcpu_setaffinity(struct pvxctl *x, domid_t domid, uint32_t vcpu, uint64_t *hard,
                            uint64_t *soft)
{
    return vcpuaffinity(x, domid, vcpu, hard, soft, true);
}

int pvxctl_domain_shutdown(struct pvxctl *x, domid_t domid, unsigned int reason)
{
    struct sched_remote_shutdown *r = pvxctl_buf(x, sizeof(*r));
    long rc;

    if (!r)
        return pvxctl_fail(x, domid, "remote_shutdown", -ENOMEM);
    r->domain_id = domid;
    r->reason = reason;
    rc = pvxctl_hypercall(x, __HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, (uintptr_t)r, 0, 0, 0);
    return rc ? pvxctl_fail(x, domid, "remote_shutdown", (int)rc) : 0;
}

int pvxctl_domain_resume(struct pvxctl *x, domid_t domid)
{
    return simple(x, domid, PVX_DOMCTL_resumedomain, "resumedomain");
}

int pvxctl_logdirty(struct pvxctl *x, domid_t domid, uint32_t op, uint64_t nr_pfns, uint8_t *bitmap,
                    uint64_t *dirty)
{
    static const char *const names[] = {"", "enable", "clean", "final", "off"};
    const char *what = op < 5 ? names[op] : "?";
    size_t bytes = bitmap ? (size_t)((nr_pfns + 7) / 8) : 0;
    struct pvx_domctl d = {0};
    char *buf = pvxctl_buf(x, sizeof(d) + bytes);
    long rc;

    if (!buf)
        return pvxctl_failf(x, -ENOMEM, "domain %u: log-dirty %s: no buffer for %llu pfns", domid,
                            what, (unsigned long long)nr_pfns);
    d.u.logdirty.op = op;
    d.u.logdirty.nr_pfns = nr_pfns;
    /* The domctl itself goes at the start of the bounce buffer. */
    if (bitmap)
        set_xen_guest_handle(d.u.logdirty.bitmap, (uint8_t *)buf + sizeof(d));
    rc = pvxctl_domctl(x, &d, PVX_DOMCTL_logdirty, domid);
    if (rc)
        return pvxctl_failf(x, (int)rc, "domain %u: log-dirty %s: %s", domid, what,
                            strerror((int)-rc));
    if (bitmap)
        memcpy(bitmap, buf + sizeof(d), bytes);
    if (dirty)
        *dirty = d.u.logdirty.dirty;
    return 0;
}

int pvxctl_frame_types(struct pvxctl *x, domid_t domid, xen_pfn_t *frames, uint64_t n)
{
    struct pvx_domctl op = {0};
    xen_pfn_t *b;
    long rc;

    while (n) {
        /* The hypervisor takes at most this many per call. */
        uint64_t chunk = n < PVXCTL_FRAME_TYPES_BATCH ? n : PVXCTL_FRAME_TYPES_BATCH;

        char *buf = pvxctl_buf(x, sizeof(op) + chunk * sizeof(*b));

        if (!buf)
            return pvxctl_fail(x, domid, "getpageframeinfo", -ENOMEM);
        /* The domctl itself goes at the start of the bounce buffer. */
        b = (xen_pfn_t *)(buf + sizeof(op));
        memcpy(b, frames, chunk * sizeof(*b));
        op.u.getpageframeinfo.num = chunk;
        set_xen_guest_handle(op.u.getpageframeinfo.array, b);
        rc = pvxctl_domctl(x, &op, PVX_DOMCTL_getpageframeinfo, domid);
        if (rc)
            return pvxctl_fail(x, domid, "getpageframeinfo", (int)rc);
        memcpy(frames, b, chunk * sizeof(*b));
        frames += chunk;
        n -= chunk;
    }
    return 0;
}
