// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grant tables version 2: set_version both ways and when a switch is
 * refused, get_status_frames, the busy bits in the status frames, full-page,
 * sub-page and transitive grants, and the reserved entries carried across a
 * switch.  The guest grants to itself, so it must be dom0 (it needs its own
 * domain id).  It ends back in version 1, as the other groups expect.
 */
#include "guest.h"
#include "test.h"
#include <public/grant_table.h>

#define V2_RW      30 /* full-page, writable */
#define V2_RO      31 /* full-page, read-only */
#define V2_SUB     32 /* sub-page */
#define V2_TRANS   33 /* transitive */
#define V1_KEPT    5  /* a reserved entry: survives the switches */
#define V1_DROPPED 20 /* past the reserved ones: cleared by a switch */
#define NOBODY     0x1234
#define STATUS_VA  XD_VA(56)
#define MAP_VA(n)  XD_VA(48 + (n))
#define SUB_OFF    256
#define SUB_LEN    512
#define BUSY       (GTF_reading | GTF_writing)

static volatile grant_entry_v2_t *const v2 = (volatile grant_entry_v2_t *)XD_GT_VA;
static volatile grant_status_t *const status = (volatile grant_status_t *)STATUS_VA;

static long set_version(unsigned version, unsigned *now)
{
    struct gnttab_set_version sv = {.version = version};
    long rc = hc_grant_table_op(GNTTABOP_set_version, &sv, 1);

    *now = sv.version;
    return rc;
}

static unsigned get_version(void)
{
    struct gnttab_get_version gv = {.dom = DOMID_SELF, .version = 99};

    hc_grant_table_op(GNTTABOP_get_version, &gv, 1);
    return gv.version;
}

/* get_status_frames for nr frames of domain dom: rc, *st the status. */
static long status_frames(domid_t dom, unsigned nr, u64 *list, int16_t *st)
{
    struct gnttab_get_status_frames gs;
    long rc;

    memset(&gs, 0, sizeof(gs));
    gs.dom = dom;
    gs.nr_frames = nr;
    gs.status = 99;
    set_xen_guest_handle(gs.frame_list, list);
    rc = hc_grant_table_op(GNTTABOP_get_status_frames, &gs, 1);
    *st = gs.status;
    return rc;
}

static unsigned nr_frames(void)
{
    struct gnttab_query_size qs = {.dom = DOMID_SELF};

    hc_grant_table_op(GNTTABOP_query_size, &qs, 1);
    return qs.nr_frames;
}

static void grant_v2(grant_ref_t ref, const void *page, u16 flags)
{
    v2[ref].full_page.frame = va_to_mfn(page);
    v2[ref].hdr.domid = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v2[ref].hdr.flags = flags;
}

static void grant_sub_page(grant_ref_t ref, const void *page, u16 off, u16 len)
{
    v2[ref].sub_page.frame = va_to_mfn(page);
    v2[ref].sub_page.page_off = off;
    v2[ref].sub_page.length = len;
    v2[ref].hdr.domid = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v2[ref].hdr.flags = GTF_permit_access | GTF_sub_page;
}

static void grant_transitive(grant_ref_t ref, domid_t trans_domid, grant_ref_t trans_ref)
{
    v2[ref].transitive.trans_domid = trans_domid;
    v2[ref].transitive.gref = trans_ref;
    v2[ref].hdr.domid = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    v2[ref].hdr.flags = GTF_transitive;
}

/* Bytes from..to-1 of p all equal to v. */
static bool all_is(volatile const u8 *p, unsigned from, unsigned to, u8 v)
{
    for (unsigned i = from; i < to; i++)
        if (p[i] != v)
            return false;
    return true;
}

/* Version 1 state before the switch; the table frame is mapped. */
static void v1_queries(void)
{
    static u64 list[4];
    int16_t st;

    CHECK_EQ("starts_v1", get_version(), 1);
    CHECK_RC("status_frames_v1_none_rc", status_frames(DOMID_SELF, 0, list, &st), 0);
    CHECK_EQ("status_frames_v1_none", st, GNTST_okay);
    CHECK_RC("status_frames_v1_rc", status_frames(DOMID_SELF, 1, list, &st), 0);
    CHECK_EQ("status_frames_v1", st, GNTST_general_error);
}

static void switch_to_v2(u8 *page)
{
    volatile grant_entry_v1_t *v1 = (volatile grant_entry_v1_t *)XD_GT_VA;
    unsigned now;

    /* A reserved entry (as the toolstack's) and an ordinary one. */
    v1[V1_KEPT].domid = 0;
    v1[V1_KEPT].frame = (u32)va_to_mfn(page);
    v1[V1_KEPT].flags = GTF_permit_access | GTF_readonly;
    xd_grant(V1_DROPPED, 0, page, false);
    CHECK_RC("set_v3_rc", set_version(3, &now), -XEN_EINVAL);
    CHECK_EQ("set_v3_reports_v1", now, 1);
    CHECK_RC("set_v2_rc", set_version(2, &now), 0);
    CHECK_EQ("set_v2_reports_v2", now, 2);
    CHECK_EQ("get_version_2", get_version(), 2);
    CHECK_RC("set_v2_again_rc", set_version(2, &now), 0);
    CHECK_EQ("reserved_kept_flags", v2[V1_KEPT].hdr.flags, GTF_permit_access | GTF_readonly);
    CHECK_EQ("reserved_kept_domid", v2[V1_KEPT].hdr.domid, 0);
    CHECK_EQ("reserved_kept_frame", v2[V1_KEPT].full_page.frame, va_to_mfn(page));
    CHECK("others_cleared",
          all_is((volatile const u8 *)XD_GT_VA,
                 GNTTAB_NR_RESERVED_ENTRIES * sizeof(grant_entry_v2_t), PAGE_SIZE, 0));
}

static void status_frame_queries(u64 *list)
{
    unsigned nr = nr_frames(), nst = (nr * 256 + 2047) / 2048;
    int16_t st;

    CHECK_RC("status_frames_rc", status_frames(DOMID_SELF, nst, list, &st), 0);
    CHECK_EQ("status_frames", st, GNTST_okay);
    CHECK("status_frames_listed", list[0] != 0);
    CHECK_RC("status_frames_too_many_rc", status_frames(DOMID_SELF, nst + 1, list, &st), 0);
    CHECK_EQ("status_frames_too_many", st, GNTST_general_error);
    CHECK_RC("status_frames_no_domain_rc", status_frames(NOBODY, 1, list, &st), 0);
    CHECK_EQ("status_frames_no_domain", st, GNTST_bad_domain);
    CHECK_RC("status_frames_dom0_by_id_rc", status_frames(0, nst, list, &st), 0);
    CHECK_EQ("status_frames_dom0_by_id", st, GNTST_okay);
    CHECK_RC("status_frames_bad_list", status_frames(DOMID_SELF, 1, (u64 *)HV_ADDR_XEN, &st),
             -XEN_EFAULT);
    CHECK_RC("status_frames_count_2", hc_grant_table_op(GNTTABOP_get_status_frames, list, 2),
             -XEN_EINVAL);
    CHECK_RC("status_frames_arg_fault",
             hc_grant_table_op(GNTTABOP_get_status_frames, (void *)HV_ADDR_XEN, 1), -XEN_EFAULT);
    CHECK_RC("map_status_frame", map_frame(STATUS_VA, list[0], PTE_KERN_RW), 0);
    CHECK("status_all_idle", all_is((volatile const u8 *)STATUS_VA, 0, PAGE_SIZE, 0));
}

static void full_page_grants(u8 *page, u8 *ro_page)
{
    volatile u8 *m = (volatile u8 *)MAP_VA(0);
    grant_handle_t h;
    unsigned now;
    int16_t st;

    memset(page, 0x21, PAGE_SIZE);
    memset(ro_page, 0x22, PAGE_SIZE);
    grant_v2(V2_RW, page, GTF_permit_access);
    grant_v2(V2_RO, ro_page, GTF_permit_access | GTF_readonly);
    CHECK_RC("map_rw_rc", xd_map(0, V2_RW, MAP_VA(0), false, &st, &h), 0);
    CHECK_EQ("map_rw", st, GNTST_okay);
    CHECK("map_rw_data", st == GNTST_okay && all_is(m, 0, PAGE_SIZE, 0x21));
    /* The busy bits are in the status frame; the shared flags stay as
     * the granter wrote them. */
    CHECK_EQ("map_rw_status", status[V2_RW], BUSY);
    CHECK_EQ("map_rw_flags_untouched", v2[V2_RW].hdr.flags, GTF_permit_access);
    CHECK_RC("switch_while_mapped_rc", set_version(1, &now), -XEN_EBUSY);
    CHECK_EQ("switch_while_mapped_stays_v2", now, 2);
    CHECK_EQ("switch_while_mapped_entry_kept", v2[V2_RW].hdr.flags, GTF_permit_access);
    if (st == GNTST_okay) {
        CHECK_RC("unmap_rw_rc", xd_unmap(MAP_VA(0), h, &st), 0);
        CHECK_EQ("unmap_rw", st, GNTST_okay);
    }
    CHECK_EQ("unmap_rw_status_idle", status[V2_RW], 0);
    CHECK_RC("map_ro_grant_rw_rc", xd_map(0, V2_RO, MAP_VA(1), false, &st, NULL), 0);
    CHECK_EQ("map_ro_grant_rw", st, GNTST_general_error);
    CHECK_EQ("map_ro_grant_rw_status_idle", status[V2_RO], 0);
    CHECK_RC("map_ro_rc", xd_map(0, V2_RO, MAP_VA(1), true, &st, &h), 0);
    CHECK_EQ("map_ro", st, GNTST_okay);
    CHECK_EQ("map_ro_status", status[V2_RO], GTF_reading);
    if (st == GNTST_okay) {
        CHECK_RC("unmap_ro_rc", xd_unmap(MAP_VA(1), h, &st), 0);
        CHECK_EQ("unmap_ro", st, GNTST_okay);
    }
    CHECK_EQ("unmap_ro_status_idle", status[V2_RO], 0);
    CHECK_EQ("copy_from_full_page", xd_copy_one(false, 0, V2_RW, 100, ro_page, 0, 16), GNTST_okay);
    CHECK_EQ("copy_from_full_page_data", ro_page[0], 0x21);
    CHECK_EQ("copy_into_ro_grant", xd_copy_one(true, 0, V2_RO, 0, page, 0, 16),
             GNTST_general_error);
    CHECK_EQ("copy_left_status_idle", status[V2_RW] | status[V2_RO], 0);
    /* A granter's v2 revocation: clear the flags, then read the status. */
    v2[V2_RW].hdr.flags = 0;
    CHECK_RC("map_revoked_rc", xd_map(0, V2_RW, MAP_VA(0), false, &st, NULL), 0);
    CHECK_EQ("map_revoked", st, GNTST_general_error);
    CHECK_EQ("map_revoked_status_idle", status[V2_RW], 0);
}

static void sub_page_grants(u8 *page, u8 *buf)
{
    int16_t st;

    memset(page, 0x31, PAGE_SIZE);
    memset(buf, 0x32, PAGE_SIZE);
    grant_sub_page(V2_SUB, page, SUB_OFF, SUB_LEN);
    CHECK_RC("map_sub_page_rc", xd_map(0, V2_SUB, MAP_VA(2), true, &st, NULL), 0);
    CHECK_EQ("map_sub_page", st, GNTST_general_error);
    CHECK_EQ("map_sub_page_status_idle", status[V2_SUB], 0);
    CHECK_EQ("copy_to_sub_page", xd_copy_one(true, 0, V2_SUB, SUB_OFF, buf, 0, SUB_LEN),
             GNTST_okay);
    CHECK("copy_to_sub_page_data", all_is(page, SUB_OFF, SUB_OFF + SUB_LEN, 0x32) &&
                                       page[SUB_OFF - 1] == 0x31 &&
                                       page[SUB_OFF + SUB_LEN] == 0x31);
    CHECK_EQ("copy_from_sub_page", xd_copy_one(false, 0, V2_SUB, SUB_OFF + 8, buf, 0, 8),
             GNTST_okay);
    CHECK_EQ("copy_before_sub_page", xd_copy_one(true, 0, V2_SUB, SUB_OFF - 1, buf, 0, 8),
             GNTST_general_error);
    CHECK_EQ("copy_past_sub_page", xd_copy_one(true, 0, V2_SUB, SUB_OFF, buf, 0, SUB_LEN + 1),
             GNTST_general_error);
    CHECK_EQ("copy_across_page_first", xd_copy_one(true, 0, V2_SUB, PAGE_SIZE - 4, buf, 0, 8),
             GNTST_bad_copy_arg);
    CHECK("refused_copies_left_page", page[SUB_OFF - 1] == 0x31 && page[SUB_OFF + SUB_LEN] == 0x31);
    CHECK_EQ("copy_sub_page_status_idle", status[V2_SUB], 0);
    v2[V2_SUB].hdr.flags = 0;
}

static void transitive_grants(u8 *page, u8 *buf)
{
    int16_t st;

    /* A transitive grant naming its own granter is refused, as is one
     * naming a domain that does not exist; neither can be mapped. */
    grant_v2(V2_RW, page, GTF_permit_access);
    grant_transitive(V2_TRANS, 0, V2_RW);
    CHECK_EQ("copy_transitive_to_self", xd_copy_one(false, 0, V2_TRANS, 0, buf, 0, 8),
             GNTST_general_error);
    CHECK_EQ("copy_transitive_to_self_status_idle", status[V2_TRANS] | status[V2_RW], 0);
    grant_transitive(V2_TRANS, NOBODY, V2_RW);
    CHECK_EQ("copy_transitive_no_domain", xd_copy_one(true, 0, V2_TRANS, 0, buf, 0, 8),
             GNTST_general_error);
    CHECK_RC("map_transitive_rc", xd_map(0, V2_TRANS, MAP_VA(3), true, &st, NULL), 0);
    CHECK_EQ("map_transitive", st, GNTST_general_error);
    CHECK_EQ("transitive_status_idle", status[V2_TRANS], 0);
    v2[V2_TRANS].hdr.flags = 0;
    v2[V2_RW].hdr.flags = 0;
}

/* Back to v1: refused while a reserved entry does not fit or a status
 * frame is mapped; a reserved entry may stay mapped. */
static void switch_back(u8 *page, u64 status_mfn)
{
    volatile grant_entry_v1_t *v1 = (volatile grant_entry_v1_t *)XD_GT_VA;
    grant_handle_t h = 0;
    unsigned now;
    int16_t st;

    v2[6].full_page.frame = 1UL << 32;
    v2[6].hdr.domid = 0;
    v2[6].hdr.flags = GTF_permit_access;
    CHECK_RC("switch_frame_above_4g_rc", set_version(1, &now), -XEN_ERANGE);
    CHECK_EQ("switch_frame_above_4g_stays_v2", now, 2);
    v2[6].hdr.flags = GTF_transitive;
    CHECK_RC("switch_reserved_transitive_rc", set_version(1, &now), -XEN_ERANGE);
    v2[6].hdr.flags = 0;
    CHECK_RC("switch_status_mapped_rc", set_version(1, &now), -XEN_EBUSY);
    CHECK_EQ("switch_status_mapped_stays_v2", now, 2);
    CHECK_EQ("switch_status_mapped_get_version", get_version(), 2);
    CHECK_RC("unmap_status_frame", unmap_va(STATUS_VA), 0);

    CHECK_RC("map_reserved_rc", xd_map(0, V1_KEPT, MAP_VA(4), true, &st, &h), 0);
    CHECK_EQ("map_reserved", st, GNTST_okay);
    CHECK_RC("set_v1_rc", set_version(1, &now), 0);
    CHECK_EQ("set_v1_reports_v1", now, 1);
    CHECK_EQ("get_version_1", get_version(), 1);
    /* The reserved entry is back in v1 form, its busy bit in the flags. */
    CHECK_EQ("reserved_back_flags", v1[V1_KEPT].flags,
             GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ("reserved_back_frame", v1[V1_KEPT].frame, (u32)va_to_mfn(page));
    CHECK("v1_others_cleared",
          all_is((volatile const u8 *)XD_GT_VA,
                 GNTTAB_NR_RESERVED_ENTRIES * sizeof(grant_entry_v1_t), PAGE_SIZE, 0));
    if (st == GNTST_okay) {
        CHECK_RC("unmap_reserved_rc", xd_unmap(MAP_VA(4), h, &st), 0);
        CHECK_EQ("unmap_reserved", st, GNTST_okay);
    }
    CHECK_EQ("reserved_idle", v1[V1_KEPT].flags, GTF_permit_access | GTF_readonly);
    v1[V1_KEPT].flags = 0;
    CHECK_RC("status_frames_gone_rc", status_frames(DOMID_SELF, 1, &status_mfn, &st), 0);
    CHECK_EQ("status_frames_gone", st, GNTST_general_error);
    /* The old status frame went back to the hypervisor: no longer ours. */
    CHECK("old_status_frame_unmappable", map_frame(STATUS_VA, status_mfn, PTE_KERN_RW) != 0);
}

void t_gntv2(void)
{
    u8 *page = page_alloc(), *other = page_alloc(), *buf = page_alloc();
    static u64 list[8]; /* enough for 64 table frames */
    unsigned now;

    if (!(si->flags & SIF_INITDOMAIN)) {
        printk("note: gntv2: needs our domain id (dom0); skipped\n");
        return;
    }
    CHECK_RC("gt_setup", xd_gt_setup(), 0);
    v1_queries();
    switch_to_v2(page);
    if (get_version() != 2)
        return;
    status_frame_queries(list);
    full_page_grants(page, other);
    sub_page_grants(page, buf);
    transitive_grants(page, buf);
    switch_back(page, list[0]);
    if (get_version() != 1)
        set_version(1, &now); /* leave v1 to the groups after us */
    /* A round trip again: the status frames come and go each time. */
    CHECK_RC("again_v2", set_version(2, &now), 0);
    CHECK_RC("again_v1", set_version(1, &now), 0);
}
