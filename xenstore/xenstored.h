/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: the one private header of the daemon.
 *
 * It reads as a table of contents: every cross-file type comes first, then
 * the functions grouped under the file that defines them.  The daemon is a
 * single-threaded epoll loop; nothing here is thread-safe and nothing needs
 * to be.
 *
 * Error convention: functions return 0 (or a length/pointer) on success and
 * a negative errno on failure.  A request handler's negative errno becomes an
 * XS_ERROR reply carrying the errno's name.
 */
#ifndef PVX_XENSTORED_H
#define PVX_XENSTORED_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "public/io/xs_wire.h"

#define XSD_PERM_NONE  0x00u
#define XSD_PERM_READ  0x01u
#define XSD_PERM_WRITE 0x02u
#define XSD_PERM_OWNER 0x08u /* internal: "is owner" bit in a computed mask */

#define XSD_DOMID_MAX       0x7fefu /* last real domain id (DOMID_FIRST_RESERVED - 1) */
#define XSD_DOMID_SELF      0x7ff0u
#define XSD_HDR_SIZE        ((uint32_t)sizeof(struct xsd_sockmsg))
#define XSD_MSG_MAX         (XSD_HDR_SIZE + XENSTORE_PAYLOAD_MAX)
#define XSD_PATH_BUF        (XENSTORE_ABS_PATH_MAX + 64)
#define XSD_SPECIAL_INTRO   "@introduceDomain"
#define XSD_SPECIAL_RELEASE "@releaseDomain"

/* ---- Types ------------------------------------------------------------ */

/* One permission entry: a domain and its n/r/w/b rights. */
struct xsd_perm {
    uint32_t domid;
    uint32_t bits; /* XSD_PERM_READ | XSD_PERM_WRITE */
};

/* A permission list: entry 0 is the owner and the default for others. */
struct xsd_perms {
    uint32_t num;
    struct xsd_perm *p;
};

/*
 * A node.  The same structure holds a node of the main tree and a node
 * copied into a transaction (see xsd_transaction.c for the flag meanings
 * there).  Children are a buffer of NUL-terminated leaf names in creation
 * order, which is exactly the DIRECTORY reply payload.
 */
struct xsd_node {
    struct xsd_node *hnext; /* hash chain */
    uint32_t hash;
    uint32_t pathlen;
    uint64_t gen;   /* main: generation of the last change; tx: generation seen */
    uint32_t flags; /* XSD_NF_* */
    uint32_t seq;   /* tx: order of first access */
    char *value;
    uint32_t vlen;
    uint32_t childlen;
    uint32_t childcap; /* allocated bytes of children (grows geometrically) */
    char *children;
    struct xsd_perms perms;
    char path[]; /* NUL-terminated */
};

#define XSD_NF_ABSENT     0x01u /* tx: path does not exist in the tx view */
#define XSD_NF_WAS_ABSENT 0x02u /* tx: path did not exist when first seen */
#define XSD_NF_MODIFIED   0x04u /* tx: value or permissions changed */
#define XSD_NF_CHILDREN   0x08u /* tx: children list changed */

/* Hash table of nodes keyed by full path. */
struct xsd_htab {
    struct xsd_node **bucket;
    uint32_t mask;
    uint32_t count;
};

/* Per-connection transport: how bytes move.  Request handling never sees it. */
struct xsd_conn;
struct xsd_transport_ops {
    const char *name;
    /* Read up to len bytes: >0 bytes, 0 nothing available, -errno (EPIPE = closed). */
    ssize_t (*read)(struct xsd_conn *c, void *buf, size_t len);
    /* Write up to len bytes: >=0 bytes taken, -errno on a dead peer. */
    ssize_t (*write)(struct xsd_conn *c, const void *buf, size_t len);
    /* Tell the transport whether output is waiting (e.g. arm EPOLLOUT). */
    void (*want_write)(struct xsd_conn *c, bool on);
    /* Tell the transport whether the core accepts more input (flow control). */
    void (*want_read)(struct xsd_conn *c, bool on);
    /* Release transport resources (fd, mapping); the core frees the conn. */
    void (*close)(struct xsd_conn *c);
};

/* Something the epoll loop watches: a listener, a connection, a signal fd. */
struct xsd_pollable {
    int fd;
    void (*handler)(struct xsd_pollable *p, uint32_t events);
};

struct xsd_domain;
struct xsd_tx;

struct xsd_conn {
    struct xsd_pollable poll;
    const struct xsd_transport_ops *ops;
    void *tdata; /* transport-private */
    struct xsd_conn *next, *prev;
    unsigned int id;           /* unique, for logs */
    uint32_t domid;            /* 0 for local sockets */
    struct xsd_domain *domain; /* NULL for local (privileged) sockets */
    bool privileged;
    bool dead;      /* closing: process no more input */
    bool reading;   /* input enabled (flow control state) */
    bool dirty;     /* output queued this loop turn */
    uint32_t fault; /* XENSTORE_ERROR_* once the client broke the protocol */
    /* input */
    uint8_t *in;
    uint32_t in_len;
    /* output: bytes in out[out_head, out_len) are pending */
    uint8_t *out;
    size_t out_head, out_len, out_cap;
    uint32_t out_msgs; /* replies queued since last full flush */
    /* watches and transactions */
    uint32_t nwatches;
    struct xsd_tx *txs;
    uint32_t ntxs;
    uint32_t next_txid;
    /* statistics */
    uint64_t nreq;
    uint64_t dropped_events;
};

/* A request being handled. */
struct xsd_req {
    struct xsd_conn *conn;
    struct xsd_sockmsg hdr;
    const char *data;  /* payload, hdr.len bytes */
    struct xsd_tx *tx; /* resolved from hdr.tx_id (NULL outside) */
};

/* Quotas and tunables; defaults in xsd_main.c, documented in docs/xenstore.md. */
struct xsd_quota {
    uint32_t nodes;        /* nodes owned per unprivileged domain */
    uint32_t node_size;    /* bytes of value + child names + 8 per perm entry */
    uint32_t path_max;     /* relative path length below /local/domain/N */
    uint32_t watches;      /* watches per unprivileged connection */
    uint32_t transactions; /* open transactions per unprivileged connection */
    uint32_t perms;        /* permission entries per node (unprivileged) */
    uint32_t tx_nodes;     /* nodes one unprivileged transaction may touch */
    uint32_t outstanding;  /* unsent replies before input of a conn pauses */
    uint32_t output_max;   /* pending output bytes before a conn is dropped */
};

/* A domain known to the daemon (nodes owned, introduced or not). */
struct xsd_domain {
    struct xsd_domain *next;
    uint32_t domid;
    bool introduced;
    bool shutdown;
    uint32_t target; /* domid this one may act for (SET_TARGET), or ~0 */
    uint32_t nnodes; /* nodes owned */
    uint64_t gfn;
    uint32_t evtchn;
    void *bdata; /* backend-private (standalone socket listener, ring page) */
};

/*
 * A domain backend gives an introduced domain its connection.  The
 * standalone backend (xsd_socket.c) opens a Unix socket per domain; the
 * guest backend (xsd_guest.c) maps the domain's store page and binds its
 * event channel.  Request handling never sees which one is in use.
 */
struct xsd_domain_backend {
    const char *name;
    /* INTRODUCE of a new domain: give d its connection (nothing left on failure). */
    int (*attach)(struct xsd_domain *d);
    /* Take d's connection and everything attach set up away. */
    void (*detach)(struct xsd_domain *d);
    /* Optional: INTRODUCE of an introduced domain, with its (new) port. */
    int (*reintroduce)(struct xsd_domain *d, uint32_t port);
    /* Optional: look for introduced domains that shut down or died. */
    void (*check)(void);
};

/*
 * What the guest backend asks of the hypervisor, behind a table so the unit
 * tests can drive the backend with fakes.  xsd_hyp.c implements it with
 * libpvxctl.  Ports are ours (local) unless named remote.
 */
struct xsd_hyp_ops {
    /* Map one frame of domid read-write; -EINVAL if it is not domid's. */
    int (*map)(uint32_t domid, uint64_t mfn, void **page);
    void (*unmap)(void *page);
    /* Bind to domid's port remote_port; returns our port or -errno. */
    int (*bind)(uint32_t domid, uint32_t remote_port);
    /* Bind a global VIRQ; returns our port or -errno. */
    int (*bind_virq)(uint32_t virq);
    void (*unbind)(uint32_t port);
    void (*notify)(uint32_t port);
    /* PVX_DOMINF_* flags of domid; -ESRCH if there is no such domain. */
    int (*domain_info)(uint32_t domid, uint32_t *flags);
};

/*
 * A connection over a shared xenstore_domain_interface page (xsd_ring.c).
 * The transport data (tdata) of every ring connection starts with this, so
 * the ring read/write code is shared by dom0's ring and the guests' rings.
 */
struct xsd_ring {
    struct xenstore_domain_interface *intf;
    void (*kick)(struct xsd_ring *r); /* notify the other end */
};

/* Global daemon state. */
struct xsd_state {
    struct xsd_htab tree;
    uint64_t generation;
    struct xsd_quota quota;
    struct xsd_conn *conns;
    unsigned int next_conn_id;
    struct xsd_domain *domains;
    const struct xsd_domain_backend *backend;
    struct xsd_perms special_intro, special_release;
    bool keep_orphans;
    bool verbose;
    bool log_on;
    int epfd;
    uint64_t ntx_active;
};

extern struct xsd_state xsd;

/* ---- xsd_util.c: logging, strings, buffers ------------------------------ */
void xsd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xsd_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xsd_set_logfile(const char *path);
void *xsd_zalloc(size_t sz);
char *xsd_memdup(const void *p, size_t len);
const char *xsd_errname(int err);
uint32_t xsd_hash(const char *s, size_t len);
int xsd_count_strings(const char *data, uint32_t len);
const char *xsd_nth_string(const char *data, uint32_t len, int n);
int xsd_parse_uint(const char *s, unsigned long max, unsigned long *out);

/* ---- xsd_tree.c: the node store (hash by path) ------------------------- */
int xsd_htab_init(struct xsd_htab *h, uint32_t buckets);
void xsd_htab_free(struct xsd_htab *h, bool free_nodes);
struct xsd_node *xsd_htab_get(const struct xsd_htab *h, const char *path, size_t len,
                              uint32_t hash);
void xsd_htab_insert(struct xsd_htab *h, struct xsd_node *n);
void xsd_htab_remove(struct xsd_htab *h, struct xsd_node *n);
struct xsd_node *xsd_node_new(const char *path, size_t len);
struct xsd_node *xsd_node_clone(const struct xsd_node *src);
void xsd_node_free(struct xsd_node *n);
int xsd_node_set_value(struct xsd_node *n, const void *v, uint32_t len);
int xsd_node_set_perms(struct xsd_node *n, const struct xsd_perms *p);
int xsd_children_add(struct xsd_node *n, const char *name);
void xsd_children_del(struct xsd_node *n, const char *name);
const char *xsd_basename(const char *path);
size_t xsd_parent_len(const char *path, size_t len);
struct xsd_node *xsd_tree_get(const char *path);
struct xsd_node *xsd_tree_get_len(const char *path, size_t len);
int xsd_tree_init(void);
void xsd_tree_free(void);
int xsd_tree_check(char *msg, size_t msglen);

/* ---- xsd_perms.c: permissions ------------------------------------------ */
int xsd_perms_parse(const char *strs, uint32_t len, uint32_t num, struct xsd_perms *out);
int xsd_perms_format(const struct xsd_perms *p, char *buf, size_t buflen);
int xsd_perms_copy(struct xsd_perms *dst, const struct xsd_perms *src);
void xsd_perms_free(struct xsd_perms *p);
unsigned int xsd_perm_for(const struct xsd_conn *c, const struct xsd_perms *p);

/* ---- xsd_store.c: tree operations through an optional transaction ------ */
int xsd_store_access(struct xsd_conn *c, struct xsd_tx *tx, const char *path, unsigned int want,
                     struct xsd_node **out);
int xsd_store_write(struct xsd_conn *c, struct xsd_tx *tx, const char *path, const void *v,
                    uint32_t vlen, bool mkdir_only);
int xsd_store_rm(struct xsd_conn *c, struct xsd_tx *tx, const char *path);
int xsd_store_set_perms(struct xsd_conn *c, struct xsd_tx *tx, struct xsd_node *n,
                        const struct xsd_perms *p);
void xsd_store_remove_owned(uint32_t domid);

/* ---- xsd_transaction.c: transactions ------------------------------------ */
int xsd_tx_start(struct xsd_conn *c, uint32_t *id);
struct xsd_tx *xsd_tx_find(struct xsd_conn *c, uint32_t id);
int xsd_tx_end(struct xsd_conn *c, struct xsd_tx *tx, bool commit);
void xsd_tx_abort_all(struct xsd_conn *c);
void xsd_tx_note_removal(const char *path, size_t len, uint64_t gen);
void xsd_tx_free_tombstones(void);
void xsd_tx_doom(struct xsd_tx *tx);
struct xsd_node *xsd_tx_lookup(struct xsd_tx *tx, const char *path, size_t len, int *err);
int xsd_tx_create(struct xsd_tx *tx, struct xsd_node *parent, const char *path, size_t len,
                  const struct xsd_perms *perms, struct xsd_node **out);
int xsd_tx_delete(struct xsd_tx *tx, struct xsd_node *n, bool unlink);
void xsd_tx_note_event(struct xsd_tx *tx, const char *path, bool exact,
                       const struct xsd_perms *perms);
int xsd_tx_nodes_delta(struct xsd_tx *tx, uint32_t domid);
void xsd_tx_add_nodes_delta(struct xsd_tx *tx, uint32_t domid, int delta);
bool xsd_tx_over_quota(struct xsd_conn *c, struct xsd_tx *tx);

/* ---- xsd_watch.c: watches and events ------------------------------------ */
int xsd_watch_init(void);
void xsd_watch_free_all(void);
int xsd_watch_add(struct xsd_conn *c, const char *path, const char *token, bool relative);
int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token);
void xsd_watch_del_conn(struct xsd_conn *c);
void xsd_watch_fire(const char *path, bool exact, const struct xsd_perms *perms,
                    const struct xsd_perms *parent_perms);
void xsd_watch_fire_special(const char *name, uint32_t domid);
uint32_t xsd_watch_total(void);

/* ---- xsd_domain.c: domains, quotas accounting, special nodes ------------ */
struct xsd_domain *xsd_domain_find(uint32_t domid);
struct xsd_domain *xsd_domain_get(uint32_t domid);
void xsd_domain_nodes_add(uint32_t domid, int delta);
uint32_t xsd_domain_nodes(uint32_t domid);
bool xsd_domid_unprivileged(uint32_t domid);
int xsd_domain_path(uint32_t domid, char *buf, size_t len);
void xsd_domain_free_all(void);
void xsd_domain_release(struct xsd_domain *d);
int xsd_do_introduce(struct xsd_req *r);
int xsd_do_release(struct xsd_req *r);
int xsd_do_resume(struct xsd_req *r);
int xsd_do_set_target(struct xsd_req *r);
int xsd_do_get_domain_path(struct xsd_req *r);
int xsd_do_is_domain_introduced(struct xsd_req *r);

/* ---- xsd_core.c: connections, framing, dispatch, replies ---------------- */
struct xsd_conn *xsd_conn_new(const struct xsd_transport_ops *ops, void *tdata, int fd,
                              struct xsd_domain *d);
void xsd_conn_input(struct xsd_conn *c);
void xsd_conn_output(struct xsd_conn *c);
void xsd_conn_close(struct xsd_conn *c);
void xsd_conn_reap(void);
void xsd_conn_flush_all(void);
int xsd_queue_msg(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *a,
                  uint32_t alen, const void *b, uint32_t blen);
int xsd_reply(struct xsd_req *r, const void *data, uint32_t len);
int xsd_reply_ok(struct xsd_req *r);
void xsd_process(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const char *payload);
int xsd_canonical(const struct xsd_conn *c, const char *in, char *out, size_t outlen,
                  bool allow_special);
bool xsd_path_valid(const char *path);
int xsd_core_init(void);
void xsd_core_free(void);

/* ---- xsd_ops.c: node request handlers ----------------------------------- */
int xsd_do_read(struct xsd_req *r);
int xsd_do_write(struct xsd_req *r);
int xsd_do_mkdir(struct xsd_req *r);
int xsd_do_rm(struct xsd_req *r);
int xsd_do_directory(struct xsd_req *r);
int xsd_do_directory_part(struct xsd_req *r);
int xsd_do_get_perms(struct xsd_req *r);
int xsd_do_set_perms(struct xsd_req *r);
int xsd_do_watch(struct xsd_req *r);
int xsd_do_unwatch(struct xsd_req *r);
int xsd_do_reset_watches(struct xsd_req *r);
int xsd_do_tx_start(struct xsd_req *r);
int xsd_do_tx_end(struct xsd_req *r);

/* ---- xsd_control.c: XS_CONTROL ------------------------------------------ */
int xsd_do_control(struct xsd_req *r);
int xsd_quota_set(const char *name, const char *val);
void xsd_quota_defaults(struct xsd_quota *q);

/* ---- xsd_socket.c: Unix socket transport + standalone domain backend --- */
extern const struct xsd_domain_backend xsd_standalone_backend;
int xsd_socket_listen(const char *path);
void xsd_socket_set_domain_dir(const char *dir);
void xsd_socket_shutdown(void);
void xsd_socket_reap(void);
int xsd_poll_add(struct xsd_pollable *p, uint32_t events);
int xsd_poll_mod(struct xsd_pollable *p, uint32_t events);
void xsd_poll_del(struct xsd_pollable *p);

/* ---- xsd_ring.c: the shared-ring transport (dom0's kernel xenbus) ------ */
int xsd_ring_dom0_attach(void);
ssize_t xsd_ring_take(struct xenstore_domain_interface *intf, void *buf, size_t len);
ssize_t xsd_ring_put(struct xenstore_domain_interface *intf, const void *buf, size_t len);
ssize_t xsd_ring_read(struct xsd_conn *c, void *buf, size_t len);
ssize_t xsd_ring_write(struct xsd_conn *c, const void *buf, size_t len);
void xsd_ring_reset(struct xsd_ring *r);
void xsd_ring_closed(struct xsd_conn *c);

/* ---- xsd_guest.c: guests over their store rings (a pvx dom0) ------------ */
extern const struct xsd_domain_backend xsd_guest_backend;
int xsd_guest_init(const struct xsd_hyp_ops *ops);
void xsd_guest_fini(void);
void xsd_guest_port_event(uint32_t port);
void xsd_guest_event_all(void);

/* ---- xsd_hyp.c: xsd_hyp_ops through libpvxctl (daemon only) ------------- */
const struct xsd_hyp_ops *xsd_hyp_open(void);
void xsd_hyp_close(void);

/* ---- xsd_memtransport.c: in-memory transport for unit tests and fuzzing */
struct xsd_conn *xsd_mem_conn(struct xsd_domain *d);
size_t xsd_mem_take(struct xsd_conn *c, void *buf, size_t len);
void xsd_mem_feed(struct xsd_conn *c, const void *buf, size_t len);
void xsd_mem_stall(struct xsd_conn *c, bool stalled);

/* ---- xsd_main.c: options, signals and the epoll loop (no API) ----------- */

#endif /* PVX_XENSTORED_H */
