/* SPDX-License-Identifier: MIT */
/*
 * The toolstack's path from dom0 user space: pvx's domctl through privcmd's
 * hypercall ioctl creates a domain, memory_op gives it a frame, and
 * privcmd's MMAPBATCH_V2 (mmu_update with the new domain as the frames'
 * owner) maps that frame here.  What is written through one mapping must be
 * read through a second, independent one (the same machine frame), a frame
 * the domain does not own must be refused, and destroying the domain must
 * leave nothing behind once the mappings are gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "xen-devices.h"
#include "public/domctl.h"
#include "public/memory.h"
#include "public/sysctl.h"

static int privcmd_fd = -1;

static long hypercall(unsigned int op, unsigned long a1, unsigned long a2)
{
    struct pvx_privcmd_hypercall hc = {.op = op, .arg = {a1, a2}};
    long rc = ioctl(privcmd_fd, PVX_IOCTL_PRIVCMD_HYPERCALL, &hc);

    return rc < 0 ? -errno : rc;
}

static long domctl(struct pvx_domctl *op, uint32_t cmd, domid_t dom)
{
    op->cmd = cmd;
    op->interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return hypercall(__HYPERVISOR_domctl, (unsigned long)op, 0);
}

static uint64_t free_pages(void)
{
    struct pvx_sysctl op = {.cmd = PVX_SYSCTL_physinfo,
                            .interface_version = PVX_SYSCTL_INTERFACE_VERSION};

    return hypercall(__HYPERVISOR_sysctl, (unsigned long)&op, 0) ? 0 : op.u.physinfo.free_pages;
}

/* Map one frame of dom; returns the mapping or MAP_FAILED, *err its result. */
static void *map_frame(domid_t dom, uint64_t mfn, int *err)
{
    void *va = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, privcmd_fd, 0);
    struct pvx_privcmd_mmapbatch_v2 m = {.num = 1, .dom = dom, .arr = &mfn, .err = err};

    if (va == MAP_FAILED)
        return va;
    m.addr = (uintptr_t)va;
    *err = 0;
    if (ioctl(privcmd_fd, PVX_IOCTL_PRIVCMD_MMAPBATCH_V2, &m) < 0 || *err) {
        if (!*err)
            *err = -errno;
        munmap(va, 4096);
        return MAP_FAILED;
    }
    return va;
}

int check_foreign(void)
{
    static struct pvx_domctl op;
    struct xen_memory_reservation r = {.nr_extents = 1};
    uint64_t mfn = 0, before, dying_or_gone;
    int failed = 0, err = 0;
    char *a = MAP_FAILED, *b = MAP_FAILED;
    domid_t dom;
    long rc;

    privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (privcmd_fd < 0)
        return check_report("foreign-create", false, "open /dev/xen/privcmd: %s", strerror(errno));
    before = free_pages();
    memset(&op.u, 0, sizeof(op.u));
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.max_pages = 4;
    strcpy(op.u.createdomain.name, "privcmd-test");
    rc = domctl(&op, PVX_DOMCTL_createdomain, DOMID_INVALID);
    failed += check_report("foreign-create", rc == 0 && op.domain > 0,
                           "domctl createdomain: %ld, d%u", rc, op.domain);
    if (rc)
        goto out;
    dom = op.domain;

    set_xen_guest_handle(r.extent_start, &mfn);
    r.domid = dom;
    rc = hypercall(__HYPERVISOR_memory_op, XENMEM_populate_physmap, (unsigned long)&r);
    failed += check_report("foreign-populate", rc == 1 && mfn != 0,
                           "populate_physmap for d%u: %ld, frame %#llx", dom, rc,
                           (unsigned long long)mfn);

    a = map_frame(dom, mfn, &err);
    failed +=
        check_report("foreign-map", a != MAP_FAILED, "MMAPBATCH_V2 of d%u's frame: %d", dom, err);
    b = map_frame(dom, mfn, &err);
    if (a != MAP_FAILED && b != MAP_FAILED) {
        strcpy(a, "written through one foreign mapping");
        failed += check_report("foreign-shared-data", !strcmp(b, a) && a != b,
                               "second mapping reads '%.40s'", b);
    } else {
        failed += check_report("foreign-shared-data", false, "second mapping: %d", err);
    }
    /* A frame that is not the domain's is refused: one of a second domain.
     * (A neighbouring frame would not do: it may be one pvx shares with
     * the domain, its shared_info, which dom0 may map.) */
    {
        static struct pvx_domctl op2;
        struct xen_memory_reservation r2 = {.nr_extents = 1};
        uint64_t other = 0;
        char *bad = MAP_FAILED;

        memset(&op2.u, 0, sizeof(op2.u));
        op2.u.createdomain.max_vcpus = 1;
        op2.u.createdomain.max_pages = 4;
        strcpy(op2.u.createdomain.name, "privcmd-other");
        rc = domctl(&op2, PVX_DOMCTL_createdomain, DOMID_INVALID);
        if (rc == 0) {
            set_xen_guest_handle(r2.extent_start, &other);
            r2.domid = op2.domain;
            rc = hypercall(__HYPERVISOR_memory_op, XENMEM_populate_physmap, (unsigned long)&r2);
            if (rc == 1)
                bad = map_frame(dom, other, &err);
        }
        failed += check_report("foreign-not-its-frame", rc == 1 && bad == MAP_FAILED && err < 0,
                               "d%u's frame %#llx through d%u: populate %ld, map %d", op2.domain,
                               (unsigned long long)other, dom, rc, err);
        if (bad != MAP_FAILED)
            munmap(bad, 4096);
        if (op2.domain)
            domctl(&op2, PVX_DOMCTL_destroydomain, op2.domain);
    }

    /* Destroyed while mapped: it lingers dying until the mappings go. */
    rc = domctl(&op, PVX_DOMCTL_destroydomain, dom);
    failed += check_report("foreign-destroy", rc == 0, "destroydomain: %ld", rc);
    rc = domctl(&op, PVX_DOMCTL_getdomaininfo, dom);
    failed +=
        check_report("foreign-dying-while-mapped",
                     rc == 0 && op.domain == dom && (op.u.getdomaininfo.flags & PVX_DOMINF_dying),
                     "getdomaininfo: %ld, d%u flags %#x", rc, op.domain, op.u.getdomaininfo.flags);
    if (a != MAP_FAILED)
        munmap(a, 4096);
    if (b != MAP_FAILED)
        munmap(b, 4096);
    rc = domctl(&op, PVX_DOMCTL_getdomaininfo, dom);
    dying_or_gone = rc == -ESRCH || op.domain != dom;
    failed += check_report("foreign-gone-after-unmap", dying_or_gone && free_pages() + 8 >= before,
                           "getdomaininfo: %ld (d%u); free pages %llu, before %llu", rc, op.domain,
                           (unsigned long long)free_pages(), (unsigned long long)before);
out:
    close(privcmd_fd);
    return failed;
}
