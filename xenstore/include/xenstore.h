/* SPDX-License-Identifier: MIT */
/*
 * pvx libxenstore: the client API, with libxenstore's names and semantics
 * so that code written for Xen's library builds against this one.
 *
 * Every call returns false / NULL on failure and sets errno (an error reply
 * from the daemon becomes the errno it names).  Returned arrays and strings
 * are malloc'ed; free them with free().  A handle may be used from several
 * threads: requests are serialised, and once a watch exists a reader thread
 * sorts replies from watch events.
 */
#ifndef PVX_XENSTORE_H
#define PVX_XENSTORE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "public/io/xs_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XBT_NULL 0

/* Open flags: accepted for compatibility; only XS_UNWATCH_FILTER acts. */
#define XS_OPEN_READONLY   (1UL << 0)
#define XS_OPEN_SOCKETONLY (1UL << 1)
/* After xs_unwatch returns, queued events for that path and token are dropped. */
#define XS_UNWATCH_FILTER (1UL << 2)

struct xs_handle;
typedef uint32_t xs_transaction_t;

struct xs_permissions {
    unsigned int id;    /* domain id */
    unsigned int perms; /* XS_PERM_* */
};
#define XS_PERM_NONE      0x00
#define XS_PERM_READ      0x01
#define XS_PERM_WRITE     0x02
#define XS_PERM_ENOENT_OK 0x04
#define XS_PERM_OWNER     0x08
#define XS_PERM_IGNORE    0x10

/* Longest decimal rendering of an integer object x, plus sign and NUL. */
#define MAX_STRLEN(x) ((sizeof(x) * CHAR_BIT + CHAR_BIT - 1) / 10 * 3 + 2)

/* Connect: $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /run/xenstored/socket; if no socket answers, the xenbus device. */
struct xs_handle *xs_open(unsigned long flags);
void xs_close(struct xs_handle *xsh); /* NULL is fine */
/* Deprecated synonyms of xs_open(0) / xs_close(). */
struct xs_handle *xs_daemon_open(void);
struct xs_handle *xs_domain_open(void);
struct xs_handle *xs_daemon_open_readonly(void);
void xs_daemon_close(struct xs_handle *xsh);
void xs_daemon_destroy_postfork(struct xs_handle *xsh);
bool xs_restrict(struct xs_handle *h, unsigned domid); /* always fails: removed */

/* Children of path: array of *num names (one allocation). */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num);
/* Value of path, NUL-terminated for convenience; *len excludes the NUL. */
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len);
bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len);
bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path);
bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path);
struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                                          unsigned int *num);
bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms);

/* Watches: events are read with xs_read_watch (blocking) or xs_check_watch
 * (non-blocking); xs_fileno is readable while events are queued. */
bool xs_watch(struct xs_handle *h, const char *path, const char *token);
int xs_fileno(struct xs_handle *h);
char **xs_check_watch(struct xs_handle *h);
char **xs_read_watch(struct xs_handle *h, unsigned int *num);
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token);

/* Transactions: XBT_NULL on failure; end fails with EAGAIN on a conflict. */
xs_transaction_t xs_transaction_start(struct xs_handle *h);
bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort);

/* Domains (privileged callers). */
bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                         unsigned int eventchn);
bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target);
bool xs_resume_domain(struct xs_handle *h, unsigned int domid);
bool xs_release_domain(struct xs_handle *h, unsigned int domid);
char *xs_get_domain_path(struct xs_handle *h, unsigned int domid);
bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid);

/* CONTROL: cmd then len bytes of data; returns the daemon's reply. */
char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);
char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len);

/* Helpers. */
bool xs_path_is_subpath(const char *parent, const char *child);
unsigned int xs_count_strings(const char *strings, unsigned int len);
bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings);
bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer, size_t buf_len);
bool xs_write_all(int fd, const void *data, unsigned int len);
int xs_suspend_evtchn_port(int domid);
const char *xs_daemon_rundir(void);
const char *xs_daemon_socket(void);
const char *xs_daemon_socket_ro(void);

#ifdef __cplusplus
}
#endif

#endif /* PVX_XENSTORE_H */
