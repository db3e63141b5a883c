/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * LZMA2 (the xz filter 0x21): a sequence of chunks, each either stored or
 * LZMA-coded with a fresh range decoder, with control bytes that reset the
 * dictionary, the coder state and the lc/lp/pb properties.
 *
 * The LZMA decoder is an adaptive binary range decoder driving literal,
 * match and repeated-match decisions.  The dictionary is the output buffer
 * itself, so a distance is valid when it stays after the last dictionary
 * reset.  A chunk declares both its packed and unpacked size: decoding stops
 * at the unpacked size, the range decoder may not read past the packed size,
 * and it must have consumed exactly the packed size with a zero code at the
 * end, so a damaged chunk cannot silently decode to something else.
 */
#include "dec.h"

#define PROB_BITS     11
#define PROB_ONE      (1u << PROB_BITS)
#define PROB_ADAPT    5
#define RC_TOP        (1u << 24)
#define NUM_STATES    12
#define POS_STATES    16 /* 1 << pb with pb <= 4 */
#define LIT_STATES    7  /* states below this follow a literal */
#define MATCH_MIN     2
#define DIST_STATES   4
#define SLOT_BITS     6
#define ALIGN_BITS    4
#define END_SLOT_TREE 14 /* slots from here on use direct bits + align */
#define SPEC_PROBS    115
#define LIT_CODER     0x300
#define MAX_LCLP      4

struct len_probs {
    uint16_t choice, choice2;
    uint16_t low[POS_STATES][8], mid[POS_STATES][8], high[256];
};

/* Every adaptive probability; reset as one array of uint16_t. */
struct lzma_probs {
    uint16_t is_match[NUM_STATES][POS_STATES];
    uint16_t is_rep[NUM_STATES], is_rep_g0[NUM_STATES], is_rep_g1[NUM_STATES],
        is_rep_g2[NUM_STATES];
    uint16_t is_rep0_long[NUM_STATES][POS_STATES];
    uint16_t slot[DIST_STATES][1 << SLOT_BITS];
    uint16_t spec[SPEC_PROBS];
    uint16_t align[1 << ALIGN_BITS];
    struct len_probs match_len, rep_len;
    uint16_t literal[LIT_CODER << MAX_LCLP];
};

struct lzma {
    const uint8_t *in, *in_end; /* the current chunk's packed bytes */
    uint32_t range, code;
    bool overrun; /* the range decoder wanted bytes past the chunk */

    uint8_t *out;
    size_t pos, cap, dict_start;

    unsigned int state, lc, lp, pb;
    uint32_t rep[4];
    struct lzma_probs p;
};

static void reset_state(struct lzma *d)
{
    uint16_t *pr = (uint16_t *)&d->p;

    for (size_t i = 0; i < sizeof(d->p) / sizeof(uint16_t); i++)
        pr[i] = PROB_ONE / 2;
    d->state = 0;
    memset(d->rep, 0, sizeof(d->rep));
}

static inline void rc_normalize(struct lzma *d)
{
    if (d->range < RC_TOP) {
        d->range <<= 8;
        d->code <<= 8;
        if (d->in < d->in_end)
            d->code |= *d->in++;
        else
            d->overrun = true; /* reported when the symbol is done */
    }
}

static inline unsigned int rc_bit(struct lzma *d, uint16_t *prob)
{
    uint32_t bound;

    rc_normalize(d);
    bound = (d->range >> PROB_BITS) * *prob;
    if (d->code < bound) {
        d->range = bound;
        *prob = (uint16_t)(*prob + ((PROB_ONE - *prob) >> PROB_ADAPT));
        return 0;
    }
    d->range -= bound;
    d->code -= bound;
    *prob = (uint16_t)(*prob - (*prob >> PROB_ADAPT));
    return 1;
}

/* A bit tree of nbits levels, most significant bit first. */
static inline unsigned int rc_tree(struct lzma *d, uint16_t *probs, unsigned int nbits)
{
    unsigned int node = 1;

    for (unsigned int i = 0; i < nbits; i++)
        node = (node << 1) | rc_bit(d, &probs[node]);
    return node - (1u << nbits);
}

/*
 * A bit tree read least significant bit first (distance low bits); node n
 * uses probs[base + n], and base may be -1 (the trees of the low distance
 * slots share one array and start just before it).
 */
static inline uint32_t rc_tree_rev(struct lzma *d, uint16_t *probs, int base, unsigned int nbits)
{
    unsigned int node = 1;
    uint32_t val = 0;

    for (unsigned int i = 0; i < nbits; i++) {
        unsigned int bit = rc_bit(d, &probs[base + (int)node]);

        node = (node << 1) | bit;
        val |= bit << i;
    }
    return val;
}

/* Bits with a fixed probability of one half. */
static inline uint32_t rc_direct(struct lzma *d, unsigned int nbits)
{
    uint32_t val = 0;

    while (nbits--) {
        rc_normalize(d);
        d->range >>= 1;
        val <<= 1;
        if (d->code >= d->range) {
            d->code -= d->range;
            val |= 1;
        }
    }
    return val;
}

static unsigned int decode_len(struct lzma *d, struct len_probs *lp, unsigned int pos_state)
{
    if (!rc_bit(d, &lp->choice))
        return rc_tree(d, lp->low[pos_state], 3);
    if (!rc_bit(d, &lp->choice2))
        return 8 + rc_tree(d, lp->mid[pos_state], 3);
    return 16 + rc_tree(d, lp->high, 8);
}

/* The distance (minus one) of a new match whose length code is len. */
static uint32_t decode_dist(struct lzma *d, unsigned int len)
{
    unsigned int slot = rc_tree(d, d->p.slot[len < DIST_STATES ? len : DIST_STATES - 1], SLOT_BITS);
    unsigned int nbits;
    uint32_t dist;

    if (slot < 4)
        return slot;
    nbits = (slot >> 1) - 1;
    dist = (2u | (slot & 1)) << nbits;
    if (slot < END_SLOT_TREE)
        return dist + rc_tree_rev(d, d->p.spec, (int)(dist - slot) - 1, nbits);
    dist += rc_direct(d, nbits - ALIGN_BITS) << ALIGN_BITS;
    return dist + rc_tree_rev(d, d->p.align, 0, ALIGN_BITS);
}

static void decode_literal(struct lzma *d)
{
    size_t rel = d->pos - d->dict_start;
    unsigned int prev = rel ? d->out[d->pos - 1] : 0;
    unsigned int ctx =
        (unsigned int)(((rel & ((1u << d->lp) - 1)) << d->lc) + (prev >> (8 - d->lc)));
    uint16_t *probs = d->p.literal + LIT_CODER * ctx;
    unsigned int sym = 1;

    if (d->state >= LIT_STATES) {
        /* After a match the byte at rep0 predicts this one, bit by bit, until they differ. */
        unsigned int match = d->out[d->pos - d->rep[0] - 1];

        while (sym < 0x100) {
            unsigned int mbit = (match >> 7) & 1, bit;

            match <<= 1;
            bit = rc_bit(d, &probs[((1 + mbit) << 8) + sym]);
            sym = (sym << 1) | bit;
            if (bit != mbit)
                break;
        }
    }
    while (sym < 0x100)
        sym = (sym << 1) | rc_bit(d, &probs[sym]);
    d->out[d->pos++] = (uint8_t)sym;
    d->state = d->state < 4 ? 0 : d->state < 10 ? d->state - 3 : d->state - 6;
}

/* Decode until pos reaches end (the chunk's unpacked size). */
static int lzma_run(struct lzma *d, size_t end, const char **why)
{
    unsigned int pb_mask = (1u << d->pb) - 1;

    while (d->pos < end) {
        size_t rel = d->pos - d->dict_start;
        unsigned int ps = (unsigned int)(rel & pb_mask), len;
        unsigned int st = d->state;

        if (d->overrun)
            goto overrun;
        if (!rc_bit(d, &d->p.is_match[st][ps])) {
            if (st >= LIT_STATES && d->rep[0] >= rel)
                goto bad_dist;
            decode_literal(d);
            continue;
        }
        if (!rc_bit(d, &d->p.is_rep[st])) {
            len = decode_len(d, &d->p.match_len, ps);
            d->rep[3] = d->rep[2];
            d->rep[2] = d->rep[1];
            d->rep[1] = d->rep[0];
            d->rep[0] = decode_dist(d, len);
            if (d->rep[0] == 0xffffffffu)
                return (int)dec_fail(why, "xz: end marker inside an LZMA2 chunk", -EBADMSG);
            d->state = st < LIT_STATES ? 7 : 10;
        } else if (!rc_bit(d, &d->p.is_rep_g0[st])) {
            if (!rc_bit(d, &d->p.is_rep0_long[st][ps])) {
                /* Short rep: one byte from rep0. */
                if (d->rep[0] >= rel)
                    goto bad_dist;
                d->out[d->pos] = d->out[d->pos - d->rep[0] - 1];
                d->pos++;
                d->state = st < LIT_STATES ? 9 : 11;
                continue;
            }
            len = decode_len(d, &d->p.rep_len, ps);
            d->state = st < LIT_STATES ? 8 : 11;
        } else {
            uint32_t dist;

            if (!rc_bit(d, &d->p.is_rep_g1[st])) {
                dist = d->rep[1];
            } else {
                if (!rc_bit(d, &d->p.is_rep_g2[st])) {
                    dist = d->rep[2];
                } else {
                    dist = d->rep[3];
                    d->rep[3] = d->rep[2];
                }
                d->rep[2] = d->rep[1];
            }
            d->rep[1] = d->rep[0];
            d->rep[0] = dist;
            len = decode_len(d, &d->p.rep_len, ps);
            d->state = st < LIT_STATES ? 8 : 11;
        }
        if (d->overrun)
            goto overrun;
        len += MATCH_MIN;
        if (d->rep[0] >= rel)
            goto bad_dist;
        if (len > end - d->pos)
            return (int)dec_fail(why, "xz: match crosses the end of an LZMA2 chunk", -EBADMSG);
        dec_lz_copy(d->out + d->pos, (size_t)d->rep[0] + 1, len);
        d->pos += len;
    }
    if (d->overrun)
        goto overrun;
    return 0;
overrun:
    return (int)dec_fail(why, "xz: corrupt LZMA2 chunk (reads past its packed size)", -EBADMSG);
bad_dist:
    return (int)dec_fail(why, "xz: corrupt LZMA2 chunk (distance before the dictionary start)",
                         -EBADMSG);
}

/* One LZMA chunk: in[0, packed) decodes to unpacked bytes at d->pos. */
static int lzma_chunk(struct lzma *d, const uint8_t *in, size_t packed, size_t unpacked,
                      const char **why)
{
    int rc;

    if (packed < 5 || in[0] != 0)
        return (int)dec_fail(why, "xz: corrupt LZMA2 chunk (bad range coder start)", -EBADMSG);
    d->in = in + 5;
    d->in_end = in + packed;
    d->code = dec_be32(in + 1);
    d->range = 0xffffffffu;
    d->overrun = false;
    rc = lzma_run(d, d->pos + unpacked, why);
    if (rc)
        return rc;
    rc_normalize(d);
    if (d->overrun || d->in != d->in_end || d->code != 0)
        return (int)dec_fail(why, "xz: corrupt LZMA2 chunk (packed size mismatch)", -EBADMSG);
    return 0;
}

long dec_lzma2(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *in_used,
               const char **why)
{
    struct lzma *d = xmalloc_bytes(sizeof(*d));
    bool need_dict = true, need_props = true;
    size_t ip = 0;
    long rc;

    if (!d)
        return dec_fail(why, "xz: out of memory for the LZMA2 decoder", -ENOMEM);
    d->out = out;
    d->cap = out_cap;
    d->pos = 0;
    d->dict_start = 0;
    d->lc = d->lp = d->pb = 0;
    for (;;) {
        size_t unpacked, packed;
        uint8_t ctrl;

        rc = -EBADMSG;
        if (ip >= in_len) {
            dec_fail(why, "xz: truncated LZMA2 stream", 0);
            goto out;
        }
        ctrl = in[ip++];
        if (ctrl == 0x00)
            break;
        if (ctrl >= 0xe0 || ctrl == 0x01) {
            d->dict_start = d->pos;
            need_dict = false;
        } else if (need_dict) {
            dec_fail(why, "xz: LZMA2 stream does not start with a dictionary reset", 0);
            goto out;
        }
        if (ctrl < 0x80) {
            if (ctrl > 0x02) {
                dec_fail(why, "xz: invalid LZMA2 control byte", 0);
                goto out;
            }
            if (in_len - ip < 2 || in_len - ip - 2 < (size_t)dec_be16(in + ip) + 1) {
                dec_fail(why, "xz: truncated LZMA2 stream", 0);
                goto out;
            }
            unpacked = (size_t)dec_be16(in + ip) + 1;
            ip += 2;
            if (unpacked > d->cap - d->pos) {
                rc = dec_fail(why, "xz: output larger than the expected size", -ENOSPC);
                goto out;
            }
            memcpy(d->out + d->pos, in + ip, unpacked);
            d->pos += unpacked;
            ip += unpacked;
            continue;
        }
        if (in_len - ip < 4) {
            dec_fail(why, "xz: truncated LZMA2 stream", 0);
            goto out;
        }
        unpacked = ((size_t)(ctrl & 0x1f) << 16) + dec_be16(in + ip) + 1;
        packed = (size_t)dec_be16(in + ip + 2) + 1;
        ip += 4;
        if (ctrl >= 0xc0) {
            unsigned int pr;

            if (ip >= in_len) {
                dec_fail(why, "xz: truncated LZMA2 stream", 0);
                goto out;
            }
            pr = in[ip++];
            if (pr >= 9 * 5 * 5) {
                dec_fail(why, "xz: invalid LZMA properties", 0);
                goto out;
            }
            d->lc = pr % 9;
            d->lp = (pr / 9) % 5;
            d->pb = pr / 45;
            if (d->lc + d->lp > MAX_LCLP) {
                dec_fail(why, "xz: LZMA2 properties with lc + lp > 4", 0);
                goto out;
            }
            need_props = false;
        } else if (need_props) {
            dec_fail(why, "xz: LZMA2 chunk without properties", 0);
            goto out;
        }
        if (ctrl >= 0xa0)
            reset_state(d);
        if (packed > in_len - ip) {
            dec_fail(why, "xz: truncated LZMA2 chunk", 0);
            goto out;
        }
        if (unpacked > d->cap - d->pos) {
            rc = dec_fail(why, "xz: output larger than the expected size", -ENOSPC);
            goto out;
        }
        rc = lzma_chunk(d, in + ip, packed, unpacked, why);
        if (rc)
            goto out;
        ip += packed;
    }
    *in_used = ip;
    rc = (long)d->pos;
out:
    xfree(d);
    return rc;
}
