/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xz decoder (LZMA2, x86 BCJ, CRC32/CRC64/SHA-256 checks, index and footer)
 * against xz(1): check types, presets, Linux's filter chain, multi-block
 * and concatenated streams; truncation, bit flips and the clean errors of
 * damaged or unsupported files.
 */
#include "decompress_harness.h"

#include <pvx/errno.h>

/* What Linux's build runs for a bzImage payload (scripts/Makefile.lib, xzkern). */
#define XZ_KERNEL "xz --check=crc32 --x86 --lzma2=dict=32MiB -c"

static void test_roundtrip(void **state)
{
    static const char *const cmds[] = {
        "xz -0 -c",
        "xz -6 --check=crc32 -c",
        "xz --check=crc64 -c",
        "xz --check=sha256 -c",
        "xz --check=none -9 -c",
        XZ_KERNEL,
        "xz --x86=start=4096 --lzma2=preset=6,lc=0,lp=4,pb=4 -c",
        "xz --lzma2=preset=1,lc=4,lp=0,pb=0,mf=hc3 -c",
        "xz -T2 --block-size=30000 --check=crc64 -c",
    };

    if (!dh_have_tool("xz"))
        skip();
    dh_matrix(decompress_xz, cmds, sizeof(cmds) / sizeof(cmds[0]), 250000);
}

static void test_truncation_and_flips(void **state)
{
    uint8_t *data = dh_generate(DH_MIXED, 3000, 42);

    if (!dh_have_tool("xz"))
        skip();
    dh_damage(decompress_xz, XZ_KERNEL, data, 3000, 512, DH_TRUNCATE | DH_CHECKED);
    /* Without a check, damage may decode to other bytes, but never crashes. */
    dh_damage(decompress_xz, "xz --check=none -c", data, 3000, 512, 0);
    free(data);
}

/* Flip the block check: a single-block stream keeps it just before the index. */
static void check_error(const char *cmd, size_t check_len, const char *why)
{
    uint8_t *data = dh_generate(DH_TEXT, 20000, 9), *comp;
    size_t comp_len, index_len;

    comp = dh_filter(cmd, data, 20000, &comp_len);
    assert_non_null(comp);
    index_len = ((size_t)comp[comp_len - 8] | (size_t)comp[comp_len - 7] << 8) * 4 + 4;
    comp[comp_len - 12 - index_len - check_len] ^= 0x20;
    dh_expect_error(decompress_xz, comp, comp_len, 20000, -EBADMSG, why);
    free(comp);
    free(data);
}

static void test_check_errors(void **state)
{
    if (!dh_have_tool("xz"))
        skip();
    check_error("xz --check=crc32 -c", 4, "xz: CRC32 mismatch");
    check_error("xz --check=crc64 -c", 8, "xz: CRC64 mismatch");
    check_error("xz --check=sha256 -c", 32, "xz: SHA-256 mismatch");
}

static void test_unsupported(void **state)
{
    static const char *const chains[] = {"xz --delta=dist=4 --lzma2 -c", "xz --arm --lzma2 -c",
                                         "xz --x86 --x86 --lzma2 -c"};
    uint8_t *data = dh_generate(DH_X86, 10000, 5), *comp;
    size_t comp_len;

    if (!dh_have_tool("xz"))
        skip();
    for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
        comp = dh_filter(chains[i], data, 10000, &comp_len);
        if (!comp)
            continue; /* this xz does not offer the chain */
        dh_expect_error(decompress_xz, comp, comp_len, 10000, -EOPNOTSUPP,
                        "xz: unsupported filter chain (pvx decodes LZMA2 and x86 BCJ)");
        free(comp);
    }
    /* The legacy .lzma format is not xz. */
    comp = dh_filter("xz --format=lzma -c", data, 10000, &comp_len);
    assert_non_null(comp);
    dh_expect_error(decompress, comp, comp_len, 10000, -ENOEXEC,
                    "unknown compression format (no gzip, xz, lz4 or zstd magic)");
    free(comp);
    free(data);
}

static void test_structure_errors(void **state)
{
    uint8_t *data = dh_generate(DH_TEXT, 5000, 1), *comp;
    size_t comp_len;

    if (!dh_have_tool("xz"))
        skip();
    comp = dh_filter("xz -c", data, 5000, &comp_len);
    assert_non_null(comp);
    comp[7] ^= 1; /* check type in the stream flags: header CRC catches it */
    dh_expect_error(decompress_xz, comp, comp_len, 5000, -EBADMSG,
                    "xz: stream header CRC mismatch");
    comp[7] ^= 1;
    comp[12 + 2] ^= 1; /* inside the block header */
    dh_expect_error(decompress_xz, comp, comp_len, 5000, -EBADMSG, "xz: block header CRC mismatch");
    comp[12 + 2] ^= 1;
    comp[comp_len - 1] = 'X';
    dh_expect_error(decompress_xz, comp, comp_len, 5000, -EBADMSG, "xz: corrupt stream footer");
    comp[comp_len - 1] = 'Z';
    comp[comp_len - 9] ^= 4; /* footer flags: footer CRC */
    dh_expect_error(decompress_xz, comp, comp_len, 5000, -EBADMSG,
                    "xz: stream footer CRC mismatch");
    free(comp);
    free(data);
}

static void test_concatenated(void **state)
{
    static const uint8_t padding[8]; /* stream padding between the streams */

    (void)state;
    if (!dh_have_tool("xz"))
        skip();
    dh_two_members(decompress, "xz -c", XZ_KERNEL, (struct dh_bytes){0},
                   (struct dh_bytes){padding, sizeof(padding)},
                   (struct dh_bytes){"\x01\x02\x03\x04", 4});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),        cmocka_unit_test(test_truncation_and_flips),
        cmocka_unit_test(test_check_errors),     cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_structure_errors), cmocka_unit_test(test_concatenated),
    };

    return cmocka_run_group_tests_name("decompress_xz", tests, NULL, NULL);
}
