/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One domU console: its nodes in xenstore, the mapped ring, the bound
 * event channel, the pty and the log file.
 *
 *   console_update     the nodes changed: set up, rebuild or tear down
 *   console_event      the guest notified: drain its output
 *   console_tick       unmask the port when the rate limit and buffer allow
 *   console_pty_ready  the pty can be read (input) or written (output)
 *
 * State: CONS_IDLE until ring-ref and port exist; CONS_UP once everything
 * is set up and console/tty names the pty; CONS_FAILED after a failed
 * set-up or a guest that broke its ring, until the toolstack writes other
 * ring-ref/port values (or SIGHUP asks for a retry).  A failure never
 * leaves anything half set up, and never concerns more than this console.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <xenstore.h>

#include "consoled.h"

#define OUT_RING_SIZE   sizeof(((struct xencons_interface *)0)->out)
#define DRAIN_ROUNDS    4 /* ring-fulls per event, so one guest cannot hold the loop */
#define TX_RETRIES      8 /* xenstore transaction conflicts before giving up */
#define CONS_TYPE_OURS  "xenconsoled"
#define BAD_RING_REF    UINT64_MAX
#define BAD_REMOTE_PORT UINT32_MAX

static const char *domain_node(const struct domain *d, const char *rel, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", d->path, rel);
    return buf;
}

/* A node's value, NULL if missing. */
static char *read_node(struct consoled *cd, const struct domain *d, const char *rel)
{
    char path[96];

    return xs_read(cd->xs, XBT_NULL, domain_node(d, rel, path, sizeof(path)), NULL);
}

/* A decimal number, digits only (no sign, no space), at most max. */
static bool parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = v;
    return true;
}

/*
 * Write console/tty, but only while the console still exists: after the
 * toolstack removed /local/domain/N, a plain write would create the path
 * again and leave it behind.
 */
static int write_tty_node(struct consoled *cd, struct domain *d, const char *value)
{
    char tty[96], ref[96];
    int rc = -EAGAIN;

    domain_node(d, "console/tty", tty, sizeof(tty));
    domain_node(d, "console/ring-ref", ref, sizeof(ref));
    for (int i = 0; i < TX_RETRIES && rc == -EAGAIN; i++) {
        xs_transaction_t t = xs_transaction_start(cd->xs);
        char *v;

        if (t == XBT_NULL)
            return -errno;
        v = xs_read(cd->xs, t, ref, NULL);
        if (!v) {
            rc = -errno;
            xs_transaction_end(cd->xs, t, true);
            break;
        }
        free(v);
        if (!xs_write(cd->xs, t, tty, value, (unsigned int)strlen(value))) {
            rc = -errno;
            xs_transaction_end(cd->xs, t, true);
            break;
        }
        rc = xs_transaction_end(cd->xs, t, false) ? 0 : -errno;
    }
    return rc;
}

static void close_pty(struct console *c)
{
    if (c->master_fd >= 0)
        close(c->master_fd);
    if (c->slave_fd >= 0)
        close(c->slave_fd);
    c->master_fd = c->slave_fd = -1;
    c->tty[0] = '\0';
}

/*
 * A raw pty whose slave we keep open ourselves: with no client attached
 * the master then never hangs up, and output written meanwhile waits in
 * the slave's input queue (then in c->out) for the next client.
 */
static int open_pty(struct console *c)
{
    struct termios t;
    int rc = 0;

    if (openpty(&c->master_fd, &c->slave_fd, NULL, NULL, NULL) < 0) {
        c->master_fd = c->slave_fd = -1;
        return -errno;
    }
    if (tcgetattr(c->slave_fd, &t) < 0)
        goto fail;
    cfmakeraw(&t);
    if (tcsetattr(c->slave_fd, TCSANOW, &t) < 0 || fcntl(c->master_fd, F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(c->slave_fd, F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(c->master_fd, F_SETFL, O_RDWR | O_NONBLOCK) < 0)
        goto fail;
    rc = ptsname_r(c->master_fd, c->tty, sizeof(c->tty));
    if (rc) {
        errno = rc;
        goto fail;
    }
    return 0;
fail:
    rc = -errno;
    close_pty(c);
    return rc;
}

static void open_guest_log(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;
    char *name = read_node(cd, d, "name");
    char file[160], path[PATH_MAX];
    int rc;

    logfile_init(&c->log, cd->opts->stamp & CONS_LOG_GUEST, cd->opts->replace_escape);
    if (!(cd->opts->log & CONS_LOG_GUEST))
        goto out;
    logfile_guest_name(file, sizeof(file), name, d->domid);
    if (snprintf(path, sizeof(path), "%s/%s", cd->opts->log_dir, file) >= (int)sizeof(path)) {
        msg(MSG_ERR, "domain %u: log path %s/%s is too long", d->domid, cd->opts->log_dir, file);
        goto out;
    }
    rc = logfile_open(&c->log, path, time(NULL));
    if (rc)
        msg(MSG_ERR, "domain %u: cannot open its log %s: %s", d->domid, path, strerror(-rc));
out:
    free(name);
}

static void log_output(struct domain *d, const char *buf, size_t n)
{
    int rc = logfile_write(&d->con.log, buf, n, time(NULL));

    if (rc) {
        /* A full disk must not stop the console; say so once per opening. */
        msg(MSG_ERR, "domain %u: writing %s failed: %s; logging stops until SIGHUP", d->domid,
            d->con.log.path, strerror(-rc));
        logfile_close(&d->con.log);
    }
}

/* Unbind, unmap, close; the console's nodes are left alone. */
static void release(struct consoled *cd, struct console *c)
{
    if (c->local_port >= 0)
        cd->hv->unbind(cd->hv, (uint32_t)c->local_port);
    if (c->ring.intf)
        cd->hv->unmap_ring(cd->hv, c->ring.intf);
    close_pty(c);
    logfile_close(&c->log);
    cbuf_free(&c->out);
    c->local_port = -1;
    c->ring.intf = NULL;
    c->masked = false;
}

void console_init(struct console *c)
{
    *c = (struct console){.state = CONS_IDLE, .local_port = -1, .master_fd = -1, .slave_fd = -1};
    logfile_init(&c->log, false, false);
    cbuf_init(&c->out, CBUF_LIMIT_DEFAULT, false);
}

void console_teardown(struct consoled *cd, struct domain *d, bool clear_tty, const char *why)
{
    struct console *c = &d->con;
    char buf[OUT_RING_SIZE];
    int n;

    if (c->state != CONS_UP)
        return;
    /* What the guest wrote last (its panic, say) still reaches the log. */
    for (int i = 0; i < 2 && (n = ring_read_out(&c->ring, buf, sizeof(buf))) > 0; i++)
        log_output(d, buf, (size_t)n);
    msg(MSG_INFO, "domain %u: console down (%s)", d->domid, why);
    release(cd, c);
    c->state = CONS_IDLE;
    if (clear_tty) {
        /* Attached clients see an empty tty node and leave. */
        int rc = write_tty_node(cd, d, "");

        if (rc && rc != -ENOENT)
            msg(MSG_WARN, "domain %u: cannot clear console/tty: %s", d->domid, strerror(-rc));
    }
}

/* The guest broke the console (or the pty failed for good): down until new nodes. */
static void console_break(struct consoled *cd, struct domain *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void console_break(struct consoled *cd, struct domain *d, const char *fmt, ...)
{
    char why[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    msg(MSG_ERR, "domain %u: %s; its console is shut down", d->domid, why);
    console_teardown(cd, d, true, why);
    d->con.state = CONS_FAILED;
}

static void ring_garbage(struct consoled *cd, struct domain *d)
{
    const struct xencons_interface *i = d->con.ring.intf;

    console_break(cd, d,
                  "the guest wrote garbage ring indexes (out_prod %u for our out_cons %u, in_cons "
                  "%u for our in_prod %u)",
                  __atomic_load_n(&i->out_prod, __ATOMIC_RELAXED), d->con.ring.out_cons,
                  __atomic_load_n(&i->in_cons, __ATOMIC_RELAXED), d->con.ring.in_prod);
}

/* Push buffered output into the pty as far as it takes it. */
static void flush_pty(struct consoled *cd, struct domain *d);

/* Guest output: ring -> log (at once) and ring -> c->out (for the pty). */
static void drain(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;
    char buf[OUT_RING_SIZE];
    bool took = false;

    for (int round = 0; round < DRAIN_ROUNDS && !cbuf_full(&c->out); round++) {
        int n = ring_read_out(&c->ring, buf, sizeof(buf));

        if (n < 0) {
            ring_garbage(cd, d);
            return;
        }
        if (!n)
            break;
        took = true;
        log_output(d, buf, (size_t)n);
        if (cbuf_append(&c->out, buf, (size_t)n))
            msg(MSG_ERR, "domain %u: out of memory: %d bytes of output lost for the pty", d->domid,
                n);
    }
    if (!took)
        return;
    /* The guest may be waiting for room in its ring. */
    cd->hv->notify(cd->hv, (uint32_t)c->local_port);
    flush_pty(cd, d);
}

static void setup(struct consoled *cd, struct domain *d, uint64_t ring_ref, uint32_t port)
{
    struct console *c = &d->con;
    char *limit;
    void *page;
    int rc;

    c->ring_ref = ring_ref;
    c->remote_port = port;
    c->state = CONS_FAILED; /* until everything below holds */
    rc = cd->hv->map_ring(cd->hv, d->domid, ring_ref, &page);
    if (rc) {
        msg(MSG_ERR, "domain %u: cannot map its console ring (ring-ref %llu): %s", d->domid,
            (unsigned long long)ring_ref, cd->hv->error(cd->hv));
        goto fail;
    }
    if (ring_attach(&c->ring, page)) {
        c->ring.intf = page; /* for the message, then unmapped */
        ring_garbage(cd, d);
        goto fail;
    }
    rc = cd->hv->bind(cd->hv, d->domid, port);
    if (rc < 0) {
        msg(MSG_ERR, "domain %u: cannot bind its console event channel (port %u): %s", d->domid,
            port, cd->hv->error(cd->hv));
        goto fail;
    }
    c->local_port = rc;
    rc = open_pty(c);
    if (rc) {
        msg(MSG_ERR, "domain %u: cannot create a pty: %s", d->domid, strerror(-rc));
        goto fail;
    }
    limit = read_node(cd, d, "console/limit");
    cbuf_init(&c->out, cbuf_limit_from(limit), cd->opts->keep_overflow);
    free(limit);
    ratelimit_init(&c->rl, now_ms());
    c->masked = false;
    open_guest_log(cd, d);
    rc = write_tty_node(cd, d, c->tty);
    if (rc) {
        msg(MSG_ERR, "domain %u: cannot write console/tty: %s", d->domid, strerror(-rc));
        goto fail;
    }
    c->state = CONS_UP;
    msg(MSG_INFO, "domain %u: console up: ring-ref %llu, port %u (local %d), %s, limit %zu, log %s",
        d->domid, (unsigned long long)ring_ref, port, c->local_port, c->tty, c->out.limit,
        c->log.fd >= 0 ? c->log.path : "none");
    drain(cd, d); /* anything written before we bound the port */
    return;
fail:
    release(cd, c);
}

void console_update(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;
    char *type = read_node(cd, d, "console/type");
    char *ref = read_node(cd, d, "console/ring-ref");
    char *port = read_node(cd, d, "console/port");
    uint64_t ring_ref, remote_port;

    if (type && strcmp(type, CONS_TYPE_OURS)) {
        /* Another backend (a qemu, say) serves this console. */
        if (c->state != CONS_IDLE)
            msg(MSG_INFO, "domain %u: console/type is '%s': not ours", d->domid, type);
        console_teardown(cd, d, false, "console/type changed");
        c->state = CONS_IDLE;
        goto out;
    }
    if (!ref || !port) {
        /* Not written yet, or removed: the toolstack is destroying the domain. */
        console_teardown(cd, d, false, "its console nodes were removed");
        c->state = CONS_IDLE;
        goto out;
    }
    if (!parse_decimal(ref, UINT64_MAX - 1, &ring_ref) ||
        !parse_decimal(port, BAD_REMOTE_PORT - 1, &remote_port)) {
        console_teardown(cd, d, true, "bad console nodes");
        if (c->state != CONS_FAILED || c->ring_ref != BAD_RING_REF)
            msg(MSG_ERR,
                "domain %u: console/ring-ref '%s' or console/port '%s' is not a decimal number",
                d->domid, ref, port);
        c->state = CONS_FAILED;
        c->ring_ref = BAD_RING_REF;
        c->remote_port = BAD_REMOTE_PORT;
        goto out;
    }
    if (c->state != CONS_IDLE && c->ring_ref == ring_ref && c->remote_port == remote_port)
        goto out; /* up already, or failed with these very nodes */
    console_teardown(cd, d, false, "its ring-ref or port changed");
    setup(cd, d, ring_ref, (uint32_t)remote_port);
out:
    free(type);
    free(ref);
    free(port);
}

void console_event(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;

    if (c->state != CONS_UP)
        return;
    c->masked = true; /* delivery masked the port */
    if (!ratelimit_event(&c->rl))
        msg(MSG_DEBUG, "domain %u: %d events this period: port masked until it ends", d->domid,
            RATELIMIT_EVENTS);
    drain(cd, d);
    console_tick(cd, d, now_ms(), NULL);
}

void console_tick(struct consoled *cd, struct domain *d, int64_t now, int64_t *next)
{
    struct console *c = &d->con;
    int rc;

    if (c->state != CONS_UP || !c->masked)
        return;
    if (!ratelimit_ready(&c->rl, now)) {
        int64_t when = ratelimit_deadline(&c->rl);

        if (next && (*next < 0 || when < *next))
            *next = when;
        return;
    }
    if (cbuf_full(&c->out))
        return; /* keep mode: the guest waits until the pty takes some */
    rc = cd->hv->unmask(cd->hv, (uint32_t)c->local_port);
    if (rc)
        msg(MSG_WARN, "domain %u: cannot unmask port %d: %s", d->domid, c->local_port,
            strerror(-rc));
    c->masked = false;
    /* Output written while masked: its event may have been coalesced away. */
    drain(cd, d);
}

short console_poll_events(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;
    short ev = 0;

    (void)cd;
    if (c->state != CONS_UP || c->master_fd < 0)
        return 0;
    /* Input only while the guest has room: the rest waits in the pty. A
     * garbage in_cons (negative) lets the read path find and report it. */
    if (ring_in_space(&c->ring))
        ev |= POLLIN;
    if (cbuf_pending(&c->out))
        ev |= POLLOUT;
    return ev;
}

/* The pty failed (not merely "would block"): give the console a new one. */
static void renew_pty(struct consoled *cd, struct domain *d, const char *why)
{
    struct console *c = &d->con;
    int rc;

    msg(MSG_WARN, "domain %u: pty %s failed (%s): opening a new one", d->domid, c->tty, why);
    close_pty(c);
    rc = open_pty(c);
    if (!rc)
        rc = write_tty_node(cd, d, c->tty);
    if (rc)
        console_break(cd, d, "cannot replace its pty: %s", strerror(-rc));
}

static void flush_pty(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;

    while (c->state == CONS_UP && cbuf_pending(&c->out)) {
        size_t n;
        const char *p = cbuf_peek(&c->out, &n);
        ssize_t w = write(c->master_fd, p, n);

        if (w > 0) {
            cbuf_consume(&c->out, (size_t)w);
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            renew_pty(cd, d, strerror(errno));
        break;
    }
}

static void read_input(struct consoled *cd, struct domain *d)
{
    struct console *c = &d->con;
    char buf[sizeof(((struct xencons_interface *)0)->in)];
    int space = ring_in_space(&c->ring), w;
    ssize_t n;

    if (space < 0) {
        ring_garbage(cd, d);
        return;
    }
    if (!space)
        return;
    n = read(c->master_fd, buf, (size_t)space);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        renew_pty(cd, d, n ? strerror(errno) : "end of file");
        return;
    }
    w = ring_write_in(&c->ring, buf, (size_t)n);
    if (w < 0) {
        ring_garbage(cd, d);
        return;
    }
    if (w < n) /* only a guest moving in_cons backwards shrinks the space */
        msg(MSG_WARN, "domain %u: %zd bytes of input lost: the guest's ring shrank", d->domid,
            n - w);
    cd->hv->notify(cd->hv, (uint32_t)c->local_port);
}

void console_pty_ready(struct consoled *cd, struct domain *d, short revents)
{
    struct console *c = &d->con;

    if (c->state != CONS_UP)
        return;
    if ((revents & (POLLERR | POLLHUP | POLLNVAL)) && !(revents & POLLIN)) {
        renew_pty(cd, d, "hung up");
        return;
    }
    if (revents & POLLIN)
        read_input(cd, d);
    if (c->state == CONS_UP && (revents & POLLOUT)) {
        bool was_full = cbuf_full(&c->out);

        flush_pty(cd, d);
        if (was_full && !cbuf_full(&c->out))
            console_tick(cd, d, now_ms(), NULL);
    }
}

void console_reopen_log(struct consoled *cd, struct domain *d)
{
    if (d->con.state != CONS_UP)
        return;
    /* Read the name again: a renamed domain logs under its new name. */
    logfile_close(&d->con.log);
    open_guest_log(cd, d);
}
