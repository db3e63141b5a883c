/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored unit tests (cmocka) of the guest backend (xsd_guest.c)
 * against a fake hypervisor: domains are entries of a table, "foreign
 * mappings" are static pages the test reads and writes as the guest would,
 * and event channels are counters.  dom0 talks through the in-memory
 * transport; guests talk through their rings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xenstored.h"
#include <public/xen.h>
#include <public/domctl.h>

/* ---- the fake hypervisor ---------------------------------------------------- */

#define NDOM      8
#define NPORT     64
#define VIRQ_PORT 1

struct fake_dom {
    bool exists;
    uint32_t flags; /* PVX_DOMINF_* */
    uint64_t mfn;   /* its store frame */
    uint32_t port;  /* its unbound store port (remote end dom0) */
    unsigned int mapped;
};

static struct fake_dom doms[NDOM];
static struct xenstore_domain_interface pages[NDOM];
static struct {
    bool bound;
    uint32_t domid;
    unsigned int notified;
} ports[NPORT];
static unsigned int nmap, nunmap, nbind, nunbind;
static bool fail_map, fail_bind;

static int fake_map(uint32_t domid, uint64_t mfn, void **page)
{
    if (fail_map || domid >= NDOM || !doms[domid].exists || doms[domid].mfn != mfn)
        return -EINVAL;
    doms[domid].mapped++;
    nmap++;
    *page = &pages[domid];
    return 0;
}

static void fake_unmap(void *page)
{
    size_t i = (size_t)((struct xenstore_domain_interface *)page - pages);

    assert_true(i < NDOM);
    assert_true(doms[i].mapped > 0);
    doms[i].mapped--;
    nunmap++;
}

static int new_port(uint32_t domid)
{
    int p;

    for (p = VIRQ_PORT + 1; p < NPORT; p++) {
        if (!ports[p].bound) {
            ports[p].bound = true;
            ports[p].domid = domid;
            ports[p].notified = 0;
            nbind++;
            return p;
        }
    }
    return -ENOSPC;
}

static int fake_bind(uint32_t domid, uint32_t remote)
{
    if (fail_bind || domid >= NDOM || !doms[domid].exists || doms[domid].port != remote)
        return -EINVAL;
    return new_port(domid);
}

static int fake_bind_virq(uint32_t virq)
{
    assert_int_equal(virq, VIRQ_DOM_EXC);
    assert_false(ports[VIRQ_PORT].bound);
    ports[VIRQ_PORT].bound = true;
    nbind++;
    return VIRQ_PORT;
}

static void fake_unbind(uint32_t port)
{
    assert_true(port < NPORT && ports[port].bound);
    ports[port].bound = false;
    nunbind++;
}

static void fake_notify(uint32_t port)
{
    assert_true(port < NPORT && ports[port].bound);
    ports[port].notified++;
}

static int fake_domain_info(uint32_t domid, uint32_t *flags)
{
    if (domid >= NDOM || !doms[domid].exists)
        return -ESRCH;
    *flags = doms[domid].flags;
    return 0;
}

static const struct xsd_hyp_ops fake_ops = {
    .map = fake_map,
    .unmap = fake_unmap,
    .bind = fake_bind,
    .bind_virq = fake_bind_virq,
    .unbind = fake_unbind,
    .notify = fake_notify,
    .domain_info = fake_domain_info,
};

/* Our local port for domid's store channel (0: none). */
static uint32_t port_of(uint32_t domid)
{
    uint32_t p;

    for (p = VIRQ_PORT + 1; p < NPORT; p++)
        if (ports[p].bound && ports[p].domid == domid)
            return p;
    return 0;
}

static void virq(void)
{
    xsd_guest_port_event(VIRQ_PORT);
    xsd_conn_flush_all();
}

/* ---- messages ------------------------------------------------------------------ */

struct reply {
    uint32_t type, req_id, len;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

static struct reply R;

/* Events seen, per domain (dom0's in-memory connection is index 0). */
#define MAXEV 32
static struct {
    int n;
    char ev[MAXEV][256];
} evq[NDOM];

/* Parse messages in buf: events are queued, the last reply goes to R. */
static int parse(int q, const uint8_t *buf, size_t n)
{
    size_t off = 0;
    int replies = 0;

    while (off + XSD_HDR_SIZE <= n) {
        struct xsd_sockmsg h;
        const char *p = (const char *)buf + off + XSD_HDR_SIZE;

        memcpy(&h, buf + off, sizeof(h));
        assert_true(off + XSD_HDR_SIZE + h.len <= n);
        if (h.type == XS_WATCH_EVENT) {
            assert_true(evq[q].n < MAXEV);
            snprintf(evq[q].ev[evq[q].n++], 256, "%s|%s", p, p + strlen(p) + 1);
        } else {
            R.type = h.type;
            R.req_id = h.req_id;
            R.len = h.len;
            memcpy(R.body, p, h.len);
            R.body[h.len] = '\0';
            replies++;
        }
        off += XSD_HDR_SIZE + h.len;
    }
    assert_int_equal(off, n);
    return replies;
}

static uint32_t pack(char *buf, int n, ...)
{
    va_list ap;
    uint32_t off = 0;

    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *s = va_arg(ap, const char *);

        strcpy(buf + off, s);
        off += (uint32_t)strlen(s) + 1;
    }
    va_end(ap);
    return off;
}

static size_t frame(uint8_t *msg, uint32_t type, const void *p, uint32_t len)
{
    struct xsd_sockmsg h = {.type = type, .req_id = 42, .tx_id = 0, .len = len};

    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), p, len);
    return sizeof(h) + len;
}

/* ---- dom0, over the in-memory transport ------------------------------------------ */

static struct xsd_conn *dom0;

static uint32_t d0(uint32_t type, int n, ...)
{
    static uint8_t msg[XSD_MSG_MAX], out[1 << 16];
    char buf[XSD_MSG_MAX];
    uint32_t len = 0;
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *s = va_arg(ap, const char *);

        strcpy(buf + len, s);
        len += (uint32_t)strlen(s) + 1;
    }
    va_end(ap);
    if (type == XS_WRITE)
        len--; /* a value carries no NUL */
    xsd_mem_feed(dom0, msg, frame(msg, type, buf, len));
    memset(&R, 0, sizeof(R));
    assert_int_equal(parse(0, out, xsd_mem_take(dom0, out, sizeof(out))), 1);
    return R.type;
}

/* ---- guests, over their rings ----------------------------------------------------- */

/* Bytes the daemon has put in domid's response ring, consumed as the guest would. */
static size_t ring_take_rsp(uint32_t domid, uint8_t *buf, size_t cap)
{
    struct xenstore_domain_interface *p = &pages[domid];
    size_t n = 0;

    while (p->rsp_cons != p->rsp_prod) {
        assert_true(n < cap);
        buf[n++] = (uint8_t)p->rsp[MASK_XENSTORE_IDX(p->rsp_cons)];
        p->rsp_cons++;
    }
    return n;
}

/* Write msg into domid's request ring, kicking the daemon whenever it is full,
 * and collect what comes back (kicking it again whenever we made room). */
static size_t guest_io(uint32_t domid, const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
    struct xenstore_domain_interface *p = &pages[domid];
    size_t done = 0, got = 0;
    uint32_t port = port_of(domid);
    int rounds = 0;

    assert_true(port);
    for (;;) {
        size_t before = got;

        while (done < len && p->req_prod - p->req_cons < XENSTORE_RING_SIZE)
            p->req[MASK_XENSTORE_IDX(p->req_prod++)] = (char)msg[done++];
        xsd_guest_port_event(port);
        xsd_conn_flush_all();
        got += ring_take_rsp(domid, out + got, cap - got);
        if (done == len && got == before)
            break;
        assert_true(++rounds < 100);
    }
    return got;
}

static uint32_t greq(uint32_t domid, uint32_t type, const void *payload, uint32_t len)
{
    static uint8_t msg[XSD_MSG_MAX], out[1 << 16];
    size_t n;

    n = guest_io(domid, msg, frame(msg, type, payload, len), out, sizeof(out));
    memset(&R, 0, sizeof(R));
    assert_int_equal(parse((int)domid, out, n), 1);
    assert_int_equal(R.req_id, 42);
    return R.type;
}

static uint32_t g1(uint32_t domid, uint32_t type, const char *a)
{
    return greq(domid, type, a, (uint32_t)strlen(a) + 1);
}

static uint32_t g2(uint32_t domid, uint32_t type, const char *a, const char *b)
{
    char buf[XSD_MSG_MAX];
    uint32_t len = pack(buf, 2, a, b);

    return greq(domid, type, buf, type == XS_WRITE ? len - 1 : len);
}

static bool is(uint32_t type, const char *body)
{
    if (R.type != type || strcmp(R.body, body))
        print_error("reply %u '%s', wanted %u '%s'\n", R.type, R.body, type, body);
    return R.type == type && !strcmp(R.body, body);
}

static bool is_err(uint32_t type, const char *name)
{
    return type == XS_ERROR && is(XS_ERROR, name);
}

/* Collect what q (0: dom0) has been sent; there must be no replies. */
static void drain(int q)
{
    static uint8_t out[1 << 16];
    size_t n =
        q ? ring_take_rsp((uint32_t)q, out, sizeof(out)) : xsd_mem_take(dom0, out, sizeof(out));

    assert_int_equal(parse(q, out, n), 0);
}

/* The next event for q (0: dom0) is want. */
static bool pop(int q, const char *want)
{
    drain(q);
    if (!evq[q].n) {
        print_error("no event, wanted %s\n", want);
        return false;
    }
    if (strcmp(evq[q].ev[0], want)) {
        print_error("event %s, wanted %s\n", evq[q].ev[0], want);
        return false;
    }
    memmove(evq[q].ev[0], evq[q].ev[1], (size_t)(evq[q].n - 1) * sizeof(evq[q].ev[0]));
    evq[q].n--;
    return true;
}

static bool quiet(int q)
{
    drain(q);
    if (evq[q].n)
        print_error("unexpected event %s\n", evq[q].ev[0]);
    return evq[q].n == 0;
}

/* Live connections of domid. */
static int conns_of(uint32_t domid)
{
    int n = 0;

    for (struct xsd_conn *c = xsd.conns; c; c = c->next)
        if (!c->dead && c->domid == domid && c->domain)
            n++;
    return n;
}

static void make_domain(uint32_t domid)
{
    doms[domid].exists = true;
    doms[domid].flags = PVX_DOMINF_paused;
    doms[domid].mfn = 0x1000 + domid;
    doms[domid].port = 3 + domid;
}

static uint32_t introduce(uint32_t domid)
{
    char id[16], mfn[32], port[16];

    snprintf(id, sizeof(id), "%u", domid);
    snprintf(mfn, sizeof(mfn), "%llu", (unsigned long long)doms[domid].mfn);
    snprintf(port, sizeof(port), "%u", doms[domid].port);
    return d0(XS_INTRODUCE, 3, id, mfn, port);
}

/* A running guest domid, introduced, owning /local/domain/<domid>. */
static void up(uint32_t domid)
{
    char home[64], owner[16];

    make_domain(domid);
    assert_int_equal(introduce(domid), XS_INTRODUCE);
    snprintf(home, sizeof(home), "/local/domain/%u", domid);
    snprintf(owner, sizeof(owner), "n%u", domid);
    assert_int_equal(d0(XS_MKDIR, 1, home), XS_MKDIR);
    assert_int_equal(d0(XS_SET_PERMS, 2, home, owner), XS_SET_PERMS);
    doms[domid].flags = PVX_DOMINF_running;
}

static int setup(void **state)
{
    (void)state;
    memset(&xsd, 0, sizeof(xsd));
    memset(doms, 0, sizeof(doms));
    memset(pages, 0, sizeof(pages));
    memset(ports, 0, sizeof(ports));
    memset(evq, 0, sizeof(evq));
    nmap = nunmap = nbind = nunbind = 0;
    fail_map = fail_bind = false;
    xsd_quota_defaults(&xsd.quota);
    assert_int_equal(xsd_core_init(), 0);
    assert_int_equal(xsd_guest_init(&fake_ops), 0);
    xsd.backend = &xsd_guest_backend;
    dom0 = xsd_mem_conn(NULL);
    return dom0 ? 0 : -1;
}

/* Everything the backend mapped or bound is given back at exit. */
static int teardown(void **state)
{
    char msg[200];

    (void)state;
    xsd_conn_reap();
    if (xsd_tree_check(msg, sizeof(msg)))
        fail_msg("store inconsistent: %s", msg);
    xsd_core_free();
    xsd_guest_fini();
    assert_int_equal(nmap, nunmap);
    assert_int_equal(nbind, nunbind);
    return 0;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_introduce(void **state)
{
    struct xenstore_domain_interface *p = &pages[5];

    (void)state;
    make_domain(5);
    /* What an earlier user of the page left there. */
    p->req_cons = p->req_prod = 700;
    p->rsp_cons = 90;
    p->rsp_prod = 100;
    p->connection = XENSTORE_RECONNECT;
    assert_int_equal(d0(XS_WATCH, 2, "@introduceDomain", "i"), XS_WATCH);
    assert_true(pop(0, "@introduceDomain|i"));
    assert_int_equal(d0(XS_IS_DOMAIN_INTRODUCED, 1, "5"), XS_IS_DOMAIN_INTRODUCED);
    assert_true(is(XS_IS_DOMAIN_INTRODUCED, "F"));

    assert_int_equal(introduce(5), XS_INTRODUCE);
    assert_true(is(XS_INTRODUCE, "OK"));
    assert_int_equal(doms[5].mapped, 1);
    assert_true(port_of(5));
    assert_true(ports[port_of(5)].notified >= 1);
    assert_int_equal(p->req_cons, 0);
    assert_int_equal(p->req_prod, 0);
    assert_int_equal(p->rsp_cons, 0);
    assert_int_equal(p->rsp_prod, 0);
    assert_int_equal(p->connection, XENSTORE_CONNECTED);
    assert_int_equal(conns_of(5), 1);
    assert_true(pop(0, "@introduceDomain|i"));
    assert_int_equal(d0(XS_IS_DOMAIN_INTRODUCED, 1, "5"), XS_IS_DOMAIN_INTRODUCED);
    assert_true(is(XS_IS_DOMAIN_INTRODUCED, "T"));
    /* The guest is served at once. */
    assert_true(is_err(g1(5, XS_READ, "nothing"), "EACCES")); /* dom0 would see ENOENT */
}

static void test_guest_identity(void **state)
{
    (void)state;
    up(5);
    up(6);
    assert_int_equal(d0(XS_WRITE, 2, "/local/domain/5/name", "five"), XS_WRITE);
    assert_int_equal(d0(XS_WRITE, 2, "/local/domain/6/name", "six"), XS_WRITE);
    assert_int_equal(d0(XS_WRITE, 2, "/vm/secret", "s"), XS_WRITE);
    /* Relative paths are below its home; it owns what it creates there. */
    assert_int_equal(g1(5, XS_READ, "name"), XS_READ);
    assert_true(is(XS_READ, "five"));
    assert_int_equal(g2(5, XS_WRITE, "data/x", "1"), XS_WRITE);
    assert_int_equal(d0(XS_GET_PERMS, 1, "/local/domain/5/data/x"), XS_GET_PERMS);
    assert_true(is(XS_GET_PERMS, "n5"));
    assert_int_equal(g1(5, XS_GET_DOMAIN_PATH, "5"), XS_GET_DOMAIN_PATH);
    assert_true(is(XS_GET_DOMAIN_PATH, "/local/domain/5"));
    /* Other guests' trees and dom0's are closed to it. */
    assert_true(is_err(g1(5, XS_READ, "/local/domain/6/name"), "EACCES"));
    assert_true(is_err(g2(5, XS_WRITE, "/local/domain/6/x", "1"), "EACCES"));
    assert_true(is_err(g1(5, XS_READ, "/vm/secret"), "EACCES"));
    assert_true(is_err(g1(5, XS_IS_DOMAIN_INTRODUCED, "6"), "EACCES"));
    /* It may not introduce or release anyone. */
    {
        char buf[64];

        assert_true(is_err(greq(5, XS_INTRODUCE, buf, pack(buf, 3, "6", "4102", "9")), "EACCES"));
    }
    assert_true(is_err(g1(5, XS_RELEASE, "6"), "EACCES"));
    /* Relative watches report relative paths, in its ring. */
    assert_int_equal(g2(5, XS_WATCH, "data", "t"), XS_WATCH);
    assert_true(pop(5, "data|t"));
    assert_int_equal(d0(XS_WRITE, 2, "/local/domain/5/data/y", "2"), XS_WRITE);
    assert_true(quiet(6));
    assert_true(pop(5, "data/y|t"));
    assert_int_equal(g1(6, XS_READ, "name"), XS_READ);
    assert_true(is(XS_READ, "six"));
}

/* Requests and replies longer than the ring go through in pieces. */
static void test_ring_wraps(void **state)
{
    static char big[2000], buf[2100]; /* over the ring size, under node-size */
    uint32_t l;

    (void)state;
    up(5);
    memset(big, 'v', sizeof(big));
    l = pack(buf, 1, "data/big");
    memcpy(buf + l, big, sizeof(big));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(greq(5, XS_WRITE, buf, l + (uint32_t)sizeof(big)), XS_WRITE);
        assert_int_equal(g1(5, XS_READ, "data/big"), XS_READ);
        assert_int_equal(R.len, sizeof(big));
        assert_memory_equal(R.body, big, sizeof(big));
    }
    assert_true(pages[5].req_prod > 3 * XENSTORE_RING_SIZE);
}

/* A guest breaking the ring protocol loses its connection, nobody else anything. */
static void test_guest_misbehaves(void **state)
{
    struct xenstore_domain_interface *p5 = &pages[5], *p6 = &pages[6], *p7 = &pages[7];
    uint8_t msg[64];
    struct xsd_sockmsg h = {.type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1};
    uint32_t prod;

    (void)state;
    up(5);
    up(6);
    up(7);
    assert_int_equal(g2(5, XS_WATCH, "data", "t"), XS_WATCH);
    assert_true(pop(5, "data|t"));
    assert_int_equal(g1(5, XS_TRANSACTION_START, ""), XS_TRANSACTION_START);

    /* Requests beyond anything the ring holds. */
    p5->req_prod = p5->req_cons + XENSTORE_RING_SIZE + 1;
    xsd_guest_port_event(port_of(5));
    xsd_conn_flush_all();
    assert_int_equal(p5->error, XENSTORE_ERROR_RINGIDX);
    assert_int_equal(conns_of(5), 0);
    assert_int_equal(xsd_watch_total(), 0);
    prod = p5->rsp_prod;
    assert_int_equal(d0(XS_WRITE, 2, "/local/domain/5/data/z", "1"), XS_WRITE);
    xsd_guest_port_event(port_of(5));
    xsd_conn_flush_all();
    assert_int_equal(p5->rsp_prod, prod);
    /* Still introduced (as on Xen) until released or dead. */
    assert_int_equal(d0(XS_IS_DOMAIN_INTRODUCED, 1, "5"), XS_IS_DOMAIN_INTRODUCED);
    assert_true(is(XS_IS_DOMAIN_INTRODUCED, "T"));

    /* A response index behind the consumer's: the reply cannot be written. */
    p6->rsp_cons = p6->rsp_prod + 1;
    memcpy(msg, &(struct xsd_sockmsg){.type = XS_READ, .req_id = 1, .len = 5}, XSD_HDR_SIZE);
    memcpy(msg + XSD_HDR_SIZE, "name", 5);
    for (uint32_t i = 0; i < XSD_HDR_SIZE + 5; i++)
        p6->req[MASK_XENSTORE_IDX(p6->req_prod++)] = (char)msg[i];
    xsd_guest_port_event(port_of(6));
    xsd_conn_flush_all();
    assert_int_equal(p6->error, XENSTORE_ERROR_RINGIDX);
    assert_int_equal(conns_of(6), 0);

    /* A message longer than the protocol allows. */
    memcpy(msg, &h, sizeof(h));
    for (uint32_t i = 0; i < XSD_HDR_SIZE; i++)
        p7->req[MASK_XENSTORE_IDX(p7->req_prod++)] = (char)msg[i];
    xsd_guest_port_event(port_of(7));
    xsd_conn_flush_all();
    assert_int_equal(p7->error, XENSTORE_ERROR_PROTO);
    assert_int_equal(conns_of(7), 0);

    /* Others carry on: a new guest, and dom0. */
    up(4);
    assert_int_equal(g2(4, XS_WRITE, "x", "1"), XS_WRITE);
    assert_int_equal(d0(XS_READ, 1, "/local/domain/4/x"), XS_READ);
    assert_true(is(XS_READ, "1"));
    assert_int_equal(pages[4].error, XENSTORE_ERROR_NONE);
    /* Release still gives everything back. */
    assert_int_equal(d0(XS_RELEASE, 1, "5"), XS_RELEASE);
    assert_int_equal(doms[5].mapped, 0);
    assert_int_equal(port_of(5), 0);
}

static void test_shutdown_fires_once(void **state)
{
    (void)state;
    up(5);
    up(6);
    assert_int_equal(d0(XS_WATCH, 2, "@releaseDomain", "r"), XS_WATCH);
    assert_true(pop(0, "@releaseDomain|r"));
    virq();
    assert_true(quiet(0));
    doms[5].flags = PVX_DOMINF_shutdown;
    doms[6].flags = PVX_DOMINF_shutdown;
    virq();
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(quiet(0));
    virq();
    assert_true(quiet(0));
    /* Shut down is not dead: the guest is still connected and served. */
    assert_int_equal(conns_of(5), 1);
    assert_int_equal(doms[5].mapped, 1);
    assert_true(is_err(g1(5, XS_READ, "nothing"), "ENOENT"));
    /* After RESUME a new shutdown counts again. */
    assert_int_equal(d0(XS_RESUME, 1, "5"), XS_RESUME);
    virq();
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(quiet(0));
}

static void test_death_tears_down(void **state)
{
    (void)state;
    up(5);
    up(6);
    assert_int_equal(g2(5, XS_WRITE, "data/x", "1"), XS_WRITE);
    assert_int_equal(g2(5, XS_WATCH, "data", "t"), XS_WATCH);
    assert_int_equal(g1(5, XS_TRANSACTION_START, ""), XS_TRANSACTION_START);
    assert_int_equal(d0(XS_WATCH, 2, "@releaseDomain", "r"), XS_WATCH);
    assert_true(pop(0, "@releaseDomain|r"));
    doms[5].flags = PVX_DOMINF_dying | PVX_DOMINF_shutdown;
    virq();
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(quiet(0));
    assert_int_equal(doms[5].mapped, 0);
    assert_int_equal(port_of(5), 0);
    assert_int_equal(conns_of(5), 0);
    assert_int_equal(xsd_watch_total(), 1); /* dom0's */
    assert_int_equal(d0(XS_IS_DOMAIN_INTRODUCED, 1, "5"), XS_IS_DOMAIN_INTRODUCED);
    assert_true(is(XS_IS_DOMAIN_INTRODUCED, "F"));
    assert_true(is_err(d0(XS_READ, 1, "/local/domain/5/data/x"), "ENOENT"));
    assert_true(is_err(d0(XS_RELEASE, 1, "5"), "ENOENT"));
    virq();
    assert_true(quiet(0));
    /* A domain that is simply gone, and a release in passing. */
    doms[6].exists = false;
    virq();
    assert_true(pop(0, "@releaseDomain|r"));
    assert_int_equal(doms[6].mapped, 0);
    assert_int_equal(port_of(6), 0);
    assert_int_equal(conns_of(6), 0);
}

/* RELEASE looks at every domain too: one destroyed meanwhile goes as well. */
static void test_release(void **state)
{
    (void)state;
    up(5);
    up(6);
    assert_true(is_err(d0(XS_RELEASE, 1, "3"), "ENOENT"));
    assert_true(is_err(d0(XS_RELEASE, 1, "0"), "EINVAL"));
    assert_int_equal(d0(XS_WATCH, 2, "@releaseDomain", "r"), XS_WATCH);
    assert_true(pop(0, "@releaseDomain|r"));
    doms[6].exists = false;
    assert_int_equal(d0(XS_RELEASE, 1, "5"), XS_RELEASE);
    assert_true(is(XS_RELEASE, "OK"));
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(quiet(0));
    assert_int_equal(doms[5].mapped + doms[6].mapped, 0);
    assert_int_equal(conns_of(5) + conns_of(6), 0);
    assert_true(is_err(d0(XS_RELEASE, 1, "5"), "ENOENT"));
    /* The domain may be introduced afresh. */
    assert_int_equal(introduce(5), XS_INTRODUCE);
    assert_true(is_err(g1(5, XS_READ, "nothing"), "EACCES")); /* dom0 would see ENOENT */
}

static void test_introduce_fails_cleanly(void **state)
{
    char mfn[32];

    (void)state;
    assert_int_equal(d0(XS_WATCH, 2, "@introduceDomain", "i"), XS_WATCH);
    assert_true(pop(0, "@introduceDomain|i"));
    /* No such domain. */
    assert_true(is_err(d0(XS_INTRODUCE, 3, "5", "4101", "8"), "EINVAL"));
    /* A frame that is not the domain's. */
    make_domain(5);
    snprintf(mfn, sizeof(mfn), "%llu", (unsigned long long)doms[5].mfn + 1);
    assert_true(is_err(d0(XS_INTRODUCE, 3, "5", mfn, "8"), "EINVAL"));
    /* The map fails. */
    fail_map = true;
    assert_true(is_err(introduce(5), "EINVAL"));
    fail_map = false;
    /* The bind fails (after the map worked). */
    fail_bind = true;
    assert_true(is_err(introduce(5), "EINVAL"));
    fail_bind = false;
    assert_int_equal(nmap, 1);
    /* A dying domain. */
    doms[5].flags = PVX_DOMINF_dying;
    assert_true(is_err(introduce(5), "EINVAL"));
    doms[5].flags = 0;
    /* Nothing was left behind. */
    assert_int_equal(nmap, nunmap);
    assert_int_equal(nbind, nunbind + 1); /* VIRQ_DOM_EXC */
    assert_null(xsd_domain_find(5));
    assert_int_equal(conns_of(5), 0);
    assert_true(quiet(0));
    assert_int_equal(d0(XS_IS_DOMAIN_INTRODUCED, 1, "5"), XS_IS_DOMAIN_INTRODUCED);
    assert_true(is(XS_IS_DOMAIN_INTRODUCED, "F"));
    /* And a good INTRODUCE still works. */
    assert_int_equal(introduce(5), XS_INTRODUCE);
    assert_true(pop(0, "@introduceDomain|i"));
}

/* INTRODUCE of an introduced domain: a new port, a reset ring, a fresh connection. */
static void test_reintroduce(void **state)
{
    uint32_t old;

    (void)state;
    up(5);
    assert_int_equal(g2(5, XS_WATCH, "data", "t"), XS_WATCH);
    assert_true(pop(5, "data|t"));
    old = port_of(5);
    doms[5].port = 30;
    pages[5].req_cons = pages[5].req_prod = 55;
    assert_int_equal(introduce(5), XS_INTRODUCE);
    assert_int_not_equal(port_of(5), 0);
    assert_false(ports[old].bound);
    assert_int_equal(pages[5].req_prod, 0);
    assert_int_equal(doms[5].mapped, 1);
    assert_int_equal(conns_of(5), 1);
    assert_int_equal(xsd_watch_total(), 0);
    assert_int_equal(g2(5, XS_WRITE, "data/a", "1"), XS_WRITE);
    assert_true(quiet(5));
    /* A port that cannot be bound leaves the old one in place. */
    doms[5].port = 31;
    old = port_of(5);
    fail_bind = true;
    assert_true(is_err(introduce(5), "EINVAL"));
    fail_bind = false;
    assert_int_equal(port_of(5), old);
    assert_int_equal(g2(5, XS_WRITE, "data/b", "1"), XS_WRITE);
}

/* The special watches reach privileged watchers; guests only by their permissions. */
static void test_special_watches(void **state)
{
    (void)state;
    up(5);
    up(6);
    assert_int_equal(d0(XS_WATCH, 2, "@releaseDomain", "r"), XS_WATCH);
    assert_true(pop(0, "@releaseDomain|r"));
    assert_int_equal(g2(5, XS_WATCH, "@releaseDomain", "g"), XS_WATCH);
    assert_true(pop(5, "@releaseDomain|g"));
    assert_int_equal(g2(5, XS_WATCH, "@introduceDomain", "gi"), XS_WATCH);
    assert_true(pop(5, "@introduceDomain|gi"));
    doms[6].flags = PVX_DOMINF_shutdown;
    virq();
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(quiet(5));
    up(3);
    assert_true(quiet(5));
    /* dom0 lets guest 5 read @releaseDomain. */
    assert_int_equal(d0(XS_SET_PERMS, 3, "@releaseDomain", "n0", "r5"), XS_SET_PERMS);
    assert_true(is_err(g2(5, XS_SET_PERMS, "@releaseDomain", "n5"), "EACCES"));
    doms[6].flags = PVX_DOMINF_dying;
    virq();
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(pop(5, "@releaseDomain|g"));
    assert_true(quiet(5));
    /* Its right goes with it: a later domain 5 hears nothing. */
    assert_int_equal(d0(XS_RELEASE, 1, "5"), XS_RELEASE);
    assert_true(pop(0, "@releaseDomain|r"));
    assert_int_equal(introduce(5), XS_INTRODUCE);
    assert_int_equal(g2(5, XS_WATCH, "@releaseDomain", "g"), XS_WATCH);
    assert_true(pop(5, "@releaseDomain|g"));
    assert_int_equal(d0(XS_RELEASE, 1, "3"), XS_RELEASE);
    assert_true(pop(0, "@releaseDomain|r"));
    assert_true(quiet(5));
}

/* Nodes still owned by a domain that is gone are not inherited by its id's next user. */
static void test_gone_owner(void **state)
{
    (void)state;
    make_domain(3);
    assert_int_equal(d0(XS_MKDIR, 1, "/local/domain/3"), XS_MKDIR);
    assert_int_equal(d0(XS_SET_PERMS, 2, "/local/domain/3", "n3"), XS_SET_PERMS);
    virq();
    assert_int_equal(d0(XS_READ, 1, "/local/domain/3"), XS_READ);
    doms[3].exists = false;
    virq();
    assert_true(is_err(d0(XS_READ, 1, "/local/domain/3"), "ENOENT"));
}

/* Late events: from a dropped guest, a released one, an unknown port. */
static void test_stray_events(void **state)
{
    uint32_t p5;

    (void)state;
    up(5);
    p5 = port_of(5);
    xsd_guest_port_event(NPORT + 5);
    xsd_guest_event_all();
    assert_int_equal(d0(XS_RELEASE, 1, "5"), XS_RELEASE);
    xsd_guest_port_event(p5);
    xsd_guest_event_all();
    assert_int_equal(conns_of(5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_introduce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_misbehaves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shutdown_fires_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_death_tears_down, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release, setup, teardown),
        cmocka_unit_test_setup_teardown(test_introduce_fails_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reintroduce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_watches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stray_events, setup, teardown),
    };

    return cmocka_run_group_tests_name("xenstored guest rings", tests, NULL, NULL);
}
