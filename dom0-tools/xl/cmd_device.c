/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Devices of a running domain: block-attach, block-detach, block-list,
 * network-attach, network-detach, network-list.
 *
 * The lists read the frontend's nodes, as xl's do (-1 for a node the
 * frontend has not written).  Every change is also written to the domain's
 * saved configuration, as a complete `disk = [...]` or `vif = [...]` line,
 * so that a reboot brings back the devices the domain had, not the ones it
 * was created with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "device.h"
#include "domcfg.h"
#include "xl.h"

#define MAX_DEVICES 64

static void to_stderr(void *opaque, enum xlcfg_level level, const char *line)
{
    (void)opaque;
    (void)level;
    fprintf(stderr, "%s\n", line);
}

static const struct xlcfg_reporter stderr_reporter = {to_stderr, NULL};

/* The arguments from argv[first] on, as one comma-separated spec. */
static char *join_spec(int argc, char **argv, int first)
{
    size_t len = 1;
    char *s;

    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    s = calloc(1, len);
    if (!s)
        return NULL;
    for (int i = first; i < argc; i++) {
        if (i > first)
            strcat(s, ",");
        strcat(s, argv[i]);
    }
    return s;
}

/* The domain's configuration as saved (NULL if it has none: a boot-time
 * domain, or one created by another toolstack). */
static struct pvx_domcfg *saved_config(domid_t domid)
{
    char *text = xlt_saved_read(domid), source[64];
    struct pvx_domcfg *cfg = NULL;

    if (!text)
        return NULL;
    snprintf(source, sizeof(source), "saved configuration of domain %u", domid);
    if (xlt_config_parse(source, text, strlen(text), NULL, 0, &cfg))
        cfg = NULL;
    free(text);
    return cfg;
}

/*
 * Record the domain's disks (or vifs) in its saved configuration: those it
 * was saved with, minus the one with devid `drop`, plus `add_disk` or
 * `add_nic`.  A domain without a saved configuration has nothing to update.
 */
static void save_devices(domid_t domid, bool disks, int drop,
                         const struct pvx_domcfg_disk *add_disk, const struct pvx_nic *add_nic)
{
    struct pvx_domcfg *cfg = saved_config(domid);
    char *line = NULL, spec[1024];
    size_t len = 0, n = 0;
    FILE *f;

    if (!cfg)
        return;
    f = open_memstream(&line, &len);
    if (!f)
        goto out;
    fprintf(f, "%s = [", disks ? "disk" : "vif");
    for (size_t i = 0; i < (disks ? cfg->num_disks : cfg->num_nics); i++) {
        if (disks && cfg->disks[i].devid != drop)
            xlt_vbd_spec(&cfg->disks[i], spec, sizeof(spec));
        else if (!disks && cfg->nics[i].devid != drop)
            xlt_vif_spec(&cfg->nics[i], spec, sizeof(spec));
        else
            continue;
        fprintf(f, "%s '%s'", n++ ? "," : "", spec);
    }
    if (add_disk)
        xlt_vbd_spec(add_disk, spec, sizeof(spec));
    if (add_nic)
        xlt_vif_spec(add_nic, spec, sizeof(spec));
    if (add_disk || add_nic)
        fprintf(f, "%s '%s'", n++ ? "," : "", spec);
    fputs(" ]", f);
    if (!fclose(f))
        xlt_saved_append(domid, "%s", line);
out:
    free(line);
    pvx_domcfg_free(cfg);
}

/* A running domain (not dom0, not dying) by xl's domain argument. */
static int running_domain(const char *arg, domid_t *domid)
{
    pvxctl_dominfo_t info;

    if (xlt_find_domain(&xl_ctx, arg, domid))
        return -ESRCH;
    if (pvxctl_domain_info(xl_ctx.ctl, *domid, &info) || (info.flags & PVX_DOMINF_dying)) {
        fprintf(stderr, "Domain %s does not exist.\n", arg);
        return -ESRCH;
    }
    if (*domid == 0) {
        fprintf(stderr, "pvx: dom0's devices are its own: attach devices to a domU.\n");
        return -EINVAL;
    }
    return 0;
}

/* libxl_domain_qualifier_to_domid: like xlt_find_domain, but quiet (the
 * verbs that use it print their own message). */
static int qualifier_to_domid(const char *arg, domid_t *domid)
{
    char *end;
    unsigned long id = strtoul(arg, &end, 10);

    if (*arg && !*end && id < DOMID_FIRST_RESERVED) {
        *domid = (domid_t)id;
        return 0;
    }
    return xlt_domid_by_name(&xl_ctx, arg, domid);
}

static bool has_device(domid_t domid, const char *kind, int devid)
{
    int ids[MAX_DEVICES], n = xlt_dev_list(&xl_ctx, domid, kind, ids, MAX_DEVICES);

    for (int i = 0; i < n; i++)
        if (ids[i] == devid)
            return true;
    return false;
}

/* ---- disks --------------------------------------------------------------------- */

int main_blockattach(int argc, char **argv)
{
    struct pvx_domcfg_disk disk = {.devid = -1};
    domid_t domid;
    char *spec = NULL;
    int rc = EXIT_FAILURE;

    while (xl_getopt(argc, argv, "", NULL, "block-attach", 2) != -1)
        ;
    if (qualifier_to_domid(argv[optind], &domid)) {
        fprintf(stderr, "%s is an invalid domain identifier\n", argv[optind]);
        return EXIT_FAILURE;
    }
    spec = join_spec(argc, argv, optind + 1);
    if (!spec || pvx_disk_parse("command line", spec, &stderr_reporter, &disk.spec))
        goto out;
    disk.devid = pvx_vdev_to_number(disk.spec.vdev);
    if (disk.devid < 0) {
        fprintf(stderr, "Invalid or unsupported virtual disk identifier %s\n", disk.spec.vdev);
        goto out;
    }
    if (xl_dryrun) {
        char line[1024];

        xlt_vbd_spec(&disk, line, sizeof(line));
        printf("disk: %s\n", line);
        rc = EXIT_SUCCESS;
        goto out;
    }
    if (running_domain(argv[optind], &domid))
        goto out;
    if (has_device(domid, "vbd", disk.devid)) {
        XLT_ERR(domid, "disk %s: the domain already has a disk %s (%d)", disk.spec.vdev,
                disk.spec.vdev, disk.devid);
    } else if (!xlt_vbd_add(&xl_ctx, domid, &disk)) {
        save_devices(domid, true, -1, &disk, NULL);
        rc = EXIT_SUCCESS;
    }
    if (rc)
        fprintf(stderr, "libxl_device_disk_add failed.\n");
out:
    pvx_disk_dispose(&disk.spec);
    free(spec);
    return rc;
}

int main_blockdetach(int argc, char **argv)
{
    static const struct option opts[] = {
        {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool force = false;
    domid_t domid;
    int devid, rc;

    while (xl_getopt(argc, argv, "f", opts, "block-detach", 2) != -1)
        force = true;
    if (running_domain(argv[optind], &domid))
        return EXIT_FAILURE;
    devid = pvx_vdev_to_number(argv[optind + 1]);
    if (devid < 0 || !has_device(domid, "vbd", devid)) {
        fprintf(stderr, "Error: Device %s not connected.\n", argv[optind + 1]);
        return EXIT_FAILURE;
    }
    rc = xlt_vbd_remove(&xl_ctx, domid, devid, force);
    if (rc) {
        if (rc == -EBUSY)
            XLT_ERR(domid,
                    "disk %s: the guest did not release it (in use?); unmount it in the guest "
                    "or detach with -f",
                    argv[optind + 1]);
        fprintf(stderr, "libxl_device_disk_%s failed.\n", force ? "destroy" : "safe_remove");
        return EXIT_FAILURE;
    }
    save_devices(domid, true, devid, NULL, NULL);
    return EXIT_SUCCESS;
}

/* A frontend node as a number, -1 when absent, as libxl's getinfo. */
static long fe_num(const char *fe, const char *key)
{
    char *v = xlt_read(&xl_ctx, XBT_NULL, "%s/%s", fe, key);
    long n = v ? strtol(v, NULL, 10) : -1;

    free(v);
    return n;
}

/* The device's frontend and backend paths from its /libxl record. */
static bool device_paths(domid_t domid, const char *kind, int devid, struct xlt_dev_paths *p)
{
    struct xlt_dev d = {.kind = kind, .domid = domid, .backend = 0, .devid = devid};
    char *be;

    xlt_dev_paths(&d, p);
    be = xlt_read(&xl_ctx, XBT_NULL, "%s/backend", p->libxl);
    if (!be)
        return false;
    snprintf(p->be, sizeof(p->be), "%s", be);
    free(be);
    return true;
}

static int backend_domid(const char *be)
{
    unsigned int id;

    return sscanf(be, "/local/domain/%u/", &id) == 1 ? (int)id : -1;
}

int main_blocklist(int argc, char **argv)
{
    while (xl_getopt(argc, argv, "", NULL, "block-list", 1) != -1)
        ;
    printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle", "state", "evt-ch",
           "ring-ref", "BE-path");
    for (int a = optind; a < argc; a++) {
        int ids[MAX_DEVICES], n;
        domid_t domid;

        if (qualifier_to_domid(argv[a], &domid)) {
            fprintf(stderr, "%s is an invalid domain identifier\n", argv[a]);
            continue;
        }
        n = xlt_dev_list(&xl_ctx, domid, "vbd", ids, MAX_DEVICES);
        for (int i = 0; i < n; i++) {
            struct xlt_dev_paths p;

            if (!device_paths(domid, "vbd", ids[i], &p))
                continue;
            printf("%-5d %-3d %-6d %-5ld %-6ld %-8ld %-30s\n", ids[i], backend_domid(p.be), domid,
                   fe_num(p.fe, "state"), fe_num(p.fe, "event-channel"), fe_num(p.fe, "ring-ref"),
                   p.be);
        }
    }
    return EXIT_SUCCESS;
}

/* ---- network interfaces --------------------------------------------------------------- */

int main_networkattach(int argc, char **argv)
{
    struct pvx_nic nic = {0};
    domid_t domid;
    char *spec = NULL;
    int ids[MAX_DEVICES], n, rc = EXIT_FAILURE;

    while (xl_getopt(argc, argv, "", NULL, "network-attach", 1) != -1)
        ;
    if (running_domain(argv[optind], &domid))
        return EXIT_FAILURE;
    /* The next free device id is the default, as libxl picks it. */
    n = xlt_dev_list(&xl_ctx, domid, "vif", ids, MAX_DEVICES);
    spec = join_spec(argc, argv, optind + 1);
    if (!spec ||
        pvx_nic_parse("command line", spec, n ? ids[n - 1] + 1 : 0, &stderr_reporter, &nic))
        goto out;
    if (nic.script)
        fprintf(stderr, "command line: warning: vif script `%s' is not supported by pvx, ignored\n",
                nic.script);
    if (xl_dryrun) {
        char line[1024];

        xlt_vif_spec(&nic, line, sizeof(line));
        printf("vif: %s\n", line);
        rc = EXIT_SUCCESS;
        goto out;
    }
    if (has_device(domid, "vif", nic.devid))
        XLT_ERR(domid, "vif %d: the domain already has a network interface %d", nic.devid,
                nic.devid);
    else if (!xlt_vif_add(&xl_ctx, domid, &nic)) {
        save_devices(domid, false, -1, NULL, &nic);
        rc = EXIT_SUCCESS;
    }
    if (rc)
        fprintf(stderr, "libxl_device_nic_add failed.\n");
out:
    pvx_nic_dispose(&nic);
    free(spec);
    return rc;
}

/* A vif by devid, or by MAC address when the argument has a ':'. */
static int find_vif(domid_t domid, const char *arg)
{
    int ids[MAX_DEVICES], n = xlt_dev_list(&xl_ctx, domid, "vif", ids, MAX_DEVICES);

    for (int i = 0; i < n; i++) {
        struct xlt_dev_paths p;
        char *mac;
        bool match;

        if (!strchr(arg, ':')) {
            char *end;
            long id = strtol(arg, &end, 10);

            if (!*end && end != arg && id == ids[i])
                return ids[i];
            continue;
        }
        if (!device_paths(domid, "vif", ids[i], &p))
            continue;
        mac = xlt_read(&xl_ctx, XBT_NULL, "%s/mac", p.be);
        match = mac && !strcasecmp(mac, arg);
        free(mac);
        if (match)
            return ids[i];
    }
    return -1;
}

int main_networkdetach(int argc, char **argv)
{
    domid_t domid;
    int devid;

    while (xl_getopt(argc, argv, "", NULL, "network-detach", 2) != -1)
        ;
    if (running_domain(argv[optind], &domid))
        return EXIT_FAILURE;
    devid = find_vif(domid, argv[optind + 1]);
    if (devid < 0) {
        fprintf(stderr, "Unknown device %s.\n", argv[optind + 1]);
        return EXIT_FAILURE;
    }
    if (xlt_vif_remove(&xl_ctx, domid, devid, false)) {
        fprintf(stderr, "libxl_device_nic_del failed.\n");
        return EXIT_FAILURE;
    }
    save_devices(domid, false, devid, NULL, NULL);
    return EXIT_SUCCESS;
}

int main_networklist(int argc, char **argv)
{
    while (xl_getopt(argc, argv, "", NULL, "network-list", 1) != -1)
        ;
    printf("%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\n", "Idx", "BE", "Mac Addr.", "handle",
           "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
    for (int a = optind; a < argc; a++) {
        int ids[MAX_DEVICES], n;
        domid_t domid;

        if (xlt_find_domain(&xl_ctx, argv[a], &domid))
            continue;
        n = xlt_dev_list(&xl_ctx, domid, "vif", ids, MAX_DEVICES);
        for (int i = 0; i < n; i++) {
            struct xlt_dev_paths p;
            char *mac;

            if (!device_paths(domid, "vif", ids[i], &p))
                continue;
            mac = xlt_read(&xl_ctx, XBT_NULL, "%s/mac", p.be);
            printf("%-3d %-2d %-17s %6d %5ld %6ld %5ld/%-11ld %-30s\n", ids[i], backend_domid(p.be),
                   mac ? mac : "", ids[i], fe_num(p.fe, "state"), fe_num(p.fe, "event-channel"),
                   fe_num(p.fe, "tx-ring-ref"), fe_num(p.fe, "rx-ring-ref"), p.be);
            free(mac);
        }
    }
    return EXIT_SUCCESS;
}
