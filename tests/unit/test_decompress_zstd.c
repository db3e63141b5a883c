/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zstd decoder against zstd(1): levels from --fast to --ultra -22 (what
 * Linux's build uses), long-distance mode, with and without checksums;
 * truncation, bit flips and the errors of damaged or unsupported frames.
 */
#include "decompress_harness.h"

#include <pvx/errno.h>

/* What Linux's build runs for a bzImage payload (scripts/Makefile.lib, zstd22). */
#define ZSTD_KERNEL "zstd -q --ultra -22 -c"

static void test_roundtrip(void **state)
{
    static const char *const cmds[] = {
        "zstd -q -1 -c",       "zstd -q -3 -c", "zstd -q -19 -c", "zstd -q --no-check -5 -c",
        "zstd -q --fast=4 -c",
    };

    if (!dh_have_tool("zstd"))
        skip();
    dh_matrix(decompress_zstd, cmds, sizeof(cmds) / sizeof(cmds[0]), 300000);
}

/* The big-window levels cost the compressor much memory: fewer, larger inputs. */
static void test_ultra_and_long(void **state)
{
    uint8_t *mixed = dh_generate(DH_MIXED, 400000, 11), *x86 = dh_generate(DH_X86, 70000, 12);

    if (!dh_have_tool("zstd"))
        skip();
    dh_roundtrip(decompress_zstd, ZSTD_KERNEL, mixed, 400000);
    dh_roundtrip(decompress_zstd, ZSTD_KERNEL, x86, 70000);
    dh_roundtrip(decompress_zstd, "zstd -q -19 --long=27 -c", mixed, 400000);
    free(mixed);
    free(x86);
}

static void test_truncation_and_flips(void **state)
{
    uint8_t *data = dh_generate(DH_MIXED, 3000, 42);

    if (!dh_have_tool("zstd"))
        skip();
    dh_damage(decompress_zstd, "zstd -q -19 -c", data, 3000, 512, DH_TRUNCATE | DH_CHECKED);
    dh_damage(decompress_zstd, "zstd -q --no-check -3 -c", data, 3000, 512, 0);
    free(data);
}

static void test_errors(void **state)
{
    /* Magic, descriptor with a 1-byte dictionary ID, window descriptor, ID 5. */
    static const uint8_t dict_frame[] = {0x28, 0xb5, 0x2f, 0xfd, 0x01, 0x00, 0x05, 0x01, 0, 0};
    /* Single segment, content size 3, then a reserved block type (3). */
    static const uint8_t reserved_block[] = {0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x03, 0x1f, 0, 0};
    uint8_t *data = dh_generate(DH_TEXT, 5000, 3), *comp;
    size_t comp_len;

    dh_expect_error(decompress_zstd, dict_frame, sizeof(dict_frame), 100, -EOPNOTSUPP,
                    "zstd: frames needing a dictionary are not supported");
    dh_expect_error(decompress_zstd, reserved_block, sizeof(reserved_block), 100, -EBADMSG,
                    "zstd: reserved block type");
    if (!dh_have_tool("zstd"))
        skip();
    comp = dh_filter("zstd -q -c", data, 5000, &comp_len);
    assert_non_null(comp);
    comp[comp_len - 1] ^= 0x10;
    dh_expect_error(decompress_zstd, comp, comp_len, 5000, -EBADMSG,
                    "zstd: content checksum mismatch");
    free(comp);
    free(data);
}

static void test_skippable_and_concat(void **state)
{
    static const uint8_t skip_frame[] = {0x5f, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9};

    (void)state;
    if (!dh_have_tool("zstd"))
        skip();
    dh_two_members(decompress, "zstd -q -c", ZSTD_KERNEL,
                   (struct dh_bytes){skip_frame, sizeof(skip_frame)}, (struct dh_bytes){0},
                   (struct dh_bytes){"\x11\x22\x33\x44", 4});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_ultra_and_long),
        cmocka_unit_test(test_truncation_and_flips),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_skippable_and_concat),
    };

    return cmocka_run_group_tests_name("decompress_zstd", tests, NULL, NULL);
}
