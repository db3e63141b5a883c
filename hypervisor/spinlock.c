/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Spinlocks with a lock order, and the hypervisor lock (pvx/spinlock.h;
 * the rules are in docs/architecture.md, "Locking").
 */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/percpu.h>
#include <pvx/spinlock.h>

/* Taking @level while holding it or anything above breaks the order. */
static void order_check(unsigned int level)
{
#ifndef NDEBUG
    uint32_t held = this_cpu()->locks_held;

    BUG_ON(level >= LOCK_LEVEL_MAX);
    if (held >> level)
        panic("lock order: level %u taken while holding levels %#x", level, held);
#else
    (void)level;
#endif
}

static void note_taken(unsigned int level)
{
#ifndef NDEBUG
    this_cpu()->locks_held |= 1u << level;
#else
    (void)level;
#endif
}

static void note_released(unsigned int level)
{
#ifndef NDEBUG
    ASSERT(this_cpu()->locks_held & (1u << level));
    this_cpu()->locks_held &= ~(1u << level);
#else
    (void)level;
#endif
}

bool spin_level_held(unsigned int level)
{
#ifndef NDEBUG
    return this_cpu()->locks_held & (1u << level);
#else
    (void)level;
    return true;
#endif
}

bool spin_trylock(spinlock_t *l)
{
    order_check(l->level);
    if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        return false;
    note_taken(l->level);
    return true;
}

void spin_lock(spinlock_t *l)
{
    order_check(l->level);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            spin_wait_hook(); /* the holder may be waiting for us */
    note_taken(l->level);
}

void spin_unlock(spinlock_t *l)
{
    ASSERT(l->locked);
    note_released(l->level);
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

/* ---- the hypervisor lock ---- */

static spinlock_t hv_big = SPINLOCK_INIT("hypervisor", LOCK_LEVEL_HV);

bool hv_lock_held(void)
{
    return this_cpu()->hv_depth != 0;
}

/* Interrupts stay off while the depth and the lock disagree: one taken in
 * between (at boot, or while idle) would nest on a lock not yet held. */
void hv_lock(void)
{
    unsigned long flags = arch_local_irq_save();
    struct percpu *pc = this_cpu();

    if (!pc->hv_depth)
        spin_lock(&hv_big);
    pc->hv_depth++;
    arch_local_irq_restore(flags);
}

void hv_unlock(void)
{
    unsigned long flags = arch_local_irq_save();
    struct percpu *pc = this_cpu();

    ASSERT(pc->hv_depth);
    if (!--pc->hv_depth)
        spin_unlock(&hv_big);
    arch_local_irq_restore(flags);
}

void hv_unlock_all(void)
{
    unsigned long flags = arch_local_irq_save();
    struct percpu *pc = this_cpu();

    if (pc->hv_depth) {
        pc->hv_depth = 0;
        spin_unlock(&hv_big);
    }
    arch_local_irq_restore(flags);
}

unsigned int hv_unlock_for_wait(void)
{
    unsigned int depth = this_cpu()->hv_depth;

    hv_unlock_all();
    return depth;
}

void hv_relock_after_wait(unsigned int depth)
{
    unsigned long flags;

    if (!depth)
        return;
    flags = arch_local_irq_save();
    hv_lock();
    this_cpu()->hv_depth = depth;
    arch_local_irq_restore(flags);
}
