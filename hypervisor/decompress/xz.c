/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The .xz container (the xz file format specification, version 1.x):
 * stream header, blocks, index, stream footer.  Blocks may use LZMA2 alone
 * or behind the x86 BCJ filter (what Linux's build uses); other filters are
 * reported as unsupported.  Every header CRC32, the block check (none,
 * CRC32, CRC64 or SHA-256), block sizes declared in headers, the index
 * against the blocks actually seen, and the footer against the header are
 * all verified.  Concatenated streams and stream padding are accepted.
 */
#include "dec.h"

#define XZ_HEADER_SIZE  12
#define XZ_FILTER_X86   0x04
#define XZ_FILTER_LZMA2 0x21
#define XZ_MAX_FILTERS  4
#define XZ_VLI_BYTES    9

enum { CHECK_NONE = 0, CHECK_CRC32 = 1, CHECK_CRC64 = 4, CHECK_SHA256 = 10 };

static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};

/* What the blocks said, to compare with the index without storing every record. */
struct xz_tally {
    uint64_t blocks;
    uint32_t records_crc; /* CRC32 over each (unpadded, uncompressed) pair as 2 x le64 */
};

static void tally_add(struct xz_tally *t, uint64_t unpadded, uint64_t uncompressed)
{
    uint8_t rec[16];

    for (int i = 0; i < 8; i++) {
        rec[i] = (uint8_t)(unpadded >> (8 * i));
        rec[8 + i] = (uint8_t)(uncompressed >> (8 * i));
    }
    t->records_crc = dec_crc32(t->records_crc, rec, sizeof(rec));
    t->blocks++;
}

/* A variable-length integer at p[*pos], never past p[len]. */
static int read_vli(const uint8_t *p, size_t len, size_t *pos, uint64_t *val)
{
    uint64_t v = 0;

    for (unsigned int i = 0; i < XZ_VLI_BYTES; i++) {
        uint8_t b;

        if (*pos >= len)
            return -EBADMSG;
        b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0)
                return -EBADMSG; /* not the shortest encoding */
            *val = v;
            return 0;
        }
    }
    return -EBADMSG;
}

static size_t check_size(unsigned int type)
{
    switch (type) {
    case CHECK_CRC32:
        return 4;
    case CHECK_CRC64:
        return 8;
    case CHECK_SHA256:
        return 32;
    default:
        return 0;
    }
}

static bool check_matches(unsigned int type, const uint8_t *data, size_t len, const uint8_t *want)
{
    uint8_t digest[32];

    switch (type) {
    case CHECK_CRC32:
        return dec_crc32(0, data, len) == dec_le32(want);
    case CHECK_CRC64:
        return dec_crc64(0, data, len) == dec_le64(want);
    case CHECK_SHA256:
        dec_sha256(data, len, digest);
        return !memcmp(digest, want, sizeof(digest));
    default:
        return true;
    }
}

struct xz_block_hdr {
    size_t size;
    uint64_t comp_size, uncomp_size; /* UINT64_MAX: not declared */
    bool x86;
    uint32_t x86_start;
};

static long parse_block_header(const uint8_t *p, size_t avail, struct xz_block_hdr *h,
                               const char **why)
{
    size_t pos = 2, end;
    unsigned int nfilters;
    uint8_t flags;

    h->size = ((size_t)p[0] + 1) * 4;
    if (h->size > avail)
        return dec_fail(why, "xz: truncated block header", -EBADMSG);
    end = h->size - 4;
    if (dec_crc32(0, p, end) != dec_le32(p + end))
        return dec_fail(why, "xz: block header CRC mismatch", -EBADMSG);
    flags = p[1];
    if (flags & 0x3c)
        return dec_fail(why, "xz: reserved block flags set", -EOPNOTSUPP);
    nfilters = (flags & 3) + 1;
    h->comp_size = h->uncomp_size = UINT64_MAX;
    h->x86 = false;
    h->x86_start = 0;
    if ((flags & 0x40) && read_vli(p, end, &pos, &h->comp_size))
        goto bad;
    if ((flags & 0x80) && read_vli(p, end, &pos, &h->uncomp_size))
        goto bad;
    for (unsigned int i = 0; i < nfilters; i++) {
        uint64_t id, psize;
        bool last = i + 1 == nfilters;

        if (read_vli(p, end, &pos, &id) || read_vli(p, end, &pos, &psize) || psize > end - pos)
            goto bad;
        if (id == XZ_FILTER_LZMA2 && last) {
            /* Dictionary size code: values above 40 are reserved. */
            if (psize != 1 || (p[pos] & 0xc0) || p[pos] > 40)
                goto bad;
        } else if (id == XZ_FILTER_X86 && !last && !h->x86) {
            if (psize == 4)
                h->x86_start = dec_le32(p + pos);
            else if (psize != 0)
                goto bad;
            h->x86 = true;
        } else {
            return dec_fail(why, "xz: unsupported filter chain (pvx decodes LZMA2 and x86 BCJ)",
                            -EOPNOTSUPP);
        }
        pos += (size_t)psize;
    }
    while (pos < end)
        if (p[pos++])
            goto bad;
    return 0;
bad:
    return dec_fail(why, "xz: corrupt block header", -EBADMSG);
}

/* One block at in[0, avail): decodes to out, records itself in t, returns its output size. */
static long xz_block(const uint8_t *in, size_t avail, uint8_t *out, size_t out_cap,
                     unsigned int check, struct xz_tally *t, size_t *used, const char **why)
{
    struct xz_block_hdr h;
    size_t pos, comp, csize = check_size(check);
    long n;

    n = parse_block_header(in, avail, &h, why);
    if (n)
        return n;
    pos = h.size;
    /* A declared compressed size bounds the LZMA2 decoder's view of the input. */
    n = dec_lzma2(in + pos, h.comp_size < avail - pos ? (size_t)h.comp_size : avail - pos, out,
                  h.uncomp_size < out_cap ? (size_t)h.uncomp_size : out_cap, &comp, why);
    if (n == -ENOSPC && h.uncomp_size < out_cap)
        return dec_fail(why, "xz: block larger than its header says", -EBADMSG);
    if (n < 0)
        return n;
    if ((h.comp_size != UINT64_MAX && h.comp_size != comp) ||
        (h.uncomp_size != UINT64_MAX && h.uncomp_size != (uint64_t)n))
        return dec_fail(why, "xz: block sizes do not match its header", -EBADMSG);
    pos += comp;
    while (pos & 3) {
        if (pos >= avail || in[pos])
            return dec_fail(why, "xz: corrupt block padding", -EBADMSG);
        pos++;
    }
    if (avail - pos < csize)
        return dec_fail(why, "xz: truncated block check", -EBADMSG);
    if (h.x86)
        dec_bcj_x86(out, (size_t)n, h.x86_start);
    if (!check_matches(check, out, (size_t)n, in + pos))
        return dec_fail(why,
                        check == CHECK_CRC32   ? "xz: CRC32 mismatch"
                        : check == CHECK_CRC64 ? "xz: CRC64 mismatch"
                                               : "xz: SHA-256 mismatch",
                        -EBADMSG);
    tally_add(t, h.size + comp + csize, (uint64_t)n);
    *used = pos + csize;
    return n;
}

/* The index at in[0, avail) against the blocks seen; returns its size. */
static long xz_index(const uint8_t *in, size_t avail, const struct xz_tally *t, const char **why)
{
    struct xz_tally seen = {0, 0};
    size_t pos = 1;
    uint64_t count;

    if (read_vli(in, avail, &pos, &count))
        goto bad;
    /* Each record takes at least two bytes, so the input bounds this loop. */
    for (uint64_t i = 0; i < count; i++) {
        uint64_t unpadded, uncompressed;

        if (read_vli(in, avail, &pos, &unpadded) || read_vli(in, avail, &pos, &uncompressed))
            goto bad;
        tally_add(&seen, unpadded, uncompressed);
    }
    while (pos & 3) {
        if (pos >= avail || in[pos])
            goto bad;
        pos++;
    }
    if (avail - pos < 4 || dec_crc32(0, in, pos) != dec_le32(in + pos))
        return dec_fail(why, "xz: index CRC mismatch or truncated index", -EBADMSG);
    if (seen.blocks != t->blocks || seen.records_crc != t->records_crc)
        return dec_fail(why, "xz: index does not match the blocks", -EBADMSG);
    return (long)(pos + 4);
bad:
    return dec_fail(why, "xz: corrupt index", -EBADMSG);
}

/* One stream; returns its output size and sets *used to its length. */
static long xz_stream(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap, size_t *used,
                      const char **why)
{
    struct xz_tally tally = {0, 0};
    size_t pos = XZ_HEADER_SIZE, produced = 0, bused;
    unsigned int check;
    const uint8_t *foot;
    long n;

    if (len < 2 * XZ_HEADER_SIZE)
        return dec_fail(why, "xz: truncated stream", -EBADMSG);
    if (memcmp(in, xz_magic, sizeof(xz_magic)))
        return dec_fail(why, "xz: bad magic", -ENOEXEC);
    if (dec_crc32(0, in + 6, 2) != dec_le32(in + 8))
        return dec_fail(why, "xz: stream header CRC mismatch", -EBADMSG);
    check = in[7];
    if (in[6] || (check & 0xf0))
        return dec_fail(why, "xz: reserved stream flags set", -EOPNOTSUPP);
    if (check != CHECK_NONE && check != CHECK_CRC32 && check != CHECK_CRC64 &&
        check != CHECK_SHA256)
        return dec_fail(why, "xz: unsupported check type", -EOPNOTSUPP);

    /* Blocks until the index indicator (a zero header-size byte). */
    for (;;) {
        if (pos >= len)
            return dec_fail(why, "xz: truncated stream", -EBADMSG);
        if (in[pos] == 0)
            break;
        n = xz_block(in + pos, len - pos, out + produced, out_cap - produced, check, &tally, &bused,
                     why);
        if (n < 0)
            return n;
        pos += bused;
        produced += (size_t)n;
    }
    n = xz_index(in + pos, len - pos, &tally, why);
    if (n < 0)
        return n;
    pos += (size_t)n;
    if (len - pos < XZ_HEADER_SIZE)
        return dec_fail(why, "xz: truncated stream footer", -EBADMSG);
    foot = in + pos;
    if (dec_crc32(0, foot + 4, 6) != dec_le32(foot))
        return dec_fail(why, "xz: stream footer CRC mismatch", -EBADMSG);
    if (((uint64_t)dec_le32(foot + 4) + 1) * 4 != (uint64_t)n)
        return dec_fail(why, "xz: footer's index size does not match the index", -EBADMSG);
    if (foot[8] != in[6] || foot[9] != in[7] || foot[10] != 'Y' || foot[11] != 'Z')
        return dec_fail(why, "xz: corrupt stream footer", -EBADMSG);
    *used = pos + XZ_HEADER_SIZE;
    return (long)produced;
}

long decompress_xz(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                   const char **why)
{
    const uint8_t *p = in;
    size_t pos = 0, produced = 0, used;
    long n;

    do {
        n = xz_stream(p + pos, in_len - pos, (uint8_t *)out + produced, out_cap - produced, &used,
                      why);
        if (n < 0)
            return n;
        pos += used;
        produced += (size_t)n;
        /* Stream padding: zeros in multiples of four, possibly before another stream. */
        while (in_len - pos >= 4 && dec_le32(p + pos) == 0)
            pos += 4;
    } while (in_len - pos >= sizeof(xz_magic) && !memcmp(p + pos, xz_magic, sizeof(xz_magic)));
    if (in_used)
        *in_used = pos;
    return (long)produced;
}
