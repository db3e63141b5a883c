/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor heap.  Requests up to 2 KiB come from power-of-two size
 * classes carved out of single pages; larger ones get whole pages.  Every
 * object carries a 16-byte header with a magic number and its class, so
 * xfree() needs no size and catches double frees and stray pointers.
 * Each class page starts with a small header of its own (its first object
 * slot) with its free objects and how many are in use: a page whose last
 * object is freed goes back to the page allocator, so the heap shrinks
 * again after a peak (destroying every domain gives back every frame).
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

/* The start of a class page, in the place of its first object. */
struct xslab {
    struct xslab *next, *prev; /* the class's pages with a free object */
    struct xfree_obj *free;    /* this page's free objects */
    uint32_t cls, in_use;
};
BUILD_BUG_ON(sizeof(struct xslab) > (1UL << MIN_SHIFT));

static struct xslab *partial[NR_CLASSES]; /* pages with at least one free object */

static void slab_link(struct xslab *s)
{
    s->prev = NULL;
    s->next = partial[s->cls];
    if (s->next)
        s->next->prev = s;
    partial[s->cls] = s;
}

static void slab_unlink(struct xslab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        partial[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

static struct xslab *slab_new(unsigned int cls)
{
    size_t obj = 1UL << (cls + MIN_SHIFT);
    struct xslab *s = alloc_xenheap_pages(0);

    if (!s)
        return NULL;
    s->cls = cls;
    s->in_use = 0;
    s->free = NULL;
    for (size_t off = PAGE_SIZE - obj; off >= obj; off -= obj) {
        struct xfree_obj *o = (struct xfree_obj *)((char *)s + off);

        o->hdr.magic = XMALLOC_FREE_MAGIC;
        o->hdr.cls = cls;
        o->next = s->free;
        s->free = o;
    }
    slab_link(s);
    return s;
}

void *xmalloc_bytes(size_t size)
{
    size_t total = size + sizeof(struct xhdr);
    unsigned long flags;
    struct xfree_obj *o;
    struct xslab *s;
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
    s = partial[cls] ? partial[cls] : slab_new(cls);
    if (!s) {
        arch_local_irq_restore(flags);
        return NULL;
    }
    o = s->free;
    BUG_ON(o->hdr.magic != XMALLOC_FREE_MAGIC || o->hdr.cls != cls);
    s->free = o->next;
    s->in_use++;
    if (!s->free)
        slab_unlink(s); /* full */
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
    struct xfree_obj *o;
    struct xslab *s;
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
    s = arch_maddr_to_virt(arch_virt_to_maddr(h) & ~(paddr_t)(PAGE_SIZE - 1)); /* its page */
    BUG_ON((void *)s == (void *)h || s->cls != h->cls || !s->in_use);
    flags = arch_local_irq_save();
    o = (struct xfree_obj *)h;
    o->hdr.magic = XMALLOC_FREE_MAGIC;
    if (!s->free)
        slab_link(s); /* was full */
    o->next = s->free;
    s->free = o;
    if (!--s->in_use) {
        slab_unlink(s);
        free_xenheap_pages(s, 0);
    }
    arch_local_irq_restore(flags);
}
