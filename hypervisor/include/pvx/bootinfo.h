/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the boot loader told us, in a loader-neutral form.  The arch code
 * fills one struct bootinfo from multiboot1 or multiboot2 before anything
 * else runs; generic code never looks at multiboot structures.
 */
#ifndef PVX_BOOTINFO_H
#define PVX_BOOTINFO_H

#include <pvx/e820.h>
#include <pvx/types.h>

#define BOOT_MAX_MODULES    16
#define BOOT_CMDLINE_MAX    1024
#define BOOT_MODCMDLINE_MAX 1024
#define BOOT_LOADERNAME_MAX 64

struct boot_module {
    paddr_t start;
    uint64_t size;
    char cmdline[BOOT_MODCMDLINE_MAX];
};

struct bootinfo {
    unsigned int protocol; /* 1 = multiboot1, 2 = multiboot2 */
    char loader[BOOT_LOADERNAME_MAX];
    char cmdline[BOOT_CMDLINE_MAX];
    struct e820_map mem;
    unsigned int nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
};

extern struct bootinfo bootinfo;

static inline const char *bootinfo_cmdline(void)
{
    return bootinfo.cmdline;
}

/* Drop modules that are empty, lie outside RAM or overlap the hypervisor
 * image or each other; log each one dropped.  Returns how many were dropped. */
unsigned int bootinfo_check_modules(struct bootinfo *bi, paddr_t image_start, paddr_t image_end);

#endif
