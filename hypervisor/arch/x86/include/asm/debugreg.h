/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The CPU's debug registers: DR0-DR3 hold breakpoint addresses, DR6 says
 * which condition raised a #DB, DR7 enables breakpoints and gives each one's
 * type (R/W) and length.  pvx uses none itself; they are guests' (pv/debugreg.c).
 */
#ifndef ASM_DEBUGREG_H
#define ASM_DEBUGREG_H

#include <pvx/types.h>

#define DR6_DEFAULT     0xffff0ff0ULL /* the value with no condition recorded */
#define DR6_STATUS_MASK 0x0000e00fULL /* B0-B3, BD, BS, BT: what a #DB reports */
#define DR6_WRITABLE    0xffffefffULL /* in a guest's value; bit 12 and bits 32+ read as 0 */
#define DR6_HIT(n)      (1ULL << (n))
#define DR6_BS          0x4000ULL /* single step */

#define DR7_DEFAULT         0x00000400ULL /* bit 10 reads as one */
#define DR7_WRITABLE        0xffff27ffULL /* bits 11-12, 14-15 and 32+ read as zero */
#define DR7_GD              0x00002000ULL /* general detect: #DB on any DR access */
#define DR7_ENABLE_MASK     0x000000ffULL /* L0 G0 ... L3 G3 */
#define DR7_ENABLED(dr7, n) (((dr7) >> ((n)*2)) & 3)
#define DR7_RW(dr7, n)      (((dr7) >> (16 + (n)*4)) & 3)
#define DR7_RW_EXECUTE      0
#define DR7_RW_IO           2

#define DEFINE_DR(n)                                                                               \
    static inline uint64_t read_dr##n(void)                                                        \
    {                                                                                              \
        uint64_t v;                                                                                \
        __asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));                                          \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_dr##n(uint64_t v)                                                     \
    {                                                                                              \
        __asm__ volatile("mov %0, %%dr" #n : : "r"(v));                                            \
    }
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)
DEFINE_DR(7)
#undef DEFINE_DR

#endif
