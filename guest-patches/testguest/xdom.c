// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers for work across domains (t_xdom.c, bench.c): our grant table
 * (granting and revoking entries), mapping, unmapping and copying other
 * domains' grants, event-channel waits, and a rendezvous without xenstore:
 * the side that offers writes a fixed grant reference last, and the side
 * that attaches retries the map with SCHEDOP_yield until it succeeds.
 */
#include "guest.h"
#include <public/event_channel.h>
#include <public/sched.h>

static volatile grant_entry_v1_t *gtab;

long xd_gt_setup(void)
{
    struct gnttab_setup_table st;
    static xen_pfn_t frame;
    long rc;

    if (gtab)
        return 0;
    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.nr_frames = 1;
    set_xen_guest_handle(st.frame_list, &frame);
    rc = hc_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc || st.status)
        return rc ? rc : st.status;
    if ((rc = map_frame(XD_GT_VA, frame, PTE_KERN_RW)) != 0)
        return rc;
    gtab = (volatile grant_entry_v1_t *)XD_GT_VA;
    return 0;
}

long xd_gt_grow(unsigned nr)
{
    struct gnttab_setup_table st;
    static xen_pfn_t frames[XD_GT_MAX_FRAMES];
    long rc = xd_gt_setup();

    if (rc || nr > XD_GT_MAX_FRAMES)
        return rc ? rc : -1;
    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.nr_frames = nr;
    set_xen_guest_handle(st.frame_list, frames);
    rc = hc_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc || st.status)
        return rc ? rc : st.status;
    /* Frame i right after frame i - 1: one array of entries. */
    for (unsigned i = 1; i < nr; i++)
        if ((rc = map_frame(XD_GT_VA + i * PAGE_SIZE, frames[i], PTE_KERN_RW)) != 0)
            return rc;
    return 0;
}

volatile grant_entry_v1_t *xd_gte(grant_ref_t ref)
{
    return &gtab[ref];
}

void xd_grant(grant_ref_t ref, domid_t to, const void *page, bool readonly)
{
    gtab[ref].domid = to;
    gtab[ref].frame = (u32)va_to_mfn(page);
    /* The hypervisor may use the entry as soon as the flags say so. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gtab[ref].flags = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

u16 xd_cmpxchg_flags(grant_ref_t ref, u16 expect, u16 val)
{
    __atomic_compare_exchange_n(&gtab[ref].flags, &expect, val, false, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
    return expect;
}

/* Linux's gnttab_end_foreign_access_ref (v1): fails while the entry is busy. */
bool xd_end_access(grant_ref_t ref)
{
    u16 flags, nflags = gtab[ref].flags;

    do {
        flags = nflags;
        if (flags & (GTF_reading | GTF_writing))
            return false;
    } while ((nflags = xd_cmpxchg_flags(ref, flags, 0)) != flags);
    return true;
}

long xd_map(domid_t dom, grant_ref_t ref, unsigned long va, bool readonly, int16_t *status,
            grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op;
    long rc = ensure_l1(va);

    if (rc)
        return rc;
    memset(&op, 0, sizeof(op));
    op.host_addr = va;
    op.flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
    op.ref = ref;
    op.dom = dom;
    rc = hc_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    *status = op.status;
    if (handle)
        *handle = op.handle;
    return rc;
}

long xd_unmap(unsigned long va, grant_handle_t handle, int16_t *status)
{
    struct gnttab_unmap_grant_ref op;
    long rc;

    memset(&op, 0, sizeof(op));
    op.host_addr = va;
    op.handle = handle;
    rc = hc_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    *status = op.status;
    return rc;
}

void xd_copy_ptr(struct gnttab_copy_ptr *p, bool by_ref, domid_t dom, unsigned long ref_or_frame,
                 u16 offset)
{
    memset(p, 0, sizeof(*p));
    if (by_ref)
        p->u.ref = (grant_ref_t)ref_or_frame;
    else
        p->u.gmfn = ref_or_frame;
    p->domid = dom;
    p->offset = offset;
}

int16_t xd_copy_one(bool to_gref, domid_t dom, grant_ref_t ref, u16 gref_off, const void *frame,
                    u16 frame_off, u16 len)
{
    struct gnttab_copy c;

    memset(&c, 0, sizeof(c));
    xd_copy_ptr(to_gref ? &c.dest : &c.source, true, dom, ref, gref_off);
    xd_copy_ptr(to_gref ? &c.source : &c.dest, false, DOMID_SELF, va_to_mfn(frame), frame_off);
    c.flags = to_gref ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
    c.len = len;
    c.status = 99;
    if (hc_grant_table_op(GNTTABOP_copy, &c, 1))
        return 99;
    return c.status;
}

long xd_attach(domid_t dom, grant_ref_t ref, unsigned long va, unsigned long ms,
               grant_handle_t *handle)
{
    u64 deadline = system_time_ns() + ms * 1000000ULL;
    int16_t st;
    long rc;

    /* The peer grants this reference last, once everything behind it is
     * ready; until then the map fails and we let it run. */
    for (;;) {
        rc = xd_map(dom, ref, va, false, &st, handle);
        if (!rc && st == GNTST_okay)
            return 0;
        if (system_time_ns() >= deadline)
            return rc ? rc : st;
        hc_sched_op(SCHEDOP_yield, 0);
    }
}

bool xd_wait_event(unsigned port, unsigned seen, unsigned long ms)
{
    u64 deadline = system_time_ns() + ms * 1000000ULL;

    while (evt_count[port] == seen) {
        if (system_time_ns() >= deadline)
            return false;
        /* Blocking lets the other domain run; the deadline bounds the wait. */
        block_until_or_event(deadline);
    }
    return true;
}

long xd_send(unsigned port)
{
    struct evtchn_send s = {.port = port};

    return hc_event_channel_op(EVTCHNOP_send, &s);
}
