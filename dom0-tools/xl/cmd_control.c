/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl shutdown, reboot, destroy, pause, unpause, rename, sysrq.
 *
 * shutdown and reboot only ask: they write the request into the guest's
 * control/shutdown node and wait (up to 60 s, as libxl) for the guest to
 * acknowledge it by clearing the node.  What happens when the guest then
 * shuts down (destroy, or rebuild for a reboot) is the lifecycle daemon's
 * job (dom0-tools/xl/lifecycled.c), as it is xl's monitor process's on Xen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

#define ACK_TIMEOUT_MS 60000

/* libxl's pvcontrol: ask the guest, and wait for its acknowledgement. */
static int pvcontrol(domid_t domid, const char *cmd)
{
    pvxctl_dominfo_t info;
    char path[64];

    if (pvxctl_domain_info(xl_ctx.ctl, domid, &info))
        return XLT_ERROR_FAIL;
    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
    if (xlt_write(&xl_ctx, XBT_NULL, path, cmd))
        return XLT_ERROR_FAIL;
    if (xlt_wait_node(&xl_ctx, path, false, ACK_TIMEOUT_MS)) {
        XLT_ERR(domid, "guest didn't acknowledge control request: %d", XLT_ERROR_TIMEDOUT);
        return XLT_ERROR_TIMEDOUT;
    }
    return 0;
}

static void report_wait(domid_t domid, const pvxctl_dominfo_t *info, void *arg)
{
    (void)arg;
    if (info)
        fprintf(stderr, "Domain %u has been shut down, reason code %u\n", domid,
                info->shutdown_reason);
    else
        fprintf(stderr, "Domain %u has been destroyed\n", domid);
}

static int shutdown_or_reboot(int argc, char **argv, bool reboot)
{
    static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
                                         {"wait", no_argument, NULL, 'w'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *what = reboot ? "reboot" : "shutdown";
    static pvxctl_dominfo_t infos[1024];
    domid_t ids[1024];
    unsigned int nids = 0;
    int opt, wait_for_it = 0, rc;
    bool all = false;

    while ((opt = xl_getopt(argc, argv, "awF", opts, what, 0)) != -1) {
        if (opt == 'a')
            all = true;
        else if (opt == 'w')
            wait_for_it++;
        /* -F: the ACPI fallback is for HVM guests; PV guests always have the
         * control node. */
    }
    if (!argv[optind] && !all) {
        fprintf(stderr, "You must specify -a or a domain id.\n\n");
        return EXIT_FAILURE;
    }
    if (all) {
        int n = xlt_list(&xl_ctx, infos, sizeof(infos) / sizeof(infos[0]));

        if (n < 0) {
            fprintf(stderr, "libxl_list_domain failed.\n");
            return EXIT_FAILURE;
        }
        for (int i = 0; i < n; i++)
            if (infos[i].domain != 0)
                ids[nids++] = infos[i].domain;
    } else {
        if (xlt_find_domain(&xl_ctx, argv[optind], &ids[0]))
            return EXIT_FAILURE;
        nids = 1;
    }
    for (unsigned int i = 0; i < nids; i++) {
        fprintf(stderr, "%s domain %u\n", reboot ? "Rebooting" : "Shutting down", ids[i]);
        rc = pvcontrol(ids[i], reboot ? "reboot" : "poweroff");
        if (rc) {
            fprintf(stderr, "%s failed (rc=%d)\n", what, rc);
            return EXIT_FAILURE;
        }
    }
    if (wait_for_it) {
        fprintf(stderr, "Waiting for %u domains\n", nids);
        rc = xlt_wait(&xl_ctx, ids, nids,
                      wait_for_it == 1 ? XLT_WAIT_SHUTDOWN_OR_GONE : XLT_WAIT_GONE, -1, report_wait,
                      NULL);
        if (rc) {
            fprintf(stderr, "Failed to get event, quitting (rc=%d)\n", rc);
            return EXIT_FAILURE;
        }
    }
    return EXIT_SUCCESS;
}

int main_shutdown(int argc, char **argv)
{
    return shutdown_or_reboot(argc, argv, false);
}

int main_reboot(int argc, char **argv)
{
    return shutdown_or_reboot(argc, argv, true);
}

int main_destroy(int argc, char **argv)
{
    bool force = false;
    domid_t domid;
    int opt, rc;

    while ((opt = xl_getopt(argc, argv, "f", NULL, "destroy", 1)) != -1)
        force = true;
    if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
        return EXIT_FAILURE;
    if (domid == 0) {
        /* pvx has no disaggregated hardware domain: -f changes nothing. */
        fprintf(stderr, "Not destroying domain 0; use -f to force.\n"
                        "This can only be done when using a disaggregated hardware domain and "
                        "toolstack.\n\n");
        (void)force;
        return EXIT_FAILURE;
    }
    rc = xlt_destroy(&xl_ctx, domid);
    if (rc) {
        fprintf(stderr, "destroy failed (rc=%d)\n",
                rc == -ESRCH ? XLT_ERROR_DOMAIN_NOTFOUND : XLT_ERROR_FAIL);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

/* xl ignores pause/unpause failures (exit 0); pvx says what went wrong. */
static int pause_or_unpause(int argc, char **argv, bool pause)
{
    domid_t domid;

    while (xl_getopt(argc, argv, "", NULL, pause ? "pause" : "unpause", 1) != -1)
        ;
    if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
        return EXIT_FAILURE;
    if (pause ? pvxctl_domain_pause(xl_ctx.ctl, domid) : pvxctl_domain_unpause(xl_ctx.ctl, domid))
        XLT_ERR(DOMID_INVALID, "%s", pvxctl_error(xl_ctx.ctl));
    return EXIT_SUCCESS;
}

int main_pause(int argc, char **argv)
{
    return pause_or_unpause(argc, argv, true);
}

int main_unpause(int argc, char **argv)
{
    return pause_or_unpause(argc, argv, false);
}

struct rename {
    domid_t domid;
    const char *old_name, *new_name;
};

static int rename_tx(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct rename *r = arg;
    char path[64], *vm, *cur;
    domid_t other;
    int rc;

    /* The name must be free (another domain may not hold it) ... */
    if (!xlt_domid_by_name(t, r->new_name, &other) && other != r->domid) {
        XLT_ERR(DOMID_INVALID, "Domain with name \"%s\" already exists.", r->new_name);
        return -EEXIST;
    }
    /* ... and the domain must still be the one the user named. */
    cur = xlt_read(t, tx, "/local/domain/%u/name", r->domid);
    rc = cur && (!r->old_name || !strcmp(cur, r->old_name)) ? 0 : -ESRCH;
    free(cur);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "/local/domain/%u/name", r->domid);
    rc = xlt_write(t, tx, path, r->new_name);
    vm = xlt_read(t, tx, "/local/domain/%u/vm", r->domid);
    if (!rc && vm) {
        char vpath[128];

        snprintf(vpath, sizeof(vpath), "%s/name", vm);
        rc = xlt_write(t, tx, vpath, r->new_name);
    }
    free(vm);
    return rc;
}

int xl_rename_domain(struct xlt *t, domid_t domid, const char *old_name, const char *new_name)
{
    struct rename r = {.domid = domid, .old_name = old_name, .new_name = new_name};
    int rc;

    if (domid == 0 || !*new_name || strlen(new_name) > XLT_NAME_MAX)
        return -EINVAL;
    rc = xlt_transaction(t, rename_tx, &r);
    if (!rc) /* A reboot keeps the new name. */
        xlt_saved_append(domid, "name = \"%s\"", new_name);
    return rc;
}

int main_rename(int argc, char **argv)
{
    struct rename r;
    const char *dom;

    while (xl_getopt(argc, argv, "", NULL, "rename", 2) != -1)
        ;
    dom = argv[optind++];
    r.new_name = argv[optind];
    if (xlt_find_domain(&xl_ctx, dom, &r.domid))
        return EXIT_FAILURE;
    r.old_name = NULL;
    if (r.domid == 0 || !*r.new_name || strlen(r.new_name) > XLT_NAME_MAX ||
        xlt_transaction(&xl_ctx, rename_tx, &r)) {
        fprintf(stderr, "Can't rename domain '%s'.\n", dom);
        return 1;
    }
    /* A reboot keeps the new name. */
    xlt_saved_append(r.domid, "name = \"%s\"", r.new_name);
    return 0;
}

int main_sysrq(int argc, char **argv)
{
    domid_t domid;
    char path[64];

    while (xl_getopt(argc, argv, "", NULL, "sysrq", 2) != -1)
        ;
    if (xlt_find_domain(&xl_ctx, argv[optind++], &domid))
        return EXIT_FAILURE;
    if (argv[optind][0] == '\0' || argv[optind][1] != '\0') {
        fprintf(stderr, "Invalid sysrq.\n\n");
        xl_help("sysrq");
        return EXIT_FAILURE;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/control/sysrq", domid);
    if (xlt_write(&xl_ctx, XBT_NULL, path, argv[optind]))
        XLT_ERR(DOMID_INVALID, "writing %s: %s", path, strerror(errno));
    return EXIT_SUCCESS;
}
