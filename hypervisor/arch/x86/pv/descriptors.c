/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest segment descriptor tables.  A PV guest hands pvx up to 14 frames of
 * GDT (set_gdt); they become segment-descriptor pages (so the guest can no
 * longer map them writable) and every descriptor in them is checked: code
 * and data segments have their DPL raised to 3, so a guest selector can
 * never reach ring 0, and system descriptors (TSS, LDT, gates) are refused.
 * pvx copies the checked descriptors into the CPU's GDT below its own
 * reserved entries at 0xe000, and keeps them in step on update_descriptor.
 */
#include <asm/desc.h>
#include <asm/pv/mm.h>
#include <asm/pv/traps.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/percpu.h>
#include <pvx/mm.h>

#define DESC_P           (1ULL << 47)
#define DESC_S           (1ULL << 44) /* code or data (not a system descriptor) */
#define DESC_DPL         (3ULL << 45)
#define DESC_TYPE(d)     (((d) >> 40) & 0xf)
#define ENTRIES_PER_PAGE (PAGE_SIZE / 8)
#define MAX_GDT_FRAMES   14

/* Check one descriptor; may rewrite it (DPL).  Returns false if refused. */
static bool check_descriptor(uint64_t *d)
{
    if (!(*d & DESC_P))
        return true; /* not present: cannot be loaded */
    if (!(*d & DESC_S))
        return DESC_TYPE(*d) == 0 && !(*d & DESC_DPL); /* only a 16-byte upper half */
    *d |= DESC_DPL;                                    /* code/data: usable at ring 3 only */
    return true;
}

static void load_gdt_entries(struct vcpu *v, unsigned int from, unsigned int to)
{
    uint64_t *gdt = this_cpu_gdt();

    for (unsigned int i = from; i < to; i++) {
        if (i < v->arch.gdt_ents) {
            const uint64_t *page =
                arch_maddr_to_virt(v->arch.gdt_frames[i / ENTRIES_PER_PAGE] << PAGE_SHIFT);
            gdt[i] = page[i % ENTRIES_PER_PAGE];
        } else {
            gdt[i] = 0;
        }
    }
}

/* Put v's descriptors in this CPU's GDT (context switch, set_gdt), clearing
 * what the previous owner left above them. */
void pv_load_guest_gdt(struct vcpu *v, bool changed)
{
    struct arch_percpu *ap = &this_cpu()->arch;

    if (ap->gdt_owner == v && !changed)
        return;
    load_gdt_entries(v, 0, MAX(ap->gdt_loaded_ents, v->arch.gdt_ents));
    ap->gdt_owner = v;
    ap->gdt_loaded_ents = v->arch.gdt_ents;
}

/* v's descriptors changed or went away: every CPU's GDT that holds them
 * reloads before v next runs there. */
static void gdt_forget(const struct vcpu *v)
{
    for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
        if (per_cpu(cpu)->arch.gdt_owner == v)
            per_cpu(cpu)->arch.gdt_owner = NULL;
}

static void release_ldt(struct vcpu *v);

static void release_frames(const mfn_t *frames, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        put_page_and_type(mfn_to_page(frames[i]));
}

/* Install a new GDT of entries descriptors on frames (a vCPU's own
 * set_gdt, or its initial context from VCPUOP_initialise/setvcpucontext). */
int pv_set_gdt(struct vcpu *v, const uint64_t *frames_in, uint64_t entries)
{
    struct domain *d = v->domain;
    unsigned int nr = (unsigned int)((entries + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE);
    unsigned int old_ents = v->arch.gdt_ents, old_nr;
    mfn_t frames[MAX_GDT_FRAMES], old[MAX_GDT_FRAMES];
    unsigned int taken = 0;
    int rc = 0;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    for (; taken < nr; taken++) {
        uint64_t mfn = frames_in[taken];
        uint64_t *desc;

        if (mfn >= max_page || get_page_and_type(mfn_to_page(mfn), d, PGT_seg_desc_page)) {
            rc = -EINVAL;
            goto out;
        }
        frames[taken] = mfn;
        desc = arch_maddr_to_virt(mfn << PAGE_SHIFT);
        for (unsigned int i = 0; i < ENTRIES_PER_PAGE; i++) {
            if (!check_descriptor(&desc[i])) {
                taken++;
                rc = -EINVAL;
                goto out;
            }
        }
    }

    old_nr = (old_ents + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE;
    memcpy(old, v->arch.gdt_frames, old_nr * sizeof(mfn_t));
    memcpy(v->arch.gdt_frames, frames, nr * sizeof(mfn_t));
    v->arch.gdt_ents = (unsigned int)entries;
    if (v == current)
        pv_load_guest_gdt(v, true);
    else
        gdt_forget(v);
    release_frames(old, old_nr);
    return 0;

out:
    release_frames(frames, taken);
    return rc;
}

long do_set_gdt(uint64_t frame_list, uint64_t entries, uint64_t a3, uint64_t a4, uint64_t a5)
{
    uint64_t frames[MAX_GDT_FRAMES];
    unsigned int nr = (unsigned int)((entries + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE);

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    if (copy_from_guest(frames, frame_list, nr * sizeof(frames[0])))
        return -EFAULT;
    return pv_set_gdt(current, frames, entries);
}

void pv_release_descriptors(struct vcpu *v)
{
    release_frames(v->arch.gdt_frames,
                   (v->arch.gdt_ents + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE);
    v->arch.gdt_ents = 0;
    gdt_forget(v);
    release_ldt(v);
}

long do_update_descriptor(uint64_t maddr, uint64_t desc, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    mfn_t mfn = maddr >> PAGE_SHIFT;
    struct page_info *pg;
    uint64_t *slot;
    bool seg_desc;

    if (maddr & 7 || mfn >= max_page)
        return -EINVAL;
    if (!check_descriptor(&desc))
        return -EINVAL;
    pg = mfn_to_page(mfn);
    if (!get_page(pg, d))
        return -EINVAL;
    seg_desc =
        (pg->type_info & PGT_type_mask) == PGT_seg_desc_page && (pg->type_info & PGT_count_mask);
    /* A descriptor page in use, or a page that could be writable. */
    if (!seg_desc && get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return -EINVAL;
    }
    slot = (uint64_t *)((char *)arch_maddr_to_virt(mfn << PAGE_SHIFT) + (maddr & (PAGE_SIZE - 1)));
    *slot = desc;
    if (seg_desc) {
        for (unsigned int f = 0; f * ENTRIES_PER_PAGE < v->arch.gdt_ents; f++) {
            unsigned int i = f * ENTRIES_PER_PAGE + (unsigned int)((maddr & (PAGE_SIZE - 1)) / 8);

            if (v->arch.gdt_frames[f] == mfn && i < v->arch.gdt_ents)
                load_gdt_entries(v, i, i + 1);
        }
    } else {
        put_page_type(pg);
    }
    put_page(pg);
    return 0;
}

/*
 * The guest's LDT (MMUEXT_SET_LDT): pvx copies and checks its descriptors
 * into a per-vCPU buffer, and from there into the CPU's own LDT pages that
 * the LDT descriptor points at (mapped by XPTI while the guest runs, where
 * the heap is not).  Changes reach it through update_descriptor or a new
 * SET_LDT.
 */
static void load_ldt(struct vcpu *v)
{
    uint64_t *gdt = this_cpu_gdt(), *ldt = this_cpu_ldt();
    uint64_t base = (uint64_t)ldt, limit = v->arch.ldt_copy_ents * 8 - 1;

    if (!v->arch.ldt_copy_ents || !v->arch.ldt_copy) {
        __asm__ volatile("lldt %w0" : : "r"(0));
        return;
    }
    ASSERT(v->arch.ldt_copy_ents <= LDT_ENTRIES);
    memcpy(ldt, v->arch.ldt_copy, v->arch.ldt_copy_ents * 8);
    gdt[LDT_SELECTOR >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x82ULL << 40) |
                             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[(LDT_SELECTOR >> 3) + 1] = base >> 32;
    __asm__ volatile("lldt %w0" : : "r"(LDT_SELECTOR));
}

/* The frame behind guest VA va in v's kernel page tables, or 0. */
static mfn_t guest_va_to_mfn(struct vcpu *v, uint64_t va)
{
    struct page_info *l1pg;
    unsigned int slot;
    pte_t e;

    if (pv_find_guest_l1e(v, va, &l1pg, &slot))
        return 0;
    e = ((const pte_t *)arch_maddr_to_virt(page_to_mfn(l1pg) << PAGE_SHIFT))[slot];
    return (e & _PAGE_PRESENT) ? (e & PTE_ADDR_MASK) >> PAGE_SHIFT : 0;
}

static void release_ldt(struct vcpu *v)
{
    release_frames(v->arch.ldt_frames, v->arch.ldt_nr_frames);
    v->arch.ldt_nr_frames = 0;
    xfree(v->arch.ldt_copy);
    v->arch.ldt_copy = NULL;
}

/*
 * Like the GDT, the LDT's frames become descriptor pages for as long as it is
 * in use, so the guest cannot write them behind pvx's back; an LDT on a
 * frame that is mapped writable anywhere is unusable (every LDT selector
 * faults), as on Xen.
 */
void pv_ldt_changed(struct vcpu *v)
{
    unsigned int ents = v->arch.ldt_ents;
    unsigned int nr = (unsigned int)PFN_UP((v->arch.ldt_base & (PAGE_SIZE - 1)) + ents * 8);
    uint64_t *copy = NULL;

    release_ldt(v);
    for (unsigned int i = 0; ents && i < nr; i++) {
        mfn_t mfn = guest_va_to_mfn(v, (v->arch.ldt_base & PAGE_MASK) + i * PAGE_SIZE);

        if (!mfn || get_page_and_type(mfn_to_page(mfn), v->domain, PGT_seg_desc_page)) {
            ents = 0;
            break;
        }
        v->arch.ldt_frames[v->arch.ldt_nr_frames++] = mfn;
    }
    if (ents) {
        copy = xmalloc_bytes(ents * 8);
        if (!copy || copy_from_guest(copy, v->arch.ldt_base, ents * 8)) {
            xfree(copy);
            copy = NULL;
            ents = 0; /* an unreadable LDT is an empty one */
        }
        for (unsigned int i = 0; i < ents; i++)
            if (!check_descriptor(&copy[i]))
                copy[i] = 0; /* refused descriptors load as not present */
    }
    if (!ents)
        release_frames(v->arch.ldt_frames, v->arch.ldt_nr_frames), v->arch.ldt_nr_frames = 0;
    v->arch.ldt_copy = copy;
    v->arch.ldt_copy_ents = copy ? ents : 0;
    if (v == current)
        load_ldt(v);
}

void pv_load_guest_ldt(struct vcpu *v)
{
    load_ldt(v);
}
