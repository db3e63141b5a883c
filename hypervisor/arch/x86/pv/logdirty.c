/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log-dirty mode: write-protecting a PV domain's writable L1 entries and
 * recording the pages it writes (the model is in asm/pv/logdirty.h).
 *
 * State per tracked domain: the dirty bitmap (one bit per pfn of the range
 * the toolstack gave) and, per L1 table with protected entries, a 512-bit
 * mask of the slots pvx protected, in an open-addressing hash keyed by the
 * table's frame.  A mask bit is set only while its slot holds the entry pvx
 * protected: the guest rewriting the slot, the table being demoted, and the
 * first write through it each clear it.  So making a masked entry writable
 * again never grants more than the guest had.  All of it runs under the
 * hypervisor lock; other CPUs may still set accessed/dirty bits in entries,
 * so the writable bit is changed atomically.
 */
#include <asm/page.h>
#include <asm/pv/logdirty.h>
#include <asm/pv/mm.h>
#include <public/domctl.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/sched.h>

#define MASK_WORDS (PT_ENTRIES / 64)

struct ld_table {
    mfn_t key; /* the L1 table's frame + 1; 0: an empty bucket */
    uint64_t mask[MASK_WORDS];
};

struct logdirty {
    uint64_t nr_pfns;
    uint64_t *bitmap;
    /* Protecting or unprotecting for the toolstack: the writable type
     * references that come and go then are not the guest's writes. */
    bool quiet;
    uint32_t nr_buckets; /* a power of two */
    uint32_t used;
    struct ld_table *buckets;
};

#define INITIAL_BUCKETS 256

static inline pte_t *map_frame(mfn_t mfn)
{
    return arch_maddr_to_virt((paddr_t)mfn << PAGE_SHIFT);
}

static inline mfn_t pte_frame(pte_t e)
{
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static struct logdirty *tracking(const struct domain *d)
{
    return d ? d->arch.logdirty : NULL;
}

/* ---- the bitmap ---- */

static void mark_frame(struct logdirty *ld, mfn_t mfn)
{
    uint64_t pfn = get_gpfn_from_mfn(mfn);

    /* A frame the guest gave no pfn (or one outside the range the
     * toolstack tracks) is not in the stream either. */
    if (pfn < ld->nr_pfns)
        ld->bitmap[pfn / 64] |= 1ULL << (pfn % 64);
}

void logdirty_mark_page(const struct page_info *pg)
{
    struct logdirty *ld = tracking(pg->owner);

    if (ld && !ld->quiet)
        mark_frame(ld, page_to_mfn(pg));
}

void arch_logdirty_mark(const struct page_info *pg)
{
    logdirty_mark_page(pg);
}

/* ---- the protected slots ---- */

static uint32_t bucket_of(const struct logdirty *ld, mfn_t mfn)
{
    return (uint32_t)((mfn * 0x9e3779b97f4a7c15ULL) >> 32) & (ld->nr_buckets - 1);
}

static struct ld_table *find_table(const struct logdirty *ld, mfn_t mfn)
{
    for (uint32_t i = bucket_of(ld, mfn), n = 0; n < ld->nr_buckets;
         i = (i + 1) & (ld->nr_buckets - 1), n++) {
        if (ld->buckets[i].key == mfn + 1)
            return &ld->buckets[i];
        if (!ld->buckets[i].key)
            return NULL;
    }
    return NULL;
}

static struct ld_table *insert_table(struct logdirty *ld, mfn_t mfn)
{
    uint32_t i = bucket_of(ld, mfn);

    while (ld->buckets[i].key && ld->buckets[i].key != mfn + 1)
        i = (i + 1) & (ld->nr_buckets - 1);
    if (!ld->buckets[i].key) {
        ld->buckets[i].key = mfn + 1;
        ld->used++;
    }
    return &ld->buckets[i];
}

/* Twice the buckets, keeping only tables that still have protected slots. */
static int grow(struct logdirty *ld)
{
    struct ld_table *old = ld->buckets;
    uint32_t n = ld->nr_buckets;

    ld->buckets = xzalloc_array(struct ld_table, (size_t)n * 2);
    if (!ld->buckets) {
        ld->buckets = old;
        return -ENOMEM;
    }
    ld->nr_buckets = n * 2;
    ld->used = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t any = 0;

        for (unsigned int w = 0; w < MASK_WORDS; w++)
            any |= old[i].mask[w];
        if (old[i].key && any)
            *insert_table(ld, old[i].key - 1) = old[i];
    }
    xfree(old);
    return 0;
}

static struct ld_table *table_for(struct logdirty *ld, mfn_t mfn)
{
    struct ld_table *t = find_table(ld, mfn);

    if (t)
        return t;
    if (ld->used * 2 >= ld->nr_buckets && grow(ld))
        return NULL;
    return insert_table(ld, mfn);
}

static bool test_and_clear_slot(struct ld_table *t, unsigned int slot)
{
    uint64_t bit = 1ULL << (slot % 64);
    bool was = t->mask[slot / 64] & bit;

    t->mask[slot / 64] &= ~bit;
    return was;
}

/* An entry that maps one of d's own RAM frames writable, not as a grant. */
static struct page_info *own_writable_frame(const struct domain *d, pte_t e)
{
    struct page_info *pg;

    if ((e & (_PAGE_PRESENT | _PAGE_RW)) != (_PAGE_PRESENT | _PAGE_RW) || (e & _PAGE_GNTTAB) ||
        pte_frame(e) >= max_page)
        return NULL;
    pg = mfn_to_page(pte_frame(e));
    /* pvx's own pages it lends (shared_info) are not in the stream. */
    if (pg->owner != d ||
        (pg->count_info & (PGC_free | PGC_reserved | PGC_xen_heap | PGC_pvx_shared)))
        return NULL;
    return pg;
}

/*
 * An entry the guest made for its user space (written with _PAGE_USER, so
 * without pvx's _PAGE_GUEST_KERNEL).  The guest reads its own page tables
 * and acts on what it sees: Linux's fork copies a user entry it finds
 * read-only as it is and leaves the parent's alone, trusting the parent's
 * next write to fault.  Giving such an entry its writable bit back behind
 * the guest's back would then let the parent write into the child's copy.
 * So pvx never does: the guest's own write fault goes to the guest, which
 * sees a read-only entry in a writable mapping and rewrites it (or copies
 * the page), and that rewrite marks the page.  Kernel entries are never
 * shared so; pvx restores those itself, as the guest cannot take a fault
 * on them.
 */
static bool guest_user_entry(pte_t e)
{
    return !(e & _PAGE_GUEST_KERNEL);
}

static bool is_live_l1(const struct domain *d, const struct page_info *pg)
{
    uint64_t t = pg->type_info;

    return pg->owner == d && !(pg->count_info & PGC_free) && pgt_level(t) == 1 &&
           (t & PGT_validated) && (t & PGT_count_mask);
}

/* Write-protect every writable entry of d's L1 tables that maps d's own
 * memory, marking each table changed, then flush every CPU that ran d. */
static int protect_all(struct domain *d, struct logdirty *ld)
{
    int rc = 0;

    ld->quiet = true;
    for (mfn_t mfn = 0; mfn < max_page && !rc; mfn++) {
        struct page_info *table = mfn_to_page(mfn);
        struct ld_table *t = NULL;
        pte_t *e;

        if (!is_live_l1(d, table))
            continue;
        e = map_frame(mfn);
        for (unsigned int slot = 0; slot < PT_ENTRIES; slot++) {
            struct page_info *pg = own_writable_frame(d, e[slot]);

            if (!pg)
                continue;
            if (!t && !(t = table_for(ld, mfn))) {
                rc = -ENOMEM;
                break;
            }
            __atomic_fetch_and(&e[slot], ~_PAGE_RW, __ATOMIC_SEQ_CST);
            put_page_type(pg); /* now a read-only entry's references */
            t->mask[slot / 64] |= 1ULL << (slot % 64);
        }
        /* The guest reads its tables, and the stream carries them as the
         * guest last could have seen them: a changed table goes again. */
        if (t)
            mark_frame(ld, mfn);
    }
    ld->quiet = false;
    arch_flush_domain_tlbs(d);
    return rc;
}

/* Give a protected entry its writable bit back, with the type reference a
 * writable entry holds.  A frame that has become something a guest may not
 * write (a page table) keeps a read-only entry: the guest then faults as if
 * it had made the entry read-only itself. */
static bool unprotect_entry(pte_t *e)
{
    pte_t x = *e;

    if (!(x & _PAGE_PRESENT) || pte_frame(x) >= max_page ||
        get_page_type(mfn_to_page(pte_frame(x)), PGT_writable_page))
        return false;
    __atomic_fetch_or(e, _PAGE_RW, __ATOMIC_SEQ_CST);
    return true;
}

/* Every protected kernel entry writable again (user entries stay as the
 * guest has seen them); each table touched is marked (the copy the
 * toolstack has of it shows the entries read-only). */
static void unprotect_all(struct domain *d, struct logdirty *ld)
{
    ld->quiet = true;
    for (uint32_t i = 0; i < ld->nr_buckets; i++) {
        struct ld_table *t = &ld->buckets[i];
        mfn_t mfn = t->key - 1;
        bool touched = false;

        if (!t->key)
            continue;
        if (is_live_l1(d, mfn_to_page(mfn))) {
            pte_t *e = map_frame(mfn);

            for (unsigned int slot = 0; slot < PT_ENTRIES; slot++)
                if (test_and_clear_slot(t, slot) && !guest_user_entry(e[slot])) {
                    unprotect_entry(&e[slot]);
                    touched = true;
                }
        }
        memset(t->mask, 0, sizeof(t->mask));
        if (touched)
            mark_frame(ld, mfn);
    }
    ld->quiet = false;
    arch_flush_domain_tlbs(d);
}

void logdirty_slot_written(const struct page_info *l1pg, unsigned int slot)
{
    struct logdirty *ld = tracking(l1pg->owner);
    struct ld_table *t;

    if (!ld)
        return;
    t = find_table(ld, page_to_mfn(l1pg));
    if (t)
        test_and_clear_slot(t, slot);
    mark_frame(ld, page_to_mfn(l1pg));
}

void logdirty_table_released(struct page_info *pg)
{
    struct logdirty *ld = tracking(pg->owner);
    struct ld_table *t;
    pte_t *e;

    if (!ld || !(t = find_table(ld, page_to_mfn(pg))))
        return;
    /* The entries' references are gone already (released as read-only
     * ones); validating the table again takes them as the guest wrote it. */
    e = map_frame(page_to_mfn(pg));
    for (unsigned int slot = 0; slot < PT_ENTRIES; slot++)
        if (test_and_clear_slot(t, slot) && !guest_user_entry(e[slot]))
            __atomic_fetch_or(&e[slot], _PAGE_RW, __ATOMIC_SEQ_CST);
    mark_frame(ld, page_to_mfn(pg));
}

bool logdirty_fault(struct vcpu *v, uint64_t va, uint32_t ec)
{
    static const unsigned int shift[] = {0, L1_SHIFT, L2_SHIFT, L3_SHIFT, L4_SHIFT};
    struct domain *d = v->domain;
    struct logdirty *ld = tracking(d);
    mfn_t mfn = v->arch.kernel_mode || !v->arch.guest_table_user ? v->arch.guest_table
                                                                 : v->arch.guest_table_user;
    struct ld_table *t;
    pte_t *e;

    /* A write to a present page, not a reserved-bit or fetch fault. */
    if (!ld || (ec & 0x1b) != 0x3 || !mfn || !is_canonical(va) ||
        (va >= PVX_VIRT_START && va < PVX_VIRT_END))
        return false;
    for (unsigned int level = 4; level > 1; level--) {
        pte_t u = map_frame(mfn)[(va >> shift[level]) & (PT_ENTRIES - 1)];

        if ((u & (_PAGE_PRESENT | _PAGE_RW)) != (_PAGE_PRESENT | _PAGE_RW) || (u & _PAGE_PSE) ||
            pte_frame(u) >= max_page)
            return false;
        mfn = pte_frame(u);
    }
    if (!is_live_l1(d, mfn_to_page(mfn)))
        return false;
    e = &map_frame(mfn)[l1_index(va)];
    t = find_table(ld, mfn);
    if (t && test_and_clear_slot(t, l1_index(va))) {
        /* The guest's own write through a user entry: the guest handles
         * it, as it would the read-only entry it sees (pvx writing for
         * the guest, error code without the user bit, cannot wait for
         * that and completes). */
        if ((guest_user_entry(*e) && (ec & 4)) || !unprotect_entry(e))
            return false;
        mark_frame(ld, mfn); /* the table changed too */
    } else if ((*e & (_PAGE_PRESENT | _PAGE_RW)) != (_PAGE_PRESENT | _PAGE_RW)) {
        return false; /* the guest's own read-only entry */
    }
    /* Writable now, or already (a translation cached before another CPU
     * gave the bit back): retry the write. */
    flush_tlb_one_local(va);
    return true;
}

/* ---- turning it on and off ---- */

static void discard(struct domain *d)
{
    struct logdirty *ld = tracking(d);

    if (!ld)
        return;
    xfree(ld->buckets);
    xfree(ld->bitmap);
    xfree(ld);
    d->arch.logdirty = NULL;
}

void logdirty_teardown(struct domain *d)
{
    discard(d);
}

static long enable(struct domain *d, uint64_t nr_pfns)
{
    struct logdirty *ld;
    long rc;

    if (d->arch.logdirty)
        return -EBUSY;
    if (!nr_pfns || nr_pfns > PVX_LOGDIRTY_MAX_PFNS)
        return -EINVAL;
    ld = xzalloc(struct logdirty);
    if (!ld)
        return -ENOMEM;
    d->arch.logdirty = ld;
    ld->nr_pfns = nr_pfns;
    ld->nr_buckets = INITIAL_BUCKETS;
    ld->bitmap = xzalloc_array(uint64_t, (nr_pfns + 63) / 64);
    ld->buckets = xzalloc_array(struct ld_table, INITIAL_BUCKETS);
    rc = ld->bitmap && ld->buckets ? protect_all(d, ld) : -ENOMEM;
    if (rc) {
        if (ld->buckets)
            unprotect_all(d, ld);
        discard(d);
    }
    return rc;
}

/* Frames someone holds writable references to: written behind the guest's
 * page tables (pvx's vcpu_info and event arrays, dom0's mappings of its
 * rings, backends' grant maps) or through entries made writable again. */
static void mark_writable_refs(struct domain *d, struct logdirty *ld)
{
    for (mfn_t mfn = 0; mfn < max_page; mfn++) {
        const struct page_info *pg = mfn_to_page(mfn);

        if (pg->owner == d && !(pg->count_info & PGC_free) &&
            (pg->type_info & PGT_type_mask) == PGT_writable_page &&
            (pg->type_info & PGT_count_mask))
            mark_frame(ld, mfn);
    }
}

/* Hand the bitmap to the caller and start afresh. */
static long hand_out(struct logdirty *ld, struct pvx_domctl_logdirty *op)
{
    uint64_t words = (ld->nr_pfns + 63) / 64, count = 0;

    /* Bits beyond nr_pfns are never set (mark_frame checks). */
    if (copy_to_guest(guest_handle_addr(op->bitmap), ld->bitmap, (ld->nr_pfns + 7) / 8))
        return -EFAULT;
    for (uint64_t i = 0; i < words; i++) {
        /* Counted bit by bit: pvx is built without POPCNT or libgcc. */
        for (uint64_t w = ld->bitmap[i]; w; w &= w - 1)
            count++;
        ld->bitmap[i] = 0;
    }
    op->dirty = count;
    return 0;
}

long arch_logdirty_domctl(struct domain *d, struct pvx_domctl_logdirty *op)
{
    struct logdirty *ld = tracking(d);
    long rc;

    if (op->_pad0)
        return -EINVAL;
    switch (op->op) {
    case PVX_LOGDIRTY_ENABLE:
        return enable(d, op->nr_pfns);
    case PVX_LOGDIRTY_OFF:
        if (ld) {
            unprotect_all(d, ld);
            discard(d);
        }
        return 0;
    case PVX_LOGDIRTY_CLEAN:
    case PVX_LOGDIRTY_FINAL:
        break;
    default:
        return -EINVAL;
    }
    if (!ld || op->nr_pfns != ld->nr_pfns)
        return -EINVAL;
    if (op->op == PVX_LOGDIRTY_CLEAN) {
        /* Protect first: a write before that went through an entry that
         * was made writable, or created, since the last round, and that
         * marked its page. */
        rc = protect_all(d, ld);
        return rc ? rc : hand_out(ld, op);
    }
    mark_writable_refs(d, ld);
    unprotect_all(d, ld);
    rc = hand_out(ld, op);
    discard(d);
    return rc;
}
