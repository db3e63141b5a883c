/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl save and xl restore (docs/migration.md).
 *
 * save: ask the guest to suspend (control/shutdown = "suspend"), wait for
 * its acknowledgement and for it to shut down with SHUTDOWN_suspend, write
 * the stream (sr_save.c), then destroy it -- or, with -c/-p or when the
 * save failed, let it run on where it is: vCPU 0's rax = 1 (its
 * SCHEDOP_shutdown returns "cancelled"), resumedomain, XS_RESUME.
 *
 * restore: the xl header's config (or the one given), then create as `xl
 * create` does (create.c), with the stream (sr_restore.c) in place of the
 * kernel build.  Any failure leaves no domain behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <public/sched.h>

#include "config.h"
#include "domcfg.h"
#include "guest.h"
#include "sr.h"
#include "xl.h"

/* As libxl: 60 s for the guest to acknowledge, 60 s more to suspend.
 * PVX_SUSPEND_TIMEOUT (seconds) shortens both, for tests. */
#define SUSPEND_TIMEOUT_MS 60000

static int suspend_timeout_ms(void)
{
    const char *s = getenv("PVX_SUSPEND_TIMEOUT");
    int v = s ? atoi(s) : 0;

    return v > 0 && v < 3600 ? v * 1000 : SUSPEND_TIMEOUT_MS;
}

/* Ask domid to suspend and wait until it has. */
int xl_suspend(struct xlt *t, domid_t domid)
{
    int timeout = suspend_timeout_ms();
    pvxctl_dominfo_t info;
    char path[64];
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
    rc = xlt_write(t, XBT_NULL, path, "suspend");
    if (rc) {
        XLT_ERR(domid, "writing %s: %s", path, strerror(-rc));
        return rc;
    }
    /* Any value but "suspend" is the guest's acknowledgement. */
    rc = xlt_wait_node(t, path, false, timeout);
    if (rc) {
        char *v = xlt_read(t, XBT_NULL, "%s", path);

        if (v && !strcmp(v, "suspend"))
            xlt_write(t, XBT_NULL, path, "");
        free(v);
        XLT_ERR(domid,
                "guest did not acknowledge the suspend request within %d s (its kernel must "
                "handle control/shutdown = suspend, as Linux's xen_manage does); it keeps "
                "running",
                timeout / 1000);
        return -ETIMEDOUT;
    }
    rc = xlt_wait(t, &domid, 1, XLT_WAIT_SHUTDOWN_OR_GONE, timeout, NULL, NULL);
    if (!rc)
        rc = pvxctl_domain_info(t->ctl, domid, &info);
    if (rc == -ETIMEDOUT) {
        XLT_ERR(domid, "guest acknowledged the suspend request but did not suspend within %d s",
                timeout / 1000);
        return rc;
    }
    if (rc) {
        XLT_ERR(domid, "the domain went away while suspending");
        return rc;
    }
    if (!(info.flags & PVX_DOMINF_shutdown) || info.shutdown_reason != SHUTDOWN_suspend) {
        XLT_ERR(domid, "guest shut down for reason %u instead of suspending", info.shutdown_reason);
        return -EINVAL;
    }
    return 0;
}

/* A suspended domain runs on where it is: its suspend hypercall returns 1
 * ("cancelled"), so it keeps its event channels, grants and devices. */
int xl_resume_cancelled(struct xlt *t, domid_t domid, bool paused)
{
    struct vcpu_guest_context ctx;
    int rc = pvxctl_domain_pause(t->ctl, domid);

    if (!rc)
        rc = pvxctl_vcpu_getcontext(t->ctl, domid, 0, &ctx);
    if (!rc) {
        ctx.user_regs.rax = 1;
        rc = pvxctl_vcpu_setcontext(t->ctl, domid, 0, &ctx);
    }
    if (!rc)
        rc = pvxctl_domain_resume(t->ctl, domid);
    if (rc) {
        XLT_ERR(domid, "resuming it: %s", pvxctl_error(t->ctl));
        pvxctl_domain_unpause(t->ctl, domid);
        return rc;
    }
    if (!xs_resume_domain(t->xs, domid))
        xlt_info(t, "domain %u: xenstored resume: %s", domid, strerror(errno));
    if (!paused)
        rc = pvxctl_domain_unpause(t->ctl, domid);
    return rc;
}

/* The config written into the file: the domain's own (or the one given),
 * with its UUID, so the restored domain keeps it. */
char *xl_save_config_text(domid_t domid, const char *path, const pvxctl_dominfo_t *info)
{
    char uuid[37], *text, *out = NULL;
    size_t len = 0;

    if (path) {
        text = xl_read_config(path, &len);
        if (!text) {
            fprintf(stderr, "Failed to read config file %s: %s\n", path, strerror(errno));
            return NULL;
        }
    } else {
        text = xlt_saved_read(domid);
        if (!text) {
            XLT_ERR(domid,
                    "no saved configuration for this domain in %s: give one (xl save "
                    "DOMAIN FILE CONFIG)",
                    XLT_STATE_DIR);
            return NULL;
        }
    }
    pvx_uuid_format(info->handle, uuid);
    if (asprintf(&out, "%s\nuuid = \"%s\"\n", text, uuid) < 0)
        out = NULL;
    free(text);
    return out;
}

int main_save(int argc, char **argv)
{
    bool leave_running = false, paused = false;
    const char *file, *cfg_path;
    pvxctl_dominfo_t info;
    struct sr_io io = {.fd = -1};
    char *config = NULL;
    domid_t domid;
    int64_t start;
    int opt, rc = EXIT_FAILURE;

    while ((opt = xl_getopt(argc, argv, "cp", NULL, "save", 2)) != -1) {
        if (opt == 'c')
            leave_running = true;
        else
            paused = true;
    }
    file = argv[optind + 1];
    cfg_path = argv[optind + 2];
    if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
        return EXIT_FAILURE;
    if (domid == 0) {
        fprintf(stderr, "cannot save domain 0 (it is the control domain)\n");
        return EXIT_FAILURE;
    }
    if (pvxctl_domain_info(xl_ctx.ctl, domid, &info)) {
        fprintf(stderr, "Error: Domain '%s' does not exist.\n", argv[optind]);
        return EXIT_FAILURE;
    }
    if (info.flags & (PVX_DOMINF_shutdown | PVX_DOMINF_dying)) {
        XLT_ERR(domid, "the domain is shut down or dying: only a running guest can be saved");
        return EXIT_FAILURE;
    }
    config = xl_save_config_text(domid, cfg_path, &info);
    if (!config)
        return EXIT_FAILURE;
    io.fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (io.fd < 0) {
        fprintf(stderr, "Failed to open temp file %s for writing: %s\n", file, strerror(errno));
        goto out;
    }
    if (sr_write_xl_header(&io, config)) {
        fprintf(stderr, "%s: %s\n", file, io.err);
        goto fail_file;
    }
    fprintf(stderr, "Saving to %s new xl format (info 0x%x/0x0/%zu)\n", file, SR_XL_FLAG_STREAMV2,
            strlen(config) + 1 + 4);
    sr_catch_stop_signals(); /* a signal stops the save; the guest is resumed */
    sr_defer_stop_signals(true);
    start = xlt_now_ms();
    if (xl_suspend(&xl_ctx, domid))
        goto fail_file;
    xlt_info(&xl_ctx, "domain %u: suspended in %lld ms", domid, (long long)(xlt_now_ms() - start));
    sr_defer_stop_signals(false);
    if (xlt_sr_save(&xl_ctx, domid, &io) || fsync(io.fd)) {
        fprintf(stderr, "%s: saving domain %u failed: %s\n", file, domid,
                io.err[0] ? io.err : strerror(errno));
        fprintf(stderr, "resuming domain %u\n", domid);
        sr_defer_stop_signals(true);
        xl_resume_cancelled(&xl_ctx, domid, false);
        goto fail_file;
    }
    if (close(io.fd)) {
        io.fd = -1;
        fprintf(stderr, "%s: %s\n", file, strerror(errno));
        xl_resume_cancelled(&xl_ctx, domid, false);
        goto fail_file;
    }
    io.fd = -1;
    xlt_info(&xl_ctx, "domain %u: %llu bytes written to %s", domid, (unsigned long long)io.offset,
             file);
    start = xlt_now_ms();
    if (leave_running || paused)
        rc = xl_resume_cancelled(&xl_ctx, domid, paused) ? EXIT_FAILURE : EXIT_SUCCESS;
    else
        rc = xlt_destroy(&xl_ctx, domid) ? EXIT_FAILURE : EXIT_SUCCESS;
    xlt_info(&xl_ctx, "domain %u: %s in %lld ms", domid,
             leave_running || paused ? "resumed" : "destroyed", (long long)(xlt_now_ms() - start));
    goto out;
fail_file:
    if (io.fd >= 0)
        close(io.fd);
    unlink(file); /* no half-written save file */
out:
    free(config);
    if (rc != EXIT_SUCCESS)
        sr_reraise_stop_signal();
    return rc;
}

/* ---- restore ---- */

/* create.c's build step for a restore: the domain's limits and event
 * channels as the builder sets them, then the stream. */
int xl_restore_build(struct xlt *t, struct pvx_build *b, void *arg, char *err, size_t errlen)
{
    const struct xl_restore_ctx *rc_ = arg;
    const struct pvxctl_e820 ram = {0, rc_->cfg->maxmem_kb << 10, PVXCTL_E820_RAM};
    struct xlt_sr_restore r = {.domid = b->domid};
    uint64_t max_pages;
    int64_t start;
    int rc;

    /* Room for a guest that ballooned above memory= before it was saved. */
    rc = pvxctl_domain_max_mem(t->ctl, b->domid, (b->maxmem_kb + PVX_MAXMEM_SLACK_KB) >> 2);
    if (!rc)
        rc = pvxctl_set_memory_map(t->ctl, b->domid, &ram, 1);
    /* Store first, then console: the guest keeps its store port across a
     * restore (Linux does not re-read it), and a new domain hands ports
     * out from 1 in this order, as the build did. */
    if (!rc)
        rc = pvxctl_evtchn_alloc_unbound(t->ctl, b->domid, 0, &r.store_port);
    if (!rc)
        rc = pvxctl_evtchn_alloc_unbound(t->ctl, b->domid, 0, &r.console_port);
    if (rc) {
        snprintf(err, errlen, "%s", pvxctl_error(t->ctl));
        return rc;
    }
    start = xlt_now_ms();
    rc = xlt_sr_restore(t, &r, rc_->io);
    xlt_info(t, "domain %u: stream read in %lld ms", b->domid, (long long)(xlt_now_ms() - start));
    if (rc) {
        snprintf(err, errlen, "%s: restore failed: %s", rc_->file, rc_->io->err);
        return rc;
    }
    max_pages = (b->memory_kb + PVX_MAXMEM_SLACK_KB) >> 2;
    if (r.nr_pages + (PVX_MAXMEM_SLACK_KB >> 2) > max_pages)
        max_pages = r.nr_pages + (PVX_MAXMEM_SLACK_KB >> 2);
    rc = pvxctl_domain_max_mem(t->ctl, b->domid, max_pages);
    if (rc) {
        snprintf(err, errlen, "%s", pvxctl_error(t->ctl));
        return rc;
    }
    b->nr_pages = r.nr_pages;
    b->store_mfn = r.store_mfn;
    b->store_evtchn = r.store_port;
    b->console_mfn = r.console_mfn;
    b->console_evtchn = r.console_port;
    snprintf(b->kernel_desc, sizeof(b->kernel_desc), "restored from %s", rc_->file);
    return 0;
}

int main_restore(int argc, char **argv)
{
    const char *file, *cfg_path = NULL;
    struct xlt_create c = {.console_notify_fd = -1};
    struct pvx_domcfg *cfg = NULL;
    struct sr_io io = {.fd = -1};
    struct xl_restore_ctx ctx;
    char *config = NULL, source[300];
    uint32_t flags = 0;
    int64_t start;
    size_t len;
    int opt, rc = EXIT_FAILURE;

    while ((opt = xl_getopt(argc, argv, "pdeV", NULL, "restore", 1)) != -1) {
        if (opt == 'p')
            c.paused = true;
        /* -d (debug), -e, -V: accepted, as in xl, and change nothing. */
    }
    if (argc - optind >= 2) {
        cfg_path = argv[optind];
        file = argv[optind + 1];
    } else {
        file = argv[optind];
    }
    io.fd = open(file, O_RDONLY | O_CLOEXEC);
    if (io.fd < 0) {
        fprintf(stderr, "Failed to open restore file %s: %s\n", file, strerror(errno));
        return EXIT_FAILURE;
    }
    if (sr_read_xl_header(&io, &config, &flags)) {
        fprintf(stderr, "%s: %s\n", file, io.err);
        goto out;
    }
    fprintf(stderr, "Loading new save file %s (new xl fmt info 0x%x/0x0/%llu)\n", file, flags,
            (unsigned long long)io.offset - sizeof(struct sr_xl_header));
    if (cfg_path) {
        free(config);
        config = xl_read_config(cfg_path, &len);
        if (!config) {
            fprintf(stderr, "Failed to read config file %s: %s\n", cfg_path, strerror(errno));
            goto out;
        }
        snprintf(source, sizeof(source), "%s", cfg_path);
    } else if (!config) {
        fprintf(stderr,
                "%s: the file carries no xl.cfg configuration pvx can read (%s): give the "
                "domain's config file (xl restore CONFIG %s)\n",
                file, (flags & SR_XL_FLAG_JSON) ? "libxl JSON" : "none", file);
        goto out;
    } else {
        snprintf(source, sizeof(source), "the configuration saved in %s", file);
    }
    if (xlt_config_parse(source, config, strlen(config), NULL, 0, &cfg))
        goto out;
    ctx = (struct xl_restore_ctx){.file = file, .io = &io, .cfg = cfg};
    c.cfg = cfg;
    c.config_text = config;
    c.build = xl_restore_build;
    c.build_arg = &ctx;
    start = xlt_now_ms();
    if (xlt_create(&xl_ctx, &c))
        goto out;
    xlt_info(&xl_ctx, "domain %u: restored from %s in %lld ms", c.domid, file,
             (long long)(xlt_now_ms() - start));
    rc = EXIT_SUCCESS;
out:
    pvx_domcfg_free(cfg);
    free(config);
    close(io.fd);
    return rc;
}
