/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvx-cpuwork: a fixed amount of CPU-bound work inside a Linux domU, started
 * and timed on dom0's signal (the SMP benchmark, scripts/bench-smp-domains.py,
 * and its check in tests/linux/xl-scenario.sh).
 *
 *     pvx-cpuwork STEPS         run STEPS xorshift steps once, print the time
 *
 * As the initramfs's first process (kernel command line
 * "rdinit=/bin/pvx-cpuwork cpuwork=STEPS"), it forks the worker and execs
 * /init, so the guest boots as usual.  The worker watches the xenstore node
 * data/cpuwork in its domain's home (dom0 writes it) and acts on each new
 * value:
 *
 *     N        run STEPS steps, print "pvx-cpuwork: round N ns T steps S x X"
 *     spin N   run until the value changes, print "pvx-cpuwork: spin N done"
 *     other    nothing (dom0 writes "stop N" to end a spin)
 *
 * T is CLOCK_MONOTONIC time, which goes on while the vCPU waits for a CPU:
 * two domUs sharing one CPU each take about twice as long as one alone.
 * Going through xenstore (not a polling loop) keeps a waiting worker off the
 * CPU, so it does not disturb the domU that is being timed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "public/io/xs_wire.h"

#define XENBUS     "/dev/xen/xenbus"
#define SPIN_CHUNK (1u << 20) /* steps between looks at xenstore while spinning */
#define VALUE_MAX  64

static int xs_fd = -1;
static int event_pending; /* a watch fired while waiting for a reply */

static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 1)
        n = sizeof(line) - 1;
    /* One write per line: the console is shared with the guest's init. */
    if (write(STDOUT_FILENO, line, (size_t)n) < 0)
        return;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Register-only work: nothing for the memory system or the hypervisor. */
static uint64_t work(uint64_t x, uint64_t steps)
{
    for (uint64_t i = 0; i < steps; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

static int read_full(void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t n = read(xs_fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The next message from the xenbus device: its type, payload in buf. */
static int next_message(uint32_t *type, char *buf, size_t size, uint32_t *len)
{
    struct xsd_sockmsg h;
    char skip[256];

    if (read_full(&h, sizeof(h)))
        return -1;
    *type = h.type;
    *len = h.len < size ? h.len : (uint32_t)size - 1;
    if (read_full(buf, *len))
        return -1;
    for (uint32_t left = h.len - *len; left;) {
        uint32_t n = left < sizeof(skip) ? left : (uint32_t)sizeof(skip);
        if (read_full(skip, n))
            return -1;
        left -= n;
    }
    buf[*len] = '\0';
    return 0;
}

/*
 * One request (payload: NUL-separated strings, given with their NULs) and
 * its reply; watch events seen on the way are remembered.  Returns the
 * reply's type or -1.
 */
static int request(uint32_t type, const char *payload, uint32_t plen, char *reply, size_t size)
{
    char msg[sizeof(struct xsd_sockmsg) + 256];
    struct xsd_sockmsg h = {.type = type, .req_id = 1, .tx_id = 0, .len = plen};
    uint32_t rtype, rlen;

    if (plen > sizeof(msg) - sizeof(h))
        return -1;
    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), payload, plen);
    if (write(xs_fd, msg, sizeof(h) + plen) != (ssize_t)(sizeof(h) + plen))
        return -1;
    for (;;) {
        if (next_message(&rtype, reply, size, &rlen))
            return -1;
        if (rtype != XS_WATCH_EVENT)
            return (int)rtype;
        event_pending = 1;
    }
}

/* The node's value, or "" when it does not exist (or cannot be read). */
static void read_node(const char *path, char *value)
{
    if (request(XS_READ, path, (uint32_t)strlen(path) + 1, value, VALUE_MAX) != XS_READ)
        value[0] = '\0';
}

/* Block until a watch event arrives (or one already has). */
static int wait_event(void)
{
    char buf[256];
    uint32_t type, len;

    while (!event_pending) {
        if (next_message(&type, buf, sizeof(buf), &len))
            return -1;
        if (type == XS_WATCH_EVENT)
            event_pending = 1;
    }
    event_pending = 0;
    return 0;
}

/* Whether a watch event is waiting to be read, without blocking. */
static int event_ready(void)
{
    struct pollfd p = {.fd = xs_fd, .events = POLLIN};

    return event_pending || poll(&p, 1, 0) > 0;
}

static int worker(uint64_t steps)
{
    char path[VALUE_MAX + 32], value[VALUE_MAX], last[VALUE_MAX] = "", domid[VALUE_MAX];
    char watch[sizeof(path) + 8];
    uint64_t x = 88172645463325252ull;

    /* /init mounts devtmpfs and the device appears then. */
    for (int i = 0; (xs_fd = open(XENBUS, O_RDWR)) < 0; i++) {
        if (i == 600) {
            say("pvx-cpuwork: no %s after 60 s\n", XENBUS);
            return 1;
        }
        usleep(100000);
    }
    if (request(XS_READ, "domid", sizeof("domid"), domid, sizeof(domid)) != XS_READ) {
        say("pvx-cpuwork: cannot read domid from xenstore\n");
        return 1;
    }
    snprintf(path, sizeof(path), "/local/domain/%s/data/cpuwork", domid);
    /* path and token, each with its NUL */
    size_t plen = strlen(path) + 1;
    memcpy(watch, path, plen);
    memcpy(watch + plen, "cpuwork", sizeof("cpuwork"));
    if (request(XS_WATCH, watch, (uint32_t)(plen + sizeof("cpuwork")), value, sizeof(value)) !=
        XS_WATCH) {
        say("pvx-cpuwork: cannot watch %s\n", path);
        return 1;
    }
    say("pvx-cpuwork: ready, domid %s, %" PRIu64 " steps per round\n", domid, steps);
    for (;;) {
        if (wait_event())
            break;
        read_node(path, value);
        /* Each value acts once; the watch also fires on registering. */
        while (value[0] && strcmp(value, last)) {
            strcpy(last, value);
            if (!strncmp(value, "spin ", 5)) {
                /* Busy until dom0 writes another value, which then acts. */
                do {
                    x = work(x, SPIN_CHUNK);
                    if (event_ready()) {
                        if (!event_pending && wait_event())
                            return 1;
                        event_pending = 0;
                        read_node(path, value);
                    }
                } while (!strcmp(value, last));
                say("pvx-cpuwork: spin %s done x %" PRIx64 "\n", last + 5, x);
                continue;
            }
            if (strspn(value, "0123456789") != strlen(value))
                continue; /* anything else (dom0's "stop N") only ends a spin */
            uint64_t t0 = now_ns();
            x = work(x, steps);
            uint64_t t1 = now_ns();
            say("pvx-cpuwork: round %s ns %" PRIu64 " steps %" PRIu64 " x %" PRIx64 "\n", value,
                t1 - t0, steps, x);
        }
    }
    say("pvx-cpuwork: lost xenstore\n");
    return 1;
}

static uint64_t parse_steps(const char *s)
{
    char *end;
    unsigned long long v = s ? strtoull(s, &end, 0) : 0;

    return s && *s && !*end && v ? v : 0;
}

int main(int argc, char **argv)
{
    if (getpid() == 1) {
        uint64_t steps = parse_steps(getenv("cpuwork"));
        pid_t pid = fork();
        if (pid == 0)
            _exit(steps ? worker(steps) : (say("pvx-cpuwork: no cpuwork=STEPS\n"), 1));
        /* The guest's own init stays pid 1 (its poweroff needs that). */
        static char init[] = "/init";
        argv[0] = init;
        execv(init, argv);
        say("pvx-cpuwork: cannot run /init: %s\n", strerror(errno));
        return 1;
    }
    uint64_t steps = argc == 2 ? parse_steps(argv[1]) : 0;
    if (!steps) {
        fprintf(stderr, "usage: pvx-cpuwork STEPS\n");
        return 2;
    }
    uint64_t t0 = now_ns();
    uint64_t x = work(88172645463325252ull, steps);
    uint64_t t1 = now_ns();
    say("pvx-cpuwork: ns %" PRIu64 " steps %" PRIu64 " x %" PRIx64 "\n", t1 - t0, steps, x);
    return 0;
}
