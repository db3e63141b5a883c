/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers of the decompressor tests (decompress_harness.h). */
#include "harness.h"
#include "decompress_harness.h"

#include <pvx/errno.h>
#include <unistd.h>

/*
 * The decoders' working memory comes from malloc rather than the page heap,
 * so AddressSanitizer checks every access to their tables.
 */
void *xmalloc_bytes(size_t size);
void xfree(void *p);

void *xmalloc_bytes(size_t size)
{
    return malloc(size);
}

void xfree(void *p)
{
    free(p);
}

static uint32_t rng_next(uint32_t *s)
{
    /* xorshift32: reproducible data without libc's rand() state. */
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

const char *dh_kind_name(enum dh_kind kind)
{
    static const char *const names[DH_NKINDS] = {"zeros", "random", "text", "x86", "mixed"};

    return kind < DH_NKINDS ? names[kind] : "?";
}

static void fill(enum dh_kind kind, uint8_t *p, size_t size, uint32_t *s)
{
    static const char *const words[] = {"the ",   "hypervisor ", "page ",   "table ",  "grant ",
                                        "event ", "channel ",    "domain ", "\n",      "xen ",
                                        "linux ", "kernel ",     "0x1f ",   "memory ", "map "};
    size_t i = 0;

    switch (kind) {
    case DH_ZEROS:
        memset(p, 0, size);
        for (i = 0; i < size; i += 4096)
            p[i] = (uint8_t)rng_next(s); /* a few markers so it is not one single run */
        break;
    case DH_RANDOM:
        for (i = 0; i < size; i++)
            p[i] = (uint8_t)rng_next(s);
        break;
    case DH_TEXT:
        while (i < size) {
            const char *w = words[rng_next(s) % (sizeof(words) / sizeof(words[0]))];

            for (size_t k = 0; w[k] && i < size; k++)
                p[i++] = (uint8_t)w[k];
        }
        break;
    case DH_X86:
        while (i < size) {
            uint32_t r = rng_next(s);

            if (r % 4 == 0 && size - i >= 5) {
                /* CALL/JMP rel32 with small targets: what the filter converts. */
                int32_t rel = (int32_t)(rng_next(s) % 0x20000) - 0x10000;

                p[i++] = r & 16 ? 0xe8 : 0xe9;
                memcpy(p + i, &rel, 4);
                i += 4;
            } else {
                static const uint8_t ops[] = {0x48, 0x89, 0xe5, 0x8b, 0x45, 0xfc, 0x0f, 0x1f,
                                              0x00, 0xff, 0xc3, 0x55, 0x41, 0x5d, 0xe8, 0xe9};
                p[i++] = ops[(r >> 8) % sizeof(ops)];
            }
        }
        break;
    default:
        for (size_t off = 0; off < size;) {
            size_t n = 1 + rng_next(s) % 5000;

            n = n < size - off ? n : size - off;
            fill((enum dh_kind)(rng_next(s) % DH_MIXED), p + off, n, s);
            off += n;
        }
        break;
    }
}

uint8_t *dh_generate(enum dh_kind kind, size_t size, uint32_t seed)
{
    uint8_t *p = malloc(size ? size : 1);
    uint32_t s = seed * 2654435761u + 1;

    assert_non_null(p);
    fill(kind, p, size, &s);
    return p;
}

bool dh_have_tool(const char *tool)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

uint8_t *dh_filter(const char *cmd, const void *data, size_t len, size_t *out_len)
{
    char in_path[] = "/tmp/pvx-dh-in.XXXXXX", out_path[] = "/tmp/pvx-dh-out.XXXXXX";
    char full[1024];
    uint8_t *buf = NULL;
    FILE *f;
    long n;
    int fd;

    fd = mkstemp(in_path);
    assert_true(fd >= 0);
    assert_true(write(fd, data, len) == (ssize_t)len);
    close(fd);
    fd = mkstemp(out_path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(full, sizeof(full), "%s < %s > %s", cmd, in_path, out_path);
    if (system(full) == 0 && (f = fopen(out_path, "rb"))) {
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc((size_t)n + 1);
        assert_non_null(buf);
        assert_true(fread(buf, 1, (size_t)n, f) == (size_t)n);
        fclose(f);
        *out_len = (size_t)n;
    }
    unlink(in_path);
    unlink(out_path);
    return buf;
}

void dh_roundtrip(dh_decoder dec, const char *cmd, const uint8_t *data, size_t len)
{
    size_t comp_len = 0, used = 0;
    uint8_t *comp = dh_filter(cmd, data, len, &comp_len);
    uint8_t *out = malloc(len + 1);
    const char *why = NULL;
    long n;

    if (!comp)
        fail_msg("'%s' failed", cmd);
    n = dec(comp, comp_len, out, len, &used, &why);
    if (n != (long)len)
        fail_msg("'%s' on %zu bytes: got %ld (%s)", cmd, len, n, why ? why : "");
    assert_memory_equal(out, data, len);
    assert_int_equal(used, comp_len);
    if (len > 0) {
        /* One byte of room less: a clean -ENOSPC, nothing written past the end. */
        n = dec(comp, comp_len, out, len - 1, &used, &why);
        if (n != -ENOSPC)
            fail_msg("'%s' on %zu bytes with capacity %zu: got %ld (%s)", cmd, len, len - 1, n,
                     why);
    }
    free(out);
    free(comp);
}

void dh_matrix(dh_decoder dec, const char *const *cmds, size_t ncmds, size_t max_size)
{
    const size_t sizes[] = {0, 1, 100, 4096, 70000, max_size};

    for (int k = 0; k < DH_NKINDS; k++)
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
            uint8_t *data = dh_generate((enum dh_kind)k, sizes[s], (uint32_t)(s * 7 + k));

            for (size_t c = 0; c < ncmds; c++) {
                dh_roundtrip(dec, cmds[c], data, sizes[s]);
                /* The format-detecting entry point takes the same path. */
                if (s == 3)
                    dh_roundtrip(decompress, cmds[c], data, sizes[s]);
            }
            free(data);
        }
}

void dh_truncations(dh_decoder dec, const uint8_t *comp, size_t comp_len, const uint8_t *data,
                    size_t len, bool prefix_ok)
{
    uint8_t *out = malloc(len + 1);

    for (size_t cut = 0; cut < comp_len; cut++) {
        /* A fresh exact-size copy so ASan catches any read past the cut. */
        uint8_t *in = malloc(cut ? cut : 1);
        const char *why = NULL;
        long n;

        memcpy(in, comp, cut);
        n = dec(in, cut, out, len, NULL, &why);
        if (n >= 0) {
            if (!prefix_ok || (size_t)n > len || memcmp(out, data, (size_t)n))
                fail_msg("truncated to %zu of %zu bytes: decoded %ld bytes", cut, comp_len, n);
        } else {
            assert_non_null(why);
        }
        free(in);
    }
    free(out);
}

void dh_bitflips(dh_decoder dec, const uint8_t *comp, size_t comp_len, const uint8_t *data,
                 size_t len, size_t max_bytes, bool checked)
{
    uint8_t *in = malloc(comp_len), *out = malloc(len + 1);
    size_t nbits = 8 * (max_bytes < comp_len ? max_bytes : comp_len);
    uint32_t s = 12345;

    for (size_t t = 0; t < nbits + 2000; t++) {
        size_t bit = t < nbits ? t : rng_next(&s) % (8 * comp_len);
        const char *why = NULL;
        long n;

        memcpy(in, comp, comp_len);
        in[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        n = dec(in, comp_len, out, len, NULL, &why);
        if (n < 0) {
            assert_non_null(why);
            continue;
        }
        if (checked && ((size_t)n != len || memcmp(out, data, len)))
            fail_msg("bit %zu flipped: wrong data accepted (%ld bytes)", bit, n);
    }
    free(in);
    free(out);
}

void dh_expect_error(dh_decoder dec, const uint8_t *comp, size_t comp_len, size_t cap, long err,
                     const char *why_expected)
{
    uint8_t *out = malloc(cap + 1);
    const char *why = NULL;
    long n = dec(comp, comp_len, out, cap, NULL, &why);

    if (n != err || !why || strcmp(why, why_expected))
        fail_msg("expected %ld '%s', got %ld '%s'", err, why_expected, n, why ? why : "(none)");
    free(out);
}

void dh_damage(dh_decoder dec, const char *cmd, const uint8_t *data, size_t len, size_t max_bytes,
               unsigned int flags)
{
    size_t comp_len;
    uint8_t *comp = dh_filter(cmd, data, len, &comp_len);

    assert_non_null(comp);
    if (flags & DH_TRUNCATE)
        dh_truncations(dec, comp, comp_len, data, len, (flags & DH_PREFIX_OK) != 0);
    dh_bitflips(dec, comp, comp_len, data, len, max_bytes, (flags & DH_CHECKED) != 0);
    free(comp);
}

void dh_two_members(dh_decoder dec, const char *cmd_a, const char *cmd_b, struct dh_bytes lead,
                    struct dh_bytes gap, struct dh_bytes trail)
{
    uint8_t *a = dh_generate(DH_TEXT, 1000, 1), *b = dh_generate(DH_X86, 2000, 2);
    size_t la, lb, used, n = 0;
    uint8_t *ca, *cb, *cat, out[3000];
    const char *why = NULL;

    ca = dh_filter(cmd_a, a, 1000, &la);
    cb = dh_filter(cmd_b, b, 2000, &lb);
    assert_non_null(ca);
    assert_non_null(cb);
    cat = malloc(lead.len + la + gap.len + lb + trail.len + 1);
    memcpy(cat + n, lead.p, lead.len);
    n += lead.len;
    memcpy(cat + n, ca, la);
    n += la;
    memcpy(cat + n, gap.p, gap.len);
    n += gap.len;
    memcpy(cat + n, cb, lb);
    n += lb;
    memcpy(cat + n, trail.p, trail.len);
    assert_int_equal(dec(cat, n + trail.len, out, sizeof(out), &used, &why), 3000);
    assert_int_equal(used, n);
    assert_memory_equal(out, a, 1000);
    assert_memory_equal(out + 1000, b, 2000);
    free(a);
    free(b);
    free(ca);
    free(cb);
    free(cat);
}
