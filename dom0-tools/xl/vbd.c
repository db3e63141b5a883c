/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Disks (vbd), served by Linux's xen-blkback in dom0.  What Xen's `block`
 * hotplug script does is done here: a file image gets a loop device, and
 * the backend learns its block device through `physical-device` (hex
 * major:minor, which blkback watches before it opens the device) next to
 * the nodes libxl writes.  blkback needs `mode` and `dev` besides; the
 * frontend (xen-blkfront) needs `virtual-device`.
 *
 * Only raw images and block devices are served (blkback's `phy` type):
 * qcow2, vhd and other formats need qemu's qdisk backend, which pvx does
 * not run.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "device.h"

int xlt_vbd_check(const struct pvx_domcfg_disk *disk, char *err, size_t errlen)
{
    const struct pvx_disk *d = &disk->spec;
    struct stat st;
    int fd;

    if (d->format != PVX_DISK_FORMAT_RAW || !d->target) {
        snprintf(err, errlen,
                 "disk %s: only raw images and block devices are supported by pvx "
                 "(format=%s)",
                 d->vdev, pvx_disk_format_name(d->format));
        return -EINVAL;
    }
    if (stat(d->target, &st)) {
        snprintf(err, errlen, "disk %s: target %s: %s", d->vdev, d->target, strerror(errno));
        return -errno;
    }
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
        snprintf(err, errlen, "disk %s: target %s is neither a file nor a block device", d->vdev,
                 d->target);
        return -EINVAL;
    }
    fd = open(d->target, (d->readwrite ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        int rc = -errno;

        snprintf(err, errlen, "disk %s: cannot open %s %s: %s%s", d->vdev, d->target,
                 d->readwrite ? "for writing" : "for reading", strerror(errno),
                 d->readwrite && (errno == EACCES || errno == EROFS)
                     ? " (give access=r to attach it read-only)"
                     : "");
        return rc;
    }
    close(fd);
    return 0;
}

/* A free loop device bound to path; its name in dev.  -errno. */
static int loop_attach(const char *path, bool writable, char *dev, size_t len)
{
    int ctl = -1, loop = -1, file = -1, n, rc = 0;

    ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl < 0) {
        rc = -errno;
        goto out;
    }
    n = ioctl(ctl, LOOP_CTL_GET_FREE);
    if (n < 0) {
        rc = -errno;
        goto out;
    }
    snprintf(dev, len, "/dev/loop%d", n);
    loop = open(dev, O_RDWR | O_CLOEXEC);
    file = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (loop < 0 || file < 0) {
        rc = -errno;
        goto out;
    }
    /* A read-only file makes a read-only loop device. */
    if (ioctl(loop, LOOP_SET_FD, file))
        rc = -errno;
out:
    if (file >= 0)
        close(file);
    if (loop >= 0)
        close(loop);
    if (ctl >= 0)
        close(ctl);
    return rc;
}

/* Give a loop device back.  If blkback still holds it, the kernel detaches
 * it at its last close (autoclear). */
static void loop_detach(const char *dev)
{
    int fd = open(dev, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return;
    ioctl(fd, LOOP_CLR_FD, 0);
    close(fd);
}

int xlt_vbd_add(struct xlt *t, domid_t domid, const struct pvx_domcfg_disk *disk)
{
    const struct pvx_disk *d = &disk->spec;
    struct xlt_dev dev = {.kind = "vbd", .domid = domid, .backend = 0, .devid = disk->devid};
    char err[256], node[32] = "", physdev[32], vdevnum[16];
    const char *blockdev = d->target;
    struct stat st;
    int rc = xlt_vbd_check(disk, err, sizeof(err));

    if (rc) {
        XLT_ERR(domid, "%s", err);
        return rc;
    }
    stat(d->target, &st);
    if (S_ISREG(st.st_mode)) {
        rc = loop_attach(d->target, d->readwrite, node, sizeof(node));
        if (rc) {
            XLT_ERR(domid, "disk %s: no loop device for %s: %s (is the loop module loaded?)",
                    d->vdev, d->target, strerror(-rc));
            return rc;
        }
        blockdev = node;
    }
    if (stat(blockdev, &st) || !S_ISBLK(st.st_mode)) {
        rc = -ENODEV;
        XLT_ERR(domid, "disk %s: %s is not a block device", d->vdev, blockdev);
        goto fail;
    }
    /* blkback parses it with %x:%x. */
    snprintf(physdev, sizeof(physdev), "%x:%x", major(st.st_rdev), minor(st.st_rdev));
    snprintf(vdevnum, sizeof(vdevnum), "%d", disk->devid);
    {
        const char *devtype = d->is_cdrom ? "cdrom" : "disk";
        const char *fe[] = {"virtual-device", vdevnum,      "device-type", devtype, "trusted", "1",
                            "protocol",       "x86_64-abi", NULL};
        const char *be[32];
        unsigned int n = 0;

#define KV(k, v) (be[n++] = (k), be[n++] = (v))
        KV("params", d->target);
        KV("script", "/etc/xen/scripts/block");
        KV("type", "phy");
        KV("mode", d->readwrite ? "w" : "r");
        KV("dev", d->vdev);
        KV("device-type", devtype);
        KV("removable", d->removable ? "1" : "0");
        KV("bootable", "1");
        KV("discard-enable", d->readwrite ? "1" : "0");
        KV("specification", "xen");
        KV("physical-device", physdev);
        KV("physical-device-path", blockdev);
        if (node[0])
            KV("node", node);
        KV("hotplug-status", "connected");
#undef KV
        be[n] = NULL;
        rc = xlt_dev_add(t, &dev, fe, be);
    }
    if (rc) {
        XLT_ERR(domid, "disk %s: writing its xenstore nodes: %s", d->vdev, strerror(-rc));
        goto fail;
    }
    xlt_info(t, "domain %u: disk %s (%d) on %s (%s)", domid, d->vdev, disk->devid, blockdev,
             physdev);
    return 0;
fail:
    if (node[0])
        loop_detach(node);
    return rc;
}

int xlt_vbd_remove(struct xlt *t, domid_t domid, int devid, bool force)
{
    struct xlt_dev dev = {.kind = "vbd", .domid = domid, .backend = 0, .devid = devid};
    struct xlt_dev_paths p;
    char *node;
    int rc;

    xlt_dev_paths(&dev, &p);
    node = xlt_read(t, XBT_NULL, "%s/node", p.be);
    rc = xlt_dev_close(t, &dev, force);
    if (rc == -ENODEV)
        goto out;
    if (!rc && xlt_dev_wait_closed(t, &dev) && !force) {
        /* The guest did not let go: a safe removal fails, as xl's. */
        rc = -EBUSY;
        goto out;
    }
    if (node && !strncmp(node, "/dev/loop", 9))
        loop_detach(node);
    rc = xlt_dev_forget(t, &dev);
out:
    free(node);
    return rc;
}

void xlt_vbd_spec(const struct pvx_domcfg_disk *disk, char *buf, size_t len)
{
    const struct pvx_disk *d = &disk->spec;

    /* target= last: it takes the rest of the spec, commas included. */
    snprintf(buf, len, "format=%s, vdev=%s, access=%s, devtype=%s%s%s",
             pvx_disk_format_name(d->format), d->vdev, d->readwrite ? "rw" : "r",
             d->is_cdrom ? "cdrom" : "disk", d->target ? ", target=" : "",
             d->target ? d->target : "");
}
