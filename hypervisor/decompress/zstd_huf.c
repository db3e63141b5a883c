/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zstd Huffman literals (RFC 8878, 4.2): the tree is sent as one weight per
 * symbol (the last one implied), either as 4-bit nibbles or FSE-compressed;
 * codes are canonical, so a 2^maxbits lookup table indexed by the next
 * maxbits stream bits gives each symbol and its length.  Literals come in
 * one stream or four, each a backward bit stream that must end exactly.
 */
#include "zstd_int.h"

static unsigned int highbit(uint32_t v)
{
    unsigned int n = 0;

    while (v >>= 1)
        n++;
    return n;
}

/* Weights compressed with FSE: two interleaved states over one table. */
static int huf_fse_weights(const uint8_t *in, size_t len, uint8_t *w, unsigned int *count)
{
    struct fse_table t;
    struct zbits b;
    size_t used;
    uint32_t s1, s2;
    unsigned int n = 0;

    if (fse_read_table(&t, in, len, 255, ZSTD_HUFW_MAXLOG, &used) ||
        zbits_init(&b, in + used, len - used))
        return -EBADMSG;
    s1 = zbits_read(&b, t.log);
    s2 = zbits_read(&b, t.log);
    /* Alternate until a state update runs past the stream; then the other state's symbol ends it. */
    for (;;) {
        if (n >= 254)
            return -EBADMSG;
        w[n++] = t.cell[s1].sym;
        s1 = t.cell[s1].base + zbits_read(&b, t.cell[s1].nbits);
        if (b.pos < 0) {
            w[n++] = t.cell[s2].sym;
            break;
        }
        w[n++] = t.cell[s2].sym;
        s2 = t.cell[s2].base + zbits_read(&b, t.cell[s2].nbits);
        if (b.pos < 0) {
            w[n++] = t.cell[s1].sym;
            break;
        }
    }
    *count = n;
    return 0;
}

int huf_read_table(struct huf_table *h, const uint8_t *in, size_t len, size_t *used)
{
    uint8_t w[256];
    unsigned int n, maxbits, last;
    uint32_t total = 0, rest, idx = 0;

    if (len < 1)
        return -EBADMSG;
    if (in[0] < 128) {
        /* FSE-compressed weights of in[0] bytes. */
        if ((size_t)in[0] + 1 > len || huf_fse_weights(in + 1, in[0], w, &n))
            return -EBADMSG;
        *used = 1 + (size_t)in[0];
    } else {
        n = in[0] - 127u;
        *used = 1 + (n + 1) / 2;
        if (*used > len)
            return -EBADMSG;
        for (unsigned int i = 0; i < n; i++)
            w[i] = (uint8_t)(i & 1 ? in[1 + i / 2] & 15 : in[1 + i / 2] >> 4);
    }
    for (unsigned int i = 0; i < n; i++) {
        if (w[i] > ZSTD_HUF_MAXBITS)
            return -EBADMSG;
        total += w[i] ? 1u << (w[i] - 1) : 0;
    }
    if (total == 0)
        return -EBADMSG;
    /* The implied last weight tops the total up to the next power of two. */
    maxbits = highbit(total) + 1;
    if (maxbits > ZSTD_HUF_MAXBITS)
        return -EBADMSG;
    rest = (1u << maxbits) - total;
    if (rest & (rest - 1))
        return -EBADMSG;
    last = highbit(rest) + 1;
    w[n++] = (uint8_t)last;
    /* Lowest weight (longest code) first, symbols in order within a weight. */
    for (unsigned int wt = 1; wt <= maxbits; wt++) {
        for (unsigned int s = 0; s < n; s++) {
            if (w[s] != wt)
                continue;
            for (uint32_t k = 0; k < (1u << (wt - 1)); k++) {
                h->cell[idx].sym = (uint8_t)s;
                h->cell[idx].nbits = (uint8_t)(maxbits + 1 - wt);
                idx++;
            }
        }
    }
    h->maxbits = maxbits;
    return 0;
}

static int huf_stream(const struct huf_table *h, const uint8_t *in, size_t len, uint8_t *out,
                      size_t out_len)
{
    struct zbits b;

    if (zbits_init(&b, in, len))
        return -EBADMSG;
    for (size_t i = 0; i < out_len; i++) {
        const struct huf_cell *c = &h->cell[zbits_peek(&b, h->maxbits)];

        out[i] = c->sym;
        b.pos -= c->nbits;
    }
    return b.pos == 0 ? 0 : -EBADMSG;
}

int huf_decode_streams(const struct huf_table *h, const uint8_t *in, size_t len, bool four,
                       uint8_t *out, size_t out_len)
{
    size_t sizes[4], quarter, total = 6;

    if (!h->maxbits)
        return -EBADMSG;
    if (!four)
        return huf_stream(h, in, len, out, out_len);
    if (len < 6)
        return -EBADMSG;
    for (int i = 0; i < 3; i++) {
        sizes[i] = dec_le16(in + 2 * i);
        total += sizes[i];
    }
    if (total > len)
        return -EBADMSG;
    sizes[3] = len - total;
    quarter = (out_len + 3) / 4;
    if (3 * quarter > out_len)
        return -EBADMSG;
    in += 6;
    for (int i = 0; i < 4; i++) {
        size_t n = i < 3 ? quarter : out_len - 3 * quarter;

        if (huf_stream(h, in, sizes[i], out, n))
            return -EBADMSG;
        in += sizes[i];
        out += n;
    }
    return 0;
}
