/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domctl: where a domain's vCPUs may run and where they are
 * (setvcpuaffinity, getvcpuaffinity, getvcpuinfo; Xen's layouts, pvx's
 * numbers, include/public/domctl.h).  CPU sets travel as Xen's
 * xenctl_bitmap: nr_bits bits in the caller's memory, byte n / 8 bit n % 8.
 */
#include <pvx/domain.h>
#include <pvx/domctl.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <pvx/percpu.h>
#include <pvx/sched.h>

/* Bytes of a bitmap pvx writes back; beyond that a caller's buffer is left
 * alone (pvx has NR_CPUS CPUs, so nothing of interest is there). */
#define CPUMAP_OUT_MAX 512

static uint64_t all_cpus(void)
{
    return NR_CPUS >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << NR_CPUS) - 1;
}

/* Read a guest bitmap: the CPUs pvx can have (bits beyond are dropped). */
static int cpumap_read(const struct pvx_domctl_cpumap *m, uint64_t *mask)
{
    uint8_t bytes[8] = {0};
    uint32_t n = m->nr_bits < 64 ? m->nr_bits : 64;
    size_t len = (n + 7) / 8;

    if (len && copy_from_guest(bytes, guest_handle_addr(m->bitmap), len))
        return -EFAULT;
    *mask = 0;
    for (size_t i = 0; i < len; i++)
        *mask |= (uint64_t)bytes[i] << (8 * i);
    if (n < 64)
        *mask &= ((uint64_t)1 << n) - 1;
    *mask &= all_cpus();
    return 0;
}

/* Write @mask into a guest bitmap of nr_bits bits, zero after pvx's CPUs. */
static int cpumap_write(const struct pvx_domctl_cpumap *m, uint64_t mask)
{
    uint8_t bytes[64] = {0};
    size_t len = ((size_t)m->nr_bits + 7) / 8;
    uint64_t addr = guest_handle_addr(m->bitmap);

    if (len > CPUMAP_OUT_MAX)
        len = CPUMAP_OUT_MAX;
    for (size_t i = 0; i < 8; i++)
        bytes[i] = (uint8_t)(mask >> (8 * i));
    for (size_t done = 0; done < len;) {
        size_t chunk = MIN(len - done, sizeof(bytes));

        if (copy_to_guest(addr + done, bytes, chunk))
            return -EFAULT;
        memset(bytes, 0, sizeof(bytes));
        done += chunk;
    }
    /* The last byte's bits past nr_bits are the caller's: Xen leaves them
     * as pvx's zeroes too. */
    return 0;
}

static struct vcpu *vcpu_of(struct domain *d, uint32_t id, long *rc)
{
    if (id >= d->max_vcpus) {
        *rc = -EINVAL;
        return NULL;
    }
    if (!d->vcpus[id]) {
        *rc = -ESRCH;
        return NULL;
    }
    return d->vcpus[id];
}

long domctl_vcpuaffinity(struct domain *d, struct pvx_domctl_vcpuaffinity *a, bool set)
{
    const uint32_t known = PVX_VCPUAFFINITY_HARD | PVX_VCPUAFFINITY_SOFT;
    uint64_t hard = 0, soft = 0;
    struct vcpu *v;
    long rc = 0;

    v = vcpu_of(d, a->vcpu, &rc);
    if (!v)
        goto out;
    if (!(a->flags & known) || (a->flags & ~known)) {
        rc = -EINVAL;
        goto out;
    }
    if (!set) {
        if (a->flags & PVX_VCPUAFFINITY_HARD)
            rc = cpumap_write(&a->cpumap_hard, sched_get_affinity(v) & all_cpus());
        if (!rc && (a->flags & PVX_VCPUAFFINITY_SOFT))
            rc = cpumap_write(&a->cpumap_soft, v->soft_affinity & all_cpus());
        goto out;
    }
    /* Read both first: nothing changes unless the whole call can succeed. */
    if (a->flags & PVX_VCPUAFFINITY_HARD)
        rc = cpumap_read(&a->cpumap_hard, &hard);
    if (!rc && (a->flags & PVX_VCPUAFFINITY_SOFT))
        rc = cpumap_read(&a->cpumap_soft, &soft);
    if (rc)
        goto out;
    if ((a->flags & PVX_VCPUAFFINITY_HARD) && !(hard & sched_cpu_mask())) {
        rc = -EINVAL; /* no CPU that runs vCPUs: it could never run */
        goto out;
    }
    if (a->flags & PVX_VCPUAFFINITY_HARD) {
        rc = sched_set_affinity(v, hard);
        if (rc)
            goto out;
        rc = cpumap_write(&a->cpumap_hard, hard & sched_cpu_mask());
    }
    if (a->flags & PVX_VCPUAFFINITY_SOFT) {
        v->soft_affinity = soft;
        if (!rc)
            rc = cpumap_write(&a->cpumap_soft, soft & sched_get_affinity(v) & sched_cpu_mask());
    }
out:
    return rc;
}

long domctl_getvcpuinfo(struct domain *d, struct pvx_domctl_getvcpuinfo *info)
{
    struct vcpu *v;
    long rc = 0;

    v = vcpu_of(d, info->vcpu, &rc);
    if (!v)
        goto out;
    info->online = v->online;
    info->blocked = v->blocked;
    info->running = v->csched.running;
    info->_pad0 = 0;
    info->cpu_time = v->cpu_time;
    info->cpu = sched_vcpu_cpu(v);
    info->_pad1 = 0;
out:
    return rc;
}
