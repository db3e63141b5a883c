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
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

/* One PAGE_DATA record for pfns first .. first + n - 1. */
static int write_batch(struct saver *s, uint64_t first, uint32_t n, uint8_t *data)
{
    struct sr_page_data_hdr h = {.count = n};
    uint64_t pfns[SR_PAGE_BATCH_MAX], mfns[SR_PAGE_BATCH_MAX];
    uint32_t k = 0;
    uint8_t *map = NULL;
    char err[200];
    int rc = 0;

    for (uint32_t i = 0; i < n; i++) {
        unsigned int type = s->types[first + i];

        pfns[i] = ((uint64_t)type << SR_TYPE_SHIFT) | (first + i);
        if (sr_type_has_data(type))
            mfns[k++] = s->m.p2m[first + i];
    }
    if (k) {
        map = pvxctl_map_foreign(s->t->ctl, s->domid, PROT_READ, mfns, k, NULL);
        if (!map)
            return ctl_fail(s, -EFAULT);
        memcpy(data, map, (size_t)k << 12);
        pvxctl_unmap(map, k);
    }
    k = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        unsigned int type = s->types[first + i];

        if (!sr_type_has_data(type))
            continue;
        if (sr_type_level(type)) {
            uint64_t *pt = (uint64_t *)(data + ((size_t)k << 12));

            rc = sr_pt_normalise(pt, sr_type_level(type), &s->m, err, sizeof(err));
            if (rc)
                sr_fail(s->io, rc, "page table at pfn %#llx: %s", (unsigned long long)(first + i),
                        err);
            /* A table naming a page the stream will not carry would come
             * back pointing at a blank page: refuse rather than corrupt. */
            for (unsigned int e = 0; !rc && e < 512; e++) {
                uint64_t pfn = (pt[e] & 0x000ffffffffff000ull) >> 12;

                if ((pt[e] & 1) && s->types[pfn] == SR_TYPE_XTAB)
                    rc = sr_fail(s->io, -ERANGE,
                                 "page table at pfn %#llx slot %u names pfn %#llx, which the "
                                 "hypervisor reports as not the guest's",
                                 (unsigned long long)(first + i), e, (unsigned long long)pfn);
            }
        }
        k++;
    }
    if (!rc) {
        const void *parts[] = {&h, pfns, data};
        size_t lens[] = {sizeof(h), n * sizeof(uint64_t), (size_t)k << 12};

        rc = sr_write_record(s->io, SR_REC_PAGE_DATA, 3, parts, lens);
    }
    return rc;
}

static int write_memory(struct saver *s)
{
    uint8_t *data = malloc((size_t)SR_PAGE_BATCH_MAX << 12);
    int rc = 0;

    if (!data)
        return sr_fail(s->io, -ENOMEM, "out of memory");
    for (uint64_t first = 0; !rc && first < s->m.nr_pfns; first += SR_PAGE_BATCH_MAX) {
        uint64_t n = s->m.nr_pfns - first;

        rc = write_batch(s, first, (uint32_t)(n < SR_PAGE_BATCH_MAX ? n : SR_PAGE_BATCH_MAX), data);
    }
    free(data);
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

static int write_records(struct saver *s)
{
    const struct sr_x86_pv_info pv = {.guest_width = 8, .pt_levels = 4};
    const struct sr_x86_tsc_info tsc = {0}; /* pvx has one TSC mode: native */
    unsigned int major = 0, minor = 0;
    int rc = pvxctl_version(s->t->ctl, &major, &minor, NULL, 0);

    if (rc)
        return ctl_fail(s, rc);
    rc = sr_write_libxc_headers(s->io, major, minor);
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_X86_PV_INFO, &pv, sizeof(pv));
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_STATIC_DATA_END, NULL, 0);
    if (!rc)
        rc = write_p2m_frames(s);
    if (!rc)
        rc = write_memory(s);
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_X86_TSC_INFO, &tsc, sizeof(tsc));
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_SHARED_INFO, s->si, 4096);
    for (unsigned int id = 0; !rc && id <= s->info.max_vcpu_id; id++)
        rc = write_vcpu(s, id);
    if (!rc)
        rc = sr_write_record1(s->io, SR_REC_END, NULL, 0);
    return rc;
}

int xlt_sr_save(struct xlt *t, domid_t domid, struct sr_io *io)
{
    struct saver s = {.t = t, .domid = domid, .io = io};
    int rc = pvxctl_domain_info(t->ctl, domid, &s.info);

    if (rc) {
        ctl_fail(&s, rc);
        goto out;
    }
    if (!(s.info.flags & PVX_DOMINF_shutdown) || s.info.shutdown_reason != SHUTDOWN_suspend) {
        rc = sr_fail(io, -EINVAL, "domain %u is not suspended", domid);
        goto out;
    }
    s.si = pvxctl_map_foreign(t->ctl, domid, PROT_READ, &s.info.shared_info_frame, 1, NULL);
    if (!s.si) {
        rc = ctl_fail(&s, -EFAULT);
        goto out;
    }
    rc = read_p2m(&s);
    if (!rc)
        rc = read_types(&s);
    if (!rc)
        rc = sr_write_libxl_header(io);
    if (!rc)
        rc = sr_write_record1(io, SR_LIBXL_REC_LIBXC_CONTEXT, NULL, 0);
    if (!rc)
        rc = write_records(&s);
    if (!rc)
        rc = sr_write_record1(io, SR_LIBXL_REC_END, NULL, 0);
out:
    pvxctl_unmap(s.si, 1);
    sr_p2m_free(&s.m);
    free(s.p2m_frames);
    free(s.types);
    return rc;
}
