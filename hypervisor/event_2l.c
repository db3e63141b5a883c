/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 2-level event channel ABI: one pending and one mask bit per port in
 * shared_info (64 words of 64 bits), one selector bit per pending word in
 * each vCPU's vcpu_info, and the vCPU's evtchn_upcall_pending byte.
 *
 * The guest clears pending bits, selector bits and upcall_pending, and sets
 * and clears mask bits, at any time and with no hypercall.  Every update
 * here is therefore a single locked read-modify-write, done in the order
 * pending -> mask test -> selector -> upcall, so that whatever the guest
 * interleaves, a port that ends up pending and unmasked always has its
 * selector bit and upcall flag set (the guest's handler scans in the
 * opposite order: upcall, selector, pending & ~mask).
 */
#include <pvx/domain.h>
#include <pvx/event.h>
#include <pvx/lib.h>

#define BITS_PER_WORD 64

/* Locked bit operations on a 64-bit word of guest-shared memory.  The lock
 * prefix also orders them against the other accesses (full barrier). */
static inline bool word_test_and_set(volatile uint64_t *w, unsigned int bit)
{
    bool old;

    asm volatile("lock btsq %2, %0" : "+m"(*w), "=@ccc"(old) : "Jr"((uint64_t)bit) : "memory");
    return old;
}

static inline bool word_test_and_clear(volatile uint64_t *w, unsigned int bit)
{
    bool old;

    asm volatile("lock btrq %2, %0" : "+m"(*w), "=@ccc"(old) : "Jr"((uint64_t)bit) : "memory");
    return old;
}

static inline void word_clear(volatile uint64_t *w, unsigned int bit)
{
    asm volatile("lock btrq %1, %0" : "+m"(*w) : "Jr"((uint64_t)bit) : "memory");
}

static inline bool word_test(const volatile uint64_t *w, unsigned int bit)
{
    return (*w >> bit) & 1;
}

static volatile uint64_t *pending_word(const struct domain *d, uint32_t port)
{
    return (volatile uint64_t *)&d->shared_info->evtchn_pending[port / BITS_PER_WORD];
}

static volatile uint64_t *mask_word(const struct domain *d, uint32_t port)
{
    return (volatile uint64_t *)&d->shared_info->evtchn_mask[port / BITS_PER_WORD];
}

void evtchn_vcpu_mark_pending(struct vcpu *v)
{
    /* A byte exchange: the guest writes the neighbouring upcall_mask byte
     * concurrently, and only a clear-to-set transition needs a kick. */
    if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        return;
    vcpu_kick(v);
}

/* The port is pending and unmasked: make sure v's handler will scan its word. */
static void notify_vcpu(struct vcpu *v, uint32_t port)
{
    volatile uint64_t *sel = (volatile uint64_t *)&v->vcpu_info->evtchn_pending_sel;

    if (!word_test_and_set(sel, port / BITS_PER_WORD))
        evtchn_vcpu_mark_pending(v);
}

void evtchn_2l_set_pending(struct vcpu *v, uint32_t port)
{
    const struct domain *d = v->domain;

    ASSERT(port < EVTCHN_2L_NR_PORTS);
    if (word_test_and_set(pending_word(d, port), port % BITS_PER_WORD))
        return; /* already pending: the guest has been told */
    /* Masked: the unmask (guest or hypercall) delivers it later. */
    if (!word_test(mask_word(d, port), port % BITS_PER_WORD))
        notify_vcpu(v, port);
    evtchn_wake_pollers(d, port);
}

void evtchn_2l_clear_pending(struct domain *d, uint32_t port)
{
    ASSERT(port < EVTCHN_2L_NR_PORTS);
    word_clear(pending_word(d, port), port % BITS_PER_WORD);
}

void evtchn_2l_unmask(struct domain *d, struct vcpu *v, uint32_t port)
{
    ASSERT(port < EVTCHN_2L_NR_PORTS);
    /* Only a masked-to-unmasked transition can have held back an upcall. */
    if (!word_test_and_clear(mask_word(d, port), port % BITS_PER_WORD))
        return;
    if (!word_test(pending_word(d, port), port % BITS_PER_WORD))
        return;
    notify_vcpu(v, port);
}

bool evtchn_2l_is_pending(const struct domain *d, uint32_t port)
{
    ASSERT(port < EVTCHN_2L_NR_PORTS);
    return word_test(pending_word(d, port), port % BITS_PER_WORD);
}

bool evtchn_2l_is_masked(const struct domain *d, uint32_t port)
{
    ASSERT(port < EVTCHN_2L_NR_PORTS);
    return word_test(mask_word(d, port), port % BITS_PER_WORD);
}

const struct evtchn_port_ops evtchn_port_ops_2l = {
    .set_pending = evtchn_2l_set_pending,
    .clear_pending = evtchn_2l_clear_pending,
    .unmask = evtchn_2l_unmask,
    .is_pending = evtchn_2l_is_pending,
    .is_masked = evtchn_2l_is_masked,
    /* No is_busy: a 2-level port is free as soon as it is closed.  No
     * set_priority: the ABI has none (-ENOSYS). */
};
