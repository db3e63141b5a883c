// SPDX-License-Identifier: GPL-2.0-only
/*
 * Segments: set_segment_base for FS and both GS bases, set_gdt and
 * update_descriptor with descriptor validation (DPL fix-up, system
 * descriptors refused), loading our own selectors and refused ones, LDT.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"

#define DESC_CODE64_DPL3 0x00affb000000ffffUL
#define DESC_DATA_DPL3   0x00cff3000000ffffUL
#define DESC_DATA_DPL0   0x00cf93000000ffffUL
#define DESC_TSS         0x00008900000000ffUL

static u64 rdmsr(u32 msr)
{
    u32 lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}

static bool load_ds_faults(u16 sel)
{
    trap_expect(13);
    __asm__ volatile("1: movw %0, %%ds\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(sel));
    trap_expect_clear();
    __asm__ volatile("movw %0, %%ds" : : "r"((u16)0));
    return last_trap.vector == 13;
}

void t_seg(void)
{
    static u64 fsdata[2] = {0x1122334455667788UL, 0};
    static u64 gsdata[2] = {0x99aabbccddeeff00UL, 0};
    u64 *gdt = page_alloc();
    unsigned long frames[1];
    u64 v;

    CHECK_RC("set_fs_base", hc_set_segment_base(SEGBASE_FS, (unsigned long)fsdata), 0);
    __asm__ volatile("movq %%fs:0, %0" : "=r"(v));
    CHECK_EQ("fs_base_used", v, fsdata[0]);
    CHECK_EQ("fs_base_msr", rdmsr(0xc0000100), (u64)fsdata);
    CHECK_RC("set_gs_kernel", hc_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)gsdata), 0);
    __asm__ volatile("movq %%gs:0, %0" : "=r"(v));
    CHECK_EQ("gs_kernel_base_used", v, gsdata[0]);
    CHECK_RC("set_gs_user", hc_set_segment_base(SEGBASE_GS_USER, 0x12345000UL), 0);
    CHECK_EQ("gs_user_base_msr", rdmsr(0xc0000102), 0x12345000UL);
    CHECK_RC("set_gs_user_sel_null", hc_set_segment_base(SEGBASE_GS_USER_SEL, 0), 0);
    CHECK_RC("set_fs_noncanon", hc_set_segment_base(SEGBASE_FS, BAD_NONCANON), -XEN_EINVAL);
    CHECK_RC("set_gs_kernel_noncanon", hc_set_segment_base(SEGBASE_GS_KERNEL, BAD_NONCANON),
             -XEN_EINVAL);
    CHECK_RC("unknown_which", hc_set_segment_base(4, 0), -XEN_EINVAL);
    hc_set_segment_base(SEGBASE_FS, 0);
    hc_set_segment_base(SEGBASE_GS_KERNEL, 0);
    hc_set_segment_base(SEGBASE_GS_USER, 0);

    /* A GDT page: null, 64-bit code, data (DPL 3), and a DPL-0 data entry. */
    gdt[1] = DESC_CODE64_DPL3;
    gdt[2] = DESC_DATA_DPL3;
    gdt[3] = DESC_DATA_DPL0;
    frames[0] = va_to_mfn(gdt);
    CHECK_RC("set_gdt_writable_refused", hc_set_gdt(frames, 8), -XEN_EINVAL);
    make_readonly(gdt);
    CHECK_RC("set_gdt", hc_set_gdt(frames, 8), 0);
    CHECK("load_own_data_selector", !load_ds_faults(0x13));
    CHECK("dpl0_descriptor_loadable_after_fixup", !load_ds_faults(0x1b));
    CHECK("selector_beyond_limit_faults", load_ds_faults(0x43));
    CHECK("xen_ring0_data_selector_faults", load_ds_faults(0xe010));
    CHECK("xen_ring0_code_as_data_faults", load_ds_faults(0xe008));
    CHECK_RC("set_gdt_too_many", hc_set_gdt(frames, 7169), -XEN_EINVAL);
    CHECK_RC("set_gdt_bad_frame_list", hc_set_gdt(HV_ADDR_XEN, 8), -XEN_EFAULT);

    /* update_descriptor on the (now descriptor-typed) GDT page. */
    CHECK_RC("update_descriptor", hc_update_descriptor(va_to_ma(&gdt[4]), DESC_DATA_DPL3), 0);
    CHECK_EQ("update_descriptor_written", gdt[4], DESC_DATA_DPL3);
    CHECK("updated_selector_loads", !load_ds_faults(0x23));
    CHECK_RC("update_descriptor_dpl0_accepted",
             hc_update_descriptor(va_to_ma(&gdt[5]), DESC_DATA_DPL0), 0);
    CHECK_EQ("update_descriptor_dpl_raised_to_3", (gdt[5] >> 45) & 3, 3);
    CHECK_RC("update_descriptor_tss_refused", hc_update_descriptor(va_to_ma(&gdt[6]), DESC_TSS),
             -XEN_EINVAL);
    CHECK_RC("update_descriptor_unaligned",
             hc_update_descriptor(va_to_ma(&gdt[6]) + 4, DESC_DATA_DPL3), -XEN_EINVAL);
    CHECK_RC("update_descriptor_not_ram", hc_update_descriptor(1UL << 45, DESC_DATA_DPL3),
             -XEN_EINVAL);
    CHECK_RC("update_descriptor_page_table",
             hc_update_descriptor(va_to_ma((void *)si->pt_base), DESC_DATA_DPL3), -XEN_EINVAL);
    {
        u64 *plain = page_alloc();
        CHECK_RC("update_descriptor_plain_page",
                 hc_update_descriptor(va_to_ma(plain), DESC_DATA_DPL3), 0);
        CHECK_EQ("plain_page_written", plain[0], DESC_DATA_DPL3);
    }

    /* Back to no GDT: our selectors stop working. */
    CHECK_RC("set_gdt_empty", hc_set_gdt(frames, 0), 0);
    CHECK("selector_gone_after_empty_gdt", load_ds_faults(0x13));
    CHECK_RC("gdt_page_writable_again", make_writable(gdt), 0);

    /* An LDT: mapped lazily on first use. */
    {
        u64 *ldt = page_alloc();
        struct mmuext_op op;

        ldt[0] = DESC_DATA_DPL3;
        make_readonly(ldt);
        memset(&op, 0, sizeof(op));
        op.cmd = MMUEXT_SET_LDT;
        op.arg1.linear_addr = (unsigned long)ldt;
        op.arg2.nr_ents = 1;
        CHECK_RC("set_ldt", hc_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
        CHECK("ldt_selector_loads", !load_ds_faults(0x7));
        CHECK("ldt_selector_beyond_limit", load_ds_faults(0xf));
        /* An LDT page that is mapped writable cannot be used. */
        {
            u64 *wldt = page_alloc();

            wldt[0] = DESC_DATA_DPL3;
            op.arg1.linear_addr = (unsigned long)wldt;
            CHECK_RC("set_ldt_writable_page", hc_mmuext_op(&op, 1, NULL, DOMID_SELF), 0);
            /* The lazy LDT mapping fails: #PF at the LDT entry's address. */
            trap_expect(14);
            {
                u16 sel = 0x7;
                __asm__ volatile("1: movw %0, %%ds\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(sel));
            }
            CHECK_EQ("ldt_writable_page_pf", last_trap.vector, 14);
            CHECK_EQ("ldt_writable_page_cr2", last_trap.cr2, (u64)wldt);
            trap_expect_clear();
            __asm__ volatile("movw %0, %%ds" : : "r"((u16)0));
        }
        op.arg1.linear_addr = 0;
        op.arg2.nr_ents = 0;
        hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
    }
}
