/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xxHash32 and xxHash64, as specified in the xxHash format description:
 * the lz4 frame format checks its header and content with the 32-bit hash,
 * zstd keeps the low 32 bits of the 64-bit hash as its content checksum.
 */
#include "dec.h"

#define X32_P1 2654435761u
#define X32_P2 2246822519u
#define X32_P3 3266489917u
#define X32_P4 668265263u
#define X32_P5 374761393u

#define X64_P1 11400714785074694791ull
#define X64_P2 14029467366897019727ull
#define X64_P3 1609587929392839161ull
#define X64_P4 9650029242287828579ull
#define X64_P5 2870177450012600261ull

static inline uint32_t rol32(uint32_t x, unsigned int n)
{
    return (x << n) | (x >> (32 - n));
}

static inline uint64_t rol64(uint64_t x, unsigned int n)
{
    return (x << n) | (x >> (64 - n));
}

static inline uint32_t x32_lane(uint32_t acc, uint32_t lane)
{
    return rol32(acc + lane * X32_P2, 13) * X32_P1;
}

uint32_t dec_xxh32(const void *buf, size_t len, uint32_t seed)
{
    const uint8_t *p = buf, *end = p + len;
    uint32_t h;

    if (len >= 16) {
        uint32_t acc[4] = {seed + X32_P1 + X32_P2, seed + X32_P2, seed, seed - X32_P1};

        for (; end - p >= 16; p += 16)
            for (int i = 0; i < 4; i++)
                acc[i] = x32_lane(acc[i], dec_le32(p + 4 * i));
        h = rol32(acc[0], 1) + rol32(acc[1], 7) + rol32(acc[2], 12) + rol32(acc[3], 18);
    } else {
        h = seed + X32_P5;
    }
    h += (uint32_t)len;
    for (; end - p >= 4; p += 4)
        h = rol32(h + dec_le32(p) * X32_P3, 17) * X32_P4;
    for (; p < end; p++)
        h = rol32(h + *p * X32_P5, 11) * X32_P1;
    h ^= h >> 15;
    h *= X32_P2;
    h ^= h >> 13;
    h *= X32_P3;
    h ^= h >> 16;
    return h;
}

static inline uint64_t x64_lane(uint64_t acc, uint64_t lane)
{
    return rol64(acc + lane * X64_P2, 31) * X64_P1;
}

static inline uint64_t x64_merge(uint64_t h, uint64_t acc)
{
    return (h ^ x64_lane(0, acc)) * X64_P1 + X64_P4;
}

uint64_t dec_xxh64(const void *buf, size_t len, uint64_t seed)
{
    const uint8_t *p = buf, *end = p + len;
    uint64_t h;

    if (len >= 32) {
        uint64_t acc[4] = {seed + X64_P1 + X64_P2, seed + X64_P2, seed, seed - X64_P1};

        for (; end - p >= 32; p += 32)
            for (int i = 0; i < 4; i++)
                acc[i] = x64_lane(acc[i], dec_le64(p + 8 * i));
        h = rol64(acc[0], 1) + rol64(acc[1], 7) + rol64(acc[2], 12) + rol64(acc[3], 18);
        for (int i = 0; i < 4; i++)
            h = x64_merge(h, acc[i]);
    } else {
        h = seed + X64_P5;
    }
    h += (uint64_t)len;
    for (; end - p >= 8; p += 8)
        h = rol64(h ^ x64_lane(0, dec_le64(p)), 27) * X64_P1 + X64_P4;
    if (end - p >= 4) {
        h = rol64(h ^ (dec_le32(p) * X64_P1), 23) * X64_P2 + X64_P3;
        p += 4;
    }
    for (; p < end; p++)
        h = rol64(h ^ (*p * X64_P5), 11) * X64_P1;
    h ^= h >> 33;
    h *= X64_P2;
    h ^= h >> 29;
    h *= X64_P3;
    h ^= h >> 32;
    return h;
}
