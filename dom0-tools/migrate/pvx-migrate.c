/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvx-migrate: a transport for `xl migrate` between pvx hosts that have no
 * ssh keys for each other (docs/migration.md, "Between hosts").
 *
 * xl migrate runs "<transport> <host> xl [flags] migrate-receive [flags]"
 * with the migration stream on the transport's stdin and the receiver's
 * answers expected on its stdout, ssh by default.  With
 *
 *     xl migrate -s "pvx-migrate connect" DOMAIN HOST
 *
 * this program is the transport: it connects to `pvx-migrate listen` on HOST
 * (TCP port 8002, the port Xen's xend used for relocation), asks it to run
 * the receiver, then copies stdin to the connection and the connection to
 * stdout.  The listener runs nothing but `xl migrate-receive` with the flags
 * xl itself passes, each connection in a child with the connection as its
 * stdin and stdout.  There is no authentication: like xend's relocation
 * server, it belongs on a trusted management network (or on a firewall's
 * allow list); ssh stays xl's default.
 *
 * The request is one line, "pvx-migrate 1 ARG...\n" (ARG: the receiver's
 * command line, from "xl"); the answer one line, "pvx-migrate ok\n" or
 * "pvx-migrate refused: REASON\n".  After "ok" the connection is the
 * receiver's.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT    "8002"
#define MAX_REQUEST     512
#define MAX_ARGS        16
#define REQUEST_SECONDS 10
#define CONNECT_SECONDS 15

static const char *prog = "pvx-migrate";

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: %s listen [--port PORT] [--address ADDR] [--xl PATH] [--once]\n"
            "       %s connect [--port PORT] HOST xl [FLAGS] migrate-receive [FLAGS]\n"
            "\n"
            "The transport for `xl migrate -s \"pvx-migrate connect\" DOMAIN HOST`.\n"
            "listen   accept connections (default port " DEFAULT_PORT
            ") and run `xl migrate-receive`\n"
            "         for each, with the connection as its input and output.\n"
            "connect  what xl migrate runs: connect to HOST's listener and carry the\n"
            "         stream both ways.\n",
            prog, prog);
}

/* The whole buffer, or -1 (EINTR retried). */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* One line of at most max-1 bytes into buf, without its newline; byte by
 * byte, so nothing after it is consumed.  -1 on EOF, error or overlong. */
static int read_line(int fd, char *buf, size_t max)
{
    size_t len = 0;

    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        if (c == '\n')
            break;
        if (len + 1 >= max)
            return -1;
        buf[len++] = c;
    }
    buf[len] = '\0';
    return 0;
}

/* ---- the request ------------------------------------------------------- */

static bool is_flag(const char *arg, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(arg, *allowed) == 0)
            return true;
    return false;
}

/* -v, -vv, ... */
static bool is_verbosity(const char *arg)
{
    if (arg[0] != '-' || arg[1] != 'v')
        return false;
    for (arg++; *arg; arg++)
        if (*arg != 'v')
            return false;
    return true;
}

/*
 * Split "pvx-migrate 1 xl ... migrate-receive ..." into argv (pointing into
 * line) and check that it is a receiver's command line as xl migrate builds
 * it: xl, its global -t/-T/-v flags, migrate-receive, and its -e/-d/-p.
 * NULL if it is, else why not.
 */
static const char *parse_request(char *line, char **argv, size_t max_args)
{
    static const char *const xl_flags[] = {"-t", "-T", NULL};
    static const char *const receive_flags[] = {"-e", "-d", "-p", NULL};
    char *save = NULL, *word;
    size_t argc = 0, i = 1;

    word = strtok_r(line, " ", &save);
    if (!word || strcmp(word, "pvx-migrate") != 0)
        return "not a pvx-migrate request";
    word = strtok_r(NULL, " ", &save);
    if (!word || strcmp(word, "1") != 0)
        return "unsupported request version (this listener speaks version 1)";
    while ((word = strtok_r(NULL, " ", &save))) {
        if (argc + 1 >= max_args)
            return "too many arguments";
        argv[argc++] = word;
    }
    argv[argc] = NULL;
    if (argc == 0 || strcmp(argv[0], "xl") != 0)
        return "only xl migrate-receive may be run";
    while (i < argc && (is_flag(argv[i], xl_flags) || is_verbosity(argv[i])))
        i++;
    if (i >= argc || strcmp(argv[i], "migrate-receive") != 0)
        return "only xl migrate-receive may be run";
    for (i++; i < argc; i++)
        if (!is_flag(argv[i], receive_flags))
            return "migrate-receive accepts only -e, -d and -p here";
    return NULL;
}

/* ---- addresses ---------------------------------------------------------- */

/*
 * HOST (or, when NULL, every local address) and PORT as a socket address.
 * Numeric addresses are read here; names need the C library's resolver,
 * which a statically linked copy (the one in a test dom0's initramfs, built
 * with PVX_STATIC) cannot load, so there they are refused with that reason.
 */
static int resolve(const char *host, const char *port, struct sockaddr_storage *sa, socklen_t *len)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
    char *end;
    unsigned long p = strtoul(port, &end, 10);

    if (!*port || *end || p == 0 || p > 65535) {
        fprintf(stderr, "%s: '%s' is not a port number\n", prog, port);
        return -1;
    }
    memset(sa, 0, sizeof(*sa));
    if (!host) {
        in6->sin6_family = AF_INET6; /* dual-stack: IPv4 too */
        in6->sin6_addr = in6addr_any;
        in6->sin6_port = htons((uint16_t)p);
        *len = sizeof(*in6);
        return 0;
    }
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)p);
        *len = sizeof(*in4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)p);
        *len = sizeof(*in6);
        return 0;
    }
#ifdef PVX_STATIC
    fprintf(stderr, "%s: '%s': this statically linked copy takes numeric addresses only\n", prog,
            host);
    return -1;
#else
    {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
        struct addrinfo *res;
        int rc = getaddrinfo(host, port, &hints, &res);

        if (rc) {
            fprintf(stderr, "%s: %s: %s\n", prog, host, gai_strerror(rc));
            return -1;
        }
        memcpy(sa, res->ai_addr, res->ai_addrlen);
        *len = res->ai_addrlen;
        freeaddrinfo(res);
        return 0;
    }
#endif
}

/* ---- listen ------------------------------------------------------------ */

static int listen_on(const char *address, const char *port)
{
    struct sockaddr_storage sa;
    socklen_t len;
    int fd, one = 1, zero = 0;

    if (resolve(address, port, &sa, &len))
        return -1;
    fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (sa.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    if (bind(fd, (struct sockaddr *)&sa, len) || listen(fd, 4)) {
        fprintf(stderr, "%s: cannot listen on port %s: %s (is another listener running?)\n", prog,
                port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void peer_name(const struct sockaddr_storage *sa, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned int port = 0;

    if (sa->ss_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;

        inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
        port = ntohs(in4->sin_port);
    } else if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }
    snprintf(buf, size, "%s port %u", host, port);
}

static void refuse(int conn, const char *peer, const char *why)
{
    char msg[256];
    int len = snprintf(msg, sizeof(msg), "pvx-migrate refused: %s\n", why);

    struct timeval wait = {.tv_sec = 2};
    char drain[4096];

    fprintf(stderr, "%s: %s: refused: %s\n", prog, peer, why);
    write_all(conn, msg, (size_t)len);
    /* Closing with unread input would reset the connection, and the
     * client could lose the answer: end ours, then read theirs a while. */
    shutdown(conn, SHUT_WR);
    setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
    while (read(conn, drain, sizeof(drain)) > 0)
        ;
}

/* In the child: read the request, answer, and become the receiver. */
static void serve(int conn, const char *peer, const char *xl)
{
    char line[MAX_REQUEST], *argv[MAX_ARGS];
    const char *why;

    alarm(REQUEST_SECONDS);
    if (read_line(conn, line, sizeof(line))) {
        refuse(conn, peer, "no request line within 10 s, or one too long");
        _exit(1);
    }
    alarm(0);
    why = parse_request(line, argv, MAX_ARGS);
    if (why) {
        refuse(conn, peer, why);
        _exit(1);
    }
    fprintf(stderr, "%s: %s: running", prog, peer);
    for (char **a = argv; *a; a++)
        fprintf(stderr, " %s", *a);
    fputc('\n', stderr);
    if (write_all(conn, "pvx-migrate ok\n", 15) || dup2(conn, 0) < 0 || dup2(conn, 1) < 0)
        _exit(1);
    close(conn);
    execv(xl, argv);
    fprintf(stderr, "%s: cannot run %s: %s\n", prog, xl, strerror(errno));
    _exit(127);
}

static void reap(void)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (WIFEXITED(status))
            fprintf(stderr, "%s: receiver %d exited with status %d\n", prog, (int)pid,
                    WEXITSTATUS(status));
        else if (WIFSIGNALED(status))
            fprintf(stderr, "%s: receiver %d killed by signal %d\n", prog, (int)pid,
                    WTERMSIG(status));
    }
}

static int cmd_listen(int argc, char **argv)
{
    const char *port = DEFAULT_PORT, *address = NULL, *xl = "/usr/sbin/xl";
    bool once = false;
    int fd;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0)
            once = true;
        else if (i + 1 < argc && strcmp(argv[i], "--port") == 0)
            port = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--address") == 0)
            address = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--xl") == 0)
            xl = argv[++i];
        else {
            fprintf(stderr, "%s listen: unknown argument '%s'\n", prog, argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (access(xl, X_OK)) {
        fprintf(stderr, "%s: %s is not an executable xl (give --xl PATH)\n", prog, xl);
        return 1;
    }
    fd = listen_on(address, port);
    if (fd < 0)
        return 1;
    fprintf(stderr, "%s: listening on port %s for xl migrate\n", prog, port);
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t len = sizeof(sa);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char peer[INET6_ADDRSTRLEN + 16];
        int conn;
        pid_t pid;

        reap();
        if (poll(&p, 1, 1000) <= 0)
            continue;
        conn = accept4(fd, (struct sockaddr *)&sa, &len, SOCK_CLOEXEC);
        if (conn < 0)
            continue;
        peer_name(&sa, peer, sizeof(peer));
        pid = fork();
        if (pid == 0) {
            close(fd);
            serve(conn, peer, xl);
        }
        close(conn);
        if (pid < 0) {
            fprintf(stderr, "%s: fork: %s\n", prog, strerror(errno));
            continue;
        }
        if (once) {
            int status;

            waitpid(pid, &status, 0);
            return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        }
    }
}

/* ---- connect ----------------------------------------------------------- */

static int connect_to(const char *host, const char *port)
{
    struct sockaddr_storage sa;
    struct pollfd p;
    socklen_t len;
    int fd, err = 0;

    if (resolve(host, port, &sa, &len))
        return -1;
    fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err = errno;
        goto fail;
    }
    if (connect(fd, (struct sockaddr *)&sa, len) && errno != EINPROGRESS) {
        err = errno;
        goto fail;
    }
    p = (struct pollfd){.fd = fd, .events = POLLOUT};
    if (poll(&p, 1, CONNECT_SECONDS * 1000) != 1) {
        err = ETIMEDOUT;
        goto fail;
    }
    len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err)
        goto fail;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    fprintf(stderr,
            "%s: cannot reach the migration listener on %s port %s: %s\n"
            "%s: start it on that host (`pvx-migrate listen`, or systemctl start "
            "pvx-migrate), or use ssh\n",
            prog, host, port, strerror(err ? err : EIO), prog);
    return -1;
}

/* Carry stdin to fd and fd to stdout until fd ends; stdin's end is passed on
 * as a half-close, so the receiver sees the end of the stream. */
static int relay(int fd)
{
    struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    char buf[65536];

    for (;;) {
        ssize_t n;

        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (p[0].revents) {
            n = read(0, buf, sizeof(buf));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                shutdown(fd, SHUT_WR);
                p[0].fd = -1;
            } else if (write_all(fd, buf, (size_t)n)) {
                fprintf(stderr, "%s: the connection broke: %s\n", prog, strerror(errno));
                return 1;
            }
        }
        if (p[1].revents) {
            n = read(fd, buf, sizeof(buf));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                fprintf(stderr, "%s: the connection broke: %s\n", prog, strerror(errno));
                return 1;
            }
            if (n == 0)
                return 0;
            if (write_all(1, buf, (size_t)n))
                return 1; /* xl stopped reading: it has its own error to tell */
        }
    }
}

static int cmd_connect(int argc, char **argv)
{
    const char *port = DEFAULT_PORT;
    char request[MAX_REQUEST], answer[256];
    size_t len;
    int i = 0, fd, rc = 1;

    if (argc >= 2 && strcmp(argv[0], "--port") == 0) {
        port = argv[1];
        i = 2;
    }
    if (argc - i < 2) {
        usage(stderr);
        return 2;
    }
    len = (size_t)snprintf(request, sizeof(request), "pvx-migrate 1");
    for (int a = i + 1; a < argc; a++) {
        if (strpbrk(argv[a], " \t\n") || len + strlen(argv[a]) + 2 >= sizeof(request)) {
            fprintf(stderr, "%s: argument '%s' cannot be sent\n", prog, argv[a]);
            return 2;
        }
        len += (size_t)snprintf(request + len, sizeof(request) - len, " %s", argv[a]);
    }
    request[len++] = '\n';
    fd = connect_to(argv[i], port);
    if (fd < 0)
        return 1;
    if (write_all(fd, request, len) || read_line(fd, answer, sizeof(answer))) {
        fprintf(stderr, "%s: %s closed the connection before answering\n", prog, argv[i]);
        goto out;
    }
    if (strcmp(answer, "pvx-migrate ok") != 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, argv[i], answer);
        goto out;
    }
    rc = relay(fd);
out:
    close(fd);
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "listen") == 0)
        return cmd_listen(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "connect") == 0)
        return cmd_connect(argc - 2, argv + 2);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}
