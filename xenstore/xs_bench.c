/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstore: benchmark load generator and its "physical limit" peer.
 *
 *   xs-bench echo SOCKET
 *       A minimal single-threaded epoll server on a Unix socket: for every
 *       message it reads (16-byte header + payload) it answers with a header
 *       and as many payload bytes as the request's req_id asks for.
 *   xs-bench populate SOCKET NODES
 *       Fill /bench/fill with NODES nodes (pipelined writes).
 *   xs-bench run SOCKET OP CLIENTS SECONDS [echo SOCKET2]
 *       OP is read, write, dir or tx.  CLIENTS processes each loop on OP for
 *       SECONDS against xenstored; prints "ops_per_sec N".  With "echo
 *       SOCKET2" the exact same request bytes go to the echo server instead,
 *       each asking for a reply as long as xenstored's, so the echo figure is
 *       the cost of the same socket traffic with no store behind it.
 *   xs-bench watch SOCKET SAMPLES [echo SOCKET2]
 *       Median microseconds from sending a WRITE to receiving the matching
 *       WATCH_EVENT (echo: one round trip of the same sizes).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "public/io/xs_wire.h"

#define MAXMSG (16 + XENSTORE_PAYLOAD_MAX)

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sock_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    if (fd < 0)
        die("socket");
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
        die(path);
    return fd;
}

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("write");
        p += n;
        len -= (size_t)n;
    }
}

static void read_all(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("read");
        p += n;
        len -= (size_t)n;
    }
}

/* ---- messages ------------------------------------------------------------- */

struct msg {
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

static size_t build(struct msg *m, uint32_t type, uint32_t tx, const char *a, const char *b,
                    size_t blen)
{
    size_t al = strlen(a) + 1;

    m->h.type = type;
    m->h.req_id = 0;
    m->h.tx_id = tx;
    memcpy(m->body, a, al);
    if (b)
        memcpy(m->body + al, b, blen);
    m->h.len = (uint32_t)(al + (b ? blen : 0));
    return sizeof(m->h) + m->h.len;
}

/* Read one message that is not a watch event. */
static void read_reply(int fd, struct msg *r)
{
    do {
        read_all(fd, &r->h, sizeof(r->h));
        if (r->h.len > XENSTORE_PAYLOAD_MAX) {
            fprintf(stderr, "xs-bench: reply too long\n");
            exit(1);
        }
        read_all(fd, r->body, r->h.len);
        r->body[r->h.len] = '\0';
    } while (r->h.type == XS_WATCH_EVENT);
}

/* One request: to xenstored, or to the echo server asking for echo_len bytes. */
static uint32_t roundtrip(int fd, struct msg *m, size_t len, bool echo, uint32_t echo_len,
                          struct msg *r)
{
    if (echo)
        m->h.req_id = echo_len;
    write_all(fd, m, len);
    read_reply(fd, r);
    if (!echo && r->h.type == XS_ERROR) {
        fprintf(stderr, "xs-bench: request %u failed: %s\n", m->h.type, r->body);
        exit(1);
    }
    return r->h.len;
}

/* ---- operations ------------------------------------------------------------ */

struct op_ctx {
    int fd;
    bool echo;
    int client;
    uint32_t rlen[4]; /* reply lengths seen from xenstored, for the echo run */
    unsigned long counter;
};

static void op_once(struct op_ctx *c, const char *op)
{
    struct msg m, r;
    char path[128], val[32];
    size_t l;

    if (!strcmp(op, "read")) {
        snprintf(path, sizeof(path), "/bench/c%d/small", c->client);
        l = build(&m, XS_READ, 0, path, NULL, 0);
        c->rlen[0] = roundtrip(c->fd, &m, l, c->echo, c->rlen[0], &r);
    } else if (!strcmp(op, "write")) {
        snprintf(path, sizeof(path), "/bench/c%d/small", c->client);
        l = build(&m, XS_WRITE, 0, path, "0123456789", 10);
        c->rlen[0] = roundtrip(c->fd, &m, l, c->echo, c->rlen[0], &r);
    } else if (!strcmp(op, "dir")) {
        l = build(&m, XS_DIRECTORY, 0, "/bench/dir100", NULL, 0);
        c->rlen[0] = roundtrip(c->fd, &m, l, c->echo, c->rlen[0], &r);
    } else if (!strcmp(op, "tx")) {
        uint32_t tx;

        l = build(&m, XS_TRANSACTION_START, 0, "", NULL, 0);
        c->rlen[0] = roundtrip(c->fd, &m, l, c->echo, c->rlen[0], &r);
        tx = c->echo ? 1 : (uint32_t)strtoul(r.body, NULL, 10);
        snprintf(path, sizeof(path), "/bench/c%d/counter", c->client);
        l = build(&m, XS_READ, tx, path, NULL, 0);
        c->rlen[1] = roundtrip(c->fd, &m, l, c->echo, c->rlen[1], &r);
        snprintf(val, sizeof(val), "%010lu", ++c->counter);
        l = build(&m, XS_WRITE, tx, path, val, strlen(val));
        c->rlen[2] = roundtrip(c->fd, &m, l, c->echo, c->rlen[2], &r);
        l = build(&m, XS_TRANSACTION_END, tx, "T", NULL, 0);
        c->rlen[3] = roundtrip(c->fd, &m, l, c->echo, c->rlen[3], &r);
    } else {
        fprintf(stderr, "xs-bench: unknown op %s\n", op);
        exit(2);
    }
}

/* Each client: learn reply sizes from xenstored, then loop for secs. */
static void client_main(const char *xs_sock, const char *echo_sock, const char *op, int client,
                        double secs, int startfd, int resfd)
{
    struct op_ctx c = {.client = client};
    unsigned long n = 0;
    double end;
    char go;

    c.fd = sock_connect(xs_sock);
    op_once(&c, op); /* also records reply sizes */
    if (echo_sock) {
        close(c.fd);
        c.fd = sock_connect(echo_sock);
        c.echo = true;
    }
    if (read(startfd, &go, 1) != 1)
        die("start pipe");
    end = now() + secs;
    do {
        op_once(&c, op);
        n++;
    } while (now() < end);
    if (write(resfd, &n, sizeof(n)) != sizeof(n))
        die("result pipe");
    exit(0);
}

static void setup_clients(const char *sock, int clients)
{
    struct msg m, r;
    char path[128];
    int fd = sock_connect(sock), i;
    size_t l;

    for (i = 0; i < clients; i++) {
        snprintf(path, sizeof(path), "/bench/c%d/small", i);
        l = build(&m, XS_WRITE, 0, path, "0123456789", 10);
        roundtrip(fd, &m, l, false, 0, &r);
        snprintf(path, sizeof(path), "/bench/c%d/counter", i);
        l = build(&m, XS_WRITE, 0, path, "0000000000", 10);
        roundtrip(fd, &m, l, false, 0, &r);
    }
    for (i = 0; i < 100; i++) {
        snprintf(path, sizeof(path), "/bench/dir100/child-%03d", i);
        l = build(&m, XS_WRITE, 0, path, "x", 1);
        roundtrip(fd, &m, l, false, 0, &r);
    }
    close(fd);
}

static int cmd_run(const char *sock, const char *op, int clients, double secs, const char *echo)
{
    int startp[2], resp[2], i;
    unsigned long total = 0, n;
    double t0, t1;

    setup_clients(sock, clients);
    if (pipe(startp) || pipe(resp))
        die("pipe");
    for (i = 0; i < clients; i++) {
        pid_t pid = fork();

        if (pid < 0)
            die("fork");
        if (pid == 0) {
            close(startp[1]);
            close(resp[0]);
            client_main(sock, echo, op, i, secs, startp[0], resp[1]);
        }
    }
    close(startp[0]);
    close(resp[1]);
    usleep(100000); /* let every client connect and warm up */
    t0 = now();
    for (i = 0; i < clients; i++)
        if (write(startp[1], "g", 1) != 1)
            die("start");
    for (i = 0; i < clients; i++) {
        if (read(resp[0], &n, sizeof(n)) != sizeof(n))
            die("result");
        total += n;
    }
    t1 = now();
    while (wait(NULL) > 0)
        ;
    printf("ops_per_sec %.0f\n", (double)total / (t1 - t0));
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int cmd_watch(const char *sock, int samples, const char *echo)
{
    struct msg m, r, w;
    int fd = sock_connect(sock), i, efd = -1;
    double *lat = calloc((size_t)samples, sizeof(double));
    size_t l;
    uint32_t wlen = (uint32_t)strlen("/bench/w/x") + 1 + 4;

    if (!lat)
        die("calloc");
    l = build(&m, XS_WATCH, 0, "/bench/w", NULL, 0);
    memcpy(m.body + m.h.len, "tok", 4);
    m.h.len += 4;
    write_all(fd, &m, sizeof(m.h) + m.h.len);
    read_reply(fd, &r);
    read_all(fd, &w.h, sizeof(w.h)); /* the initial event */
    read_all(fd, w.body, w.h.len);
    if (echo)
        efd = sock_connect(echo);
    for (i = 0; i < samples; i++) {
        double t0;

        l = build(&m, XS_WRITE, 0, "/bench/w/x", "0123456789", 10);
        t0 = now();
        if (efd >= 0) {
            m.h.req_id = wlen;
            write_all(efd, &m, l);
            read_all(efd, &w.h, sizeof(w.h));
            read_all(efd, w.body, w.h.len);
        } else {
            bool got_reply = false, got_event = false;

            write_all(fd, &m, l);
            while (!got_event || !got_reply) {
                read_all(fd, &w.h, sizeof(w.h));
                read_all(fd, w.body, w.h.len);
                if (w.h.type == XS_WATCH_EVENT) {
                    if (!got_event)
                        lat[i] = now() - t0;
                    got_event = true;
                } else {
                    got_reply = true;
                }
            }
            continue;
        }
        lat[i] = now() - t0;
    }
    qsort(lat, (size_t)samples, sizeof(double), cmp_double);
    printf("median_us %.1f\n", lat[samples / 2] * 1e6);
    free(lat);
    return 0;
}

static int cmd_populate(const char *sock, long nodes)
{
    struct msg m, r;
    int fd = sock_connect(sock);
    long i, sent = 0, got = 0;
    char path[128];

    /* Pipeline up to 16 writes: 100 directories of up to 1000 nodes. */
    for (i = 0; i < nodes; i++) {
        size_t l;

        snprintf(path, sizeof(path), "/bench/fill/d%03ld/n%ld", i % 100, i);
        l = build(&m, XS_WRITE, 0, path, "value", 5);
        write_all(fd, &m, l);
        sent++;
        while (sent - got >= 16) {
            read_reply(fd, &r);
            got++;
        }
    }
    while (got < sent) {
        read_reply(fd, &r);
        got++;
    }
    close(fd);
    printf("populated %ld\n", nodes);
    return 0;
}

/* ---- echo server ---------------------------------------------------------- */

struct echo_conn {
    int fd;
    size_t have;
    char buf[2 * MAXMSG];
};

static int cmd_echo(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    static char zeros[XENSTORE_PAYLOAD_MAX];

    if (lfd < 0 || ep < 0)
        die("socket");
    /* Listen under a temporary name, then rename: the socket appears ready. */
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", path);
    unlink(sa.sun_path);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 128) ||
        rename(sa.sun_path, path))
        die("bind");
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, -1), i;

        for (i = 0; i < n; i++) {
            struct echo_conn *c = evs[i].data.ptr;
            ssize_t got;
            size_t off = 0;
            char out[2 * MAXMSG];
            size_t olen = 0;

            if (!c) {
                int fd = accept(lfd, NULL, NULL);

                if (fd < 0)
                    continue;
                c = calloc(1, sizeof(*c));
                if (!c)
                    die("calloc");
                c->fd = fd;
                ev.events = EPOLLIN;
                ev.data.ptr = c;
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                continue;
            }
            got = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
            if (got <= 0) {
                close(c->fd);
                free(c);
                continue;
            }
            c->have += (size_t)got;
            while (c->have - off >= 16) {
                struct xsd_sockmsg h;

                memcpy(&h, c->buf + off, sizeof(h));
                if (c->have - off < 16 + h.len)
                    break;
                off += 16 + h.len;
                h.len = h.req_id > XENSTORE_PAYLOAD_MAX ? XENSTORE_PAYLOAD_MAX : h.req_id;
                if (olen + 16 + h.len > sizeof(out)) {
                    write_all(c->fd, out, olen);
                    olen = 0;
                }
                memcpy(out + olen, &h, 16);
                memcpy(out + olen + 16, zeros, h.len);
                olen += 16 + h.len;
            }
            memmove(c->buf, c->buf + off, c->have - off);
            c->have -= off;
            if (olen)
                write_all(c->fd, out, olen);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *echo = NULL;

    if (argc >= 3 && !strcmp(argv[1], "echo"))
        return cmd_echo(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "populate"))
        return cmd_populate(argv[2], atol(argv[3]));
    if (argc >= 6 && !strcmp(argv[1], "run")) {
        if (argc >= 8 && !strcmp(argv[6], "echo"))
            echo = argv[7];
        return cmd_run(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), echo);
    }
    if (argc >= 4 && !strcmp(argv[1], "watch")) {
        if (argc >= 6 && !strcmp(argv[4], "echo"))
            echo = argv[5];
        return cmd_watch(argv[2], atoi(argv[3]), echo);
    }
    fprintf(stderr, "usage: xs-bench echo SOCK | populate SOCK N | run SOCK OP CLIENTS SECS "
                    "[echo SOCK2] | watch SOCK SAMPLES [echo SOCK2]\n");
    return 2;
}
