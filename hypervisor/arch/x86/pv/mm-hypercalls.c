/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PV MMU hypercalls: mmu_update, mmuext_op and update_va_mapping.
 *
 * All three act on the calling domain's own frames.  The control domain
 * may name another domain as the owner of the frames (mmu_update: L1
 * entries mapping them and M2P updates; mmuext_op: pinning its tables), to
 * build and inspect it; anyone else is refused as Xen refuses a domain
 * without rights over the other.  The batched calls stop at the first failing element and return
 * its error; *done counts the elements that succeeded.  A long batch yields
 * through a continuation: the guest re-issues the call with the rest of the
 * array and MMU_UPDATE_PREEMPTED in count, and done keeps accumulating.  An
 * element whose page-table validation was preempted (-ERESTART: a pin, a
 * new base, an L2-L4 entry naming a fresh table) is the first of the rest,
 * and its validation goes on where it stopped.
 */
#include <asm/pv/mm.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/xen.h>

#define MMU_UPDATE_PREEMPTED (1U << 31) /* in count: a continuation of an earlier call */
#define LDT_MAX_ENTS         8192
#define VMASST_BIT(t)        (1ULL << VMASST_TYPE_##t)

/* Xen's __addr_ok: the lower half, or above the hypervisor's slots. */
static bool guest_addr_ok(uint64_t va)
{
    return va < (1ULL << 47) || va >= PVX_VIRT_END;
}

/*
 * The owner of the frames a batch refers to.  DOMID_SELF is the caller;
 * naming oneself by number is refused with -ESRCH as Xen does; any other
 * existing domain (and DOMID_IO/DOMID_XEN) is a foreign owner.  *owner is
 * the domain whose frames the batch may use: the caller, the named domain
 * for a privileged caller, or NULL when the caller may not act on it
 * (-EPERM, reported by the elements that use it, where Xen does).
 */
static int resolve_pg_owner(struct domain *d, uint64_t foreigndom, struct domain **owner)
{
    domid_t id = (domid_t)foreigndom; /* as Xen, which takes a domid_t */
    struct domain *t;

    *owner = d;
    if (id == DOMID_SELF)
        return 0;
    if (id == d->domain_id)
        return -ESRCH;
    t = domain_lookup(id);
    if (id != DOMID_IO && id != DOMID_XEN && !t)
        return -ESRCH;
    *owner = d->is_privileged ? t : NULL;
    return 0;
}

/* A vCPU bitmap argument (TLB_FLUSH_MULTI, UVMF_MULTI): read every word that
 * covers a vCPU of d.  With one CPU the flush itself is always local. */
static int read_vcpumask(struct domain *d, uint64_t bmap)
{
    for (unsigned int bias = 0; bias < d->max_vcpus; bias += 64) {
        uint64_t word;

        if (copy_from_guest(&word, bmap + bias / 8, sizeof(word)))
            return -EFAULT;
    }
    return 0;
}

/*
 * Run a batch of count elements of size bytes at list, one fn call each.
 * Returns the first error, 0, or the continuation's value.
 */
typedef int (*batch_fn_t)(struct vcpu *v, void *elem, struct domain *pg_owner);

static long run_batch(unsigned int nr, uint64_t list, uint64_t count64, uint64_t pdone,
                      uint64_t foreigndom, size_t size, batch_fn_t fn, struct domain *pg_owner)
{
    uint64_t elem[3]; /* large enough for either element type */
    unsigned int count = (unsigned int)count64, done = 0, i;
    long rc = 0;

    BUG_ON(size > sizeof(elem));
    if (count & MMU_UPDATE_PREEMPTED) {
        count &= ~MMU_UPDATE_PREEMPTED;
        if (pdone)
            (void)copy_from_guest(&done, pdone, sizeof(done));
    }
    if (!guest_range_ok(list, (uint64_t)count * size))
        return -EFAULT;

    for (i = 0; i < count; i++) {
        if (i && hypercall_preempt_check()) {
            rc = hypercall_create_continuation(nr, list + (uint64_t)i * size,
                                               (count - i) | MMU_UPDATE_PREEMPTED, pdone,
                                               foreigndom, 0);
            break;
        }
        if (copy_from_guest(elem, list + (uint64_t)i * size, size)) {
            rc = -EFAULT;
            break;
        }
        rc = fn(current, elem, pg_owner);
        if (rc == -ERESTART) {
            rc = hypercall_create_continuation(nr, list + (uint64_t)i * size,
                                               (count - i) | MMU_UPDATE_PREEMPTED, pdone,
                                               foreigndom, 0);
            break;
        }
        if (rc)
            break;
    }

    if (pdone) {
        done += i;
        (void)copy_to_guest(pdone, &done, sizeof(done));
    }
    return rc;
}

/* ---- mmu_update ---- */

/* A normal update of the 8-byte entry at machine address ma, in one of
 * d's tables; an L1 entry may map a frame of pg_owner's. */
static int pt_update(struct domain *d, uint64_t ma, uint64_t val, bool preserve_ad,
                     struct domain *pg_owner)
{
    struct page_info *pg = pv_get_page_from_mfn(ma >> PAGE_SHIFT, d);
    unsigned int slot = (ma & ~PAGE_MASK) / sizeof(pte_t);
    uint64_t t;
    int rc;

    if (!pg)
        return -EINVAL;
    t = pg->type_info;
    if (pgt_level(t) && (t & PGT_validated) && (t & PGT_count_mask)) {
        if (pg_owner != d && pgt_level(t) != 1)
            rc = -EINVAL; /* foreign frames appear only in L1 entries */
        else
            rc = pv_mod_pt_entry_foreign(d, pg, slot, val, preserve_ad, pg_owner);
    } else if (pg_owner != d) {
        rc = -EINVAL; /* a plain store names no frame of anyone's */
    } else if (!get_page_type(pg, PGT_writable_page)) {
        /* Not a page table: a plain store, as through a writable mapping. */
        pte_t *p = arch_maddr_to_virt(ma & ~(uint64_t)(sizeof(pte_t) - 1));

        *p = val;
        put_page_type(pg);
        rc = 0;
    } else {
        rc = -EINVAL; /* a descriptor page, or a table not in use as one */
    }
    put_page(pg);
    return rc;
}

static int machphys_update(struct domain *d, uint64_t ma, uint64_t pfn)
{
    struct page_info *pg = pv_get_page_from_mfn(ma >> PAGE_SHIFT, d);

    if (!pg)
        return -EINVAL;
    set_gpfn_from_mfn(ma >> PAGE_SHIFT, pfn);
    put_page(pg);
    return 0;
}

static int mmu_update_one(struct vcpu *v, void *elem, struct domain *pg_owner)
{
    const struct mmu_update *req = elem;
    unsigned int cmd = req->ptr & (sizeof(pte_t) - 1);
    uint64_t ma = req->ptr - cmd;

    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE:
        if (!pg_owner)
            return -EPERM;
        return pt_update(v->domain, ma, req->val, cmd == MMU_PT_UPDATE_PRESERVE_AD, pg_owner);
    case MMU_MACHPHYS_UPDATE:
        if (!pg_owner)
            return -EPERM;
        return machphys_update(pg_owner, ma, req->val);
    default:
        return -ENOSYS; /* includes a ptr that is only 4-byte aligned */
    }
}

long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t done, uint64_t foreigndom,
                   uint64_t unused)
{
    struct domain *d = current->domain;
    uint64_t pt_dom = (foreigndom >> 16) & 0xffff;
    struct domain *pg_owner;
    int rc;

    /* The upper half names the page tables' owner (plus one); only the
     * caller's own tables are reachable for it. */
    if (pt_dom && pt_dom - 1 != d->domain_id) {
        if (!domain_lookup((domid_t)(pt_dom - 1)))
            return -ESRCH;
        return -EPERM;
    }
    rc = resolve_pg_owner(d, foreigndom, &pg_owner);
    if (rc)
        return rc;
    return run_batch(__HYPERVISOR_mmu_update, reqs, count, done, foreigndom,
                     sizeof(struct mmu_update), mmu_update_one, pg_owner);
}

/* ---- mmuext_op ---- */

static int set_ldt(struct vcpu *v, uint64_t base, unsigned int ents)
{
    if (!ents)
        base = 0;
    if (ents > LDT_MAX_ENTS || (ents && ((base & ~PAGE_MASK) || !guest_addr_ok(base))))
        return -EINVAL;
    if (v->arch.ldt_base != base || v->arch.ldt_ents != ents) {
        v->arch.ldt_base = base;
        v->arch.ldt_ents = ents;
        pv_ldt_changed(v);
    }
    return 0;
}

static int new_baseptr(struct vcpu *v, mfn_t mfn)
{
    mfn_t old = v->arch.guest_table;
    int rc = pv_set_guest_table(v, mfn, false, true);

    /* The LDT is a linear address: its frames may differ under new tables. */
    if (!rc && mfn != old && v->arch.ldt_ents)
        pv_ldt_changed(v);
    return rc;
}

static int new_user_baseptr(struct vcpu *v, mfn_t mfn)
{
    int rc = pv_set_guest_table(v, mfn, true, true);

    /* m2p_strict: user space does not see the read-only M2P. */
    if (!rc && mfn && (v->domain->vm_assist & VMASST_BIT(m2p_strict))) {
        pte_t *l4 = arch_maddr_to_virt(mfn << PAGE_SHIFT);

        l4[l4_index(RO_MPT_VIRT_START)] = 0;
    }
    return rc;
}

static int clear_page_op(struct domain *d, mfn_t mfn)
{
    struct page_info *pg = pv_get_page_from_mfn(mfn, d);

    if (!pg)
        return -EINVAL;
    if (get_page_type(pg, PGT_writable_page)) {
        put_page(pg);
        return -EINVAL;
    }
    memset(arch_maddr_to_virt(mfn << PAGE_SHIFT), 0, PAGE_SIZE);
    put_page_and_type(pg);
    return 0;
}

static int copy_page_op(struct domain *d, mfn_t dst_mfn, mfn_t src_mfn)
{
    struct page_info *src = pv_get_page_from_mfn(src_mfn, d), *dst;
    int rc = -EINVAL;

    if (!src)
        return -EINVAL;
    dst = pv_get_page_from_mfn(dst_mfn, d);
    if (!dst)
        goto out;
    if (get_page_type(dst, PGT_writable_page)) {
        put_page(dst);
        goto out;
    }
    memmove(arch_maddr_to_virt(dst_mfn << PAGE_SHIFT), arch_maddr_to_virt(src_mfn << PAGE_SHIFT),
            PAGE_SIZE);
    put_page_and_type(dst);
    rc = 0;
out:
    put_page(src);
    return rc;
}

static int flush_op(struct vcpu *v, const struct mmuext_op *op)
{
    switch (op->cmd) {
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
        if (read_vcpumask(v->domain, (uint64_t)(uintptr_t)op->arg2.vcpumask.p))
            return -EINVAL;
        break;
    default:
        break;
    }
    switch (op->cmd) {
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_local();
        break;
    default:
        if (guest_addr_ok(op->arg1.linear_addr))
            flush_tlb_one_local(op->arg1.linear_addr);
        break;
    }
    /* MULTI and ALL: every CPU that may hold the domain's translations (a
     * superset of the named vCPUs' CPUs); one page or all, a full flush
     * there costs the same IPI. */
    if (op->cmd != MMUEXT_TLB_FLUSH_LOCAL && op->cmd != MMUEXT_INVLPG_LOCAL)
        pv_flush_tlb_others(v->domain);
    return 0;
}

static int mmuext_one(struct vcpu *v, void *elem, struct domain *pg_owner)
{
    const struct mmuext_op *op = elem;
    struct domain *d = v->domain;

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        /* A domain builder pins the tables it wrote for its guest. */
        return pv_pin_table(pg_owner, op->arg1.mfn,
                            (uint64_t)(op->cmd - MMUEXT_PIN_L1_TABLE + 1) << PGT_type_shift, true);
    case MMUEXT_UNPIN_TABLE:
        return pv_unpin_table(pg_owner, op->arg1.mfn);
    default:
        break;
    }
    if (pg_owner != d)
        return -EPERM; /* everything else acts on the caller itself */
    switch (op->cmd) {
    case MMUEXT_NEW_BASEPTR:
        return new_baseptr(v, op->arg1.mfn);
    case MMUEXT_NEW_USER_BASEPTR:
        return new_user_baseptr(v, op->arg1.mfn);
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_ALL:
        return flush_op(v, op);
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        if (!d->is_privileged)
            return -EACCES;
        flush_cache_local();
        return 0;
    case MMUEXT_SET_LDT:
        return set_ldt(v, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        return clear_page_op(d, op->arg1.mfn);
    case MMUEXT_COPY_PAGE:
        return copy_page_op(d, op->arg1.mfn, op->arg2.src_mfn);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -EOPNOTSUPP;
    default:
        return -ENOSYS;
    }
}

long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t done, uint64_t foreigndom, uint64_t unused)
{
    struct domain *d = current->domain;
    struct domain *pg_owner;
    int rc;

    rc = resolve_pg_owner(d, foreigndom, &pg_owner);
    if (rc)
        return rc;
    if (!pg_owner)
        return -EPERM;
    return run_batch(__HYPERVISOR_mmuext_op, ops, count, done, foreigndom, sizeof(struct mmuext_op),
                     mmuext_one, pg_owner);
}

/* ---- update_va_mapping ---- */

static int uvm_flush(struct vcpu *v, uint64_t va, uint64_t flags)
{
    uint64_t type = flags & UVMF_FLUSHTYPE_MASK, scope = flags & ~UVMF_FLUSHTYPE_MASK;

    if (type != UVMF_TLB_FLUSH && type != UVMF_INVLPG)
        return 0;
    /* Anything but LOCAL and ALL is the address of a vCPU bitmap. */
    if (scope != UVMF_LOCAL && scope != UVMF_ALL && read_vcpumask(v->domain, scope))
        return -EFAULT;
    if (type == UVMF_TLB_FLUSH)
        flush_tlb_local();
    else
        flush_tlb_one_local(va);
    if (scope != UVMF_LOCAL) /* UVMF_ALL or a vCPU mask: the other CPUs too */
        pv_flush_tlb_others(v->domain);
    return 0;
}

long do_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags, uint64_t unused1,
                          uint64_t unused2)
{
    struct vcpu *v = current;
    struct page_info *l1pg;
    unsigned int slot;
    int rc;

    rc = pv_find_guest_l1e(v, va, &l1pg, &slot);
    if (rc)
        return rc;
    /* Hold the L1 page: the update may release the last mapping of it. */
    if (!get_page(l1pg, v->domain))
        return -EINVAL;
    rc = pv_mod_pt_entry(v->domain, l1pg, slot, pte, false);
    put_page(l1pg);
    if (rc)
        return rc; /* nothing changed: no flush (va is not trusted yet) */
    return uvm_flush(v, va, flags);
}
