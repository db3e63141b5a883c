/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvx_console_attach (client.h): lock, wait for the tty node, open the
 * pty, go raw, copy both ways.  Every resource lives in struct session and
 * is released in one place, so the terminal is restored however the
 * session ends; signals arrive through a signalfd and end the session like
 * any other event.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "client.h"

#define STDIN_CHUNK 60 /* as xenconsole: keystrokes come one read each */
#define PTY_CHUNK   4096
#define INPUT_QUEUE 4096 /* typed, not yet taken by the pty (a slow guest) */

struct session {
    domid_t domid;
    char lock_path[PATH_MAX];
    int lock_fd;
    int sig_fd;
    sigset_t old_mask;
    bool mask_set;
    struct xs_handle *xs;
    char node[64]; /* /local/domain/N/console/tty */
    char tty[128]; /* the pty open in pty_fd */
    int pty_fd;
    struct termios stdin_saved;
    bool stdin_raw;
    bool stdin_eof;
    char in[INPUT_QUEUE]; /* read from stdin, not yet taken by the pty */
    size_t in_len;
    char *err;
    size_t errlen;
};

static int fail(struct session *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct session *s, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(s->err, s->errlen, fmt, ap);
    va_end(ap);
    return rc;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One client per domain.  The lock file is removed on the way out, so a
 * client that got the lock on a file since unlinked (by the previous
 * holder, between our open and our flock) must try again on the new one.
 */
static int take_lock(struct session *s)
{
    const char *dir = getenv("PVX_CONSOLE_LOCK_DIR");
    struct stat by_fd, by_path;

    if (!dir || !*dir)
        dir = PVX_CONSOLE_LOCK_DIR;
    if (mkdir(dir, 0755) && errno != EEXIST)
        return fail(s, -errno, "Could not create %s: %s", dir, strerror(errno));
    snprintf(s->lock_path, sizeof(s->lock_path), "%s/pvx-console.%u", dir, s->domid);
    for (;;) {
        s->lock_fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (s->lock_fd < 0)
            return fail(s, -errno, "Could not open %s: %s", s->lock_path, strerror(errno));
        while (flock(s->lock_fd, LOCK_EX | LOCK_NB)) {
            if (errno != EINTR) {
                int rc = -errno;

                close(s->lock_fd);
                s->lock_fd = -1;
                return fail(s, rc, "Could not lock %s: %s (another console client is attached)",
                            s->lock_path, strerror(-rc));
            }
        }
        if (fstat(s->lock_fd, &by_fd))
            return fail(s, -errno, "Could not fstat %s: %s", s->lock_path, strerror(errno));
        if (!stat(s->lock_path, &by_path) && by_path.st_dev == by_fd.st_dev &&
            by_path.st_ino == by_fd.st_ino)
            return 0;
        close(s->lock_fd);
        s->lock_fd = -1;
    }
}

static void drop_lock(struct session *s)
{
    if (s->lock_fd < 0)
        return;
    unlink(s->lock_path);
    close(s->lock_fd);
    s->lock_fd = -1;
}

static int block_signals(struct session *s)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    /* A closed stdout must end the session with EPIPE, not kill us raw. */
    sigaddset(&set, SIGPIPE);
    if (sigprocmask(SIG_BLOCK, &set, &s->old_mask))
        return fail(s, -errno, "sigprocmask: %s", strerror(errno));
    s->mask_set = true;
    sigdelset(&set, SIGPIPE);
    s->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (s->sig_fd < 0)
        return fail(s, -errno, "signalfd: %s", strerror(errno));
    return 0;
}

static void restore_signals(struct session *s)
{
    sigset_t pipe_only;
    struct timespec zero = {0, 0};

    if (s->sig_fd >= 0)
        close(s->sig_fd);
    s->sig_fd = -1;
    if (!s->mask_set)
        return;
    /* A SIGPIPE of ours must not reach the caller once unblocked. */
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    while (sigtimedwait(&pipe_only, NULL, &zero) == SIGPIPE)
        ;
    sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
    s->mask_set = false;
}

/* A signal waiting on the signalfd: its number, or 0. */
static int take_signal(struct session *s)
{
    struct signalfd_siginfo si;

    if (read(s->sig_fd, &si, sizeof(si)) != sizeof(si))
        return 0;
    snprintf(s->err, s->errlen, "interrupted by signal %u (%s)", si.ssi_signo,
             strsignal((int)si.ssi_signo));
    return (int)si.ssi_signo;
}

static void set_raw(int fd)
{
    struct termios t;

    if (tcgetattr(fd, &t))
        return;
    cfmakeraw(&t);
    tcsetattr(fd, TCSANOW, &t);
}

/*
 * The tty node now: 1 and the pty open (path in s->tty) if it names one
 * we could open, 0 if empty or missing.  *why says what failed.
 */
static int open_tty_node(struct session *s, const char **why)
{
    unsigned int len;
    char *path = xs_read(s->xs, XBT_NULL, s->node, &len);
    int fd;

    *why = path ? "the node is empty" : "the node does not exist";
    if (!path || !len) {
        free(path);
        return 0;
    }
    if (s->pty_fd >= 0 && !strcmp(path, s->tty)) {
        free(path);
        return 1; /* the same pty: nothing to do */
    }
    fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = "the pty it names cannot be opened";
        free(path);
        return 0;
    }
    if (s->pty_fd >= 0)
        close(s->pty_fd);
    s->pty_fd = fd;
    snprintf(s->tty, sizeof(s->tty), "%s", path);
    /* Raw for sure, but no flush: output kept while nobody was attached
     * sits in the pty's queue and is this client's to see. */
    set_raw(fd);
    free(path);
    return 1;
}

static void drain_watch_events(struct session *s)
{
    char **v;

    while ((v = xs_check_watch(s->xs)))
        free(v);
}

/* Wait for a non-empty tty node and open it: 0, a signal, or -errno. */
static int wait_for_tty(struct session *s)
{
    int64_t deadline = now_ms() + PVX_CONSOLE_TTY_WAIT_MS, left;
    const char *why = "the node does not exist";

    /* The watch fires once when set, so the first look is immediate. */
    while ((left = deadline - now_ms()) > 0) {
        struct pollfd p[2] = {{.fd = xs_fileno(s->xs), .events = POLLIN},
                              {.fd = s->sig_fd, .events = POLLIN}};
        int sig;

        if (poll(p, 2, (int)left) < 0 && errno != EINTR)
            return fail(s, -errno, "poll: %s", strerror(errno));
        if (p[1].revents && (sig = take_signal(s)))
            return PVX_CONSOLE_SIGNAL(sig);
        if (!p[0].revents)
            continue;
        drain_watch_events(s);
        if (open_tty_node(s, &why))
            return 0;
    }
    return fail(s, -ETIMEDOUT, "Could not read tty from store: %s: %s (is pvxconsoled running?)",
                s->node, why);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN) {
            /* Someone else's O_NONBLOCK on our stdout: wait, as a blocking write would. */
            struct pollfd out = {.fd = fd, .events = POLLOUT};

            poll(&out, 1, -1);
            continue;
        }
        if (w <= 0)
            return w < 0 ? -errno : -EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/*
 * stdin has data: 1 to go on, PVX_CONSOLE_DETACHED, or -errno.  stdin is
 * read even while the pty takes nothing (a guest that reads no input), so
 * Ctrl-] always works; typing beyond INPUT_QUEUE then is dropped.
 */
static int from_stdin(struct session *s)
{
    char chunk[STDIN_CHUNK];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
    size_t take;

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (n < 0)
        return fail(s, -errno, "read() from stdin failed: %s", strerror(errno));
    if (n == 0) {
        s->stdin_eof = true; /* output may still flow */
        return 1;
    }
    if (n == 1 && chunk[0] == PVX_CONSOLE_ESCAPE) {
        snprintf(s->err, s->errlen, "detached (Ctrl-])");
        return PVX_CONSOLE_DETACHED;
    }
    take = sizeof(s->in) - s->in_len < (size_t)n ? sizeof(s->in) - s->in_len : (size_t)n;
    memcpy(s->in + s->in_len, chunk, take);
    s->in_len += take;
    return 1;
}

/* Queued input into the pty (non-blocking: the guest may be slow). */
static int to_pty(struct session *s)
{
    while (s->in_len) {
        ssize_t w = write(s->pty_fd, s->in, s->in_len);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return 1;
        if (w <= 0) {
            snprintf(s->err, s->errlen, "the console's pty hung up");
            return PVX_CONSOLE_HANGUP;
        }
        memmove(s->in, s->in + w, s->in_len - (size_t)w);
        s->in_len -= (size_t)w;
    }
    return 1;
}

/* The pty has output (or hung up): 1 to go on, an ending, or -errno. */
static int from_pty(struct session *s)
{
    char buf[PTY_CHUNK];

    /* Bounded, so a flood of output cannot keep Ctrl-] from being read. */
    for (int i = 0; i < 16; i++) {
        ssize_t n = read(s->pty_fd, buf, sizeof(buf));
        int rc;

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 1;
        if (n <= 0) {
            snprintf(s->err, s->errlen, "the console's pty hung up");
            return PVX_CONSOLE_HANGUP;
        }
        rc = write_all(STDOUT_FILENO, buf, (size_t)n);
        if (rc)
            return fail(s, rc, "write() failed: %s", strerror(-rc));
    }
    return 1;
}

/* The tty node changed: 1 to go on (maybe on a new pty), or GONE. */
static int tty_changed(struct session *s)
{
    const char *why;

    drain_watch_events(s);
    if (open_tty_node(s, &why))
        return 1;
    snprintf(s->err, s->errlen, "the console went away (%s): the domain was destroyed", why);
    return PVX_CONSOLE_GONE;
}

static int copy_loop(struct session *s)
{
    int rc = 1;

    while (rc == 1) {
        bool want_stdin = !s->stdin_eof;
        struct pollfd p[4] = {
            {.fd = s->sig_fd, .events = POLLIN},
            {.fd = xs_fileno(s->xs), .events = POLLIN},
            {.fd = s->pty_fd, .events = (short)(POLLIN | (s->in_len ? POLLOUT : 0))},
            {.fd = want_stdin ? STDIN_FILENO : -1, .events = POLLIN},
        };
        int sig;

        if (poll(p, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            return fail(s, -errno, "poll: %s", strerror(errno));
        }
        if (p[0].revents && (sig = take_signal(s)))
            return PVX_CONSOLE_SIGNAL(sig);
        if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
            rc = from_pty(s);
        if (rc == 1 && (p[2].revents & POLLOUT))
            rc = to_pty(s);
        if (rc == 1 && p[3].revents) {
            rc = from_stdin(s);
            if (rc == 1 && s->in_len)
                rc = to_pty(s);
        }
        if (rc == 1 && p[1].revents)
            rc = tty_changed(s);
    }
    return rc;
}

int pvx_console_attach(domid_t domid, int notify_fd, char *err, size_t errlen)
{
    struct session s = {
        .domid = domid, .lock_fd = -1, .sig_fd = -1, .pty_fd = -1, .err = err, .errlen = errlen};
    static const char ready = 0x00;
    int rc;

    if (errlen)
        err[0] = '\0';
    if (domid == 0)
        return fail(&s, -EINVAL, "Can't specify Domain-0");
    if (domid >= DOMID_FIRST_RESERVED)
        return fail(&s, -EINVAL, "Invalid DOMID %u", domid);
    snprintf(s.node, sizeof(s.node), "/local/domain/%u/console/tty", domid);
    rc = take_lock(&s);
    if (rc)
        goto out;
    rc = block_signals(&s);
    if (rc)
        goto out;
    s.xs = xs_open(0);
    if (!s.xs) {
        rc = fail(&s, -errno, "Could not contact XenStore: %s", strerror(errno));
        goto out;
    }
    if (!xs_watch(s.xs, s.node, "tty")) {
        rc = fail(&s, -errno, "Can't set watch for console pty: %s", strerror(errno));
        goto out;
    }
    rc = wait_for_tty(&s);
    if (rc)
        goto out;
    if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &s.stdin_saved)) {
        s.stdin_raw = true;
        set_raw(STDIN_FILENO);
    }
    if (notify_fd >= 0) {
        ssize_t w;

        while ((w = write(notify_fd, &ready, 1)) < 0 && errno == EINTR)
            ;
        if (w != 1) {
            rc = fail(&s, w < 0 ? -errno : -EIO, "Could not notify parent with fd %d: %s",
                      notify_fd, w < 0 ? strerror(errno) : "short write");
            goto out;
        }
    }
    rc = copy_loop(&s);
out:
    if (s.stdin_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &s.stdin_saved);
    if (s.pty_fd >= 0)
        close(s.pty_fd);
    xs_close(s.xs);
    restore_signals(&s);
    drop_lock(&s);
    return rc;
}

int pvx_console_exit_status(int rc)
{
    return rc < 0 ? -rc : 0;
}
