/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Network interfaces (vif), served by Linux's xen-netback in dom0.  What
 * Xen's vif-bridge hotplug script does is done here: once netback has
 * probed the device (backend state 2) and made its interface
 * vif<domid>.<handle>, the interface joins the bridge, takes the bridge's
 * MTU and goes up, and `hotplug-status` becomes `connected` -- netback holds
 * the backend short of Connected until it does.  netback needs `script`
 * (any path: pvx runs no script), `mac` and `handle`; xen-netfront needs
 * `mac` in its own directory too.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "device.h"

#define PROBE_TIMEOUT_MS 10000

static bool is_bridge(const char *name)
{
    char path[128];

    snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
    return !access(path, F_OK);
}

int xlt_vif_check(const struct pvx_nic *nic, char *err, size_t errlen)
{
    if (strlen(nic->bridge) >= IFNAMSIZ || !is_bridge(nic->bridge)) {
        snprintf(err, errlen,
                 "vif %d: bridge %s does not exist (create it in dom0 first, e.g. `ip link add "
                 "%s type bridge`; dom0_up makes xenbr0)",
                 nic->devid, nic->bridge, nic->bridge);
        return -ENODEV;
    }
    if (nic->vifname && (!*nic->vifname || strlen(nic->vifname) >= IFNAMSIZ ||
                         strchr(nic->vifname, '/') || if_nametoindex(nic->vifname))) {
        snprintf(err, errlen,
                 "vif %d: vifname %s is not usable (it must be a free interface name of at most "
                 "%d characters)",
                 nic->devid, nic->vifname, IFNAMSIZ - 1);
        return -EINVAL;
    }
    return 0;
}

/* SIOC* requests on a throwaway socket. */
static int net_ioctl(unsigned long req, struct ifreq *ifr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

    if (fd < 0)
        return -errno;
    if (ioctl(fd, req, ifr))
        rc = -errno;
    close(fd);
    return rc;
}

/* vif-bridge's work: the vif takes the bridge's MTU, joins it, goes up. */
static int plug(const char *vif, const char *bridge)
{
    struct ifreq ifr;
    int rc;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
    rc = net_ioctl(SIOCGIFMTU, &ifr);
    if (!rc) {
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vif);
        rc = net_ioctl(SIOCSIFMTU, &ifr);
    }
    if (rc)
        return rc;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
    ifr.ifr_ifindex = (int)if_nametoindex(vif);
    if (!ifr.ifr_ifindex)
        return -ENODEV;
    rc = net_ioctl(SIOCBRADDIF, &ifr);
    if (rc)
        return rc;
    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", vif);
    rc = net_ioctl(SIOCGIFFLAGS, &ifr);
    if (!rc) {
        ifr.ifr_flags |= IFF_UP;
        rc = net_ioctl(SIOCSIFFLAGS, &ifr);
    }
    return rc;
}

/* vifname=: the interface is renamed while it is still down, as the
 * hotplug script does. */
static int rename_netdev(const char *from, const char *to)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof(ifr));
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", from);
    snprintf(ifr.ifr_newname, sizeof(ifr.ifr_newname), "%s", to);
    return net_ioctl(SIOCSIFNAME, &ifr);
}

/* netback writes state 2 a moment before its interface exists. */
static int wait_netdev(const char *vif, int timeout_ms)
{
    int64_t deadline = xlt_now_ms() + timeout_ms;

    while (!if_nametoindex(vif)) {
        if (xlt_now_ms() >= deadline)
            return -ETIMEDOUT;
        usleep(20000);
    }
    return 0;
}

int xlt_vif_add(struct xlt *t, domid_t domid, const struct pvx_nic *nic)
{
    struct xlt_dev dev = {.kind = "vif", .domid = domid, .backend = 0, .devid = nic->devid};
    struct xlt_dev_paths p;
    char err[256], mac[18], handle[16], mtu[16], vif[IFNAMSIZ], path[128];
    int rc = xlt_vif_check(nic, err, sizeof(err));

    if (rc) {
        XLT_ERR(domid, "%s", err);
        return rc;
    }
    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", nic->mac[0], nic->mac[1],
             nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5]);
    snprintf(handle, sizeof(handle), "%d", nic->devid);
    snprintf(mtu, sizeof(mtu), "%u", nic->mtu);
    {
        const char *fe[] = {"handle", handle, "mac", mac, "trusted", nic->trusted ? "1" : "0",
                            "mtu!",   mtu,    NULL};
        const char *be[20];
        unsigned int n = 0;

#define KV(k, v) (be[n++] = (k), be[n++] = (v))
        KV("script", "/etc/xen/scripts/vif-bridge");
        KV("mac", mac);
        KV("bridge", nic->bridge);
        KV("handle", handle);
        KV("type", "vif");
        KV("hotplug-status", "");
        if (nic->ip)
            KV("ip", nic->ip);
        if (nic->vifname)
            KV("vifname", nic->vifname);
        if (nic->mtu != 1500)
            KV("mtu", mtu);
#undef KV
        be[n] = NULL;
        rc = xlt_dev_add(t, &dev, fe, be);
    }
    if (rc) {
        XLT_ERR(domid, "vif %d: writing its xenstore nodes: %s", nic->devid, strerror(-rc));
        return rc;
    }
    xlt_dev_paths(&dev, &p);
    snprintf(vif, sizeof(vif), "vif%u.%d", domid, nic->devid);
    rc = xlt_dev_wait_state(t, p.be, XenbusStateInitWait, PROBE_TIMEOUT_MS);
    if (!rc)
        rc = wait_netdev(vif, PROBE_TIMEOUT_MS);
    if (rc) {
        XLT_ERR(domid,
                "vif %d: netback did not take the device within %d s (is the xen-netback "
                "module loaded?)",
                nic->devid, PROBE_TIMEOUT_MS / 1000);
        goto fail;
    }
    if (nic->vifname) {
        rc = rename_netdev(vif, nic->vifname);
        if (rc) {
            XLT_ERR(domid, "vif %d: renaming %s to %s: %s", nic->devid, vif, nic->vifname,
                    strerror(-rc));
            goto fail;
        }
        snprintf(vif, sizeof(vif), "%s", nic->vifname);
    }
    rc = plug(vif, nic->bridge);
    if (rc) {
        XLT_ERR(domid, "vif %d: putting %s in bridge %s: %s", nic->devid, vif, nic->bridge,
                strerror(-rc));
        goto fail;
    }
    snprintf(path, sizeof(path), "%s/hotplug-status", p.be);
    rc = xlt_write(t, XBT_NULL, path, "connected");
    if (rc)
        goto fail;
    xlt_info(t, "domain %u: vif %d (%s, %s) in bridge %s", domid, nic->devid, vif, mac,
             nic->bridge);
    return 0;
fail:
    xlt_vif_remove(t, domid, nic->devid, true);
    return rc;
}

void xlt_vif_spec(const struct pvx_nic *nic, char *buf, size_t len)
{
    int n = snprintf(buf, len, "mac=%02x:%02x:%02x:%02x:%02x:%02x,bridge=%s", nic->mac[0],
                     nic->mac[1], nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5], nic->bridge);

    if (nic->ip && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ",ip=%s", nic->ip);
    if (nic->vifname && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ",vifname=%s", nic->vifname);
    if (nic->mtu != 1500 && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ",mtu=%u", nic->mtu);
}

/* netback takes its interface out of the bridge when it lets go of it. */
int xlt_vif_remove(struct xlt *t, domid_t domid, int devid, bool force)
{
    struct xlt_dev dev = {.kind = "vif", .domid = domid, .backend = 0, .devid = devid};
    int rc = xlt_dev_close(t, &dev, force);

    if (rc == -ENODEV)
        return rc;
    if (!rc && xlt_dev_wait_closed(t, &dev) && !force)
        return -EBUSY;
    return xlt_dev_forget(t, &dev);
}
