/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant mappings: GNTTABOP_map_grant_ref, unmap_grant_ref and
 * unmap_and_replace, and the maptrack that records a domain's mappings.
 *
 * A mapping has up to two parts, each one pin of the granter's entry with
 * its own frame references: the host part is an L1 entry of the mapper
 * (named by virtual address, or by the entry's machine address with
 * GNTMAP_contains_pte) and its references belong to that entry, exactly as
 * for an ordinary mapping; the device part (GNTMAP_device_map: the frame's
 * bus address, no IOMMU here) keeps its references in the maptrack entry.
 * Grant entries carry _PAGE_GNTTAB, which guests cannot write, so unmap can
 * tell a grant entry from anything a guest put there.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/grant_table.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

#define PTE_AVAIL_SHIFT 9 /* the three software bits 9-11 a mapper may ask for */

/* ---- maptrack ---- */

BUILD_BUG_ON(sizeof(struct maptrack) * MAPTRACK_PER_FRAME != PAGE_SIZE);
BUILD_BUG_ON(GNTTAB_MAPTRACK_FRAMES_MAX % MAPTRACK_FRAMES_PER_DIR != 0);

static struct maptrack *maptrack_frame(const struct grant_table *lgt, unsigned int f)
{
    return lgt->maptrack_dir[f / MAPTRACK_FRAMES_PER_DIR][f % MAPTRACK_FRAMES_PER_DIR];
}

/* Handle h's entry (h below maptrack_limit). */
static struct maptrack *maptrack_entry(const struct grant_table *lgt, grant_handle_t h)
{
    return &maptrack_frame(lgt, h / MAPTRACK_PER_FRAME)[h % MAPTRACK_PER_FRAME];
}

static void *zeroed_page(void)
{
    void *p = alloc_xenheap_pages(0);

    if (p)
        memset(p, 0, PAGE_SIZE);
    return p;
}

/* One more frame of free entries, if ld's limit (createdomain) allows. */
static bool maptrack_grow(const struct domain *ld, struct grant_table *lgt)
{
    unsigned int f = lgt->maptrack_limit / MAPTRACK_PER_FRAME;
    struct maptrack ***dir = &lgt->maptrack_dir[f / MAPTRACK_FRAMES_PER_DIR];
    struct maptrack *frame;

    if (f >= ld->max_maptrack_frames || f >= GNTTAB_MAPTRACK_FRAMES_MAX)
        return false;
    if (!*dir && !(*dir = zeroed_page()))
        return false;
    frame = zeroed_page();
    if (!frame)
        return false;
    (*dir)[f % MAPTRACK_FRAMES_PER_DIR] = frame;
    for (unsigned int i = MAPTRACK_PER_FRAME; i-- > 0;) {
        frame[i].next_free = lgt->maptrack_free;
        lgt->maptrack_free = f * MAPTRACK_PER_FRAME + i;
    }
    lgt->maptrack_limit += MAPTRACK_PER_FRAME;
    return true;
}

static grant_handle_t get_handle(const struct domain *ld, struct grant_table *lgt)
{
    struct maptrack *m;
    grant_handle_t h;

    if (lgt->maptrack_free == MAPTRACK_NONE && !maptrack_grow(ld, lgt))
        return MAPTRACK_NONE;
    h = lgt->maptrack_free;
    m = maptrack_entry(lgt, h);
    lgt->maptrack_free = m->next_free;
    lgt->maptrack_in_use++;
    return h;
}

static void put_handle(struct grant_table *lgt, grant_handle_t h)
{
    struct maptrack *m = maptrack_entry(lgt, h);

    m->flags = 0;
    m->gt = NULL;
    m->next_free = lgt->maptrack_free;
    lgt->maptrack_free = h;
    lgt->maptrack_in_use--;
}

/* Give back every maptrack page (no entry may be in use). */
static void maptrack_free_all(struct grant_table *lgt)
{
    ASSERT(!lgt->maptrack_in_use);
    for (unsigned int f = 0; f < lgt->maptrack_limit / MAPTRACK_PER_FRAME; f++)
        free_xenheap_pages(maptrack_frame(lgt, f), 0);
    for (unsigned int i = 0; i < MAPTRACK_DIRS; i++) {
        free_xenheap_pages(lgt->maptrack_dir[i], 0);
        lgt->maptrack_dir[i] = NULL;
    }
    lgt->maptrack_limit = 0;
    lgt->maptrack_free = MAPTRACK_NONE;
}

/* ---- page-table entries ---- */

static pte_t grant_pte(mfn_t frame, uint32_t flags)
{
    pte_t e = ((pte_t)frame << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY |
              _PAGE_GNTTAB | _PAGE_NX;

    if (flags & GNTMAP_application_map)
        e |= _PAGE_USER;
    if (!(flags & GNTMAP_readonly))
        e |= _PAGE_RW;
    e |= (pte_t)((flags >> _GNTMAP_guest_avail0) & 7) << PTE_AVAIL_SHIFT;
    return e;
}

/* The L1 entry host_addr names for these map flags. */
static int find_l1e(struct vcpu *v, uint64_t addr, uint32_t flags, struct page_info **l1pg,
                    unsigned int *slot)
{
    if (flags & GNTMAP_contains_pte)
        return pv_l1e_from_maddr(v->domain, addr, l1pg, slot);
    return pv_find_guest_l1e(v, addr, l1pg, slot);
}

static pte_t read_l1e(struct page_info *l1pg, unsigned int slot)
{
    const pte_t *t = arch_maddr_to_virt((paddr_t)page_to_mfn(l1pg) << PAGE_SHIFT);

    return t[slot];
}

/* Release the frame references one part of a mapping holds. */
static void put_frame_refs(mfn_t frame, bool readonly)
{
    struct page_info *pg = mfn_to_page(frame);

    if (readonly)
        put_page(pg);
    else
        put_page_and_type(pg);
}

/* Write the grant entry; it owns the references the caller took.  Whatever
 * the slot held before is released like any replaced entry. */
static int16_t create_host_mapping(struct vcpu *v, uint64_t addr, mfn_t frame, uint32_t flags)
{
    struct page_info *l1pg;
    unsigned int slot;
    pte_t old;

    if (find_l1e(v, addr, flags, &l1pg, &slot))
        return GNTST_general_error;
    old = pv_l1e_xchg(l1pg, slot, grant_pte(frame, flags));
    if (old & _PAGE_PRESENT) {
        if (flags & GNTMAP_contains_pte)
            flush_tlb_local();
        else
            flush_tlb_one_local(addr);
        pv_flush_tlb_others(v->domain);
        pv_put_l1e_refs(old);
    }
    return GNTST_okay;
}

/*
 * Remove the grant entry of frame at addr, putting in its place nothing or
 * (unmap_and_replace) the entry taken from new_addr.  The removed entry's
 * references become the caller's to release.
 */
static int16_t destroy_host_mapping(struct vcpu *v, uint64_t addr, mfn_t frame, uint32_t flags,
                                    uint64_t new_addr)
{
    struct page_info *l1pg, *npg;
    unsigned int slot, nslot;
    pte_t cur, repl = 0;
    int16_t rc = GNTST_general_error;

    if (new_addr) {
        /* Replacing exists only for mappings by virtual address. */
        if (flags & GNTMAP_contains_pte)
            return GNTST_general_error;
        if (pv_find_guest_l1e(v, new_addr, &npg, &nslot))
            return GNTST_general_error;
        /* The stolen entry keeps its references, moving with it. */
        repl = pv_l1e_xchg(npg, nslot, 0);
        flush_tlb_one_local(new_addr);
        pv_flush_tlb_others(v->domain);
    }
    if (find_l1e(v, addr, flags, &l1pg, &slot))
        goto out;
    cur = read_l1e(l1pg, slot);
    if (!(cur & _PAGE_PRESENT) || !(cur & _PAGE_GNTTAB) ||
        (cur & PTE_ADDR_MASK) >> PAGE_SHIFT != frame ||
        !(cur & _PAGE_RW) != !!(flags & GNTMAP_readonly))
        goto out; /* not this grant's entry */
    pv_l1e_xchg(l1pg, slot, repl);
    repl = 0;
    rc = GNTST_okay;
out:
    /* A failed replace still consumed new_addr's entry, as on Xen. */
    if (repl & _PAGE_PRESENT)
        pv_put_l1e_refs(repl);
    return rc;
}

/* ---- map ---- */

static int16_t map_one(struct vcpu *v, struct gnttab_map_grant_ref *op)
{
    struct domain *ld = v->domain, *rd;
    struct grant_table *lgt, *rgt;
    bool ro = op->flags & GNTMAP_readonly;
    bool host = op->flags & GNTMAP_host_map, dev = op->flags & GNTMAP_device_map;
    struct page_info *pg = NULL, *hpg = NULL;
    struct maptrack *m;
    grant_handle_t h;
    int16_t rc;

    if (!host && !dev)
        return GNTST_bad_gntref; /* Xen's answer to "bad flags" */
    rd = domain_lookup(op->dom);
    if (!rd)
        return GNTST_bad_domain;
    lgt = ld->grant_table; /* the running domain's: it has one */
    ASSERT(lgt);
    h = get_handle(ld, lgt);
    if (h == MAPTRACK_NONE)
        return GNTST_no_space;
    rgt = rd->grant_table;

    /* One pin, with its own references, per part of the mapping. */
    if (dev) {
        rc = gnttab_pin(rgt, op->ref, ld->domain_id, ro, &pg);
        if (rc)
            goto out_handle;
    }
    if (host) {
        rc = gnttab_pin(rgt, op->ref, ld->domain_id, ro, &hpg);
        if (rc)
            goto out_dev;
        rc = create_host_mapping(v, op->host_addr, page_to_mfn(hpg), op->flags);
        if (rc) {
            put_frame_refs(page_to_mfn(hpg), ro);
            gnttab_unpin(rgt, op->ref, ro);
            goto out_dev;
        }
        pg = hpg;
    }
    m = maptrack_entry(lgt, h);
    m->flags = op->flags & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly |
                            GNTMAP_contains_pte | GNTMAP_application_map);
    m->ref = op->ref;
    m->gt = rgt;
    rgt->users++;
    op->handle = h;
    op->dev_bus_addr = (uint64_t)page_to_mfn(pg) << PAGE_SHIFT;
    return GNTST_okay;

out_dev:
    if (dev) {
        put_frame_refs(page_to_mfn(pg), ro);
        gnttab_unpin(rgt, op->ref, ro);
    }
out_handle:
    put_handle(lgt, h);
    return rc;
}

static void map_elem(void *elem, void *ctx)
{
    struct gnttab_map_grant_ref *op = elem;

    (void)ctx;
    op->status = map_one(current, op);
}

long gnttab_map(uint64_t uop, unsigned int count, unsigned int *done)
{
    static const struct gnttab_batch_op map = {
        .size = sizeof(struct gnttab_map_grant_ref),
        .one = map_elem,
    };

    return gnttab_batch(uop, count, done, &map, NULL);
}

/* ---- unmap ---- */

/*
 * A batch of unmaps runs in chunks of up to UNMAP_CHUNK elements, as on Xen:
 * each element's L1 entry is cleared and its status written; then the chunk
 * takes one TLB flush (invlpg of each address, or a full flush if any entry
 * was named by machine address: it may be mapped at any address), and only
 * then are the frame references and pins dropped.  No stale translation
 * outlives its references, and N unmaps by PTE address cost N / 32 full
 * flushes instead of N.
 */
#define UNMAP_CHUNK 32

/* What one element took down, to release after the flush. */
struct unmap_release {
    struct grant_table *rgt;
    grant_ref_t ref;
    mfn_t frame;
    bool ro;
    bool host, dev; /* the parts (one pin and its references each) */
    bool put_table; /* the handle went: rgt loses a user */
};

struct unmap_chunk {
    unsigned int n, nva;
    bool full_flush;
    uint64_t va[UNMAP_CHUNK];
    struct unmap_release rel[UNMAP_CHUNK];
};

/* Phase one of an element: validate, clear the entry, free the handle once
 * no part is left (so a repeated handle in the batch is bad), and note what
 * to release. */
static int16_t unmap_one(struct vcpu *v, uint64_t host_addr, uint64_t dev_bus_addr,
                         uint64_t new_addr, grant_handle_t h, struct unmap_chunk *c)
{
    struct grant_table *lgt = v->domain->grant_table;
    struct unmap_release *r = &c->rel[c->n];
    struct maptrack *m;
    mfn_t frame;
    int16_t rc;

    if (!lgt || h >= lgt->maptrack_limit)
        return GNTST_bad_handle;
    m = maptrack_entry(lgt, h);
    if (!m->flags)
        return GNTST_bad_handle; /* never used, or already unmapped */
    frame = gnttab_active(m->gt, m->ref)->frame;
    if (dev_bus_addr && (m->flags & GNTMAP_device_map) &&
        dev_bus_addr != (uint64_t)frame << PAGE_SHIFT)
        return GNTST_bad_dev_addr;

    *r = (struct unmap_release){
        .rgt = m->gt, .ref = m->ref, .frame = frame, .ro = m->flags & GNTMAP_readonly};
    if (host_addr && (m->flags & GNTMAP_host_map)) {
        rc = destroy_host_mapping(v, host_addr, frame, m->flags, new_addr);
        if (rc)
            return rc;
        if (m->flags & GNTMAP_contains_pte)
            c->full_flush = true;
        else
            c->va[c->nva++] = host_addr;
        r->host = true;
        m->flags &= ~GNTMAP_host_map;
    }
    if (dev_bus_addr && (m->flags & GNTMAP_device_map)) {
        r->dev = true;
        m->flags &= ~GNTMAP_device_map;
    }
    if (!(m->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        put_handle(lgt, h);
        r->put_table = true;
    }
    if (r->host || r->dev)
        c->n++;
    return GNTST_okay;
}

/* An empty chunk (its arrays fill as elements come: not cleared, they are
 * 1.5 KiB per call). */
static void unmap_chunk_init(struct unmap_chunk *c)
{
    c->n = c->nva = 0;
    c->full_flush = false;
}

/* Phase two, for the whole chunk: flush, then drop references and pins. */
static void unmap_complete(void *ctx)
{
    struct unmap_chunk *c = ctx;

    if (c->full_flush)
        flush_tlb_local();
    else
        for (unsigned int i = 0; i < c->nva; i++)
            flush_tlb_one_local(c->va[i]);
    /* The mapper's other vCPUs may run elsewhere: no stale translation
     * anywhere may outlive the references dropped below. */
    pv_flush_tlb_others(current->domain);
    for (unsigned int i = 0; i < c->n; i++) {
        struct unmap_release *r = &c->rel[i];

        /* Each part is one pin with its frame references. */
        for (unsigned int part = r->host + r->dev; part; part--) {
            put_frame_refs(r->frame, r->ro);
            gnttab_unpin(r->rgt, r->ref, r->ro);
        }
        if (r->put_table)
            gnttab_put_table(r->rgt);
    }
    unmap_chunk_init(c);
}

static void unmap_elem(void *elem, void *ctx)
{
    struct gnttab_unmap_grant_ref *op = elem;

    op->status = unmap_one(current, op->host_addr, op->dev_bus_addr, 0, op->handle, ctx);
}

static void unmap_and_replace_elem(void *elem, void *ctx)
{
    struct gnttab_unmap_and_replace *op = elem;

    op->status = unmap_one(current, op->host_addr, 0, op->new_addr, op->handle, ctx);
}

/* Only the status goes back to the guest, as on Xen. */
long gnttab_unmap(uint64_t uop, unsigned int count, unsigned int *done)
{
    static const struct gnttab_batch_op unmap = {
        .size = sizeof(struct gnttab_unmap_grant_ref),
        .status_only = true,
        .status_off = offsetof(struct gnttab_unmap_grant_ref, status),
        .one = unmap_elem,
        .chunk = UNMAP_CHUNK,
        .end_chunk = unmap_complete,
    };
    struct unmap_chunk c;

    unmap_chunk_init(&c);
    return gnttab_batch(uop, count, done, &unmap, &c);
}

long gnttab_unmap_and_replace(uint64_t uop, unsigned int count, unsigned int *done)
{
    static const struct gnttab_batch_op unmap_and_replace = {
        .size = sizeof(struct gnttab_unmap_and_replace),
        .status_only = true,
        .status_off = offsetof(struct gnttab_unmap_and_replace, status),
        .one = unmap_and_replace_elem,
        .chunk = UNMAP_CHUNK,
        .end_chunk = unmap_complete,
    };
    struct unmap_chunk c;

    unmap_chunk_init(&c);
    return gnttab_batch(uop, count, done, &unmap_and_replace, &c);
}

/* d is being destroyed: release every mapping it holds, then its maptrack. */
void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *lgt = d->grant_table;

    if (!lgt)
        return;
    /* Frames that exist, up to the last mapping in use. */
    for (unsigned int f = 0; f < lgt->maptrack_limit / MAPTRACK_PER_FRAME && lgt->maptrack_in_use;
         f++) {
        struct maptrack *frame = maptrack_frame(lgt, f);

        for (unsigned int i = 0; i < MAPTRACK_PER_FRAME; i++) {
            struct maptrack *m = &frame[i];
            struct grant_table *rgt = m->gt;
            bool ro = m->flags & GNTMAP_readonly;

            if (!m->flags)
                continue;
            /* A host part's references belong to its PTE: d's page-table
             * teardown releases them.  Only the pin goes here. */
            if (m->flags & GNTMAP_host_map)
                gnttab_unpin(rgt, m->ref, ro);
            if (m->flags & GNTMAP_device_map) {
                put_frame_refs(gnttab_active(rgt, m->ref)->frame, ro);
                gnttab_unpin(rgt, m->ref, ro);
            }
            m->flags = 0;
            m->gt = NULL;
            lgt->maptrack_in_use--;
            gnttab_put_table(rgt);
        }
    }
    maptrack_free_all(lgt);
}
