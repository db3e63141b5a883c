/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/xmalloc.c over the real page allocator. */
#include "harness.h"

#include <pvx/mm.h>

#define PHYS_BYTES (64ULL << 20)
#define NR_FRAMES  (PHYS_BYTES >> 12)

/* One heap for the life of the process: one setup. */
static int setup_heap(void **state)
{
    (void)state;
    harness_phys_init(PHYS_BYTES);
    frame_table = calloc(NR_FRAMES, sizeof(struct page_info));
    page_alloc_init(NR_FRAMES);
    page_alloc_add_range(0x100000, PHYS_BYTES);
    return 0;
}

static void test_xmalloc_objects(void **state)
{
    enum { N = 400 };
    static const size_t sizes[] = {1, 15, 16, 17, 100, 1000, 2032, 2033, 5000, 100000};
    unsigned char *p[N];
    size_t sz[N];
    (void)state;
    uint64_t before = page_alloc_free_pages();

    for (unsigned int i = 0; i < N; i++) {
        sz[i] = sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
        p[i] = xmalloc_bytes(sz[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        memset(p[i], i & 0xff, sz[i]);
    }
    for (unsigned int i = 0; i < N; i++)
        for (size_t j = 0; j < sz[i]; j++)
            assert_int_equal(p[i][j], i & 0xff);
    for (unsigned int i = 0; i < N; i++)
        xfree(p[i]);
    /* Large objects go straight back to the page allocator. */
    void *big = xmalloc_bytes(1 << 20);
    xfree(big);
    /* And a class page goes back once its last object is freed. */
    assert_int_equal(page_alloc_free_pages(), before);
    xfree(NULL);
}

/* A page of objects, one kept: the page stays; freed too, it goes back. */
static void test_xmalloc_pages_come_back(void **state)
{
    enum { N = 4096 / 64 * 3 };
    void *p[N];
    (void)state;
    uint64_t before = page_alloc_free_pages();

    for (unsigned int i = 0; i < N; i++)
        assert_non_null(p[i] = xmalloc_bytes(40));         /* the 64-byte class */
    assert_int_equal(before - page_alloc_free_pages(), 4); /* 63 objects a page */
    for (unsigned int i = 1; i < N; i++)
        xfree(p[i]);
    assert_int_equal(before - page_alloc_free_pages(), 1);
    p[1] = xmalloc_bytes(40); /* from the page still there */
    assert_int_equal(before - page_alloc_free_pages(), 1);
    xfree(p[0]);
    xfree(p[1]);
    assert_int_equal(page_alloc_free_pages(), before);
}

static void test_xzalloc_and_overflow(void **state)
{
    (void)state;
    unsigned char *p = xmalloc_bytes(64);
    memset(p, 0xaa, 64);
    xfree(p);
    unsigned char *q = xzalloc_bytes(64); /* likely the same slot */
    for (int i = 0; i < 64; i++)
        assert_int_equal(q[i], 0);
    xfree(q);
    assert_null(xzalloc_array_bytes(SIZE_MAX / 2, 3));
    assert_null(xmalloc_bytes((size_t)1 << 45));
}

static void test_xfree_catches_misuse(void **state)
{
    (void)state;
    char *p = xmalloc_bytes(32);
    xfree(p);
    expect_assert_failure(xfree(p));
    char *q = xmalloc_bytes(32);
    expect_assert_failure(xfree(q + 16));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmalloc_objects),
        cmocka_unit_test(test_xmalloc_pages_come_back),
        cmocka_unit_test(test_xzalloc_and_overflow),
        cmocka_unit_test(test_xfree_catches_misuse),
    };
    return cmocka_run_group_tests_name("xmalloc", tests, setup_heap, NULL);
}
