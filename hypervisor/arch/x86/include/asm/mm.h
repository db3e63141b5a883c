/* SPDX-License-Identifier: GPL-2.0-only */
/* Hypervisor page tables: the direct map and mapping helpers (paging.c). */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <asm/page.h>
#include <pvx/types.h>

static inline void *maddr_to_virt(paddr_t ma)
{
    return (void *)(DIRECTMAP_VIRT_START + ma);
}

static inline paddr_t virt_to_maddr(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_END)
        return v - DIRECTMAP_VIRT_START;
    return v - PVX_IMAGE_VIRT_BASE; /* an address inside the image */
}

/* Map [pa, pa+size) uncached in the ioremap area; returns its address. */
void *ioremap(paddr_t pa, uint64_t size);

/* Map one range into the hypervisor page tables (any L4 slot of pvx's). */
int map_pages(uint64_t va, paddr_t pa, uint64_t nr_pages, uint64_t flags);

/* The machine address behind a hypervisor virtual address (0 if unmapped). */
paddr_t virt_to_maddr_walk(uint64_t va);

/* Physical address of the hypervisor's own L4 (the idle page tables). */
extern paddr_t idle_l4_maddr;

#endif
