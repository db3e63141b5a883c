/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Creating a domain from its configuration, in libxl's order:
 *
 *   1. refuse a name already taken, or more memory than is free;
 *   2. createdomain (paused, with its UUID, name and vCPU count);
 *   3. the xenstore skeleton (layout.c);
 *   4. the build in dom0 (dom0-tools/guest): memory, kernel, ramdisk,
 *      start_info, the xenstore and console pages and event channels;
 *   5. the rest of the layout (memory, store, vCPUs, image, console);
 *   6. XS_INTRODUCE, so xenstored serves its store ring (while it is still
 *      paused: introduction resets the ring); then its disks and network
 *      interfaces (vbd.c, vif.c);
 *   7. wait (10 s at most) for the console daemon to publish console/tty;
 *   8. save the configuration for reboots; unpause unless asked not to.
 *
 * Any failure takes back everything done so far (xlt_destroy).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "domcfg.h"
#include "guest.h"
#include "layout.h"
#include "toolstack.h"

#define CONSOLE_TIMEOUT_MS 10000

/* xl.cfg's max_maptrack_frames counts frames of 256 mappings, as pvx's
 * createdomain does (0: no mappings at all); unset, Xen's default. */
static uint32_t maptrack_frames(int frames)
{
    return frames < 0 ? PVX_MAX_MAPTRACK_FRAMES : (uint32_t)frames;
}

/* Step 1. */
static int check_host(struct xlt *t, const struct pvx_domcfg *cfg)
{
    struct pvx_sysctl_physinfo pi;
    uint64_t need_kb = cfg->memory_kb + PVX_MAXMEM_SLACK_KB, free_kb;
    domid_t other;
    char err[256];

    for (size_t i = 0; i < cfg->num_disks; i++)
        if (xlt_vbd_check(&cfg->disks[i], err, sizeof(err))) {
            XLT_ERR(DOMID_INVALID, "%s", err);
            return -EINVAL;
        }
    for (size_t i = 0; i < cfg->num_nics; i++)
        if (xlt_vif_check(&cfg->nics[i], err, sizeof(err))) {
            XLT_ERR(DOMID_INVALID, "%s", err);
            return -EINVAL;
        }
    if (!xlt_domid_by_name(t, cfg->name, &other)) {
        XLT_ERR(DOMID_INVALID, "Domain with name \"%s\" already exists.", cfg->name);
        return -EEXIST;
    }
    if (pvxctl_physinfo(t->ctl, &pi)) {
        XLT_ERR(DOMID_INVALID, "%s", pvxctl_error(t->ctl));
        return -EIO;
    }
    free_kb = pi.free_pages * 4;
    if (need_kb > free_kb) {
        XLT_ERR(DOMID_INVALID,
                "not enough free memory for domain '%s': it needs %llu MiB, pvx "
                "has %llu MiB free ('xl info free_memory'); lower its memory or destroy another "
                "domain",
                cfg->name, (unsigned long long)(need_kb >> 10),
                (unsigned long long)(free_kb >> 10));
        return -ENOMEM;
    }
    return 0;
}

/* The configuration as given, and the MACs chosen for vifs that did not
 * name one, so that a reboot brings the same interfaces back. */
static int save_config(domid_t domid, const char *text, const struct pvx_domcfg *cfg)
{
    char *all = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&all, &len);
    int rc;

    if (!f)
        return -ENOMEM;
    fputs(text ? text : "", f);
    if (cfg->num_nics) {
        fputs("\nvif = [", f);
        for (size_t i = 0; i < cfg->num_nics; i++) {
            char spec[512];

            xlt_vif_spec(&cfg->nics[i], spec, sizeof(spec));
            fprintf(f, "%s '%s'", i ? "," : "", spec);
        }
        fputs(" ]\n", f);
    }
    if (fclose(f))
        return -ENOMEM;
    rc = xlt_saved_write(domid, all);
    free(all);
    return rc;
}

int xlt_create(struct xlt *t, struct xlt_create *c)
{
    const struct pvx_domcfg *cfg = c->cfg;
    struct pvxctl_create cd = {
        .max_vcpus = cfg->max_vcpus,
        .max_grant_frames = cfg->max_grant_frames < 0 ? 0 : (uint32_t)cfg->max_grant_frames,
        .max_maptrack_frames = maptrack_frames(cfg->max_maptrack_frames),
        .max_evtchn_port = cfg->max_event_channels,
        .name = cfg->name,
    };
    struct pvx_build b = {
        .kernel_path = cfg->kernel,
        .ramdisk_path = cfg->ramdisk,
        .cmdline = cfg->cmdline,
        .memory_kb = cfg->memory_kb,
        .maxmem_kb = cfg->maxmem_kb,
    };
    struct xlt_layout l;
    char uuid[37], err[512], path[64];
    domid_t domid = DOMID_INVALID;
    int rc;

    rc = check_host(t, cfg);
    if (rc)
        return rc;
    memcpy(cd.uuid, cfg->uuid, sizeof(cd.uuid));
    pvx_uuid_format(cfg->uuid, uuid);
    rc = pvxctl_domain_create(t->ctl, &cd, &domid);
    if (rc) {
        XLT_ERR(DOMID_INVALID, "%s", pvxctl_error(t->ctl));
        return rc;
    }
    xlt_info(t, "domain %u (%s): created", domid, cfg->name);
    l = (struct xlt_layout){
        .domid = domid,
        .name = cfg->name,
        .uuid = uuid,
        .memory_kb = cfg->memory_kb,
        .maxmem_kb = cfg->maxmem_kb,
        .vcpus = cfg->vcpus,
        .maxvcpus = cfg->max_vcpus,
        .kernel = cfg->kernel,
        .ramdisk = cfg->ramdisk,
        .cmdline = cfg->cmdline,
    };
    rc = xlt_layout_skeleton(t, &l);
    if (rc) {
        XLT_ERR(domid, "writing its xenstore nodes: %s", strerror(-rc));
        goto fail;
    }
    b.domid = domid;
    rc = c->build ? c->build(t, &b, c->build_arg, err, sizeof(err))
                  : pvx_build_pv(t->ctl, &b, err, sizeof(err));
    if (rc) {
        XLT_ERR(DOMID_INVALID, "%s", err);
        XLT_ERR(domid, "cannot (re-)build domain: %d", XLT_ERROR_FAIL);
        goto fail;
    }
    xlt_info(t, "domain %u: built (%s), %llu pages", domid, b.kernel_desc,
             (unsigned long long)b.nr_pages);
    l.store_mfn = b.store_mfn;
    l.store_port = b.store_evtchn;
    l.console_mfn = b.console_mfn;
    l.console_port = b.console_evtchn;
    rc = xlt_layout_built(t, &l);
    if (rc) {
        XLT_ERR(domid, "writing its xenstore nodes: %s", strerror(-rc));
        goto fail;
    }
    if (!xs_introduce_domain(t->xs, domid, b.store_mfn, b.store_evtchn)) {
        rc = -errno;
        XLT_ERR(domid, "xenstored refused to introduce it: %s", strerror(errno));
        goto fail;
    }
    for (size_t i = 0; !rc && i < cfg->num_disks; i++)
        rc = xlt_vbd_add(t, domid, &cfg->disks[i]);
    for (size_t i = 0; !rc && i < cfg->num_nics; i++)
        rc = xlt_vif_add(t, domid, &cfg->nics[i]);
    if (rc)
        goto fail;
    /* Step 7: the console daemon writes the pty's path into console/tty. */
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    rc = xlt_wait_node(t, path, true, CONSOLE_TIMEOUT_MS);
    if (rc) {
        XLT_ERR(domid,
                "its console did not come up within %d s (is the console "
                "daemon pvxconsoled running? dom0_up starts it)",
                CONSOLE_TIMEOUT_MS / 1000);
        goto fail;
    }
    rc = save_config(domid, c->config_text, cfg);
    if (rc) {
        XLT_ERR(domid, "saving its configuration in %s: %s", XLT_STATE_DIR, strerror(-rc));
        goto fail;
    }
    c->domid = domid;
    if (c->paused)
        return 0;
    rc = pvxctl_domain_unpause(t->ctl, domid);
    if (!rc)
        return 0;
    XLT_ERR(DOMID_INVALID, "%s", pvxctl_error(t->ctl));
fail:
    xlt_destroy(t, domid);
    return rc;
}
