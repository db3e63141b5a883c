/* SPDX-License-Identifier: GPL-2.0-only */
/* Stand-ins for the timer and clock functions (see timer_stub.h). */
#include "timer_stub.h"

#include <pvx/time.h>

struct timer *stub_armed_timer;

void init_timer(struct timer *t, void (*fn)(void *), void *data, unsigned int cpu)
{
    t->fn = fn;
    t->data = data;
    t->cpu = cpu;
}

void set_timer(struct timer *t, uint64_t expires)
{
    t->expires = expires;
    stub_armed_timer = t;
}

uint64_t now_ns(void)
{
    return 1000;
}
