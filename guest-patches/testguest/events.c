// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event channels, 2-level until t_fifo switches to FIFO.  2-level: the
 * upcall scans pending & ~mask through the per-vCPU selector word, clears
 * each pending bit and counts it (and calls a handler if one is set).
 * FIFO: the upcall takes vCPU 0's queues in priority order, unlinking each
 * port and counting it if pending and unmasked.  Checks look at
 * evt_count[], upcalls and (FIFO) fifo_taken[].
 */
#include "guest.h"
#include <public/event_channel.h>

volatile unsigned evt_count[NR_EVT_PORTS];
volatile unsigned upcalls;
static evtchn_handler_t handlers[NR_EVT_PORTS];

/* FIFO: vCPU 0's control block and the event words. */
static volatile struct evtchn_fifo_control_block *fifo_cb;
static volatile event_word_t *fifo_words;
static u32 fifo_next[EVTCHN_FIFO_MAX_QUEUES]; /* our place in each queue */
unsigned fifo_taken[FIFO_TAKEN_MAX];          /* ports delivered, in order */
unsigned fifo_ntaken;

#define FIFO_BIT(b) (1u << EVTCHN_FIFO_##b)

static inline unsigned long xchg_ulong(volatile unsigned long *p, unsigned long v)
{
    __asm__ volatile("xchgq %0, %1" : "+r"(v), "+m"(*p) : : "memory");
    return v;
}

static inline void sync_clear_bit(unsigned nr, volatile unsigned long *addr)
{
    __asm__ volatile("lock btrq %1, %0"
                     : "+m"(addr[nr / 64])
                     : "Ir"((unsigned long)(nr % 64))
                     : "memory");
}

static inline void sync_set_bit(unsigned nr, volatile unsigned long *addr)
{
    __asm__ volatile("lock btsq %1, %0"
                     : "+m"(addr[nr / 64])
                     : "Ir"((unsigned long)(nr % 64))
                     : "memory");
}

void events_init(void)
{
    /* Start with every port masked; checks unmask the ones they use. */
    for (unsigned i = 0; i < ARRAY_SIZE(shinfo->evtchn_mask); i++)
        shinfo->evtchn_mask[i] = ~0UL;
}

void evtchn_set_handler(unsigned port, evtchn_handler_t h)
{
    handlers[port] = h;
}

void evtchn_fifo_use(void *control_block, event_word_t *words)
{
    fifo_cb = control_block;
    fifo_words = words;
    memset(fifo_next, 0, sizeof(fifo_next));
}

void evtchn_mask_port(unsigned port)
{
    if (fifo_words)
        __atomic_fetch_or(&fifo_words[port], FIFO_BIT(MASKED), __ATOMIC_SEQ_CST);
    else
        sync_set_bit(port, shinfo->evtchn_mask);
}

/* Clear MASKED unless the port is pending (then the hypervisor must link
 * it: false) or the hypervisor holds BUSY while it rewrites the LINK. */
static bool fifo_unmask_quiet(volatile event_word_t *w)
{
    event_word_t old = *w;

    for (;;) {
        event_word_t expect = old & ~FIFO_BIT(BUSY);

        if (!(old & FIFO_BIT(MASKED)))
            return true;
        if (old & FIFO_BIT(PENDING))
            return false;
        old = expect;
        if (__atomic_compare_exchange_n(w, &old, expect & ~FIFO_BIT(MASKED), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
            return true;
    }
}

void evtchn_unmask_port(unsigned port)
{
    struct evtchn_unmask op = {.port = port};

    if (fifo_words) {
        if (!fifo_unmask_quiet(&fifo_words[port]))
            hc_event_channel_op(EVTCHNOP_unmask, &op);
        return;
    }

    /*
     * The hypervisor clears the mask bit itself and raises the upcall if the
     * port is pending: it only does so when it sees the bit still set.
     */
    if (shinfo->evtchn_pending[port / 64] & (1UL << (port % 64)))
        hc_event_channel_op(EVTCHNOP_unmask, &op);
    else
        sync_clear_bit(port, shinfo->evtchn_mask);
}

/* Clear LINKED and LINK; returns the LINK (the next port, 0 at the end). */
static u32 fifo_unlink(volatile event_word_t *w)
{
    event_word_t old = *w;

    while (!__atomic_compare_exchange_n(w, &old, old & ~(FIFO_BIT(LINKED) | EVTCHN_FIFO_LINK_MASK),
                                        false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    return old & EVTCHN_FIFO_LINK_MASK;
}

/* Take the first port of queue q; its bit leaves *ready when q empties. */
static void fifo_take_one(unsigned q, u32 *ready)
{
    u32 port = fifo_next[q] ? fifo_next[q] : fifo_cb->head[q];
    volatile event_word_t *w = &fifo_words[port];
    event_word_t now;

    fifo_next[q] = fifo_unlink(w);
    if (!fifo_next[q])
        *ready &= ~(1u << q);
    now = *w;
    if ((now & FIFO_BIT(PENDING)) && !(now & FIFO_BIT(MASKED))) {
        __atomic_fetch_and(w, ~FIFO_BIT(PENDING), __ATOMIC_SEQ_CST);
        if (fifo_ntaken < FIFO_TAKEN_MAX)
            fifo_taken[fifo_ntaken++] = port;
        evt_count[port % NR_EVT_PORTS]++;
        if (handlers[port % NR_EVT_PORTS])
            handlers[port % NR_EVT_PORTS](port);
    }
}

/* Highest priority (lowest number) first, rechecking READY each time. */
static void fifo_upcall(void)
{
    u32 ready = __atomic_exchange_n(&fifo_cb->ready, 0, __ATOMIC_SEQ_CST);

    while (ready) {
        fifo_take_one((unsigned)__builtin_ctz(ready), &ready);
        ready |= __atomic_exchange_n(&fifo_cb->ready, 0, __ATOMIC_SEQ_CST);
    }
}

void evtchn_upcall(void)
{
    upcalls++;
    if (fifo_words) {
        while (READ_ONCE(vcpu->evtchn_upcall_pending)) {
            vcpu->evtchn_upcall_pending = 0;
            fifo_upcall();
        }
        return;
    }
    while (READ_ONCE(vcpu->evtchn_upcall_pending)) {
        unsigned long sel;

        vcpu->evtchn_upcall_pending = 0;
        sel = xchg_ulong(&vcpu->evtchn_pending_sel, 0);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctzl(sel);
            unsigned long bits;

            sel &= sel - 1;
            bits = shinfo->evtchn_pending[w] & ~shinfo->evtchn_mask[w];
            while (bits) {
                unsigned b = (unsigned)__builtin_ctzl(bits);
                unsigned port = w * 64 + b;

                bits &= bits - 1;
                sync_clear_bit(port, shinfo->evtchn_pending);
                evt_count[port]++;
                if (handlers[port])
                    handlers[port](port);
            }
        }
    }
}
