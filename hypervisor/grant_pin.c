/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pinning a grant entry for a map or a copy, in either table version.  The
 * first use of an entry checks the grant (type, domid) and sets the busy
 * bits the granter reads before it revokes: in v1 in the shared flags with
 * a compare-and-swap (the granter writes the same word), in v2 in the
 * entry's status, after which the shared flags are read again so that a
 * granter that revoked meanwhile is seen.  Later uses by the same domain
 * only count.  Checks and status codes follow Xen's, so a guest sees the
 * same results on both.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/grant_table.h>
#include <pvx/lib.h>

/* Retries of the compare-and-swap on a v1 entry before pvx decides the
 * granter keeps changing it on purpose (it could otherwise livelock us). */
#define SHARED_ENTRY_RETRIES 4

#define PIN_COUNT_MAX (1U << 30) /* refuse a pin before the counts overflow */

/* How a pin may use the entry. */
struct pin_kind {
    bool map;              /* a mapping: full-page permit_access only */
    bool allow_transitive; /* a copy's first level */
};

/* The flags (low half) and domid (high half) of an entry header are one
 * 32-bit word the granter may rewrite at any time: read them together. */
static uint32_t *header_word(grant_entry_header_t *h)
{
    return (uint32_t *)h;
}

/* The grant types a use accepts (v2 copies also take a transitive one). */
static bool type_ok(uint16_t flags, unsigned int version, bool map)
{
    uint16_t mask = GTF_type_mask | (map ? GTF_sub_page : 0);

    if ((flags & mask) == GTF_permit_access)
        return true;
    return version == 2 && !map && (flags & GTF_type_mask) == GTF_transitive;
}

/* v1: the busy bits are in the shared flags, set with the checks in one
 * compare-and-swap. */
static int16_t set_busy_v1(grant_entry_header_t *hdr, bool pinned, bool readonly, domid_t ld,
                           bool map)
{
    uint32_t *word = header_word(hdr);
    uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED);

    for (unsigned int tries = 0;; tries++) {
        uint16_t flags = (uint16_t)old;
        uint32_t new = old | GTF_reading;

        if (!pinned && (!type_ok(flags, 1, map) || (domid_t)(old >> 16) != ld))
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

/* v2: is the grant (still) usable for this pin? */
static bool grant_ok(uint32_t word, bool pinned, bool readonly, domid_t ld, bool map)
{
    uint16_t flags = (uint16_t)word;

    if (!pinned && (!type_ok(flags, 2, map) || (domid_t)(word >> 16) != ld))
        return false;
    return readonly || !(flags & GTF_readonly);
}

/* v2: set the status bits first, then look at the shared flags again: a
 * granter revokes by clearing its flags and then reading the status, so one
 * of the two sides always sees the other. */
static int16_t set_busy_v2(grant_entry_header_t *hdr, uint16_t *status, bool pinned, bool readonly,
                           domid_t ld, bool map)
{
    uint32_t *word = header_word(hdr);
    uint16_t busy = readonly ? GTF_reading : GTF_reading | GTF_writing;

    if (!grant_ok(__atomic_load_n(word, __ATOMIC_RELAXED), pinned, readonly, ld, map))
        return GNTST_general_error;
    __atomic_fetch_or(status, busy, __ATOMIC_SEQ_CST);
    if (!grant_ok(__atomic_load_n(word, __ATOMIC_SEQ_CST), pinned, readonly, ld, map)) {
        /* Unpinned: nobody else uses it.  Pinned: this was a writer's
         * upgrade, and only GTF_writing is ours to take back. */
        __atomic_fetch_and(status, (uint16_t) ~(pinned ? GTF_writing : busy), __ATOMIC_SEQ_CST);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

/* Clear the busy bits no remaining use needs. */
static void reduce_busy(uint16_t *status, const struct active_grant *act, bool readonly)
{
    uint16_t clear = act->pins ? 0 : GTF_reading;

    if (!readonly && !act->wpins)
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(status, (uint16_t)~clear, __ATOMIC_SEQ_CST);
}

static void count_pin(struct active_grant *act, bool readonly)
{
    act->pins++;
    if (!readonly)
        act->wpins++;
}

static int16_t pin(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                   struct pin_kind kind, struct page_info **ppg, uint16_t *off, uint16_t *len);

/*
 * A transitive grant (v2, copies only): gt's entry lets ld use the entry
 * trans_ref of domain trans_domid, which names gt's owner as its user.  Both
 * entries are pinned, one level deep only, and the copy gets the target's
 * frame and bounds.
 */
static int16_t pin_transitive(struct grant_table *gt, grant_ref_t ref, struct active_grant *act,
                              domid_t ld, bool readonly, bool allowed, struct page_info **ppg,
                              uint16_t *off, uint16_t *len)
{
    const grant_entry_v2_t *e = gnttab_shared_entry_v2(gt, ref);
    uint16_t *status = gnttab_status(gt, ref);
    static const struct pin_kind target_kind = {.map = false, .allow_transitive = false};
    struct domain *td;
    domid_t trans_domid;
    grant_ref_t trans_ref;
    int16_t rc;

    if (!act->pins || (!readonly && !act->wpins)) {
        rc = set_busy_v2(gnttab_entry_header(gt, ref), status, act->pins, readonly, ld, false);
        if (rc)
            return rc;
    }
    rc = GNTST_general_error;
    if (!allowed)
        goto out_busy;
    /* Read once: the granter may rewrite them under us. */
    trans_domid = __atomic_load_n(&e->transitive.trans_domid, __ATOMIC_RELAXED);
    trans_ref = __atomic_load_n(&e->transitive.gref, __ATOMIC_RELAXED);
    if (trans_domid == gt->domain->domain_id)
        goto out_busy; /* a grant of its own grant */
    td = domain_lookup(trans_domid);
    if (!td)
        goto out_busy;
    rc = pin(td->grant_table, trans_ref, gt->domain->domain_id, readonly, target_kind, ppg, off,
             len);
    if (rc)
        goto out_busy;
    if (act->pins &&
        (act->frame != page_to_mfn(*ppg) || act->start != *off || act->length != *len ||
         act->trans_gt != td->grant_table || act->trans_ref != trans_ref)) {
        /* Rewritten while in use: refuse rather than mix two grants. */
        put_page(*ppg);
        gnttab_unpin(td->grant_table, trans_ref, readonly);
        rc = GNTST_general_error;
        goto out_busy;
    }
    if (!act->pins) {
        act->domid = ld;
        act->frame = page_to_mfn(*ppg);
        act->start = *off;
        act->length = *len;
        /* Whatever the target is, never mapped through this entry. */
        act->is_sub_page = true;
        act->trans_gt = td->grant_table;
        act->trans_ref = trans_ref;
    }
    count_pin(act, readonly);
    return GNTST_okay;

out_busy:
    reduce_busy(status, act, readonly);
    return rc;
}

static int16_t pin(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                   struct pin_kind kind, struct page_info **ppg, uint16_t *off, uint16_t *len)
{
    struct active_grant *act;
    grant_entry_header_t *hdr;
    uint16_t *status;
    struct page_info *pg = NULL;
    uint16_t flags;
    mfn_t frame;
    int16_t rc;

    if (!gt || !gt->domain || ref >= gnttab_nr_entries(gt))
        return GNTST_bad_gntref;
    act = gnttab_active(gt, ref);
    if (!act)
        return GNTST_general_error;
    /* Pinned by someone else (the granter re-granted it meanwhile), a count
     * about to overflow, or a sub-page/transitive use to be mapped. */
    if (act->pins &&
        (act->domid != ld || act->pins >= PIN_COUNT_MAX || (kind.map && act->is_sub_page)))
        return GNTST_general_error;
    hdr = gnttab_entry_header(gt, ref);
    status = gnttab_status(gt, ref);
    flags = __atomic_load_n(&hdr->flags, __ATOMIC_RELAXED);
    if (gt->version == 2 && !kind.map && (flags & GTF_type_mask) == GTF_transitive)
        return pin_transitive(gt, ref, act, ld, readonly, kind.allow_transitive, ppg, off, len);

    if (!act->pins || (!readonly && !act->wpins)) {
        rc = gt->version == 1 ? set_busy_v1(hdr, act->pins, readonly, ld, kind.map)
                              : set_busy_v2(hdr, status, act->pins, readonly, ld, kind.map);
        if (rc)
            return rc;
    }
    /* The frame and bounds are read once, at the first pin: later rewrites
     * by the granter do not move a use in progress. */
    if (!act->pins) {
        act->start = 0;
        act->length = PAGE_SIZE;
        act->is_sub_page = false;
        act->trans_gt = NULL;
        if (gt->version == 1) {
            frame = gnttab_shared_entry(gt, ref)->frame;
        } else {
            const grant_entry_v2_t *e = gnttab_shared_entry_v2(gt, ref);

            /* full_page.frame and sub_page.frame are the same field. */
            frame = e->full_page.frame;
            if (__atomic_load_n(&hdr->flags, __ATOMIC_RELAXED) & GTF_sub_page) {
                act->is_sub_page = true;
                act->start = e->sub_page.page_off;
                act->length = e->sub_page.length;
            }
        }
    } else {
        frame = act->frame;
    }
    if (frame < max_page)
        pg = mfn_to_page(frame);
    if (!pg || !get_page(pg, gt->domain)) {
        rc = GNTST_bad_page;
        goto out_busy;
    }
    if (kind.map && !readonly && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        rc = GNTST_general_error; /* a page table or descriptor page */
        goto out_busy;
    }
    act->frame = frame;
    act->domid = ld;
    count_pin(act, readonly);
    *ppg = pg;
    *off = act->start;
    *len = act->length;
    return GNTST_okay;

out_busy:
    reduce_busy(status, act, readonly);
    return rc;
}

int16_t gnttab_pin(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                   struct page_info **ppg)
{
    static const struct pin_kind map_kind = {.map = true, .allow_transitive = false};
    uint16_t off, len;

    return pin(gt, ref, ld, readonly, map_kind, ppg, &off, &len);
}

int16_t gnttab_pin_for_copy(struct grant_table *gt, grant_ref_t ref, domid_t ld, bool readonly,
                            struct page_info **ppg, uint16_t *off, uint16_t *len)
{
    static const struct pin_kind copy_kind = {.map = false, .allow_transitive = true};

    return pin(gt, ref, ld, readonly, copy_kind, ppg, off, len);
}

void gnttab_unpin(struct grant_table *gt, grant_ref_t ref, bool readonly)
{
    struct active_grant *act = gnttab_active(gt, ref);
    struct grant_table *trans_gt;

    ASSERT(act && act->pins && (readonly || act->wpins));
    trans_gt = act->trans_gt;
    act->pins--;
    if (!readonly)
        act->wpins--;
    reduce_busy(gnttab_status(gt, ref), act, readonly);
    /* A transitive pin holds one pin of its target. */
    if (trans_gt)
        gnttab_unpin(trans_gt, act->trans_ref, readonly);
}
