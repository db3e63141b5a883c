/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/param.c, the typed command-line parser. */
#include "harness.h"

#include <pvx/errno.h>
#include <pvx/param.h>

static bool opt_flag;
static bool opt_on_by_default = true;
static uint64_t opt_count = 7;
static uint32_t opt_small = 3;
static uint64_t opt_mem = 0;
static char opt_name[8] = "dflt";
static char custom_seen[32];
static int custom_calls;

static int parse_custom(const char *v)
{
    custom_calls++;
    if (v && !strcmp(v, "bad"))
        return -EINVAL;
    snprintf(custom_seen, sizeof(custom_seen), "%s", v ? v : "(none)");
    return 0;
}

boolean_param("flag", opt_flag);
boolean_param("on", opt_on_by_default);
uint_param("count", opt_count);
uint_param("small", opt_small);
size_param("mem", opt_mem);
string_param("name", opt_name);
custom_param("custom", parse_custom);

static int reset(void **state)
{
    (void)state;
    opt_flag = false;
    opt_on_by_default = true;
    opt_count = 7;
    opt_small = 3;
    opt_mem = 0;
    strcpy(opt_name, "dflt");
    custom_seen[0] = '\0';
    custom_calls = 0;
    harness_log_reset();
    return 0;
}

static unsigned int parse(const char *cmdline)
{
    return parse_params(cmdline, __start_pvx_params, __stop_pvx_params);
}

static void test_types(void **state)
{
    (void)state;
    assert_int_equal(parse("flag count=0x10 small=42 mem=64M name=abc"), 0);
    assert_true(opt_flag);
    assert_int_equal(opt_count, 16);
    assert_int_equal(opt_small, 42);
    assert_int_equal(opt_mem, 64ULL << 20);
    assert_string_equal(opt_name, "abc");
}

static void test_size_suffixes(void **state)
{
    static const struct {
        const char *arg;
        uint64_t value;
    } cases[] = {{"mem=1k", 1024},       {"mem=2K", 2048},          {"mem=3m", 3ULL << 20},
                 {"mem=4G", 4ULL << 30}, {"mem=1T", 1ULL << 40},    {"mem=512", 512},
                 {"mem=0x1000", 4096},   {"mem=16MiB", 16ULL << 20}};
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        opt_mem = 0;
        assert_int_equal(parse(cases[i].arg), 0);
        assert_int_equal(opt_mem, cases[i].value);
    }
}

static void test_booleans(void **state)
{
    (void)state;
    assert_int_equal(parse("no-on"), 0);
    assert_false(opt_on_by_default);
    assert_int_equal(parse("on=yes flag=off"), 0);
    assert_true(opt_on_by_default);
    assert_false(opt_flag);
    assert_int_equal(parse("flag=true on=0"), 0);
    assert_true(opt_flag);
    assert_false(opt_on_by_default);
    assert_int_equal(parse("flag=maybe"), 1);
    assert_true(opt_flag); /* unchanged */
}

static void test_bad_values_keep_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("count=12abc small=4294967296 mem=5X name=toolongvalue"), 4);
    assert_int_equal(opt_count, 7);
    assert_int_equal(opt_small, 3);
    assert_int_equal(opt_mem, 0);
    assert_string_equal(opt_name, "dflt");
    assert_true(harness_log_contains("option 'count': invalid value '12abc'"));
    assert_true(harness_log_contains("expected a size"));
}

static void test_overflow(void **state)
{
    (void)state;
    assert_int_equal(parse("count=18446744073709551616"), 1); /* 2^64 */
    assert_int_equal(opt_count, 7);
    assert_int_equal(parse("count=18446744073709551615"), 0);
    assert_int_equal(opt_count, UINT64_MAX);
    assert_int_equal(parse("mem=17179869184G"), 1); /* 2^34 GiB overflows */
}

static void test_unknown_and_missing(void **state)
{
    (void)state;
    assert_int_equal(parse("bogus count flag=1 =5 no-count"), 4);
    assert_true(harness_log_contains("unknown option 'bogus'"));
    assert_true(harness_log_contains("option 'count' needs a value"));
    assert_true(opt_flag);
    assert_int_equal(opt_count, 7);
}

static void test_custom(void **state)
{
    (void)state;
    assert_int_equal(parse("custom=hello custom"), 0);
    assert_int_equal(custom_calls, 2);
    assert_string_equal(custom_seen, "(none)");
    assert_int_equal(parse("custom=bad"), 1);
}

static void test_whitespace_and_long_tokens(void **state)
{
    char line[600];
    (void)state;
    assert_int_equal(parse("   \tflag   count=5\t "), 0);
    assert_int_equal(opt_count, 5);
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    assert_int_equal(parse(line), 1);
    assert_true(harness_log_contains("is too long"));
    assert_int_equal(parse(""), 0);
    assert_int_equal(parse(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_types, reset),
        cmocka_unit_test_setup(test_size_suffixes, reset),
        cmocka_unit_test_setup(test_booleans, reset),
        cmocka_unit_test_setup(test_bad_values_keep_defaults, reset),
        cmocka_unit_test_setup(test_overflow, reset),
        cmocka_unit_test_setup(test_unknown_and_missing, reset),
        cmocka_unit_test_setup(test_custom, reset),
        cmocka_unit_test_setup(test_whitespace_and_long_tokens, reset),
    };
    return cmocka_run_group_tests_name("param", tests, NULL, NULL);
}
