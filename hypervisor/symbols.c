/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Symbol lookup for backtraces.  scripts/gen-symbols.py turns `nm` output of
 * a previous link into a sorted address table plus a string table, which is
 * linked into the final image (see the hypervisor Makefile).
 */
#include <pvx/lib.h>
#include <pvx/symbols.h>

extern const uint64_t symbols_count;
extern const uint64_t symbols_addrs[];
extern const uint32_t symbols_name_offsets[];
extern const char symbols_names[];
extern const char _stext[], _etext[];

const char *symbol_lookup(uint64_t addr, uint64_t *offset)
{
    uint64_t lo = 0, hi = symbols_count;

    if (!symbols_count || addr < (uint64_t)_stext || addr >= (uint64_t)_etext ||
        addr < symbols_addrs[0])
        return NULL;
    /* Find the last symbol at or below addr. */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;

        if (symbols_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - symbols_addrs[lo];
    return &symbols_names[symbols_name_offsets[lo]];
}
