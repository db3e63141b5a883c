/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, version 1: the table itself (setup_table, query_size, the
 * version calls), pinning an entry for a map or a copy, teardown, and the
 * hypercall's dispatch.  The model is described in pvx/grant_table.h.
 *
 * The table's frames are pages the domain owns and may map read-write; they
 * are not part of its pseudo-physical memory.  Status codes follow Xen's
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

/* Retries of the compare-and-swap on a shared entry before pvx decides the
 * granter keeps changing it on purpose (it could otherwise livelock us). */
#define SHARED_ENTRY_RETRIES 4

struct grant_table *grant_table_of(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (gt)
        return gt;
    gt = xzalloc(struct grant_table);
    if (!gt)
        return NULL;
    gt->domain = d;
    gt->maptrack_free = MAPTRACK_NONE;
    d->grant_table = gt;
    return gt;
}

unsigned int gnttab_nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

grant_entry_v1_t *gnttab_shared_entry(const struct grant_table *gt, grant_ref_t ref)
{
    grant_entry_v1_t *frame =
        arch_maddr_to_virt((paddr_t)gt->frames[ref / GNTTAB_ENTRIES_PER_FRAME] << PAGE_SHIFT);

    return frame + ref % GNTTAB_ENTRIES_PER_FRAME;
}

struct active_grant *gnttab_active(struct grant_table *gt, grant_ref_t ref)
{
    unsigned int f = ref / GNTTAB_ENTRIES_PER_FRAME;

    ASSERT(ref < gnttab_nr_entries(gt));
    /* Most frames are never mapped from: their active entries cost nothing. */
    if (!gt->active[f]) {
        gt->active[f] = xzalloc_array(struct active_grant, GNTTAB_ENTRIES_PER_FRAME);
        if (!gt->active[f])
            return NULL;
    }
    return &gt->active[f][ref % GNTTAB_ENTRIES_PER_FRAME];
}

/* ---- pinning ---- */

/* The flags (low half) and domid (high half) of an entry are one 32-bit word
 * the granter may rewrite at any time: read and update them together. */
static uint32_t *entry_word(grant_entry_v1_t *e)
{
    return (uint32_t *)e;
}

/*
 * Set the busy bits for a new use.  The first pin checks the grant (type
 * permit_access, for domain ld); any writable use needs GTF_readonly clear.
 */
static int16_t set_busy(grant_entry_v1_t *e, bool pinned, bool readonly, domid_t ld)
{
    uint32_t *word = entry_word(e);
    uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED);

    for (unsigned int tries = 0;; tries++) {
        uint16_t flags = (uint16_t)old;
        domid_t domid = (domid_t)(old >> 16);
        uint32_t new = old | GTF_reading;

        if (!pinned &&
            ((flags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access || domid != ld))
            return GNTST_general_error;
        if (!readonly) {
            if (flags & GTF_readonly)
                return GNTST_general_error;
            new |= GTF_writing;
        }
        if (__atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            return GNTST_okay;
        if (tries == SHARED_ENTRY_RETRIES)
            return GNTST_general_error; /* "unstable" entry */
    }
}

/* Clear the busy bits no remaining use needs. */
static void reduce_busy(grant_entry_v1_t *e, const struct active_grant *act, bool readonly)
{
    uint16_t clear = act->pins ? 0 : GTF_reading;

    if (!readonly && !act->wpins)
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(&e->flags, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

int16_t gnttab_pin(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                   bool take_type, struct page_info **ppg)
{
    struct active_grant *act;
    grant_entry_v1_t *e;
    struct page_info *pg = NULL;
    uint32_t frame;
    int16_t rc;

    if (!gt || !gt->domain || ref >= gnttab_nr_entries(gt))
        return GNTST_bad_gntref;
    act = gnttab_active(gt, ref);
    if (!act)
        return GNTST_general_error;
    /* Pinned by someone else (the granter re-granted it meanwhile), or a
     * count about to overflow. */
    if (act->pins && (act->domid != ld || act->pins >= (1U << 30)))
        return GNTST_general_error;
    e = gnttab_shared_entry(gt, ref);
    if (!act->pins || (!readonly && !act->wpins)) {
        rc = set_busy(e, act->pins, readonly, ld);
        if (rc)
            return rc;
    }
    /* The frame is read once, at the first pin: later rewrites by the
     * granter do not move a mapping in use. */
    frame = act->pins ? act->frame : e->frame;
    if (frame < max_page)
        pg = mfn_to_page(frame);
    if (!pg || !get_page(pg, gt->domain)) {
        rc = GNTST_bad_page;
        goto out_busy;
    }
    if (take_type && !readonly && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        rc = GNTST_general_error; /* a page table or descriptor page */
        goto out_busy;
    }
    act->frame = frame;
    act->domid = ld;
    act->pins++;
    if (!readonly)
        act->wpins++;
    *ppg = pg;
    return GNTST_okay;

out_busy:
    reduce_busy(e, act, readonly);
    return rc;
}

void gnttab_unpin(struct grant_table *gt, grant_ref_t ref, bool readonly)
{
    struct active_grant *act = gnttab_active(gt, ref);

    ASSERT(act && act->pins && (readonly || act->wpins));
    act->pins--;
    if (!readonly)
        act->wpins--;
    reduce_busy(gnttab_shared_entry(gt, ref), act, readonly);
}

/* ---- the table's life ---- */

static int16_t grow(struct domain *d, unsigned int nr_frames)
{
    struct grant_table *gt = grant_table_of(d);

    if (!gt || nr_frames > GNTTAB_MAX_FRAMES ||
        (d->max_grant_frames && nr_frames > d->max_grant_frames))
        return GNTST_general_error;
    while (gt->nr_frames < nr_frames) {
        struct page_info *pg = domain_alloc_shared_page(d);

        if (!pg)
            return GNTST_general_error;
        /* The table's own reference: the owner's mappings of the frame may
         * go first (a dying domain's last put frees a frame), but the frame
         * is the table's until free_table(). */
        BUG_ON(!get_page(pg, d));
        memset(arch_maddr_to_virt(page_to_mfn(pg) << PAGE_SHIFT), 0, PAGE_SIZE);
        set_gpfn_from_mfn(page_to_mfn(pg), INVALID_M2P_ENTRY);
        gt->frames[gt->nr_frames++] = page_to_mfn(pg);
    }
    return GNTST_okay;
}

/* Give the table's frames back (those nothing maps any more) and free it. */
static void free_table(struct grant_table *gt)
{
    for (unsigned int i = 0; i < gt->nr_frames; i++) {
        struct page_info *pg = mfn_to_page(gt->frames[i]);

        /* Drop the table's reference by hand: put_page() would hand the
         * frame to its dying owner's reaper, and it is freed here. */
        BUG_ON(!(pg->count_info & PGC_count_mask));
        pg->count_info--;
        if ((pg->count_info & PGC_count_mask) || (pg->type_info & PGT_count_mask)) {
            /* Still mapped (granted onwards, or tables not torn down):
             * leaking it is safe, freeing it is not. */
            printk("grant table frame %#llx still referenced: not freed\n",
                   (unsigned long long)gt->frames[i]);
            continue;
        }
        pg->owner = NULL;
        free_pages(pg, 0);
    }
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
        op.status = grow(d, op.nr_frames);
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
        op.nr_frames = d->grant_table ? d->grant_table->nr_frames : 0;
        op.max_nr_frames = GNTTAB_MAX_FRAMES;
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

static long set_version(uint64_t uop)
{
    struct gnttab_set_version op;

    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (op.version == 1)
        return 0;
    op.version = 1;
    (void)copy_to_guest(uop, &op, sizeof(op));
    return -EINVAL; /* only version 1 */
}

static long get_version(struct domain *caller, uint64_t uop)
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
    op.version = 1;
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
    case GNTTABOP_set_version:
        return count == 1 ? set_version(uop) : -EINVAL;
    case GNTTABOP_get_version:
        return count == 1 ? get_version(d, uop) : -EINVAL;
    default:
        return -ENOSYS;
    }
}
