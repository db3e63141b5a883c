/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TEMPORARY weak stand-ins for the PV MMU (arch/x86/pv/mm*.c) and the
 * descriptor-table hypercalls while they are written; the real definitions
 * override these at link time.  No validation happens here: remove this
 * file once they land.
 */
#include <asm/pv/mm.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/hypercall.h>

#define WEAK __attribute__((weak))

WEAK int pv_pin_table(struct domain *d, mfn_t mfn, uint64_t type)
{
    return 0;
}

WEAK int pv_set_guest_table(struct vcpu *v, mfn_t mfn, bool user)
{
    if (user)
        v->arch.guest_table_user = mfn;
    else
        v->arch.guest_table = mfn;
    return 0;
}

WEAK bool pv_ptwr_fault(struct vcpu *v, uint64_t addr, struct cpu_user_regs *regs)
{
    return false;
}

WEAK int get_page_and_type(struct page_info *pg, struct domain *d, uint64_t type)
{
    return pg->owner == d ? 0 : -EINVAL;
}

WEAK long do_mmu_update(uint64_t reqs, uint64_t count, uint64_t done, uint64_t foreigndom,
                        uint64_t a5)
{
    return -ENOSYS;
}

WEAK long do_mmuext_op(uint64_t ops, uint64_t count, uint64_t done, uint64_t foreigndom,
                       uint64_t a5)
{
    return -ENOSYS;
}

WEAK long do_update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags, uint64_t a4, uint64_t a5)
{
    return -ENOSYS;
}
