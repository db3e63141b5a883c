// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grants and event channels between domains (pvx's boot-time domUs), checked
 * against the ABI as Xen implements it.  Three roles, chosen on the command
 * line (`xdom=a|b|c peer=N third=N`), so that no xenstore is needed:
 *   a  the granter: grants pages to b (a mailbox at XD_MBOX_REF written
 *      last, a read-only page, a writable page, a page to copy through, one
 *      to revoke) and one to c; offers b an unbound event port; answers b's
 *      pings; checks the busy bits it sees and that revoking a busy entry
 *      fails
 *   b  the mapper: maps, writes, reads, copies (also between a's and c's
 *      grants), pings, and tries every hostile case against a (and c's
 *      page after c died)
 *   c  (`peer=` b, `third=` a) switches to grant table v2, grants b a page,
 *      waits until b has it mapped, passes a's page on to b (and to a) in
 *      transitive grants (t_xtrans.c), then crashes; dom0 (`reap=N
 *      destroy=3`) then destroys it with domctl, and b goes on using the
 *      page: the frame must outlive its owner until unmapped
 * a and b step through the test together with counters in the mailbox page.
 * Only pvx runs this: Xen cannot boot several domUs from the boot loader
 * (the `xgrant` and `gntv2` groups check the single-domain cases on both).
 * Also `reap=N` (dom0: wait for N domain shutdowns, VIRQ_DOM_EXC, then power
 * off) and `benchpeer` (the other end of bench.c's cross-domain rows).
 */
#include "guest.h"
#include "evtchn_ops.h"
#include "test.h"
#include "traps.h"
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/sysctl.h>

#define XD_MAGIC     0x7864306du /* "xd0m" */
#define XD_RO_REF    11
#define XD_RW_REF    12
#define XD_STALE_REF 14
#define XD_FREE_REF  20 /* never granted */
#define XD_PINGS     100

struct xd_mbox {
    u32 magic;
    u32 port;       /* a's port, unbound for b */
    u32 other_port; /* a's port, unbound for the third domain */
    u32 xen_port;   /* a's console port (bound to the hypervisor) */
    volatile u32 a_step, b_step;
    volatile u32 trans_a_step, trans_b_step; /* t_xtrans.c */
    /* benchpeer */
    volatile u32 mode; /* XB_* */
    volatile u64 spins;
};

enum { XB_ECHO, XB_SPIN };

static void fill(volatile u8 *p, size_t n, u8 seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (u8)(seed ^ (i * 7) ^ (i >> 8));
}

static bool same(const volatile u8 *p, size_t n, u8 seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (u8)(seed ^ (i * 7) ^ (i >> 8)))
            return false;
    return true;
}

static long status_of(domid_t dom, unsigned port, struct evtchn_status *s)
{
    memset(s, 0, sizeof(*s));
    s->dom = dom;
    s->port = port;
    return hc_event_channel_op(EVTCHNOP_status, s);
}

static u16 flags_of(grant_ref_t ref)
{
    return xd_gte(ref)->flags;
}

/* ---- a: the granter ---- */

static void role_a(domid_t b, domid_t third)
{
    struct xd_mbox *mb = page_alloc();
    u8 *ro = page_alloc(), *rw = page_alloc(), *other = page_alloc(), *stale = page_alloc();
    u8 *copy = page_alloc();
    struct evtchn_status s;
    unsigned port = 0, other_port = 0, seen;
    unsigned pongs = 0;
    u16 old;

    CHECK_RC("a.gt_setup", xd_gt_setup(), 0);
    CHECK_RC("a.alloc_unbound_for_peer", ev_alloc_unbound(b, &port), 0);
    CHECK_RC("a.alloc_unbound_for_third", ev_alloc_unbound(third, &other_port), 0);
    evtchn_unmask_port(port);
    fill(ro, PAGE_SIZE, 0x51);
    fill(copy + 2048, 2048, 0xa5);
    mb->port = port;
    mb->other_port = other_port;
    mb->xen_port = si->console.domU.evtchn;
    mb->magic = XD_MAGIC;
    xd_grant(XD_RO_REF, b, ro, true);
    xd_grant(XD_RW_REF, b, rw, false);
    xt_a_grant(third, other);
    xd_grant(XD_STALE_REF, b, stale, false);
    xd_grant(XD_COPY_REF, b, copy, false);
    xd_grant(XD_MBOX_REF, b, mb, false); /* last: b's first map means "ready" */
    xt_a(third, other, &mb->trans_a_step, &mb->trans_b_step);

    if (!XD_WAIT_FOR(mb->b_step >= 1, XD_WAIT_MS)) {
        test_fail("a.peer_step1", "b never mapped the mailbox and its pages");
        return;
    }
    CHECK_EQ("a.mailbox_busy_rw", flags_of(XD_MBOX_REF),
             GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ("a.ro_map_sets_reading", flags_of(XD_RO_REF),
             GTF_permit_access | GTF_readonly | GTF_reading);
    CHECK_EQ("a.rw_map_sets_reading_writing", flags_of(XD_RW_REF),
             GTF_permit_access | GTF_reading | GTF_writing);
    /* Revoke as a granter that ignores the busy bits would: the cmpxchg
     * must see them and fail, and the entry stays as it was. */
    old = xd_cmpxchg_flags(XD_RW_REF, GTF_permit_access, 0);
    CHECK_EQ("a.revoke_busy_cmpxchg_fails", old, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK("a.revoke_busy_end_access_fails", !xd_end_access(XD_RW_REF));
    CHECK_EQ("a.busy_entry_stays_busy", flags_of(XD_RW_REF),
             GTF_permit_access | GTF_reading | GTF_writing);
    CHECK("a.sees_peer_writes", same(rw, 2048, 0xb0));
    fill(rw + 2048, 2048, 0xc0); /* b reads this through its mapping */
    CHECK_RC("a.status_port_bound", status_of(DOMID_SELF, port, &s), 0);
    CHECK("a.port_interdomain_to_peer",
          s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == b);
    mb->a_step = 1;

    if (!XD_WAIT_FOR(mb->b_step >= 2, XD_WAIT_MS)) {
        test_fail("a.peer_step2", "b did not finish its maps");
        return;
    }
    CHECK_EQ("a.ro_unmap_clears_busy", flags_of(XD_RO_REF), GTF_permit_access | GTF_readonly);
    CHECK_EQ("a.rw_unmap_clears_busy", flags_of(XD_RW_REF), GTF_permit_access);
    CHECK("a.revoke_after_unmap", xd_end_access(XD_RW_REF) && flags_of(XD_RW_REF) == 0);
    CHECK_EQ("a.stale_map_unmap_clears_busy", flags_of(XD_STALE_REF), GTF_permit_access);
    CHECK("a.revoke_for_stale_test", xd_end_access(XD_STALE_REF));
    /* b's refused attempts left the third domain's entry alone. */
    CHECK_EQ("a.third_entry_untouched", flags_of(XD_THIRD_REF), GTF_permit_access);
    CHECK_EQ("a.third_entry_domid", xd_gte(XD_THIRD_REF)->domid, third);
    mb->a_step = 2;

    if (!XD_WAIT_FOR(mb->b_step >= 3, XD_WAIT_MS)) {
        test_fail("a.peer_step3", "b did not finish its copies");
        return;
    }
    CHECK("a.copy_in_by_gref_arrived", same(copy, 2048, 0xd0));
    CHECK("a.copy_out_left_source", same(copy + 2048, 2048, 0xa5));
    CHECK_EQ("a.copy_leaves_entry_idle", flags_of(XD_COPY_REF), GTF_permit_access);
    seen = evt_count[port];
    mb->a_step = 3;

    /* b pings, we answer each one. */
    for (pongs = 0; pongs < XD_PINGS; pongs++) {
        if (!xd_wait_event(port, seen, XD_WAIT_MS))
            break;
        seen = evt_count[port];
        xd_send(port);
    }
    CHECK_EQ("a.pings_answered", pongs, XD_PINGS);

    if (!XD_WAIT_FOR(mb->b_step >= 4, XD_WAIT_MS)) {
        test_fail("a.peer_step4", "b did not finish the ping-pong");
        return;
    }
    CHECK_RC("a.close_bound_port", ev_close(port), 0);
    mb->a_step = 4;

    if (!XD_WAIT_FOR(mb->b_step >= 5, XD_WAIT_MS)) {
        test_fail("a.peer_step5", "b did not finish");
        return;
    }
    CHECK_RC("a.other_port_status", status_of(DOMID_SELF, other_port, &s), 0);
    CHECK("a.other_port_still_unbound_for_third",
          s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == third);
    /* b unmaps the mailbox last; then its busy bits go. */
    xt_a_after_c_destroyed(third);
    CHECK("a.mailbox_unmapped_idle",
          XD_WAIT_FOR(flags_of(XD_MBOX_REF) == GTF_permit_access, XD_WAIT_MS));
}

/* ---- b: the mapper ---- */

static void b_hostile_maps(domid_t a)
{
    int16_t st;

    CHECK_RC("b.map_not_granted_to_us_rc", xd_map(a, XD_THIRD_REF, XD_VA(8), false, &st, NULL), 0);
    CHECK_EQ("b.map_not_granted_to_us", st, GNTST_general_error);
    CHECK_RC("b.map_never_granted_rc", xd_map(a, XD_FREE_REF, XD_VA(8), false, &st, NULL), 0);
    CHECK_EQ("b.map_never_granted", st, GNTST_general_error);
    CHECK_RC("b.map_ref_beyond_table_rc", xd_map(a, 0xfffff, XD_VA(8), false, &st, NULL), 0);
    CHECK_EQ("b.map_ref_beyond_table", st, GNTST_bad_gntref);
    CHECK_RC("b.map_ro_grant_writable_rc", xd_map(a, XD_RO_REF, XD_VA(8), false, &st, NULL), 0);
    CHECK_EQ("b.map_ro_grant_writable", st, GNTST_general_error);
    CHECK_RC("b.map_no_such_domain_rc", xd_map(0x1234, 1, XD_VA(8), false, &st, NULL), 0);
    CHECK_EQ("b.map_no_such_domain", st, GNTST_bad_domain);
    CHECK("b.refused_maps_left_no_mapping", !(*pte_of(XD_VA(8), 1) & _PAGE_PRESENT));
}

/* a's frames are a's: without the grant, not even a read-only PTE. */
static void b_hostile_frame_maps(domid_t a)
{
    /* The mailbox's frame number, from our grant mapping of it. */
    unsigned long frame = (*pte_of(XD_VA(0), 1) & PTE_ADDR_MASK) >> PAGE_SHIFT;
    mmu_update_t req;

    /* Xen: get_page_from_l1e() finds another owner -> -EBUSY (as for the M2P). */
    CHECK_RC("b.map_peer_frame_directly", map_frame(XD_VA(9), frame, PTE_KERN_RO), -XEN_EBUSY);
    /* Naming a as the pages' owner needs privilege over a (xsm_mmu_update). */
    req.ptr = pte_ma(XD_VA(9)) | MMU_NORMAL_PT_UPDATE;
    req.val = ((u64)frame << PAGE_SHIFT) | PTE_KERN_RO;
    CHECK_RC("b.mmu_update_foreign_owner", hc_mmu_update(&req, 1, NULL, a), -XEN_EPERM);
    CHECK("b.refused_frame_maps_left_no_mapping", !(*pte_of(XD_VA(9), 1) & _PAGE_PRESENT));
}

static void b_copies(domid_t a)
{
    u8 *mine = page_alloc(), *back = page_alloc();
    struct gnttab_copy c[2];

    fill(mine, 2048, 0xd0);
    /* In: own frame -> a's page by gref; out: a's page by gref -> own frame. */
    xd_copy_ptr(&c[0].source, false, DOMID_SELF, va_to_mfn(mine), 0);
    xd_copy_ptr(&c[0].dest, true, a, XD_COPY_REF, 0);
    c[0].len = 2048;
    c[0].flags = GNTCOPY_dest_gref;
    xd_copy_ptr(&c[1].source, true, a, XD_COPY_REF, 2048);
    xd_copy_ptr(&c[1].dest, false, DOMID_SELF, va_to_mfn(back), 0);
    c[1].len = 2048;
    c[1].flags = GNTCOPY_source_gref;
    c[0].status = c[1].status = 99;
    CHECK_RC("b.copy_batch_rc", hc_grant_table_op(GNTTABOP_copy, c, 2), 0);
    CHECK_EQ("b.copy_to_gref", c[0].status, GNTST_okay);
    CHECK_EQ("b.copy_from_gref", c[1].status, GNTST_okay);
    CHECK("b.copy_from_gref_data", same(back, 2048, 0xa5));

    /* Hostile copies. */
    xd_copy_ptr(&c[0].source, false, a, va_to_mfn(mine), 0); /* a's frame number, by frame */
    xd_copy_ptr(&c[0].dest, false, DOMID_SELF, va_to_mfn(back), 0);
    c[0].flags = 0;
    c[0].len = 16;
    CHECK_RC("b.copy_foreign_frame_rc", hc_grant_table_op(GNTTABOP_copy, c, 1), 0);
    CHECK_EQ("b.copy_foreign_frame", c[0].status, GNTST_permission_denied);
    xd_copy_ptr(&c[0].source, false, DOMID_SELF, va_to_mfn(mine), 0);
    xd_copy_ptr(&c[0].dest, true, a, XD_RO_REF, 0);
    c[0].flags = GNTCOPY_dest_gref;
    CHECK_RC("b.copy_into_ro_grant_rc", hc_grant_table_op(GNTTABOP_copy, c, 1), 0);
    CHECK_EQ("b.copy_into_ro_grant", c[0].status, GNTST_general_error);
    xd_copy_ptr(&c[0].dest, true, a, XD_COPY_REF, 4000);
    c[0].len = 200;
    CHECK_RC("b.copy_across_page_rc", hc_grant_table_op(GNTTABOP_copy, c, 1), 0);
    CHECK_EQ("b.copy_across_page", c[0].status, GNTST_bad_copy_arg);
    xd_copy_ptr(&c[0].dest, true, a, XD_STALE_REF, 0);
    c[0].len = 16;
    CHECK_RC("b.copy_stale_ref_rc", hc_grant_table_op(GNTTABOP_copy, c, 1), 0);
    CHECK_EQ("b.copy_stale_ref", c[0].status, GNTST_general_error);
}

/*
 * Copies whose both sides are grants of two other domains: c's info page
 * (read-only grant) into the unused half of a's mailbox, and a's read-only
 * page into c's page (whose bytes are put back after: b checks them later).
 * Both land where b has the page mapped, so b sees them arrive.
 */
static void b_copies_between_others(domid_t a, domid_t c, const volatile u8 *mbox,
                                    volatile u8 *cpage)
{
    struct gnttab_copy cp[2];
    bool landed = true;

    memset(cp, 0, sizeof(cp));
    xd_copy_ptr(&cp[0].source, true, c, XD_INFO_REF, 0);
    xd_copy_ptr(&cp[0].dest, true, a, XD_MBOX_REF, 2048);
    cp[0].len = 8;
    cp[0].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    xd_copy_ptr(&cp[1].source, true, a, XD_RO_REF, 1024);
    xd_copy_ptr(&cp[1].dest, true, c, XD_MBOX_REF, 1024);
    cp[1].len = 64;
    cp[1].flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    cp[0].status = cp[1].status = 99;
    CHECK_RC("b.copy_between_two_others_rc", hc_grant_table_op(GNTTABOP_copy, cp, 2), 0);
    CHECK_EQ("b.copy_c_gref_to_a_gref", cp[0].status, GNTST_okay);
    CHECK_EQ("b.copy_a_gref_to_c_gref", cp[1].status, GNTST_okay);
    CHECK_EQ("b.copy_c_to_a_data", *(const volatile u32 *)(mbox + 2048), XD_MAGIC);
    for (size_t i = 1024; i < 1024 + 64; i++) {
        if (cpage[i] != (u8)(0x51 ^ (i * 7) ^ (i >> 8)))
            landed = false;
        cpage[i] = (u8)(0x3c ^ (i * 7) ^ (i >> 8)); /* c's own bytes again */
    }
    CHECK("b.copy_a_to_c_data", landed);
}

static void b_hostile_events(domid_t a, const struct xd_mbox *mb, domid_t third)
{
    struct evtchn_alloc_unbound au = {.dom = a, .remote_dom = DOMID_SELF};
    struct evtchn_status s;
    static u8 ctl[512];
    unsigned lport;

    CHECK_RC("b.bind_port_offered_to_third", ev_bind(a, mb->other_port, &lport), -XEN_EINVAL);
    CHECK_RC("b.bind_port_bound_to_hypervisor", ev_bind(a, mb->xen_port, &lport), -XEN_EINVAL);
    CHECK_RC("b.bind_unallocated_port", ev_bind(a, 1000, &lport), -XEN_EINVAL);
    CHECK_RC("b.alloc_unbound_in_other_domain", hc_event_channel_op(EVTCHNOP_alloc_unbound, &au),
             -XEN_EPERM);
    CHECK_RC("b.status_of_other_domain", status_of(a, mb->other_port, &s), -XEN_EPERM);
    CHECK_RC("b.send_unallocated_port", xd_send(1000), -XEN_EINVAL);

    /* The control interface is the control domain's alone. */
    memset(ctl, 0, sizeof(ctl));
    ((struct pvx_domctl *)ctl)->cmd = PVX_DOMCTL_getdomaininfo;
    ((struct pvx_domctl *)ctl)->interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    ((struct pvx_domctl *)ctl)->domain = third;
    CHECK_RC("b.domctl_unprivileged", HC1(__HYPERVISOR_domctl, ctl), -XEN_EPERM);
    memset(ctl, 0, sizeof(ctl));
    ((struct pvx_sysctl *)ctl)->cmd = PVX_SYSCTL_physinfo;
    ((struct pvx_sysctl *)ctl)->interface_version = PVX_SYSCTL_INTERFACE_VERSION;
    CHECK_RC("b.sysctl_unprivileged", HC1(__HYPERVISOR_sysctl, ctl), -XEN_EPERM);

    /* Another domain's memory: an existing one is not ours (-EPERM, Xen's
     * XSM_TARGET answer), a missing one does not exist (-ESRCH). */
    {
        static xen_pfn_t frame;
        static struct xen_memory_reservation r;
        domid_t other = a;

        CHECK_RC("b.current_reservation_of_other", hc_memory_op(XENMEM_current_reservation, &other),
                 -XEN_EPERM);
        other = 999;
        CHECK_RC("b.current_reservation_of_missing",
                 hc_memory_op(XENMEM_current_reservation, &other), -XEN_ESRCH);
        memset(&r, 0, sizeof(r));
        set_xen_guest_handle(r.extent_start, &frame);
        r.nr_extents = 1;
        r.domid = a;
        CHECK_RC("b.populate_other_domain", hc_memory_op(XENMEM_populate_physmap, &r), -XEN_EPERM);
    }
}

static void role_b(domid_t a, domid_t c)
{
    struct xd_mbox *mb = (struct xd_mbox *)XD_VA(0);
    volatile u8 *ro = (volatile u8 *)XD_VA(1), *rw = (volatile u8 *)XD_VA(2);
    volatile u8 *cpage = (volatile u8 *)XD_VA(3);
    grant_handle_t hmb, hro, hrw, hst, hc;
    struct evtchn_status s;
    struct gnttab_copy cp;
    u32 *cinfo = page_alloc();
    unsigned lport = 0, cport = 0, seen, rtt;
    bool c_mapped;
    int16_t st;
    long rc;
    u64 t;

    /* c's page first: c crashes as soon as it sees our mapping. */
    c_mapped = xd_attach(c, XD_MBOX_REF, XD_VA(3), XD_WAIT_MS, &hc) == 0;
    CHECK("b.map_page_of_c", c_mapped);
    CHECK("b.page_of_c_contents", c_mapped && same(cpage, PAGE_SIZE, 0x3c));
    /* c's port for us comes by copy; binding it lets us see c destroyed
     * (its end closes, ours goes back to unbound). */
    xd_copy_ptr(&cp.source, true, c, XD_INFO_REF, 0);
    xd_copy_ptr(&cp.dest, false, DOMID_SELF, va_to_mfn(cinfo), 0);
    cp.len = 8;
    cp.flags = GNTCOPY_source_gref;
    CHECK_RC("b.copy_info_of_c_rc", hc_grant_table_op(GNTTABOP_copy, &cp, 1), 0);
    CHECK("b.copy_info_of_c", cp.status == GNTST_okay && cinfo[0] == XD_MAGIC);

    rc = xd_attach(a, XD_MBOX_REF, XD_VA(0), XD_WAIT_MS, &hmb);
    if (rc) {
        /* rc: a negative errno, or a GNTST_* status of the last try */
        test_fail("b.attach_mailbox", "a never granted its mailbox (%ld)", rc);
        return;
    }
    if (mb->magic != XD_MAGIC) {
        test_fail("b.mailbox_magic", "0x%x", mb->magic);
        return;
    }
    /* c waits for our binding before it crashes: copy between a's and c's
     * grants while both are alive. */
    if (c_mapped) {
        b_copies_between_others(a, c, (const volatile u8 *)mb, cpage);
        xt_b(a, c, &mb->trans_a_step, &mb->trans_b_step);
    }
    CHECK_RC("b.bind_to_c", ev_bind(c, cinfo[1], &cport), 0);
    CHECK_RC("b.bind_interdomain", ev_bind(a, mb->port, &lport), 0);
    evtchn_unmask_port(lport);
    CHECK_RC("b.status_bound", status_of(DOMID_SELF, lport, &s), 0);
    CHECK("b.status_interdomain", s.status == EVTCHNSTAT_interdomain && s.u.interdomain.dom == a &&
                                      s.u.interdomain.port == mb->port);
    CHECK_RC("b.bind_same_port_again", ev_bind(a, mb->port, &seen), -XEN_EINVAL);

    CHECK_RC("b.map_ro_rc", xd_map(a, XD_RO_REF, XD_VA(1), true, &st, &hro), 0);
    CHECK_EQ("b.map_ro", st, GNTST_okay);
    CHECK("b.map_ro_reads_granter_data", st == GNTST_okay && same(ro, PAGE_SIZE, 0x51));
    CHECK("b.map_ro_not_writable", st == GNTST_okay && byte_store_faults(ro));
    CHECK_RC("b.map_rw_rc", xd_map(a, XD_RW_REF, XD_VA(2), false, &st, &hrw), 0);
    CHECK_EQ("b.map_rw", st, GNTST_okay);
    if (st == GNTST_okay)
        fill(rw, 2048, 0xb0);
    mb->b_step = 1;

    if (!XD_WAIT_FOR(mb->a_step >= 1, XD_WAIT_MS)) {
        test_fail("b.peer_step1", "a did not check the busy bits");
        return;
    }
    CHECK("b.rw_reads_granter_writes", same(rw + 2048, 2048, 0xc0));
    CHECK("b.rw_mapping_survives_revoke_attempt", same(rw, 2048, 0xb0));
    CHECK_RC("b.unmap_ro_rc", xd_unmap(XD_VA(1), hro, &st), 0);
    CHECK_EQ("b.unmap_ro", st, GNTST_okay);
    CHECK_RC("b.unmap_rw_rc", xd_unmap(XD_VA(2), hrw, &st), 0);
    CHECK_EQ("b.unmap_rw", st, GNTST_okay);
    CHECK("b.unmap_removes_pte", !(*pte_of(XD_VA(2), 1) & _PAGE_PRESENT));
    CHECK_RC("b.unmap_twice_rc", xd_unmap(XD_VA(2), hrw, &st), 0);
    CHECK_EQ("b.unmap_twice", st, GNTST_bad_handle);
    CHECK_RC("b.map_stale_candidate_rc", xd_map(a, XD_STALE_REF, XD_VA(4), false, &st, &hst), 0);
    CHECK_EQ("b.map_stale_candidate", st, GNTST_okay);
    if (st == GNTST_okay) {
        xd_unmap(XD_VA(4), hst, &st);
        CHECK_EQ("b.unmap_stale_candidate", st, GNTST_okay);
    }
    b_hostile_maps(a);
    b_hostile_frame_maps(a);
    mb->b_step = 2;

    if (!XD_WAIT_FOR(mb->a_step >= 2, XD_WAIT_MS)) {
        test_fail("b.peer_step2", "a did not revoke");
        return;
    }
    CHECK_RC("b.map_revoked_ref_rc", xd_map(a, XD_STALE_REF, XD_VA(4), false, &st, NULL), 0);
    CHECK_EQ("b.map_revoked_ref", st, GNTST_general_error);
    CHECK_RC("b.map_revoked_rw_ref_rc", xd_map(a, XD_RW_REF, XD_VA(4), false, &st, NULL), 0);
    CHECK_EQ("b.map_revoked_rw_ref", st, GNTST_general_error);
    b_copies(a);
    mb->b_step = 3;

    if (!XD_WAIT_FOR(mb->a_step >= 3, XD_WAIT_MS)) {
        test_fail("b.peer_step3", "a did not check the copies");
        return;
    }
    t = rdtsc();
    for (rtt = 0; rtt < XD_PINGS; rtt++) {
        seen = evt_count[lport];
        if (xd_send(lport) || !xd_wait_event(lport, seen, XD_WAIT_MS))
            break;
    }
    CHECK_EQ("b.ping_pong_round_trips", rtt, XD_PINGS);
    if (rtt)
        printk("note: %u round trips, %lu cycles each\n", rtt, (rdtsc() - t) / rtt);
    mb->b_step = 4;

    /* a closes its end: ours goes back to unbound, waiting for a again. */
    CHECK("b.peer_close_seen",
          XD_WAIT_FOR(status_of(DOMID_SELF, lport, &s) == 0 && s.status == EVTCHNSTAT_unbound &&
                          s.u.unbound.dom == a,
                      XD_WAIT_MS));
    CHECK_RC("b.send_after_peer_closed", xd_send(lport), 0);
    CHECK_RC("b.close_own_end", ev_close(lport), 0);
    b_hostile_events(a, mb, c);

    /* c crashed while we held its page: the frame is still its page. */
    if (c_mapped) {
        CHECK("b.c_marked_dying", XD_WAIT_FOR(cpage[1] == 0xde, XD_WAIT_MS));
        t = system_time_ns() + 300000000ULL; /* c's next step is its shutdown */
        XD_WAIT_FOR(system_time_ns() >= t, 1000);
        cpage[0] = 0x3c; /* restore the byte c overwrote */
        cpage[1] = (u8)(0x3c ^ 7);
        CHECK("b.dead_peer_page_intact", same(cpage, PAGE_SIZE, 0x3c));
        fill(cpage, PAGE_SIZE, 0x77);
        CHECK("b.dead_peer_page_writable", same(cpage, PAGE_SIZE, 0x77));
        /* dom0 destroys c: its ports close, the frame must stay ours. */
        CHECK("b.c_destroyed_port_unbound",
              XD_WAIT_FOR(status_of(DOMID_SELF, cport, &s) == 0 && s.status == EVTCHNSTAT_unbound,
                          XD_WAIT_MS));
        CHECK("b.destroyed_peer_page_intact", same(cpage, PAGE_SIZE, 0x77));
        xt_b_after_c_destroyed(c);
        fill(cpage, PAGE_SIZE, 0x78);
        CHECK("b.destroyed_peer_page_writable", same(cpage, PAGE_SIZE, 0x78));
        CHECK_RC("b.unmap_dead_peer_page_rc", xd_unmap(XD_VA(3), hc, &st), 0);
        CHECK_EQ("b.unmap_dead_peer_page", st, GNTST_okay);
    }
    mb->b_step = 5;
    CHECK_RC("b.unmap_mailbox_rc", xd_unmap(XD_VA(0), hmb, &st), 0);
    CHECK_EQ("b.unmap_mailbox", st, GNTST_okay);
}

/* ---- c: dies with its page mapped by b ---- */

static void role_c(domid_t b, domid_t a)
{
    u8 *page = page_alloc();
    u32 *info = page_alloc();
    struct sched_shutdown sd = {.reason = SHUTDOWN_crash};
    struct evtchn_status s;
    unsigned port = 0;

    fill(page, PAGE_SIZE, 0x3c);
    /* Version 2 before any grant: a switch clears the entries. */
    CHECK_RC("c.gt_setup_v2", xt_v2_setup(), 0);
    CHECK_RC("c.alloc_unbound", ev_alloc_unbound(b, &port), 0);
    info[0] = XD_MAGIC;
    info[1] = port;
    xt_grant(XD_INFO_REF, b, info, GTF_readonly);
    xt_grant(XD_MBOX_REF, b, page, 0);
    xt_c_grant(a, b);
    /* In v2 the busy bits are in the status, the flags stay as written. */
    CHECK("c.peer_mapped_rw",
          XD_WAIT_FOR(xt_status(XD_MBOX_REF) == (GTF_reading | GTF_writing), XD_WAIT_MS));
    CHECK_EQ("c.peer_mapped_flags_untouched", xt_flags(XD_MBOX_REF), GTF_permit_access);
    xt_c_steps();
    CHECK("c.peer_bound",
          XD_WAIT_FOR(status_of(DOMID_SELF, port, &s) == 0 && s.status == EVTCHNSTAT_interdomain,
                      XD_WAIT_MS));
    printk("%u passed, %u failed\n", tests_passed, tests_failed);
    printk("note: crashing on purpose with the page mapped by d%u\n", b);
    page[0] = 0;
    page[1] = 0xde; /* b sees this, then c shuts down */
    for (;;)
        hc_sched_op(SCHEDOP_shutdown, &sd);
}

/*
 * The suite's `xgrant` group: the same contract with ourselves as the other
 * domain (a dom0 may grant to itself and bind interdomain to itself), so
 * that every status the cross-domain run expects is also asserted on Xen.
 */
#define XG_RW     40
#define XG_RO     41
#define XG_OTHER  42 /* granted to a domain that is not us */
#define XG_STALE  43
#define XG_FREE   44
#define XG_NOBODY 0x1234 /* a domain id nobody has (below DOMID_FIRST_RESERVED) */

void t_xgrant(void)
{
    u8 *rw = page_alloc(), *ro = page_alloc(), *buf = page_alloc();
    volatile u8 *mrw = (volatile u8 *)XD_VA(24), *mro = (volatile u8 *)XD_VA(25);
    grant_handle_t hrw, hro;
    struct gnttab_copy c;
    struct evtchn_status s;
    unsigned p1, p2, p3;
    int16_t st;
    u16 old;

    if (!(si->flags & SIF_INITDOMAIN)) {
        printk("note: xgrant: needs our domain id (dom0); skipped\n");
        return;
    }
    CHECK_RC("gt_setup", xd_gt_setup(), 0);
    fill(rw, PAGE_SIZE, 0x12);
    fill(ro, PAGE_SIZE, 0x34);
    xd_grant(XG_RW, 0, rw, false);
    xd_grant(XG_RO, 0, ro, true);
    xd_grant(XG_OTHER, XG_NOBODY, buf, false);
    xd_grant(XG_STALE, 0, buf, false);

    CHECK_RC("map_rw_rc", xd_map(0, XG_RW, XD_VA(24), false, &st, &hrw), 0);
    CHECK_EQ("map_rw", st, GNTST_okay);
    CHECK("map_rw_data", st == GNTST_okay && same(mrw, PAGE_SIZE, 0x12));
    CHECK_EQ("map_rw_busy", xd_gte(XG_RW)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_RC("map_ro_rc", xd_map(0, XG_RO, XD_VA(25), true, &st, &hro), 0);
    CHECK_EQ("map_ro", st, GNTST_okay);
    CHECK("map_ro_data", st == GNTST_okay && same(mro, PAGE_SIZE, 0x34));
    CHECK("map_ro_not_writable", st == GNTST_okay && byte_store_faults(mro));
    CHECK_EQ("map_ro_busy", xd_gte(XG_RO)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
    old = xd_cmpxchg_flags(XG_RW, GTF_permit_access, 0);
    CHECK_EQ("revoke_busy_fails", old, GTF_permit_access | GTF_reading | GTF_writing);
    CHECK_EQ("revoke_busy_stays_busy", xd_gte(XG_RW)->flags,
             GTF_permit_access | GTF_reading | GTF_writing);
    mrw[0] = 0x99;
    CHECK_EQ("write_through_mapping", rw[0], 0x99);
    CHECK_RC("unmap_rw_rc", xd_unmap(XD_VA(24), hrw, &st), 0);
    CHECK_EQ("unmap_rw", st, GNTST_okay);
    CHECK_RC("unmap_ro_rc", xd_unmap(XD_VA(25), hro, &st), 0);
    CHECK_EQ("unmap_ro", st, GNTST_okay);
    CHECK_EQ("unmap_rw_idle", xd_gte(XG_RW)->flags, GTF_permit_access);
    CHECK_EQ("unmap_ro_idle", xd_gte(XG_RO)->flags, GTF_permit_access | GTF_readonly);
    CHECK_RC("unmap_twice_rc", xd_unmap(XD_VA(24), hrw, &st), 0);
    CHECK_EQ("unmap_twice", st, GNTST_bad_handle);

    CHECK_RC("map_granted_to_other_rc", xd_map(0, XG_OTHER, XD_VA(26), false, &st, NULL), 0);
    CHECK_EQ("map_granted_to_other", st, GNTST_general_error);
    CHECK_RC("map_never_granted_rc", xd_map(0, XG_FREE, XD_VA(26), false, &st, NULL), 0);
    CHECK_EQ("map_never_granted", st, GNTST_general_error);
    CHECK_RC("map_beyond_table_rc", xd_map(0, 0xfffff, XD_VA(26), false, &st, NULL), 0);
    CHECK_EQ("map_beyond_table", st, GNTST_bad_gntref);
    CHECK_RC("map_ro_grant_writable_rc", xd_map(0, XG_RO, XD_VA(26), false, &st, NULL), 0);
    CHECK_EQ("map_ro_grant_writable", st, GNTST_general_error);
    CHECK_RC("map_no_such_domain_rc", xd_map(XG_NOBODY, 1, XD_VA(26), false, &st, NULL), 0);
    CHECK_EQ("map_no_such_domain", st, GNTST_bad_domain);
    CHECK("revoke_idle", xd_end_access(XG_STALE));
    CHECK_RC("map_revoked_rc", xd_map(0, XG_STALE, XD_VA(26), false, &st, NULL), 0);
    CHECK_EQ("map_revoked", st, GNTST_general_error);
    CHECK_EQ("refused_left_entries_alone", xd_gte(XG_OTHER)->flags, GTF_permit_access);

    memset(&c, 0, sizeof(c));
    fill(buf, PAGE_SIZE, 0x56);
    xd_copy_ptr(&c.source, false, DOMID_SELF, va_to_mfn(buf), 0);
    xd_copy_ptr(&c.dest, true, 0, XG_RW, 0);
    c.len = 1024;
    c.flags = GNTCOPY_dest_gref;
    CHECK_RC("copy_to_gref_rc", hc_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    CHECK_EQ("copy_to_gref", c.status, GNTST_okay);
    CHECK("copy_to_gref_data", same(rw, 1024, 0x56));
    CHECK_EQ("copy_leaves_idle", xd_gte(XG_RW)->flags, GTF_permit_access);
    xd_copy_ptr(&c.source, true, 0, XG_RO, 0);
    xd_copy_ptr(&c.dest, false, DOMID_SELF, va_to_mfn(buf), 0);
    c.flags = GNTCOPY_source_gref;
    CHECK_RC("copy_from_ro_gref_rc", hc_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    CHECK_EQ("copy_from_ro_gref", c.status, GNTST_okay);
    CHECK("copy_from_ro_gref_data", same(buf, 1024, 0x34));
    xd_copy_ptr(&c.source, false, 0, va_to_mfn(buf), 0); /* a domain id, by frame */
    c.flags = 0;
    CHECK_RC("copy_frame_of_named_domain_rc", hc_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    CHECK_EQ("copy_frame_of_named_domain", c.status, GNTST_permission_denied);
    xd_copy_ptr(&c.source, false, DOMID_SELF, va_to_mfn(buf), 0);
    xd_copy_ptr(&c.dest, true, 0, XG_RO, 0);
    c.flags = GNTCOPY_dest_gref;
    CHECK_RC("copy_into_ro_gref_rc", hc_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    CHECK_EQ("copy_into_ro_gref", c.status, GNTST_general_error);
    xd_copy_ptr(&c.dest, true, 0, XG_RW, 4000);
    c.len = 200;
    CHECK_RC("copy_across_page_rc", hc_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    CHECK_EQ("copy_across_page", c.status, GNTST_bad_copy_arg);
    xd_copy_ptr(&c.dest, true, 0, XG_STALE, 0);
    c.len = 16;
    CHECK_RC("copy_revoked_rc", hc_grant_table_op(GNTTABOP_copy, &c, 1), 0);
    CHECK_EQ("copy_revoked", c.status, GNTST_general_error);
    xd_end_access(XG_RW);
    xd_end_access(XG_RO);
    xd_end_access(XG_OTHER);

    /* Events: a port offered to someone else is not ours to bind; closing
     * one end of a loopback leaves the other unbound, waiting for us. */
    CHECK_RC("alloc_for_other", ev_alloc_unbound(XG_NOBODY, &p1), 0);
    CHECK_RC("bind_port_offered_to_other", ev_bind(DOMID_SELF, p1, &p3), -XEN_EINVAL);
    ev_close(p1);
    CHECK_RC("alloc_loopback", ev_alloc_unbound(DOMID_SELF, &p1), 0);
    CHECK_RC("bind_loopback", ev_bind(DOMID_SELF, p1, &p2), 0);
    CHECK_RC("bind_loopback_again", ev_bind(DOMID_SELF, p1, &p3), -XEN_EINVAL);
    CHECK_RC("close_one_end", ev_close(p2), 0);
    CHECK_RC("status_other_end_rc", status_of(DOMID_SELF, p1, &s), 0);
    CHECK("other_end_unbound", s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == 0);
    CHECK_RC("send_other_end", xd_send(p1), 0);
    ev_close(p1);
}

void mode_xdom(const char *role, long peer, long third)
{
    current_group = "xdom";
    if (peer < 0 || third < 0) {
        test_fail("args", "xdom=a|b|c needs peer=N third=N");
        return;
    }
    switch (role[0]) {
    case 'a':
        role_a((domid_t)peer, (domid_t)third);
        break;
    case 'b':
        role_b((domid_t)peer, (domid_t)third);
        break;
    case 'c':
        role_c((domid_t)peer, (domid_t)third);
        break;
    default:
        test_fail("args", "unknown role '%s'", role);
    }
}

static long domctl(u32 cmd, domid_t dom, struct pvx_domctl *op)
{
    memset(op, 0, sizeof(*op));
    op->cmd = cmd;
    op->interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    op->domain = dom;
    return HC1(__HYPERVISOR_domctl, op);
}

/* Destroy domain `dom` once it has shut down; true when done (or failed). */
static bool reap_destroy(domid_t dom)
{
    static struct pvx_domctl op;
    long rc = domctl(PVX_DOMCTL_getdomaininfo, dom, &op);

    if (rc || op.u.getdomaininfo.domain != dom) {
        test_fail("dom0.destroy_shut_down_domain", "getdomaininfo(%u): rc %ld (%s)", dom, rc,
                  errname(rc));
        return true;
    }
    if (!(op.u.getdomaininfo.flags & PVX_DOMINF_shutdown))
        return false;
    CHECK_RC("dom0.destroy_shut_down_domain", domctl(PVX_DOMCTL_destroydomain, dom, &op), 0);
    return true;
}

/* Domains 1..n all shut down or gone?  -1: no domctl (count events then). */
static int all_down(unsigned long n)
{
    static struct pvx_domctl op;

    for (unsigned long id = 1; id <= n; id++) {
        long rc = domctl(PVX_DOMCTL_getdomaininfo, (domid_t)id, &op);

        if (rc == -XEN_ENOSYS || rc == -XEN_EPERM)
            return -1;
        if (!rc && op.u.getdomaininfo.domain == id &&
            !(op.u.getdomaininfo.flags & (PVX_DOMINF_shutdown | PVX_DOMINF_dying)))
            return 0;
    }
    return 1;
}

void mode_reap(unsigned long count, unsigned long ms, long destroy)
{
    struct evtchn_bind_virq bv = {.virq = VIRQ_DOM_EXC, .vcpu = 0};
    u64 deadline = system_time_ns() + ms * 1000000ULL;
    long rc = hc_event_channel_op(EVTCHNOP_bind_virq, &bv);
    bool destroyed = destroy < 0;

    current_group = "xdom";
    if (rc) {
        test_fail("dom0.bind_dom_exc", "rc %ld (%s)", rc, errname(rc));
        return;
    }
    evtchn_unmask_port(bv.port);
    while (system_time_ns() < deadline) {
        unsigned seen = evt_count[bv.port];
        int down;

        if (!destroyed)
            destroyed = reap_destroy((domid_t)destroy);
        /* Without domctl, count the events (shutdowns close together may
         * arrive as one: the deadline ends the wait then). */
        down = all_down(count);
        if (down > 0 || (down < 0 && seen >= count))
            break;
        xd_wait_event(bv.port, seen, (deadline - system_time_ns()) / 1000000 + 1);
    }
    if (!destroyed)
        test_fail("dom0.destroy_shut_down_domain", "domain %ld never shut down", destroy);
    printk("note: reap: %u domain exception events\n", evt_count[bv.port]);
}

/* The other end of bench.c's cross-domain rows: answers every event (echo)
 * or spins on yield counting its turns (spin), as the mailbox says. */
void mode_benchpeer(long peer)
{
    struct xd_mbox *mb = page_alloc();
    unsigned port, seen;

    if (peer < 0 || xd_gt_setup() || ev_alloc_unbound((domid_t)peer, &port)) {
        printk("benchpeer: cannot set up (peer=%ld)\n", peer);
        return;
    }
    evtchn_unmask_port(port);
    mb->port = port;
    mb->mode = XB_ECHO;
    mb->magic = XD_MAGIC;
    xd_grant(XD_MBOX_REF, (domid_t)peer, mb, false);
    for (seen = evt_count[port];;) {
        if (mb->mode == XB_SPIN) {
            mb->spins++;
            hc_sched_op(SCHEDOP_yield, 0);
            continue;
        }
        xd_wait_event(port, seen, 1000);
        if (evt_count[port] != seen && mb->mode == XB_ECHO)
            xd_send(port);
        seen = evt_count[port];
    }
}

/* bench.c's side of the rendezvous with a benchpeer. */
long xd_bench_attach(u16 peer, unsigned *port, volatile u32 **mode, volatile u64 **spins)
{
    struct xd_mbox *mb = (struct xd_mbox *)XD_VA(16);
    long rc = xd_attach(peer, XD_MBOX_REF, XD_VA(16), XD_WAIT_MS, NULL);

    if (rc)
        return rc;
    if (mb->magic != XD_MAGIC)
        return -1;
    if ((rc = ev_bind(peer, mb->port, port)) != 0)
        return rc;
    evtchn_unmask_port(*port);
    *mode = &mb->mode;
    *spins = &mb->spins;
    return 0;
}
