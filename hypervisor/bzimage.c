/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bzImage kernels: find the compressed vmlinux through the setup header
 * and decompress it (see pvx/bzimage.h).  Every header field is checked
 * against the module's size before it is used.
 */
#include <pvx/arch.h>
#include <pvx/bzimage.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/mm.h>

/* Setup header offsets (Documentation/arch/x86/boot.rst). */
#define HDR_SETUP_SECTS    0x1f1
#define HDR_BOOT_FLAG      0x1fe
#define HDR_MAGIC          0x202
#define HDR_VERSION        0x206
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_END            0x250
#define HDR_MAGIC_VALUE    0x53726448u /* "HdrS" */
#define BOOT_FLAG_VALUE    0xaa55
#define PROTO_PAYLOAD      0x0208 /* first version with payload_offset/length */
#define SIZE_TRAILER       4

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static bool is_elf64(const uint8_t *p, size_t size)
{
    return size >= 64 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F' && p[4] == 2;
}

int bzimage_probe(const void *image, size_t size, struct bzimage_info *info, const char **why)
{
    const uint8_t *p = image;
    size_t setup_bytes, off, len;
    unsigned int sects;

    if (size < HDR_END || le32(p + HDR_MAGIC) != HDR_MAGIC_VALUE ||
        (p[HDR_BOOT_FLAG] | (p[HDR_BOOT_FLAG + 1] << 8)) != BOOT_FLAG_VALUE)
        return -ENOEXEC;
    info->version = (uint16_t)(p[HDR_VERSION] | (p[HDR_VERSION + 1] << 8));
    if (info->version < PROTO_PAYLOAD) {
        *why = "bzImage boot protocol older than 2.08 has no payload fields";
        return -EOPNOTSUPP;
    }
    /* By convention a zero setup_sects means 4. */
    sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
    setup_bytes = ((size_t)sects + 1) * 512;
    off = setup_bytes + le32(p + HDR_PAYLOAD_OFFSET);
    len = le32(p + HDR_PAYLOAD_LENGTH);
    if (setup_bytes > size || off > size || len > size - off) {
        *why = "bzImage payload lies outside the image";
        return -EINVAL;
    }
    if (len <= SIZE_TRAILER) {
        *why = "bzImage payload is empty";
        return -EINVAL;
    }
    info->payload_offset = off;
    info->payload_len = len - SIZE_TRAILER;
    info->uncompressed_len = le32(p + off + len - SIZE_TRAILER);
    info->format = decomp_detect(p + off, info->payload_len);
    if (info->format == DECOMP_UNKNOWN) {
        *why = "bzImage payload compression not recognised (pvx knows gzip, xz, lz4, zstd)";
        return -EOPNOTSUPP;
    }
    if (info->uncompressed_len < 64) {
        *why = "bzImage announces an impossibly small kernel";
        return -EINVAL;
    }
    return 0;
}

int bzimage_decompress(const void *image, size_t size, const struct bzimage_info *info, void *out,
                       size_t out_cap, const char **why)
{
    const uint8_t *p = image;
    long n;

    if (info->payload_offset > size || info->payload_len > size - info->payload_offset) {
        *why = "bzImage payload lies outside the image";
        return -EINVAL;
    }
    if (out_cap < info->uncompressed_len) {
        *why = "bzImage output buffer smaller than the announced kernel size";
        return -ENOSPC;
    }
    /* Exactly the announced size: a longer stream is as wrong as a shorter one. */
    n = decompress(p + info->payload_offset, info->payload_len, out, info->uncompressed_len, NULL,
                   why);
    if (n < 0)
        return (int)n;
    if ((size_t)n != info->uncompressed_len) {
        *why = "bzImage payload decodes to less than its announced size";
        return -EBADMSG;
    }
    if (!is_elf64(out, (size_t)n)) {
        *why = "bzImage payload is not a 64-bit ELF kernel";
        return -ENOEXEC;
    }
    return 0;
}

/*
 * Free pages [from, to) of a block whose first page is aligned to its size,
 * as the largest aligned power-of-two pieces that fit.
 */
static void free_range(struct page_info *base, uint64_t from, uint64_t to)
{
    while (from < to) {
        unsigned int order = 0;

        while (order < MAX_ORDER && !(from & ((2ull << order) - 1)) && from + (2ull << order) <= to)
            order++;
        free_pages(base + from, order);
        from += 1ull << order;
    }
}

void bzimage_release(struct page_info *pages, size_t elf_size)
{
    if (pages)
        free_range(pages, 0, PFN_UP(elf_size));
}

int bzimage_unpack(const void *image, size_t size, const void **elf, size_t *elf_size,
                   struct page_info **pages, const char **why)
{
    struct bzimage_info info;
    struct page_info *pg = NULL;
    unsigned int order = 0;
    void *out;
    int rc;

    *pages = NULL;
    rc = bzimage_probe(image, size, &info, why);
    if (rc == -ENOEXEC) {
        /* Not a bzImage: the ELF loader judges it. */
        *elf = image;
        *elf_size = size;
        return 0;
    }
    if (rc)
        goto out;
    order = get_order_from_bytes(info.uncompressed_len);
    pg = order <= MAX_ORDER ? alloc_pages(order) : NULL;
    if (!pg) {
        *why = "no contiguous memory for the decompressed kernel";
        rc = -ENOMEM;
        goto out;
    }
    /* A 66 MiB kernel would pin a 128 MiB block: give back the tail now. */
    free_range(pg, PFN_UP(info.uncompressed_len), 1ull << order);
    out = arch_maddr_to_virt((paddr_t)page_to_mfn(pg) << PAGE_SHIFT);
    rc = bzimage_decompress(image, size, &info, out, info.uncompressed_len, why);
    if (rc)
        goto out;
    printk("bzImage: protocol %u.%02u, %s payload %zu bytes -> ELF %u bytes\n", info.version >> 8,
           info.version & 0xff, decomp_format_name(info.format), info.payload_len,
           info.uncompressed_len);
    *elf = out;
    *elf_size = info.uncompressed_len;
    *pages = pg;
out:
    if (rc && pg)
        bzimage_release(pg, info.uncompressed_len);
    return rc;
}
