/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CRC-32 (polynomial 0x04C11DB7, bit-reflected) and CRC-64 (ECMA-182,
 * reflected), byte at a time through 256-entry tables.  The tables are
 * computed on first use rather than spelled out: the decoders run once at
 * boot on one CPU, and 3 KiB of code-generated constants are easier to trust
 * than a pasted table.
 */
#include "dec.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u
#define CRC64_POLY_REFLECTED 0xC96C5795D7870F42ull

static uint32_t crc32_table[256];
static uint64_t crc64_table[256];
static bool crc32_ready, crc64_ready;

static void crc32_init(void)
{
    for (unsigned int i = 0; i < 256; i++) {
        uint32_t r = i;

        for (int k = 0; k < 8; k++)
            r = (r >> 1) ^ ((r & 1) ? CRC32_POLY_REFLECTED : 0);
        crc32_table[i] = r;
    }
    crc32_ready = true;
}

static void crc64_init(void)
{
    for (unsigned int i = 0; i < 256; i++) {
        uint64_t r = i;

        for (int k = 0; k < 8; k++)
            r = (r >> 1) ^ ((r & 1) ? CRC64_POLY_REFLECTED : 0);
        crc64_table[i] = r;
    }
    crc64_ready = true;
}

/* crc is the value returned by the previous call (0 to start). */
uint32_t dec_crc32(uint32_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!crc32_ready)
        crc32_init();
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = crc32_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint64_t dec_crc64(uint64_t crc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (!crc64_ready)
        crc64_init();
    crc = ~crc;
    for (size_t i = 0; i < len; i++)
        crc = crc64_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}
