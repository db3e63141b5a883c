/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SHA-256 (FIPS 180-4) for xz's strongest integrity check.  The round
 * constants are, by definition, the first 32 fractional bits of the cube
 * roots of the first 64 primes (the initial hash: square roots of the first
 * 8); they are derived here with integer roots on first use, so no table of
 * magic numbers has to be typed in and checked by eye.
 */
#include "dec.h"

static uint32_t sha_k[64];
static uint32_t sha_h0[8];
static bool sha_ready;

/* Largest x with x^n <= v (n = 2 or 3), by bisection: no division needed. */
static uint64_t iroot(unsigned __int128 v, unsigned int n)
{
    uint64_t lo = 0, hi = 1ull << 36;

    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        unsigned __int128 p = (unsigned __int128)mid * mid;

        if (n == 3)
            p *= mid;
        if (p <= v)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

static void sha_init(void)
{
    unsigned int found = 0;

    for (uint32_t cand = 2; found < 64; cand++) {
        bool prime = true;

        for (uint32_t d = 2; d * d <= cand; d++) {
            if (cand % d == 0) {
                prime = false;
                break;
            }
        }
        if (!prime)
            continue;
        /* root(p * 2^(32n)) = root(p) * 2^32; its low 32 bits are the fraction. */
        sha_k[found] = (uint32_t)iroot((unsigned __int128)cand << 96, 3);
        if (found < 8)
            sha_h0[found] = (uint32_t)iroot((unsigned __int128)cand << 64, 2);
        found++;
    }
    sha_ready = true;
}

static inline uint32_t ror32(uint32_t x, unsigned int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t h[8], const uint8_t *blk)
{
    uint32_t w[64], v[8];

    for (int i = 0; i < 16; i++)
        w[i] = dec_be32(blk + 4 * i);
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, h, sizeof(v));
    for (int i = 0; i < 64; i++) {
        uint32_t e = v[4], a = v[0];
        uint32_t t1 = v[7] + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) +
                      ((e & v[5]) ^ (~e & v[6])) + sha_k[i] + w[i];
        uint32_t t2 =
            (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));

        memmove(v + 1, v, 7 * sizeof(v[0]));
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

void dec_sha256(const void *buf, size_t len, uint8_t digest[32])
{
    const uint8_t *p = buf;
    uint8_t tail[128];
    uint32_t h[8];
    size_t rest, tail_len;
    uint64_t bits = (uint64_t)len * 8;

    if (!sha_ready)
        sha_init();
    memcpy(h, sha_h0, sizeof(h));
    for (rest = len; rest >= 64; rest -= 64, p += 64)
        sha_block(h, p);

    /* Padding: 0x80, zeros, then the message length in bits (big-endian). */
    memset(tail, 0, sizeof(tail));
    memcpy(tail, p, rest);
    tail[rest] = 0x80;
    tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < tail_len; off += 64)
        sha_block(h, tail + off);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)h[i];
    }
}
