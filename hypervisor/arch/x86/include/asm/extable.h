/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exception fixups: an instruction that may fault on guest-controlled input
 * (a guest memory access, a return to a guest frame) is listed with the
 * address to continue at if it does.  The trap handler consults the table
 * before treating a hypervisor-mode fault as fatal.
 */
#ifndef ASM_EXTABLE_H
#define ASM_EXTABLE_H

#ifdef __ASSEMBLY__
/* clang-format off */
.macro ASM_EXTABLE from, to
    .pushsection .ex_table, "a"
    .balign 8
    .quad \from, \to
    .popsection
.endm
/* clang-format on */
#else
#include <pvx/types.h>

#define _ASM_EXTABLE(from, to)                                                                     \
    ".pushsection .ex_table, \"a\"\n\t.balign 8\n\t.quad " #from ", " #to "\n\t.popsection\n"

/* The fixup address for a faulting instruction address, or 0. */
uint64_t search_exception_table(uint64_t rip);
#endif

#endif
