/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zstd frames (RFC 8878): frame header, raw/RLE/compressed blocks, the
 * literals section of compressed blocks, and the optional content checksum
 * (low 32 bits of XXH64).  Frames using a dictionary are rejected; the
 * window size is not enforced because the whole output is the window.
 * Skippable frames are skipped and concatenated frames decoded in turn.
 */
#include "zstd_int.h"

#define ZSTD_MAGIC      0xfd2fb528u
#define ZSTD_SKIP_MAGIC 0x184d2a50u /* low 4 bits free */

/* The literals section at in[0, len); sets z->lits/nlits and returns its size. */
static long zstd_literals(struct zstd *z, const uint8_t *in, size_t len)
{
    unsigned int type, sf;
    size_t regen, comp = 0, hdr, used;
    bool four = false;

    z->why = "zstd: corrupt literals section";
    if (len < 1)
        return -EBADMSG;
    type = in[0] & 3;
    sf = (in[0] >> 2) & 3;
    if (type < 2) {
        /* Raw or RLE: one size, 5, 12 or 20 bits. */
        if (!(sf & 1)) {
            hdr = 1;
            regen = in[0] >> 3;
        } else if (sf == 1) {
            hdr = 2;
            if (len < hdr)
                return -EBADMSG;
            regen = (in[0] >> 4) | ((size_t)in[1] << 4);
        } else {
            hdr = 3;
            if (len < hdr)
                return -EBADMSG;
            regen = (in[0] >> 4) | ((size_t)in[1] << 4) | ((size_t)in[2] << 12);
        }
        if (regen > ZSTD_BLOCK_MAX)
            return -EBADMSG;
        z->nlits = regen;
        if (type == 0) {
            if (len - hdr < regen)
                return -EBADMSG;
            z->lits = in + hdr;
            return (long)(hdr + regen);
        }
        if (len - hdr < 1)
            return -EBADMSG;
        memset(z->lit, in[hdr], regen);
        z->lits = z->lit;
        return (long)(hdr + 1);
    }

    /* Huffman-coded (type 2 carries a tree, type 3 reuses the last one). */
    hdr = sf < 2 ? 3 : sf == 2 ? 4 : 5;
    if (len < hdr)
        return -EBADMSG;
    {
        uint64_t v = 0;
        unsigned int bits = sf < 2 ? 10 : sf == 2 ? 14 : 18;

        for (size_t i = 0; i < hdr; i++)
            v |= (uint64_t)in[i] << (8 * i);
        regen = (size_t)(v >> 4) & ((1u << bits) - 1);
        comp = (size_t)(v >> (4 + bits)) & ((1u << bits) - 1);
        four = sf != 0;
    }
    if (regen > ZSTD_BLOCK_MAX || comp > len - hdr)
        return -EBADMSG;
    in += hdr;
    used = 0;
    if (type == 2) {
        if (huf_read_table(&z->huf, in, comp, &used)) {
            z->why = "zstd: corrupt Huffman table";
            return -EBADMSG;
        }
    } else if (!z->huf.maxbits) {
        z->why = "zstd: treeless literals without a previous Huffman table";
        return -EBADMSG;
    }
    if (huf_decode_streams(&z->huf, in + used, comp - used, four, z->lit, regen)) {
        z->why = "zstd: corrupt Huffman-coded literals";
        return -EBADMSG;
    }
    z->lits = z->lit;
    z->nlits = regen;
    return (long)(hdr + comp);
}

static int zstd_block(struct zstd *z, const uint8_t *in, size_t len)
{
    size_t start = z->pos;
    long n;

    n = zstd_literals(z, in, len);
    if (n < 0)
        return (int)n;
    return zstd_sequences(z, in + n, len - (size_t)n, start);
}

/* One frame at in[0, len); output from out[0]. */
static long zstd_frame(struct zstd *z, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                       size_t *used, const char **why)
{
    static const uint8_t did_bytes[4] = {0, 1, 2, 4};
    size_t pos = 5;
    uint8_t fhd;
    bool single, checksum, has_fcs;
    unsigned int fcs_bytes;
    uint64_t fcs = 0, did = 0;
    int rc;

    if (len < 6)
        return dec_fail(why, "zstd: truncated frame header", -EBADMSG);
    fhd = in[4];
    single = fhd & 0x20;
    checksum = fhd & 0x04;
    if (fhd & 0x08)
        return dec_fail(why, "zstd: reserved frame header bit set", -EBADMSG);
    fcs_bytes = (unsigned int[]){single ? 1 : 0, 2, 4, 8}[fhd >> 6];
    has_fcs = fcs_bytes != 0;
    if (!single)
        pos++; /* window descriptor: no limit needed, the output buffer is the window */
    if (len - pos < (size_t)did_bytes[fhd & 3] + fcs_bytes)
        return dec_fail(why, "zstd: truncated frame header", -EBADMSG);
    for (unsigned int i = 0; i < did_bytes[fhd & 3]; i++)
        did |= (uint64_t)in[pos + i] << (8 * i);
    pos += did_bytes[fhd & 3];
    if (did)
        return dec_fail(why, "zstd: frames needing a dictionary are not supported", -EOPNOTSUPP);
    for (unsigned int i = 0; i < fcs_bytes; i++)
        fcs |= (uint64_t)in[pos + i] << (8 * i);
    if (fcs_bytes == 2)
        fcs += 256;
    pos += fcs_bytes;
    if (has_fcs && fcs > cap)
        return dec_fail(why, "zstd: output larger than the expected size", -ENOSPC);

    z->out = out;
    z->pos = 0;
    z->cap = cap;
    z->huf.maxbits = 0;
    z->have_ll = z->have_of = z->have_ml = false;
    z->rep[0] = 1;
    z->rep[1] = 4;
    z->rep[2] = 8;
    for (;;) {
        uint32_t bh;
        size_t bsize;
        bool last;

        if (len - pos < 3)
            return dec_fail(why, "zstd: truncated block header", -EBADMSG);
        bh = in[pos] | ((uint32_t)in[pos + 1] << 8) | ((uint32_t)in[pos + 2] << 16);
        pos += 3;
        last = bh & 1;
        bsize = bh >> 3;
        if (bsize > ZSTD_BLOCK_MAX)
            return dec_fail(why, "zstd: block larger than 128 KiB", -EBADMSG);
        switch ((bh >> 1) & 3) {
        case 0: /* raw */
            if (len - pos < bsize)
                return dec_fail(why, "zstd: truncated block", -EBADMSG);
            if (bsize > cap - z->pos)
                return dec_fail(why, "zstd: output larger than the expected size", -ENOSPC);
            memcpy(out + z->pos, in + pos, bsize);
            z->pos += bsize;
            pos += bsize;
            break;
        case 1: /* RLE: one byte, bsize times */
            if (len - pos < 1)
                return dec_fail(why, "zstd: truncated block", -EBADMSG);
            if (bsize > cap - z->pos)
                return dec_fail(why, "zstd: output larger than the expected size", -ENOSPC);
            memset(out + z->pos, in[pos], bsize);
            z->pos += bsize;
            pos += 1;
            break;
        case 2:
            if (len - pos < bsize)
                return dec_fail(why, "zstd: truncated block", -EBADMSG);
            rc = zstd_block(z, in + pos, bsize);
            if (rc)
                return dec_fail(why, z->why, rc);
            pos += bsize;
            break;
        default:
            return dec_fail(why, "zstd: reserved block type", -EBADMSG);
        }
        if (last)
            break;
    }
    if (has_fcs && fcs != z->pos)
        return dec_fail(why, "zstd: frame content size mismatch", -EBADMSG);
    if (checksum) {
        if (len - pos < 4)
            return dec_fail(why, "zstd: truncated content checksum", -EBADMSG);
        if ((uint32_t)dec_xxh64(out, z->pos, 0) != dec_le32(in + pos))
            return dec_fail(why, "zstd: content checksum mismatch", -EBADMSG);
        pos += 4;
    }
    *used = pos;
    return (long)z->pos;
}

long decompress_zstd(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                     const char **why)
{
    const uint8_t *p = in;
    struct zstd *z = NULL;
    size_t pos = 0, produced = 0, used = 0;
    bool any = false;
    long rc;

    while (in_len - pos >= 4) {
        uint32_t magic = dec_le32(p + pos);

        if ((magic & ~0xfu) == ZSTD_SKIP_MAGIC) {
            if (in_len - pos < 8 || dec_le32(p + pos + 4) > in_len - pos - 8) {
                rc = dec_fail(why, "zstd: truncated skippable frame", -EBADMSG);
                goto out;
            }
            pos += 8 + (size_t)dec_le32(p + pos + 4);
            continue;
        }
        if (magic != ZSTD_MAGIC)
            break;
        if (!z) {
            z = xmalloc_bytes(sizeof(*z));
            if (!z) {
                rc = dec_fail(why, "zstd: out of memory for the decoder", -ENOMEM);
                goto out;
            }
        }
        rc = zstd_frame(z, p + pos, in_len - pos, (uint8_t *)out + produced, out_cap - produced,
                        &used, why);
        if (rc < 0)
            goto out;
        any = true;
        pos += used;
        produced += (size_t)rc;
    }
    if (!any) {
        rc = dec_fail(why, "zstd: bad magic", -ENOEXEC);
        goto out;
    }
    if (in_used)
        *in_used = pos;
    rc = (long)produced;
out:
    if (z)
        xfree(z);
    return rc;
}
