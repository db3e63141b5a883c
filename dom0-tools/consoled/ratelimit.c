/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Events per console per period.  A guest can notify as fast as it can
 * loop; each event costs the daemon a wake-up and a ring drain.  Past the
 * allowance the console's port simply stays masked until the period ends,
 * so one guest cannot starve the others, and nothing is lost: the guest's
 * output waits in its ring and the pending event is delivered on unmask.
 */
#include "consoled.h"

void ratelimit_init(struct ratelimit *r, int64_t now)
{
    r->count = 0;
    r->period_end = now + RATELIMIT_PERIOD_MS;
}

bool ratelimit_event(struct ratelimit *r)
{
    if (r->count < RATELIMIT_EVENTS)
        r->count++;
    return r->count < RATELIMIT_EVENTS;
}

bool ratelimit_ready(struct ratelimit *r, int64_t now)
{
    if (now >= r->period_end) {
        r->period_end = now + RATELIMIT_PERIOD_MS;
        r->count = 0;
    }
    return r->count < RATELIMIT_EVENTS;
}

int64_t ratelimit_deadline(const struct ratelimit *r)
{
    return r->count >= RATELIMIT_EVENTS ? r->period_end : -1;
}
