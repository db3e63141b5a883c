/* SPDX-License-Identifier: MIT */
/*
 * pvx libxenstore: client library speaking the xenstore wire protocol over
 * the daemon's Unix socket (or the xenbus device inside a guest).
 *
 * Requests are serialised by req_lock.  Until the first watch, the caller's
 * thread reads its own reply (queueing any watch event it meets on the
 * way).  The first xs_watch/xs_fileno starts a reader thread which from
 * then on receives everything: replies go to the single reply slot, events
 * to the watch queue, and a byte in a pipe makes xs_fileno() readable
 * while events wait.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "xenstore.h"

#define XS_API __attribute__((visibility("default")))

struct xs_msg {
    struct xs_msg *next;
    struct xsd_sockmsg hdr;
    char *body; /* hdr.len bytes plus a NUL */
};

struct xs_handle {
    int fd;
    unsigned long flags;
    pthread_mutex_t req_lock; /* one request in flight */
    pthread_mutex_t lock;     /* reply slot, watch queue, state */
    pthread_cond_t reply_cv;
    pthread_cond_t watch_cv;
    struct xs_msg *reply;
    struct xs_msg *wq_head, **wq_tail;
    int pipefd[2];
    bool reader;
    bool broken;
    pthread_t thread;
};

/* ---- paths ----------------------------------------------------------------- */

XS_API const char *xs_daemon_rundir(void)
{
    const char *s = getenv("XENSTORED_RUNDIR");

    return s && *s ? s : "/run/xenstored";
}

XS_API const char *xs_daemon_socket(void)
{
    static __thread char buf[4096];
    const char *s = getenv("XENSTORED_PATH");

    if (s && *s)
        return s;
    snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
    return buf;
}

XS_API const char *xs_daemon_socket_ro(void)
{
    return xs_daemon_socket();
}

/* ---- message I/O --------------------------------------------------------- */

static bool read_full(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EBADF;
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void msg_free(struct xs_msg *m)
{
    if (m) {
        free(m->body);
        free(m);
    }
}

static void msg_free_cancelled(void *m)
{
    msg_free(m);
}

/* One message; NULL with errno on a short read, a bad length or no memory.
 * A reader cancelled in the middle frees what it had. */
static struct xs_msg *read_msg(int fd)
{
    /* volatile: the cleanup handler's setjmp must not clobber it */
    struct xs_msg *volatile m = calloc(1, sizeof(*m));
    volatile bool ok;

    if (!m)
        return NULL;
    pthread_cleanup_push(msg_free_cancelled, m);
    ok = read_full(fd, &m->hdr, sizeof(m->hdr));
    if (ok && m->hdr.len > XENSTORE_PAYLOAD_MAX) {
        errno = E2BIG;
        ok = false;
    }
    if (ok) {
        m->body = malloc(m->hdr.len + 1);
        ok = m->body && read_full(fd, m->body, m->hdr.len);
    }
    pthread_cleanup_pop(0);
    if (!ok) {
        msg_free(m);
        return NULL;
    }
    m->body[m->hdr.len] = '\0';
    return m;
}

static bool write_iov(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return false;
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return true;
}

/* Caller holds h->lock. */
static void queue_event(struct xs_handle *h, struct xs_msg *m)
{
    bool was_empty = !h->wq_head;

    m->next = NULL;
    *h->wq_tail = m;
    h->wq_tail = &m->next;
    if (was_empty && h->pipefd[1] >= 0) {
        char c = 0;

        while (write(h->pipefd[1], &c, 1) < 0 && errno == EINTR)
            ;
    }
    pthread_cond_broadcast(&h->watch_cv);
}

/*
 * The reader can be cancelled only while it waits in read_msg(): xs_close()
 * wakes it by shutting the socket down, but on /dev/xen/xenbus (a guest's
 * connection) shutdown() does nothing, so the reader is cancelled there.
 */
static struct xs_msg *read_msg_cancellable(int fd)
{
    struct xs_msg *m;

    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
    m = read_msg(fd);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    return m;
}

static void *reader_main(void *arg)
{
    struct xs_handle *h = arg;

    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    for (;;) {
        struct xs_msg *m = read_msg_cancellable(h->fd);

        pthread_mutex_lock(&h->lock);
        if (!m) {
            h->broken = true;
            pthread_cond_broadcast(&h->reply_cv);
            pthread_cond_broadcast(&h->watch_cv);
            pthread_mutex_unlock(&h->lock);
            return NULL;
        }
        if (m->hdr.type == XS_WATCH_EVENT) {
            queue_event(h, m);
        } else {
            msg_free(h->reply); /* an unsolicited reply: drop the older one */
            h->reply = m;
            pthread_cond_broadcast(&h->reply_cv);
        }
        pthread_mutex_unlock(&h->lock);
    }
}

/* Start the reader thread; caller holds req_lock (so no reply is being read). */
static bool start_reader(struct xs_handle *h)
{
    sigset_t all, old;
    int ret;

    if (h->reader)
        return true;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    ret = pthread_create(&h->thread, NULL, reader_main, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (ret) {
        errno = ret;
        return false;
    }
    h->reader = true;
    return true;
}

static int error_from_name(const char *s)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (!strcmp(s, xsd_errors[i].errstring))
            return xsd_errors[i].errnum;
    return EINVAL;
}

/* Send one request and wait for its reply.  Returns the malloc'ed body. */
static char *talk(struct xs_handle *h, xs_transaction_t t, uint32_t type, const struct iovec *in,
                  int n, unsigned int *len)
{
    struct iovec iov[16];
    struct xsd_sockmsg hdr = {.type = type, .req_id = 0, .tx_id = t, .len = 0};
    struct xs_msg *m = NULL;
    char *body;
    int i, err;

    if (n > 15) {
        errno = E2BIG;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        hdr.len += (uint32_t)in[i].iov_len;
        iov[i + 1] = in[i];
    }
    if (hdr.len > XENSTORE_PAYLOAD_MAX) {
        errno = E2BIG;
        return NULL;
    }
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);

    pthread_mutex_lock(&h->req_lock);
    if (h->broken || !write_iov(h->fd, iov, n + 1)) {
        err = h->broken ? EBADF : errno;
        goto fail;
    }
    if (h->reader) {
        pthread_mutex_lock(&h->lock);
        while (!h->reply && !h->broken)
            pthread_cond_wait(&h->reply_cv, &h->lock);
        m = h->reply;
        h->reply = NULL;
        pthread_mutex_unlock(&h->lock);
    } else {
        for (;;) {
            m = read_msg(h->fd);
            if (!m || m->hdr.type != XS_WATCH_EVENT)
                break;
            pthread_mutex_lock(&h->lock);
            queue_event(h, m);
            pthread_mutex_unlock(&h->lock);
        }
        if (!m)
            h->broken = true;
    }
    if (!m) {
        err = EBADF;
        goto fail;
    }
    pthread_mutex_unlock(&h->req_lock);

    if (m->hdr.type == XS_ERROR) {
        err = error_from_name(m->body);
        msg_free(m);
        errno = err;
        return NULL;
    }
    if (m->hdr.type != type) {
        msg_free(m);
        errno = EBADF;
        return NULL;
    }
    body = m->body;
    if (len)
        *len = m->hdr.len;
    free(m);
    /* Xen's library leaves errno 0 after a successful request; some callers rely on it. */
    errno = 0;
    return body;
fail:
    pthread_mutex_unlock(&h->req_lock);
    errno = err;
    return NULL;
}

static char *talk1(struct xs_handle *h, xs_transaction_t t, uint32_t type, const char *s,
                   unsigned int *len)
{
    struct iovec iov = {(void *)s, strlen(s) + 1};

    return talk(h, t, type, &iov, 1, len);
}

static bool ok(char *reply)
{
    free(reply);
    return reply != NULL;
}

/* ---- open and close ------------------------------------------------------ */

static int connect_socket(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, err;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        errno = EINVAL;
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

static int open_path(const char *path)
{
    struct stat st;

    if (stat(path, &st))
        return -1;
    if (S_ISSOCK(st.st_mode))
        return connect_socket(path);
    return open(path, O_RDWR | O_CLOEXEC);
}

XS_API struct xs_handle *xs_open(unsigned long flags)
{
    struct xs_handle *h;
    int fd = open_path(xs_daemon_socket());

    if (fd < 0 && !getenv("XENSTORED_PATH")) {
        fd = open_path("/dev/xen/xenbus");
        if (fd < 0)
            fd = open_path("/proc/xen/xenbus");
    }
    if (fd < 0)
        return NULL;
    h = calloc(1, sizeof(*h));
    if (!h) {
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    h->fd = fd;
    h->flags = flags;
    h->pipefd[0] = h->pipefd[1] = -1;
    h->wq_tail = &h->wq_head;
    pthread_mutex_init(&h->req_lock, NULL);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->reply_cv, NULL);
    pthread_cond_init(&h->watch_cv, NULL);
    return h;
}

XS_API struct xs_handle *xs_daemon_open(void)
{
    return xs_open(0);
}

XS_API struct xs_handle *xs_domain_open(void)
{
    return xs_open(0);
}

XS_API struct xs_handle *xs_daemon_open_readonly(void)
{
    return xs_open(0);
}

/* The handle's descriptors and queued messages (not its thread or locks). */
static void release_handle_fds(struct xs_handle *h)
{
    struct xs_msg *m;

    close(h->fd);
    while ((m = h->wq_head)) {
        h->wq_head = m->next;
        msg_free(m);
    }
    msg_free(h->reply);
    if (h->pipefd[0] >= 0) {
        close(h->pipefd[0]);
        close(h->pipefd[1]);
    }
}

XS_API void xs_close(struct xs_handle *h)
{
    if (!h)
        return;
    if (h->reader) {
        /* A socket's reader wakes with EOF; a device's must be cancelled. */
        if (shutdown(h->fd, SHUT_RDWR))
            pthread_cancel(h->thread);
        pthread_join(h->thread, NULL);
    }
    release_handle_fds(h);
    pthread_mutex_destroy(&h->req_lock);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->reply_cv);
    pthread_cond_destroy(&h->watch_cv);
    free(h);
}

XS_API void xs_daemon_close(struct xs_handle *h)
{
    xs_close(h);
}

/* In a forked child: drop the parent's handle without touching its thread. */
XS_API void xs_daemon_destroy_postfork(struct xs_handle *h)
{
    if (!h)
        return;
    release_handle_fds(h);
    free(h);
}

/* Removed from the protocol (type 20 is retired): always fails. */
XS_API bool xs_restrict(struct xs_handle *h, unsigned domid)
{
    (void)h;
    (void)domid;
    errno = ENOSYS;
    return false;
}

XS_API bool xs_write_all(int fd, const void *data, unsigned int len)
{
    const char *p = data;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (unsigned int)n;
    }
    return true;
}

/* The suspend event channel a guest advertises, or -1. */
XS_API int xs_suspend_evtchn_port(int domid)
{
    char path[96], *v;
    struct xs_handle *h = xs_open(0);
    int port = -1;

    if (!h)
        return -1;
    snprintf(path, sizeof(path), "/local/domain/%d/device/suspend/event-channel", domid);
    v = xs_read(h, XBT_NULL, path, NULL);
    if (v && *v)
        port = atoi(v);
    free(v);
    xs_close(h);
    return port;
}

/* ---- helpers ---------------------------------------------------------------- */

XS_API unsigned int xs_count_strings(const char *strings, unsigned int len)
{
    unsigned int n = 0, i;

    for (i = 0; i < len; i++)
        if (!strings[i])
            n++;
    return n;
}

XS_API bool xs_path_is_subpath(const char *parent, const char *child)
{
    size_t pl = strlen(parent), cl = strlen(child);

    if (cl < pl || memcmp(child, parent, pl))
        return false;
    return cl == pl || child[pl] == '/';
}

XS_API bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer, size_t buf_len)
{
    static const char letter[4] = {'n', 'r', 'w', 'b'};
    int l;

    if (perm->perms & ~(unsigned int)(XS_PERM_READ | XS_PERM_WRITE)) {
        errno = EINVAL;
        return false;
    }
    l = snprintf(buffer, buf_len, "%c%u", letter[perm->perms & 3], perm->id);
    if (l < 0 || (size_t)l >= buf_len) {
        errno = E2BIG;
        return false;
    }
    return true;
}

XS_API bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings)
{
    const char *p = strings;
    unsigned int i;

    for (i = 0; i < num; i++) {
        char *end;

        switch (*p) {
        case 'n':
            perms[i].perms = XS_PERM_NONE;
            break;
        case 'r':
            perms[i].perms = XS_PERM_READ;
            break;
        case 'w':
            perms[i].perms = XS_PERM_WRITE;
            break;
        case 'b':
            perms[i].perms = XS_PERM_READ | XS_PERM_WRITE;
            break;
        default:
            errno = EINVAL;
            return false;
        }
        p++;
        if (!*p) {
            errno = EINVAL;
            return false;
        }
        perms[i].id = (unsigned int)strtoul(p, &end, 0);
        if (*end) {
            errno = EINVAL;
            return false;
        }
        p = end + 1;
    }
    return true;
}

/* Turn "a\0b\0c\0" (len bytes) into one allocation: pointer array + copy. */
static char **split_strings(char *strings, unsigned int len, unsigned int *num)
{
    unsigned int n = xs_count_strings(strings, len), i;
    char **ret = malloc(n * sizeof(char *) + len + 1);
    char *p;

    if (!ret) {
        free(strings);
        errno = ENOMEM;
        return NULL;
    }
    p = (char *)(ret + n);
    memcpy(p, strings, len);
    p[len] = '\0';
    free(strings);
    for (i = 0; i < n; i++) {
        ret[i] = p;
        p += strlen(p) + 1;
    }
    *num = n;
    return ret;
}

/* ---- store operations ------------------------------------------------------ */

static char **directory_part(struct xs_handle *h, xs_transaction_t t, const char *path,
                             unsigned int *num)
{
    char *acc = NULL, gen[32] = "";
    unsigned int acclen = 0;

    for (;;) {
        char offs[16];
        struct iovec iov[2];
        unsigned int rlen, glen;
        char *r, *na;

        snprintf(offs, sizeof(offs), "%u", acclen);
        iov[0].iov_base = (void *)path;
        iov[0].iov_len = strlen(path) + 1;
        iov[1].iov_base = offs;
        iov[1].iov_len = strlen(offs) + 1;
        r = talk(h, t, XS_DIRECTORY_PART, iov, 2, &rlen);
        if (!r) {
            free(acc);
            if (errno == ENOSYS)
                errno = E2BIG;
            return NULL;
        }
        glen = (unsigned int)strnlen(r, rlen) + 1;
        if (glen > rlen || glen > sizeof(gen)) {
            free(r);
            free(acc);
            errno = EBADF;
            return NULL;
        }
        if (acclen && strcmp(gen, r)) {
            /* The directory changed between parts: start over. */
            free(acc);
            acc = NULL;
            acclen = 0;
            free(r);
            continue;
        }
        memcpy(gen, r, glen);
        na = realloc(acc, acclen + (rlen - glen) + 1);
        if (!na) {
            free(r);
            free(acc);
            errno = ENOMEM;
            return NULL;
        }
        acc = na;
        memcpy(acc + acclen, r + glen, rlen - glen);
        acclen += rlen - glen;
        free(r);
        /* The last part ends with an empty string (two NULs, or just one). */
        if (acclen == 0 ||
            (acclen >= 1 && rlen - glen >= 1 && (acclen == 1 || acc[acclen - 2] == '\0')))
            break;
    }
    if (acclen)
        acclen--; /* drop the terminating empty string */
    return split_strings(acc, acclen, num);
}

XS_API char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
                           unsigned int *num)
{
    unsigned int len;
    char *r = talk1(h, t, XS_DIRECTORY, path, &len);

    if (!r)
        return errno == E2BIG ? directory_part(h, t, path, num) : NULL;
    return split_strings(r, len, num);
}

XS_API void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    return talk1(h, t, XS_READ, path, len);
}

XS_API bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
                     unsigned int len)
{
    struct iovec iov[2] = {{(void *)path, strlen(path) + 1}, {(void *)data, len}};

    return ok(talk(h, t, XS_WRITE, iov, 2, NULL));
}

XS_API bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return ok(talk1(h, t, XS_MKDIR, path, NULL));
}

XS_API bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return ok(talk1(h, t, XS_RM, path, NULL));
}

XS_API struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                                 const char *path, unsigned int *num)
{
    unsigned int len, n;
    char *r = talk1(h, t, XS_GET_PERMS, path, &len);
    struct xs_permissions *p;

    if (!r)
        return NULL;
    n = xs_count_strings(r, len);
    p = malloc((n ? n : 1) * sizeof(*p));
    if (!p || !xs_strings_to_perms(p, n, r)) {
        int err = p ? errno : ENOMEM;

        free(p);
        free(r);
        errno = err;
        return NULL;
    }
    free(r);
    *num = n;
    return p;
}

XS_API bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                               struct xs_permissions *perms, unsigned int num_perms)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t off, pl = strlen(path) + 1;
    unsigned int i;
    struct iovec iov;

    if (pl > sizeof(buf)) {
        errno = E2BIG;
        return false;
    }
    memcpy(buf, path, pl);
    off = pl;
    for (i = 0; i < num_perms; i++) {
        if (!xs_perm_to_string(&perms[i], buf + off, sizeof(buf) - off))
            return false;
        off += strlen(buf + off) + 1;
    }
    iov.iov_base = buf;
    iov.iov_len = off;
    return ok(talk(h, t, XS_SET_PERMS, &iov, 1, NULL));
}

/* ---- watches --------------------------------------------------------------- */

XS_API bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {{(void *)path, strlen(path) + 1}, {(void *)token, strlen(token) + 1}};
    bool started;

    pthread_mutex_lock(&h->req_lock);
    started = start_reader(h);
    pthread_mutex_unlock(&h->req_lock);
    if (!started)
        return false;
    return ok(talk(h, XBT_NULL, XS_WATCH, iov, 2, NULL));
}

XS_API int xs_fileno(struct xs_handle *h)
{
    pthread_mutex_lock(&h->req_lock);
    pthread_mutex_lock(&h->lock);
    if (h->pipefd[0] < 0 && !pipe2(h->pipefd, O_CLOEXEC) && h->wq_head) {
        char c = 0;

        while (write(h->pipefd[1], &c, 1) < 0 && errno == EINTR)
            ;
    }
    pthread_mutex_unlock(&h->lock);
    start_reader(h);
    pthread_mutex_unlock(&h->req_lock);
    return h->pipefd[0];
}

/* Take the first queued event as a string vector; caller holds h->lock. */
static char **pop_event(struct xs_handle *h, unsigned int *num)
{
    struct xs_msg *m = h->wq_head;
    char **v;

    h->wq_head = m->next;
    if (!h->wq_head) {
        h->wq_tail = &h->wq_head;
        if (h->pipefd[0] >= 0) {
            char c;

            while (read(h->pipefd[0], &c, 1) < 0 && errno == EINTR)
                ;
        }
    }
    v = split_strings(m->body, m->hdr.len, num);
    free(m);
    return v;
}

static char **read_watch(struct xs_handle *h, unsigned int *num, bool block)
{
    char **v;

    if (block) {
        pthread_mutex_lock(&h->req_lock);
        start_reader(h);
        pthread_mutex_unlock(&h->req_lock);
    }
    pthread_mutex_lock(&h->lock);
    while (!h->wq_head) {
        if (!block || h->broken) {
            pthread_mutex_unlock(&h->lock);
            errno = h->broken ? EBADF : EAGAIN;
            return NULL;
        }
        pthread_cond_wait(&h->watch_cv, &h->lock);
    }
    v = pop_event(h, num);
    pthread_mutex_unlock(&h->lock);
    return v;
}

XS_API char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    return read_watch(h, num, true);
}

XS_API char **xs_check_watch(struct xs_handle *h)
{
    unsigned int num;

    return read_watch(h, &num, false);
}

XS_API bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {{(void *)path, strlen(path) + 1}, {(void *)token, strlen(token) + 1}};
    bool res = ok(talk(h, XBT_NULL, XS_UNWATCH, iov, 2, NULL));
    struct xs_msg **pp, *m;

    if (!(h->flags & XS_UNWATCH_FILTER))
        return res;
    pthread_mutex_lock(&h->lock);
    for (pp = &h->wq_head; (m = *pp);) {
        const char *epath = m->body;
        const char *etok = memchr(m->body, '\0', m->hdr.len);

        if (etok && etok + 1 < m->body + m->hdr.len + 1 && !strcmp(etok + 1, token) &&
            xs_path_is_subpath(path, epath)) {
            *pp = m->next;
            msg_free(m);
            continue;
        }
        pp = &m->next;
    }
    h->wq_tail = &h->wq_head;
    while (*h->wq_tail)
        h->wq_tail = &(*h->wq_tail)->next;
    if (!h->wq_head && h->pipefd[0] >= 0) {
        char c;

        /* drain the wake-up byte if one is there */
        int fl = fcntl(h->pipefd[0], F_GETFL);

        fcntl(h->pipefd[0], F_SETFL, fl | O_NONBLOCK);
        while (read(h->pipefd[0], &c, 1) > 0)
            ;
        fcntl(h->pipefd[0], F_SETFL, fl);
    }
    pthread_mutex_unlock(&h->lock);
    return res;
}

/* ---- transactions ---------------------------------------------------------- */

XS_API xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    char *r = talk1(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
    xs_transaction_t id;

    if (!r)
        return XBT_NULL;
    id = (xs_transaction_t)strtoul(r, NULL, 0);
    free(r);
    return id;
}

XS_API bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    return ok(talk1(h, t, XS_TRANSACTION_END, abort ? "F" : "T", NULL));
}

/* ---- domains ----------------------------------------------------------------- */

static char *domid_call(struct xs_handle *h, uint32_t type, unsigned int domid)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%u", domid);
    return talk1(h, XBT_NULL, type, buf, NULL);
}

XS_API bool xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                                unsigned int eventchn)
{
    char d[16], m[24], e[16];
    struct iovec iov[3];

    snprintf(d, sizeof(d), "%u", domid);
    snprintf(m, sizeof(m), "%lu", mfn);
    snprintf(e, sizeof(e), "%u", eventchn);
    iov[0] = (struct iovec){d, strlen(d) + 1};
    iov[1] = (struct iovec){m, strlen(m) + 1};
    iov[2] = (struct iovec){e, strlen(e) + 1};
    return ok(talk(h, XBT_NULL, XS_INTRODUCE, iov, 3, NULL));
}

XS_API bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    char d[16], t[16];
    struct iovec iov[2];

    snprintf(d, sizeof(d), "%u", domid);
    snprintf(t, sizeof(t), "%u", target);
    iov[0] = (struct iovec){d, strlen(d) + 1};
    iov[1] = (struct iovec){t, strlen(t) + 1};
    return ok(talk(h, XBT_NULL, XS_SET_TARGET, iov, 2, NULL));
}

XS_API bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    return ok(domid_call(h, XS_RESUME, domid));
}

XS_API bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    return ok(domid_call(h, XS_RELEASE, domid));
}

XS_API char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    return domid_call(h, XS_GET_DOMAIN_PATH, domid);
}

XS_API bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    char *r = domid_call(h, XS_IS_DOMAIN_INTRODUCED, domid);
    bool yes = r && strcmp(r, "F");

    free(r);
    return yes;
}

XS_API char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    struct iovec iov[2] = {{(void *)cmd, strlen(cmd) + 1}, {data, len}};

    return talk(h, XBT_NULL, XS_CONTROL, iov, 2, NULL);
}

XS_API char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    return xs_control_command(h, cmd, data, len);
}
