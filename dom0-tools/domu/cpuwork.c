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
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#define SPIN_CHUNK (1u << 20) /* steps between looks at xenstore while spinning */
#define VALUE_MAX  64

static struct xs_handle *xs;

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

/* The node's value, or "" when it does not exist (or cannot be read). */
static void read_node(const char *path, char *value)
{
    unsigned int len;
    char *v = xs_read(xs, XBT_NULL, path, &len);

    snprintf(value, VALUE_MAX, "%s", v ? v : "");
    free(v);
}

/* Block until a watch event arrives: -1 when xenstore is gone. */
static int wait_event(void)
{
    unsigned int n;
    char **ev = xs_read_watch(xs, &n);

    free(ev);
    return ev ? 0 : -1;
}

/* Take a watch event that is already waiting, without blocking: whether
 * there was one. */
static int take_event(void)
{
    char **ev = xs_check_watch(xs);

    free(ev);
    return ev != NULL;
}

static int worker(uint64_t steps)
{
    char path[VALUE_MAX + 32], value[VALUE_MAX], last[VALUE_MAX] = "", domid[VALUE_MAX];
    uint64_t x = 88172645463325252ull;

    /* /init mounts devtmpfs and the xenbus device appears then. */
    for (int i = 0; !(xs = xs_open(0)); i++) {
        if (i == 600) {
            say("pvx-cpuwork: no xenstore after 60 s\n");
            return 1;
        }
        usleep(100000);
    }
    read_node("domid", domid);
    if (!domid[0]) {
        say("pvx-cpuwork: cannot read domid from xenstore\n");
        return 1;
    }
    snprintf(path, sizeof(path), "/local/domain/%s/data/cpuwork", domid);
    if (!xs_watch(xs, path, "cpuwork")) {
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
                    if (take_event())
                        read_node(path, value);
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
