/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant table versions: GNTTABOP_set_version, get_version and
 * get_status_frames, and the life of version 2's status frames.
 *
 * A switch keeps the shared frames (so the guest's mappings of them stay
 * valid) but clears them, except the first GNTTAB_NR_RESERVED_ENTRIES
 * entries the toolstack filled (console, xenstore), which are translated to
 * the new layout.  It is refused while any other entry is in use.  Status
 * frames are allocated on the switch to v2 (and as the table grows) and
 * given back on the switch to v1, which is refused while the guest still
 * maps one of them.  Results and error codes follow Xen 4.17's.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/grant_table.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>

#define BUSY_BITS (GTF_reading | GTF_writing)

/* ---- status frames ---- */

int gnttab_populate_status(struct grant_table *gt)
{
    unsigned int have = gt->nr_status_frames, want = GNTTAB_STATUS_FRAMES(gt->nr_frames);

    ASSERT(want <= GNTTAB_MAX_STATUS_FRAMES);
    for (unsigned int i = have; i < want; i++) {
        if (!gnttab_alloc_frame(gt->domain, &gt->status[i])) {
            while (i-- > have)
                gnttab_free_frame(gt->status[i]);
            return -ENOMEM;
        }
    }
    gt->nr_status_frames = want > have ? want : have;
    return 0;
}

bool gnttab_unpopulate_status(struct grant_table *gt)
{
    for (unsigned int i = 0; i < gt->nr_status_frames; i++)
        if (gnttab_frame_in_use(gt->status[i]))
            return false;
    for (unsigned int i = 0; i < gt->nr_status_frames; i++)
        gnttab_free_frame(gt->status[i]);
    gt->nr_status_frames = 0;
    return true;
}

/* ---- set_version ---- */

/* Any entry past the reserved ones pinned by a map or a copy? */
static bool entries_in_use(const struct grant_table *gt)
{
    unsigned int n = gnttab_nr_entries(gt);

    for (unsigned int ref = GNTTAB_NR_RESERVED_ENTRIES; ref < n; ref++) {
        const struct active_grant *chunk = gt->active[ref / GNTTAB_ACTIVE_PER_CHUNK];

        if (!chunk) {
            ref |= GNTTAB_ACTIVE_PER_CHUNK - 1; /* never pinned: skip the chunk */
            continue;
        }
        if (chunk[ref % GNTTAB_ACTIVE_PER_CHUNK].pins)
            return true;
    }
    return false;
}

/* v2 to v1: every reserved grant must fit a v1 entry (32-bit frame, not
 * transitive). */
static bool reserved_fit_v1(const struct grant_table *gt)
{
    for (grant_ref_t ref = 0; ref < GNTTAB_NR_RESERVED_ENTRIES; ref++) {
        const grant_entry_v2_t *e = gnttab_shared_entry_v2(gt, ref);

        switch (e->hdr.flags & GTF_type_mask) {
        case GTF_permit_access:
            if (e->full_page.frame >> 32)
                return false;
            break;
        case GTF_transitive:
            return false;
        }
    }
    return true;
}

/* The reserved entries in v1 form, busy bits in the flags. */
static void save_reserved(const struct grant_table *gt, grant_entry_v1_t *kept)
{
    if (gt->version == 1) {
        memcpy(kept, gnttab_shared_entry(gt, 0), GNTTAB_NR_RESERVED_ENTRIES * sizeof(*kept));
        return;
    }
    for (grant_ref_t ref = 0; ref < GNTTAB_NR_RESERVED_ENTRIES; ref++) {
        const grant_entry_v2_t *e = gnttab_shared_entry_v2(gt, ref);

        memset(&kept[ref], 0, sizeof(kept[ref]));
        /* Only full grants have a v1 form; anything else is dropped. */
        if ((e->hdr.flags & GTF_type_mask) != GTF_permit_access)
            continue;
        kept[ref].flags = e->hdr.flags | *gnttab_status(gt, ref);
        kept[ref].domid = e->hdr.domid;
        kept[ref].frame = (uint32_t)e->full_page.frame;
    }
}

static void restore_reserved(const struct grant_table *gt, const grant_entry_v1_t *kept)
{
    if (gt->version == 1) {
        memcpy(gnttab_shared_entry(gt, 0), kept, GNTTAB_NR_RESERVED_ENTRIES * sizeof(*kept));
        return;
    }
    for (grant_ref_t ref = 0; ref < GNTTAB_NR_RESERVED_ENTRIES; ref++) {
        grant_entry_v2_t *e = gnttab_shared_entry_v2(gt, ref);

        *gnttab_status(gt, ref) = kept[ref].flags & BUSY_BITS;
        e->hdr.flags = kept[ref].flags & ~BUSY_BITS;
        e->hdr.domid = kept[ref].domid;
        e->full_page.frame = kept[ref].frame;
    }
}

/* Switch gt to version (not the one in force): 0 or a negative errno, and
 * then nothing changed. */
static long switch_version(struct grant_table *gt, unsigned int version)
{
    grant_entry_v1_t kept[GNTTAB_NR_RESERVED_ENTRIES];

    /* The toolstack's reserved grants may stay mapped (console, xenstore). */
    if (entries_in_use(gt))
        return -EBUSY;
    if (gt->version == 2 && !reserved_fit_v1(gt))
        return -ERANGE;
    save_reserved(gt, kept);
    if (version == 2) {
        if (gnttab_populate_status(gt))
            return -ENOMEM;
    } else if (!gnttab_unpopulate_status(gt)) {
        return -EBUSY; /* the guest still maps a status frame */
    }
    /* Nothing of the old layout may be read as the new one. */
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        memset(arch_maddr_to_virt((paddr_t)gt->frames[i] << PAGE_SHIFT), 0, PAGE_SIZE);
    gt->version = version;
    restore_reserved(gt, kept);
    return 0;
}

long gnttab_set_version(struct domain *d, uint64_t uop)
{
    struct grant_table *gt = d->grant_table;
    struct gnttab_set_version op;
    long rc;

    ASSERT(gt); /* the running domain's */
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -EINVAL;
    else if (op.version == gt->version)
        rc = 0;
    else
        rc = switch_version(gt, op.version);
    /* The version in force, whatever happened. */
    op.version = gt->version;
    if (copy_to_guest(uop, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}

/* ---- get_version, get_status_frames ---- */

long gnttab_get_version(struct domain *caller, uint64_t uop)
{
    struct gnttab_get_version op;
    struct domain *d = NULL;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    switch (gnttab_target(caller, op.dom, &d)) {
    case GNTST_okay:
        break;
    case GNTST_bad_domain:
        return -ESRCH;
    default:
        return -EPERM;
    }
    op.version = d->grant_table ? d->grant_table->version : 1;
    /* Only the version goes back, as on Xen. */
    return copy_to_guest(uop + offsetof(struct gnttab_get_version, version), &op.version,
                         sizeof(op.version))
               ? -EFAULT
               : 0;
}

long gnttab_get_status_frames(struct domain *caller, uint64_t uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    const struct grant_table *gt;
    struct domain *d = NULL;
    uint64_t list;

    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    list = guest_handle_addr(op.frame_list);
    if (!guest_range_ok(list, (uint64_t)op.nr_frames * sizeof(uint64_t)))
        return -EFAULT;
    op.status = gnttab_target(caller, op.dom, &d);
    if (op.status != GNTST_okay)
        goto out;
    gt = d->grant_table;
    /* In version 1 there are none: only an empty list is fine. */
    if (!gt || op.nr_frames > gt->nr_status_frames) {
        op.status = GNTST_general_error;
        goto out;
    }
    for (unsigned int i = 0; i < op.nr_frames; i++) {
        uint64_t mfn = gt->status[i]; /* a PV guest's frame numbers are machine ones */

        if (copy_to_guest(list + i * sizeof(mfn), &mfn, sizeof(mfn))) {
            op.status = GNTST_bad_virt_addr;
            break;
        }
    }
out:
    return copy_to_guest(uop + offsetof(struct gnttab_get_status_frames, status), &op.status,
                         sizeof(op.status))
               ? -EFAULT
               : 0;
}
