/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: transactions.
 *
 * Nothing is copied when a transaction starts.  The first time a
 * transaction touches a path it takes a private copy of that one node (or
 * records that the path was absent) together with the node's generation;
 * later reads and writes in the transaction use the copy.  If the node's
 * generation is already newer than the transaction's start, the copy is
 * not the state at the start and the transaction is doomed: its commit
 * fails with EAGAIN.  So a transaction that commits has seen exactly the
 * store as it was when it started (snapshot isolation).
 *
 * Commit checks every copied node against the main tree: same generation,
 * or still absent.  Any difference means a concurrent change and the commit
 * returns EAGAIN, leaving the store untouched.  Otherwise the copies that
 * were changed replace the main nodes, each with a new generation, and the
 * watch events collected during the transaction fire.  Abort just frees the
 * copies.  The cost is proportional to what the transaction touched, never
 * to the size of the store.
 */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct tx_event {
    struct tx_event *next;
    bool exact;
    struct xsd_perms perms;
    char path[];
};

struct tx_delta {
    uint32_t domid;
    int delta;
};

/*
 * Paths removed from the main tree while transactions are open, with the
 * generation of the removal.  A transaction that finds a path absent but
 * removed after it started would not be seeing its snapshot: it is doomed.
 * Emptied whenever no transaction is open.
 */
static struct xsd_htab tombstones;

#define TOMBSTONES_MAX 65536

struct xsd_tx {
    struct xsd_tx *next;
    struct xsd_conn *conn;
    uint32_t id;
    uint64_t start_gen;
    bool doomed;
    uint32_t seq;
    struct xsd_htab nodes;
    struct tx_delta *deltas;
    uint32_t ndeltas;
    struct tx_event *events, **events_tail;
};

static void tx_free(struct xsd_tx *tx)
{
    struct tx_event *e, *next;

    xsd_htab_free(&tx->nodes, true);
    for (e = tx->events; e; e = next) {
        next = e->next;
        xsd_perms_free(&e->perms);
        free(e);
    }
    free(tx->deltas);
    free(tx);
}

static void doom_all(void)
{
    struct xsd_conn *c;
    struct xsd_tx *tx;

    for (c = xsd.conns; c; c = c->next)
        for (tx = c->txs; tx; tx = tx->next)
            tx->doomed = true;
}

/* The main tree is about to lose path (generation gen of the removal). */
void xsd_tx_note_removal(const char *path, size_t len, uint64_t gen)
{
    struct xsd_node *t;

    if (!xsd.ntx_active)
        return;
    if (!tombstones.bucket && xsd_htab_init(&tombstones, 64)) {
        doom_all();
        return;
    }
    t = xsd_htab_get(&tombstones, path, len, xsd_hash(path, len));
    if (!t) {
        if (tombstones.count >= TOMBSTONES_MAX || !(t = xsd_node_new(path, len))) {
            doom_all(); /* cannot remember: be safe */
            return;
        }
        xsd_htab_insert(&tombstones, t);
    }
    t->gen = gen;
}

/* A change half-applied to the view cannot be undone: make the commit fail. */
void xsd_tx_doom(struct xsd_tx *tx)
{
    tx->doomed = true;
}

void xsd_tx_free_tombstones(void)
{
    xsd_htab_free(&tombstones, true);
}

int xsd_tx_start(struct xsd_conn *c, uint32_t *id)
{
    struct xsd_tx *tx;
    int ret;

    if (!c->privileged && c->ntxs >= xsd.quota.transactions)
        return -ENOSPC;
    tx = xsd_zalloc(sizeof(*tx));
    if (!tx)
        return -ENOMEM;
    ret = xsd_htab_init(&tx->nodes, 16);
    if (ret) {
        free(tx);
        return ret;
    }
    /* Pick an id not in use on this connection; 0 means "no transaction". */
    do {
        tx->id = c->next_txid++;
    } while (tx->id == 0 || xsd_tx_find(c, tx->id));
    tx->conn = c;
    tx->start_gen = xsd.generation;
    tx->events_tail = &tx->events;
    tx->next = c->txs;
    c->txs = tx;
    c->ntxs++;
    xsd.ntx_active++;
    *id = tx->id;
    return 0;
}

struct xsd_tx *xsd_tx_find(struct xsd_conn *c, uint32_t id)
{
    struct xsd_tx *tx;

    for (tx = c->txs; tx; tx = tx->next)
        if (tx->id == id)
            return tx;
    return NULL;
}

static void tx_unlink(struct xsd_tx *tx)
{
    struct xsd_conn *c = tx->conn;
    struct xsd_tx **pp;

    for (pp = &c->txs; *pp; pp = &(*pp)->next) {
        if (*pp == tx) {
            *pp = tx->next;
            c->ntxs--;
            if (--xsd.ntx_active == 0)
                xsd_tx_free_tombstones();
            return;
        }
    }
}

/*
 * The transaction's view of path: its copy (NULL with *err = -ENOENT if the
 * path is absent in the view), taking the copy on first access.
 */
struct xsd_node *xsd_tx_lookup(struct xsd_tx *tx, const char *path, size_t len, int *err)
{
    uint32_t h = xsd_hash(path, len);
    struct xsd_node *n = xsd_htab_get(&tx->nodes, path, len, h);
    struct xsd_node *m;

    if (!n) {
        if (!tx->conn->privileged && tx->nodes.count >= xsd.quota.tx_nodes) {
            *err = -ENOSPC;
            return NULL;
        }
        m = xsd_htab_get(&xsd.tree, path, len, h);
        if (m) {
            n = xsd_node_clone(m);
            if (n && m->gen > tx->start_gen)
                tx->doomed = true;
        } else {
            const struct xsd_node *t =
                tombstones.bucket ? xsd_htab_get(&tombstones, path, len, h) : NULL;

            if (t && t->gen > tx->start_gen)
                tx->doomed = true;
            n = xsd_node_new(path, len);
            if (n)
                n->flags = XSD_NF_ABSENT | XSD_NF_WAS_ABSENT;
        }
        if (!n) {
            *err = -ENOMEM;
            return NULL;
        }
        n->seq = tx->seq++;
        xsd_htab_insert(&tx->nodes, n);
    }
    if (n->flags & XSD_NF_ABSENT) {
        *err = -ENOENT;
        return NULL;
    }
    *err = 0;
    return n;
}

/* Make the absent path exist in the view as a child of parent (a tx copy). */
int xsd_tx_create(struct xsd_tx *tx, struct xsd_node *parent, const char *path, size_t len,
                  const struct xsd_perms *perms, struct xsd_node **out)
{
    int err;
    struct xsd_node *n = xsd_tx_lookup(tx, path, len, &err);

    if (n)
        return -EEXIST;
    if (err != -ENOENT)
        return err;
    n = xsd_htab_get(&tx->nodes, path, len, xsd_hash(path, len));
    err = xsd_node_set_perms(n, perms);
    if (err)
        return err;
    err = xsd_children_add(parent, xsd_basename(n->path));
    if (err)
        return err;
    parent->flags |= XSD_NF_CHILDREN;
    n->flags = (n->flags & ~XSD_NF_ABSENT) | XSD_NF_MODIFIED | XSD_NF_CHILDREN;
    xsd_node_set_value(n, NULL, 0);
    free(n->children);
    n->children = NULL;
    n->childlen = n->childcap = 0;
    *out = n;
    return 0;
}

/*
 * Mark a single copied node absent (its children must already be gone);
 * unlink: also drop it from its parent's list (not needed when the parent
 * is being removed too).
 */
int xsd_tx_delete(struct xsd_tx *tx, struct xsd_node *n, bool unlink)
{
    size_t pl = xsd_parent_len(n->path, n->pathlen);
    int err;
    struct xsd_node *p = unlink ? xsd_tx_lookup(tx, n->path, pl, &err) : NULL;

    if (p) {
        xsd_children_del(p, xsd_basename(n->path));
        p->flags |= XSD_NF_CHILDREN;
    }
    n->flags |= XSD_NF_ABSENT | XSD_NF_MODIFIED | XSD_NF_CHILDREN;
    xsd_node_set_value(n, NULL, 0);
    free(n->children);
    n->children = NULL;
    n->childlen = n->childcap = 0;
    return 0;
}

void xsd_tx_note_event(struct xsd_tx *tx, const char *path, bool exact,
                       const struct xsd_perms *perms)
{
    size_t l = strlen(path) + 1;
    struct tx_event *e = malloc(sizeof(*e) + l);

    if (!e)
        return; /* watches may be lost under memory pressure; they may also be spurious */
    memcpy(e->path, path, l);
    e->exact = exact;
    e->next = NULL;
    if (xsd_perms_copy(&e->perms, perms)) {
        free(e);
        return;
    }
    *tx->events_tail = e;
    tx->events_tail = &e->next;
}

int xsd_tx_nodes_delta(struct xsd_tx *tx, uint32_t domid)
{
    uint32_t i;

    for (i = 0; i < tx->ndeltas; i++)
        if (tx->deltas[i].domid == domid)
            return tx->deltas[i].delta;
    return 0;
}

void xsd_tx_add_nodes_delta(struct xsd_tx *tx, uint32_t domid, int delta)
{
    uint32_t i;
    struct tx_delta *d;

    for (i = 0; i < tx->ndeltas; i++) {
        if (tx->deltas[i].domid == domid) {
            tx->deltas[i].delta += delta;
            return;
        }
    }
    d = realloc(tx->deltas, (tx->ndeltas + 1) * sizeof(*d));
    if (!d)
        return;
    tx->deltas = d;
    d[tx->ndeltas].domid = domid;
    d[tx->ndeltas].delta = delta;
    tx->ndeltas++;
}

/* Would committing exceed a domain's node quota? (unprivileged only) */
bool xsd_tx_over_quota(struct xsd_conn *c, struct xsd_tx *tx)
{
    uint32_t i;

    if (c->privileged)
        return false;
    for (i = 0; i < tx->ndeltas; i++) {
        uint32_t domid = tx->deltas[i].domid;
        int d = tx->deltas[i].delta;

        if (d > 0 && xsd_domid_unprivileged(domid) &&
            (uint64_t)xsd_domain_nodes(domid) + (uint64_t)d > xsd.quota.nodes)
            return true;
    }
    return false;
}

/* Does the main tree still hold what the transaction saw? */
static bool tx_valid(struct xsd_tx *tx)
{
    uint32_t i;

    if (tx->doomed)
        return false;
    for (i = 0; i <= tx->nodes.mask; i++) {
        const struct xsd_node *n;

        for (n = tx->nodes.bucket[i]; n; n = n->hnext) {
            const struct xsd_node *m = xsd_htab_get(&xsd.tree, n->path, n->pathlen, n->hash);

            if (n->flags & XSD_NF_WAS_ABSENT) {
                if (m)
                    return false;
            } else if (!m || m->gen != n->gen) {
                return false;
            }
        }
    }
    return true;
}

static void owner_delta(const struct xsd_node *n, int d)
{
    if (n->perms.num)
        xsd_domain_nodes_add(n->perms.p[0].domid, d);
}

/* Install one changed copy into the main tree; the copy's buffers move over. */
static void tx_apply_node(struct xsd_node *n)
{
    struct xsd_node *m = xsd_htab_get(&xsd.tree, n->path, n->pathlen, n->hash);

    if (n->flags & XSD_NF_ABSENT) {
        if (m) {
            owner_delta(m, -1);
            xsd_tx_note_removal(m->path, m->pathlen, ++xsd.generation);
            xsd_htab_remove(&xsd.tree, m);
            xsd_node_free(m);
        }
        return;
    }
    if (!m) {
        m = xsd_node_new(n->path, n->pathlen);
        if (!m) {
            xsd_log("commit: out of memory creating %s; store is inconsistent", n->path);
            return;
        }
        xsd_htab_insert(&xsd.tree, m);
    } else {
        owner_delta(m, -1);
    }
    if (n->flags & XSD_NF_MODIFIED) {
        free(m->value);
        m->value = n->value;
        m->vlen = n->vlen;
        n->value = NULL;
        n->vlen = 0;
        xsd_perms_free(&m->perms);
        m->perms = n->perms;
        n->perms.p = NULL;
        n->perms.num = 0;
    }
    if (n->flags & XSD_NF_CHILDREN) {
        free(m->children);
        m->children = n->children;
        m->childlen = n->childlen;
        m->childcap = n->childcap;
        n->children = NULL;
        n->childlen = n->childcap = 0;
    }
    owner_delta(m, +1);
    m->gen = ++xsd.generation;
}

static void tx_fire_events(struct xsd_tx *tx)
{
    struct tx_event *e;

    for (e = tx->events; e; e = e->next)
        xsd_watch_fire(e->path, e->exact, &e->perms, NULL);
}

/* End a transaction: commit (may fail with -EAGAIN/-ENOSPC) or abort.  Frees tx. */
int xsd_tx_end(struct xsd_conn *c, struct xsd_tx *tx, bool commit)
{
    int ret = 0;
    uint32_t i;

    tx_unlink(tx);
    if (!commit)
        goto out;
    if (!tx_valid(tx)) {
        ret = -EAGAIN;
        goto out;
    }
    if (xsd_tx_over_quota(c, tx)) {
        ret = -ENOSPC;
        goto out;
    }
    for (i = 0; i <= tx->nodes.mask; i++) {
        struct xsd_node *n;

        for (n = tx->nodes.bucket[i]; n; n = n->hnext)
            if (n->flags & (XSD_NF_MODIFIED | XSD_NF_CHILDREN))
                tx_apply_node(n);
    }
    tx_fire_events(tx);
out:
    tx_free(tx);
    return ret;
}

void xsd_tx_abort_all(struct xsd_conn *c)
{
    while (c->txs) {
        struct xsd_tx *tx = c->txs;

        tx_unlink(tx);
        tx_free(tx);
    }
}
