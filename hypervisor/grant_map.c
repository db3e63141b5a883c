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

static struct maptrack *maptrack_entry(struct grant_table *lgt, grant_handle_t h)
{
    return &lgt->maptrack[h / GNTTAB_MAPTRACK_CHUNK][h % GNTTAB_MAPTRACK_CHUNK];
}

static grant_handle_t get_handle(struct grant_table *lgt)
{
    struct maptrack *m;
    grant_handle_t h;

    if (lgt->maptrack_free == MAPTRACK_NONE) {
        unsigned int c = lgt->maptrack_limit / GNTTAB_MAPTRACK_CHUNK;

        /* Grow a chunk at a time: most domains map nothing. */
        if (c == GNTTAB_MAPTRACK_CHUNKS || (lgt->domain && lgt->domain->max_maptrack_chunks &&
                                            c >= lgt->domain->max_maptrack_chunks))
            return MAPTRACK_NONE; /* the domain's limit (domctl createdomain) */
        lgt->maptrack[c] = xzalloc_array(struct maptrack, GNTTAB_MAPTRACK_CHUNK);
        if (!lgt->maptrack[c])
            return MAPTRACK_NONE;
        for (unsigned int i = GNTTAB_MAPTRACK_CHUNK; i-- > 0;) {
            lgt->maptrack[c][i].next_free = lgt->maptrack_free;
            lgt->maptrack_free = c * GNTTAB_MAPTRACK_CHUNK + i;
        }
        lgt->maptrack_limit += GNTTAB_MAPTRACK_CHUNK;
    }
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
    lgt = grant_table_of(ld);
    if (!lgt)
        return GNTST_general_error;
    h = get_handle(lgt);
    if (h == MAPTRACK_NONE)
        return GNTST_no_space;
    rgt = rd->grant_table;

    /* One pin, with its own references, per part of the mapping. */
    if (dev) {
        rc = gnttab_pin(rgt, op->ref, ld->domain_id, ro, true, &pg);
        if (rc)
            goto out_handle;
    }
    if (host) {
        rc = gnttab_pin(rgt, op->ref, ld->domain_id, ro, true, &hpg);
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

static void map_elem(void *elem)
{
    struct gnttab_map_grant_ref *op = elem;

    op->status = map_one(current, op);
}

long gnttab_map(uint64_t uop, unsigned int count, unsigned int *done)
{
    return gnttab_batch(uop, count, done, sizeof(struct gnttab_map_grant_ref), false, 0, map_elem);
}

/* ---- unmap ---- */

static int16_t unmap_one(struct vcpu *v, uint64_t host_addr, uint64_t dev_bus_addr,
                         uint64_t new_addr, grant_handle_t h)
{
    struct grant_table *lgt = v->domain->grant_table, *rgt;
    struct active_grant *act;
    struct maptrack *m;
    bool ro;
    int16_t rc;

    if (!lgt || h >= lgt->maptrack_limit)
        return GNTST_bad_handle;
    m = maptrack_entry(lgt, h);
    if (!m->flags)
        return GNTST_bad_handle; /* never used, or already unmapped */
    rgt = m->gt;
    act = gnttab_active(rgt, m->ref);
    ro = m->flags & GNTMAP_readonly;
    if (dev_bus_addr && (m->flags & GNTMAP_device_map) &&
        dev_bus_addr != (uint64_t)act->frame << PAGE_SHIFT)
        return GNTST_bad_dev_addr;

    if (host_addr && (m->flags & GNTMAP_host_map)) {
        rc = destroy_host_mapping(v, host_addr, act->frame, m->flags, new_addr);
        if (rc)
            return rc;
        /* No stale translation may outlive the references.  A PTE named by
         * machine address may be mapped at any virtual address. */
        if (m->flags & GNTMAP_contains_pte)
            flush_tlb_local();
        else
            flush_tlb_one_local(host_addr);
        put_frame_refs(act->frame, ro);
        gnttab_unpin(rgt, m->ref, ro);
        m->flags &= ~GNTMAP_host_map;
    }
    if (dev_bus_addr && (m->flags & GNTMAP_device_map)) {
        put_frame_refs(act->frame, ro);
        gnttab_unpin(rgt, m->ref, ro);
        m->flags &= ~GNTMAP_device_map;
    }
    if (!(m->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        put_handle(lgt, h);
        gnttab_put_table(rgt);
    }
    return GNTST_okay;
}

static void unmap_elem(void *elem)
{
    struct gnttab_unmap_grant_ref *op = elem;

    op->status = unmap_one(current, op->host_addr, op->dev_bus_addr, 0, op->handle);
}

/* Only the status goes back to the guest, as on Xen. */
long gnttab_unmap(uint64_t uop, unsigned int count, unsigned int *done)
{
    return gnttab_batch(uop, count, done, sizeof(struct gnttab_unmap_grant_ref), true,
                        offsetof(struct gnttab_unmap_grant_ref, status), unmap_elem);
}

static void unmap_and_replace_elem(void *elem)
{
    struct gnttab_unmap_and_replace *op = elem;

    op->status = unmap_one(current, op->host_addr, 0, op->new_addr, op->handle);
}

long gnttab_unmap_and_replace(uint64_t uop, unsigned int count, unsigned int *done)
{
    return gnttab_batch(uop, count, done, sizeof(struct gnttab_unmap_and_replace), true,
                        offsetof(struct gnttab_unmap_and_replace, status), unmap_and_replace_elem);
}

void gnttab_release_mappings(struct domain *d)
{
    struct grant_table *lgt = d->grant_table;

    if (!lgt)
        return;
    for (grant_handle_t h = 0; h < lgt->maptrack_limit; h++) {
        struct maptrack *m = maptrack_entry(lgt, h);
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
        put_handle(lgt, h);
        gnttab_put_table(rgt);
    }
}
