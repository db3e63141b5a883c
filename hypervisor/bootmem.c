/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boot allocator: a list of free physical ranges taken from the
 * sanitized e820 map, minus what must not be touched (the first MiB, the
 * hypervisor image, boot modules, loader data).  It serves the few large,
 * permanent allocations made before the frame table exists (page tables,
 * the frame table itself) and then hands what is left to the page allocator.
 */
#include <pvx/lib.h>
#include <pvx/mm.h>

#define BOOTMEM_MAX_RANGES 256

static struct {
    paddr_t start, end;
} ranges[BOOTMEM_MAX_RANGES];
static unsigned int nr_ranges;
static bool released;

static void insert_range(unsigned int at, paddr_t start, paddr_t end)
{
    BUG_ON(nr_ranges == BOOTMEM_MAX_RANGES);
    for (unsigned int i = nr_ranges; i > at; i--)
        ranges[i] = ranges[i - 1];
    ranges[at].start = start;
    ranges[at].end = end;
    nr_ranges++;
}

static void remove_range(unsigned int at)
{
    for (unsigned int i = at; i + 1 < nr_ranges; i++)
        ranges[i] = ranges[i + 1];
    nr_ranges--;
}

void bootmem_init(const struct e820_map *m)
{
    nr_ranges = 0;
    released = false;
    for (unsigned int i = 0; i < m->nr; i++) {
        const struct e820_entry *e = &m->map[i];

        if (e->type == E820_RAM)
            insert_range(nr_ranges, e->addr, e->addr + e->size);
    }
}

void bootmem_reserve(paddr_t start, paddr_t end)
{
    start = ROUNDDOWN(start, PAGE_SIZE);
    end = ROUNDUP(end, PAGE_SIZE);
    for (unsigned int i = 0; i < nr_ranges; i++) {
        paddr_t rs = ranges[i].start, re = ranges[i].end;

        if (end <= rs || start >= re)
            continue;
        if (start <= rs && end >= re) {
            remove_range(i--);
        } else if (start <= rs) {
            ranges[i].start = end;
        } else if (end >= re) {
            ranges[i].end = start;
        } else {
            ranges[i].end = start;
            insert_range(i + 1, end, re);
            i++;
        }
    }
}

/* Allocate from the top of the highest range that fits, keeping low memory
 * (below 4 GiB, and DMA-able areas) for later users that need it. */
paddr_t bootmem_alloc(uint64_t size, uint64_t align)
{
    return bootmem_alloc_below(size, align, UINT64_MAX);
}

paddr_t bootmem_alloc_below(uint64_t size, uint64_t align, paddr_t limit)
{
    BUG_ON(released);
    size = ROUNDUP(size, PAGE_SIZE);
    if (align < PAGE_SIZE)
        align = PAGE_SIZE;
    for (unsigned int i = nr_ranges; i-- > 0;) {
        paddr_t start;

        paddr_t end = MIN(ranges[i].end, limit);

        if (end <= ranges[i].start || end - ranges[i].start < size)
            continue;
        start = ROUNDDOWN(end - size, align);
        if (start < ranges[i].start)
            continue;
        bootmem_reserve(start, start + size);
        return start;
    }
    panic("bootmem: out of memory allocating %llu bytes", (unsigned long long)size);
}

uint64_t bootmem_free_bytes(void)
{
    uint64_t total = 0;

    for (unsigned int i = 0; i < nr_ranges; i++)
        total += ranges[i].end - ranges[i].start;
    return total;
}

void bootmem_release(void (*fn)(paddr_t start, paddr_t end))
{
    for (unsigned int i = 0; i < nr_ranges; i++)
        fn(ranges[i].start, ranges[i].end);
    nr_ranges = 0;
    released = true;
}
