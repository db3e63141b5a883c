// SPDX-License-Identifier: GPL-2.0-only
/* update_va_mapping: flush flags, vCPU masks, and refused addresses. */
#include "guest.h"
#include "test.h"

#define VA(n) (SCRATCH_BASE + (n)*PAGE_SIZE)

void t_uvm(void)
{
    u8 *a = page_alloc(), *b = page_alloc();
    unsigned long vcpumask = 1;
    u64 pa = ((u64)va_to_mfn(a) << 12), pb = ((u64)va_to_mfn(b) << 12);

    a[0] = 1;
    b[0] = 2;
    if (ensure_l1(VA(10))) {
        test_fail("scratch", "cannot build scratch tables");
        return;
    }
    CHECK_RC("map_invlpg", hc_update_va_mapping(VA(10), pa | PTE_KERN_RW, UVMF_INVLPG), 0);
    CHECK_EQ("map_visible", *(volatile u8 *)VA(10), 1);
    CHECK_RC("remap_tlb_flush", hc_update_va_mapping(VA(10), pb | PTE_KERN_RW, UVMF_TLB_FLUSH), 0);
    CHECK_EQ("remap_visible", *(volatile u8 *)VA(10), 2);
    CHECK_RC("remap_none_then_invlpg", hc_update_va_mapping(VA(10), pa | PTE_KERN_RO, UVMF_NONE),
             0);
    flush_va(VA(10));
    CHECK_EQ("remap_none_visible_after_invlpg", *(volatile u8 *)VA(10), 1);
    CHECK_RC("invlpg_all", hc_update_va_mapping(VA(10), pb | PTE_KERN_RO, UVMF_INVLPG | UVMF_ALL),
             0);
    CHECK_RC("flush_all", hc_update_va_mapping(VA(10), pa | PTE_KERN_RO, UVMF_TLB_FLUSH | UVMF_ALL),
             0);
    CHECK_RC("multi_mask",
             hc_update_va_mapping(VA(10), pb | PTE_KERN_RO,
                                  UVMF_INVLPG | UVMF_MULTI | (unsigned long)&vcpumask),
             0);
    CHECK_EQ("multi_visible", *(volatile u8 *)VA(10), 2);
    CHECK_RC("multi_bad_mask",
             hc_update_va_mapping(VA(10), pb | PTE_KERN_RO, UVMF_INVLPG | UVMF_MULTI | 0x1000UL),
             -XEN_EFAULT);
    CHECK_RC("unmap", hc_update_va_mapping(VA(10), 0, UVMF_INVLPG), 0);

    /* Addresses without an L1 table, or outside the guest's range. */
    CHECK_RC("no_l1_table", hc_update_va_mapping(0x10000000UL, pa | PTE_KERN_RW, UVMF_INVLPG),
             -XEN_EINVAL);
    CHECK_RC("hv_addr", hc_update_va_mapping(HV_ADDR_XEN, pa | PTE_KERN_RW, UVMF_INVLPG),
             -XEN_EINVAL);
    CHECK_RC("noncanon", hc_update_va_mapping(BAD_NONCANON, pa | PTE_KERN_RW, UVMF_INVLPG),
             -XEN_EINVAL);
    CHECK_RC("pte_beyond_ram", hc_update_va_mapping(VA(10), (1UL << 45) | PTE_KERN_RW, UVMF_INVLPG),
             -XEN_EPERM);
}
