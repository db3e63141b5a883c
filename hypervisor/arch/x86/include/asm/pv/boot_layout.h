/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV boot protocol, shared by both domain builders: pvx's own (boot-time
 * domains, pv/dom0_build.c) and the toolstack's in dom0 user space
 * (dom0-tools/guest/), which compiles pv/boot_layout.c unchanged.  So a
 * domain built from dom0 is laid out exactly as one built at boot.
 *
 * The bootstrap region starts at the kernel's VIRT_BASE, is virtually
 * contiguous and page-aligned, and pfn = (va - VIRT_BASE) / 4 KiB:
 *
 *   [pad to kernel] kernel image | initrd (only if the kernel cannot take it
 *   by pfn) | p2m list | start_info | [xenstore page | console page] |
 *   page tables (L4, L3s, L2s, L1s) | boot stack | slack up to a 4 MiB
 *   boundary with at least 512 KiB spare
 *
 * then, unmapped, the initrd by pfn (SIF_MOD_START_PFN).
 */
#ifndef ASM_PV_BOOT_LAYOUT_H
#define ASM_PV_BOOT_LAYOUT_H

#include <asm/page.h>
#include <pvx/elf.h>
#include <pvx/types.h>
#include <public/xen.h>

struct pv_boot_layout {
    uint64_t nr_pages;
    uint64_t kernel_start, kernel_end; /* VAs */
    uint64_t initrd_va, initrd_len;    /* mapped initrd (0 = none) */
    uint64_t p2m_va, start_info_va, pt_va, stack_va, v_end;
    bool console_page; /* a domU: xenstore and console pages */
    uint64_t store_va, console_va;
    unsigned int nr_l3, nr_l2, nr_l1, nr_pt;
    uint64_t initrd_pfn; /* unmapped initrd (mod_start_pfn) */
};

/* NULL if pvx can run kernel k (as dom0 when privileged), else why not. */
const char *pv_boot_check_features(const struct pv_kernel_info *k, bool privileged);

/*
 * Lay out the bootstrap region for kernel k and an initrd of initrd_size
 * bytes (0: none).  l->nr_pages and l->console_page are IN; the rest OUT.
 */
void pv_boot_layout(struct pv_boot_layout *l, const struct pv_kernel_info *k, uint64_t initrd_size);

/* Pages the domain needs at least: the region, plus an initrd by pfn. */
uint64_t pv_boot_min_pages(const struct pv_boot_layout *l, const struct pv_kernel_info *k,
                           uint64_t initrd_size);

static inline uint64_t pv_boot_va_to_pfn(const struct pv_kernel_info *k, uint64_t va)
{
    return (va - k->virt_base) >> PAGE_SHIFT;
}

/* A builder's view of the new domain's memory: pointer to pseudo-physical
 * page pfn (which the caller has zeroed). */
typedef void *(*pv_boot_page_fn)(void *ctx, uint64_t pfn);

/*
 * Write the bootstrap page tables: L4, then L3s, L2s, L1s, in that order
 * (Linux finds its builder's tables by that order), mapping the whole region
 * with the page tables read-only.  Entries are written as a guest would
 * write them; validation (pinning the L4) adds what pvx forces.  Pvx's own
 * L4 slots are left to validation too.  Returns the L4's pfn.
 */
uint64_t pv_boot_write_page_tables(const struct pv_boot_layout *l, const struct pv_kernel_info *k,
                                   const xen_pfn_t *p2m, pv_boot_page_fn page, void *ctx);

/* What start_info says besides the layout. */
struct pv_boot_info {
    uint64_t shared_info_mfn;
    uint32_t flags; /* SIF_* */
    uint64_t initrd_size;
    const char *cmdline;
    uint64_t store_mfn, console_mfn; /* domUs */
    uint32_t store_evtchn, console_evtchn;
};

/* Fill the start_info page si (PAGE_SIZE bytes). */
void pv_boot_fill_start_info(struct start_info *si, const struct pv_boot_layout *l,
                             const struct pv_kernel_info *k, const struct pv_boot_info *bi);

/* The register state vCPU 0 starts with: entry point, stack, start_info. */
void pv_boot_initial_regs(const struct pv_boot_layout *l, const struct pv_kernel_info *k,
                          uint64_t *rip, uint64_t *rsp, uint64_t *rsi);

#endif /* ASM_PV_BOOT_LAYOUT_H */
