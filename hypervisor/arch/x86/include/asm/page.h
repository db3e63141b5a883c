/* SPDX-License-Identifier: GPL-2.0-only */
/* x86-64 4-level paging: entry bits and index helpers. */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <asm/config.h>
#include <pvx/types.h>

#define _PAGE_PRESENT  0x001ULL
#define _PAGE_RW       0x002ULL
#define _PAGE_USER     0x004ULL
#define _PAGE_PWT      0x008ULL
#define _PAGE_PCD      0x010ULL
#define _PAGE_ACCESSED 0x020ULL
#define _PAGE_DIRTY    0x040ULL
#define _PAGE_PSE      0x080ULL
#define _PAGE_GLOBAL   0x100ULL
#define _PAGE_NX       (1ULL << 63)

#define PADDR_BITS    52
#define PADDR_MASK    ((1ULL << PADDR_BITS) - 1)
#define PTE_ADDR_MASK (PADDR_MASK & PAGE_MASK)

#define L1_SHIFT     12
#define L2_SHIFT     21
#define L3_SHIFT     30
#define L4_SHIFT     39
#define PT_ENTRIES   512
#define l1_index(va) (((uint64_t)(va) >> L1_SHIFT) & 511)
#define l2_index(va) (((uint64_t)(va) >> L2_SHIFT) & 511)
#define l3_index(va) (((uint64_t)(va) >> L3_SHIFT) & 511)
#define l4_index(va) (((uint64_t)(va) >> L4_SHIFT) & 511)

typedef uint64_t pte_t;

/* Hypervisor mappings: never _PAGE_USER, since guests run in ring 3. */
#define PAGE_HYPERVISOR_RW (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX)
#define PAGE_HYPERVISOR_RO (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_HYPERVISOR_RX (_PAGE_PRESENT | _PAGE_ACCESSED)
#define PAGE_HYPERVISOR_UC (PAGE_HYPERVISOR_RW | _PAGE_PCD | _PAGE_PWT)
#define PAGE_TABLE_FLAGS   (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)

static inline bool is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

#endif
