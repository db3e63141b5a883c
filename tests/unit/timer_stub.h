/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stand-in for timer.c and the clock (timer_stub.c) for tests of code that
 * arms a timer: the test fires it by hand through stub_armed_timer, and the
 * clock stands still at 1000 ns.
 */
#ifndef PVX_UNIT_TIMER_STUB_H
#define PVX_UNIT_TIMER_STUB_H

#include <pvx/timer.h>

/* The timer last passed to set_timer() (NULL: none yet). */
extern struct timer *stub_armed_timer;

#endif
