/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/lib/vsprintf.c, checked against the C library. */
#include "harness.h"

int pvx_snprintf(char *buf, size_t size, const char *fmt, ...);

#define SAME(fmt, ...)                                                                             \
    do {                                                                                           \
        char ours[128], libc[128];                                                                 \
        int a = pvx_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__);                                \
        int b = snprintf(libc, sizeof(libc), fmt, __VA_ARGS__);                                    \
        assert_string_equal(ours, libc);                                                           \
        assert_int_equal(a, b);                                                                    \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    SAME("%d %i %u", -42, 17, 4000000000u);
    SAME("%x %X %o", 0xbeefu, 0xbeefu, 8u);
    SAME("%lld %llu %llx", -9223372036854775807LL - 1, 18446744073709551615ULL, 0x1234ULL);
    SAME("%ld %lu %zu %zx", -5L, 5UL, (size_t)77, (size_t)255);
    SAME("[%5d] [%-5d] [%05d] [%05d]", 42, 42, 42, -42);
    SAME("[%#x] [%#x] [%#llx] [%08x]", 0u, 255u, 0xabcULL, 0xfu);
    SAME("[%.3d] [%8.3d]", 7, 7);
    SAME("%hhu %hu", 300, 70000);
}

static void test_strings_and_chars(void **state)
{
    (void)state;
    SAME("[%s] [%10s] [%-10s] [%.2s] [%.*s]", "abc", "abc", "abc", "abc", 1, "xyz");
    SAME("[%c%c] %%", 'o', 'k');
    SAME("%*d|%-*d", 6, 1, 6, 2);
}

static void test_truncation(void **state)
{
    char buf[8];
    (void)state;
    memset(buf, 'x', sizeof(buf));
    assert_int_equal(pvx_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
    assert_string_equal(buf, "0123456");
    assert_int_equal(pvx_snprintf(buf, 1, "abc"), 3);
    assert_string_equal(buf, "");
    assert_int_equal(pvx_snprintf(NULL, 0, "%d", 12345), 5);
}

static void test_pointer_and_null(void **state)
{
    char buf[64];
    (void)state;
    pvx_snprintf(buf, sizeof(buf), "%p", (void *)0xffff810000001000ULL);
    assert_string_equal(buf, "0xffff810000001000");
    pvx_snprintf(buf, sizeof(buf), "%s", (char *)NULL);
    assert_string_equal(buf, "(null)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_strings_and_chars),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_pointer_and_null),
    };
    return cmocka_run_group_tests_name("vsprintf", tests, NULL, NULL);
}
