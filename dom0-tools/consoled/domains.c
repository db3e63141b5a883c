/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which domains have consoles.  xenstored fires @introduceDomain when the
 * toolstack introduces a domain and @releaseDomain when one shuts down,
 * dies or is released; either way the hypervisor's domain list is the
 * truth: a domain that is listed and not dying gets a watch on its console
 * directory (console.c takes it from there), a domain that is dying or no
 * longer listed loses its console.  Dom0 has none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "consoled.h"

#define LIST_BATCH 64

struct domain *domain_find(struct consoled *cd, domid_t domid)
{
    for (struct domain *d = cd->domains; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

struct domain *domain_by_port(struct consoled *cd, int port)
{
    for (struct domain *d = cd->domains; d; d = d->next)
        if (d->con.state == CONS_UP && d->con.local_port == port)
            return d;
    return NULL;
}

static void watch_token(char *buf, size_t len, domid_t domid)
{
    snprintf(buf, len, "d%u", domid);
}

static void console_path(char *buf, size_t len, const struct domain *d)
{
    snprintf(buf, len, "%s/console", d->path);
}

static struct domain *domain_add(struct consoled *cd, domid_t domid)
{
    struct domain *d = calloc(1, sizeof(*d)), **pp;
    char path[64], token[16];

    if (!d) {
        msg(MSG_ERR, "domain %u: out of memory: its console is not served", domid);
        return NULL;
    }
    d->domid = domid;
    snprintf(d->path, sizeof(d->path), "/local/domain/%u", domid);
    console_init(&d->con);
    console_path(path, sizeof(path), d);
    watch_token(token, sizeof(token), domid);
    /* The watch fires once at once, which does the first console_update. */
    if (!xs_watch(cd->xs, path, token)) {
        msg(MSG_ERR, "domain %u: cannot watch %s: %s", domid, path, strerror(errno));
        free(d);
        return NULL;
    }
    for (pp = &cd->domains; *pp && (*pp)->domid < domid; pp = &(*pp)->next)
        ;
    d->next = *pp;
    *pp = d;
    msg(MSG_INFO, "domain %u: watching %s", domid, path);
    return d;
}

static void domain_remove(struct consoled *cd, struct domain *d, bool clear_tty, const char *why)
{
    char path[64], token[16];

    console_teardown(cd, d, clear_tty, why);
    console_path(path, sizeof(path), d);
    watch_token(token, sizeof(token), d->domid);
    /* Events already queued for this token find no domain and are dropped. */
    if (!xs_unwatch(cd->xs, path, token))
        msg(MSG_DEBUG, "domain %u: unwatch %s: %s", d->domid, path, strerror(errno));
    for (struct domain **pp = &cd->domains; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }
    msg(MSG_INFO, "domain %u: forgotten (%s)", d->domid, why);
    free(d);
}

void domains_refresh(struct consoled *cd)
{
    struct cons_dominfo info[LIST_BATCH];
    struct domain *d, *next;
    unsigned int first = 1;
    int n;

    for (d = cd->domains; d; d = d->next)
        d->seen = false;
    do {
        n = cd->hv->list(cd->hv, (domid_t)first, info, LIST_BATCH);
        if (n < 0) {
            /* Keep what we have; the next event tries again. */
            msg(MSG_ERR, "cannot list domains: %s", cd->hv->error(cd->hv));
            return;
        }
        for (int i = 0; i < n; i++) {
            if (info[i].domid == 0 || info[i].domid >= DOMID_FIRST_RESERVED)
                continue;
            d = domain_find(cd, info[i].domid);
            if (info[i].dying)
                continue; /* unseen: removed below */
            if (!d)
                d = domain_add(cd, info[i].domid);
            if (d)
                d->seen = true;
        }
        if (n)
            first = info[n - 1].domid + 1u;
    } while (n == LIST_BATCH && first < DOMID_FIRST_RESERVED);
    for (d = cd->domains; d; d = next) {
        next = d->next;
        if (!d->seen)
            domain_remove(cd, d, false, "the domain died");
    }
}

void domains_console_changed(struct consoled *cd, domid_t domid)
{
    struct domain *d = domain_find(cd, domid);

    if (d)
        console_update(cd, d);
}

void domains_teardown_all(struct consoled *cd)
{
    while (cd->domains)
        domain_remove(cd, cd->domains, true, "pvxconsoled is stopping");
}

void domains_reload(struct consoled *cd)
{
    for (struct domain *d = cd->domains; d; d = d->next) {
        if (d->con.state == CONS_UP) {
            console_reopen_log(cd, d);
        } else if (d->con.state == CONS_FAILED) {
            d->con.state = CONS_IDLE; /* so the same nodes are tried again */
            console_update(cd, d);
        }
    }
}
