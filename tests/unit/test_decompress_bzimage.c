/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bzImage loading: synthetic bzImages built like Linux's (setup sectors,
 * "HdrS" header, payload = compressed ELF + 4-byte size) for every payload
 * format, the hypervisor wrapper on the real page allocator, the pass-
 * through of a plain ELF, and the clear errors of malformed headers.  If a
 * real kernel is at hand (PVX_TEST_VMLINUZ, or /boot/vmlinuz-*), it is
 * decoded too; otherwise that test is skipped.
 */
#include "decompress_harness.h"

#include <glob.h>
#include <pvx/bzimage.h>
#include <pvx/errno.h>
#include <pvx/mm.h>

#define PHYS_BYTES  (64ull << 20)
#define NR_FRAMES   (PHYS_BYTES >> PAGE_SHIFT)
#define SETUP_SECTS 3
#define ELF_BYTES   150000

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A fake vmlinux: an ELF64 identification followed by code-like bytes. */
static uint8_t *make_elf(size_t len)
{
    uint8_t *elf = dh_generate(DH_X86, len, 99);

    memcpy(elf,
           "\x7f"
           "ELF\x02\x01\x01",
           7);
    return elf;
}

/* A bzImage around the output of cmd on elf; *len receives its size. */
static uint8_t *make_bzimage(const char *cmd, const uint8_t *elf, size_t elf_len, uint16_t version,
                             size_t *len)
{
    size_t setup = (SETUP_SECTS + 1) * 512, pay_off = 0x100, comp_len;
    uint8_t *comp = dh_filter(cmd, elf, elf_len, &comp_len), *img;

    if (!comp)
        return NULL;
    *len = setup + pay_off + comp_len + 4 + 64;
    img = calloc(1, *len);
    assert_non_null(img);
    img[0x1f1] = SETUP_SECTS;
    img[0x1fe] = 0x55;
    img[0x1ff] = 0xaa;
    memcpy(img + 0x202, "HdrS", 4);
    img[0x206] = (uint8_t)version;
    img[0x207] = (uint8_t)(version >> 8);
    put32(img + 0x248, (uint32_t)pay_off);
    put32(img + 0x24c, (uint32_t)comp_len + 4);
    memcpy(img + setup + pay_off, comp, comp_len);
    put32(img + setup + pay_off + comp_len, (uint32_t)elf_len); /* Linux's size_append */
    free(comp);
    return img;
}

static int setup_pages(void **state)
{
    harness_phys_init(PHYS_BYTES);
    free(frame_table);
    frame_table = calloc(NR_FRAMES, sizeof(struct page_info));
    page_alloc_init(NR_FRAMES);
    page_alloc_add_range(0x100000, PHYS_BYTES);
    return 0;
}

/* Each format as Linux's build writes it, through probe, decompress and the wrapper. */
static void test_formats(void **state)
{
    static const struct {
        const char *tool, *cmd;
        enum decomp_format fmt;
    } kinds[] = {
        {"gzip", "gzip -n -9 -c", DECOMP_GZIP},
        {"xz", "xz --check=crc32 --x86 --lzma2=dict=32MiB -c", DECOMP_XZ},
        {"lz4", "lz4 -q -l -9 -c", DECOMP_LZ4_LEGACY},
        {"zstd", "zstd -q --ultra -22 -c", DECOMP_ZSTD},
    };
    uint8_t *elf = make_elf(ELF_BYTES);
    unsigned int ran = 0;

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        struct bzimage_info info;
        struct page_info *pg;
        const void *out;
        size_t len, out_len;
        const char *why = NULL;
        uint64_t free_before = page_alloc_free_pages();
        uint8_t *img, *buf;

        if (!dh_have_tool(kinds[k].tool))
            continue;
        img = make_bzimage(kinds[k].cmd, elf, ELF_BYTES, 0x020f, &len);
        assert_non_null(img);
        assert_int_equal(bzimage_probe(img, len, &info, &why), 0);
        assert_int_equal(info.format, kinds[k].fmt);
        assert_int_equal(info.uncompressed_len, ELF_BYTES);
        assert_int_equal(info.version, 0x020f);
        buf = malloc(ELF_BYTES);
        assert_int_equal(bzimage_decompress(img, len, &info, buf, ELF_BYTES, &why), 0);
        assert_memory_equal(buf, elf, ELF_BYTES);
        free(buf);

        harness_log_reset();
        assert_int_equal(bzimage_unpack(img, len, &out, &out_len, &pg, &why), 0);
        assert_non_null(pg);
        /* Only the pages the ELF needs stay allocated, not the power-of-two block. */
        assert_int_equal(free_before - page_alloc_free_pages(), PFN_UP(ELF_BYTES));
        assert_int_equal(out_len, ELF_BYTES);
        assert_ptr_equal(out, harness_phys + (page_to_mfn(pg) << PAGE_SHIFT));
        assert_memory_equal(out, elf, ELF_BYTES);
        assert_true(harness_log_contains("bzImage: protocol 2.15"));
        bzimage_release(pg, out_len);
        assert_int_equal(page_alloc_free_pages(), free_before);
        free(img);
        ran++;
    }
    free(elf);
    if (!ran)
        skip();
}

static void test_plain_elf_passes_through(void **state)
{
    uint8_t *elf = make_elf(4096);
    struct page_info *pg = (struct page_info *)1;
    const void *out = NULL;
    size_t out_len = 0;
    const char *why = NULL;
    struct bzimage_info info;

    assert_int_equal(bzimage_probe(elf, 4096, &info, &why), -ENOEXEC);
    assert_int_equal(bzimage_unpack(elf, 4096, &out, &out_len, &pg, &why), 0);
    assert_ptr_equal(out, elf);
    assert_int_equal(out_len, 4096);
    assert_null(pg);
    bzimage_release(pg, out_len); /* a no-op for a plain ELF */
    free(elf);
}

static void expect_unpack_error(uint8_t *img, size_t len, int err, const char *msg)
{
    struct page_info *pg;
    const void *out;
    size_t out_len;
    const char *why = NULL;
    uint64_t free_before = page_alloc_free_pages();
    int rc = bzimage_unpack(img, len, &out, &out_len, &pg, &why);

    if (rc != err || !why || strcmp(why, msg))
        fail_msg("expected %d '%s', got %d '%s'", err, msg, rc, why ? why : "(none)");
    assert_int_equal(page_alloc_free_pages(), free_before); /* nothing leaked on failure */
}

static void test_bad_headers(void **state)
{
    uint8_t *elf = make_elf(20000), *img;
    size_t len, setup = (SETUP_SECTS + 1) * 512, comp_len;

    if (!dh_have_tool("gzip"))
        skip();
    img = make_bzimage("gzip -c", elf, 20000, 0x0207, &len);
    expect_unpack_error(img, len, -EOPNOTSUPP,
                        "bzImage boot protocol older than 2.08 has no payload fields");
    img[0x206] = 0x0f;
    img[0x207] = 0x02;
    comp_len = (size_t)img[0x24c] | (size_t)img[0x24d] << 8 | (size_t)img[0x24e] << 16;

    put32(img + 0x24c, (uint32_t)len); /* payload past the end */
    expect_unpack_error(img, len, -EINVAL, "bzImage payload lies outside the image");
    put32(img + 0x248, 0xfffffff0u);
    expect_unpack_error(img, len, -EINVAL, "bzImage payload lies outside the image");
    put32(img + 0x248, 0x100);
    put32(img + 0x24c, (uint32_t)comp_len);

    /* Announced size too small, then too large. */
    put32(img + setup + 0x100 + comp_len - 4, 19999);
    expect_unpack_error(img, len, -ENOSPC, "deflate: output larger than the expected size");
    put32(img + setup + 0x100 + comp_len - 4, 20001);
    expect_unpack_error(img, len, -EBADMSG,
                        "bzImage payload decodes to less than its announced size");
    put32(img + setup + 0x100 + comp_len - 4, 20000);

    /* Damaged payload: the decoder's own reason comes through. */
    img[setup + 0x100 + comp_len - 12] ^= 0xff;
    expect_unpack_error(img, len, -EBADMSG, "gzip: CRC mismatch");
    img[setup + 0x100 + comp_len - 12] ^= 0xff;

    /* Unknown compression. */
    img[setup + 0x100] = 'B';
    img[setup + 0x100 + 1] = 'Z';
    expect_unpack_error(img, len, -EOPNOTSUPP,
                        "bzImage payload compression not recognised (pvx knows gzip, xz, lz4, "
                        "zstd)");
    free(img);

    /* A payload that is not an ELF. */
    elf[1] = 'X';
    img = make_bzimage("gzip -c", elf, 20000, 0x020f, &len);
    expect_unpack_error(img, len, -ENOEXEC, "bzImage payload is not a 64-bit ELF kernel");
    free(img);
    free(elf);
}

/* Debian's kernel, if this machine has one: no download, just use it when present. */
static void test_real_kernel(void **state)
{
    const char *path = getenv("PVX_TEST_VMLINUZ");
    struct bzimage_info info;
    const char *why = NULL;
    glob_t g = {0};
    uint8_t *img, *out;
    size_t len = 0;
    FILE *f;
    int rc;

    if (!path || !*path) {
        if (glob("/boot/vmlinuz-*", 0, NULL, &g) || g.gl_pathc == 0) {
            globfree(&g);
            skip();
        }
        path = g.gl_pathv[0];
    }
    f = fopen(path, "rb");
    if (!f) {
        globfree(&g);
        skip();
    }
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    img = malloc(len);
    assert_int_equal(fread(img, 1, len, f), len);
    fclose(f);
    rc = bzimage_probe(img, len, &info, &why);
    if (rc)
        fail_msg("%s: %s", path, why);
    out = malloc(info.uncompressed_len);
    rc = bzimage_decompress(img, len, &info, out, info.uncompressed_len, &why);
    if (rc)
        fail_msg("%s: %s", path, why);
    print_message("%s: protocol %#x, %s payload %zu bytes -> ELF %u bytes\n", path, info.version,
                  decomp_format_name(info.format), info.payload_len, info.uncompressed_len);
    free(out);
    free(img);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_formats, setup_pages),
        cmocka_unit_test(test_plain_elf_passes_through),
        cmocka_unit_test_setup(test_bad_headers, setup_pages),
        cmocka_unit_test(test_real_kernel),
    };

    return cmocka_run_group_tests_name("decompress_bzimage", tests, NULL, NULL);
}
