// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory management: a pool of pages inside our own image (mapped RW by
 * the builder), frame-number translation through the P2M list and the
 * hypervisor's read-only M2P, a page-table walker, and helpers to build the
 * scratch mappings the checks use.  Page-table pages are always made
 * read-only before they are linked or pinned, as the PV ABI requires.
 */
#include "guest.h"
#include <public/xen.h>

#define POOL_PAGES (160 + 1 + BT_L2 + BT_L2 * BT_L1 + 8) /* the checks' own + bigtree */
static u8 pool[POOL_PAGES][PAGE_SIZE] __page_aligned;
static unsigned pool_next;
u64 *kernel_l4;

void mm_init(void)
{
    kernel_l4 = (u64 *)si->pt_base;
}

void *page_alloc(void)
{
    void *p;

    if (pool_next >= POOL_PAGES) {
        printk("page_alloc: pool exhausted\n");
        guest_exit();
    }
    p = pool[pool_next++];
    memset(p, 0, PAGE_SIZE);
    return p;
}

unsigned long pool_pages_left(void)
{
    return POOL_PAGES - pool_next;
}

void *mfn_to_va(unsigned long mfn)
{
    unsigned long pfn = m2p(mfn);

    if (pfn >= si->nr_pages || p2m[pfn] != mfn)
        return NULL;
    return (void *)(VIRT_BASE + (pfn << PAGE_SHIFT));
}

unsigned long cur_l4_mfn(void)
{
    return va_to_mfn(kernel_l4);
}

u64 *pte_of(unsigned long va, int level)
{
    u64 *table = kernel_l4;

    for (int l = 4; l >= 1; l--) {
        unsigned idx = (unsigned)(va >> (12 + 9 * (l - 1))) & 511;
        u64 e;

        if (l == level)
            return &table[idx];
        e = table[idx];
        if (!(e & _PAGE_PRESENT))
            return NULL;
        table = mfn_to_va((e & PTE_ADDR_MASK) >> PAGE_SHIFT);
        if (!table)
            return NULL;
    }
    return NULL;
}

u64 pte_ma(unsigned long va)
{
    u64 *l1e = pte_of(va, 1);

    return l1e ? va_to_ma(l1e) : 0;
}

long set_pte_va(const void *va, u64 pte, unsigned long flags)
{
    return hc_update_va_mapping((unsigned long)va, pte, flags);
}

long make_readonly(void *va)
{
    return set_pte_va(va, ((u64)va_to_mfn(va) << PAGE_SHIFT) | PTE_KERN_RO, UVMF_INVLPG);
}

long make_writable(void *va)
{
    return set_pte_va(va, ((u64)va_to_mfn(va) << PAGE_SHIFT) | PTE_KERN_RW, UVMF_INVLPG);
}

/* Link a fresh table page below `parent_entry` (an entry of a validated table). */
static long new_table(u64 *parent_entry)
{
    void *t = page_alloc();
    mmu_update_t req;
    long rc = make_readonly(t);

    if (rc)
        return rc;
    req.ptr = va_to_ma(parent_entry) | MMU_NORMAL_PT_UPDATE;
    req.val = ((u64)va_to_mfn(t) << PAGE_SHIFT) | PTE_TABLE;
    return hc_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long ensure_l1(unsigned long va)
{
    for (int l = 4; l >= 2; l--) {
        u64 *e = pte_of(va, l);
        long rc;

        if (!e)
            return -1;
        if (*e & _PAGE_PRESENT)
            continue;
        rc = new_table(e);
        if (rc)
            return rc;
    }
    return 0;
}

long map_frame(unsigned long va, unsigned long mfn, u64 flags)
{
    long rc = ensure_l1(va);

    if (rc)
        return rc;
    return hc_update_va_mapping(va, ((u64)mfn << PAGE_SHIFT) | flags, UVMF_INVLPG);
}

long unmap_va(unsigned long va)
{
    return hc_update_va_mapping(va, 0, UVMF_INVLPG);
}

long pin_table(int level, void *va)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_PIN_L1_TABLE + (unsigned)(level - 1);
    op.arg1.mfn = va_to_mfn(va);
    return hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long unpin_table(void *va)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_UNPIN_TABLE;
    op.arg1.mfn = va_to_mfn(va);
    return hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

void flush_va(unsigned long va)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = MMUEXT_INVLPG_LOCAL;
    op.arg1.linear_addr = va;
    hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* ---- a big tree (see guest.h) ---- */

static long readonly_all(struct bigtree *bt, bool ro)
{
    long rc = ro ? make_readonly(bt->l3) : make_writable(bt->l3);

    for (int i = 0; i < BT_L2; i++) {
        rc = rc ? rc : ro ? make_readonly(bt->l2[i]) : make_writable(bt->l2[i]);
        for (int j = 0; j < BT_L1; j++)
            rc = rc ? rc : ro ? make_readonly(bt->l1[i][j]) : make_writable(bt->l1[i][j]);
    }
    return rc;
}

struct bigtree *bigtree_get(void)
{
    static struct bigtree bt;
    static bool built;
    u64 data;

    if (built)
        return &bt;
    data = ((u64)va_to_mfn(page_alloc()) << PAGE_SHIFT) | PTE_KERN_RO;
    bt.l3 = page_alloc();
    for (int i = 0; i < BT_L2; i++) {
        bt.l2[i] = page_alloc();
        bt.l3[i] = ((u64)va_to_mfn(bt.l2[i]) << PAGE_SHIFT) | PTE_TABLE;
        for (int j = 0; j < BT_L1; j++) {
            u64 *l1 = page_alloc();

            for (int k = 0; k < 512; k++)
                l1[k] = data;
            bt.l1[i][j] = l1;
            bt.l2[i][j] = ((u64)va_to_mfn(l1) << PAGE_SHIFT) | PTE_TABLE;
        }
    }
    if (readonly_all(&bt, true)) {
        printk("bigtree: cannot make the tables read-only\n");
        guest_exit();
    }
    built = true;
    return &bt;
}

long bigtree_set_bad(struct bigtree *bt, bool bad)
{
    u64 *l1 = bt->l1[BT_L2 - 1][BT_L1 - 1];
    long rc = make_writable(l1);

    if (rc)
        return rc;
    l1[300] = bad ? ((u64)va_to_mfn(bt->l1[0][0]) << PAGE_SHIFT) | PTE_KERN_RW : l1[299];
    return make_readonly(l1);
}

bool bigtree_all_writable(struct bigtree *bt)
{
    long rc = readonly_all(bt, false);

    /* Back to read-only whatever happened (what could be made writable). */
    return !readonly_all(bt, true) && !rc;
}
