/* SPDX-License-Identifier: GPL-2.0-only */
/* The monotonic clock (ns since boot) and wall-clock time. */
#ifndef PVX_TIME_H
#define PVX_TIME_H

#include <pvx/types.h>

/* Nanoseconds since the clock was calibrated at boot. */
uint64_t now_ns(void);
#define NOW() now_ns()

#define MILLISECS(ms) ((uint64_t)(ms)*1000000ULL)
#define MICROSECS(us) ((uint64_t)(us)*1000ULL)
#define SECONDS(s)    ((uint64_t)(s)*1000000000ULL)

#endif
