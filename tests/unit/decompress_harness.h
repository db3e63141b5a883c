/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the decompressor tests: test data generators, running
 * the standard compression tools (xz, gzip, lz4, zstd) on that data at test
 * time, and the checks every format shares (round trip, truncation at every
 * offset, bit flips).
 */
#ifndef PVX_DECOMPRESS_HARNESS_H
#define PVX_DECOMPRESS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvx/decompress.h>

enum dh_kind {
    DH_ZEROS,  /* long runs: big matches, RLE blocks */
    DH_RANDOM, /* incompressible: stored/raw blocks */
    DH_TEXT,   /* words and lines: typical literal/match mix */
    DH_X86,    /* CALL/JMP-rich bytes so the x86 BCJ filter has work */
    DH_MIXED,  /* all of the above in turns */
    DH_NKINDS
};

typedef long (*dh_decoder)(const void *in, size_t in_len, void *out, size_t out_cap,
                           size_t *in_used, const char **why);

/* size bytes of the given kind; deterministic for a seed.  Caller frees. */
uint8_t *dh_generate(enum dh_kind kind, size_t size, uint32_t seed);
const char *dh_kind_name(enum dh_kind kind);

/* Is the command-line tool installed?  Tests skip when it is not. */
bool dh_have_tool(const char *tool);

/*
 * Run the shell command cmd with data on its standard input and return its
 * standard output (malloc'ed, *out_len set), or NULL if it failed.
 */
uint8_t *dh_filter(const char *cmd, const void *data, size_t len, size_t *out_len);

/* Compress with cmd, decode with dec (exact and one-byte-short capacities), compare. */
void dh_roundtrip(dh_decoder dec, const char *cmd, const uint8_t *data, size_t len);

/* Every proper prefix of comp must fail (or, if prefix_ok, yield a prefix of data). */
void dh_truncations(dh_decoder dec, const uint8_t *comp, size_t comp_len, const uint8_t *data,
                    size_t len, bool prefix_ok);

/*
 * Flip bits of comp (every bit of the first max_bytes bytes, then random ones):
 * the decoder must not crash; if checked, it must fail or return the data.
 */
void dh_bitflips(dh_decoder dec, const uint8_t *comp, size_t comp_len, const uint8_t *data,
                 size_t len, size_t max_bytes, bool checked);

/*
 * Compress data with cmd, then damage it: with DH_TRUNCATE every prefix (a
 * prefix of the data is acceptable with DH_PREFIX_OK), and bit flips in the
 * first max_bytes bytes (DH_CHECKED: the format's checksums must catch them).
 */
#define DH_TRUNCATE  1u
#define DH_PREFIX_OK 2u
#define DH_CHECKED   4u
void dh_damage(dh_decoder dec, const char *cmd, const uint8_t *data, size_t len, size_t max_bytes,
               unsigned int flags);

/* dh_roundtrip for every data kind at sizes 0, 1, 100, 4096, 70000 and max_size. */
void dh_matrix(dh_decoder dec, const char *const *cmds, size_t ncmds, size_t max_size);

/* The decoders' CRC-32 (hypervisor/decompress/crc.c), to build test headers. */
uint32_t dec_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * Two members in one input: lead, 1000 bytes of text compressed by cmd_a, gap,
 * 2000 bytes of x86 code compressed by cmd_b, trail.  The decoder must return
 * both in order and report as used everything before the trailing bytes.
 */
struct dh_bytes {
    const void *p;
    size_t len;
};
void dh_two_members(dh_decoder dec, const char *cmd_a, const char *cmd_b, struct dh_bytes lead,
                    struct dh_bytes gap, struct dh_bytes trail);

/* Decode and expect the error err with exactly the reason why. */
void dh_expect_error(dh_decoder dec, const uint8_t *comp, size_t comp_len, size_t cap, long err,
                     const char *why);

#endif
