/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored unit tests (cmocka): the daemon's core driven through the
 * wire protocol over an in-memory transport, so every check is about
 * protocol-visible behaviour: tree, paths, permissions, transactions,
 * watches and quotas.
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

struct reply {
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

/* Pending events per connection are parked here by the helpers. */
#define MAXEV 64
struct evq {
    struct xsd_conn *c;
    int n;
    char ev[MAXEV][256];
};
static struct evq evqs[8];

static struct evq *evq_for(struct xsd_conn *c)
{
    int i;

    for (i = 0; i < 8; i++)
        if (evqs[i].c == c)
            return &evqs[i];
    for (i = 0; i < 8; i++) {
        if (!evqs[i].c) {
            evqs[i].c = c;
            evqs[i].n = 0;
            return &evqs[i];
        }
    }
    fail_msg("too many connections");
    return NULL;
}

/* Read everything c has been sent; events go to its queue, the last reply to r. */
static int drain(struct xsd_conn *c, struct reply *r)
{
    static uint8_t buf[1 << 20];
    size_t n = xsd_mem_take(c, buf, sizeof(buf)), off = 0;
    int replies = 0;
    struct evq *q = evq_for(c);

    while (off + XSD_HDR_SIZE <= n) {
        struct xsd_sockmsg h;

        memcpy(&h, buf + off, sizeof(h));
        assert_true(off + XSD_HDR_SIZE + h.len <= n);
        if (h.type == XS_WATCH_EVENT) {
            const char *p = (const char *)buf + off + XSD_HDR_SIZE;

            assert_true(q->n < MAXEV);
            snprintf(q->ev[q->n++], 256, "%s|%s", p, p + strlen(p) + 1);
        } else if (r) {
            r->type = h.type;
            r->req_id = h.req_id;
            r->tx_id = h.tx_id;
            r->len = h.len;
            memcpy(r->body, buf + off + XSD_HDR_SIZE, h.len);
            r->body[h.len] = '\0';
            replies++;
        }
        off += XSD_HDR_SIZE + h.len;
    }
    return replies;
}

static struct reply R;

/* Send one request; returns the reply type (R holds the reply). */
static uint32_t req(struct xsd_conn *c, uint32_t type, uint32_t tx, const void *p, uint32_t len)
{
    uint8_t msg[XSD_MSG_MAX + 64];
    struct xsd_sockmsg h = {.type = type, .req_id = 77, .tx_id = tx, .len = len};

    memcpy(msg, &h, sizeof(h));
    memcpy(msg + sizeof(h), p, len);
    xsd_mem_feed(c, msg, sizeof(h) + len);
    memset(&R, 0, sizeof(R));
    assert_int_equal(drain(c, &R), 1);
    assert_int_equal(R.req_id, 77);
    return R.type;
}

/* Payload from strings: "a", "b" -> "a\0b\0". */
static uint32_t pack(char *buf, int n, ...)
{
    va_list ap;
    uint32_t off = 0;
    int i;

    va_start(ap, n);
    for (i = 0; i < n; i++) {
        const char *s = va_arg(ap, const char *);

        strcpy(buf + off, s);
        off += (uint32_t)strlen(s) + 1;
    }
    va_end(ap);
    return off;
}

static bool is_error(const char *name)
{
    return R.type == XS_ERROR && !strcmp(R.body, name);
}

static uint32_t w(struct xsd_conn *c, uint32_t tx, const char *path, const char *val)
{
    char buf[XSD_MSG_MAX];
    uint32_t l = (uint32_t)strlen(path) + 1;

    memcpy(buf, path, l);
    memcpy(buf + l, val, strlen(val));
    return req(c, XS_WRITE, tx, buf, l + (uint32_t)strlen(val));
}

static uint32_t one(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *s)
{
    return req(c, type, tx, s, (uint32_t)strlen(s) + 1);
}

static uint32_t two(struct xsd_conn *c, uint32_t type, uint32_t tx, const char *a, const char *b)
{
    char buf[XSD_MSG_MAX];

    return req(c, type, tx, buf, pack(buf, 2, a, b));
}

static void expect_read(struct xsd_conn *c, uint32_t tx, const char *path, const char *val)
{
    assert_int_equal(one(c, XS_READ, tx, path), XS_READ);
    assert_int_equal(R.len, strlen(val));
    assert_memory_equal(R.body, val, R.len);
}

static void expect_error(uint32_t type, const char *name)
{
    assert_int_equal(type, XS_ERROR);
    assert_string_equal(R.body, name);
}

static uint32_t tx_start(struct xsd_conn *c)
{
    assert_int_equal(one(c, XS_TRANSACTION_START, 0, ""), XS_TRANSACTION_START);
    return (uint32_t)strtoul(R.body, NULL, 10);
}

static int pop_event(struct xsd_conn *c, const char *want)
{
    struct evq *q = evq_for(c);

    drain(c, NULL);
    if (!q->n) {
        print_error("no event, wanted %s\n", want);
        return 0;
    }
    if (strcmp(q->ev[0], want)) {
        print_error("event %s, wanted %s\n", q->ev[0], want);
        return 0;
    }
    memmove(q->ev[0], q->ev[1], (size_t)(q->n - 1) * sizeof(q->ev[0]));
    q->n--;
    return 1;
}

static int no_events(struct xsd_conn *c)
{
    struct evq *q = evq_for(c);

    drain(c, NULL);
    if (q->n)
        print_error("unexpected event %s\n", q->ev[0]);
    return q->n == 0;
}

static struct xsd_conn *dom0, *other;

static struct xsd_conn *guest(uint32_t domid)
{
    struct xsd_domain *d = xsd_domain_get(domid);

    assert_non_null(d);
    d->introduced = true;
    return xsd_mem_conn(d);
}

static int setup(void **state)
{
    (void)state;
    memset(&xsd, 0, sizeof(xsd));
    memset(evqs, 0, sizeof(evqs));
    xsd_quota_defaults(&xsd.quota);
    assert_int_equal(xsd_core_init(), 0);
    xsd.backend = NULL;
    dom0 = xsd_mem_conn(NULL);
    other = xsd_mem_conn(NULL);
    return dom0 && other ? 0 : -1;
}

static int teardown(void **state)
{
    char msg[200];

    (void)state;
    xsd_conn_reap();
    if (xsd_tree_check(msg, sizeof(msg)))
        fail_msg("store inconsistent: %s", msg);
    xsd_core_free();
    return 0;
}

/* ---- tree ------------------------------------------------------------------ */

static void test_write_read(void **state)
{
    (void)state;
    assert_int_equal(w(dom0, 0, "/a/b/c", "value"), XS_WRITE);
    assert_string_equal(R.body, "OK");
    expect_read(dom0, 0, "/a/b/c", "value");
    expect_read(dom0, 0, "/a/b", "");
    expect_read(dom0, 0, "/a", "");
    expect_error(one(dom0, XS_READ, 0, "/a/x"), "ENOENT");
    /* binary values with NULs survive */
    assert_int_equal(req(dom0, XS_WRITE, 0, "/bin\0x\0y", 9), XS_WRITE);
    assert_int_equal(one(dom0, XS_READ, 0, "/bin"), XS_READ);
    assert_int_equal(R.len, 4);
    assert_memory_equal(R.body, "x\0y", 4);
    /* MKDIR keeps an existing value */
    assert_int_equal(one(dom0, XS_MKDIR, 0, "/a/b/c"), XS_MKDIR);
    expect_read(dom0, 0, "/a/b/c", "value");
    assert_int_equal(one(dom0, XS_MKDIR, 0, "/m/n"), XS_MKDIR);
    expect_read(dom0, 0, "/m/n", "");
}

static void test_directory(void **state)
{
    (void)state;
    w(dom0, 0, "/d/z", "");
    w(dom0, 0, "/d/a", "");
    w(dom0, 0, "/d/m", "");
    assert_int_equal(one(dom0, XS_DIRECTORY, 0, "/d"), XS_DIRECTORY);
    assert_int_equal(R.len, 6);
    assert_memory_equal(R.body, "z\0a\0m\0", 6);
    assert_int_equal(one(dom0, XS_DIRECTORY, 0, "/d/z"), XS_DIRECTORY);
    assert_int_equal(R.len, 0);
    expect_error(one(dom0, XS_DIRECTORY, 0, "/nope"), "ENOENT");
}

static void test_directory_part(void **state)
{
    char path[64], buf[64], *all;
    uint32_t off = 0, total = 0;
    int i;

    (void)state;
    for (i = 0; i < 500; i++) {
        snprintf(path, sizeof(path), "/big/a-rather-long-child-name-%04d", i);
        w(dom0, 0, path, "");
        total += (uint32_t)strlen(path) - 5 + 1;
    }
    expect_error(one(dom0, XS_DIRECTORY, 0, "/big"), "E2BIG");
    all = calloc(1, total + 16);
    assert_non_null(all);
    for (;;) {
        uint32_t glen;
        char offs[16];

        snprintf(offs, sizeof(offs), "%u", off);
        assert_int_equal(req(dom0, XS_DIRECTORY_PART, 0, buf, pack(buf, 2, "/big", offs)),
                         XS_DIRECTORY_PART);
        assert_true(R.len <= XENSTORE_PAYLOAD_MAX);
        glen = (uint32_t)strlen(R.body) + 1;
        memcpy(all + off, R.body + glen, R.len - glen);
        off += R.len - glen;
        if (R.body[R.len - 1] == '\0' && R.body[R.len - 2] == '\0')
            break;
    }
    assert_int_equal(off, total + 1); /* the list plus the closing empty string */
    assert_string_equal(all, "a-rather-long-child-name-0000");
    assert_string_equal(all + total - 30, "a-rather-long-child-name-0499");
    free(all);
}

static void test_rm(void **state)
{
    (void)state;
    w(dom0, 0, "/r/a/b/c", "1");
    w(dom0, 0, "/r/a/d", "2");
    w(dom0, 0, "/r/keep", "3");
    assert_int_equal(one(dom0, XS_RM, 0, "/r/a"), XS_RM);
    expect_error(one(dom0, XS_READ, 0, "/r/a/b/c"), "ENOENT");
    expect_error(one(dom0, XS_READ, 0, "/r/a"), "ENOENT");
    expect_read(dom0, 0, "/r/keep", "3");
    assert_int_equal(one(dom0, XS_DIRECTORY, 0, "/r"), XS_DIRECTORY);
    assert_memory_equal(R.body, "keep\0", 5);
    /* missing node with an existing parent: fine; missing parent: ENOENT */
    assert_int_equal(one(dom0, XS_RM, 0, "/r/a"), XS_RM);
    expect_error(one(dom0, XS_RM, 0, "/r/a/b"), "ENOENT");
    expect_error(one(dom0, XS_RM, 0, "/"), "EINVAL");
}

static void test_paths(void **state)
{
    char longp[XENSTORE_ABS_PATH_MAX + 100];

    (void)state;
    expect_error(one(dom0, XS_READ, 0, "/a/../b"), "EINVAL");
    expect_error(one(dom0, XS_WRITE, 0, "/a/"), "EINVAL");
    expect_error(one(dom0, XS_WRITE, 0, "/a//b"), "EINVAL");
    expect_error(one(dom0, XS_WRITE, 0, "/sp ace"), "EINVAL");
    expect_error(one(dom0, XS_WRITE, 0, "/a\x01"), "EINVAL");
    expect_error(one(dom0, XS_READ, 0, "@introduceDomain"), "EINVAL");
    expect_error(one(dom0, XS_READ, 0, ""), "EINVAL");
    /* relative paths of a local (dom0) connection live under /local/domain/0 */
    assert_int_equal(w(dom0, 0, "rel/x", "v"), XS_WRITE);
    expect_read(dom0, 0, "/local/domain/0/rel/x", "v");
    /* length: path-max bytes below /local/domain/<id>/ */
    memset(longp, 'a', sizeof(longp));
    longp[0] = '/';
    longp[XENSTORE_REL_PATH_MAX + 1] = '\0';
    expect_error(w(dom0, 0, longp, "x"), "EINVAL");
    longp[XENSTORE_REL_PATH_MAX] = '\0';
    assert_int_equal(w(dom0, 0, longp, "x"), XS_WRITE);
    memcpy(longp, "/local/domain/7/", 16);
    memset(longp + 16, 'b', XENSTORE_REL_PATH_MAX);
    longp[16 + XENSTORE_REL_PATH_MAX] = '\0';
    assert_int_equal(w(dom0, 0, longp, "x"), XS_WRITE);
}

static void test_many_nodes(void **state)
{
    char path[64];
    int i;

    (void)state;
    for (i = 0; i < 100000; i++) {
        snprintf(path, sizeof(path), "/many/d%d/n%d", i % 100, i);
        assert_int_equal(w(dom0, 0, path, "v"), XS_WRITE);
    }
    assert_true(xsd.tree.count > 100000);
    expect_read(dom0, 0, "/many/d42/n99942", "v");
    assert_int_equal(one(dom0, XS_RM, 0, "/many"), XS_RM);
    assert_true(xsd.tree.count < 100);
}

/* ---- permissions ------------------------------------------------------------- */

static void test_perms_basic(void **state)
{
    char buf[128];
    struct xsd_conn *g5 = guest(5), *g6 = guest(6);

    (void)state;
    w(dom0, 0, "/p/node", "v");
    assert_int_equal(one(dom0, XS_GET_PERMS, 0, "/p/node"), XS_GET_PERMS);
    assert_memory_equal(R.body, "n0\0", 3);
    assert_int_equal(req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 3, "/p/node", "n5", "r6")),
                     XS_SET_PERMS);
    assert_int_equal(one(dom0, XS_GET_PERMS, 0, "/p/node"), XS_GET_PERMS);
    assert_memory_equal(R.body, "n5\0r6\0", 6);
    /* owner 5: full access; 6: read only; others: none */
    expect_read(g5, 0, "/p/node", "v");
    assert_int_equal(w(g5, 0, "/p/node", "new"), XS_WRITE);
    expect_read(g6, 0, "/p/node", "new");
    expect_error(w(g6, 0, "/p/node", "x"), "EACCES");
    /* a missing node under an unreadable parent reports EACCES, not ENOENT */
    expect_error(one(g6, XS_READ, 0, "/p/none"), "EACCES");
    expect_error(one(g5, XS_READ, 0, "/p/node/none"), "ENOENT");
    /* only the owner changes permissions, and it cannot give the node away */
    expect_error(req(g6, XS_SET_PERMS, 0, buf, pack(buf, 2, "/p/node", "b6")), "EACCES");
    expect_error(req(g5, XS_SET_PERMS, 0, buf, pack(buf, 2, "/p/node", "b6")), "EPERM");
    assert_int_equal(req(g5, XS_SET_PERMS, 0, buf, pack(buf, 3, "/p/node", "n5", "b6")),
                     XS_SET_PERMS);
    assert_int_equal(w(g6, 0, "/p/node", "by6"), XS_WRITE);
    /* malformed permission strings */
    expect_error(req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/p/node", "x5")), "EINVAL");
    expect_error(req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/p/node", "r")), "EINVAL");
    expect_error(req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/p/node", "r5x")), "EINVAL");
    expect_error(one(dom0, XS_SET_PERMS, 0, "/p/node"), "EINVAL");
    /* privileged-only requests */
    expect_error(req(g5, XS_INTRODUCE, 0, buf, pack(buf, 3, "9", "1", "1")), "EACCES");
    expect_error(one(g5, XS_RELEASE, 0, "6"), "EACCES");
    expect_error(one(g5, XS_CONTROL, 0, "help"), "EACCES");
}

static void test_perms_inherit_and_target(void **state)
{
    char buf[128];
    struct xsd_conn *g5 = guest(5), *g6 = guest(6);

    (void)state;
    w(dom0, 0, "/local/domain/5", "");
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 3, "/local/domain/5", "n5", "r0"));
    /* a guest's new nodes inherit the parent's list with itself as owner */
    assert_int_equal(w(g5, 0, "sub/x", "1"), XS_WRITE);
    assert_int_equal(one(dom0, XS_GET_PERMS, 0, "/local/domain/5/sub/x"), XS_GET_PERMS);
    assert_memory_equal(R.body, "n5\0r0\0", 6);
    expect_error(one(g6, XS_READ, 0, "/local/domain/5/sub/x"), "EACCES");
    /* SET_TARGET: 6 acts for 5 */
    assert_int_equal(req(dom0, XS_SET_TARGET, 0, buf, pack(buf, 2, "6", "5")), XS_SET_TARGET);
    expect_read(g6, 0, "/local/domain/5/sub/x", "1");
    assert_int_equal(w(g6, 0, "/local/domain/5/sub/x", "2"), XS_WRITE);
    /* dom0 sees everything */
    expect_read(dom0, 0, "/local/domain/5/sub/x", "2");
}

/* ---- transactions -------------------------------------------------------------- */

static void test_tx_isolation_commit(void **state)
{
    uint32_t t;

    (void)state;
    w(dom0, 0, "/tx/a", "1");
    t = tx_start(dom0);
    assert_true(t != 0);
    assert_int_equal(w(dom0, t, "/tx/a", "2"), XS_WRITE);
    assert_int_equal(R.tx_id, t);
    assert_int_equal(w(dom0, t, "/tx/new/deep", "3"), XS_WRITE);
    expect_read(dom0, t, "/tx/a", "2");
    expect_read(other, 0, "/tx/a", "1");
    expect_error(one(other, XS_READ, 0, "/tx/new/deep"), "ENOENT");
    assert_int_equal(one(dom0, XS_DIRECTORY, t, "/tx"), XS_DIRECTORY);
    assert_memory_equal(R.body, "a\0new\0", 6);
    assert_int_equal(one(dom0, XS_TRANSACTION_END, t, "T"), XS_TRANSACTION_END);
    expect_read(other, 0, "/tx/a", "2");
    expect_read(other, 0, "/tx/new/deep", "3");
    /* the id is gone */
    expect_error(one(dom0, XS_READ, t, "/tx/a"), "ENOENT");
    expect_error(one(dom0, XS_TRANSACTION_END, t, "T"), "ENOENT");
    expect_error(one(dom0, XS_TRANSACTION_END, 0, "T"), "ENOENT");
}

static void test_tx_abort_no_trace(void **state)
{
    uint32_t t, before;

    (void)state;
    w(dom0, 0, "/ab/x", "orig");
    before = xsd.tree.count;
    t = tx_start(dom0);
    w(dom0, t, "/ab/x", "changed");
    w(dom0, t, "/ab/y/z", "new");
    assert_int_equal(one(dom0, XS_RM, t, "/ab/x"), XS_RM);
    assert_int_equal(one(dom0, XS_TRANSACTION_END, t, "F"), XS_TRANSACTION_END);
    expect_read(dom0, 0, "/ab/x", "orig");
    expect_error(one(dom0, XS_READ, 0, "/ab/y"), "ENOENT");
    assert_int_equal(xsd.tree.count, before);
    expect_error(one(dom0, XS_TRANSACTION_END, t, "F"), "ENOENT");
    expect_error(one(dom0, XS_TRANSACTION_END, 0, "X"), "EINVAL");
}

static void test_tx_conflicts(void **state)
{
    uint32_t t, t2;

    (void)state;
    /* read in tx, concurrent write, commit -> EAGAIN and no change */
    w(dom0, 0, "/c/a", "a");
    t = tx_start(dom0);
    expect_read(dom0, t, "/c/a", "a");
    w(other, 0, "/c/a", "b");
    expect_read(dom0, t, "/c/a", "a"); /* still the snapshot */
    w(dom0, t, "/c/a", "c");
    w(dom0, t, "/c/other", "x");
    expect_error(one(dom0, XS_TRANSACTION_END, t, "T"), "EAGAIN");
    expect_read(dom0, 0, "/c/a", "b");
    expect_error(one(dom0, XS_READ, 0, "/c/other"), "ENOENT");

    /* a node changed after the start but before the first access: EAGAIN too */
    t = tx_start(dom0);
    w(other, 0, "/c/a", "d");
    expect_read(dom0, t, "/c/a", "d");
    expect_error(one(dom0, XS_TRANSACTION_END, t, "T"), "EAGAIN");

    /* a path the tx saw absent is created concurrently */
    t = tx_start(dom0);
    expect_error(one(dom0, XS_READ, t, "/c/absent"), "ENOENT");
    w(other, 0, "/c/absent", "now");
    expect_error(one(dom0, XS_TRANSACTION_END, t, "T"), "EAGAIN");

    /* a node the tx never touched is removed after the start, then read */
    w(dom0, 0, "/c/gone", "1");
    t = tx_start(dom0);
    one(other, XS_RM, 0, "/c/gone");
    expect_error(one(dom0, XS_READ, t, "/c/gone"), "ENOENT");
    expect_error(one(dom0, XS_TRANSACTION_END, t, "T"), "EAGAIN");
    /* ... but removals before the start are part of the snapshot */
    t = tx_start(dom0);
    expect_error(one(dom0, XS_READ, t, "/c/gone"), "ENOENT");
    w(dom0, t, "/c/gone", "again");
    assert_int_equal(one(dom0, XS_TRANSACTION_END, t, "T"), XS_TRANSACTION_END);
    expect_read(dom0, 0, "/c/gone", "again");

    /* two transactions on the same node: first committer wins */
    t = tx_start(dom0);
    t2 = tx_start(other);
    expect_read(dom0, t, "/c/a", "d");
    expect_read(other, t2, "/c/a", "d");
    w(dom0, t, "/c/a", "t1");
    w(other, t2, "/c/a", "t2");
    assert_int_equal(one(dom0, XS_TRANSACTION_END, t, "T"), XS_TRANSACTION_END);
    expect_error(one(other, XS_TRANSACTION_END, t2, "T"), "EAGAIN");
    expect_read(dom0, 0, "/c/a", "t1");

    /* unrelated concurrent changes do not conflict */
    w(dom0, 0, "/c/u1", "1");
    w(dom0, 0, "/c/u2", "1");
    t = tx_start(dom0);
    expect_read(dom0, t, "/c/u1", "1");
    w(dom0, t, "/c/u1", "2");
    w(other, 0, "/c/u2", "2");
    assert_int_equal(one(dom0, XS_TRANSACTION_END, t, "T"), XS_TRANSACTION_END);
    expect_read(dom0, 0, "/c/u1", "2");
}

static void test_tx_rm_and_watch(void **state)
{
    uint32_t t;

    (void)state;
    w(dom0, 0, "/tr/a/b", "1");
    w(dom0, 0, "/tr/keep", "1");
    assert_int_equal(two(other, XS_WATCH, 0, "/tr", "tok"), XS_WATCH);
    assert_true(pop_event(other, "/tr|tok"));
    t = tx_start(dom0);
    assert_int_equal(one(dom0, XS_RM, t, "/tr/a"), XS_RM);
    w(dom0, t, "/tr/new", "n");
    expect_error(one(dom0, XS_READ, t, "/tr/a/b"), "ENOENT");
    expect_read(other, 0, "/tr/a/b", "1");
    assert_true(no_events(other)); /* nothing until commit */
    assert_int_equal(one(dom0, XS_TRANSACTION_END, t, "T"), XS_TRANSACTION_END);
    assert_true(pop_event(other, "/tr/a|tok"));
    assert_true(pop_event(other, "/tr/new|tok"));
    assert_true(no_events(other));
    expect_error(one(other, XS_READ, 0, "/tr/a/b"), "ENOENT");
    assert_int_equal(one(dom0, XS_DIRECTORY, 0, "/tr"), XS_DIRECTORY);
    assert_int_equal(R.len, 9);
    assert_memory_equal(R.body, "keep\0new\0", 9);
    /* aborted transactions fire nothing */
    t = tx_start(dom0);
    w(dom0, t, "/tr/x", "1");
    one(dom0, XS_TRANSACTION_END, t, "F");
    assert_true(no_events(other));
    /* TRANSACTION_START inside a transaction */
    t = tx_start(dom0);
    expect_error(one(dom0, XS_TRANSACTION_START, t, ""), "EBUSY");
    one(dom0, XS_TRANSACTION_END, t, "F");
}

/* ---- watches -------------------------------------------------------------------- */

static void test_watches(void **state)
{
    char buf[128];

    (void)state;
    assert_int_equal(two(other, XS_WATCH, 0, "/wa/b", "T1"), XS_WATCH);
    assert_string_equal(R.body, "OK");
    assert_true(pop_event(other, "/wa/b|T1")); /* fires once at once */
    expect_error(two(other, XS_WATCH, 0, "/wa/b", "T1"), "EEXIST");
    w(dom0, 0, "/wa/b/c", "1");
    assert_true(pop_event(other, "/wa/b/c|T1"));
    w(dom0, 0, "/wa/x", "1");
    assert_true(no_events(other));
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/wa/b", "r0"));
    assert_true(pop_event(other, "/wa/b|T1"));
    /* removing an ancestor reports the watched path */
    w(dom0, 0, "/wa/b/c/d", "1");
    assert_true(pop_event(other, "/wa/b/c/d|T1"));
    one(dom0, XS_RM, 0, "/wa");
    assert_true(pop_event(other, "/wa/b|T1"));
    assert_true(no_events(other));
    assert_int_equal(two(other, XS_UNWATCH, 0, "/wa/b", "T1"), XS_UNWATCH);
    expect_error(two(other, XS_UNWATCH, 0, "/wa/b", "T1"), "ENOENT");
    w(dom0, 0, "/wa/b", "1");
    assert_true(no_events(other));
    /* watch on / sees everything; RESET_WATCHES drops it */
    two(other, XS_WATCH, 0, "/", "root");
    assert_true(pop_event(other, "/|root"));
    w(dom0, 0, "/anything", "1");
    assert_true(pop_event(other, "/anything|root"));
    assert_int_equal(one(other, XS_RESET_WATCHES, 0, ""), XS_RESET_WATCHES);
    w(dom0, 0, "/anything", "2");
    assert_true(no_events(other));
}

static void test_watch_relative_and_perms(void **state)
{
    char buf[128];
    struct xsd_conn *g5 = guest(5);

    (void)state;
    w(dom0, 0, "/local/domain/5/dev", "");
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/local/domain/5", "n5"));
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/local/domain/5/dev", "n5"));
    assert_int_equal(two(g5, XS_WATCH, 0, "dev", "rel"), XS_WATCH);
    assert_true(pop_event(g5, "dev|rel"));
    w(dom0, 0, "/local/domain/5/dev/vif", "1");
    assert_true(pop_event(g5, "dev/vif|rel"));
    /* a guest watching a tree it cannot read hears nothing */
    w(dom0, 0, "/private/x", "1");
    assert_int_equal(two(g5, XS_WATCH, 0, "/private", "p"), XS_WATCH);
    assert_true(pop_event(g5, "/private|p"));
    w(dom0, 0, "/private/x", "2");
    assert_true(no_events(g5));
    /* special watches: privileged only unless SET_PERMS allows */
    two(g5, XS_WATCH, 0, "@releaseDomain", "rd");
    assert_true(pop_event(g5, "@releaseDomain|rd"));
    two(dom0, XS_WATCH, 0, "@introduceDomain", "id");
    assert_true(pop_event(dom0, "@introduceDomain|id"));
    assert_int_equal(req(dom0, XS_INTRODUCE, 0, buf, pack(buf, 3, "9", "100", "3")), XS_INTRODUCE);
    assert_true(pop_event(dom0, "@introduceDomain|id"));
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "@releaseDomain", "r5"));
    assert_int_equal(one(dom0, XS_RELEASE, 0, "9"), XS_RELEASE);
    assert_true(pop_event(g5, "@releaseDomain|rd"));
    expect_error(one(dom0, XS_RELEASE, 0, "9"), "ENOENT");
    expect_error(one(dom0, XS_RELEASE, 0, "0"), "EINVAL");
    expect_error(req(dom0, XS_INTRODUCE, 0, buf, pack(buf, 3, "0", "1", "1")), "EINVAL");
    expect_error(req(dom0, XS_INTRODUCE, 0, buf, pack(buf, 3, "9", "1", "0")), "EINVAL");
}

static void test_release_cleans_up(void **state)
{
    char buf[128];
    struct xsd_conn *g8;
    uint32_t t;

    (void)state;
    assert_int_equal(req(dom0, XS_INTRODUCE, 0, buf, pack(buf, 3, "8", "1", "1")), XS_INTRODUCE);
    g8 = xsd_mem_conn(xsd_domain_find(8));
    w(dom0, 0, "/local/domain/8", "");
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/local/domain/8", "n8"));
    w(g8, 0, "data/a", "1");
    two(g8, XS_WATCH, 0, "data", "t");
    t = tx_start(g8);
    w(g8, t, "data/b", "2");
    assert_int_equal(xsd_domain_nodes(8), 3); /* its home, data, data/a */
    /* the backend is absent in unit tests: close g8 the way it would */
    assert_int_equal(one(dom0, XS_RELEASE, 0, "8"), XS_RELEASE);
    xsd_conn_close(g8);
    assert_int_equal(xsd_watch_total(), 0);
    expect_error(one(dom0, XS_READ, 0, "/local/domain/8"), "ENOENT");
    assert_int_equal(xsd_domain_nodes(8), 0);
    assert_int_equal(one(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "8"), XS_IS_DOMAIN_INTRODUCED);
    assert_string_equal(R.body, "F");
}

/* ---- quotas ----------------------------------------------------------------------- */

static void test_quotas(void **state)
{
    char buf[XSD_MSG_MAX], path[64];
    struct xsd_conn *g5 = guest(5);
    uint32_t t, ids[32];
    int i;

    (void)state;
    w(dom0, 0, "/local/domain/5", "");
    req(dom0, XS_SET_PERMS, 0, buf, pack(buf, 2, "/local/domain/5", "n5"));
    /* nodes per domain */
    xsd.quota.nodes = 11; /* its home counts too */
    for (i = 0; i < 10; i++) {
        snprintf(path, sizeof(path), "n%d", i);
        assert_int_equal(w(g5, 0, path, "x"), XS_WRITE);
    }
    expect_error(w(g5, 0, "n10", "x"), "ENOSPC");
    expect_error(w(g5, 0, "deep/a/b", "x"), "ENOSPC");
    t = tx_start(g5);
    expect_error(w(g5, t, "n11", "x"), "ENOSPC");
    one(g5, XS_TRANSACTION_END, t, "F");
    assert_int_equal(w(dom0, 0, "/local/domain/5/byzero", "x"), XS_WRITE); /* dom0 is exempt */
    assert_int_equal(xsd_domain_nodes(5), 12); /* inherited owner 5, over quota */
    one(g5, XS_RM, 0, "n9");
    one(g5, XS_RM, 0, "byzero");
    assert_int_equal(w(g5, 0, "n10", "x"), XS_WRITE);
    /* node size */
    xsd.quota.node_size = 100;
    memset(buf, 'v', 200);
    buf[200] = '\0';
    expect_error(w(g5, 0, "n0", buf), "ENOSPC");
    buf[50] = '\0';
    assert_int_equal(w(g5, 0, "n0", buf), XS_WRITE);
    /* permissions per node */
    expect_error(
        req(g5, XS_SET_PERMS, 0, buf, pack(buf, 7, "n0", "n5", "r1", "r2", "r3", "r4", "r6")),
        "ENOSPC");
    assert_int_equal(req(g5, XS_SET_PERMS, 0, buf, pack(buf, 3, "n0", "n5", "r1")), XS_SET_PERMS);
    /* watches per connection */
    xsd.quota.watches = 3;
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "w%d", i);
        assert_int_equal(two(g5, XS_WATCH, 0, path, "t"), XS_WATCH);
    }
    expect_error(two(g5, XS_WATCH, 0, "w9", "t"), "E2BIG");
    /* transactions per connection */
    xsd.quota.transactions = 4;
    for (i = 0; i < 4; i++)
        ids[i] = tx_start(g5);
    expect_error(one(g5, XS_TRANSACTION_START, 0, ""), "ENOSPC");
    for (i = 0; i < 4; i++)
        one(g5, XS_TRANSACTION_END, ids[i], "F");
    /* nodes touched by one transaction */
    xsd.quota.tx_nodes = 5;
    t = tx_start(g5);
    for (i = 0; i < 8 && R.type != XS_ERROR; i++) {
        snprintf(path, sizeof(path), "n%d", i);
        one(g5, XS_READ, t, path);
    }
    assert_true(is_error("ENOSPC"));
    one(g5, XS_TRANSACTION_END, t, "F");
}

static void test_outstanding_and_output(void **state)
{
    uint8_t msgs[64 * 32];
    struct xsd_sockmsg h = {.type = XS_READ, .req_id = 1, .tx_id = 0, .len = 2};
    struct reply r;
    size_t off = 0;
    int i, n;

    (void)state;
    /* 64 pipelined requests: served in bursts of "outstanding", all answered */
    xsd.quota.outstanding = 8;
    for (i = 0; i < 64; i++) {
        memcpy(msgs + off, &h, sizeof(h));
        memcpy(msgs + off + sizeof(h), "/\0", 2);
        off += sizeof(h) + 2;
    }
    xsd_mem_stall(dom0, true); /* the client does not read */
    xsd_mem_feed(dom0, msgs, off);
    assert_int_equal(dom0->nreq, 8);
    assert_false(dom0->reading);
    xsd_mem_stall(dom0, false);
    xsd_conn_output(dom0);
    xsd_conn_flush_all();
    n = drain(dom0, &r);
    assert_int_equal(n, 64);
    assert_true(dom0->reading);
    /* a connection whose unread output passes output-max is dropped */
    xsd.quota.output_max = 2 * XSD_MSG_MAX;
    two(other, XS_WATCH, 0, "/flood", "t");
    xsd_mem_stall(other, true);
    for (i = 0; i < 1000 && !other->dead; i++)
        w(dom0, 0, "/flood/x", "1");
    assert_true(other->dead);
    assert_int_equal(w(dom0, 0, "/flood/y", "1"), XS_WRITE); /* others unaffected */
    evq_for(other)->c = NULL;
    other = NULL;
}

static void test_bad_messages(void **state)
{
    uint8_t msg[64];
    struct xsd_sockmsg h = {.type = 999, .req_id = 5, .tx_id = 0, .len = 0};

    (void)state;
    expect_error(req(dom0, 999, 0, "", 0), "ENOSYS");
    expect_error(req(dom0, XS_WATCH_EVENT, 0, "", 0), "ENOSYS");
    expect_error(req(dom0, XS_ERROR, 0, "", 0), "ENOSYS");
    expect_error(req(dom0, 20, 0, "", 0), "ENOSYS");
    expect_error(req(dom0, XS_READ, 0, "/tool", 5), "EINVAL");      /* no NUL */
    expect_error(req(dom0, XS_READ, 0, "/tool\0x\0", 8), "EINVAL"); /* two args */
    expect_error(req(dom0, XS_WRITE, 0, "/tool", 5), "EINVAL");
    expect_error(req(dom0, XS_WATCH, 0, "/a\0tok", 6), "EINVAL");
    expect_error(req(dom0, XS_READ, 12345, "/tool", 6), "ENOENT"); /* unknown tx */
    expect_error(req(dom0, XS_GET_DOMAIN_PATH, 0, "abc", 4), "EINVAL");
    /* an oversized length kills the connection and nothing else */
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    memcpy(msg, &h, sizeof(h));
    xsd_mem_feed(other, msg, sizeof(h));
    assert_true(other->dead);
    expect_read(dom0, 0, "/tool", "");
    evq_for(other)->c = NULL;
    other = NULL;
}

/* The shared ring: wrap-around, full and empty rings, and indices the guest
 * has corrupted (never read or written outside the ring). */
static void test_ring(void **state)
{
    static struct xenstore_domain_interface intf;
    char in[XENSTORE_RING_SIZE + 8], out[XENSTORE_RING_SIZE + 8];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(in); i++)
        in[i] = (char)(i * 7 + 1);
    /* Requests straddling the end of the ring come out in order. */
    intf.req_cons = intf.req_prod = 0xfffffff0u;
    memcpy(intf.req + XENSTORE_RING_SIZE - 16, in, 16);
    memcpy(intf.req, in + 16, 16);
    intf.req_prod += 32;
    assert_int_equal(xsd_ring_take(&intf, out, 20), 20);
    assert_int_equal(xsd_ring_take(&intf, out + 20, sizeof(out)), 12);
    assert_memory_equal(out, in, 32);
    assert_int_equal(intf.req_cons, intf.req_prod);
    assert_int_equal(xsd_ring_take(&intf, out, sizeof(out)), 0);
    /* Responses fill the ring exactly, then nothing more fits. */
    intf.rsp_cons = intf.rsp_prod = 1000;
    assert_int_equal(xsd_ring_put(&intf, in, sizeof(in)), XENSTORE_RING_SIZE);
    assert_int_equal(xsd_ring_put(&intf, in, 1), 0);
    assert_int_equal(intf.rsp[MASK_XENSTORE_IDX(1000)], in[0]);
    assert_int_equal(intf.rsp[MASK_XENSTORE_IDX(1000 + XENSTORE_RING_SIZE - 1)],
                     in[XENSTORE_RING_SIZE - 1]);
    intf.rsp_cons += 10;
    assert_int_equal(xsd_ring_put(&intf, in, sizeof(in)), 10);
    /* Corrupt indices: more outstanding than the ring holds, either way. */
    intf.req_cons = 5;
    intf.req_prod = 5 + XENSTORE_RING_SIZE + 1;
    assert_int_equal(xsd_ring_take(&intf, out, sizeof(out)), -EIO);
    intf.req_prod = 4;
    assert_int_equal(xsd_ring_take(&intf, out, sizeof(out)), -EIO);
    assert_int_equal(intf.req_cons, 5);
    intf.rsp_cons = intf.rsp_prod + 1;
    assert_int_equal(xsd_ring_put(&intf, in, 1), -EIO);
}

static void test_control(void **state)
{
    char buf[128];

    (void)state;
    assert_int_equal(one(dom0, XS_CONTROL, 0, "help"), XS_CONTROL);
    assert_non_null(strstr(R.body, "quota"));
    assert_int_equal(req(dom0, XS_CONTROL, 0, buf, pack(buf, 4, "quota", "set", "nodes", "77")),
                     XS_CONTROL);
    assert_int_equal(xsd.quota.nodes, 77);
    assert_int_equal(one(dom0, XS_CONTROL, 0, "quota"), XS_CONTROL);
    assert_non_null(strstr(R.body, "nodes"));
    assert_int_equal(one(dom0, XS_CONTROL, 0, "memreport"), XS_CONTROL);
    assert_non_null(strstr(R.body, "nodes"));
    assert_int_equal(one(dom0, XS_CONTROL, 0, "check"), XS_CONTROL);
    assert_non_null(strstr(R.body, "consistent"));
    expect_error(one(dom0, XS_CONTROL, 0, "nonsense"), "EINVAL");
    expect_error(req(dom0, XS_CONTROL, 0, buf, pack(buf, 4, "quota", "set", "bogus", "1")),
                 "EINVAL");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_perms_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_perms_inherit_and_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_isolation_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_abort_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_rm_and_watch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_relative_and_perms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_cleans_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outstanding_and_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control, setup, teardown),
        cmocka_unit_test(test_ring),
    };

    return cmocka_run_group_tests_name("xenstored", tests, NULL, NULL);
}
