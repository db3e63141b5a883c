/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: grant tables v1 and v2 (grant_table.c, grant_pin.c,
 * grant_version.c, grant_map.c, grant_copy.c) on top of the real PV MMU.
 * pvmm_dom (id 1, the running vCPU) maps and copies grants of pvmm_other
 * (id 2) through do_grant_table_op with arguments in guest memory, as a
 * guest would; the granter's side is played by writing
 * its shared entries directly.  Every test ends by destroying both tables,
 * so the sanitizer's leak check covers the teardown paths too.
 */
#include "harness.h"

#include "pvmm_harness.h"

#include <pvx/errno.h>
#include <pvx/grant_table.h>
#include <pvx/hypercall.h>
#include <public/xen.h>

#define ARG  0x0000 /* guest window offsets */
#define LIST 0x8000
#define MAP  (GNTMAP_host_map)
#define RO   (GNTMAP_readonly)
#define PTE  (GNTMAP_contains_pte)
#define DEV  (GNTMAP_device_map)

static struct pvmm_tree t;
static mfn_t gframe; /* a page of pvmm_other's that it grants */

/* ---- fakes: the object heap on the host's, so leaks are reported ---- */

void *xmalloc_bytes(size_t size)
{
    return malloc(size);
}

void *xzalloc_bytes(size_t size)
{
    return calloc(1, size);
}

void *xzalloc_array_bytes(size_t size, size_t n)
{
    return calloc(n, size);
}

void xfree(void *p)
{
    free(p);
}

struct page_info *domain_alloc_shared_page(struct domain *d)
{
    return mfn_to_page(pvmm_alloc(d));
}

/* ---- helpers ---- */

static uint64_t gva(unsigned int i)
{
    return t.va + (8 + i) * PAGE_SIZE; /* free slots of the tree's L1 */
}

static uint64_t pte_ma(uint64_t va)
{
    return (t.l1 << PAGE_SHIFT) + l1_index(va) * sizeof(pte_t);
}

static pte_t pte_at(uint64_t va)
{
    return pvmm_table(t.l1)[l1_index(va)];
}

static long gnttab(unsigned int cmd, const void *ops, size_t size, unsigned int count)
{
    return do_grant_table_op(cmd, pvmm_guest_put(ARG, ops, size * count), count, 0, 0);
}

static void *result(void)
{
    return pvmm_guest_win + ARG;
}

static int16_t setup_table(domid_t dom, unsigned int nr)
{
    struct gnttab_setup_table op = {.dom = dom, .nr_frames = nr};

    set_xen_guest_handle(op.frame_list, (xen_pfn_t *)(PVMM_GUEST_WIN + LIST));
    assert_int_equal(gnttab(GNTTABOP_setup_table, &op, sizeof(op), 1), 0);
    return ((struct gnttab_setup_table *)result())->status;
}

static grant_entry_v1_t *entry(struct domain *d, grant_ref_t ref)
{
    return gnttab_shared_entry(d->grant_table, ref);
}

/* The granter's side: fill domid and frame, then the flags. */
static void grant(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, uint16_t flags)
{
    grant_entry_v1_t *e = entry(d, ref);

    e->domid = to;
    e->frame = (uint32_t)frame;
    e->flags = flags;
}

/* The granter's revocation, as Linux's gnttab_end_foreign_access_ref: it
 * succeeds only if no busy bit is set. */
static bool revoke(struct domain *d, grant_ref_t ref)
{
    uint16_t *flags = &entry(d, ref)->flags;
    uint16_t old = *flags;

    if (old & (GTF_reading | GTF_writing))
        return false;
    return __atomic_compare_exchange_n(flags, &old, 0, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

static int16_t map(domid_t dom, grant_ref_t ref, uint32_t flags, uint64_t addr,
                   struct gnttab_map_grant_ref *out)
{
    struct gnttab_map_grant_ref op = {.host_addr = addr, .flags = flags, .ref = ref, .dom = dom};

    op.handle = 0xdead;
    assert_int_equal(gnttab(GNTTABOP_map_grant_ref, &op, sizeof(op), 1), 0);
    memcpy(&op, result(), sizeof(op));
    if (out)
        *out = op;
    return op.status;
}

static int16_t unmap(uint64_t addr, uint64_t dev, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref op = {.host_addr = addr, .dev_bus_addr = dev, .handle = h};

    assert_int_equal(gnttab(GNTTABOP_unmap_grant_ref, &op, sizeof(op), 1), 0);
    return ((struct gnttab_unmap_grant_ref *)result())->status;
}

static struct gnttab_copy copy_op(uint16_t flags, uint64_t src, domid_t sdom, uint16_t soff,
                                  uint64_t dst, domid_t ddom, uint16_t doff, uint16_t len)
{
    struct gnttab_copy op;

    memset(&op, 0, sizeof(op));
    op.flags = flags;
    op.source.u.gmfn = src; /* or ref: the union's low half */
    op.source.domid = sdom;
    op.source.offset = soff;
    op.dest.u.gmfn = dst;
    op.dest.domid = ddom;
    op.dest.offset = doff;
    op.len = len;
    op.status = 0x77;
    return op;
}

static int16_t copy1(struct gnttab_copy op)
{
    assert_int_equal(gnttab(GNTTABOP_copy, &op, sizeof(op), 1), 0);
    return ((struct gnttab_copy *)result())->status;
}

static uint8_t *frame_bytes(mfn_t mfn)
{
    return (uint8_t *)pvmm_table(mfn);
}

static uint16_t busy(grant_ref_t ref)
{
    return entry(&pvmm_other, ref)->flags & (GTF_reading | GTF_writing);
}

/* Nothing of the grant machinery holds a reference on gframe any more. */
static void assert_gframe_free(void)
{
    assert_int_equal(pvmm_refs(gframe), 0);
    assert_int_equal(pvmm_trefs(gframe), 0);
}

static int setup(void **state)
{
    (void)state;
    pvmm_setup();
    /* As domain_create() leaves them: Xen's default maptrack limit. */
    pvmm_dom.max_maptrack_frames = GNTTAB_MAPTRACK_FRAMES_MAX;
    pvmm_other.max_maptrack_frames = GNTTAB_MAPTRACK_FRAMES_MAX;
    /* Both tables exist from the domains' creation, one frame each. */
    assert_int_equal(grant_table_init(&pvmm_dom), 0);
    assert_int_equal(grant_table_init(&pvmm_other), 0);
    pvmm_build_tree(&t, &pvmm_dom, PVMM_KERNEL_VA);
    assert_int_equal(pv_pin_table(&pvmm_dom, t.l4, PGT_l4_page_table, false), 0);
    assert_int_equal(pv_set_guest_table(&pvmm_vcpu, t.l4, false, false), 0);
    /* The control domain's toolstack would set up the granter's table. */
    pvmm_dom.is_privileged = true;
    assert_int_equal(setup_table(pvmm_other.domain_id, 1), GNTST_okay);
    pvmm_dom.is_privileged = false;
    assert_int_equal(setup_table(DOMID_SELF, 1), GNTST_okay);
    gframe = pvmm_alloc(&pvmm_other);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    grant_table_domain_destroy(&pvmm_dom);
    grant_table_domain_destroy(&pvmm_other);
    assert_null(pvmm_dom.grant_table);
    assert_null(pvmm_other.grant_table);
    return 0;
}

/* ---- setup_table / query_size ---- */

static void test_setup_and_query(void **state)
{
    struct gnttab_query_size qs = {.dom = DOMID_SELF};
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 3};
    const xen_pfn_t *list = (const xen_pfn_t *)(pvmm_guest_win + LIST);

    (void)state;
    assert_int_equal(setup_table(DOMID_SELF, 4), GNTST_okay);
    for (unsigned int i = 0; i < 4; i++) {
        assert_int_equal(list[i], pvmm_dom.grant_table->frames[i]);
        assert_ptr_equal(frame_table[list[i]].owner, &pvmm_dom);
    }
    assert_int_equal(gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1), 0);
    qs = *(struct gnttab_query_size *)result();
    assert_int_equal(qs.status, GNTST_okay);
    assert_int_equal(qs.nr_frames, 4);
    assert_int_equal(qs.max_nr_frames, GNTTAB_MAX_FRAMES);

    /* Another domain's table: only for the privileged; unknown ids never. */
    qs.dom = pvmm_other.domain_id;
    gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1);
    assert_int_equal(((struct gnttab_query_size *)result())->status, GNTST_permission_denied);
    assert_int_equal(setup_table(pvmm_other.domain_id, 2), GNTST_permission_denied);
    assert_int_equal(pvmm_other.grant_table->nr_frames, 1);
    qs.dom = 77;
    gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1);
    assert_int_equal(((struct gnttab_query_size *)result())->status, GNTST_bad_domain);
    pvmm_dom.is_privileged = true;
    qs.dom = pvmm_other.domain_id;
    gnttab(GNTTABOP_query_size, &qs, sizeof(qs), 1);
    assert_int_equal(((struct gnttab_query_size *)result())->status, GNTST_okay);
    assert_int_equal(((struct gnttab_query_size *)result())->nr_frames, 1);
    pvmm_dom.is_privileged = false;

    /* Too many frames; a list that cannot be written. */
    assert_int_equal(setup_table(DOMID_SELF, GNTTAB_MAX_FRAMES + 1), GNTST_general_error);
    set_xen_guest_handle(st.frame_list,
                         (xen_pfn_t *)(PVMM_GUEST_WIN + PVMM_GUEST_WIN_SIZE - sizeof(xen_pfn_t)));
    assert_int_equal(gnttab(GNTTABOP_setup_table, &st, sizeof(st), 1), 0);
    assert_int_equal(((struct gnttab_setup_table *)result())->status, GNTST_bad_virt_addr);
    set_xen_guest_handle(st.frame_list, (xen_pfn_t *)PVX_VIRT_START);
    assert_int_equal(gnttab(GNTTABOP_setup_table, &st, sizeof(st), 1), -EFAULT);
    assert_int_equal(do_grant_table_op(GNTTABOP_setup_table, PVMM_GUEST_WIN, 2, 0, 0), -EINVAL);
}

static void test_dispatch(void **state)
{
    struct gnttab_map_grant_ref op = {0};

    (void)state;
    assert_int_equal(gnttab(99, &op, sizeof(op), 1), -ENOSYS);
    assert_int_equal(do_grant_table_op(GNTTABOP_map_grant_ref, PVMM_GUEST_WIN, 0x80000000u, 0, 0),
                     -EINVAL);
    assert_int_equal(do_grant_table_op(GNTTABOP_map_grant_ref, PVX_VIRT_START, 1, 0, 0), -EFAULT);
    assert_int_equal(do_grant_table_op(GNTTABOP_copy, PVX_VIRT_START, 1, 0, 0), -EFAULT);
    /* An empty batch does nothing. */
    assert_int_equal(gnttab(GNTTABOP_map_grant_ref, &op, sizeof(op), 0), 0);
}

/* ---- map / unmap ---- */

static void test_map_rw_by_va(void **state)
{
    struct gnttab_map_grant_ref op;
    pte_t e;

    (void)state;
    grant(&pvmm_other, 10, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 10, MAP, gva(0), &op), GNTST_okay);
    assert_int_equal(op.dev_bus_addr, gframe << PAGE_SHIFT);
    assert_int_equal(busy(10), GTF_reading | GTF_writing);
    e = pte_at(gva(0));
    assert_int_equal((e & PTE_ADDR_MASK) >> PAGE_SHIFT, gframe);
    assert_true(e & _PAGE_PRESENT);
    assert_true(e & _PAGE_RW);
    assert_true(e & _PAGE_GNTTAB);
    assert_true(e & _PAGE_NX);
    /* A kernel mapping (no GNTMAP_application_map), as pvx marks them. */
    assert_true((e & (_PAGE_USER | _PAGE_GUEST_KERNEL)) == (_PAGE_USER | _PAGE_GUEST_KERNEL));
    /* The PTE holds what an ordinary writable mapping holds. */
    assert_int_equal(pvmm_refs(gframe), 1);
    assert_int_equal(pvmm_trefs(gframe), 1);
    assert_int_equal(pvmm_type(gframe), PGT_writable_page);

    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_okay);
    assert_int_equal(pte_at(gva(0)), 0);
    assert_int_equal(busy(10), 0);
    assert_gframe_free();
    assert_true(revoke(&pvmm_other, 10));
}

static void test_map_ro_by_pte(void **state)
{
    struct gnttab_map_grant_ref op;
    pte_t e;

    (void)state;
    grant(&pvmm_other, 11, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    assert_int_equal(
        map(pvmm_other.domain_id, 11, MAP | PTE | RO | GNTMAP_application_map, pte_ma(gva(1)), &op),
        GNTST_okay);
    assert_int_equal(busy(11), GTF_reading);
    e = pte_at(gva(1));
    assert_int_equal((e & PTE_ADDR_MASK) >> PAGE_SHIFT, gframe);
    assert_false(e & _PAGE_RW);
    assert_true(e & _PAGE_USER);
    assert_false(e & _PAGE_GUEST_KERNEL);
    assert_int_equal(pvmm_refs(gframe), 1);
    assert_int_equal(pvmm_trefs(gframe), 0);
    /* A revocation attempt fails while mapped. */
    assert_false(revoke(&pvmm_other, 11));
    assert_int_equal(entry(&pvmm_other, 11)->flags, GTF_permit_access | GTF_readonly | GTF_reading);

    assert_int_equal(unmap(pte_ma(gva(1)), 0, op.handle), GNTST_okay);
    assert_int_equal(pte_at(gva(1)), 0);
    assert_int_equal(busy(11), 0);
    assert_gframe_free();
}

static void test_busy_bits_follow_the_mappings(void **state)
{
    struct gnttab_map_grant_ref r, w;

    (void)state;
    grant(&pvmm_other, 12, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 12, MAP | RO, gva(0), &r), GNTST_okay);
    assert_int_equal(busy(12), GTF_reading);
    assert_int_equal(map(pvmm_other.domain_id, 12, MAP | PTE, pte_ma(gva(1)), &w), GNTST_okay);
    assert_int_equal(busy(12), GTF_reading | GTF_writing);
    assert_int_not_equal(r.handle, w.handle);
    assert_int_equal(pvmm_refs(gframe), 2);
    assert_int_equal(pvmm_trefs(gframe), 1);

    /* The granter changing the entry while pinned moves nothing. */
    entry(&pvmm_other, 12)->frame = (uint32_t)t.data[0];
    entry(&pvmm_other, 12)->domid = 9;
    assert_false(revoke(&pvmm_other, 12));

    assert_int_equal(unmap(pte_ma(gva(1)), 0, w.handle), GNTST_okay);
    assert_int_equal(busy(12), GTF_reading); /* the last writer went */
    assert_false(revoke(&pvmm_other, 12));
    assert_int_equal(unmap(gva(0), 0, r.handle), GNTST_okay);
    assert_int_equal(busy(12), 0);
    assert_gframe_free();
    assert_true(revoke(&pvmm_other, 12));
    assert_int_equal(entry(&pvmm_other, 12)->flags, 0);
}

static void test_self_grant_and_device_map(void **state)
{
    struct gnttab_map_grant_ref op;
    mfn_t own = t.data[3]; /* mapped RW by the tree: one ref + one type ref */

    (void)state;
    grant(&pvmm_dom, 8, pvmm_dom.domain_id, own, GTF_permit_access);
    assert_int_equal(map(pvmm_dom.domain_id, 8, MAP | DEV, gva(2), &op), GNTST_okay);
    assert_int_equal(op.dev_bus_addr, own << PAGE_SHIFT);
    assert_int_equal(pvmm_refs(own), 3);
    assert_int_equal(pvmm_trefs(own), 3);
    /* The device part needs its bus address. */
    assert_int_equal(unmap(0, (own + 1) << PAGE_SHIFT, op.handle), GNTST_bad_dev_addr);
    assert_int_equal(unmap(gva(2), 0, op.handle), GNTST_okay);
    assert_int_equal(pvmm_refs(own), 2);
    assert_int_equal(entry(&pvmm_dom, 8)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(unmap(gva(2), 0, op.handle), GNTST_okay); /* host part gone: no-op */
    assert_int_equal(unmap(0, own << PAGE_SHIFT, op.handle), GNTST_okay);
    assert_int_equal(pvmm_refs(own), 1);
    assert_int_equal(pvmm_trefs(own), 1);
    assert_int_equal(entry(&pvmm_dom, 8)->flags, GTF_permit_access);
    assert_int_equal(unmap(0, own << PAGE_SHIFT, op.handle), GNTST_bad_handle);
}

static void test_map_hostile(void **state)
{
    domid_t o = pvmm_other.domain_id;

    (void)state;
    /* Not granted at all. */
    assert_int_equal(map(o, 20, MAP, gva(0), NULL), GNTST_general_error);
    /* Granted to someone else. */
    grant(&pvmm_other, 21, 7, gframe, GTF_permit_access);
    assert_int_equal(map(o, 21, MAP, gva(0), NULL), GNTST_general_error);
    /* Read-only grant, writable request (the read-only map works). */
    grant(&pvmm_other, 22, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    assert_int_equal(map(o, 22, MAP, gva(0), NULL), GNTST_general_error);
    assert_int_equal(busy(22), 0);
    /* A transfer entry is not an access grant. */
    grant(&pvmm_other, 23, pvmm_dom.domain_id, gframe, GTF_accept_transfer);
    assert_int_equal(map(o, 23, MAP, gva(0), NULL), GNTST_general_error);
    /* References beyond the table, domains that do not exist, no flags. */
    assert_int_equal(map(o, GNTTAB_V1_PER_FRAME, MAP, gva(0), NULL), GNTST_bad_gntref);
    assert_int_equal(map(o, 0xffffffffu, MAP, gva(0), NULL), GNTST_bad_gntref);
    assert_int_equal(map(77, 10, MAP, gva(0), NULL), GNTST_bad_domain);
    assert_int_equal(map(o, 10, RO, gva(0), NULL), GNTST_bad_gntref);
    /* A frame the granter does not own (the mapper's own!), or no frame. */
    grant(&pvmm_other, 24, pvmm_dom.domain_id, t.data[0], GTF_permit_access);
    assert_int_equal(map(o, 24, MAP, gva(0), NULL), GNTST_bad_page);
    assert_int_equal(busy(24), 0);
    grant(&pvmm_other, 25, pvmm_dom.domain_id, PVMM_NR_FRAMES + 5, GTF_permit_access);
    assert_int_equal(map(o, 25, MAP | RO, gva(0), NULL), GNTST_bad_page);
    /* One of the granter's page tables, writable. */
    {
        mfn_t l1 = pvmm_alloc(&pvmm_other);

        assert_int_equal(pv_pin_table(&pvmm_other, l1, PGT_l1_page_table, false), 0);
        grant(&pvmm_other, 26, pvmm_dom.domain_id, l1, GTF_permit_access);
        assert_int_equal(map(o, 26, MAP, gva(0), NULL), GNTST_general_error);
        assert_int_equal(busy(26), 0);
        assert_int_equal(pvmm_refs(l1), 1); /* the pin's */
        assert_int_equal(pv_unpin_table(&pvmm_other, l1), 0);
    }
    /* No L1 behind the address, or a PTE address that is no page table. */
    grant(&pvmm_other, 27, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(o, 27, MAP, 0x1000, NULL), GNTST_general_error);
    assert_int_equal(map(o, 27, MAP, PVX_VIRT_START, NULL), GNTST_general_error);
    assert_int_equal(map(o, 27, MAP | PTE, (t.data[0] << PAGE_SHIFT) + 8, NULL),
                     GNTST_general_error);
    assert_int_equal(map(o, 27, MAP | PTE, pte_ma(gva(0)) + 4, NULL), GNTST_general_error);
    assert_int_equal(busy(27), 0);
    /* The granter's table is gone with it. */
    grant_table_domain_destroy(&pvmm_other);
    assert_int_equal(map(o, 0, MAP, gva(0), NULL), GNTST_bad_gntref);
    /* Nothing was left behind by any refusal. */
    assert_gframe_free();
    assert_int_equal(pvmm_dom.grant_table->maptrack_in_use, 0);
    for (unsigned int i = 0; i < 4; i++)
        assert_int_equal(pte_at(gva(i)), 0);
}

static void test_unmap_hostile(void **state)
{
    struct gnttab_map_grant_ref op;

    (void)state;
    grant(&pvmm_other, 30, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 30, MAP, gva(0), &op), GNTST_okay);
    assert_int_equal(unmap(gva(0), 0, 5000), GNTST_bad_handle);
    assert_int_equal(unmap(gva(0), 0, op.handle + 1), GNTST_bad_handle);
    /* Somewhere the grant is not mapped: an empty slot, an ordinary one. */
    assert_int_equal(unmap(gva(1), 0, op.handle), GNTST_general_error);
    assert_int_equal(unmap(t.va, 0, op.handle), GNTST_general_error);
    assert_int_equal(unmap(pte_ma(t.va), 0, op.handle), GNTST_general_error);
    assert_int_equal(unmap(0x1000, 0, op.handle), GNTST_general_error);
    assert_int_equal(pvmm_refs(gframe), 1);
    assert_int_equal(busy(30), GTF_reading | GTF_writing);
    /* The right one, then again. */
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_okay);
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_bad_handle);
    assert_gframe_free();
    assert_int_equal(busy(30), 0);
}

static void test_unmap_and_replace(void **state)
{
    struct gnttab_map_grant_ref op;
    struct gnttab_unmap_and_replace ur;
    mfn_t other = t.data[1];
    pte_t moved = pte_at(t.va + PAGE_SIZE);

    (void)state;
    grant(&pvmm_other, 31, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 31, MAP, gva(0), &op), GNTST_okay);
    ur = (struct gnttab_unmap_and_replace){
        .host_addr = gva(0), .new_addr = t.va + PAGE_SIZE, .handle = op.handle};
    assert_int_equal(gnttab(GNTTABOP_unmap_and_replace, &ur, sizeof(ur), 1), 0);
    assert_int_equal(((struct gnttab_unmap_and_replace *)result())->status, GNTST_okay);
    /* data[1]'s entry moved over, with its references. */
    assert_int_equal(pte_at(gva(0)), moved);
    assert_int_equal(pte_at(t.va + PAGE_SIZE), 0);
    assert_int_equal(pvmm_refs(other), 1);
    assert_int_equal(pvmm_trefs(other), 1);
    assert_gframe_free();
    assert_int_equal(busy(31), 0);

    /* Not for mappings made by PTE address. */
    assert_int_equal(map(pvmm_other.domain_id, 31, MAP | PTE, pte_ma(gva(1)), &op), GNTST_okay);
    ur = (struct gnttab_unmap_and_replace){
        .host_addr = pte_ma(gva(1)), .new_addr = gva(0), .handle = op.handle};
    gnttab(GNTTABOP_unmap_and_replace, &ur, sizeof(ur), 1);
    assert_int_equal(((struct gnttab_unmap_and_replace *)result())->status, GNTST_general_error);
    assert_int_equal(unmap(pte_ma(gva(1)), 0, op.handle), GNTST_okay);
    assert_gframe_free();
}

/* map() of pvmm_other's ref 40 as a read-only device mapping. */
static int16_t map_dev40(grant_handle_t *h)
{
    struct gnttab_map_grant_ref op;
    int16_t st = map(pvmm_other.domain_id, 40, DEV | RO, 0, &op);

    if (h)
        *h = op.handle;
    return st;
}

static void test_maptrack_limit(void **state)
{
    struct grant_table *lgt = pvmm_dom.grant_table;
    grant_handle_t first, h;

    (void)state;
    /* createdomain's max_maptrack_frames = 2: 512 mappings. */
    pvmm_dom.max_maptrack_frames = 2;
    grant(&pvmm_other, 40, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    for (unsigned int i = 0; i < 2 * MAPTRACK_PER_FRAME; i++) {
        assert_int_equal(map_dev40(&h), GNTST_okay);
        if (!i)
            first = h;
    }
    assert_int_equal(lgt->maptrack_limit, 2 * MAPTRACK_PER_FRAME);
    assert_int_equal(pvmm_refs(gframe), 2 * MAPTRACK_PER_FRAME);
    assert_int_equal(map_dev40(NULL), GNTST_no_space);
    assert_int_equal(lgt->maptrack_limit, 2 * MAPTRACK_PER_FRAME);
    assert_int_equal(unmap(0, gframe << PAGE_SHIFT, first), GNTST_okay);
    assert_int_equal(map_dev40(&h), GNTST_okay);
    assert_int_equal(h, first);
    assert_int_equal(busy(40), GTF_reading);
    /* The mapper's death releases all of them, and the maptrack's pages. */
    grant_table_domain_destroy(&pvmm_dom);
    assert_gframe_free();
    assert_int_equal(busy(40), 0);
}

/* max_maptrack_frames = 0 (xl.cfg's 0, as on Xen): no mapping at all, and
 * nothing allocated for one. */
static void test_maptrack_none(void **state)
{
    struct grant_table *lgt = pvmm_dom.grant_table;
    uint64_t free_before = page_alloc_free_pages();

    (void)state;
    pvmm_dom.max_maptrack_frames = 0;
    grant(&pvmm_other, 40, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    assert_int_equal(map_dev40(NULL), GNTST_no_space);
    assert_int_equal(map(pvmm_other.domain_id, 40, MAP | RO, gva(0), NULL), GNTST_no_space);
    assert_int_equal(lgt->maptrack_limit, 0);
    assert_null(lgt->maptrack_dir[0]);
    assert_int_equal(page_alloc_free_pages(), free_before);
    assert_int_equal(busy(40), 0);
    assert_int_equal(pte_at(gva(0)), 0);
    assert_gframe_free();
}

/*
 * Xen's default limit, 1024 frames of 256 mappings (blkback alone keeps
 * 1056 persistent grants per ring): the maptrack grows a 16-byte entry
 * frame at a time through directory pages, hands out every handle once,
 * and gives its pages back when the domain dies.
 */
static void test_maptrack_grows_to_xen_default(void **state)
{
    enum { BATCH = 1024 };
    static struct gnttab_map_grant_ref ops[BATCH];
    static struct gnttab_unmap_grant_ref un[BATCH];
    static grant_handle_t handles[GNTTAB_MAPTRACK_MAX];
    static uint8_t seen[GNTTAB_MAPTRACK_MAX / 8];
    const struct gnttab_map_grant_ref *mres = result();
    const struct gnttab_unmap_grant_ref *ures = result();
    struct grant_table *lgt = pvmm_dom.grant_table;
    uint64_t free_before = page_alloc_free_pages();
    grant_handle_t h;

    (void)state;
    assert_int_equal(GNTTAB_MAPTRACK_MAX, 262144);
    assert_int_equal(sizeof(struct maptrack), 16);
    /* A domain that has mapped nothing has no maptrack at all. */
    assert_int_equal(lgt->maptrack_limit, 0);
    for (unsigned int i = 0; i < MAPTRACK_DIRS; i++)
        assert_null(lgt->maptrack_dir[i]);

    grant(&pvmm_other, 40, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    for (unsigned int i = 0; i < BATCH; i++)
        ops[i] = (struct gnttab_map_grant_ref){
            .flags = DEV | RO, .ref = 40, .dom = pvmm_other.domain_id};
    memset(seen, 0, sizeof(seen));
    for (unsigned int done = 0; done < GNTTAB_MAPTRACK_MAX; done += BATCH) {
        assert_int_equal(gnttab(GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), BATCH), 0);
        for (unsigned int i = 0; i < BATCH; i++) {
            h = mres[i].handle;
            assert_int_equal(mres[i].status, GNTST_okay);
            assert_true(h < GNTTAB_MAPTRACK_MAX);
            assert_false(seen[h / 8] & (1u << (h % 8)));
            seen[h / 8] |= 1u << (h % 8);
            handles[done + i] = h;
        }
        if (!done) {
            /* Four frames and the first directory page, nothing more. */
            assert_int_equal(lgt->maptrack_limit, BATCH);
            assert_int_equal(free_before - page_alloc_free_pages(), BATCH / MAPTRACK_PER_FRAME + 1);
            assert_null(lgt->maptrack_dir[1]);
        }
    }
    assert_int_equal(lgt->maptrack_limit, GNTTAB_MAPTRACK_MAX);
    assert_int_equal(lgt->maptrack_in_use, GNTTAB_MAPTRACK_MAX);
    assert_int_equal(free_before - page_alloc_free_pages(),
                     GNTTAB_MAPTRACK_FRAMES_MAX + MAPTRACK_DIRS);
    assert_int_equal(pvmm_refs(gframe), GNTTAB_MAPTRACK_MAX);
    assert_int_equal(map_dev40(NULL), GNTST_no_space);
    assert_int_equal(lgt->maptrack_limit, GNTTAB_MAPTRACK_MAX);

    /* A handle in the last frame is found, freed and reused. */
    h = handles[GNTTAB_MAPTRACK_MAX - 1];
    assert_int_equal(unmap(0, gframe << PAGE_SHIFT, h), GNTST_okay);
    assert_int_equal(unmap(0, gframe << PAGE_SHIFT, h), GNTST_bad_handle);
    assert_int_equal(map_dev40(&handles[GNTTAB_MAPTRACK_MAX - 1]), GNTST_okay);
    assert_int_equal(handles[GNTTAB_MAPTRACK_MAX - 1], h);

    /* Half of them unmapped in batches, the rest go with the mapper. */
    for (unsigned int done = 0; done < GNTTAB_MAPTRACK_MAX / 2; done += BATCH) {
        for (unsigned int i = 0; i < BATCH; i++)
            un[i] = (struct gnttab_unmap_grant_ref){.dev_bus_addr = gframe << PAGE_SHIFT,
                                                    .handle = handles[done + i]};
        assert_int_equal(gnttab(GNTTABOP_unmap_grant_ref, un, sizeof(un[0]), BATCH), 0);
        for (unsigned int i = 0; i < BATCH; i++)
            assert_int_equal(ures[i].status, GNTST_okay);
    }
    assert_int_equal(lgt->maptrack_in_use, GNTTAB_MAPTRACK_MAX / 2);
    assert_int_equal(pvmm_refs(gframe), GNTTAB_MAPTRACK_MAX / 2);
    assert_int_equal(busy(40), GTF_reading);
    grant_table_domain_destroy(&pvmm_dom);
    assert_gframe_free();
    assert_int_equal(busy(40), 0);
    /* Every maptrack page back, and the table's own frame. */
    assert_int_equal(page_alloc_free_pages(), free_before + 1);
}

/* What the granted frame's references were at each flush of an unmap. */
static uint64_t refs_at_flush[64];
static unsigned int nr_flushes;

static void record_refs(void)
{
    if (nr_flushes < 64)
        refs_at_flush[nr_flushes] = pvmm_refs(gframe);
    nr_flushes++;
}

/* Unmap 40 host mappings of ref 45 made by PTE address (pte) or by virtual
 * address in one batch: all succeed, and every flush of a chunk comes
 * before that chunk's references are dropped. */
static void unmap_40(bool pte)
{
    struct gnttab_unmap_grant_ref un[40];
    const struct gnttab_unmap_grant_ref *res = result();
    struct gnttab_map_grant_ref op;

    for (unsigned int i = 0; i < 40; i++) {
        uint64_t addr = pte ? pte_ma(gva(i)) : gva(i);

        assert_int_equal(map(pvmm_other.domain_id, 45, MAP | (pte ? PTE : 0), addr, &op),
                         GNTST_okay);
        un[i] = (struct gnttab_unmap_grant_ref){.host_addr = addr, .handle = op.handle};
    }
    assert_int_equal(pvmm_refs(gframe), 40);
    pvmm_tlb_flushes = pvmm_invlpgs = nr_flushes = 0;
    pvmm_flush_hook = record_refs;
    assert_int_equal(gnttab(GNTTABOP_unmap_grant_ref, un, sizeof(un[0]), 40), 0);
    pvmm_flush_hook = NULL;
    for (unsigned int i = 0; i < 40; i++) {
        assert_int_equal(res[i].status, GNTST_okay);
        assert_int_equal(pte_at(gva(i)), 0);
    }
    assert_gframe_free();
    assert_int_equal(busy(45), 0);
}

static void test_unmap_batch_flushes_per_chunk(void **state)
{
    (void)state;
    grant(&pvmm_other, 45, pvmm_dom.domain_id, gframe, GTF_permit_access);
    /* By PTE address: one full flush per chunk of 32, not one per entry. */
    unmap_40(true);
    assert_int_equal(pvmm_tlb_flushes, 2);
    assert_int_equal(pvmm_invlpgs, 0);
    assert_int_equal(refs_at_flush[0], 40);
    assert_int_equal(refs_at_flush[1], 8);
    /* By virtual address: an invlpg each, the chunk's all before its puts. */
    unmap_40(false);
    assert_int_equal(pvmm_tlb_flushes, 0);
    assert_int_equal(pvmm_invlpgs, 40);
    assert_int_equal(refs_at_flush[0], 40);
    assert_int_equal(refs_at_flush[31], 40);
    assert_int_equal(refs_at_flush[32], 8);
    assert_int_equal(refs_at_flush[39], 8);
}

/* Bad elements fail alone, each with its own status; the call returns 0. A
 * handle unmapped earlier in the same batch is already a bad handle. */
static void test_unmap_batch_with_bad_elements(void **state)
{
    struct gnttab_map_grant_ref op;
    struct gnttab_unmap_grant_ref un[6];
    const struct gnttab_unmap_grant_ref *res = result();
    grant_handle_t h[3];

    (void)state;
    grant(&pvmm_other, 46, pvmm_dom.domain_id, gframe, GTF_permit_access);
    for (unsigned int i = 0; i < 3; i++) {
        assert_int_equal(map(pvmm_other.domain_id, 46, MAP, gva(i), &op), GNTST_okay);
        h[i] = op.handle;
    }
    un[0] = (struct gnttab_unmap_grant_ref){.host_addr = gva(0), .handle = h[0]};
    un[1] = (struct gnttab_unmap_grant_ref){.host_addr = gva(1), .handle = 5000};
    un[2] = (struct gnttab_unmap_grant_ref){.host_addr = gva(0), .handle = h[0]};
    un[3] = (struct gnttab_unmap_grant_ref){.host_addr = gva(3), .handle = h[1]};
    un[4] = (struct gnttab_unmap_grant_ref){.host_addr = gva(1), .handle = h[1]};
    un[5] = (struct gnttab_unmap_grant_ref){.host_addr = gva(2), .handle = h[2]};
    assert_int_equal(gnttab(GNTTABOP_unmap_grant_ref, un, sizeof(un[0]), 6), 0);
    assert_int_equal(res[0].status, GNTST_okay);
    assert_int_equal(res[1].status, GNTST_bad_handle);
    assert_int_equal(res[2].status, GNTST_bad_handle);
    assert_int_equal(res[3].status, GNTST_general_error);
    assert_int_equal(res[4].status, GNTST_okay);
    assert_int_equal(res[5].status, GNTST_okay);
    assert_gframe_free();
    assert_int_equal(busy(46), 0);
    assert_int_equal(pvmm_dom.grant_table->maptrack_in_use, 0);
}

/* A long unmap batch is preempted between chunks only, the finished chunk
 * fully released, and resumes with the rest. */
static void test_unmap_batch_continuation(void **state)
{
    struct gnttab_map_grant_ref op;
    struct gnttab_unmap_grant_ref un[40];

    (void)state;
    grant(&pvmm_other, 47, pvmm_dom.domain_id, gframe, GTF_permit_access);
    for (unsigned int i = 0; i < 40; i++) {
        assert_int_equal(map(pvmm_other.domain_id, 47, MAP, gva(i), &op), GNTST_okay);
        un[i] = (struct gnttab_unmap_grant_ref){.host_addr = gva(i), .handle = op.handle};
    }
    pvmm_preempt_after = 0;
    assert_int_equal(gnttab(GNTTABOP_unmap_grant_ref, un, sizeof(un[0]), 40), PVMM_CONTINUATION_RC);
    assert_int_equal(pvmm_cont_args[1], GNTTABOP_unmap_grant_ref);
    assert_int_equal(pvmm_cont_args[2], PVMM_GUEST_WIN + ARG + 32 * sizeof(un[0]));
    assert_int_equal(pvmm_cont_args[3], 8);
    assert_int_equal(pvmm_refs(gframe), 8);
    assert_int_equal(busy(47), GTF_reading | GTF_writing);
    pvmm_preempt_after = -1;
    assert_int_equal(do_grant_table_op(GNTTABOP_unmap_grant_ref, pvmm_cont_args[2], 8, 0, 0), 0);
    assert_gframe_free();
    assert_int_equal(busy(47), 0);
}

static void test_mmu_update_over_a_grant(void **state)
{
    struct gnttab_map_grant_ref op;
    struct mmu_update req = {pte_ma(gva(0)), 0};

    (void)state;
    grant(&pvmm_other, 41, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 41, MAP, gva(0), &op), GNTST_okay);
    /* A guest can never forge a grant entry... */
    req.ptr = pte_ma(gva(1));
    req.val = (t.data[2] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_GNTTAB;
    assert_int_equal(do_mmu_update(pvmm_guest_put(ARG, &req, sizeof(req)), 1, 0, DOMID_SELF, 0),
                     -EINVAL);
    /* ...but it may clear one: the entry's references go with it, once. */
    req.ptr = pte_ma(gva(0));
    req.val = 0;
    assert_int_equal(do_mmu_update(pvmm_guest_put(ARG, &req, sizeof(req)), 1, 0, DOMID_SELF, 0), 0);
    assert_gframe_free();
    /* The handle can no longer be unmapped and the grant stays busy. */
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_general_error);
    assert_gframe_free();
    assert_int_equal(busy(41), GTF_reading | GTF_writing);
    assert_false(revoke(&pvmm_other, 41));
    /* Until the mapper dies. */
    grant_table_domain_destroy(&pvmm_dom);
    assert_int_equal(busy(41), 0);
    assert_gframe_free();
}

static void test_batch_and_continuation(void **state)
{
    struct gnttab_map_grant_ref ops[3];
    const struct gnttab_map_grant_ref *res = result();
    grant_handle_t h;

    (void)state;
    grant(&pvmm_other, 50, pvmm_dom.domain_id, gframe, GTF_permit_access);
    memset(ops, 0, sizeof(ops));
    for (unsigned int i = 0; i < 3; i++) {
        ops[i].host_addr = gva(i);
        ops[i].flags = MAP;
        ops[i].ref = 50;
        ops[i].dom = pvmm_other.domain_id;
    }
    ops[1].ref = 51; /* not granted: fails alone */
    assert_int_equal(gnttab(GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), 3), 0);
    assert_int_equal(res[0].status, GNTST_okay);
    assert_int_equal(res[1].status, GNTST_general_error);
    assert_int_equal(res[2].status, GNTST_okay);
    assert_int_equal(pvmm_refs(gframe), 2);
    h = res[2].handle; /* the next call reuses the argument area */
    assert_int_equal(unmap(gva(0), 0, res[0].handle), GNTST_okay);
    assert_int_equal(unmap(gva(2), 0, h), GNTST_okay);
    assert_gframe_free();

    /* Preempted after the first element: resumes with the other two. */
    ops[1].ref = 50;
    pvmm_preempt_after = 0;
    assert_int_equal(gnttab(GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), 3), PVMM_CONTINUATION_RC);
    assert_int_equal(pvmm_cont_args[0], __HYPERVISOR_grant_table_op);
    assert_int_equal(pvmm_cont_args[1], GNTTABOP_map_grant_ref);
    assert_int_equal(pvmm_cont_args[2], PVMM_GUEST_WIN + ARG + sizeof(ops[0]));
    assert_int_equal(pvmm_cont_args[3], 2);
    assert_int_equal(res[0].status, GNTST_okay);
    assert_int_equal(pvmm_refs(gframe), 1);
    pvmm_preempt_after = -1;
    assert_int_equal(unmap(gva(0), 0, res[0].handle), GNTST_okay);
    assert_gframe_free();
}

/* ---- copy ---- */

static void test_copy_both_directions(void **state)
{
    domid_t self = DOMID_SELF, o = pvmm_other.domain_id;
    mfn_t own = t.data[0], gframe2 = pvmm_alloc(&pvmm_other);

    (void)state;
    grant(&pvmm_other, 60, pvmm_dom.domain_id, gframe, GTF_permit_access);
    grant(&pvmm_other, 61, pvmm_dom.domain_id, gframe2, GTF_permit_access);
    memset(frame_bytes(gframe), 0xab, PAGE_SIZE);
    memset(frame_bytes(own), 0, PAGE_SIZE);

    /* gref -> own frame */
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 60, o, 100, own, self, 200, 50)),
                     GNTST_okay);
    assert_int_equal(frame_bytes(own)[199], 0);
    assert_int_equal(frame_bytes(own)[200], 0xab);
    assert_int_equal(frame_bytes(own)[249], 0xab);
    assert_int_equal(frame_bytes(own)[250], 0);
    /* own frame -> gref: the destination is marked for log-dirty mode. */
    memset(frame_bytes(own), 0x5c, PAGE_SIZE);
    pvmm_dirty_marks = 0;
    assert_int_equal(copy1(copy_op(GNTCOPY_dest_gref, own, self, 0, 60, o, 4000, 96)), GNTST_okay);
    assert_int_equal(pvmm_dirty_marks, 1);
    assert_ptr_equal(pvmm_last_dirty, mfn_to_page(gframe));
    assert_int_equal(frame_bytes(gframe)[3999], 0xab);
    assert_int_equal(frame_bytes(gframe)[4000], 0x5c);
    assert_int_equal(frame_bytes(gframe)[4095], 0x5c);
    /* gref -> gref, a whole page */
    assert_int_equal(
        copy1(copy_op(GNTCOPY_source_gref | GNTCOPY_dest_gref, 60, o, 0, 61, o, 0, PAGE_SIZE)),
        GNTST_okay);
    assert_memory_equal(frame_bytes(gframe), frame_bytes(gframe2), PAGE_SIZE);
    /* Nothing stays pinned or referenced after a copy. */
    assert_int_equal(busy(60), 0);
    assert_int_equal(busy(61), 0);
    assert_gframe_free();
    assert_int_equal(pvmm_refs(gframe2), 0);
    assert_int_equal(pvmm_trefs(gframe2), 0);
    assert_int_equal(pvmm_refs(own), 1);
    /* A zero-length copy checks nothing. */
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 99, 77, 0, 0, 77, 0, 0)), GNTST_okay);
}

static void test_copy_batch(void **state)
{
    domid_t self = DOMID_SELF, o = pvmm_other.domain_id;
    struct gnttab_copy ops[8];
    const struct gnttab_copy *res = result();
    mfn_t own = t.data[0];

    (void)state;
    grant(&pvmm_other, 62, pvmm_dom.domain_id, gframe, GTF_permit_access);
    for (unsigned int i = 0; i < 8; i++) {
        memset(frame_bytes(own) + i * 512, i + 1, 512);
        ops[i] = copy_op(GNTCOPY_dest_gref, own, self, i * 512, 62, o, (7 - i) * 512, 512);
    }
    ops[3].dest.offset = 4000; /* crosses the page end */
    assert_int_equal(gnttab(GNTTABOP_copy, ops, sizeof(ops[0]), 8), 0);
    for (unsigned int i = 0; i < 8; i++) {
        assert_int_equal(res[i].status, i == 3 ? GNTST_bad_copy_arg : GNTST_okay);
        if (i != 3)
            assert_int_equal(frame_bytes(gframe)[(7 - i) * 512 + 7], i + 1);
    }
    assert_gframe_free();
    assert_int_equal(busy(62), 0);
}

static void test_copy_hostile(void **state)
{
    domid_t self = DOMID_SELF, o = pvmm_other.domain_id;
    mfn_t own = t.data[0];
    uint8_t before[PAGE_SIZE];

    (void)state;
    grant(&pvmm_other, 63, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    grant(&pvmm_other, 64, 7, gframe, GTF_permit_access);
    memcpy(before, frame_bytes(gframe), PAGE_SIZE);
    /* Writing through a read-only grant. */
    assert_int_equal(copy1(copy_op(GNTCOPY_dest_gref, own, self, 0, 63, o, 0, 8)),
                     GNTST_general_error);
    /* A grant for someone else; one that does not exist; beyond the table. */
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 64, o, 0, own, self, 0, 8)),
                     GNTST_general_error);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 65, o, 0, own, self, 0, 8)),
                     GNTST_general_error);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 4096, o, 0, own, self, 0, 8)),
                     GNTST_bad_gntref);
    /* Frames only of one's own, named as DOMID_SELF. */
    assert_int_equal(copy1(copy_op(0, gframe, o, 0, own, self, 0, 8)), GNTST_permission_denied);
    assert_int_equal(copy1(copy_op(0, own, pvmm_dom.domain_id, 0, own, self, 0, 8)),
                     GNTST_permission_denied);
    assert_int_equal(copy1(copy_op(0, gframe, self, 0, own, self, 0, 8)), GNTST_bad_page);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 63, o, 0, gframe, self, 0, 8)),
                     GNTST_bad_page);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 63, 77, 0, own, self, 0, 8)),
                     GNTST_bad_domain);
    /* Never into a page table. */
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 63, o, 0, t.l1, self, 0, 8)),
                     GNTST_general_error);
    /* Ranges past the page end, either side. */
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 63, o, 4095, own, self, 0, 2)),
                     GNTST_bad_copy_arg);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 63, o, 0, own, self, 0, 4097)),
                     GNTST_bad_copy_arg);
    assert_memory_equal(before, frame_bytes(gframe), PAGE_SIZE);
    assert_gframe_free();
    assert_int_equal(busy(63), 0);
    assert_int_equal(busy(64), 0);
    assert_int_equal(pvmm_trefs(t.l1), 1);
}

static void test_copy_while_mapped(void **state)
{
    struct gnttab_map_grant_ref op;
    domid_t self = DOMID_SELF, o = pvmm_other.domain_id;

    (void)state;
    grant(&pvmm_other, 66, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(o, 66, MAP | RO, gva(0), &op), GNTST_okay);
    assert_int_equal(copy1(copy_op(GNTCOPY_dest_gref, t.data[0], self, 0, 66, o, 0, 16)),
                     GNTST_okay);
    /* The copy's writer went; the mapping's reader stays. */
    assert_int_equal(busy(66), GTF_reading);
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_okay);
    assert_int_equal(busy(66), 0);
    assert_gframe_free();
}

/* ---- a table from creation, versions, status frames (v2) ---- */

static long set_version_of(struct domain *d, unsigned int version, unsigned int *now)
{
    struct gnttab_set_version op = {.version = version};
    long rc = gnttab_set_version(d, pvmm_guest_put(ARG, &op, sizeof(op)));

    *now = ((struct gnttab_set_version *)result())->version;
    return rc;
}

static int16_t status_frames(domid_t dom, unsigned int nr)
{
    struct gnttab_get_status_frames op = {.nr_frames = nr, .dom = dom, .status = 0x77};

    set_xen_guest_handle(op.frame_list, (uint64_t *)(PVMM_GUEST_WIN + LIST));
    assert_int_equal(gnttab(GNTTABOP_get_status_frames, &op, sizeof(op), 1), 0);
    return ((struct gnttab_get_status_frames *)result())->status;
}

static grant_entry_v2_t *entry2(struct domain *d, grant_ref_t ref)
{
    return gnttab_shared_entry_v2(d->grant_table, ref);
}

static uint16_t status2(struct domain *d, grant_ref_t ref)
{
    return *gnttab_status(d->grant_table, ref);
}

static void grant2(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, uint16_t flags)
{
    grant_entry_v2_t *e = entry2(d, ref);

    e->hdr.domid = to;
    e->full_page.frame = frame;
    e->hdr.flags = flags;
}

static void grant_sub_page(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, uint16_t off,
                           uint16_t len)
{
    grant_entry_v2_t *e = entry2(d, ref);

    e->hdr.domid = to;
    e->sub_page.frame = frame;
    e->sub_page.page_off = off;
    e->sub_page.length = len;
    e->hdr.flags = GTF_permit_access | GTF_sub_page;
}

static void grant_transitive(struct domain *d, grant_ref_t ref, domid_t to, domid_t trans_domid,
                             grant_ref_t trans_ref)
{
    grant_entry_v2_t *e = entry2(d, ref);

    e->hdr.domid = to;
    e->transitive.trans_domid = trans_domid;
    e->transitive.gref = trans_ref;
    e->hdr.flags = GTF_transitive;
}

static void test_table_from_creation(void **state)
{
    domid_t o = pvmm_other.domain_id;
    uint64_t before;

    (void)state;
    assert_int_equal(pvmm_other.grant_table->nr_frames, GNTTAB_INITIAL_FRAMES);
    assert_int_equal(pvmm_other.grant_table->version, 1);
    /* Inside the table but never granted; past its end. */
    assert_int_equal(map(o, GNTTAB_V1_PER_FRAME - 1, MAP, gva(0), NULL), GNTST_general_error);
    assert_int_equal(map(o, GNTTAB_V1_PER_FRAME, MAP, gva(0), NULL), GNTST_bad_gntref);
    /* One frame with the domain, back with it. */
    grant_table_domain_destroy(&pvmm_other);
    before = page_alloc_free_pages();
    assert_int_equal(grant_table_init(&pvmm_other), 0);
    assert_int_equal(page_alloc_free_pages(), before - GNTTAB_INITIAL_FRAMES);
    grant_table_domain_destroy(&pvmm_other);
    assert_int_equal(page_alloc_free_pages(), before);
}

static void test_set_version_and_status_frames(void **state)
{
    struct grant_table *gt = pvmm_dom.grant_table;
    const uint64_t *list = (const uint64_t *)(pvmm_guest_win + LIST);
    uint64_t before = page_alloc_free_pages();
    struct gnttab_get_version gv = {.dom = DOMID_SELF};
    unsigned int now;
    mfn_t st;

    (void)state;
    assert_int_equal(status_frames(DOMID_SELF, 0), GNTST_okay);
    assert_int_equal(status_frames(DOMID_SELF, 1), GNTST_general_error); /* v1: none */
    grant(&pvmm_dom, 3, 9, 0x1234, GTF_permit_access | GTF_readonly);
    grant(&pvmm_dom, 20, 9, 0x1235, GTF_permit_access);
    assert_int_equal(set_version_of(&pvmm_dom, 3, &now), -EINVAL);
    assert_int_equal(now, 1);
    assert_int_equal(set_version_of(&pvmm_dom, 2, &now), 0);
    assert_int_equal(now, 2);
    assert_int_equal(gnttab(GNTTABOP_get_version, &gv, sizeof(gv), 1), 0);
    assert_int_equal(((struct gnttab_get_version *)result())->version, 2);
    /* The reserved entry in v2 form; the rest cleared. */
    assert_int_equal(entry2(&pvmm_dom, 3)->hdr.flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(entry2(&pvmm_dom, 3)->hdr.domid, 9);
    assert_int_equal(entry2(&pvmm_dom, 3)->full_page.frame, 0x1234);
    assert_int_equal(entry2(&pvmm_dom, 10)->hdr.flags, 0);
    /* One status frame for one shared frame, the domain's to map. */
    assert_int_equal(gt->nr_status_frames, 1);
    st = gt->status[0];
    assert_ptr_equal(frame_table[st].owner, &pvmm_dom);
    assert_int_equal(page_alloc_free_pages(), before - 1);
    assert_int_equal(status_frames(DOMID_SELF, 1), GNTST_okay);
    assert_int_equal(list[0], st);
    assert_int_equal(status_frames(DOMID_SELF, 2), GNTST_general_error);
    assert_int_equal(status_frames(77, 1), GNTST_bad_domain);
    assert_int_equal(status_frames(pvmm_other.domain_id, 0), GNTST_permission_denied);
    assert_int_equal(do_grant_table_op(GNTTABOP_get_status_frames, PVMM_GUEST_WIN, 2, 0, 0),
                     -EINVAL);
    /* The table grows with its status frames: 9 frames of 256 need two. */
    assert_int_equal(setup_table(DOMID_SELF, 9), GNTST_okay);
    assert_int_equal(gt->nr_status_frames, 2);
    assert_int_equal(status_frames(DOMID_SELF, 2), GNTST_okay);
    /* Back to v1 refused while the guest maps a status frame. */
    assert_true(get_page(&frame_table[st], &pvmm_dom));
    assert_int_equal(set_version_of(&pvmm_dom, 1, &now), -EBUSY);
    assert_int_equal(now, 2);
    assert_int_equal(gt->nr_status_frames, 2);
    put_page(&frame_table[st]);
    /* A reserved entry with a frame v1 cannot hold. */
    grant2(&pvmm_dom, 4, 9, 1ULL << 32, GTF_permit_access);
    assert_int_equal(set_version_of(&pvmm_dom, 1, &now), -ERANGE);
    grant2(&pvmm_dom, 4, 0, 0, 0);
    assert_int_equal(set_version_of(&pvmm_dom, 1, &now), 0);
    assert_int_equal(now, 1);
    assert_int_equal(gt->nr_status_frames, 0);
    assert_true(frame_table[st].count_info & PGC_free);
    assert_int_equal(entry(&pvmm_dom, 3)->flags, GTF_permit_access | GTF_readonly);
    assert_int_equal(entry(&pvmm_dom, 3)->frame, 0x1234);
    assert_int_equal(page_alloc_free_pages(), before - 8); /* the 8 shared frames grown */
}

/* pvmm_other grants in v2: busy bits in its status, sub-page grants copied
 * within their bounds and never mapped, switches refused while in use. */
static void test_v2_map_and_copy(void **state)
{
    struct gnttab_map_grant_ref op;
    domid_t o = pvmm_other.domain_id, self = DOMID_SELF;
    mfn_t own = t.data[0];
    unsigned int now;

    (void)state;
    assert_int_equal(set_version_of(&pvmm_other, 2, &now), 0);
    grant2(&pvmm_other, 40, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(o, 40, MAP, gva(0), &op), GNTST_okay);
    assert_int_equal(status2(&pvmm_other, 40), GTF_reading | GTF_writing);
    assert_int_equal(entry2(&pvmm_other, 40)->hdr.flags, GTF_permit_access);
    assert_int_equal(set_version_of(&pvmm_other, 1, &now), -EBUSY);
    assert_int_equal(now, 2);
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_okay);
    assert_int_equal(status2(&pvmm_other, 40), 0);
    /* Read-only grant: no writable use; a revoked grant: nothing. */
    grant2(&pvmm_other, 41, pvmm_dom.domain_id, gframe, GTF_permit_access | GTF_readonly);
    assert_int_equal(map(o, 41, MAP, gva(0), NULL), GNTST_general_error);
    assert_int_equal(status2(&pvmm_other, 41), 0);
    assert_int_equal(map(o, 41, MAP | RO, gva(0), &op), GNTST_okay);
    assert_int_equal(status2(&pvmm_other, 41), GTF_reading);
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_okay);
    entry2(&pvmm_other, 40)->hdr.flags = 0;
    assert_int_equal(map(o, 40, MAP, gva(0), NULL), GNTST_general_error);
    assert_int_equal(map(o, 256, MAP, gva(0), NULL), GNTST_bad_gntref); /* 256 per frame */

    /* Sub-page: copies within [100, 300) only. */
    grant_sub_page(&pvmm_other, 42, pvmm_dom.domain_id, gframe, 100, 200);
    assert_int_equal(map(o, 42, MAP | RO, gva(0), NULL), GNTST_general_error);
    memset(frame_bytes(gframe), 0x11, PAGE_SIZE);
    memset(frame_bytes(own), 0x22, PAGE_SIZE);
    assert_int_equal(copy1(copy_op(GNTCOPY_dest_gref, own, self, 0, 42, o, 100, 200)), GNTST_okay);
    assert_int_equal(frame_bytes(gframe)[99], 0x11);
    assert_int_equal(frame_bytes(gframe)[100], 0x22);
    assert_int_equal(frame_bytes(gframe)[299], 0x22);
    assert_int_equal(frame_bytes(gframe)[300], 0x11);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 42, o, 99, own, self, 0, 8)),
                     GNTST_general_error);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 42, o, 296, own, self, 0, 8)),
                     GNTST_general_error);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 42, o, 4090, own, self, 0, 8)),
                     GNTST_bad_copy_arg);
    assert_int_equal(status2(&pvmm_other, 42), 0);
    assert_gframe_free();
    assert_int_equal(set_version_of(&pvmm_other, 1, &now), 0);
}

/* pvmm_other's entry 50 passes on pvmm_dom's entry 9 (granted to
 * pvmm_other) back to pvmm_dom: a copy goes through both, one level only. */
static void test_transitive_copy(void **state)
{
    domid_t o = pvmm_other.domain_id, me = pvmm_dom.domain_id, self = DOMID_SELF;
    mfn_t own = t.data[0], target = t.data[1];
    enum domain_state was;
    unsigned int now;

    (void)state;
    assert_int_equal(set_version_of(&pvmm_other, 2, &now), 0);
    assert_int_equal(set_version_of(&pvmm_dom, 2, &now), 0);
    grant_sub_page(&pvmm_dom, 9, o, target, 64, 64);
    grant_transitive(&pvmm_other, 50, me, me, 9);
    memset(frame_bytes(target), 0x33, PAGE_SIZE);
    memset(frame_bytes(own), 0, PAGE_SIZE);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 64, own, self, 0, 64)), GNTST_okay);
    assert_int_equal(frame_bytes(own)[63], 0x33);
    assert_int_equal(frame_bytes(own)[64], 0);
    /* The target's bounds hold through the transitive grant. */
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 0, own, self, 0, 64)),
                     GNTST_general_error);
    assert_int_equal(status2(&pvmm_other, 50) | status2(&pvmm_dom, 9), 0);
    assert_int_equal(pvmm_dom.grant_table->active[0][9].pins, 0);
    /* Never mapped; never to its own granter, an unknown domain, or a
     * second level. */
    assert_int_equal(map(o, 50, MAP | RO, gva(0), NULL), GNTST_general_error);
    grant_transitive(&pvmm_other, 50, me, o, 9);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 64, own, self, 0, 8)),
                     GNTST_general_error);
    grant_transitive(&pvmm_other, 50, me, 77, 9);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 64, own, self, 0, 8)),
                     GNTST_general_error);
    grant_transitive(&pvmm_dom, 9, o, o, 1);
    grant_transitive(&pvmm_other, 50, me, me, 9);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 64, own, self, 0, 8)),
                     GNTST_general_error);
    assert_int_equal(status2(&pvmm_other, 50) | status2(&pvmm_dom, 9), 0);
    /* A writable copy needs both grants writable. */
    grant2(&pvmm_dom, 9, o, target, GTF_permit_access | GTF_readonly);
    assert_int_equal(copy1(copy_op(GNTCOPY_dest_gref, own, self, 0, 50, o, 0, 8)),
                     GNTST_general_error);
    grant2(&pvmm_dom, 9, o, target, GTF_permit_access);
    memset(frame_bytes(own), 0x44, 8);
    assert_int_equal(copy1(copy_op(GNTCOPY_dest_gref, own, self, 0, 50, o, 0, 8)), GNTST_okay);
    assert_int_equal(frame_bytes(target)[7], 0x44);
    assert_int_equal(frame_bytes(target)[8], 0x33);
    assert_int_equal(status2(&pvmm_other, 50) | status2(&pvmm_dom, 9), 0);
    /* A dying final granter: the grant leads nowhere, nothing stays busy. */
    was = pvmm_dom.state;
    pvmm_dom.state = DOMAIN_DYING;
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 0, own, self, 0, 8)),
                     GNTST_general_error);
    pvmm_dom.state = was;
    assert_int_equal(status2(&pvmm_other, 50) | status2(&pvmm_dom, 9), 0);
    /* A dying intermediate granter: its grants are gone with it. */
    was = pvmm_other.state;
    pvmm_other.state = DOMAIN_DYING;
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 0, own, self, 0, 8)),
                     GNTST_bad_domain);
    pvmm_other.state = was;
    assert_int_equal(status2(&pvmm_other, 50) | status2(&pvmm_dom, 9), 0);
    assert_int_equal(copy1(copy_op(GNTCOPY_source_gref, 50, o, 0, own, self, 0, 8)), GNTST_okay);
    /* The tables go with their v2 status frames (the sanitizer and the
     * teardown count what is left). */
}

/* ---- teardown ---- */

static void test_granter_destroyed_while_mapped(void **state)
{
    struct gnttab_map_grant_ref op;
    struct grant_table *gt = pvmm_other.grant_table;
    mfn_t tframe = gt->frames[0];

    (void)state;
    grant(&pvmm_other, 70, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 70, MAP, gva(0), &op), GNTST_okay);
    grant_table_domain_destroy(&pvmm_other);
    assert_null(pvmm_other.grant_table);
    assert_true(harness_log_contains("kept for 1 mapping"));
    /* The table and its frame survive; the mapped frame stays referenced. */
    assert_false(frame_table[tframe].count_info & PGC_free);
    assert_int_equal(gt->users, 1);
    assert_int_equal(pvmm_refs(gframe), 1);
    /* The mapper can still unmap; then everything goes. */
    assert_int_equal(unmap(gva(0), 0, op.handle), GNTST_okay);
    assert_gframe_free();
    assert_true(frame_table[tframe].count_info & PGC_free);
}

/*
 * Destruction tears down the granter's page tables before its grant table:
 * its own mapping of a table frame goes first, and its last put must not
 * free a frame the table still holds (free_table() frees it, once).
 */
static void test_table_frame_outlives_owner_mapping(void **state)
{
    struct grant_table *gt = pvmm_other.grant_table;
    mfn_t tframe = gt->frames[0];
    struct page_info *pg = &frame_table[tframe];

    (void)state;
    assert_true(get_page(pg, &pvmm_other)); /* the granter maps its table frame */
    pvmm_other.state = DOMAIN_DYING;
    put_page(pg); /* ...and loses that mapping with its page tables */
    assert_false(pg->count_info & PGC_free);
    assert_int_equal(pvmm_refs(tframe), 1); /* the table's own reference */
    assert_ptr_equal(pg->owner, &pvmm_other);
    grant_table_domain_destroy(&pvmm_other);
    assert_true(pg->count_info & PGC_free);
    pvmm_other.state = DOMAIN_RUNNING;
}

static void test_mapper_destroyed(void **state)
{
    struct gnttab_map_grant_ref a, b;

    (void)state;
    grant(&pvmm_other, 71, pvmm_dom.domain_id, gframe, GTF_permit_access);
    assert_int_equal(map(pvmm_other.domain_id, 71, MAP, gva(0), &a), GNTST_okay);
    assert_int_equal(map(pvmm_other.domain_id, 71, DEV | RO, 0, &b), GNTST_okay);
    assert_int_equal(pvmm_refs(gframe), 2);
    grant_table_domain_destroy(&pvmm_dom);
    /* The pins are gone and the device part's reference with them... */
    assert_int_equal(busy(71), 0);
    assert_true(revoke(&pvmm_other, 71));
    assert_int_equal(pvmm_refs(gframe), 1);
    /* ...the PTE's goes with the page tables. */
    pv_mm_domain_teardown(&pvmm_dom);
    assert_gframe_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_setup_and_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_rw_by_va, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_ro_by_pte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_bits_follow_the_mappings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_self_grant_and_device_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_and_replace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maptrack_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maptrack_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maptrack_grows_to_xen_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_batch_flushes_per_chunk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_batch_with_bad_elements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_batch_continuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mmu_update_over_a_grant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_and_continuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_both_directions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_while_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_from_creation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_version_and_status_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v2_map_and_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transitive_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_granter_destroyed_while_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapper_destroyed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_frame_outlives_owner_mapping, setup, teardown),
    };

    return cmocka_run_group_tests_name("grant", tests, NULL, NULL);
}
