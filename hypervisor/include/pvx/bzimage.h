/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux bzImage kernels for the domain builder.  Since boot protocol 2.08
 * the setup header names the compressed kernel inside the image
 * (payload_offset/payload_length, relative to the protected-mode code after
 * the (setup_sects + 1) * 512 bytes of real-mode setup); the payload is a
 * compressed ELF vmlinux followed by its uncompressed size as a 4-byte
 * little-endian value.  pvx decodes it with its own decompressors
 * (pvx/decompress.h) and hands the ELF to the PV loader, as Xen does.
 */
#ifndef PVX_BZIMAGE_H
#define PVX_BZIMAGE_H

#include <pvx/decompress.h>
#include <pvx/types.h>

struct page_info;

struct bzimage_info {
    uint16_t version;          /* boot protocol version, e.g. 0x020f */
    size_t payload_offset;     /* from the start of the image */
    size_t payload_len;        /* the compressed stream, without the size trailer */
    uint32_t uncompressed_len; /* from the trailer: the vmlinux ELF's size */
    enum decomp_format format;
};

/*
 * Is image a bzImage with a payload?  0 and *info filled in; -ENOEXEC when
 * it is not a bzImage at all (e.g. a plain ELF); another negative errno,
 * with *why set, for a bzImage pvx cannot use (protocol older than 2.08,
 * payload outside the image, unknown compression, ...).
 */
int bzimage_probe(const void *image, size_t size, struct bzimage_info *info, const char **why);

/*
 * Decode a probed bzImage's payload into out[0, out_cap) (at least
 * info->uncompressed_len bytes) and check that the result is a 64-bit ELF
 * of exactly the announced size.  Returns 0 or a negative errno with *why.
 */
int bzimage_decompress(const void *image, size_t size, const struct bzimage_info *info, void *out,
                       size_t out_cap, const char **why);

/*
 * The hypervisor's entry point: turn a kernel module into ELF bytes.
 * A plain ELF (or anything that is not a bzImage) passes through untouched:
 * *elf = image, *elf_size = size, *pages = NULL.  A bzImage is decompressed
 * into physically contiguous pages (*pages, reached through the direct map)
 * of which only PFN_UP(*elf_size) stay allocated: the rest of the
 * power-of-two block is returned at once.  Release them with
 * bzimage_release() once the domain is built.
 * Returns 0 or a negative errno with *why set to a sentence for the console.
 */
int bzimage_unpack(const void *image, size_t size, const void **elf, size_t *elf_size,
                   struct page_info **pages, const char **why);

/* Free what bzimage_unpack() kept (pages may be NULL: nothing was allocated). */
void bzimage_release(struct page_info *pages, size_t elf_size);

#endif
