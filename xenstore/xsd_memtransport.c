/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: an in-memory transport for unit tests and the fuzzer.
 * Bytes fed with xsd_mem_feed() are what the client "sent"; everything the
 * daemon writes is collected until xsd_mem_take() returns it.
 */
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

struct membuf {
    uint8_t *in;
    size_t in_len, in_off;
    uint8_t *out;
    size_t out_len, out_cap;
    bool stalled;
};

static ssize_t mem_read(struct xsd_conn *c, void *buf, size_t len)
{
    struct membuf *m = c->tdata;
    size_t n = m->in_len - m->in_off;

    if (n > len)
        n = len;
    if (!n)
        return 0;
    memcpy(buf, m->in + m->in_off, n);
    m->in_off += n;
    return (ssize_t)n;
}

static ssize_t mem_write(struct xsd_conn *c, const void *buf, size_t len)
{
    struct membuf *m = c->tdata;

    if (m->stalled)
        return 0;
    if (m->out_len + len > m->out_cap) {
        size_t nc = m->out_cap ? m->out_cap : 4096;
        uint8_t *nb;

        while (nc < m->out_len + len)
            nc *= 2;
        nb = realloc(m->out, nc);
        if (!nb)
            return 0;
        m->out = nb;
        m->out_cap = nc;
    }
    memcpy(m->out + m->out_len, buf, len);
    m->out_len += len;
    return (ssize_t)len;
}

static void mem_close(struct xsd_conn *c)
{
    struct membuf *m = c->tdata;

    free(m->in);
    free(m->out);
    free(m);
    c->tdata = NULL;
}

static const struct xsd_transport_ops mem_ops = {
    .name = "memory",
    .read = mem_read,
    .write = mem_write,
    .close = mem_close,
};

struct xsd_conn *xsd_mem_conn(struct xsd_domain *d)
{
    struct membuf *m = xsd_zalloc(sizeof(*m));
    struct xsd_conn *c;

    if (!m)
        return NULL;
    c = xsd_conn_new(&mem_ops, m, -1, d);
    if (!c)
        free(m);
    return c;
}

/* Hand bytes to the daemon as if the client had sent them, and process them. */
void xsd_mem_feed(struct xsd_conn *c, const void *buf, size_t len)
{
    struct membuf *m = c->tdata;
    uint8_t *nb;

    if (c->dead || !m)
        return;
    nb = realloc(m->in, m->in_len - m->in_off + len + 1);
    if (!nb)
        return;
    memmove(nb, nb + m->in_off, m->in_len - m->in_off);
    m->in = nb;
    m->in_len -= m->in_off;
    m->in_off = 0;
    if (len)
        memcpy(m->in + m->in_len, buf, len);
    m->in_len += len;
    while (!c->dead && (m->in_off < m->in_len || c->in_len >= XSD_HDR_SIZE)) {
        uint32_t before = c->in_len;
        size_t off_before = m->in_off;

        xsd_conn_input(c);
        xsd_conn_flush_all();
        if (c->dead || (c->in_len == before && m->in_off == off_before))
            break;
    }
    xsd_conn_flush_all();
}

/* Collect up to len bytes the daemon wrote to c. */
size_t xsd_mem_take(struct xsd_conn *c, void *buf, size_t len)
{
    struct membuf *m = c->tdata;
    size_t n;

    if (!m)
        return 0;
    n = m->out_len < len ? m->out_len : len;
    if (!n)
        return 0;
    memcpy(buf, m->out, n);
    memmove(m->out, m->out + n, m->out_len - n);
    m->out_len -= n;
    return n;
}

/* Make the "client" stop (or resume) reading what the daemon writes. */
void xsd_mem_stall(struct xsd_conn *c, bool stalled)
{
    struct membuf *m = c->tdata;

    if (m)
        m->stalled = stalled;
}
