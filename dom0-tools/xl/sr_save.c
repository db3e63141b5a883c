/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing a suspended PV domain as a stream (sr.h, docs/migration.md):
 *
 *   1. its p2m, from the frame-list tree the guest publishes in
 *      shared_info.arch (max_pfn, pfn_to_mfn_frame_list_list), as Linux
 *      keeps it; the inverse (m2p) is built from it;
 *   2. the page types of every page (getpageframeinfo);
 *   3. the records, in the order Xen 4.17's saver writes them: PV_INFO,
 *      STATIC_DATA_END, P2M_FRAMES, PAGE_DATA batches (page tables with
 *      pfns in place of frames), TSC_INFO, SHARED_INFO, each online vCPU's
 *      BASIC context (frames as pfns), END; then libxl's END.
 *
 * The domain is only read.  A guest that publishes no p2m cannot be saved.
 *
 * Live (xlt_sr_save_live, for xl migrate): the same records, but the pages
 * go in rounds while the guest runs, under log-dirty mode
 * (PVX_DOMCTL_logdirty): all of them, then those written meanwhile, until
 * few are left or the rounds run out; then the guest is suspended and the
 * last round (log-dirty FINAL) and the tail follow.  The receiver takes a
 * page sent twice as the newer copy, as Xen's restorer does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <public/domctl.h>
#include <public/sched.h>

#include "sr.h"

/* Entries of a 64-bit Linux p2m that name no RAM page: INVALID (~0), and
 * the identity and foreign markers in the two top bits. */
#define P2M_NOT_RAM(e) ((e) >> 62)
/* A p2m larger than this (64 GiB of pfns) is not believed. */
#define MAX_PFNS (1ull << 24)

_Static_assert(sizeof(struct vcpu_guest_context) == 5168, "Xen's 64-bit vCPU context size");

struct saver {
    struct xlt *t;
    domid_t domid;
    struct sr_io *io;
    pvxctl_dominfo_t info;
    shared_info_t *si; /* mapped read-only */
    struct sr_p2m m;
    uint64_t *p2m_frames; /* pfns of the p2m's frames */
    uint64_t nr_p2m_frames;
    uint8_t *types; /* per pfn, SR_TYPE_* */
    /* Live rounds (xlt_sr_save_live): the guest runs while pages go, so
     * types are read per batch and a page that cannot go as it is now is
     * deferred to the next round (bit per pfn). */
    bool live;        /* types per batch; a page may be deferred */
    bool fresh_types; /* types per batch (live rounds and the last one) */
    uint8_t *deferred;
    uint64_t sent; /* pages sent with data in the current round */
};

static int ctl_fail(struct saver *s, int rc)
{
    return sr_fail(s->io, rc, "%s", pvxctl_error(s->t->ctl));
}

/* Map n frames read-only and copy them out. */
static int read_frames(struct saver *s, const uint64_t *mfns, uint64_t n, void *out)
{
    void *p = pvxctl_map_foreign(s->t->ctl, s->domid, PROT_READ, mfns, n, NULL);

    if (!p)
        return ctl_fail(s, -EFAULT);
    memcpy(out, p, n << 12);
    pvxctl_unmap(p, n);
    return 0;
}

/* Step 1: the p2m through its frame-list tree (list of lists -> lists ->
 * p2m frames), and where the p2m frames are. */
static int read_p2m(struct saver *s)
{
    uint64_t max_pfn = s->si->arch.max_pfn, fll = s->si->arch.pfn_to_mfn_frame_list_list;
    uint64_t nr_frames, nr_lists, *lists = NULL, *frames = NULL, top[SR_P2M_PER_FRAME];
    int rc = -EINVAL;

    if (!max_pfn || max_pfn > MAX_PFNS || !fll) {
        sr_fail(s->io, -EINVAL,
                "domain %u has not published its p2m in shared_info (max_pfn %llu, frame list "
                "%#llx): only a PV kernel that supports suspend (Linux) can be saved",
                s->domid, (unsigned long long)max_pfn, (unsigned long long)fll);
        goto out;
    }
    nr_frames = (max_pfn + SR_P2M_PER_FRAME - 1) / SR_P2M_PER_FRAME;
    nr_lists = (nr_frames + SR_P2M_PER_FRAME - 1) / SR_P2M_PER_FRAME;
    lists = malloc(nr_lists * 4096);
    frames = malloc(nr_frames * 4096);
    s->m.p2m = malloc(max_pfn * sizeof(uint64_t));
    s->p2m_frames = malloc(nr_frames * sizeof(uint64_t));
    s->types = malloc(max_pfn);
    if (!lists || !frames || !s->m.p2m || !s->p2m_frames || !s->types) {
        rc = sr_fail(s->io, -ENOMEM, "out of memory for a %llu-page p2m",
                     (unsigned long long)max_pfn);
        goto out;
    }
    rc = read_frames(s, &fll, 1, top);
    if (!rc)
        rc = read_frames(s, top, nr_lists, lists);
    if (!rc)
        rc = read_frames(s, lists, nr_frames, frames);
    if (rc)
        goto out;
    s->m.nr_pfns = max_pfn;
    for (uint64_t pfn = 0; pfn < max_pfn; pfn++)
        s->m.p2m[pfn] = P2M_NOT_RAM(frames[pfn]) ? SR_INVALID_FRAME : frames[pfn];
    rc = sr_p2m_index(&s->m);
    if (rc) {
        sr_fail(s->io, rc, "out of memory for the m2p");
        goto out;
    }
    for (uint64_t i = 0; i < nr_frames; i++) {
        s->p2m_frames[i] = sr_m2p(&s->m, lists[i]);
        if (s->p2m_frames[i] == SR_INVALID_FRAME) {
            rc = sr_fail(s->io, -ERANGE,
                         "p2m frame %llu (machine frame %#llx) is not a page "
                         "of the guest's",
                         (unsigned long long)i, (unsigned long long)lists[i]);
            goto out;
        }
    }
    s->nr_p2m_frames = nr_frames;
out:
    free(lists);
    free(frames);
    return rc;
}

/* Step 2: each pfn's type; pfns without a page are XTAB. */
static int read_types(struct saver *s)
{
    uint64_t *batch = malloc(PVXCTL_FRAME_TYPES_BATCH * sizeof(*batch));
    int rc = 0;

    if (!batch)
        return sr_fail(s->io, -ENOMEM, "out of memory");
    for (uint64_t first = 0; !rc && first < s->m.nr_pfns; first += PVXCTL_FRAME_TYPES_BATCH) {
        uint64_t n = s->m.nr_pfns - first, k = 0, pfns[PVXCTL_FRAME_TYPES_BATCH];

        n = n < PVXCTL_FRAME_TYPES_BATCH ? n : PVXCTL_FRAME_TYPES_BATCH;
        for (uint64_t i = 0; i < n; i++) {
            s->types[first + i] = SR_TYPE_XTAB;
            if (s->m.p2m[first + i] != SR_INVALID_FRAME) {
                pfns[k] = first + i;
                batch[k++] = s->m.p2m[first + i];
            }
        }
        if (!k)
            continue;
        rc = pvxctl_frame_types(s->t->ctl, s->domid, batch, k);
        if (rc) {
            ctl_fail(s, rc);
            break;
        }
        for (uint64_t i = 0; i < k; i++)
            s->types[pfns[i]] = (uint8_t)(batch[i] >> PVX_DOMCTL_PFINFO_SHIFT);
    }
    free(batch);
    if (!rc && s->t->verbose) {
        uint64_t count[16] = {0};

        for (uint64_t pfn = 0; pfn < s->m.nr_pfns; pfn++)
            count[s->types[pfn] & 0xf]++;
        xlt_info(s->t,
                 "domain %u: %llu pfns: %llu plain, L1-L4 %llu/%llu/%llu/%llu (pinned "
                 "%llu/%llu/%llu/%llu), %llu without a page",
                 s->domid, (unsigned long long)s->m.nr_pfns, (unsigned long long)count[0],
                 (unsigned long long)count[1], (unsigned long long)count[2],
                 (unsigned long long)count[3], (unsigned long long)count[4],
                 (unsigned long long)count[9], (unsigned long long)count[10],
                 (unsigned long long)count[11], (unsigned long long)count[12],
                 (unsigned long long)count[15]);
    }
    return rc;
}

static int write_p2m_frames(struct saver *s)
{
    struct sr_x86_pv_p2m_frames h = {.start_pfn = 0, .end_pfn = (uint32_t)(s->m.nr_pfns - 1)};
    const void *parts[] = {&h, s->p2m_frames};
    size_t lens[] = {sizeof(h), s->nr_p2m_frames * sizeof(uint64_t)};

    return sr_write_record(s->io, SR_REC_X86_PV_P2M_FRAMES, 2, parts, lens);
}

/* Each pfn's type now, for a batch taken while the guest runs. */
static int batch_types(struct saver *s, const uint64_t *pfns, uint32_t n)
{
    uint64_t mfns[SR_PAGE_BATCH_MAX];
    uint32_t k = 0;
    int rc;

    for (uint32_t i = 0; i < n; i++) {
        s->types[pfns[i]] = SR_TYPE_XTAB;
        if (s->m.p2m[pfns[i]] != SR_INVALID_FRAME)
            mfns[k++] = s->m.p2m[pfns[i]];
    }
    if (!k)
        return 0;
    rc = pvxctl_frame_types(s->t->ctl, s->domid, mfns, k);
    if (rc)
        return ctl_fail(s, rc);
    k = 0;
    for (uint32_t i = 0; i < n; i++)
        if (s->m.p2m[pfns[i]] != SR_INVALID_FRAME)
            s->types[pfns[i]] = (uint8_t)(mfns[k++] >> PVX_DOMCTL_PFINFO_SHIFT);
    return 0;
}

static void defer(struct saver *s, uint64_t pfn)
{
    s->deferred[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
}

/* A page table with pfns in place of frames, checked to name only pages
 * the stream carries. */
static int normalise(struct saver *s, uint64_t pfn, uint64_t *pt, unsigned int level)
{
    char err[200];
    int rc = sr_pt_normalise(pt, level, &s->m, err, sizeof(err));

    if (rc)
        return sr_fail(s->io, rc, "page table at pfn %#llx: %s", (unsigned long long)pfn, err);
    /* A table naming a page the stream will not carry would come back
     * pointing at a blank page: refuse rather than corrupt. */
    for (unsigned int e = 0; e < 512; e++) {
        uint64_t to = (pt[e] & 0x000ffffffffff000ull) >> 12;

        if ((pt[e] & 1) && s->types[to] == SR_TYPE_XTAB)
            return sr_fail(s->io, -ERANGE,
                           "page table at pfn %#llx slot %u names pfn %#llx, which the "
                           "hypervisor reports as not the guest's",
                           (unsigned long long)pfn, e, (unsigned long long)to);
    }
    return 0;
}

/* The pieces of one record, adjacent pieces merged: a run of plain pages
 * in the mapping goes in one write. */
struct pieces {
    unsigned int n;
    const void *part[2 + SR_PAGE_BATCH_MAX];
    size_t len[2 + SR_PAGE_BATCH_MAX];
};

static void add_piece(struct pieces *p, const void *at, size_t len)
{
    if (p->n > 2 && (const uint8_t *)p->part[p->n - 1] + p->len[p->n - 1] == at) {
        p->len[p->n - 1] += len;
        return;
    }
    p->part[p->n] = at;
    p->len[p->n++] = len;
}

/*
 * One PAGE_DATA record for n pfns.  Plain pages are written straight from
 * the foreign mapping (under TCG a copy of every page costs as much as the
 * rest of the save); page tables are normalised in tables, a scratch area
 * of SR_PAGE_BATCH_MAX pages.  While the guest runs (s->live), types are
 * read afresh and a page that cannot be taken as it is now (a table in the
 * middle of a change, a frame just given back) goes as XTAB, without data,
 * and into s->deferred for the last round.
 */
static int send_batch(struct saver *s, const uint64_t *pfns, uint32_t n, uint8_t *tables)
{
    struct sr_page_data_hdr h = {.count = n};
    uint64_t words[SR_PAGE_BATCH_MAX], mfns[SR_PAGE_BATCH_MAX];
    struct pieces *p = NULL;
    uint32_t k = 0, mapped, kept = 0, nr_tables = 0;
    uint8_t *map = NULL;
    int rc = s->fresh_types ? batch_types(s, pfns, n) : 0;

    if (rc)
        return rc;
    for (uint32_t i = 0; i < n; i++)
        if (sr_type_has_data(s->types[pfns[i]]))
            mfns[k++] = s->m.p2m[pfns[i]];
    mapped = k;
    if (k) {
        map = pvxctl_map_foreign(s->t->ctl, s->domid, PROT_READ, mfns, k, NULL);
        if (!map && !s->live)
            return ctl_fail(s, -EFAULT);
        if (!map) {
            for (uint32_t i = 0; i < n; i++)
                defer(s, pfns[i]);
            return 0;
        }
    }
    p = malloc(sizeof(*p));
    if (!p) {
        rc = sr_fail(s->io, -ENOMEM, "out of memory");
        goto out;
    }
    p->n = 2;
    k = 0;
    for (uint32_t i = 0; i < n; i++) {
        unsigned int type = s->types[pfns[i]];

        if (sr_type_has_data(type)) {
            const uint8_t *page = map + ((size_t)k++ << 12);

            if (sr_type_level(type)) {
                uint8_t *pt = tables + ((size_t)nr_tables << 12);

                memcpy(pt, page, 4096);
                rc = normalise(s, pfns[i], (uint64_t *)pt, sr_type_level(type));
                if (rc && !s->live)
                    goto out;
                page = pt;
            }
            if (rc) {
                /* Not a failure: the page goes again later.  Its message
                 * must not stand as the save's first error. */
                xlt_info(s->t, "deferred: %s", s->io->err);
                s->io->err[0] = '\0';
                defer(s, pfns[i]);
                type = SR_TYPE_XTAB;
                rc = 0;
            } else {
                nr_tables += sr_type_level(type) != 0;
                add_piece(p, page, 4096);
                kept++;
            }
        }
        words[i] = ((uint64_t)type << SR_TYPE_SHIFT) | pfns[i];
    }
    s->sent += kept;
    p->part[0] = &h;
    p->len[0] = sizeof(h);
    p->part[1] = words;
    p->len[1] = n * sizeof(uint64_t);
    rc = sr_write_record(s->io, SR_REC_PAGE_DATA, p->n, p->part, p->len);
out:
    free(p);
    if (map)
        pvxctl_unmap(map, mapped);
    return rc;
}

static int write_memory(struct saver *s)
{
    uint8_t *tables = malloc((size_t)SR_PAGE_BATCH_MAX << 12);
    uint64_t pfns[SR_PAGE_BATCH_MAX];
    int rc = 0;

    if (!tables)
        return sr_fail(s->io, -ENOMEM, "out of memory");
    for (uint64_t first = 0; !rc && first < s->m.nr_pfns; first += SR_PAGE_BATCH_MAX) {
        uint64_t n = s->m.nr_pfns - first;

        n = n < SR_PAGE_BATCH_MAX ? n : SR_PAGE_BATCH_MAX;
        for (uint64_t i = 0; i < n; i++)
            pfns[i] = first + i;
        rc = send_batch(s, pfns, (uint32_t)n, tables);
    }
    free(tables);
    return rc;
}

/* The pages whose bits are set in bitmap (nr_pfns bits), which is cleared. */
static int write_marked(struct saver *s, uint8_t *bitmap)
{
    uint8_t *tables = malloc((size_t)SR_PAGE_BATCH_MAX << 12);
    uint64_t pfns[SR_PAGE_BATCH_MAX];
    uint32_t n = 0;
    int rc = 0;

    if (!tables)
        return sr_fail(s->io, -ENOMEM, "out of memory");
    for (uint64_t pfn = 0; !rc && pfn < s->m.nr_pfns; pfn++) {
        if (!(bitmap[pfn / 8] & (1u << (pfn % 8))))
            continue;
        bitmap[pfn / 8] &= (uint8_t) ~(1u << (pfn % 8));
        pfns[n++] = pfn;
        if (n == SR_PAGE_BATCH_MAX) {
            rc = send_batch(s, pfns, n, tables);
            n = 0;
        }
    }
    if (!rc && n)
        rc = send_batch(s, pfns, n, tables);
    free(tables);
    return rc;
}

/* A frame named in a vCPU context, as a pfn. */
static int frame_to_pfn(struct saver *s, uint64_t mfn, uint64_t *pfn, unsigned int vcpu,
                        const char *what)
{
    *pfn = sr_m2p(&s->m, mfn);
    if (*pfn == SR_INVALID_FRAME)
        return sr_fail(s->io, -ERANGE,
                       "vCPU %u: %s (machine frame %#llx) is not a page of the "
                       "guest's",
                       vcpu, what, (unsigned long long)mfn);
    return 0;
}

static int write_vcpu(struct saver *s, unsigned int id)
{
    struct sr_x86_pv_vcpu_hdr h = {.vcpu_id = id};
    struct vcpu_guest_context c;
    uint64_t pfn;
    int rc = pvxctl_vcpu_getcontext(s->t->ctl, s->domid, id, &c);

    if (rc)
        return ctl_fail(s, rc);
    if (!(c.flags & VGCF_online))
        return 0; /* down: it comes back when the guest brings it up */
    /* Linux passes its start_info frame to SCHEDOP_shutdown in rdx. */
    if (id == 0) {
        rc = frame_to_pfn(s, c.user_regs.rdx, &pfn, id, "start_info (rdx)");
        if (rc)
            return rc;
        c.user_regs.rdx = pfn;
    }
    for (unsigned int i = 0; i < (c.gdt_ents + 511) / 512 && i < 16; i++) {
        rc = frame_to_pfn(s, c.gdt_frames[i], &pfn, id, "a GDT frame");
        if (rc)
            return rc;
        c.gdt_frames[i] = pfn;
    }
    rc = frame_to_pfn(s, c.ctrlreg[3] >> 12, &pfn, id, "the kernel L4 (cr3)");
    if (rc)
        return rc;
    c.ctrlreg[3] = pfn << 12;
    if (c.ctrlreg[1]) {
        rc = frame_to_pfn(s, c.ctrlreg[1] >> 12, &pfn, id, "the user L4 (cr1)");
        if (rc)
            return rc;
        c.ctrlreg[1] = (pfn << 12) | 1; /* bit 0: there is one */
    }
    {
        const void *parts[] = {&h, &c};
        size_t lens[] = {sizeof(h), sizeof(c)};

        return sr_write_record(s->io, SR_REC_X86_PV_VCPU_BASIC, 2, parts, lens);
    }
}

/* Everything before the pages: the libxl and libxc headers, PV_INFO,
 * STATIC_DATA_END, P2M_FRAMES. */
static int write_head(struct saver *s)
{
    const struct sr_x86_pv_info pv = {.guest_width = 8, .pt_levels = 4};
    unsigned int major = 0, minor = 0;
    int rc = pvxctl_version(s->t->ctl, &major, &minor, NULL, 0);

    if (rc)
        return ctl_fail(s, rc);
    rc = sr_write_libxl_header(s->io);
    if (!rc)
        rc = sr_write_record1(s->io, SR_LIBXL_REC_LIBXC_CONTEXT, NULL, 0);
    if (!rc)
        rc = sr_write_libxc_headers(s->io, major, minor);
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_X86_PV_INFO, &pv, sizeof(pv));
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_STATIC_DATA_END, NULL, 0);
    if (!rc)
        rc = write_p2m_frames(s);
    return rc;
}

/* Everything after the pages, for a suspended domain: TSC_INFO,
 * SHARED_INFO, each vCPU, END, libxl's END. */
static int write_tail(struct saver *s)
{
    const struct sr_x86_tsc_info tsc = {0}; /* pvx has one TSC mode: native */
    int rc = sr_write_record1(s->io, SR_REC_X86_TSC_INFO, &tsc, sizeof(tsc));

    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_SHARED_INFO, s->si, 4096);
    for (unsigned int id = 0; !rc && id <= s->info.max_vcpu_id; id++)
        rc = write_vcpu(s, id);
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_END, NULL, 0);
    if (!rc)
        rc = sr_write_record1(s->io, SR_LIBXL_REC_END, NULL, 0);
    return rc;
}

/* Domain info, shared_info, p2m, first page types: common to both savers. */
static int saver_start(struct saver *s)
{
    int rc = pvxctl_domain_info(s->t->ctl, s->domid, &s->info);

    if (rc)
        return ctl_fail(s, rc);
    s->si = pvxctl_map_foreign(s->t->ctl, s->domid, PROT_READ, &s->info.shared_info_frame, 1, NULL);
    if (!s->si)
        return ctl_fail(s, -EFAULT);
    rc = read_p2m(s);
    if (!rc)
        rc = read_types(s);
    return rc;
}

static void saver_end(struct saver *s)
{
    pvxctl_unmap(s->si, 1);
    sr_p2m_free(&s->m);
    free(s->p2m_frames);
    free(s->types);
    free(s->deferred);
}

int xlt_sr_save(struct xlt *t, domid_t domid, struct sr_io *io)
{
    struct saver s = {.t = t, .domid = domid, .io = io};
    int64_t start = xlt_now_ms();
    int rc = saver_start(&s);

    if (rc)
        goto out;
    if (!(s.info.flags & PVX_DOMINF_shutdown) || s.info.shutdown_reason != SHUTDOWN_suspend) {
        rc = sr_fail(io, -EINVAL, "domain %u is not suspended", domid);
        goto out;
    }
    xlt_info(t, "domain %u: p2m and page types read in %lld ms", domid,
             (long long)(xlt_now_ms() - start));
    start = xlt_now_ms();
    rc = write_head(&s);
    if (!rc)
        rc = write_memory(&s);
    if (!rc)
        rc = write_tail(&s);
    if (!rc)
        xlt_info(t, "domain %u: %llu pfns written in %lld ms", domid,
                 (unsigned long long)s.m.nr_pfns, (long long)(xlt_now_ms() - start));
out:
    saver_end(&s);
    return rc;
}

/* The p2m the guest has now is the one the stream began with: pages given
 * back or taken during the rounds (ballooning) are not followed. */
static int p2m_unchanged(struct saver *s)
{
    uint64_t mfns[SR_PAGE_BATCH_MAX], n = s->nr_p2m_frames;
    int rc = 0;

    for (uint64_t first = 0; !rc && first < n; first += SR_PAGE_BATCH_MAX) {
        uint64_t k = n - first < SR_PAGE_BATCH_MAX ? n - first : SR_PAGE_BATCH_MAX;
        const uint64_t *p;

        for (uint64_t i = 0; i < k; i++)
            mfns[i] = s->m.p2m[s->p2m_frames[first + i]];
        p = pvxctl_map_foreign(s->t->ctl, s->domid, PROT_READ, mfns, k, NULL);
        if (!p)
            return ctl_fail(s, -EFAULT);
        for (uint64_t i = 0; i < k * SR_P2M_PER_FRAME && !rc; i++) {
            uint64_t pfn = first * SR_P2M_PER_FRAME + i;
            uint64_t now = P2M_NOT_RAM(p[i]) ? SR_INVALID_FRAME : p[i];

            if (pfn < s->m.nr_pfns && now != s->m.p2m[pfn])
                rc = sr_fail(s->io, -EBUSY,
                             "the guest changed its memory while it was copied (pfn %#llx: "
                             "frame %#llx, was %#llx; ballooning?): it runs on here",
                             (unsigned long long)pfn, (unsigned long long)now,
                             (unsigned long long)s->m.p2m[pfn]);
        }
        pvxctl_unmap((void *)p, k);
    }
    return rc;
}

static int logdirty(struct saver *s, uint32_t op, uint8_t *bitmap, uint64_t *dirty)
{
    int rc = pvxctl_logdirty(s->t->ctl, s->domid, op, s->m.nr_pfns, bitmap, dirty);

    return rc ? ctl_fail(s, rc) : 0;
}

static uint64_t count_bits(const uint8_t *bitmap, uint64_t nr)
{
    uint64_t n = 0;

    for (uint64_t i = 0; i < (nr + 7) / 8; i++)
        n += (uint64_t)__builtin_popcount(bitmap[i]);
    return n;
}

int xlt_sr_save_live(struct xlt *t, domid_t domid, struct sr_io *io, struct sr_live *l)
{
    struct saver s = {.t = t, .domid = domid, .io = io, .live = true, .fresh_types = true};
    uint64_t bytes, dirty = 0;
    uint8_t *bitmap = NULL;
    bool tracking = false;
    int64_t start;
    int rc = saver_start(&s);

    l->suspended = false;
    l->rounds = 0;
    if (rc)
        goto out;
    if (s.info.flags & (PVX_DOMINF_shutdown | PVX_DOMINF_dying)) {
        rc = sr_fail(io, -EINVAL, "domain %u is not running", domid);
        goto out;
    }
    bytes = (s.m.nr_pfns + 7) / 8;
    s.deferred = calloc(1, bytes);
    bitmap = calloc(1, bytes);
    if (!s.deferred || !bitmap) {
        rc = sr_fail(io, -ENOMEM, "out of memory");
        goto out;
    }
    rc = write_head(&s);
    if (!rc)
        rc = logdirty(&s, PVX_LOGDIRTY_ENABLE, NULL, NULL);
    if (rc)
        goto out;
    tracking = true;
    /* Round 1: every page, while the guest runs; then what it wrote
     * meanwhile, until little is left or the rounds run out. */
    for (;;) {
        start = xlt_now_ms();
        s.sent = 0;
        rc = l->rounds ? write_marked(&s, bitmap) : write_memory(&s);
        if (rc)
            goto out;
        l->rounds++;
        if (!rc)
            rc = logdirty(&s, PVX_LOGDIRTY_CLEAN, bitmap, &dirty);
        if (rc)
            goto out;
        for (uint64_t i = 0; i < bytes; i++)
            bitmap[i] |= s.deferred[i];
        memset(s.deferred, 0, bytes);
        dirty = count_bits(bitmap, s.m.nr_pfns);
        fprintf(stderr, "migration sender: round %u: %llu pages sent in %lld ms; %llu dirty\n",
                l->rounds, (unsigned long long)s.sent, (long long)(xlt_now_ms() - start),
                (unsigned long long)dirty);
        if (dirty <= l->max_dirty || l->rounds >= l->max_rounds)
            break;
    }
    /* The rest with the guest stopped: what the last round left, and what
     * it writes until it has suspended. */
    start = xlt_now_ms();
    rc = l->suspend(t, domid);
    if (rc) {
        sr_fail(io, rc, "the guest did not suspend: it runs on here");
        goto out;
    }
    l->suspended = true;
    memcpy(s.deferred, bitmap, bytes);
    rc = logdirty(&s, PVX_LOGDIRTY_FINAL, bitmap, NULL);
    if (rc)
        goto out;
    tracking = false;
    for (uint64_t i = 0; i < bytes; i++)
        bitmap[i] |= s.deferred[i];
    memset(s.deferred, 0, bytes);
    rc = p2m_unchanged(&s);
    if (rc)
        goto out;
    s.live = false; /* the guest is stopped: everything must go now */
    s.sent = 0;
    rc = pvxctl_domain_info(t->ctl, domid, &s.info); /* vCPUs as they are now */
    if (rc) {
        ctl_fail(&s, rc);
        goto out;
    }
    rc = write_marked(&s, bitmap);
    if (!rc)
        rc = write_tail(&s);
    l->last_pages = s.sent;
    l->last_ms = xlt_now_ms() - start;
    if (!rc)
        fprintf(stderr,
                "migration sender: last round, guest suspended: %llu pages; %lld ms from the "
                "suspend request to the end of the stream\n",
                (unsigned long long)s.sent, (long long)l->last_ms);
out:
    if (tracking)
        pvxctl_logdirty(t->ctl, domid, PVX_LOGDIRTY_OFF, s.m.nr_pfns, NULL, NULL);
    free(bitmap);
    saver_end(&s);
    return sr_fail_if_stopped(io, rc);
}
