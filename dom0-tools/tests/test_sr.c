/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the save/restore stream (dom0-tools/xl/sr_stream.c) and of
 * page-table rewriting between machine frames and pfns
 * (dom0-tools/xl/sr_pagetables.c): what the writer produces the reader
 * takes back, and every malformed header, record or page batch is refused
 * with a sentence that says what is wrong; a stop signal cuts a blocked
 * transfer short instead of killing xl.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sr_stream.h"

/* ---- helpers ---- */

/* An in-memory file for the writer; rewound for the reader. */
static int memfile(void)
{
    int fd = memfd_create("sr", 0);

    assert_true(fd >= 0);
    return fd;
}

static int memfile_with(const void *buf, size_t len)
{
    int fd = memfile();

    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void rewind_io(struct sr_io *io)
{
    assert_int_equal(lseek(io->fd, 0, SEEK_SET), 0);
    io->offset = 0;
    io->err[0] = '\0';
}

/* Contents of fd so far (malloc'd), its length in *len. */
static uint8_t *contents(int fd, size_t *len)
{
    off_t end = lseek(fd, 0, SEEK_END);
    uint8_t *b = malloc((size_t)end + 1);

    assert_non_null(b);
    assert_int_equal(pread(fd, b, (size_t)end, 0), end);
    *len = (size_t)end;
    return b;
}

/* ---- xl header ---- */

static void test_xl_header_roundtrip(void **state)
{
    struct sr_io io = {.fd = memfile()};
    const char *cfg = "name = \"debian\"\nmemory = 128\n";
    char *out = NULL;
    uint32_t flags = 0;
    uint8_t *b;
    size_t len;

    (void)state;
    assert_int_equal(sr_write_xl_header(&io, cfg), 0);
    b = contents(io.fd, &len);
    assert_int_equal(len, sizeof(struct sr_xl_header) + 4 + strlen(cfg) + 1);
    assert_memory_equal(b, "Xen saved domain, xl format\n \0 \r", 32);
    free(b);
    rewind_io(&io);
    assert_int_equal(sr_read_xl_header(&io, &out, &flags), 0);
    assert_string_equal(out, cfg);
    assert_int_equal(flags, SR_XL_FLAG_STREAMV2);
    free(out);
    close(io.fd);
}

/* A header, altered by fn, must be refused with msg. */
static void xl_header_refused(void (*fn)(struct sr_xl_header *), const char *msg)
{
    struct sr_xl_header h = {.byteorder = SR_XL_BYTEORDER, .mandatory_flags = SR_XL_FLAG_STREAMV2};
    struct sr_io io;
    char *out = (char *)1;
    uint32_t flags;

    memcpy(h.magic, sr_xl_magic, sizeof(h.magic));
    fn(&h);
    io = (struct sr_io){.fd = memfile_with(&h, sizeof(h))};
    assert_int_equal(sr_read_xl_header(&io, &out, &flags), -EINVAL);
    assert_null(out);
    assert_non_null(strstr(io.err, msg));
    close(io.fd);
}

static void bad_magic(struct sr_xl_header *h)
{
    h->magic[31] = 0;
}

static void bad_byteorder(struct sr_xl_header *h)
{
    h->byteorder = 0x04030201;
}

static void unknown_flag(struct sr_xl_header *h)
{
    h->mandatory_flags |= 1u << 5;
}

static void legacy_v1(struct sr_xl_header *h)
{
    h->mandatory_flags = 0;
}

static void huge_config(struct sr_xl_header *h)
{
    h->optional_data_len = 0x7fffffff;
}

static void test_xl_header_refused(void **state)
{
    (void)state;
    xl_header_refused(bad_magic, "not a saved domain");
    xl_header_refused(bad_byteorder, "wrong byte order");
    xl_header_refused(unknown_flag, "unsupported mandatory flags 0x20");
    xl_header_refused(legacy_v1, "version 1");
    xl_header_refused(huge_config, "bad optional data length");
}

static void test_xl_header_truncated(void **state)
{
    struct sr_io io = {.fd = memfile()};
    char *out = NULL;
    uint32_t flags;
    uint8_t *b;
    size_t len;

    (void)state;
    assert_int_equal(sr_write_xl_header(&io, "name = \"x\"\n"), 0);
    b = contents(io.fd, &len);
    close(io.fd);
    /* Every cut short of the whole header and config is refused. */
    for (size_t cut = 0; cut < len; cut += 7) {
        io = (struct sr_io){.fd = memfile_with(b, cut)};
        assert_int_equal(sr_read_xl_header(&io, &out, &flags), -EIO);
        assert_null(out);
        assert_non_null(strstr(io.err, "the stream ends in"));
        close(io.fd);
    }
    free(b);
}

static void test_xl_header_json_skipped(void **state)
{
    struct sr_xl_header h = {.byteorder = SR_XL_BYTEORDER,
                             .mandatory_flags = SR_XL_FLAG_STREAMV2 | SR_XL_FLAG_JSON,
                             .optional_data_len = 4 + 3};
    uint8_t buf[sizeof(h) + 7];
    uint32_t cfg_len = 3, flags;
    struct sr_io io;
    char *out = (char *)1;

    (void)state;
    memcpy(h.magic, sr_xl_magic, sizeof(h.magic));
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), &cfg_len, 4);
    memcpy(buf + sizeof(h) + 4, "{}", 3);
    io = (struct sr_io){.fd = memfile_with(buf, sizeof(buf))};
    assert_int_equal(sr_read_xl_header(&io, &out, &flags), 0);
    assert_null(out);
    assert_true(flags & SR_XL_FLAG_JSON);
    assert_int_equal(io.offset, sizeof(buf)); /* all of it consumed */
    close(io.fd);
}

/* ---- libxl and libxc headers ---- */

static void test_libxl_header(void **state)
{
    struct sr_io io = {.fd = memfile()};
    struct sr_libxl_header h;
    uint8_t *b;
    size_t len;

    (void)state;
    assert_int_equal(sr_write_libxl_header(&io), 0);
    b = contents(io.fd, &len);
    assert_int_equal(len, 16);
    assert_memory_equal(b, "LibxlFmt\0\0\0\2\0\0\0\0", 16);
    rewind_io(&io);
    assert_int_equal(sr_read_libxl_header(&io), 0);
    close(io.fd);

    memcpy(&h, b, sizeof(h));
    h.version = htobe32(3);
    io = (struct sr_io){.fd = memfile_with(&h, sizeof(h))};
    assert_int_equal(sr_read_libxl_header(&io), -EINVAL);
    assert_non_null(strstr(io.err, "version 3"));
    close(io.fd);

    memcpy(&h, b, sizeof(h));
    h.options = htobe32(SR_LIBXL_OPT_BIG_END);
    io = (struct sr_io){.fd = memfile_with(&h, sizeof(h))};
    assert_int_equal(sr_read_libxl_header(&io), -EINVAL);
    assert_non_null(strstr(io.err, "big-endian"));
    close(io.fd);

    memcpy(&h, b, sizeof(h));
    h.ident ^= 1;
    io = (struct sr_io){.fd = memfile_with(&h, sizeof(h))};
    assert_int_equal(sr_read_libxl_header(&io), -EINVAL);
    close(io.fd);
    free(b);
}

struct libxc_hdrs {
    struct sr_ihdr ih;
    struct sr_dhdr dh;
} __attribute__((packed));

static void libxc_refused(void (*fn)(struct libxc_hdrs *), const char *msg)
{
    struct sr_io io = {.fd = memfile()};
    struct libxc_hdrs h;
    struct sr_dhdr dh;
    uint8_t *b;
    size_t len;

    assert_int_equal(sr_write_libxc_headers(&io, 4, 17), 0);
    b = contents(io.fd, &len);
    assert_int_equal(len, sizeof(h));
    memcpy(&h, b, sizeof(h));
    free(b);
    close(io.fd);
    if (fn)
        fn(&h);
    io = (struct sr_io){.fd = memfile_with(&h, sizeof(h))};
    if (!msg) {
        assert_int_equal(sr_read_libxc_headers(&io, &dh), 0);
        assert_int_equal(dh.xen_major, 4);
        assert_int_equal(dh.xen_minor, 17);
    } else {
        assert_int_equal(sr_read_libxc_headers(&io, &dh), -EINVAL);
        assert_non_null(strstr(io.err, msg));
    }
    close(io.fd);
}

static void ih_marker(struct libxc_hdrs *h)
{
    h->ih.marker = 0;
}

static void ih_version(struct libxc_hdrs *h)
{
    h->ih.version = htobe32(4);
}

static void ih_bigend(struct libxc_hdrs *h)
{
    h->ih.options = htobe16(SR_IHDR_OPT_BIGEND);
}

static void dh_hvm(struct libxc_hdrs *h)
{
    h->dh.type = 2;
}

static void dh_pages(struct libxc_hdrs *h)
{
    h->dh.page_shift = 21;
}

static void ih_version2(struct libxc_hdrs *h)
{
    h->ih.version = htobe32(2);
}

static void test_libxc_headers(void **state)
{
    (void)state;
    libxc_refused(NULL, NULL);
    libxc_refused(ih_version2, NULL); /* Xen 4.6-4.13 streams are read too */
    libxc_refused(ih_marker, "not a libxc stream");
    libxc_refused(ih_version, "libxc stream version 4");
    libxc_refused(ih_bigend, "big-endian");
    libxc_refused(dh_hvm, "domain type 2");
    libxc_refused(dh_pages, "page shift 21");
}

/* ---- records ---- */

static void test_record_padding(void **state)
{
    struct sr_io io = {.fd = memfile()};
    struct sr_record rec;
    uint8_t *b;
    size_t len;

    (void)state;
    assert_int_equal(sr_write_record1(&io, 0x42, "hello", 5), 0);
    assert_int_equal(sr_write_record1(&io, SR_REC_END, NULL, 0), 0);
    b = contents(io.fd, &len);
    assert_int_equal(len, 8 + 8 + 8); /* 5 bytes padded to 8 */
    assert_memory_equal(b + 13, "\0\0\0", 3);
    free(b);
    rewind_io(&io);
    assert_int_equal(sr_read_record(&io, &rec), 0);
    assert_int_equal(rec.type, 0x42);
    assert_int_equal(rec.length, 5);
    assert_memory_equal(rec.body, "hello", 5);
    sr_record_free(&rec);
    assert_int_equal(sr_read_record(&io, &rec), 0);
    assert_int_equal(rec.type, SR_REC_END);
    assert_null(rec.body);
    assert_int_equal(sr_read_record(&io, &rec), -EIO);
    close(io.fd);
}

static void test_record_refused(void **state)
{
    struct sr_rhdr h = {.type = SR_REC_PAGE_DATA, .length = SR_REC_LENGTH_MAX + 1};
    uint8_t buf[8 + 16] = {0};
    struct sr_record rec;
    struct sr_io io = {.fd = memfile_with(&h, sizeof(h))};

    (void)state;
    assert_int_equal(sr_read_record(&io, &rec), -EINVAL);
    assert_non_null(strstr(io.err, "PAGE_DATA"));
    close(io.fd);
    /* A body shorter than its length (and its padding) is a truncation. */
    h.length = 20;
    memcpy(buf, &h, sizeof(h));
    io = (struct sr_io){.fd = memfile_with(buf, sizeof(buf))};
    assert_int_equal(sr_read_record(&io, &rec), -EIO);
    assert_non_null(strstr(io.err, "the stream ends in PAGE_DATA"));
    assert_null(rec.body);
    close(io.fd);
}

/* ---- PAGE_DATA ---- */

/* A PAGE_DATA body for n pfns of the given types, pages filled with i. */
static struct sr_record page_data(uint32_t n, const unsigned int *types, int pages_delta)
{
    struct sr_record rec = {.type = SR_REC_PAGE_DATA};
    size_t with = 0;
    struct sr_page_data_hdr *h;
    uint64_t *pfn;

    for (uint32_t i = 0; i < n; i++)
        with += sr_type_has_data(types[i]);
    with = (size_t)((ssize_t)with + pages_delta);
    rec.length = (uint32_t)(sizeof(*h) + n * 8 + with * 4096);
    rec.body = calloc(1, rec.length);
    h = rec.body;
    h->count = n;
    pfn = (uint64_t *)(h + 1);
    for (uint32_t i = 0; i < n; i++)
        pfn[i] = ((uint64_t)types[i] << SR_TYPE_SHIFT) | (100 + i);
    return rec;
}

static int check(struct sr_record *rec, const char *msg)
{
    struct sr_io io = {.fd = -1};
    const uint64_t *pfns;
    const uint8_t *data;
    uint32_t count;
    int rc = sr_check_page_data(&io, rec, &count, &pfns, &data);

    if (msg)
        assert_non_null(strstr(io.err, msg));
    sr_record_free(rec);
    return rc;
}

static void test_page_data(void **state)
{
    const unsigned int ok[] = {SR_TYPE_NOTAB, SR_TYPE_XTAB,   SR_TYPE_L1TAB | SR_TYPE_PINNED,
                               SR_TYPE_L4TAB, SR_TYPE_BROKEN, SR_TYPE_XALLOC};
    const unsigned int bad5[] = {SR_TYPE_NOTAB, 5};
    struct sr_record rec;
    struct sr_io io = {.fd = -1};
    const uint64_t *pfns;
    const uint8_t *data;
    uint32_t count;

    (void)state;
    rec = page_data(6, ok, 0);
    assert_int_equal(sr_check_page_data(&io, &rec, &count, &pfns, &data), 0);
    assert_int_equal(count, 6);
    assert_int_equal(pfns[2] & SR_PFN_MASK, 102);
    assert_ptr_equal(data, (uint8_t *)rec.body + 8 + 6 * 8);
    sr_record_free(&rec);

    rec = page_data(6, ok, -1);
    assert_int_equal(check(&rec, "3 pages need"), -EINVAL);
    rec = page_data(6, ok, 1);
    assert_int_equal(check(&rec, "PAGE_DATA record of"), -EINVAL);
    rec = page_data(2, bad5, 0);
    assert_int_equal(check(&rec, "unknown page type 0x5"), -EINVAL);
    rec = page_data(0, ok, 0);
    assert_int_equal(check(&rec, "with 0 pages"), -EINVAL);

    rec = page_data(1, ok, 0);
    ((uint64_t *)((struct sr_page_data_hdr *)rec.body + 1))[0] |= 1ull << 55; /* reserved */
    assert_int_equal(check(&rec, "reserved bits"), -EINVAL);

    rec = page_data(1, ok, 0);
    ((struct sr_page_data_hdr *)rec.body)->count = SR_PAGE_BATCH_MAX + 1;
    assert_int_equal(check(&rec, "1 to 1024"), -EINVAL);

    rec = page_data(1, ok, 0);
    ((struct sr_page_data_hdr *)rec.body)->count = 600; /* no room for its pfns */
    assert_int_equal(check(&rec, "cannot hold 600 pfns"), -EINVAL);

    rec = page_data(1, ok, 0);
    rec.length = 4;
    assert_int_equal(check(&rec, "too short"), -EINVAL);
}

/* io reading the record as a stream: its header in *h, the body in the
 * file (no padding needed). */
static void page_data_stream(struct sr_io *io, struct sr_record *rec, struct sr_rhdr *h)
{
    int fd = memfile();

    h->type = rec->type;
    h->length = rec->length;
    assert_int_equal(write(fd, rec->body, rec->length), (ssize_t)rec->length);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    sr_record_free(rec);
    *io = (struct sr_io){.fd = fd};
}

/* The restorer reads a PAGE_DATA's pfns and leaves its pages in the
 * stream, to be read straight into the domain's frames. */
static void test_page_data_head(void **state)
{
    const unsigned int ok[] = {SR_TYPE_NOTAB, SR_TYPE_XTAB, SR_TYPE_L1TAB};
    const unsigned int bad5[] = {SR_TYPE_NOTAB, 5};
    uint64_t head[SR_PAGE_DATA_HEAD_MAX / 8];
    struct sr_record rec = page_data(3, ok, 0);
    struct sr_io io = {.fd = -1};
    const uint64_t *pfns;
    struct sr_rhdr h;
    uint32_t count;
    uint8_t page[4096];

    (void)state;
    memset((uint8_t *)rec.body + 8 + 3 * 8, 0xa5, 4096);
    page_data_stream(&io, &rec, &h);
    assert_int_equal(sr_read_page_data_head(&io, &h, head, &count, &pfns), 0);
    assert_int_equal(count, 3);
    assert_int_equal(pfns[2], ((uint64_t)SR_TYPE_L1TAB << SR_TYPE_SHIFT) | 102);
    assert_int_equal(io.offset, 8 + 3 * 8);
    assert_int_equal(sr_read_exact(&io, page, 4096, "a page"), 0);
    assert_int_equal(page[0], 0xa5);
    assert_int_equal(page[4095], 0xa5);
    close(io.fd);

    /* Pages missing from the length, an unknown type, a count above the
     * batch limit (whose pfns are then not read), a short record. */
    rec = page_data(3, ok, -1);
    page_data_stream(&io, &rec, &h);
    assert_int_equal(sr_read_page_data_head(&io, &h, head, &count, &pfns), -EINVAL);
    assert_non_null(strstr(io.err, "2 pages need"));
    close(io.fd);
    rec = page_data(2, bad5, 0);
    page_data_stream(&io, &rec, &h);
    assert_int_equal(sr_read_page_data_head(&io, &h, head, &count, &pfns), -EINVAL);
    assert_non_null(strstr(io.err, "unknown page type 0x5"));
    close(io.fd);
    rec = page_data(1, ok, 0);
    ((struct sr_page_data_hdr *)rec.body)->count = SR_PAGE_BATCH_MAX + 1;
    page_data_stream(&io, &rec, &h);
    assert_int_equal(sr_read_page_data_head(&io, &h, head, &count, &pfns), -EINVAL);
    assert_non_null(strstr(io.err, "1 to 1024"));
    assert_int_equal(io.offset, 8);
    close(io.fd);
    rec = page_data(1, ok, 0);
    rec.length = 4;
    page_data_stream(&io, &rec, &h);
    assert_int_equal(sr_read_page_data_head(&io, &h, head, &count, &pfns), -EINVAL);
    assert_non_null(strstr(io.err, "too short"));
    close(io.fd);
}

static void test_type_helpers(void **state)
{
    (void)state;
    for (unsigned int t = 5; t <= 8; t++)
        assert_false(sr_type_known(t));
    assert_true(sr_type_known(SR_TYPE_XTAB));
    assert_int_equal(sr_type_level(SR_TYPE_L4TAB | SR_TYPE_PINNED), 4);
    assert_int_equal(sr_type_level(SR_TYPE_NOTAB), 0);
    assert_int_equal(sr_type_level(SR_TYPE_BROKEN), 0);
    assert_false(sr_type_has_data(SR_TYPE_XTAB));
    assert_false(sr_type_has_data(SR_TYPE_XALLOC));
    assert_true(sr_type_has_data(0x2));
}

/* ---- page tables ---- */

/* pfn i is machine frame 0x5000 + 3 * i (not in order, to catch a lookup
 * that assumes it); pfn 7 has no page. */
static struct sr_p2m old_host(void)
{
    struct sr_p2m m = {.nr_pfns = 16};

    m.p2m = malloc(16 * sizeof(uint64_t));
    for (uint64_t i = 0; i < 16; i++)
        m.p2m[i] = 0x5000 + 3 * (15 - i);
    m.p2m[7] = SR_INVALID_FRAME;
    assert_int_equal(sr_p2m_index(&m), 0);
    return m;
}

static struct sr_p2m new_host(void)
{
    struct sr_p2m m = {.nr_pfns = 16};

    m.p2m = malloc(16 * sizeof(uint64_t));
    for (uint64_t i = 0; i < 16; i++)
        m.p2m[i] = 0x90000 + i;
    m.p2m[7] = SR_INVALID_FRAME;
    return m;
}

#define FLAGS 0x8000000000000067ull /* NX, dirty, accessed, user, rw, present */

static void test_pt_roundtrip(void **state)
{
    struct sr_p2m a = old_host(), b = new_host();
    uint64_t pt[512] = {0};
    char err[200];

    (void)state;
    pt[0] = (a.p2m[3] << 12) | FLAGS;
    pt[1] = (a.p2m[15] << 12) | 0x1 | (0x7ffull << 52 & 0x7ff0000000000000ull);
    pt[2] = 0xdeadbeef000ull | 0x2; /* not present: a swap entry, as it is */
    pt[511] = (a.p2m[0] << 12) | 0x63;
    assert_int_equal(sr_pt_normalise(pt, 1, &a, err, sizeof(err)), 0);
    assert_int_equal(pt[0], (3ull << 12) | FLAGS);
    assert_int_equal(pt[1] & 0x000ffffffffff000ull, 15ull << 12);
    assert_int_equal(pt[1] & ~0x000ffffffffff000ull, 0x7ff0000000000001ull);
    assert_int_equal(pt[2], 0xdeadbeef000ull | 0x2);
    assert_int_equal(pt[511], 0x63);
    assert_int_equal(sr_pt_localise(pt, 1, &b, err, sizeof(err)), 0);
    assert_int_equal(pt[0], (0x90003ull << 12) | FLAGS);
    assert_int_equal(pt[1] & 0x000ffffffffff000ull, 0x9000full << 12);
    assert_int_equal(pt[2], 0xdeadbeef000ull | 0x2);
    assert_int_equal(pt[511], (0x90000ull << 12) | 0x63);
    sr_p2m_free(&a);
    sr_p2m_free(&b);
}

static void test_pt_l4_hypervisor_slots(void **state)
{
    struct sr_p2m a = old_host(), b = new_host();
    uint64_t pt[512] = {0};
    char err[200];

    (void)state;
    for (unsigned int i = 256; i <= 271; i++)
        pt[i] = 0x123456000ull | 0x63; /* the hypervisor's, any frame */
    pt[272] = (a.p2m[1] << 12) | 0x67;
    assert_int_equal(sr_pt_normalise(pt, 4, &a, err, sizeof(err)), 0);
    for (unsigned int i = 256; i <= 271; i++)
        assert_int_equal(pt[i], 0);
    assert_int_equal(pt[272], (1ull << 12) | 0x67);
    /* The same slots in an L1 are the guest's: a frame not its own there
     * is refused. */
    pt[256] = 0x123456000ull | 0x63;
    assert_int_equal(sr_pt_normalise(pt, 1, &a, err, sizeof(err)), -ERANGE);
    /* A restored L4 may not fill them itself. */
    assert_int_equal(sr_pt_localise(pt, 4, &b, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "slot 256"));
    sr_p2m_free(&a);
    sr_p2m_free(&b);
}

static void test_pt_refused(void **state)
{
    struct sr_p2m a = old_host(), b = new_host();
    uint64_t pt[512] = {0};
    char err[200];

    (void)state;
    pt[5] = (a.p2m[2] << 12) | 0x80 | 0x1; /* a 2 MiB page in an L2 */
    assert_int_equal(sr_pt_normalise(pt, 2, &a, err, sizeof(err)), -E2BIG);
    assert_non_null(strstr(err, "superpage"));
    /* PAT, not PSE, in an L1: fine. */
    assert_int_equal(sr_pt_normalise(pt, 1, &a, err, sizeof(err)), 0);
    memset(pt, 0, sizeof(pt));
    pt[9] = (0x4242ull << 12) | 0x1; /* not the guest's frame */
    assert_int_equal(sr_pt_normalise(pt, 1, &a, err, sizeof(err)), -ERANGE);
    assert_non_null(strstr(err, "slot 9"));
    assert_non_null(strstr(err, "0x4242"));
    memset(pt, 0, sizeof(pt));
    pt[3] = (7ull << 12) | 0x1; /* pfn 7 has no page in the new domain */
    assert_int_equal(sr_pt_localise(pt, 1, &b, err, sizeof(err)), -ERANGE);
    pt[3] = (16ull << 12) | 0x1; /* beyond the p2m */
    assert_int_equal(sr_pt_localise(pt, 1, &b, err, sizeof(err)), -ERANGE);
    assert_int_equal(sr_pt_normalise(pt, 5, &a, err, sizeof(err)), -EINVAL);
    sr_p2m_free(&a);
    sr_p2m_free(&b);
}

static void test_m2p(void **state)
{
    struct sr_p2m a = old_host();

    (void)state;
    for (uint64_t pfn = 0; pfn < 16; pfn++)
        if (pfn != 7)
            assert_int_equal(sr_m2p(&a, a.p2m[pfn]), pfn);
    assert_int_equal(sr_m2p(&a, 0x5001), SR_INVALID_FRAME);
    assert_int_equal(sr_m2p(&a, SR_INVALID_FRAME), SR_INVALID_FRAME);
    sr_p2m_free(&a);
}

/* ---- stop signals ---- */

/* In a child (the handlers and the flag are process-wide): a write blocked
 * on a full pipe that nobody reads ends with -EINTR when SIGTERM comes, and
 * so does every transfer after it; then xl ends by that signal. */
static void stop_child(bool deferred)
{
    static uint8_t big[1 << 20];
    struct sr_io io = {0};
    int p[2];

    alarm(10); /* a transfer that ignores the signal ends here, by SIGALRM */
    if (pipe(p))
        _exit(10);
    io.fd = p[1];
    sr_catch_stop_signals();
    if (deferred) {
        /* Held back: nothing is noticed until the signals are let through. */
        sr_defer_stop_signals(true);
        raise(SIGHUP);
        if (sr_stopped() || sr_write_exact(&io, "x", 1))
            _exit(11);
        sr_defer_stop_signals(false);
        if (sr_stopped() != SIGHUP || sr_write_exact(&io, "x", 1) != -EINTR)
            _exit(12);
    } else {
        if (fork() == 0) {
            usleep(200000);
            kill(getppid(), SIGTERM);
            _exit(0);
        }
        if (sr_write_exact(&io, big, sizeof(big)) != -EINTR || !strstr(io.err, "signal 15"))
            _exit(13);
        io.err[0] = '\0';
        io.fd = p[0];
        if (sr_read_exact(&io, big, 1, "a byte") != -EINTR)
            _exit(14);
        wait(NULL);
    }
    sr_reraise_stop_signal();
    _exit(0); /* not reached: the signal ends us */
}

static void test_stop_signal(void **state)
{
    (void)state;
    for (int deferred = 0; deferred <= 1; deferred++) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0)
            stop_child(deferred);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status))
            fail_msg("%s: the child exited with %d instead of ending by the signal",
                     deferred ? "deferred" : "blocked write", WEXITSTATUS(status));
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), deferred ? SIGHUP : SIGTERM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xl_header_roundtrip),
        cmocka_unit_test(test_xl_header_refused),
        cmocka_unit_test(test_xl_header_truncated),
        cmocka_unit_test(test_xl_header_json_skipped),
        cmocka_unit_test(test_libxl_header),
        cmocka_unit_test(test_libxc_headers),
        cmocka_unit_test(test_record_padding),
        cmocka_unit_test(test_record_refused),
        cmocka_unit_test(test_page_data),
        cmocka_unit_test(test_page_data_head),
        cmocka_unit_test(test_type_helpers),
        cmocka_unit_test(test_pt_roundtrip),
        cmocka_unit_test(test_pt_l4_hypervisor_slots),
        cmocka_unit_test(test_pt_refused),
        cmocka_unit_test(test_m2p),
        cmocka_unit_test(test_stop_signal),
    };

    return cmocka_run_group_tests_name("save/restore stream", tests, NULL, NULL);
}
