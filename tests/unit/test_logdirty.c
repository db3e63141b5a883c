/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: log-dirty mode (arch/x86/pv/logdirty.c) over the real PV MMU.
 * A guest tree maps four data pages writable; the domctl's contract
 * (include/public/domctl.h, PVX_DOMCTL_logdirty) is checked from outside:
 * which entries lose their writable bit, which writes fault into pvx and
 * complete, which pages each round reports, that the references stay those
 * of the entries as they are, and that FINAL and OFF give the guest back
 * exactly what it had.
 */
#include "harness.h"

#include "pvmm_harness.h"
#include <asm/pv/logdirty.h>

#include <public/domctl.h>
#include <public/xen.h>
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/hypercall.h>

#define P       _PAGE_PRESENT
#define RW      _PAGE_RW
#define PF_PW   3U /* error code: present, write */
#define TREE_VA 0x10400000ULL
#define NR_PFNS 64
#define BITMAP  0x3000 /* guest-window offset of the bitmap */
#define PFN_L1  5
#define PFN_D0  10 /* data[i] is pfn PFN_D0 + i */

static struct pvmm_tree t;
static uint64_t refs0[4], trefs0[4];

static uint64_t va_of(unsigned int i)
{
    return TREE_VA + i * PAGE_SIZE;
}

static pte_t *entry(unsigned int i)
{
    return &pvmm_table(t.l1)[l1_index(TREE_VA) + i];
}

static long ld_op(uint32_t op, uint64_t nr_pfns, uint64_t *dirty)
{
    struct pvx_domctl_logdirty d = {.op = op, .nr_pfns = nr_pfns};
    long rc;

    set_xen_guest_handle(d.bitmap, (uint8_t *)(uintptr_t)(PVMM_GUEST_WIN + BITMAP));
    memset(pvmm_guest_win + BITMAP, 0xa5, NR_PFNS / 8);
    rc = arch_logdirty_domctl(&pvmm_dom, &d);
    if (dirty)
        *dirty = d.dirty;
    return rc;
}

static bool reported(uint64_t pfn)
{
    return pvmm_guest_win[BITMAP + pfn / 8] & (1U << (pfn % 8));
}

static bool write_fault(unsigned int i)
{
    return logdirty_fault(&pvmm_vcpu, va_of(i), PF_PW);
}

/* Rewrite data entry i as the guest's user mapping of the same page. */
static void make_user_entry(unsigned int i, pte_t flags)
{
    struct mmu_update u = {.ptr = ((uint64_t)t.l1 << PAGE_SHIFT) +
                                  (l1_index(TREE_VA) + i) * sizeof(pte_t) + MMU_NORMAL_PT_UPDATE,
                           .val = pvmm_pte(t.data[i], flags | _PAGE_USER)};

    assert_int_equal(do_mmu_update(pvmm_guest_put(0x2000, &u, sizeof(u)), 1, 0, DOMID_SELF, 0), 0);
}

static int setup(void **state)
{
    (void)state;
    pvmm_setup();
    pvmm_build_tree(&t, &pvmm_dom, TREE_VA);
    pvmm_pin_and_load(&t);
    set_gpfn_from_mfn(t.l1, PFN_L1);
    for (unsigned int i = 0; i < 4; i++) {
        set_gpfn_from_mfn(t.data[i], PFN_D0 + i);
        refs0[i] = pvmm_refs(t.data[i]);
        trefs0[i] = pvmm_trefs(t.data[i]);
        assert_int_equal(trefs0[i], 1); /* one writable entry each */
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ld_op(PVX_LOGDIRTY_OFF, 0, NULL);
    return 0;
}

/* ENABLE write-protects exactly the writable entries of the domain's own
 * pages; each then holds a read-only entry's references, and the table is
 * reported. */
static void test_enable_protects(void **state)
{
    pte_t self = pvmm_table(t.l1)[511];
    uint64_t dirty;
    (void)state;

    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    for (unsigned int i = 0; i < 4; i++) {
        assert_false(*entry(i) & RW);
        assert_true(*entry(i) & P);
        assert_int_equal(pvmm_refs(t.data[i]), refs0[i]);
        assert_int_equal(pvmm_trefs(t.data[i]), 0);
    }
    assert_int_equal(pvmm_table(t.l1)[511], self); /* read-only already */
    assert_true(pvmm_tlb_flushes > 0);
    /* The table pvx changed is the round's one page: the stream carries
     * the entries read-only, as the guest can now read them. */
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    assert_int_equal(dirty, 1);
    assert_true(reported(PFN_L1));
}

/* A write through a protected entry completes in pvx: the entry is writable
 * again with its type reference, and the round reports that page only. */
static void test_write_fault_marks(void **state)
{
    uint64_t dirty = 99;
    (void)state;

    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    pvmm_invlpgs = 0;
    assert_true(write_fault(2));
    assert_true(*entry(2) & RW);
    assert_int_equal(pvmm_trefs(t.data[2]), 1);
    assert_int_equal(pvmm_invlpgs, 1);
    assert_int_equal(pvmm_last_invlpg, va_of(2));
    /* Again (a translation another CPU cached): retried, nothing changes. */
    assert_true(write_fault(2));
    assert_int_equal(pvmm_trefs(t.data[2]), 1);

    /* The page, and the table whose entries pvx changed (the stream must
     * carry them as the guest could last read them). */
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    assert_int_equal(dirty, 2);
    for (unsigned int pfn = 0; pfn < NR_PFNS; pfn++)
        assert_int_equal(reported(pfn), pfn == PFN_D0 + 2 || pfn == PFN_L1);
    /* CLEAN protected it again; a quiet round reports nothing. */
    assert_false(*entry(2) & RW);
    assert_int_equal(pvmm_trefs(t.data[2]), 0);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    assert_int_equal(dirty, 0);
    assert_false(reported(PFN_D0 + 2));
}

/* Faults that are not log-dirty's are left for the guest. */
static void test_other_faults_pass(void **state)
{
    uint64_t self_va = PVMM_L1_SELF_VA(TREE_VA);
    (void)state;

    assert_false(write_fault(0)); /* mode off */
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_false(logdirty_fault(&pvmm_vcpu, self_va, PF_PW));  /* the guest's read-only entry */
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(0), 1U));    /* a read */
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(0), 0x13));  /* a fetch */
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(0), 0xb));   /* a reserved bit */
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(5), PF_PW)); /* nothing mapped */
    assert_false(*entry(0) & RW);
}

/* The guest rewriting a protected slot takes it out of pvx's hands: a
 * read-only entry it writes stays read-only, and its table is reported. */
static void test_guest_rewrite_wins(void **state)
{
    struct mmu_update u = {.ptr = ((uint64_t)t.l1 << PAGE_SHIFT) +
                                  l1_index(TREE_VA) * sizeof(pte_t) + MMU_NORMAL_PT_UPDATE,
                           .val = pvmm_pte(t.data[0], P)};
    uint64_t dirty;
    (void)state;

    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_int_equal(do_mmu_update(pvmm_guest_put(0x2000, &u, sizeof(u)), 1, 0, DOMID_SELF, 0), 0);
    assert_false(write_fault(0));
    assert_false(*entry(0) & RW);
    /* A new writable entry is a page written behind pvx's back until the
     * next round protects it: reported. */
    u.ptr += sizeof(pte_t) * 4;
    u.val = pvmm_pte(t.data[0], P | RW);
    assert_int_equal(do_mmu_update(pvmm_guest_put(0x2000, &u, sizeof(u)), 1, 0, DOMID_SELF, 0), 0);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    assert_true(reported(PFN_L1));
    assert_true(reported(PFN_D0));
    assert_int_equal(dirty, 2);
    /* OFF leaves the guest's read-only entry alone and gives the rest back. */
    assert_int_equal(ld_op(PVX_LOGDIRTY_OFF, 0, NULL), 0);
    assert_false(*entry(0) & RW);
    for (unsigned int i = 1; i < 5; i++)
        assert_true(*entry(i) & RW);
}

/* FINAL: every entry writable again with its references, the pages still
 * mapped writable by anyone reported with the round's writes and the
 * tables pvx rewrote, and the mode off. */
static void test_final(void **state)
{
    uint64_t dirty;
    (void)state;

    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_true(write_fault(1));
    assert_int_equal(ld_op(PVX_LOGDIRTY_FINAL, NR_PFNS, &dirty), 0);
    for (unsigned int i = 0; i < 4; i++) {
        assert_true(*entry(i) & RW);
        assert_int_equal(pvmm_refs(t.data[i]), refs0[i]);
        assert_int_equal(pvmm_trefs(t.data[i]), trefs0[i]);
    }
    assert_true(reported(PFN_D0 + 1)); /* written, and still writable */
    assert_true(reported(PFN_L1));     /* its entries changed back */
    assert_false(reported(PFN_D0));    /* protected all along */
    assert_int_equal(dirty, 2);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), -EINVAL); /* off */
    assert_false(write_fault(0));
}

/* Every protected entry of a table written after the last round: the
 * faults marked the table, whose entries are writable again, though FINAL
 * finds nothing left to give back in it. */
static void test_faulted_table_goes_again(void **state)
{
    uint64_t dirty;
    (void)state;

    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    for (unsigned int i = 0; i < 4; i++)
        assert_true(write_fault(i));
    assert_int_equal(ld_op(PVX_LOGDIRTY_FINAL, NR_PFNS, &dirty), 0);
    assert_true(reported(PFN_L1));
    assert_int_equal(dirty, 5);
}

/* A table that stops being one gets its kernel entries back as the guest
 * wrote them (a user entry stays as the guest saw it); validated again,
 * they hold a writable entry's references. */
static void test_released_table(void **state)
{
    struct mmuext_op op = {.cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = t.l4};
    (void)state;

    make_user_entry(3, P | RW);
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_int_equal(do_mmuext_op(pvmm_guest_put(0x2000, &op, sizeof(op)), 1, 0, DOMID_SELF, 0), 0);
    /* The base pointer's reference is the last: the whole tree goes. */
    pvmm_vcpu.arch.guest_table = 0;
    put_page_and_type(mfn_to_page(t.l4));
    assert_false(pvmm_validated(t.l1));
    for (unsigned int i = 0; i < 4; i++) {
        assert_int_equal(!!(*entry(i) & RW), i < 3);
        assert_int_equal(pvmm_trefs(t.data[i]), 0);
    }
    op.cmd = MMUEXT_PIN_L4_TABLE;
    assert_int_equal(do_mmuext_op(pvmm_guest_put(0x2000, &op, sizeof(op)), 1, 0, DOMID_SELF, 0), 0);
    for (unsigned int i = 0; i < 4; i++)
        assert_int_equal(pvmm_trefs(t.data[i]), i < 3);
}

/* A protected user entry is never made writable behind the guest's back:
 * the guest has read it read-only (and may, like Linux's fork, have shared
 * the page on that belief).  Its write fault goes to the guest; the
 * guest's rewrite of the entry reports the page.  Kernel entries and pvx's
 * own writes complete in pvx as before; FINAL gives back kernel entries
 * only. */
static void test_user_entries_left_to_guest(void **state)
{
    uint64_t dirty;
    (void)state;

    make_user_entry(0, P | RW);
    make_user_entry(1, P | RW);
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_false(*entry(0) & RW);
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(0), PF_PW | 4));
    assert_false(*entry(0) & RW);
    assert_int_equal(pvmm_trefs(t.data[0]), 0);
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(0), PF_PW | 4)); /* still the guest's */
    assert_true(logdirty_fault(&pvmm_vcpu, va_of(2), PF_PW | 4));  /* a kernel entry */
    assert_true(*entry(2) & RW);
    assert_true(logdirty_fault(&pvmm_vcpu, va_of(1), PF_PW)); /* pvx writing */
    assert_true(*entry(1) & RW);
    make_user_entry(0, P | RW); /* the guest's answer to its fault */
    assert_int_equal(pvmm_trefs(t.data[0]), 1);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    assert_true(reported(PFN_D0) && reported(PFN_D0 + 1) && reported(PFN_D0 + 2));
    assert_false(reported(PFN_D0 + 3));
    assert_int_equal(ld_op(PVX_LOGDIRTY_FINAL, NR_PFNS, &dirty), 0);
    for (unsigned int i = 0; i < 4; i++) {
        assert_int_equal(!!(*entry(i) & RW), i >= 2);
        assert_int_equal(pvmm_trefs(t.data[i]), i >= 2);
        assert_int_equal(pvmm_refs(t.data[i]), refs0[i]);
    }
    assert_false(logdirty_fault(&pvmm_vcpu, va_of(0), PF_PW | 4)); /* mode off */
}

/* Bad requests change nothing. */
static void test_bad_requests(void **state)
{
    struct pvx_domctl_logdirty d = {.op = PVX_LOGDIRTY_ENABLE, .nr_pfns = NR_PFNS, ._pad0 = 1};
    uint64_t dirty;
    (void)state;

    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), -EINVAL); /* not on */
    assert_int_equal(ld_op(PVX_LOGDIRTY_FINAL, NR_PFNS, &dirty), -EINVAL);
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, 0, NULL), -EINVAL);
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, PVX_LOGDIRTY_MAX_PFNS + 1, NULL), -EINVAL);
    assert_int_equal(ld_op(77, NR_PFNS, NULL), -EINVAL);
    assert_int_equal(arch_logdirty_domctl(&pvmm_dom, &d), -EINVAL);
    assert_true(*entry(0) & RW);
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), 0);
    assert_int_equal(ld_op(PVX_LOGDIRTY_ENABLE, NR_PFNS, NULL), -EBUSY);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS - 1, &dirty), -EINVAL);
    /* A bitmap outside the caller's memory: -EFAULT, the round kept. */
    assert_true(write_fault(3));
    d = (struct pvx_domctl_logdirty){.op = PVX_LOGDIRTY_CLEAN, .nr_pfns = NR_PFNS};
    set_xen_guest_handle(d.bitmap, (uint8_t *)(uintptr_t)0x1000);
    assert_int_equal(arch_logdirty_domctl(&pvmm_dom, &d), -EFAULT);
    assert_int_equal(ld_op(PVX_LOGDIRTY_CLEAN, NR_PFNS, &dirty), 0);
    assert_true(reported(PFN_D0 + 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enable_protects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fault_marks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_faults_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_rewrite_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faulted_table_goes_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_released_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_user_entries_left_to_guest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
