// SPDX-License-Identifier: GPL-2.0-only
/* xen_version: every sub-command, and its error paths. */
#include "guest.h"
#include "test.h"
#include <public/version.h>

void t_version(void)
{
    long v = hc_xen_version(XENVER_version, 0);
    xen_extraversion_t extra;
    xen_capabilities_info_t caps;
    xen_platform_parameters_t pp;
    xen_feature_info_t fi;
    xen_changeset_info_t cs;
    xen_compile_info_t ci;
    u8 handle[16];

    CHECK("version_nonzero", v > 0);
    printk("note: xen_version %ld.%ld\n", v >> 16, v & 0xffff);
    CHECK("major_3_or_more", (v >> 16) >= 3);

    memset(extra, 0x5a, sizeof(extra));
    CHECK_RC("extraversion_rc", hc_xen_version(XENVER_extraversion, extra), 0);
    CHECK("extraversion_terminated", memcmp(extra, "\0", 1) == 0 || strlen(extra) < sizeof(extra));

    memset(caps, 0, sizeof(caps));
    CHECK_RC("capabilities_rc", hc_xen_version(XENVER_capabilities, caps), 0);
    CHECK("capabilities_x86_64", strstr(caps, "xen-3.0-x86_64") != NULL);

    CHECK_RC("changeset_rc", hc_xen_version(XENVER_changeset, cs), 0);
    CHECK_RC("compile_info_rc", hc_xen_version(XENVER_compile_info, &ci), 0);

    memset(&pp, 0, sizeof(pp));
    CHECK_RC("platform_parameters_rc", hc_xen_version(XENVER_platform_parameters, &pp), 0);
    CHECK_EQ("platform_parameters_virt_start", pp.virt_start, HYPERVISOR_VIRT_START);

    memset(&fi, 0, sizeof(fi));
    fi.submap_idx = 0;
    CHECK_RC("get_features_rc", hc_xen_version(XENVER_get_features, &fi), 0);
    /* Only translated (HVM) guests get writable_page_tables; PV uses vm_assist. */
    CHECK("feature_no_writable_page_tables", !(fi.submap & (1u << XENFEAT_writable_page_tables)));
    CHECK("feature_gnttab_map_avail_bits", fi.submap & (1u << XENFEAT_gnttab_map_avail_bits));
    CHECK("feature_direct_mapped", fi.submap & (1u << XENFEAT_direct_mapped));
    CHECK("feature_dom0", fi.submap & (1u << XENFEAT_dom0));
    CHECK("feature_no_auto_translate", !(fi.submap & (1u << XENFEAT_auto_translated_physmap)));
    CHECK("feature_preserve_ad", fi.submap & (1u << XENFEAT_mmu_pt_update_preserve_ad));
    fi.submap_idx = 1;
    CHECK_RC("get_features_bad_submap", hc_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);

    CHECK_EQ("pagesize", hc_xen_version(XENVER_pagesize, 0), 4096);
    {
        static xen_commandline_t cmd;
        CHECK_RC("commandline_rc", hc_xen_version(XENVER_commandline, cmd), 0);
        CHECK("commandline_terminated", strlen(cmd) < sizeof(cmd));
    }
    CHECK_RC("guest_handle_rc", hc_xen_version(XENVER_guest_handle, handle), 0);

    /* Bad pointers are reported, never followed. */
    CHECK_RC("extraversion_null", hc_xen_version(XENVER_extraversion, 0), -XEN_EFAULT);
    CHECK_RC("capabilities_hv_addr", hc_xen_version(XENVER_capabilities, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("get_features_noncanon", hc_xen_version(XENVER_get_features, BAD_NONCANON),
             -XEN_EFAULT);
    CHECK_RC("compile_info_ro_m2p", hc_xen_version(XENVER_compile_info, HV_ADDR_M2P), -XEN_EFAULT);
    /* Unknown sub-commands. */
    CHECK_RC("unknown_cmd", hc_xen_version(64, 0), -XEN_ENOSYS);
    CHECK_RC("unknown_cmd_huge", hc_xen_version(~0UL, 0), -XEN_ENOSYS);
}
