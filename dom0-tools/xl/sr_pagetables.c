/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Page tables across a save: their entries name machine frames, which mean
 * nothing in another domain.  The saver turns each present entry's frame
 * into the guest's pfn (through the guest's own p2m, checked both ways),
 * the restorer turns it into the frame the new domain got for that pfn.
 * Flags, NX and the software bits stay as they are; non-present entries
 * are copied verbatim.  The hypervisor validates the result when the
 * restorer pins the tables, so nothing here has to be trusted by it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_stream.h"

#define PTE_PRESENT    0x1ull
#define PTE_PSE        0x80ull
#define PTE_FRAME_MASK 0x000ffffffffff000ull
#define PT_ENTRIES     512
/* L4 slots the hypervisor owns in every 64-bit PV guest's L4: it fills
 * them itself when it validates an L4, so the stream carries zeros. */
#define L4_HV_FIRST 256
#define L4_HV_LAST  271

static int cmp_mfn(const void *a, const void *b)
{
    const struct sr_m2p_entry *x = a, *y = b;

    return x->mfn < y->mfn ? -1 : x->mfn > y->mfn;
}

int sr_p2m_index(struct sr_p2m *m)
{
    uint64_t n = 0;

    free(m->m2p);
    m->m2p = malloc((m->nr_pfns ? m->nr_pfns : 1) * sizeof(*m->m2p));
    if (!m->m2p)
        return -ENOMEM;
    for (uint64_t pfn = 0; pfn < m->nr_pfns; pfn++)
        if (m->p2m[pfn] != SR_INVALID_FRAME)
            m->m2p[n++] = (struct sr_m2p_entry){m->p2m[pfn], pfn};
    qsort(m->m2p, n, sizeof(*m->m2p), cmp_mfn);
    m->nr_m2p = n;
    return 0;
}

uint64_t sr_m2p(const struct sr_p2m *m, uint64_t mfn)
{
    const struct sr_m2p_entry key = {mfn, 0};
    const struct sr_m2p_entry *e = bsearch(&key, m->m2p, m->nr_m2p, sizeof(*e), cmp_mfn);

    /* Two pfns naming one frame: either may come back; the caller checks
     * p2m[pfn] == mfn, which both satisfy. */
    return e ? e->pfn : SR_INVALID_FRAME;
}

void sr_p2m_free(struct sr_p2m *m)
{
    free(m->p2m);
    free(m->m2p);
    memset(m, 0, sizeof(*m));
}

static bool is_hv_slot(unsigned int level, unsigned int slot)
{
    return level == 4 && slot >= L4_HV_FIRST && slot <= L4_HV_LAST;
}

int sr_pt_normalise(uint64_t *pt, unsigned int level, const struct sr_p2m *m, char *err,
                    size_t errlen)
{
    if (level < 1 || level > 4) {
        snprintf(err, errlen, "no page-table level %u", level);
        return -EINVAL;
    }
    for (unsigned int i = 0; i < PT_ENTRIES; i++) {
        uint64_t e = pt[i], mfn, pfn;

        if (is_hv_slot(level, i)) {
            pt[i] = 0;
            continue;
        }
        if (!(e & PTE_PRESENT))
            continue;
        if (level > 1 && (e & PTE_PSE)) {
            snprintf(err, errlen,
                     "L%u slot %u maps a superpage (%#llx): PV superpages cannot "
                     "be saved",
                     level, i, (unsigned long long)e);
            return -E2BIG;
        }
        mfn = (e & PTE_FRAME_MASK) >> 12;
        pfn = sr_m2p(m, mfn);
        if (pfn == SR_INVALID_FRAME || pfn >= m->nr_pfns || m->p2m[pfn] != mfn) {
            snprintf(err, errlen,
                     "L%u slot %u (%#llx) maps machine frame %#llx, which is not one of the "
                     "guest's pages (a foreign or hypervisor frame still mapped at suspend)",
                     level, i, (unsigned long long)e, (unsigned long long)mfn);
            return -ERANGE;
        }
        pt[i] = (e & ~PTE_FRAME_MASK) | (pfn << 12);
    }
    return 0;
}

int sr_pt_localise(uint64_t *pt, unsigned int level, const struct sr_p2m *m, char *err,
                   size_t errlen)
{
    if (level < 1 || level > 4) {
        snprintf(err, errlen, "no page-table level %u", level);
        return -EINVAL;
    }
    for (unsigned int i = 0; i < PT_ENTRIES; i++) {
        uint64_t e = pt[i], pfn;

        if (!(e & PTE_PRESENT))
            continue;
        if (is_hv_slot(level, i)) {
            snprintf(err, errlen, "L4 slot %u (%#llx) is the hypervisor's and must be empty", i,
                     (unsigned long long)e);
            return -EINVAL;
        }
        pfn = (e & PTE_FRAME_MASK) >> 12;
        if (pfn >= m->nr_pfns || m->p2m[pfn] == SR_INVALID_FRAME) {
            snprintf(err, errlen,
                     "L%u slot %u (%#llx) names pfn %#llx, which the stream has no "
                     "page for",
                     level, i, (unsigned long long)e, (unsigned long long)pfn);
            return -ERANGE;
        }
        pt[i] = (e & ~PTE_FRAME_MASK) | (m->p2m[pfn] << 12);
    }
    return 0;
}
