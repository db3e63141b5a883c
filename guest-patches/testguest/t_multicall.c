// SPDX-License-Identifier: GPL-2.0-only
/* multicall: batches run every entry and report each result. */
#include "guest.h"
#include "test.h"
#include <public/version.h>

void t_multicall(void)
{
    static multicall_entry_t mc[8];
    static xen_feature_info_t fi;
    long v = hc_xen_version(XENVER_version, 0);

    memset(mc, 0, sizeof(mc));
    mc[0].op = __HYPERVISOR_xen_version;
    mc[0].args[0] = XENVER_version;
    mc[1].op = __HYPERVISOR_xen_version;
    mc[1].args[0] = XENVER_get_features;
    mc[1].args[1] = (unsigned long)&fi;
    mc[2].op = 11; /* no such hypercall */
    mc[3].op = __HYPERVISOR_xen_version;
    mc[3].args[0] = XENVER_extraversion;
    mc[3].args[1] = HV_ADDR_XEN;
    mc[4].op = __HYPERVISOR_xen_version;
    mc[4].args[0] = XENVER_pagesize;
    mc[5].op = __HYPERVISOR_multicall; /* nested multicall */
    mc[5].args[0] = (unsigned long)&mc[0];
    mc[5].args[1] = 1;
    for (int i = 0; i < 6; i++)
        mc[i].result = 0xdead;
    CHECK_RC("batch_rc", hc_multicall(mc, 6), 0);
    CHECK_EQ("result_version", mc[0].result, v);
    CHECK_EQ("result_get_features", mc[1].result, 0);
    CHECK("features_written", fi.submap != 0);
    CHECK_EQ("result_unknown_op", mc[2].result, -XEN_ENOSYS);
    CHECK_EQ("result_bad_pointer", mc[3].result, -XEN_EFAULT);
    CHECK_EQ("continues_after_failure", mc[4].result, 4096);
    CHECK_EQ("nested_multicall_refused", mc[5].result, -XEN_EINVAL);
    CHECK_RC("empty_batch", hc_multicall(mc, 0), 0);
    /* A long batch (preemptible in the hypervisor) still runs every entry. */
    {
        static multicall_entry_t many[200];
        int good = 0;

        for (int i = 0; i < 200; i++) {
            memset(&many[i], 0, sizeof(many[i]));
            many[i].op = __HYPERVISOR_xen_version;
            many[i].result = 0xdead;
        }
        CHECK_RC("batch_200", hc_multicall(many, 200), 0);
        for (int i = 0; i < 200; i++)
            good += many[i].result == (unsigned long)v;
        CHECK_EQ("batch_200_all_results", good, 200);
    }
    CHECK_RC("list_null", hc_multicall(0, 1), -XEN_EFAULT);
    CHECK_RC("list_hv_addr", hc_multicall(HV_ADDR_XEN, 2), -XEN_EFAULT);
    CHECK_RC("list_unmapped", hc_multicall(BAD_UNMAPPED, 2), -XEN_EFAULT);
}
