/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memory_op: what a PV guest learns about memory.  Its pseudo-physical
 * memory is one RAM range 0..nr_pages (no holes, so Linux has nothing to
 * remap), the M2P sits at the ABI's fixed address, and the reservation
 * calls report and (later) change how many pages it owns.
 */
#include <asm/config.h>
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/bootinfo.h>
#include <pvx/domain.h>
#include <pvx/e820.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/memory.h>

/* Entries a set_memory_map may carry: Xen's E820MAX. */
#define MEMORY_MAP_MAX 1024
/* A continuation of a reservation names its next extent above the command. */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK     ((1ULL << MEMOP_EXTENT_SHIFT) - 1)

/*
 * set_memory_map: the control domain gives a domain its pseudo-physical
 * memory map (the toolstack sets RAM up to maxmem, so the guest knows how
 * far it may balloon).  Replaces any earlier map.
 */
static long set_memory_map(struct domain *caller, uint64_t arg)
{
    struct xen_foreign_memory_map fmap;
    struct e820_packed *map = NULL;
    struct domain *d;
    long rc;

    if (copy_from_guest(&fmap, arg, sizeof(fmap)))
        return -EFAULT;
    if (fmap.map.nr_entries > MEMORY_MAP_MAX)
        return -EINVAL;
    rc = domain_lookup_for(caller, fmap.domid, &d);
    if (rc)
        return rc;
    if (fmap.map.nr_entries) {
        map = xmalloc_bytes(fmap.map.nr_entries * sizeof(*map));
        if (!map)
            return -ENOMEM;
        if (copy_from_guest(map, guest_handle_addr(fmap.map.buffer),
                            fmap.map.nr_entries * sizeof(*map))) {
            xfree(map);
            return -EFAULT;
        }
    }
    xfree(d->memory_map);
    d->memory_map = map;
    d->nr_memory_map = fmap.map.nr_entries;
    return 0;
}

/* The caller's own pseudo-physical map: -ENOSYS unless the toolstack set
 * one (as on Xen; Linux then builds its own from nr_pages). */
static long memory_map(struct domain *d, uint64_t arg)
{
    struct xen_memory_map map;

    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    if (!d->nr_memory_map)
        return -ENOSYS;
    map.nr_entries = MIN(map.nr_entries, d->nr_memory_map);
    if (copy_to_guest(guest_handle_addr(map.buffer), d->memory_map,
                      map.nr_entries * sizeof(*d->memory_map)) ||
        copy_to_guest(arg, &map, sizeof(map)))
        return -EFAULT;
    return 0;
}

/* The host's (sanitized) memory map, for the control domain. */
static long machine_memory_map(struct domain *d, uint64_t arg)
{
    const struct e820_map *host = &bootinfo.mem;
    struct xen_memory_map map;
    unsigned int n;

    if (!d->is_privileged)
        return -EPERM;
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    n = MIN(map.nr_entries, host->nr);
    for (unsigned int i = 0; i < n; i++) {
        struct e820_packed e = {host->map[i].addr, host->map[i].size, host->map[i].type};

        if (copy_to_guest(guest_handle_addr(map.buffer) + i * sizeof(e), &e, sizeof(e)))
            return -EFAULT;
    }
    map.nr_entries = n;
    return copy_to_guest(arg, &map, sizeof(map)) ? -EFAULT : 0;
}

/* MFNs of the M2P table, one per 2 MiB of it (what save/restore tools map). */
static long machphys_mfn_list(uint64_t arg)
{
    struct xen_machphys_mfn_list ml;
    uint64_t chunks = PFN_UP(max_page * sizeof(uint64_t) * 1) / 512 + 1;
    unsigned int i;

    if (copy_from_guest(&ml, arg, sizeof(ml)))
        return -EFAULT;
    for (i = 0; i < ml.max_extents && i < chunks; i++) {
        xen_pfn_t mfn = m2p_frame(i * 512);

        if (copy_to_guest(guest_handle_addr(ml.extent_start) + i * sizeof(mfn), &mfn, sizeof(mfn)))
            return -EFAULT;
    }
    ml.nr_extents = i;
    return copy_to_guest(arg, &ml, sizeof(ml)) ? -EFAULT : 0;
}

/*
 * increase_reservation / populate_physmap / decrease_reservation for order-0
 * extents.  A PV guest names machine frames: populate_physmap takes the gpfn
 * to record in the M2P and returns the new frame's MFN in its place;
 * decrease_reservation hands back frames nothing references any more.
 * Returns the number of extents done (a short count on the first failure).
 * A long list yields through a continuation that names, in the bits of cmd
 * above MEMOP_EXTENT_SHIFT, the extent to go on with (Xen's encoding).
 */
static long reservation(struct domain *caller, uint64_t cmd, uint64_t start, uint64_t arg)
{
    struct xen_memory_reservation r;
    uint64_t list;
    struct domain *d;
    xen_ulong_t i;
    int rc;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    rc = domain_lookup_for(caller, r.domid, &d);
    if (rc)
        return rc;
    if (r.extent_order != 0)
        return -EINVAL; /* superpage extents are not offered to PV guests */
    list = guest_handle_addr(r.extent_start);
    if (start >= r.nr_extents)
        return (long)start;
    /* The guest unmapped what it gives back, maybe without a flush. */
    if (cmd == XENMEM_decrease_reservation)
        arch_flush_domain_tlbs(d);
    for (i = start; i < r.nr_extents; i++) {
        xen_pfn_t x;

        if (i > start && hypercall_preempt_check())
            return hypercall_create_continuation(__HYPERVISOR_memory_op,
                                                 cmd | (i << MEMOP_EXTENT_SHIFT), arg, 0, 0, 0);
        if (copy_from_guest(&x, list + i * sizeof(x), sizeof(x)))
            break; /* as Xen: the count done so far, not an error */
        if (cmd == XENMEM_decrease_reservation) {
            if (domain_release_page(d, x))
                break;
            continue;
        }
        if (d->tot_pages >= d->max_pages)
            break;
        {
            struct page_info *pg = domain_alloc_page(d);
            xen_pfn_t mfn;

            if (!pg)
                break;
            mfn = page_to_mfn(pg);
            memset(arch_maddr_to_virt(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
            set_gpfn_from_mfn(mfn, cmd == XENMEM_populate_physmap ? x : INVALID_M2P_ENTRY);
            arch_logdirty_mark(pg);
            if (copy_to_guest(list + i * sizeof(mfn), &mfn, sizeof(mfn))) {
                domain_release_page(d, mfn);
                break;
            }
        }
    }
    return (long)i;
}

static long reservation_query(struct domain *caller, uint64_t cmd, uint64_t arg)
{
    domid_t id;
    struct domain *d;
    int rc;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    rc = domain_lookup_for(caller, id, &d);
    if (rc)
        return rc;
    return (long)(cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages);
}

long do_memory_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;

    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(d, cmd & MEMOP_CMD_MASK, cmd >> MEMOP_EXTENT_SHIFT, arg);
    default:
        break;
    }
    switch (cmd) {
    case XENMEM_memory_map:
        return memory_map(d, arg);
    case XENMEM_set_memory_map:
        return set_memory_map(d, arg);
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = RO_MPT_VIRT_START,
            .v_end = RO_MPT_VIRT_END,
            .max_mfn = max_page - 1,
        };

        return copy_to_guest(arg, &m, sizeof(m)) ? -EFAULT : 0;
    }
    case XENMEM_machine_memory_map:
        return machine_memory_map(d, arg);
    case XENMEM_machphys_mfn_list:
        return machphys_mfn_list(arg);
    case XENMEM_maximum_ram_page:
        return (long)max_page;
    case XENMEM_maximum_gpfn: {
        uint64_t max_pfn = d->shared_info->arch.max_pfn;

        return (long)(max_pfn ? max_pfn - 1 : 0);
    }
    case XENMEM_exchange:
        return memory_exchange(d, arg);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation_query(d, cmd, arg);
    default:
        return -ENOSYS;
    }
}
