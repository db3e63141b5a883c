/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: command line, signals and the epoll loop.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xenstored.h"

static bool running = true;

static void usage(FILE *f)
{
    fprintf(f, "usage: xenstored [options]\n"
               "  -s, --socket PATH         listening socket (default: $XENSTORED_PATH, else\n"
               "                            $XENSTORED_RUNDIR/socket, else /run/xenstored/socket)\n"
               "  -d, --domain-dir DIR      where standalone mode creates domain-<id> sockets\n"
               "                            (default: the socket's directory)\n"
               "      --standalone          no hypervisor: domains connect over sockets (default)\n"
               "      --dom0-ring           in a pvx dom0: serve dom0's kernel xenbus over its\n"
               "                            store ring (/dev/xen/xenbus_backend), introduced\n"
               "                            domains over theirs (/dev/xen/privcmd, evtchn),\n"
               "                            and watch for domain deaths (VIRQ_DOM_EXC)\n"
               "  -P, --pid-file FILE       write the daemon's pid to FILE once listening\n"
               "  -L, --log-file FILE       log there instead of stderr\n"
               "  -V, --verbose             trace every request\n"
               "  -K, --keep-orphans        on RELEASE give a domain's nodes to dom0, not remove\n"
               "  -E, --entry-nb N          quota nodes (nodes per domain)\n"
               "  -S, --entry-size N        quota node-size\n"
               "  -W, --watch-nb N          quota watches (per connection)\n"
               "  -t, --transaction N       quota transactions (per connection)\n"
               "  -A, --perm-nb N           quota permissions (entries per node)\n"
               "  -M, --path-max N          quota path-max\n"
               "  -Q, --quota NAME=N        any quota by name (see CONTROL quota)\n"
               "  -h, --help                this text\n");
}

static const char *default_socket(char *buf, size_t len)
{
    const char *p = getenv("XENSTORED_PATH");
    const char *dir = getenv("XENSTORED_RUNDIR");

    if (p && *p)
        return p;
    snprintf(buf, len, "%s/socket", dir && *dir ? dir : "/run/xenstored");
    return buf;
}

static int set_quota_opt(const char *name, const char *val)
{
    if (xsd_quota_set(name, val)) {
        fprintf(stderr, "xenstored: bad value for quota %s: %s\n", name, val);
        return -1;
    }
    return 0;
}

static void signal_event(struct xsd_pollable *p, uint32_t events)
{
    struct signalfd_siginfo si;

    (void)events;
    while (read(p->fd, &si, sizeof(si)) == sizeof(si))
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
            running = false;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"socket", 1, NULL, 's'},     {"domain-dir", 1, NULL, 'd'},
        {"standalone", 0, NULL, 'X'}, {"dom0-ring", 0, NULL, 'R'},
        {"pid-file", 1, NULL, 'P'},   {"log-file", 1, NULL, 'L'},
        {"verbose", 0, NULL, 'V'},    {"keep-orphans", 0, NULL, 'K'},
        {"entry-nb", 1, NULL, 'E'},   {"entry-size", 1, NULL, 'S'},
        {"watch-nb", 1, NULL, 'W'},   {"transaction", 1, NULL, 't'},
        {"perm-nb", 1, NULL, 'A'},    {"path-max", 1, NULL, 'M'},
        {"quota", 1, NULL, 'Q'},      {"help", 0, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char sockbuf[4096], dirbuf[4096];
    const char *sock = NULL, *ddir = NULL, *pidfile = NULL;
    struct xsd_pollable sigp;
    sigset_t mask;
    bool dom0_ring = false;
    int opt, ret = 1;

    xsd_quota_defaults(&xsd.quota);
    while ((opt = getopt_long(argc, argv, "s:d:P:L:VKE:S:W:t:A:M:Q:h", opts, NULL)) != -1) {
        char *eq;

        switch (opt) {
        case 's':
            sock = optarg;
            break;
        case 'd':
            ddir = optarg;
            break;
        case 'X':
            break;
        case 'R':
            dom0_ring = true;
            break;
        case 'P':
            pidfile = optarg;
            break;
        case 'L':
            xsd_set_logfile(optarg);
            break;
        case 'V':
            xsd.verbose = xsd.log_on = true;
            break;
        case 'K':
            xsd.keep_orphans = true;
            break;
        case 'E':
        case 'S':
        case 'W':
        case 't':
        case 'A':
        case 'M': {
            static const char *const names[] = {"E", "nodes",       "S", "node-size",
                                                "W", "watches",     "t", "transactions",
                                                "A", "permissions", "M", "path-max"};
            size_t i;

            for (i = 0; i < sizeof(names) / sizeof(names[0]); i += 2)
                if (names[i][0] == opt && set_quota_opt(names[i + 1], optarg))
                    return 2;
            break;
        }
        case 'Q':
            eq = strchr(optarg, '=');
            if (!eq) {
                fprintf(stderr, "xenstored: --quota wants NAME=N\n");
                return 2;
            }
            *eq = '\0';
            if (set_quota_opt(optarg, eq + 1))
                return 2;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (!sock)
        sock = default_socket(sockbuf, sizeof(sockbuf));
    if (!ddir) {
        const char *slash = strrchr(sock, '/');

        snprintf(dirbuf, sizeof(dirbuf), "%.*s", slash ? (int)(slash - sock) : 1,
                 slash ? sock : ".");
        if (!dirbuf[0])
            strcpy(dirbuf, "/");
        ddir = dirbuf;
    }

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);

    if (xsd_core_init()) {
        fprintf(stderr, "xenstored: out of memory\n");
        return 1;
    }
    xsd.backend = &xsd_standalone_backend;
    xsd.epfd = epoll_create1(EPOLL_CLOEXEC);
    sigp.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    sigp.handler = signal_event;
    if (xsd.epfd < 0 || sigp.fd < 0 || xsd_poll_add(&sigp, EPOLLIN)) {
        perror("xenstored: epoll/signalfd");
        goto out;
    }
    if (dom0_ring) {
        const struct xsd_hyp_ops *ops = xsd_hyp_open();

        if (!ops || xsd_guest_init(ops))
            goto out;
        xsd.backend = &xsd_guest_backend;
    }
    xsd_socket_set_domain_dir(ddir);
    if (xsd_socket_listen(sock))
        goto out;
    if (dom0_ring)
        xsd_log("listening on %s (dom0; domains over their store rings)", sock);
    else
        xsd_log("listening on %s (standalone; domain sockets in %s)", sock, ddir);
    if (dom0_ring && xsd_ring_dom0_attach())
        goto out;
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");

        if (f) {
            fprintf(f, "%ld\n", (long)getpid());
            fclose(f);
        }
    }

    while (running) {
        struct epoll_event ev[64];
        int i, n = epoll_wait(xsd.epfd, ev, 64, -1);

        if (n < 0 && errno != EINTR) {
            perror("xenstored: epoll_wait");
            break;
        }
        for (i = 0; i < n; i++) {
            struct xsd_pollable *p = ev[i].data.ptr;

            p->handler(p, ev[i].events);
        }
        xsd_conn_flush_all();
        xsd_conn_reap();
        xsd_socket_reap();
    }
    xsd_log("exiting");
    ret = 0;
out:
    xsd_socket_shutdown();
    xsd_core_free();
    xsd_guest_fini();
    xsd_hyp_close();
    xsd_socket_reap();
    if (sigp.fd >= 0)
        close(sigp.fd);
    if (xsd.epfd >= 0)
        close(xsd.epfd);
    if (pidfile)
        unlink(pidfile);
    return ret;
}
