/* SPDX-License-Identifier: GPL-2.0-only */
/* The machine memory map (BIOS e820 format) and its sanitizer. */
#ifndef PVX_E820_H
#define PVX_E820_H

#include <pvx/types.h>

#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#define E820_MAX 128

struct e820_entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};

/* The guest ABI's layout of one entry (XENMEM_memory_map and friends). */
struct e820_packed {
    uint64_t addr, size;
    uint32_t type;
} __packed;

struct e820_map {
    unsigned int nr;
    struct e820_entry map[E820_MAX];
};

/* Append a region; returns -ENOSPC when the map is full. */
int e820_add(struct e820_map *m, uint64_t addr, uint64_t size, uint32_t type);

/*
 * Make the map usable: drop empty or wrapping entries, resolve overlaps
 * (any non-RAM type wins over RAM, the higher type wins otherwise), merge
 * neighbours of one type, shrink RAM to whole pages and drop RAM regions
 * smaller than min_ram bytes.  The result is sorted and disjoint.  Every
 * change is logged.  Returns the number of problems found.
 */
unsigned int e820_sanitize(struct e820_map *m, uint64_t min_ram);

/* Total bytes of RAM and the end of the highest RAM region. */
uint64_t e820_ram_total(const struct e820_map *m);
uint64_t e820_ram_end(const struct e820_map *m);
bool e820_is_ram(const struct e820_map *m, uint64_t start, uint64_t end);

const char *e820_type_name(uint32_t type);
void e820_print(const struct e820_map *m);

#endif
