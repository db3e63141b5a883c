/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Filling a new domain from a stream (sr.h, docs/migration.md).  Records
 * are checked before anything is done with them; the order rules are
 * Xen's (PV_INFO before P2M_FRAMES and SHARED_INFO, P2M_FRAMES before
 * PAGE_DATA, vCPU 0 mandatory).  Pages are given to the domain as they
 * are first needed: by their own PAGE_DATA entry, or by a page table that
 * names them.  At END, in this order:
 *
 *   - the guest's p2m frames get the new frames (INVALID where none);
 *   - start_info gets the new store/console frames and event channels,
 *     nr_pages and the shared_info address;
 *   - the page tables the stream says were pinned are pinned (pvx validates
 *     every entry as for any guest);
 *   - each vCPU's context, its frames back from pfns.
 *
 * The caller destroys the domain on any failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sr.h"

#define MAX_PFNS (1ull << 24) /* as the saver: 64 GiB */

struct restorer {
    struct xlt *t;
    struct xlt_sr_restore *r;
    struct sr_io *io;
    pvxctl_dominfo_t info;
    bool have_info, static_done;
    struct sr_p2m m;
    uint8_t *types;       /* per pfn: SR_TYPE_*, XTAB until seen */
    uint64_t *p2m_frames; /* pfns of the guest's p2m frames */
    uint64_t nr_p2m_frames;
    struct vcpu_guest_context **vcpus; /* stashed until END */
};

static int ctl_fail(struct restorer *s, int rc)
{
    return sr_fail(s->io, rc, "%s", pvxctl_error(s->t->ctl));
}

static int rec_len(struct restorer *s, const struct sr_record *rec, uint64_t want)
{
    if (rec->length == want)
        return 0;
    return sr_fail(s->io, -EINVAL, "%s record of %u bytes (%llu expected)", sr_rec_name(rec->type),
                   rec->length, (unsigned long long)want);
}

static int pv_info(struct restorer *s, const struct sr_record *rec)
{
    const struct sr_x86_pv_info *pv = rec->body;
    int rc = rec_len(s, rec, sizeof(*pv));

    if (rc)
        return rc;
    if (pv->guest_width != 8 || pv->pt_levels != 4)
        return sr_fail(s->io, -EINVAL,
                       "a %u-byte guest with %u page-table levels: pvx runs 64-bit PV guests "
                       "(8 bytes, 4 levels) only",
                       pv->guest_width, pv->pt_levels);
    s->have_info = true;
    return 0;
}

static int p2m_frames(struct restorer *s, const struct sr_record *rec)
{
    const struct sr_x86_pv_p2m_frames *h = rec->body;
    uint64_t nr_pfns, nr_frames;
    int rc;

    if (!s->have_info)
        return sr_fail(s->io, -EINVAL, "X86_PV_P2M_FRAMES before X86_PV_INFO");
    if (s->m.p2m)
        return sr_fail(s->io, -EINVAL, "a second X86_PV_P2M_FRAMES record (pvx saves once)");
    if (rec->length < sizeof(*h))
        return rec_len(s, rec, sizeof(*h));
    if (h->start_pfn != 0 || h->end_pfn >= MAX_PFNS)
        return sr_fail(s->io, -EINVAL, "X86_PV_P2M_FRAMES for pfns %u-%u: pvx takes 0 up to %llu",
                       h->start_pfn, h->end_pfn, MAX_PFNS - 1);
    nr_pfns = (uint64_t)h->end_pfn + 1;
    nr_frames = (nr_pfns + SR_P2M_PER_FRAME - 1) / SR_P2M_PER_FRAME;
    rc = rec_len(s, rec, sizeof(*h) + nr_frames * 8);
    if (rc)
        return rc;
    s->m.p2m = malloc(nr_pfns * sizeof(uint64_t));
    s->types = malloc(nr_pfns);
    s->p2m_frames = malloc(nr_frames * sizeof(uint64_t));
    if (!s->m.p2m || !s->types || !s->p2m_frames)
        return sr_fail(s->io, -ENOMEM, "out of memory for %llu pfns", (unsigned long long)nr_pfns);
    memset(s->m.p2m, 0xff, nr_pfns * sizeof(uint64_t)); /* SR_INVALID_FRAME */
    memset(s->types, SR_TYPE_XTAB, nr_pfns);
    memcpy(s->p2m_frames, h + 1, nr_frames * 8);
    for (uint64_t i = 0; i < nr_frames; i++)
        if (s->p2m_frames[i] >= nr_pfns)
            return sr_fail(s->io, -EINVAL, "p2m frame %llu is pfn %#llx, beyond the p2m",
                           (unsigned long long)i, (unsigned long long)s->p2m_frames[i]);
    s->m.nr_pfns = nr_pfns;
    s->nr_p2m_frames = nr_frames;
    return 0;
}

/* Give the domain a page for each pfn in want[] that has none yet. */
static int populate(struct restorer *s, uint64_t *want, uint64_t n)
{
    uint64_t k = 0;
    int rc;

    for (uint64_t i = 0; i < n; i++) {
        if (s->m.p2m[want[i]] != SR_INVALID_FRAME)
            continue;
        s->m.p2m[want[i]] = 0; /* taken: a duplicate in want[] is skipped */
        want[k++] = want[i];
    }
    if (!k)
        return 0;
    {
        uint64_t *mfns = malloc(k * sizeof(*mfns));

        if (!mfns)
            return sr_fail(s->io, -ENOMEM, "out of memory");
        rc = pvxctl_populate_physmap(s->t->ctl, s->r->domid, want, mfns, k);
        for (uint64_t i = 0; i < k; i++)
            s->m.p2m[want[i]] = rc < 0 ? SR_INVALID_FRAME : mfns[i];
        free(mfns);
    }
    if (rc < 0)
        return ctl_fail(s, rc);
    s->r->nr_pages += k;
    return 0;
}

/* The pfns a page table names that are not populated yet. */
static void referenced(const struct restorer *s, const uint64_t *pt, unsigned int level,
                       uint64_t *want, uint64_t *n)
{
    for (unsigned int i = 0; i < 512; i++) {
        uint64_t pfn = (pt[i] & 0x000ffffffffff000ull) >> 12;

        if (!(pt[i] & 1) || (level == 4 && i >= 256 && i <= 271))
            continue;
        if (pfn < s->m.nr_pfns && s->m.p2m[pfn] == SR_INVALID_FRAME)
            want[(*n)++] = pfn;
    }
}

/*
 * One PAGE_DATA record, its header h read.  The pages are read from the
 * stream straight into the domain's new frames (under TCG a copy through
 * a buffer costs as much as the read); then the frames the batch's page
 * tables name are populated too and the tables localised.
 */
static int page_data(struct restorer *s, const struct sr_rhdr *h)
{
    uint64_t head[SR_PAGE_DATA_HEAD_MAX / 8];
    const uint64_t *words;
    uint64_t *want = NULL, nwant = 0, mfns[SR_PAGE_BATCH_MAX];
    uint32_t count, k = 0;
    uint8_t *map = NULL, *page;
    char err[200];
    int rc;

    if (!s->m.p2m)
        return sr_fail(s->io, -EINVAL, "PAGE_DATA before X86_PV_P2M_FRAMES");
    rc = sr_read_page_data_head(s->io, h, head, &count, &words);
    if (rc)
        return rc;
    /* The batch's own pages, or up to 512 per page table it holds. */
    want = malloc((uint64_t)count * 512 * sizeof(*want));
    if (!want)
        return sr_fail(s->io, -ENOMEM, "out of memory");
    for (uint32_t i = 0; i < count; i++) {
        uint64_t pfn = words[i] & SR_PFN_MASK;
        unsigned int type = (unsigned int)(words[i] >> SR_TYPE_SHIFT);

        if (pfn >= s->m.nr_pfns) {
            rc = sr_fail(s->io, -EINVAL, "PAGE_DATA names pfn %#llx, outside the domain's %llu",
                         (unsigned long long)pfn, (unsigned long long)s->m.nr_pfns);
            goto out;
        }
        if (type != SR_TYPE_XTAB && type != SR_TYPE_BROKEN)
            want[nwant++] = pfn;
    }
    rc = populate(s, want, nwant);
    if (rc)
        goto out;
    for (uint32_t i = 0; i < count; i++) {
        unsigned int type = (unsigned int)(words[i] >> SR_TYPE_SHIFT);

        s->types[words[i] & SR_PFN_MASK] = (uint8_t)type;
        if (sr_type_has_data(type))
            mfns[k++] = s->m.p2m[words[i] & SR_PFN_MASK];
    }
    if (!k)
        goto out;
    map = pvxctl_map_foreign(s->t->ctl, s->r->domid, PROT_READ | PROT_WRITE, mfns, k, NULL);
    if (!map) {
        rc = ctl_fail(s, -EFAULT);
        goto out;
    }
    rc = sr_read_exact(s->io, map, (size_t)k << 12, "PAGE_DATA's pages");
    if (rc)
        goto out;
    nwant = 0;
    page = map;
    for (uint32_t i = 0; i < count; i++) {
        unsigned int type = (unsigned int)(words[i] >> SR_TYPE_SHIFT);

        if (!sr_type_has_data(type))
            continue;
        if (sr_type_level(type))
            referenced(s, (const uint64_t *)page, sr_type_level(type), want, &nwant);
        page += 4096;
    }
    rc = populate(s, want, nwant);
    if (rc)
        goto out;
    page = map;
    for (uint32_t i = 0; i < count; i++) {
        unsigned int type = (unsigned int)(words[i] >> SR_TYPE_SHIFT);

        if (!sr_type_has_data(type))
            continue;
        if (sr_type_level(type)) {
            rc = sr_pt_localise((uint64_t *)page, sr_type_level(type), &s->m, err, sizeof(err));
            if (rc) {
                sr_fail(s->io, rc, "page table at pfn %#llx: %s",
                        (unsigned long long)(words[i] & SR_PFN_MASK), err);
                goto out;
            }
        }
        page += 4096;
    }
out:
    /* No mapping of ours may stay: pinning needs the tables read-only. */
    if (map)
        pvxctl_unmap(map, k);
    free(want);
    return rc;
}

static int shared_info(struct restorer *s, const struct sr_record *rec)
{
    const shared_info_t *old = rec->body;
    shared_info_t *si;
    int rc;

    if (!s->have_info)
        return sr_fail(s->io, -EINVAL, "SHARED_INFO before X86_PV_INFO");
    rc = rec_len(s, rec, 4096);
    if (rc)
        return rc;
    si = pvxctl_map_foreign(s->t->ctl, s->r->domid, PROT_READ | PROT_WRITE,
                            &s->info.shared_info_frame, 1, NULL);
    if (!si)
        return ctl_fail(s, -EFAULT);
    /* The guest's vCPU and p2m fields; the clock stays the new domain's.
     * Every event starts masked and not pending: the guest binds its
     * channels again and unmasks them itself. */
    memcpy(si->vcpu_info, old->vcpu_info, sizeof(si->vcpu_info));
    si->arch = old->arch;
    si->arch.pfn_to_mfn_frame_list_list = 0;
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        si->vcpu_info[i].evtchn_pending_sel = 0;
    memset(si->evtchn_pending, 0, sizeof(si->evtchn_pending));
    memset(si->evtchn_mask, 0xff, sizeof(si->evtchn_mask));
    pvxctl_unmap(si, 1);
    return 0;
}

static int vcpu_basic(struct restorer *s, const struct sr_record *rec)
{
    const struct sr_x86_pv_vcpu_hdr *h = rec->body;
    int rc = rec_len(s, rec, sizeof(*h) + sizeof(struct vcpu_guest_context));

    if (rc)
        return rc;
    if (h->vcpu_id > s->info.max_vcpu_id)
        return sr_fail(s->io, -EINVAL,
                       "a context for vCPU %u: the domain has %u vCPUs (its "
                       "config's maxvcpus)",
                       h->vcpu_id, s->info.max_vcpu_id + 1);
    if (s->vcpus[h->vcpu_id])
        return sr_fail(s->io, -EINVAL, "two contexts for vCPU %u", h->vcpu_id);
    s->vcpus[h->vcpu_id] = malloc(sizeof(struct vcpu_guest_context));
    if (!s->vcpus[h->vcpu_id])
        return sr_fail(s->io, -ENOMEM, "out of memory");
    memcpy(s->vcpus[h->vcpu_id], h + 1, sizeof(struct vcpu_guest_context));
    return 0;
}

/* pfn's new frame, for a context or start_info field; it must be a page
 * of the type given (SR_TYPE_L4TAB: a page table of that level). */
static int frame_of(struct restorer *s, uint64_t pfn, unsigned int level, const char *what,
                    uint64_t *mfn)
{
    if (pfn >= s->m.nr_pfns || s->m.p2m[pfn] == SR_INVALID_FRAME)
        return sr_fail(s->io, -EINVAL, "%s is pfn %#llx, which the stream has no page for", what,
                       (unsigned long long)pfn);
    if (sr_type_level(s->types[pfn]) != level)
        return sr_fail(s->io, -EINVAL, "%s (pfn %#llx) has page type %#x, not %s", what,
                       (unsigned long long)pfn, s->types[pfn],
                       level ? "a top-level page table" : "a plain page");
    *mfn = s->m.p2m[pfn];
    return 0;
}

static int write_p2m(struct restorer *s)
{
    uint64_t *mfns = malloc(s->nr_p2m_frames * sizeof(*mfns)), *p2m;
    int rc = 0;

    if (!mfns)
        return sr_fail(s->io, -ENOMEM, "out of memory");
    for (uint64_t i = 0; !rc && i < s->nr_p2m_frames; i++)
        rc = frame_of(s, s->p2m_frames[i], 0, "a p2m frame", &mfns[i]);
    if (rc)
        goto out;
    p2m = pvxctl_map_foreign(s->t->ctl, s->r->domid, PROT_READ | PROT_WRITE, mfns, s->nr_p2m_frames,
                             NULL);
    if (!p2m) {
        rc = ctl_fail(s, -EFAULT);
        goto out;
    }
    /* Frames the guest shares between p2m ranges (its "missing" page) are
     * written more than once; what they hold is INVALID either way. */
    for (uint64_t i = 0; i < s->nr_p2m_frames * SR_P2M_PER_FRAME; i++)
        p2m[i] = i < s->m.nr_pfns ? s->m.p2m[i] : SR_INVALID_FRAME;
    pvxctl_unmap(p2m, s->nr_p2m_frames);
out:
    free(mfns);
    return rc;
}

static int start_info(struct restorer *s, uint64_t si_mfn)
{
    start_info_t *si =
        pvxctl_map_foreign(s->t->ctl, s->r->domid, PROT_READ | PROT_WRITE, &si_mfn, 1, NULL);
    int rc;

    if (!si)
        return ctl_fail(s, -EFAULT);
    /* The guest turned its ring frames into pfns before it suspended. */
    rc = frame_of(s, si->store_mfn, 0, "start_info's xenstore page", &s->r->store_mfn);
    if (!rc)
        rc = frame_of(s, si->console.domU.mfn, 0, "start_info's console page", &s->r->console_mfn);
    if (!rc) {
        si->store_mfn = s->r->store_mfn;
        si->store_evtchn = s->r->store_port;
        si->console.domU.mfn = s->r->console_mfn;
        si->console.domU.evtchn = s->r->console_port;
        si->nr_pages = s->m.nr_pfns;
        si->shared_info = s->info.shared_info_frame << 12;
        si->flags = 0;
    }
    pvxctl_unmap(si, 1);
    return rc;
}

static int pin_tables(struct restorer *s)
{
    if (s->t->verbose) {
        uint64_t orphans = 0;

        /* Pages a page table named that the stream gave no data for. */
        for (uint64_t pfn = 0; pfn < s->m.nr_pfns; pfn++)
            if (s->m.p2m[pfn] != SR_INVALID_FRAME && s->types[pfn] == SR_TYPE_XTAB) {
                if (orphans++ < 8)
                    xlt_info(s->t, "pfn %#llx: named by a page table, not in the stream",
                             (unsigned long long)pfn);
            }
        xlt_info(s->t, "domain %u: %llu pages, %llu named by page tables only", s->r->domid,
                 (unsigned long long)s->r->nr_pages, (unsigned long long)orphans);
    }
    for (uint64_t pfn = 0; pfn < s->m.nr_pfns; pfn++) {
        unsigned int type = s->types[pfn];
        int rc;

        if (!(type & SR_TYPE_PINNED) || !sr_type_level(type))
            continue;
        rc = pvxctl_pin_table(s->t->ctl, s->r->domid, sr_type_level(type), s->m.p2m[pfn]);
        if (rc)
            return sr_fail(s->io, rc, "pfn %#llx: %s", (unsigned long long)pfn,
                           pvxctl_error(s->t->ctl));
    }
    return 0;
}

static int set_vcpu(struct restorer *s, unsigned int id, uint64_t *si_mfn)
{
    struct vcpu_guest_context *c = s->vcpus[id];
    uint64_t mfn;
    int rc;

    if (id == 0) {
        rc = frame_of(s, c->user_regs.rdx, 0, "start_info (vCPU 0's rdx)", &mfn);
        if (rc)
            return rc;
        c->user_regs.rdx = mfn;
        *si_mfn = mfn;
    }
    for (unsigned int i = 0; i < (c->gdt_ents + 511) / 512 && i < 16; i++) {
        rc = frame_of(s, c->gdt_frames[i], 0, "a GDT frame", &mfn);
        if (rc)
            return rc;
        c->gdt_frames[i] = mfn;
    }
    rc = frame_of(s, c->ctrlreg[3] >> 12, 4, "the kernel L4 (cr3)", &mfn);
    if (rc)
        return rc;
    c->ctrlreg[3] = mfn << 12;
    if (c->ctrlreg[1] & 1) {
        rc = frame_of(s, c->ctrlreg[1] >> 12, 4, "the user L4 (cr1)", &mfn);
        if (rc)
            return rc;
        c->ctrlreg[1] = mfn << 12;
    } else {
        c->ctrlreg[1] = 0;
    }
    c->flags |= VGCF_online;
    return 0;
}

static int finish(struct restorer *s)
{
    int64_t start = xlt_now_ms();
    uint64_t si_mfn = 0;
    int rc;

    if (!s->m.p2m || !s->vcpus[0])
        return sr_fail(s->io, -EINVAL, "the stream ends without %s",
                       !s->m.p2m ? "its X86_PV_P2M_FRAMES record" : "vCPU 0's context");
    for (unsigned int id = 0; id <= s->info.max_vcpu_id; id++)
        if (s->vcpus[id]) {
            rc = set_vcpu(s, id, &si_mfn);
            if (rc)
                return rc;
        }
    rc = write_p2m(s);
    if (!rc)
        rc = start_info(s, si_mfn);
    if (!rc)
        rc = pin_tables(s);
    for (unsigned int id = 0; !rc && id <= s->info.max_vcpu_id; id++)
        if (s->vcpus[id]) {
            rc = pvxctl_vcpu_setcontext(s->t->ctl, s->r->domid, id, s->vcpus[id]);
            if (rc)
                ctl_fail(s, rc);
        }
    if (!rc)
        xlt_info(s->t, "domain %u: tables pinned and vCPUs set in %lld ms", s->r->domid,
                 (long long)(xlt_now_ms() - start));
    return rc;
}

/* One libxc record other than PAGE_DATA (page_data(), read in place);
 * *done at END. */
static int record(struct restorer *s, const struct sr_record *rec, bool *done)
{
    switch (rec->type) {
    case SR_REC_END:
        *done = true;
        s->io->end_ms = xlt_now_ms();
        return finish(s);
    case SR_REC_X86_PV_INFO:
        return pv_info(s, rec);
    case SR_REC_STATIC_DATA_END:
        if (s->static_done)
            return sr_fail(s->io, -EINVAL, "a second STATIC_DATA_END record");
        s->static_done = true;
        return 0;
    case SR_REC_X86_CPUID_POLICY:
        return sr_check_cpuid_policy(s->io, rec->body, rec->length);
    case SR_REC_X86_MSR_POLICY:
        /* pvx gives every guest the same MSRs (sr_cpuid.c checks CPUID). */
        return 0;
    case SR_REC_X86_PV_P2M_FRAMES:
        s->static_done = true; /* a v2 stream has no STATIC_DATA_END */
        return p2m_frames(s, rec);
    case SR_REC_X86_TSC_INFO:
        /* pvx has one TSC mode (native) and one clock for all domains. */
        return rec_len(s, rec, sizeof(struct sr_x86_tsc_info));
    case SR_REC_SHARED_INFO:
        return shared_info(s, rec);
    case SR_REC_X86_PV_VCPU_BASIC:
        return vcpu_basic(s, rec);
    case SR_REC_X86_PV_VCPU_EXTENDED:
    case SR_REC_X86_PV_VCPU_XSAVE:
    case SR_REC_X86_PV_VCPU_MSRS:
        /* pvx keeps x87/SSE state in the BASIC context and has no
         * extended state or MSRs a PV guest could have changed. */
        return 0;
    default:
        if (rec->type & SR_REC_OPTIONAL)
            return 0;
        return sr_fail(s->io, -EINVAL, "record %s (%#x) is not one pvx can restore",
                       sr_rec_name(rec->type), rec->type);
    }
}

int xlt_sr_restore(struct xlt *t, struct xlt_sr_restore *r, struct sr_io *io)
{
    struct restorer s = {.t = t, .r = r, .io = io};
    struct sr_record rec = {0};
    struct sr_dhdr dh;
    bool done = false;
    int rc = pvxctl_domain_info(t->ctl, r->domid, &s.info);

    if (rc) {
        ctl_fail(&s, rc);
        goto out;
    }
    s.vcpus = calloc(s.info.max_vcpu_id + 1, sizeof(*s.vcpus));
    if (!s.vcpus) {
        rc = sr_fail(io, -ENOMEM, "out of memory");
        goto out;
    }
    rc = sr_read_libxl_header(io);
    if (!rc)
        rc = sr_read_record(io, &rec);
    if (!rc && rec.type != SR_LIBXL_REC_LIBXC_CONTEXT)
        rc = sr_fail(io, -EINVAL, "libxl record %u where LIBXC_CONTEXT (1) was expected", rec.type);
    sr_record_free(&rec);
    if (!rc)
        rc = sr_read_libxc_headers(io, &dh);
    while (!rc && !done) {
        struct sr_rhdr h;

        rc = sr_read_record_header(io, &h);
        if (!rc && h.type == SR_REC_PAGE_DATA) {
            s.static_done = true;
            rc = page_data(&s, &h);
        } else if (!rc && !(rc = sr_read_record_body(io, &h, &rec)))
            rc = record(&s, &rec, &done);
        sr_record_free(&rec);
    }
    if (!rc)
        rc = sr_read_record(io, &rec);
    if (!rc && (rec.type != SR_LIBXL_REC_END || rec.length))
        rc = sr_fail(io, -EINVAL,
                     "libxl record %u after the libxc stream: pvx restores PV "
                     "streams, which end there (END, 0)",
                     rec.type);
    sr_record_free(&rec);
out:
    if (s.vcpus)
        for (unsigned int i = 0; i <= s.info.max_vcpu_id; i++)
            free(s.vcpus[i]);
    free(s.vcpus);
    sr_p2m_free(&s.m);
    free(s.types);
    free(s.p2m_frames);
    return rc;
}
