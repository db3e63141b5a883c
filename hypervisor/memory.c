/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * memory_op: what a PV guest learns about memory.  Its pseudo-physical
 * memory is one RAM range 0..nr_pages (no holes, so Linux has nothing to
 * remap), the M2P sits at the ABI's fixed address, and the reservation
 * calls report and (later) change how many pages it owns.
 */
#include <asm/config.h>
#include <asm/pv/mm.h>
#include <pvx/domain.h>
#include <pvx/e820.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/memory.h>

struct e820_packed {
    uint64_t addr, size;
    uint32_t type;
} __packed;

static long memory_map(struct domain *d, uint64_t arg)
{
    struct xen_memory_map map;
    struct e820_packed e = {0, d->max_pages << PAGE_SHIFT, E820_RAM};

    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    if (map.nr_entries < 1)
        return -EINVAL;
    if (copy_to_guest(guest_handle_addr(map.buffer), &e, sizeof(e)))
        return -EFAULT;
    map.nr_entries = 1;
    return copy_to_guest(arg, &map, sizeof(map)) ? -EFAULT : 0;
}

static long reservation_query(struct domain *caller, uint64_t cmd, uint64_t arg)
{
    domid_t id;
    struct domain *d;

    if (copy_from_guest(&id, arg, sizeof(id)))
        return -EFAULT;
    d = domain_lookup_for(caller, id);
    if (!d)
        return -ESRCH;
    return (long)(cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages);
}

long do_memory_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case XENMEM_memory_map:
        return memory_map(d, arg);
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = RO_MPT_VIRT_START,
            .v_end = RO_MPT_VIRT_END,
            .max_mfn = max_page - 1,
        };

        return copy_to_guest(arg, &m, sizeof(m)) ? -EFAULT : 0;
    }
    case XENMEM_maximum_ram_page:
        return (long)max_page;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation_query(d, cmd, arg);
    default:
        return -ENOSYS;
    }
}
