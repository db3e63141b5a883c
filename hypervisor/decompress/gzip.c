/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gzip members (RFC 1952) around a deflate stream.  Every optional header
 * field is skipped with its length checked; the trailer's CRC-32 and size
 * (mod 2^32) must match what was produced.  Concatenated members decode to
 * the concatenation of their data, as gzip -d does.
 */
#include "dec.h"

#define GZ_FHCRC    0x02
#define GZ_FEXTRA   0x04
#define GZ_FNAME    0x08
#define GZ_FCOMMENT 0x10
#define GZ_RESERVED 0xe0

/* Skip a zero-terminated header string; -1 when the input ends first. */
static long skip_string(const uint8_t *p, size_t pos, size_t len)
{
    while (pos < len)
        if (p[pos++] == 0)
            return (long)pos;
    return -1;
}

/* One member at in[0, len): its header, deflate data and trailer. */
static long gzip_member(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap, size_t *used,
                        const char **why)
{
    size_t pos = 10, dused;
    uint8_t flags;
    long n;

    if (len < 18)
        return dec_fail(why, "gzip: truncated header", -EBADMSG);
    if (in[0] != 0x1f || in[1] != 0x8b)
        return dec_fail(why, "gzip: bad magic", -ENOEXEC);
    if (in[2] != 8)
        return dec_fail(why, "gzip: compression method is not deflate", -EOPNOTSUPP);
    flags = in[3];
    if (flags & GZ_RESERVED)
        return dec_fail(why, "gzip: reserved header flags set", -EBADMSG);
    if (flags & GZ_FEXTRA) {
        if (len - pos < 2 || len - pos - 2 < dec_le16(in + pos))
            return dec_fail(why, "gzip: truncated header", -EBADMSG);
        pos += 2 + dec_le16(in + pos);
    }
    for (uint8_t f = GZ_FNAME; f <= GZ_FCOMMENT; f <<= 1) {
        if (!(flags & f))
            continue;
        n = skip_string(in, pos, len);
        if (n < 0)
            return dec_fail(why, "gzip: truncated header", -EBADMSG);
        pos = (size_t)n;
    }
    if (flags & GZ_FHCRC) {
        if (len - pos < 2)
            return dec_fail(why, "gzip: truncated header", -EBADMSG);
        if ((dec_crc32(0, in, pos) & 0xffff) != dec_le16(in + pos))
            return dec_fail(why, "gzip: header CRC mismatch", -EBADMSG);
        pos += 2;
    }

    n = decompress_deflate(in + pos, len - pos, out, out_cap, &dused, why);
    if (n < 0)
        return n;
    pos += dused;
    if (len - pos < 8)
        return dec_fail(why, "gzip: truncated trailer", -EBADMSG);
    if (dec_crc32(0, out, (size_t)n) != dec_le32(in + pos))
        return dec_fail(why, "gzip: CRC mismatch", -EBADMSG);
    if ((uint32_t)n != dec_le32(in + pos + 4))
        return dec_fail(why, "gzip: size mismatch", -EBADMSG);
    *used = pos + 8;
    return n;
}

long decompress_gzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                     const char **why)
{
    const uint8_t *p = in;
    size_t pos = 0, produced = 0, used;
    long n;

    do {
        n = gzip_member(p + pos, in_len - pos, (uint8_t *)out + produced, out_cap - produced, &used,
                        why);
        if (n < 0)
            return n;
        pos += used;
        produced += (size_t)n;
        /* Another member follows only if its magic does; anything else is trailing data. */
    } while (in_len - pos >= 2 && p[pos] == 0x1f && p[pos + 1] == 0x8b);
    if (in_used)
        *in_used = pos;
    return (long)produced;
}
