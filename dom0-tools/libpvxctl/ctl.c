/* SPDX-License-Identifier: MIT */
/*
 * libpvxctl: the handle, its errors, the hypercall path and the bounce
 * buffer.
 *
 * pvx copies hypercall arguments from dom0's user address space directly.
 * A page that is not present, or is copy-on-write after a fork, makes that
 * copy fail with -EFAULT (the hypervisor cannot run Linux's fault handler),
 * so every argument travels through one buffer that is locked in memory and
 * not inherited by children.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pvxctl_priv.h"
#include "xen-devices.h"

static char open_error[256];

static size_t page_round(size_t n)
{
    return (n + 4095) & ~(size_t)4095;
}

/* Map a locked, fork-private, prefaulted area of size bytes (page multiple). */
static void *locked_area(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        return NULL;
    madvise(p, size, MADV_DONTFORK);
    /* mlock can fail under RLIMIT_MEMLOCK; touching every page still makes
     * them present, which is what the hypervisor needs while we run. */
    mlock(p, size);
    memset(p, 0, size);
    return p;
}

int pvxctl_open(struct pvxctl **out)
{
    struct pvxctl *x = calloc(1, sizeof(*x));
    int rc = 0;

    *out = NULL;
    if (!x) {
        rc = -ENOMEM;
        snprintf(open_error, sizeof(open_error), "out of memory");
        goto out;
    }
    x->privcmd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (x->privcmd < 0) {
        rc = -errno;
        snprintf(open_error, sizeof(open_error),
                 "cannot open /dev/xen/privcmd: %s (run as root in dom0, with the xen-privcmd "
                 "module loaded)",
                 strerror(errno));
        goto out;
    }
    x->buf_size = 64 * 1024;
    x->buf = locked_area(x->buf_size);
    if (!x->buf) {
        rc = -ENOMEM;
        snprintf(open_error, sizeof(open_error), "cannot map the hypercall buffer: %s",
                 strerror(errno));
        goto out;
    }
    *out = x;
    x = NULL;
out:
    if (x)
        pvxctl_close(x);
    return rc;
}

const char *pvxctl_open_error(void)
{
    return open_error;
}

void pvxctl_close(struct pvxctl *x)
{
    if (!x)
        return;
    if (x->buf)
        munmap(x->buf, x->buf_size);
    if (x->privcmd >= 0)
        close(x->privcmd);
    free(x);
}

const char *pvxctl_error(const struct pvxctl *x)
{
    return x->err;
}

/* The reason, in the words a user of the toolstack understands. */
static const char *reason(domid_t domid, int rc)
{
    switch (rc) {
    case -ESRCH:
        return domid == DOMID_INVALID ? strerror(ESRCH) : "no such domain";
    case -EACCES:
        return "pvx refused the interface version (are dom0's tools from the same build as pvx?)";
    case -ENOSYS:
        return "not implemented by this hypervisor";
    default:
        return strerror(-rc);
    }
}

int pvxctl_fail(struct pvxctl *x, domid_t domid, const char *op, int rc)
{
    if (domid == DOMID_INVALID)
        snprintf(x->err, sizeof(x->err), "%s: %s", op, reason(domid, rc));
    else
        snprintf(x->err, sizeof(x->err), "domain %u: %s: %s", domid, op, reason(domid, rc));
    return rc;
}

int pvxctl_failf(struct pvxctl *x, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(x->err, sizeof(x->err), fmt, ap);
    va_end(ap);
    return rc;
}

long pvxctl_hypercall(struct pvxctl *x, unsigned int op, uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5)
{
    struct pvx_privcmd_hypercall hc = {.op = op, .arg = {a1, a2, a3, a4, a5}};
    long rc = ioctl(x->privcmd, PVX_IOCTL_PRIVCMD_HYPERCALL, &hc);

    return rc < 0 ? -errno : rc;
}

void *pvxctl_buf(struct pvxctl *x, size_t size)
{
    void *bigger;

    if (size <= x->buf_size)
        return x->buf;
    size = page_round(size);
    bigger = locked_area(size);
    if (!bigger)
        return NULL;
    munmap(x->buf, x->buf_size);
    x->buf = bigger;
    x->buf_size = size;
    return x->buf;
}

long pvxctl_domctl(struct pvxctl *x, struct pvx_domctl *op, uint32_t cmd, domid_t domid)
{
    struct pvx_domctl *b = pvxctl_buf(x, sizeof(*op));
    long rc;

    op->cmd = cmd;
    op->interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    op->domain = domid;
    memcpy(b, op, sizeof(*op));
    rc = pvxctl_hypercall(x, __HYPERVISOR_domctl, (uintptr_t)b, 0, 0, 0, 0);
    memcpy(op, b, sizeof(*op));
    return rc;
}

long pvxctl_sysctl(struct pvxctl *x, struct pvx_sysctl *op, uint32_t cmd)
{
    struct pvx_sysctl *b = pvxctl_buf(x, sizeof(*op));
    long rc;

    op->cmd = cmd;
    op->interface_version = PVX_SYSCTL_INTERFACE_VERSION;
    memcpy(b, op, sizeof(*op));
    rc = pvxctl_hypercall(x, __HYPERVISOR_sysctl, (uintptr_t)b, 0, 0, 0, 0);
    memcpy(op, b, sizeof(*op));
    return rc;
}
