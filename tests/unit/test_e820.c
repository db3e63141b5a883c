/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/e820.c, the memory-map sanitizer. */
#include "harness.h"

#include <pvx/e820.h>

static struct e820_map m;

static int reset(void **state)
{
    (void)state;
    memset(&m, 0, sizeof(m));
    harness_log_reset();
    return 0;
}

static void expect(unsigned int i, uint64_t addr, uint64_t end, uint32_t type)
{
    assert_true(i < m.nr);
    assert_int_equal(m.map[i].addr, addr);
    assert_int_equal(m.map[i].addr + m.map[i].size, end);
    assert_int_equal(m.map[i].type, type);
}

static void assert_sorted_disjoint(void)
{
    for (unsigned int i = 1; i < m.nr; i++)
        assert_true(m.map[i - 1].addr + m.map[i - 1].size <= m.map[i].addr);
}

static void test_clean_map_unchanged(void **state)
{
    (void)state;
    e820_add(&m, 0, 0x9f000, E820_RAM);
    e820_add(&m, 0xf0000, 0x10000, E820_RESERVED);
    e820_add(&m, 0x100000, 0x7f00000, E820_RAM);
    assert_int_equal(e820_sanitize(&m, 4096), 0);
    assert_int_equal(m.nr, 3);
    expect(0, 0, 0x9f000, E820_RAM);
    expect(1, 0xf0000, 0x100000, E820_RESERVED);
    expect(2, 0x100000, 0x8000000, E820_RAM);
}

static void test_unsorted_is_sorted(void **state)
{
    (void)state;
    e820_add(&m, 0x100000, 0x100000, E820_RAM);
    e820_add(&m, 0, 0x9f000, E820_RAM);
    e820_add(&m, 0xe0000, 0x20000, E820_RESERVED);
    assert_int_equal(e820_sanitize(&m, 4096), 0);
    assert_int_equal(m.nr, 3);
    expect(0, 0, 0x9f000, E820_RAM);
    expect(1, 0xe0000, 0x100000, E820_RESERVED);
    expect(2, 0x100000, 0x200000, E820_RAM);
}

static void test_overlap_reserved_wins(void **state)
{
    (void)state;
    e820_add(&m, 0x100000, 0x1000000, E820_RAM);     /* 1M-17M RAM */
    e820_add(&m, 0x400000, 0x100000, E820_RESERVED); /* 4M-5M reserved inside */
    assert_true(e820_sanitize(&m, 4096) >= 1);
    assert_sorted_disjoint();
    assert_int_equal(m.nr, 3);
    expect(0, 0x100000, 0x400000, E820_RAM);
    expect(1, 0x400000, 0x500000, E820_RESERVED);
    expect(2, 0x500000, 0x1100000, E820_RAM);
    assert_true(harness_log_contains("overlapping"));
    assert_int_equal(e820_ram_total(&m), 0x300000 + 0xc00000);
}

static void test_overlap_nonram_higher_type_wins(void **state)
{
    (void)state;
    e820_add(&m, 0x1000, 0x3000, E820_ACPI);
    e820_add(&m, 0x2000, 0x3000, E820_NVS);
    e820_sanitize(&m, 4096);
    assert_int_equal(m.nr, 2);
    expect(0, 0x1000, 0x2000, E820_ACPI);
    expect(1, 0x2000, 0x5000, E820_NVS);
}

static void test_duplicates_and_adjacent_merge(void **state)
{
    (void)state;
    e820_add(&m, 0x100000, 0x100000, E820_RAM);
    e820_add(&m, 0x100000, 0x100000, E820_RAM);
    e820_add(&m, 0x200000, 0x100000, E820_RAM);
    e820_sanitize(&m, 4096);
    assert_int_equal(m.nr, 1);
    expect(0, 0x100000, 0x300000, E820_RAM);
}

static void test_bad_entries_dropped(void **state)
{
    (void)state;
    e820_add(&m, 0x1000, 0, E820_RAM);                     /* empty */
    e820_add(&m, 0xfffffffffffff000ULL, 0x2000, E820_RAM); /* wraps */
    e820_add(&m, 0x100000, 0x100000, E820_RAM);
    assert_int_equal(e820_sanitize(&m, 4096), 2);
    assert_int_equal(m.nr, 1);
    assert_true(harness_log_contains("dropping bad entry"));
}

static void test_tiny_and_unaligned_ram(void **state)
{
    (void)state;
    e820_add(&m, 0x100, 0x800, E820_RAM);       /* no whole page */
    e820_add(&m, 0x10800, 0x2000, E820_RAM);    /* one whole page after trimming */
    e820_add(&m, 0x100000, 0x100000, E820_RAM); /* fine */
    assert_int_equal(e820_sanitize(&m, 2 * 4096), 2);
    assert_int_equal(m.nr, 1);
    expect(0, 0x100000, 0x200000, E820_RAM);
    assert_true(harness_log_contains("tiny RAM region"));
}

static void test_unaligned_ram_trimmed_to_pages(void **state)
{
    (void)state;
    e820_add(&m, 0x100800, 0x200000, E820_RAM);
    e820_sanitize(&m, 4096);
    expect(0, 0x101000, 0x300000, E820_RAM);
}

static void test_full_map_fragmented(void **state)
{
    (void)state;
    /* E820_MAX alternating entries sanitize to at most E820_MAX entries. */
    for (unsigned int i = 0; i < E820_MAX; i++)
        e820_add(&m, (uint64_t)i * 0x200000, 0x100000, i % 2 ? E820_RESERVED : E820_RAM);
    assert_int_equal(e820_add(&m, 0, 1, E820_RAM), -28 /* ENOSPC */);
    e820_sanitize(&m, 4096);
    assert_int_equal(m.nr, E820_MAX);
    assert_sorted_disjoint();
}

static void test_queries(void **state)
{
    (void)state;
    e820_add(&m, 0, 0x9f000, E820_RAM);
    e820_add(&m, 0x100000, 0x100000, E820_RAM);
    e820_sanitize(&m, 4096);
    assert_int_equal(e820_ram_end(&m), 0x200000);
    assert_true(e820_is_ram(&m, 0x100000, 0x180000));
    assert_false(e820_is_ram(&m, 0x9e000, 0x101000)); /* spans the hole */
    assert_false(e820_is_ram(&m, 0x200000, 0x201000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_clean_map_unchanged, reset),
        cmocka_unit_test_setup(test_unsorted_is_sorted, reset),
        cmocka_unit_test_setup(test_overlap_reserved_wins, reset),
        cmocka_unit_test_setup(test_overlap_nonram_higher_type_wins, reset),
        cmocka_unit_test_setup(test_duplicates_and_adjacent_merge, reset),
        cmocka_unit_test_setup(test_bad_entries_dropped, reset),
        cmocka_unit_test_setup(test_tiny_and_unaligned_ram, reset),
        cmocka_unit_test_setup(test_unaligned_ram_trimmed_to_pages, reset),
        cmocka_unit_test_setup(test_full_map_fragmented, reset),
        cmocka_unit_test_setup(test_queries, reset),
    };
    return cmocka_run_group_tests_name("e820", tests, NULL, NULL);
}
