/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvx-lifecycled: what happens to a domain after it shuts down.  On Xen one
 * `xl` monitor process per domain does this; pvx has one daemon for all of
 * them, started by dom0_up.
 *
 * xenstored (the one binder of VIRQ_DOM_EXC) fires @releaseDomain whenever
 * a domain shuts down, dies or is released.  On each event, and once at
 * start, every domain with a saved configuration is looked at:
 *
 *   shut down (first time seen)  -> its on_poweroff / on_reboot / on_crash /
 *                                   on_watchdog / on_soft_reset action:
 *        destroy           xlt_destroy
 *        restart           xlt_destroy, then xlt_create from the saved
 *                          configuration (same name and UUID, a new domid)
 *        rename-restart    keep the old one renamed NAME-YYYYMMDDTHHMMZ,
 *                          create a new one
 *        preserve          leave it (xl list shows it shut down)
 *        coredump-*        no core dumps on pvx: as destroy / restart
 *        soft-reset        not offered by pvx: as destroy
 *     suspend leaves the domain alone (save/restore's business);
 *   gone, or dying               -> what is left of it (xenstore nodes, its
 *                                   saved configuration) is removed.
 *
 * Logs go to stderr (dom0_up sends them to /var/log/pvx/lifecycled.log).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <public/sched.h>

#include "config.h"
#include "device.h"
#include "domcfg.h"
#include "toolstack.h"

#define MAX_DOMAINS 1024

static struct xlt t;
static volatile sig_atomic_t stop;
/* The shutdown reason + 1 of domains whose shutdown was handled already
 * (0: none; reset when they go).  A reason, not a flag: a suspended domain
 * may run again (a cancelled `xl save`) and later stop for another reason,
 * which must then be handled. */
static uint8_t handled[DOMID_FIRST_RESERVED];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logf_(const char *fmt, ...)
{
    char stamp[32];
    time_t now = time(NULL);
    va_list ap;

    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
    fprintf(stderr, "[%s] ", stamp);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

static enum pvx_action action_for(const struct pvx_domcfg *cfg, unsigned int reason)
{
    switch (reason) {
    case SHUTDOWN_poweroff:
        return cfg->on_poweroff;
    case SHUTDOWN_reboot:
        return cfg->on_reboot;
    case SHUTDOWN_crash:
        return cfg->on_crash;
    case SHUTDOWN_watchdog:
        return cfg->on_watchdog;
    case SHUTDOWN_soft_reset:
        return cfg->on_soft_reset;
    default:
        return PVX_ACTION_DESTROY; /* an unknown reason: as xl */
    }
}

/* Rebuild domid's domain from text under a new domid. */
static void restart(domid_t domid, const char *text)
{
    struct pvx_domcfg *cfg = NULL;
    struct xlt_create c = {.config_text = text, .console_notify_fd = -1};
    char source[64];
    int rc;

    snprintf(source, sizeof(source), "saved configuration of domain %u", domid);
    if (xlt_config_parse(source, text, strlen(text), NULL, 0, &cfg)) {
        logf_("Domain %u: its saved configuration does not parse any more: not restarted", domid);
        return;
    }
    c.cfg = cfg;
    rc = xlt_create(&t, &c);
    if (rc)
        logf_("Domain %u: restart failed (%s): the domain is gone", domid, strerror(-rc));
    else
        logf_("Domain %u restarted as domain %u (%s)", domid, c.domid, cfg->name);
    pvx_domcfg_free(cfg);
}

/* Rename the old domain out of the way, as xl's rename-restart does. */
static int rename_old(domid_t domid, const char *name)
{
    char stamp[32], newname[PVX_DOMAIN_NAME_LEN + 32], path[64];
    time_t now = time(NULL);

    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%MZ", gmtime(&now));
    snprintf(newname, sizeof(newname), "%.*s-%s", (int)(XLT_NAME_MAX - strlen(stamp) - 1), name,
             stamp);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    logf_("Domain %u: renaming it to %s", domid, newname);
    return xlt_write(&t, XBT_NULL, path, newname);
}

static void handle_shutdown(const pvxctl_dominfo_t *info)
{
    domid_t domid = info->domain;
    unsigned int reason = info->shutdown_reason;
    char *text = xlt_saved_read(domid), *name = xlt_domain_name(&t, domid);
    struct pvx_domcfg *cfg = NULL;
    enum pvx_action action;
    char source[64];

    handled[domid] = (uint8_t)(reason + 1);
    logf_("Domain %u has shut down, reason code %u 0x%x", domid, reason, reason);
    if (reason == SHUTDOWN_suspend) {
        logf_("Domain has suspended.");
        goto out;
    }
    snprintf(source, sizeof(source), "saved configuration of domain %u", domid);
    if (!text || xlt_config_parse(source, text, strlen(text), NULL, 0, &cfg)) {
        logf_("Domain %u: no usable saved configuration: destroying it", domid);
        xlt_destroy(&t, domid);
        goto out;
    }
    action = action_for(cfg, reason);
    logf_("Action for shutdown reason code %u is %s", reason, pvx_action_name(action));
    switch (action) {
    case PVX_ACTION_PRESERVE:
        break;
    case PVX_ACTION_RENAME_RESTART:
        if (!name || rename_old(domid, name)) {
            logf_("Domain %u: renaming failed: destroying it instead", domid);
            xlt_destroy(&t, domid);
        }
        /* The old one keeps its configuration file: reading it again is
         * harmless, and it is removed with the domain. */
        restart(domid, text);
        break;
    case PVX_ACTION_RESTART:
    case PVX_ACTION_COREDUMP_RESTART:
        logf_("Domain %u needs to be cleaned up: destroying the domain", domid);
        xlt_destroy(&t, domid);
        logf_("Done. Rebooting now");
        restart(domid, text);
        break;
    default:
        logf_("Domain %u needs to be cleaned up: destroying the domain", domid);
        xlt_destroy(&t, domid);
        break;
    }
out:
    pvx_domcfg_free(cfg);
    free(text);
    free(name);
}

/* What is left of domains that are gone: nodes, saved configurations. */
static void clean_up_gone(const pvxctl_dominfo_t *infos, int n)
{
    unsigned int num = 0;
    char **ids = xs_directory(t.xs, XBT_NULL, "/local/domain", &num);

    for (unsigned int i = 0; ids && i < num; i++) {
        char *end;
        unsigned long id = strtoul(ids[i], &end, 10);
        bool alive = false;
        char path[64];

        if (*end || id == 0 || id >= DOMID_FIRST_RESERVED)
            continue;
        for (int k = 0; k < n && !alive; k++)
            alive = infos[k].domain == id && !(infos[k].flags & PVX_DOMINF_dying);
        if (alive)
            continue;
        logf_("Domain %lu is gone: removing what is left of it", id);
        xlt_remove_devices(&t, (domid_t)id);
        snprintf(path, sizeof(path), "/local/domain/%lu", id);
        xlt_rm(&t, XBT_NULL, path);
        snprintf(path, sizeof(path), "/libxl/%lu", id);
        xlt_rm(&t, XBT_NULL, path);
        snprintf(path, sizeof(path), "/local/domain/0/backend/console/%lu", id);
        xlt_rm_prune(&t, XBT_NULL, path);
        xlt_saved_remove((domid_t)id);
    }
    free(ids);
}

static void scan(void)
{
    static pvxctl_dominfo_t infos[MAX_DOMAINS];
    static bool seen[DOMID_FIRST_RESERVED];
    int n = xlt_list(&t, infos, MAX_DOMAINS);

    if (n < 0) {
        logf_("listing domains: %s", pvxctl_error(t.ctl));
        return;
    }
    memset(seen, 0, sizeof(seen));
    for (int i = 0; i < n; i++) {
        const pvxctl_dominfo_t *d = &infos[i];

        seen[d->domain] = true;
        if (d->domain == 0 || (d->flags & PVX_DOMINF_dying))
            continue;
        if ((d->flags & PVX_DOMINF_shutdown) && handled[d->domain] != d->shutdown_reason + 1)
            handle_shutdown(d);
    }
    for (unsigned int id = 1; id < DOMID_FIRST_RESERVED; id++)
        if (handled[id] && !seen[id])
            handled[id] = 0;
    /* handle_shutdown may have changed the list: look again for leftovers. */
    n = xlt_list(&t, infos, MAX_DOMAINS);
    if (n >= 0)
        clean_up_gone(infos, n);
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int write_pid(const char *path)
{
    FILE *f = fopen(path, "we");

    if (!f)
        return -errno;
    fprintf(f, "%d\n", getpid());
    return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"interactive", no_argument, NULL, 'i'},
                                         {"pid-file", required_argument, NULL, 'p'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *pid_file = NULL;
    bool interactive = false;
    char err[512];
    int opt;

    while ((opt = getopt_long(argc, argv, "ip:vh", opts, NULL)) != -1) {
        switch (opt) {
        case 'i':
            interactive = true;
            break;
        case 'p':
            pid_file = optarg;
            break;
        case 'v':
            t.verbose++;
            break;
        case 'h':
            printf("Usage: pvx-lifecycled [-i|--interactive] [--pid-file=FILE] [-v]\n\n"
                   "Applies on_poweroff, on_reboot and on_crash to domains that shut down.\n");
            return 0;
        default:
            fprintf(stderr, "pvx-lifecycled: unknown option; see --help\n");
            return 2;
        }
    }
    if (xlt_open(&t, err, sizeof(err))) {
        fprintf(stderr, "pvx-lifecycled: %s\n", err);
        return 1;
    }
    if (!interactive && daemon(0, 1)) {
        fprintf(stderr, "pvx-lifecycled: daemon: %s\n", strerror(errno));
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (!xs_watch(t.xs, "@releaseDomain", "lifecycle")) {
        fprintf(stderr, "pvx-lifecycled: cannot watch @releaseDomain: %s\n", strerror(errno));
        return 1;
    }
    if (pid_file && write_pid(pid_file)) {
        fprintf(stderr, "pvx-lifecycled: %s: %s\n", pid_file, strerror(errno));
        return 1;
    }
    logf_("pvx-lifecycled %d watching domains", getpid());
    while (!stop) {
        struct pollfd p = {.fd = xs_fileno(t.xs), .events = POLLIN};

        /* The watch fires once at registration, so the first scan is
         * immediate; every later event, and every 5 s anyway. */
        if (poll(&p, 1, 5000) > 0) {
            unsigned int n;

            free(xs_read_watch(t.xs, &n));
        }
        scan();
    }
    logf_("pvx-lifecycled stopping");
    if (pid_file)
        unlink(pid_file);
    xlt_close(&t);
    return 0;
}
