/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GNTTABOP_copy: copy bytes between two pages without mapping either into
 * the guest.  Each side is a grant reference of some domain (pinned for the
 * copy, so the granter sees GTF_reading/GTF_writing while it runs) or one of
 * the caller's own frames; a v2 sub-page grant bounds the bytes copied, and
 * a transitive grant is followed one level to the grant it names.  Checks
 * happen in Xen's order, so the status of an element with several faults is
 * the same on both.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/grant_table.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

/* One side of a copy while it is held. */
struct copy_buf {
    struct domain *d;
    struct grant_table *gt; /* set while a grant is pinned */
    grant_ref_t ref;
    struct page_info *pg;   /* with a general reference */
    uint16_t start, length; /* the bytes the grant allows (a sub-page) */
    bool readonly;
    bool have_type; /* a PGT_writable_page reference on pg */
};

/* Only the caller's own frames may be named directly; grants may be of any
 * domain, as the grant itself is the permission. */
static int16_t lock_domain(struct domain *ld, const struct gnttab_copy_ptr *p, bool is_gref,
                           struct copy_buf *b)
{
    if (!is_gref && p->domid != DOMID_SELF)
        return GNTST_permission_denied;
    b->d = p->domid == DOMID_SELF ? ld : domain_lookup(p->domid);
    return b->d ? GNTST_okay : GNTST_bad_domain;
}

static int16_t claim(struct domain *ld, const struct gnttab_copy_ptr *p, bool is_gref,
                     struct copy_buf *b)
{
    int16_t rc;

    if (is_gref) {
        rc = gnttab_pin_for_copy(b->d->grant_table, p->u.ref, ld->domain_id, b->readonly, &b->pg,
                                 &b->start, &b->length);
        if (rc)
            return rc;
        b->gt = b->d->grant_table;
        b->ref = p->u.ref;
    } else {
        struct page_info *pg = p->u.gmfn < max_page ? mfn_to_page(p->u.gmfn) : NULL;

        if (!pg || !get_page(pg, ld))
            return GNTST_bad_page;
        b->pg = pg;
        b->start = 0;
        b->length = PAGE_SIZE;
    }
    if (!b->readonly) {
        if (get_page_type(b->pg, PGT_writable_page))
            return GNTST_general_error; /* a page table: never written behind its back */
        b->have_type = true;
    }
    return GNTST_okay;
}

static bool within(const struct copy_buf *b, unsigned int offset, unsigned int len)
{
    return offset >= b->start && offset + len <= (unsigned int)b->start + b->length;
}

static void release(struct copy_buf *b)
{
    if (b->have_type)
        put_page_type(b->pg);
    if (b->pg)
        put_page(b->pg);
    if (b->gt)
        gnttab_unpin(b->gt, b->ref, b->readonly);
}

static int16_t copy_one(struct vcpu *v, const struct gnttab_copy *op)
{
    struct domain *ld = v->domain;
    struct copy_buf src = {.readonly = true}, dst = {.readonly = false};
    const uint8_t *from;
    uint8_t *to;
    int16_t rc;

    if (!op->len)
        return GNTST_okay;
    rc = lock_domain(ld, &op->source, op->flags & GNTCOPY_source_gref, &src);
    if (!rc)
        rc = lock_domain(ld, &op->dest, op->flags & GNTCOPY_dest_gref, &dst);
    if (!rc)
        rc = claim(ld, &op->source, op->flags & GNTCOPY_source_gref, &src);
    if (!rc)
        rc = claim(ld, &op->dest, op->flags & GNTCOPY_dest_gref, &dst);
    if (rc)
        goto out;
    if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE) {
        rc = GNTST_bad_copy_arg;
        goto out;
    }
    /* Within what each grant allows (a v2 sub-page grant: part of a page). */
    if (!within(&src, op->source.offset, op->len) || !within(&dst, op->dest.offset, op->len)) {
        rc = GNTST_general_error;
        goto out;
    }
    from = arch_maddr_to_virt((paddr_t)page_to_mfn(src.pg) << PAGE_SHIFT);
    to = arch_maddr_to_virt((paddr_t)page_to_mfn(dst.pg) << PAGE_SHIFT);
    /* Both sides may be the same frame. */
    memmove(to + op->dest.offset, from + op->source.offset, op->len);
    arch_logdirty_mark(dst.pg);
    rc = GNTST_okay;
out:
    release(&dst);
    release(&src);
    return rc;
}

static void copy_elem(void *elem, void *ctx)
{
    struct gnttab_copy *op = elem;

    (void)ctx;
    op->status = copy_one(current, op);
}

long gnttab_copy(uint64_t uop, unsigned int count, unsigned int *done)
{
    static const struct gnttab_batch_op copy = {
        .size = sizeof(struct gnttab_copy),
        .status_only = true,
        .status_off = offsetof(struct gnttab_copy, status),
        .one = copy_elem,
    };

    return gnttab_batch(uop, count, done, &copy, NULL);
}
