/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Deflate decoder (RFC 1951), single call, into a flat output buffer that
 * doubles as the 32 KiB back-reference window.
 *
 * Huffman codes are decoded through a 2^FAST_BITS-entry table indexed by
 * the next input bits (codes are stored bit-reversed in the LSB-first
 * stream, so the table is filled at reversed positions); the rare longer
 * codes fall back to walking the canonical code length by length.  A code
 * with no symbol (incomplete code sets are legal) is reported as corrupt.
 */
#include "dec.h"

#define FAST_BITS   10
#define MAX_BITS    15
#define MAX_LITLEN  288
#define MAX_DIST    32
#define NUM_CLCODES 19

struct huff {
    uint16_t count[MAX_BITS + 1];   /* codes of each length */
    uint16_t sym[MAX_LITLEN];       /* symbols ordered by (length, value) */
    uint16_t fast[1u << FAST_BITS]; /* (length << 9) | symbol, 0 = slow path */
};

struct inflate {
    const uint8_t *in, *in_end;
    uint64_t bits; /* unread bits, LSB first */
    unsigned int nbits;
    uint8_t *out;
    size_t out_pos, out_cap;
    const char *why;
    struct huff lit, dist;
};

static const uint16_t len_base[29] = {3,  4,  5,  6,   7,   8,   9,   10,  11, 13,
                                      15, 17, 19, 23,  27,  31,  35,  43,  51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,   65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* The order in which code-length code lengths are sent (RFC 1951 3.2.7). */
static const uint8_t clcode_order[NUM_CLCODES] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                  11, 4,  12, 3, 13, 2, 14, 1, 15};

/* Top up the bit buffer from the input; past the end nothing is added. */
static inline void refill(struct inflate *s)
{
    while (s->nbits <= 56 && s->in < s->in_end) {
        s->bits |= (uint64_t)*s->in++ << s->nbits;
        s->nbits += 8;
    }
}

/* Take n (<= 32) bits; -EBADMSG when the input ends first. */
static int getbits(struct inflate *s, unsigned int n, uint32_t *val)
{
    if (s->nbits < n) {
        refill(s);
        if (s->nbits < n) {
            s->why = "deflate: truncated stream";
            return -EBADMSG;
        }
    }
    *val = (uint32_t)(s->bits & ((1ull << n) - 1));
    s->bits >>= n;
    s->nbits -= n;
    return 0;
}

static uint32_t reverse_bits(uint32_t code, unsigned int len)
{
    uint32_t r = 0;

    for (unsigned int i = 0; i < len; i++, code >>= 1)
        r = (r << 1) | (code & 1);
    return r;
}

/*
 * Build the decoder for n code lengths.  Over-subscribed sets are corrupt;
 * incomplete ones are accepted and their unused codes fail when seen.
 */
static int huff_build(struct huff *h, const uint8_t *lens, unsigned int n)
{
    uint16_t offs[MAX_BITS + 2];
    int left = 1;
    uint32_t code = 0;

    memset(h->count, 0, sizeof(h->count));
    memset(h->fast, 0, sizeof(h->fast));
    for (unsigned int i = 0; i < n; i++)
        h->count[lens[i]]++;
    for (unsigned int len = 1; len <= MAX_BITS; len++) {
        left = (left << 1) - h->count[len];
        if (left < 0)
            return -EBADMSG;
    }
    offs[1] = 0;
    for (unsigned int len = 1; len <= MAX_BITS; len++)
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
    for (unsigned int i = 0; i < n; i++)
        if (lens[i])
            h->sym[offs[lens[i]]++] = (uint16_t)i;

    /* Canonical codes in (length, symbol) order; only short ones go in the table. */
    for (unsigned int len = 1, idx = 0; len <= MAX_BITS; len++) {
        for (unsigned int k = 0; k < h->count[len]; k++, idx++, code++) {
            if (len > FAST_BITS)
                continue;
            uint32_t r = reverse_bits(code, len);

            for (uint32_t e = r; e < (1u << FAST_BITS); e += 1u << len)
                h->fast[e] = (uint16_t)((len << 9) | h->sym[idx]);
        }
        code <<= 1;
    }
    return 0;
}

static int huff_decode(struct inflate *s, const struct huff *h, unsigned int *sym)
{
    uint16_t e;
    uint32_t code = 0, first = 0, index = 0;

    if (s->nbits < MAX_BITS)
        refill(s);
    e = h->fast[s->bits & ((1u << FAST_BITS) - 1)];
    if (e) {
        unsigned int len = e >> 9;

        if (len > s->nbits)
            goto truncated;
        s->bits >>= len;
        s->nbits -= len;
        *sym = e & 0x1ff;
        return 0;
    }
    /* Slow path: one bit at a time through the canonical code. */
    for (unsigned int len = 1; len <= MAX_BITS; len++) {
        if (len > s->nbits)
            goto truncated;
        code |= (s->bits >> (len - 1)) & 1;
        if (code - first < h->count[len]) {
            s->bits >>= len;
            s->nbits -= len;
            *sym = h->sym[index + (code - first)];
            return 0;
        }
        index += h->count[len];
        first = (first + h->count[len]) << 1;
        code <<= 1;
    }
    s->why = "deflate: invalid Huffman code";
    return -EBADMSG;
truncated:
    s->why = "deflate: truncated stream";
    return -EBADMSG;
}

static int inflate_stored(struct inflate *s)
{
    uint32_t len, nlen;
    int rc;

    /* Drop the bits up to the byte boundary; whole buffered bytes are input again. */
    s->bits >>= s->nbits & 7;
    s->nbits -= s->nbits & 7;
    s->in -= s->nbits / 8;
    s->bits = 0;
    s->nbits = 0;
    if (s->in_end - s->in < 4) {
        s->why = "deflate: truncated stream";
        return -EBADMSG;
    }
    len = dec_le16(s->in);
    nlen = dec_le16(s->in + 2);
    s->in += 4;
    if ((len ^ 0xffff) != nlen) {
        s->why = "deflate: stored block length check failed";
        return -EBADMSG;
    }
    rc = -EBADMSG;
    if ((size_t)(s->in_end - s->in) < len) {
        s->why = "deflate: truncated stream";
        return rc;
    }
    if (s->out_cap - s->out_pos < len) {
        s->why = "deflate: output larger than the expected size";
        return -ENOSPC;
    }
    memcpy(s->out + s->out_pos, s->in, len);
    s->out_pos += len;
    s->in += len;
    return 0;
}

/* Literals and matches until the end-of-block symbol. */
static int inflate_codes(struct inflate *s)
{
    for (;;) {
        unsigned int sym, dsym;
        uint32_t extra, len, dist;
        int rc;

        rc = huff_decode(s, &s->lit, &sym);
        if (rc)
            return rc;
        if (sym < 256) {
            if (s->out_pos >= s->out_cap)
                goto too_big;
            s->out[s->out_pos++] = (uint8_t)sym;
            continue;
        }
        if (sym == 256)
            return 0;
        sym -= 257;
        if (sym >= 29) {
            s->why = "deflate: invalid length symbol";
            return -EBADMSG;
        }
        rc = getbits(s, len_extra[sym], &extra);
        if (rc)
            return rc;
        len = len_base[sym] + extra;
        rc = huff_decode(s, &s->dist, &dsym);
        if (rc)
            return rc;
        if (dsym >= 30) {
            s->why = "deflate: invalid distance symbol";
            return -EBADMSG;
        }
        rc = getbits(s, dist_extra[dsym], &extra);
        if (rc)
            return rc;
        dist = dist_base[dsym] + extra;
        if (dist > s->out_pos) {
            s->why = "deflate: distance before the start of the output";
            return -EBADMSG;
        }
        if (s->out_cap - s->out_pos < len)
            goto too_big;
        dec_lz_copy(s->out + s->out_pos, dist, len);
        s->out_pos += len;
    }
too_big:
    s->why = "deflate: output larger than the expected size";
    return -ENOSPC;
}

static void build_fixed(struct inflate *s)
{
    uint8_t lens[MAX_LITLEN];
    unsigned int i;

    for (i = 0; i < 144; i++)
        lens[i] = 8;
    for (; i < 256; i++)
        lens[i] = 9;
    for (; i < 280; i++)
        lens[i] = 7;
    for (; i < MAX_LITLEN; i++)
        lens[i] = 8;
    huff_build(&s->lit, lens, MAX_LITLEN);
    for (i = 0; i < MAX_DIST; i++)
        lens[i] = 5;
    huff_build(&s->dist, lens, MAX_DIST);
}

static int read_dynamic(struct inflate *s)
{
    uint8_t lens[MAX_LITLEN + MAX_DIST], cl_lens[NUM_CLCODES] = {0};
    uint32_t hlit, hdist, hclen, v;
    unsigned int n = 0, sym;
    int rc;

    if ((rc = getbits(s, 5, &hlit)) || (rc = getbits(s, 5, &hdist)) || (rc = getbits(s, 4, &hclen)))
        return rc;
    hlit += 257;
    hdist += 1;
    hclen += 4;
    if (hlit > 286 || hdist > 30) {
        s->why = "deflate: too many length or distance codes";
        return -EBADMSG;
    }
    for (unsigned int i = 0; i < hclen; i++) {
        rc = getbits(s, 3, &v);
        if (rc)
            return rc;
        cl_lens[clcode_order[i]] = (uint8_t)v;
    }
    /* The code-length code lives in s->dist until the real tables are built. */
    if (huff_build(&s->dist, cl_lens, NUM_CLCODES))
        goto bad_lengths;
    while (n < hlit + hdist) {
        uint32_t repeat;
        uint8_t fill = 0;

        rc = huff_decode(s, &s->dist, &sym);
        if (rc)
            return rc;
        if (sym < 16) {
            lens[n++] = (uint8_t)sym;
            continue;
        }
        if (sym == 16) {
            if (n == 0)
                goto bad_lengths;
            fill = lens[n - 1];
            rc = getbits(s, 2, &repeat);
            repeat += 3;
        } else if (sym == 17) {
            rc = getbits(s, 3, &repeat);
            repeat += 3;
        } else {
            rc = getbits(s, 7, &repeat);
            repeat += 11;
        }
        if (rc)
            return rc;
        if (repeat > hlit + hdist - n)
            goto bad_lengths;
        memset(lens + n, fill, repeat);
        n += repeat;
    }
    if (lens[256] == 0)
        goto bad_lengths; /* no way to end the block */
    if (huff_build(&s->lit, lens, hlit) || huff_build(&s->dist, lens + hlit, hdist))
        goto bad_lengths;
    return 0;
bad_lengths:
    s->why = "deflate: invalid code lengths in a dynamic block";
    return -EBADMSG;
}

long decompress_deflate(const void *in, size_t in_len, void *out, size_t out_cap, size_t *in_used,
                        const char **why)
{
    struct inflate *s = xmalloc_bytes(sizeof(*s));
    uint32_t final = 0, type;
    long rc;

    if (!s)
        return dec_fail(why, "deflate: out of memory for the decoder", -ENOMEM);
    s->in = in;
    s->in_end = s->in + in_len;
    s->bits = 0;
    s->nbits = 0;
    s->out = out;
    s->out_pos = 0;
    s->out_cap = out_cap;
    s->why = NULL;
    while (!final) {
        if ((rc = getbits(s, 1, &final)) || (rc = getbits(s, 2, &type)))
            goto out;
        if (type == 0) {
            rc = inflate_stored(s);
        } else if (type == 1) {
            build_fixed(s);
            rc = inflate_codes(s);
        } else if (type == 2) {
            rc = read_dynamic(s);
            if (!rc)
                rc = inflate_codes(s);
        } else {
            s->why = "deflate: invalid block type";
            rc = -EBADMSG;
        }
        if (rc)
            goto out;
    }
    /* Whole bytes still in the bit buffer were not part of the stream. */
    if (in_used)
        *in_used = (size_t)(s->in - (const uint8_t *)in) - s->nbits / 8;
    rc = (long)s->out_pos;
out:
    if (rc < 0 && why)
        *why = s->why;
    xfree(s);
    return rc;
}
