/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor heap.  Requests up to 2 KiB come from power-of-two size
 * classes carved out of single pages; larger ones get whole pages.  Every
 * object carries a 16-byte header with a magic number and its class, so
 * xfree() needs no size and catches double frees and stray pointers.
 */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/mm.h>

#define XMALLOC_MAGIC      0x70767868656170ULL /* "pvxheap" */
#define XMALLOC_FREE_MAGIC 0x70767866726565ULL /* "pvxfree" */
#define MIN_SHIFT          5                   /* 32-byte objects incl. header */
#define MAX_SHIFT          11                  /* 2 KiB */
#define NR_CLASSES         (MAX_SHIFT - MIN_SHIFT + 1)
#define LARGE_CLASS        0xff

struct xhdr {
    uint64_t magic;
    uint32_t cls;   /* size class index, or LARGE_CLASS */
    uint32_t order; /* page order for large allocations */
};
BUILD_BUG_ON(sizeof(struct xhdr) != 16);

struct xfree_obj {
    struct xhdr hdr;
    struct xfree_obj *next;
};

static struct xfree_obj *free_list[NR_CLASSES];

static int refill(unsigned int cls)
{
    size_t obj = 1UL << (cls + MIN_SHIFT);
    char *page = alloc_xenheap_pages(0);

    if (!page)
        return -1;
    for (size_t off = 0; off + obj <= PAGE_SIZE; off += obj) {
        struct xfree_obj *o = (struct xfree_obj *)(page + off);

        o->hdr.magic = XMALLOC_FREE_MAGIC;
        o->hdr.cls = cls;
        o->next = free_list[cls];
        free_list[cls] = o;
    }
    return 0;
}

void *xmalloc_bytes(size_t size)
{
    size_t total = size + sizeof(struct xhdr);
    unsigned long flags;
    struct xhdr *h;

    if (size > (1ULL << 40))
        return NULL;
    if (total > (1UL << MAX_SHIFT)) {
        unsigned int order = get_order_from_bytes(total);

        h = alloc_xenheap_pages(order);
        if (!h)
            return NULL;
        h->magic = XMALLOC_MAGIC;
        h->cls = LARGE_CLASS;
        h->order = order;
        return h + 1;
    }

    unsigned int cls = 0;
    while ((1UL << (cls + MIN_SHIFT)) < total)
        cls++;
    flags = arch_local_irq_save();
    if (!free_list[cls] && refill(cls)) {
        arch_local_irq_restore(flags);
        return NULL;
    }
    struct xfree_obj *o = free_list[cls];
    BUG_ON(o->hdr.magic != XMALLOC_FREE_MAGIC || o->hdr.cls != cls);
    free_list[cls] = o->next;
    arch_local_irq_restore(flags);
    h = &o->hdr;
    h->magic = XMALLOC_MAGIC;
    return h + 1;
}

void *xzalloc_bytes(size_t size)
{
    void *p = xmalloc_bytes(size);

    if (p)
        memset(p, 0, size);
    return p;
}

void *xzalloc_array_bytes(size_t size, size_t n)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return xzalloc_bytes(size * n);
}

void xfree(void *p)
{
    struct xhdr *h;
    unsigned long flags;

    if (!p)
        return;
    h = (struct xhdr *)p - 1;
    BUG_ON(h->magic != XMALLOC_MAGIC); /* double free or not from xmalloc */
    if (h->cls == LARGE_CLASS) {
        h->magic = XMALLOC_FREE_MAGIC;
        free_xenheap_pages(h, h->order);
        return;
    }
    BUG_ON(h->cls >= NR_CLASSES);
    flags = arch_local_irq_save();
    struct xfree_obj *o = (struct xfree_obj *)h;
    o->hdr.magic = XMALLOC_FREE_MAGIC;
    o->next = free_list[h->cls];
    free_list[h->cls] = o;
    arch_local_irq_restore(flags);
}
