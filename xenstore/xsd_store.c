/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: node operations, either on the main tree or through a
 * transaction's private view.  Request handlers call only these, so the
 * rules (permissions, quotas, parents created on write, watch events) are
 * written once for both cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

static struct xsd_node *get_len(struct xsd_tx *tx, const char *path, size_t len, int *err)
{
    struct xsd_node *n;

    if (tx)
        return xsd_tx_lookup(tx, path, len, err);
    n = xsd_tree_get_len(path, len);
    *err = n ? 0 : -ENOENT;
    return n;
}

/*
 * Look up path for an access needing rights want.  A missing node reports
 * ENOENT only if the nearest existing ancestor grants some of those rights,
 * EACCES otherwise, so callers learn nothing about trees they cannot see.
 */
int xsd_store_access(struct xsd_conn *c, struct xsd_tx *tx, const char *path, unsigned int want,
                     struct xsd_node **out)
{
    size_t len = strlen(path);
    int err;
    struct xsd_node *n = get_len(tx, path, len, &err);

    *out = NULL;
    if (n) {
        if ((xsd_perm_for(c, &n->perms) & want) != want)
            return -EACCES;
        *out = n;
        return 0;
    }
    if (err != -ENOENT)
        return err;
    while (len > 1) {
        len = xsd_parent_len(path, len);
        n = get_len(tx, path, len, &err);
        if (n)
            return (xsd_perm_for(c, &n->perms) & want) ? -ENOENT : -EACCES;
        if (err != -ENOENT)
            return err;
    }
    return -EACCES; /* no root: cannot happen */
}

static void event(struct xsd_tx *tx, const char *path, bool exact, const struct xsd_perms *perms,
                  const struct xsd_perms *old)
{
    if (tx)
        xsd_tx_note_event(tx, path, exact, perms);
    else
        xsd_watch_fire(path, exact, perms, old);
}

static void nodes_delta(struct xsd_tx *tx, uint32_t domid, int d)
{
    if (tx)
        xsd_tx_add_nodes_delta(tx, domid, d);
    else
        xsd_domain_nodes_add(domid, d);
}

static uint32_t nodes_owned(struct xsd_tx *tx, uint32_t domid)
{
    int64_t n = xsd_domain_nodes(domid);

    if (tx)
        n += xsd_tx_nodes_delta(tx, domid);
    return n < 0 ? 0 : (uint32_t)n;
}

/* The main tree: mark a node changed. */
static void touch_main(struct xsd_node *n)
{
    n->gen = ++xsd.generation;
}

/* Create path and its missing ancestors below the existing ancestor at alen. */
static int create_path(struct xsd_conn *c, struct xsd_tx *tx, const char *path, size_t alen,
                       struct xsd_node **out)
{
    size_t len = strlen(path), l;
    uint32_t levels = 0;
    int err;
    struct xsd_node *parent = get_len(tx, path, alen, &err);

    if (!parent)
        return err;
    for (l = alen + 1; l <= len; l++)
        if (l == len || path[l] == '/')
            levels++;
    if (!c->privileged && nodes_owned(tx, c->domid) + levels > xsd.quota.nodes)
        return -ENOSPC;
    if (!c->privileged && parent->childlen + (len - alen) > xsd.quota.node_size)
        return -ENOSPC;

    for (l = alen + 1; l <= len; l++) {
        struct xsd_perms perms;
        struct xsd_node *n;

        if (l != len && path[l] != '/')
            continue;
        err = xsd_perms_copy(&perms, &parent->perms);
        if (err)
            return err;
        if (!c->privileged)
            perms.p[0].domid = c->domid;
        if (tx) {
            err = xsd_tx_create(tx, parent, path, l, &perms, &n);
        } else {
            n = xsd_node_new(path, l);
            err = n ? xsd_children_add(parent, xsd_basename(n->path)) : -ENOMEM;
            if (!err) {
                n->perms = perms;
                perms.p = NULL;
                perms.num = 0;
                touch_main(parent);
                touch_main(n);
                xsd_htab_insert(&xsd.tree, n);
            } else {
                xsd_node_free(n);
            }
        }
        xsd_perms_free(&perms);
        if (err) {
            if (tx && l > alen + 1)
                xsd_tx_doom(tx); /* some levels exist in the view already */
            return err;
        }
        nodes_delta(tx, n->perms.p[0].domid, +1);
        parent = n;
    }
    *out = parent;
    return 0;
}

/* WRITE (or MKDIR when mkdir_only): set a value, creating missing parents. */
int xsd_store_write(struct xsd_conn *c, struct xsd_tx *tx, const char *path, const void *v,
                    uint32_t vlen, bool mkdir_only)
{
    struct xsd_node *n;
    int ret = xsd_store_access(c, tx, path, XSD_PERM_WRITE, &n);
    size_t alen;

    if (ret == 0) {
        if (mkdir_only)
            return 0;
        if (!c->privileged && vlen + n->childlen + 8 * n->perms.num > xsd.quota.node_size)
            return -ENOSPC;
        ret = xsd_node_set_value(n, v, vlen);
        if (ret)
            return ret;
        if (tx)
            n->flags |= XSD_NF_MODIFIED;
        else
            touch_main(n);
        event(tx, path, false, &n->perms, NULL);
        return 0;
    }
    if (ret != -ENOENT)
        return ret;

    if (!c->privileged && vlen > xsd.quota.node_size)
        return -ENOSPC;
    /* Find the nearest existing ancestor; store_access proved there is one. */
    alen = strlen(path);
    do {
        alen = xsd_parent_len(path, alen);
        n = get_len(tx, path, alen, &ret);
    } while (!n && alen > 1 && ret == -ENOENT);
    if (!n)
        return ret ? ret : -ENOENT;
    ret = create_path(c, tx, path, alen, &n);
    if (ret)
        return ret;
    if (vlen) {
        ret = xsd_node_set_value(n, v, vlen);
        if (ret)
            return ret;
    }
    event(tx, path, false, &n->perms, NULL);
    return 0;
}

/*
 * Remove n and everything below it, firing exact watches on the children.
 * Only the top node is unlinked from its parent: the child lists of nodes
 * that go away anyway are not edited, so huge directories go in linear time.
 */
static int rm_subtree(struct xsd_tx *tx, struct xsd_node *n, bool top)
{
    char child[XSD_PATH_BUF];
    uint32_t off = 0;
    int err;

    while (off < n->childlen) {
        const char *name = n->children + off;
        struct xsd_node *cn;
        int l = snprintf(child, sizeof(child), "%s/%s", n->pathlen > 1 ? n->path : "", name);

        off += (uint32_t)strlen(name) + 1;
        if (l < 0 || (size_t)l >= sizeof(child))
            return -EIO;
        cn = get_len(tx, child, (size_t)l, &err);
        if (!cn) {
            if (err != -ENOENT)
                return err;
            continue; /* a dangling name: it goes with n */
        }
        err = rm_subtree(tx, cn, false);
        if (err)
            return err;
    }
    event(tx, n->path, !top, &n->perms, NULL);
    nodes_delta(tx, n->perms.p[0].domid, -1);
    if (tx)
        return xsd_tx_delete(tx, n, top);
    if (top) {
        size_t pl = xsd_parent_len(n->path, n->pathlen);
        struct xsd_node *p = xsd_tree_get_len(n->path, pl);

        if (p) {
            xsd_children_del(p, xsd_basename(n->path));
            touch_main(p);
        }
    }
    xsd_tx_note_removal(n->path, n->pathlen, ++xsd.generation);
    xsd_htab_remove(&xsd.tree, n);
    xsd_node_free(n);
    return 0;
}

int xsd_store_rm(struct xsd_conn *c, struct xsd_tx *tx, const char *path)
{
    struct xsd_node *n;
    int ret = xsd_store_access(c, tx, path, XSD_PERM_WRITE, &n);

    if (ret == -ENOENT) {
        /* Removing a missing node is fine if its parent exists. */
        int err;
        size_t len = strlen(path);

        if (len > 1 && get_len(tx, path, xsd_parent_len(path, len), &err))
            return 0;
        return -ENOENT;
    }
    if (ret)
        return ret;
    if (n->pathlen == 1)
        return -EINVAL;
    ret = rm_subtree(tx, n, true);
    if (ret && tx)
        xsd_tx_doom(tx); /* part of the subtree may be gone from the view */
    return ret;
}

int xsd_store_set_perms(struct xsd_conn *c, struct xsd_tx *tx, struct xsd_node *n,
                        const struct xsd_perms *p)
{
    struct xsd_perms old;
    int ret;

    if (!c->privileged && p->p[0].domid != n->perms.p[0].domid)
        return -EPERM;
    if (!c->privileged && n->vlen + n->childlen + 8 * p->num > xsd.quota.node_size)
        return -ENOSPC;
    ret = xsd_perms_copy(&old, &n->perms);
    if (ret)
        return ret;
    ret = xsd_node_set_perms(n, p);
    if (ret)
        goto out;
    if (old.p[0].domid != p->p[0].domid) {
        nodes_delta(tx, old.p[0].domid, -1);
        nodes_delta(tx, p->p[0].domid, +1);
    }
    if (tx)
        n->flags |= XSD_NF_MODIFIED;
    else
        touch_main(n);
    event(tx, n->path, false, &n->perms, &old);
out:
    xsd_perms_free(&old);
    return ret;
}

/*
 * A domain went away: remove the nodes it owns (with their subtrees) unless
 * --keep-orphans asked to hand them to dom0, and drop its entries from
 * other nodes' permission lists so a later domain with the same id does not
 * inherit them.
 */
void xsd_store_remove_owned(uint32_t domid)
{
    char **paths = NULL;
    size_t npaths = 0, cap = 0, i;
    uint32_t b;

    for (b = 0; b <= xsd.tree.mask; b++) {
        struct xsd_node *n;

        for (n = xsd.tree.bucket[b]; n; n = n->hnext) {
            uint32_t j, k;

            for (j = k = 1; j < n->perms.num; j++)
                if (n->perms.p[j].domid != domid)
                    n->perms.p[k++] = n->perms.p[j];
            n->perms.num = n->perms.num ? k : 0;
            if (!n->perms.num || n->perms.p[0].domid != domid || n->pathlen == 1)
                continue;
            if (xsd.keep_orphans) {
                n->perms.p[0].domid = 0;
                xsd_domain_nodes_add(domid, -1);
                continue;
            }
            if (npaths == cap) {
                char **np = realloc(paths, (cap ? cap * 2 : 16) * sizeof(*np));

                if (!np)
                    break;
                paths = np;
                cap = cap ? cap * 2 : 16;
            }
            paths[npaths] = xsd_memdup(n->path, n->pathlen + 1);
            if (paths[npaths])
                npaths++;
        }
    }
    for (i = 0; i < npaths; i++) {
        struct xsd_node *n = xsd_tree_get(paths[i]);

        if (n)
            rm_subtree(NULL, n, true);
        free(paths[i]);
    }
    free(paths);
}
