/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sanitizing the firmware memory map.  Boot loaders pass whatever the
 * firmware reported: entries may overlap, disagree on a type, be empty,
 * wrap around, or describe RAM in fragments too small to be worth a frame.
 * The sweep below cuts the address space at every entry boundary, decides
 * each piece's type, and merges the pieces back into a sorted, disjoint map.
 */
#include <pvx/e820.h>
#include <pvx/errno.h>
#include <pvx/lib.h>

int e820_add(struct e820_map *m, uint64_t addr, uint64_t size, uint32_t type)
{
    if (m->nr >= E820_MAX)
        return -ENOSPC;
    m->map[m->nr].addr = addr;
    m->map[m->nr].size = size;
    m->map[m->nr].type = type;
    m->nr++;
    return 0;
}

const char *e820_type_name(uint32_t type)
{
    switch (type) {
    case E820_RAM:
        return "RAM";
    case E820_RESERVED:
        return "reserved";
    case E820_ACPI:
        return "ACPI data";
    case E820_NVS:
        return "ACPI NVS";
    case E820_UNUSABLE:
        return "unusable";
    default:
        return "unknown";
    }
}

/* Who wins where two entries overlap: anything not RAM beats RAM (using
 * firmware memory as RAM corrupts it), otherwise the higher type. */
static bool type_beats(uint32_t a, uint32_t b)
{
    if (a == b)
        return false;
    if (b == E820_RAM)
        return true;
    if (a == E820_RAM)
        return false;
    return a > b;
}

static void sort_u64(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned int j = i;

        while (j && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

unsigned int e820_sanitize(struct e820_map *m, uint64_t min_ram)
{
    static uint64_t points[2 * E820_MAX];
    static struct e820_map out;
    unsigned int problems = 0, np = 0, i, j;
    bool overlap_logged = false;

    /* 1. Drop entries that describe nothing or wrap around. */
    for (i = 0, j = 0; i < m->nr; i++) {
        struct e820_entry *e = &m->map[i];

        if (e->size == 0 || e->addr + e->size < e->addr) {
            printk("e820: dropping bad entry %#llx+%#llx (%s)\n", (unsigned long long)e->addr,
                   (unsigned long long)e->size, e820_type_name(e->type));
            problems++;
            continue;
        }
        m->map[j++] = *e;
    }
    m->nr = j;

    /* 2. Cut the address space at every boundary. */
    for (i = 0; i < m->nr; i++) {
        points[np++] = m->map[i].addr;
        points[np++] = m->map[i].addr + m->map[i].size;
    }
    sort_u64(points, np);

    /* 3. Type each piece and merge neighbours of one type. */
    out.nr = 0;
    for (i = 0; i + 1 < np; i++) {
        uint64_t start = points[i], end = points[i + 1];
        uint32_t type = 0;
        unsigned int covering = 0;

        if (start == end)
            continue;
        for (j = 0; j < m->nr; j++) {
            const struct e820_entry *e = &m->map[j];

            if (e->addr <= start && e->addr + e->size >= end) {
                covering++;
                if (!type || type_beats(e->type, type))
                    type = e->type;
            }
        }
        if (covering > 1 && !overlap_logged) {
            printk("e820: overlapping entries at %#llx-%#llx resolved as %s\n",
                   (unsigned long long)start, (unsigned long long)end, e820_type_name(type));
            overlap_logged = true;
        }
        if (covering > 1)
            problems++;
        if (!type)
            continue; /* a hole */
        if (out.nr && out.map[out.nr - 1].type == type &&
            out.map[out.nr - 1].addr + out.map[out.nr - 1].size == start) {
            out.map[out.nr - 1].size += end - start;
            continue;
        }
        if (out.nr == E820_MAX) {
            printk("e820: map too fragmented, ignoring everything from %#llx\n",
                   (unsigned long long)start);
            problems++;
            break;
        }
        out.map[out.nr].addr = start;
        out.map[out.nr].size = end - start;
        out.map[out.nr].type = type;
        out.nr++;
    }

    /* 4. RAM only in whole pages, and not in uselessly small pieces. */
    for (i = 0, j = 0; i < out.nr; i++) {
        struct e820_entry e = out.map[i];

        if (e.type == E820_RAM) {
            uint64_t start = ROUNDUP(e.addr, PAGE_SIZE);
            uint64_t end = ROUNDDOWN(e.addr + e.size, PAGE_SIZE);

            if (end <= start || end - start < min_ram) {
                printk("e820: ignoring tiny RAM region %#llx-%#llx\n", (unsigned long long)e.addr,
                       (unsigned long long)(e.addr + e.size));
                problems++;
                continue;
            }
            e.addr = start;
            e.size = end - start;
        }
        out.map[j++] = e;
    }
    out.nr = j;
    *m = out;
    return problems;
}

uint64_t e820_ram_total(const struct e820_map *m)
{
    uint64_t total = 0;

    for (unsigned int i = 0; i < m->nr; i++)
        if (m->map[i].type == E820_RAM)
            total += m->map[i].size;
    return total;
}

uint64_t e820_ram_end(const struct e820_map *m)
{
    uint64_t end = 0;

    for (unsigned int i = 0; i < m->nr; i++)
        if (m->map[i].type == E820_RAM && m->map[i].addr + m->map[i].size > end)
            end = m->map[i].addr + m->map[i].size;
    return end;
}

bool e820_is_ram(const struct e820_map *m, uint64_t start, uint64_t end)
{
    for (unsigned int i = 0; i < m->nr; i++) {
        const struct e820_entry *e = &m->map[i];

        if (e->type == E820_RAM && e->addr <= start && end <= e->addr + e->size)
            return true;
    }
    return false;
}

void e820_print(const struct e820_map *m)
{
    for (unsigned int i = 0; i < m->nr; i++)
        printk("  %016llx - %016llx %s\n", (unsigned long long)m->map[i].addr,
               (unsigned long long)(m->map[i].addr + m->map[i].size),
               e820_type_name(m->map[i].type));
}
