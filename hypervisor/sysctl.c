/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sysctl: the toolstack's host-wide interface (include/public/sysctl.h):
 * the hypervisor's log ring, what the machine has, and the list of
 * domains.  Control domain only (the hypercall table says so).
 */
#include <asm/processor.h>
#include <pvx/arch.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/domctl.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <pvx/mm.h>
#include <public/sysctl.h>

#define INFOLIST_MAX 1024 /* domains described per call */

/* Where a "clear" left the ring: later plain reads start there. */
static uint64_t console_cleared_at;

static long readconsole(struct pvx_sysctl_readconsole *rc)
{
    uint64_t written = console_ring_written(), pos;
    uint64_t buf = guest_handle_addr(rc->buffer);
    uint32_t done = 0;
    char chunk[256];

    if (rc->incremental) {
        /* index is the low 32 bits of a byte position: the newest position
         * with those bits not beyond what was written. */
        pos = (written & ~0xffffffffULL) | rc->index;
        if (pos > written)
            pos -= 1ULL << 32;
    } else {
        pos = console_cleared_at;
    }
    pos = MAX(pos, console_cleared_at);
    while (done < rc->count) {
        size_t n = console_ring_read(chunk, MIN(sizeof(chunk), (size_t)(rc->count - done)), &pos);

        if (!n)
            break;
        if (copy_to_guest(buf + done, chunk, n))
            return -EFAULT;
        done += (uint32_t)n;
    }
    if (rc->clear)
        console_cleared_at = console_ring_written();
    rc->count = done;
    rc->index = (uint32_t)pos;
    return 0;
}

static void physinfo(struct pvx_sysctl_physinfo *pi)
{
    uint32_t a, b, c, d;

    memset(pi, 0, sizeof(*pi));
    /* The host pvx offers guests: the CPUs its scheduler runs vCPUs on. */
    pi->threads_per_core = 1;
    for (unsigned int cpu = 0; cpu < 64; cpu++)
        if (sched_cpu_mask() & ((uint64_t)1 << cpu)) {
            pi->nr_cpus++;
            pi->max_cpu_id = cpu;
        }
    pi->cores_per_socket = pi->nr_cpus;
    pi->nr_nodes = 1;
    pi->max_node_id = 0;
    pi->cpu_khz = arch_cpu_khz();
    pi->capabilities = PVX_PHYSCAP_pv;
    pi->total_pages = page_alloc_total_pages();
    pi->free_pages = page_alloc_free_pages();
    cpuid_count(1, 0, &a, &b, &c, &d);
    pi->hw_cap[0] = d;
    pi->hw_cap[1] = c;
    cpuid_count(0x80000001, 0, &a, &b, &c, &d);
    pi->hw_cap[2] = d;
    pi->hw_cap[3] = c;
    cpuid_count(0, 0, &a, &b, &c, &d);
    if (a >= 7) {
        cpuid_count(7, 0, &a, &b, &c, &d);
        pi->hw_cap[4] = b;
        pi->hw_cap[5] = c;
        pi->hw_cap[6] = d;
    }
}

static long getdomaininfolist(struct pvx_sysctl_getdomaininfolist *l)
{
    struct pvx_domctl_getdomaininfo info;
    uint64_t buf = guest_handle_addr(l->buffer);
    uint32_t n = 0;
    struct domain *d;

    if (l->max_domains > INFOLIST_MAX)
        return -E2BIG;
    for (uint32_t id = l->first_domain; n < l->max_domains && id < DOMID_FIRST_RESERVED; id++) {
        d = domain_next((domid_t)id);
        if (!d)
            break;
        domctl_fill_info(d, &info);
        if (copy_to_guest(buf + (uint64_t)n * sizeof(info), &info, sizeof(info)))
            return -EFAULT;
        n++;
        id = d->domain_id;
    }
    l->num_domains = n;
    return 0;
}

long do_sysctl(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct pvx_sysctl op;
    long rc;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != PVX_SYSCTL_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case PVX_SYSCTL_readconsole:
        rc = readconsole(&op.u.readconsole);
        break;
    case PVX_SYSCTL_physinfo:
        physinfo(&op.u.physinfo);
        rc = 0;
        break;
    case PVX_SYSCTL_getdomaininfolist:
        rc = getdomaininfolist(&op.u.getdomaininfolist);
        break;
    default:
        return -ENOSYS;
    }
    if (!rc && copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
