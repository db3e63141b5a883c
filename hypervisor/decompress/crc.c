/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CRC-32 (polynomial 0x04C11DB7, bit-reflected) and CRC-64 (ECMA-182,
 * reflected) through 256-entry tables; CRC-32, which covers a whole xz or
 * gzip kernel, takes four bytes per step with three more tables (the CRC of
 * a byte followed by 1, 2 or 3 zero bytes).  The tables are
 * computed on first use rather than spelled out: the decoders run once at
 * boot on one CPU, and 3 KiB of code-generated constants are easier to trust
 * than a pasted table.
 */
#include "dec.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u
#define CRC64_POLY_REFLECTED 0xC96C5795D7870F42ull

static uint32_t crc32_table[4][256];
static uint64_t crc64_table[256];
static bool crc32_ready, crc64_ready;

static void crc32_init(void)
{
    for (unsigned int i = 0; i < 256; i++) {
        uint32_t r = i;

        for (int k = 0; k < 8; k++)
            r = (r >> 1) ^ ((r & 1) ? CRC32_POLY_REFLECTED : 0);
        crc32_table[0][i] = r;
    }
    for (unsigned int i = 0; i < 256; i++)
        for (int k = 1; k < 4; k++)
            crc32_table[k][i] =
                (crc32_table[k - 1][i] >> 8) ^ crc32_table[0][crc32_table[k - 1][i] & 0xff];
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
    for (; len >= 4; len -= 4, p += 4) {
        crc ^= dec_le32(p);
        crc = crc32_table[3][crc & 0xff] ^ crc32_table[2][(crc >> 8) & 0xff] ^
              crc32_table[1][(crc >> 16) & 0xff] ^ crc32_table[0][crc >> 24];
    }
    for (; len; len--, p++)
        crc = crc32_table[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
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
