/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypercall table.  Indexed by number; each entry names its handler,
 * how many argument registers it reads and whether only the control domain
 * may call it.  An empty slot answers -ENOSYS (guests probe that way).
 */
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/domctl.h>
#include <pvx/guest_access.h>
#include <pvx/errno.h>
#include <pvx/hypercall.h>
#include <pvx/percpu.h>
#include <pvx/lib.h>
#include <public/xen.h>

#define HC(name, n)      [__HYPERVISOR_##name] = {do_##name, n, false}
#define HC_PRIV(name, n) [__HYPERVISOR_##name] = {do_##name, n, true}

/* clang-format off */
static const struct hypercall_entry hypercall_table[NR_HYPERCALLS] = {
    HC(set_trap_table, 1),
    HC(mmu_update, 4),
    HC(set_gdt, 2),
    HC(stack_switch, 2),
    HC(set_callbacks, 3),
    HC(fpu_taskswitch, 1),
    HC_PRIV(platform_op, 1),
    HC(set_debugreg, 2),
    HC(get_debugreg, 1),
    HC(update_descriptor, 2),
    HC(memory_op, 2),
    HC(multicall, 2),
    HC(update_va_mapping, 3),
    HC(set_timer_op, 1),
    HC(xen_version, 2),
    HC(console_io, 3),
    HC(grant_table_op, 3),
    HC(vm_assist, 2),
    HC(iret, 0),
    HC(vcpu_op, 3),
    HC(set_segment_base, 2),
    HC(mmuext_op, 4),
    HC(sched_op, 2),
    HC(callback_op, 2),
    HC(event_channel_op, 2),
    HC(physdev_op, 2),
    HC_PRIV(sysctl, 1),
    HC_PRIV(domctl, 1),
};
/* clang-format on */

long hypercall_create_continuation(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                   uint64_t a5)
{
    struct percpu *pc = this_cpu();

    pc->continuation_pending = true;
    pc->continuation_args[0] = nr;
    pc->continuation_args[1] = a1;
    pc->continuation_args[2] = a2;
    pc->continuation_args[3] = a3;
    pc->continuation_args[4] = a4;
    pc->continuation_args[5] = a5;
    return (long)nr;
}

bool hypercall_preempt_check(void)
{
    return arch_hypercall_preempt_pending();
}

/* Run one hypercall; a continuation it asks for is left pending. */
static long dispatch(struct percpu *pc, uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3,
                     uint64_t a4, uint64_t a5)
{
    const struct hypercall_entry *e;

    pc->last_hypercall = (struct hypercall_record){nr, {a1, a2, a3, a4, a5}};
    pc->continuation_pending = false;
    if (nr >= NR_HYPERCALLS)
        return -ENOSYS;
    e = &hypercall_table[nr];
    if (!e->fn)
        return -ENOSYS;
    if (e->privileged && !current->domain->is_privileged)
        return -EPERM;
    return e->fn(a1, a2, a3, a4, a5);
}

long do_hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct percpu *pc = this_cpu();
    long ret = dispatch(pc, nr, a1, a2, a3, a4, a5);

    if (pc->continuation_pending) {
        pc->continuation_pending = false;
        arch_set_continuation(pc->continuation_args);
        return (long)pc->continuation_args[0];
    }
    return ret;
}

/* Multicall: run a batch of hypercalls, writing each result back.  Every
 * entry runs regardless of earlier failures; only a bad list fails the
 * call.  Nesting is refused.  An entry that asks for a continuation gets
 * its new arguments written into the list, and the multicall itself
 * continues from that entry (the guest's registers belong to the multicall,
 * not to the entry). */
long do_multicall(uint64_t list, uint64_t nr, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct percpu *pc = this_cpu();
    struct multicall_entry mc;
    long rc = 0;

    if (pc->in_multicall)
        return -EINVAL;
    pc->in_multicall = true;
    for (uint64_t i = 0; i < nr; i++) {
        uint64_t at = list + i * sizeof(mc);

        if (copy_from_guest(&mc, at, sizeof(mc))) {
            rc = -EFAULT;
            break;
        }
        if (mc.op == __HYPERVISOR_multicall) {
            mc.result = (uint64_t)-EINVAL;
        } else {
            mc.result = (uint64_t)dispatch(pc, mc.op, mc.args[0], mc.args[1], mc.args[2],
                                           mc.args[3], mc.args[4]);
            if (pc->continuation_pending) {
                pc->continuation_pending = false;
                mc.op = pc->continuation_args[0];
                for (unsigned int j = 0; j < 5; j++)
                    mc.args[j] = pc->continuation_args[j + 1];
                if (copy_to_guest(at, &mc.op, sizeof(mc.op)) ||
                    copy_to_guest(at + offsetof(struct multicall_entry, args), mc.args,
                                  5 * sizeof(mc.args[0]))) {
                    rc = -EFAULT;
                    break;
                }
                rc = hypercall_create_continuation(__HYPERVISOR_multicall, at, nr - i, 0, 0, 0);
                break;
            }
        }
        if (copy_to_guest(at + offsetof(struct multicall_entry, result), &mc.result,
                          sizeof(mc.result))) {
            rc = -EFAULT;
            break;
        }
        if (mc.op == __HYPERVISOR_iret || current->domain->state != DOMAIN_RUNNING)
            break; /* the guest's context changed under the batch */
    }
    pc->in_multicall = false;
    return rc;
}
