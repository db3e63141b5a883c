/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Meltdown isolation for PV guests (xpti=, asm/hardening.h).  On an
 * affected CPU a guest in ring 3 can read, speculatively, anything its page
 * tables map, supervisor-only or not.  So while a guest runs, CR3 holds a
 * per-CPU root table instead of the guest's L4: the guest's own slots are
 * copied from its L4 on the way out with slot 256 (the read-only M2P, which
 * every guest L4 carries), and of the rest of pvx only what the
 * CPU and the entry code touch before they are back on the full tables:
 *
 *   entry.S's text and its data page, the IDT, this CPU's GDT, LDT and
 *   TSS, and of its stack block the IST stacks and the page(s) holding
 *   struct cpu_info (where a guest's frame lands)
 *
 * each mapped at its usual address, so no code knows which table is
 * loaded.  Each entry (entry.S, XPTI_ENTER) loads the full tables, the
 * running guest's L4 with all of pvx's slots, from cpu_info.xpti_full_cr3;
 * each exit to a guest goes through xpti_exit() below.  Every piece is per
 * CPU (the root table, the stack block, GDT/LDT/TSS), ready for more CPUs.
 */
#include <asm/config.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/hardening.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/percpu.h>

extern const char __entry_text_start[], __entry_text_end[];
extern const char __entry_data_start[], __entry_data_end[];
extern paddr_t idle_l4_maddr;

struct xpti_cpu {
    pte_t *root;         /* the root table, through the direct map */
    uint64_t synced_cr3; /* the guest L4 whose slots root holds; 0 = none */
};
static struct xpti_cpu xpti_cpus[NR_CPUS];

static pte_t *alloc_table(void)
{
    struct page_info *pg = alloc_pages(0);
    pte_t *t;

    if (!pg)
        return NULL;
    t = maddr_to_virt(page_to_mfn(pg) << PAGE_SHIFT);
    memset(t, 0, PAGE_SIZE);
    return t;
}

/* The 4 KiB frame and leaf flags that map va in pvx's own tables. */
static bool idle_leaf(uint64_t va, paddr_t *pa, pte_t *flags)
{
    const pte_t *t = maddr_to_virt(idle_l4_maddr);

    for (unsigned int shift = L4_SHIFT;; shift -= 9) {
        pte_t e = t[(va >> shift) & (PT_ENTRIES - 1)];

        if (!(e & _PAGE_PRESENT))
            return false;
        if (shift == L1_SHIFT || (e & _PAGE_PSE)) {
            *pa = ((e & PTE_ADDR_MASK & ~((1ULL << shift) - 1)) | (va & ((1ULL << shift) - 1))) &
                  PAGE_MASK;
            *flags = e & ~PTE_ADDR_MASK & ~_PAGE_PSE;
            return true;
        }
        t = maddr_to_virt(e & PTE_ADDR_MASK);
    }
}

/* Map [va, va + size) in root as pvx maps it, with tables of root's own. */
static int clone_range(pte_t *root, uint64_t va, uint64_t size)
{
    for (uint64_t p = va & PAGE_MASK; p < va + size; p += PAGE_SIZE) {
        pte_t *t = root, flags;
        paddr_t pa;

        if (!idle_leaf(p, &pa, &flags))
            return -EINVAL;
        for (unsigned int shift = L4_SHIFT; shift > L1_SHIFT; shift -= 9) {
            pte_t *e = &t[(p >> shift) & (PT_ENTRIES - 1)];

            if (!(*e & _PAGE_PRESENT)) {
                pte_t *next = alloc_table();

                if (!next)
                    return -ENOMEM;
                *e = virt_to_maddr(next) | PAGE_TABLE_FLAGS;
            }
            t = maddr_to_virt(*e & PTE_ADDR_MASK);
        }
        t[l1_index(p)] = pa | flags;
    }
    return 0;
}

int xpti_init_cpu(unsigned int cpu, void *stack_block)
{
    char *block = stack_block;
    struct cpu_info *ci = (struct cpu_info *)(block + STACK_SIZE) - 1;
    uint64_t top = ROUNDDOWN((uint64_t)ci, PAGE_SIZE);
    struct desc_tables dt;
    pte_t *root = alloc_table();
    int rc;

    if (!root)
        return -ENOMEM;
    desc_cpu_tables(cpu, &dt);
    rc = clone_range(root, (uint64_t)__entry_text_start, __entry_text_end - __entry_text_start);
    if (!rc)
        rc = clone_range(root, (uint64_t)__entry_data_start, __entry_data_end - __entry_data_start);
    if (!rc)
        rc = clone_range(root, (uint64_t)dt.idt, dt.idt_size);
    if (!rc)
        rc = clone_range(root, (uint64_t)dt.gdt, dt.gdt_size);
    if (!rc)
        rc = clone_range(root, (uint64_t)dt.ldt, dt.ldt_size);
    if (!rc)
        rc = clone_range(root, (uint64_t)dt.tss, dt.tss_size);
    if (!rc) /* the IST stacks: #DF, NMI, #MC */
        rc = clone_range(root, (uint64_t)block + IST_DF * PAGE_SIZE, 3 * PAGE_SIZE);
    if (!rc)
        rc = clone_range(root, top, (uint64_t)block + STACK_SIZE - top);
    if (rc)
        return rc; /* the pages stay allocated: a boot-time failure, once */
    xpti_cpus[cpu].root = root;
    xpti_cpus[cpu].synced_cr3 = 0;
    ci->xpti_root_cr3 = virt_to_maddr(root);
    return 0;
}

uint64_t xpti_exit(void)
{
    struct cpu_info *ci = get_cpu_info();
    struct xpti_cpu *x;
    uint64_t cr3;

    if (!ci->xpti_root_cr3)
        return 0;
    x = &xpti_cpus[ci->processor_id];
    cr3 = read_cr3();
    /* The guest's slots below and above pvx's, and slot 256, the RO M2P,
     * which every guest L4 carries as pvx's own tables do. */
    if (x->synced_cr3 != cr3) {
        const pte_t *l4 = maddr_to_virt(cr3 & PTE_ADDR_MASK);

        memcpy(x->root, l4, (l4_index(RO_MPT_VIRT_START) + 1) * sizeof(pte_t));
        memcpy(x->root + PVX_LAST_L4_SLOT + 1, l4 + PVX_LAST_L4_SLOT + 1,
               (PT_ENTRIES - PVX_LAST_L4_SLOT - 1) * sizeof(pte_t));
        x->synced_cr3 = cr3;
    }
    ci->xpti_full_cr3 = cr3;
    return ci->xpti_root_cr3;
}

void xpti_guest_l4_changed(void)
{
    /* Every CPU: the changed L4 may be in use anywhere.  A CPU running a
     * guest takes the copy at its next exit; until then it runs on the old
     * copy, as a guest's own TLB would until it flushes. */
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        xpti_cpus[cpu].synced_cr3 = 0;
}
