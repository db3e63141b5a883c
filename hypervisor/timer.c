/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Software timers on a per-CPU binary min-heap (1-based array of timer
 * pointers, each timer remembering its slot).  Insert, remove and re-arm are
 * O(log n); the earliest deadline is always heap[1], and the arch one-shot
 * timer is kept programmed for it.
 */
#include <pvx/arch.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/percpu.h>
#include <pvx/timer.h>

#define TIMER_HEAP_INITIAL 64

static void heap_set(struct percpu *pc, unsigned int i, struct timer *t)
{
    pc->timer_heap[i] = t;
    t->heap_index = i;
}

static void sift_up(struct percpu *pc, unsigned int i)
{
    struct timer *t = pc->timer_heap[i];

    while (i > 1 && pc->timer_heap[i / 2]->expires > t->expires) {
        heap_set(pc, i, pc->timer_heap[i / 2]);
        i /= 2;
    }
    heap_set(pc, i, t);
}

static void sift_down(struct percpu *pc, unsigned int i)
{
    struct timer *t = pc->timer_heap[i];
    unsigned int n = pc->timer_heap_size;

    for (;;) {
        unsigned int c = 2 * i;

        if (c > n)
            break;
        if (c + 1 <= n && pc->timer_heap[c + 1]->expires < pc->timer_heap[c]->expires)
            c++;
        if (pc->timer_heap[c]->expires >= t->expires)
            break;
        heap_set(pc, i, pc->timer_heap[c]);
        i = c;
    }
    heap_set(pc, i, t);
}

static void heap_remove(struct percpu *pc, struct timer *t)
{
    unsigned int i = t->heap_index;
    struct timer *last = pc->timer_heap[pc->timer_heap_size--];

    t->heap_index = 0;
    if (last == t)
        return;
    heap_set(pc, i, last);
    sift_up(pc, i);
    sift_down(pc, last->heap_index);
}

static bool heap_grow(struct percpu *pc)
{
    unsigned int limit = pc->timer_heap_limit ? pc->timer_heap_limit * 2 : TIMER_HEAP_INITIAL;
    struct timer **heap = xmalloc_bytes(sizeof(*heap) * (limit + 1));

    if (!heap)
        return false;
    for (unsigned int i = 1; i <= pc->timer_heap_size; i++)
        heap[i] = pc->timer_heap[i];
    xfree(pc->timer_heap);
    pc->timer_heap = heap;
    pc->timer_heap_limit = limit;
    return true;
}

int timer_init_cpu(unsigned int cpu)
{
    struct percpu *pc = per_cpu(cpu);

    pc->cpu_id = cpu;
    pc->timer_heap_size = 0;
    return heap_grow(pc) ? 0 : -1;
}

/* Only a CPU can program its own timer: another CPU's heap changing at its
 * head asks that CPU to look again (callers hold the hypervisor lock, which
 * serializes every heap). */
static void reprogram(struct percpu *pc)
{
    if (pc->cpu_id != arch_smp_processor_id()) {
        arch_timer_kick(pc->cpu_id);
        return;
    }
    arch_timer_program(pc->timer_heap_size ? pc->timer_heap[1]->expires : UINT64_MAX);
}

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
    ASSERT(cpu < NR_CPUS);
    t->expires = 0;
    t->fn = fn;
    t->data = data;
    t->heap_index = 0;
    t->cpu = cpu;
}

void set_timer(struct timer *t, uint64_t expires)
{
    struct percpu *pc = per_cpu(t->cpu);
    unsigned long flags = arch_local_irq_save();
    bool was_first = t->heap_index == 1;

    if (t->heap_index) {
        t->expires = expires;
        sift_up(pc, t->heap_index);
        sift_down(pc, t->heap_index);
    } else {
        /* Growing can only fail when the heap is out of memory: a host
         * invariant, since timers are embedded in objects already allocated. */
        if (pc->timer_heap_size == pc->timer_heap_limit)
            BUG_ON(!heap_grow(pc));
        t->expires = expires;
        heap_set(pc, ++pc->timer_heap_size, t);
        sift_up(pc, t->heap_index);
    }
    if (t->heap_index == 1 || was_first)
        reprogram(pc);
    arch_local_irq_restore(flags);
}

void stop_timer(struct timer *t)
{
    struct percpu *pc = per_cpu(t->cpu);
    unsigned long flags = arch_local_irq_save();

    if (t->heap_index) {
        bool was_first = t->heap_index == 1;

        heap_remove(pc, t);
        if (was_first)
            reprogram(pc);
    }
    arch_local_irq_restore(flags);
}

void timer_expire(unsigned int cpu, uint64_t now)
{
    struct percpu *pc = per_cpu(cpu);
    unsigned long flags = arch_local_irq_save();

    while (pc->timer_heap_size && pc->timer_heap[1]->expires <= now) {
        struct timer *t = pc->timer_heap[1];

        heap_remove(pc, t);
        /* The handler may re-arm this or any other timer. */
        arch_local_irq_restore(flags);
        t->fn(t->data);
        flags = arch_local_irq_save();
    }
    reprogram(pc);
    arch_local_irq_restore(flags);
}

uint64_t timer_next_deadline(unsigned int cpu)
{
    struct percpu *pc = per_cpu(cpu);

    return pc->timer_heap_size ? pc->timer_heap[1]->expires : UINT64_MAX;
}
