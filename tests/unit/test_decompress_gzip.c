/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gzip/deflate decoder against gzip(1): every data kind at several sizes and
 * levels, truncation at every offset, bit flips, and the errors a corrupt
 * member must give.
 */
#include "decompress_harness.h"

#include <pvx/errno.h>

static void test_roundtrip(void **state)
{
    static const char *const cmds[] = {"gzip -1 -c", "gzip -6 -c", "gzip -9 -n -c"};

    if (!dh_have_tool("gzip"))
        skip();
    dh_matrix(decompress_gzip, cmds, sizeof(cmds) / sizeof(cmds[0]), 600000);
}

/* A header with every optional field (name, comment, extra, header CRC). */
static void test_header_fields(void **state)
{
    static const uint8_t payload[] = "hello, gzip header fields\n";
    uint8_t buf[256], out[64];
    size_t comp_len, n = 0, used;
    uint8_t *comp;
    const char *why = NULL;
    uint32_t crc;
    long r;

    if (!dh_have_tool("gzip"))
        skip();
    comp = dh_filter("gzip -9 -n -c", payload, sizeof(payload), &comp_len);
    assert_non_null(comp);
    memcpy(buf, comp, 10);
    buf[3] = 0x02 | 0x04 | 0x08 | 0x10;
    n = 10;
    buf[n++] = 3; /* XLEN = 3 */
    buf[n++] = 0;
    buf[n++] = 'a';
    buf[n++] = 'b';
    buf[n++] = 'c';
    memcpy(buf + n, "name", 5);
    n += 5;
    memcpy(buf + n, "comment", 8);
    n += 8;
    crc = dec_crc32(0, buf, n);
    buf[n++] = (uint8_t)crc;
    buf[n++] = (uint8_t)(crc >> 8);
    memcpy(buf + n, comp + 10, comp_len - 10);
    n += comp_len - 10;
    r = decompress_gzip(buf, n, out, sizeof(out), &used, &why);
    assert_int_equal(r, sizeof(payload));
    assert_int_equal(used, n);
    assert_memory_equal(out, payload, sizeof(payload));
    /* A wrong header CRC is caught. */
    buf[n - (comp_len - 10) - 1] ^= 1;
    dh_expect_error(decompress_gzip, buf, n, sizeof(out), -EBADMSG, "gzip: header CRC mismatch");
    free(comp);
}

static void test_truncation_and_flips(void **state)
{
    uint8_t *data = dh_generate(DH_MIXED, 3000, 42);

    if (!dh_have_tool("gzip"))
        skip();
    dh_damage(decompress_gzip, "gzip -9 -n -c", data, 3000, 256, DH_TRUNCATE | DH_CHECKED);
    free(data);
}

static void test_errors(void **state)
{
    uint8_t *data = dh_generate(DH_TEXT, 5000, 3), *comp;
    size_t comp_len;

    if (!dh_have_tool("gzip"))
        skip();
    comp = dh_filter("gzip -6 -n -c", data, 5000, &comp_len);
    assert_non_null(comp);
    comp[comp_len - 8] ^= 0x55;
    dh_expect_error(decompress_gzip, comp, comp_len, 5000, -EBADMSG, "gzip: CRC mismatch");
    comp[comp_len - 8] ^= 0x55;
    comp[comp_len - 4] ^= 1;
    dh_expect_error(decompress_gzip, comp, comp_len, 5000, -EBADMSG, "gzip: size mismatch");
    comp[comp_len - 4] ^= 1;
    dh_expect_error(decompress_gzip, comp, comp_len, 4999, -ENOSPC,
                    "deflate: output larger than the expected size");
    comp[2] = 7;
    dh_expect_error(decompress_gzip, comp, comp_len, 5000, -EOPNOTSUPP,
                    "gzip: compression method is not deflate");
    comp[2] = 8;
    comp[3] = 0x80;
    dh_expect_error(decompress_gzip, comp, comp_len, 5000, -EBADMSG,
                    "gzip: reserved header flags set");
    free(comp);
    free(data);
}

/* Hand-made deflate streams: block type 3, bad stored length, distance too far. */
static void test_raw_deflate(void **state)
{
    static const uint8_t bad_type[] = {0x07};
    static const uint8_t stored_ok[] = {0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'};
    static const uint8_t stored_bad[] = {0x01, 0x03, 0x00, 0xfc, 0xfe, 'a', 'b', 'c'};
    /* Fixed block: literal 'a' then a match of length 3 at distance 2 (too far). */
    static const uint8_t far[] = {0x4b, 0x04, 0x42, 0x00};
    uint8_t out[16];
    size_t used;
    const char *why;

    dh_expect_error(decompress_deflate, bad_type, sizeof(bad_type), 16, -EBADMSG,
                    "deflate: invalid block type");
    assert_int_equal(decompress_deflate(stored_ok, sizeof(stored_ok), out, 16, &used, &why), 3);
    assert_int_equal(used, sizeof(stored_ok));
    assert_memory_equal(out, "abc", 3);
    dh_expect_error(decompress_deflate, stored_bad, sizeof(stored_bad), 16, -EBADMSG,
                    "deflate: stored block length check failed");
    dh_expect_error(decompress_deflate, far, sizeof(far), 16, -EBADMSG,
                    "deflate: distance before the start of the output");
}

/* Two members decode to the concatenation; bytes after them are not consumed. */
static void test_members_and_trailing(void **state)
{
    (void)state;
    if (!dh_have_tool("gzip"))
        skip();
    /* Members back to back; bytes after the last one are not gzip's. */
    dh_two_members(decompress, "gzip -c", "gzip -c", (struct dh_bytes){0}, (struct dh_bytes){0},
                   (struct dh_bytes){"\x10\x20\x30\x40", 4});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_truncation_and_flips),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_raw_deflate),
        cmocka_unit_test(test_members_and_trailing),
    };

    return cmocka_run_group_tests_name("decompress_gzip", tests, NULL, NULL);
}
