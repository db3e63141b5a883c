/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables: the table itself (its entries in either version, its
 * frames, setup_table, query_size), teardown, batches and the hypercall's
 * dispatch.  The model is described in pvx/grant_table.h.
 *
 * The table's frames (shared and status) are pages the domain owns and may
 * map read-write; they are not part of its pseudo-physical memory.  Status codes follow Xen's
 * (xen/common/grant_table.c), so a guest sees the same results on both.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/grant_table.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

unsigned int gnttab_nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * (gt->version == 1 ? GNTTAB_V1_PER_FRAME : GNTTAB_V2_PER_FRAME);
}

static void *frame_virt(mfn_t mfn)
{
    return arch_maddr_to_virt((paddr_t)mfn << PAGE_SHIFT);
}

grant_entry_v1_t *gnttab_shared_entry(const struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v1_t *frame = frame_virt(gt->frames[ref / GNTTAB_V1_PER_FRAME]);

    ASSERT(gt->version == 1);
    return frame + ref % GNTTAB_V1_PER_FRAME;
}

grant_entry_v2_t *gnttab_shared_entry_v2(const struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v2_t *frame = frame_virt(gt->frames[ref / GNTTAB_V2_PER_FRAME]);

    ASSERT(gt->version == 2);
    return frame + ref % GNTTAB_V2_PER_FRAME;
}

grant_entry_header_t *gnttab_entry_header(const struct grant_table *gt, grant_ref_t ref)
{
    ASSERT(ref < gnttab_nr_entries(gt));
    if (gt->version == 1)
        return (grant_entry_header_t *)gnttab_shared_entry(gt, ref);
    return &gnttab_shared_entry_v2(gt, ref)->hdr;
}

uint16_t *gnttab_status(const struct grant_table *gt, grant_ref_t ref)
{
    grant_status_t *frame;

    if (gt->version == 1)
        return &gnttab_shared_entry(gt, ref)->flags;
    ASSERT(ref / GNTTAB_STATUS_PER_FRAME < gt->nr_status_frames);
    frame = frame_virt(gt->status[ref / GNTTAB_STATUS_PER_FRAME]);
    return &frame[ref % GNTTAB_STATUS_PER_FRAME];
}

struct active_grant *gnttab_active(struct grant_table *gt, grant_ref_t ref)
{
    unsigned int c = ref / GNTTAB_ACTIVE_PER_CHUNK;

    ASSERT(ref < gnttab_nr_entries(gt));
    /* Most entries are never mapped from: their active entries cost nothing. */
    if (!gt->active[c]) {
        gt->active[c] = xzalloc_array(struct active_grant, GNTTAB_ACTIVE_PER_CHUNK);
        if (!gt->active[c])
            return NULL;
    }
    return &gt->active[c][ref % GNTTAB_ACTIVE_PER_CHUNK];
}

/* ---- the table's life ---- */

bool gnttab_alloc_frame(struct domain *d, mfn_t *mfn)
{
    struct page_info *pg = domain_alloc_shared_page(d);

    if (!pg)
        return false;
    /* The table's own reference: the owner's mappings of the frame may go
     * first (a dying domain's last put frees a frame), but the frame is the
     * table's until gnttab_free_frame(). */
    BUG_ON(!get_page(pg, d));
    memset(frame_virt(page_to_mfn(pg)), 0, PAGE_SIZE);
    set_gpfn_from_mfn(page_to_mfn(pg), INVALID_M2P_ENTRY);
    *mfn = page_to_mfn(pg);
    return true;
}

bool gnttab_frame_in_use(mfn_t mfn)
{
    const struct page_info *pg = mfn_to_page(mfn);

    return (pg->count_info & PGC_count_mask) > 1 || (pg->type_info & PGT_count_mask);
}

void gnttab_free_frame(mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    /* Drop the table's reference by hand: put_page() would hand the frame
     * to its dying owner's reaper, and it is freed here. */
    BUG_ON(!(pg->count_info & PGC_count_mask));
    pg->count_info--;
    if ((pg->count_info & PGC_count_mask) || (pg->type_info & PGT_count_mask)) {
        /* Still mapped (granted onwards, or tables not torn down): leaking
         * it is safe, freeing it is not. */
        printk("grant table frame %#llx still referenced: not freed\n", (unsigned long long)mfn);
        return;
    }
    pg->owner = NULL;
    free_pages(pg, 0);
}

/* Grow d's table to nr_frames (never shrinks), with status frames in v2. */
static int16_t grow(struct domain *d, unsigned int nr_frames)
{
    struct grant_table *gt = d->grant_table;

    if (nr_frames > GNTTAB_MAX_FRAMES || (d->max_grant_frames && nr_frames > d->max_grant_frames))
        return GNTST_general_error;
    while (gt->nr_frames < nr_frames) {
        if (!gnttab_alloc_frame(d, &gt->frames[gt->nr_frames]))
            return GNTST_general_error;
        gt->nr_frames++;
    }
    if (gt->version == 2 && gnttab_populate_status(gt))
        return GNTST_general_error;
    return GNTST_okay;
}

int grant_table_init(struct domain *d)
{
    struct grant_table *gt = xzalloc(struct grant_table);

    if (!gt)
        return -ENOMEM;
    gt->domain = d;
    gt->version = 1;
    gt->maptrack_free = MAPTRACK_NONE;
    d->grant_table = gt;
    /* As on Xen, every domain has a table from the start, so a reference
     * inside it that was never granted is refused as not granted. */
    if (grow(d, GNTTAB_INITIAL_FRAMES) != GNTST_okay) {
        grant_table_domain_destroy(d);
        return -ENOMEM;
    }
    return 0;
}

/* Give the table's frames back (those nothing maps any more) and free it. */
static void free_table(struct grant_table *gt)
{
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        gnttab_free_frame(gt->frames[i]);
    for (unsigned int i = 0; i < gt->nr_status_frames; i++)
        gnttab_free_frame(gt->status[i]);
    for (unsigned int i = 0; i < GNTTAB_MAX_FRAMES; i++)
        xfree(gt->active[i]);
    ASSERT(!gt->maptrack_limit); /* gone with its owner (gnttab_release_mappings) */
    xfree(gt);
}

void gnttab_put_table(struct grant_table *gt)
{
    ASSERT(gt->users);
    if (--gt->users == 0 && !gt->domain)
        free_table(gt);
}

void grant_table_domain_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    /* First what d maps (possibly its own grants: that drops users of gt). */
    gnttab_release_mappings(d);
    d->grant_table = NULL;
    gt->domain = NULL;
    if (!gt->users) {
        free_table(gt);
        return;
    }
    /* Others still map d's grants: their handles keep the table (and the
     * busy bits in its frames) until they unmap or die.  Its frames are no
     * longer d's, so d's own teardown leaves them to free_table(). */
    for (unsigned int i = 0; i < gt->nr_frames; i++)
        mfn_to_page(gt->frames[i])->owner = NULL;
    for (unsigned int i = 0; i < gt->nr_status_frames; i++)
        mfn_to_page(gt->status[i])->owner = NULL;
    printk("d%u: grant table kept for %lu mapping(s) by other domains\n", d->domain_id, gt->users);
}

/* ---- hypercall ---- */

int16_t gnttab_target(struct domain *caller, domid_t id, struct domain **d)
{
    struct domain *t;

    if (id == DOMID_SELF || id == caller->domain_id) {
        *d = caller;
        return GNTST_okay;
    }
    t = domain_lookup(id);
    if (!t)
        return GNTST_bad_domain;
    if (!caller->is_privileged)
        return GNTST_permission_denied;
    *d = t;
    return GNTST_okay;
}

static long setup_table(struct domain *caller, uint64_t uop)
{
    struct gnttab_setup_table op;
    uint64_t list;
    struct domain *d = NULL;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    list = guest_handle_addr(op.frame_list);
    if (!guest_range_ok(list, (uint64_t)op.nr_frames * sizeof(xen_pfn_t)))
        return -EFAULT;
    op.status = gnttab_target(caller, op.dom, &d);
    if (op.status == GNTST_okay)
        op.status = d->grant_table ? grow(d, op.nr_frames) : GNTST_general_error; /* dying */
    for (unsigned int i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
        xen_pfn_t f = d->grant_table->frames[i];

        if (copy_to_guest(list + i * sizeof(f), &f, sizeof(f)))
            op.status = GNTST_bad_virt_addr;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

static long query_size(struct domain *caller, uint64_t uop)
{
    struct gnttab_query_size op;
    struct domain *d = NULL;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    op.status = gnttab_target(caller, op.dom, &d);
    if (op.status == GNTST_okay) {
        op.nr_frames = d->grant_table ? d->grant_table->nr_frames : 0; /* 0: dying */
        op.max_nr_frames = d->max_grant_frames ? d->max_grant_frames : GNTTAB_MAX_FRAMES;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/* One batched operation over count elements (no function pointers: the
 * image is linked without a GOT). */
static long batch_op(uint64_t cmd, uint64_t uop, unsigned int count, unsigned int *done)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return gnttab_map(uop, count, done);
    case GNTTABOP_unmap_grant_ref:
        return gnttab_unmap(uop, count, done);
    case GNTTABOP_unmap_and_replace:
        return gnttab_unmap_and_replace(uop, count, done);
    default:
        return gnttab_copy(uop, count, done);
    }
}

/* A batch: its elements' array must be guest memory; a preempted batch
 * resumes with the rest of the array. */
static long run_batch(uint64_t cmd, uint64_t uop, unsigned int count, size_t size)
{
    unsigned int done = 0;
    long rc;

    if (!guest_range_ok(uop, (uint64_t)count * size))
        return -EFAULT;
    rc = batch_op(cmd, uop, count, &done);
    if (rc || done == count)
        return rc;
    return hypercall_create_continuation(__HYPERVISOR_grant_table_op, cmd, uop + done * size,
                                         count - done, 0, 0);
}

long gnttab_batch(uint64_t uop, unsigned int count, unsigned int *done,
                  const struct gnttab_batch_op *op, void *ctx)
{
    uint64_t elem[8]; /* room for the largest GNTTABOP element */
    unsigned int i;
    long rc = 0;

    BUG_ON(op->size > sizeof(elem));
    ASSERT(!op->end_chunk || op->chunk);
    for (i = 0; i < count; i++) {
        uint64_t a = uop + (uint64_t)i * op->size;

        if (i && (!op->end_chunk || i % op->chunk == 0)) {
            if (op->end_chunk)
                op->end_chunk(ctx);
            if (hypercall_preempt_check())
                break;
        }
        if (copy_from_guest(elem, a, op->size)) {
            rc = -EFAULT;
            break;
        }
        op->one(elem, ctx);
        if (op->status_only ? copy_to_guest(a + op->status_off, (char *)elem + op->status_off, 2)
                            : copy_to_guest(a, elem, op->size)) {
            rc = -EFAULT;
            break;
        }
    }
    if (op->end_chunk)
        op->end_chunk(ctx);
    *done = i;
    return rc;
}

long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count64, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;
    unsigned int count = (unsigned int)count64;

    if ((int)count < 0)
        return -EINVAL;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return run_batch(cmd, uop, count, sizeof(struct gnttab_map_grant_ref));
    case GNTTABOP_unmap_grant_ref:
        return run_batch(cmd, uop, count, sizeof(struct gnttab_unmap_grant_ref));
    case GNTTABOP_unmap_and_replace:
        return run_batch(cmd, uop, count, sizeof(struct gnttab_unmap_and_replace));
    case GNTTABOP_copy:
        return run_batch(cmd, uop, count, sizeof(struct gnttab_copy));
    case GNTTABOP_setup_table:
    case GNTTABOP_query_size:
        if (count != 1)
            return -EINVAL;
        return cmd == GNTTABOP_setup_table ? setup_table(d, uop) : query_size(d, uop);
    case GNTTABOP_set_version: /* count is not looked at, as on Xen */
        return gnttab_set_version(d, uop);
    case GNTTABOP_get_version:
        return gnttab_get_version(d, uop);
    case GNTTABOP_get_status_frames:
        return gnttab_get_status_frames(d, uop, count);
    default:
        return -ENOSYS;
    }
}
