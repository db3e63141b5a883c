// SPDX-License-Identifier: GPL-2.0-only
/* vm_assist, stack_switch, physdev_op (iopl, iobitmap), debug registers, platform_op. */
#include "guest.h"
#include "test.h"
#include <public/physdev.h>
#include <public/platform.h>
#include <public/sched.h>

static void t_platform(void);

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
    t_platform();
}

static void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static long platform(struct xen_platform_op *op, uint32_t cmd)
{
    op->cmd = cmd;
    op->interface_version = XENPF_INTERFACE_VERSION;
    return HC1(__HYPERVISOR_platform_op, op);
}

static u64 wallclock_sec(void)
{
    u32 ver;
    u64 sec;

    do {
        ver = shinfo->wc_version;
        __asm__ volatile("" ::: "memory");
        sec = shinfo->wc_sec | (u64)shinfo->wc_sec_hi << 32;
        __asm__ volatile("" ::: "memory");
    } while ((ver & 1) || ver != shinfo->wc_version);
    return sec;
}

/* What a Linux dom0 asks at boot and on clock changes: its CPUs and
 * setting the wall clock (which every domain's shared_info then shows). */
static void t_platform(void)
{
    static struct xen_platform_op op;
    u64 wc0, now, want, got;
    u32 a, b, c, d;

    if (!(si->flags & SIF_PRIVILEGED))
        return;
    memset(&op, 0, sizeof(op));
    CHECK_RC("get_cpuinfo_0", platform(&op, XENPF_get_cpuinfo), 0);
    CHECK("get_cpuinfo_0_online", (op.u.pcpu_info.flags & XEN_PCPU_FLAGS_ONLINE) &&
                                      !(op.u.pcpu_info.flags & XEN_PCPU_FLAGS_INVALID));
    CHECK_EQ("get_cpuinfo_max_present", op.u.pcpu_info.max_present, 0);
    memset(&op, 0, sizeof(op));
    op.u.pcpu_info.xen_cpuid = 4000;
    CHECK_RC("get_cpuinfo_absent", platform(&op, XENPF_get_cpuinfo), 0);
    CHECK_EQ("get_cpuinfo_absent_invalid", op.u.pcpu_info.flags, XEN_PCPU_FLAGS_INVALID);

    memset(&op, 0, sizeof(op));
    CHECK_RC("get_cpu_version_0", platform(&op, XENPF_get_cpu_version), 0);
    cpuid(1, 0, &a, &b, &c, &d);
    CHECK_EQ("cpu_version_stepping", op.u.pcpu_version.stepping, a & 0xf);
    cpuid(0, 0, &a, &b, &c, &d);
    CHECK("cpu_version_vendor", !memcmp(op.u.pcpu_version.vendor_id, &b, 4) &&
                                    !memcmp(op.u.pcpu_version.vendor_id + 4, &d, 4));

    /* settime64: the new time, less the system time it was true at, is
     * what every shared_info's wall clock says from then on. */
    wc0 = wallclock_sec();
    now = system_time_ns();
    memset(&op, 0, sizeof(op));
    op.u.settime64.secs = wc0 + now / 1000000000ULL + 86400; /* a day ahead */
    op.u.settime64.system_time = now;
    want = wc0 + 86400;
    CHECK_RC("settime64", platform(&op, XENPF_settime64), 0);
    hc_sched_op(SCHEDOP_yield, 0); /* pvx publishes it on the next entry */
    got = wallclock_sec();
    CHECK("settime64_wallclock", got + 1 >= want && got <= want + 1);
    op.u.settime64.secs = wc0 + system_time_ns() / 1000000000ULL;
    op.u.settime64.system_time = system_time_ns();
    op.u.settime64.mbz = 1;
    CHECK_RC("settime64_mbz", platform(&op, XENPF_settime64), -XEN_EINVAL);
    op.u.settime64.mbz = 0;
    CHECK_RC("settime64_restore", platform(&op, XENPF_settime64), 0);
    hc_sched_op(SCHEDOP_yield, 0);
    got = wallclock_sec();
    CHECK("settime64_restored", got + 1 >= wc0 && got <= wc0 + 1);

    memset(&op, 0, sizeof(op));
    op.u.firmware_info.type = 77;
    CHECK_RC("firmware_info_bad_type", platform(&op, XENPF_firmware_info), -XEN_EINVAL);
    CHECK_RC("platform_op_unknown", platform(&op, 250), -XEN_ENOSYS);
}
