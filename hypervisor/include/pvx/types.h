/* SPDX-License-Identifier: GPL-2.0-only */
/* Basic types for hypervisor code; the freestanding compiler headers provide them. */
#ifndef PVX_TYPES_H
#define PVX_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* machine (physical) address */
typedef uint64_t mfn_t;   /* machine frame number */

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1UL << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)

#define ARRAY_SIZE(a)         (sizeof(a) / sizeof((a)[0]))
#define ROUNDUP(x, a)         (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ROUNDDOWN(x, a)       ((x) & ~((uint64_t)(a)-1))
#define MIN(a, b)             ((a) < (b) ? (a) : (b))
#define MAX(a, b)             ((a) > (b) ? (a) : (b))
#define PFN_UP(x)             (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x)           ((x) >> PAGE_SHIFT)
#define container_of(p, t, m) ((t *)((char *)(p)-offsetof(t, m)))

#define __packed       __attribute__((packed))
#define __aligned(a)   __attribute__((aligned(a)))
#define __noreturn     __attribute__((noreturn))
#define __used         __attribute__((used))
#define __section(s)   __attribute__((section(s)))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)

#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)

#endif
