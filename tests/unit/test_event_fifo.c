/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: hypervisor/event_fifo.c behind event_channel.c.  Every
 * EVTCHNOP is made as a guest makes it; the control blocks and event
 * words are read from the fake machine frames the domain handed over, and
 * the references pvx holds on them are counted (teardown checks that
 * every one is dropped again).
 *
 * Domain d1 (2 vCPUs) owns frames 1..3: frame 1 holds both control blocks
 * (vCPU 0 at offset 0, vCPU 1 at offset 128), frame 2 is the first
 * event-array page (ports 0..1023).  d2 owns frame 4.
 */
#include "harness.h"
#include "event_harness.h"

#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/hypercall.h>
#include <public/event_channel.h>

#define CB_FRAME    1
#define ARRAY_FRAME 2
#define SPARE_FRAME 3
#define D2_FRAME    4

#define P(bit) (1u << EVTCHN_FIFO_##bit)

static struct domain *d1, *d2;

static int setup(void **state)
{
    (void)state;
    d1 = eh_domain_create(1, 2, false);
    d2 = eh_domain_create(2, 1, false);
    eh_frame_give(CB_FRAME, d1);
    eh_frame_give(ARRAY_FRAME, d1);
    eh_frame_give(SPARE_FRAME, d1);
    eh_frame_give(D2_FRAME, d2);
    eh_set_current(d1->vcpus[0]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    eh_reset_all();
    return 0;
}

/* ---- the guest's view ---- */

static struct evtchn_fifo_control_block *cb(unsigned int vcpu)
{
    return (struct evtchn_fifo_control_block *)((char *)eh_frame(CB_FRAME) + vcpu * 128);
}

static volatile event_word_t *word(uint32_t port)
{
    return (event_word_t *)eh_frame(ARRAY_FRAME) + port;
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu, uint32_t *link_bits)
{
    struct evtchn_init_control ic = {.control_gfn = gfn, .offset = offset, .vcpu = vcpu};
    long rc = eh_op(EVTCHNOP_init_control, &ic, sizeof(ic));

    if (link_bits)
        *link_bits = ic.link_bits;
    return rc;
}

static long expand(uint64_t gfn)
{
    struct evtchn_expand_array ea = {.array_gfn = gfn};

    return eh_op(EVTCHNOP_expand_array, &ea, sizeof(ea));
}

static long set_priority(uint32_t port, uint32_t prio)
{
    struct evtchn_set_priority sp = {.port = port, .priority = prio};

    return eh_op(EVTCHNOP_set_priority, &sp, sizeof(sp));
}

static long simple_op(unsigned int cmd, uint32_t port)
{
    struct evtchn_send s = {.port = port}; /* close, send, unmask: same layout */

    return eh_op(cmd, &s, sizeof(s));
}

static uint32_t ipi(uint32_t vcpu)
{
    struct evtchn_bind_ipi b = {.vcpu = vcpu};

    assert_int_equal(eh_op(EVTCHNOP_bind_ipi, &b, sizeof(b)), 0);
    return b.port;
}

static long bind_vcpu(uint32_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = {.port = port, .vcpu = vcpu};

    return eh_op(EVTCHNOP_bind_vcpu, &b, sizeof(b));
}

/* d1 on FIFO with both control blocks and one array page, all unmasked. */
static void switch_d1(void)
{
    assert_int_equal(init_control(CB_FRAME, 0, 0, NULL), 0);
    assert_int_equal(init_control(CB_FRAME, 128, 1, NULL), 0);
    assert_int_equal(expand(ARRAY_FRAME), 0);
}

/* The guest takes the head of a queue off, as Linux does. */
static uint32_t guest_pop(unsigned int vcpu, unsigned int prio)
{
    uint32_t port = cb(vcpu)->head[prio];
    event_word_t w = *word(port);

    cb(vcpu)->head[prio] = w & EVTCHN_FIFO_LINK_MASK;
    if (!cb(vcpu)->head[prio])
        cb(vcpu)->ready &= ~(1u << prio);
    *word(port) = w & ~(P(LINKED) | P(PENDING) | EVTCHN_FIFO_LINK_MASK);
    return port;
}

/* ---- init_control, expand_array, set_priority: arguments ---- */

static void test_init_control_errors(void **state)
{
    uint32_t bits = 0;

    (void)state;
    assert_int_equal(init_control(CB_FRAME, 0, 2, &bits), -ENOENT);
    assert_int_equal(init_control(CB_FRAME, 0, 0xffffffffu, NULL), -ENOENT);
    assert_int_equal(init_control(CB_FRAME, PAGE_SIZE - 72 + 8, 0, NULL), -EINVAL);
    assert_int_equal(init_control(CB_FRAME, 0xfffffff8u, 0, NULL), -EINVAL);
    assert_int_equal(init_control(CB_FRAME, 4, 0, NULL), -EINVAL);
    assert_int_equal(init_control(EH_NR_FRAMES, 0, 0, NULL), -EINVAL);
    assert_int_equal(init_control(~0ULL, 0, 0, NULL), -EINVAL);
    assert_int_equal(init_control(D2_FRAME, 0, 0, NULL), -EINVAL); /* not d1's */
    /* None of these switched the domain or kept a reference. */
    assert_ptr_equal(d1->evtchn.ops, &evtchn_port_ops_2l);
    assert_int_equal(eh_frame_refs(CB_FRAME), 0);
    assert_int_equal(expand(ARRAY_FRAME), -EOPNOTSUPP);
    assert_int_equal(set_priority(1, 0), -ENOSYS);

    /* The last slot that fits, 8-aligned. */
    assert_int_equal(init_control(CB_FRAME, PAGE_SIZE - 72, 0, &bits), 0);
    assert_int_equal(bits, EVTCHN_FIFO_LINK_BITS);
    assert_ptr_equal(d1->evtchn.ops, &evtchn_port_ops_fifo);
    assert_int_equal(eh_frame_refs(CB_FRAME), 1);
    assert_int_equal(init_control(CB_FRAME, 0, 0, NULL), -EINVAL); /* second init */
    assert_int_equal(init_control(CB_FRAME, 128, 1, NULL), 0);
    assert_int_equal(eh_frame_refs(CB_FRAME), 2);
    assert_ptr_equal(d2->evtchn.ops, &evtchn_port_ops_2l); /* per domain */
}

static void test_expand_array_limits(void **state)
{
    (void)state;
    assert_int_equal(init_control(CB_FRAME, 0, 0, NULL), 0);
    assert_int_equal(expand(D2_FRAME), -EINVAL);
    assert_int_equal(expand(EH_NR_FRAMES + 1), -EINVAL);
    /* 128 pages of 1024 words: the 17-bit LINK's whole range. */
    for (unsigned int i = 0; i < EVTCHN_FIFO_NR_CHANNELS / 1024; i++)
        assert_int_equal(expand(SPARE_FRAME), 0);
    assert_int_equal(expand(SPARE_FRAME), -ENOSPC);
    assert_int_equal(eh_frame_refs(SPARE_FRAME), EVTCHN_FIFO_NR_CHANNELS / 1024);
}

static void test_set_priority(void **state)
{
    uint32_t p;

    (void)state;
    switch_d1();
    p = ipi(0);
    assert_int_equal(set_priority(p, EVTCHN_FIFO_PRIORITY_MIN + 1), -EINVAL);
    assert_int_equal(set_priority(p, 0xffffffffu), -EINVAL);
    assert_int_equal(set_priority(p + 1, 3), -EACCES); /* valid, free */
    assert_int_equal(set_priority(5000, 3), -EINVAL);  /* not a port */
    assert_int_equal(set_priority(0, 3), -EACCES);
    assert_int_equal(set_priority(p, EVTCHN_FIFO_PRIORITY_MAX), 0);
    assert_int_equal(set_priority(p, EVTCHN_FIFO_PRIORITY_MIN), 0);
}

/* ---- queues ---- */

static void test_raise_links_and_orders(void **state)
{
    uint32_t a, b, c;

    (void)state;
    switch_d1();
    a = ipi(0);
    b = ipi(0);
    c = ipi(0);
    assert_int_equal(set_priority(c, 2), 0);
    eh_clear_kicks();

    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(*word(a), P(PENDING) | P(LINKED));
    assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    assert_int_equal(cb(0)->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    assert_int_equal(d1->vcpus[0]->vcpu_info->evtchn_upcall_pending, 1);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 1);

    /* Appended behind a: a's LINK names b, no new upcall. */
    assert_int_equal(simple_op(EVTCHNOP_send, b), 0);
    assert_int_equal(*word(a), P(PENDING) | P(LINKED) | b);
    assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    assert_int_equal(eh_kicks(d1->vcpus[0]), 1);

    /* A higher priority queue of its own. */
    assert_int_equal(simple_op(EVTCHNOP_send, c), 0);
    assert_int_equal(cb(0)->head[2], c);
    assert_int_equal(cb(0)->ready, (1u << 2) | (1u << EVTCHN_FIFO_PRIORITY_DEFAULT));

    /* Raised again while queued: nothing moves. */
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(*word(a), P(PENDING) | P(LINKED) | b);
    assert_int_equal(*word(b), P(PENDING) | P(LINKED));

    /* The guest drains; the tail it consumed is forgotten, so the next
     * event starts a new queue at HEAD. */
    assert_int_equal(guest_pop(0, 2), c);
    assert_int_equal(guest_pop(0, EVTCHN_FIFO_PRIORITY_DEFAULT), a);
    assert_int_equal(guest_pop(0, EVTCHN_FIFO_PRIORITY_DEFAULT), b);
    assert_int_equal(cb(0)->ready, 0);
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    assert_int_equal(*word(b), 0); /* not linked to through the old tail */
}

static void test_mask_unmask(void **state)
{
    uint32_t a;

    (void)state;
    switch_d1();
    a = ipi(0);
    *word(a) = P(MASKED);
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(*word(a), P(MASKED) | P(PENDING));
    assert_int_equal(cb(0)->ready, 0);
    assert_int_equal(evtchn_port_poll(d1, a), 1);

    /* The hypercall unmask queues the pending port. */
    assert_int_equal(simple_op(EVTCHNOP_unmask, a), 0);
    assert_int_equal(*word(a), P(PENDING) | P(LINKED));
    assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    assert_int_equal(cb(0)->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);

    /* Unmasking a port that is not pending queues nothing. */
    guest_pop(0, EVTCHN_FIFO_PRIORITY_DEFAULT);
    *word(a) = P(MASKED);
    assert_int_equal(simple_op(EVTCHNOP_unmask, a), 0);
    assert_int_equal(*word(a), 0);
    assert_int_equal(cb(0)->ready, 0);
}

static void test_set_priority_and_bind_vcpu_while_linked(void **state)
{
    uint32_t a, b;
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};

    (void)state;
    switch_d1();
    assert_int_equal(eh_op(EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
    a = au.port;
    b = ipi(0);
    assert_int_equal(bind_vcpu(a, 1), 0);
    evtchn_port_set_pending(d1, a);
    assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    assert_int_equal(cb(1)->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
    assert_int_equal(cb(0)->ready, 0);

    /* Moved while still queued on vCPU 1: stays there until unlinked. */
    assert_int_equal(bind_vcpu(a, 0), 0);
    assert_int_equal(set_priority(a, 4), 0);
    evtchn_port_set_pending(d1, a);
    assert_int_equal(cb(0)->ready, 0);
    assert_int_equal(guest_pop(1, EVTCHN_FIFO_PRIORITY_DEFAULT), a);

    /* Next time it goes to vCPU 0's priority 4 queue, and vCPU 1's queue
     * forgets it as its tail: b raised there must not be linked behind a
     * (into vCPU 0's queue) but start a queue of its own. */
    evtchn_port_set_pending(d1, a);
    assert_int_equal(cb(0)->head[4], a);
    assert_int_equal(cb(0)->ready, 1u << 4);
    assert_int_equal(bind_vcpu(b, 1), -EINVAL); /* an IPI stays put */
    assert_int_equal(eh_op(EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
    b = au.port;
    assert_int_equal(bind_vcpu(b, 1), 0);
    evtchn_port_set_pending(d1, b);
    assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], b);
    assert_int_equal(*word(a), P(PENDING) | P(LINKED));
}

static void test_no_control_block_drops(void **state)
{
    uint32_t a;

    (void)state;
    assert_int_equal(init_control(CB_FRAME, 0, 0, NULL), 0);
    assert_int_equal(expand(ARRAY_FRAME), 0);
    a = ipi(1); /* vCPU 1 has no control block */
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(*word(a), 0);
    assert_int_equal(d1->vcpus[1]->vcpu_info->evtchn_upcall_pending, 0);
}

/* ---- ports across the switch, close, reset, destroy ---- */

static void test_switch_keeps_bound_ports(void **state)
{
    uint32_t a, b;

    (void)state;
    a = ipi(0);
    b = ipi(0);
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0); /* pending under 2-level */
    assert_true(evtchn_2l_is_pending(d1, a));

    assert_int_equal(init_control(CB_FRAME, 0, 0, NULL), 0);
    /* No event word yet: pending is remembered, masked reads as set. */
    assert_int_equal(evtchn_port_poll(d1, a), 0);
    assert_true(evtchn_port_ops_fifo.is_masked(d1, a));
    assert_int_equal(simple_op(EVTCHNOP_send, b), 0);
    /* The page arrives: both are queued, in port order. */
    assert_int_equal(expand(ARRAY_FRAME), 0);
    assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], a);
    assert_int_equal(*word(a), P(PENDING) | P(LINKED) | b);
    assert_int_equal(*word(b), P(PENDING) | P(LINKED));
    /* Bound ports keep working. */
    guest_pop(0, EVTCHN_FIFO_PRIORITY_DEFAULT);
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(*word(b), P(PENDING) | P(LINKED) | a);
}

static void test_close_busy_port_not_reused(void **state)
{
    uint32_t a, b;

    (void)state;
    switch_d1();
    a = ipi(0);
    assert_int_equal(simple_op(EVTCHNOP_send, a), 0);
    assert_int_equal(simple_op(EVTCHNOP_close, a), 0);
    assert_int_equal(*word(a), P(LINKED)); /* pending cleared, still queued */
    b = ipi(0);
    assert_int_not_equal(a, b);
    guest_pop(0, EVTCHN_FIFO_PRIORITY_DEFAULT);
    assert_int_equal(ipi(0), a); /* unlinked: free again */
}

static void test_reset_and_destroy_drop_references(void **state)
{
    struct evtchn_reset r = {.dom = DOMID_SELF};

    (void)state;
    switch_d1();
    ipi(0);
    assert_int_equal(eh_frame_refs(CB_FRAME), 2);
    assert_int_equal(eh_op(EVTCHNOP_reset, &r, sizeof(r)), 0);
    assert_ptr_equal(d1->evtchn.ops, &evtchn_port_ops_2l);
    assert_null(d1->evtchn.fifo);
    assert_int_equal(eh_frame_refs(CB_FRAME), 0);
    assert_int_equal(eh_frame_refs(ARRAY_FRAME), 0);
    assert_int_equal(expand(ARRAY_FRAME), -EOPNOTSUPP);
    /* ... and may switch again; teardown checks the destroy path. */
    switch_d1();
    assert_int_equal(eh_frame_refs(ARRAY_FRAME), 1);
}

/* ---- a seeded random run, with the queues' invariants after each step ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

/*
 * With a guest that follows the protocol (takes ports off at HEAD, masks
 * and unmasks, never unlinks by hand): walking each queue from HEAD visits
 * only LINKED words and ends; every LINKED word is on exactly one queue; a
 * non-empty queue has its READY bit; and no port in use that is pending and
 * unmasked is left off the queues.
 */
static void check_queues(void)
{
    static uint8_t seen[1024];

    memset(seen, 0, sizeof(seen));
    for (unsigned int v = 0; v < 2; v++) {
        for (unsigned int q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++) {
            uint32_t port = cb(v)->head[q];
            unsigned int n = 0;

            if (port && (*word(port) & P(LINKED)))
                assert_true(cb(v)->ready & (1u << q));
            while (port && (*word(port) & P(LINKED))) {
                assert_true(port < 1024);
                assert_int_equal(seen[port], 0); /* on one queue, no cycle */
                seen[port] = 1;
                port = *word(port) & EVTCHN_FIFO_LINK_MASK;
                assert_true(++n < 1024);
            }
        }
    }
    for (uint32_t port = 1; port < 1024; port++) {
        event_word_t w = *word(port);

        if (w & P(LINKED))
            assert_int_equal(seen[port], 1);
        if (port < d1->evtchn.valid_ports &&
            evtchn_port_entry(&d1->evtchn, port)->state > ECS_RESERVED && (w & P(PENDING)) &&
            !(w & P(MASKED)))
            assert_true(w & P(LINKED));
    }
}

/* ---- Ports past the 2-level limit ---- */

#define HIGH_FRAME 5 /* frames 5..8: event-array pages 1..4 (ports 1024..5119) */

static long alloc_self(uint32_t *port)
{
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    long rc = eh_op(EVTCHNOP_alloc_unbound, &au, sizeof(au));

    *port = au.port;
    return rc;
}

/* Allocate ports until refused: returns the error, *last the last port. */
static long fill_ports(uint32_t *last)
{
    uint32_t port;
    long rc;

    while (!(rc = alloc_self(&port)))
        *last = port;
    return rc;
}

static void no_notify(struct domain *d, uint32_t port)
{
    (void)d;
    (void)port;
}

/* d2 offers d1 a port (alloc_unbound naming d1); d1 stays current. */
static void as_d2_offers_d1(uint32_t *port)
{
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = 1};

    eh_set_current(d2->vcpus[0]);
    assert_int_equal(eh_op(EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
    eh_set_current(d1->vcpus[0]);
    *port = au.port;
}

static void high_pages(void)
{
    for (unsigned int i = 0; i < 4; i++) {
        eh_frame_give(HIGH_FRAME + i, d1);
        assert_int_equal(expand(HIGH_FRAME + i), 0);
    }
}

static volatile event_word_t *high_word(uint32_t port)
{
    assert_true(port >= 1024 && port < 5 * 1024);
    return (event_word_t *)eh_frame(HIGH_FRAME + port / 1024 - 1) + port % 1024;
}

static void test_fifo_ports_up_to_abi_limit(void **state)
{
    uint32_t last = 0, p, q;
    struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 1};
    long live = eh_live_allocs;

    (void)state;
    /* No limit of its own (dom0; xl's max_event_channels past 2^17). */
    assert_int_equal(evtchn_set_max_ports(d1, EVTCHN_MAX_PORTS_UNLIMITED), 0);
    /* 2-level: 4096 ports, whatever the domain's own limit. */
    assert_int_equal(fill_ports(&last), -ENOSPC);
    assert_int_equal(last, EVTCHN_2L_NR_PORTS - 1);
    assert_int_equal(d1->evtchn.valid_ports, EVTCHN_2L_NR_PORTS);
    /* The bucket table grew with the ports: one bucket per group, one
     * table of buckets per 4096 ports. */
    assert_int_equal(eh_live_allocs,
                     live + EVTCHN_2L_NR_PORTS / EVTCHN_PORT_GROUP - 1 /* the first */);

    /* FIFO with those ports bound: up to 2^17, a bucket at a time. */
    switch_d1();
    high_pages();
    assert_int_equal(evtchn_port_limit(d1), EVTCHN_FIFO_NR_CHANNELS);
    assert_int_equal(fill_ports(&last), -ENOSPC);
    assert_int_equal(last, EVTCHN_FIFO_NR_CHANNELS - 1);
    assert_int_equal(d1->evtchn.active_ports, EVTCHN_FIFO_NR_CHANNELS - 1);
    assert_int_equal(d1->evtchn.valid_ports, EVTCHN_FIFO_NR_CHANNELS);
    assert_int_equal(eh_live_allocs, live + EVTCHN_FIFO_NR_CHANNELS / EVTCHN_PORT_GROUP +
                                         EVTCHN_NR_PORT_TABLES - 2 + 1 /* FIFO state */);
    /* The limit refuses every kind of allocation with Xen's -ENOSPC. */
    assert_int_equal(eh_op(EVTCHNOP_bind_virq, &bv, sizeof(bv)), -ENOSPC);
    {
        struct evtchn_bind_ipi bi = {.vcpu = 0};

        assert_int_equal(eh_op(EVTCHNOP_bind_ipi, &bi, sizeof(bi)), -ENOSPC);
    }
    as_d2_offers_d1(&q);
    {
        struct evtchn_bind_interdomain bi = {.remote_dom = 2, .remote_port = q};

        assert_int_equal(eh_op(EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), -ENOSPC);
    }
    assert_int_equal(evtchn_alloc_xen_port(d1, 0, no_notify), -ENOSPC);
    assert_int_equal(simple_op(EVTCHNOP_unmask, EVTCHN_FIFO_NR_CHANNELS), -EINVAL);

    /* A port past 4095 works like any other: freed, it is the lowest free
     * one and is handed out again; raised, it is queued by its word. */
    assert_int_equal(simple_op(EVTCHNOP_close, 5000), 0);
    assert_int_equal(simple_op(EVTCHNOP_close, 4100), 0);
    p = ipi(1);
    assert_int_equal(p, 4100);
    assert_int_equal(ipi(0), 5000);
    *high_word(4100) = 0;
    *high_word(5000) = 0;
    assert_int_equal(simple_op(EVTCHNOP_send, 5000), 0);
    assert_int_equal(simple_op(EVTCHNOP_send, 4100), 0);
    assert_int_equal(cb(0)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], 5000);
    assert_int_equal(cb(1)->head[EVTCHN_FIFO_PRIORITY_DEFAULT], 4100);
    assert_int_equal(*high_word(5000), P(PENDING) | P(LINKED));
    assert_true(cb(1)->ready & (1u << EVTCHN_FIFO_PRIORITY_DEFAULT));
    assert_int_equal(evtchn_port_poll(d1, 4100), 1);
    /* A port without an event word: remembered until its page comes. */
    assert_int_equal(simple_op(EVTCHNOP_close, 6000), 0);
    assert_int_equal(ipi(0), 6000);
    assert_int_equal(simple_op(EVTCHNOP_send, 6000), 0);
    assert_int_equal(evtchn_port_poll(d1, 6000), 0);

    /* Teardown frees every bucket and table. */
    eh_domain_free(d1);
    d1 = NULL;
    assert_int_equal(eh_live_allocs, live - 2);
}

static void test_fifo_domain_limit(void **state)
{
    uint32_t last = 0;

    (void)state;
    /* The default (xl's max_event_channels = 1023) holds under FIFO too. */
    switch_d1();
    assert_int_equal(fill_ports(&last), -ENOSPC);
    assert_int_equal(last, EVTCHN_DEFAULT_MAX_PORTS - 1);
    /* max_event_channels = 4999: 5000 ports under FIFO... */
    assert_int_equal(evtchn_set_max_ports(d1, 5000), 0);
    assert_int_equal(fill_ports(&last), -ENOSPC);
    assert_int_equal(last, 4999);
    assert_int_equal(d1->evtchn.valid_ports, ROUNDUP(5000, EVTCHN_PORT_GROUP));
    /* ...and a lower limit only once the ports above it are closed. */
    assert_int_equal(evtchn_set_max_ports(d1, 4500), -EBUSY);
    for (uint32_t port = 4500; port < 5000; port++)
        assert_int_equal(simple_op(EVTCHNOP_close, port), 0);
    assert_int_equal(evtchn_set_max_ports(d1, 4500), 0);
    assert_int_equal(fill_ports(&last), -ENOSPC);
    {
        struct evtchn_status st = {.dom = DOMID_SELF, .port = 4700};

        /* Past the limit, inside a bucket: valid and closed, as on Xen. */
        assert_int_equal(eh_op(EVTCHNOP_status, &st, sizeof(st)), 0);
        assert_int_equal(st.status, EVTCHNSTAT_closed);
    }
}

static void test_reset_fifo_to_2level_with_high_ports(void **state)
{
    struct evtchn_reset r = {.dom = DOMID_SELF};
    struct evtchn_status st = {.dom = DOMID_SELF, .port = 4200};
    uint32_t last = 0, p, valid;

    (void)state;
    assert_int_equal(evtchn_set_max_ports(d1, EVTCHN_MAX_PORTS_UNLIMITED), 0);
    switch_d1();
    high_pages();
    while (alloc_self(&p) == 0 && p < 4200)
        ;
    assert_int_equal(p, 4200);
    p = ipi(1);
    assert_int_equal(p, 4201);
    *high_word(p) = 0;
    assert_int_equal(simple_op(EVTCHNOP_send, p), 0);
    assert_int_equal(*high_word(p), P(PENDING) | P(LINKED));
    valid = d1->evtchn.valid_ports;

    /* Every port closed, back to 2-level, every page reference dropped. */
    assert_int_equal(eh_op(EVTCHNOP_reset, &r, sizeof(r)), 0);
    assert_int_equal(d1->evtchn.active_ports, 0);
    assert_ptr_equal(d1->evtchn.ops, &evtchn_port_ops_2l);
    assert_int_equal(eh_frame_refs(HIGH_FRAME + 3), 0);
    /* As on Xen the buckets stay: ports past 4095 are still valid, closed,
     * and nothing can be done with them. */
    assert_int_equal(d1->evtchn.valid_ports, valid);
    assert_int_equal(eh_op(EVTCHNOP_status, &st, sizeof(st)), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(simple_op(EVTCHNOP_unmask, 4201), 0);
    assert_int_equal(simple_op(EVTCHNOP_send, 4201), -EINVAL);
    assert_int_equal(simple_op(EVTCHNOP_close, 4201), -EINVAL);
    assert_int_equal(bind_vcpu(4201, 0), -EINVAL);
    st.port = valid;
    assert_int_equal(eh_op(EVTCHNOP_status, &st, sizeof(st)), -EINVAL);
    /* 2-level's limit again: 4095 is the last port. */
    assert_int_equal(fill_ports(&last), -ENOSPC);
    assert_int_equal(last, EVTCHN_2L_NR_PORTS - 1);
    assert_int_equal(d1->evtchn.valid_ports, valid);
    /* FIFO anew: past 4095 again. */
    assert_int_equal(init_control(CB_FRAME, 0, 0, NULL), 0);
    assert_int_equal(alloc_self(&p), 0);
    assert_int_equal(p, EVTCHN_2L_NR_PORTS);
}

static void test_random_run(void **state)
{
    uint32_t ports[24] = {0};
    unsigned long steps = 20000;

    (void)state;
    switch_d1();
    for (unsigned int i = 0; i < 1024; i++)
        *word(i) = P(MASKED);
    for (unsigned long i = 0; i < steps; i++) {
        uint32_t *slot = &ports[rnd(24)];
        uint32_t port = *slot;

        switch (rnd(10)) {
        case 0: /* bind (an IPI on either vCPU), or close */
            if (!port) {
                *slot = ipi(rnd(2));
            } else {
                assert_int_equal(simple_op(EVTCHNOP_close, port), 0);
                *slot = 0;
            }
            break;
        case 1:
            if (port)
                assert_int_equal(simple_op(EVTCHNOP_send, port), 0);
            break;
        case 2:
            if (port)
                evtchn_port_set_pending(d1, port);
            break;
        case 3:
            if (port)
                assert_int_equal(set_priority(port, rnd(EVTCHN_FIFO_MAX_QUEUES)), 0);
            break;
        case 4: /* the guest masks */
            if (port)
                *word(port) |= P(MASKED);
            break;
        case 5: /* the guest unmasks: by itself unless pending */
            if (!port)
                break;
            if (*word(port) & P(PENDING))
                assert_int_equal(simple_op(EVTCHNOP_unmask, port), 0);
            else
                *word(port) &= ~P(MASKED);
            break;
        case 6: /* an IPI cannot move; alloc_unbound ports may */
            if (port && evtchn_port_entry(&d1->evtchn, port)->state == ECS_UNBOUND)
                assert_int_equal(bind_vcpu(port, rnd(2)), 0);
            else if (!port) {
                struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = 0};

                assert_int_equal(eh_op(EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
                *slot = au.port;
            }
            break;
        default: { /* the guest takes a port off some queue */
            unsigned int v = rnd(2), q = rnd(EVTCHN_FIFO_MAX_QUEUES);
            uint32_t head = cb(v)->head[q];

            if (head && (*word(head) & P(LINKED)))
                guest_pop(v, q);
            break;
        }
        }
        check_queues();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_control_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand_array_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_priority, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raise_links_and_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mask_unmask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_priority_and_bind_vcpu_while_linked, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_control_block_drops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch_keeps_bound_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_busy_port_not_reused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_and_destroy_drop_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_ports_up_to_abi_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_domain_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_fifo_to_2level_with_high_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_run, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
