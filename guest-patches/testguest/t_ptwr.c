// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writable page tables (vm_assist writable_pagetables): plain stores,
 * xchg, cmpxchg and locked bit operations on a read-only L1 page are
 * emulated and validated; invalid entries and higher-level tables fault.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"

#define VA(n) (SCRATCH_BASE + (n)*PAGE_SIZE)

static bool store_faults(volatile u64 *p, u64 v)
{
    trap_expect(14);
    __asm__ volatile("1: movq %1, (%0)\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(p), "r"(v) : "memory");
    trap_expect_clear();
    return last_trap.vector == 14;
}

void t_ptwr(void)
{
    u8 *a = page_alloc(), *b = page_alloc();
    u64 pa = ((u64)va_to_mfn(a) << 12), pb = ((u64)va_to_mfn(b) << 12);
    volatile u64 *l1e, *l1e2;
    u64 old;

    a[0] = 0x11;
    b[0] = 0x22;
    if (ensure_l1(VA(20))) {
        test_fail("scratch", "cannot build scratch tables");
        return;
    }
    l1e = pte_of(VA(20), 1);
    l1e2 = pte_of(VA(21), 1);
    CHECK_RC("enable", hc_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);

    *l1e = pa | PTE_KERN_RW;
    flush_va(VA(20));
    CHECK_EQ("plain_store_emulated", *(volatile u8 *)VA(20), 0x11);
    CHECK("entry_validated_user_bit", *l1e & _PAGE_USER);

    old = __atomic_exchange_n(l1e, pb | PTE_KERN_RW, __ATOMIC_SEQ_CST);
    flush_va(VA(20));
    CHECK("xchg_old_value", (old & PTE_ADDR_MASK) == pa);
    CHECK_EQ("xchg_emulated", *(volatile u8 *)VA(20), 0x22);

    {
        u64 expect = *l1e;
        bool ok = __atomic_compare_exchange_n(l1e, &expect, pa | PTE_KERN_RO, false,
                                              __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        flush_va(VA(20));
        CHECK("cmpxchg_success", ok);
        CHECK_EQ("cmpxchg_emulated", *(volatile u8 *)VA(20), 0x11);
        expect = 0x1234000;
        ok = __atomic_compare_exchange_n(l1e, &expect, pb | PTE_KERN_RO, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
        CHECK("cmpxchg_mismatch_fails", !ok && (expect & PTE_ADDR_MASK) == pa);
    }

    *l1e2 = pa | PTE_KERN_RW;
    __asm__ volatile("lock andq %1, %0" : "+m"(*l1e2) : "r"(~_PAGE_RW) : "memory");
    CHECK("lock_and_clears_rw", !(*l1e2 & _PAGE_RW) && (*l1e2 & _PAGE_PRESENT));
    __asm__ volatile("lock btrq $5, %0" : "+m"(*l1e2) : : "memory");
    CHECK("lock_btr_clears_accessed", !(*l1e2 & _PAGE_ACCESSED));
    *l1e2 = 0;
    CHECK_EQ("store_zero", *l1e2, 0);

    /* Invalid entries are refused: the write faults instead. */
    CHECK(
        "map_l1_itself_writable_faults",
        store_faults(l1e, ((u64)va_to_mfn((const void *)(unsigned long)l1e) << 12) | PTE_KERN_RW));
    CHECK("not_ram_faults", store_faults(l1e, (1UL << 45) | PTE_KERN_RW));
    CHECK_EQ("faulting_write_cr2", last_trap.cr2, (u64)l1e);
    CHECK("fault_err_write_present", (last_trap.err & 3) == 3);
    /* Writes to an L2 are never emulated. */
    {
        volatile u64 *l2e = pte_of(VA(20), 2);
        CHECK("l2_write_faults", store_faults(l2e + 200, 0));
    }
    CHECK_RC("disable", hc_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0);
    /*
     * Xen 4.17 quirk: for the hardware domain every write fault on a present
     * page goes through the read-only emulation (mmio_ro path), which also
     * emulates L1 writes -- so dom0 keeps ptwr even with the assist off.
     */
    CHECK("dom0_store_still_emulated_when_disabled", !store_faults(l1e, pa | PTE_KERN_RW));
}
