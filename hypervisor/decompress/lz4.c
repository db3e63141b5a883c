/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lz4, in both containers:
 *  - the legacy format (magic 0x184C2102) that Linux's build writes with
 *    `lz4 -l`: blocks of at most 8 MiB of output, each preceded by its
 *    compressed size; the data ends with the input (or a new legacy magic,
 *    as lz4 -d accepts for concatenated files);
 *  - the frame format (magic 0x184D2204) of the lz4 tool's default output,
 *    with its header checksum, optional block checksums, content size and
 *    content checksum (xxHash32), and skippable frames.
 * Blocks are decoded into the single output buffer; a match may reach back
 * to the start of the output, which covers both linked and independent
 * blocks.  Preset dictionaries are not supported.
 */
#include "dec.h"

#define LZ4_LEGACY_MAGIC     0x184c2102u
#define LZ4_FRAME_MAGIC      0x184d2204u
#define LZ4_SKIP_MAGIC       0x184d2a50u /* low 4 bits free */
#define LZ4_LEGACY_BLOCK_MAX (8u << 20)
#define LZ4_MIN_MATCH        4

/* lz4 length fields: 15 in the token means "add the following bytes, 255 continues". */
static int read_len(const uint8_t **ip, const uint8_t *end, size_t *len)
{
    uint8_t b;

    do {
        if (*ip >= end)
            return -EBADMSG;
        b = *(*ip)++;
        *len += b;
    } while (b == 255);
    return 0;
}

/*
 * One lz4 block in[0, in_len) appended at out[*pos], at most max bytes of it.
 * Returns 0, or an error with *why set.
 */
static long lz4_block(const uint8_t *in, size_t in_len, uint8_t *out, size_t *pos, size_t max,
                      const char **why)
{
    const uint8_t *ip = in, *end = in + in_len;
    size_t op = *pos, limit = *pos + max;

    for (;;) {
        size_t lit, mlen, off;
        uint8_t token;

        if (ip >= end)
            return dec_fail(why, "lz4: truncated block", -EBADMSG);
        token = *ip++;
        lit = token >> 4;
        if (lit == 15 && read_len(&ip, end, &lit))
            return dec_fail(why, "lz4: truncated block", -EBADMSG);
        if (lit > (size_t)(end - ip))
            return dec_fail(why, "lz4: literals run past the block", -EBADMSG);
        if (lit > limit - op)
            goto too_big;
        memcpy(out + op, ip, lit);
        op += lit;
        ip += lit;
        if (ip == end)
            break; /* the last sequence has literals only */
        if (end - ip < 2)
            return dec_fail(why, "lz4: truncated block", -EBADMSG);
        off = dec_le16(ip);
        ip += 2;
        if (off == 0 || off > op)
            return dec_fail(why, "lz4: match offset outside the output", -EBADMSG);
        mlen = token & 15;
        if (mlen == 15 && read_len(&ip, end, &mlen))
            return dec_fail(why, "lz4: truncated block", -EBADMSG);
        mlen += LZ4_MIN_MATCH;
        if (mlen > limit - op)
            goto too_big;
        dec_lz_copy(out + op, off, mlen);
        op += mlen;
    }
    *pos = op;
    return 0;
too_big:
    return dec_fail(why, "lz4: output larger than the expected size (or block limit)", -ENOSPC);
}

static long lz4_legacy(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *used,
                       const char **why)
{
    size_t pos = 4, op = 0;
    long rc;

    while (len - pos >= 4) {
        uint32_t bsize = dec_le32(in + pos);

        if (bsize == LZ4_LEGACY_MAGIC) {
            pos += 4;
            continue;
        }
        /* A magic of another format ends this legacy data. */
        if (bsize == LZ4_FRAME_MAGIC || (bsize & ~0xfu) == LZ4_SKIP_MAGIC)
            break;
        pos += 4;
        if (bsize > len - pos)
            return dec_fail(why, "lz4: truncated legacy block", -EBADMSG);
        rc = lz4_block(in + pos, bsize, out, &op, MIN(cap - op, (size_t)LZ4_LEGACY_BLOCK_MAX), why);
        if (rc == -ENOSPC && cap - op > LZ4_LEGACY_BLOCK_MAX)
            return dec_fail(why, "lz4: legacy block larger than 8 MiB", -EBADMSG);
        if (rc)
            return rc;
        pos += bsize;
    }
    *used = pos;
    return (long)op;
}

static long lz4_frame(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *used,
                      const char **why)
{
    static const uint32_t block_max[8] = {0, 0, 0, 0, 64u << 10, 256u << 10, 1u << 20, 4u << 20};
    size_t pos, hstart = 4, op = 0, bmax;
    uint8_t flg, bd;
    uint64_t content_size = 0;
    long rc;

    if (len < 7)
        return dec_fail(why, "lz4: truncated frame header", -EBADMSG);
    flg = in[4];
    bd = in[5];
    if ((flg >> 6) != 1)
        return dec_fail(why, "lz4: unsupported frame version", -EOPNOTSUPP);
    /* The descriptor's checksum first: a damaged flag byte should read as damage. */
    pos = 6 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0);
    if (len - 1 < pos)
        return dec_fail(why, "lz4: truncated frame header", -EBADMSG);
    if (((dec_xxh32(in + hstart, pos - hstart, 0) >> 8) & 0xff) != in[pos])
        return dec_fail(why, "lz4: frame header checksum mismatch", -EBADMSG);
    if ((flg & 0x02) || (bd & 0x8f) || block_max[(bd >> 4) & 7] == 0)
        return dec_fail(why, "lz4: reserved bits set in the frame descriptor", -EBADMSG);
    if (flg & 0x01)
        return dec_fail(why, "lz4: frames with a preset dictionary are not supported", -EOPNOTSUPP);
    bmax = block_max[(bd >> 4) & 7];
    if (flg & 0x08)
        content_size = dec_le64(in + 6);
    pos++;

    for (;;) {
        uint32_t bsize;
        bool stored;

        if (len - pos < 4)
            return dec_fail(why, "lz4: truncated frame", -EBADMSG);
        bsize = dec_le32(in + pos);
        pos += 4;
        if (bsize == 0)
            break; /* end mark */
        stored = bsize & 0x80000000u;
        bsize &= 0x7fffffffu;
        if (bsize > bmax)
            return dec_fail(why, "lz4: block larger than the frame's maximum", -EBADMSG);
        if (bsize > len - pos || ((flg & 0x10) && len - pos - bsize < 4))
            return dec_fail(why, "lz4: truncated block", -EBADMSG);
        if ((flg & 0x10) && dec_xxh32(in + pos, bsize, 0) != dec_le32(in + pos + bsize))
            return dec_fail(why, "lz4: block checksum mismatch", -EBADMSG);
        if (stored) {
            if (bsize > cap - op)
                return dec_fail(why, "lz4: output larger than the expected size", -ENOSPC);
            memcpy(out + op, in + pos, bsize);
            op += bsize;
        } else {
            size_t room = cap - op;
            bool capped = room < bmax;

            rc = lz4_block(in + pos, bsize, out, &op, capped ? room : bmax, why);
            if (rc == -ENOSPC && !capped)
                return dec_fail(why, "lz4: block decodes to more than the frame's maximum",
                                -EBADMSG);
            if (rc)
                return rc;
        }
        pos += bsize + ((flg & 0x10) ? 4 : 0);
    }
    if ((flg & 0x08) && content_size != op)
        return dec_fail(why, "lz4: content size mismatch", -EBADMSG);
    if (flg & 0x04) {
        if (len - pos < 4)
            return dec_fail(why, "lz4: truncated content checksum", -EBADMSG);
        if (dec_xxh32(out, op, 0) != dec_le32(in + pos))
            return dec_fail(why, "lz4: content checksum mismatch", -EBADMSG);
        pos += 4;
    }
    *used = pos;
    return (long)op;
}

long decompress_lz4(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                    const char **why)
{
    const uint8_t *p = in;
    size_t pos = 0, produced = 0, used = 0;
    bool any = false;
    long n;

    /* Frames (and legacy runs) follow each other until the input holds no further magic. */
    while (in_len - pos >= 4) {
        uint32_t magic = dec_le32(p + pos);

        if ((magic & ~0xfu) == LZ4_SKIP_MAGIC) {
            if (in_len - pos < 8 || dec_le32(p + pos + 4) > in_len - pos - 8)
                return dec_fail(why, "lz4: truncated skippable frame", -EBADMSG);
            pos += 8 + (size_t)dec_le32(p + pos + 4);
            continue;
        }
        if (magic == LZ4_LEGACY_MAGIC)
            n = lz4_legacy(p + pos, in_len - pos, (uint8_t *)out + produced, out_cap - produced,
                           &used, why);
        else if (magic == LZ4_FRAME_MAGIC)
            n = lz4_frame(p + pos, in_len - pos, (uint8_t *)out + produced, out_cap - produced,
                          &used, why);
        else if (!any)
            return dec_fail(why, "lz4: bad magic", -ENOEXEC);
        else
            break;
        if (n < 0)
            return n;
        any = true;
        pos += used;
        produced += (size_t)n;
    }
    if (!any)
        return dec_fail(why, "lz4: bad magic", -ENOEXEC);
    if (in_used)
        *in_used = pos;
    return (long)produced;
}
