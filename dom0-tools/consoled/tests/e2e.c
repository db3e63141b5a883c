/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * End to end on the host, no hypervisor: the real daemon loop (forked,
 * over tests/fake_hv.c) and real clients (forked, pvx_console_attach),
 * talking through a real xenstored (standalone, started by the suite:
 * $XENSTORED_PATH) and real ptys.  This test plays the toolstack (nodes,
 * introduce, destroy) and the guests (ring bytes, indexes, events).
 *
 * Prints one line per check and `N passed, N failed`; exit status 1 on any
 * failure.  The daemon's own messages (-vv) go to <work>/daemon*.log,
 * shown when a check fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "client.h"
#include "consoled.h"
#include "fake_hv.h"

#define WAIT_MS 5000

static struct fake_world world;
static struct xs_handle *xs;
static char work[] = "/tmp/pvxconsoled-e2e.XXXXXX";
static char logdir[128], daemon_log[256];
static pid_t daemon_pid = -1;
static int passed, failed_checks;

/* ---- small helpers -------------------------------------------------------- */

static int64_t ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int n)
{
    struct timespec ts = {n / 1000, (long)(n % 1000) * 1000000};

    nanosleep(&ts, NULL);
}

static void show_daemon_log(void)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "tail -n 25 %s | sed 's/^/     | /'", daemon_log);
    if (system(cmd))
        fprintf(stderr, "(no daemon log)\n");
}

static bool check(const char *name, bool ok)
{
    printf("%s %s\n", ok ? "ok  " : "FAIL", name);
    fflush(stdout);
    if (ok) {
        passed++;
    } else {
        failed_checks++;
        show_daemon_log();
    }
    return ok;
}

/* Poll cond() every 5 ms for up to ms_max. */
#define WAIT_FOR(cond, ms_max)                                                                     \
    ({                                                                                             \
        int64_t _end = ms() + (ms_max);                                                            \
        bool _ok;                                                                                  \
        while (!(_ok = (cond)) && ms() < _end)                                                     \
            sleep_ms(5);                                                                           \
        _ok;                                                                                       \
    })

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;

    if (!f)
        return NULL;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap + 1);
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r);
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static bool file_contains(const char *path, const char *needle)
{
    size_t len;
    char *s = read_file(path, &len);
    bool ok = s && memmem(s, len, needle, strlen(needle));

    free(s);
    return ok;
}

static char *xs_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xs_get(const char *fmt, ...)
{
    char path[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    return xs_read(xs, XBT_NULL, path, NULL);
}

static void xs_put(const char *path, const char *value)
{
    if (!xs_write(xs, XBT_NULL, path, value, (unsigned int)strlen(value)))
        fprintf(stderr, "xs_write %s: %s\n", path, strerror(errno));
}

/* console/tty: non-empty (want_set) or empty/missing. */
static bool tty_is(int domid, bool want_set)
{
    char *v = xs_get("/local/domain/%d/console/tty", domid);
    bool set = v && *v;

    free(v);
    return set == want_set;
}

static unsigned int counter(const unsigned int *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* ---- the daemon ------------------------------------------------------------- */

static bool daemon_start(bool keep, const char *logname)
{
    int ready[2];
    char c;

    snprintf(daemon_log, sizeof(daemon_log), "%s/%s", work, logname);
    if (pipe(ready))
        return false;
    daemon_pid = fork();
    if (daemon_pid == 0) {
        struct consoled_opts o = {
            .interactive = true,
            .verbose = 2,
            .log = CONS_LOG_GUEST | CONS_LOG_HV,
            .keep_overflow = keep,
            .log_dir = logdir,
            .ready_fd = ready[1],
        };
        struct cons_hv *hv = fake_hv_new(&world);
        int fd = open(daemon_log, O_WRONLY | O_CREAT | O_APPEND, 0644), rc;

        close(ready[0]);
        dup2(fd, STDERR_FILENO);
        msg_setup(o.verbose, true);
        rc = consoled_run(&o, hv);
        hv->close(hv);
        exit(rc ? 1 : 0); /* exit, not _exit: LeakSanitizer runs at exit */
    }
    close(ready[1]);
    if (read(ready[0], &c, 1) != 1)
        c = 1;
    close(ready[0]);
    return c == 0;
}

/* SIGTERM and wait: the exit status, or -1. */
static int daemon_stop(void)
{
    int status;

    if (daemon_pid < 0)
        return -1;
    kill(daemon_pid, SIGTERM);
    if (waitpid(daemon_pid, &status, 0) != daemon_pid)
        return -1;
    daemon_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the toolstack ------------------------------------------------------------ */

static int domid_of[FAKE_DOMS];

/* Create the domain in slot: its console nodes, then introduce it. */
static void dom_create(int slot, int domid, const char *name, const char *limit)
{
    struct fake_dom *d = &world.sh->dom[slot];
    char path[128], val[32];

    memset(d, 0, sizeof(*d));
    memset(&world.ring[slot], 0, sizeof(world.ring[slot]));
    d->frame = 0x10000 + (uint64_t)domid;
    d->remote_port = 2 + (uint32_t)slot;
    __atomic_store_n(&d->domid, domid, __ATOMIC_RELEASE);
    domid_of[slot] = domid;
#define NODE(rel, value)                                                                           \
    do {                                                                                           \
        snprintf(path, sizeof(path), "/local/domain/%d/%s", domid, rel);                           \
        xs_put(path, value);                                                                       \
    } while (0)
    NODE("name", name);
    snprintf(val, sizeof(val), "%llu", (unsigned long long)d->frame);
    NODE("console/ring-ref", val);
    snprintf(val, sizeof(val), "%u", d->remote_port);
    NODE("console/port", val);
    NODE("console/type", "xenconsoled");
    NODE("console/limit", limit);
    NODE("console/output", "pty");
    NODE("console/tty", "");
#undef NODE
    if (!xs_introduce_domain(xs, (unsigned int)domid, (unsigned long)d->frame, 1))
        fprintf(stderr, "introduce %d: %s\n", domid, strerror(errno));
}

/* As libxl: remove the nodes, the domain dies, xenstored fires @releaseDomain. */
static void dom_destroy(int slot)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%d", domid_of[slot]);
    xs_rm(xs, XBT_NULL, path);
    __atomic_store_n(&world.sh->dom[slot].dying, 1, __ATOMIC_RELEASE);
    xs_release_domain(xs, (unsigned int)domid_of[slot]);
}

/* ---- the guests ------------------------------------------------------------------ */

/* Write all of s into slot's output ring, waiting for room; false on a 5 s stall. */
static bool guest_write(int slot, const char *s, size_t n)
{
    struct xencons_interface *r = &world.ring[slot];
    int64_t stall = ms() + WAIT_MS;

    while (n) {
        XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
        XENCONS_RING_IDX prod = r->out_prod;
        size_t room = sizeof(r->out) - (prod - cons), i;

        if (!room) {
            if (ms() > stall)
                return false;
            sleep_ms(1);
            continue;
        }
        for (i = 0; i < room && i < n; i++)
            r->out[MASK_XENCONS_IDX(prod++, r->out)] = *s++;
        n -= i;
        __atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
        fake_raise(&world, slot);
        stall = ms() + WAIT_MS;
    }
    return true;
}

static bool guest_says(int slot, const char *s)
{
    return guest_write(slot, s, strlen(s));
}

/* Take up to max bytes of input from slot's ring (and tell the daemon). */
static size_t guest_read(int slot, char *buf, size_t max)
{
    struct xencons_interface *r = &world.ring[slot];
    XENCONS_RING_IDX prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
    size_t n = 0;

    while (n < max && r->in_cons != prod)
        buf[n++] = r->in[MASK_XENCONS_IDX(r->in_cons++, r->in)];
    if (n)
        fake_raise(&world, slot);
    return n;
}

static XENCONS_RING_IDX input_pending(int slot)
{
    struct xencons_interface *r = &world.ring[slot];

    return __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE) - r->in_cons;
}

/* ---- clients ------------------------------------------------------------------------ */

struct client {
    pid_t pid;
    int in;     /* the client's stdin (write end), -1 when a pty is used */
    int out;    /* the client's stdout (read end) */
    int notify; /* where it writes 0x00 once attached */
    char *got;  /* everything read from its stdout */
    size_t len, cap;
    char errfile[256];
};

/* Exit statuses of client children: what pvx_console_attach returned. */
#define CLIENT_STATUS_ERR(e)    (100 + (e) % 150) /* -errno */
#define CLIENT_STATUS_SIGNAL(s) (50 + (s))

static void client_start(struct client *c, int domid, int stdin_fd)
{
    int in[2] = {-1, -1}, out[2], notify[2];
    static int serial;

    memset(c, 0, sizeof(*c));
    snprintf(c->errfile, sizeof(c->errfile), "%s/client%d.err", work, ++serial);
    if ((stdin_fd < 0 && pipe(in)) || pipe(out) || pipe(notify))
        abort();
    c->pid = fork();
    if (c->pid == 0) {
        char err[512];
        int rc, fd = open(c->errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        dup2(stdin_fd >= 0 ? stdin_fd : in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(out[0]);
        close(notify[0]);
        if (in[1] >= 0)
            close(in[1]);
        rc = pvx_console_attach((domid_t)domid, notify[1], err, sizeof(err));
        fprintf(stderr, "rc %d: %s\n", rc, err);
        exit(rc < 0                      ? CLIENT_STATUS_ERR(-rc)
             : PVX_CONSOLE_IS_SIGNAL(rc) ? CLIENT_STATUS_SIGNAL(PVX_CONSOLE_SIGNAL_NUMBER(rc))
                                         : rc);
    }
    if (in[0] >= 0)
        close(in[0]);
    close(out[1]);
    close(notify[1]);
    c->in = in[1];
    c->out = out[0];
    c->notify = notify[0];
    fcntl(c->out, F_SETFL, O_NONBLOCK);
}

static bool client_attached(struct client *c)
{
    struct pollfd p = {.fd = c->notify, .events = POLLIN};
    char b = 1;

    return poll(&p, 1, WAIT_MS) == 1 && read(c->notify, &b, 1) == 1 && b == 0;
}

static void client_pull(struct client *c)
{
    for (;;) {
        ssize_t n;

        if (c->cap - c->len < 65536) {
            c->cap = c->cap ? c->cap * 2 : 262144;
            c->got = realloc(c->got, c->cap + 1);
        }
        n = read(c->out, c->got + c->len, c->cap - c->len);
        if (n <= 0)
            break;
        c->len += (size_t)n;
    }
    c->got[c->len] = '\0';
}

static bool client_has(struct client *c, const char *needle)
{
    client_pull(c);
    return memmem(c->got, c->len, needle, strlen(needle)) != NULL;
}

static bool client_sees(struct client *c, const char *needle)
{
    return WAIT_FOR(client_has(c, needle), WAIT_MS);
}

static void client_type(struct client *c, const char *s, size_t n)
{
    if (write(c->in, s, n) != (ssize_t)n)
        fprintf(stderr, "writing to the client: %s\n", strerror(errno));
}

/* Wait for the client to exit: its status, or -1 (then it is killed). */
static int client_end(struct client *c, int ms_max)
{
    int status = 0;
    pid_t r = 0;
    int64_t end = ms() + ms_max;

    while ((r = waitpid(c->pid, &status, WNOHANG)) == 0 && ms() < end)
        sleep_ms(5);
    if (r != c->pid) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        status = -1;
    } else {
        status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    client_pull(c);
    if (c->in >= 0)
        close(c->in);
    close(c->out);
    close(c->notify);
    free(c->got);
    c->got = NULL;
    return status;
}

/* The console went away under the client: its tty node or its pty, whichever it saw first. */
static bool console_ended(int status)
{
    return status == PVX_CONSOLE_GONE || status == PVX_CONSOLE_HANGUP;
}

/* ---- the scenarios ---------------------------------------------------------------------- */

static char logpath[FAKE_DOMS][300];

static void set_log_path(int slot, const char *name)
{
    snprintf(logpath[slot], sizeof(logpath[slot]), "%s/guest-%s.log", logdir, name);
}

/* Numbered lines: "<tag> 00042 ....\r\n", n bytes in all, the last line "<tag> END\r\n". */
static char *lines(const char *tag, size_t n)
{
    char *s = malloc(n + 1), line[64];
    size_t len = 0, end_len;
    int i = 0;

    snprintf(line, sizeof(line), "%s END\r\n", tag);
    end_len = strlen(line);
    while (len + 40 + end_len <= n) {
        int l = snprintf(line, sizeof(line), "%s %05d abcdefghijklmnopqrstuvwxyz\r\n", tag, i++);

        memcpy(s + len, line, (size_t)l);
        len += (size_t)l;
    }
    len += (size_t)snprintf(s + len, n + 1 - len, "%s END\r\n", tag);
    return s;
}

static struct client c_alpha;

static void test_basics(void)
{
    struct fake_dom *d = &world.sh->dom[0];
    char buf[4096], *big;
    size_t got = 0;
    struct client second;
    int status;

    dom_create(0, 5, "alpha", "1048576");
    set_log_path(0, "alpha");
    check("a new domain's console/tty is written", WAIT_FOR(tty_is(5, true), WAIT_MS));
    check("its ring is mapped and its port bound", d->maps == 1 && d->bound == FAKE_PORT(0));

    guest_says(0, "boot line 1\r\n");
    check("output reaches the log with nobody attached",
          WAIT_FOR(file_contains(logpath[0], "boot line 1\r\n"), WAIT_MS));
    check("the ring is consumed and the guest notified",
          world.ring[0].out_cons == world.ring[0].out_prod && counter(&d->notifies) > 0);

    big = lines("wrap", 9000);
    check("9000 bytes through the 2048-byte ring", guest_write(0, big, strlen(big)));
    check("... reach the log intact", WAIT_FOR(file_contains(logpath[0], big), WAIT_MS));

    client_start(&c_alpha, 5, -1);
    check("the client notifies once attached", client_attached(&c_alpha));
    check("a late client sees the output written before it came",
          client_sees(&c_alpha, "wrap END\r\n") && !strncmp(c_alpha.got, "boot line 1\r\n", 13) &&
              memmem(c_alpha.got, c_alpha.len, big, strlen(big)));
    free(big);
    guest_says(0, "live\r\n");
    check("live output reaches the client", client_sees(&c_alpha, "live\r\n"));

    client_type(&c_alpha, "echo hi\n", 8);
    check("input reaches the guest's ring", WAIT_FOR(input_pending(0) == 8, WAIT_MS));
    check("... in order", guest_read(0, buf, sizeof(buf)) == 8 && !memcmp(buf, "echo hi\n", 8));

    /* 3000 bytes typed at a guest that reads nothing. */
    {
        char typed[3000];
        bool never_over = true;
        int64_t end;

        for (size_t i = 0; i < sizeof(typed); i++)
            typed[i] = (char)('A' + i % 23);
        client_type(&c_alpha, typed, sizeof(typed));
        check("input fills the guest's ring", WAIT_FOR(input_pending(0) == 1024, WAIT_MS));
        for (end = ms() + 200; ms() < end; sleep_ms(2))
            never_over &= input_pending(0) <= 1024;
        check("... and never passes its in_cons", never_over);
        end = ms() + WAIT_MS;
        while (got < sizeof(typed) && ms() < end) {
            got += guest_read(0, buf + got, sizeof(typed) - got);
            never_over &= input_pending(0) <= 1024;
            sleep_ms(2);
        }
        check("all of it arrives, in order, as the guest reads",
              got == sizeof(typed) && never_over && !memcmp(buf, typed, sizeof(typed)));
    }

    client_start(&second, 5, -1);
    status = client_end(&second, WAIT_MS);
    check("a second client is refused (exit 11, 'Could not lock')",
          status == CLIENT_STATUS_ERR(EWOULDBLOCK) &&
              file_contains(second.errfile, "Could not lock"));

    client_type(&c_alpha, "\x1d", 1);
    check("Ctrl-] detaches (status 0)", client_end(&c_alpha, WAIT_MS) == PVX_CONSOLE_DETACHED);
    {
        char lock[300];
        struct stat st;

        snprintf(lock, sizeof(lock), "%s/pvx-console.5", work);
        check("the lock file is removed", stat(lock, &st) && errno == ENOENT);
    }

    guest_says(0, "while away\r\n");
    client_start(&c_alpha, 5, -1);
    check("a client attaching later sees what was written meanwhile",
          client_attached(&c_alpha) && client_sees(&c_alpha, "while away\r\n"));
    /* c_alpha stays attached for the destroy test. */
}

static void test_discard(void)
{
    size_t n = 256 * 1024;
    char *flood = lines("flood", n), first[64];
    struct client c;

    dom_create(1, 6, "beta", "4096");
    set_log_path(1, "beta");
    check("beta's console comes up", WAIT_FOR(tty_is(6, true), WAIT_MS));
    check("256 KiB from a guest nobody listens to", guest_write(1, flood, n));
    check("... all reach the log", WAIT_FOR(file_contains(logpath[1], flood), WAIT_MS));
    client_start(&c, 6, -1);
    snprintf(first, sizeof(first), "%.*s", 40, flood);
    check("the client gets the oldest and newest output, not the middle",
          client_attached(&c) && client_sees(&c, "flood END\r\n") && c.len < n / 2 &&
              !strncmp(c.got, first, 40));
    client_type(&c, "\x1d", 1);
    client_end(&c, WAIT_MS);
    free(flood);
}

static void test_garbage(void)
{
    struct fake_dom *d = &world.sh->dom[2];
    struct client c;

    dom_create(2, 7, "gamma", "1048576");
    check("gamma's console comes up", WAIT_FOR(tty_is(7, true), WAIT_MS));
    client_start(&c, 7, -1);
    check("a client attaches to gamma", client_attached(&c));
    world.ring[2].out_prod = world.ring[2].out_cons + 100000;
    fake_raise(&world, 2);
    check("garbage out_prod: console/tty is cleared", WAIT_FOR(tty_is(7, false), WAIT_MS));
    check("... the port unbound and the ring unmapped", d->unbinds == 1 && d->unmaps == 1);
    check("... the daemon says which domain and why",
          file_contains(daemon_log, "domain 7: the guest wrote garbage ring indexes"));
    check("... its client ends", console_ended(client_end(&c, WAIT_MS)));
    /* The toolstack gives it a new ring: the console comes back. */
    memset(&world.ring[2], 0, sizeof(world.ring[2]));
    d->frame++;
    {
        char v[32];

        snprintf(v, sizeof(v), "%llu", (unsigned long long)d->frame);
        xs_put("/local/domain/7/console/ring-ref", v);
    }
    check("new ring-ref: the console is set up again", WAIT_FOR(tty_is(7, true), WAIT_MS));

    /* Garbage in_cons, found when input arrives. */
    client_start(&c, 7, -1);
    check("a client attaches again", client_attached(&c));
    world.ring[2].in_cons = 12345;
    client_type(&c, "x", 1);
    check("garbage in_cons: the console is shut down", WAIT_FOR(tty_is(7, false), WAIT_MS));
    check("... and its client ends", console_ended(client_end(&c, WAIT_MS)));

    guest_says(0, "alpha still fine\r\n");
    check("other consoles are unaffected", client_sees(&c_alpha, "alpha still fine\r\n"));
}

static void test_destroy_recreate(void)
{
    struct fake_dom *d = &world.sh->dom[0];
    char rotated[320];

    dom_destroy(0);
    check("destroying the domain ends its client", console_ended(client_end(&c_alpha, WAIT_MS)));
    check("... its port is unbound and ring unmapped",
          WAIT_FOR(d->unbinds == 1 && d->unmaps == 1, WAIT_MS));
    check("... and the daemon forgets it",
          WAIT_FOR(file_contains(daemon_log, "domain 5: forgotten"), WAIT_MS));

    dom_create(3, 8, "alpha", "1048576");
    check("alpha re-created as domain 8", WAIT_FOR(tty_is(8, true), WAIT_MS));
    guest_says(3, "second life\r\n");
    check("... appends to the same log",
          WAIT_FOR(file_contains(logpath[0], "second life"), WAIT_MS) &&
              file_contains(logpath[0], "boot line 1"));

    snprintf(rotated, sizeof(rotated), "%s.1", logpath[0]);
    rename(logpath[0], rotated);
    kill(daemon_pid, SIGHUP);
    {
        struct stat st;

        check("SIGHUP: the log is created again", WAIT_FOR(!stat(logpath[0], &st), WAIT_MS));
    }
    guest_says(3, "after rotation\r\n");
    check("SIGHUP reopens the logs",
          WAIT_FOR(file_contains(logpath[0], "after rotation"), WAIT_MS) &&
              !file_contains(rotated, "after rotation"));
}

static void test_hvlog(void)
{
    char path[300];
    const char more[] = "(pvx) more from the hypervisor\n";

    snprintf(path, sizeof(path), "%s/hypervisor.log", logdir);
    check("the hypervisor's log is copied",
          WAIT_FOR(file_contains(path, "(pvx) hello from the hypervisor\n"), WAIT_MS));
    memcpy(world.sh->hvlog + world.sh->hvlog_len, more, sizeof(more) - 1);
    __atomic_store_n(&world.sh->hvlog_len, world.sh->hvlog_len + (uint32_t)sizeof(more) - 1,
                     __ATOMIC_RELEASE);
    {
        uint32_t p = FAKE_VIRQ_PORT;

        if (write(world.ev[1], &p, sizeof(p)) != sizeof(p))
            fprintf(stderr, "raising the VIRQ failed\n");
    }
    check("... incrementally, on VIRQ_CON_RING", WAIT_FOR(file_contains(path, more), 500));
    {
        char *all = read_file(path, NULL), *first = all ? strstr(all, "hello from") : NULL;

        check("... each byte once", first && !strstr(first + 1, "hello from"));
        free(all);
    }
}

static void test_flood(void)
{
    struct fake_dom *flooder = &world.sh->dom[3];
    unsigned int before = counter(&flooder->deliveries);
    int64_t start = ms(), end = start + 1000;
    bool served = false;

    /* Domain 8 notifies as fast as the pipe takes it for a second. */
    while (ms() < end) {
        for (int i = 0; i < 64; i++)
            fake_raise(&world, 3);
        if (!served && ms() > start + 300) {
            guest_says(1, "beta during the flood\r\n");
            served = true;
        }
    }
    check("a flooding guest gets at most 30 events per 200 ms",
          counter(&flooder->deliveries) - before <= 30 * 6 + 30);
    check("... while the others are served",
          WAIT_FOR(file_contains(logpath[1], "beta during the flood"), 1000));
    guest_says(3, "after the flood\r\n");
    check("... and it is served again afterwards",
          WAIT_FOR(file_contains(logpath[0], "after the flood"), WAIT_MS));
}

static bool raw(int fd)
{
    struct termios t;

    return !tcgetattr(fd, &t) && !(t.c_lflag & (ICANON | ECHO));
}

static void test_client_terminal(void)
{
    int master, slave;
    struct client c;
    char err[256];
    int64_t t0;

    check("domid 0 is refused (EINVAL)", pvx_console_attach(0, -1, err, sizeof(err)) == -EINVAL &&
                                             !strcmp(err, "Can't specify Domain-0"));

    if (openpty(&master, &slave, NULL, NULL, NULL))
        abort();
    check("a fresh terminal is cooked", !raw(slave));
    client_start(&c, 8, slave);
    check("stdin is raw while attached", client_attached(&c) && WAIT_FOR(raw(slave), 1000));
    kill(c.pid, SIGTERM);
    check("SIGTERM ends the session", client_end(&c, WAIT_MS) == CLIENT_STATUS_SIGNAL(SIGTERM));
    check("... with the terminal restored", !raw(slave));

    client_start(&c, 8, slave);
    check("attached again through the terminal", client_attached(&c));
    guest_says(3, "to the terminal\r\n");
    check("output flows", client_sees(&c, "to the terminal"));
    if (write(master, "\x1d", 1) != 1)
        abort();
    check("Ctrl-] typed on the terminal detaches", client_end(&c, WAIT_MS) == 0);
    check("... with the terminal restored", !raw(slave));
    close(master);
    close(slave);

    /* A guest that reads no input while 30 KiB are typed: Ctrl-] still works. */
    client_start(&c, 8, -1);
    check("attached to a guest that reads no input", client_attached(&c));
    {
        static char lots[30 * 1024];

        memset(lots, 'z', sizeof(lots));
        client_type(&c, lots, sizeof(lots));
        sleep_ms(200);
        client_type(&c, "\x1d", 1);
        check("... Ctrl-] still detaches", client_end(&c, WAIT_MS) == PVX_CONSOLE_DETACHED);
        check("... and the guest's ring was never overrun", input_pending(3) == 1024);
    }

    t0 = ms();
    client_start(&c, 42, -1);
    check("no console: 'Could not read tty from store' after 5 s (ETIMEDOUT)",
          client_end(&c, 8000) == CLIENT_STATUS_ERR(ETIMEDOUT) && ms() - t0 >= 4900 &&
              file_contains(c.errfile, "Could not read tty from store"));
}

/* A second daemon with -o keep: the guest waits instead of losing output. */
struct writer {
    int slot;
    const char *data;
    size_t n;
    bool ok;
};

static void *writer_main(void *arg)
{
    struct writer *w = arg;

    w->ok = guest_write(w->slot, w->data, w->n);
    return NULL;
}

static void test_keep(void)
{
    size_t n = 64 * 1024;
    char *data = lines("keep", n);
    struct writer w = {.slot = 4, .data = data, .n = n};
    struct xencons_interface *r = &world.ring[4];
    pthread_t t;
    struct client c;
    XENCONS_RING_IDX seen = 0;

    check("a daemon with -o keep starts", daemon_start(true, "daemon-keep.log"));
    dom_create(4, 9, "keep", "4096");
    check("its console comes up", WAIT_FOR(tty_is(9, true), WAIT_MS));
    pthread_create(&t, NULL, writer_main, &w);
    /* The ring fills and stays full: the daemon stopped taking output (the
     * kernel moves pty data along asynchronously, so wait for it to settle). */
    for (int64_t end = ms() + WAIT_MS; ms() < end;) {
        seen = r->out_cons;
        sleep_ms(300);
        if (r->out_cons == seen && r->out_prod - seen == sizeof(r->out))
            break;
    }
    check("keep: the guest waits once the limit is reached",
          r->out_prod - r->out_cons == sizeof(r->out) && r->out_cons == seen && r->out_cons < n);
    client_start(&c, 9, -1);
    check("keep: a client attaches", client_attached(&c));
    check("keep: it gets every byte, in order",
          client_sees(&c, "keep END\r\n") && c.len == n && !memcmp(c.got, data, n));
    pthread_join(t, NULL);
    check("keep: the guest finished writing", w.ok);
    client_type(&c, "\x1d", 1);
    client_end(&c, WAIT_MS);
    check("the keep daemon exits cleanly", daemon_stop() == 0);
    free(data);
}

int main(void)
{
    static const char hello[] = "(pvx) hello from the hypervisor\n";

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!getenv("XENSTORED_PATH")) {
        printf("XENSTORED_PATH must name a running xenstored's socket\n0 passed, 1 failed\n");
        return 1;
    }
    if (!mkdtemp(work) || fake_world_create(&world)) {
        perror("setup");
        return 1;
    }
    snprintf(logdir, sizeof(logdir), "%s/logs", work);
    setenv("PVX_CONSOLE_LOCK_DIR", work, 1);
    memcpy(world.sh->hvlog, hello, sizeof(hello) - 1);
    world.sh->hvlog_len = sizeof(hello) - 1;
    signal(SIGPIPE, SIG_IGN);

    /* Fork the daemon before this process has xenstore's reader thread. */
    if (!check("the daemon starts and reports ready", daemon_start(false, "daemon.log")))
        goto out;
    xs = xs_open(0);
    if (!check("the test connects to xenstored", xs != NULL))
        goto out;
    test_basics();
    test_discard();
    test_garbage();
    test_destroy_recreate();
    test_hvlog();
    test_flood();
    test_client_terminal();
    check("the daemon exits cleanly on SIGTERM (and leaks nothing)", daemon_stop() == 0);
    check("... clearing the tty nodes of its consoles", tty_is(8, false) && tty_is(6, false));
    test_keep();
out:
    if (daemon_pid > 0)
        daemon_stop();
    xs_close(xs);
    fake_world_destroy(&world);
    printf("%d passed, %d failed\n", passed, failed_checks);
    if (!failed_checks) {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        if (system(cmd))
            fprintf(stderr, "could not remove %s\n", work);
    } else {
        printf("work directory kept: %s\n", work);
    }
    return failed_checks ? 1 : 0;
}
