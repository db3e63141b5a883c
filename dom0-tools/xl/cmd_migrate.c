/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl migrate and xl migrate-receive (docs/migration.md, "Between hosts").
 *
 * The sender runs "<transport> <host> xl migrate-receive" (ssh by default,
 * `-s` replaces it; pvx-migrate is the transport without ssh keys) and
 * speaks xl's protocol over the child's stdin and stdout: the receiver's
 * banner; the save stream (the same as xl save writes); "received, ready"
 * once the receiver holds the domain paused as NAME--incoming; the sender
 * renames its own copy NAME--migratedaway and sends "yours"; the receiver
 * renames its copy, unpauses it and reports a status byte; on 0 the sender
 * destroys its copy.  The guest never runs on both hosts: until "yours" the
 * sender resumes its copy on any failure, and a receiver that does not get
 * "yours" destroys its own.
 *
 * The copy is live (xlt_sr_save_live): the guest runs while its pages go in
 * rounds under log-dirty mode and is suspended only for the last round.
 * --max-rounds and --max-dirty set when the rounds stop (pvx's own options;
 * --max-rounds 0 suspends the guest for the whole copy).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "domcfg.h"
#include "guest.h"
#include "sr.h"
#include "xl.h"

/* Live rounds: at most this many while the guest runs (the first sends
 * every page), ending early once at most DEFAULT_MAX_DIRTY pages are dirty. */
#define DEFAULT_MAX_ROUNDS 5
#define DEFAULT_MAX_DIRTY  50

/* xl's messages, byte for byte: the banner has no NUL, the others do. */
static const char banner[] = "xl migration receiver ready, send binary domain data.\n";
static const char msg_ready[] = "domain received, ready to unpause";
static const char msg_go[] = "domain is yours, you are cleared to unpause";
static const char msg_report[] = "my copy unpause results are as follows";
#define BANNER_LEN (sizeof(banner) - 1)

#define INCOMING_SUFFIX     "--incoming"
#define MIGRATEDAWAY_SUFFIX "--migratedaway"

/* Read exactly msg (len bytes) from fd: 0, or -1 after saying what came. */
static int expect(int fd, const char *msg, size_t len, const char *who, const char *when)
{
    char buf[128];
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n < 0 && errno == EINTR && !sr_stopped())
            continue;
        if (n <= 0) {
            fprintf(stderr, "migration %s: %s: %s\n", who, when,
                    n == 0         ? "the other end closed the connection"
                    : sr_stopped() ? strsignal(sr_stopped())
                                   : strerror(errno));
            return -1;
        }
        got += (size_t)n;
    }
    if (memcmp(buf, msg, len)) {
        fprintf(stderr, "migration %s: %s: unexpected message from the other end\n", who, when);
        return -1;
    }
    return 0;
}

static int send_msg(int fd, const void *msg, size_t len)
{
    struct sr_io io = {.fd = fd};

    return sr_write_exact(&io, msg, len);
}

/* ---- the sender ----------------------------------------------------------- */

struct transport {
    pid_t pid;
    int to, from; /* the child's stdin and stdout, our ends */
};

/* sh -c "exec RUNE": the receiver at the other end of two pipes. */
static int transport_start(struct transport *tp, const char *rune)
{
    int in[2], out[2];

    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
        perror("pipe");
        return -1;
    }
    tp->pid = fork();
    if (tp->pid < 0) {
        perror("fork");
        return -1;
    }
    if (tp->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execl("/bin/sh", "sh", "-c", rune, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    tp->to = in[1];
    tp->from = out[0];
    return 0;
}

static void transport_end(struct transport *tp)
{
    int status;

    if (tp->to >= 0)
        close(tp->to);
    if (tp->from >= 0)
        close(tp->from);
    tp->to = tp->from = -1;
    if (tp->pid > 0 && waitpid(tp->pid, &status, 0) == tp->pid && WIFEXITED(status) &&
        WEXITSTATUS(status) != 0)
        fprintf(stderr, "migration transport exited with status %d\n", WEXITSTATUS(status));
    tp->pid = -1;
}

/* The suspend of a live migration's last round: a signal meanwhile waits
 * until the guest has suspended or is known to run on. */
static int suspend_for_last_round(struct xlt *t, domid_t domid)
{
    int rc;

    sr_defer_stop_signals(true);
    rc = xl_suspend(t, domid);
    sr_defer_stop_signals(false);
    return rc;
}

int main_migrate(int argc, char **argv)
{
    static const struct option longopts[] = {{"debug", no_argument, NULL, 'D'},
                                             {"live", no_argument, NULL, 'L'},
                                             {"max-rounds", required_argument, NULL, 'R'},
                                             {"max-dirty", required_argument, NULL, 'M'},
                                             {NULL, 0, NULL, 0}};
    struct sr_live live = {.max_rounds = DEFAULT_MAX_ROUNDS,
                           .max_dirty = DEFAULT_MAX_DIRTY,
                           .suspend = suspend_for_last_round};
    unsigned long long v;
    char *end;
    const char *transport = "ssh", *cfg_path = NULL, *dom, *host;
    bool receiver_paused = false, preserve = false;
    struct transport tp = {.pid = -1, .to = -1, .from = -1};
    char *config = NULL, *rune = NULL, *name = NULL, *away = NULL;
    struct sr_io io = {.fd = -1};
    pvxctl_dominfo_t info;
    uint8_t status;
    domid_t domid;
    int opt, rc = EXIT_FAILURE;

    while ((opt = xl_getopt(argc, argv, "FC:s:epD", longopts, "migrate", 2)) != -1) {
        switch (opt) {
        case 'C':
            cfg_path = optarg;
            break;
        case 's':
            transport = optarg;
            break;
        case 'e':
        case 'F':
            preserve = true;
            break;
        case 'p':
            receiver_paused = true;
            break;
        case 'R':
        case 'M':
            errno = 0;
            v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || (opt == 'R' && v > 1000)) {
                fprintf(stderr, "xl migrate: --%s wants a number%s, not '%s'\n",
                        opt == 'R' ? "max-rounds" : "max-dirty",
                        opt == 'R' ? " from 0 (no live rounds) to 1000" : " of pages", optarg);
                return 2; /* xl's status for a bad option */
            }
            if (opt == 'R')
                live.max_rounds = (unsigned int)v;
            else
                live.max_dirty = v;
            break;
        default: /* --debug, --live (it is live unless --max-rounds 0) */
            break;
        }
    }
    dom = argv[optind];
    host = argv[optind + 1];
    if (xlt_find_domain(&xl_ctx, dom, &domid))
        return EXIT_FAILURE;
    if (domid == 0 || pvxctl_domain_info(xl_ctx.ctl, domid, &info)) {
        fprintf(stderr, "%s\n", domid == 0 ? "cannot migrate domain 0" : "no such domain");
        return EXIT_FAILURE;
    }
    if (info.flags & (PVX_DOMINF_shutdown | PVX_DOMINF_dying)) {
        XLT_ERR(domid, "the domain is shut down or dying: only a running guest can migrate");
        return EXIT_FAILURE;
    }
    name = xlt_read(&xl_ctx, XBT_NULL, "/local/domain/%u/name", domid);
    config = xl_save_config_text(domid, cfg_path, &info);
    if (!name || !config)
        goto out;
    if (asprintf(&rune, "exec %s%s%s xl migrate-receive%s%s", transport, *transport ? " " : "",
                 host, preserve ? " -e" : "", receiver_paused ? " -p" : "") < 0 ||
        asprintf(&away, "%s" MIGRATEDAWAY_SUFFIX, name) < 0)
        goto out;
    signal(SIGPIPE, SIG_IGN);
    if (transport_start(&tp, rune))
        goto out;
    if (expect(tp.from, banner, BANNER_LEN, "sender", "waiting for the receiver's banner")) {
        fprintf(stderr,
                "migration sender: is `%s` right, and does %s run pvx's xl? (the guest "
                "was not touched)\n",
                rune, host);
        goto out;
    }
    fprintf(stderr, "migration target: Ready to receive domain.\n");
    io.fd = tp.to;
    if (sr_write_xl_header(&io, config)) {
        fprintf(stderr, "migration sender: %s\n", io.err);
        goto out;
    }
    /* From here a signal must not leave the guest suspended: it stops the
     * transfer, and the guest is resumed before xl ends by that signal. */
    sr_catch_stop_signals();
    if (live.max_rounds) {
        fprintf(stderr,
                "migration sender: live: at most %u rounds while the guest runs, until at most "
                "%llu pages are dirty\n",
                live.max_rounds, (unsigned long long)live.max_dirty);
        if (xlt_sr_save_live(&xl_ctx, domid, &io, &live)) {
            fprintf(stderr, "migration sender: sending domain %u failed: %s\n", domid, io.err);
            if (live.suspended)
                goto resume;
            fprintf(stderr, "migration sender: domain %u runs on here (it was not suspended)\n",
                    domid);
            goto out;
        }
    } else {
        sr_defer_stop_signals(true);
        if (xl_suspend(&xl_ctx, domid))
            goto out; /* it was never suspended, or it is resumed already */
        sr_defer_stop_signals(false);
        if (xlt_sr_save(&xl_ctx, domid, &io)) {
            fprintf(stderr, "migration sender: sending domain %u failed: %s\n", domid, io.err);
            goto resume;
        }
    }
    fprintf(stderr, "migration sender: %llu bytes sent\n", (unsigned long long)io.offset);
    if (expect(tp.from, msg_ready, sizeof(msg_ready), "sender", "waiting for the receiver"))
        goto resume;
    if (xl_rename_domain(&xl_ctx, domid, name, away)) {
        fprintf(stderr, "migration sender: could not rename the domain to %s\n", away);
        goto resume; /* the receiver destroys its copy when "yours" does not come */
    }
    if (send_msg(tp.to, msg_go, sizeof(msg_go))) {
        fprintf(stderr, "migration sender: could not tell the receiver to go ahead\n");
        xl_rename_domain(&xl_ctx, domid, away, name);
        goto resume;
    }
    if (expect(tp.from, msg_report, sizeof(msg_report), "sender", "during final handshake") ||
        read(tp.from, &status, 1) != 1) {
        fprintf(stderr,
                "migration sender: failed during the final handshake: domain %u (%s) "
                "stays suspended here; check %s before resuming or destroying it\n",
                domid, away, host);
        goto out;
    }
    if (status != 0) {
        fprintf(stderr, "migration sender: the receiver could not start its copy (status %u)\n",
                status);
        if (expect(tp.from, msg_go, sizeof(msg_go), "sender", "waiting for permission to resume")) {
            fprintf(stderr, "migration sender: domain %u (%s) stays suspended here\n", domid, away);
            goto out;
        }
        xl_rename_domain(&xl_ctx, domid, away, name);
        goto resume;
    }
    fprintf(stderr, "Migration successful.\n");
    rc = xlt_destroy(&xl_ctx, domid) ? EXIT_FAILURE : EXIT_SUCCESS;
    goto out;
resume:
    fprintf(stderr, "migration sender: resuming domain %u here\n", domid);
    sr_defer_stop_signals(true);
    xl_resume_cancelled(&xl_ctx, domid, false);
out:
    transport_end(&tp);
    free(config);
    free(rune);
    free(name);
    free(away);
    if (rc != EXIT_SUCCESS)
        sr_reraise_stop_signal();
    return rc;
}

/* ---- the receiver --------------------------------------------------------- */

/* Read the domain from stdin into a new paused domain NAME--incoming;
 * *end_ms is when its stream's END record came (0 if it did not). */
static int receive_domain(domid_t *domid, char **name, int64_t *end_ms)
{
    struct xlt_create c = {.console_notify_fd = -1, .paused = true};
    struct pvx_domcfg *cfg = NULL;
    struct sr_io io = {.fd = 0};
    struct xl_restore_ctx ctx;
    char *config = NULL, *text = NULL, *incoming = NULL, *override = NULL;
    const char *extra[1];
    uint32_t flags;
    domid_t other;
    int rc = -EINVAL;

    if (sr_read_xl_header(&io, &config, &flags)) {
        fprintf(stderr, "migration receiver: %s\n", io.err);
        goto out;
    }
    if (!config) {
        fprintf(stderr, "migration receiver: the stream carries no xl.cfg configuration\n");
        goto out;
    }
    if (xlt_config_parse("the migration stream's configuration", config, strlen(config), NULL, 0,
                         &cfg))
        goto out;
    /* The name must be free at the end; refuse now rather than after the
     * copy, unless its holder is the guest itself (a migration to this
     * host, whose sender renames its copy before we take the name). */
    if (!xlt_domid_by_name(&xl_ctx, cfg->name, &other)) {
        pvxctl_dominfo_t holder;

        if (pvxctl_domain_info(xl_ctx.ctl, other, &holder) ||
            memcmp(holder.handle, cfg->uuid, sizeof(cfg->uuid))) {
            fprintf(stderr,
                    "migration receiver: a domain called %s already exists here (domain %u)\n",
                    cfg->name, other);
            rc = -EEXIST;
            goto out;
        }
    }
    if (asprintf(&incoming, "%s" INCOMING_SUFFIX, cfg->name) < 0 ||
        asprintf(&override, "name=\"%s\"", incoming) < 0 ||
        asprintf(&text, "%s\nname = \"%s\"\n", config, incoming) < 0)
        goto out;
    *name = strdup(cfg->name);
    pvx_domcfg_free(cfg);
    cfg = NULL;
    extra[0] = override;
    if (!*name || xlt_config_parse("the migration stream's configuration", config, strlen(config),
                                   extra, 1, &cfg))
        goto out;
    ctx = (struct xl_restore_ctx){.file = "the migration stream", .io = &io, .cfg = cfg};
    c.cfg = cfg;
    c.config_text = text;
    c.build = xl_restore_build;
    c.build_arg = &ctx;
    rc = xlt_create(&xl_ctx, &c);
    if (!rc)
        *domid = c.domid;
out:
    *end_ms = io.end_ms;
    pvx_domcfg_free(cfg);
    free(config);
    free(text);
    free(incoming);
    free(override);
    return rc;
}

int main_migrate_receive(int argc, char **argv)
{
    bool paused = false;
    char *name = NULL, *incoming = NULL;
    domid_t domid = DOMID_INVALID;
    uint8_t status = 0;
    int opt, out_fd, rc = EXIT_FAILURE;
    int64_t end_ms = 0, ready_ms = 0;

    while ((opt = xl_getopt(argc, argv, "Fedp", NULL, "migrate-receive", 0)) != -1)
        if (opt == 'p')
            paused = true;
    signal(SIGPIPE, SIG_IGN);
    /* Stopped before "go", the receiver destroys its copy, as on any failure. */
    sr_catch_stop_signals();
    /* stdout is the protocol: anything else printed goes to stderr. */
    out_fd = dup(1);
    if (out_fd < 0 || dup2(2, 1) < 0 || send_msg(out_fd, banner, BANNER_LEN))
        return EXIT_FAILURE;
    if (receive_domain(&domid, &name, &end_ms)) {
        fprintf(stderr, "migration receiver: nothing was kept\n");
        goto out;
    }
    ready_ms = xlt_now_ms();
    if (asprintf(&incoming, "%s" INCOMING_SUFFIX, name) < 0 ||
        send_msg(out_fd, msg_ready, sizeof(msg_ready)) ||
        expect(0, msg_go, sizeof(msg_go), "receiver", "waiting for the sender's go-ahead")) {
        fprintf(stderr,
                "migration receiver: destroying our copy (domain %u); the sender keeps "
                "the guest\n",
                domid);
        xlt_destroy(&xl_ctx, domid);
        goto out;
    }
    if (xl_rename_domain(&xl_ctx, domid, incoming, name) ||
        (!paused && pvxctl_domain_unpause(xl_ctx.ctl, domid)))
        status = 1;
    if (send_msg(out_fd, msg_report, sizeof(msg_report)) || send_msg(out_fd, &status, 1)) {
        fprintf(stderr, "migration receiver: could not report to the sender\n");
        /* The sender may be gone; our copy is the guest now, if it runs. */
    }
    if (status) {
        fprintf(stderr, "migration receiver: could not start our copy: destroying it\n");
        xlt_destroy(&xl_ctx, domid);
        send_msg(out_fd, msg_go, sizeof(msg_go)); /* the sender may resume its copy */
        goto out;
    }
    fprintf(stderr, "migration target: Domain started successfully.\n");
    /* The receiver's share of the downtime; the sender prints its own
     * (suspend request to the end of the stream). */
    if (!paused) {
        int64_t now = xlt_now_ms();

        fprintf(stderr,
                "migration receiver: guest unpaused %lld ms after the end of the stream "
                "(%lld ms rebuilding it and connecting its devices, %lld ms for the "
                "sender's go-ahead)\n",
                (long long)(now - end_ms), (long long)(ready_ms - end_ms),
                (long long)(now - ready_ms));
    }
    rc = EXIT_SUCCESS;
out:
    free(name);
    free(incoming);
    if (rc != EXIT_SUCCESS)
        sr_reraise_stop_signal();
    return rc;
}
