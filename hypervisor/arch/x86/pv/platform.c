/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * platform_op: the control domain's view of the machine.  pvx answers what
 * a Linux dom0 asks at boot and on clock changes: setting the wall clock,
 * the physical CPUs (one: the CPU guests run on), and clean errors where it
 * offers nothing (firmware data it did not collect: -ESRCH, "no such item",
 * as Xen answers for a disk or EDID it has none of; power management,
 * microcode, memory types: -ENOSYS).
 */
#include <asm/processor.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <public/platform.h>

#define NSEC_PER_SEC 1000000000ULL

static long settime(uint64_t secs, uint32_t nsecs, uint64_t system_time)
{
    if (nsecs >= NSEC_PER_SEC)
        return -EINVAL;
    arch_set_wallclock(secs, nsecs, system_time);
    return 0;
}

/* The one physical CPU: its local APIC id, from CPUID. */
static uint32_t boot_apic_id(void)
{
    uint32_t a, b, c, d;

    cpuid_count(1, 0, &a, &b, &c, &d);
    return b >> 24;
}

static void cpu_version(struct xenpf_pcpu_version *v)
{
    uint32_t a, b, c, d, family, model;

    cpuid_count(0, 0, &a, &b, &c, &d);
    memcpy(v->vendor_id, &b, 4);
    memcpy(v->vendor_id + 4, &d, 4);
    memcpy(v->vendor_id + 8, &c, 4);
    cpuid_count(1, 0, &a, &b, &c, &d);
    family = (a >> 8) & 0xf;
    model = (a >> 4) & 0xf;
    if (family == 0xf)
        family += (a >> 20) & 0xff;
    if (family >= 6)
        model |= ((a >> 16) & 0xf) << 4;
    v->family = family;
    v->model = model;
    v->stepping = a & 0xf;
}

long do_platform_op(uint64_t arg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct xen_platform_op op;
    long rc;

    if (copy_from_guest(&op, arg, sizeof(op)))
        return -EFAULT;
    if (op.interface_version != XENPF_INTERFACE_VERSION)
        return -EACCES;
    switch (op.cmd) {
    case XENPF_settime32:
        return settime(op.u.settime32.secs, op.u.settime32.nsecs, op.u.settime32.system_time);
    case XENPF_settime64:
        if (op.u.settime64.mbz)
            return -EINVAL;
        return settime(op.u.settime64.secs, op.u.settime64.nsecs, op.u.settime64.system_time);
    case XENPF_get_cpuinfo: {
        struct xenpf_pcpuinfo *pi = &op.u.pcpu_info;

        pi->max_present = 0;
        if (pi->xen_cpuid > 0) {
            pi->flags = XEN_PCPU_FLAGS_INVALID;
        } else {
            pi->flags = XEN_PCPU_FLAGS_ONLINE;
            pi->apic_id = boot_apic_id();
            pi->acpi_id = 0;
        }
        rc = 0;
        break;
    }
    case XENPF_get_cpu_version: {
        struct xenpf_pcpu_version *pv = &op.u.pcpu_version;

        pv->max_present = 0;
        if (pv->xen_cpuid > 0)
            return -EINVAL;
        cpu_version(pv);
        rc = 0;
        break;
    }
    case XENPF_firmware_info:
        switch (op.u.firmware_info.type) {
        case XEN_FW_DISK_INFO:
        case XEN_FW_DISK_MBR_SIGNATURE:
        case XEN_FW_VBEDDC_INFO:
            return -ESRCH; /* pvx collected no EDD or EDID data at boot */
        case XEN_FW_KBD_SHIFT_FLAGS:
            op.u.firmware_info.u.kbd_shift_flags = 0;
            rc = 0;
            break;
        case XEN_FW_EFI_INFO:
            return -ENOSYS; /* booted through BIOS, not EFI */
        default:
            return -EINVAL;
        }
        break;
    default:
        return -ENOSYS;
    }
    if (copy_to_guest(arg, &op, sizeof(op)))
        rc = -EFAULT;
    return rc;
}
