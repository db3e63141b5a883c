/* SPDX-License-Identifier: GPL-2.0-only */
/* Fakes behind the PV MMU under test (see pvmm_harness.h). */
#include "harness.h"

#include "pvmm_harness.h"
#include <asm/hardening.h>

#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/mm.h>

uint8_t pvmm_guest_win[PVMM_GUEST_WIN_SIZE];
struct domain pvmm_dom, pvmm_other;
struct vcpu pvmm_vcpu;
static struct vcpu other_vcpu;
static struct vcpu *running;

unsigned int pvmm_tlb_flushes, pvmm_invlpgs, pvmm_ptbase_loads, pvmm_ldt_reloads,
    pvmm_cache_flushes;
uint64_t pvmm_last_invlpg;
uint64_t pvmm_m2p[PVMM_NR_FRAMES];
int pvmm_preempt_after;
unsigned int pvmm_continuations;
uint64_t pvmm_cont_args[6];
void (*pvmm_flush_hook)(void);
static int preempt_calls;

/* A recognisable stand-in for pvx's own L4 entries. */
#define PVX_SLOT_MARK(s) (0x7700000000000001ULL | ((uint64_t)(s) << 12))

void pvmm_setup(void)
{
    pvmm_reaped = 0;
    pvmm_l4_changes = 0;
    hardening.l1tf_dom0 = false;
    hardening.l1tf_domu = true;
    harness_phys_init(PVMM_PHYS_BYTES);
    free(frame_table);
    frame_table = calloc(PVMM_NR_FRAMES, sizeof(struct page_info));
    assert_non_null(frame_table);
    page_alloc_init(PVMM_NR_FRAMES);
    page_alloc_add_range(MiB(1), PVMM_PHYS_BYTES);

    memset(&pvmm_dom, 0, sizeof(pvmm_dom));
    memset(&pvmm_other, 0, sizeof(pvmm_other));
    memset(&pvmm_vcpu, 0, sizeof(pvmm_vcpu));
    memset(&other_vcpu, 0, sizeof(other_vcpu));
    pvmm_dom.domain_id = 1;
    pvmm_dom.max_vcpus = 1;
    pvmm_dom.vcpus[0] = &pvmm_vcpu;
    pvmm_vcpu.domain = &pvmm_dom;
    pvmm_vcpu.arch.kernel_mode = true;
    pvmm_other.domain_id = 2;
    pvmm_other.max_vcpus = 1;
    pvmm_other.vcpus[0] = &other_vcpu;
    other_vcpu.domain = &pvmm_other;
    running = &pvmm_vcpu;
    /* shared_info: the domain's own page, as domain_create() makes it. */
    pvmm_dom.shared_info_mfn = pvmm_alloc(&pvmm_dom);
    pvmm_other.shared_info_mfn = pvmm_alloc(&pvmm_other);

    memset(pvmm_guest_win, 0, sizeof(pvmm_guest_win));
    memset(pvmm_m2p, 0xff, sizeof(pvmm_m2p));
    pvmm_tlb_flushes = pvmm_invlpgs = pvmm_ptbase_loads = pvmm_ldt_reloads = 0;
    pvmm_cache_flushes = 0;
    pvmm_last_invlpg = 0;
    pvmm_flush_hook = NULL;
    pvmm_preempt_after = -1;
    preempt_calls = 0;
    pvmm_continuations = 0;
    memset(pvmm_cont_args, 0, sizeof(pvmm_cont_args));
    harness_log_reset();
}

mfn_t pvmm_alloc(struct domain *d)
{
    struct page_info *pg = alloc_pages(0);

    assert_non_null(pg);
    pg->owner = d;
    memset(pvmm_table(page_to_mfn(pg)), 0, PAGE_SIZE);
    return page_to_mfn(pg);
}

pte_t *pvmm_table(mfn_t mfn)
{
    return arch_maddr_to_virt(mfn << PAGE_SHIFT);
}

uint64_t pvmm_refs(mfn_t mfn)
{
    return frame_table[mfn].count_info & PGC_count_mask;
}

uint64_t pvmm_trefs(mfn_t mfn)
{
    return frame_table[mfn].type_info & PGT_count_mask;
}

uint64_t pvmm_type(mfn_t mfn)
{
    return frame_table[mfn].type_info & PGT_type_mask;
}

bool pvmm_validated(mfn_t mfn)
{
    return frame_table[mfn].type_info & PGT_validated;
}

bool pvmm_pinned(mfn_t mfn)
{
    return frame_table[mfn].type_info & PGT_pinned;
}

void pvmm_build_tree(struct pvmm_tree *t, struct domain *d, uint64_t va)
{
    t->va = va;
    t->l4 = pvmm_alloc(d);
    t->l3 = pvmm_alloc(d);
    t->l2 = pvmm_alloc(d);
    t->l1 = pvmm_alloc(d);
    for (unsigned int i = 0; i < 4; i++)
        t->data[i] = pvmm_alloc(d);
    pvmm_table(t->l4)[l4_index(va)] = pvmm_pte(t->l3, _PAGE_PRESENT | _PAGE_RW);
    pvmm_table(t->l3)[l3_index(va)] = pvmm_pte(t->l2, _PAGE_PRESENT | _PAGE_RW);
    pvmm_table(t->l2)[l2_index(va)] = pvmm_pte(t->l1, _PAGE_PRESENT | _PAGE_RW);
    for (unsigned int i = 0; i < 4; i++)
        pvmm_table(t->l1)[l1_index(va) + i] = pvmm_pte(t->data[i], _PAGE_PRESENT | _PAGE_RW);
    pvmm_table(t->l1)[511] = pvmm_pte(t->l1, _PAGE_PRESENT);
}

void pvmm_pin_and_load(const struct pvmm_tree *t)
{
    struct mmuext_op ops[2];

    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_PIN_L4_TABLE;
    ops[0].arg1.mfn = t->l4;
    ops[1].cmd = MMUEXT_NEW_BASEPTR;
    ops[1].arg1.mfn = t->l4;
    assert_int_equal(do_mmuext_op(pvmm_guest_put(0x2000, ops, sizeof(ops)), 2, 0, DOMID_SELF, 0),
                     0);
}

uint64_t pvmm_guest_put(unsigned int offset, const void *buf, size_t len)
{
    assert_true(offset + len <= sizeof(pvmm_guest_win));
    memcpy(pvmm_guest_win + offset, buf, len);
    return PVMM_GUEST_WIN + offset;
}

/* ---- pvx/domain.h ---- */

struct vcpu *current_vcpu(void)
{
    return running;
}

/* As domain.c's: a dying domain is no longer found. */
struct domain *domain_lookup(domid_t id)
{
    if (id == pvmm_dom.domain_id && pvmm_dom.state != DOMAIN_DYING)
        return &pvmm_dom;
    if (id == pvmm_other.domain_id && pvmm_other.state != DOMAIN_DYING)
        return &pvmm_other;
    return NULL;
}

/* A dying domain's frame losing its last reference: counted, then freed as
 * domain.c would. */
unsigned int pvmm_reaped;

bool domain_reap_page(struct page_info *pg)
{
    if (!pg->owner || pg->owner->state != DOMAIN_DYING || (pg->count_info & PGC_count_mask) ||
        (pg->type_info & PGT_count_mask))
        return false;
    pvmm_reaped++;
    pg->owner = NULL;
    return true;
}

/* ---- pvx/guest_access.h: the window is the whole guest address space ---- */

bool guest_range_ok(uint64_t va, size_t len)
{
    uint64_t end = va + len;

    if (end < va)
        return false;
    if (len == 0 || end <= 0x0000800000000000ULL)
        return true;
    return va >= PVX_VIRT_END;
}

static uint8_t *window(uint64_t va, size_t len)
{
    if (!guest_range_ok(va, len) || va < PVMM_GUEST_WIN ||
        va + len > PVMM_GUEST_WIN + PVMM_GUEST_WIN_SIZE)
        return NULL;
    return pvmm_guest_win + (va - PVMM_GUEST_WIN);
}

int copy_from_guest(void *dst, uint64_t guest_va, size_t len)
{
    uint8_t *p = window(guest_va, len);

    if (!p)
        return -EFAULT;
    memcpy(dst, p, len);
    return 0;
}

int copy_to_guest(uint64_t guest_va, const void *src, size_t len)
{
    uint8_t *p = window(guest_va, len);

    if (!p)
        return -EFAULT;
    memcpy(p, src, len);
    return 0;
}

int clear_guest(uint64_t guest_va, size_t len)
{
    uint8_t *p = window(guest_va, len);

    if (!p)
        return -EFAULT;
    memset(p, 0, len);
    return 0;
}

/* ---- CPU hardening (asm/hardening.h) ---- */

/* L1TF checks as on an affected CPU with 40 address bits: domUs checked,
 * the mask and safe limit of hardening.c's rules; tests may change it. */
struct cpu_hardening hardening = {
    .l1tf = true,
    .l1tf_domu = true,
    .l1tf_mask = ((1ULL << 46) - 1) & PAGE_MASK,
    .l1tf_safe = 1ULL << 40,
};
unsigned int pvmm_l4_changes;

void xpti_guest_l4_changed(void)
{
    pvmm_l4_changes++;
}

/* ---- arch hooks of asm/pv/mm.h ---- */

void arch_init_guest_l4(struct domain *d, pte_t *l4)
{
    (void)d;
    for (unsigned int s = PVX_FIRST_L4_SLOT; s <= PVX_LAST_L4_SLOT; s++)
        l4[s] = PVX_SLOT_MARK(s);
}

void set_gpfn_from_mfn(mfn_t mfn, uint64_t pfn)
{
    assert_true(mfn < PVMM_NR_FRAMES);
    pvmm_m2p[mfn] = pfn;
}

uint64_t get_gpfn_from_mfn(mfn_t mfn)
{
    return mfn < PVMM_NR_FRAMES ? pvmm_m2p[mfn] : INVALID_M2P_ENTRY;
}

void flush_tlb_local(void)
{
    pvmm_tlb_flushes++;
    if (pvmm_flush_hook)
        pvmm_flush_hook();
}

void flush_tlb_one_local(uint64_t va)
{
    pvmm_invlpgs++;
    pvmm_last_invlpg = va;
    if (pvmm_flush_hook)
        pvmm_flush_hook();
}

/* One CPU here: no other CPU ever holds a domain's translations, but the
 * calls are counted (they are where a multi-CPU host shoots down). */
unsigned int pvmm_remote_flushes;

void pv_flush_tlb_others(const struct domain *d)
{
    (void)d;
    pvmm_remote_flushes++;
}

void pv_flush_tlb_others_all(void)
{
    pvmm_remote_flushes++;
}

void pv_tlb_switch(struct domain *d)
{
    (void)d;
}

void pv_write_ptbase(struct vcpu *v)
{
    assert_ptr_equal(v, running);
    pvmm_ptbase_loads++;
}

void pv_ldt_changed(struct vcpu *v)
{
    assert_ptr_equal(v, running);
    pvmm_ldt_reloads++;
}

void flush_cache_local(void)
{
    pvmm_cache_flushes++;
}

/* ---- pvx/hypercall.h ---- */

void pvmm_set_preempt_after(int n)
{
    pvmm_preempt_after = n;
    preempt_calls = 0;
}

bool hypercall_preempt_check(void)
{
    if (pvmm_preempt_after < 0)
        return false;
    return ++preempt_calls > pvmm_preempt_after;
}

long hypercall_create_continuation(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                   uint64_t a5)
{
    pvmm_continuations++;
    pvmm_cont_args[0] = nr;
    pvmm_cont_args[1] = a1;
    pvmm_cont_args[2] = a2;
    pvmm_cont_args[3] = a3;
    pvmm_cont_args[4] = a4;
    pvmm_cont_args[5] = a5;
    return PVMM_CONTINUATION_RC;
}

/* I/O memory: the MMU unit tests model no devices, so no domain may map any. */
bool arch_iomem_mappable(const struct domain *d, mfn_t mfn)
{
    (void)d;
    (void)mfn;
    return false;
}

/* ---- log-dirty mode (asm/pv/logdirty.h) ---- */

#ifdef PVMM_REAL_LOGDIRTY
/* test_logdirty links the real pv/logdirty.c: its flush after protecting
 * or unprotecting counts as one of this CPU's flushes. */
void arch_flush_domain_tlbs(const struct domain *d)
{
    (void)d;
    flush_tlb_local();
}
#else
/* The other MMU tests run with the mode off, where the hooks do nothing. */
#include <asm/pv/logdirty.h>

void logdirty_mark_page(const struct page_info *pg)
{
    (void)pg;
}

void logdirty_slot_written(const struct page_info *l1pg, unsigned int slot)
{
    (void)l1pg;
    (void)slot;
}

void logdirty_table_released(struct page_info *pg)
{
    (void)pg;
}

void logdirty_teardown(struct domain *d)
{
    (void)d;
}

/* Pages pvx wrote behind their owner's page tables (grant copies). */
unsigned int pvmm_dirty_marks;
const struct page_info *pvmm_last_dirty;

void arch_logdirty_mark(const struct page_info *pg)
{
    pvmm_dirty_marks++;
    pvmm_last_dirty = pg;
}
#endif
