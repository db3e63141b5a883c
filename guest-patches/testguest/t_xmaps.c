// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `xmaps` group: grant mappings used the way Linux's backends in dom0
 * use them (xen-blkback, xen-netback), with ourselves as the granting
 * domain so that the same checks run on pvx and on Xen 4.17:
 *   - more than 1024 host mappings held at once (blkback keeps up to 1056
 *     persistent grants per ring and disk), mapped and unmapped in batches,
 *     every status checked, the busy bits of every entry while mapped and
 *     after;
 *   - a grant mapped by virtual address over a linear-map PTE the guest has
 *     cleared first (a ballooned page: Linux backs its grant mappings with
 *     such pages), and the unmap leaving that PTE not present;
 *   - batches of maps and of unmaps with bad elements among good ones:
 *     each element gets its own status and the call returns 0;
 *   - grant copies gref to gref, and a netback-like batch (several copies
 *     out of one gref into a local frame, one into a gref, bad ones among
 *     them).
 * dom0 only (a domain needs its own id to grant to itself); skipped
 * elsewhere.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"

#define XM_COUNT     1536 /* mappings held at once: > 1024 */
#define XM_FIRST_REF 512  /* refs 512..2047: grant frames 1 to 3 */
#define XM_FRAMES    4
#define XM_PAGES     8   /* distinct granted pages, ref n grants page n % 8 */
#define XM_BATCH     128 /* elements per map or unmap call */
#define XM_VA(n)     (SCRATCH_BASE + (4096 + (n)) * PAGE_SIZE) /* 6 MiB of mappings */
#define XM_BVA(n)    (SCRATCH_BASE + (2560 + (n)) * PAGE_SIZE) /* the batch checks */

/* Smaller refs (frame 0), clear of xgrant's and bench's. */
#define XM_BALLOON_REF 60
#define XM_RW_REF      61
#define XM_RO_REF      62
#define XM_OTHER_REF   63 /* granted to a domain that is not us */
#define XM_SRC_REF     64
#define XM_DST_REF     65
#define XM_NOBODY      0x1234

static struct gnttab_map_grant_ref mops[XM_BATCH];
static struct gnttab_unmap_grant_ref uops[XM_BATCH];
static grant_handle_t handles[XM_COUNT];
static bool mapped[XM_COUNT];

static void fill(volatile u8 *p, size_t n, u8 seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (u8)(seed + i * 13 + (i >> 8));
}

static bool same(const volatile u8 *p, size_t n, u8 seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (u8)(seed + i * 13 + (i >> 8)))
            return false;
    return true;
}

static u64 tag_of(unsigned page)
{
    return 0x786d617000000000ULL | page; /* "xmap" */
}

static bool pte_present(unsigned long va)
{
    return *pte_of(va, 1) & _PAGE_PRESENT;
}

/* Report a count of bad elements with the first one's details. */
static void check_none_bad(const char *name, unsigned bad, unsigned first, long what)
{
    if (!bad)
        test_pass(name);
    else
        test_fail(name, "%u of %u wrong, first #%u (%ld)", bad, XM_COUNT, first, what);
}

/* ---- more than 1024 mappings held at once ---- */

static void many_mappings(void)
{
    u8 *pages[XM_PAGES];
    unsigned bad = 0, first = 0, n;
    long what = 0, rc = 0;

    CHECK_RC("many_gt_grow", xd_gt_grow(XM_FRAMES), 0);
    for (unsigned p = 0; p < XM_PAGES; p++) {
        pages[p] = page_alloc();
        *(volatile u64 *)pages[p] = tag_of(p);
    }
    for (n = 0; n < XM_COUNT; n++) {
        mapped[n] = false;
        xd_grant(XM_FIRST_REF + n, 0, pages[n % XM_PAGES], n % 2); /* odd refs read-only */
    }
    for (n = 0; n < XM_COUNT; n += PAGE_SIZE / 8)
        rc = rc ? rc : ensure_l1(XM_VA(n));
    CHECK_RC("many_page_tables", rc, 0);
    if (rc)
        return;

    /* Map in batches, as blkback's gnttab_map_refs() does. */
    for (n = 0; n < XM_COUNT && !rc; n += XM_BATCH) {
        for (unsigned j = 0; j < XM_BATCH; j++) {
            memset(&mops[j], 0, sizeof(mops[j]));
            mops[j].host_addr = XM_VA(n + j);
            mops[j].flags = GNTMAP_host_map | ((n + j) % 2 ? GNTMAP_readonly : 0);
            mops[j].ref = XM_FIRST_REF + n + j;
            mops[j].dom = 0;
            mops[j].status = 99;
        }
        rc = hc_grant_table_op(GNTTABOP_map_grant_ref, mops, XM_BATCH);
        for (unsigned j = 0; j < XM_BATCH && !rc; j++) {
            if (mops[j].status == GNTST_okay) {
                mapped[n + j] = true;
                handles[n + j] = mops[j].handle;
            } else if (!bad++) {
                first = n + j;
                what = mops[j].status;
            }
        }
    }
    CHECK_RC("many_map_batches_rc", rc, 0);
    check_none_bad("many_1536_mapped_at_once", bad, first, what);

    /* All held: each entry busy, each mapping showing its own page. */
    bad = 0;
    for (n = 0; n < XM_COUNT; n++) {
        u16 want = GTF_permit_access | GTF_reading | (n % 2 ? GTF_readonly : GTF_writing);

        if (xd_gte(XM_FIRST_REF + n)->flags != want && !bad++) {
            first = n;
            what = xd_gte(XM_FIRST_REF + n)->flags;
        }
    }
    check_none_bad("many_entries_busy_while_mapped", bad, first, what);
    bad = 0;
    for (n = 0; n < XM_COUNT; n++)
        if ((!mapped[n] || *(volatile u64 *)XM_VA(n) != tag_of(n % XM_PAGES)) && !bad++)
            first = n;
    check_none_bad("many_mappings_read_their_pages", bad, first, 0);
    if (mapped[XM_COUNT - 2]) {
        /* The last writable mapping writes page 6 (the last but one). */
        ((volatile u8 *)XM_VA(XM_COUNT - 2))[100] = 0x5a;
        CHECK_EQ("many_write_through_last_rw", pages[(XM_COUNT - 2) % XM_PAGES][100], 0x5a);
    }
    if (mapped[XM_COUNT - 1])
        CHECK("many_last_ro_not_writable", byte_store_faults((volatile u8 *)XM_VA(XM_COUNT - 1)));

    /* Unmap in batches; a failed map has nothing to unmap. */
    bad = 0;
    rc = 0;
    for (n = 0; n < XM_COUNT && !rc; n += XM_BATCH) {
        unsigned k = 0;

        for (unsigned j = 0; j < XM_BATCH; j++) {
            if (!mapped[n + j])
                continue;
            memset(&uops[k], 0, sizeof(uops[k]));
            uops[k].host_addr = XM_VA(n + j);
            uops[k].handle = handles[n + j];
            uops[k].status = 99;
            k++;
        }
        rc = k ? hc_grant_table_op(GNTTABOP_unmap_grant_ref, uops, k) : 0;
        for (unsigned j = 0; j < k && !rc; j++)
            if (uops[j].status != GNTST_okay && !bad++) {
                first = n + j;
                what = uops[j].status;
            }
    }
    CHECK_RC("many_unmap_batches_rc", rc, 0);
    check_none_bad("many_unmapped", bad, first, what);
    bad = 0;
    for (n = 0; n < XM_COUNT; n++)
        if (pte_present(XM_VA(n)) && !bad++)
            first = n;
    check_none_bad("many_ptes_cleared", bad, first, 0);
    bad = 0;
    for (n = 0; n < XM_COUNT; n++) {
        u16 want = GTF_permit_access | (n % 2 ? GTF_readonly : 0);

        if (xd_gte(XM_FIRST_REF + n)->flags != want && !bad++) {
            first = n;
            what = xd_gte(XM_FIRST_REF + n)->flags;
        }
    }
    check_none_bad("many_entries_idle_after_unmap", bad, first, what);
    bad = 0;
    for (n = 0; n < XM_COUNT; n++)
        if (!xd_end_access(XM_FIRST_REF + n) && !bad++)
            first = n;
    check_none_bad("many_entries_revocable", bad, first, 0);
}

/* ---- a grant mapped over a ballooned page's linear-map PTE ---- */

static void ballooned_page(void)
{
    u8 *lin = page_alloc(), *src = page_alloc();
    unsigned long va = (unsigned long)lin, lin_mfn = va_to_mfn(lin);
    volatile u64 *pte = pte_of(va, 1);
    unsigned long src_pfn = va_to_pfn(src), lin_pfn = va_to_pfn(lin);
    grant_handle_t h = 0;
    int16_t st = 99;

    fill(lin, PAGE_SIZE, 0x61);
    fill(src, PAGE_SIZE, 0x62);
    xd_grant(XM_BALLOON_REF, 0, src, false);
    /* What Linux's balloon driver does to a page it hands back. */
    CHECK_RC("balloon_clear_pte", hc_update_va_mapping(va, 0, UVMF_INVLPG), 0);
    CHECK_EQ("balloon_pte_cleared", *pte, 0);
    CHECK_RC("balloon_map_rc", xd_map(0, XM_BALLOON_REF, va, false, &st, &h), 0);
    CHECK_EQ("balloon_map", st, GNTST_okay);
    if (st == GNTST_okay) {
        CHECK_EQ("balloon_map_pte_frame", (*pte & PTE_ADDR_MASK) >> PAGE_SHIFT, va_to_mfn(src));
        /* The M2P names each frame's owner's pfn; a mapping changes neither
         * (Linux tells a foreign frame by its P2M disagreeing with it). */
        CHECK_EQ("balloon_map_m2p_of_granted_frame", m2p(va_to_mfn(src)), src_pfn);
        CHECK_EQ("balloon_map_m2p_of_ballooned_frame", m2p(lin_mfn), lin_pfn);
        CHECK_EQ("balloon_map_pte_present_rw", *pte & (_PAGE_PRESENT | _PAGE_RW),
                 _PAGE_PRESENT | _PAGE_RW);
        CHECK("balloon_map_reads_grant", same(lin, PAGE_SIZE, 0x62));
        lin[5] = 0x99;
        CHECK_EQ("balloon_map_writes_grant", src[5], 0x99);
        CHECK_EQ("balloon_map_busy", xd_gte(XM_BALLOON_REF)->flags,
                 GTF_permit_access | GTF_reading | GTF_writing);
        CHECK_RC("balloon_unmap_rc", xd_unmap(va, h, &st), 0);
        CHECK_EQ("balloon_unmap", st, GNTST_okay);
        CHECK_EQ("balloon_unmap_pte_not_present", *pte & _PAGE_PRESENT, 0);
        CHECK("balloon_unmap_store_faults", byte_store_faults(lin));
    }
    CHECK_EQ("balloon_entry_idle", xd_gte(XM_BALLOON_REF)->flags, GTF_permit_access);
    /* The page comes back, as when the balloon deflates. */
    CHECK_RC("balloon_restore_pte",
             hc_update_va_mapping(va, ((u64)lin_mfn << PAGE_SHIFT) | PTE_KERN_RW, UVMF_INVLPG), 0);
    CHECK("balloon_page_kept_its_data", same(lin, PAGE_SIZE, 0x61));
    CHECK("balloon_revoke", xd_end_access(XM_BALLOON_REF));
}

/* ---- batches with bad elements ---- */

static void set_map(struct gnttab_map_grant_ref *m, domid_t dom, grant_ref_t ref, u32 flags,
                    unsigned long va)
{
    memset(m, 0, sizeof(*m));
    m->host_addr = va;
    m->flags = flags;
    m->ref = ref;
    m->dom = dom;
    m->status = 99;
}

static void set_unmap(struct gnttab_unmap_grant_ref *u, unsigned long va, grant_handle_t h)
{
    memset(u, 0, sizeof(*u));
    u->host_addr = va;
    u->handle = h;
    u->status = 99;
}

static void bad_elements(void)
{
    u8 *rw = page_alloc(), *ro = page_alloc(), *other = page_alloc();
    struct gnttab_map_grant_ref *m = mops;
    struct gnttab_unmap_grant_ref *u = uops;
    const u32 host = GNTMAP_host_map;
    grant_handle_t h0, h2, h6;

    xd_grant(XM_RW_REF, 0, rw, false);
    xd_grant(XM_RO_REF, 0, ro, true);
    xd_grant(XM_OTHER_REF, XM_NOBODY, other, false);
    CHECK_RC("batch_page_table", ensure_l1(XM_BVA(0)), 0);
    set_map(&m[0], 0, XM_RW_REF, host, XM_BVA(0));
    set_map(&m[1], 0, 0xfffff, host, XM_BVA(1));                     /* beyond the table */
    set_map(&m[2], 0, XM_RO_REF, host | GNTMAP_readonly, XM_BVA(2)); /* fine */
    set_map(&m[3], XM_NOBODY, XM_RW_REF, host, XM_BVA(3));           /* no such domain */
    set_map(&m[4], 0, XM_RW_REF, 0, XM_BVA(4));                      /* neither host nor dev */
    set_map(&m[5], 0, XM_OTHER_REF, host, XM_BVA(5));                /* not granted to us */
    set_map(&m[6], 0, XM_RW_REF, host, XM_BVA(6));                   /* the same ref again */
    CHECK_RC("batch_map_rc", hc_grant_table_op(GNTTABOP_map_grant_ref, m, 7), 0);
    CHECK_EQ("batch_map_0_ok", m[0].status, GNTST_okay);
    CHECK_EQ("batch_map_1_bad_ref", m[1].status, GNTST_bad_gntref);
    CHECK_EQ("batch_map_2_ro_ok", m[2].status, GNTST_okay);
    CHECK_EQ("batch_map_3_bad_domain", m[3].status, GNTST_bad_domain);
    CHECK_EQ("batch_map_4_no_flags", m[4].status, GNTST_bad_gntref);
    CHECK_EQ("batch_map_5_not_ours", m[5].status, GNTST_general_error);
    CHECK_EQ("batch_map_6_ok", m[6].status, GNTST_okay);
    h0 = m[0].handle;
    h2 = m[2].handle;
    h6 = m[6].handle;
    CHECK("batch_map_failed_left_no_pte", !pte_present(XM_BVA(1)) && !pte_present(XM_BVA(3)) &&
                                              !pte_present(XM_BVA(4)) && !pte_present(XM_BVA(5)));
    CHECK("batch_map_handles_distinct", h0 != h2 && h0 != h6 && h2 != h6);
    CHECK("batch_map_data", m[0].status == GNTST_okay && m[6].status == GNTST_okay &&
                                m[2].status == GNTST_okay && *(volatile u8 *)XM_BVA(0) == rw[0] &&
                                *(volatile u8 *)XM_BVA(6) == rw[0]);
    CHECK_EQ("batch_map_busy_rw", xd_gte(XM_RW_REF)->flags,
             GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ("batch_map_busy_ro", xd_gte(XM_RO_REF)->flags,
             GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ("batch_map_other_untouched", xd_gte(XM_OTHER_REF)->flags, GTF_permit_access);

    set_unmap(&u[0], XM_BVA(0), h0);
    set_unmap(&u[1], XM_BVA(1), 0xffffff); /* no such handle */
    set_unmap(&u[2], XM_BVA(0), h0);       /* unmapped by element 0 */
    set_unmap(&u[3], XM_BVA(5), h2);       /* not where h2 is mapped */
    set_unmap(&u[4], XM_BVA(2), h2);
    set_unmap(&u[5], XM_BVA(6), h6);
    CHECK_RC("batch_unmap_rc", hc_grant_table_op(GNTTABOP_unmap_grant_ref, u, 6), 0);
    CHECK_EQ("batch_unmap_0_ok", u[0].status, GNTST_okay);
    CHECK_EQ("batch_unmap_1_bad_handle", u[1].status, GNTST_bad_handle);
    CHECK_EQ("batch_unmap_2_handle_already_unmapped", u[2].status, GNTST_bad_handle);
    CHECK_EQ("batch_unmap_3_wrong_address", u[3].status, GNTST_general_error);
    CHECK_EQ("batch_unmap_4_ok", u[4].status, GNTST_okay);
    CHECK_EQ("batch_unmap_5_ok", u[5].status, GNTST_okay);
    CHECK("batch_unmap_ptes_cleared",
          !pte_present(XM_BVA(0)) && !pte_present(XM_BVA(2)) && !pte_present(XM_BVA(6)));
    CHECK_EQ("batch_unmap_rw_idle", xd_gte(XM_RW_REF)->flags, GTF_permit_access);
    CHECK_EQ("batch_unmap_ro_idle", xd_gte(XM_RO_REF)->flags, GTF_permit_access | GTF_readonly);
    xd_end_access(XM_RW_REF);
    xd_end_access(XM_RO_REF);
    xd_end_access(XM_OTHER_REF);
}

/* ---- copies ---- */

static void set_copy(struct gnttab_copy *c, u16 flags, unsigned long src, domid_t sdom, u16 soff,
                     unsigned long dst, domid_t ddom, u16 doff, u16 len)
{
    memset(c, 0, sizeof(*c));
    xd_copy_ptr(&c->source, flags & GNTCOPY_source_gref, sdom, src, soff);
    xd_copy_ptr(&c->dest, flags & GNTCOPY_dest_gref, ddom, dst, doff);
    c->flags = flags;
    c->len = len;
    c->status = 99;
}

static void copies(void)
{
    static struct gnttab_copy c[6];
    u8 *src = page_alloc(), *dst = page_alloc(), *local = page_alloc();
    const u16 sg = GNTCOPY_source_gref, dg = GNTCOPY_dest_gref;
    unsigned long lf = va_to_mfn(local);

    fill(src, PAGE_SIZE, 0x71);
    xd_grant(XM_SRC_REF, 0, src, true);
    xd_grant(XM_DST_REF, 0, dst, false);

    /* Both sides grant references. */
    set_copy(&c[0], sg | dg, XM_SRC_REF, 0, 100, XM_DST_REF, 0, 300, 1000);
    CHECK_RC("copy_gref_to_gref_rc", hc_grant_table_op(GNTTABOP_copy, c, 1), 0);
    CHECK_EQ("copy_gref_to_gref", c[0].status, GNTST_okay);
    CHECK("copy_gref_to_gref_data", !memcmp(dst + 300, src + 100, 1000) && !dst[299] && !dst[1300]);

    /* netback: a packet out of one gref into a local frame in pieces (TX),
     * one piece into a gref (RX), with bad elements among them. */
    set_copy(&c[0], sg, XM_SRC_REF, 0, 0, lf, DOMID_SELF, 0, 64);
    set_copy(&c[1], sg, XM_SRC_REF, 0, 64, lf, DOMID_SELF, 64, 2000);
    set_copy(&c[2], sg, XM_SRC_REF, 0, 4000, lf, DOMID_SELF, 2064, 200); /* past the page */
    set_copy(&c[3], sg, XM_SRC_REF, XM_NOBODY, 2064, lf, DOMID_SELF, 2064, 16);
    set_copy(&c[4], sg, XM_SRC_REF, 0, 2064, lf, DOMID_SELF, 2064, 2032);
    set_copy(&c[5], dg, lf, DOMID_SELF, 0, XM_DST_REF, 0, 3000, 64);
    CHECK_RC("copy_batch_rc", hc_grant_table_op(GNTTABOP_copy, c, 6), 0);
    CHECK_EQ("copy_batch_0_ok", c[0].status, GNTST_okay);
    CHECK_EQ("copy_batch_1_ok", c[1].status, GNTST_okay);
    CHECK_EQ("copy_batch_2_past_page", c[2].status, GNTST_bad_copy_arg);
    CHECK_EQ("copy_batch_3_bad_domain", c[3].status, GNTST_bad_domain);
    CHECK_EQ("copy_batch_4_ok", c[4].status, GNTST_okay);
    CHECK_EQ("copy_batch_5_ok", c[5].status, GNTST_okay);
    CHECK("copy_batch_tx_data", same(local, PAGE_SIZE, 0x71));
    CHECK("copy_batch_rx_data", !memcmp(dst + 3000, local, 64));
    CHECK_EQ("copy_leaves_src_idle", xd_gte(XM_SRC_REF)->flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ("copy_leaves_dst_idle", xd_gte(XM_DST_REF)->flags, GTF_permit_access);
    xd_end_access(XM_SRC_REF);
    xd_end_access(XM_DST_REF);
}

void t_xmaps(void)
{
    if (!(si->flags & SIF_INITDOMAIN)) {
        printk("note: xmaps: needs our domain id (dom0); skipped\n");
        return;
    }
    CHECK_RC("gt_setup", xd_gt_setup(), 0);
    ballooned_page();
    bad_elements();
    copies();
    many_mappings();
}
