/* SPDX-License-Identifier: GPL-2.0-only */
/* Small hypercalls: xen_version, console_io, vm_assist. */
#include <pvx/bootinfo.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>
#include <pvx/version.h>
#include <asm/config.h>
#include <public/features.h>
#include <public/version.h>
#include <public/xen.h>

/* Feature bits a 64-bit PV guest gets (submap 0). */
static uint32_t guest_features(const struct domain *d)
{
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) | (1u << XENFEAT_highmem_assist) |
                 (1u << XENFEAT_gnttab_map_avail_bits) | (1u << XENFEAT_direct_mapped);

    if (d->vm_assist & (1ULL << VMASST_TYPE_pae_extended_cr3))
        f |= 1u << XENFEAT_pae_pgdir_above_4gb;
    if (d->is_privileged)
        f |= 1u << XENFEAT_dom0;
    return f;
}

long do_xen_version(uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case XENVER_version:
        return (PVX_XEN_COMPAT_MAJOR << 16) | PVX_XEN_COMPAT_MINOR;
    case XENVER_extraversion: {
        xen_extraversion_t s = PVX_XEN_EXTRAVERSION;

        return copy_to_guest(arg, s, sizeof(s)) ? -EFAULT : 0;
    }
    case XENVER_capabilities: {
        static const xen_capabilities_info_t caps = "xen-3.0-x86_64";

        return copy_to_guest(arg, caps, sizeof(caps)) ? -EFAULT : 0;
    }
    case XENVER_compile_info: {
        struct xen_compile_info ci;

        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
        strlcpy(ci.compile_by, "pvx", sizeof(ci.compile_by));
        strlcpy(ci.compile_domain, "pvx.invalid", sizeof(ci.compile_domain));
        strlcpy(ci.compile_date, __DATE__, sizeof(ci.compile_date));
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -EFAULT : 0;
    }
    case XENVER_changeset: {
        static const xen_changeset_info_t cs = "pvx " PVX_VERSION_STR;

        return copy_to_guest(arg, cs, sizeof(cs)) ? -EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = {.virt_start = PVX_VIRT_START};

        return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;

        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx != 0)
            return -EINVAL;
        fi.submap = guest_features(d);
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        return PAGE_SIZE;
    case XENVER_guest_handle: {
        xen_domain_handle_t h = {0};

        h[15] = (uint8_t)d->domain_id;
        return copy_to_guest(arg, h, sizeof(h)) ? -EFAULT : 0;
    }
    case XENVER_commandline: {
        static xen_commandline_t line;

        if (!d->is_privileged)
            return -EPERM;
        strlcpy(line, bootinfo_cmdline(), sizeof(line));
        return copy_to_guest(arg, line, sizeof(line)) ? -EFAULT : 0;
    }
    default:
        return -ENOSYS;
    }
}

/*
 * console_io: the control domain's text on pvx's console and its console
 * input.  Other domains get -EPERM for every command, before any argument
 * is looked at, as under Xen 4.17's release builds (the dummy XSM policy):
 * Linux then writes its early output into its console ring, where the
 * console daemon and `xl console` see it, instead of into pvx's log.
 */
#define CONSOLE_IO_MAX 4096

long do_console_io(uint64_t cmd, uint64_t count, uint64_t buf, uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;
    char chunk[128];

    if (!d->is_privileged)
        return -EPERM;
    switch (cmd) {
    case 0: /* CONSOLEIO_write */
        if (count > CONSOLE_IO_MAX)
            count = CONSOLE_IO_MAX;
        for (uint64_t done = 0; done < count;) {
            size_t n = MIN(count - done, sizeof(chunk));

            if (copy_from_guest(chunk, buf + done, n))
                return -EFAULT;
            domain_console_write(d, chunk, n);
            done += n;
        }
        return 0;
    case 1: /* CONSOLEIO_read */
        if (count > INT32_MAX)
            return -E2BIG; /* the byte count is returned as an int */
        {
            size_t n = console_input_read(chunk, MIN(count, sizeof(chunk)));

            if (n && copy_to_guest(buf, chunk, n))
                return -EFAULT;
            return (long)n;
        }
    default:
        return -ENOSYS;
    }
}

long do_vm_assist(uint64_t cmd, uint64_t type, uint64_t a3, uint64_t a4, uint64_t a5)
{
    const uint64_t valid = DOMAIN_VM_ASSIST_VALID;
    struct domain *d = current->domain;

    if (type >= 64 || !(valid & (1ULL << type)))
        return -EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        d->vm_assist |= 1ULL << type;
        return 0;
    case VMASST_CMD_disable:
        d->vm_assist &= ~(1ULL << type);
        return 0;
    default:
        return -ENOSYS;
    }
}
