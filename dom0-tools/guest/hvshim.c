/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the hypervisor sources compiled into the builder (hypervisor/elf.c,
 * hypervisor/arch/x86/pv/boot_layout.c) expect from pvx's lib.c that
 * Debian 12's C library lacks.
 */
#include <string.h>

size_t strlcpy(char *dst, const char *src, size_t size);

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
