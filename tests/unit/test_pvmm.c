/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: the PV MMU (arch/x86/pv/mm.c, mm-hypercalls.c) against the
 * ABI contract.  Real four-level tables are built in fake machine memory
 * and driven through the hypercall handlers with arguments in guest memory,
 * as a guest would.
 */
#include "harness.h"

#include "pvmm_harness.h"
#include <asm/hardening.h>

#include <pvx/errno.h>
#include <pvx/hypercall.h>
#include <public/xen.h>

#define P    _PAGE_PRESENT
#define RW   _PAGE_RW
#define US   _PAGE_USER
#define GK   _PAGE_GUEST_KERNEL
#define ARG0 0 /* guest window offsets for hypercall arguments */
#define DONE 0x8000

static struct pvmm_tree t;

static uint64_t ma(mfn_t table, unsigned int slot)
{
    return (table << PAGE_SHIFT) + slot * sizeof(pte_t);
}

static long mmu_update1(uint64_t ptr, uint64_t val)
{
    struct mmu_update req = {ptr, val};

    return do_mmu_update(pvmm_guest_put(ARG0, &req, sizeof(req)), 1, 0, DOMID_SELF, 0);
}

static long mmuext1(unsigned int cmd, uint64_t arg1, uint64_t arg2)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return do_mmuext_op(pvmm_guest_put(ARG0, &op, sizeof(op)), 1, 0, DOMID_SELF, 0);
}

static int setup(void **state)
{
    (void)state;
    pvmm_setup();
    pvmm_build_tree(&t, &pvmm_dom, PVMM_KERNEL_VA);
    return 0;
}

/* Every frame of the tree is back to no type and no reference. */
static void assert_tree_released(void)
{
    mfn_t frames[] = {t.l4, t.l3, t.l2, t.l1, t.data[0], t.data[1], t.data[2], t.data[3]};

    for (unsigned int i = 0; i < ARRAY_SIZE(frames); i++) {
        assert_int_equal(pvmm_refs(frames[i]), 0);
        assert_int_equal(pvmm_trefs(frames[i]), 0);
        assert_false(pvmm_validated(frames[i]) && pvmm_type(frames[i]) != PGT_writable_page);
    }
}

/* Pin the kernel tree and make it the vCPU's base, as a guest kernel does. */
static void pin_and_load(void)
{
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
}

/* ---- promotion, pinning, demotion ---- */

static void test_pin_l4_validates_tree(void **state)
{
    (void)state;
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), 0);

    assert_int_equal(pvmm_type(t.l4), PGT_l4_page_table);
    assert_true(pvmm_pinned(t.l4) && pvmm_validated(t.l4));
    assert_int_equal(pvmm_trefs(t.l4), 1);
    assert_int_equal(pvmm_refs(t.l4), 1);
    assert_int_equal(pvmm_type(t.l3), PGT_l3_page_table);
    assert_int_equal(pvmm_trefs(t.l3), 1);
    assert_int_equal(pvmm_type(t.l2), PGT_l2_page_table);
    assert_int_equal(pvmm_trefs(t.l2), 1);
    assert_int_equal(pvmm_type(t.l1), PGT_l1_page_table);
    assert_int_equal(pvmm_trefs(t.l1), 1);
    assert_int_equal(pvmm_refs(t.l1), 2); /* L2 entry + its own read-only mapping */
    assert_false(pvmm_pinned(t.l3));
    for (unsigned int i = 0; i < 4; i++) {
        assert_int_equal(pvmm_type(t.data[i]), PGT_writable_page);
        assert_int_equal(pvmm_trefs(t.data[i]), 1);
        assert_int_equal(pvmm_refs(t.data[i]), 1);
    }

    /* The adjustments: everything user-accessible, kernel pages marked. */
    pte_t l4e = pvmm_table(t.l4)[l4_index(t.va)];
    assert_int_equal(l4e, pvmm_pte(t.l3, P | RW | US | _PAGE_ACCESSED));
    assert_int_equal(pvmm_table(t.l3)[l3_index(t.va)], pvmm_pte(t.l2, P | RW | US));
    assert_int_equal(pvmm_table(t.l2)[l2_index(t.va)], pvmm_pte(t.l1, P | RW | US));
    assert_int_equal(pvmm_table(t.l1)[0], pvmm_pte(t.data[0], P | RW | US | GK));
    /* pvx's own slots are filled by the arch. */
    for (unsigned int s = PVX_FIRST_L4_SLOT; s <= PVX_LAST_L4_SLOT; s++)
        assert_int_equal(pvmm_table(t.l4)[s], 0x7700000000000001ULL | ((uint64_t)s << 12));

    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l4, 0), 0);
    assert_tree_released();
}

/* ---- L1TF: non-present entries (asm/hardening.h) ---- */

static void test_l1tf_non_present_entries(void **state)
{
    const pte_t into_ram = t.data[0] << PAGE_SHIFT; /* a frame: any RAM is unsafe */
    const pte_t safe = 1ULL << 40;                  /* the harness's safe limit */
    const pte_t inverted = ~(5ULL << PAGE_SHIFT) & hardening.l1tf_mask; /* Linux's swap PTE */

    (void)state;
    pin_and_load();
    /* A domU: addresses below the limit refused, 0 and above accepted. */
    assert_int_equal(mmu_update1(ma(t.l1, 7), into_ram), -EPERM);
    assert_int_equal(mmu_update1(ma(t.l1, 7), into_ram | RW), -EPERM);
    assert_int_equal(pvmm_table(t.l1)[7], 0);
    assert_int_equal(mmu_update1(ma(t.l1, 7), 0x2), 0);
    assert_int_equal(mmu_update1(ma(t.l1, 7), safe), 0);
    assert_int_equal(mmu_update1(ma(t.l1, 7), inverted), 0);
    assert_int_equal(pvmm_table(t.l1)[7], inverted);
    /* Bits above what the L1D looks at do not make an entry safe. */
    assert_int_equal(mmu_update1(ma(t.l1, 7), (1ULL << 50) | into_ram), -EPERM);
    /* PSE above L1 is a huge page from frame 0, even at address 0. */
    assert_int_equal(mmu_update1(ma(t.l2, 9), _PAGE_PSE), -EPERM);
    assert_int_equal(mmu_update1(ma(t.l2, 9), 0), 0);
    assert_int_equal(mmu_update1(ma(t.l1, 8), _PAGE_PSE), 0); /* PAT at L1 */
    /* Not checked where it is off: dom0 by default, any domain by option. */
    pvmm_dom.is_privileged = true;
    assert_int_equal(mmu_update1(ma(t.l1, 10), into_ram), 0);
    pvmm_dom.is_privileged = false;
    hardening.l1tf_domu = false;
    assert_int_equal(mmu_update1(ma(t.l1, 11), into_ram), 0);
    hardening.l1tf_domu = true;
    assert_int_equal(mmu_update1(ma(t.l1, 10), 0), 0);
    assert_int_equal(mmu_update1(ma(t.l1, 11), 0), 0);
}

/* A table is checked as it is validated: an unsafe entry fails the pin. */
static void test_l1tf_checked_on_promotion(void **state)
{
    mfn_t l1 = pvmm_alloc(&pvmm_dom);

    (void)state;
    pvmm_table(l1)[3] = t.data[1] << PAGE_SHIFT;
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), -EPERM);
    assert_int_equal(pvmm_trefs(l1), 0);
    pvmm_table(l1)[3] = 0;
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0);
}

/* XPTI's root tables copy guest L4 slots: told of every L4 change. */
static void test_l4_changes_reach_xpti(void **state)
{
    unsigned int before;

    (void)state;
    pin_and_load();
    before = pvmm_l4_changes;
    assert_int_equal(mmu_update1(ma(t.l4, 300), 0), 0);
    assert_int_equal(pvmm_l4_changes, before + 1);
    assert_int_equal(mmu_update1(ma(t.l1, 7), 0), 0);
    assert_int_equal(pvmm_l4_changes, before + 1);
}

static void test_user_l1_entry_gets_global(void **state)
{
    (void)state;
    pvmm_table(t.l1)[5] = pvmm_pte(t.data[0], P | US);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), 0);
    assert_int_equal(pvmm_table(t.l1)[5], pvmm_pte(t.data[0], P | US | _PAGE_GLOBAL));
    assert_int_equal(pvmm_refs(t.data[0]), 2);
}

static void test_guest_entries_in_pvx_slots_ignored(void **state)
{
    (void)state;
    /* Garbage in slots 256-271 is neither checked nor kept. */
    pvmm_table(t.l4)[256] = pvmm_pte(pvmm_other.shared_info_mfn, P | RW | _PAGE_PSE);
    pvmm_table(t.l4)[271] = ~0ULL;
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), 0);
    assert_int_equal(pvmm_table(t.l4)[256], 0x7700000000000001ULL | (256ULL << 12));
    assert_int_equal(pvmm_table(t.l4)[271], 0x7700000000000001ULL | (271ULL << 12));
    assert_int_equal(pvmm_refs(pvmm_other.shared_info_mfn), 0);
}

static void test_refuse_foreign_and_hypervisor_frames(void **state)
{
    struct page_info *heap = alloc_pages(0);
    struct {
        mfn_t mfn;
        int rc;
    } cases[] = {
        {pvmm_other.shared_info_mfn, -EBUSY}, /* another domain's frame */
        {0x10, -EPERM},                       /* reserved: firmware, image */
        {PVMM_NR_FRAMES + 5, -EPERM},         /* beyond RAM */
        {page_to_mfn(heap), -EBUSY},          /* pvx's heap (Xen: dom_xen's) */
    };

    (void)state;
    heap->count_info |= PGC_xen_heap;
    heap->owner = &pvmm_dom; /* even if it claimed to be the domain's */
    for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
        pvmm_table(t.l1)[7] = pvmm_pte(cases[i].mfn, P);
        assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), cases[i].rc);
        assert_tree_released(); /* a failed validation takes nothing */
        assert_int_equal(pvmm_trefs(t.l4), 0);
    }
    /* A free frame is no one's. */
    struct page_info *free_pg = alloc_pages(0);
    mfn_t free_mfn = page_to_mfn(free_pg);
    free_pages(free_pg, 0);
    pvmm_table(t.l1)[7] = pvmm_pte(free_mfn, P);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), -EBUSY);
    /* Upper levels: a foreign frame is -EINVAL. */
    pvmm_table(t.l1)[7] = 0;
    pvmm_table(t.l3)[9] = pvmm_pte(pvmm_other.shared_info_mfn, P | RW);
    assert_int_equal(mmuext1(MMUEXT_PIN_L3_TABLE, t.l3, 0), -EINVAL);
    assert_tree_released();
}

static void test_flags_per_level(void **state)
{
    (void)state;
    /* L2: no superpages, no global, no cache attributes. */
    pte_t bad_l2[] = {_PAGE_PSE, _PAGE_GLOBAL, _PAGE_PWT, _PAGE_PCD};
    for (unsigned int i = 0; i < ARRAY_SIZE(bad_l2); i++) {
        pvmm_table(t.l2)[l2_index(t.va)] = pvmm_pte(t.l1, P | RW | bad_l2[i]);
        assert_int_equal(mmuext1(MMUEXT_PIN_L2_TABLE, t.l2, 0), -EINVAL);
        assert_int_equal(pvmm_trefs(t.l1), 0);
    }
    pvmm_table(t.l2)[l2_index(t.va)] = pvmm_pte(t.l1, P | RW | _PAGE_NX | (1ULL << 9));
    assert_int_equal(mmuext1(MMUEXT_PIN_L2_TABLE, t.l2, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l2, 0), 0);

    /* L1: GLOBAL, NX and software bits are fine (but bit 62, _PAGE_GNTTAB,
     * which marks pvx's grant mappings); cache attributes are not for an
     * unprivileged domain. */
    pvmm_table(t.l1)[9] = pvmm_pte(t.data[0], P | _PAGE_GLOBAL | _PAGE_NX | (0x3ffULL << 52));
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l1, 0), 0);
    pte_t bad_l1[] = {_PAGE_GNTTAB, _PAGE_PWT, _PAGE_PCD, _PAGE_PSE /* PAT: last, see below */};
    for (unsigned int i = 0; i < ARRAY_SIZE(bad_l1); i++) {
        pvmm_table(t.l1)[9] = pvmm_pte(t.data[0], P | bad_l1[i]);
        assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), -EINVAL);
    }
    pvmm_dom.is_privileged = true;
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), 0);
    pvmm_dom.is_privileged = false;
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l1, 0), 0);
    /* Reserved address bits beyond RAM are simply a frame that is not ours. */
    pvmm_table(t.l3)[1] = pvmm_pte(t.l2, P) | (1ULL << 51);
    assert_int_equal(mmuext1(MMUEXT_PIN_L3_TABLE, t.l3, 0), -EINVAL);
}

static void test_page_tables_never_writable(void **state)
{
    (void)state;
    /* A table that maps itself writable cannot be validated. */
    pvmm_table(t.l1)[511] = pvmm_pte(t.l1, P | RW);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), -EBUSY);
    pvmm_table(t.l1)[511] = pvmm_pte(t.l1, P);
    pin_and_load();
    /* Writable mappings of any level of a live table are refused... */
    mfn_t tables[] = {t.l4, t.l3, t.l2, t.l1};
    for (unsigned int i = 0; i < ARRAY_SIZE(tables); i++)
        assert_int_equal(mmu_update1(ma(t.l1, 20), pvmm_pte(tables[i], P | RW)), -EBUSY);
    /* ...read-only ones are fine. */
    assert_int_equal(mmu_update1(ma(t.l1, 20), pvmm_pte(t.l2, P)), 0);
    assert_int_equal(pvmm_refs(t.l2), 2);
    assert_int_equal(pvmm_trefs(t.l2), 1);
    /* The shared_info page may be mapped writable but never be a table. */
    assert_int_equal(mmu_update1(ma(t.l1, 21), pvmm_pte(pvmm_dom.shared_info_mfn, P | RW)), 0);
    assert_int_equal(mmu_update1(ma(t.l1, 21), 0), 0);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, pvmm_dom.shared_info_mfn, 0), -EINVAL);
    assert_int_equal(
        get_page_and_type(&frame_table[pvmm_dom.shared_info_mfn], &pvmm_dom, PGT_seg_desc_page),
        -EINVAL);
    assert_int_equal(pvmm_refs(pvmm_dom.shared_info_mfn), 0);
}

static void test_pin_page_mapped_writable(void **state)
{
    (void)state;
    pin_and_load();
    /* data[0] is mapped writable by the tree. */
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.data[0], 0), -EINVAL);
    assert_int_equal(pvmm_type(t.data[0]), PGT_writable_page);
    assert_int_equal(pvmm_refs(t.data[0]), 1);
    /* Once unmapped it may become one (after a TLB flush). */
    unsigned int flushes = pvmm_tlb_flushes;
    assert_int_equal(mmu_update1(ma(t.l1, 0), 0), 0);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.data[0], 0), 0);
    assert_true(pvmm_tlb_flushes > flushes);
}

static void test_pin_unpin_rules(void **state)
{
    (void)state;
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l4, 0), -EINVAL); /* not pinned */
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), -EINVAL); /* no nesting */
    assert_int_equal(pvmm_trefs(t.l4), 1);
    assert_int_equal(pvmm_refs(t.l4), 1);
    /* A page of one level cannot be pinned as another while in use. */
    assert_int_equal(mmuext1(MMUEXT_PIN_L2_TABLE, t.l3, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l2, 0), -EINVAL);
    /* Lower tables may be pinned on their own as well. */
    assert_int_equal(mmuext1(MMUEXT_PIN_L2_TABLE, t.l2, 0), 0);
    assert_int_equal(pvmm_trefs(t.l2), 2);
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l4, 0), 0);
    assert_int_equal(pvmm_type(t.l2), PGT_l2_page_table);
    assert_int_equal(pvmm_trefs(t.l2), 1);
    assert_int_equal(pvmm_trefs(t.l3), 0);
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, t.l2, 0), 0);
    assert_tree_released();
    /* Frames the domain does not own. */
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, pvmm_other.shared_info_mfn, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, 0x10, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, ~0ULL, 0), -EINVAL);
}

static void test_linear_page_tables_refused(void **state)
{
    (void)state;
    pvmm_table(t.l4)[5] = pvmm_pte(t.l4, P | RW);
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, t.l4, 0), -EINVAL);
    assert_tree_released();
    pvmm_table(t.l4)[5] = 0;
    pin_and_load();
    assert_int_equal(mmu_update1(ma(t.l4, 6), pvmm_pte(t.l4, P)), -EINVAL);
    assert_int_equal(mmu_update1(ma(t.l2, 6), pvmm_pte(t.l2, P)), -EINVAL);
}

/* Linux: pin a new tree, drop the builder's, then map the old tables RW. */
static void test_demotion_makes_tables_writable(void **state)
{
    struct pvmm_tree old;

    (void)state;
    pvmm_build_tree(&old, &pvmm_dom, 0x400000);
    assert_int_equal(mmuext1(MMUEXT_PIN_L4_TABLE, old.l4, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, old.l4, 0), 0);
    assert_int_equal(pvmm_trefs(old.l4), 2);
    pin_and_load();
    assert_int_equal(pvmm_trefs(old.l4), 1); /* the root reference moved */
    assert_int_equal(mmuext1(MMUEXT_UNPIN_TABLE, old.l4, 0), 0);
    mfn_t olds[] = {old.l4, old.l3, old.l2, old.l1};
    for (unsigned int i = 0; i < ARRAY_SIZE(olds); i++) {
        assert_int_equal(pvmm_trefs(olds[i]), 0);
        assert_false(pvmm_validated(olds[i]));
    }
    for (unsigned int i = 0; i < 4; i++)
        assert_int_equal(pvmm_refs(old.data[i]), 0);
    /* Now each old table can be mapped read-write through the new tree. */
    for (unsigned int i = 0; i < ARRAY_SIZE(olds); i++) {
        assert_int_equal(do_update_va_mapping(t.va + (8 + i) * PAGE_SIZE, pvmm_pte(olds[i], P | RW),
                                              UVMF_INVLPG, 0, 0),
                         0);
        assert_int_equal(pvmm_type(olds[i]), PGT_writable_page);
        assert_int_equal(pvmm_trefs(olds[i]), 1);
    }
}

static void test_implicit_typing_through_update(void **state)
{
    mfn_t l2 = pvmm_alloc(&pvmm_dom), l1 = pvmm_alloc(&pvmm_dom);

    (void)state;
    pin_and_load();
    pvmm_table(l2)[3] = pvmm_pte(l1, P | RW);
    pvmm_table(l1)[4] = pvmm_pte(t.data[1], P);
    /* Linking an untyped page validates it as the next level down. */
    assert_int_equal(mmu_update1(ma(t.l3, 7), pvmm_pte(l2, P | RW)), 0);
    assert_int_equal(pvmm_type(l2), PGT_l2_page_table);
    assert_int_equal(pvmm_type(l1), PGT_l1_page_table);
    assert_int_equal(pvmm_refs(t.data[1]), 2);
    /* Unlinking releases them again. */
    assert_int_equal(mmu_update1(ma(t.l3, 7), 0), 0);
    assert_int_equal(pvmm_trefs(l2), 0);
    assert_int_equal(pvmm_trefs(l1), 0);
    assert_int_equal(pvmm_refs(t.data[1]), 1);
    /* A bad child makes the link fail and leaves nothing behind. */
    pvmm_table(l1)[4] = pvmm_pte(t.l1, P | RW);
    assert_int_equal(mmu_update1(ma(t.l3, 7), pvmm_pte(l2, P | RW)), -EBUSY);
    assert_int_equal(pvmm_table(t.l3)[7], 0);
    assert_int_equal(pvmm_trefs(l2), 0);
    assert_int_equal(pvmm_refs(l2), 0);
}

/* ---- mmu_update ---- */

static void test_mmu_update_l1_moves_references(void **state)
{
    (void)state;
    pin_and_load();
    /* Replace data[0] (RW) by data[1] (RO): new taken, old released. */
    assert_int_equal(mmu_update1(ma(t.l1, 0), pvmm_pte(t.data[1], P)), 0);
    assert_int_equal(pvmm_table(t.l1)[0], pvmm_pte(t.data[1], P | US | GK));
    assert_int_equal(pvmm_refs(t.data[0]), 0);
    assert_int_equal(pvmm_trefs(t.data[0]), 0);
    assert_int_equal(pvmm_refs(t.data[1]), 2);
    assert_int_equal(pvmm_trefs(t.data[1]), 1); /* only its RW mapping in slot 1 */
    /* Same frame, RW -> RO -> RW again. */
    assert_int_equal(mmu_update1(ma(t.l1, 1), pvmm_pte(t.data[1], P)), 0);
    assert_int_equal(pvmm_trefs(t.data[1]), 0);
    assert_int_equal(mmu_update1(ma(t.l1, 1), pvmm_pte(t.data[1], P | RW)), 0);
    assert_int_equal(pvmm_trefs(t.data[1]), 1);
    assert_int_equal(pvmm_refs(t.data[1]), 2);
}

static void test_mmu_update_preserve_ad(void **state)
{
    (void)state;
    pin_and_load();
    pvmm_table(t.l1)[2] |= _PAGE_ACCESSED | _PAGE_DIRTY; /* as the CPU would */
    assert_int_equal(
        mmu_update1(ma(t.l1, 2) | MMU_PT_UPDATE_PRESERVE_AD, pvmm_pte(t.data[2], P | RW | US)), 0);
    assert_int_equal(pvmm_table(t.l1)[2], pvmm_pte(t.data[2], P | RW | US | _PAGE_GLOBAL |
                                                                  _PAGE_ACCESSED | _PAGE_DIRTY));
    assert_int_equal(pvmm_refs(t.data[2]), 1);
}

static void test_mmu_update_pvx_l4_slots(void **state)
{
    (void)state;
    pin_and_load();
    for (unsigned int s = PVX_FIRST_L4_SLOT; s <= PVX_LAST_L4_SLOT; s++) {
        assert_int_equal(mmu_update1(ma(t.l4, s), 0), -EINVAL);
        assert_int_equal(mmu_update1(ma(t.l4, s), pvmm_pte(t.l3, P)), -EINVAL);
    }
    assert_int_equal(pvmm_trefs(t.l3), 1);
    /* Neighbouring guest slots work. */
    mfn_t l3 = pvmm_alloc(&pvmm_dom);
    assert_int_equal(mmu_update1(ma(t.l4, 255), pvmm_pte(l3, P)), 0);
    assert_int_equal(mmu_update1(ma(t.l4, 272), 0), 0);
    assert_int_equal(pvmm_trefs(t.l3), 0);
}

static void test_mmu_update_plain_and_bad_targets(void **state)
{
    (void)state;
    pin_and_load();
    /* A page that is not a page table: a plain write needing a writable type. */
    assert_int_equal(mmu_update1(ma(t.data[3], 5), 0x1234567890abcdefULL), 0);
    assert_int_equal(pvmm_table(t.data[3])[5], 0x1234567890abcdefULL);
    assert_int_equal(pvmm_trefs(t.data[3]), 1);
    /* A descriptor page is not writable. */
    mfn_t gdt = pvmm_alloc(&pvmm_dom);
    assert_int_equal(get_page_and_type(&frame_table[gdt], &pvmm_dom, PGT_seg_desc_page), 0);
    assert_int_equal(mmu_update1(ma(gdt, 0), 1), -EINVAL);
    /* Frames that are not the caller's. */
    assert_int_equal(mmu_update1(ma(pvmm_other.shared_info_mfn, 0), 0), -EINVAL);
    assert_int_equal(mmu_update1(ma(0x10, 0), 0), -EINVAL);
    assert_int_equal(mmu_update1(ma(PVMM_NR_FRAMES, 0), 0), -EINVAL);
    /* ptr & 7 is the command: a 4-aligned ptr is an unknown command. */
    assert_int_equal(mmu_update1(ma(t.l1, 0) | 4, 0), -ENOSYS);
    assert_int_equal(mmu_update1(ma(t.l1, 0) | 7, 0), -ENOSYS);
    assert_int_equal(pvmm_refs(t.data[0]), 1);
}

static void test_mmu_update_batch_done_and_stop(void **state)
{
    struct mmu_update reqs[4] = {
        {ma(t.l1, 30), pvmm_pte(t.data[0], P)},
        {ma(t.l1, 31), pvmm_pte(t.data[1], P)},
        {ma(t.l1, 32), pvmm_pte(pvmm_other.shared_info_mfn, P)}, /* fails */
        {ma(t.l1, 33), pvmm_pte(t.data[2], P)},
    };
    uint32_t done = 0xdead;

    (void)state;
    pin_and_load();
    uint64_t list = pvmm_guest_put(ARG0, reqs, sizeof(reqs));
    uint64_t pdone = pvmm_guest_put(DONE, &done, sizeof(done));
    assert_int_equal(do_mmu_update(list, 4, pdone, DOMID_SELF, 0), -EBUSY);
    memcpy(&done, pvmm_guest_win + DONE, sizeof(done));
    assert_int_equal(done, 2);
    assert_int_equal(pvmm_table(t.l1)[33], 0);
    assert_int_equal(pvmm_refs(t.data[1]), 2);
    /* No done pointer: fine.  Bad list pointer: -EFAULT. */
    reqs[2].val = 0;
    list = pvmm_guest_put(ARG0, reqs, sizeof(reqs));
    assert_int_equal(do_mmu_update(list, 4, 0, DOMID_SELF, 0), 0);
    assert_int_equal(do_mmu_update(0xffff800000000000ULL, 1, 0, DOMID_SELF, 0), -EFAULT);
    assert_int_equal(do_mmu_update(list + PVMM_GUEST_WIN_SIZE, 1, 0, DOMID_SELF, 0), -EFAULT);
    assert_int_equal(do_mmu_update(list, 0, 0, DOMID_SELF, 0), 0);
}

static void test_mmu_update_preemption(void **state)
{
    struct mmu_update reqs[3] = {
        {ma(t.l1, 40), pvmm_pte(t.data[0], P)},
        {ma(t.l1, 41), pvmm_pte(t.data[0], P)},
        {ma(t.l1, 42), pvmm_pte(t.data[0], P)},
    };
    uint32_t done = 0;

    (void)state;
    pin_and_load();
    uint64_t list = pvmm_guest_put(ARG0, reqs, sizeof(reqs));
    uint64_t pdone = pvmm_guest_put(DONE, &done, sizeof(done));
    pvmm_preempt_after = 1; /* the check before element 2 says stop */
    assert_int_equal(do_mmu_update(list, 3, pdone, DOMID_SELF, 0), PVMM_CONTINUATION_RC);
    assert_int_equal(pvmm_continuations, 1);
    assert_int_equal(pvmm_cont_args[0], __HYPERVISOR_mmu_update);
    assert_int_equal(pvmm_cont_args[1], list + 2 * sizeof(struct mmu_update));
    assert_int_equal(pvmm_cont_args[2], 1U | (1U << 31));
    assert_int_equal(pvmm_cont_args[3], pdone);
    assert_int_equal(pvmm_cont_args[4], DOMID_SELF);
    memcpy(&done, pvmm_guest_win + DONE, sizeof(done));
    assert_int_equal(done, 2);
    /* The guest re-issues the continuation: done keeps counting. */
    pvmm_preempt_after = -1;
    assert_int_equal(do_mmu_update(pvmm_cont_args[1], pvmm_cont_args[2], pdone, DOMID_SELF, 0), 0);
    memcpy(&done, pvmm_guest_win + DONE, sizeof(done));
    assert_int_equal(done, 3);
    assert_int_equal(pvmm_refs(t.data[0]), 4);
}

static void test_machphys_update(void **state)
{
    (void)state;
    assert_int_equal(mmu_update1((t.data[2] << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0x42), 0);
    assert_int_equal(pvmm_m2p[t.data[2]], 0x42);
    assert_int_equal(pvmm_refs(t.data[2]), 0);
    assert_int_equal(
        mmu_update1((pvmm_other.shared_info_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 1), -EINVAL);
    assert_int_equal(mmu_update1((0x10ULL << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 1), -EINVAL);
    assert_int_equal(pvmm_m2p[pvmm_other.shared_info_mfn], INVALID_M2P_ENTRY);
}

/* The control domain maps another domain's frame through mmu_update with
 * that domain as the owner (a builder, privcmd); the mapping holds a
 * reference on the foreign frame, which a dying owner cannot free until the
 * mapping goes. */
static void test_privileged_foreign_mapping(void **state)
{
    mfn_t theirs = pvmm_alloc(&pvmm_other);
    struct mmu_update req = {ma(t.l1, 7), pvmm_pte(theirs, P | RW | US)};
    uint64_t list;

    (void)state;
    assert_int_equal(pv_pin_table(&pvmm_dom, t.l4, PGT_l4_page_table, false), 0);
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    /* Without the privilege: refused, nothing taken. */
    assert_int_equal(do_mmu_update(list, 1, 0, pvmm_other.domain_id, 0), -EPERM);
    assert_int_equal(pvmm_refs(theirs), 0);
    /* Naming themselves as the owner of a frame that is not theirs fails. */
    pvmm_dom.is_privileged = true;
    req.val = pvmm_pte(t.data[0], P | US);
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    assert_int_equal(do_mmu_update(list, 1, 0, pvmm_other.domain_id, 0), -EBUSY);
    /* Upper-level entries never name foreign frames. */
    req = (struct mmu_update){ma(t.l2, 9), pvmm_pte(theirs, P | RW | US)};
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    assert_int_equal(do_mmu_update(list, 1, 0, pvmm_other.domain_id, 0), -EINVAL);
    /* The real thing: an L1 entry mapping their frame writable. */
    req = (struct mmu_update){ma(t.l1, 7), pvmm_pte(theirs, P | RW | US)};
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    assert_int_equal(do_mmu_update(list, 1, 0, pvmm_other.domain_id, 0), 0);
    assert_int_equal(pvmm_refs(theirs), 1);
    assert_int_equal(pvmm_trefs(theirs), 1);
    /* The owner dies: the frame survives while mapped, is reaped on unmap. */
    pvmm_other.state = DOMAIN_DYING;
    assert_int_equal(pvmm_reaped, 0);
    req.val = 0;
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    assert_int_equal(do_mmu_update(list, 1, 0, DOMID_SELF, 0), 0);
    assert_int_equal(pvmm_refs(theirs), 0);
    assert_int_equal(pvmm_reaped, 1);
    pvmm_other.state = DOMAIN_RUNNING;
    pvmm_dom.is_privileged = false;
}

static void test_foreigndom(void **state)
{
    struct mmu_update req = {ma(t.data[0], 0), 0};
    uint64_t list;

    (void)state;
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    assert_int_equal(do_mmu_update(list, 1, 0, DOMID_SELF, 0), 0);
    assert_int_equal(do_mmu_update(list, 1, 0, pvmm_dom.domain_id, 0), -ESRCH);
    assert_int_equal(do_mmu_update(list, 1, 0, pvmm_other.domain_id, 0), -EPERM);
    assert_int_equal(do_mmu_update(list, 0, 0, pvmm_other.domain_id, 0), 0);
    assert_int_equal(do_mmu_update(list, 1, 0, 77, 0), -ESRCH);
    assert_int_equal(do_mmu_update(list, 1, 0, DOMID_IO, 0), -EPERM);
    assert_int_equal(do_mmu_update(list, 1, 0, DOMID_SELF | (3U << 16), 0), -EPERM);
    assert_int_equal(do_mmu_update(list, 1, 0, DOMID_SELF | (78U << 16), 0), -ESRCH);
    assert_int_equal(do_mmu_update(list, 1, 0, DOMID_SELF | (2U << 16), 0), 0);
    struct mmuext_op op = {.cmd = MMUEXT_TLB_FLUSH_LOCAL};
    list = pvmm_guest_put(ARG0, &op, sizeof(op));
    assert_int_equal(do_mmuext_op(list, 1, 0, DOMID_SELF, 0), 0);
    assert_int_equal(do_mmuext_op(list, 1, 0, pvmm_other.domain_id, 0), -EPERM);
    assert_int_equal(do_mmuext_op(list, 1, 0, DOMID_XEN, 0), -EPERM);
    assert_int_equal(do_mmuext_op(list, 1, 0, 99, 0), -ESRCH);
    assert_int_equal(do_mmuext_op(list, 1, 0, pvmm_dom.domain_id, 0), -ESRCH);
    assert_int_equal(do_mmuext_op(list, 1, 0, 0x10000 | DOMID_SELF, 0), 0); /* a domid_t */
}

/* ---- mmuext_op ---- */

static void test_baseptr(void **state)
{
    (void)state;
    /* Not an L4 (or an L4 in use as something else): refused. */
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, t.l1, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, pvmm_other.shared_info_mfn, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, 0, 0), -EINVAL);
    assert_int_equal(pvmm_vcpu.arch.guest_table, 0);
    assert_tree_released();
    /* Unpinned L4: validated by the root reference alone. */
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
    assert_int_equal(pvmm_vcpu.arch.guest_table, t.l4);
    assert_int_equal(pvmm_type(t.l4), PGT_l4_page_table);
    assert_int_equal(pvmm_trefs(t.l4), 1);
    assert_int_equal(pvmm_ptbase_loads, 1);
    /* Same again: a reload, no extra reference. */
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, t.l4, 0), 0);
    assert_int_equal(pvmm_trefs(t.l4), 1);
    /* User base: another L4, then none. */
    mfn_t ul4 = pvmm_alloc(&pvmm_dom);
    assert_int_equal(mmuext1(MMUEXT_NEW_USER_BASEPTR, ul4, 0), 0);
    assert_int_equal(pvmm_vcpu.arch.guest_table_user, ul4);
    assert_int_equal(pvmm_trefs(ul4), 1);
    assert_int_equal(mmuext1(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0);
    assert_int_equal(pvmm_vcpu.arch.guest_table_user, 0);
    assert_int_equal(pvmm_trefs(ul4), 0);
    assert_int_equal(mmuext1(MMUEXT_NEW_USER_BASEPTR, t.l1, 0), -EINVAL);
    /* m2p_strict hides the read-only M2P from user tables. */
    pvmm_dom.vm_assist |= 1ULL << VMASST_TYPE_m2p_strict;
    assert_int_equal(mmuext1(MMUEXT_NEW_USER_BASEPTR, ul4, 0), 0);
    assert_int_equal(pvmm_table(ul4)[256], 0);
    assert_int_equal(pvmm_table(ul4)[257], 0x7700000000000001ULL | (257ULL << 12));
    /* Replacing the kernel base releases the old tree entirely. */
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, ul4, 0), 0);
    assert_int_equal(pvmm_trefs(ul4), 2);
    assert_tree_released();
}

static void test_mmuext_misc_commands(void **state)
{
    (void)state;
    assert_int_equal(mmuext1(14, 0, 0), -ENOSYS);
    assert_int_equal(mmuext1(21, 0, 0), -ENOSYS);
    assert_int_equal(mmuext1(0xffffffff, 0, 0), -ENOSYS);
    assert_int_equal(mmuext1(MMUEXT_MARK_SUPER, t.data[0], 0), -EOPNOTSUPP);
    assert_int_equal(mmuext1(MMUEXT_UNMARK_SUPER, t.data[0], 0), -EOPNOTSUPP);
    assert_int_equal(mmuext1(MMUEXT_FLUSH_CACHE, 0, 0), -EACCES);
    pvmm_dom.is_privileged = true;
    assert_int_equal(mmuext1(MMUEXT_FLUSH_CACHE, 0, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), 0);
    assert_int_equal(pvmm_cache_flushes, 2);

    assert_int_equal(mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0);
    assert_int_equal(pvmm_tlb_flushes, 2);
    assert_int_equal(mmuext1(MMUEXT_INVLPG_LOCAL, 0x1234000, 0), 0);
    assert_int_equal(pvmm_last_invlpg, 0x1234000);
    assert_int_equal(mmuext1(MMUEXT_INVLPG_ALL, 0xffff830000000000ULL, 0), 0); /* ignored */
    assert_int_equal(pvmm_invlpgs, 1);
    /* MULTI: the vCPU bitmap is read and must be readable. */
    uint64_t mask = 1;
    uint64_t pmask = pvmm_guest_put(0x1000, &mask, sizeof(mask));
    assert_int_equal(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, pmask), 0);
    assert_int_equal(mmuext1(MMUEXT_INVLPG_MULTI, 0x5000, pmask), 0);
    assert_int_equal(pvmm_last_invlpg, 0x5000);
    assert_int_equal(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, 0x7fff0000), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_INVLPG_MULTI, 0, 0), -EINVAL);
}

static void test_set_ldt(void **state)
{
    (void)state;
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0x200000, 16), 0);
    assert_int_equal(pvmm_vcpu.arch.ldt_base, 0x200000);
    assert_int_equal(pvmm_vcpu.arch.ldt_ents, 16);
    assert_int_equal(pvmm_ldt_reloads, 1);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0x200000, 16), 0); /* unchanged */
    assert_int_equal(pvmm_ldt_reloads, 1);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0x200008, 16), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0x200000, 8193), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0xffff810000000000ULL, 1), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0xffff880000000000ULL, 8192), 0);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0x1234, 0), 0); /* none: base ignored */
    assert_int_equal(pvmm_vcpu.arch.ldt_base, 0);
    assert_int_equal(pvmm_vcpu.arch.ldt_ents, 0);
    assert_int_equal(pvmm_ldt_reloads, 3);
    /* A new kernel base remaps the LDT when there is one. */
    pin_and_load();
    assert_int_equal(pvmm_ldt_reloads, 3);
    assert_int_equal(mmuext1(MMUEXT_SET_LDT, 0x200000, 1), 0);
    mfn_t l4 = pvmm_alloc(&pvmm_dom);
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, l4, 0), 0);
    assert_int_equal(pvmm_ldt_reloads, 5);
    assert_int_equal(mmuext1(MMUEXT_NEW_BASEPTR, l4, 0), 0);
    assert_int_equal(pvmm_ldt_reloads, 5);
}

static void test_clear_and_copy_page(void **state)
{
    (void)state;
    memset(pvmm_table(t.data[0]), 0xab, PAGE_SIZE);
    assert_int_equal(mmuext1(MMUEXT_COPY_PAGE, t.data[1], t.data[0]), 0);
    assert_int_equal(memcmp(pvmm_table(t.data[0]), pvmm_table(t.data[1]), PAGE_SIZE), 0);
    assert_int_equal(mmuext1(MMUEXT_CLEAR_PAGE, t.data[0], 0), 0);
    assert_int_equal(pvmm_table(t.data[0])[100], 0);
    assert_int_equal(pvmm_refs(t.data[0]), 0);
    assert_int_equal(pvmm_refs(t.data[1]), 0);
    assert_int_equal(pvmm_trefs(t.data[1]), 0);
    pin_and_load();
    pte_t before = pvmm_table(t.l1)[0];
    /* Page tables are no destination; a source is fine. */
    assert_int_equal(mmuext1(MMUEXT_CLEAR_PAGE, t.l1, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_COPY_PAGE, t.l1, t.data[2]), -EINVAL);
    assert_int_equal(pvmm_table(t.l1)[0], before);
    assert_int_equal(mmuext1(MMUEXT_COPY_PAGE, t.data[2], t.l1), 0);
    assert_int_equal(pvmm_table(t.data[2])[0], before);
    /* Not ours. */
    assert_int_equal(mmuext1(MMUEXT_CLEAR_PAGE, pvmm_other.shared_info_mfn, 0), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_COPY_PAGE, t.data[2], pvmm_other.shared_info_mfn), -EINVAL);
    assert_int_equal(mmuext1(MMUEXT_COPY_PAGE, 0x10, t.data[2]), -EINVAL);
    assert_int_equal(pvmm_refs(t.data[2]), 1);
}

static void test_mmuext_batch(void **state)
{
    struct mmuext_op ops[3];
    uint32_t done = 0;

    (void)state;
    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_PIN_L4_TABLE;
    ops[0].arg1.mfn = t.l4;
    ops[1].cmd = MMUEXT_NEW_BASEPTR;
    ops[1].arg1.mfn = t.l4;
    ops[2].cmd = MMUEXT_PIN_L4_TABLE; /* again: fails */
    ops[2].arg1.mfn = t.l4;
    uint64_t list = pvmm_guest_put(ARG0, ops, sizeof(ops));
    uint64_t pdone = pvmm_guest_put(DONE, &done, sizeof(done));
    assert_int_equal(do_mmuext_op(list, 3, pdone, DOMID_SELF, 0), -EINVAL);
    memcpy(&done, pvmm_guest_win + DONE, sizeof(done));
    assert_int_equal(done, 2);
    assert_int_equal(pvmm_trefs(t.l4), 2);
}

/* ---- update_va_mapping ---- */

static void test_update_va_mapping(void **state)
{
    (void)state;
    assert_int_equal(do_update_va_mapping(t.va, pvmm_pte(t.data[3], P), 0, 0, 0), -EINVAL);
    pin_and_load();
    assert_int_equal(do_update_va_mapping(t.va, pvmm_pte(t.data[3], P), UVMF_NONE, 0, 0), 0);
    assert_int_equal(pvmm_table(t.l1)[0], pvmm_pte(t.data[3], P | US | GK));
    assert_int_equal(pvmm_refs(t.data[0]), 0);
    assert_int_equal(pvmm_refs(t.data[3]), 2);
    assert_int_equal(pvmm_tlb_flushes + pvmm_invlpgs, 0);

    uint64_t va = t.va + 3 * PAGE_SIZE;
    assert_int_equal(do_update_va_mapping(va, 0, UVMF_INVLPG | UVMF_LOCAL, 0, 0), 0);
    assert_int_equal(pvmm_last_invlpg, va);
    assert_int_equal(do_update_va_mapping(va, 0, UVMF_TLB_FLUSH | UVMF_ALL, 0, 0), 0);
    assert_int_equal(pvmm_tlb_flushes, 1);
    /* UVMF_MULTI: the rest of flags is a pointer to a vCPU bitmap. */
    uint64_t mask = 1, pmask = pvmm_guest_put(0x1000, &mask, sizeof(mask));
    assert_int_equal(do_update_va_mapping(va, 0, UVMF_INVLPG | pmask, 0, 0), 0);
    assert_int_equal(pvmm_invlpgs, 2);
    /* A bad bitmap: the update is done, the flush reports -EFAULT. */
    assert_int_equal(
        do_update_va_mapping(va, pvmm_pte(t.data[2], P), UVMF_TLB_FLUSH | 0x7770000, 0, 0),
        -EFAULT);
    assert_int_equal(pvmm_table(t.l1)[3], pvmm_pte(t.data[2], P | US | GK));
    /* Flush type 3 means none. */
    assert_int_equal(do_update_va_mapping(va, 0, 3 | 0x7770000, 0, 0), 0);

    /* Where no L1 is reached. */
    assert_int_equal(do_update_va_mapping(0xffff810000000000ULL, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(do_update_va_mapping(0x0000800000000000ULL, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(do_update_va_mapping(0x1000, 0, 0, 0, 0), -EINVAL);
    assert_int_equal(do_update_va_mapping(t.va + (1ULL << L2_SHIFT), 0, 0, 0, 0), -EINVAL);
    /* The new entry is checked like any other. */
    assert_int_equal(do_update_va_mapping(va, pvmm_pte(t.l2, P | RW), 0, 0, 0), -EBUSY);
    assert_int_equal(do_update_va_mapping(va, pvmm_pte(0x10, P), 0, 0, 0), -EPERM);
    assert_int_equal(do_update_va_mapping(va, pvmm_pte(t.data[1], P | _PAGE_PCD), 0, 0, 0),
                     -EINVAL);
    /* Unmapping the L1's own read-only mapping through itself. */
    assert_int_equal(do_update_va_mapping(PVMM_L1_SELF_VA(t.va), 0, UVMF_INVLPG, 0, 0), 0);
    assert_int_equal(pvmm_refs(t.l1), 1);
}

static void test_teardown_releases_everything(void **state)
{
    mfn_t ul4 = pvmm_alloc(&pvmm_dom);

    (void)state;
    pin_and_load();
    assert_int_equal(mmuext1(MMUEXT_NEW_USER_BASEPTR, ul4, 0), 0);
    assert_int_equal(mmuext1(MMUEXT_PIN_L1_TABLE, t.l1, 0), 0);
    pv_mm_domain_teardown(&pvmm_dom);
    assert_int_equal(pvmm_vcpu.arch.guest_table, 0);
    assert_int_equal(pvmm_vcpu.arch.guest_table_user, 0);
    assert_tree_released();
    assert_int_equal(pvmm_trefs(ul4), 0);
}

static void test_reference_helpers(void **state)
{
    struct page_info *pg = &frame_table[t.data[0]];

    (void)state;
    assert_false(get_page(pg, &pvmm_other));
    assert_true(get_page(pg, &pvmm_dom));
    assert_int_equal(get_page_type(pg, PGT_writable_page), 0);
    assert_int_equal(get_page_type(pg, PGT_l1_page_table), -EINVAL);
    put_page_type(pg);
    put_page(pg);
    expect_assert_failure(put_page(pg));
    expect_assert_failure(put_page_type(pg));
    /* Type changes only at count 0: a frame with a seg_desc reference is not writable. */
    assert_int_equal(get_page_and_type(pg, &pvmm_dom, PGT_seg_desc_page), 0);
    assert_int_equal(get_page_and_type(pg, &pvmm_dom, PGT_writable_page), -EINVAL);
    put_page_and_type(pg);
    assert_int_equal(pvmm_refs(t.data[0]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pin_l4_validates_tree, setup),
        cmocka_unit_test_setup(test_user_l1_entry_gets_global, setup),
        cmocka_unit_test_setup(test_guest_entries_in_pvx_slots_ignored, setup),
        cmocka_unit_test_setup(test_refuse_foreign_and_hypervisor_frames, setup),
        cmocka_unit_test_setup(test_flags_per_level, setup),
        cmocka_unit_test_setup(test_page_tables_never_writable, setup),
        cmocka_unit_test_setup(test_pin_page_mapped_writable, setup),
        cmocka_unit_test_setup(test_pin_unpin_rules, setup),
        cmocka_unit_test_setup(test_linear_page_tables_refused, setup),
        cmocka_unit_test_setup(test_demotion_makes_tables_writable, setup),
        cmocka_unit_test_setup(test_implicit_typing_through_update, setup),
        cmocka_unit_test_setup(test_mmu_update_l1_moves_references, setup),
        cmocka_unit_test_setup(test_mmu_update_preserve_ad, setup),
        cmocka_unit_test_setup(test_mmu_update_pvx_l4_slots, setup),
        cmocka_unit_test_setup(test_mmu_update_plain_and_bad_targets, setup),
        cmocka_unit_test_setup(test_mmu_update_batch_done_and_stop, setup),
        cmocka_unit_test_setup(test_mmu_update_preemption, setup),
        cmocka_unit_test_setup(test_machphys_update, setup),
        cmocka_unit_test_setup(test_foreigndom, setup),
        cmocka_unit_test_setup(test_privileged_foreign_mapping, setup),
        cmocka_unit_test_setup(test_baseptr, setup),
        cmocka_unit_test_setup(test_mmuext_misc_commands, setup),
        cmocka_unit_test_setup(test_set_ldt, setup),
        cmocka_unit_test_setup(test_clear_and_copy_page, setup),
        cmocka_unit_test_setup(test_mmuext_batch, setup),
        cmocka_unit_test_setup(test_update_va_mapping, setup),
        cmocka_unit_test_setup(test_teardown_releases_everything, setup),
        cmocka_unit_test_setup(test_reference_helpers, setup),
        cmocka_unit_test_setup(test_l1tf_non_present_entries, setup),
        cmocka_unit_test_setup(test_l1tf_checked_on_promotion, setup),
        cmocka_unit_test_setup(test_l4_changes_reach_xpti, setup),
    };

    return cmocka_run_group_tests_name("pvmm", tests, NULL, NULL);
}
