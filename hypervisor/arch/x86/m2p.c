/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine-to-phys table (M2P): one 8-byte entry per machine frame
 * holding the guest pseudo-physical frame number it backs.  pvx writes it
 * through a read-write mapping (slot 257); every PV guest sees the same
 * frames read-only at RO_MPT_VIRT_START (slot 256), as the ABI promises.
 */
#include <asm/config.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv/mm.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/bootinfo.h>
#include <pvx/domain.h>

static uint64_t *const m2p_rw = (uint64_t *)RDWR_MPT_VIRT_START;
static uint64_t m2p_entries;

void m2p_init(void);
void m2p_init(void)
{
    uint64_t pages = PFN_UP(max_page * sizeof(uint64_t));

    for (uint64_t i = 0; i < pages; i++) {
        struct page_info *pg = alloc_pages(0);
        paddr_t pa;

        if (!pg)
            panic("out of memory for the machine-to-phys table");
        pg->count_info |= PGC_xen_heap;
        pa = page_to_mfn(pg) << PAGE_SHIFT;
        memset(maddr_to_virt(pa), 0xff, PAGE_SIZE); /* INVALID_M2P_ENTRY */
        BUG_ON(map_pages(RDWR_MPT_VIRT_START + i * PAGE_SIZE, pa, 1, PAGE_HYPERVISOR_RW));
        BUG_ON(map_pages(RO_MPT_VIRT_START + i * PAGE_SIZE, pa, 1,
                         _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX));
    }
    m2p_entries = max_page;
    printk("M2P: %llu entries (%llu KiB) at %#llx, read-only for guests at %#llx\n",
           (unsigned long long)m2p_entries, (unsigned long long)(pages * 4),
           (unsigned long long)RDWR_MPT_VIRT_START, (unsigned long long)RO_MPT_VIRT_START);
}

void set_gpfn_from_mfn(mfn_t mfn, uint64_t pfn)
{
    ASSERT(mfn < m2p_entries);
    m2p_rw[mfn] = pfn;
}

mfn_t m2p_frame(uint64_t entry)
{
    return virt_to_maddr_walk(RDWR_MPT_VIRT_START + entry * sizeof(uint64_t)) >> PAGE_SHIFT;
}

uint64_t get_gpfn_from_mfn(mfn_t mfn)
{
    return mfn < m2p_entries ? m2p_rw[mfn] : INVALID_M2P_ENTRY;
}

void arch_init_guest_l4(struct domain *d, pte_t *l4)
{
    const pte_t *idle = maddr_to_virt(idle_l4_maddr);

    (void)d;
    for (unsigned int slot = PVX_FIRST_L4_SLOT; slot <= PVX_LAST_L4_SLOT; slot++)
        l4[slot] = idle[slot];
}

void flush_tlb_local(void)
{
    write_cr3(read_cr3());
}

void flush_tlb_one_local(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

void pv_write_ptbase(struct vcpu *v)
{
    mfn_t table;

    if (v != current)
        return;
    table = v->arch.kernel_mode ? v->arch.guest_table : v->arch.guest_table_user;
    if (table)
        write_cr3(table << PAGE_SHIFT);
}

void flush_cache_local(void)
{
    __asm__ volatile("wbinvd" ::: "memory");
}

bool arch_iomem_mappable(const struct domain *d, mfn_t mfn)
{
    paddr_t pa = mfn << PAGE_SHIFT;

    uint32_t a, b, c, dx;

    if (!d->is_privileged && !rangeset_contains(&d->iomem_caps, mfn, mfn))
        return false;
    /* Nothing beyond the CPU's physical address width exists. */
    cpuid_count(0x80000008, 0, &a, &b, &c, &dx);
    if (pa >> (a & 0xff))
        return false;
    /* The local APIC and I/O APIC pages drive pvx's own interrupts. */
    if (mfn == 0xfee00 || mfn == 0xfec00)
        return false;
    /* RAM above 1 MiB that the allocator does not own is pvx's: its image,
     * page tables, frame table and boot modules.  The first MiB holds only
     * firmware data (pvx never uses it), which Linux reads (DMI, EBDA). */
    return pa < MiB(1) || !e820_is_ram(&bootinfo.mem, pa, pa + PAGE_SIZE);
}
