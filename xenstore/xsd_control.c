/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: XS_CONTROL commands and the quota table.
 *
 *   help                      list commands
 *   log [on|off]              per-request tracing to the log
 *   logfile <file>            send the log to <file>
 *   quota                     show all quotas
 *   quota set <name> <value>  change a quota
 *   quota <domid>             show a domain's usage
 *   memreport                 node, watch, connection and memory figures
 *   print <string>            write <string> to the log
 *   check                     verify the store's internal consistency
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

static const struct quota_desc {
    const char *name;
    size_t off;
    uint32_t def;
    const char *what;
} quotas[] = {
    {"nodes", offsetof(struct xsd_quota, nodes), 1000, "nodes owned per unprivileged domain"},
    {"node-size", offsetof(struct xsd_quota, node_size), 2048,
     "bytes per node (value + child names + 8 per permission)"},
    {"path-max", offsetof(struct xsd_quota, path_max), XENSTORE_REL_PATH_MAX,
     "path bytes below /local/domain/<id>/"},
    {"watches", offsetof(struct xsd_quota, watches), 128, "watches per unprivileged connection"},
    {"transactions", offsetof(struct xsd_quota, transactions), 10,
     "open transactions per unprivileged connection"},
    {"permissions", offsetof(struct xsd_quota, perms), 5, "permission entries per node"},
    {"transaction-nodes", offsetof(struct xsd_quota, tx_nodes), 1024,
     "nodes one unprivileged transaction may touch"},
    {"outstanding", offsetof(struct xsd_quota, outstanding), 20,
     "unsent replies before a connection's input pauses"},
    {"output-max", offsetof(struct xsd_quota, output_max), 1024 * 1024,
     "unread output bytes before a connection is dropped"},
};

#define NQUOTAS (sizeof(quotas) / sizeof(quotas[0]))

static uint32_t *qfield(struct xsd_quota *q, size_t i)
{
    return (uint32_t *)((char *)q + quotas[i].off);
}

void xsd_quota_defaults(struct xsd_quota *q)
{
    size_t i;

    for (i = 0; i < NQUOTAS; i++)
        *qfield(q, i) = quotas[i].def;
}

/* Set quota name to val (decimal); 0 is refused (it would lock clients out). */
int xsd_quota_set(const char *name, const char *val)
{
    unsigned long v;
    size_t i;

    if (xsd_parse_uint(val, 0xffffffffu, &v) || v == 0)
        return -EINVAL;
    for (i = 0; i < NQUOTAS; i++) {
        if (!strcmp(quotas[i].name, name)) {
            if (!strcmp(name, "path-max") && v > XENSTORE_REL_PATH_MAX)
                v = XENSTORE_REL_PATH_MAX;
            if (!strcmp(name, "outstanding") && v < 1)
                v = 1;
            if (!strcmp(name, "output-max") && v < 2 * XSD_MSG_MAX)
                v = 2 * XSD_MSG_MAX;
            *qfield(&xsd.quota, i) = (uint32_t)v;
            return 0;
        }
    }
    return -EINVAL;
}

struct out {
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t len;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int l;

    if (o->len >= sizeof(o->buf) - 1)
        return;
    va_start(ap, fmt);
    l = vsnprintf(o->buf + o->len, sizeof(o->buf) - 1 - o->len, fmt, ap);
    va_end(ap);
    if (l > 0)
        o->len += (size_t)l < sizeof(o->buf) - 1 - o->len ? (size_t)l : sizeof(o->buf) - 1 - o->len;
}

static int send_out(struct xsd_req *r, struct out *o)
{
    o->buf[o->len] = '\0';
    return xsd_reply(r, o->buf, (uint32_t)o->len + 1);
}

static int ctl_quota(struct xsd_req *r, const char **argv, int argc)
{
    struct out o = {.len = 0};
    size_t i;

    if (argc == 0) {
        for (i = 0; i < NQUOTAS; i++)
            outf(&o, "%-18s %10u  %s\n", quotas[i].name, *qfield(&xsd.quota, i), quotas[i].what);
        return send_out(r, &o);
    }
    if (!strcmp(argv[0], "set")) {
        int ret;

        if (argc != 3)
            return -EINVAL;
        ret = xsd_quota_set(argv[1], argv[2]);
        if (ret)
            return ret;
        xsd_log("quota %s set to %s", argv[1], argv[2]);
        return xsd_reply_ok(r);
    }
    {
        unsigned long domid;
        struct xsd_domain *d;
        struct xsd_conn *c;
        uint32_t w = 0, t = 0;

        if (argc != 1 || xsd_parse_uint(argv[0], 0xffff, &domid))
            return -EINVAL;
        d = xsd_domain_find((uint32_t)domid);
        if (!d)
            return -ENOENT;
        for (c = xsd.conns; c; c = c->next) {
            if (!c->dead && c->domain == d) {
                w += c->nwatches;
                t += c->ntxs;
            }
        }
        outf(&o, "domain %u: nodes %u/%u watches %u transactions %u%s\n", d->domid, d->nnodes,
             xsd.quota.nodes, w, t, d->introduced ? " (introduced)" : "");
        return send_out(r, &o);
    }
}

static int ctl_memreport(struct xsd_req *r)
{
    struct out o = {.len = 0};
    uint64_t vbytes = 0, cbytes = 0, pbytes = 0, nbytes = 0, obytes = 0;
    uint32_t b, nconn = 0, ntx = 0, ndom = 0;
    struct xsd_conn *c;
    struct xsd_domain *d;

    for (b = 0; b <= xsd.tree.mask; b++) {
        const struct xsd_node *n;

        for (n = xsd.tree.bucket[b]; n; n = n->hnext) {
            vbytes += n->vlen;
            cbytes += n->childlen;
            pbytes += n->perms.num * sizeof(struct xsd_perm);
            nbytes += sizeof(*n) + n->pathlen + 1;
        }
    }
    for (c = xsd.conns; c; c = c->next) {
        if (c->dead)
            continue;
        nconn++;
        ntx += c->ntxs;
        obytes += c->out_cap + 16 * 1024;
    }
    for (d = xsd.domains; d; d = d->next)
        ndom++;
    outf(&o, "nodes %u (hash buckets %u)\n", xsd.tree.count, xsd.tree.mask + 1);
    outf(&o, "node structs %llu bytes, values %llu, child lists %llu, permissions %llu\n",
         (unsigned long long)nbytes, (unsigned long long)vbytes, (unsigned long long)cbytes,
         (unsigned long long)pbytes);
    outf(&o, "connections %u (buffers %llu bytes), transactions %u, watches %u, domains %u\n",
         nconn, (unsigned long long)obytes, ntx, xsd_watch_total(), ndom);
    outf(&o, "generation %llu\n", (unsigned long long)xsd.generation);
    xsd_log("memreport: %.*s", (int)o.len, o.buf);
    return send_out(r, &o);
}

int xsd_do_control(struct xsd_req *r)
{
    const char *argv[8];
    int argc = 0, i;
    uint32_t off = 0;
    struct out o = {.len = 0};

    /* Command and parameters are NUL-terminated strings; a bare tail is one more. */
    while (off < r->hdr.len && argc < 8) {
        const char *nul = memchr(r->data + off, '\0', r->hdr.len - off);

        if (!nul)
            return -EINVAL;
        argv[argc++] = r->data + off;
        off = (uint32_t)(nul - r->data) + 1;
    }
    if (!argc)
        return -EINVAL;
    /* Clients send "cmd\0" then an empty parameter block: drop empty tails. */
    while (argc > 1 && !argv[argc - 1][0])
        argc--;
    if (!strcmp(argv[0], "help")) {
        outf(&o, "help\nlog [on|off]\nlogfile <file>\nquota [set <name> <val>|<domid>]\n"
                 "memreport\nprint <string>\ncheck\n");
        return send_out(r, &o);
    }
    if (!strcmp(argv[0], "log")) {
        if (argc == 1) {
            outf(&o, "log is %s\n", xsd.log_on ? "on" : "off");
            return send_out(r, &o);
        }
        if (!strcmp(argv[1], "on"))
            xsd.log_on = true;
        else if (!strcmp(argv[1], "off"))
            xsd.log_on = false;
        else
            return -EINVAL;
        return xsd_reply_ok(r);
    }
    if (!strcmp(argv[0], "logfile")) {
        if (argc != 2)
            return -EINVAL;
        xsd_set_logfile(argv[1]);
        return xsd_reply_ok(r);
    }
    if (!strcmp(argv[0], "quota"))
        return ctl_quota(r, argv + 1, argc - 1);
    if (!strcmp(argv[0], "memreport"))
        return ctl_memreport(r);
    if (!strcmp(argv[0], "print")) {
        for (i = 1; i < argc; i++)
            xsd_log("print: %s", argv[i]);
        return xsd_reply_ok(r);
    }
    if (!strcmp(argv[0], "check")) {
        char msg[256];
        int bad = xsd_tree_check(msg, sizeof(msg));

        if (bad)
            outf(&o, "%d problems; first: %s\n", bad, msg);
        else
            outf(&o, "store is consistent (%u nodes)\n", xsd.tree.count);
        return send_out(r, &o);
    }
    return -EINVAL;
}
