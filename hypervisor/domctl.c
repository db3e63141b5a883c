/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl: the toolstack's per-domain control interface (include/public/
 * domctl.h, docs/abi.md).  Only the control domain reaches this file (the
 * hypercall table marks it privileged).  Every call names its target by
 * id; the caller itself, dom0 and ids of domains being destroyed are
 * refused where acting on them would pull the floor from under the caller.
 */
#include <asm/pv/mm.h>
#include <asm/pv/traps.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/domctl.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/grant_table.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>
#include <pvx/sched_credit.h>
#include <public/domctl.h>

#define PFINFO_BATCH_MAX 1024 /* frames per getpageframeinfo call */

/* ---- createdomain ---- */

/* As Xen: the next free id after the last one handed out, wrapping, so a
 * destroyed domain's id is not reused at once (a toolstack, a log or a
 * backend still naming the old domain never meets a new one). */
static domid_t domid_rover;

static domid_t free_domid(void)
{
    for (unsigned int n = 1; n < DOMID_FIRST_RESERVED; n++) {
        domid_t id = (domid_t)((domid_rover + n - 1) % (DOMID_FIRST_RESERVED - 1) + 1);

        if (!domain_lookup_any(id)) {
            domid_rover = id;
            return id;
        }
    }
    return DOMID_INVALID;
}

static long createdomain(struct pvx_domctl *op)
{
    struct pvx_domctl_createdomain *c = &op->u.createdomain;
    domid_t id = op->domain;
    struct domain *d;

    if (c->max_vcpus == 0 || c->max_vcpus > MAX_VCPUS_PER_DOMAIN)
        return -EINVAL;
    if (c->flags & ~PVX_DOMCTL_CDF_io)
        return -EINVAL;
    if (c->max_grant_frames > GNTTAB_MAX_FRAMES ||
        c->max_maptrack_frames > GNTTAB_MAPTRACK_FRAMES_MAX)
        return -EINVAL;
    if (strnlen(c->name, sizeof(c->name)) == sizeof(c->name))
        return -EINVAL;
    if (id == DOMID_INVALID) {
        id = free_domid();
        if (id == DOMID_INVALID)
            return -ENOSPC;
    } else if (id == 0 || id >= DOMID_FIRST_RESERVED) {
        return -EINVAL;
    } else if (domain_lookup_any(id)) {
        return -EEXIST;
    }

    d = domain_create(id, c->name[0] ? c->name : "domU", c->max_vcpus, false);
    if (!d)
        return -ENOMEM;
    /* Created paused, with every vCPU down until given a context. */
    domain_pause_by_ctl(d);
    d->io_capable = c->flags & PVX_DOMCTL_CDF_io;
    d->max_pages = c->max_pages;
    d->max_grant_frames = c->max_grant_frames;
    d->max_maptrack_frames = c->max_maptrack_frames; /* 0: no mappings, as on Xen */
    memcpy(d->handle, c->handle, sizeof(d->handle));
    /* Any highest port is taken, as on Xen (which clamps it to INT_MAX):
     * the ABI's own limit applies on top of it.  0 keeps the default. */
    if (c->max_evtchn_port) {
        uint32_t max_port = MIN(c->max_evtchn_port, EVTCHN_MAX_PORTS_UNLIMITED - 1);

        BUG_ON(evtchn_set_max_ports(d, max_port + 1)); /* in range, no port in use yet */
    }
    printk("domain %u (%s): created by d%u, %u vCPU(s)\n", id, d->name, current->domain->domain_id,
           d->max_vcpus);
    op->domain = id;
    return 0;
}

/* ---- getdomaininfo ---- */

void domctl_fill_info(const struct domain *d, struct pvx_domctl_getdomaininfo *info)
{
    unsigned int online = 0, blocked = 0;
    bool running = false;

    memset(info, 0, sizeof(*info));
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpus[i];

        if (!v->online)
            continue;
        online++;
        blocked += v->blocked;
        running |= v == current;
    }
    info->domain = d->domain_id;
    info->flags = (d->state == DOMAIN_DYING ? PVX_DOMINF_dying : 0) |
                  (d->state == DOMAIN_SHUTDOWN ? PVX_DOMINF_shutdown : 0) |
                  (d->ctl_pause_count ? PVX_DOMINF_paused : 0) |
                  (online && blocked == online ? PVX_DOMINF_blocked : 0) |
                  (running ? PVX_DOMINF_running : 0) |
                  (d->is_privileged ? PVX_DOMINF_privileged : 0) |
                  (d->io_capable ? PVX_DOMINF_io : 0);
    info->shutdown_reason = d->shutdown_code;
    info->nr_online_vcpus = online;
    info->max_vcpu_id = d->max_vcpus - 1;
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = d->shared_info_mfn;
    info->cpu_time = domain_cpu_time(d);
    memcpy(info->handle, d->handle, sizeof(info->handle));
    strlcpy(info->name, d->name, sizeof(info->name));
}

/* ---- vCPU contexts ---- */

static long vcpucontext(struct domain *d, struct pvx_domctl *op, bool set)
{
    static struct vcpu_guest_context ctxt; /* too big for the stack; the hypervisor lock */
    struct pvx_domctl_vcpucontext *vc = &op->u.vcpucontext;
    struct vcpu *v;
    int rc;

    if (vc->vcpu >= d->max_vcpus)
        return -EINVAL;
    v = d->vcpus[vc->vcpu];
    if (!set) {
        arch_get_vcpu_context(v, &ctxt);
        return copy_to_guest(guest_handle_addr(vc->ctxt), &ctxt, sizeof(ctxt)) ? -EFAULT : 0;
    }
    if (!d->ctl_pause_count)
        return -EBUSY; /* registers change only under a stopped domain */
    if (copy_from_guest(&ctxt, guest_handle_addr(vc->ctxt), sizeof(ctxt)))
        return -EFAULT;
    /* vCPU 0's context carries the domain's VM assists, as on Xen: a
     * restored guest does not ask for them again. */
    if (ctxt.vm_assist & ~DOMAIN_VM_ASSIST_VALID)
        return -EINVAL;
    rc = arch_set_vcpu_context(v, &ctxt);
    if (rc) /* -ERESTART included: the caller makes the continuation */
        return rc;
    if (vc->vcpu == 0)
        d->vm_assist = ctxt.vm_assist;
    v->initialised = true;
    v->online = ctxt.flags & VGCF_online;
    sched_domain_changed(d);
    return 0;
}

/* ---- hypercall_init ---- */

static long hypercall_init(struct domain *d, uint64_t mfn)
{
    struct page_info *pg;

    if (mfn >= max_page)
        return -EINVAL;
    pg = mfn_to_page(mfn);
    /* A writable type reference proves it is a plain page of d's. */
    if (get_page_and_type(pg, d, PGT_writable_page))
        return -EINVAL;
    pv_fill_hypercall_page(arch_maddr_to_virt(mfn << PAGE_SHIFT));
    put_page_and_type(pg);
    return 0;
}

/* ---- getpageframeinfo ---- */

static uint64_t frame_type(const struct domain *d, uint64_t mfn)
{
    const struct page_info *pg;
    uint64_t t;

    if (mfn >= max_page)
        return PVX_DOMCTL_PFINFO_XTAB;
    pg = mfn_to_page(mfn);
    if (!page_owned_by(pg, d))
        return PVX_DOMCTL_PFINFO_XTAB;
    t = pg->type_info;
    if (!pgt_level(t) || !(t & PGT_validated) || !(t & PGT_count_mask))
        return PVX_DOMCTL_PFINFO_NOTAB;
    return pgt_level(t) | ((t & PGT_pinned) ? PVX_DOMCTL_PFINFO_PINNED : 0);
}

static long getpageframeinfo(struct domain *d, const struct pvx_domctl_getpageframeinfo *pf)
{
    uint64_t array = guest_handle_addr(pf->array);

    if (pf->num > PFINFO_BATCH_MAX)
        return -E2BIG;
    for (uint64_t i = 0; i < pf->num; i++) {
        uint64_t e, at = array + i * sizeof(e);

        if (copy_from_guest(&e, at, sizeof(e)))
            return -EFAULT;
        e &= PVX_DOMCTL_PFINFO_FRAME_MASK;
        e |= frame_type(d, e) << PVX_DOMCTL_PFINFO_SHIFT;
        if (copy_to_guest(at, &e, sizeof(e)))
            return -EFAULT;
    }
    return 0;
}

/* ---- I/O permissions ---- */

static long io_permission(struct domain *d, struct rangeset *caps, uint64_t first, uint64_t nr,
                          uint8_t allow, uint64_t limit)
{
    if (!d->io_capable)
        return -EPERM;
    if (nr == 0 || allow > 1 || first >= limit || nr > limit - first)
        return -EINVAL;
    return allow ? rangeset_add(caps, first, first + nr - 1)
                 : rangeset_remove(caps, first, first + nr - 1);
}

/* ---- scheduler ---- */

static long scheduler_op(struct domain *d, struct pvx_domctl_scheduler_op *s)
{
    unsigned int weight, cap;

    switch (s->cmd) {
    case PVX_DOMCTL_SCHEDOP_getinfo:
        csched_get_params(&d->csched, &weight, &cap);
        s->weight = (uint16_t)weight;
        s->cap = (uint16_t)cap;
        return 0;
    case PVX_DOMCTL_SCHEDOP_putinfo:
        csched_get_params(&d->csched, &weight, &cap);
        /* A weight of 0 keeps the current one, as in Xen's credit interface. */
        return csched_set_params(&d->csched, s->weight ? s->weight : weight, s->cap);
    default:
        return -EINVAL;
    }
}

/* ---- the hypercall ---- */

/* Operations that change a domain must not target the caller or dom0. */
static bool may_control(const struct domain *d)
{
    return d != current->domain && d->domain_id != 0;
}

long do_domctl(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct pvx_domctl op;
    struct domain *d;
    bool copy_back = false;
    long rc;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != PVX_DOMCTL_INTERFACE_VERSION)
        return -EACCES;
    if (op._pad0[0] | op._pad0[1] | op._pad0[2])
        return -EINVAL; /* reserved for later revisions */

    switch (op.cmd) {
    case PVX_DOMCTL_createdomain:
        rc = createdomain(&op);
        copy_back = rc == 0;
        goto out;
    case PVX_DOMCTL_getdomaininfo:
        d = domain_next(op.domain);
        if (!d) {
            rc = -ESRCH;
            goto out;
        }
        domctl_fill_info(d, &op.u.getdomaininfo);
        op.domain = d->domain_id;
        copy_back = true;
        rc = 0;
        goto out;
    }

    d = domain_lookup(op.domain);
    if (!d) {
        /* Destroying a domain that is already dying is done, not an error. */
        rc = op.cmd == PVX_DOMCTL_destroydomain && domain_lookup_any(op.domain) ? 0 : -ESRCH;
        goto out;
    }
    switch (op.cmd) {
    case PVX_DOMCTL_destroydomain:
        rc = may_control(d) ? 0 : -EINVAL;
        if (!rc)
            domain_destroy(d);
        break;
    case PVX_DOMCTL_pausedomain:
        rc = may_control(d) ? 0 : -EINVAL;
        if (rc)
            break;
        domain_pause_by_ctl(d);
        /* As on Xen, the domain has stopped when the call returns. */
        sched_sync_domain(op.domain);
        break;
    case PVX_DOMCTL_unpausedomain:
        rc = may_control(d) ? domain_unpause_by_ctl(d) : -EINVAL;
        break;
    case PVX_DOMCTL_resumedomain:
        rc = may_control(d) ? domain_resume(d) : -EINVAL;
        break;
    case PVX_DOMCTL_max_mem:
        /* Below tot_pages is fine, as on Xen: the domain gets nothing more
         * until it has ballooned down under the new limit. */
        d->max_pages = op.u.max_mem.max_pages;
        rc = 0;
        break;
    case PVX_DOMCTL_max_vcpus:
        if (op.u.max_vcpus.max == d->max_vcpus)
            rc = 0;
        else if (d->has_run || !may_control(d))
            rc = -EBUSY;
        else
            rc = domain_set_max_vcpus(d, op.u.max_vcpus.max);
        break;
    case PVX_DOMCTL_setvcpucontext:
    case PVX_DOMCTL_getvcpucontext:
        if (!may_control(d)) {
            rc = -EINVAL;
            break;
        }
        /* A vCPU that cannot run any more may still be leaving another CPU
         * (its registers are not in memory yet): wait, then look again. */
        if (d->ctl_pause_count && sched_domain_running_elsewhere(d)) {
            if (!sched_sync_domain(op.domain) || !(d = domain_lookup(op.domain))) {
                rc = -ESRCH;
                break;
            }
        }
        rc = vcpucontext(d, &op, op.cmd == PVX_DOMCTL_setvcpucontext);
        /* Validating the new page tables stopped: the same call goes on. */
        if (rc == -ERESTART)
            return hypercall_create_continuation(__HYPERVISOR_domctl, arg, 0, 0, 0, 0);
        break;
    case PVX_DOMCTL_hypercall_init:
        rc = hypercall_init(d, op.u.hypercall_init.gmfn);
        break;
    case PVX_DOMCTL_getpageframeinfo:
        rc = getpageframeinfo(d, &op.u.getpageframeinfo);
        break;
    case PVX_DOMCTL_ioport_permission: {
        struct pvx_domctl_ioport_permission *p = &op.u.ioport_permission;

        rc =
            io_permission(d, &d->ioport_caps, p->first_port, p->nr_ports, p->allow_access, 0x10000);
        break;
    }
    case PVX_DOMCTL_iomem_permission: {
        struct pvx_domctl_iomem_permission *p = &op.u.iomem_permission;

        rc = io_permission(d, &d->iomem_caps, p->first_mfn, p->nr_mfns, p->allow_access,
                           PVX_DOMCTL_PFINFO_FRAME_MASK);
        break;
    }
    case PVX_DOMCTL_settimeoffset:
        d->time_offset_seconds = op.u.settimeoffset.time_offset_seconds;
        rc = 0;
        break;
    case PVX_DOMCTL_scheduler_op:
        rc = scheduler_op(d, &op.u.scheduler_op);
        copy_back = rc == 0;
        break;
    case PVX_DOMCTL_setvcpuaffinity:
    case PVX_DOMCTL_getvcpuaffinity:
        rc = domctl_vcpuaffinity(d, &op.u.vcpuaffinity, op.cmd == PVX_DOMCTL_setvcpuaffinity);
        break;
    case PVX_DOMCTL_logdirty:
        rc = may_control(d) ? arch_logdirty_domctl(d, &op.u.logdirty) : -EINVAL;
        copy_back = rc == 0;
        break;
    case PVX_DOMCTL_getvcpuinfo:
        rc = domctl_getvcpuinfo(d, &op.u.getvcpuinfo);
        copy_back = rc == 0;
        break;
    default:
        rc = -ENOSYS;
        break;
    }

out:
    if (copy_back && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
