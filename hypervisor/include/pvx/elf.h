/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a guest kernel: an ELF64 x86-64 executable carrying Xen's ELF
 * notes (include/public/elfnote.h).  elf.c checks the image and extracts
 * what the domain builder needs; it never trusts an offset or size without
 * checking it against the image it was given.
 */
#ifndef PVX_ELF_H
#define PVX_ELF_H

#include <pvx/types.h>

#define ELF_MAX_SEGMENTS 16

struct elf_segment {
    uint64_t paddr, memsz, filesz, offset;
};

struct pv_kernel_info {
    const uint8_t *image;
    size_t size;

    uint64_t entry;
    uint64_t virt_base, paddr_offset;
    uint64_t virt_kstart, virt_kend; /* where the segments land */
    uint64_t pstart, pend;           /* lowest and highest p_paddr (+memsz) */
    uint64_t hypercall_page;         /* 0 = none */
    uint64_t init_p2m;               /* 0 = none */
    bool mod_start_pfn;              /* guest takes an unmapped initrd by pfn */
    uint32_t features_required;      /* XENFEAT_* bits from '!name' */
    uint32_t features_supported;     /* SUPPORTED_FEATURES note */
    char guest_os[32], guest_version[32], xen_version[32], loader[32];

    unsigned int nr_segments;
    struct elf_segment segments[ELF_MAX_SEGMENTS];
};

/*
 * Parse a kernel image.  Returns 0, or a negative errno with *why set to a
 * sentence for the console (not a 64-bit ELF, no Xen notes, not "xen-3.0",
 * neither LOADER=generic nor GUEST_OS=linux, entry outside the image, ...).
 */
int elf_parse_pv_kernel(const void *image, size_t size, struct pv_kernel_info *info,
                        const char **why);

#endif
