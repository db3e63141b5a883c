/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The domain builder in dom0 user space (the part libxenguest plays for
 * Xen): it fills an empty, paused domain made by createdomain with a PV
 * kernel, its ramdisk and command line, laid out exactly as pvx's own
 * builder lays out boot-time domains (the PV boot protocol of
 * hypervisor/arch/x86/include/asm/pv/boot_layout.h, compiled in here).
 *
 *   image.c   kernel files: a Xen PV ELF, or a bzImage (Debian's vmlinuz)
 *             whose payload is unpacked with liblzma, zlib, libzstd or liblz4
 *   build.c   memory, the bootstrap region, page tables, start_info, the
 *             console and xenstore pages and their event channels, vCPU 0
 *
 * Every failure leaves a sentence in err naming what failed and why; the
 * caller destroys the half-built domain.
 */
#ifndef PVX_GUEST_H
#define PVX_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "pvxctl.h"

/* ---- image.c --------------------------------------------------------------- */

/* A file read whole into memory. */
struct pvx_blob {
    uint8_t *data;
    size_t size;
};

/* Read path (at most max bytes).  0, or -errno with err set. */
int pvx_blob_read(const char *path, size_t max, struct pvx_blob *out, char *err, size_t errlen);
void pvx_blob_free(struct pvx_blob *b);

/*
 * The kernel's ELF image: a bzImage's payload unpacked, or an ELF file as
 * it is.  0, or -errno with err set ("not a bzImage or ELF kernel", the
 * decompressor's complaint, ...).  *elf is a new blob.
 */
int pvx_kernel_unpack(const struct pvx_blob *file, struct pvx_blob *elf, const char **format,
                      char *err, size_t errlen);

/* ---- build.c ---------------------------------------------------------------- */

struct pvx_build {
    /* IN */
    domid_t domid;
    const char *kernel_path;
    const char *ramdisk_path; /* NULL: none */
    const char *cmdline;
    uint64_t memory_kb;                 /* what the guest starts with */
    uint64_t maxmem_kb;                 /* what it may balloon up to (>= memory_kb) */
    domid_t store_domid, console_domid; /* whose daemons serve them (0) */

    /* OUT */
    uint64_t nr_pages;
    xen_pfn_t store_mfn, console_mfn;
    evtchn_port_t store_evtchn, console_evtchn;
    char kernel_desc[128]; /* "linux 2.6, bzImage (xz), 8053 KiB" for logs */
};

/* Build domain b->domid; 0 or -errno with err set. */
int pvx_build_pv(struct pvxctl *x, struct pvx_build *b, char *err, size_t errlen);

/* Memory beyond the guest's pages that the toolstack reserves for a domain
 * (Xen's LIBXL_MAXMEM_CONSTANT): its max_pages is memory + this. */
#define PVX_MAXMEM_SLACK_KB 1024

#endif /* PVX_GUEST_H */
