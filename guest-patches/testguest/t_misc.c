// SPDX-License-Identifier: GPL-2.0-only
/* vm_assist, stack_switch, physdev_op (iopl, iobitmap), debug registers, platform_op. */
#include "guest.h"
#include "test.h"
#include <public/physdev.h>
#include <public/platform.h>

void t_misc(void)
{
    struct physdev_set_iopl iopl;
    struct physdev_set_iobitmap iob;
    static u8 bitmap[8192 / 8];
    u64 stack_top = (u64)boot_stack_top;
    char name[48];

    for (unsigned t = 0; t <= 33; t++) {
        bool valid = t <= 5 || t == 32;
        long want = valid ? 0 : -XEN_EINVAL;

        if (t > 5 && t < 31)
            continue;
        snprintf(name, sizeof(name), "vm_assist_enable_%u", t);
        CHECK_RC(name, hc_vm_assist(VMASST_CMD_enable, t), want);
        if (valid && t != 2)
            hc_vm_assist(VMASST_CMD_disable, t);
    }
    CHECK_RC("vm_assist_disable", hc_vm_assist(VMASST_CMD_disable, 2), 0);
    CHECK_RC("vm_assist_type_64", hc_vm_assist(VMASST_CMD_enable, 64), -XEN_EINVAL);
    CHECK_RC("vm_assist_unknown_cmd", hc_vm_assist(2, 2), -XEN_ENOSYS);
    hc_vm_assist(VMASST_CMD_enable, 2);

    CHECK_RC("stack_switch", hc_stack_switch(FLAT_KERNEL_SS, stack_top), 0);
    CHECK_RC("stack_switch_rpl0_ss", hc_stack_switch(FLAT_KERNEL_SS & ~3, stack_top), 0);

    iopl.iopl = 1;
    CHECK_RC("set_iopl_1", hc_physdev_op(PHYSDEVOP_set_iopl, &iopl), 0);
    iopl.iopl = 4;
    CHECK_RC("set_iopl_4", hc_physdev_op(PHYSDEVOP_set_iopl, &iopl), -XEN_EINVAL);
    iopl.iopl = 0;
    CHECK_RC("set_iopl_0", hc_physdev_op(PHYSDEVOP_set_iopl, &iopl), 0);
    CHECK_RC("set_iopl_bad_ptr", hc_physdev_op(PHYSDEVOP_set_iopl, HV_ADDR_XEN), -XEN_EFAULT);
    memset(bitmap, 0xff, sizeof(bitmap));
    set_xen_guest_handle(iob.bitmap, bitmap);
    iob.nr_ports = 1024;
    CHECK_RC("set_iobitmap", hc_physdev_op(PHYSDEVOP_set_iobitmap, &iob), 0);
    iob.nr_ports = 65537;
    CHECK_RC("set_iobitmap_too_many", hc_physdev_op(PHYSDEVOP_set_iobitmap, &iob), -XEN_EINVAL);
    iob.nr_ports = 0;
    CHECK_RC("set_iobitmap_off", hc_physdev_op(PHYSDEVOP_set_iobitmap, &iob), 0);
    CHECK_RC("physdev_unknown_cmd", hc_physdev_op(999, &iob), -XEN_ENOSYS);

    CHECK_RC("set_debugreg_dr0", hc_set_debugreg(0, (unsigned long)&bitmap[0]), 0);
    CHECK_EQ("get_debugreg_dr0", hc_get_debugreg(0), (long)&bitmap[0]);
    CHECK_RC("set_debugreg_dr0_hv_addr", hc_set_debugreg(0, HV_ADDR_XEN), -XEN_EPERM);
    CHECK_RC("set_debugreg_dr7_off", hc_set_debugreg(7, 0x400), 0);
    CHECK_RC("set_debugreg_dr7_high", hc_set_debugreg(7, 1UL << 40), -XEN_EINVAL);
    CHECK_RC("set_debugreg_bad_reg", hc_set_debugreg(8, 0), -XEN_ENODEV);
    CHECK_RC("get_debugreg_bad_reg", hc_get_debugreg(8), -XEN_ENODEV);
    hc_set_debugreg(0, 0);

    {
        static struct xen_platform_op op;
        memset(&op, 0, sizeof(op));
        op.cmd = XENPF_get_cpuinfo;
        op.interface_version = 0x1234;
        CHECK_RC("platform_op_bad_interface", HC1(__HYPERVISOR_platform_op, &op), -XEN_EACCES);
        CHECK_RC("platform_op_bad_ptr", HC1(__HYPERVISOR_platform_op, HV_ADDR_XEN), -XEN_EFAULT);
    }
}
