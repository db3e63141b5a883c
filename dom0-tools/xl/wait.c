/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Waiting: for a xenstore node to fill or empty, and for domains to shut
 * down or go away.  xenstored fires
 * @releaseDomain when a domain shuts down, dies or is released (it owns
 * VIRQ_DOM_EXC); each event makes us look at every awaited domain again.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "toolstack.h"

int64_t xlt_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void xlt_watch_event(struct xlt *t, int ms)
{
    struct pollfd p = {.fd = xs_fileno(t->xs), .events = POLLIN};

    if (poll(&p, 1, ms) > 0) {
        unsigned int n;

        free(xs_read_watch(t->xs, &n));
    }
}

int xlt_wait_node(struct xlt *t, const char *path, bool filled, int timeout_ms)
{
    int64_t deadline = xlt_now_ms() + timeout_ms;
    int rc = -ETIMEDOUT;

    if (!xs_watch(t->xs, path, "xlt-node"))
        return -errno;
    for (;;) {
        char *v = xlt_read(t, XBT_NULL, "%s", path);
        bool has = v && *v;
        int64_t rest;

        free(v);
        if (has == filled) {
            rc = 0;
            break;
        }
        rest = deadline - xlt_now_ms();
        if (rest <= 0)
            break;
        /* The watch wakes us; a missed event costs half a second, no more. */
        xlt_watch_event(t, rest < 500 ? (int)rest : 500);
    }
    xs_unwatch(t->xs, path, "xlt-node");
    return rc;
}

/* True once domid is done waiting for; reports it then. */
static bool settled(struct xlt *t, domid_t domid, enum xlt_wait_for what,
                    void (*report)(domid_t, const pvxctl_dominfo_t *, void *), void *arg)
{
    pvxctl_dominfo_t info;

    if (pvxctl_domain_info(t->ctl, domid, &info) || (info.flags & PVX_DOMINF_dying)) {
        if (report)
            report(domid, NULL, arg);
        return true;
    }
    if (what == XLT_WAIT_SHUTDOWN_OR_GONE && (info.flags & PVX_DOMINF_shutdown)) {
        if (report)
            report(domid, &info, arg);
        return true;
    }
    return false;
}

int xlt_wait(struct xlt *t, const domid_t *ids, unsigned int n, enum xlt_wait_for what,
             int timeout_ms, void (*report)(domid_t, const pvxctl_dominfo_t *, void *), void *arg)
{
    bool *done = calloc(n ? n : 1, sizeof(*done));
    int64_t deadline = xlt_now_ms() + timeout_ms;
    unsigned int left = n;
    int rc = 0;

    if (!done)
        return -ENOMEM;
    if (!xs_watch(t->xs, "@releaseDomain", "xlt-wait")) {
        rc = -errno;
        goto out;
    }
    while (left) {
        int wait_ms = 1000;

        for (unsigned int i = 0; i < n; i++)
            if (!done[i] && settled(t, ids[i], what, report, arg)) {
                done[i] = true;
                left--;
            }
        if (!left)
            break;
        if (timeout_ms >= 0) {
            int64_t rest = deadline - xlt_now_ms();

            if (rest <= 0) {
                rc = -ETIMEDOUT;
                break;
            }
            if (rest < wait_ms)
                wait_ms = (int)rest;
        }
        /* A watch event, or once a second anyway (a missed event costs a
         * second, never a hang). */
        xlt_watch_event(t, wait_ms);
    }
    xs_unwatch(t->xs, "@releaseDomain", "xlt-wait");
out:
    free(done);
    return rc;
}
