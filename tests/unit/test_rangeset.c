// SPDX-License-Identifier: GPL-2.0-only
/* Range sets: merging, splitting, capacity, and membership of whole ranges. */
#include <pvx/errno.h>
#include <pvx/rangeset.h>

static void expect(const struct rangeset *s, unsigned int nr, const uint64_t *pairs)
{
    assert_int_equal(s->nr, nr);
    for (unsigned int i = 0; i < nr; i++) {
        assert_int_equal(s->r[i].first, pairs[2 * i]);
        assert_int_equal(s->r[i].last, pairs[2 * i + 1]);
    }
}

static void test_add_merges(void **state)
{
    struct rangeset s = {0};

    (void)state;
    assert_int_equal(rangeset_add(&s, 10, 19), 0);
    assert_int_equal(rangeset_add(&s, 40, 49), 0);
    assert_int_equal(rangeset_add(&s, 0, 3), 0);
    expect(&s, 3, (const uint64_t[]){0, 3, 10, 19, 40, 49});
    assert_int_equal(rangeset_add(&s, 20, 25), 0); /* touches 10-19 */
    expect(&s, 3, (const uint64_t[]){0, 3, 10, 25, 40, 49});
    assert_int_equal(rangeset_add(&s, 5, 39), 0); /* bridges two */
    expect(&s, 2, (const uint64_t[]){0, 3, 5, 49});
    assert_int_equal(rangeset_add(&s, 4, 4), 0);
    expect(&s, 1, (const uint64_t[]){0, 49});
    assert_int_equal(rangeset_add(&s, 9, 5), -EINVAL);
    assert_int_equal(rangeset_add(&s, 100, UINT64_MAX), 0);
    assert_int_equal(rangeset_add(&s, 60, 99), 0);
    expect(&s, 2, (const uint64_t[]){0, 49, 60, UINT64_MAX});
}

static void test_remove_splits(void **state)
{
    struct rangeset s = {0};

    (void)state;
    assert_int_equal(rangeset_add(&s, 0x3f0, 0x3ff), 0);
    assert_int_equal(rangeset_remove(&s, 0x3f8, 0x3f9), 0);
    expect(&s, 2, (const uint64_t[]){0x3f0, 0x3f7, 0x3fa, 0x3ff});
    assert_true(rangeset_contains(&s, 0x3f0, 0x3f7));
    assert_false(rangeset_contains(&s, 0x3f7, 0x3f8));
    assert_false(rangeset_contains(&s, 0x3f9, 0x3f9));
    assert_int_equal(rangeset_remove(&s, 0, 0x3f3), 0);     /* trims the front */
    assert_int_equal(rangeset_remove(&s, 0x3fe, 0x500), 0); /* trims the back */
    expect(&s, 2, (const uint64_t[]){0x3f4, 0x3f7, 0x3fa, 0x3fd});
    assert_int_equal(rangeset_remove(&s, 0, UINT64_MAX), 0);
    assert_int_equal(s.nr, 0);
    assert_false(rangeset_contains(&s, 1, 1));
}

static void test_capacity(void **state)
{
    struct rangeset s = {0};

    (void)state;
    for (unsigned int i = 0; i < RANGESET_MAX; i++)
        assert_int_equal(rangeset_add(&s, i * 10, i * 10 + 1), 0);
    assert_int_equal(rangeset_add(&s, 1000, 1001), -ENOSPC);
    assert_int_equal(rangeset_remove(&s, 20, 20), 0); /* shrinks, needs no slot */
    assert_int_equal(rangeset_remove(&s, 30, 30), 0);
    assert_int_equal(rangeset_add(&s, 0, 3), 0); /* merges, needs no slot */
    assert_int_equal(s.nr, RANGESET_MAX);
    assert_int_equal(rangeset_add(&s, 50, 60), 0); /* merges 50-51 and 60-61 */
    assert_int_equal(s.nr, RANGESET_MAX - 1);
    assert_int_equal(rangeset_add(&s, 500, 500), 0);
    assert_int_equal(rangeset_add(&s, 70, 91), 0);
    /* Splitting a range in two needs a free slot. */
    for (unsigned int i = 0; s.nr < RANGESET_MAX; i++)
        assert_int_equal(rangeset_add(&s, 2000 + i * 10, 2000 + i * 10), 0);
    assert_int_equal(rangeset_remove(&s, 80, 80), -ENOSPC);
    assert_true(rangeset_contains(&s, 70, 91)); /* unchanged by the failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges),
        cmocka_unit_test(test_remove_splits),
        cmocka_unit_test(test_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
