// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmuext_op: pinning at each level (and the refusals), base pointers, TLB
 * maintenance, SET_LDT, COPY_PAGE/CLEAR_PAGE, and unknown commands.  A tree
 * too big to validate in one go (the hypervisor stops when an interrupt
 * waits and goes on through a continuation, invisibly to us): pinned
 * directly and from a multicall, and with a bad entry deep inside.
 */
#include "guest.h"
#include "test.h"
#include <public/vcpu.h>

static long ext1(unsigned cmd, unsigned long arg1, unsigned long arg2)
{
    struct mmuext_op op;

    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return hc_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static unsigned long read_cr3(void)
{
    unsigned long v;

    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

/* Pin the big tree under a fresh L4 with a 1 ms tick running, so that
 * interrupts keep arriving during the validation. */
static void big_tree(void)
{
    static u64 *l4;
    static multicall_entry_t mc[2];
    struct bigtree *bt = bigtree_get();
    struct vcpu_set_periodic_timer spt = {.period_ns = 1000000};
    static struct mmuext_op ops[2];

    if (!l4) {
        l4 = page_alloc();
        l4[0] = ((u64)va_to_mfn(bt->l3) << PAGE_SHIFT) | PTE_TABLE;
        make_readonly(l4);
    }
    CHECK_RC("bigtree_tick_1ms", hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &spt), 0);

    /* A writable mapping of a page table in the last L1: the pin fails
     * with that entry's error; afterwards nothing of the tree is a page
     * table.  (Xen releases what the failed validation took when this vCPU
     * makes its next MMU call: a flush here.) */
    CHECK_RC("bigtree_make_bad", bigtree_set_bad(bt, true), 0);
    CHECK_RC("bigtree_pin_bad_entry", pin_table(4, l4), -XEN_EBUSY);
    ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0);
    CHECK("bigtree_free_after_failed_pin", bigtree_all_writable(bt));
    CHECK_RC("bigtree_l4_free_after_failed_pin", make_writable(l4), 0);
    make_readonly(l4);
    CHECK_RC("bigtree_make_good", bigtree_set_bad(bt, false), 0);

    CHECK_RC("bigtree_pin", pin_table(4, l4), 0);
    CHECK_RC("bigtree_l1_in_use", make_writable(bt->l1[BT_L2 / 2][BT_L1 / 2]), -XEN_EBUSY);
    CHECK_RC("bigtree_pin_twice", pin_table(4, l4), -XEN_EINVAL);
    CHECK_RC("bigtree_unpin", unpin_table(l4), 0);
    CHECK("bigtree_free_after_unpin", bigtree_all_writable(bt));

    /* A validation stopping inside a multicall goes on within it. */
    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_PIN_L4_TABLE;
    ops[0].arg1.mfn = va_to_mfn(l4);
    ops[1].cmd = MMUEXT_UNPIN_TABLE;
    ops[1].arg1.mfn = va_to_mfn(l4);
    memset(mc, 0, sizeof(mc));
    for (int i = 0; i < 2; i++) {
        mc[i].op = __HYPERVISOR_mmuext_op;
        mc[i].args[0] = (unsigned long)&ops[i];
        mc[i].args[1] = 1;
        mc[i].args[3] = DOMID_SELF;
        mc[i].result = 0x5555;
    }
    CHECK_RC("bigtree_multicall", hc_multicall(mc, 2), 0);
    CHECK_RC("bigtree_multicall_pin", (long)mc[0].result, 0);
    CHECK_RC("bigtree_multicall_unpin", (long)mc[1].result, 0);
    CHECK("bigtree_free_after_multicall", bigtree_all_writable(bt));

    spt.period_ns = 10000000; /* back to the default 100 Hz */
    CHECK_RC("bigtree_tick_default", hc_vcpu_op(VCPUOP_set_periodic_timer, 0, &spt), 0);
}

void t_mmuext(void)
{
    static const char *const lname[] = {"l1", "l2", "l3", "l4"};
    unsigned long vcpumask = 1;
    struct mmuext_op ops[3];
    unsigned done = 0;
    char name[64];

    /* Pin and unpin an empty table of every level. */
    for (int l = 1; l <= 4; l++) {
        void *t = page_alloc();
        unsigned long mfn = va_to_mfn(t);

        snprintf(name, sizeof(name), "pin_%s_writable_refused", lname[l - 1]);
        CHECK_RC(name, pin_table(l, t), -XEN_EINVAL);
        make_readonly(t);
        snprintf(name, sizeof(name), "pin_%s", lname[l - 1]);
        CHECK_RC(name, pin_table(l, t), 0);
        snprintf(name, sizeof(name), "pin_%s_twice", lname[l - 1]);
        CHECK_RC(name, pin_table(l, t), -XEN_EINVAL);
        snprintf(name, sizeof(name), "pin_%s_as_other_level", lname[l - 1]);
        CHECK_RC(name, pin_table(l == 1 ? 2 : 1, t), -XEN_EINVAL);
        snprintf(name, sizeof(name), "make_pinned_%s_writable_refused", lname[l - 1]);
        CHECK_RC(name, make_writable(t), -XEN_EBUSY);
        snprintf(name, sizeof(name), "unpin_%s", lname[l - 1]);
        CHECK_RC(name, ext1(MMUEXT_UNPIN_TABLE, mfn, 0), 0);
        snprintf(name, sizeof(name), "unpin_%s_twice", lname[l - 1]);
        CHECK_RC(name, ext1(MMUEXT_UNPIN_TABLE, mfn, 0), -XEN_EINVAL);
        /* Unpinned and unreferenced, the page loses its type. */
        snprintf(name, sizeof(name), "unpinned_%s_writable_again", lname[l - 1]);
        CHECK_RC(name, make_writable(t), 0);
    }

    /* A page mapped writable cannot become a page table. */
    {
        u8 *p = page_alloc();
        CHECK_RC("pin_mapped_writable_refused", pin_table(1, p), -XEN_EINVAL);
    }

    /* NEW_BASEPTR: switch to a copy of our L4 and back. */
    {
        u64 *l4 = page_alloc();
        unsigned long old = cur_l4_mfn(), nmfn = va_to_mfn(l4);

        for (int i = 0; i < 512; i++)
            if (i < 256 || i >= 272)
                l4[i] = kernel_l4[i];
        CHECK_RC("copy_l4_readonly", make_readonly(l4), 0);
        CHECK_RC("new_baseptr", ext1(MMUEXT_NEW_BASEPTR, nmfn, 0), 0);
        CHECK_EQ("cr3_after_new_baseptr", read_cr3() >> 12, nmfn);
        CHECK_RC("new_baseptr_back", ext1(MMUEXT_NEW_BASEPTR, old, 0), 0);
        CHECK_EQ("cr3_restored", read_cr3() >> 12, old);
        CHECK_RC("new_baseptr_not_table", ext1(MMUEXT_NEW_BASEPTR, va_to_mfn(page_alloc()), 0),
                 -XEN_EINVAL);
        CHECK_RC("new_baseptr_not_ram", ext1(MMUEXT_NEW_BASEPTR, 1UL << 33, 0), -XEN_EINVAL);
    }

    /* TLB maintenance. */
    CHECK_RC("tlb_flush_local", ext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0);
    CHECK_RC("invlpg_local", ext1(MMUEXT_INVLPG_LOCAL, SCRATCH_BASE, 0), 0);
    CHECK_RC("tlb_flush_all", ext1(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0);
    CHECK_RC("invlpg_all", ext1(MMUEXT_INVLPG_ALL, SCRATCH_BASE, 0), 0);
    CHECK_RC("tlb_flush_multi", ext1(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)&vcpumask), 0);
    CHECK_RC("invlpg_multi", ext1(MMUEXT_INVLPG_MULTI, SCRATCH_BASE, (unsigned long)&vcpumask), 0);
    /* An unreadable vCPU mask is reported as EINVAL by mmuext_op. */
    CHECK_RC("tlb_flush_multi_bad_mask", ext1(MMUEXT_TLB_FLUSH_MULTI, 0, HV_ADDR_XEN), -XEN_EINVAL);
    CHECK_RC("invlpg_local_noncanon", ext1(MMUEXT_INVLPG_LOCAL, BAD_NONCANON, 0), 0);

    /* SET_LDT. */
    CHECK_RC("set_ldt_empty", ext1(MMUEXT_SET_LDT, 0, 0), 0);
    CHECK_RC("set_ldt_unaligned", ext1(MMUEXT_SET_LDT, SCRATCH_BASE + 8, 1), -XEN_EINVAL);
    CHECK_RC("set_ldt_too_many", ext1(MMUEXT_SET_LDT, SCRATCH_BASE, 8193), -XEN_EINVAL);
    CHECK_RC("set_ldt_hv_addr", ext1(MMUEXT_SET_LDT, HV_ADDR_XEN, 16), -XEN_EINVAL);

    /* COPY_PAGE and CLEAR_PAGE. */
    {
        u8 *src = page_alloc(), *dst = page_alloc();
        u64 *pt = page_alloc();

        for (int i = 0; i < 4096; i++)
            src[i] = (u8)i;
        CHECK_RC("copy_page", ext1(MMUEXT_COPY_PAGE, va_to_mfn(dst), va_to_mfn(src)), 0);
        CHECK("copy_page_content", !memcmp(src, dst, PAGE_SIZE));
        CHECK_RC("clear_page", ext1(MMUEXT_CLEAR_PAGE, va_to_mfn(src), 0), 0);
        CHECK("clear_page_content", src[0] == 0 && src[4095] == 0 && src[1234] == 0);
        make_readonly(pt);
        pin_table(1, pt);
        CHECK_RC("copy_page_into_page_table", ext1(MMUEXT_COPY_PAGE, va_to_mfn(pt), va_to_mfn(dst)),
                 -XEN_EINVAL);
        CHECK_RC("clear_page_table", ext1(MMUEXT_CLEAR_PAGE, va_to_mfn(pt), 0), -XEN_EINVAL);
        CHECK_RC("copy_page_bad_src", ext1(MMUEXT_COPY_PAGE, va_to_mfn(dst), 1UL << 33),
                 -XEN_EINVAL);
        ext1(MMUEXT_UNPIN_TABLE, va_to_mfn(pt), 0);
    }

    /* Batches, counts and bad arguments. */
    memset(ops, 0, sizeof(ops));
    ops[0].cmd = MMUEXT_TLB_FLUSH_LOCAL;
    ops[1].cmd = MMUEXT_INVLPG_LOCAL;
    ops[1].arg1.linear_addr = SCRATCH_BASE;
    ops[2].cmd = 14; /* no such command */
    CHECK_RC("batch_stops_at_unknown", hc_mmuext_op(ops, 3, &done, DOMID_SELF), -XEN_ENOSYS);
    CHECK_EQ("batch_done", done, 2);
    CHECK_RC("unknown_cmd_99", ext1(99, 0, 0), -XEN_ENOSYS);
    CHECK_RC("mark_super_refused", ext1(MMUEXT_MARK_SUPER, va_to_mfn(page_alloc()), 0),
             -XEN_EOPNOTSUPP);
    CHECK_RC("count_zero", hc_mmuext_op(ops, 0, NULL, DOMID_SELF), 0);
    CHECK_RC("ops_null", hc_mmuext_op(0, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    CHECK_RC("ops_hv_addr", hc_mmuext_op(HV_ADDR_XEN, 1, NULL, DOMID_SELF), -XEN_EFAULT);
    CHECK_RC("bad_foreigndom", hc_mmuext_op(ops, 1, NULL, 0x7ff5), -XEN_ESRCH);
    CHECK_RC("pin_not_ram", ext1(MMUEXT_PIN_L1_TABLE, 1UL << 33, 0), -XEN_EINVAL);
    CHECK_RC("unpin_not_pinned", ext1(MMUEXT_UNPIN_TABLE, va_to_mfn(page_alloc()), 0), -XEN_EINVAL);
    big_tree();
}
