/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Internals of the zstd decoder (RFC 8878): the backward bit stream both
 * entropy coders read, FSE and Huffman tables, and the per-frame state the
 * block decoder keeps between blocks (tables in "repeat" mode, the Huffman
 * table of treeless literals, the three repeat offsets).
 */
#ifndef PVX_DECOMPRESS_ZSTD_INT_H
#define PVX_DECOMPRESS_ZSTD_INT_H

#include "dec.h"

#define ZSTD_BLOCK_MAX   (128u << 10)
#define ZSTD_HUF_MAXBITS 11
#define ZSTD_LL_MAXLOG   9
#define ZSTD_ML_MAXLOG   9
#define ZSTD_OF_MAXLOG   8
#define ZSTD_HUFW_MAXLOG 6
#define ZSTD_FSE_MAXLOG  9

/*
 * Bits are consumed from the end of the stream towards its start; the last
 * byte's highest set bit is a marker.  pos counts the unread bits and goes
 * negative when a reader asks for more than there is (those bits read as
 * zero, which FSE-coded Huffman weights use as their end condition).
 */
struct zbits {
    const uint8_t *buf;
    size_t len;
    long pos;
};

struct fse_cell {
    uint8_t sym, nbits;
    uint16_t base;
};

struct fse_table {
    unsigned int log;
    struct fse_cell cell[1u << ZSTD_FSE_MAXLOG];
};

struct huf_cell {
    uint8_t sym, nbits;
};

struct huf_table {
    unsigned int maxbits; /* 0: no table yet */
    struct huf_cell cell[1u << ZSTD_HUF_MAXBITS];
};

struct zstd {
    uint8_t *out;    /* start of the current frame's output */
    size_t pos, cap; /* bytes produced in the frame, room from out */
    uint8_t lit[ZSTD_BLOCK_MAX];
    const uint8_t *lits; /* the current block's literals (lit or the input) */
    size_t nlits;
    struct huf_table huf;
    struct fse_table ll, of, ml;
    bool have_ll, have_of, have_ml;
    uint32_t rep[3];
    const char *why;
};

int zbits_init(struct zbits *b, const uint8_t *buf, size_t len);
uint32_t zbits_read(struct zbits *b, unsigned int n);
uint32_t zbits_peek(const struct zbits *b, unsigned int n);

/* zstd_fse.c */
int fse_read_table(struct fse_table *t, const uint8_t *in, size_t len, unsigned int max_sym,
                   unsigned int max_log, size_t *used);
int fse_build(struct fse_table *t, const int16_t *norm, unsigned int nsyms, unsigned int log);
void fse_rle(struct fse_table *t, uint8_t sym);

/* zstd_huf.c */
int huf_read_table(struct huf_table *h, const uint8_t *in, size_t len, size_t *used);
int huf_decode_streams(const struct huf_table *h, const uint8_t *in, size_t len, bool four,
                       uint8_t *out, size_t out_len);

/* zstd_seq.c */
int zstd_sequences(struct zstd *z, const uint8_t *in, size_t len, size_t block_start);

#endif
