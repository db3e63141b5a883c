/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's own page tables ("idle" tables).  Built once at boot from
 * the sanitized memory map: a direct map of every RAM region (largest pages
 * that fit), the image with per-section permissions (text RX, read-only data
 * RO+NX, data RW+NX), and the frame table.  The identity map of the boot
 * tables is gone afterwards; the low half belongs to guests.
 */
#include <asm/config.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/mm.h>

extern const char _stext[], _etext[], __ro_start[], __ro_end[], __bss_end[];

paddr_t idle_l4_maddr;
static bool have_1g_pages;
static uint64_t ioremap_next = IOREMAP_VIRT_START;

void *arch_maddr_to_virt(paddr_t ma)
{
    return maddr_to_virt(ma);
}

paddr_t arch_virt_to_maddr(const void *va)
{
    return virt_to_maddr(va);
}

/* Page-table pages come from the boot allocator (below 4 GiB, where the boot
 * tables reach) until the page allocator takes over. */
static paddr_t alloc_pt_page(void)
{
    paddr_t pa;

    if (page_alloc_total_pages()) {
        struct page_info *pg = alloc_pages(0);

        if (!pg)
            return 0;
        pa = page_to_mfn(pg) << PAGE_SHIFT;
    } else {
        pa = bootmem_alloc_below(PAGE_SIZE, PAGE_SIZE, GiB(4));
    }
    memset(maddr_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

/* Intermediate entries carry _PAGE_USER only where guests may read the
 * mapping (the read-only M2P); x86 checks the bit at every level. */
static pte_t *next_table(pte_t *table, unsigned int index, uint64_t leaf_flags)
{
    if (!(table[index] & _PAGE_PRESENT)) {
        paddr_t pa = alloc_pt_page();

        if (!pa)
            return NULL;
        table[index] = pa | PAGE_TABLE_FLAGS | (leaf_flags & _PAGE_USER);
    }
    BUG_ON(table[index] & _PAGE_PSE);
    return maddr_to_virt(table[index] & PTE_ADDR_MASK);
}

static int map_one(pte_t *l4, uint64_t va, paddr_t pa, uint64_t left, uint64_t flags,
                   uint64_t *mapped)
{
    pte_t *l3, *l2, *l1;
    bool big_ok = !(flags & _PAGE_PSE);

    flags &= ~_PAGE_PSE;
    l3 = next_table(l4, l4_index(va), flags);
    if (!l3)
        return -ENOMEM;
    if (!big_ok)
        goto small;
    if (have_1g_pages && !((va | pa) & (GiB(1) - 1)) && left >= GiB(1)) {
        l3[l3_index(va)] = pa | flags | _PAGE_PSE;
        *mapped = GiB(1);
        return 0;
    }
    l2 = next_table(l3, l3_index(va), flags);
    if (!l2)
        return -ENOMEM;
    if (!((va | pa) & (MiB(2) - 1)) && left >= MiB(2)) {
        l2[l2_index(va)] = pa | flags | _PAGE_PSE;
        *mapped = MiB(2);
        return 0;
    }
small:
    l2 = next_table(l3, l3_index(va), flags);
    if (!l2)
        return -ENOMEM;
    l1 = next_table(l2, l2_index(va), flags);
    if (!l1)
        return -ENOMEM;
    l1[l1_index(va)] = pa | flags;
    *mapped = PAGE_SIZE;
    return 0;
}

/* Map nr_pages frames at va; _PAGE_PSE in flags forbids superpages. */
static int map_range(pte_t *l4, uint64_t va, paddr_t pa, uint64_t size, uint64_t flags)
{
    while (size) {
        uint64_t done;
        int rc = map_one(l4, va, pa, size, flags, &done);

        if (rc)
            return rc;
        va += done;
        pa += done;
        size -= done;
    }
    return 0;
}

int map_pages(uint64_t va, paddr_t pa, uint64_t nr_pages, uint64_t flags)
{
    int rc =
        map_range(maddr_to_virt(idle_l4_maddr), va, pa, nr_pages << PAGE_SHIFT, flags | _PAGE_PSE);

    for (uint64_t i = 0; i < nr_pages; i++)
        invlpg((void *)(va + (i << PAGE_SHIFT)));
    return rc;
}

void *ioremap(paddr_t pa, uint64_t size)
{
    uint64_t off = pa & (PAGE_SIZE - 1), va = ioremap_next;
    uint64_t pages = PFN_UP(off + size);

    if (map_pages(va, pa - off, pages, PAGE_HYPERVISOR_UC))
        panic("ioremap: out of memory mapping %#llx", (unsigned long long)pa);
    ioremap_next += (pages + 1) << PAGE_SHIFT; /* leave a guard page */
    return (void *)(va + off);
}

static void map_image(pte_t *l4)
{
    uint64_t text = (uint64_t)_stext, ro = (uint64_t)__ro_start;
    uint64_t rw = (uint64_t)__ro_end, end = ROUNDUP((uint64_t)__bss_end, PAGE_SIZE);

    /* 4 KiB pages (_PAGE_PSE = no superpages) so each section gets its rights. */
    BUG_ON(map_range(l4, text, virt_to_maddr(_stext), ro - text, PAGE_HYPERVISOR_RX | _PAGE_PSE));
    BUG_ON(map_range(l4, ro, virt_to_maddr(__ro_start), rw - ro, PAGE_HYPERVISOR_RO | _PAGE_PSE));
    BUG_ON(map_range(l4, rw, virt_to_maddr(__ro_end), end - rw, PAGE_HYPERVISOR_RW | _PAGE_PSE));
}

void arch_image_range(paddr_t *start, paddr_t *end)
{
    extern const char __image_phys_start[], __image_phys_end[];

    /* Linker symbols that are physical addresses; read them as absolutes. */
    __asm__("movabs $__image_phys_start, %0" : "=r"(*start));
    __asm__("movabs $__image_phys_end, %0" : "=r"(*end));
    (void)__image_phys_start;
    (void)__image_phys_end;
}

void arch_memory_setup(const struct e820_map *m)
{
    uint32_t a, b, c, d;
    uint64_t ram_end = e820_ram_end(m), nr_frames = PFN_UP(ram_end);
    uint64_t ft_size = ROUNDUP(nr_frames * sizeof(struct page_info), MiB(2));
    paddr_t ft_pa;
    pte_t *l4;

    cpuid_count(0x80000001, 0, &a, &b, &c, &d);
    have_1g_pages = d & (1u << 26);
    if (ram_end > DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START)
        panic("RAM ends at %#llx, beyond the %llu GiB direct map", (unsigned long long)ram_end,
              (unsigned long long)((DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START) >> 30));

    idle_l4_maddr = alloc_pt_page();
    l4 = maddr_to_virt(idle_l4_maddr);

    for (unsigned int i = 0; i < m->nr; i++)
        if (m->map[i].type == E820_RAM)
            BUG_ON(map_range(l4, DIRECTMAP_VIRT_START + m->map[i].addr, m->map[i].addr,
                             m->map[i].size, PAGE_HYPERVISOR_RW));
    map_image(l4);

    ft_pa = bootmem_alloc(ft_size, MiB(2));
    BUG_ON(map_range(l4, FRAMETABLE_VIRT_START, ft_pa, ft_size, PAGE_HYPERVISOR_RW));

    write_cr3(idle_l4_maddr);
    printk("Paging: hypervisor at %#llx, direct map of %llu MiB at %#llx, %s pages\n",
           (unsigned long long)PVX_IMAGE_VIRT_BASE, (unsigned long long)(ram_end >> 20),
           (unsigned long long)DIRECTMAP_VIRT_START, have_1g_pages ? "1 GiB" : "2 MiB");

    frame_table = (struct page_info *)FRAMETABLE_VIRT_START;
    page_alloc_init(nr_frames);
    printk("Frame table: %llu frames, %llu KiB at %#llx\n", (unsigned long long)nr_frames,
           (unsigned long long)(nr_frames * sizeof(struct page_info) >> 10),
           (unsigned long long)FRAMETABLE_VIRT_START);
}

paddr_t virt_to_maddr_walk(uint64_t va)
{
    const pte_t *t = maddr_to_virt(idle_l4_maddr);
    unsigned int shift = L4_SHIFT;

    for (;;) {
        pte_t e = t[(va >> shift) & 511];

        if (!(e & _PAGE_PRESENT))
            return 0;
        if (shift == L1_SHIFT || (e & _PAGE_PSE))
            return (e & PTE_ADDR_MASK & ~((1ULL << shift) - 1)) | (va & ((1ULL << shift) - 1));
        t = maddr_to_virt(e & PTE_ADDR_MASK);
        shift -= 9;
    }
}
