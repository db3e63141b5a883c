/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Software timers: a per-CPU min-heap ordered by expiry time.  The arch
 * one-shot timer is always programmed for the earliest deadline; its
 * interrupt runs timer_expire(), which calls every due handler in order.
 * The scheduler and guest timers are built on this.
 */
#ifndef PVX_TIMER_H
#define PVX_TIMER_H

#include <pvx/types.h>

struct timer {
    uint64_t expires; /* absolute, in ns of the monotonic clock */
    void (*fn)(void *data);
    void *data;
    unsigned int heap_index; /* 0 when not queued */
    unsigned int cpu;
};

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu);
/* (Re)arm; a deadline in the past fires at the next timer_expire(). */
void set_timer(struct timer *t, uint64_t expires);
void stop_timer(struct timer *t);
static inline bool timer_is_active(const struct timer *t)
{
    return t->heap_index != 0;
}

/* Run every timer due at `now` on this CPU and reprogram the hardware. */
void timer_expire(unsigned int cpu, uint64_t now);
/* The earliest deadline queued on cpu, or UINT64_MAX. */
uint64_t timer_next_deadline(unsigned int cpu);
int timer_init_cpu(unsigned int cpu);

#endif
