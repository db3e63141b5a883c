/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvx's toolstack: what `xl` and the lifecycle daemon share (the parts
 * libxl plays for Xen).  A table of contents:
 *
 *   context.c   struct xlt: the hypervisor (libpvxctl) and xenstore handles
 *   xs.c        xenstore helpers: reads, writes with permissions, removal
 *   lookup.c    domains by name and id, as xl resolves its arguments
 *   layout.c    the xenstore layout of a new domain (Xen's paths and ACLs)
 *   create.c    a domain from its configuration: build, introduce, console
 *   destroy.c   taking a domain apart and removing every trace of it
 *   saved.c     each domain's configuration kept for reboots and restarts
 *   wait.c      waiting for a node, or for domains to shut down or go
 *
 * Files and paths:
 *   /etc/pvx/xl.conf                     global options (xl.conf syntax)
 *   /var/lib/pvx/domains/<domid>.cfg     the configuration a domain was
 *                                        created from, with runtime changes
 *                                        appended as `key = value` lines
 *   /var/log/pvx/                        the daemons' logs
 */
#ifndef PVX_TOOLSTACK_H
#define PVX_TOOLSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenstore.h>

#include "pvxctl.h"

#define XLT_STATE_DIR "/var/lib/pvx/domains"
#define XLT_LOG_DIR   "/var/log/pvx"
#define XLT_XL_CONF   "/etc/pvx/xl.conf"
#define XLT_DOM0_NAME "Domain-0"
#define XLT_NAME_MAX  (PVX_DOMAIN_NAME_LEN - 1)

struct pvx_domcfg;
struct pvx_build;

/* libxl's error codes, which `xl create` returns negated. */
#define XLT_ERROR_FAIL            (-3)
#define XLT_ERROR_NOMEM           (-5)
#define XLT_ERROR_INVAL           (-6)
#define XLT_ERROR_TIMEDOUT        (-9)
#define XLT_ERROR_DOMAIN_NOTFOUND (-21)

/* ---- context.c ---------------------------------------------------------- */

struct xlt {
    struct pvxctl *ctl;
    struct xs_handle *xs;
    int verbose;
};

/* Open both handles; on failure err says which and what to do. */
int xlt_open(struct xlt *t, char *err, size_t errlen);
void xlt_close(struct xlt *t);

/* Messages: errors and warnings to stderr; info only with -v. */
void xlt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error in libxl's format, which scripts match: "libxl: error:
 * <file>:<line>:<function>: Domain N:<message>" ("Domain N:" only when
 * domid is a domain's). */
void xlt_log_error(const char *file, int line, const char *func, domid_t domid, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
#define XLT_ERR(domid, ...) xlt_log_error(__FILE__, __LINE__, __func__, domid, __VA_ARGS__)
void xlt_info(const struct xlt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- xs.c ------------------------------------------------------------------- */

/* A NUL-terminated copy of path's value (free it), NULL if absent. */
char *xlt_read(struct xlt *t, xs_transaction_t tx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* 0 or -errno. */
int xlt_write(struct xlt *t, xs_transaction_t tx, const char *path, const char *val);
int xlt_writef(struct xlt *t, xs_transaction_t tx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Give path the ACL: owner (full access, and the default for others: r
 * when others_read), plus read access for reader (DOMID_INVALID: none). */
int xlt_set_perms(struct xlt *t, xs_transaction_t tx, const char *path, domid_t owner,
                  bool others_read, domid_t reader);
/* Create path with that ACL (its value ""). */
int xlt_mkdir(struct xlt *t, xs_transaction_t tx, const char *path, domid_t owner, bool others_read,
              domid_t reader);
int xlt_rm(struct xlt *t, xs_transaction_t tx, const char *path);
/* Remove path, then its parents that are left empty (libxl's cleanup). */
int xlt_rm_prune(struct xlt *t, xs_transaction_t tx, const char *path);
/* Run fn in a transaction, retrying on EAGAIN; fn's error aborts it. */
int xlt_transaction(struct xlt *t, int (*fn)(struct xlt *t, xs_transaction_t tx, void *arg),
                    void *arg);

/* ---- lookup.c --------------------------------------------------------------- */

/* The domain called name: 0 and *domid, or -ESRCH. */
int xlt_domid_by_name(struct xlt *t, const char *name, domid_t *domid);
/* Its name ("Domain-0" for 0 when the node is missing), NULL if none: free it. */
char *xlt_domain_name(struct xlt *t, domid_t domid);
/*
 * An xl domain argument: all digits is a domid (not checked, as xl does);
 * anything else is looked up by name.  Prints xl's message and returns
 * -ESRCH when the name is unknown.
 */
int xlt_find_domain(struct xlt *t, const char *arg, domid_t *domid);
/* Every domain, in id order; returns how many (at most max) or -errno. */
int xlt_list(struct xlt *t, pvxctl_dominfo_t *infos, unsigned int max);

/* ---- create.c ----------------------------------------------------------------- */

struct xlt_create {
    const struct pvx_domcfg *cfg;
    const char *config_text; /* what is saved for reboots (file + overrides) */
    bool paused;             /* -p: leave it paused */
    int console_notify_fd;   /* >= 0: wait for one byte here before unpausing */
    /* Instead of building from the kernel (xl restore): fill the domain
     * b->domid and b's OUT fields; 0 or -errno with err set. */
    int (*build)(struct xlt *t, struct pvx_build *b, void *arg, char *err, size_t errlen);
    void *build_arg;
    domid_t domid; /* OUT */
};

/* Build, introduce and (unless paused) start a domain.  On failure nothing
 * is left behind (no domain, no xenstore nodes, no saved config). */
int xlt_create(struct xlt *t, struct xlt_create *c);

/* ---- destroy.c -------------------------------------------------------------- */

/* Remove the domain's xenstore nodes and saved config, release it from
 * xenstored and destroy it.  -ESRCH if it does not exist. */
int xlt_destroy(struct xlt *t, domid_t domid);

/* ---- saved.c ------------------------------------------------------------------ */

int xlt_saved_write(domid_t domid, const char *text);
/* NULL if none: free it. */
char *xlt_saved_read(domid_t domid);
/* Record a runtime change ("memory = 512") so a reboot keeps it. */
int xlt_saved_append(domid_t domid, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xlt_saved_remove(domid_t domid);

/* ---- wait.c --------------------------------------------------------------- */

/* Milliseconds on a monotonic clock. */
int64_t xlt_now_ms(void);

/* Take one watch event off the xenstore connection, if one comes within ms
 * (the caller re-reads what it waits for either way). */
void xlt_watch_event(struct xlt *t, int ms);

/* Wait until path's value is non-empty (filled) or empty or gone (!filled);
 * 0, or -ETIMEDOUT after timeout_ms. */
int xlt_wait_node(struct xlt *t, const char *path, bool filled, int timeout_ms);

enum xlt_wait_for {
    XLT_WAIT_SHUTDOWN_OR_GONE, /* xl shutdown -w */
    XLT_WAIT_GONE,             /* xl shutdown -ww, destroy */
};

/* Wait until every domain in ids[] is shut down or gone (by @releaseDomain
 * and getdomaininfo); 0, or -ETIMEDOUT after timeout_ms (< 0: for ever).
 * Calls report(domid, info or NULL if gone) once per domain as it happens. */
int xlt_wait(struct xlt *t, const domid_t *ids, unsigned int n, enum xlt_wait_for what,
             int timeout_ms, void (*report)(domid_t, const pvxctl_dominfo_t *, void *), void *arg);

#endif /* PVX_TOOLSTACK_H */
