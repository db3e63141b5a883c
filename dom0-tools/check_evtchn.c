/* SPDX-License-Identifier: MIT */
/*
 * evtchn: two /dev/xen/evtchn handles in dom0 form the two ends of one
 * interdomain channel (dom0 to itself): A allocates an unbound port for
 * dom0, B binds to it.  Binding leaves one event pending on B's new port
 * (as on Xen: whatever A's end sent while unbound was dropped, so the binder
 * must look once), which B must see.  Then a notify on B's end must make
 * exactly A's port readable on A's handle, and nothing on B's; then the
 * other direction.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "xen-devices.h"

/* The port A reports within timeout_ms, or -1 (nothing) / -2 (error). */
static long pending_port(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint32_t port;

    if (poll(&p, 1, timeout_ms) <= 0)
        return -1;
    if (read(fd, &port, sizeof(port)) != sizeof(port))
        return -2;
    /* Writing the port back unmasks it, so the next event is seen too. */
    if (write(fd, &port, sizeof(port)) != sizeof(port))
        return -2;
    return port;
}

/* Signal `from` on its handle; `to` must see it on its handle, `from` must not. */
static int signal_one(const char *name, int from_fd, uint32_t from, int to_fd, uint32_t to)
{
    struct pvx_evtchn_port n = {.port = from};
    long got, echo;

    if (ioctl(from_fd, PVX_IOCTL_EVTCHN_NOTIFY, &n))
        return check_report(name, false, "notify port %u: %s", from, strerror(errno));
    got = pending_port(to_fd, 2000);
    echo = pending_port(from_fd, 0);
    return check_report(name, got == to && echo == -1,
                        "notify %u -> read %ld (want %u), sender saw %ld (want none)", from, got,
                        to, echo);
}

int check_evtchn(void)
{
    struct pvx_evtchn_bind_unbound_port ub = {.remote_domain = 0};
    struct pvx_evtchn_bind_interdomain bi = {.remote_domain = 0};
    int a = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
    int b = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
    int pa, pb, failed = 0;
    long first, stray;

    if (a < 0 || b < 0) {
        failed = check_report("evtchn-bind", false, "open /dev/xen/evtchn: %s", strerror(errno));
        goto out;
    }
    pa = ioctl(a, PVX_IOCTL_EVTCHN_BIND_UNBOUND_PORT, &ub);
    bi.remote_port = pa > 0 ? (uint32_t)pa : 0;
    pb = pa > 0 ? ioctl(b, PVX_IOCTL_EVTCHN_BIND_INTERDOMAIN, &bi) : -1;
    failed += check_report("evtchn-bind", pa > 0 && pb > 0 && pa != pb,
                           "unbound port %d, interdomain port %d%s%s", pa, pb,
                           pa > 0 && pb > 0 ? "" : ": ", pa > 0 && pb > 0 ? "" : strerror(errno));
    if (pa <= 0 || pb <= 0)
        goto out;
    first = pending_port(b, 1000);
    stray = pending_port(a, 0);
    failed +=
        check_report("evtchn-bind-event", first == pb && stray == -1,
                     "binder saw %ld (want %d), unbound end saw %ld (want none)", first, pb, stray);
    failed += signal_one("evtchn-notify", b, (uint32_t)pb, a, (uint32_t)pa);
    failed += signal_one("evtchn-notify-back", a, (uint32_t)pa, b, (uint32_t)pb);
out:
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    return failed;
}
