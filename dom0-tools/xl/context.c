/* SPDX-License-Identifier: GPL-2.0-only */
/* The toolstack's context: one libpvxctl handle and one xenstore connection. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "toolstack.h"

int xlt_open(struct xlt *t, char *err, size_t errlen)
{
    int rc = pvxctl_open(&t->ctl);

    t->xs = NULL;
    if (rc) {
        snprintf(err, errlen, "%s", pvxctl_open_error());
        return rc;
    }
    t->xs = xs_open(0);
    if (!t->xs) {
        rc = -errno;
        snprintf(err, errlen,
                 "cannot connect to xenstored: %s (is it running? dom0_up in /etc/dom0-up.sh "
                 "starts it)",
                 strerror(errno));
        pvxctl_close(t->ctl);
        t->ctl = NULL;
        return rc;
    }
    return 0;
}

void xlt_close(struct xlt *t)
{
    if (t->xs)
        xs_close(t->xs);
    pvxctl_close(t->ctl);
    t->xs = NULL;
    t->ctl = NULL;
}

void xlt_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void xlt_log_error(const char *file, int line, const char *func, domid_t domid, const char *fmt,
                   ...)
{
    const char *base = strrchr(file, '/');
    va_list ap;

    fprintf(stderr, "libxl: error: %s:%d:%s: ", base ? base + 1 : file, line, func);
    if (domid != DOMID_INVALID)
        fprintf(stderr, "Domain %u:", domid);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void xlt_info(const struct xlt *t, const char *fmt, ...)
{
    va_list ap;

    if (!t->verbose)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
