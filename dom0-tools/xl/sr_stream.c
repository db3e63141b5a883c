/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The stream's framing (sr_stream.h): headers and records in and out of an
 * fd, and the checks a reader makes before trusting any of it.  Nothing
 * here talks to the hypervisor, so the host unit tests run it as it is.
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_stream.h"

const char sr_xl_magic[SR_XL_MAGIC_LEN] = "Xen saved domain, xl format\n \0 \r";

static const uint8_t zeros[8];

int sr_fail(struct sr_io *io, int rc, const char *fmt, ...)
{
    va_list ap;

    if (io->err[0]) /* the first failure is the one that explains */
        return rc;
    va_start(ap, fmt);
    vsnprintf(io->err, sizeof(io->err), fmt, ap);
    va_end(ap);
    return rc;
}

static volatile sig_atomic_t stop_signal;

static void note_stop_signal(int sig)
{
    stop_signal = sig;
}

static void stop_signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

void sr_catch_stop_signals(void)
{
    /* No SA_RESTART: a blocked read or write returns EINTR and sees it. */
    struct sigaction sa = {.sa_handler = note_stop_signal};

    stop_signal_set(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

void sr_defer_stop_signals(bool defer)
{
    sigset_t set;

    stop_signal_set(&set);
    sigprocmask(defer ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

int sr_stopped(void)
{
    return stop_signal;
}

void sr_reraise_stop_signal(void)
{
    int sig = stop_signal;

    if (!sig)
        return;
    signal(sig, SIG_DFL);
    sr_defer_stop_signals(false);
    raise(sig);
}

static int stopped_fail(struct sr_io *io, size_t done)
{
    return sr_fail(io, -EINTR, "stopped by signal %d (%s) at byte %llu", (int)stop_signal,
                   strsignal(stop_signal), (unsigned long long)(io->offset + done));
}

int sr_fail_if_stopped(struct sr_io *io, int rc)
{
    return rc && stop_signal ? stopped_fail(io, 0) : rc;
}

int sr_read_exact(struct sr_io *io, void *buf, size_t len, const char *what)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n;

        if (stop_signal)
            return stopped_fail(io, done);
        n = read(io->fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return sr_fail(io, -errno, "reading %s at byte %llu: %s", what,
                           (unsigned long long)(io->offset + done), strerror(errno));
        if (n == 0)
            return sr_fail(io, -EIO,
                           "the stream ends in %s at byte %llu (truncated: %zu of %zu bytes)", what,
                           (unsigned long long)(io->offset + done), done, len);
        done += (size_t)n;
    }
    io->offset += len;
    return 0;
}

int sr_write_exact(struct sr_io *io, const void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n;

        if (stop_signal)
            return stopped_fail(io, done);
        n = write(io->fd, (const char *)buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return sr_fail(io, -errno, "writing at byte %llu: %s",
                           (unsigned long long)(io->offset + done), strerror(errno));
        done += (size_t)n;
    }
    io->offset += len;
    return 0;
}

/* ---- xl header ---- */

int sr_read_xl_header(struct sr_io *io, char **config, uint32_t *mandatory_flags)
{
    struct sr_xl_header h;
    uint32_t cfg_len;
    char *cfg = NULL;
    int rc;

    *config = NULL;
    rc = sr_read_exact(io, &h, sizeof(h), "the xl header");
    if (rc)
        goto out;
    if (memcmp(h.magic, sr_xl_magic, sizeof(h.magic))) {
        rc = sr_fail(io, -EINVAL, "not a saved domain: the file does not start with xl's magic");
        goto out;
    }
    if (h.byteorder != SR_XL_BYTEORDER) {
        rc = sr_fail(io, -EINVAL, "the file was saved with the wrong byte order");
        goto out;
    }
    if (h.mandatory_flags & ~SR_XL_FLAGS_KNOWN) {
        rc = sr_fail(io, -EINVAL, "unsupported mandatory flags %#x in the xl header",
                     h.mandatory_flags & ~SR_XL_FLAGS_KNOWN);
        goto out;
    }
    if (!(h.mandatory_flags & SR_XL_FLAG_STREAMV2)) {
        rc = sr_fail(io, -EINVAL,
                     "a version 1 (legacy) stream: pvx reads only migration stream v2 "
                     "(Xen 4.6 and later)");
        goto out;
    }
    if (h.optional_data_len == 0)
        goto out;
    if (h.optional_data_len < sizeof(cfg_len) || h.optional_data_len > SR_XL_CONFIG_MAX + 4) {
        rc = sr_fail(io, -EINVAL, "bad optional data length %u in the xl header",
                     h.optional_data_len);
        goto out;
    }
    if (sr_read_exact(io, &cfg_len, sizeof(cfg_len), "the config length"))
        return -EIO;
    if (cfg_len > h.optional_data_len - sizeof(cfg_len)) {
        rc = sr_fail(io, -EINVAL, "config length %u exceeds the optional data (%u bytes)", cfg_len,
                     h.optional_data_len);
        goto out;
    }
    cfg = malloc(h.optional_data_len - sizeof(cfg_len) + 1);
    if (!cfg) {
        rc = sr_fail(io, -ENOMEM, "out of memory for the config");
        goto out;
    }
    if (sr_read_exact(io, cfg, h.optional_data_len - sizeof(cfg_len), "the config")) {
        free(cfg);
        return -EIO;
    }
    cfg[cfg_len] = '\0'; /* the writer counts its NUL; trust neither */
    /* libxl JSON (Xen's xl) is skipped: the caller then needs a config
     * file on the command line, which replaces the file's anyway. */
    if (h.mandatory_flags & SR_XL_FLAG_JSON)
        free(cfg);
    else
        *config = cfg;
out:
    *mandatory_flags = h.mandatory_flags;
    return rc;
}

int sr_write_xl_header(struct sr_io *io, const char *config)
{
    struct sr_xl_header h = {.byteorder = SR_XL_BYTEORDER};
    uint32_t cfg_len = config ? (uint32_t)strlen(config) + 1 : 0;
    int rc;

    memcpy(h.magic, sr_xl_magic, sizeof(h.magic));
    /* xl.cfg text, not JSON: Xen's xl reads either (the JSON bit says). */
    h.mandatory_flags = SR_XL_FLAG_STREAMV2;
    h.optional_data_len = config ? cfg_len + (uint32_t)sizeof(cfg_len) : 0;
    rc = sr_write_exact(io, &h, sizeof(h));
    if (!rc && config)
        rc = sr_write_exact(io, &cfg_len, sizeof(cfg_len));
    if (!rc && config)
        rc = sr_write_exact(io, config, cfg_len);
    return rc;
}

/* ---- libxl header ---- */

int sr_read_libxl_header(struct sr_io *io)
{
    struct sr_libxl_header h;
    int rc = sr_read_exact(io, &h, sizeof(h), "the libxl header");

    if (rc)
        return rc;
    if (be64toh(h.ident) != SR_LIBXL_IDENT)
        return sr_fail(io, -EINVAL, "no libxl stream after the xl header (bad ident)");
    if (be32toh(h.version) != SR_LIBXL_VERSION)
        return sr_fail(io, -EINVAL, "libxl stream version %u: pvx reads version %u only",
                       be32toh(h.version), SR_LIBXL_VERSION);
    if (be32toh(h.options) & SR_LIBXL_OPT_BIG_END)
        return sr_fail(io, -EINVAL, "a big-endian libxl stream");
    return 0;
}

int sr_write_libxl_header(struct sr_io *io)
{
    struct sr_libxl_header h = {
        .ident = htobe64(SR_LIBXL_IDENT),
        .version = htobe32(SR_LIBXL_VERSION),
    };

    return sr_write_exact(io, &h, sizeof(h));
}

/* ---- libxc headers ---- */

int sr_read_libxc_headers(struct sr_io *io, struct sr_dhdr *d)
{
    struct sr_ihdr ih;
    int rc = sr_read_exact(io, &ih, sizeof(ih), "the image header");

    if (!rc)
        rc = sr_read_exact(io, d, sizeof(*d), "the domain header");
    if (rc)
        return rc;
    if (be64toh(ih.marker) != SR_IHDR_MARKER || be32toh(ih.id) != SR_IHDR_ID)
        return sr_fail(io, -EINVAL, "bad image header (marker or id): not a libxc stream");
    if (be32toh(ih.version) != 2 && be32toh(ih.version) != SR_IHDR_VERSION)
        return sr_fail(io, -EINVAL, "libxc stream version %u: pvx reads versions 2 and 3",
                       be32toh(ih.version));
    if (be16toh(ih.options) & SR_IHDR_OPT_BIGEND)
        return sr_fail(io, -EINVAL, "a big-endian libxc stream");
    if (d->type != SR_DHDR_TYPE_X86_PV)
        return sr_fail(io, -EINVAL, "domain type %u: pvx restores x86 PV guests (type 1) only",
                       d->type);
    if (d->page_shift != 12)
        return sr_fail(io, -EINVAL, "page shift %u: pvx has 4 KiB pages", d->page_shift);
    return 0;
}

int sr_write_libxc_headers(struct sr_io *io, uint32_t xen_major, uint32_t xen_minor)
{
    struct sr_ihdr ih = {
        .marker = htobe64(SR_IHDR_MARKER),
        .id = htobe32(SR_IHDR_ID),
        .version = htobe32(SR_IHDR_VERSION),
    };
    struct sr_dhdr d = {
        .type = SR_DHDR_TYPE_X86_PV,
        .page_shift = 12,
        .xen_major = xen_major,
        .xen_minor = xen_minor,
    };
    int rc = sr_write_exact(io, &ih, sizeof(ih));

    return rc ? rc : sr_write_exact(io, &d, sizeof(d));
}

/* ---- records ---- */

int sr_read_record_header(struct sr_io *io, struct sr_rhdr *h)
{
    int rc = sr_read_exact(io, h, sizeof(*h), "a record header");

    if (rc)
        return rc;
    if (h->length > SR_REC_LENGTH_MAX)
        return sr_fail(io, -EINVAL, "record %s (%#x) at byte %llu is %u bytes long, above %u",
                       sr_rec_name(h->type), h->type, (unsigned long long)(io->offset - sizeof(*h)),
                       h->length, SR_REC_LENGTH_MAX);
    return 0;
}

int sr_read_record_body(struct sr_io *io, const struct sr_rhdr *h, struct sr_record *rec)
{
    size_t padded = ((size_t)h->length + 7) & ~(size_t)7;

    memset(rec, 0, sizeof(*rec));
    if (padded) {
        int rc;

        rec->body = malloc(padded);
        if (!rec->body)
            return sr_fail(io, -ENOMEM, "out of memory for a %u-byte record", h->length);
        rc = sr_read_exact(io, rec->body, padded, sr_rec_name(h->type));
        if (rc) {
            free(rec->body);
            rec->body = NULL;
            return rc;
        }
    }
    rec->type = h->type;
    rec->length = h->length;
    return 0;
}

int sr_read_record(struct sr_io *io, struct sr_record *rec)
{
    struct sr_rhdr h;
    int rc;

    memset(rec, 0, sizeof(*rec));
    rc = sr_read_record_header(io, &h);
    return rc ? rc : sr_read_record_body(io, &h, rec);
}

void sr_record_free(struct sr_record *rec)
{
    free(rec->body);
    rec->body = NULL;
}

int sr_write_record(struct sr_io *io, uint32_t type, unsigned int n, const void *const *parts,
                    const size_t *lens)
{
    struct sr_rhdr h = {.type = type};
    size_t len = 0;
    int rc;

    for (unsigned int i = 0; i < n; i++)
        len += lens[i];
    if (len > SR_REC_LENGTH_MAX)
        return sr_fail(io, -E2BIG, "record %s would be %zu bytes", sr_rec_name(type), len);
    h.length = (uint32_t)len;
    rc = sr_write_exact(io, &h, sizeof(h));
    for (unsigned int i = 0; !rc && i < n; i++)
        rc = sr_write_exact(io, parts[i], lens[i]);
    if (!rc && (len & 7))
        rc = sr_write_exact(io, zeros, 8 - (len & 7));
    return rc;
}

int sr_write_record1(struct sr_io *io, uint32_t type, const void *body, size_t len)
{
    return sr_write_record(io, type, 1, &body, &len);
}

/* ---- page data ---- */

bool sr_type_known(unsigned int type)
{
    /* 5-8 are reserved. */
    return type <= SR_TYPE_L4TAB || (type >= (SR_TYPE_PINNED | SR_TYPE_L1TAB) && type <= 0xf);
}

bool sr_type_has_data(unsigned int type)
{
    return sr_type_level(type) || type == SR_TYPE_NOTAB;
}

unsigned int sr_type_level(unsigned int type)
{
    unsigned int l = type & ~SR_TYPE_PINNED;

    return type <= 0xc && l >= 1 && l <= 4 ? l : 0;
}

int sr_check_page_data(struct sr_io *io, const struct sr_record *rec, uint32_t *count,
                       const uint64_t **pfns, const uint8_t **data)
{
    const struct sr_page_data_hdr *h = rec->body;
    const uint64_t *p;
    uint64_t with_data = 0, want;

    if (rec->length < sizeof(*h))
        return sr_fail(io, -EINVAL, "PAGE_DATA record of %u bytes: too short", rec->length);
    if (h->count == 0 || h->count > SR_PAGE_BATCH_MAX)
        return sr_fail(io, -EINVAL, "PAGE_DATA record with %u pages (1 to %u allowed)", h->count,
                       SR_PAGE_BATCH_MAX);
    if (rec->length < sizeof(*h) + (uint64_t)h->count * 8)
        return sr_fail(io, -EINVAL, "PAGE_DATA record of %u bytes cannot hold %u pfns", rec->length,
                       h->count);
    p = (const uint64_t *)(h + 1);
    for (uint32_t i = 0; i < h->count; i++) {
        unsigned int type = (unsigned int)(p[i] >> SR_TYPE_SHIFT);

        if (p[i] & ~SR_PFN_MASK & ~(0xfull << SR_TYPE_SHIFT))
            return sr_fail(io, -EINVAL, "PAGE_DATA entry %u (%#llx) has reserved bits set", i,
                           (unsigned long long)p[i]);
        if (!sr_type_known(type))
            return sr_fail(io, -EINVAL, "PAGE_DATA entry %u: unknown page type %#x", i, type);
        with_data += sr_type_has_data(type);
    }
    want = sizeof(*h) + (uint64_t)h->count * 8 + with_data * 4096;
    if (rec->length != want)
        return sr_fail(
            io, -EINVAL, "PAGE_DATA record of %u bytes: %u pfns with %llu pages need %llu",
            rec->length, h->count, (unsigned long long)with_data, (unsigned long long)want);
    *count = h->count;
    *pfns = p;
    *data = (const uint8_t *)(p + h->count);
    return 0;
}

int sr_read_page_data_head(struct sr_io *io, const struct sr_rhdr *h,
                           uint64_t head[SR_PAGE_DATA_HEAD_MAX / 8], uint32_t *count,
                           const uint64_t **pfns)
{
    struct sr_page_data_hdr *ph = (struct sr_page_data_hdr *)head;
    struct sr_record rec = {.type = h->type, .length = h->length, .body = head};
    const uint8_t *data;
    int rc;

    _Static_assert(sizeof(*ph) == 8, "the pfn words follow one u64");
    if (h->length < sizeof(*ph))
        return sr_fail(io, -EINVAL, "PAGE_DATA record of %u bytes: too short", h->length);
    rc = sr_read_exact(io, ph, sizeof(*ph), "a PAGE_DATA header");
    if (rc)
        return rc;
    /* Only as many words as may be there: sr_check_page_data() then says
     * what is wrong with the count or the length. */
    if (ph->count && ph->count <= SR_PAGE_BATCH_MAX &&
        h->length >= sizeof(*ph) + (uint64_t)ph->count * 8)
        rc = sr_read_exact(io, head + 1, (size_t)ph->count * 8, "PAGE_DATA's pfns");
    return rc ? rc : sr_check_page_data(io, &rec, count, pfns, &data);
}

const char *sr_rec_name(uint32_t type)
{
    switch (type & ~SR_REC_OPTIONAL) {
    case SR_REC_END:
        return "END";
    case SR_REC_PAGE_DATA:
        return "PAGE_DATA";
    case SR_REC_X86_PV_INFO:
        return "X86_PV_INFO";
    case SR_REC_X86_PV_P2M_FRAMES:
        return "X86_PV_P2M_FRAMES";
    case SR_REC_X86_PV_VCPU_BASIC:
        return "X86_PV_VCPU_BASIC";
    case SR_REC_X86_PV_VCPU_EXTENDED:
        return "X86_PV_VCPU_EXTENDED";
    case SR_REC_X86_PV_VCPU_XSAVE:
        return "X86_PV_VCPU_XSAVE";
    case SR_REC_SHARED_INFO:
        return "SHARED_INFO";
    case SR_REC_X86_TSC_INFO:
        return "X86_TSC_INFO";
    case SR_REC_X86_PV_VCPU_MSRS:
        return "X86_PV_VCPU_MSRS";
    case SR_REC_VERIFY:
        return "VERIFY";
    case SR_REC_STATIC_DATA_END:
        return "STATIC_DATA_END";
    case SR_REC_X86_CPUID_POLICY:
        return "X86_CPUID_POLICY";
    case SR_REC_X86_MSR_POLICY:
        return "X86_MSR_POLICY";
    default:
        return "unknown";
    }
}
