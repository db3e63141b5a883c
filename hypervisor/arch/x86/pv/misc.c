/* SPDX-License-Identifier: GPL-2.0-only */
/* Small x86 PV hooks: continuations, current vCPU, physdev_op. */
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/processor.h>
#include <asm/pv/mm.h>
#include <asm/pv/traps.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/pirq.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/physdev.h>

void arch_set_current(struct vcpu *v)
{
    get_cpu_info()->curr_vcpu = v;
}

/* Re-execute the hypercall instruction (syscall and int $0x82 are both two
 * bytes) with the new number and arguments. */
void arch_set_continuation(const uint64_t args[6])
{
    struct cpu_user_regs *regs = guest_cpu_user_regs();

    regs->rip -= 2;
    regs->rdi = args[1];
    regs->rsi = args[2];
    regs->rdx = args[3];
    regs->r10 = args[4];
    regs->r8 = args[5];
}

bool arch_hypercall_preempt_pending(void)
{
    /* An interrupt waits in the APIC (the timer, an IPI): let it
     * run, and the scheduler with it, before the call goes on. */
    return apic_irq_pending();
}

bool arch_get_writable_page(struct page_info *pg, struct domain *d)
{
    return get_page_and_type(pg, d, PGT_writable_page) == 0;
}

long do_physdev_op(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct vcpu *v = current;

    switch (cmd) {
    case PHYSDEVOP_set_iopl: {
        struct physdev_set_iopl op;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (op.iopl > 3)
            return -EINVAL;
        v->arch.iopl = op.iopl;
        return 0;
    }
    case PHYSDEVOP_set_iobitmap: {
        struct physdev_set_iobitmap op;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (op.nr_ports > 65536)
            return -EINVAL;
        v->arch.iobmp = guest_handle_addr(op.bitmap);
        v->arch.iobmp_ports = op.nr_ports;
        return 0;
    }
    case PHYSDEVOP_map_pirq: {
        struct physdev_map_pirq op;
        long rc;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        rc = pirq_map(v->domain, &op);
        if (!rc && copy_to_guest(arg, &op, sizeof(op)))
            rc = -EFAULT;
        return rc;
    }
    case PHYSDEVOP_unmap_pirq: {
        struct physdev_unmap_pirq op;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        return pirq_unmap(v->domain, op.domid, op.pirq);
    }
    case PHYSDEVOP_alloc_irq_vector: {
        struct physdev_irq op;
        long rc;

        /* The vector is pvx's business; as on Xen dom0 gets the IRQ back. */
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        rc = pirq_may_have(v->domain, (int)op.irq);
        op.vector = op.irq;
        if (!rc && copy_to_guest(arg, &op, sizeof(op)))
            rc = -EFAULT;
        return rc;
    }
    case PHYSDEVOP_setup_gsi: {
        struct physdev_setup_gsi op;

        /* The 8259's trigger modes are the firmware's (ELCR); pvx only
         * checks that the line is one dom0 may have. */
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        return pirq_may_have(v->domain, op.gsi);
    }
    case PHYSDEVOP_eoi: {
        struct physdev_eoi op;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        return pirq_eoi(v->domain, op.irq);
    }
    case PHYSDEVOP_irq_status_query: {
        struct physdev_irq_status_query op;
        long rc;

        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        rc = pirq_status(v->domain, op.irq, &op.flags);
        if (!rc && copy_to_guest(arg, &op, sizeof(op)))
            rc = -EFAULT;
        return rc;
    }
    default:
        return -ENOSYS;
    }
}

void arch_send_nmi(struct vcpu *v)
{
    v->arch.nmi_pending = true;
}
