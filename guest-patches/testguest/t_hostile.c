// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hostile requests the hypervisor must refuse: mapping hypervisor frames
 * writable, mapping our own page tables writable, pinning a writable page,
 * writing the read-only M2P, touching hypervisor memory, loading
 * privileged selectors, forbidden MSR writes, hypervisor slots of the L4,
 * and hypercall arguments pointing into the hypervisor.
 */
#include "guest.h"
#include "test.h"
#include "traps.h"

#define VA(n) (SCRATCH_BASE + (n)*PAGE_SIZE)

unsigned long hypervisor_frame(void);

static bool access_faults(unsigned long va, bool write, unsigned vector)
{
    trap_expect(vector);
    if (write)
        __asm__ volatile("1: movq $0, (%0)\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(va) : "memory");
    else
        __asm__ volatile("1: movq (%0), %%rax\n2:\n" EXTABLE_ENTRY(1b, 2b)
                         :
                         : "r"(va)
                         : "rax", "memory");
    trap_expect_clear();
    return last_trap.vector == vector;
}

/* The CPU as it is (native CPUID: no hypervisor policy in between). */
static void native_cpuid(u32 leaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/*
 * Meltdown isolation (XPTI): on a CPU that may leak supervisor data to ring
 * 3 (not AMD/Hygon, and no ARCH_CAPABILITIES MSR that could say RDCL_NO),
 * Xen 4.17 and pvx both take their memory out of the page tables a PV guest
 * runs on, so the read of the direct map faults as not present (error code
 * bit 0 clear) instead of as a protection fault on a present page.  Where
 * the CPU is not affected the page is present; with ARCH_CAPABILITIES the
 * guest cannot tell which, and checks nothing.
 */
static void check_meltdown_isolation(u32 err)
{
    u32 a, vendor_b, c, d, edx7 = 0;

    native_cpuid(0, &a, &vendor_b, &c, &d);
    if (a >= 7) {
        u32 a7, b7, c7;
        native_cpuid(7, &a7, &b7, &c7, &edx7);
    }
    if (vendor_b == 0x68747541 || vendor_b == 0x6f677948) /* AuthenticAMD, HygonGenuine */
        CHECK_EQ("directmap_present_not_affected", err & 1, 1);
    else if (edx7 & (1u << 29))
        printk("note: ARCH_CAPABILITIES present: Meltdown isolation not checked\n");
    else
        CHECK_EQ("directmap_not_mapped_xpti", err & 1, 0);
}

static long mmu1(u64 ptr, u64 val)
{
    mmu_update_t req = {ptr, val};

    return hc_mmu_update(&req, 1, NULL, DOMID_SELF);
}

void t_hostile(void)
{
    unsigned long hvf = hypervisor_frame();
    u64 *l1, *l4 = kernel_l4;
    unsigned long l1mfn;

    if (ensure_l1(VA(40))) {
        test_fail("scratch", "cannot build scratch tables");
        return;
    }
    l1 = pte_of(VA(40), 1);
    l1mfn = va_to_mfn(l1);

    /* A hypervisor-owned frame (of the M2P table) cannot be mapped at all. */
    CHECK("hypervisor_frame_found", hvf != 0);
    CHECK_RC("map_hypervisor_frame_rw",
             hc_update_va_mapping(VA(40), ((u64)hvf << 12) | PTE_KERN_RW, UVMF_INVLPG), -XEN_EBUSY);
    CHECK_RC("map_hypervisor_frame_rw_mmu_update",
             mmu1(va_to_ma(&l1[(VA(41) >> 12) & 511]), ((u64)hvf << 12) | PTE_KERN_RW), -XEN_EBUSY);
    CHECK_RC("map_hypervisor_frame_ro",
             hc_update_va_mapping(VA(40), ((u64)hvf << 12) | PTE_KERN_RO, UVMF_INVLPG), -XEN_EBUSY);

    /* Our own page tables: never writable. */
    CHECK_RC("map_own_l1_rw",
             hc_update_va_mapping(VA(40), ((u64)l1mfn << 12) | PTE_KERN_RW, UVMF_INVLPG),
             -XEN_EBUSY);
    CHECK_RC("map_own_l4_rw",
             hc_update_va_mapping(VA(40), ((u64)cur_l4_mfn() << 12) | PTE_KERN_RW, UVMF_INVLPG),
             -XEN_EBUSY);
    CHECK_RC("map_own_l1_ro_ok",
             hc_update_va_mapping(VA(40), ((u64)l1mfn << 12) | PTE_KERN_RO, UVMF_INVLPG), 0);
    CHECK_RC("make_own_l4_writable", make_writable(l4), -XEN_EBUSY);
    hc_update_va_mapping(VA(40), 0, UVMF_INVLPG);

    /* A page that is mapped writable cannot be pinned or linked as a table. */
    {
        u64 *t = page_alloc();
        u64 *l2e = pte_of(VA(40), 2);
        CHECK_RC("pin_writable_page", pin_table(1, t), -XEN_EINVAL);
        CHECK_RC("link_writable_page_as_l1",
                 mmu1(va_to_ma(l2e + 100), ((u64)va_to_mfn(t) << 12) | PTE_TABLE), -XEN_EINVAL);
    }

    /* The hypervisor's part of the L4 cannot be changed. */
    CHECK_RC("l4_hypervisor_slot", mmu1(va_to_ma(&l4[260]), 0), -XEN_EINVAL);
    CHECK_RC("l4_hypervisor_slot_m2p", mmu1(va_to_ma(&l4[256]), 0), -XEN_EINVAL);

    /* Memory accesses into the hypervisor. */
    CHECK("write_m2p_faults", access_faults(HV_ADDR_M2P, true, 14));
    CHECK_EQ("write_m2p_err_write_present", last_trap.err & 3, 3);
    CHECK("read_m2p_ok", !access_faults(HV_ADDR_M2P, false, 14));
    CHECK("read_xen_directmap_faults", access_faults(HV_ADDR_XEN, false, 14));
    check_meltdown_isolation(last_trap.err);
    CHECK("read_noncanonical_gp", access_faults(BAD_NONCANON, false, 13));

    /* Privileged selectors. */
    {
        u16 sel = 0xe010;
        trap_expect(13);
        __asm__ volatile("1: movw %0, %%ss\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(sel));
        CHECK_EQ("load_ring0_ss_gp", last_trap.vector, 13);
        sel = 0xe008;
        trap_expect(13);
        __asm__ volatile("1: movw %0, %%es\n2:\n" EXTABLE_ENTRY(1b, 2b) : : "r"(sel));
        CHECK_EQ("load_ring0_code_es_gp", last_trap.vector, 13);
        __asm__ volatile("movw %0, %%es" : : "r"((u16)0));
    }

    /* Forbidden MSR writes. */
    {
        static const u32 msrs[] = {0xc0000082 /* LSTAR */, 0xc0000081 /* STAR */,
                                   0x174 /* SYSENTER_CS */, 0x1d9 /* DEBUGCTL */};
        for (size_t i = 0; i < ARRAY_SIZE(msrs); i++) {
            char n[48];
            trap_expect(13);
            __asm__ volatile("1: wrmsr\n2:\n" EXTABLE_ENTRY(1b, 2b)
                             :
                             : "c"(msrs[i]), "a"(0x1000), "d"(0));
            trap_expect_clear();
            snprintf(n, sizeof(n), "wrmsr_0x%x_refused", msrs[i]);
            CHECK_EQ(n, last_trap.vector, 13);
        }
    }

    /* Hypercall arguments aimed at the hypervisor. */
    CHECK_RC("mmu_update_reqs_in_xen", hc_mmu_update(HV_ADDR_XEN + 0x1000, 4, NULL, DOMID_SELF),
             -XEN_EFAULT);
    CHECK_RC("mmu_update_done_in_m2p", ({
                 mmu_update_t r = {pte_ma(VA(42)), 0};
                 hc_mmu_update(&r, 1, (void *)HV_ADDR_M2P, DOMID_SELF);
             }),
             0);
    CHECK_RC("multicall_list_in_m2p", hc_multicall(HV_ADDR_M2P, 1), -XEN_EFAULT);
    CHECK_RC("xen_version_out_to_m2p", hc_xen_version(1, HV_ADDR_M2P), -XEN_EFAULT);
    CHECK_RC("event_op_in_xen", hc_event_channel_op(6, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("vcpu_op_in_xen", hc_vcpu_op(4, 0, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("set_gdt_list_in_xen", hc_set_gdt(HV_ADDR_XEN, 1), -XEN_EFAULT);
    CHECK_RC("update_descriptor_xen_ma", hc_update_descriptor((u64)hvf << 12, 0), -XEN_EINVAL);
    CHECK_RC("update_va_mapping_in_xen", hc_update_va_mapping(HV_ADDR_M2P, 0, UVMF_INVLPG),
             -XEN_EINVAL);
    /* A ring-0 stack selector is not refused: its RPL is forced to 3. */
    CHECK_RC("stack_switch_ring0_ss_fixed_up", hc_stack_switch(0xe010, (u64)boot_stack_top), 0);
    hc_stack_switch(FLAT_KERNEL_SS, (u64)boot_stack_top);
    CHECK_RC("trap_table_in_xen", hc_set_trap_table(HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("alive", hc_xen_version(0, 0) > 0 ? 0 : -1, 0);
}
