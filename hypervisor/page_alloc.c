/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The buddy page allocator.  Free memory is kept as naturally aligned
 * blocks of 2^order frames on one list per order; the list links live in the
 * frame table.  Freeing a block merges it with its buddy as long as the
 * buddy is a free block of the same order.
 */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/mm.h>

struct page_info *frame_table;
uint64_t max_page;

static uint32_t free_head[MAX_ORDER + 1];
static uint64_t free_count, total_count;

static void list_add(unsigned int order, mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    pg->prev_free = INVALID_MFN_32;
    pg->next_free = free_head[order];
    if (free_head[order] != INVALID_MFN_32)
        mfn_to_page(free_head[order])->prev_free = (uint32_t)mfn;
    free_head[order] = (uint32_t)mfn;
    pg->order = order;
    pg->count_info = PGC_free | PGC_free_head;
}

static void list_del(unsigned int order, mfn_t mfn)
{
    struct page_info *pg = mfn_to_page(mfn);

    if (pg->prev_free != INVALID_MFN_32)
        mfn_to_page(pg->prev_free)->next_free = pg->next_free;
    else
        free_head[order] = pg->next_free;
    if (pg->next_free != INVALID_MFN_32)
        mfn_to_page(pg->next_free)->prev_free = pg->prev_free;
    pg->count_info &= ~PGC_free_head;
}

void page_alloc_init(uint64_t nr_frames)
{
    BUG_ON(nr_frames >= INVALID_MFN_32);
    max_page = nr_frames;
    for (unsigned int o = 0; o <= MAX_ORDER; o++)
        free_head[o] = INVALID_MFN_32;
    for (uint64_t i = 0; i < nr_frames; i++) {
        frame_table[i] = (struct page_info){0};
        frame_table[i].count_info = PGC_reserved;
    }
    free_count = total_count = 0;
}

/* Free one block: merge upward while the buddy is free at the same order. */
static void free_block(mfn_t mfn, unsigned int order)
{
    for (uint64_t i = 0; i < (1ULL << order); i++) {
        struct page_info *pg = mfn_to_page(mfn + i);

        BUG_ON(pg->count_info & PGC_free);
        pg->count_info = PGC_free;
        pg->owner = NULL;
        pg->type_info = 0;
    }
    free_count += 1ULL << order;
    while (order < MAX_ORDER) {
        mfn_t buddy = mfn ^ (1ULL << order);
        struct page_info *bp;

        if (buddy + (1ULL << order) > max_page)
            break;
        bp = mfn_to_page(buddy);
        if (!(bp->count_info & PGC_free_head) || bp->order != order)
            break;
        list_del(order, buddy);
        mfn &= ~(1ULL << order);
        order++;
    }
    list_add(order, mfn);
}

void page_alloc_add_range(paddr_t start, paddr_t end)
{
    mfn_t mfn = PFN_UP(start), last = PFN_DOWN(end);

    if (last > max_page)
        last = max_page;
    while (mfn < last) {
        unsigned int order = 0;

        /* The largest aligned block that starts here and fits. */
        while (order < MAX_ORDER && !(mfn & ((2ULL << order) - 1)) && mfn + (2ULL << order) <= last)
            order++;
        for (uint64_t i = 0; i < (1ULL << order); i++)
            mfn_to_page(mfn + i)->count_info = 0;
        total_count += 1ULL << order;
        free_block(mfn, order);
        mfn += 1ULL << order;
    }
}

/* The first free block of order o or above whose start leaves room for
 * 2^order frames below limit, or INVALID_MFN_32. */
static uint32_t find_block(unsigned int order, uint64_t limit, unsigned int *found_order)
{
    for (unsigned int o = order; o <= MAX_ORDER; o++) {
        for (uint32_t m = free_head[o]; m != INVALID_MFN_32; m = mfn_to_page(m)->next_free) {
            if (m + (1ULL << order) <= limit) {
                *found_order = o;
                return m;
            }
        }
    }
    return INVALID_MFN_32;
}

struct page_info *alloc_pages_below(unsigned int order, uint64_t limit)
{
    unsigned long flags;
    unsigned int o;
    mfn_t mfn;

    if (order > MAX_ORDER)
        return NULL;
    flags = arch_local_irq_save();
    mfn = find_block(order, limit, &o);
    if (mfn == INVALID_MFN_32) {
        arch_local_irq_restore(flags);
        return NULL;
    }
    list_del(o, mfn);
    /* Split: give the upper halves back until the block is the right size. */
    while (o > order) {
        o--;
        list_add(o, mfn + (1ULL << o));
    }
    for (uint64_t i = 0; i < (1ULL << order); i++) {
        struct page_info *pg = mfn_to_page(mfn + i);

        ASSERT(pg->count_info & PGC_free);
        pg->count_info = 0;
        pg->type_info = 0;
        pg->owner = NULL;
    }
    free_count -= 1ULL << order;
    arch_local_irq_restore(flags);
    return mfn_to_page(mfn);
}

struct page_info *alloc_pages(unsigned int order)
{
    return alloc_pages_below(order, UINT64_MAX);
}

void free_pages(struct page_info *pg, unsigned int order)
{
    unsigned long flags = arch_local_irq_save();
    mfn_t mfn = page_to_mfn(pg);

    BUG_ON(order > MAX_ORDER || (mfn & ((1ULL << order) - 1)) || mfn + (1ULL << order) > max_page);
    free_block(mfn, order);
    arch_local_irq_restore(flags);
}

uint64_t page_alloc_free_pages(void)
{
    return free_count;
}

uint64_t page_alloc_total_pages(void)
{
    return total_count;
}

unsigned int get_order_from_bytes(uint64_t size)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < size)
        order++;
    return order;
}

void *alloc_xenheap_pages(unsigned int order)
{
    struct page_info *pg = alloc_pages(order);

    if (!pg)
        return NULL;
    for (uint64_t i = 0; i < (1ULL << order); i++)
        pg[i].count_info |= PGC_xen_heap;
    return arch_maddr_to_virt((paddr_t)page_to_mfn(pg) << PAGE_SHIFT);
}

void free_xenheap_pages(void *va, unsigned int order)
{
    struct page_info *pg;

    if (!va)
        return;
    pg = mfn_to_page(arch_virt_to_maddr(va) >> PAGE_SHIFT);
    for (uint64_t i = 0; i < (1ULL << order); i++) {
        BUG_ON(!(pg[i].count_info & PGC_xen_heap));
        pg[i].count_info &= ~PGC_xen_heap;
    }
    free_pages(pg, order);
}
