/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV boot protocol (asm/pv/boot_layout.h): where a new domain's kernel,
 * initrd, p2m list, start_info, page tables and stack go, and what its
 * page tables and start_info say.  Pure computation over memory the caller
 * provides, so that the toolstack's builder in dom0 compiles this file too.
 */
#include <asm/pv/boot_layout.h>
#include <pvx/lib.h>
#include <public/features.h>

#define SLACK     KiB(512)
#define ROUND_END MiB(4)

const char *pv_boot_check_features(const struct pv_kernel_info *k, bool privileged)
{
    const uint32_t offered = (1u << XENFEAT_writable_page_tables) |
                             (1u << XENFEAT_pae_pgdir_above_4gb) | (1u << XENFEAT_dom0);

    if (k->features_required & ~offered)
        return "the kernel requires features pvx does not offer to PV guests";
    if (privileged && k->features_supported && !(k->features_supported & (1u << XENFEAT_dom0)))
        return "the kernel does not support running as dom0 (SUPPORTED_FEATURES lacks dom0)";
    return NULL;
}

static unsigned int count_tables(uint64_t start, uint64_t end, unsigned int shift)
{
    return (unsigned int)(((end - 1) >> shift) - (start >> shift) + 1);
}

/* Page-table counts depend on the region's end, which depends on the
 * counts, so iterate to a fixed point. */
void pv_boot_layout(struct pv_boot_layout *l, const struct pv_kernel_info *k, uint64_t initrd_size)
{
    uint64_t va = ROUNDUP(k->virt_kend, PAGE_SIZE);

    l->kernel_start = k->virt_kstart;
    l->kernel_end = va;
    l->initrd_va = l->initrd_len = 0;
    if (initrd_size && !k->mod_start_pfn) {
        l->initrd_va = va;
        l->initrd_len = initrd_size;
        va += ROUNDUP(initrd_size, PAGE_SIZE);
    }
    l->p2m_va = va;
    va += ROUNDUP(l->nr_pages * sizeof(xen_pfn_t), PAGE_SIZE);
    l->start_info_va = va;
    va += PAGE_SIZE;
    l->store_va = l->console_va = 0;
    if (l->console_page) {
        l->store_va = va;
        l->console_va = va + PAGE_SIZE;
        va += 2 * PAGE_SIZE;
    }
    l->pt_va = va;
    l->nr_pt = 0;
    for (;;) {
        uint64_t end = ROUNDUP(va + (uint64_t)l->nr_pt * PAGE_SIZE + PAGE_SIZE + SLACK, ROUND_END);
        unsigned int l3 = count_tables(k->virt_base, end, L4_SHIFT);
        unsigned int l2 = count_tables(k->virt_base, end, L3_SHIFT);
        unsigned int l1 = count_tables(k->virt_base, end, L2_SHIFT);

        if (1 + l3 + l2 + l1 == l->nr_pt) {
            l->nr_l3 = l3;
            l->nr_l2 = l2;
            l->nr_l1 = l1;
            l->stack_va = va + (uint64_t)l->nr_pt * PAGE_SIZE;
            l->v_end = end;
            break;
        }
        l->nr_pt = 1 + l3 + l2 + l1;
    }
    l->initrd_pfn = (l->v_end - k->virt_base) >> PAGE_SHIFT;
}

uint64_t pv_boot_min_pages(const struct pv_boot_layout *l, const struct pv_kernel_info *k,
                           uint64_t initrd_size)
{
    return ((l->v_end - k->virt_base) >> PAGE_SHIFT) +
           (initrd_size && k->mod_start_pfn ? PFN_UP(initrd_size) : 0);
}

uint64_t pv_boot_write_page_tables(const struct pv_boot_layout *l, const struct pv_kernel_info *k,
                                   const xen_pfn_t *p2m, pv_boot_page_fn page, void *ctx)
{
    const uint64_t base = k->virt_base, pt_pfn = pv_boot_va_to_pfn(k, l->pt_va);
    const uint64_t l3_first = pt_pfn + 1, l2_first = l3_first + l->nr_l3;
    const uint64_t l1_first = l2_first + l->nr_l2;
    const uint64_t upper = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER;
    pte_t *l4 = page(ctx, pt_pfn);

    for (uint64_t va = base; va < l->v_end; va += PAGE_SIZE) {
        uint64_t pfn = pv_boot_va_to_pfn(k, va);
        uint64_t l3i = l3_first + ((va >> L4_SHIFT) - (base >> L4_SHIFT));
        uint64_t l2i = l2_first + ((va >> L3_SHIFT) - (base >> L3_SHIFT));
        uint64_t l1i = l1_first + ((va >> L2_SHIFT) - (base >> L2_SHIFT));
        pte_t *l3 = page(ctx, l3i), *l2 = page(ctx, l2i), *l1 = page(ctx, l1i);
        /* A kernel mapping (no _PAGE_USER), as the guest itself writes them. */
        uint64_t flags = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;

        l4[l4_index(va)] = (p2m[l3i] << PAGE_SHIFT) | upper;
        l3[l3_index(va)] = (p2m[l2i] << PAGE_SHIFT) | upper;
        l2[l2_index(va)] = (p2m[l1i] << PAGE_SHIFT) | upper;
        /* Page tables are mapped read-only, everything else read-write. */
        if (pfn >= pt_pfn && pfn < pt_pfn + l->nr_pt)
            flags &= ~_PAGE_RW;
        l1[l1_index(va)] = (p2m[pfn] << PAGE_SHIFT) | flags;
    }
    return pt_pfn;
}

/* Copy a C string into a zeroed buffer of len bytes, cut to fit. */
static void put_string(char *dst, const char *src, size_t len)
{
    memcpy(dst, src, strnlen(src, len - 1));
}

void pv_boot_fill_start_info(struct start_info *si, const struct pv_boot_layout *l,
                             const struct pv_kernel_info *k, const struct pv_boot_info *bi)
{
    memset(si, 0, PAGE_SIZE);
    put_string(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
    si->nr_pages = l->nr_pages;
    si->shared_info = bi->shared_info_mfn << PAGE_SHIFT;
    si->flags = bi->flags;
    si->pt_base = l->pt_va;
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->p2m_va;
    if (bi->initrd_size) {
        if (l->initrd_va) {
            si->mod_start = l->initrd_va;
        } else {
            si->mod_start = l->initrd_pfn;
            si->flags |= SIF_MOD_START_PFN;
        }
        si->mod_len = k->mod_start_pfn ? ROUNDUP(bi->initrd_size, PAGE_SIZE) : bi->initrd_size;
    }
    put_string((char *)si->cmd_line, bi->cmdline ? bi->cmdline : "", sizeof(si->cmd_line));
    if (l->console_page) {
        si->store_mfn = bi->store_mfn;
        si->store_evtchn = bi->store_evtchn;
        si->console.domU.mfn = bi->console_mfn;
        si->console.domU.evtchn = bi->console_evtchn;
    }
}

void pv_boot_initial_regs(const struct pv_boot_layout *l, const struct pv_kernel_info *k,
                          uint64_t *rip, uint64_t *rsp, uint64_t *rsi)
{
    *rip = k->entry;
    *rsp = l->stack_va + PAGE_SIZE;
    *rsi = l->start_info_va;
}
