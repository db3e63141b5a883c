/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the decompressors: byte-order loads, the integrity
 * checks the formats carry (CRC32, CRC64, SHA-256, xxHash32/64) and the
 * error convention (negative errno plus a static sentence in *why).
 */
#ifndef PVX_DECOMPRESS_DEC_H
#define PVX_DECOMPRESS_DEC_H

#include <pvx/decompress.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/types.h>

static inline uint16_t dec_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t dec_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t dec_le64(const uint8_t *p)
{
    return (uint64_t)dec_le32(p) | ((uint64_t)dec_le32(p + 4) << 32);
}

static inline uint16_t dec_be16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t dec_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Record the reason and hand back the error, so failures read `return dec_fail(...)`. */
static inline long dec_fail(const char **why, const char *msg, long err)
{
    if (why)
        *why = msg;
    return err;
}

/*
 * Copy an LZ match: len bytes from dist (>= 1) bytes back, where an overlap
 * repeats the last dist bytes.  Short matches go byte by byte; long ones are
 * copied in non-overlapping pieces that double in size, since the bytes
 * already written continue the same period.
 */
static inline void dec_lz_copy(uint8_t *dst, size_t dist, size_t len)
{
    const uint8_t *src = dst - dist;

    if (len <= 16) {
        for (size_t i = 0; i < len; i++)
            dst[i] = src[i];
        return;
    }
    if (dist == 1) {
        memset(dst, *src, len);
        return;
    }
    while (len) {
        size_t n = (size_t)(dst - src) < len ? (size_t)(dst - src) : len;

        memcpy(dst, src, n);
        dst += n;
        len -= n;
    }
}

/* crc.c: the reflected CRC-32 of gzip/xz and the CRC-64 (ECMA-182) of xz. */
uint32_t dec_crc32(uint32_t crc, const void *buf, size_t len);
uint64_t dec_crc64(uint64_t crc, const void *buf, size_t len);

/* sha256.c: the xz check type 0x0A. */
void dec_sha256(const void *buf, size_t len, uint8_t digest[32]);

/* xxhash.c: lz4 frame checksums and the zstd content checksum. */
uint32_t dec_xxh32(const void *buf, size_t len, uint32_t seed);
uint64_t dec_xxh64(const void *buf, size_t len, uint64_t seed);

/*
 * lzma2.c: one LZMA2 stream (the payload of an xz block) into out[0, out_cap);
 * *in_used is set to the bytes up to and including the end marker.
 */
long dec_lzma2(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *in_used,
               const char **why);

/* bcj_x86.c: undo the x86 branch converter over a whole xz block, in place. */
void dec_bcj_x86(uint8_t *buf, size_t len, uint32_t start);

#endif
