/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Frame reference counts, page types and page-table validation for PV guests
 * (the model is described in asm/pv/mm.h).
 *
 * A guest writes its page tables only through pvx (mmu_update,
 * update_va_mapping, the writable-pagetable emulation), and every frame of a
 * page-table type is mapped read-only everywhere, so the contents of a
 * validated table can be trusted: each present entry holds exactly the
 * references taken when it was checked, and releasing a table releases them
 * again.  Levels strictly descend (an Ln entry needs an L(n-1) page; linear
 * page tables are refused), so validation and release recurse at most four
 * deep and the type graph has no cycles.
 *
 * Preemption: validating an L2-L4 table for a hypercall may stop between
 * entries when an interrupt waits.  The table keeps its one type reference
 * and says how far it got (PGT_partial, nr_validated); the hypercall answers
 * with a continuation and the next request for that type goes on from
 * there.  A stopped table holds nothing for the entry it stopped at: the
 * table that entry names is left partial in its own right and is resumed
 * when the entry is checked again.  Nobody else holds a type reference to a
 * partial table and the guest cannot write it (it is no writable page), so
 * its checked entries stay as they were; what its unchecked entries name may
 * change meanwhile and is checked when reached.  The release side (demotion)
 * is not preemptible.
 *
 * Locking: all of this runs under the one hypervisor lock with interrupts
 * off, so the counts need no atomics.  The cross-CPU hazard, a TLB entry on
 * another CPU outliving what it names, is closed by flushing when a frame
 * changes type (retype_frame), before a table's entries are released
 * (demote_table), and before an entry whose frame could go away with it is
 * dropped (stale_entry_unsafe); frames a domain gives back are flushed for
 * by the caller (arch_flush_domain_tlbs).
 */
#include <asm/hardening.h>
#include <asm/pv/logdirty.h>
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

/* Flags a guest may set in any entry: P, RW, US, A, D, the three software
 * bits 9-11, the software bits 52-62 and NX. */
#define PTE_AVAIL      (7ULL << 9)
#define PTE_AVAIL_HIGH (0x7ffULL << 52)
#define BASE_ALLOWED                                                                               \
    (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY | PTE_AVAIL |            \
     PTE_AVAIL_HIGH | _PAGE_NX)
#define PTE_PAT         _PAGE_PSE /* bit 7 of an L1 entry selects the PAT entry */
#define PTE_CACHE_ATTRS (_PAGE_PWT | _PAGE_PCD | PTE_PAT)
#define PTE_FLAGS_MASK  (~PTE_ADDR_MASK)

/* Guests can trigger these at will: debug builds only. */
#ifdef NDEBUG
#define mm_dprintk(...) ((void)0)
#else
#define mm_dprintk(...) printk(__VA_ARGS__)
#endif

static inline mfn_t pte_mfn(pte_t e)
{
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static inline pte_t *map_frame(mfn_t mfn)
{
    return arch_maddr_to_virt((paddr_t)mfn << PAGE_SHIFT);
}

static inline bool is_pvx_l4_slot(unsigned int slot)
{
    return slot >= PVX_FIRST_L4_SLOT && slot <= PVX_LAST_L4_SLOT;
}

unsigned int pgt_level(uint64_t type_info)
{
    uint64_t t = type_info & PGT_type_mask;

    if (t >= PGT_l1_page_table && t <= PGT_l4_page_table)
        return (unsigned int)(t >> PGT_type_shift);
    return 0;
}

static uint64_t level_type(unsigned int level)
{
    ASSERT(level >= 1 && level <= 4);
    return (uint64_t)level << PGT_type_shift;
}

/*
 * Cache attributes in L1 entries are for domains that drive devices (Xen
 * allows them only with I/O or cache-flush permission): here the privileged
 * domain.
 */
static pte_t allowed_flags(const struct domain *d, unsigned int level)
{
    if (level == 1)
        return (BASE_ALLOWED & ~_PAGE_GNTTAB) | _PAGE_GLOBAL |
               (d->is_privileged ? PTE_CACHE_ATTRS : 0);
    return BASE_ALLOWED;
}

/* The bits pvx forces into accepted entries: guest kernels run in ring 3,
 * so everything they map must be user-accessible; kernel-only L1 mappings
 * are remembered in _PAGE_GUEST_KERNEL (the separate user L4 keeps them from
 * user space) and user mappings are global, as on Xen. */
static pte_t adjust_entry(unsigned int level, pte_t e)
{
    if (!(e & _PAGE_PRESENT))
        return e;
    switch (level) {
    case 1:
        if (!(e & _PAGE_USER))
            e |= _PAGE_USER | _PAGE_GUEST_KERNEL;
        if (!(e & _PAGE_GUEST_KERNEL))
            e |= _PAGE_GLOBAL;
        return e;
    case 4:
        return e | _PAGE_USER | _PAGE_ACCESSED;
    default:
        return e | _PAGE_USER;
    }
}

/* ---- general references ---- */

/* Frames a guest may never use, whoever the owner field names: pvx's own
 * heap and frames that are not RAM for the allocator (image, firmware,
 * holes).  The domain's shared_info page is an ordinary domain page. */
static bool page_is_special(const struct page_info *pg)
{
    return pg->count_info & (PGC_xen_heap | PGC_reserved);
}

bool get_page(struct page_info *pg, struct domain *d)
{
    uint64_t x = pg->count_info;

    if ((x & PGC_free) || page_is_special(pg) || pg->owner != d || !d)
        return false;
    if ((x & PGC_count_mask) == PGC_count_mask)
        return false; /* would overflow: refuse rather than wrap */
    pg->count_info = x + 1;
    return true;
}

void put_page(struct page_info *pg)
{
    BUG_ON(!(pg->count_info & PGC_count_mask));
    pg->count_info--;
    /* The last reference to a frame of a destroyed domain frees it. */
    if (unlikely(!(pg->count_info & PGC_count_mask)) && pg->owner &&
        pg->owner->state == DOMAIN_DYING)
        domain_reap_page(pg);
}

struct page_info *pv_get_page_from_mfn(mfn_t mfn, struct domain *d)
{
    struct page_info *pg;

    if (mfn >= max_page)
        return NULL;
    pg = mfn_to_page(mfn);
    return get_page(pg, d) ? pg : NULL;
}

/* ---- entries: checking and releasing ---- */

/* An L1 entry in a table of d's, naming a frame of pg_owner's (d itself,
 * or for the control domain a foreign domain it builds or maps). */
static int get_page_from_l1e(pte_t e, struct domain *d, struct domain *pg_owner)
{
    mfn_t mfn = pte_mfn(e);
    struct page_info *pg;

    ASSERT(e & _PAGE_PRESENT);
    if (e & PTE_FLAGS_MASK & ~allowed_flags(d, 1))
        return -EINVAL;
    /* Not a frame the allocator manages (beyond RAM, firmware, holes, the
     * image): I/O memory, mappable by the control domain where it is not
     * pvx's own, without reference counting (it is never freed). */
    if (mfn >= max_page || (mfn_to_page(mfn)->count_info & PGC_reserved))
        return arch_iomem_mappable(d, mfn) ? 0 : -EPERM;
    pg = mfn_to_page(mfn);
    /* A table of the control domain's that is (re)validated may hold
     * mappings of other domains' frames it made through mmu_update. */
    if (!get_page(pg, pg_owner) &&
        !(d->is_privileged && pg_owner == d && pg->owner && pg->owner != d &&
          pg->owner->state != DOMAIN_DYING && get_page(pg, pg->owner)))
        return -EBUSY; /* free, pvx's heap (the M2P...) or another domain's */
    if ((e & _PAGE_RW) && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return -EBUSY; /* a page table or descriptor page: read-only only */
    }
    return 0;
}

static void put_page_from_l1e(pte_t e)
{
    struct page_info *pg;

    if (!(e & _PAGE_PRESENT))
        return;
    if (pte_mfn(e) >= max_page || (mfn_to_page(pte_mfn(e))->count_info & PGC_reserved))
        return; /* I/O memory: no references were taken */
    /* A grant mapping the guest removed without GNTTABOP_unmap_grant_ref
     * (or its dying domain's tables going away): it holds the same
     * references as any entry, released here.  Its handle stays in use and
     * the grant busy until the mapper dies, as on Xen. */
    if (e & _PAGE_GNTTAB)
        mm_dprintk("implicit unmap of grant PTE %#llx\n", (unsigned long long)e);
    pg = mfn_to_page(pte_mfn(e));
    if (e & _PAGE_RW)
        put_page_and_type(pg);
    else
        put_page(pg);
}

void pv_put_l1e_refs(pte_t e)
{
    put_page_from_l1e(e);
}

int pv_l1e_from_maddr(struct domain *d, uint64_t ma, struct page_info **l1pg, unsigned int *slot)
{
    struct page_info *pg;
    uint64_t t;

    if ((ma & (sizeof(pte_t) - 1)) || (ma >> PAGE_SHIFT) >= max_page)
        return -EINVAL;
    pg = mfn_to_page(ma >> PAGE_SHIFT);
    t = pg->type_info;
    if (pg->owner != d || (pg->count_info & PGC_free) || page_is_special(pg) || pgt_level(t) != 1 ||
        !(t & PGT_validated) || !(t & PGT_count_mask))
        return -EINVAL;
    *l1pg = pg;
    *slot = (ma & ~PAGE_MASK) / sizeof(pte_t);
    return 0;
}

pte_t pv_l1e_xchg(struct page_info *l1pg, unsigned int slot, pte_t nval)
{
    pte_t *t = map_frame(page_to_mfn(l1pg));
    pte_t old = t[slot];

    ASSERT(pgt_level(l1pg->type_info) == 1 && slot < PT_ENTRIES);
    t[slot] = adjust_entry(1, nval);
    logdirty_slot_written(l1pg, slot);
    return old;
}

static int take_type(struct page_info *pg, uint64_t type, bool preemptible);

/* An L2-L4 entry: the frame it names must be d's and valid as the next
 * level down.  Linear page tables (a table naming a table of its own
 * level) fail the type check and are refused. */
static int get_page_from_upper(unsigned int level, pte_t e, struct domain *d, bool preemptible)
{
    struct page_info *pg;
    int rc;

    ASSERT(e & _PAGE_PRESENT);
    if (e & PTE_FLAGS_MASK & ~allowed_flags(d, level))
        return -EINVAL;
    pg = pv_get_page_from_mfn(pte_mfn(e), d);
    if (!pg)
        return -EINVAL;
    rc = take_type(pg, level_type(level - 1), preemptible);
    if (rc)
        put_page(pg);
    return rc;
}

static int get_entry_refs(unsigned int level, pte_t e, struct domain *d, struct domain *pg_owner,
                          bool preemptible)
{
    if (level == 1)
        return get_page_from_l1e(e, d, pg_owner);
    return get_page_from_upper(level, e, d, preemptible);
}

static void put_entry_refs(unsigned int level, pte_t e)
{
    if (!(e & _PAGE_PRESENT))
        return;
    if (level == 1)
        put_page_from_l1e(e);
    else
        put_page_and_type(mfn_to_page(pte_mfn(e)));
}

/* ---- promote / demote ---- */

static bool is_guest_slot(unsigned int level, unsigned int slot)
{
    return level != 4 || !is_pvx_l4_slot(slot);
}

/* Release what the first n guest entries of a table hold. */
static void release_entries(const pte_t *t, unsigned int level, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (is_guest_slot(level, i))
            put_entry_refs(level, t[i]);
}

/*
 * Check the guest entries of a table from pg->nr_validated on (those below
 * were checked by earlier, preempted parts) and take their references.
 * Accepted entries are rewritten with the adjusted flags; a finished L4 also
 * gets pvx's own slots.
 *
 * preemptible: an L2-L4 table may stop before a present entry once this
 * part has done one (so every part gets further), or when the table that
 * entry names stopped: -ERESTART with nr_validated at that entry, which
 * holds nothing.  L1 tables are always done in one go.  Any other failure
 * releases every entry taken, by this part or earlier ones.
 */
static int promote_table(struct page_info *pg, unsigned int level, bool preemptible)
{
    struct domain *d = pg->owner;
    pte_t *t = map_frame(page_to_mfn(pg));
    unsigned int i = pg->nr_validated;
    bool progressed = false;
    int rc = 0;

    ASSERT(i < PT_ENTRIES);
    for (; i < PT_ENTRIES; i++) {
        if (!is_guest_slot(level, i))
            continue;
        if (!(t[i] & _PAGE_PRESENT)) {
            rc = pv_l1tf_unsafe(d, level, t[i]) ? -EPERM : 0;
            if (rc)
                break;
            continue;
        }
        if (preemptible && level > 1 && progressed && hypercall_preempt_check()) {
            rc = -ERESTART;
            break;
        }
        rc = get_entry_refs(level, t[i], d, d, preemptible);
        if (rc)
            break;
        t[i] = adjust_entry(level, t[i]);
        progressed = true;
    }
    if (rc == -ERESTART) {
        pg->nr_validated = i;
        return rc;
    }
    pg->nr_validated = 0;
    if (rc) {
        mm_dprintk("d%u: mfn %#llx invalid as L%u: slot %u (%#llx): %d\n", d->domain_id,
                   (unsigned long long)page_to_mfn(pg), level, i, (unsigned long long)t[i], rc);
        release_entries(t, level, i);
        return rc;
    }
    if (level == 4) {
        arch_init_guest_l4(d, t);
        xpti_guest_l4_changed(); /* the frame may have held another L4 */
    }
    return 0;
}

/*
 * The table's entries let go of what they reference, which may free frames
 * another vCPU of the owner still has translations for on another CPU:
 * those CPUs are flushed first, once for a whole tree (the outermost
 * demotion; all of it runs under the hypervisor lock).
 */
static void demote_table(struct page_info *pg, unsigned int level)
{
    static unsigned int depth;

    if (!depth++ && pg->owner)
        pv_flush_tlb_others(pg->owner);
    release_entries(map_frame(page_to_mfn(pg)), level, PT_ENTRIES);
    if (level == 1)
        logdirty_table_released(pg);
    depth--;
}

/* ---- type references ---- */

/*
 * A frame changing type may still be cached by the TLB in its old role: a
 * writable mapping of a future page table, or paging-structure entries
 * naming a former table that is about to become writable.  The guest need
 * not have flushed after removing its last use, so pvx does.
 */
static void retype_frame(struct page_info *pg, uint64_t type)
{
    uint64_t old = pg->type_info & PGT_type_mask;

    if (old == type)
        return;
    if (old != PGT_none) {
        flush_tlb_local();
        pv_flush_tlb_others_all(); /* any domain may have mapped it */
    }
    pg->type_info = type;   /* count 0, not validated, not pinned */
    logdirty_mark_page(pg); /* its type goes into a migration stream */
}

static int take_type(struct page_info *pg, uint64_t type, bool preemptible)
{
    uint64_t x = pg->type_info;
    unsigned int level = pgt_level(type);
    int rc;

    ASSERT(!(type & ~PGT_type_mask) && type != PGT_none);
    if (x & PGT_partial) {
        /* A stopped validation: only the same type may go on with it, and
         * the caller's reference is the one the partial state kept. */
        if ((x & PGT_type_mask) != type)
            return -EINVAL;
        ASSERT((x & PGT_count_mask) == 1 && !(x & PGT_validated) && level > 1);
        pg->type_info = x & ~PGT_partial;
        goto validate;
    }
    if ((x & PGT_count_mask) == PGT_count_mask)
        return -EINVAL;
    if (x & PGT_count_mask) {
        /* In use: only more of the same, fully validated type. */
        if ((x & PGT_type_mask) != type || !(x & PGT_validated))
            return -EINVAL;
        pg->type_info = x + 1;
        goto taken;
    }

    /* pvx itself writes the shared_info page: it must never become a page
     * table or descriptor page, whose contents pvx has to trust. */
    if (type != PGT_writable_page && pg->owner && page_to_mfn(pg) == pg->owner->shared_info_mfn)
        return -EINVAL;
    retype_frame(pg, type);
    if (pg->type_info & PGT_validated) {
        pg->type_info++;
        goto taken;
    }
    /* Take the reference before checking the contents, so nothing reached
     * while validating can claim this frame as another type. */
    pg->type_info++;
    if (!level) {
        pg->type_info |= PGT_validated;
        goto taken;
    }
    pg->nr_validated = 0;

validate:
    rc = promote_table(pg, level, preemptible);
    if (rc == -ERESTART) {
        pg->type_info |= PGT_partial; /* keeps the type reference */
        return rc;
    }
    if (rc) {
        pg->type_info = type; /* back to count 0, not validated */
        return rc;
    }
    pg->type_info |= PGT_validated;
taken:
    /* A new writable mapping: what is written through it is not seen. */
    if (type == PGT_writable_page)
        logdirty_mark_page(pg);
    return 0;
}

int get_page_type(struct page_info *pg, uint64_t type)
{
    return take_type(pg, type, false);
}

int get_page_type_preemptible(struct page_info *pg, uint64_t type)
{
    return take_type(pg, type, true);
}

void put_page_type(struct page_info *pg)
{
    uint64_t x = pg->type_info;
    unsigned int level = pgt_level(x);

    BUG_ON(!(x & PGT_count_mask));
    ASSERT(!(x & PGT_partial)); /* nobody holds a partial table's reference */
    if ((x & PGT_type_mask) == PGT_writable_page)
        logdirty_mark_page(pg); /* written through what goes now */
    if ((x & PGT_count_mask) > 1 || !level) {
        pg->type_info = x - 1;
        return;
    }
    /* Last reference to a page table: it stops being one, so what its
     * entries hold is released (the contents are stale from now on). */
    ASSERT(!(x & PGT_pinned));
    pg->type_info = x & PGT_type_mask; /* count 1, not validated: no re-entry */
    pg->type_info |= 1;
    if (x & PGT_validated)
        demote_table(pg, level);
    pg->type_info = x & PGT_type_mask;
}

int get_page_and_type(struct page_info *pg, struct domain *d, uint64_t type)
{
    int rc;

    if (!get_page(pg, d))
        return -EINVAL;
    rc = get_page_type(pg, type);
    if (rc)
        put_page(pg);
    return rc;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

/* ---- entry updates ---- */

/*
 * Another vCPU of d on another CPU may still have the old entry cached.  As
 * on Xen, flushing for the guest's own sake is the guest's business (its
 * flags and mmuext flushes); pvx must flush before the entry's references
 * go only where what it named could go away with them: a table (its type
 * may drop and free or retype it), or a frame that is not d's own (a dying
 * owner's frame is freed by this very put).  d's own frames are freed only
 * by decrease_reservation and memory_exchange, and change type only in
 * retype_frame, and each of those flushes first.  I/O memory is never freed.
 */
static bool stale_entry_unsafe(const struct domain *d, unsigned int level, pte_t old)
{
    const struct page_info *pg;

    if (!(old & _PAGE_PRESENT))
        return false;
    if (level > 1)
        return true;
    if (pte_mfn(old) >= max_page)
        return false;
    pg = mfn_to_page(pte_mfn(old));
    return !(pg->count_info & PGC_reserved) && pg->owner != d;
}

int pv_mod_pt_entry(struct domain *d, struct page_info *table, unsigned int slot, pte_t nval,
                    bool preserve_ad)
{
    return pv_mod_pt_entry_foreign(d, table, slot, nval, preserve_ad, d);
}

int pv_mod_pt_entry_foreign(struct domain *d, struct page_info *table, unsigned int slot,
                            pte_t nval, bool preserve_ad, struct domain *pg_owner)
{
    unsigned int level = pgt_level(table->type_info);
    pte_t *t = map_frame(page_to_mfn(table));
    pte_t old;
    int rc;

    ASSERT(level && (table->type_info & PGT_validated) && (table->type_info & PGT_count_mask));
    ASSERT(slot < PT_ENTRIES && table->owner == d);
    if (!is_guest_slot(level, slot))
        return -EINVAL;
    old = t[slot];
    if (nval & _PAGE_PRESENT) {
        /* New references first: the new entry may name the same frames. */
        rc = get_entry_refs(level, nval, d, pg_owner, true);
        if (rc)
            return rc;
        nval = adjust_entry(level, nval);
    } else if (pv_l1tf_unsafe(d, level, nval)) {
        return -EPERM;
    }
    if (preserve_ad)
        nval |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
    t[slot] = nval;
    if (level == 4)
        xpti_guest_l4_changed();
    if (level == 1)
        logdirty_slot_written(table, slot);
    else
        logdirty_mark_page(table);
    if (stale_entry_unsafe(d, level, old))
        pv_flush_tlb_others(d);
    put_entry_refs(level, old);
    return 0;
}

bool pv_l1tf_unsafe(const struct domain *d, unsigned int level, uint64_t pte)
{
    uint64_t ma = pte & hardening.l1tf_mask;

    ASSERT(!(pte & _PAGE_PRESENT));
    if (!(d->is_privileged ? hardening.l1tf_dom0 : hardening.l1tf_domu))
        return false;
    if ((level > 1 && (pte & _PAGE_PSE)) || (ma && ma < hardening.l1tf_safe)) {
        /* A guest may retry forever: the log names the first few only. */
        static unsigned int logged;

        if (logged < 8)
            printk("d%u: L1TF-unsafe non-present L%u entry %#llx refused%s\n", d->domain_id, level,
                   (unsigned long long)pte, ++logged == 8 ? " (further refusals not logged)" : "");
        return true;
    }
    return false;
}

/* ---- pinning and base pointers ---- */

int pv_pin_table(struct domain *d, mfn_t mfn, uint64_t type, bool preemptible)
{
    struct page_info *pg = pv_get_page_from_mfn(mfn, d);
    int rc;

    if (!pg)
        return -EINVAL;
    rc = take_type(pg, type, preemptible);
    if (rc)
        goto out_put;
    if (pg->type_info & PGT_pinned) {
        put_page_type(pg);
        rc = -EINVAL; /* pins do not nest */
        goto out_put;
    }
    pg->type_info |= PGT_pinned;
    logdirty_mark_page(pg); /* pinned tables are marked so in the stream */
    return 0;               /* the pin holds both references */

out_put:
    put_page(pg);
    return rc;
}

int pv_unpin_table(struct domain *d, mfn_t mfn)
{
    struct page_info *pg = pv_get_page_from_mfn(mfn, d);
    int rc = 0;

    if (!pg)
        return -EINVAL;
    if (!(pg->type_info & PGT_pinned)) {
        rc = -EINVAL;
        goto out;
    }
    pg->type_info &= ~PGT_pinned;
    logdirty_mark_page(pg);
    put_page_and_type(pg); /* the references the pin held */
out:
    put_page(pg);
    return rc;
}

int pv_set_guest_table(struct vcpu *v, mfn_t mfn, bool user, bool preemptible)
{
    struct domain *d = v->domain;
    mfn_t *slot = user ? &v->arch.guest_table_user : &v->arch.guest_table;
    mfn_t old = *slot;
    int rc;

    if (!mfn && !user)
        return -EINVAL; /* a kernel base is never "none" */
    if (mfn == old) {
        /* Reloading the same base still flushes the TLB, as a CR3 write does. */
        if (v == current && !user)
            pv_write_ptbase(v);
        return 0;
    }
    if (mfn) {
        struct page_info *pg = pv_get_page_from_mfn(mfn, d);

        if (!pg)
            return -EINVAL;
        rc = take_type(pg, PGT_l4_page_table, preemptible);
        if (rc) {
            put_page(pg);
            return rc;
        }
    }
    *slot = mfn;
    /* Switch away from the old table before it may lose its type. */
    if (v == current)
        pv_write_ptbase(v);
    if (old)
        put_page_and_type(mfn_to_page(old));
    return 0;
}

void pv_mm_domain_teardown(struct domain *d)
{
    logdirty_teardown(d); /* nothing of a dying domain is copied any more */
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];

        if (!v)
            continue;
        for (int user = 0; user < 2; user++) {
            mfn_t *slot = user ? &v->arch.guest_table_user : &v->arch.guest_table;

            if (*slot)
                put_page_and_type(mfn_to_page(*slot));
            *slot = 0;
        }
    }
    /* With no roots left, dropping the pins demotes every table: the
     * remaining ones are reachable only from pinned tables, or from tables
     * whose validation was preempted.  Those hold their checked entries
     * alone (no entry names a partial table) and give them back last. */
    for (mfn_t mfn = 0; mfn < max_page; mfn++) {
        struct page_info *pg = mfn_to_page(mfn);

        if (pg->owner != d || (pg->count_info & PGC_free) || !(pg->type_info & PGT_pinned))
            continue;
        pg->type_info &= ~PGT_pinned;
        put_page_and_type(pg);
    }
    for (mfn_t mfn = 0; mfn < max_page; mfn++) {
        struct page_info *pg = mfn_to_page(mfn);
        uint64_t x = pg->type_info;

        if (pg->owner != d || (pg->count_info & PGC_free) || !(x & PGT_partial))
            continue;
        ASSERT((x & PGT_count_mask) == 1);
        pg->type_info = x & PGT_type_mask; /* count 0, not validated */
        release_entries(map_frame(mfn), pgt_level(x), pg->nr_validated);
        pg->nr_validated = 0;
    }
}

/* ---- walking the guest's tables ---- */

int pv_find_guest_l1e(struct vcpu *v, uint64_t va, struct page_info **l1pg, unsigned int *slot)
{
    mfn_t mfn = v->arch.guest_table;
    static const unsigned int shift[] = {0, L1_SHIFT, L2_SHIFT, L3_SHIFT, L4_SHIFT};
    struct page_info *pg;

    if (!is_canonical(va) || (va >= PVX_VIRT_START && va < PVX_VIRT_END) || !mfn)
        return -EINVAL;
    /* The tables reached from a base pointer are validated, so each present
     * entry names a frame of the next level. */
    for (unsigned int level = 4; level > 1; level--) {
        pte_t e = map_frame(mfn)[(va >> shift[level]) & (PT_ENTRIES - 1)];

        if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
            return -EINVAL;
        mfn = pte_mfn(e);
        if (mfn >= max_page)
            return -EINVAL;
    }
    pg = mfn_to_page(mfn);
    if (pgt_level(pg->type_info) != 1 || !(pg->type_info & PGT_validated) || pg->owner != v->domain)
        return -EINVAL;
    *l1pg = pg;
    *slot = l1_index(va);
    return 0;
}
