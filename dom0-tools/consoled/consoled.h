/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvxconsoled, the console daemon (the role Xen's xenconsoled plays): one
 * pty and one log file per domU console, fed from the guest's shared
 * xencons_interface ring.  docs/console.md describes what it does; this
 * header is the map of the code, one section per file:
 *
 *   main.c       command line, root check, daemonizing, pid file
 *   opts.c       option parsing (no side effects, so the tests call it)
 *   msg.c        the daemon's own messages: errors always, -v for more
 *   loop.c       the one poll loop: signals, xenstore events, timers, I/O
 *   domains.c    which domains exist: @introduceDomain/@releaseDomain and
 *                the domain list, one console watch per domain
 *   console.c    one console: set-up, guest output and input, tear-down
 *   ring.c       the shared ring, read as an untrusted guest's memory
 *   cbuf.c       output waiting for the pty, bounded by `limit`
 *   logfile.c    log files: line timestamps, ESC, reopening, file names
 *   hvlog.c      --log=hv: the hypervisor's log ring into hypervisor.log
 *   ratelimit.c  how many events a console may raise per period
 *   hv_pvxctl.c  the hypervisor seam below, on libpvxctl
 *
 * ring.c, cbuf.c, logfile.c, ratelimit.c and opts.c know nothing of xenstore or
 * the hypervisor, so the unit tests run them on the host; everything that
 * reaches pvx goes through struct cons_hv, which the end-to-end test fakes.
 */
#ifndef PVX_CONSOLED_H
#define PVX_CONSOLED_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <public/xen.h>
#include <public/io/console.h>

struct xs_handle;

/* ---- options (opts.c) ----------------------------------------------------- */

#define CONS_LOG_GUEST 1u /* --log / --timestamp bits */
#define CONS_LOG_HV    2u

#define CONSOLED_LOG_DIR  "/var/log/pvx/console"
#define CONSOLED_PID_FILE "/run/pvxconsoled.pid"

struct consoled_opts {
    bool interactive;    /* -i: stay in the foreground, messages on stderr */
    int verbose;         /* -v: 1 set-up and tear-down, 2 every event */
    unsigned int log;    /* CONS_LOG_* */
    unsigned int stamp;  /* CONS_LOG_*: which logs get line timestamps */
    bool keep_overflow;  /* -o keep: stop draining the ring at `limit` */
    bool replace_escape; /* ESC becomes '.' in log files */
    const char *log_dir;
    const char *pid_file; /* NULL: the default, and only when daemonizing */
    int ready_fd;         /* >= 0: one byte written there once serving */
};

enum consoled_action { CONSOLED_RUN, CONSOLED_HELP, CONSOLED_VERSION };

/* Fill o from argv: an action, or -EINVAL with the reason in err. */
int consoled_parse_opts(int argc, char **argv, struct consoled_opts *o, char *err, size_t errlen);
void consoled_usage(const char *prog);

/* ---- messages (msg.c) ------------------------------------------------------ */

enum { MSG_ERR, MSG_WARN, MSG_INFO, MSG_DEBUG };

/* Messages up to level (MSG_WARN, or more with -v) go to stderr. */
void msg_setup(int verbose, bool timestamps);
void msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool msg_enabled(int level);

/* ---- the hypervisor seam (hv_pvxctl.c; tests/fake_hv.c in the tests) ------- */

struct cons_dominfo {
    domid_t domid;
    bool dying; /* being destroyed: its console goes */
};

struct cons_hv {
    /* Up to max domains with ids >= first, in id order: how many, or -errno. */
    int (*list)(struct cons_hv *hv, domid_t first, struct cons_dominfo *out, unsigned int max);
    /* Map one frame of domid read-write at *page. */
    int (*map_ring)(struct cons_hv *hv, domid_t domid, uint64_t frame, void **page);
    void (*unmap_ring)(struct cons_hv *hv, void *page);
    /* Event channels, all on one fd; a delivered port stays masked until unmasked. */
    int (*evtchn_fd)(struct cons_hv *hv);
    int (*bind)(struct cons_hv *hv, domid_t domid, uint32_t remote_port); /* local port */
    int (*bind_virq)(struct cons_hv *hv, unsigned int virq);              /* local port */
    int (*unbind)(struct cons_hv *hv, uint32_t port);
    int (*notify)(struct cons_hv *hv, uint32_t port);
    int (*pending)(struct cons_hv *hv, uint32_t *port); /* -EAGAIN: none */
    int (*unmask)(struct cons_hv *hv, uint32_t port);
    /* The hypervisor's log from *index on: bytes read, *index advanced. */
    int (*readconsole)(struct cons_hv *hv, char *buf, uint32_t len, uint32_t *index);
    /* The last failure as a sentence. */
    const char *(*error)(struct cons_hv *hv);
    void (*close)(struct cons_hv *hv);
};

/* The real one, over /dev/xen/privcmd and /dev/xen/evtchn. */
int cons_hv_pvxctl_open(struct cons_hv **out, char *err, size_t errlen);

/* ---- the shared ring (ring.c) ----------------------------------------------- */

/*
 * The page is the guest's: it may rewrite any byte at any time.  out_cons
 * and in_prod are ours, so they are kept here and only ever written to the
 * page; the guest's out_prod and in_cons are read once per use and
 * checked before any byte moves.  -EIO means the guest's index is garbage.
 */
struct cons_ring {
    struct xencons_interface *intf;
    XENCONS_RING_IDX out_cons;
    XENCONS_RING_IDX in_prod;
};

/* Take our indexes from the page (once, when connecting); -EIO if broken. */
int ring_attach(struct cons_ring *r, struct xencons_interface *intf);
/* Move up to max bytes of guest output into dst: how many, or -EIO. */
int ring_read_out(struct cons_ring *r, char *dst, size_t max);
/* Bytes of input the guest has room for now, or -EIO. */
int ring_in_space(const struct cons_ring *r);
/* Put up to n bytes of input, never past the guest's in_cons: how many, or -EIO. */
int ring_write_in(struct cons_ring *r, const char *src, size_t n);

/* ---- the output buffer (cbuf.c) ---------------------------------------------- */

/*
 * Guest output the pty has not taken yet.  With discard (xenconsoled's
 * default), once more than 5/4 of `limit` waits, the middle goes: the
 * oldest limit/2 bytes and the newest limit/4 stay.  With keep, nothing is
 * dropped; the caller stops draining the ring while cbuf_full() holds, so
 * the guest waits instead.
 */
#define CBUF_LIMIT_DEFAULT (1024u * 1024)
#define CBUF_LIMIT_MIN     4096u
#define CBUF_LIMIT_MAX     (256u * 1024 * 1024)

struct cbuf {
    char *data;
    size_t head, tail, cap; /* unsent bytes are data[head, tail) */
    size_t limit;
    bool keep;
    uint64_t discarded; /* bytes dropped so far (discard mode) */
};

void cbuf_init(struct cbuf *b, size_t limit, bool keep);
void cbuf_free(struct cbuf *b);
/* The limit node's value, clamped; missing, zero or garbage: the default. */
size_t cbuf_limit_from(const char *node);
int cbuf_append(struct cbuf *b, const char *src, size_t n); /* 0 or -ENOMEM */
size_t cbuf_pending(const struct cbuf *b);
const char *cbuf_peek(const struct cbuf *b, size_t *n);
void cbuf_consume(struct cbuf *b, size_t n);
/* Keep mode and the limit reached: take no more from the ring. */
bool cbuf_full(const struct cbuf *b);

/* ---- log files (logfile.c) ---------------------------------------------------- */

struct logfile {
    int fd;
    bool stamp;      /* "[YYYY-MM-DD HH:MM:SS] " before each line */
    bool escape;     /* ESC -> '.' */
    bool line_start; /* the next byte starts a line */
    bool skip_cr;    /* drop '\r' right after a stamped line's '\n' */
    char path[PATH_MAX];
};

void logfile_init(struct logfile *l, bool stamp, bool escape);
/* Open path for appending; 0 or -errno. */
int logfile_open(struct logfile *l, const char *path, time_t now);
int logfile_write(struct logfile *l, const char *data, size_t n, time_t now);
/* SIGHUP: close and open the same path again (after rotation). */
int logfile_reopen(struct logfile *l, time_t now);
void logfile_close(struct logfile *l);
/* Format n bytes of data into out (room for logfile_format_max(n)): length. */
size_t logfile_format(struct logfile *l, const char *data, size_t n, time_t now, char *out);
size_t logfile_format_max(size_t n);
/* mkdir -p (0755). */
int logfile_mkdirs(const char *dir);
/* "guest-<name>.log" with '/' and control characters made '_'. */
void logfile_guest_name(char *out, size_t len, const char *name, domid_t domid);

/* ---- event rate limit (ratelimit.c) ------------------------------------------- */

/* As xenconsoled: 30 events per 200 ms, then the port stays masked. */
#define RATELIMIT_EVENTS    30
#define RATELIMIT_PERIOD_MS 200

struct ratelimit {
    unsigned int count;
    int64_t period_end; /* ms, CLOCK_MONOTONIC */
};

void ratelimit_init(struct ratelimit *r, int64_t now);
/* Count one event: true while within the allowance. */
bool ratelimit_event(struct ratelimit *r);
/* Start a new period if this one is over; true if events may flow now. */
bool ratelimit_ready(struct ratelimit *r, int64_t now);
/* When a throttled source may flow again (ms), or -1 when not throttled. */
int64_t ratelimit_deadline(const struct ratelimit *r);

/* ---- consoles and domains (console.c, domains.c) -------------------------------- */

enum cons_state {
    CONS_IDLE,   /* nothing yet: nodes missing, or not ours (type) */
    CONS_UP,     /* ring mapped, port bound, pty open */
    CONS_FAILED, /* set-up failed or the guest broke the ring: waits for new nodes */
};

struct console {
    enum cons_state state;
    uint64_t ring_ref;    /* the nodes this state is for */
    uint32_t remote_port; /* (valid unless CONS_IDLE) */
    struct cons_ring ring;
    int local_port;
    bool masked; /* our port is masked: rate limit, or keep mode full */
    int master_fd, slave_fd;
    char tty[64];
    struct cbuf out;
    struct logfile log;
    struct ratelimit rl;
};

struct domain {
    domid_t domid;
    bool seen;     /* in the latest domain list */
    char path[48]; /* /local/domain/N */
    struct console con;
    struct domain *next;
};

struct hvlog {
    bool on;
    struct logfile log;
    uint32_t index;
    int port;          /* VIRQ_CON_RING, or -1 (then polling alone) */
    int64_t next_poll; /* ms */
};

struct consoled {
    const struct consoled_opts *opts;
    struct cons_hv *hv;
    struct xs_handle *xs;
    struct domain *domains; /* by domid */
    struct hvlog hvlog;
    bool quit;
};

int64_t now_ms(void);

/* console.c */
void console_init(struct console *c);
/* The console nodes changed (or may have): set up, rebuild or tear down. */
void console_update(struct consoled *cd, struct domain *d);
/* Tear down; clear_tty writes "" to console/tty if it still exists. */
void console_teardown(struct consoled *cd, struct domain *d, bool clear_tty, const char *why);
/* An event arrived on the console's port. */
void console_event(struct consoled *cd, struct domain *d);
/* Unmask if the rate limit and the buffer allow; earliest deadline in *next. */
void console_tick(struct consoled *cd, struct domain *d, int64_t now, int64_t *next);
/* poll() interest on the pty master (0: none). */
short console_poll_events(struct consoled *cd, struct domain *d);
void console_pty_ready(struct consoled *cd, struct domain *d, short revents);
void console_reopen_log(struct consoled *cd, struct domain *d);

/* domains.c */
struct domain *domain_find(struct consoled *cd, domid_t domid);
struct domain *domain_by_port(struct consoled *cd, int port);
/* @introduceDomain / @releaseDomain: compare with the hypervisor's list. */
void domains_refresh(struct consoled *cd);
/* A watch event on a domain's console directory. */
void domains_console_changed(struct consoled *cd, domid_t domid);
/* Forget every domain (clean exit): ptys closed, tty nodes cleared. */
void domains_teardown_all(struct consoled *cd);
/* SIGHUP: reopen logs, retry consoles that failed. */
void domains_reload(struct consoled *cd);

/* hvlog.c: the hypervisor's log */
void hvlog_start(struct consoled *cd);
void hvlog_poll(struct consoled *cd);
void hvlog_stop(struct consoled *cd);

/* loop.c: run until SIGTERM/SIGINT; 0, or -errno if the daemon cannot serve. */
int consoled_run(const struct consoled_opts *opts, struct cons_hv *hv);

#endif /* PVX_CONSOLED_H */
