// SPDX-License-Identifier: GPL-2.0-only
/* pvclock: system time from vcpu_info.time and the TSC (version protocol). */
#include "guest.h"
#include <public/sched.h>

u64 rdtsc(void)
{
    u32 lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

static u64 scale(u64 delta, u32 mul, int shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (u64)(((unsigned __int128)delta * mul) >> 32);
}

u64 system_time_ns(void)
{
    volatile struct vcpu_time_info *t = &vcpu->time;
    u32 v;
    u64 now;

    do {
        v = t->version;
        rmb();
        now =
            t->system_time + scale(rdtsc() - t->tsc_timestamp, t->tsc_to_system_mul, t->tsc_shift);
        rmb();
    } while ((v & 1) || v != t->version);
    return now;
}

u64 tsc_khz(void)
{
    volatile struct vcpu_time_info *t = &vcpu->time;
    u64 khz = (1000000ULL << 32) / t->tsc_to_system_mul;

    if (t->tsc_shift < 0)
        khz <<= -t->tsc_shift;
    else
        khz >>= t->tsc_shift;
    return khz;
}

void block_until_or_event(u64 deadline)
{
    struct sched_poll poll;

    memset(&poll, 0, sizeof(poll));
    poll.timeout = deadline;
    events_enable();
    if (system_time_ns() < deadline)
        hc_sched_op(SCHEDOP_poll, &poll);
}
