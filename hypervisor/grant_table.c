/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, version 1 (the part a single domain needs: its own table's
 * size and frames).  The table's frames are pages the domain owns and may
 * map read-write; they are not part of its pseudo-physical memory.  Mapping
 * and copying across domains build on this (issue 7).
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/grant_table.h>

#define GNTTAB_MAX_FRAMES 64 /* per domain, as Xen's default */

struct grant_table {
    unsigned int nr_frames;
    mfn_t frames[GNTTAB_MAX_FRAMES];
};

static struct grant_table *table_of(struct domain *d)
{
    if (!d->grant_table)
        d->grant_table = xzalloc(struct grant_table);
    return d->grant_table;
}

static int16_t grow(struct domain *d, unsigned int nr_frames)
{
    struct grant_table *gt = table_of(d);

    if (!gt)
        return GNTST_general_error;
    if (nr_frames > GNTTAB_MAX_FRAMES)
        return GNTST_general_error;
    while (gt->nr_frames < nr_frames) {
        struct page_info *pg = domain_alloc_shared_page(d);

        if (!pg)
            return GNTST_general_error;
        memset(arch_maddr_to_virt(page_to_mfn(pg) << PAGE_SHIFT), 0, PAGE_SIZE);
        set_gpfn_from_mfn(page_to_mfn(pg), INVALID_M2P_ENTRY);
        gt->frames[gt->nr_frames++] = page_to_mfn(pg);
    }
    return GNTST_okay;
}

static long setup_table(struct domain *caller, uint64_t uop)
{
    struct gnttab_setup_table op;
    struct domain *d;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    d = domain_lookup_for(caller, op.dom);
    op.status = d ? grow(d, op.nr_frames) : GNTST_bad_domain;
    if (op.status == GNTST_okay) {
        uint64_t list = guest_handle_addr(op.frame_list);

        for (unsigned int i = 0; i < op.nr_frames; i++) {
            xen_pfn_t f = d->grant_table->frames[i];

            if (copy_to_guest(list + i * sizeof(f), &f, sizeof(f)))
                return -EFAULT;
        }
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

static long query_size(struct domain *caller, uint64_t uop)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    d = domain_lookup_for(caller, op.dom);
    if (!d) {
        op.status = GNTST_bad_domain;
    } else {
        op.nr_frames = d->grant_table ? d->grant_table->nr_frames : 0;
        op.max_nr_frames = GNTTAB_MAX_FRAMES;
        op.status = GNTST_okay;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case GNTTABOP_setup_table:
    case GNTTABOP_query_size:
        if (count != 1)
            return -EINVAL;
        return cmd == GNTTABOP_setup_table ? setup_table(d, uop) : query_size(d, uop);
    case GNTTABOP_set_version: {
        struct gnttab_set_version op;

        if (count != 1)
            return -EINVAL;
        if (copy_from_guest(&op, uop, sizeof(op)))
            return -EFAULT;
        if (op.version != 1) {
            op.version = 1;
            copy_to_guest(uop, &op, sizeof(op));
            return -EINVAL; /* only version 1 */
        }
        return 0;
    }
    case GNTTABOP_get_version: {
        struct gnttab_get_version op;
        struct domain *t;

        if (count != 1)
            return -EINVAL;
        if (copy_from_guest(&op, uop, sizeof(op)))
            return -EFAULT;
        t = domain_lookup_for(d, op.dom);
        if (!t)
            return -ESRCH;
        op.version = 1;
        return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}
