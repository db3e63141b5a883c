/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The FIFO event channel ABI.  Each port has a 32-bit event word in pages
 * the guest hands over one at a time (expand_array): PENDING, MASKED,
 * LINKED and BUSY flags and a LINK to the next port of a queue.  Each vCPU
 * has a control block (init_control) with one queue per priority: HEAD is
 * the first port of the queue, READY has one bit per non-empty queue.
 *
 * Raising an unmasked port that is not LINKED appends it to its vCPU's
 * queue for its priority: the previous tail's LINK names it, or, when the
 * guest has already consumed the tail (cleared its LINKED), HEAD does.
 * The guest consumes a queue from HEAD, clearing LINKED as it goes; a port
 * that is LINKED is never linked again, so a port raised again while
 * queued, or after set_priority / bind_vcpu moved it, stays where it is
 * until the guest takes it off.  pvx remembers each queue's tail only to
 * append to it, and forgets it once that port is queued elsewhere.
 *
 * The guest may, on a LINKED word: set or clear MASKED, clear PENDING,
 * clear LINKED and LINK.  pvx rewrites LINK only while LINKED is still
 * set (compare-and-exchange), holding BUSY meanwhile so that a guest
 * unmasking through the hypercall-free path waits.  Everything here is
 * Xen 4.17's guest-visible behaviour; see docs/abi.md.
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/event.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <asm/pv/mm.h>
#include <public/event_channel.h>

#define WORDS_PER_PAGE  (PAGE_SIZE / sizeof(event_word_t))
#define MAX_ARRAY_PAGES (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)

#define FLAG(bit) ((event_word_t)1 << (bit))

BUILD_BUG_ON(sizeof(struct evtchn_fifo_control_block) != 72);
BUILD_BUG_ON(EVTCHN_FIFO_MAX_QUEUES > 32); /* one READY bit each */

struct evtchn_fifo_vcpu {
    struct evtchn_fifo_control_block *cb;  /* NULL until init_control for it */
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES]; /* last port appended, 0: none */
};

struct evtchn_fifo_domain {
    event_word_t *pages[MAX_ARRAY_PAGES]; /* mapped event-array pages */
    uint32_t nr_words;                    /* ports with an event word */
    struct evtchn_fifo_vcpu vcpu[MAX_VCPUS_PER_DOMAIN];
};

/* ---- Guest frames pvx keeps mapped ---- */

/* A writable reference on one of d's frames, as for a registered
 * vcpu_info: the guest can then never make it a page table. */
static void *map_guest_frame(struct domain *d, uint64_t gfn)
{
    if (gfn >= max_page || !arch_get_writable_page(mfn_to_page((mfn_t)gfn), d))
        return NULL;
    return arch_maddr_to_virt((paddr_t)gfn << PAGE_SHIFT);
}

static void unmap_guest_frame(const void *va)
{
    if (va)
        put_page_and_type(mfn_to_page((mfn_t)(arch_virt_to_maddr(va) >> PAGE_SHIFT)));
}

/* ---- Event words ---- */

static volatile event_word_t *word_of(const struct domain *d, uint32_t port)
{
    const struct evtchn_fifo_domain *f = d->evtchn.fifo;

    if (port >= f->nr_words)
        return NULL;
    return &f->pages[port / WORDS_PER_PAGE][port % WORDS_PER_PAGE];
}

/* Locked read-modify-writes: the guest changes the same words at any time. */
static bool word_test_and_set(volatile uint32_t *w, unsigned int bit)
{
    return __atomic_fetch_or(w, (uint32_t)1 << bit, __ATOMIC_SEQ_CST) & ((uint32_t)1 << bit);
}

static void word_clear(volatile uint32_t *w, unsigned int bit)
{
    __atomic_fetch_and(w, ~((uint32_t)1 << bit), __ATOMIC_SEQ_CST);
}

static bool word_test(const volatile uint32_t *w, unsigned int bit)
{
    return (__atomic_load_n(w, __ATOMIC_SEQ_CST) >> bit) & 1;
}

/* Replace the LINK of a word still LINKED by the guest; true if it was. */
static bool try_set_link(volatile event_word_t *w, event_word_t *old, uint32_t link)
{
    event_word_t new = (*old & ~(FLAG(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | link;

    return __atomic_compare_exchange_n(w, old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/*
 * Point the queue's tail word at port.  false if the guest has already
 * unlinked the tail (the queue is empty: HEAD must name port instead).
 * Only the four guest changes above can make the exchange fail, and BUSY
 * stops the unmask ones, so a few tries are enough; if they run out the
 * tail stays linked and the port is lost to this queue, as on Xen.
 */
static bool set_link(volatile event_word_t *w, uint32_t link)
{
    event_word_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST);

    if (!(old & FLAG(EVTCHN_FIFO_LINKED)))
        return false;
    if (try_set_link(w, &old, link))
        return true;
    word_test_and_set(w, EVTCHN_FIFO_BUSY);
    for (unsigned int try = 0; try < 4; try++) {
        old = __atomic_load_n(w, __ATOMIC_SEQ_CST);
        if (!(old & FLAG(EVTCHN_FIFO_LINKED))) {
            word_clear(w, EVTCHN_FIFO_BUSY);
            return false;
        }
        if (try_set_link(w, &old, link))
            return true; /* the new word has BUSY clear */
    }
    word_clear(w, EVTCHN_FIFO_BUSY);
    return true;
}

/* ---- Port operations (struct evtchn_port_ops) ---- */

/* Put port at the tail of v's queue for its priority.  true if it is the
 * queue's head now (HEAD names it: READY must be set), false if it was
 * linked behind the tail (the guest will reach it by walking the queue). */
static bool link_port(struct vcpu *v, uint32_t port, struct evtchn *chn)
{
    struct domain *d = v->domain;
    struct evtchn_fifo_domain *f = d->evtchn.fifo;
    struct evtchn_fifo_vcpu *fv = &f->vcpu[v->vcpu_id];
    unsigned int prio = chn->priority;
    uint32_t *old_tail = &f->vcpu[chn->fifo_last_vcpu].tail[chn->fifo_last_prio];
    bool appended = false;

    /* Its last queue may still end at this port: that queue is empty now
     * (the guest unlinked the port), and appending to it would link into
     * whatever queue the port is on next. */
    if (*old_tail == port)
        *old_tail = 0;
    chn->fifo_last_vcpu = (uint16_t)v->vcpu_id;
    chn->fifo_last_prio = (uint8_t)prio;

    if (fv->tail[prio])
        appended = set_link(word_of(d, fv->tail[prio]), port);
    if (!appended)
        __atomic_store_n(&fv->cb->head[prio], port, __ATOMIC_SEQ_CST);
    fv->tail[prio] = port;
    return !appended;
}

static void fifo_set_pending(struct vcpu *v, uint32_t port)
{
    struct domain *d = v->domain;
    struct evtchn *chn = evtchn_port_entry(&d->evtchn, port);
    struct evtchn_fifo_vcpu *fv = &d->evtchn.fifo->vcpu[v->vcpu_id];
    volatile event_word_t *w = word_of(d, port);
    bool was_pending;

    /* No word yet: remembered, raised when the guest adds its page. */
    if (!w) {
        chn->fifo_pending = true;
        return;
    }
    /* A vCPU without a control block cannot have unmasked anything (the
     * guest sets one up before it unmasks): the event is dropped, as on
     * Xen. */
    if (!fv->cb)
        return;

    was_pending = word_test_and_set(w, EVTCHN_FIFO_PENDING);
    if (!word_test(w, EVTCHN_FIFO_MASKED) && !word_test_and_set(w, EVTCHN_FIFO_LINKED) &&
        link_port(v, port, chn) && !word_test_and_set(&fv->cb->ready, chn->priority))
        evtchn_vcpu_mark_pending(v);
    if (!was_pending)
        evtchn_wake_pollers(d, port);
}

static void fifo_clear_pending(struct domain *d, uint32_t port)
{
    volatile event_word_t *w = word_of(d, port);

    /* Not unlinked: the guest skips a queued port that is not pending. */
    if (w)
        word_clear(w, EVTCHN_FIFO_PENDING);
    evtchn_port_entry(&d->evtchn, port)->fifo_pending = false;
}

static void fifo_unmask(struct domain *d, struct vcpu *v, uint32_t port)
{
    volatile event_word_t *w = word_of(d, port);

    if (!w)
        return;
    word_clear(w, EVTCHN_FIFO_MASKED);
    /* A port raised while masked was not queued: queue it now. */
    if (word_test(w, EVTCHN_FIFO_PENDING))
        fifo_set_pending(v, port);
}

static bool fifo_is_pending(const struct domain *d, uint32_t port)
{
    const volatile event_word_t *w = word_of(d, port);

    return w && word_test(w, EVTCHN_FIFO_PENDING);
}

static bool fifo_is_masked(const struct domain *d, uint32_t port)
{
    const volatile event_word_t *w = word_of(d, port);

    return !w || word_test(w, EVTCHN_FIFO_MASKED);
}

static bool fifo_is_busy(const struct domain *d, uint32_t port)
{
    const volatile event_word_t *w = word_of(d, port);

    return w && word_test(w, EVTCHN_FIFO_LINKED);
}

static int fifo_set_priority(struct domain *d, uint32_t port, unsigned int priority)
{
    if (priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -EINVAL;
    /* For the next link only: a queued port stays on its queue. */
    evtchn_port_entry(&d->evtchn, port)->priority = (uint8_t)priority;
    return 0;
}

const struct evtchn_port_ops evtchn_port_ops_fifo = {
    .set_pending = fifo_set_pending,
    .clear_pending = fifo_clear_pending,
    .unmask = fifo_unmask,
    .is_pending = fifo_is_pending,
    .is_masked = fifo_is_masked,
    .is_busy = fifo_is_busy,
    .set_priority = fifo_set_priority,
};

/* ---- Switching ABI, control blocks, the event array ---- */

static struct vcpu *fifo_vcpu(const struct domain *d, uint32_t id)
{
    return id < d->max_vcpus && id < MAX_VCPUS_PER_DOMAIN ? d->vcpus[id] : NULL;
}

/*
 * From 2-level to FIFO with ports already bound: every port goes on the
 * default priority, and one pending in shared_info is remembered to be
 * raised when its event word appears.  Masks are not carried over.
 */
static void switch_to_fifo(struct domain *d, struct evtchn_fifo_domain *f)
{
    for (uint32_t port = 1; port < d->evtchn.valid_ports; port++) {
        struct evtchn *chn = evtchn_port_entry(&d->evtchn, port);

        chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
        chn->fifo_pending = chn->state != ECS_FREE && evtchn_2l_is_pending(d, port);
        chn->fifo_last_vcpu = 0;
        chn->fifo_last_prio = 0;
    }
    d->evtchn.fifo = f;
    d->evtchn.ops = &evtchn_port_ops_fifo;
}

int evtchn_fifo_init_control(struct evtchn_init_control *ic)
{
    struct domain *d = current->domain;
    struct evtchn_fifo_domain *f = d->evtchn.fifo;
    struct vcpu *v = fifo_vcpu(d, ic->vcpu);
    void *page;

    ic->link_bits = EVTCHN_FIFO_LINK_BITS;
    if (!v)
        return -ENOENT;
    if (ic->offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block) || ic->offset & 7)
        return -EINVAL;
    if (f && f->vcpu[v->vcpu_id].cb)
        return -EINVAL; /* one control block per vCPU, for good */

    page = map_guest_frame(d, ic->control_gfn);
    if (!page)
        return -EINVAL;
    if (!f) {
        f = xzalloc(struct evtchn_fifo_domain);
        if (!f) {
            unmap_guest_frame(page);
            return -ENOMEM;
        }
        switch_to_fifo(d, f);
    }
    f->vcpu[v->vcpu_id].cb = (struct evtchn_fifo_control_block *)((char *)page + ic->offset);
    return 0;
}

int evtchn_fifo_expand_array(const struct evtchn_expand_array *ea)
{
    struct domain *d = current->domain;
    struct evtchn_fifo_domain *f = d->evtchn.fifo;
    uint32_t first;
    void *page;

    if (!f)
        return -EOPNOTSUPP;
    if (f->nr_words >= EVTCHN_FIFO_NR_CHANNELS)
        return -ENOSPC;
    page = map_guest_frame(d, ea->array_gfn);
    if (!page)
        return -EINVAL;
    first = f->nr_words;
    f->pages[first / WORDS_PER_PAGE] = page;
    f->nr_words += WORDS_PER_PAGE;

    /* Events raised while these words were missing arrive now. */
    for (uint32_t port = first; port < f->nr_words && port < d->evtchn.valid_ports; port++) {
        struct evtchn *chn = evtchn_port_entry(&d->evtchn, port);

        if (!chn->fifo_pending)
            continue;
        chn->fifo_pending = false;
        if (chn->state > ECS_RESERVED)
            fifo_set_pending(fifo_vcpu(d, chn->notify_vcpu), port);
    }
    return 0;
}

void evtchn_fifo_destroy(struct domain *d)
{
    struct evtchn_fifo_domain *f = d->evtchn.fifo;

    if (!f)
        return;
    for (unsigned int i = 0; i < MAX_VCPUS_PER_DOMAIN; i++)
        unmap_guest_frame(f->vcpu[i].cb);
    for (unsigned int i = 0; i < MAX_ARRAY_PAGES; i++)
        unmap_guest_frame(f->pages[i]);
    xfree(f);
    d->evtchn.fifo = NULL;
    d->evtchn.ops = &evtchn_port_ops_2l;
}
