/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: watches.
 *
 * Watches are kept in a hash table keyed by the watched path, so a change
 * at /a/b/c looks up "/", "/a", "/a/b" and "/a/b/c" (each ancestor may be
 * watched) instead of scanning every watch of every connection.  Special
 * watches ("@introduceDomain", "@releaseDomain") live in the same table.
 */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct xsd_watch {
    struct xsd_watch *hnext; /* same bucket */
    struct xsd_watch *cnext; /* all watches, for per-connection removal */
    struct xsd_watch *cprev;
    struct xsd_conn *conn;
    uint32_t hash;
    uint32_t pathlen;
    uint32_t strip; /* bytes of prefix to drop when reporting (relative watch) */
    char *token;
    char path[];
};

static struct {
    struct xsd_watch **bucket;
    uint32_t mask;
    uint32_t count;
    struct xsd_watch *all;
} W;

int xsd_watch_init(void)
{
    W.mask = 255;
    W.count = 0;
    W.all = NULL;
    W.bucket = calloc(W.mask + 1, sizeof(*W.bucket));
    return W.bucket ? 0 : -ENOMEM;
}

static void watch_unlink(struct xsd_watch *w)
{
    struct xsd_watch **pp = &W.bucket[w->hash & W.mask];

    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == w) {
            *pp = w->hnext;
            break;
        }
    }
    if (w->cprev)
        w->cprev->cnext = w->cnext;
    else
        W.all = w->cnext;
    if (w->cnext)
        w->cnext->cprev = w->cprev;
    w->conn->nwatches--;
    W.count--;
    free(w->token);
    free(w);
}

void xsd_watch_free_all(void)
{
    while (W.all)
        watch_unlink(W.all);
    free(W.bucket);
    W.bucket = NULL;
}

uint32_t xsd_watch_total(void)
{
    return W.count;
}

static void watch_grow(void)
{
    uint32_t nb = (W.mask + 1) * 2, i;
    struct xsd_watch **b = calloc(nb, sizeof(*b));

    if (!b)
        return;
    for (i = 0; i <= W.mask; i++) {
        struct xsd_watch *w = W.bucket[i], *next;

        for (; w; w = next) {
            next = w->hnext;
            w->hnext = b[w->hash & (nb - 1)];
            b[w->hash & (nb - 1)] = w;
        }
    }
    free(W.bucket);
    W.bucket = b;
    W.mask = nb - 1;
}

static struct xsd_watch *find(struct xsd_conn *c, const char *path, const char *token)
{
    size_t len = strlen(path);
    uint32_t h = xsd_hash(path, len);
    struct xsd_watch *w;

    for (w = W.bucket[h & W.mask]; w; w = w->hnext)
        if (w->conn == c && w->hash == h && w->pathlen == len && !memcmp(w->path, path, len) &&
            !strcmp(w->token, token))
            return w;
    return NULL;
}

/* path is canonical; relative says the client gave it relative to its home. */
int xsd_watch_add(struct xsd_conn *c, const char *path, const char *token, bool relative)
{
    size_t len = strlen(path);
    struct xsd_watch *w;
    char home[64];

    if (find(c, path, token))
        return -EEXIST;
    if (!c->privileged && c->nwatches >= xsd.quota.watches)
        return -E2BIG;
    w = calloc(1, sizeof(*w) + len + 1);
    if (!w)
        return -ENOMEM;
    w->token = strdup(token);
    if (!w->token) {
        free(w);
        return -ENOMEM;
    }
    memcpy(w->path, path, len + 1);
    w->pathlen = (uint32_t)len;
    w->hash = xsd_hash(path, len);
    w->conn = c;
    if (relative) {
        int hl = xsd_domain_path(c->domid, home, sizeof(home));

        w->strip = hl > 0 ? (uint32_t)hl + 1 : 0;
    }
    if (W.count >= W.mask + 1)
        watch_grow();
    w->hnext = W.bucket[w->hash & W.mask];
    W.bucket[w->hash & W.mask] = w;
    w->cnext = W.all;
    w->cprev = NULL;
    if (W.all)
        W.all->cprev = w;
    W.all = w;
    c->nwatches++;
    W.count++;
    return 0;
}

int xsd_watch_del(struct xsd_conn *c, const char *path, const char *token)
{
    struct xsd_watch *w = find(c, path, token);

    if (!w)
        return -ENOENT;
    watch_unlink(w);
    return 0;
}

void xsd_watch_del_conn(struct xsd_conn *c)
{
    struct xsd_watch *w = W.all, *next;

    if (!c->nwatches)
        return;
    for (; w; w = next) {
        next = w->cnext;
        if (w->conn == c)
            watch_unlink(w);
    }
}

static void deliver(struct xsd_watch *w, const char *path)
{
    const char *rep = path;
    size_t plen = strlen(path);

    size_t rlen, tlen = strlen(w->token) + 1;

    if (w->strip)
        rep = plen >= w->strip ? path + w->strip : "";
    rlen = strlen(rep) + 1;
    if (rlen + tlen > XENSTORE_PAYLOAD_MAX) {
        /* A long path plus a long token would break the protocol limit. */
        xsd_log("conn %u: event for %s with a %zu-byte token is too long; not sent", w->conn->id,
                path, tlen - 1);
        return;
    }
    xsd_queue_msg(w->conn, XS_WATCH_EVENT, 0, 0, rep, (uint32_t)rlen, w->token, (uint32_t)tlen);
}

/* May connection c hear about a change to path? (node or parent readable) */
static bool permitted(struct xsd_conn *c, const char *path, const struct xsd_perms *perms,
                      const struct xsd_perms *old)
{
    size_t pl;
    const struct xsd_node *p;

    if (c->privileged)
        return true;
    if (perms && (xsd_perm_for(c, perms) & XSD_PERM_READ))
        return true;
    if (old && (xsd_perm_for(c, old) & XSD_PERM_READ))
        return true;
    pl = xsd_parent_len(path, strlen(path));
    if (!pl)
        return false;
    p = xsd_tree_get_len(path, pl);
    return p && (xsd_perm_for(c, &p->perms) & XSD_PERM_READ);
}

static void fire_on(const char *key, size_t klen, const char *path, const struct xsd_perms *perms,
                    const struct xsd_perms *old)
{
    uint32_t h = xsd_hash(key, klen);
    struct xsd_watch *w, *next;

    for (w = W.bucket[h & W.mask]; w; w = next) {
        next = w->hnext;
        if (w->hash != h || w->pathlen != klen || memcmp(w->path, key, klen))
            continue;
        if (w->conn->dead || !permitted(w->conn, path, perms, old))
            continue;
        deliver(w, path);
    }
}

/*
 * A node at path changed.  exact: only watches on path itself (used for the
 * children of a removed subtree); otherwise watches on path and on every
 * ancestor.  perms/old: the node's permissions now and before the change.
 */
void xsd_watch_fire(const char *path, bool exact, const struct xsd_perms *perms,
                    const struct xsd_perms *old)
{
    size_t len = strlen(path), i;

    if (!W.count)
        return;
    if (exact) {
        fire_on(path, len, path, perms, old);
        return;
    }
    fire_on("/", 1, path, perms, old);
    for (i = 1; i < len; i++)
        if (path[i] == '/')
            fire_on(path, i, path, perms, old);
    if (len > 1)
        fire_on(path, len, path, perms, old);
}

/* @introduceDomain / @releaseDomain: to watchers allowed by the node's perms. */
void xsd_watch_fire_special(const char *name, uint32_t domid)
{
    const struct xsd_perms *sp =
        !strcmp(name, XSD_SPECIAL_INTRO) ? &xsd.special_intro : &xsd.special_release;
    size_t len = strlen(name);
    uint32_t h = xsd_hash(name, len);
    struct xsd_watch *w, *next;

    (void)domid;
    if (!W.count)
        return;
    for (w = W.bucket[h & W.mask]; w; w = next) {
        next = w->hnext;
        if (w->hash != h || w->pathlen != len || memcmp(w->path, name, len) || w->conn->dead)
            continue;
        if (!(xsd_perm_for(w->conn, sp) & XSD_PERM_READ))
            continue;
        deliver(w, name);
    }
}
