/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-ins for the hypervisor services the decoders and bzimage.c
 * use, for the fuzz targets: working memory comes from malloc so
 * AddressSanitizer sees every access to it, and the page allocator behind
 * bzimage_unpack() (not fuzzed: it only adds allocation around
 * bzimage_decompress()) always reports no memory.
 */
#include <stdlib.h>

#include <pvx/arch.h>
#include <pvx/mm.h>

struct page_info *frame_table;

void *xmalloc_bytes(size_t size)
{
    return malloc(size);
}

void xfree(void *p)
{
    free(p);
}

struct page_info *alloc_pages(unsigned int order)
{
    return NULL;
}

void free_pages(struct page_info *pg, unsigned int order)
{
}

unsigned int get_order_from_bytes(uint64_t size)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < size)
        order++;
    return order;
}

void *arch_maddr_to_virt(paddr_t ma)
{
    abort();
}
