/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Memory management: the frame table (one struct page_info per machine
 * frame), the boot allocator that runs before it, the buddy page allocator
 * and the small object heap.
 *
 *   bootmem.c     boot allocator over the sanitized e820 map
 *   page_alloc.c  buddy allocator over the frame table
 *   xmalloc.c     power-of-two object heap on top of the page allocator
 */
#ifndef PVX_MM_H
#define PVX_MM_H

#include <pvx/e820.h>
#include <pvx/types.h>

struct domain;

/*
 * One descriptor per machine frame.  count_info and type_info carry the
 * reference counts and page-table types of the PV MMU; the allocator only
 * uses the free-list fields and PGC_free.
 */
struct page_info {
    uint32_t next_free, prev_free; /* free-list links (frame numbers) */
    uint32_t order;                /* order of the free block this page heads */
    uint32_t nr_validated;         /* PGT_partial: entries already checked (the PV MMU) */
    uint64_t count_info;           /* PGC_* flags | general reference count */
    uint64_t type_info;            /* PGT_* type | type reference count */
    struct domain *owner;
};

#define PGC_free       (1ULL << 63) /* on a free list */
#define PGC_free_head  (1ULL << 62) /* first page of a free block */
#define PGC_reserved   (1ULL << 61) /* never RAM for the allocator (hole, image, firmware) */
#define PGC_xen_heap   (1ULL << 60) /* owned by the hypervisor */
#define PGC_pvx_shared (1ULL << 59) /* pvx's page lent to its owner (shared_info, grant frames) */
#define PGC_count_mask ((1ULL << 48) - 1)

#define INVALID_MFN_32 0xffffffffu
#define MAX_ORDER      18 /* 1 GiB blocks */

extern struct page_info *frame_table;
extern uint64_t max_page; /* one past the highest frame described */

static inline struct page_info *mfn_to_page(mfn_t mfn)
{
    return &frame_table[mfn];
}

static inline mfn_t page_to_mfn(const struct page_info *pg)
{
    return (mfn_t)(pg - frame_table);
}

/* bootmem.c */
void bootmem_init(const struct e820_map *m);
void bootmem_reserve(paddr_t start, paddr_t end);
paddr_t bootmem_alloc(uint64_t size, uint64_t align); /* panics when out of memory */
paddr_t bootmem_alloc_below(uint64_t size, uint64_t align, paddr_t limit);
/* Hand every byte still free to fn and stop the boot allocator. */
void bootmem_release(void (*fn)(paddr_t start, paddr_t end));
uint64_t bootmem_free_bytes(void);

/* page_alloc.c */
void page_alloc_init(uint64_t nr_frames); /* frame_table must describe nr_frames */
void page_alloc_add_range(paddr_t start, paddr_t end);
struct page_info *alloc_pages(unsigned int order);
/* The same, entirely below machine frame `limit` (DMA-able memory). */
struct page_info *alloc_pages_below(unsigned int order, uint64_t limit);
void free_pages(struct page_info *pg, unsigned int order);
uint64_t page_alloc_free_pages(void);
uint64_t page_alloc_total_pages(void);

/* Direct-mapped hypervisor pages (arch provides maddr <-> virt). */
void *alloc_xenheap_pages(unsigned int order);
void free_xenheap_pages(void *va, unsigned int order);

/* xmalloc.c */
void *xmalloc_bytes(size_t size);
void *xzalloc_bytes(size_t size);
void xfree(void *p);
#define xmalloc(type)          ((type *)xmalloc_bytes(sizeof(type)))
#define xzalloc(type)          ((type *)xzalloc_bytes(sizeof(type)))
#define xzalloc_array(type, n) ((type *)xzalloc_array_bytes(sizeof(type), (n)))
void *xzalloc_array_bytes(size_t size, size_t n);

unsigned int get_order_from_bytes(uint64_t size);

#endif
