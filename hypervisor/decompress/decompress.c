/* SPDX-License-Identifier: GPL-2.0-only */
/* Format detection by magic bytes, and the one entry point that dispatches on it. */
#include "dec.h"

#define LZ4_LEGACY_MAGIC 0x184c2102u
#define LZ4_FRAME_MAGIC  0x184d2204u
#define ZSTD_MAGIC       0xfd2fb528u
#define SKIP_MAGIC       0x184d2a50u /* lz4 and zstd skippable frames; low 4 bits free */

enum decomp_format decomp_detect(const void *in, size_t in_len)
{
    static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
    const uint8_t *p = in;

    /* Skippable frames (shared by lz4 and zstd) may come first: look behind them. */
    while (in_len >= 8 && (dec_le32(p) & ~0xfu) == SKIP_MAGIC && dec_le32(p + 4) <= in_len - 8) {
        in_len -= 8 + (size_t)dec_le32(p + 4);
        p += 8 + (size_t)dec_le32(p + 4);
    }
    if (in_len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return DECOMP_GZIP;
    if (in_len >= 6 && !memcmp(p, xz_magic, 6))
        return DECOMP_XZ;
    if (in_len < 4)
        return DECOMP_UNKNOWN;
    switch (dec_le32(p)) {
    case LZ4_LEGACY_MAGIC:
        return DECOMP_LZ4_LEGACY;
    case LZ4_FRAME_MAGIC:
        return DECOMP_LZ4_FRAME;
    case ZSTD_MAGIC:
        return DECOMP_ZSTD;
    default:
        return DECOMP_UNKNOWN;
    }
}

const char *decomp_format_name(enum decomp_format fmt)
{
    switch (fmt) {
    case DECOMP_GZIP:
        return "gzip";
    case DECOMP_XZ:
        return "xz";
    case DECOMP_LZ4_LEGACY:
        return "lz4-legacy";
    case DECOMP_LZ4_FRAME:
        return "lz4";
    case DECOMP_ZSTD:
        return "zstd";
    default:
        return "unknown";
    }
}

long decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                const char **why)
{
    switch (decomp_detect(in, in_len)) {
    case DECOMP_GZIP:
        return decompress_gzip(in, in_len, out, out_cap, in_used, why);
    case DECOMP_XZ:
        return decompress_xz(in, in_len, out, out_cap, in_used, why);
    case DECOMP_LZ4_LEGACY:
    case DECOMP_LZ4_FRAME:
        return decompress_lz4(in, in_len, out, out_cap, in_used, why);
    case DECOMP_ZSTD:
        return decompress_zstd(in, in_len, out, out_cap, in_used, why);
    default:
        return dec_fail(why, "unknown compression format (no gzip, xz, lz4 or zstd magic)",
                        -ENOEXEC);
    }
}
