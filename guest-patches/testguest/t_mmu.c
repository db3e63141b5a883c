// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmu_update: normal, PRESERVE_AD and machphys updates, batching and the
 * done count, implicit typing of new tables, and the validation that keeps
 * a guest from mapping what is not its own.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"
#include <public/memory.h>

#define VA(n) (SCRATCH_BASE + (n)*PAGE_SIZE)

static long mmu1(u64 ptr, u64 val)
{
    mmu_update_t req = {ptr, val};

    return hc_mmu_update(&req, 1, NULL, DOMID_SELF);
}

static u8 read_byte_probe(unsigned long va, bool *faulted)
{
    u8 v = 0;

    trap_expect(14);
    __asm__ volatile("1: movb (%1), %0\n2:\n" EXTABLE_ENTRY(1b, 2b) : "+q"(v) : "r"(va));
    *faulted = last_trap.vector == 14;
    trap_expect_clear();
    return v;
}

/* An M2P frame: owned by the hypervisor, shared read-only with dom0. */
unsigned long hypervisor_frame(void);
unsigned long hypervisor_frame(void)
{
    static xen_pfn_t mfns[4];
    struct xen_machphys_mfn_list l;

    memset(&l, 0, sizeof(l));
    l.max_extents = 4;
    set_xen_guest_handle(l.extent_start, mfns);
    if (hc_memory_op(XENMEM_machphys_mfn_list, &l) || !l.nr_extents)
        return 0;
    return mfns[0];
}

void t_mmu(void)
{
    u8 *data = page_alloc(), *data2 = page_alloc();
    unsigned long mfn = va_to_mfn(data), mfn2 = va_to_mfn(data2);
    mmu_update_t reqs[4];
    unsigned done = 0;
    bool faulted;
    u64 *l1e;
    u64 l1ma;

    data[0] = 0x5a;
    data2[0] = 0xa5;
    /* Linking fresh L2 and L1 pages with mmu_update types them implicitly. */
    CHECK_RC("implicit_typing_new_tables", ensure_l1(VA(0)), 0);
    l1ma = pte_ma(VA(0));
    l1e = pte_of(VA(0), 1);
    CHECK("l1_found", l1ma && l1e);
    if (!l1e)
        return;

    CHECK_RC("normal_update", mmu1(l1ma | MMU_NORMAL_PT_UPDATE, ((u64)mfn << 12) | PTE_KERN_RW), 0);
    CHECK_EQ("mapping_visible", *(volatile u8 *)VA(0), 0x5a);
    CHECK("kernel_pte_gets_user_bit", *l1e & _PAGE_USER);

    memset(reqs, 0, sizeof(reqs));
    for (int i = 0; i < 4; i++) {
        reqs[i].ptr = (l1ma + 8 * (u64)(i + 1)) | MMU_NORMAL_PT_UPDATE;
        reqs[i].val = ((u64)(i & 1 ? mfn2 : mfn) << 12) | PTE_KERN_RO;
    }
    CHECK_RC("batch_rc", hc_mmu_update(reqs, 4, &done, DOMID_SELF), 0);
    CHECK_EQ("batch_done", done, 4);
    CHECK_EQ("batch_mapping", *(volatile u8 *)VA(2), 0xa5);
    CHECK_RC("count_zero", hc_mmu_update(reqs, 0, &done, DOMID_SELF), 0);

    /* PRESERVE_AD keeps the accessed/dirty bits already in the entry. */
    CHECK_RC("preserve_ad_rc",
             mmu1(l1ma | MMU_PT_UPDATE_PRESERVE_AD, ((u64)mfn << 12) | _PAGE_PRESENT | _PAGE_RW),
             0);
    CHECK("preserve_ad_kept",
          (*l1e & (_PAGE_ACCESSED | _PAGE_DIRTY)) == (_PAGE_ACCESSED | _PAGE_DIRTY));
    CHECK_RC("normal_clears_ad",
             mmu1(l1ma | MMU_NORMAL_PT_UPDATE, ((u64)mfn << 12) | _PAGE_PRESENT | _PAGE_RW), 0);
    CHECK("normal_ad_cleared", !(*l1e & _PAGE_DIRTY));

    /* Unmap: a read then faults with cr2 = the address. */
    CHECK_RC("unmap", mmu1(l1ma, 0), 0);
    flush_va(VA(0));
    read_byte_probe(VA(0), &faulted);
    CHECK("unmapped_read_faults", faulted);
    CHECK_EQ("unmapped_cr2", last_trap.cr2, VA(0));
    CHECK_EQ("unmapped_err_kernel_read", last_trap.err, 0);

    /* Non-present entries naming memory (L1TF): with the defaults of Xen
     * 4.17's pv-l1tf= and of pvx's, the hardware domain's are not checked,
     * so one naming RAM (ours) is accepted, and so is Linux's kind (address
     * bits inverted: beyond RAM).  A domU's would be refused on pvx
     * (docs/abi.md); Xen shadows such a domU instead. */
    CHECK_RC("l1tf_dom0_nonpresent_ram", mmu1(l1ma, ((u64)mfn << 12) | _PAGE_RW), 0);
    CHECK_RC("l1tf_nonpresent_inverted", mmu1(l1ma, ~((u64)mfn << 12) & 0x000ffffffffff000UL), 0);
    CHECK_RC("l1tf_nonpresent_cleared", mmu1(l1ma, 0), 0);

    /* A done pointer and a partial batch: stops at the first failure. */
    reqs[0].ptr = l1ma | MMU_NORMAL_PT_UPDATE;
    reqs[0].val = ((u64)mfn << 12) | PTE_KERN_RW;
    reqs[1].ptr = l1ma | 5; /* no such command */
    reqs[1].val = 0;
    done = 77;
    CHECK_RC("bad_cmd_in_batch", hc_mmu_update(reqs, 2, &done, DOMID_SELF), -XEN_ENOSYS);
    CHECK_EQ("partial_done", done, 1);

    /* A plain data page is written directly. */
    CHECK_RC("write_to_data_page", mmu1(va_to_ma(data + 8), 0x1122334455667788UL), 0);
    CHECK_EQ("data_page_written", *(volatile u64 *)(data + 8), 0x1122334455667788UL);

    /* MACHPHYS_UPDATE of our own frame (same pfn: a no-op). */
    CHECK_RC("machphys_own", mmu1(((u64)mfn << 12) | MMU_MACHPHYS_UPDATE, va_to_pfn(data)), 0);
    CHECK_EQ("machphys_m2p_kept", m2p(mfn), va_to_pfn(data));

    /* Error paths. */
    CHECK_RC("reqs_null", hc_mmu_update(0, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    CHECK_RC("reqs_hv_addr", hc_mmu_update(HV_ADDR_XEN, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    CHECK_RC("reqs_noncanon", hc_mmu_update(BAD_NONCANON, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    CHECK_RC("bad_foreigndom", hc_mmu_update(reqs, 1, NULL, 0x7ff5), -XEN_ESRCH);
    CHECK_RC("ptr_not_ram", mmu1((1UL << 45) | MMU_NORMAL_PT_UPDATE, 0), -XEN_EINVAL);
    /* A frame beyond RAM: dom0 may map I/O memory only where permitted. */
    CHECK_RC("l1_frame_beyond_ram", mmu1(l1ma, (1UL << 45) | PTE_KERN_RW), -XEN_EPERM);
    CHECK_RC("machphys_not_ours", mmu1((1UL << 45) | MMU_MACHPHYS_UPDATE, 0), -XEN_EINVAL);
    /* Reserved bits / superpages are refused. */
    {
        u64 *l2e = pte_of(VA(0), 2);
        u64 l2ma = va_to_ma(l2e + 1);
        CHECK_RC("l2_pse_refused", mmu1(l2ma, PTE_TABLE | _PAGE_PSE), -XEN_EINVAL);
        CHECK_RC("l2_pwt_refused", mmu1(l2ma, PTE_TABLE | _PAGE_PWT), -XEN_EINVAL);
        CHECK_RC("l2_global_refused", mmu1(l2ma, PTE_TABLE | _PAGE_GLOBAL), -XEN_EINVAL);
    }
    /* A full L1 in one call (preemptible in the hypervisor), then cleared. */
    {
        static mmu_update_t big[512];
        u64 base;

        if (ensure_l1(VA(512)) == 0) {
            base = pte_ma(VA(512));
            for (int i = 0; i < 512; i++) {
                big[i].ptr = (base + 8 * (u64)i) | MMU_NORMAL_PT_UPDATE;
                big[i].val = ((u64)(i & 1 ? mfn2 : mfn) << 12) | PTE_KERN_RO;
            }
            done = 0;
            CHECK_RC("batch_512", hc_mmu_update(big, 512, &done, DOMID_SELF), 0);
            CHECK_EQ("batch_512_done", done, 512);
            CHECK_EQ("batch_512_last_mapping", *(volatile u8 *)VA(1023), 0xa5);
            for (int i = 0; i < 512; i++)
                big[i].val = 0;
            CHECK_RC("batch_512_clear", hc_mmu_update(big, 512, NULL, DOMID_SELF), 0);
        } else {
            test_fail("batch_512", "cannot build the tables");
        }
    }

    /* Leave VA(0) mapped to data for later groups. */
    mmu1(l1ma, ((u64)mfn << 12) | PTE_KERN_RW);
}
