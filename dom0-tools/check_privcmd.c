/* SPDX-License-Identifier: MIT */
/*
 * privcmd: a hypercall issued through /dev/xen/privcmd must reach the
 * hypervisor and return its result unchanged: xen_version(XENVER_version)
 * is (major << 16) | minor, and pvx reports Xen 4.17.  An unknown
 * hypercall number must come back as an error, not as success.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "xen-devices.h"
#include "public/version.h"

int check_privcmd(void)
{
    struct pvx_privcmd_hypercall hc = {.op = __HYPERVISOR_xen_version, .arg = {XENVER_version}};
    int fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    long ver, bad;
    int failed = 0;

    if (fd < 0)
        return check_report("privcmd-xen-version", false, "open /dev/xen/privcmd: %s",
                            strerror(errno));
    ver = ioctl(fd, PVX_IOCTL_PRIVCMD_HYPERCALL, &hc);
    failed += check_report("privcmd-xen-version", ver == ((4 << 16) | 17), "%ld.%ld", ver >> 16,
                           ver & 0xffff);
    /* Hypercall 63 is beyond every table: the caller must see an error. */
    hc.op = 63;
    bad = ioctl(fd, PVX_IOCTL_PRIVCMD_HYPERCALL, &hc);
    failed += check_report("privcmd-bad-hypercall", bad < 0, "returned %ld (%s)", bad,
                           bad < 0 ? strerror(errno) : "success");
    close(fd);
    return failed;
}
