/* SPDX-License-Identifier: GPL-2.0-only */
/* Basic types and compiler helpers for the freestanding test guest. */
#ifndef TESTGUEST_TYPES_H
#define TESTGUEST_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define PAGE_SIZE        4096UL
#define PAGE_SHIFT       12
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define barrier()        __asm__ volatile("" ::: "memory")
#define mb()             __asm__ volatile("mfence" ::: "memory")
#define wmb()            barrier()
#define rmb()            barrier()
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define __aligned(n)     __attribute__((aligned(n)))
#define __page_aligned   __attribute__((aligned(4096), section(".bss.page_aligned")))
#define __noreturn       __attribute__((noreturn))
#define __printf(a, b)   __attribute__((format(printf, a, b)))

#endif
