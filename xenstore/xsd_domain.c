/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: domains.
 *
 * A domain struct exists for every domain id that owns nodes or has been
 * introduced; it carries the node count the "nodes" quota is checked
 * against.  INTRODUCE hands the domain to the backend (standalone sockets,
 * or the guest's store ring in a dom0) which creates its connection;
 * RELEASE, or the domain's death noticed by the guest backend, takes it
 * away again, which closes its connections (dropping their watches and
 * transactions) and removes the nodes it owns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct xsd_domain *xsd_domain_find(uint32_t domid)
{
    struct xsd_domain *d;

    for (d = xsd.domains; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

struct xsd_domain *xsd_domain_get(uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(domid);

    if (d)
        return d;
    d = xsd_zalloc(sizeof(*d));
    if (!d)
        return NULL;
    d->domid = domid;
    d->target = ~0u;
    d->next = xsd.domains;
    xsd.domains = d;
    return d;
}

bool xsd_domid_unprivileged(uint32_t domid)
{
    return domid != 0;
}

void xsd_domain_nodes_add(uint32_t domid, int delta)
{
    struct xsd_domain *d;

    if (domid == 0)
        return;
    d = xsd_domain_get(domid);
    if (!d)
        return;
    if (delta < 0 && d->nnodes < (uint32_t)-delta)
        d->nnodes = 0;
    else
        d->nnodes += (uint32_t)delta;
}

uint32_t xsd_domain_nodes(uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_find(domid);

    return d ? d->nnodes : 0;
}

int xsd_domain_path(uint32_t domid, char *buf, size_t len)
{
    int l = snprintf(buf, len, "/local/domain/%u", domid);

    return (l < 0 || (size_t)l >= len) ? -E2BIG : l;
}

void xsd_domain_free_all(void)
{
    while (xsd.domains) {
        struct xsd_domain *d = xsd.domains;

        xsd.domains = d->next;
        if (d->introduced && xsd.backend)
            xsd.backend->detach(d);
        free(d);
    }
}

/* Unlink and free d, which has no connection and owns nothing. */
static void domain_free(struct xsd_domain *d)
{
    struct xsd_domain **pp;

    for (pp = &xsd.domains; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }
    free(d);
}

/* A gone domain keeps no rights on the special nodes (its id may be reused). */
static void special_perms_forget(struct xsd_perms *p, uint32_t domid)
{
    uint32_t i, k;

    if (!p->num)
        return;
    if (p->p[0].domid == domid)
        p->p[0].domid = 0;
    for (i = k = 1; i < p->num; i++)
        if (p->p[i].domid != domid)
            p->p[k++] = p->p[i];
    p->num = k;
}

/*
 * Take introduced domain d away: its connection (watches, transactions), its
 * backend resources, what it owns, then tell @releaseDomain watchers.  Used
 * by RELEASE and when the guest backend sees the domain die.
 */
void xsd_domain_release(struct xsd_domain *d)
{
    struct xsd_domain *o;

    if (xsd.backend)
        xsd.backend->detach(d);
    d->introduced = false;
    d->shutdown = false;
    d->target = ~0u;
    for (o = xsd.domains; o; o = o->next)
        if (o->target == d->domid)
            o->target = ~0u;
    xsd_store_remove_owned(d->domid);
    special_perms_forget(&xsd.special_intro, d->domid);
    special_perms_forget(&xsd.special_release, d->domid);
    xsd_log("domain %u released", d->domid);
    xsd_watch_fire_special(XSD_SPECIAL_RELEASE, d->domid);
}

/* Parse the idx-th argument as a domain id (decimal, <= max). */
static int arg_domid(struct xsd_req *r, int idx, unsigned long max, uint32_t *out)
{
    const char *s = xsd_nth_string(r->data, r->hdr.len, idx);
    unsigned long v;

    if (!s || xsd_parse_uint(s, max, &v))
        return -EINVAL;
    *out = (uint32_t)v;
    return 0;
}

/* A request carrying exactly one string: a domain id. */
static int one_domid(struct xsd_req *r, uint32_t *out)
{
    if (!r->hdr.len || r->data[r->hdr.len - 1] != '\0' ||
        xsd_count_strings(r->data, r->hdr.len) != 1)
        return -EINVAL;
    return arg_domid(r, 0, 0xffff, out);
}

/* INTRODUCE <domid>|<gfn>|<evtchn>| */
int xsd_do_introduce(struct xsd_req *r)
{
    const char *gfn_s, *port_s;
    uint32_t domid;
    unsigned long gfn, port;
    struct xsd_domain *d;
    bool fresh;
    int ret;

    if (xsd_count_strings(r->data, r->hdr.len) < 3)
        return -EINVAL;
    ret = arg_domid(r, 0, XSD_DOMID_MAX, &domid);
    if (ret || domid == 0)
        return -EINVAL;
    gfn_s = xsd_nth_string(r->data, r->hdr.len, 1);
    port_s = xsd_nth_string(r->data, r->hdr.len, 2);
    /* The gfn is signed decimal on the wire; we only keep it for a ring backend. */
    if (gfn_s[0] == '-')
        gfn_s++;
    if (xsd_parse_uint(gfn_s, ~0ul, &gfn) || xsd_parse_uint(port_s, 0xffffffffu, &port) ||
        port == 0)
        return -EINVAL;
    fresh = !xsd_domain_find(domid);
    d = xsd_domain_get(domid);
    if (!d)
        return -ENOMEM;
    if (d->introduced) {
        /* As on Xen: a second INTRODUCE rebinds the port and resets the ring. */
        if (xsd.backend && xsd.backend->reintroduce) {
            ret = xsd.backend->reintroduce(d, (uint32_t)port);
            if (ret)
                return ret;
            d->evtchn = (uint32_t)port;
            xsd_log("domain %u introduced again (evtchn %lu)", domid, port);
        }
        return xsd_reply_ok(r);
    }
    d->gfn = gfn;
    d->evtchn = (uint32_t)port;
    if (xsd.backend) {
        ret = xsd.backend->attach(d);
        if (ret) {
            /* Leave nothing behind that a failed INTRODUCE created. */
            if (fresh && !d->nnodes)
                domain_free(d);
            return ret;
        }
    }
    d->introduced = true;
    d->shutdown = false;
    xsd_log("domain %u introduced (gfn %lu, evtchn %lu)", domid, gfn, port);
    xsd_watch_fire_special(XSD_SPECIAL_INTRO, domid);
    return xsd_reply_ok(r);
}

static int introduced_domain(struct xsd_req *r, struct xsd_domain **out)
{
    uint32_t domid;
    struct xsd_domain *d;
    int ret = one_domid(r, &domid);

    if (ret)
        return ret;
    if (domid == 0)
        return -EINVAL;
    d = xsd_domain_find(domid);
    if (!d || !d->introduced)
        return -ENOENT;
    *out = d;
    return 0;
}

/* RELEASE <domid>| */
int xsd_do_release(struct xsd_req *r)
{
    struct xsd_domain *d;
    int ret = introduced_domain(r, &d);

    if (ret)
        return ret;
    xsd_domain_release(d);
    /* A release often comes with other deaths (a destroy in progress). */
    if (xsd.backend && xsd.backend->check)
        xsd.backend->check();
    return xsd_reply_ok(r);
}

/* RESUME <domid>| */
int xsd_do_resume(struct xsd_req *r)
{
    struct xsd_domain *d;
    int ret = introduced_domain(r, &d);

    if (ret)
        return ret;
    d->shutdown = false;
    return xsd_reply_ok(r);
}

/* SET_TARGET <domid>|<tdomid>| */
int xsd_do_set_target(struct xsd_req *r)
{
    uint32_t domid, tdomid;
    struct xsd_domain *d, *t;

    if (xsd_count_strings(r->data, r->hdr.len) < 2 || arg_domid(r, 0, 0xffff, &domid) ||
        arg_domid(r, 1, 0xffff, &tdomid))
        return -EINVAL;
    d = xsd_domain_find(domid);
    t = xsd_domain_find(tdomid);
    if (!d || !d->introduced || !t || !t->introduced)
        return -ENOENT;
    d->target = tdomid;
    return xsd_reply_ok(r);
}

/* GET_DOMAIN_PATH <domid>| -> /local/domain/<domid> */
int xsd_do_get_domain_path(struct xsd_req *r)
{
    uint32_t domid;
    char buf[64];
    int l, ret = one_domid(r, &domid);

    if (ret)
        return ret;
    l = xsd_domain_path(domid, buf, sizeof(buf));
    if (l < 0)
        return l;
    return xsd_reply(r, buf, (uint32_t)l + 1);
}

/* IS_DOMAIN_INTRODUCED <domid>| -> T or F */
int xsd_do_is_domain_introduced(struct xsd_req *r)
{
    uint32_t domid;
    struct xsd_domain *d;
    bool yes;
    int ret = one_domid(r, &domid);

    if (ret)
        return ret;
    d = xsd_domain_find(domid);
    yes = domid == 0 || domid == XSD_DOMID_SELF || (d && d->introduced);
    return xsd_reply(r, yes ? "T" : "F", 2);
}
