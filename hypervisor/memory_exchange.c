/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XENMEM_exchange: a PV guest gives back frames it owns and gets others,
 * typically one machine-contiguous extent below an address limit (Linux's
 * xen_create_contiguous_region, which its swiotlb and DMA buffers need).
 *
 * Work goes in chunks: as many input extents as make one output extent (or
 * the reverse).  A chunk is all or nothing; nr_exchanged counts the input
 * extents done, so a continuation, or a guest after an error, knows where
 * the exchange stopped.  New frames are zeroed: they may have been another
 * domain's.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <public/memory.h>

#define EXCHANGE_MAX_ORDER 9 /* 2 MiB extents, as Xen allows a PV guest */
#define CHUNK_MAX_PAGES    (1U << EXCHANGE_MAX_ORDER)

/* One chunk: in_n extents of in_order pages out, out_n of out_order in. */
static long exchange_chunk(struct domain *d, const struct xen_memory_exchange *x, uint64_t first_in,
                           uint64_t first_out, unsigned int in_n, unsigned int out_n,
                           uint64_t limit)
{
    /* The hypervisor lock serializes hypercalls, and this one does not nest: static, not on
     * the hypervisor stack. */
    static struct page_info *out[CHUNK_MAX_PAGES];
    static mfn_t in[CHUNK_MAX_PAGES];
    uint64_t in_list = guest_handle_addr(x->in.extent_start);
    uint64_t out_list = guest_handle_addr(x->out.extent_start);
    unsigned int pages_in = 1U << x->in.extent_order;
    long rc = 0;
    unsigned int i, held = 0, got = 0;

    /* Everything is checked and allocated before anything changes hands.
     * Each input frame is held by a reference while the rest are checked,
     * so one named twice is refused rather than freed twice. */
    for (i = 0; i < in_n; i++) {
        xen_pfn_t gmfn;

        if (copy_from_guest(&gmfn, in_list + (first_in + i) * sizeof(gmfn), sizeof(gmfn))) {
            rc = -EFAULT;
            goto out;
        }
        if (gmfn & (pages_in - 1)) {
            rc = -EINVAL;
            goto out;
        }
        for (unsigned int k = 0; k < pages_in; k++) {
            if (domain_frame_releasable(d, gmfn + k)) {
                rc = -EINVAL; /* not d's, named twice, or still mapped or typed */
                goto out;
            }
            in[held++] = gmfn + k;
            mfn_to_page(gmfn + k)->count_info++;
        }
    }
    for (got = 0; got < out_n; got++) {
        out[got] = alloc_pages_below(x->out.extent_order, limit);
        if (!out[got]) {
            rc = -ENOMEM;
            goto out;
        }
    }
    for (i = 0; i < out_n; i++) {
        uint64_t at = out_list + (first_out + i) * sizeof(xen_pfn_t);
        xen_pfn_t gpfn, mfn = page_to_mfn(out[i]);

        if (copy_from_guest(&gpfn, at, sizeof(gpfn)) || copy_to_guest(at, &mfn, sizeof(mfn))) {
            rc = -EFAULT;
            goto out;
        }
        for (unsigned int k = 0; k < (1U << x->out.extent_order); k++) {
            struct page_info *pg = out[i] + k;

            memset(arch_maddr_to_virt((mfn + k) << PAGE_SHIFT), 0, PAGE_SIZE);
            pg->owner = d;
            set_gpfn_from_mfn(mfn + k, gpfn + k);
            arch_logdirty_mark(pg);
        }
    }
    arch_flush_domain_tlbs(d); /* the guest unmapped them, maybe without a flush */
    for (i = 0; i < held; i++) {
        mfn_to_page(in[i])->count_info--;
        domain_free_frame(d, mfn_to_page(in[i]));
    }
    d->tot_pages += (uint64_t)out_n << x->out.extent_order;
    return 0;

out:
    while (got--)
        free_pages(out[got], x->out.extent_order);
    while (held--)
        mfn_to_page(in[held])->count_info--;
    return rc;
}

long memory_exchange(struct domain *caller, uint64_t arg)
{
    struct xen_memory_exchange x;
    unsigned int in_order, out_order, in_n, out_n, bits;
    uint64_t chunks, limit = UINT64_MAX;
    struct domain *d;
    long rc = 0;

    if (copy_from_guest(&x, arg, sizeof(x)))
        return -EFAULT;
    in_order = x.in.extent_order;
    out_order = x.out.extent_order;
    if (in_order > EXCHANGE_MAX_ORDER || out_order > EXCHANGE_MAX_ORDER)
        return -EPERM;
    /* Both sides describe the same number of pages. */
    if (x.in.nr_extents > (UINT64_MAX >> EXCHANGE_MAX_ORDER) ||
        x.out.nr_extents > (UINT64_MAX >> EXCHANGE_MAX_ORDER) ||
        (x.in.nr_extents << in_order) != (x.out.nr_extents << out_order))
        return -EINVAL;
    in_n = out_order > in_order ? 1U << (out_order - in_order) : 1;
    out_n = in_order > out_order ? 1U << (in_order - out_order) : 1;
    if (x.nr_exchanged > x.in.nr_extents || x.nr_exchanged % in_n)
        return -EINVAL;
    bits = XENMEMF_get_address_bits(x.out.mem_flags);
    if (bits) {
        if (bits < PAGE_SHIFT + out_order)
            return -EINVAL;
        if (bits < 64)
            limit = 1ULL << (bits - PAGE_SHIFT);
    }
    rc = domain_lookup_for(caller, x.in.domid, &d);
    if (rc)
        return rc;

    chunks = x.in.nr_extents / in_n;
    for (uint64_t c = x.nr_exchanged / in_n; c < chunks; c++) {
        if (c > x.nr_exchanged / in_n && hypercall_preempt_check()) {
            if (copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged),
                              &x.nr_exchanged, sizeof(x.nr_exchanged)))
                return -EFAULT;
            return hypercall_create_continuation(__HYPERVISOR_memory_op, XENMEM_exchange, arg, 0, 0,
                                                 0);
        }
        rc = exchange_chunk(d, &x, c * in_n, c * out_n, in_n, out_n, limit);
        if (rc)
            break;
        x.nr_exchanged += in_n;
    }
    if (copy_to_guest(arg + offsetof(struct xen_memory_exchange, nr_exchanged), &x.nr_exchanged,
                      sizeof(x.nr_exchanged)))
        rc = -EFAULT;
    return rc;
}
