/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The save/restore stream: Xen's migration stream v2 as `xl save` writes it
 * for a 64-bit PV guest, three layers read one after the other from one fd
 * (docs/migration.md has the record-by-record description):
 *
 *   xl header (48 bytes, host order) + optional data (u32 length + config)
 *   libxl header (16 bytes, big-endian), then libxl records:
 *     LIBXC_CONTEXT (empty: the libxc stream follows inline)
 *       libxc image header (24, big-endian), domain header (16),
 *       libxc records (little-endian) up to their END
 *     END
 *
 * Every record is {u32 type, u32 length}, a body of length bytes, and
 * zero padding to a multiple of 8.
 *
 *   sr_stream.c      framing: headers, records, their checks (no hypervisor)
 *   sr_pagetables.c  page-table entries between machine frames and pfns
 *   sr_save.c        writing a suspended domain as a stream
 *   sr_restore.c     filling a new domain from a stream
 *   cmd_save.c       `xl save` / `xl restore`: suspend, resume, the domain
 */
#ifndef PVX_SR_STREAM_H
#define PVX_SR_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- xl layer ------------------------------------------------------------- */

#define SR_XL_MAGIC_LEN 32
/* "Xen saved domain, xl format" then LF, space, NUL, space, CR. */
extern const char sr_xl_magic[SR_XL_MAGIC_LEN];
#define SR_XL_BYTEORDER     0x01020304u
#define SR_XL_FLAG_JSON     (1u << 0) /* the config is libxl JSON */
#define SR_XL_FLAG_STREAMV2 (1u << 1) /* a v2 stream follows */
#define SR_XL_FLAGS_KNOWN   (SR_XL_FLAG_JSON | SR_XL_FLAG_STREAMV2)
#define SR_XL_CONFIG_MAX    (1u << 20) /* more is not a config file */

struct sr_xl_header {
    char magic[SR_XL_MAGIC_LEN];
    uint32_t byteorder;
    uint32_t mandatory_flags;
    uint32_t optional_flags;
    uint32_t optional_data_len;
} __attribute__((packed));

/* ---- libxl layer ------------------------------------------------------------- */

#define SR_LIBXL_IDENT       0x4c6962786c466d74ull /* "LibxlFmt" */
#define SR_LIBXL_VERSION     2
#define SR_LIBXL_OPT_BIG_END (1u << 0)
#define SR_LIBXL_OPT_LEGACY  (1u << 1)

struct sr_libxl_header { /* big-endian */
    uint64_t ident;
    uint32_t version;
    uint32_t options;
} __attribute__((packed));

#define SR_LIBXL_REC_END           0
#define SR_LIBXL_REC_LIBXC_CONTEXT 1

/* ---- libxc layer ---------------------------------------------------------- */

#define SR_IHDR_MARKER     0xffffffffffffffffull
#define SR_IHDR_ID         0x58454e46u /* "XENF" */
#define SR_IHDR_VERSION    3
#define SR_IHDR_OPT_BIGEND (1u << 0)

struct sr_ihdr { /* big-endian */
    uint64_t marker;
    uint32_t id;
    uint32_t version;
    uint16_t options;
    uint16_t reserved[3];
} __attribute__((packed));

#define SR_DHDR_TYPE_X86_PV 1

struct sr_dhdr {
    uint32_t type;
    uint16_t page_shift;
    uint16_t reserved;
    uint32_t xen_major, xen_minor;
} __attribute__((packed));

struct sr_rhdr {
    uint32_t type;
    uint32_t length; /* without the padding */
} __attribute__((packed));

#define SR_REC_LENGTH_MAX (128u << 20)
#define SR_REC_OPTIONAL   0x80000000u

enum sr_rec_type {
    SR_REC_END = 0x00,
    SR_REC_PAGE_DATA = 0x01,
    SR_REC_X86_PV_INFO = 0x02,
    SR_REC_X86_PV_P2M_FRAMES = 0x03,
    SR_REC_X86_PV_VCPU_BASIC = 0x04,
    SR_REC_X86_PV_VCPU_EXTENDED = 0x05,
    SR_REC_X86_PV_VCPU_XSAVE = 0x06,
    SR_REC_SHARED_INFO = 0x07,
    SR_REC_X86_TSC_INFO = 0x08,
    SR_REC_X86_PV_VCPU_MSRS = 0x0c,
    SR_REC_VERIFY = 0x0d,
    SR_REC_STATIC_DATA_END = 0x10,
    SR_REC_X86_CPUID_POLICY = 0x11,
    SR_REC_X86_MSR_POLICY = 0x12,
};

/* PAGE_DATA: {u32 count, u32 reserved, u64 pfn[count]} then a page per pfn
 * whose type carries data.  Each pfn word: type in bits 60-63. */
#define SR_PAGE_BATCH_MAX 1024
#define SR_PFN_MASK       0x000fffffffffffffull
#define SR_TYPE_SHIFT     60
#define SR_TYPE_NOTAB     0x0
#define SR_TYPE_L1TAB     0x1
#define SR_TYPE_L4TAB     0x4
#define SR_TYPE_PINNED    0x8
#define SR_TYPE_BROKEN    0xd
#define SR_TYPE_XALLOC    0xe
#define SR_TYPE_XTAB      0xf

struct sr_page_data_hdr {
    uint32_t count;
    uint32_t reserved;
} __attribute__((packed));

struct sr_x86_pv_info {
    uint8_t guest_width; /* 8 */
    uint8_t pt_levels;   /* 4 */
    uint8_t reserved[6];
} __attribute__((packed));

struct sr_x86_pv_p2m_frames {
    uint32_t start_pfn;
    uint32_t end_pfn; /* inclusive; then u64 pfn of each p2m frame */
} __attribute__((packed));

struct sr_x86_pv_vcpu_hdr {
    uint32_t vcpu_id;
    uint32_t reserved;
} __attribute__((packed));

struct sr_x86_tsc_info {
    uint32_t mode, khz;
    uint64_t nsec;
    uint32_t incarnation, reserved;
} __attribute__((packed));

/* Entries of a 64-bit p2m frame. */
#define SR_P2M_PER_FRAME 512

/* ---- reading and writing (sr_stream.c) ------------------------------------- */

/* Where a reader or writer is: its fd, the bytes passed so far, and the
 * first error as a sentence. */
struct sr_io {
    int fd;
    uint64_t offset;
    char err[256];
    int64_t end_ms; /* restore: xlt_now_ms() when the libxc END record came (0: not yet) */
};

/* A record as read: body is malloc'd (NULL when length is 0). */
struct sr_record {
    uint32_t type;
    uint32_t length;
    void *body;
};

int sr_fail(struct sr_io *io, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * SIGINT, SIGTERM and SIGHUP while a guest is suspended for a save or a
 * migration: sr_catch_stop_signals() makes them interrupt the transfer (the
 * read or write in progress and every later one fails with -EINTR) instead
 * of killing xl with the guest left suspended, so the caller can resume or
 * destroy what it holds.  sr_stopped() is the signal caught (0 if none);
 * sr_reraise_stop_signal() ends xl by that signal once the caller is done
 * (a caller that finished anyway returns normally).
 */
void sr_catch_stop_signals(void);
/* Hold them back (they stay pending) while a step must not be cut short:
 * asking the guest to suspend, or resuming it. */
void sr_defer_stop_signals(bool defer);
int sr_stopped(void);
/* rc, with io->err saying the transfer was stopped if a signal came (a
 * step that failed because of it, a hypercall or a mapping, said less). */
int sr_fail_if_stopped(struct sr_io *io, int rc);
void sr_reraise_stop_signal(void);

/* Exactly len bytes; a short file is -EIO with "the file ends ...". */
int sr_read_exact(struct sr_io *io, void *buf, size_t len, const char *what);
int sr_write_exact(struct sr_io *io, const void *buf, size_t len);

/* The xl header and its config (malloc'd, NUL-terminated, NULL if none). */
int sr_read_xl_header(struct sr_io *io, char **config, uint32_t *mandatory_flags);
int sr_write_xl_header(struct sr_io *io, const char *config);

int sr_read_libxl_header(struct sr_io *io);
int sr_write_libxl_header(struct sr_io *io);

/* The image and domain headers, checked for a 64-bit x86 PV stream. */
int sr_read_libxc_headers(struct sr_io *io, struct sr_dhdr *dhdr);
int sr_write_libxc_headers(struct sr_io *io, uint32_t xen_major, uint32_t xen_minor);

/* One record, its padding consumed; length above SR_REC_LENGTH_MAX refused. */
int sr_read_record(struct sr_io *io, struct sr_record *rec);
/* The same in two steps: the header (length checked), then the body. */
int sr_read_record_header(struct sr_io *io, struct sr_rhdr *h);
int sr_read_record_body(struct sr_io *io, const struct sr_rhdr *h, struct sr_record *rec);
void sr_record_free(struct sr_record *rec);
/* A record whose body is the n parts given, then its padding. */
int sr_write_record(struct sr_io *io, uint32_t type, unsigned int n, const void *const *parts,
                    const size_t *lens);
int sr_write_record1(struct sr_io *io, uint32_t type, const void *body, size_t len);

/* A PAGE_DATA body checked: count, known types, its exact length.  On
 * success *pfns points at the pfn words and *data at the first page. */
int sr_check_page_data(struct sr_io *io, const struct sr_record *rec, uint32_t *count,
                       const uint64_t **pfns, const uint8_t **data);
/* For a PAGE_DATA record whose header h was read: its page header and pfn
 * words read into head and checked as sr_check_page_data() does; the
 * pages stay in the stream, for the caller to read where they belong. */
#define SR_PAGE_DATA_HEAD_MAX (sizeof(struct sr_page_data_hdr) + SR_PAGE_BATCH_MAX * 8)
int sr_read_page_data_head(struct sr_io *io, const struct sr_rhdr *h,
                           uint64_t head[SR_PAGE_DATA_HEAD_MAX / 8], uint32_t *count,
                           const uint64_t **pfns);
/* Whether a page of this type carries 4096 bytes in PAGE_DATA. */
bool sr_type_has_data(unsigned int type);
bool sr_type_known(unsigned int type);
/* The page-table level of a type (1-4), 0 for anything else. */
unsigned int sr_type_level(unsigned int type);

const char *sr_rec_name(uint32_t type);

/* ---- page tables (sr_pagetables.c) ----------------------------------------- */

#define SR_INVALID_FRAME (~0ull)

/* A domain's pfn -> mfn table and its inverse (sorted pairs). */
struct sr_p2m {
    uint64_t nr_pfns;
    uint64_t *p2m; /* SR_INVALID_FRAME where there is no page */
    struct sr_m2p_entry {
        uint64_t mfn, pfn;
    } * m2p;
    uint64_t nr_m2p;
};

/* Build m2p from p2m (call again after p2m changed). 0 or -ENOMEM. */
int sr_p2m_index(struct sr_p2m *m);
/* The pfn of mfn, SR_INVALID_FRAME if it is not the domain's. */
uint64_t sr_m2p(const struct sr_p2m *m, uint64_t mfn);
void sr_p2m_free(struct sr_p2m *m);

/* Rewrite the 512 entries of a level-`level` table from machine frames to
 * pfns (save), or back with new frames (restore).  L4 slots 256-271 (the
 * hypervisor's) are cleared on save.  Errors name the slot and frame. */
int sr_pt_normalise(uint64_t *pt, unsigned int level, const struct sr_p2m *m, char *err,
                    size_t errlen);
int sr_pt_localise(uint64_t *pt, unsigned int level, const struct sr_p2m *m, char *err,
                   size_t errlen);

#endif /* PVX_SR_STREAM_H */
