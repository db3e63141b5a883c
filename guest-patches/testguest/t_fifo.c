// SPDX-License-Identifier: GPL-2.0-only
/*
 * FIFO event channels: init_control / expand_array / set_priority and
 * their refusals, then events through the queues: priority order, the
 * MASKED / LINKED rules, unmask re-linking a pending port, a closed port
 * not reused while still queued, bind_vcpu, and ports bound (one pending)
 * under 2-level before the switch.  The switch cannot be undone without
 * closing every port, so this group runs only when named (only=fifo) and
 * after everything else.  With a second vCPU (dom0_max_vcpus=2) it also
 * checks queues of a vCPU that is not running.  Last, ports past the
 * 2-level ABI's 4096: the guest is dom0, which has no port limit of its
 * own on Xen (max_evtchn_port -1) nor on pvx, so under FIFO it may have
 * 2^17 ports -- too many to fill under TCG (Xen looks for a free port from
 * port 0 each time); it binds and uses ports past 4095, then goes back to
 * 2-level with EVTCHNOP_reset and fills the 4096 ports it may have again.
 */
#include "guest.h"
#include "test.h"
#include <public/event_channel.h>
#include "evtchn_ops.h"

#define CB1_OFFSET 256 /* vCPU 1's control block shares vCPU 0's page */

#define ARRAY_PAGES    5 /* event words for ports 0..5119 */
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(event_word_t))
#define HIGH_PORT      4200 /* ports up to here are allocated past 4095 */

static u8 cb_page[PAGE_SIZE] __page_aligned;
/* Consecutive: the upcall indexes the words by port. */
static u8 array_pages[ARRAY_PAGES][PAGE_SIZE] __page_aligned;
#define array_page array_pages[0]

#define CB0    ((volatile struct evtchn_fifo_control_block *)cb_page)
#define CB1    ((volatile struct evtchn_fifo_control_block *)(cb_page + CB1_OFFSET))
#define WORDS  ((volatile event_word_t *)array_page)
#define BIT(b) (1u << EVTCHN_FIFO_##b)
#define DEF    EVTCHN_FIFO_PRIORITY_DEFAULT

static long init_control(unsigned long gfn, u32 offset, u32 vcpu_id, u32 *link_bits)
{
    struct evtchn_init_control ic = {.control_gfn = gfn, .offset = offset, .vcpu = vcpu_id};
    long rc = ev(EVTCHNOP_init_control, &ic);

    if (link_bits)
        *link_bits = ic.link_bits;
    return rc;
}

static long expand(unsigned long gfn)
{
    struct evtchn_expand_array ea = {.array_gfn = gfn};

    return ev(EVTCHNOP_expand_array, &ea);
}

static long set_prio(unsigned port, u32 prio)
{
    struct evtchn_set_priority sp = {.port = port, .priority = prio};

    return ev(EVTCHNOP_set_priority, &sp);
}

static long bind_vcpu(unsigned port, u32 vcpu_id)
{
    struct evtchn_bind_vcpu b = {.port = port, .vcpu = vcpu_id};

    return ev(EVTCHNOP_bind_vcpu, &b);
}

static unsigned ipi(void)
{
    struct evtchn_bind_ipi b = {.vcpu = 0};

    return ev(EVTCHNOP_bind_ipi, &b) ? 0 : b.port;
}

/* A loop-back interdomain pair: *a is raised by sending on *b and back. */
static bool loopback(unsigned *a, unsigned *b)
{
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF};

    if (ev(EVTCHNOP_alloc_unbound, &au))
        return false;
    bi.remote_port = au.port;
    if (ev(EVTCHNOP_bind_interdomain, &bi))
        return false;
    *a = au.port;
    *b = bi.local_port;
    return true;
}

static long alloc_self(unsigned *port)
{
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    long rc = ev(EVTCHNOP_alloc_unbound, &au);

    *port = au.port;
    return rc;
}

static u32 status_of(unsigned port, struct evtchn_status *st)
{
    memset(st, 0, sizeof(*st));
    st->dom = DOMID_SELF;
    st->port = port;
    return ev(EVTCHNOP_status, st) ? ~0u : st->status;
}

static bool bit_is(unsigned port, u32 bit)
{
    return WORDS[port] & bit;
}

/* Refusals before and during the switch; returns whether it switched. */
static bool fifo_switch(void)
{
    u32 bits = 0;
    unsigned long cb = va_to_mfn(cb_page);

    CHECK_RC("expand_before_init", expand(va_to_mfn(array_page)), -XEN_EOPNOTSUPP);
    CHECK_RC("init_no_such_vcpu", init_control(cb, 0, 999, NULL), -XEN_ENOENT);
    CHECK_RC("init_offset_past_page", init_control(cb, PAGE_SIZE - 64, 0, NULL), -XEN_EINVAL);
    CHECK_RC("init_offset_huge", init_control(cb, 0xfffffff8u, 0, NULL), -XEN_EINVAL);
    CHECK_RC("init_offset_misaligned", init_control(cb, 4, 0, NULL), -XEN_EINVAL);
    CHECK_RC("init_bad_frame", init_control(~0UL >> 12, 0, 0, NULL), -XEN_EINVAL);
    /* A frame we own but may not write: our own top-level page table. */
    CHECK_RC("init_page_table_frame", init_control(cur_l4_mfn(), 0, 0, NULL), -XEN_EINVAL);
    CHECK_RC("init_bad_arg", ev(EVTCHNOP_init_control, (void *)BAD_UNMAPPED), -XEN_EFAULT);
    /* None of those switched. */
    CHECK_RC("still_2level", expand(va_to_mfn(array_page)), -XEN_EOPNOTSUPP);

    CHECK_RC("init_control", init_control(cb, 0, 0, &bits), 0);
    CHECK_EQ("init_link_bits", bits, EVTCHN_FIFO_LINK_BITS);
    CHECK_RC("init_second_time", init_control(cb, 0, 0, NULL), -XEN_EINVAL);
    CHECK_RC("init_second_time_other_offset", init_control(cb, 512, 0, NULL), -XEN_EINVAL);
    return bits == EVTCHN_FIFO_LINK_BITS;
}

/* Another vCPU's queues (it need not run). */
static void fifo_vcpu1(unsigned before_a, unsigned before_b)
{
    unsigned n;
    bool two_vcpus = bind_vcpu(before_a, 1) != -XEN_ENOENT;

    if (!two_vcpus) {
        printk("note: fifo: one vCPU, bind_vcpu checks skipped\n");
        return;
    }
    CHECK_RC("init_vcpu1", init_control(va_to_mfn(cb_page), CB1_OFFSET, 1, NULL), 0);
    n = evt_count[before_a];
    send(before_b);
    CHECK_EQ("vcpu1_head", CB1->head[DEF], before_a);
    CHECK_EQ("vcpu1_ready", CB1->ready, 1u << DEF);
    CHECK_EQ("vcpu1_not_on_vcpu0", evt_count[before_a], n);
    /* Back to vCPU 0 while still queued on vCPU 1: stays there. */
    CHECK_RC("bind_vcpu_back", bind_vcpu(before_a, 0), 0);
    send(before_b);
    CHECK_EQ("rebound_linked_stays", evt_count[before_a], n);
    /* vCPU 1's queue is consumed by hand (it does not run). */
    WORDS[before_a] &= ~(BIT(LINKED) | BIT(PENDING) | EVTCHN_FIFO_LINK_MASK);
    CB1->ready = 0;
    send(before_b);
    CHECK_EQ("rebound_delivered_on_vcpu0", evt_count[before_a], n + 1);
}

/* Ports past 4095 under FIFO; 2-level's limit again after EVTCHNOP_reset. */
static void fifo_high_ports(void)
{
    struct evtchn_reset rs = {.dom = DOMID_SELF};
    struct evtchn_status st;
    unsigned port = 0, last = 0, hi, a, b, n, pages = 1;
    long rc;

    for (unsigned i = 1; i < ARRAY_PAGES; i++)
        pages += expand(va_to_mfn(array_pages[i])) == 0;
    CHECK_EQ("expand_to_5_pages", pages, ARRAY_PAGES);
    /* The lowest free port each time, on past 4095. */
    while (!(rc = alloc_self(&port)) && port < HIGH_PORT)
        last = port;
    CHECK_RC("alloc_past_4095", rc, 0);
    CHECK_EQ("alloc_reaches_4200", port, HIGH_PORT);
    CHECK_EQ("alloc_in_order", last, HIGH_PORT - 1);
    hi = ipi();
    CHECK_EQ("bind_ipi_past_4095", hi, HIGH_PORT + 1);
    CHECK_EQ("status_past_4095", status_of(hi, &st), EVTCHNSTAT_ipi);
    CHECK_RC("set_priority_past_4095", set_prio(hi, 3), 0);
    evtchn_unmask_port(hi);
    events_disable();
    CHECK_RC("send_past_4095", send(hi), 0);
    CHECK_EQ("past_4095_word", WORDS[hi], BIT(PENDING) | BIT(LINKED));
    CHECK_EQ("past_4095_head", CB0->head[3], hi);
    CHECK_EQ("past_4095_ready", CB0->ready, 1u << 3);
    n = evt_count[hi];
    fifo_ntaken = 0;
    events_enable();
    CHECK_EQ("past_4095_delivered", evt_count[hi], n + 1);
    CHECK_EQ("past_4095_taken", fifo_ntaken == 1 && fifo_taken[0] == hi, 1);
    /* An interdomain pair past 4095, both ways. */
    if (!loopback(&a, &b)) {
        test_fail("loopback_past_4095", "could not bind");
    } else {
        CHECK("loopback_past_4095", a > HIGH_PORT && b > HIGH_PORT);
        evtchn_unmask_port(a);
        evtchn_unmask_port(b);
        n = evt_count[a];
        send(b);
        CHECK_EQ("loopback_past_4095_delivered", evt_count[a], n + 1);
        n = evt_count[b];
        send(a);
        CHECK_EQ("loopback_past_4095_back", evt_count[b], n + 1);
    }

    /* Back to 2-level: every port closed, the event array dropped. */
    events_disable();
    CHECK_RC("reset_to_2level", ev(EVTCHNOP_reset, &rs), 0);
    evtchn_fifo_use(0, 0);
    events_enable();
    CHECK_RC("reset_back_on_2level", expand(va_to_mfn(array_page)), -XEN_EOPNOTSUPP);
    /* Ports past 4095 stay valid (closed) but cannot be had: 2-level's
     * limit answers -ENOSPC after port 4095. */
    CHECK_EQ("reset_past_4095_closed", status_of(hi, &st), EVTCHNSTAT_closed);
    CHECK_RC("reset_past_4095_send", send(hi), -XEN_EINVAL);
    last = 0;
    while (!(rc = alloc_self(&port)))
        last = port;
    CHECK_RC("2level_limit_after_fifo", rc, -XEN_ENOSPC);
    CHECK_EQ("2level_last_port_after_fifo", last, 4095);
    CHECK_RC("reset_again", ev(EVTCHNOP_reset, &rs), 0);
}

void t_fifo(void)
{
    unsigned c, d, e, x, y, z, p, q, before_a, before_b, n;
    struct evtchn_status st;
    struct evtchn_unmask um;

    /* Bound under 2-level; before_a left pending (its mask bit is set). */
    if (!loopback(&before_a, &before_b)) {
        test_fail("loopback_2level", "could not bind");
        return;
    }
    CHECK_RC("send_2level", send(before_b), 0);
    CHECK("pending_2level", shinfo->evtchn_pending[before_a / 64] & (1UL << (before_a % 64)));
    CHECK_RC("set_priority_2level", set_prio(before_a, 3), -XEN_ENOSYS);

    /* Like Linux: every word masked before the page is handed over. */
    for (unsigned i = 0; i < ARRAY_PAGES * WORDS_PER_PAGE; i++)
        WORDS[i] = BIT(MASKED);
    events_disable();
    if (!fifo_switch()) {
        events_enable();
        return;
    }
    CHECK_RC("expand_bad_frame", expand(~0UL >> 12), -XEN_EINVAL);
    CHECK_RC("expand_page_table_frame", expand(cur_l4_mfn()), -XEN_EINVAL);
    CHECK_RC("expand_array", expand(va_to_mfn(array_page)), 0);
    evtchn_fifo_use(cb_page, (u32 *)array_page);

    /* The port pending under 2-level is pending in its word now, masked
     * (we masked every word): carried over, not delivered. */
    CHECK("switch_keeps_pending", bit_is(before_a, BIT(PENDING)));
    CHECK("switch_not_linked_while_masked", !bit_is(before_a, BIT(LINKED)));
    events_enable();
    n = evt_count[before_a];
    evtchn_unmask_port(before_a); /* pending: through the hypercall */
    CHECK_EQ("switch_pending_delivered_on_unmask", evt_count[before_a], n + 1);
    CHECK_EQ("upcall_unlinked", WORDS[before_a], 0);
    evtchn_unmask_port(before_b);
    n = evt_count[before_b];
    CHECK_RC("bound_before_switch_send", send(before_a), 0);
    CHECK_EQ("bound_before_switch_works", evt_count[before_b], n + 1);
    memset(&st, 0, sizeof(st));
    st.dom = DOMID_SELF;
    st.port = before_a;
    CHECK_RC("status_after_switch", ev(EVTCHNOP_status, &st), 0);
    CHECK_EQ("status_after_switch_interdomain", st.status, EVTCHNSTAT_interdomain);

    /* set_priority. */
    c = ipi();
    d = ipi();
    e = ipi();
    p = ipi();
    CHECK("bind_ipis", c && d && e && p);
    CHECK_RC("close_p", ev_close(p), 0);
    CHECK_RC("set_priority_out_of_range", set_prio(c, EVTCHN_FIFO_PRIORITY_MIN + 1), -XEN_EINVAL);
    CHECK_RC("set_priority_huge", set_prio(c, 0xffffffffu), -XEN_EINVAL);
    CHECK_RC("set_priority_free_port", set_prio(p, 3), -XEN_EACCES);
    CHECK_RC("set_priority_bad_port", set_prio(100000, 3), -XEN_EINVAL);
    CHECK_RC("set_priority_3", set_prio(c, 3), 0);
    CHECK_RC("set_priority_max", set_prio(e, EVTCHN_FIFO_PRIORITY_MAX), 0);
    evtchn_unmask_port(c);
    evtchn_unmask_port(d);
    evtchn_unmask_port(e);

    /* Three queues, raised lowest priority first, taken highest first. */
    events_disable();
    send(d);
    send(c);
    send(e);
    CHECK_EQ("head_default", CB0->head[DEF], d);
    CHECK_EQ("head_3", CB0->head[3], c);
    CHECK_EQ("head_0", CB0->head[0], e);
    CHECK_EQ("ready_bits", CB0->ready, (1u << DEF) | (1u << 3) | 1u);
    CHECK_EQ("word_linked", WORDS[d], BIT(PENDING) | BIT(LINKED));
    CHECK_EQ("upcall_pending", vcpu->evtchn_upcall_pending, 1);
    fifo_ntaken = 0;
    events_enable();
    CHECK_EQ("taken_three", fifo_ntaken, 3);
    CHECK_EQ("taken_first_max", fifo_taken[0], e);
    CHECK_EQ("taken_second_3", fifo_taken[1], c);
    CHECK_EQ("taken_third_default", fifo_taken[2], d);
    CHECK_EQ("ready_empty", CB0->ready, 0);

    /* One queue: the second event is linked behind the first. */
    x = d;
    y = ipi();
    evtchn_unmask_port(y);
    events_disable();
    send(x);
    send(y);
    CHECK_EQ("append_head", CB0->head[DEF], x);
    CHECK_EQ("append_link", WORDS[x] & EVTCHN_FIFO_LINK_MASK, y);
    CHECK("append_tail_linked", bit_is(y, BIT(LINKED)));
    /* Raised again and moved to another priority while LINKED: it stays
     * where it is, nothing new is linked. */
    send(x);
    CHECK_RC("set_priority_while_linked", set_prio(x, 2), 0);
    send(x);
    CHECK_EQ("linked_stays_put", WORDS[x], BIT(PENDING) | BIT(LINKED) | y);
    CHECK_EQ("linked_no_new_queue", CB0->ready, 1u << DEF);
    fifo_ntaken = 0;
    events_enable();
    CHECK_EQ("append_taken_in_order", fifo_ntaken == 2 && fifo_taken[0] == x && fifo_taken[1] == y,
             1);
    /* Unlinked, its new priority applies. */
    events_disable();
    send(x);
    CHECK_EQ("new_priority_after_unlink", CB0->head[2], x);
    CHECK_EQ("new_priority_ready", CB0->ready, 1u << 2);
    events_enable();

    /* Masked: pending, not linked, no upcall; unmask links it. */
    evtchn_mask_port(c);
    n = evt_count[c];
    send(c);
    CHECK_EQ("masked_word", WORDS[c], BIT(PENDING) | BIT(MASKED));
    CHECK_EQ("masked_no_upcall", evt_count[c], n);
    evtchn_unmask_port(c);
    CHECK_EQ("unmask_relinks_pending", evt_count[c], n + 1);
    CHECK_EQ("unmask_word_clear", WORDS[c], 0);
    /* The hypercall on a masked port that is not pending only unmasks. */
    evtchn_mask_port(c);
    um.port = c;
    CHECK_RC("unmask_hypercall_not_pending", ev(EVTCHNOP_unmask, &um), 0);
    CHECK_EQ("unmask_hypercall_clears_masked", WORDS[c], 0);

    /* A closed port still on a queue is not handed out again until it has
     * been taken off.  z is the lowest free port when closed. */
    events_disable();
    z = ipi();
    evtchn_unmask_port(z);
    send(z);
    CHECK_RC("close_linked", ev_close(z), 0);
    CHECK_EQ("close_clears_pending_keeps_linked", WORDS[z], BIT(LINKED));
    q = ipi();
    CHECK("busy_port_not_reused", q && q != z);
    ev_close(q);
    n = evt_count[z];
    events_enable(); /* takes z off, not pending: not counted */
    CHECK_EQ("closed_not_delivered", evt_count[z], n);
    q = ipi();
    CHECK_EQ("unlinked_port_reused", q, z);
    ev_close(q);

    fifo_vcpu1(before_a, before_b);
    fifo_high_ports();
}
