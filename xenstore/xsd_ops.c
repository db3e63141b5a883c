/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: handlers for the node, watch and transaction requests.
 *
 * Each handler parses its payload strictly (every string argument must be
 * NUL-terminated; single-argument requests must carry exactly one string),
 * resolves the path, and calls the store.  It returns a negative errno for
 * an error reply, or the result of queueing its reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

/* The request's only argument: a string ending exactly at the payload end. */
static const char *onearg(const struct xsd_req *r)
{
    uint32_t len = r->hdr.len;

    if (!len || r->data[len - 1] != '\0' || memchr(r->data, '\0', len) != r->data + len - 1)
        return NULL;
    return r->data;
}

static int path_arg(const struct xsd_req *r, char *path)
{
    const char *p = onearg(r);

    if (!p)
        return -EINVAL;
    return xsd_canonical(r->conn, p, path, XSD_PATH_BUF, false);
}

/* The node named by the request's path argument (at `raw`), if the caller may read it. */
static int readable_node(const struct xsd_req *r, const char *raw, struct xsd_node **n)
{
    char path[XSD_PATH_BUF];
    int ret = raw ? xsd_canonical(r->conn, raw, path, sizeof(path), false) : -EINVAL;

    return ret ? ret : xsd_store_access(r->conn, r->tx, path, XSD_PERM_READ, n);
}

int xsd_do_read(struct xsd_req *r)
{
    struct xsd_node *n;
    int ret = readable_node(r, onearg(r), &n);

    return ret ? ret : xsd_reply(r, n->value, n->vlen);
}

/* WRITE <path>|<value> (the value is raw bytes, not terminated) */
int xsd_do_write(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    const char *nul = memchr(r->data, '\0', r->hdr.len);
    uint32_t plen;
    int ret;

    if (!nul)
        return -EINVAL;
    plen = (uint32_t)(nul - r->data) + 1;
    ret = xsd_canonical(r->conn, r->data, path, sizeof(path), false);
    if (!ret)
        ret = xsd_store_write(r->conn, r->tx, path, r->data + plen, r->hdr.len - plen, false);
    return ret ? ret : xsd_reply_ok(r);
}

int xsd_do_mkdir(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    int ret = path_arg(r, path);

    if (!ret)
        ret = xsd_store_write(r->conn, r->tx, path, NULL, 0, true);
    return ret ? ret : xsd_reply_ok(r);
}

int xsd_do_rm(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    int ret = path_arg(r, path);

    if (!ret)
        ret = xsd_store_rm(r->conn, r->tx, path);
    return ret ? ret : xsd_reply_ok(r);
}

int xsd_do_directory(struct xsd_req *r)
{
    struct xsd_node *n;
    int ret = readable_node(r, onearg(r), &n);

    if (ret)
        return ret;
    /* Too long for one reply: E2BIG makes clients switch to DIRECTORY_PART. */
    return xsd_reply(r, n->children, n->childlen);
}

/*
 * DIRECTORY_PART <path>|<offset>| -> <generation>|<names from offset>...
 * The last part ends with an extra empty string.
 */
int xsd_do_directory_part(struct xsd_req *r)
{
    char gen[24], *buf;
    const char *off_s;
    unsigned long off;
    uint32_t glen, len, end;
    struct xsd_node *n;
    int ret;

    if (!r->hdr.len || r->data[r->hdr.len - 1] != '\0' ||
        xsd_count_strings(r->data, r->hdr.len) != 2)
        return -EINVAL;
    off_s = xsd_nth_string(r->data, r->hdr.len, 1);
    if (xsd_parse_uint(off_s, 0xffffffffu, &off))
        return -EINVAL;
    ret = readable_node(r, r->data, &n);
    if (ret)
        return ret;
    glen = (uint32_t)snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen) + 1;
    if (off >= n->childlen) {
        char last[sizeof(gen) + 1];

        memcpy(last, gen, glen);
        last[glen] = '\0';
        return xsd_reply(r, last, glen + 1);
    }
    /* Whole names that fit, leaving room for the generation and a final NUL. */
    len = 0;
    end = XENSTORE_PAYLOAD_MAX - glen - 1;
    while (off + len < n->childlen) {
        uint32_t cl = (uint32_t)strlen(n->children + off + len) + 1;

        if (len + cl > end)
            break;
        len += cl;
    }
    if (!len)
        return -E2BIG;
    buf = malloc(glen + len + 1);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, gen, glen);
    memcpy(buf + glen, n->children + off, len);
    if (off + len == n->childlen)
        buf[glen + len++] = '\0';
    ret = xsd_reply(r, buf, glen + len);
    free(buf);
    return ret;
}

int xsd_do_get_perms(struct xsd_req *r)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    struct xsd_node *n;
    int ret = readable_node(r, onearg(r), &n);

    if (ret)
        return ret;
    ret = xsd_perms_format(&n->perms, buf, sizeof(buf));
    return ret < 0 ? ret : xsd_reply(r, buf, (uint32_t)ret);
}

static int set_special_perms(struct xsd_req *r, const char *name, const struct xsd_perms *p)
{
    struct xsd_perms *sp;

    if (!strcmp(name, XSD_SPECIAL_INTRO))
        sp = &xsd.special_intro;
    else if (!strcmp(name, XSD_SPECIAL_RELEASE))
        sp = &xsd.special_release;
    else
        return -EINVAL;
    if ((xsd_perm_for(r->conn, sp) & (XSD_PERM_WRITE | XSD_PERM_OWNER)) !=
        (XSD_PERM_WRITE | XSD_PERM_OWNER))
        return -EACCES;
    xsd_perms_free(sp);
    return xsd_perms_copy(sp, p);
}

/* SET_PERMS <path>|<perm>|+ */
int xsd_do_set_perms(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    const char *nul = memchr(r->data, '\0', r->hdr.len);
    int nstr = xsd_count_strings(r->data, r->hdr.len);
    struct xsd_perms p = {0, NULL};
    struct xsd_node *n;
    uint32_t plen;
    int ret;

    if (!nul || nstr < 2)
        return -EINVAL;
    if (!r->conn->privileged && (uint32_t)(nstr - 1) > xsd.quota.perms)
        return -ENOSPC;
    plen = (uint32_t)(nul - r->data) + 1;
    ret = xsd_perms_parse(r->data + plen, r->hdr.len - plen, (uint32_t)nstr - 1, &p);
    if (ret)
        return ret;
    ret = xsd_canonical(r->conn, r->data, path, sizeof(path), true);
    if (ret)
        goto out;
    if (path[0] == '@') {
        ret = set_special_perms(r, path, &p);
        goto out;
    }
    ret = xsd_store_access(r->conn, r->tx, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &n);
    if (!ret)
        ret = xsd_store_set_perms(r->conn, r->tx, n, &p);
out:
    xsd_perms_free(&p);
    return ret ? ret : xsd_reply_ok(r);
}

/* Two leading NUL-terminated strings (extra trailing ones are ignored). */
static int two_args(const struct xsd_req *r, const char **a, const char **b)
{
    *a = xsd_nth_string(r->data, r->hdr.len, 0);
    *b = xsd_nth_string(r->data, r->hdr.len, 1);
    return (*a && *b) ? 0 : -EINVAL;
}

/* WATCH <path>|<token>|: OK, then one event for the path straight away. */
int xsd_do_watch(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    const char *wpath, *token;
    int ret = two_args(r, &wpath, &token);
    bool rel;

    if (ret)
        return ret;
    rel = wpath[0] != '/' && wpath[0] != '@';
    ret = xsd_canonical(r->conn, wpath, path, sizeof(path), true);
    if (!ret)
        ret = xsd_watch_add(r->conn, path, token, rel);
    if (ret)
        return ret;
    ret = xsd_reply_ok(r);
    /* wpath + token came in one request, so the first event fits the limit too. */
    xsd_queue_msg(r->conn, XS_WATCH_EVENT, 0, 0, wpath, (uint32_t)strlen(wpath) + 1, token,
                  (uint32_t)strlen(token) + 1);
    return ret;
}

int xsd_do_unwatch(struct xsd_req *r)
{
    char path[XSD_PATH_BUF];
    const char *wpath, *token;
    int ret = two_args(r, &wpath, &token);

    if (ret)
        return ret;
    ret = xsd_canonical(r->conn, wpath, path, sizeof(path), true);
    if (!ret)
        ret = xsd_watch_del(r->conn, path, token);
    return ret ? ret : xsd_reply_ok(r);
}

int xsd_do_reset_watches(struct xsd_req *r)
{
    xsd_watch_del_conn(r->conn);
    xsd_tx_abort_all(r->conn);
    return xsd_reply_ok(r);
}

int xsd_do_tx_start(struct xsd_req *r)
{
    char buf[16];
    uint32_t id;
    int ret;

    if (r->tx)
        return -EBUSY; /* no nesting */
    ret = xsd_tx_start(r->conn, &id);
    if (ret)
        return ret;
    ret = snprintf(buf, sizeof(buf), "%u", id);
    return xsd_reply(r, buf, (uint32_t)ret + 1);
}

/* TRANSACTION_END T| commits, F| aborts; the id is gone either way. */
int xsd_do_tx_end(struct xsd_req *r)
{
    const char *a = onearg(r);
    int ret;

    if (!a || (strcmp(a, "T") && strcmp(a, "F")))
        return -EINVAL;
    if (!r->tx)
        return -ENOENT;
    ret = xsd_tx_end(r->conn, r->tx, a[0] == 'T');
    r->tx = NULL;
    return ret ? ret : xsd_reply_ok(r);
}
