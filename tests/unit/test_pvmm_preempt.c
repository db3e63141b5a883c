/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: preemptible page-table validation (arch/x86/pv/mm.c).  A tree
 * of one L4, one L3, several L2 and many L1 tables is validated through the
 * hypercalls while the stub preempt check says "stop" after a few calls;
 * the test re-issues each continuation as the guest would and checks where
 * the tables stand in between and at the end: the reference counts of a
 * finished validation, everything released after a failure found late, and
 * nothing left by a teardown that meets a partial table.
 */
#include "harness.h"

#include "pvmm_harness.h"

#include <pvx/errno.h>
#include <pvx/hypercall.h>
#include <public/xen.h>

#define P         _PAGE_PRESENT
#define RW        _PAGE_RW
#define NR_L2     3 /* L2 tables under the L3 */
#define NR_L1     4 /* L1 tables under each L2 */
#define ARG0      0
#define DONE      0x8000
#define MAX_PARTS 1000 /* a validation that never ends fails the test */

struct big_tree {
    mfn_t l4, l3, l2[NR_L2], l1[NR_L2][NR_L1];
    mfn_t rw_data, ro_data; /* mapped by every L1: read-write, read-only */
};

static struct big_tree b;

/* Every L1 maps rw_data (slot 0) and ro_data (slot 1); the L3 hangs off the
 * first guest L4 slot above pvx's. */
static void build_big_tree(struct big_tree *t)
{
    t->l4 = pvmm_alloc(&pvmm_dom);
    t->l3 = pvmm_alloc(&pvmm_dom);
    t->rw_data = pvmm_alloc(&pvmm_dom);
    t->ro_data = pvmm_alloc(&pvmm_dom);
    pvmm_table(t->l4)[l4_index(PVMM_KERNEL_VA)] = pvmm_pte(t->l3, P | RW);
    for (unsigned int i = 0; i < NR_L2; i++) {
        t->l2[i] = pvmm_alloc(&pvmm_dom);
        pvmm_table(t->l3)[i] = pvmm_pte(t->l2[i], P | RW);
        for (unsigned int j = 0; j < NR_L1; j++) {
            mfn_t l1 = pvmm_alloc(&pvmm_dom);

            t->l1[i][j] = l1;
            pvmm_table(t->l2[i])[j] = pvmm_pte(l1, P | RW);
            pvmm_table(l1)[0] = pvmm_pte(t->rw_data, P | RW);
            pvmm_table(l1)[1] = pvmm_pte(t->ro_data, P);
        }
    }
}

static int setup(void **state)
{
    (void)state;
    pvmm_setup();
    build_big_tree(&b);
    return 0;
}

static bool partial(mfn_t mfn)
{
    return frame_table[mfn].type_info & PGT_partial;
}

/* Apply fn to every table of the tree. */
static void for_each_table(void (*fn)(mfn_t mfn, unsigned int level))
{
    fn(b.l4, 4);
    fn(b.l3, 3);
    for (unsigned int i = 0; i < NR_L2; i++) {
        fn(b.l2[i], 2);
        for (unsigned int j = 0; j < NR_L1; j++)
            fn(b.l1[i][j], 1);
    }
}

/* A validated table with the one reference its parent entry (or the pin,
 * for the L4) holds. */
static void assert_in_use(mfn_t mfn, unsigned int level)
{
    assert_int_equal(pvmm_type(mfn), (uint64_t)level << PGT_type_shift);
    assert_true(pvmm_validated(mfn));
    assert_false(partial(mfn));
    assert_int_equal(pvmm_trefs(mfn), 1);
    assert_int_equal(pvmm_refs(mfn), 1);
}

static void assert_released(mfn_t mfn, unsigned int level)
{
    (void)level;
    assert_false(partial(mfn));
    assert_false(pvmm_validated(mfn));
    assert_int_equal(pvmm_trefs(mfn), 0);
    assert_int_equal(pvmm_refs(mfn), 0);
}

static void assert_tree_in_use(void)
{
    for_each_table(assert_in_use);
    assert_true(pvmm_pinned(b.l4));
    assert_int_equal(pvmm_refs(b.rw_data), NR_L2 * NR_L1);
    assert_int_equal(pvmm_trefs(b.rw_data), NR_L2 * NR_L1);
    assert_int_equal(pvmm_refs(b.ro_data), NR_L2 * NR_L1);
    assert_int_equal(pvmm_trefs(b.ro_data), 0);
}

static void assert_tree_released(void)
{
    for_each_table(assert_released);
    assert_int_equal(pvmm_refs(b.rw_data), 0);
    assert_int_equal(pvmm_trefs(b.rw_data), 0);
    assert_int_equal(pvmm_refs(b.ro_data), 0);
}

static uint64_t put_ext(unsigned int cmd, mfn_t mfn)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = mfn;
    return pvmm_guest_put(ARG0, &op, sizeof(op));
}

/* Re-issue continuations of mmuext_op (the preempt check firing after
 * `after` calls in each part) until the call finishes; *parts counts them. */
static long finish_mmuext(long rc, int after, unsigned int *parts)
{
    while (rc == PVMM_CONTINUATION_RC) {
        assert_int_equal(pvmm_cont_args[0], __HYPERVISOR_mmuext_op);
        assert_true(++*parts < MAX_PARTS);
        pvmm_set_preempt_after(after);
        rc = do_mmuext_op(pvmm_cont_args[1], pvmm_cont_args[2], pvmm_cont_args[3],
                          pvmm_cont_args[4], 0);
    }
    return rc;
}

static long mmuext_preempted(unsigned int cmd, mfn_t mfn, int after, unsigned int *parts)
{
    *parts = 1;
    pvmm_set_preempt_after(after);
    return finish_mmuext(do_mmuext_op(put_ext(cmd, mfn), 1, 0, DOMID_SELF, 0), after, parts);
}

/* ---- tests ---- */

/* Stopped after the first L1 of the first L2: the tables on the way down
 * are partial, each with its one type reference and no other; the rest is
 * untouched. */
static void test_first_part_leaves_partial_path(void **state)
{
    uint64_t list = put_ext(MMUEXT_PIN_L4_TABLE, b.l4);

    (void)state;
    pvmm_set_preempt_after(0);
    assert_int_equal(do_mmuext_op(list, 1, 0, DOMID_SELF, 0), PVMM_CONTINUATION_RC);
    /* The same element again, not counted as done. */
    assert_int_equal(pvmm_cont_args[1], list);
    assert_int_equal(pvmm_cont_args[2], 1U | (1U << 31));
    for (unsigned int i = 0; i < 3; i++) {
        mfn_t mfn = i == 0 ? b.l4 : i == 1 ? b.l3 : b.l2[0];

        assert_true(partial(mfn));
        assert_false(pvmm_validated(mfn));
        assert_false(pvmm_pinned(mfn));
        assert_int_equal(pvmm_trefs(mfn), 1);
        assert_int_equal(pvmm_refs(mfn), 0); /* no entry holds it yet */
    }
    assert_in_use(b.l1[0][0], 1);
    assert_int_equal(frame_table[b.l2[0]].nr_validated, 1);
    for (unsigned int j = 1; j < NR_L1; j++)
        assert_released(b.l1[0][j], 1);
    assert_released(b.l2[1], 2);
    assert_int_equal(pvmm_refs(b.rw_data), 1);
}

/* Stopped again and again, the pin goes on where it stopped and ends with
 * the counts of a validation done in one go; unpinning releases it all. */
static void test_pin_resumes_to_completion(void **state)
{
    unsigned int parts;

    (void)state;
    assert_int_equal(mmuext_preempted(MMUEXT_PIN_L4_TABLE, b.l4, 1, &parts), 0);
    assert_true(parts > 3);
    assert_tree_in_use();
    assert_int_equal(pvmm_l4_changes, 1); /* the L4 got pvx's slots once */

    assert_int_equal(mmuext_preempted(MMUEXT_UNPIN_TABLE, b.l4, 1, &parts), 0);
    assert_tree_released();
}

/* With the check firing at every opportunity each part still gets one L1
 * further, so the number of parts is bounded by the tables. */
static void test_every_part_makes_progress(void **state)
{
    unsigned int parts;

    (void)state;
    assert_int_equal(mmuext_preempted(MMUEXT_PIN_L4_TABLE, b.l4, 0, &parts), 0);
    assert_true(parts > NR_L2 * NR_L1 / 2);
    assert_true(parts <= NR_L2 * NR_L1 + NR_L2 + 2);
    assert_tree_in_use();
}

/* A bad entry in the last L1, met after several preemptions: the error is
 * the L1's and every reference taken by every part is released. */
static void test_bad_entry_after_preemption_releases_all(void **state)
{
    mfn_t theirs = pvmm_alloc(&pvmm_other);
    unsigned int parts;

    (void)state;
    pvmm_table(b.l1[NR_L2 - 1][NR_L1 - 1])[7] = pvmm_pte(theirs, P);
    assert_int_equal(mmuext_preempted(MMUEXT_PIN_L4_TABLE, b.l4, 1, &parts), -EBUSY);
    assert_true(parts > 3);
    assert_tree_released();
    assert_int_equal(pvmm_refs(theirs), 0);
    /* Every frame can be a writable page again. */
    for (unsigned int i = 0; i < NR_L2; i++)
        assert_int_equal(
            get_page_and_type(&frame_table[b.l1[i][NR_L1 - 1]], &pvmm_dom, PGT_writable_page), 0);
}

/* Between two parts the guest cannot use a partial table as anything else,
 * nor unpin it; it may finish it through another pin of the same level. */
static void test_partial_table_between_parts(void **state)
{
    uint64_t list = put_ext(MMUEXT_PIN_L4_TABLE, b.l4);
    struct mmu_update req;
    unsigned int parts = 1;
    long rc;

    (void)state;
    pvmm_set_preempt_after(0);
    assert_int_equal(do_mmuext_op(list, 1, 0, DOMID_SELF, 0), PVMM_CONTINUATION_RC);
    assert_true(partial(b.l3));
    pvmm_set_preempt_after(-1);
    assert_int_equal(do_mmuext_op(put_ext(MMUEXT_PIN_L2_TABLE, b.l3), 1, 0, DOMID_SELF, 0),
                     -EINVAL);
    assert_int_equal(do_mmuext_op(put_ext(MMUEXT_UNPIN_TABLE, b.l3), 1, 0, DOMID_SELF, 0), -EINVAL);
    assert_int_equal(do_mmuext_op(put_ext(MMUEXT_UNPIN_TABLE, b.l4), 1, 0, DOMID_SELF, 0), -EINVAL);
    /* A write to a partial table: it is no validated table, nor writable. */
    req.ptr = (b.l2[0] << PAGE_SHIFT) + 100 * sizeof(pte_t);
    req.val = pvmm_pte(b.ro_data, P);
    assert_int_equal(do_mmu_update(pvmm_guest_put(0x100, &req, sizeof(req)), 1, 0, DOMID_SELF, 0),
                     -EINVAL);
    /* A writable mapping of it, in a table being pinned. */
    {
        mfn_t l1 = pvmm_alloc(&pvmm_dom);

        pvmm_table(l1)[0] = pvmm_pte(b.l3, P | RW);
        assert_int_equal(mmuext_preempted(MMUEXT_PIN_L1_TABLE, l1, -1, &parts), -EBUSY);
        pvmm_table(l1)[0] = pvmm_pte(b.l3, P); /* read-only is fine */
        assert_int_equal(mmuext_preempted(MMUEXT_PIN_L1_TABLE, l1, -1, &parts), 0);
        assert_int_equal(mmuext_preempted(MMUEXT_UNPIN_TABLE, l1, -1, &parts), 0);
    }
    assert_true(partial(b.l3) && partial(b.l4));
    assert_int_equal(pvmm_refs(b.l3), 0);

    /* Pinning the partial L3 as an L3 finishes it (in parts of its own). */
    assert_int_equal(mmuext_preempted(MMUEXT_PIN_L3_TABLE, b.l3, 1, &parts), 0);
    assert_true(pvmm_validated(b.l3) && pvmm_pinned(b.l3));
    assert_int_equal(pvmm_trefs(b.l3), 1);
    assert_true(partial(b.l4));
    /* The L4's pin goes on: its entry takes a second type reference. */
    list = put_ext(MMUEXT_PIN_L4_TABLE, b.l4);
    pvmm_set_preempt_after(0);
    rc = do_mmuext_op(list, 1, 0, DOMID_SELF, 0);
    assert_int_equal(finish_mmuext(rc, 0, &parts), 0);
    assert_int_equal(pvmm_trefs(b.l3), 2);
    assert_int_equal(mmuext_preempted(MMUEXT_UNPIN_TABLE, b.l3, -1, &parts), 0);
    assert_tree_in_use();
    assert_int_equal(mmuext_preempted(MMUEXT_UNPIN_TABLE, b.l4, -1, &parts), 0);
    assert_tree_released();
}

/* Between two parts the guest changes an entry the validation has not
 * reached yet (in an L2 it has not started: a writable page still); the
 * resumed validation checks the new contents and refuses them. */
static void test_unchecked_entry_changed_between_parts(void **state)
{
    uint64_t list = put_ext(MMUEXT_PIN_L4_TABLE, b.l4);
    unsigned int parts = 1;

    (void)state;
    pvmm_set_preempt_after(0);
    assert_int_equal(do_mmuext_op(list, 1, 0, DOMID_SELF, 0), PVMM_CONTINUATION_RC);
    assert_int_equal(pvmm_trefs(b.l2[NR_L2 - 1]), 0);
    /* An L2 entry naming the L4 itself: a linear mapping, refused. */
    pvmm_table(b.l2[NR_L2 - 1])[9] = pvmm_pte(b.l4, P);
    pvmm_set_preempt_after(0);
    assert_int_equal(finish_mmuext(do_mmuext_op(list, 1, 0, DOMID_SELF, 0), 0, &parts), -EINVAL);
    assert_tree_released();
}

/* A domain destroyed while tables are partial (and others, completed by
 * earlier parts, hang off them): teardown leaves every count at zero. */
static void test_teardown_with_partial_tables(void **state)
{
    uint64_t list = put_ext(MMUEXT_PIN_L4_TABLE, b.l4);
    unsigned int parts = 1;

    mfn_t l3 = pvmm_alloc(&pvmm_dom);

    (void)state;
    /* The check fires before the L2[1]'s last entry: L2[0] is done. */
    pvmm_set_preempt_after(NR_L1 + 2);
    assert_int_equal(do_mmuext_op(list, 1, 0, DOMID_SELF, 0), PVMM_CONTINUATION_RC);
    assert_true(partial(b.l4) && partial(b.l3) && partial(b.l2[1]));
    assert_true(pvmm_validated(b.l2[0]));
    assert_int_equal(frame_table[b.l2[1]].nr_validated, NR_L1 - 1);
    /* A second root, also stopped, whose only entry names b.l2[2]. */
    pvmm_table(l3)[0] = pvmm_pte(b.l2[2], P | RW);
    pvmm_set_preempt_after(0);
    assert_int_equal(do_mmuext_op(put_ext(MMUEXT_PIN_L3_TABLE, l3), 1, 0, DOMID_SELF, 0),
                     PVMM_CONTINUATION_RC);
    assert_true(partial(l3) && partial(b.l2[2]));
    assert_int_equal(pvmm_refs(b.rw_data), NR_L1 + NR_L1 - 1 + 1);

    pv_mm_domain_teardown(&pvmm_dom);
    assert_tree_released();
    assert_released(l3, 3);
    (void)parts;
}

/* mmu_update writing an L3 entry that names a fresh L2 tree: the element
 * restarts (not counted done) until the L2 is validated, then completes. */
static void test_mmu_update_entry_preempted(void **state)
{
    struct mmu_update req;
    uint32_t done = 0;
    uint64_t list, pdone;
    unsigned int parts = 1;
    long rc;

    (void)state;
    pvmm_table(b.l3)[1] = 0; /* l2[1] not in the tree yet */
    assert_int_equal(pv_pin_table(&pvmm_dom, b.l4, PGT_l4_page_table, false), 0);
    req.ptr = (b.l3 << PAGE_SHIFT) + 1 * sizeof(pte_t);
    req.val = pvmm_pte(b.l2[1], P | RW);
    list = pvmm_guest_put(ARG0, &req, sizeof(req));
    pdone = pvmm_guest_put(DONE, &done, sizeof(done));
    pvmm_set_preempt_after(0);
    rc = do_mmu_update(list, 1, pdone, DOMID_SELF, 0);
    while (rc == PVMM_CONTINUATION_RC) {
        assert_int_equal(pvmm_cont_args[0], __HYPERVISOR_mmu_update);
        assert_int_equal(pvmm_cont_args[1], list);
        assert_true(partial(b.l2[1]));
        assert_int_equal(pvmm_table(b.l3)[1], 0); /* the entry waits */
        assert_true(++parts < MAX_PARTS);
        pvmm_set_preempt_after(0);
        rc = do_mmu_update(pvmm_cont_args[1], pvmm_cont_args[2], pvmm_cont_args[3],
                           pvmm_cont_args[4], 0);
    }
    assert_int_equal(rc, 0);
    assert_true(parts > 2);
    memcpy(&done, pvmm_guest_win + DONE, sizeof(done));
    assert_int_equal(done, 1);
    assert_tree_in_use();
}

/* NEW_BASEPTR with a fresh tree: the vCPU keeps its old base until the new
 * one is validated. */
static void test_new_baseptr_preempted(void **state)
{
    unsigned int parts;
    mfn_t old = pvmm_alloc(&pvmm_dom);

    (void)state;
    assert_int_equal(pv_set_guest_table(&pvmm_vcpu, old, false, false), 0);
    pvmm_set_preempt_after(0);
    assert_int_equal(do_mmuext_op(put_ext(MMUEXT_NEW_BASEPTR, b.l4), 1, 0, DOMID_SELF, 0),
                     PVMM_CONTINUATION_RC);
    assert_int_equal(pvmm_vcpu.arch.guest_table, old);
    assert_int_equal(pvmm_trefs(old), 1);
    parts = 1;
    assert_int_equal(finish_mmuext(PVMM_CONTINUATION_RC, 0, &parts), 0);
    assert_int_equal(pvmm_vcpu.arch.guest_table, b.l4);
    assert_int_equal(pvmm_trefs(old), 0);
    assert_int_equal(pvmm_trefs(b.l4), 1);
    pv_mm_domain_teardown(&pvmm_dom);
    assert_tree_released();
}

/* Callers that may not stop (the domain builder) finish a partial table in
 * one go. */
static void test_non_preemptible_finishes_partial(void **state)
{
    (void)state;
    pvmm_set_preempt_after(0);
    assert_int_equal(do_mmuext_op(put_ext(MMUEXT_PIN_L4_TABLE, b.l4), 1, 0, DOMID_SELF, 0),
                     PVMM_CONTINUATION_RC);
    assert_int_equal(pv_pin_table(&pvmm_dom, b.l4, PGT_l4_page_table, false), 0);
    assert_tree_in_use();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_first_part_leaves_partial_path, setup),
        cmocka_unit_test_setup(test_pin_resumes_to_completion, setup),
        cmocka_unit_test_setup(test_every_part_makes_progress, setup),
        cmocka_unit_test_setup(test_bad_entry_after_preemption_releases_all, setup),
        cmocka_unit_test_setup(test_partial_table_between_parts, setup),
        cmocka_unit_test_setup(test_unchecked_entry_changed_between_parts, setup),
        cmocka_unit_test_setup(test_teardown_with_partial_tables, setup),
        cmocka_unit_test_setup(test_mmu_update_entry_preempted, setup),
        cmocka_unit_test_setup(test_new_baseptr_preempted, setup),
        cmocka_unit_test_setup(test_non_preemptible_finishes_partial, setup),
    };

    return cmocka_run_group_tests_name("pvmm_preempt", tests, NULL, NULL);
}
