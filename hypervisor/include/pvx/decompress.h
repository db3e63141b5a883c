/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Single-call decompressors for the formats Linux uses for its bzImage
 * payload: gzip (deflate), xz (LZMA2 with the x86 BCJ filter), lz4 (the
 * legacy format the kernel build emits, and the frame format) and zstd.
 *
 * Every decoder writes into one caller-provided buffer of known capacity and
 * uses that buffer as its LZ window, so the working memory it allocates with
 * xmalloc_bytes() stays small (tables and probabilities only).  The input is
 * never trusted: every length and offset is checked, nothing is written past
 * out_cap, and every loop ends by consuming input or producing output.
 *
 * Return values: the number of bytes produced, or a negative errno:
 *   -ENOEXEC    not a format this code knows
 *   -EBADMSG    corrupt or truncated data, or a failed integrity check
 *   -ENOSPC     the data decodes to more than out_cap bytes
 *   -EOPNOTSUPP a valid feature pvx does not implement (e.g. an xz filter)
 *   -ENOMEM     working memory could not be allocated
 * On error *why (if why is not NULL) points at a static sentence naming the
 * format and the problem, e.g. "xz: corrupt LZMA2 chunk".
 */
#ifndef PVX_DECOMPRESS_H
#define PVX_DECOMPRESS_H

#include <pvx/types.h>

enum decomp_format {
    DECOMP_UNKNOWN = 0,
    DECOMP_GZIP,
    DECOMP_XZ,
    DECOMP_LZ4_LEGACY,
    DECOMP_LZ4_FRAME,
    DECOMP_ZSTD,
};

/* The format named by the first bytes of in, or DECOMP_UNKNOWN. */
enum decomp_format decomp_detect(const void *in, size_t in_len);

/* "gzip", "xz", "lz4-legacy", "lz4", "zstd" or "unknown". */
const char *decomp_format_name(enum decomp_format fmt);

/*
 * Detect the format and decode in into out[0, out_cap).  *in_used (if not
 * NULL) receives the number of input bytes the stream occupied, so a caller
 * can tell trailing data from the stream.  Input after the end of a stream is
 * ignored, except that xz, lz4 and zstd decode concatenated streams
 * (frames) the way their command-line tools do.
 */
long decompress(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                const char **why);

/* The individual decoders, with the same contract. */
long decompress_gzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                     const char **why);
long decompress_xz(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                   const char **why);
long decompress_lz4(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                    const char **why);
long decompress_zstd(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                     const char **why);

/* A raw deflate stream (RFC 1951), as found inside gzip and zlib wrappers. */
long decompress_deflate(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                        const char **why);

#endif
