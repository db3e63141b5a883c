/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: the node store.
 *
 * Every node lives in one hash table keyed by its full path, so a lookup is
 * one hash and one short chain walk whatever the tree size.  A node keeps
 * its children as the buffer of NUL-terminated leaf names that DIRECTORY
 * returns verbatim; parents are found by trimming the path.  Transactions
 * use the same structure for their private copies (xsd_transaction.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

int xsd_htab_init(struct xsd_htab *h, uint32_t buckets)
{
    uint32_t n = 16;

    while (n < buckets)
        n <<= 1;
    h->bucket = calloc(n, sizeof(*h->bucket));
    if (!h->bucket)
        return -ENOMEM;
    h->mask = n - 1;
    h->count = 0;
    return 0;
}

void xsd_htab_free(struct xsd_htab *h, bool free_nodes)
{
    uint32_t i;

    if (!h->bucket)
        return;
    if (free_nodes) {
        for (i = 0; i <= h->mask; i++) {
            struct xsd_node *n = h->bucket[i], *next;

            for (; n; n = next) {
                next = n->hnext;
                xsd_node_free(n);
            }
        }
    }
    free(h->bucket);
    h->bucket = NULL;
    h->count = 0;
}

struct xsd_node *xsd_htab_get(const struct xsd_htab *h, const char *path, size_t len, uint32_t hash)
{
    struct xsd_node *n;

    for (n = h->bucket[hash & h->mask]; n; n = n->hnext)
        if (n->hash == hash && n->pathlen == len && !memcmp(n->path, path, len))
            return n;
    return NULL;
}

/* Double the bucket array; on allocation failure keep the old one (slower only). */
static void htab_grow(struct xsd_htab *h)
{
    uint32_t nb = (h->mask + 1) * 2, i;
    struct xsd_node **b = calloc(nb, sizeof(*b));

    if (!b)
        return;
    for (i = 0; i <= h->mask; i++) {
        struct xsd_node *n = h->bucket[i], *next;

        for (; n; n = next) {
            next = n->hnext;
            n->hnext = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
        }
    }
    free(h->bucket);
    h->bucket = b;
    h->mask = nb - 1;
}

void xsd_htab_insert(struct xsd_htab *h, struct xsd_node *n)
{
    struct xsd_node **slot;

    if (h->count >= h->mask + 1)
        htab_grow(h);
    slot = &h->bucket[n->hash & h->mask];
    n->hnext = *slot;
    *slot = n;
    h->count++;
}

void xsd_htab_remove(struct xsd_htab *h, struct xsd_node *n)
{
    struct xsd_node **pp = &h->bucket[n->hash & h->mask];

    for (; *pp; pp = &(*pp)->hnext) {
        if (*pp == n) {
            *pp = n->hnext;
            n->hnext = NULL;
            h->count--;
            return;
        }
    }
}

struct xsd_node *xsd_node_new(const char *path, size_t len)
{
    struct xsd_node *n = calloc(1, sizeof(*n) + len + 1);

    if (!n)
        return NULL;
    memcpy(n->path, path, len);
    n->path[len] = '\0';
    n->pathlen = (uint32_t)len;
    n->hash = xsd_hash(path, len);
    return n;
}

/* Deep copy (value, children, permissions); hash linkage is not copied. */
struct xsd_node *xsd_node_clone(const struct xsd_node *src)
{
    struct xsd_node *n = xsd_node_new(src->path, src->pathlen);

    if (!n)
        return NULL;
    n->gen = src->gen;
    n->flags = src->flags;
    if (src->vlen && !(n->value = xsd_memdup(src->value, src->vlen)))
        goto fail;
    n->vlen = src->vlen;
    if (src->childlen && !(n->children = xsd_memdup(src->children, src->childlen)))
        goto fail;
    n->childlen = src->childlen;
    n->childcap = src->childlen;
    if (xsd_perms_copy(&n->perms, &src->perms))
        goto fail;
    return n;
fail:
    xsd_node_free(n);
    return NULL;
}

void xsd_node_free(struct xsd_node *n)
{
    if (!n)
        return;
    free(n->value);
    free(n->children);
    xsd_perms_free(&n->perms);
    free(n);
}

int xsd_node_set_value(struct xsd_node *n, const void *v, uint32_t len)
{
    char *nv = NULL;

    if (len && !(nv = xsd_memdup(v, len)))
        return -ENOMEM;
    free(n->value);
    n->value = nv;
    n->vlen = len;
    return 0;
}

int xsd_node_set_perms(struct xsd_node *n, const struct xsd_perms *p)
{
    struct xsd_perms np;
    int ret = xsd_perms_copy(&np, p);

    if (ret)
        return ret;
    xsd_perms_free(&n->perms);
    n->perms = np;
    return 0;
}

int xsd_children_add(struct xsd_node *n, const char *name)
{
    size_t l = strlen(name) + 1;

    if (n->childlen + l > n->childcap) {
        size_t cap = n->childcap ? (size_t)n->childcap * 2 : 64;
        char *c;

        while (cap < n->childlen + l)
            cap *= 2;
        c = realloc(n->children, cap);
        if (!c)
            return -ENOMEM;
        n->children = c;
        n->childcap = (uint32_t)cap;
    }
    memcpy(n->children + n->childlen, name, l);
    n->childlen += (uint32_t)l;
    return 0;
}

void xsd_children_del(struct xsd_node *n, const char *name)
{
    uint32_t off = 0;
    size_t l = strlen(name) + 1;

    while (off < n->childlen) {
        size_t cl = strlen(n->children + off) + 1;

        if (cl == l && !memcmp(n->children + off, name, l)) {
            memmove(n->children + off, n->children + off + cl, n->childlen - off - cl);
            n->childlen -= (uint32_t)cl;
            return;
        }
        off += (uint32_t)cl;
    }
}

const char *xsd_basename(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* Length of the parent's path ("/" for top-level nodes); 0 for the root. */
size_t xsd_parent_len(const char *path, size_t len)
{
    size_t i;

    if (len <= 1)
        return 0;
    for (i = len - 1; i > 0; i--)
        if (path[i] == '/')
            return i;
    return 1;
}

struct xsd_node *xsd_tree_get_len(const char *path, size_t len)
{
    return xsd_htab_get(&xsd.tree, path, len, xsd_hash(path, len));
}

struct xsd_node *xsd_tree_get(const char *path)
{
    return xsd_tree_get_len(path, strlen(path));
}

static struct xsd_node *make_root_node(const char *path, const char *child)
{
    static const struct xsd_perm p0 = {0, XSD_PERM_NONE};
    const struct xsd_perms perms = {1, (struct xsd_perm *)&p0};
    struct xsd_node *n = xsd_node_new(path, strlen(path));

    if (!n)
        return NULL;
    if (xsd_node_set_perms(n, &perms) || (child && xsd_children_add(n, child))) {
        xsd_node_free(n);
        return NULL;
    }
    n->gen = ++xsd.generation;
    xsd_htab_insert(&xsd.tree, n);
    return n;
}

/* A fresh store: "/", "/tool" and "/tool/xenstored", owned by dom0, "n0". */
int xsd_tree_init(void)
{
    int ret = xsd_htab_init(&xsd.tree, 1024);

    if (ret)
        return ret;
    if (!make_root_node("/", "tool") || !make_root_node("/tool", "xenstored") ||
        !make_root_node("/tool/xenstored", NULL))
        return -ENOMEM;
    return 0;
}

void xsd_tree_free(void)
{
    xsd_htab_free(&xsd.tree, true);
}

/*
 * Consistency check: every listed child exists, every node except "/" is
 * listed by its parent, and per-domain node counts match ownership.
 * Returns the number of problems; the first is described in msg.
 */
int xsd_tree_check(char *msg, size_t msglen)
{
    uint32_t i, listed = 0;
    int bad = 0;
    struct xsd_domain *d;
    char path[XSD_PATH_BUF];

    if (msglen)
        msg[0] = '\0';
    for (i = 0; i <= xsd.tree.mask; i++) {
        struct xsd_node *n;

        for (n = xsd.tree.bucket[i]; n; n = n->hnext) {
            uint32_t off = 0;
            size_t pl = xsd_parent_len(n->path, n->pathlen);

            if (n->pathlen > 1) {
                struct xsd_node *p = xsd_tree_get_len(n->path, pl);
                const char *base = n->path + pl + (pl > 1 ? 1 : 0);
                bool found = false;

                if (p) {
                    uint32_t o = 0;

                    while (o < p->childlen && !found) {
                        found = !strcmp(p->children + o, base);
                        o += (uint32_t)strlen(p->children + o) + 1;
                    }
                }
                if (!found && bad++ == 0)
                    snprintf(msg, msglen, "%s not listed by its parent", n->path);
            }
            if (!n->perms.num && bad++ == 0)
                snprintf(msg, msglen, "%s has no permissions", n->path);
            while (off < n->childlen) {
                const char *c = n->children + off;
                int l = snprintf(path, sizeof(path), "%s/%s", n->pathlen > 1 ? n->path : "", c);

                listed++;
                if ((l < 0 || (size_t)l >= sizeof(path) || !xsd_tree_get(path)) && bad++ == 0)
                    snprintf(msg, msglen, "child %s of %s missing", c, n->path);
                off += (uint32_t)strlen(c) + 1;
            }
        }
    }
    if (listed + 1 != xsd.tree.count && bad++ == 0)
        snprintf(msg, msglen, "%u nodes but %u listed children", xsd.tree.count, listed);
    for (d = xsd.domains; d; d = d->next) {
        uint32_t owned = 0;

        for (i = 0; i <= xsd.tree.mask; i++) {
            struct xsd_node *n;

            for (n = xsd.tree.bucket[i]; n; n = n->hnext)
                if (n->perms.num && n->perms.p[0].domid == d->domid)
                    owned++;
        }
        if (d->domid != 0 && owned != d->nnodes && bad++ == 0)
            snprintf(msg, msglen, "domain %u owns %u nodes, counted %u", d->domid, owned,
                     d->nnodes);
    }
    return bad;
}
