/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: connections, message framing, dispatch and replies.
 *
 * A connection owns an input buffer and an output buffer; its transport
 * (struct xsd_transport_ops) only moves bytes.  Input is parsed into
 * messages and each message is dispatched through a const table indexed by
 * message type.  Replies and watch events are appended to output buffers
 * and flushed once per event-loop turn, so a burst of pipelined requests
 * costs one read and one write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct xsd_state xsd;

#define IN_CAP (16 * 1024) /* >= one maximal message; several when pipelined */

/* Connections with queued output, flushed by xsd_conn_flush_all(). */
static struct xsd_conn **dirty;
static size_t ndirty, dirty_cap;

static void mark_dirty(struct xsd_conn *c);

struct xsd_conn *xsd_conn_new(const struct xsd_transport_ops *ops, void *tdata, int fd,
                              struct xsd_domain *d)
{
    struct xsd_conn *c = xsd_zalloc(sizeof(*c));

    if (!c)
        return NULL;
    c->in = malloc(IN_CAP);
    if (!c->in) {
        free(c);
        return NULL;
    }
    c->poll.fd = fd;
    c->ops = ops;
    c->tdata = tdata;
    c->id = ++xsd.next_conn_id;
    c->domain = d;
    c->domid = d ? d->domid : 0;
    c->privileged = !d || !xsd_domid_unprivileged(d->domid);
    c->reading = true;
    c->next_txid = 1;
    c->next = xsd.conns;
    if (xsd.conns)
        xsd.conns->prev = c;
    xsd.conns = c;
    xsd_trace("conn %u: new %s connection (domain %u)", c->id, ops->name, c->domid);
    return c;
}

/* Stop serving c now; the memory goes at the end of the loop turn. */
void xsd_conn_close(struct xsd_conn *c)
{
    if (c->dead)
        return;
    c->dead = true;
    xsd_trace("conn %u: closed", c->id);
    xsd_tx_abort_all(c);
    xsd_watch_del_conn(c);
    if (c->ops->close)
        c->ops->close(c);
}

static void conn_free(struct xsd_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        xsd.conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c->in);
    free(c->out);
    free(c);
}

void xsd_conn_reap(void)
{
    struct xsd_conn *c = xsd.conns, *next;

    for (; c; c = next) {
        next = c->next;
        if (c->dead && !c->dirty)
            conn_free(c);
    }
}

static void mark_dirty(struct xsd_conn *c)
{
    if (c->dirty)
        return;
    if (ndirty == dirty_cap) {
        size_t nc = dirty_cap ? dirty_cap * 2 : 64;
        struct xsd_conn **nd = realloc(dirty, nc * sizeof(*nd));

        if (!nd) {
            xsd_conn_output(c); /* cannot defer: flush right away */
            return;
        }
        dirty = nd;
        dirty_cap = nc;
    }
    c->dirty = true;
    dirty[ndirty++] = c;
}

/* Write out everything queued during this loop turn. */
void xsd_conn_flush_all(void)
{
    size_t i;

    for (i = 0; i < ndirty; i++) {
        struct xsd_conn *c = dirty[i];

        c->dirty = false;
        if (!c->dead)
            xsd_conn_output(c);
    }
    ndirty = 0;
}

static int out_reserve(struct xsd_conn *c, size_t more)
{
    size_t need;

    if (c->out_head && c->out_head == c->out_len)
        c->out_head = c->out_len = 0;
    need = c->out_len + more;
    if (need <= c->out_cap)
        return 0;
    if (c->out_head) {
        memmove(c->out, c->out + c->out_head, c->out_len - c->out_head);
        c->out_len -= c->out_head;
        c->out_head = 0;
        need = c->out_len + more;
        if (need <= c->out_cap)
            return 0;
    }
    {
        size_t nc = c->out_cap ? c->out_cap : 8192;
        uint8_t *nb;

        while (nc < need)
            nc *= 2;
        nb = realloc(c->out, nc);
        if (!nb)
            return -ENOMEM;
        c->out = nb;
        c->out_cap = nc;
    }
    return 0;
}

/* Queue one message (header + a + b) for c.  Drops c if its backlog is huge. */
int xsd_queue_msg(struct xsd_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *a,
                  uint32_t alen, const void *b, uint32_t blen)
{
    struct xsd_sockmsg h;

    if (c->dead)
        return -EPIPE;
    if (c->out_len - c->out_head + XSD_HDR_SIZE + alen + blen > xsd.quota.output_max) {
        xsd_log("conn %u (domain %u): %zu bytes of unread output; dropping it", c->id, c->domid,
                c->out_len - c->out_head);
        c->dropped_events++;
        c->fault = XENSTORE_ERROR_COMM;
        xsd_conn_close(c);
        return -ENOSPC;
    }
    if (out_reserve(c, XSD_HDR_SIZE + alen + blen))
        return -ENOMEM;
    h.type = type;
    h.req_id = req_id;
    h.tx_id = tx_id;
    h.len = alen + blen;
    memcpy(c->out + c->out_len, &h, sizeof(h));
    c->out_len += sizeof(h);
    if (alen)
        memcpy(c->out + c->out_len, a, alen);
    c->out_len += alen;
    if (blen)
        memcpy(c->out + c->out_len, b, blen);
    c->out_len += blen;
    c->out_msgs++;
    mark_dirty(c);
    return 0;
}

int xsd_reply(struct xsd_req *r, const void *data, uint32_t len)
{
    if (len > XENSTORE_PAYLOAD_MAX)
        return -E2BIG;
    xsd_queue_msg(r->conn, r->hdr.type, r->hdr.req_id, r->hdr.tx_id, data, len, NULL, 0);
    return 0;
}

int xsd_reply_ok(struct xsd_req *r)
{
    return xsd_reply(r, "OK", 3);
}

static void reply_error(struct xsd_conn *c, const struct xsd_sockmsg *hdr, int err)
{
    const char *name = xsd_errname(err);

    xsd_queue_msg(c, XS_ERROR, hdr->req_id, hdr->tx_id, name, (uint32_t)strlen(name) + 1, NULL, 0);
}

/* Push pending output through the transport; pause input while backlogged. */
void xsd_conn_output(struct xsd_conn *c)
{
    while (c->out_head < c->out_len) {
        ssize_t n = c->ops->write(c, c->out + c->out_head, c->out_len - c->out_head);

        if (n < 0) {
            xsd_conn_close(c);
            return;
        }
        if (n == 0)
            break;
        c->out_head += (size_t)n;
    }
    if (c->out_head == c->out_len) {
        c->out_head = c->out_len = 0;
        c->out_msgs = 0;
        if (c->ops->want_write)
            c->ops->want_write(c, false);
        if (!c->reading) {
            c->reading = true;
            if (c->ops->want_read)
                c->ops->want_read(c, true);
            xsd_conn_input(c); /* requests may be waiting in the buffer */
        }
    } else if (c->ops->want_write) {
        c->ops->want_write(c, true);
    }
}

/* ---- dispatch ----------------------------------------------------------- */

#define F_PRIV  0x1u /* privileged connections only */
#define F_NOTID 0x2u /* tx_id is ignored */

static const struct {
    const char *name;
    int (*fn)(struct xsd_req *r);
    unsigned int flags;
} handlers[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {"CONTROL", xsd_do_control, F_PRIV},
    [XS_DIRECTORY] = {"DIRECTORY", xsd_do_directory, 0},
    [XS_READ] = {"READ", xsd_do_read, 0},
    [XS_GET_PERMS] = {"GET_PERMS", xsd_do_get_perms, 0},
    [XS_WATCH] = {"WATCH", xsd_do_watch, F_NOTID},
    [XS_UNWATCH] = {"UNWATCH", xsd_do_unwatch, F_NOTID},
    [XS_TRANSACTION_START] = {"TRANSACTION_START", xsd_do_tx_start, 0},
    [XS_TRANSACTION_END] = {"TRANSACTION_END", xsd_do_tx_end, 0},
    [XS_INTRODUCE] = {"INTRODUCE", xsd_do_introduce, F_PRIV},
    [XS_RELEASE] = {"RELEASE", xsd_do_release, F_PRIV},
    [XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", xsd_do_get_domain_path, 0},
    [XS_WRITE] = {"WRITE", xsd_do_write, 0},
    [XS_MKDIR] = {"MKDIR", xsd_do_mkdir, 0},
    [XS_RM] = {"RM", xsd_do_rm, 0},
    [XS_SET_PERMS] = {"SET_PERMS", xsd_do_set_perms, 0},
    [XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", xsd_do_is_domain_introduced, F_PRIV},
    [XS_RESUME] = {"RESUME", xsd_do_resume, F_PRIV},
    [XS_SET_TARGET] = {"SET_TARGET", xsd_do_set_target, F_PRIV},
    [XS_RESET_WATCHES] = {"RESET_WATCHES", xsd_do_reset_watches, 0},
    [XS_DIRECTORY_PART] = {"DIRECTORY_PART", xsd_do_directory_part, 0},
};

/* Handle one complete message from c.  payload has hdr->len bytes. */
void xsd_process(struct xsd_conn *c, const struct xsd_sockmsg *hdr, const char *payload)
{
    struct xsd_req r;
    uint32_t type = hdr->type;
    int ret;

    r.conn = c;
    r.hdr = *hdr;
    r.data = payload;
    r.tx = NULL;
    c->nreq++;
    if (type >= XS_TYPE_COUNT || !handlers[type].fn) {
        xsd_trace("conn %u: unknown message type %u", c->id, type);
        ret = -ENOSYS;
        goto out;
    }
    xsd_trace("conn %u: %s req %u tx %u len %u", c->id, handlers[type].name, hdr->req_id,
              hdr->tx_id, hdr->len);
    if ((handlers[type].flags & F_PRIV) && !c->privileged) {
        ret = -EACCES;
        goto out;
    }
    if (!(handlers[type].flags & F_NOTID) && hdr->tx_id) {
        r.tx = xsd_tx_find(c, hdr->tx_id);
        if (!r.tx) {
            ret = -ENOENT;
            goto out;
        }
    }
    ret = handlers[type].fn(&r);
out:
    if (ret < 0)
        reply_error(c, hdr, -ret);
}

/* Read what the transport has and handle every complete message. */
void xsd_conn_input(struct xsd_conn *c)
{
    uint32_t off = 0;

    if (c->dead)
        return;
    if (c->reading && c->in_len < IN_CAP) {
        ssize_t n = c->ops->read(c, c->in + c->in_len, IN_CAP - c->in_len);

        if (n < 0) {
            xsd_conn_close(c);
            return;
        }
        c->in_len += (uint32_t)n;
    }
    while (!c->dead && c->in_len - off >= XSD_HDR_SIZE) {
        struct xsd_sockmsg hdr;

        if (c->out_msgs >= xsd.quota.outstanding) {
            /* The client is not reading its replies: stop taking requests. */
            if (c->reading) {
                c->reading = false;
                if (c->ops->want_read)
                    c->ops->want_read(c, false);
            }
            break;
        }
        memcpy(&hdr, c->in + off, sizeof(hdr));
        if (hdr.len > XENSTORE_PAYLOAD_MAX) {
            xsd_log("conn %u (domain %u): message length %u over the limit; dropping it", c->id,
                    c->domid, hdr.len);
            c->fault = XENSTORE_ERROR_PROTO;
            xsd_conn_close(c);
            return;
        }
        if (c->in_len - off < XSD_HDR_SIZE + hdr.len)
            break;
        xsd_process(c, &hdr, (const char *)c->in + off + XSD_HDR_SIZE);
        off += XSD_HDR_SIZE + hdr.len;
    }
    if (off && !c->dead) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

/* ---- paths -------------------------------------------------------------- */

/*
 * Valid node path: absolute, only [A-Za-z0-9-/_@], no "//", no trailing "/"
 * (except the root), at most path_max bytes below /local/domain/<id>/ and
 * at most XENSTORE_ABS_PATH_MAX bytes in all.
 */
bool xsd_path_valid(const char *path)
{
    size_t len = 0, base = 0;
    const char *s;

    if (path[0] != '/')
        return false;
    for (s = path; *s; s++, len++) {
        char ch = *s;

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '/' || ch == '_' || ch == '@'))
            return false;
        if (ch == '/' && s[1] == '/')
            return false;
    }
    if (len > 1 && path[len - 1] == '/')
        return false;
    if (len > XENSTORE_ABS_PATH_MAX)
        return false;
    /* Paths below /local/domain/<id>/ may be path_max bytes longer than that prefix. */
    if (len > 14 && !memcmp(path, "/local/domain/", 14)) {
        size_t i = 14;

        while (i < len && i < 14 + 5 && path[i] >= '0' && path[i] <= '9')
            i++;
        if (i > 14 && path[i] == '/')
            base = i + 1;
    }
    return len <= base + xsd.quota.path_max;
}

/*
 * Make in absolute (relative paths are below the caller's /local/domain/<id>)
 * and validate it.  Special "@" names pass through if allow_special.
 */
int xsd_canonical(const struct xsd_conn *c, const char *in, char *out, size_t outlen,
                  bool allow_special)
{
    size_t l = strlen(in);

    if (in[0] == '@') {
        if (!allow_special || l > XENSTORE_REL_PATH_MAX || l + 1 > outlen)
            return -EINVAL;
        memcpy(out, in, l + 1);
        return 0;
    }
    if (in[0] == '/') {
        if (l + 1 > outlen)
            return -EINVAL;
        memcpy(out, in, l + 1);
    } else {
        int hl = xsd_domain_path(c->domid, out, outlen);

        if (hl < 0 || (size_t)hl + 1 + l + 1 > outlen)
            return -EINVAL;
        out[hl] = '/';
        memcpy(out + hl + 1, in, l + 1);
    }
    return xsd_path_valid(out) ? 0 : -EINVAL;
}

/* ---- startup and teardown ----------------------------------------------- */

int xsd_core_init(void)
{
    static struct xsd_perm sp_intro = {0, XSD_PERM_NONE}, sp_rel = {0, XSD_PERM_NONE};
    int ret;

    xsd.generation = 0;
    xsd.conns = NULL;
    xsd.domains = NULL;
    xsd.epfd = -1;
    ret = xsd_perms_copy(&xsd.special_intro, &(struct xsd_perms){1, &sp_intro});
    if (!ret)
        ret = xsd_perms_copy(&xsd.special_release, &(struct xsd_perms){1, &sp_rel});
    if (!ret)
        ret = xsd_tree_init();
    if (!ret)
        ret = xsd_watch_init();
    return ret;
}

/* Free everything (so valgrind and ASan see a clean exit). */
void xsd_core_free(void)
{
    struct xsd_conn *c;

    for (c = xsd.conns; c; c = c->next)
        xsd_conn_close(c);
    ndirty = 0;
    for (c = xsd.conns; c; c = c->next)
        c->dirty = false;
    xsd_conn_reap();
    free(dirty);
    dirty = NULL;
    dirty_cap = 0;
    xsd_domain_free_all();
    xsd_watch_free_all();
    xsd_tx_free_tombstones();
    xsd_tree_free();
    xsd_perms_free(&xsd.special_intro);
    xsd_perms_free(&xsd.special_release);
}
