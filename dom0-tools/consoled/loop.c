/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's one loop.  Each turn: unmask the ports whose rate-limit
 * period is over, build the poll set (signals, xenstore, the event channel
 * fd, and the pty masters that have something to do), wait until
 * something is ready or the next deadline (a throttled console, the
 * hypervisor log's poll), then handle the ptys, the events, xenstore and
 * the signals, in that order: only the last two free domains.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <xenstore.h>

#include "consoled.h"

#define BATCH        256 /* events or watch firings handled per turn */
#define TOKEN_DOMAIN "domlist"

int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_signals(sigset_t *old)
{
    sigset_t set;
    int fd;

    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, old))
        return -errno;
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        int rc = -errno;

        sigprocmask(SIG_SETMASK, old, NULL);
        return rc;
    }
    return fd;
}

static void handle_signals(struct consoled *cd, int fd)
{
    struct signalfd_siginfo si;

    while (read(fd, &si, sizeof(si)) == sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            msg(MSG_INFO, "SIGHUP: reopening log files");
            domains_reload(cd);
            if (cd->hvlog.on && logfile_reopen(&cd->hvlog.log, time(NULL)))
                msg(MSG_ERR, "cannot reopen %s", cd->hvlog.log.path);
        } else {
            msg(MSG_INFO, "signal %u: stopping", si.ssi_signo);
            cd->quit = true;
        }
    }
}

static void handle_xs(struct consoled *cd, int *rc)
{
    bool refresh = false;

    for (int i = 0; i < BATCH; i++) {
        char **vec = xs_check_watch(cd->xs);
        const char *token;
        unsigned long domid;
        char *end;

        if (!vec) {
            if (errno != EAGAIN) {
                msg(MSG_ERR, "lost the connection to xenstored: %s", strerror(errno));
                *rc = -EPIPE;
                cd->quit = true;
            }
            break;
        }
        token = vec[XS_WATCH_TOKEN];
        msg(MSG_DEBUG, "watch %s fired: %s", token, vec[XS_WATCH_PATH]);
        if (!strcmp(token, TOKEN_DOMAIN)) {
            refresh = true; /* once for the whole batch */
        } else if (token[0] == 'd') {
            domid = strtoul(token + 1, &end, 10);
            if (!*end && domid < DOMID_FIRST_RESERVED)
                domains_console_changed(cd, (domid_t)domid);
        }
        free(vec);
    }
    if (refresh)
        domains_refresh(cd);
}

static void handle_events(struct consoled *cd)
{
    for (int i = 0; i < BATCH; i++) {
        uint32_t port;
        int rc = cd->hv->pending(cd->hv, &port);
        struct domain *d;

        if (rc == -EAGAIN)
            return;
        if (rc) {
            msg(MSG_ERR, "reading the event channel device: %s", strerror(-rc));
            return;
        }
        if ((int)port == cd->hvlog.port) {
            hvlog_poll(cd);
            cd->hv->unmask(cd->hv, port);
            continue;
        }
        d = domain_by_port(cd, (int)port);
        if (d)
            console_event(cd, d);
        else
            msg(MSG_DEBUG, "event on port %u, which no console has (any more)", port);
    }
}

struct pollset {
    struct pollfd *fds;
    domid_t *owner; /* the domain of each pty entry */
    size_t n, cap;
};

static int pollset_add(struct pollset *ps, int fd, short events, domid_t owner)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        struct pollfd *f = realloc(ps->fds, cap * sizeof(*f));
        domid_t *o;

        if (!f)
            return -ENOMEM;
        ps->fds = f;
        o = realloc(ps->owner, cap * sizeof(*o));
        if (!o)
            return -ENOMEM;
        ps->owner = o;
        ps->cap = cap;
    }
    ps->fds[ps->n] = (struct pollfd){.fd = fd, .events = events};
    ps->owner[ps->n++] = owner;
    return 0;
}

/* One turn of the loop; 0, or -errno when the daemon must stop. */
static int turn(struct consoled *cd, struct pollset *ps, int sigfd)
{
    int64_t now = now_ms(), next = -1;
    int rc = 0, timeout;

    for (struct domain *d = cd->domains; d; d = d->next)
        console_tick(cd, d, now, &next);
    if (cd->hvlog.on && (next < 0 || cd->hvlog.next_poll < next))
        next = cd->hvlog.next_poll;
    ps->n = 0;
    if (pollset_add(ps, sigfd, POLLIN, DOMID_INVALID) ||
        pollset_add(ps, xs_fileno(cd->xs), POLLIN, DOMID_INVALID) ||
        pollset_add(ps, cd->hv->evtchn_fd(cd->hv), POLLIN, DOMID_INVALID))
        return -ENOMEM;
    for (struct domain *d = cd->domains; d; d = d->next) {
        short ev = console_poll_events(cd, d);

        if (ev && pollset_add(ps, d->con.master_fd, ev, d->domid))
            return -ENOMEM;
    }
    timeout = next < 0 ? -1 : next <= now ? 0 : (int)(next - now);
    if (poll(ps->fds, ps->n, timeout) < 0)
        return errno == EINTR ? 0 : -errno;
    for (size_t i = 3; i < ps->n; i++) {
        struct domain *d = domain_find(cd, ps->owner[i]);

        /* The console may have been renewed or torn down by an earlier entry. */
        if (ps->fds[i].revents && d && d->con.master_fd == ps->fds[i].fd)
            console_pty_ready(cd, d, ps->fds[i].revents);
    }
    if (ps->fds[2].revents)
        handle_events(cd);
    if (cd->hvlog.on && now_ms() >= cd->hvlog.next_poll)
        hvlog_poll(cd);
    if (ps->fds[1].revents)
        handle_xs(cd, &rc);
    if (ps->fds[0].revents)
        handle_signals(cd, sigfd);
    return rc;
}

/* A failure before serving: logged, and told to a waiting starter (main.c). */
static void start_failed(const struct consoled_opts *opts, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void start_failed(const struct consoled_opts *opts, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    msg(MSG_ERR, "%s", why);
    if (opts->ready_fd >= 0 && write(opts->ready_fd, why, strlen(why)) < 0)
        msg(MSG_ERR, "cannot report to the starting process: %s", strerror(errno));
}

int consoled_run(const struct consoled_opts *opts, struct cons_hv *hv)
{
    struct consoled cd = {.opts = opts, .hv = hv};
    struct pollset ps = {0};
    sigset_t old;
    int sigfd, rc = 0;

    cd.hvlog.port = -1;
    logfile_init(&cd.hvlog.log, false, false); /* so the exit path closes nothing */
    signal(SIGPIPE, SIG_IGN);
    if (opts->log) {
        rc = logfile_mkdirs(opts->log_dir);
        if (rc)
            msg(MSG_ERR, "cannot create %s: %s: no log files", opts->log_dir, strerror(-rc));
        rc = 0;
    }
    sigfd = open_signals(&old);
    if (sigfd < 0) {
        start_failed(opts, "cannot set up signals: %s", strerror(-sigfd));
        return sigfd;
    }
    cd.xs = xs_open(0);
    if (!cd.xs) {
        rc = -errno;
        start_failed(opts, "cannot connect to xenstored: %s (is it running?)", strerror(-rc));
        goto out;
    }
    if (!xs_watch(cd.xs, "@introduceDomain", TOKEN_DOMAIN) ||
        !xs_watch(cd.xs, "@releaseDomain", TOKEN_DOMAIN)) {
        rc = -errno;
        start_failed(opts, "cannot watch @introduceDomain/@releaseDomain: %s", strerror(-rc));
        goto out;
    }
    hvlog_start(&cd);
    domains_refresh(&cd);
    msg(MSG_INFO, "serving consoles (log %s%s in %s, overflow %s)",
        opts->log & CONS_LOG_GUEST ? "guest" : "", opts->log & CONS_LOG_HV ? " hv" : "",
        opts->log_dir, opts->keep_overflow ? "keep" : "discard");
    if (opts->ready_fd >= 0) {
        char c = 0;

        if (write(opts->ready_fd, &c, 1) != 1)
            msg(MSG_WARN, "cannot signal readiness: %s", strerror(errno));
        close(opts->ready_fd);
    }
    while (!cd.quit && !rc)
        rc = turn(&cd, &ps, sigfd);
    if (rc)
        msg(MSG_ERR, "stopping: %s", strerror(-rc));
out:
    domains_teardown_all(&cd);
    hvlog_stop(&cd);
    xs_close(cd.xs);
    free(ps.fds);
    free(ps.owner);
    close(sigfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return rc;
}
