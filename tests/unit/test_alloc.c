/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/bootmem.c and page_alloc.c. */
#include "harness.h"

#include <pvx/mm.h>

#define PHYS_BYTES (64ULL << 20)
#define NR_FRAMES  (PHYS_BYTES >> 12)

static struct e820_map map;

static int setup_frames(void **state)
{
    (void)state;
    harness_phys_init(PHYS_BYTES);
    free(frame_table);
    frame_table = calloc(NR_FRAMES, sizeof(struct page_info));
    assert_non_null(frame_table);
    page_alloc_init(NR_FRAMES);
    return 0;
}

/* ---- boot allocator ---- */

static void test_bootmem_reserve_and_alloc(void **state)
{
    (void)state;
    memset(&map, 0, sizeof(map));
    e820_add(&map, 0, 0x9f000, E820_RAM);
    e820_add(&map, 0x100000, 0x3f00000, E820_RAM); /* 1 MiB - 64 MiB */
    bootmem_init(&map);
    assert_int_equal(bootmem_free_bytes(), 0x9f000 + 0x3f00000);
    bootmem_reserve(0, 0x100000);
    bootmem_reserve(0x200000, 0x300000); /* punch a hole in the middle */
    assert_int_equal(bootmem_free_bytes(), 0x3f00000 - 0x100000);

    paddr_t a = bootmem_alloc(3 * 4096, 2ULL << 20);
    assert_int_equal(a % (2ULL << 20), 0);
    assert_true(a >= 0x300000 && a + 3 * 4096 <= 0x4000000);
    paddr_t b = bootmem_alloc_below(4096, 4096, 0x280000);
    assert_true(b >= 0x100000 && b + 4096 <= 0x200000); /* below the hole */
    assert_int_equal(bootmem_free_bytes(), 0x3f00000 - 0x100000 - 4 * 4096);
}

static paddr_t released_total;
static void count_release(paddr_t s, paddr_t e)
{
    released_total += e - s;
}

static void test_bootmem_release_and_oom(void **state)
{
    (void)state;
    memset(&map, 0, sizeof(map));
    e820_add(&map, 0x100000, 0x100000, E820_RAM);
    bootmem_init(&map);
    expect_assert_failure(bootmem_alloc(0x200000, 4096)); /* larger than RAM */
    released_total = 0;
    bootmem_release(count_release);
    assert_int_equal(released_total, 0x100000);
    expect_assert_failure(bootmem_alloc(4096, 4096)); /* released: no more use */
}

/* ---- page allocator ---- */

static void test_add_range_counts(void **state)
{
    (void)state;
    page_alloc_add_range(0x5000, 0x3001000); /* odd boundaries */
    assert_int_equal(page_alloc_total_pages(), (0x3001000 - 0x5000) >> 12);
    assert_int_equal(page_alloc_free_pages(), page_alloc_total_pages());
    /* Frames outside the range stay reserved and are never handed out. */
    assert_true(frame_table[4].count_info & PGC_reserved);
}

static void test_alignment_and_uniqueness(void **state)
{
    (void)state;
    page_alloc_add_range(0x100000, PHYS_BYTES);
    uint64_t total = page_alloc_free_pages();
    unsigned char *seen = calloc(NR_FRAMES, 1);
    uint64_t got = 0;
    struct page_info *pg;

    for (unsigned int order = 0; order <= 6; order++) {
        pg = alloc_pages(order);
        assert_non_null(pg);
        assert_int_equal(page_to_mfn(pg) & ((1ULL << order) - 1), 0);
        free_pages(pg, order);
    }
    while ((pg = alloc_pages(0)) != NULL) {
        mfn_t mfn = page_to_mfn(pg);
        assert_true(mfn >= 0x100 && mfn < NR_FRAMES);
        assert_int_equal(seen[mfn], 0);
        seen[mfn] = 1;
        got++;
    }
    assert_int_equal(got, total);
    assert_int_equal(page_alloc_free_pages(), 0);
    for (mfn_t m = 0; m < NR_FRAMES; m++)
        if (seen[m])
            free_pages(mfn_to_page(m), 0);
    assert_int_equal(page_alloc_free_pages(), total);
    /* Everything coalesced back: a large block is available again. */
    pg = alloc_pages(13); /* 32 MiB */
    assert_non_null(pg);
    free_pages(pg, 13);
    free(seen);
}

static void test_split_and_merge(void **state)
{
    (void)state;
    page_alloc_add_range(0, 1ULL << 22); /* 1024 frames: one order-10 block */
    struct page_info *a = alloc_pages(0), *b = alloc_pages(0);
    assert_int_equal(page_alloc_free_pages(), 1022);
    assert_null(alloc_pages(10));
    free_pages(a, 0);
    free_pages(b, 0);
    assert_non_null(alloc_pages(10));
    assert_null(alloc_pages(MAX_ORDER + 1));
}

static void test_double_free_is_caught(void **state)
{
    (void)state;
    page_alloc_add_range(0x100000, 0x200000);
    struct page_info *pg = alloc_pages(0);
    free_pages(pg, 0);
    expect_assert_failure(free_pages(pg, 0));
}

static void test_misaligned_free_is_caught(void **state)
{
    (void)state;
    page_alloc_add_range(0x100000, 0x200000);
    struct page_info *pg = alloc_pages(2);
    expect_assert_failure(free_pages(pg + 1, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bootmem_reserve_and_alloc, setup_frames),
        cmocka_unit_test_setup(test_bootmem_release_and_oom, setup_frames),
        cmocka_unit_test_setup(test_add_range_counts, setup_frames),
        cmocka_unit_test_setup(test_alignment_and_uniqueness, setup_frames),
        cmocka_unit_test_setup(test_split_and_merge, setup_frames),
        cmocka_unit_test_setup(test_double_free_is_caught, setup_frames),
        cmocka_unit_test_setup(test_misaligned_free_is_caught, setup_frames),
    };
    return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
