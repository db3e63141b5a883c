/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's own symbol table, embedded at link time, for backtraces. */
#ifndef PVX_SYMBOLS_H
#define PVX_SYMBOLS_H

#include <pvx/types.h>

/* Name of the function containing addr and the offset into it; NULL if unknown. */
const char *symbol_lookup(uint64_t addr, uint64_t *offset);

#endif
