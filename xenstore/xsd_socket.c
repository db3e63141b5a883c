/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: Unix socket transport and the standalone domain backend.
 *
 * Local clients (the toolstack, xenstore-* tools) connect to one listening
 * socket and are privileged, like dom0 tools on Xen.  In standalone mode
 * (no hypervisor) INTRODUCE gives each domain its own listening socket,
 * <dir>/domain-<domid>; whoever connects there is that unprivileged domain,
 * which is how tests exercise guests, permissions and quotas on a plain
 * Linux host.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xenstored.h"

/* ---- epoll registration -------------------------------------------------- */

int xsd_poll_add(struct xsd_pollable *p, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = p};

    if (xsd.epfd < 0)
        return 0;
    return epoll_ctl(xsd.epfd, EPOLL_CTL_ADD, p->fd, &ev) ? -errno : 0;
}

int xsd_poll_mod(struct xsd_pollable *p, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = p};

    if (xsd.epfd < 0)
        return 0;
    return epoll_ctl(xsd.epfd, EPOLL_CTL_MOD, p->fd, &ev) ? -errno : 0;
}

void xsd_poll_del(struct xsd_pollable *p)
{
    if (xsd.epfd >= 0 && p->fd >= 0)
        epoll_ctl(xsd.epfd, EPOLL_CTL_DEL, p->fd, NULL);
}

/* ---- connection transport ---------------------------------------------- */

static ssize_t sock_read(struct xsd_conn *c, void *buf, size_t len)
{
    ssize_t n = recv(c->poll.fd, buf, len, MSG_DONTWAIT);

    if (n > 0)
        return n;
    if (n == 0)
        return -EPIPE;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    return -errno;
}

static ssize_t sock_write(struct xsd_conn *c, const void *buf, size_t len)
{
    ssize_t n = send(c->poll.fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    return -errno;
}

static void sock_update(struct xsd_conn *c, uintptr_t bit, bool on)
{
    uintptr_t st = (uintptr_t)c->tdata;
    uint32_t ev = 0;

    st = on ? (st | bit) : (st & ~bit);
    if (st == (uintptr_t)c->tdata)
        return;
    c->tdata = (void *)st;
    if (st & 1)
        ev |= EPOLLIN;
    if (st & 2)
        ev |= EPOLLOUT;
    xsd_poll_mod(&c->poll, ev);
}

static void sock_want_write(struct xsd_conn *c, bool on)
{
    sock_update(c, 2, on);
}

static void sock_want_read(struct xsd_conn *c, bool on)
{
    sock_update(c, 1, on);
}

static void sock_close(struct xsd_conn *c)
{
    xsd_poll_del(&c->poll);
    close(c->poll.fd);
    c->poll.fd = -1;
}

static const struct xsd_transport_ops sock_ops = {
    .name = "socket",
    .read = sock_read,
    .write = sock_write,
    .want_write = sock_want_write,
    .want_read = sock_want_read,
    .close = sock_close,
};

static void conn_event(struct xsd_pollable *p, uint32_t events)
{
    struct xsd_conn *c = (struct xsd_conn *)p;

    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        xsd_conn_input(c);
    if (!c->dead && (events & EPOLLOUT))
        xsd_conn_output(c);
    if (!c->dead && (events & (EPOLLHUP | EPOLLERR)) && !(events & EPOLLIN))
        xsd_conn_close(c);
}

/* ---- listeners ----------------------------------------------------------- */

struct listener {
    struct xsd_pollable poll;
    struct xsd_domain *domain; /* NULL: the privileged local socket */
    struct listener *znext;    /* on the zombie list once closed */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static struct listener *main_listener;
static char domain_dir[sizeof(((struct sockaddr_un *)0)->sun_path)] = ".";

static void accept_event(struct xsd_pollable *p, uint32_t events)
{
    struct listener *l = (struct listener *)p;
    int fd;

    (void)events;
    while ((fd = accept4(l->poll.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        struct xsd_conn *c = xsd_conn_new(&sock_ops, (void *)(uintptr_t)1, fd, l->domain);

        if (!c) {
            close(fd);
            continue;
        }
        c->poll.handler = conn_event;
        if (xsd_poll_add(&c->poll, EPOLLIN)) {
            xsd_conn_close(c);
            continue;
        }
    }
}

static struct listener *listen_on(const char *path, struct xsd_domain *d, mode_t mode)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct listener *l;
    int fd;

    /* Bind under a temporary name and rename once listening, so a client
     * that sees the socket appear can connect at once. */
    if (strlen(path) + 4 >= sizeof(sa.sun_path)) {
        xsd_log("socket path too long: %s", path);
        return NULL;
    }
    l = xsd_zalloc(sizeof(*l));
    if (!l)
        return NULL;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.new", path);
    strcpy(l->path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    unlink(sa.sun_path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(sa.sun_path, mode) ||
        listen(fd, 128) || rename(sa.sun_path, path)) {
        xsd_log("cannot listen on %s: %s", path, strerror(errno));
        unlink(sa.sun_path);
        close(fd);
        goto fail;
    }
    l->poll.fd = fd;
    l->poll.handler = accept_event;
    l->domain = d;
    if (xsd_poll_add(&l->poll, EPOLLIN)) {
        close(fd);
        unlink(path);
        goto fail;
    }
    return l;
fail:
    free(l);
    return NULL;
}

/* Listeners die mid-turn (RELEASE) while epoll may still report them: defer the free. */
static struct listener *zombies;

static void ignore_event(struct xsd_pollable *p, uint32_t events)
{
    (void)p;
    (void)events;
}

void xsd_socket_reap(void)
{
    while (zombies) {
        struct listener *l = zombies;

        zombies = l->znext;
        free(l);
    }
}

static void listener_free(struct listener *l)
{
    xsd_poll_del(&l->poll);
    close(l->poll.fd);
    unlink(l->path);
    l->poll.fd = -1;
    l->poll.handler = ignore_event;
    l->znext = zombies;
    zombies = l;
}

int xsd_socket_listen(const char *path)
{
    main_listener = listen_on(path, NULL, 0600);
    return main_listener ? 0 : -EIO;
}

void xsd_socket_set_domain_dir(const char *dir)
{
    snprintf(domain_dir, sizeof(domain_dir), "%s", dir);
}

void xsd_socket_shutdown(void)
{
    if (main_listener)
        listener_free(main_listener);
    main_listener = NULL;
}

/* ---- standalone domain backend ------------------------------------------ */

static int standalone_attach(struct xsd_domain *d)
{
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int l = snprintf(path, sizeof(path), "%s/domain-%u", domain_dir, d->domid);

    if (l < 0 || (size_t)l >= sizeof(path))
        return -ENAMETOOLONG;
    d->bdata = listen_on(path, d, 0600);
    return d->bdata ? 0 : -EIO;
}

static void standalone_detach(struct xsd_domain *d)
{
    struct xsd_conn *c;

    if (d->bdata)
        listener_free(d->bdata);
    d->bdata = NULL;
    for (c = xsd.conns; c; c = c->next)
        if (c->domain == d)
            xsd_conn_close(c);
}

const struct xsd_domain_backend xsd_standalone_backend = {
    .name = "standalone",
    .attach = standalone_attach,
    .detach = standalone_detach,
};
