/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * platform_op: the control domain's view of the machine.  pvx answers the
 * calls a Linux dom0 makes at boot with clean errors where it offers
 * nothing (firmware tables, power management, microcode); the rest comes
 * with the Linux dom0 work.
 */
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <public/platform.h>

long do_platform_op(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct xen_platform_op op;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XENPF_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    default:
        return -ENOSYS;
    }
}
