// SPDX-License-Identifier: GPL-2.0-only
/*
 * Transitive grants (grant tables v2) between real domains, a part of the
 * `xdom` run (t_xdom.c).  Only pvx runs it: Xen cannot start several domUs
 * from the boot loader, so on Xen only the single-domain refusals of the
 * `gntv2` group (t_gntv2.c) are checked.
 *
 * a (v1) grants a page to c (XD_THIRD_REF).  c switches to v2 at once,
 * before anyone uses its entries (a switch clears every entry past the
 * reserved ones), and passes a's page on:
 *   XT_TRANS     to b, naming (a, XD_THIRD_REF)
 *   XT_TRANS_RO  the same, read-only
 *   XT_BACK      to a, naming (a, XD_THIRD_REF): a grant back to its origin
 *   XT_SUBBACK   to b, naming b's own sub-page entry XT_B_SUB (back to b)
 *   XT_CHAIN     to b, naming b's transitive entry XT_B_TRANS: two levels
 *   XT_SELF      to b, naming c's own XD_MBOX_REF (written once b has told
 *                c its domain id)
 * b copies through them both ways and checks the bounds, the refusals and
 * that nothing stays busy; a checks its entry and the data, copies through
 * XT_BACK to its own page, and revokes its entry (b's next copy fails); c
 * revokes XT_TRANS (b's next copy fails).  c then crashes (t_xdom.c) and is
 * destroyed: copies through it fail with GNTST_bad_domain.
 *
 * c and b step with counters in c's page XT_BOX_REF (mapped by b), a and b
 * with two more in a's mailbox.
 */
#include "guest.h"
#include "test.h"
#include <public/grant_table.h>
#include <public/sched.h>

#define XT_BOX_REF   12 /* c: its mailbox with b, granted last */
#define XT_TRANS     16
#define XT_TRANS_RO  17
#define XT_BACK      18
#define XT_SUBBACK   19
#define XT_CHAIN     20
#define XT_SELF      21
#define XT_B_SUB     16 /* b: a sub-page of its own, granted to c */
#define XT_B_TRANS   17 /* b: transitive to c, naming (a, XD_COPY_REF) */
#define XT_SUB_OFF   256
#define XT_SUB_LEN   512
#define XT_SEED_A    0x61 /* a's page granted to c */
#define XT_SEED_B    0xe0 /* what b writes into it through c */
#define XT_SEED_BACK 0x2b /* what a writes into it through c */
#define XT_SEED_SUB  0x90 /* b's sub-page */
#define XT_BOX_VA    XD_VA(30)
#define XT_MAP_VA    XD_VA(31)
#define XT_STATUS_VA XD_VA(32)
#define BUSY         (GTF_reading | GTF_writing)

struct xt_box {
    volatile u32 c_domid; /* b tells c its id (c needs it for XT_SELF) */
    volatile u32 b_step, c_step;
};

static volatile grant_entry_v2_t *const v2 = (volatile grant_entry_v2_t *)XD_GT_VA;
static volatile grant_status_t *const status = (volatile grant_status_t *)XT_STATUS_VA;

static u8 pat(size_t i, u8 seed)
{
    return (u8)(seed ^ (i * 7) ^ (i >> 8));
}

/* p[i] = pattern(base + i): the same bytes as t_xdom.c's fill() at base. */
static void fill_at(volatile u8 *p, size_t n, u8 seed, size_t base)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pat(base + i, seed);
}

static bool same_at(const volatile u8 *p, size_t n, u8 seed, size_t base)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pat(base + i, seed))
            return false;
    return true;
}

long xt_v2_setup(void)
{
    struct gnttab_set_version sv = {.version = 2};
    struct gnttab_get_status_frames gs;
    static u64 frame;
    long rc = xd_gt_setup();

    if (rc)
        return rc;
    if ((rc = hc_grant_table_op(GNTTABOP_set_version, &sv, 1)) != 0)
        return rc;
    if (sv.version != 2)
        return -1;
    memset(&gs, 0, sizeof(gs));
    gs.dom = DOMID_SELF;
    gs.nr_frames = 1;
    set_xen_guest_handle(gs.frame_list, &frame);
    rc = hc_grant_table_op(GNTTABOP_get_status_frames, &gs, 1);
    if (rc || gs.status)
        return rc ? rc : gs.status;
    return map_frame(XT_STATUS_VA, frame, PTE_KERN_RW);
}

void xt_grant(grant_ref_t ref, domid_t to, const void *page, u16 flags)
{
    v2[ref].full_page.frame = va_to_mfn(page);
    v2[ref].hdr.domid = to;
    /* The hypervisor may use the entry as soon as the flags say so. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v2[ref].hdr.flags = GTF_permit_access | flags;
}

static void grant_transitive(grant_ref_t ref, domid_t to, domid_t trans_domid,
                             grant_ref_t trans_ref, u16 flags)
{
    v2[ref].transitive.trans_domid = trans_domid;
    v2[ref].transitive.gref = trans_ref;
    v2[ref].hdr.domid = to;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v2[ref].hdr.flags = GTF_transitive | flags;
}

u16 xt_status(grant_ref_t ref)
{
    return status[ref];
}

u16 xt_flags(grant_ref_t ref)
{
    return v2[ref].hdr.flags;
}

static u16 a_flags(void)
{
    return xd_gte(XD_THIRD_REF)->flags;
}

/* ---- a: the final granter ---- */

void xt_a_grant(domid_t c, u8 *page)
{
    fill_at(page, PAGE_SIZE, XT_SEED_A, 0);
    xd_grant(XD_THIRD_REF, c, page, false);
}

void xt_a(domid_t c, u8 *page, volatile u32 *a_step, const volatile u32 *b_step)
{
    u8 *buf = page_alloc();
    struct gnttab_copy two;

    if (!XD_WAIT_FOR(*b_step >= 1, XD_WAIT_MS)) {
        test_fail("a.trans_step1", "b did not copy through c");
        return;
    }
    CHECK("a.trans_copy_in_arrived", same_at(page + 2048, 2048, XT_SEED_B, 0));
    CHECK("a.trans_copy_out_left_page", same_at(page, 2048, XT_SEED_A, 0));
    CHECK_EQ("a.trans_copies_leave_entry_idle", a_flags(), GTF_permit_access);
    /* Through c back to our own page. */
    CHECK_EQ("a.trans_back_copy_from", xd_copy_one(false, c, XT_BACK, 64, buf, 0, 64), GNTST_okay);
    CHECK("a.trans_back_copy_from_data", same_at(buf, 64, XT_SEED_A, 64));
    fill_at(buf, 64, XT_SEED_BACK, 0);
    CHECK_EQ("a.trans_back_copy_to", xd_copy_one(true, c, XT_BACK, 1024, buf, 0, 64), GNTST_okay);
    CHECK("a.trans_back_copy_to_data", same_at(page + 1024, 64, XT_SEED_BACK, 0) &&
                                           page[1023] == pat(1023, XT_SEED_A) &&
                                           page[1088] == pat(1088, XT_SEED_A));
    /* Both sides through the same entry: each level pinned twice at once. */
    memset(&two, 0, sizeof(two));
    xd_copy_ptr(&two.source, true, c, XT_BACK, 64);
    xd_copy_ptr(&two.dest, true, c, XT_BACK, 1536);
    two.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    two.len = 64;
    two.status = 99;
    CHECK_RC("a.trans_back_both_sides_rc", hc_grant_table_op(GNTTABOP_copy, &two, 1), 0);
    CHECK_EQ("a.trans_back_both_sides", two.status, GNTST_okay);
    CHECK("a.trans_back_both_sides_data", same_at(page + 1536, 64, XT_SEED_A, 64));
    CHECK_EQ("a.trans_back_leaves_entry_idle", a_flags(), GTF_permit_access);
    /* c's entries for b are not ours to use. */
    CHECK_EQ("a.trans_granted_to_other", xd_copy_one(false, c, XT_TRANS, 0, buf, 0, 16),
             GNTST_general_error);
    CHECK("a.trans_revoke_underlying", xd_end_access(XD_THIRD_REF));
    *a_step = 1;

    if (!XD_WAIT_FOR(*b_step >= 2, XD_WAIT_MS)) {
        test_fail("a.trans_step2", "b did not copy after the revocation");
        return;
    }
    CHECK_EQ("a.trans_refused_copy_left_entry", a_flags(), 0);
    CHECK_EQ("a.trans_back_after_revoke", xd_copy_one(false, c, XT_BACK, 0, buf, 0, 16),
             GNTST_general_error);
    xd_grant(XD_THIRD_REF, c, page, false);
    *a_step = 2;
}

void xt_a_after_c_destroyed(domid_t c)
{
    u8 *buf = page_alloc();

    CHECK_EQ("a.trans_back_after_c_destroyed", xd_copy_one(false, c, XT_BACK, 0, buf, 0, 16),
             GNTST_bad_domain);
    CHECK_EQ("a.trans_entry_idle_after_c_destroyed", a_flags(), GTF_permit_access);
}

/* ---- b: copies through c ---- */

/* Through XT_SUBBACK, c passes b's own sub-page back to b: its bounds hold. */
static void b_sub_page_back(domid_t c, const u8 *sub, u8 *buf)
{
    CHECK_EQ("b.trans_back_sub_page_from",
             xd_copy_one(false, c, XT_SUBBACK, XT_SUB_OFF, buf, 0, XT_SUB_LEN), GNTST_okay);
    CHECK("b.trans_back_sub_page_from_data", same_at(buf, XT_SUB_LEN, XT_SEED_SUB, XT_SUB_OFF));
    fill_at(buf, 256, XT_SEED_B, 0);
    CHECK_EQ("b.trans_back_sub_page_to",
             xd_copy_one(true, c, XT_SUBBACK, XT_SUB_OFF + 256, buf, 0, 256), GNTST_okay);
    CHECK("b.trans_back_sub_page_to_data", same_at(sub + XT_SUB_OFF + 256, 256, XT_SEED_B, 0));
    CHECK_EQ("b.trans_before_sub_page", xd_copy_one(true, c, XT_SUBBACK, XT_SUB_OFF - 1, buf, 0, 8),
             GNTST_general_error);
    CHECK_EQ("b.trans_past_sub_page",
             xd_copy_one(true, c, XT_SUBBACK, XT_SUB_OFF + XT_SUB_LEN - 8, buf, 0, 16),
             GNTST_general_error);
    CHECK_EQ("b.trans_sub_page_across_page",
             xd_copy_one(true, c, XT_SUBBACK, PAGE_SIZE - 4, buf, 0, 8), GNTST_bad_copy_arg);
    CHECK("b.trans_refused_left_sub_page",
          same_at(sub, XT_SUB_OFF + 256, XT_SEED_SUB, 0) &&
              same_at(sub + XT_SUB_OFF + XT_SUB_LEN, PAGE_SIZE - XT_SUB_OFF - XT_SUB_LEN,
                      XT_SEED_SUB, XT_SUB_OFF + XT_SUB_LEN));
    CHECK_EQ("b.trans_back_sub_page_idle", xt_status(XT_B_SUB), 0);
}

static void b_refusals(domid_t c, u8 *buf)
{
    int16_t st;

    CHECK_EQ("b.trans_across_page", xd_copy_one(false, c, XT_TRANS, 4000, buf, 0, 200),
             GNTST_bad_copy_arg);
    CHECK_EQ("b.trans_ro_copy_from", xd_copy_one(false, c, XT_TRANS_RO, 100, buf, 0, 16),
             GNTST_okay);
    CHECK("b.trans_ro_copy_from_data", same_at(buf, 16, XT_SEED_A, 100));
    CHECK_EQ("b.trans_ro_copy_into", xd_copy_one(true, c, XT_TRANS_RO, 0, buf, 0, 16),
             GNTST_general_error);
    CHECK_EQ("b.trans_naming_its_granter", xd_copy_one(false, c, XT_SELF, 0, buf, 0, 16),
             GNTST_general_error);
    CHECK_EQ("b.trans_two_levels", xd_copy_one(false, c, XT_CHAIN, 0, buf, 0, 16),
             GNTST_general_error);
    CHECK_EQ("b.trans_two_levels_left_ours_idle", xt_status(XT_B_TRANS), 0);
    CHECK_EQ("b.trans_granted_to_other", xd_copy_one(false, c, XT_BACK, 0, buf, 0, 16),
             GNTST_general_error);
    /* A transitive entry is for copies only. */
    CHECK_RC("b.trans_map_ro_rc", xd_map(c, XT_TRANS, XT_MAP_VA, true, &st, NULL), 0);
    CHECK_EQ("b.trans_map_ro", st, GNTST_general_error);
    CHECK_RC("b.trans_map_rw_rc", xd_map(c, XT_TRANS, XT_MAP_VA, false, &st, NULL), 0);
    CHECK_EQ("b.trans_map_rw", st, GNTST_general_error);
    CHECK("b.trans_map_left_no_mapping", !(*pte_of(XT_MAP_VA, 1) & _PAGE_PRESENT));
}

void xt_b(domid_t a, domid_t c, const volatile u32 *a_step, volatile u32 *b_step)
{
    struct xt_box *box = (struct xt_box *)XT_BOX_VA;
    u8 *sub = page_alloc(), *buf = page_alloc();
    grant_handle_t hbox;
    int16_t st;

    CHECK_RC("b.trans_own_table_v2", xt_v2_setup(), 0);
    fill_at(sub, PAGE_SIZE, XT_SEED_SUB, 0);
    v2[XT_B_SUB].sub_page.frame = va_to_mfn(sub);
    v2[XT_B_SUB].sub_page.page_off = XT_SUB_OFF;
    v2[XT_B_SUB].sub_page.length = XT_SUB_LEN;
    v2[XT_B_SUB].hdr.domid = c;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v2[XT_B_SUB].hdr.flags = GTF_permit_access | GTF_sub_page;
    grant_transitive(XT_B_TRANS, c, a, XD_COPY_REF, 0);

    if (xd_attach(c, XT_BOX_REF, XT_BOX_VA, XD_WAIT_MS, &hbox)) {
        test_fail("b.trans_attach_box", "c never granted its mailbox");
        return;
    }
    box->c_domid = c;
    box->b_step = 1;
    if (!XD_WAIT_FOR(box->c_step >= 1, XD_WAIT_MS)) {
        test_fail("b.trans_c_step1", "c did not answer");
        return;
    }
    CHECK_EQ("b.trans_copy_from", xd_copy_one(false, c, XT_TRANS, 0, buf, 0, 2048), GNTST_okay);
    CHECK("b.trans_copy_from_data", same_at(buf, 2048, XT_SEED_A, 0));
    fill_at(buf, 2048, XT_SEED_B, 0);
    CHECK_EQ("b.trans_copy_to", xd_copy_one(true, c, XT_TRANS, 2048, buf, 0, 2048), GNTST_okay);
    b_refusals(c, buf);
    b_sub_page_back(c, sub, buf);
    *b_step = 1;

    /* a revokes the grant under c's: the copy fails at the second level. */
    if (!XD_WAIT_FOR(*a_step >= 1, XD_WAIT_MS)) {
        test_fail("b.trans_a_step1", "a did not revoke");
        return;
    }
    CHECK_EQ("b.trans_underlying_revoked", xd_copy_one(false, c, XT_TRANS, 0, buf, 0, 16),
             GNTST_general_error);
    *b_step = 2;
    if (!XD_WAIT_FOR(*a_step >= 2, XD_WAIT_MS)) {
        test_fail("b.trans_a_step2", "a did not grant again");
        return;
    }
    CHECK_EQ("b.trans_underlying_granted_again", xd_copy_one(false, c, XT_TRANS, 0, buf, 0, 16),
             GNTST_okay);

    /* c revokes its transitive entry: the copy fails at the first level. */
    box->b_step = 2;
    if (!XD_WAIT_FOR(box->c_step >= 2, XD_WAIT_MS)) {
        test_fail("b.trans_c_step2", "c did not revoke");
        return;
    }
    CHECK_EQ("b.trans_revoked", xd_copy_one(false, c, XT_TRANS, 0, buf, 0, 16),
             GNTST_general_error);
    box->b_step = 3;
    CHECK_RC("b.trans_unmap_box_rc", xd_unmap(XT_BOX_VA, hbox, &st), 0);
    CHECK_EQ("b.trans_unmap_box", st, GNTST_okay);
}

void xt_b_after_c_destroyed(domid_t c)
{
    u8 *buf = page_alloc();

    CHECK_EQ("b.trans_after_c_destroyed", xd_copy_one(false, c, XT_TRANS_RO, 0, buf, 0, 16),
             GNTST_bad_domain);
    CHECK_EQ("b.trans_after_c_destroyed_ours_idle", xt_status(XT_B_SUB) | xt_status(XT_B_TRANS), 0);
}

/* ---- c: the intermediate granter ---- */

static struct xt_box *c_box;
static domid_t c_peer;

void xt_c_grant(domid_t a, domid_t b)
{
    c_box = page_alloc();
    c_peer = b;
    grant_transitive(XT_TRANS, b, a, XD_THIRD_REF, 0);
    grant_transitive(XT_TRANS_RO, b, a, XD_THIRD_REF, GTF_readonly);
    grant_transitive(XT_BACK, a, a, XD_THIRD_REF, 0);
    grant_transitive(XT_SUBBACK, b, b, XT_B_SUB, 0);
    grant_transitive(XT_CHAIN, b, b, XT_B_TRANS, 0);
    xt_grant(XT_BOX_REF, b, c_box, 0); /* last: b's map means "ready" */
}

void xt_c_steps(void)
{
    struct xt_box *box = c_box;

    if (!XD_WAIT_FOR(box->b_step >= 1, XD_WAIT_MS)) {
        test_fail("c.trans_b_step1", "b never mapped our mailbox");
        return;
    }
    grant_transitive(XT_SELF, c_peer, (domid_t)box->c_domid, XD_MBOX_REF, 0);
    box->c_step = 1;

    if (!XD_WAIT_FOR(box->b_step >= 2, XD_WAIT_MS)) {
        test_fail("c.trans_b_step2", "b did not finish its copies");
        return;
    }
    CHECK_EQ("c.trans_entries_idle",
             xt_status(XT_TRANS) | xt_status(XT_TRANS_RO) | xt_status(XT_BACK) |
                 xt_status(XT_SUBBACK) | xt_status(XT_CHAIN) | xt_status(XT_SELF),
             0);
    CHECK_EQ("c.trans_flags_untouched", v2[XT_TRANS].hdr.flags, GTF_transitive);
    /* A v2 revocation: clear the flags, then the status says whether the
     * entry was still in use. */
    v2[XT_TRANS].hdr.flags = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    CHECK_EQ("c.trans_revoked_idle", xt_status(XT_TRANS), 0);
    box->c_step = 2;

    if (!XD_WAIT_FOR(box->b_step >= 3, XD_WAIT_MS)) {
        test_fail("c.trans_b_step3", "b did not copy after the revocation");
        return;
    }
    CHECK_EQ("c.trans_refused_copy_left_idle", xt_status(XT_TRANS), 0);
}
