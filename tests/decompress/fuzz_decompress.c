/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libFuzzer target for one decoder, chosen at build time with
 * -DFUZZ_FORMAT=<gzip|xz|lz4|zstd|any|bzimage>.  Besides "no crash, no
 * out-of-bounds access, no hang" (AddressSanitizer, UBSan and libFuzzer's
 * -timeout), it checks the contract of pvx/decompress.h on every input:
 * the result fits the capacity, an error carries a reason, the consumed
 * input lies within the input, decoding is deterministic, and one byte of
 * capacity less turns a success into an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pvx/bzimage.h>
#include <pvx/decompress.h>

#define OUT_CAP (256u << 10)

#define FN2(x)         decompress_##x
#define FN(x)          FN2(x)
#define decompress_any decompress /* "any": format detection first */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void printk(const char *fmt, ...);

/* bzimage.c reports a success on the console; the fuzzer has none. */
void printk(const char *fmt, ...)
{
    (void)fmt;
}

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "contract violated: %s\n", what);
        abort();
    }
}

#ifdef FUZZ_BZIMAGE
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bzimage_info info;
    const char *why = NULL;
    uint8_t *out;
    int rc;

    if (bzimage_probe(data, size, &info, &why))
        return 0;
    check(info.payload_offset + info.payload_len + 4 <= size, "payload inside the image");
    if (info.uncompressed_len > OUT_CAP)
        return 0;
    out = malloc(info.uncompressed_len);
    rc = bzimage_decompress(data, size, &info, out, info.uncompressed_len, &why);
    check(rc == 0 || why != NULL, "an error has a reason");
    free(out);
    return 0;
}
#else
static long decode(const uint8_t *data, size_t size, uint8_t *out, size_t cap, size_t *used,
                   const char **why)
{
    return FN(FUZZ_FORMAT)(data, size, out, cap, used, why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = malloc(OUT_CAP), *again;
    const char *why = NULL;
    size_t used = 0;
    long n, m;

    n = decode(data, size, out, OUT_CAP, &used, &why);
    if (n < 0) {
        check(why != NULL, "an error has a reason");
        free(out);
        return 0;
    }
    check((size_t)n <= OUT_CAP, "output within capacity");
    check(used <= size, "consumed input within the input");
    /* Exactly n bytes of room (a separate allocation, so ASan sees overruns): same result. */
    again = malloc(n ? (size_t)n : 1);
    m = decode(data, size, again, (size_t)n, NULL, &why);
    check(m == n && !memcmp(out, again, (size_t)n), "deterministic with exact capacity");
    if (n > 0) {
        m = decode(data, size, again, (size_t)n - 1, NULL, &why);
        check(m < 0 && why != NULL, "one byte less capacity fails cleanly");
    }
    free(again);
    free(out);
    return 0;
}
#endif
