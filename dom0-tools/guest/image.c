/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel files for the domain builder.  A Xen PV kernel is an ELF image; the
 * vmlinuz Debian installs is a bzImage whose protected-mode part carries
 * that ELF compressed (x86 boot protocol >= 2.08: payload_offset and
 * payload_length in the setup header).  The payload is unpacked with
 * Debian's libraries; which one is chosen by the stream's magic bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <lz4.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "guest.h"

/* An unpacked kernel larger than this is refused (Debian's is ~64 MiB). */
#define MAX_KERNEL (512u << 20)

int pvx_blob_read(const char *path, size_t max, struct pvx_blob *out, char *err, size_t errlen)
{
    struct stat st;
    size_t done = 0;
    int fd, rc = 0;

    memset(out, 0, sizeof(*out));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        rc = -EINVAL;
        snprintf(err, errlen, "%s: not a regular file", path);
        goto out;
    }
    if ((uint64_t)st.st_size > max) {
        rc = -EFBIG;
        snprintf(err, errlen, "%s: %lld bytes is larger than the %zu MiB allowed", path,
                 (long long)st.st_size, max >> 20);
        goto out;
    }
    out->size = (size_t)st.st_size;
    out->data = malloc(out->size ? out->size : 1);
    if (!out->data) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory for %zu bytes", path, out->size);
        goto out;
    }
    while (done < out->size) {
        ssize_t n = read(fd, out->data + done, out->size - done);

        if (n <= 0) {
            rc = n < 0 ? -errno : -EIO;
            snprintf(err, errlen, "%s: read: %s", path, n < 0 ? strerror(errno) : "file shrank");
            goto out;
        }
        done += (size_t)n;
    }
out:
    if (fd >= 0)
        close(fd);
    if (rc)
        pvx_blob_free(out);
    return rc;
}

void pvx_blob_free(struct pvx_blob *b)
{
    free(b->data);
    b->data = NULL;
    b->size = 0;
}

/* Output that grows as a decoder produces it. */
struct sink {
    uint8_t *data;
    size_t size, cap;
};

static int sink_room(struct sink *s, size_t need)
{
    size_t cap = s->cap ? s->cap : (8u << 20);
    uint8_t *p;

    if (s->size + need <= s->cap)
        return 0;
    while (cap < s->size + need)
        cap *= 2;
    if (cap > MAX_KERNEL)
        return -EFBIG;
    p = realloc(s->data, cap);
    if (!p)
        return -ENOMEM;
    s->data = p;
    s->cap = cap;
    return 0;
}

static int unpack_gzip(const uint8_t *in, size_t len, struct sink *s, char *err, size_t errlen)
{
    z_stream z = {.next_in = (Bytef *)in, .avail_in = (uInt)len};
    int zr = Z_OK, rc = 0;

    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        snprintf(err, errlen, "zlib: cannot initialise");
        return -ENOMEM;
    }
    while (zr != Z_STREAM_END) {
        rc = sink_room(s, 1u << 20);
        if (rc)
            break;
        z.next_out = s->data + s->size;
        z.avail_out = (uInt)(s->cap - s->size);
        zr = inflate(&z, Z_NO_FLUSH);
        s->size = s->cap - z.avail_out;
        if (zr != Z_OK && zr != Z_STREAM_END) {
            snprintf(err, errlen, "gzip payload is corrupt (zlib: %s)", z.msg ? z.msg : "error");
            rc = -EINVAL;
            break;
        }
        if (zr == Z_OK && !z.avail_in && z.avail_out) {
            snprintf(err, errlen, "gzip payload is truncated");
            rc = -EINVAL;
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

/* xz (and the legacy .lzma format: alone = true). */
static int unpack_xz(const uint8_t *in, size_t len, struct sink *s, bool alone, char *err,
                     size_t errlen)
{
    lzma_stream z = LZMA_STREAM_INIT;
    lzma_ret lr =
        alone ? lzma_alone_decoder(&z, UINT64_MAX) : lzma_stream_decoder(&z, UINT64_MAX, 0);
    int rc = 0;

    if (lr != LZMA_OK) {
        snprintf(err, errlen, "liblzma: cannot initialise (%d)", lr);
        return -ENOMEM;
    }
    z.next_in = in;
    z.avail_in = len;
    while (lr != LZMA_STREAM_END) {
        rc = sink_room(s, 1u << 20);
        if (rc)
            break;
        z.next_out = s->data + s->size;
        z.avail_out = s->cap - s->size;
        /* LZMA_FINISH: the whole input is here; trailing bytes (the size
         * the kernel build appends) end the stream as LZMA_STREAM_END. */
        lr = lzma_code(&z, LZMA_FINISH);
        s->size = s->cap - z.avail_out;
        if (lr != LZMA_OK && lr != LZMA_STREAM_END) {
            snprintf(err, errlen, "%s payload is corrupt or truncated (liblzma error %d)",
                     alone ? "lzma" : "xz", lr);
            rc = -EINVAL;
            break;
        }
    }
    lzma_end(&z);
    return rc;
}

static int unpack_zstd(const uint8_t *in, size_t len, struct sink *s, char *err, size_t errlen)
{
    ZSTD_DStream *z = ZSTD_createDStream();
    ZSTD_inBuffer ib = {in, len, 0};
    size_t zr = 1;
    int rc = 0;

    if (!z) {
        snprintf(err, errlen, "libzstd: cannot initialise");
        return -ENOMEM;
    }
    ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 31);
    while (zr != 0) {
        ZSTD_outBuffer ob;

        rc = sink_room(s, 1u << 20);
        if (rc)
            break;
        ob = (ZSTD_outBuffer){s->data + s->size, s->cap - s->size, 0};
        zr = ZSTD_decompressStream(z, &ob, &ib);
        s->size += ob.pos;
        if (ZSTD_isError(zr)) {
            snprintf(err, errlen, "zstd payload is corrupt (%s)", ZSTD_getErrorName(zr));
            rc = -EINVAL;
            break;
        }
        /* One frame is the kernel; what follows it is the appended size. */
        if (zr && ib.pos == ib.size && ob.pos < ob.size) {
            snprintf(err, errlen, "zstd payload is truncated");
            rc = -EINVAL;
            break;
        }
    }
    ZSTD_freeDStream(z);
    return rc;
}

/* lz4's legacy frame (what the kernel build uses): a magic, then blocks of
 * a 32-bit little-endian compressed size and data, each unpacking to at
 * most 8 MiB; anything that is not a plausible block ends the stream. */
#define LZ4_LEGACY_BLOCK (8u << 20)

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int unpack_lz4(const uint8_t *in, size_t len, struct sink *s, char *err, size_t errlen)
{
    size_t pos = 4;
    int rc = 0;

    while (len - pos >= 4) {
        uint32_t n = le32(in + pos);
        int out;

        if (n == 0x184c2102u) { /* another legacy frame follows */
            pos += 4;
            continue;
        }
        if (n == 0 || n > (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK) || n > len - pos - 4)
            break; /* the appended size, or the end */
        rc = sink_room(s, LZ4_LEGACY_BLOCK);
        if (rc)
            return rc;
        out = LZ4_decompress_safe((const char *)in + pos + 4, (char *)s->data + s->size, (int)n,
                                  (int)LZ4_LEGACY_BLOCK);
        if (out < 0) {
            snprintf(err, errlen, "lz4 payload is corrupt (block at byte %zu)", pos);
            return -EINVAL;
        }
        s->size += (size_t)out;
        pos += 4 + n;
    }
    if (!s->size) {
        snprintf(err, errlen, "lz4 payload holds no block");
        return -EINVAL;
    }
    return 0;
}

static bool magic(const uint8_t *p, size_t len, const char *m, size_t mlen)
{
    return len >= mlen && !memcmp(p, m, mlen);
}

static bool is_elf(const struct pvx_blob *f)
{
    return magic(f->data, f->size, "\177ELF", 4);
}

int pvx_kernel_unpack(const struct pvx_blob *file, struct pvx_blob *elf, const char **format,
                      char *err, size_t errlen)
{
    const uint8_t *p = file->data, *payload;
    struct sink s = {0};
    size_t setup, off, len;
    int rc = 0;

    memset(elf, 0, sizeof(*elf));
    if (is_elf(file)) {
        *format = "ELF";
        elf->data = malloc(file->size);
        if (!elf->data)
            return -ENOMEM;
        memcpy(elf->data, file->data, file->size);
        elf->size = file->size;
        return 0;
    }
    /* The setup header: "HdrS" at 0x202, version at 0x206, setup_sects at
     * 0x1f1, payload_offset/length at 0x248/0x24c (from protected mode). */
    if (file->size < 0x250 || memcmp(p + 0x202, "HdrS", 4)) {
        snprintf(err, errlen, "neither an ELF kernel nor a bzImage");
        return -ENOEXEC;
    }
    if ((p[0x206] | p[0x207] << 8) < 0x208) {
        snprintf(err, errlen, "a bzImage older than boot protocol 2.08 (no payload offset)");
        return -ENOEXEC;
    }
    setup = ((size_t)(p[0x1f1] ? p[0x1f1] : 4) + 1) * 512;
    off = setup + le32(p + 0x248);
    len = le32(p + 0x24c);
    if (off > file->size || len > file->size - off || len < 8) {
        snprintf(err, errlen, "the bzImage's payload lies outside the file (truncated?)");
        return -ENOEXEC;
    }
    payload = p + off;
    if (magic(payload, len, "\x1f\x8b", 2)) {
        *format = "gzip";
        rc = unpack_gzip(payload, len, &s, err, errlen);
    } else if (magic(payload, len,
                     "\xfd"
                     "7zXZ\0",
                     6)) {
        *format = "xz";
        rc = unpack_xz(payload, len, &s, false, err, errlen);
    } else if (magic(payload, len, "\x5d\0\0", 3)) {
        *format = "lzma";
        rc = unpack_xz(payload, len, &s, true, err, errlen);
    } else if (magic(payload, len, "\x28\xb5\x2f\xfd", 4)) {
        *format = "zstd";
        rc = unpack_zstd(payload, len, &s, err, errlen);
    } else if (magic(payload, len, "\x02\x21\x4c\x18", 4)) {
        *format = "lz4";
        rc = unpack_lz4(payload, len, &s, err, errlen);
    } else {
        snprintf(err, errlen,
                 "the bzImage's payload is in a format pvx does not unpack (only gzip, xz, "
                 "lzma, zstd and lz4; bzip2 and lzo are not supported)");
        rc = -ENOEXEC;
    }
    if (rc == -EFBIG)
        snprintf(err, errlen, "the unpacked kernel would exceed %u MiB", MAX_KERNEL >> 20);
    if (!rc && !magic(s.data, s.size, "\177ELF", 4)) {
        snprintf(err, errlen, "the bzImage's %s payload is not an ELF kernel", *format);
        rc = -ENOEXEC;
    }
    if (rc) {
        free(s.data);
        return rc;
    }
    elf->data = s.data;
    elf->size = s.size;
    return 0;
}
