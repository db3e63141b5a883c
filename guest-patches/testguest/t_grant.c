// SPDX-License-Identifier: GPL-2.0-only
/* grant_table_op: query_size, setup_table, get/set_version (v1; v2 is
 * t_gntv2.c), and the table a domain has from its creation. */
#include "guest.h"
#include "test.h"
#include <public/grant_table.h>

#define GRANT_VA (SCRATCH_BASE + 64 * PAGE_SIZE)

void t_grant(void)
{
    struct gnttab_query_size qs;
    struct gnttab_setup_table st;
    struct gnttab_get_version gv;
    struct gnttab_set_version sv;
    static xen_pfn_t frames[4];

    memset(&qs, 0, sizeof(qs));
    qs.dom = DOMID_SELF;
    CHECK_RC("query_size", hc_grant_table_op(GNTTABOP_query_size, &qs, 1), 0);
    CHECK_EQ("query_size_status", qs.status, GNTST_okay);
    CHECK("query_size_frames", qs.max_nr_frames >= 1 && qs.nr_frames <= qs.max_nr_frames);
    printk("note: grant frames %u of %u\n", qs.nr_frames, qs.max_nr_frames);
    /* The table exists from the domain's creation (one frame on Xen x86),
     * before any setup_table: a reference inside it that was never granted
     * is refused as not granted, one past its end as a bad reference. */
    CHECK("table_from_creation", qs.nr_frames >= 1);
    if (si->flags & SIF_INITDOMAIN) { /* our own id is needed to map */
        grant_ref_t end = qs.nr_frames * (PAGE_SIZE / sizeof(grant_entry_v1_t));
        int16_t mst = 99;

        CHECK_RC("map_never_granted_rc", xd_map(0, end - 1, GRANT_VA + PAGE_SIZE, true, &mst, NULL),
                 0);
        CHECK_EQ("map_never_granted", mst, GNTST_general_error);
        CHECK_RC("map_past_table_rc", xd_map(0, end, GRANT_VA + PAGE_SIZE, true, &mst, NULL), 0);
        CHECK_EQ("map_past_table", mst, GNTST_bad_gntref);
    }
    qs.dom = 0x1234;
    CHECK_RC("query_size_no_domain_rc", hc_grant_table_op(GNTTABOP_query_size, &qs, 1), 0);
    CHECK_EQ("query_size_no_domain_status", qs.status, GNTST_bad_domain);

    memset(&gv, 0, sizeof(gv));
    gv.dom = DOMID_SELF;
    CHECK_RC("get_version", hc_grant_table_op(GNTTABOP_get_version, &gv, 1), 0);
    CHECK_EQ("version_1", gv.version, 1);
    sv.version = 1;
    CHECK_RC("set_version_1", hc_grant_table_op(GNTTABOP_set_version, &sv, 1), 0);
    sv.version = 3;
    CHECK_RC("set_version_3", hc_grant_table_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL);
    CHECK_EQ("set_version_3_reports_1", sv.version, 1);
    /* Neither version call looks at the count. */
    sv.version = 1;
    CHECK_RC("set_version_count_0", hc_grant_table_op(GNTTABOP_set_version, &sv, 0), 0);
    CHECK_RC("get_version_count_2", hc_grant_table_op(GNTTABOP_get_version, &gv, 2), 0);

    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.nr_frames = 1;
    set_xen_guest_handle(st.frame_list, frames);
    CHECK_RC("setup_table", hc_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
    CHECK_EQ("setup_table_status", st.status, GNTST_okay);
    CHECK("setup_table_frame", frames[0] != 0);
    CHECK_RC("map_grant_frame_rw", map_frame(GRANT_VA, frames[0], PTE_KERN_RW), 0);
    {
        volatile grant_entry_v1_t *g = (volatile grant_entry_v1_t *)GRANT_VA;
        g[8].domid = 0;
        g[8].frame = 0;
        g[8].flags = 0;
        CHECK_EQ("grant_frame_writable", g[8].flags, 0);
    }
    st.nr_frames = 100000;
    CHECK_RC("setup_table_too_many_rc", hc_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
    CHECK_EQ("setup_table_too_many_status", st.status, GNTST_general_error);
    st.nr_frames = 1;
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)HV_ADDR_XEN);
    CHECK_RC("setup_table_bad_list", hc_grant_table_op(GNTTABOP_setup_table, &st, 1), -XEN_EFAULT);

    CHECK_RC("query_size_count_0", hc_grant_table_op(GNTTABOP_query_size, &qs, 0), -XEN_EINVAL);
    CHECK_RC("query_size_count_2", hc_grant_table_op(GNTTABOP_query_size, &qs, 2), -XEN_EINVAL);
    CHECK_RC("arg_hv_addr", hc_grant_table_op(GNTTABOP_query_size, HV_ADDR_XEN, 1), -XEN_EFAULT);
    CHECK_RC("unknown_cmd", hc_grant_table_op(99, &qs, 1), -XEN_ENOSYS);
}
