/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * STAC/CLAC where SMAP is on.  The instructions raise #UD on CPUs without
 * SMAP, so each site is assembled as a 3-byte NOP and listed in
 * .smap_sites; hardening.c rewrites the listed NOPs into STAC or CLAC at
 * boot once it has turned SMAP on.  Only the checked guest copies
 * (usercopy.c) open the window; every entry from a guest closes it, because
 * an interrupt gate keeps the guest's EFLAGS.AC.
 */
#ifndef ASM_SMAP_H
#define ASM_SMAP_H

#define SMAP_SITE_STAC 1
#define SMAP_SITE_CLAC 2

#ifdef __ASSEMBLY__
/* clang-format off */
.macro SMAP_SITE kind
661:
    .byte 0x0f, 0x1f, 0x00
    .pushsection .smap_sites, "a"
    .balign 8
    .quad 661b, \kind
    .popsection
.endm
#define ASM_CLAC SMAP_SITE SMAP_SITE_CLAC
/* clang-format on */
#else
#include <pvx/types.h>

#define _SMAP_SITE(kind)                                                                           \
    "661: .byte 0x0f, 0x1f, 0x00\n\t"                                                              \
    ".pushsection .smap_sites, \"a\"\n\t.balign 8\n\t.quad 661b, " #kind "\n\t.popsection\n\t"
#define ASM_STAC _SMAP_SITE(1)
#define ASM_CLAC _SMAP_SITE(2)

/* One listed site: the NOP's address and what it becomes. */
struct smap_site {
    uint64_t addr;
    uint64_t kind;
};
#endif

#endif
