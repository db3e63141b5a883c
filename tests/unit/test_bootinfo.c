/* SPDX-License-Identifier: GPL-2.0-only */
/* Unit tests: hypervisor/bootinfo.c, rejecting bad boot modules. */
#include "harness.h"

#include <pvx/bootinfo.h>

static struct bootinfo bi;

static void add(paddr_t start, uint64_t size, const char *cmdline)
{
    bi.modules[bi.nr_modules].start = start;
    bi.modules[bi.nr_modules].size = size;
    snprintf(bi.modules[bi.nr_modules].cmdline, BOOT_MODCMDLINE_MAX, "%s", cmdline);
    bi.nr_modules++;
}

static void test_bad_modules_dropped(void **state)
{
    (void)state;
    memset(&bi, 0, sizeof(bi));
    harness_log_reset();
    e820_add(&bi.mem, 0, 0x9f000, E820_RAM);
    e820_add(&bi.mem, 0x100000, 0x7f00000, E820_RAM);
    add(0x400000, 0x1000, "good1");
    add(0x500000, 0, "empty");
    add(0x9000000, 0x1000, "beyond-ram");
    add(0x100000, 0x2000, "over-image");
    add(0x400800, 0x1000, "over-good1");
    add(0x9e000, 0x2000, "across-hole");
    add(0x600000, 0x100000, "good2");
    assert_int_equal(bootinfo_check_modules(&bi, 0x100000, 0x200000), 5);
    assert_int_equal(bi.nr_modules, 2);
    assert_string_equal(bi.modules[0].cmdline, "good1");
    assert_string_equal(bi.modules[1].cmdline, "good2");
    assert_true(harness_log_contains("'empty') ignored: it is empty"));
    assert_true(harness_log_contains("'beyond-ram') ignored: it does not lie in RAM"));
    assert_true(harness_log_contains("overlaps the hypervisor image"));
    assert_true(harness_log_contains("overlaps another module"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_modules_dropped)};
    return cmocka_run_group_tests_name("bootinfo", tests, NULL, NULL);
}
