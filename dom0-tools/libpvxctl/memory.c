/* SPDX-License-Identifier: MIT */
/*
 * libpvxctl: another domain's memory.  Frames come from memory_op naming the
 * domain, page tables are pinned with mmuext_op naming it as the frames'
 * owner, and its frames are mapped here with privcmd's MMAPBATCH_V2 (which
 * Linux turns into mmu_update with the domain as the owner).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "pvxctl_priv.h"
#include "xen-devices.h"
#include <public/memory.h>

/* Frames per memory_op call: a bounded bounce buffer, and pvx checks for
 * preemption between extents anyway. */
#define EXTENT_BATCH 4096

static int reservation_batch(struct pvxctl *x, unsigned int cmd, domid_t domid, xen_pfn_t *list,
                             uint64_t n)
{
    struct xen_memory_reservation *r = pvxctl_buf(x, sizeof(*r) + n * sizeof(xen_pfn_t));
    xen_pfn_t *ext = (xen_pfn_t *)(r + 1);
    long rc;

    if (!r)
        return -ENOMEM;
    memset(r, 0, sizeof(*r));
    memcpy(ext, list, n * sizeof(xen_pfn_t));
    set_xen_guest_handle(r->extent_start, ext);
    r->nr_extents = n;
    r->domid = domid;
    rc = pvxctl_hypercall(x, __HYPERVISOR_memory_op, cmd, (uintptr_t)r, 0, 0, 0);
    if (rc > 0)
        memcpy(list, ext, (size_t)rc * sizeof(xen_pfn_t));
    return (int)rc;
}

/* Run cmd over n extents in batches; a call that makes no progress fails. */
static int reservation(struct pvxctl *x, unsigned int cmd, const char *name, domid_t domid,
                       const xen_pfn_t *in, xen_pfn_t *out, uint64_t n)
{
    xen_pfn_t batch[EXTENT_BATCH];
    uint64_t done = 0;

    while (done < n) {
        uint64_t want = n - done < EXTENT_BATCH ? n - done : EXTENT_BATCH;
        int rc;

        memcpy(batch, in + done, want * sizeof(xen_pfn_t));
        rc = reservation_batch(x, cmd, domid, batch, want);
        if (rc < 0)
            return pvxctl_fail(x, domid, name, rc);
        if (rc == 0)
            return pvxctl_failf(x, -ENOMEM,
                                "domain %u: %s: stopped after %llu of %llu frames (out of memory, "
                                "or the domain's memory limit)",
                                domid, name, (unsigned long long)done, (unsigned long long)n);
        if (out)
            memcpy(out + done, batch, (size_t)rc * sizeof(xen_pfn_t));
        done += (uint64_t)rc;
    }
    return (int)n;
}

int pvxctl_populate_physmap(struct pvxctl *x, domid_t domid, const xen_pfn_t *pfns, xen_pfn_t *mfns,
                            uint64_t n)
{
    return reservation(x, XENMEM_populate_physmap, "populate_physmap", domid, pfns, mfns, n);
}

int pvxctl_decrease_reservation(struct pvxctl *x, domid_t domid, const xen_pfn_t *mfns, uint64_t n)
{
    return reservation(x, XENMEM_decrease_reservation, "decrease_reservation", domid, mfns, NULL,
                       n);
}

int pvxctl_reservation(struct pvxctl *x, domid_t domid, uint64_t *current, uint64_t *maximum)
{
    domid_t *b = pvxctl_buf(x, sizeof(*b));
    long rc;

    if (!b)
        return pvxctl_fail(x, domid, "current_reservation", -ENOMEM);
    *b = domid;
    rc = pvxctl_hypercall(x, __HYPERVISOR_memory_op, XENMEM_current_reservation, (uintptr_t)b, 0, 0,
                          0);
    if (rc < 0)
        return pvxctl_fail(x, domid, "current_reservation", (int)rc);
    *current = (uint64_t)rc;
    rc = pvxctl_hypercall(x, __HYPERVISOR_memory_op, XENMEM_maximum_reservation, (uintptr_t)b, 0, 0,
                          0);
    if (rc < 0)
        return pvxctl_fail(x, domid, "maximum_reservation", (int)rc);
    *maximum = (uint64_t)rc;
    return 0;
}

int pvxctl_set_memory_map(struct pvxctl *x, domid_t domid, const struct pvxctl_e820 *map,
                          unsigned int nr)
{
    struct xen_foreign_memory_map *f = pvxctl_buf(x, sizeof(*f) + nr * sizeof(*map));
    long rc;

    if (!f)
        return pvxctl_fail(x, domid, "set_memory_map", -ENOMEM);
    memset(f, 0, sizeof(*f));
    memcpy(f + 1, map, nr * sizeof(*map));
    f->domid = domid;
    f->map.nr_entries = nr;
    set_xen_guest_handle(f->map.buffer, (void *)(f + 1));
    rc = pvxctl_hypercall(x, __HYPERVISOR_memory_op, XENMEM_set_memory_map, (uintptr_t)f, 0, 0, 0);
    return rc ? pvxctl_fail(x, domid, "set_memory_map", (int)rc) : 0;
}

int pvxctl_pin_table(struct pvxctl *x, domid_t domid, unsigned int level, xen_pfn_t mfn)
{
    static const unsigned int cmds[] = {0, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                        MMUEXT_PIN_L3_TABLE, MMUEXT_PIN_L4_TABLE};
    struct mmuext_op *op = pvxctl_buf(x, sizeof(*op));
    long rc;

    if (level < 1 || level > 4)
        return pvxctl_failf(x, -EINVAL, "domain %u: pin: no page-table level %u", domid, level);
    if (!op)
        return pvxctl_fail(x, domid, "pin", -ENOMEM);
    memset(op, 0, sizeof(*op));
    op->cmd = cmds[level];
    op->arg1.mfn = mfn;
    rc = pvxctl_hypercall(x, __HYPERVISOR_mmuext_op, (uintptr_t)op, 1, 0, domid, 0);
    if (rc)
        return pvxctl_failf(x, (int)rc,
                            "domain %u: pinning frame %#llx as an L%u table: %s (pvx's log says "
                            "which entry it refused)",
                            domid, (unsigned long long)mfn, level, strerror((int)-rc));
    return 0;
}

int pvxctl_set_m2p(struct pvxctl *x, domid_t domid, xen_pfn_t mfn, xen_pfn_t pfn)
{
    struct mmu_update *u = pvxctl_buf(x, sizeof(*u));
    long rc;

    if (!u)
        return pvxctl_fail(x, domid, "machphys_update", -ENOMEM);
    u->ptr = ((uint64_t)mfn << 12) | MMU_MACHPHYS_UPDATE;
    u->val = pfn;
    rc = pvxctl_hypercall(x, __HYPERVISOR_mmu_update, (uintptr_t)u, 1, 0, domid, 0);
    return rc ? pvxctl_fail(x, domid, "machphys_update", (int)rc) : 0;
}

/* Linux's privcmd wants the first MMAPBATCH of a mapping to cover all of
 * it (later calls may only fill holes), so the frames go in one call. */
void *pvxctl_map_foreign(struct pvxctl *x, domid_t domid, int prot, const xen_pfn_t *mfns,
                         uint64_t n, int *errs)
{
    size_t len = (size_t)n << 12;
    int *e = errs;
    char *va = MAP_FAILED;
    int rc;

    if (!n || n > UINT32_MAX) {
        pvxctl_failf(x, -EINVAL, "domain %u: map: %llu frames", domid, (unsigned long long)n);
        return NULL;
    }
    if (!e && !(e = calloc(n, sizeof(*e)))) {
        pvxctl_fail(x, domid, "map", -ENOMEM);
        goto out;
    }
    va = mmap(NULL, len, prot, MAP_SHARED, x->privcmd, 0);
    if (va == MAP_FAILED) {
        pvxctl_fail(x, domid, "map (privcmd mmap)", -errno);
        goto out;
    }
    {
        struct pvx_privcmd_mmapbatch_v2 m = {
            .num = (uint32_t)n,
            .dom = domid,
            .addr = (uintptr_t)va,
            .arr = (const uint64_t *)mfns,
            .err = e,
        };

        rc = ioctl(x->privcmd, PVX_IOCTL_PRIVCMD_MMAPBATCH_V2, &m) < 0 ? -errno : 0;
    }
    /* -ENOENT from the ioctl only means some frames failed: see e[]. */
    if (rc && rc != -ENOENT) {
        pvxctl_fail(x, domid, "map (MMAPBATCH_V2)", rc);
        goto fail;
    }
    if (!errs) {
        for (uint64_t i = 0; i < n; i++) {
            if (e[i]) {
                pvxctl_failf(x, e[i],
                             "domain %u: mapping its frame %#llx: %s (not the domain's, or not "
                             "mappable)",
                             domid, (unsigned long long)mfns[i], strerror(-e[i]));
                goto fail;
            }
        }
    }
    goto out;
fail:
    munmap(va, len);
    va = MAP_FAILED;
out:
    if (e != errs)
        free(e);
    return va == MAP_FAILED ? NULL : va;
}

void pvxctl_unmap(void *addr, uint64_t n)
{
    if (addr)
        munmap(addr, (size_t)n << 12);
}
