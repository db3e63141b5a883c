/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xenstore layout of a new PV domain N, as libxl 4.17 writes it, with
 * its ACLs (owner first: "ro" = [n0, rN] dom0's and readable by the guest,
 * "rw" = [nN] the guest's own, "none" = [n0]):
 *
 *   skeleton (before the build)
 *     /local/domain/N                         ro
 *     /vm/<uuid>, name, uuid                  ro
 *     /libxl/N, /libxl/N/device, type=pv      none
 *     ~/vm, ~/name                            (inherit ro)
 *     ~/cpu ~/memory ~/control ~/device       ro
 *     ~/control/shutdown feature-poweroff feature-reboot feature-suspend
 *       sysrq, ~/device/suspend/event-channel, ~/data ~/drivers ~/feature
 *       ~/attr ~/error                        rw
 *     ~/control/platform-feature-multiprocessor-suspend,
 *       platform-feature-xs_reset_watches = 1  (inherit ro)
 *   after the build
 *     ~/memory/static-max, target (KiB), videoram = 0, ~/domid
 *     ~/store/port, ring-ref, ~/cpu/K/availability (K < maxvcpus)
 *     /vm/<uuid>/image/ostype, kernel, ramdisk, cmdline; start_time
 *   the console
 *     ~/console: [n0, rN] with backend, backend-id (the guest's own: [nN, r0]),
 *       limit, type=xenconsoled, output=pty, tty="", port, ring-ref
 *     /local/domain/0/backend/console/N/0: frontend, frontend-id, online,
 *       state, protocol=vt100  ([n0, rN])
 *
 * Each part is one transaction.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "layout.h"

#define DOM "/local/domain/%u"

static void __attribute__((format(printf, 3, 0)))
vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
    vsnprintf(buf, len, fmt, ap);
}

/* Write val at the formatted path. */
static int __attribute__((format(printf, 4, 5)))
put(struct xlt *t, xs_transaction_t tx, const char *val, const char *fmt, ...)
{
    char path[256];
    va_list ap;

    va_start(ap, fmt);
    vpath(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xlt_write(t, tx, path, val);
}

/* Create the formatted path with the ACL [n<owner>, r<reader>]. */
static int __attribute__((format(printf, 5, 6)))
dir(struct xlt *t, xs_transaction_t tx, domid_t owner, domid_t reader, const char *fmt, ...)
{
    char path[256];
    va_list ap;

    va_start(ap, fmt);
    vpath(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xlt_mkdir(t, tx, path, owner, false, reader);
}

static int skeleton(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct xlt_layout *l = arg;
    const domid_t n = l->domid;
    static const char *const ro_dirs[] = {"cpu", "memory", "control", "device"};
    static const char *const rw_dirs[] = {
        "control/shutdown",
        "control/feature-poweroff",
        "control/feature-reboot",
        "control/feature-suspend",
        "control/sysrq",
        "device/suspend/event-channel",
        "data",
        "drivers",
        "feature",
        "attr",
        "error",
    };
    char vm[64], path[128];
    int rc;

    snprintf(vm, sizeof(vm), "/vm/%s", l->uuid);
    /* Leftovers of an earlier domain with this id or uuid go first. */
    rc = xlt_rm(t, tx, vm);
    snprintf(path, sizeof(path), "/local/domain/%u", n);
    if (!rc)
        rc = xlt_rm(t, tx, path);
    if (!rc)
        rc = dir(t, tx, 0, n, DOM, n);
    if (!rc)
        rc = xlt_mkdir(t, tx, vm, 0, false, n);
    if (!rc)
        rc = dir(t, tx, 0, DOMID_INVALID, "/libxl/%u", n);
    if (!rc)
        rc = dir(t, tx, 0, DOMID_INVALID, "/libxl/%u/device", n);
    if (!rc)
        rc = put(t, tx, "pv", "/libxl/%u/type", n);
    if (!rc)
        rc = put(t, tx, vm, DOM "/vm", n);
    if (!rc)
        rc = put(t, tx, l->name, DOM "/name", n);
    snprintf(path, sizeof(path), "%s/name", vm);
    if (!rc)
        rc = xlt_write(t, tx, path, l->name);
    snprintf(path, sizeof(path), "%s/uuid", vm);
    if (!rc)
        rc = xlt_write(t, tx, path, l->uuid);
    for (size_t i = 0; !rc && i < sizeof(ro_dirs) / sizeof(ro_dirs[0]); i++)
        rc = dir(t, tx, 0, n, DOM "/%s", n, ro_dirs[i]);
    for (size_t i = 0; !rc && i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++)
        rc = dir(t, tx, n, DOMID_INVALID, DOM "/%s", n, rw_dirs[i]);
    if (!rc)
        rc = put(t, tx, "1", DOM "/control/platform-feature-multiprocessor-suspend", n);
    if (!rc)
        rc = put(t, tx, "1", DOM "/control/platform-feature-xs_reset_watches", n);
    return rc;
}

static int after_build(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct xlt_layout *l = arg;
    const domid_t n = l->domid;
    char path[256];
    struct timeval tv;
    int rc;

    snprintf(path, sizeof(path), DOM "/memory/static-max", n);
    rc = xlt_writef(t, tx, path, "%llu", (unsigned long long)l->maxmem_kb);
    snprintf(path, sizeof(path), DOM "/memory/target", n);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%llu", (unsigned long long)l->memory_kb);
    if (!rc)
        rc = put(t, tx, "0", DOM "/memory/videoram", n);
    snprintf(path, sizeof(path), DOM "/domid", n);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%u", n);
    snprintf(path, sizeof(path), DOM "/store/port", n);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%u", l->store_port);
    snprintf(path, sizeof(path), DOM "/store/ring-ref", n);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%llu", (unsigned long long)l->store_mfn);
    for (unsigned int k = 0; !rc && k < l->maxvcpus; k++) {
        snprintf(path, sizeof(path), DOM "/cpu/%u/availability", n, k);
        rc = xlt_write(t, tx, path, k < l->vcpus ? "online" : "offline");
    }
    snprintf(path, sizeof(path), "/vm/%s/image/ostype", l->uuid);
    if (!rc)
        rc = xlt_write(t, tx, path, "linux");
    snprintf(path, sizeof(path), "/vm/%s/image/kernel", l->uuid);
    if (!rc)
        rc = xlt_write(t, tx, path, l->kernel);
    snprintf(path, sizeof(path), "/vm/%s/image/ramdisk", l->uuid);
    if (!rc && l->ramdisk)
        rc = xlt_write(t, tx, path, l->ramdisk);
    snprintf(path, sizeof(path), "/vm/%s/image/cmdline", l->uuid);
    if (!rc && l->cmdline)
        rc = xlt_write(t, tx, path, l->cmdline);
    gettimeofday(&tv, NULL);
    snprintf(path, sizeof(path), "/vm/%s/start_time", l->uuid);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%lld.%02d", (long long)tv.tv_sec, (int)(tv.tv_usec / 10000));
    return rc;
}

static int console(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct xlt_layout *l = arg;
    const domid_t n = l->domid;
    char path[256], be[128];
    int rc;

    snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/0", n);
    rc = dir(t, tx, 0, n, DOM "/console", n);
    if (!rc)
        rc = put(t, tx, be, DOM "/console/backend", n);
    snprintf(path, sizeof(path), DOM "/console/backend-id", n);
    if (!rc)
        rc = xlt_write(t, tx, path, "0");
    /* The guest owns backend-id alone, as with libxl. */
    if (!rc)
        rc = xlt_set_perms(t, tx, path, n, false, 0);
    if (!rc)
        rc = put(t, tx, "1048576", DOM "/console/limit", n);
    if (!rc)
        rc = put(t, tx, "xenconsoled", DOM "/console/type", n);
    if (!rc)
        rc = put(t, tx, "pty", DOM "/console/output", n);
    if (!rc)
        rc = put(t, tx, "", DOM "/console/tty", n);
    snprintf(path, sizeof(path), DOM "/console/port", n);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%u", l->console_port);
    snprintf(path, sizeof(path), DOM "/console/ring-ref", n);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%llu", (unsigned long long)l->console_mfn);

    if (!rc)
        rc = xlt_mkdir(t, tx, be, 0, false, n);
    snprintf(path, sizeof(path), "%s/frontend", be);
    if (!rc)
        rc = xlt_writef(t, tx, path, "/local/domain/%u/console", n);
    snprintf(path, sizeof(path), "%s/frontend-id", be);
    if (!rc)
        rc = xlt_writef(t, tx, path, "%u", n);
    snprintf(path, sizeof(path), "%s/online", be);
    if (!rc)
        rc = xlt_write(t, tx, path, "1");
    snprintf(path, sizeof(path), "%s/state", be);
    if (!rc)
        rc = xlt_write(t, tx, path, "1");
    snprintf(path, sizeof(path), "%s/protocol", be);
    if (!rc)
        rc = xlt_write(t, tx, path, "vt100");
    return rc;
}

int xlt_layout_skeleton(struct xlt *t, const struct xlt_layout *l)
{
    return xlt_transaction(t, skeleton, (void *)l);
}

int xlt_layout_built(struct xlt *t, const struct xlt_layout *l)
{
    int rc = xlt_transaction(t, after_build, (void *)l);

    return rc ? rc : xlt_transaction(t, console, (void *)l);
}
