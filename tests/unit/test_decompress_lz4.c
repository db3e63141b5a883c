/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lz4 decoder against lz4(1): the legacy format Linux's build writes
 * (lz4 -l) and the frame format with its block sizes, linked blocks and
 * checksums; truncation, bit flips and the errors of damaged frames.
 */
#include "decompress_harness.h"

#include <pvx/errno.h>

/* What Linux's build runs for a bzImage payload (scripts/Makefile.lib, lz4). */
#define LZ4_KERNEL "lz4 -q -l -9 -c"

static void test_roundtrip(void **state)
{
    static const char *const cmds[] = {
        LZ4_KERNEL,
        "lz4 -q -l -1 -c",
        "lz4 -q -c",
        "lz4 -q -12 -c",
        "lz4 -q -B4 -BD --no-frame-crc -c",
        "lz4 -q -B7 -BX -c",
        "lz4 -q -B5 --content-size -c",
    };

    if (!dh_have_tool("lz4"))
        skip();
    dh_matrix(decompress_lz4, cmds, sizeof(cmds) / sizeof(cmds[0]), 600000);
}

/* Legacy blocks hold 8 MiB of output each: a larger input spans several. */
static void test_legacy_multiblock(void **state)
{
    size_t len = (8u << 20) + 12345;
    uint8_t *data = dh_generate(DH_MIXED, len, 77);

    if (!dh_have_tool("lz4"))
        skip();
    dh_roundtrip(decompress_lz4, "lz4 -q -l -1 -c", data, len);
    free(data);
}

static void test_truncation_and_flips(void **state)
{
    uint8_t *data = dh_generate(DH_MIXED, 3000, 42);

    if (!dh_have_tool("lz4"))
        skip();
    /* Legacy data has no end mark: a cut between blocks is a shorter valid file. */
    dh_damage(decompress_lz4, LZ4_KERNEL, data, 3000, 256, DH_TRUNCATE | DH_PREFIX_OK);
    dh_damage(decompress_lz4, "lz4 -q -BX -c", data, 3000, 256, DH_TRUNCATE | DH_CHECKED);
    free(data);
}

static void test_errors(void **state)
{
    uint8_t *data = dh_generate(DH_TEXT, 5000, 3), *comp;
    size_t comp_len;

    if (!dh_have_tool("lz4"))
        skip();
    comp = dh_filter("lz4 -q -c", data, 5000, &comp_len);
    assert_non_null(comp);
    comp[comp_len - 1] ^= 0x80;
    dh_expect_error(decompress_lz4, comp, comp_len, 5000, -EBADMSG,
                    "lz4: content checksum mismatch");
    comp[comp_len - 1] ^= 0x80;
    comp[4] |= 0x01; /* dictionary ID flag: the header checksum no longer matches */
    dh_expect_error(decompress_lz4, comp, comp_len, 5000, -EBADMSG,
                    "lz4: frame header checksum mismatch");
    comp[4] &= (uint8_t)~0x01;
    comp[4] ^= 0x40;
    dh_expect_error(decompress_lz4, comp, comp_len, 5000, -EOPNOTSUPP,
                    "lz4: unsupported frame version");
    comp[4] ^= 0x40;
    dh_expect_error(decompress_lz4, comp, comp_len, 4999, -ENOSPC,
                    "lz4: output larger than the expected size (or block limit)");
    free(comp);

    /* Legacy: a match reaching before the output. */
    {
        static const uint8_t bad[] = {0x02, 0x21, 0x4c, 0x18, 4, 0, 0, 0, 0x10, 'a', 5, 0};

        dh_expect_error(decompress_lz4, bad, sizeof(bad), 100, -EBADMSG,
                        "lz4: match offset outside the output");
    }
    free(data);
}

/* Linux appends the uncompressed size; pvx's bzImage code strips it, and so must a caller. */
static void test_kernel_trailer(void **state)
{
    uint8_t *data = dh_generate(DH_X86, 50000, 8), *comp, out[50000];
    size_t comp_len, used;
    const char *why = NULL;

    if (!dh_have_tool("lz4"))
        skip();
    comp = dh_filter(LZ4_KERNEL, data, 50000, &comp_len);
    assert_non_null(comp);
    assert_int_equal(decompress(comp, comp_len, out, sizeof(out), &used, &why), 50000);
    assert_int_equal(used, comp_len);
    assert_memory_equal(out, data, 50000);
    free(comp);
    free(data);
}

static void test_skippable_and_concat(void **state)
{
    static const uint8_t skip_frame[] = {0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3};

    (void)state;
    if (!dh_have_tool("lz4"))
        skip();
    dh_two_members(decompress, "lz4 -q -c", "lz4 -q -BD -c", (struct dh_bytes){0},
                   (struct dh_bytes){skip_frame, sizeof(skip_frame)}, (struct dh_bytes){0});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_legacy_multiblock),
        cmocka_unit_test(test_truncation_and_flips),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_kernel_trailer),
        cmocka_unit_test(test_skippable_and_concat),
    };

    return cmocka_run_group_tests_name("decompress_lz4", tests, NULL, NULL);
}
