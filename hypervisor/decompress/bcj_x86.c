/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xz x86 BCJ filter, decoding direction.  The encoder rewrote the
 * 32-bit relative targets of CALL (E8) and JMP (E9) into absolute ones so
 * that repeated calls to one function compress well; this converts them
 * back.  Which E8/E9 bytes were converted is decided from the data itself,
 * the same way on both sides:
 *
 *  - only when the operand's top byte is 0x00 or 0xFF (a plausible near
 *    target), and only for opcodes at least 5 bytes before the end;
 *  - a short history of E8/E9 bytes seen in the 3 preceding positions that
 *    were left alone can veto a conversion (such bytes are likely operands
 *    of another instruction), or, for the allowed patterns, make the
 *    conversion iterate so that the byte those earlier opcodes saw keeps the
 *    property the encoder relied on.
 *
 * The whole block is in memory, so one pass from its start reproduces the
 * encoder's sequence of decisions exactly.
 */
#include "dec.h"

static inline bool near_top(uint8_t b)
{
    return b == 0x00 || b == 0xff;
}

void dec_bcj_x86(uint8_t *buf, size_t len, uint32_t start)
{
    /* For each 3-bit history: may we convert, and how many bytes back is the oldest entry. */
    static const bool history_ok[8] = {true, true, true, false, true, false, false, false};
    static const uint8_t history_span[8] = {0, 1, 2, 2, 3, 3, 3, 3};
    unsigned int hist = 0; /* bit k: an unconverted E8/E9 sat k+1 bytes before last_op */
    size_t last_op = 0;    /* position of the last E8/E9 examined */
    bool have_last = false;
    size_t i = 0;

    if (len < 5)
        return;
    while (i <= len - 5) {
        uint32_t src, dest;
        size_t gap;

        if ((buf[i] & 0xfe) != 0xe8) {
            i++;
            continue;
        }
        /* Age the history to this opcode; it only reaches 3 bytes back. */
        gap = have_last ? i - last_op : 4;
        hist = gap > 3 ? 0 : (hist << (gap - 1)) & 7;
        last_op = i;
        have_last = true;
        if (hist && (!history_ok[hist] || near_top(buf[i + 4 - history_span[hist]]))) {
            hist = ((hist << 1) | 1) & 7;
            i++;
            continue;
        }
        if (!near_top(buf[i + 4])) {
            hist = ((hist << 1) | 1) & 7;
            i++;
            continue;
        }
        src = dec_le32(buf + i + 1);
        for (;;) {
            unsigned int shift;

            dest = src - (start + (uint32_t)i + 5);
            if (!hist)
                break;
            shift = 8 * history_span[hist];
            if (!near_top((uint8_t)(dest >> (24 - shift))))
                break;
            src = dest ^ ((1u << (32 - shift)) - 1);
        }
        /* Bits 25..31 repeat bit 24: targets stay within +-16 MiB. */
        dest &= 0x01ffffffu;
        if (dest & 0x01000000u)
            dest |= 0xfe000000u;
        buf[i + 1] = (uint8_t)dest;
        buf[i + 2] = (uint8_t)(dest >> 8);
        buf[i + 3] = (uint8_t)(dest >> 16);
        buf[i + 4] = (uint8_t)(dest >> 24);
        i += 5;
    }
}
