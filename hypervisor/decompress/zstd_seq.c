/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * zstd sequences (RFC 8878, 3.1.1.3.2 and 3.1.1.4): three FSE-coded
 * streams of literal-length, offset and match-length codes interleaved in
 * one backward bit stream, executed against the block's literals and the
 * frame's output so far.
 */
#include "zstd_int.h"

#define LL_CODES        36
#define ML_CODES        53
#define OF_CODES        32
#define OF_CODES_PREDEF 29

/* Predefined distributions (RFC 8878, 3.1.1.3.2.2). */
static const int16_t ll_predef[LL_CODES] = {4, 3, 2, 2, 2, 2, 2, 2, 2,  2,  2,  2,
                                            2, 1, 1, 1, 2, 2, 2, 2, 2,  2,  2,  2,
                                            2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1};
static const int16_t ml_predef[ML_CODES] = {
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1,  1,  1,  1,  1,  1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1};
static const int16_t of_predef[OF_CODES_PREDEF] = {1, 1, 1, 1, 1, 1, 2, 2, 2, 1,  1,  1,  1,  1, 1,
                                                   1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1};

/* Literal-length and match-length codes: base value and extra bits. */
static const uint32_t ll_base[LL_CODES] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,   9,   10,  11,   12,   13,   14,   15,    16,    18,
    20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536};
static const uint8_t ll_extra[LL_CODES] = {0, 0, 0, 0, 0, 0,  0,  0,  0,  0,  0,  0,
                                           0, 0, 0, 0, 1, 1,  1,  1,  2,  2,  3,  3,
                                           4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint32_t ml_base[ML_CODES] = {
    3,  4,  5,  6,  7,  8,  9,  10,  11,  12,  13,   14,   15,   16,   17,    18,    19,   20,
    21, 22, 23, 24, 25, 26, 27, 28,  29,  30,  31,   32,   33,   34,   35,    37,    39,   41,
    43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539};
static const uint8_t ml_extra[ML_CODES] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,  0,  0,  0,  0,  0, 0,
    0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

enum { MODE_PREDEF, MODE_RLE, MODE_FSE, MODE_REPEAT };

/* Set up one of the three tables according to its mode; advances *pos over its description. */
static int seq_table(struct fse_table *t, bool *have, unsigned int mode, const int16_t *predef,
                     unsigned int npredef, unsigned int predef_log, unsigned int max_sym,
                     unsigned int max_log, const uint8_t *in, size_t len, size_t *pos)
{
    size_t used;

    switch (mode) {
    case MODE_PREDEF:
        if (fse_build(t, predef, npredef, predef_log))
            return -EBADMSG;
        break;
    case MODE_RLE:
        if (*pos >= len || in[*pos] > max_sym)
            return -EBADMSG;
        fse_rle(t, in[(*pos)++]);
        break;
    case MODE_FSE:
        if (fse_read_table(t, in + *pos, len - *pos, max_sym, max_log, &used))
            return -EBADMSG;
        *pos += used;
        break;
    default:
        if (!*have)
            return -EBADMSG; /* repeat of a table never sent */
        break;
    }
    *have = true;
    return 0;
}

static inline uint32_t fse_next(const struct fse_table *t, uint32_t state, struct zbits *b)
{
    return t->cell[state].base + zbits_read(b, t->cell[state].nbits);
}

/* Copy n literals to the output. */
static int put_literals(struct zstd *z, size_t *lit_pos, size_t n)
{
    if (n > z->nlits - *lit_pos) {
        z->why = "zstd: sequence uses more literals than the block has";
        return -EBADMSG;
    }
    if (n > z->cap - z->pos) {
        z->why = "zstd: output larger than the expected size";
        return -ENOSPC;
    }
    memcpy(z->out + z->pos, z->lits + *lit_pos, n);
    z->pos += n;
    *lit_pos += n;
    return 0;
}

int zstd_sequences(struct zstd *z, const uint8_t *in, size_t len, size_t block_start)
{
    size_t pos = 0, lit_pos = 0;
    uint32_t nseq, ll_state, of_state, ml_state;
    struct zbits b;
    uint8_t modes;
    int rc;

    z->why = "zstd: corrupt sequences section";
    if (len < 1)
        return -EBADMSG;
    nseq = in[pos++];
    if (nseq >= 128) {
        if (nseq == 255) {
            if (len - pos < 2)
                return -EBADMSG;
            nseq = dec_le16(in + pos) + 0x7f00u;
            pos += 2;
        } else {
            if (len - pos < 1)
                return -EBADMSG;
            nseq = ((nseq - 128) << 8) + in[pos++];
        }
    }
    if (nseq == 0) {
        if (pos != len)
            return -EBADMSG;
        return put_literals(z, &lit_pos, z->nlits);
    }
    if (len - pos < 1)
        return -EBADMSG;
    modes = in[pos++];
    if (modes & 3)
        return -EBADMSG;
    if (seq_table(&z->ll, &z->have_ll, modes >> 6, ll_predef, LL_CODES, 6, LL_CODES - 1,
                  ZSTD_LL_MAXLOG, in, len, &pos) ||
        seq_table(&z->of, &z->have_of, (modes >> 4) & 3, of_predef, OF_CODES_PREDEF, 5,
                  OF_CODES - 1, ZSTD_OF_MAXLOG, in, len, &pos) ||
        seq_table(&z->ml, &z->have_ml, (modes >> 2) & 3, ml_predef, ML_CODES, 6, ML_CODES - 1,
                  ZSTD_ML_MAXLOG, in, len, &pos))
        return -EBADMSG;
    if (zbits_init(&b, in + pos, len - pos))
        return -EBADMSG;
    ll_state = zbits_read(&b, z->ll.log);
    of_state = zbits_read(&b, z->of.log);
    ml_state = zbits_read(&b, z->ml.log);

    /* Each sequence consumes at least one bit or produces output; nseq bounds the loop anyway. */
    for (uint32_t i = 0; i < nseq; i++) {
        unsigned int llc = z->ll.cell[ll_state].sym, mlc = z->ml.cell[ml_state].sym;
        unsigned int ofc = z->of.cell[of_state].sym;
        uint32_t ofv, offset, ll, ml;

        if (llc >= LL_CODES || mlc >= ML_CODES || ofc >= OF_CODES)
            return -EBADMSG;
        ofv = (1u << ofc) + zbits_read(&b, ofc);
        ml = ml_base[mlc] + zbits_read(&b, ml_extra[mlc]);
        ll = ll_base[llc] + zbits_read(&b, ll_extra[llc]);

        /* Offset values 1-3 name the repeat offsets (shifted by one without literals). */
        if (ofv > 3) {
            offset = ofv - 3;
            z->rep[2] = z->rep[1];
            z->rep[1] = z->rep[0];
            z->rep[0] = offset;
        } else {
            unsigned int idx = ofv - 1 + (ll == 0);

            if (idx == 3) {
                offset = z->rep[0] - 1;
            } else {
                offset = z->rep[idx];
            }
            if (idx > 0) {
                if (idx > 1)
                    z->rep[2] = z->rep[1];
                z->rep[1] = z->rep[0];
                z->rep[0] = offset;
            }
        }
        if (i + 1 < nseq) {
            ll_state = fse_next(&z->ll, ll_state, &b);
            ml_state = fse_next(&z->ml, ml_state, &b);
            of_state = fse_next(&z->of, of_state, &b);
        }
        if (b.pos < 0)
            return -EBADMSG;

        rc = put_literals(z, &lit_pos, ll);
        if (rc)
            return rc;
        if (offset == 0 || offset > z->pos) {
            z->why = "zstd: match offset outside the output";
            return -EBADMSG;
        }
        if (ml > z->cap - z->pos) {
            z->why = "zstd: output larger than the expected size";
            return -ENOSPC;
        }
        dec_lz_copy(z->out + z->pos, offset, ml);
        z->pos += ml;
        if (z->pos - block_start > ZSTD_BLOCK_MAX) {
            z->why = "zstd: block decodes to more than 128 KiB";
            return -EBADMSG;
        }
    }
    if (b.pos != 0)
        return -EBADMSG;
    return put_literals(z, &lit_pos, z->nlits - lit_pos);
}
