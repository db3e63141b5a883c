/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zstd's entropy plumbing: the backward bit stream, and FSE (tANS) tables,
 * either read from a compact normalized-count description or given as the
 * predefined distributions (RFC 8878, 4.1).
 */
#include "zstd_int.h"

static unsigned int highbit(uint32_t v)
{
    unsigned int n = 0;

    while (v >>= 1)
        n++;
    return n;
}

int zbits_init(struct zbits *b, const uint8_t *buf, size_t len)
{
    if (len == 0 || buf[len - 1] == 0)
        return -EBADMSG;
    b->buf = buf;
    b->len = len;
    b->pos = (long)((len - 1) * 8 + highbit(buf[len - 1]));
    return 0;
}

/* The n (<= 32) bits just below pos, zeros standing in for bits before the start. */
uint32_t zbits_peek(const struct zbits *b, unsigned int n)
{
    uint64_t w = 0;
    long end_byte;
    unsigned int drop;

    if (n == 0 || b->pos <= 0)
        return 0;
    end_byte = (b->pos + 7) / 8;
    /* The 8 bytes ending at end_byte (fewer near the start, zero-filled below). */
    for (long i = end_byte - 1, k = 0; k < 8; i--, k++)
        w = (w << 8) | (i >= 0 ? b->buf[i] : 0);
    drop = (unsigned int)(end_byte * 8 - b->pos);
    w <<= drop;
    return (uint32_t)(w >> (64 - n));
}

uint32_t zbits_read(struct zbits *b, unsigned int n)
{
    uint32_t v = zbits_peek(b, n);

    b->pos -= n;
    return v;
}

void fse_rle(struct fse_table *t, uint8_t sym)
{
    t->log = 0;
    t->cell[0].sym = sym;
    t->cell[0].nbits = 0;
    t->cell[0].base = 0;
}

/*
 * Spread the symbols over the 2^log states and derive, per state, how many
 * bits select the next state and from which base.  Symbols of probability
 * "less than one" (-1) take one state each at the top of the table.
 */
int fse_build(struct fse_table *t, const int16_t *norm, unsigned int nsyms, unsigned int log)
{
    uint32_t size = 1u << log, mask = size - 1, high = size - 1;
    uint32_t step = (size >> 1) + (size >> 3) + 3, pos = 0;
    uint16_t next[256];

    if (log > ZSTD_FSE_MAXLOG || nsyms > 256)
        return -EBADMSG;
    for (unsigned int s = 0; s < nsyms; s++) {
        if (norm[s] == -1) {
            t->cell[high--].sym = (uint8_t)s;
            next[s] = 1;
        } else {
            next[s] = (uint16_t)norm[s];
        }
    }
    for (unsigned int s = 0; s < nsyms; s++) {
        for (int i = 0; i < norm[s]; i++) {
            t->cell[pos].sym = (uint8_t)s;
            do {
                pos = (pos + step) & mask;
            } while (pos > high);
        }
    }
    if (pos != 0)
        return -EBADMSG; /* the counts did not add up to the table size */
    for (uint32_t i = 0; i < size; i++) {
        uint8_t s = t->cell[i].sym;
        uint32_t x = next[s]++;
        unsigned int nb = log - highbit(x);

        t->cell[i].nbits = (uint8_t)nb;
        t->cell[i].base = (uint16_t)((x << nb) - size);
    }
    t->log = log;
    return 0;
}

/*
 * Read an FSE table description (forward, little-endian bits) from
 * in[0, len) and build it.  *used is the description's size in bytes.
 */
int fse_read_table(struct fse_table *t, const uint8_t *in, size_t len, unsigned int max_sym,
                   unsigned int max_log, size_t *used)
{
    int16_t norm[256];
    size_t bitpos = 0;
    unsigned int log, nsyms = 0, nbits;
    int32_t remaining, threshold;
    bool prev_zero = false;

/* Up to 16 bits from bitpos; past the end of the input reads fail. */
#define GET(n, var)                                                                                \
    do {                                                                                           \
        uint32_t v_ = 0;                                                                           \
        if (bitpos + (n) > len * 8)                                                                \
            return -EBADMSG;                                                                       \
        for (unsigned int k_ = 0; k_ < (n); k_++)                                                  \
            v_ |= (uint32_t)((in[(bitpos + k_) >> 3] >> ((bitpos + k_) & 7)) & 1) << k_;           \
        (var) = v_;                                                                                \
    } while (0)

    GET(4, log);
    bitpos += 4;
    log += 5;
    if (log > max_log)
        return -EBADMSG;
    threshold = 1 << log;
    remaining = threshold + 1;
    nbits = log + 1;
    while (remaining > 1) {
        uint32_t v, maxv;
        int32_t count;

        if (prev_zero) {
            uint32_t rep;

            /* Runs of zero-probability symbols: 2-bit counts, 3 means "and more". */
            do {
                GET(2, rep);
                bitpos += 2;
                if (nsyms + rep > max_sym + 1)
                    return -EBADMSG;
                for (uint32_t i = 0; i < rep; i++)
                    norm[nsyms++] = 0;
            } while (rep == 3);
        }
        if (nsyms > max_sym)
            return -EBADMSG;
        maxv = (uint32_t)(2 * threshold - 1 - remaining);
        if (bitpos + nbits - 1 > len * 8)
            return -EBADMSG;
        GET(nbits - 1, v);
        if (v < maxv) {
            bitpos += nbits - 1;
        } else {
            GET(nbits, v);
            if (v >= (uint32_t)threshold)
                v -= maxv;
            bitpos += nbits;
        }
        count = (int32_t)v - 1;
        remaining -= count < 0 ? -count : count;
        if (remaining < 1)
            return -EBADMSG;
        norm[nsyms++] = (int16_t)count;
        prev_zero = count == 0;
        while (remaining < threshold) {
            nbits--;
            threshold >>= 1;
        }
    }
#undef GET
    if (remaining != 1)
        return -EBADMSG;
    *used = (bitpos + 7) / 8;
    return fse_build(t, norm, nsyms, log);
}
