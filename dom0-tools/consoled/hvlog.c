/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * --log=hv|all: pvx's own log ring copied to <log-dir>/hypervisor.log,
 * incrementally (the index says where the last read stopped).  pvx may not
 * raise VIRQ_CON_RING, so besides that event the ring is read once a
 * second; the first read takes everything since boot that the ring holds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "consoled.h"

#define HVLOG_CHUNK   16384
#define HVLOG_ROUNDS  64 /* chunks per poll: a chatty hypervisor cannot hold the loop */
#define HVLOG_POLL_MS 1000

void hvlog_start(struct consoled *cd)
{
    struct hvlog *h = &cd->hvlog;
    char path[PATH_MAX];
    int rc;

    *h = (struct hvlog){.port = -1};
    logfile_init(&h->log, cd->opts->stamp & CONS_LOG_HV, cd->opts->replace_escape);
    if (!(cd->opts->log & CONS_LOG_HV))
        return;
    snprintf(path, sizeof(path), "%s/hypervisor.log", cd->opts->log_dir);
    rc = logfile_open(&h->log, path, time(NULL));
    if (rc) {
        msg(MSG_ERR, "cannot open %s: %s: no hypervisor log", path, strerror(-rc));
        return;
    }
    h->on = true;
    h->port = cd->hv->bind_virq(cd->hv, VIRQ_CON_RING);
    if (h->port < 0)
        msg(MSG_INFO, "VIRQ_CON_RING: %s: reading the hypervisor log every %d ms",
            cd->hv->error(cd->hv), HVLOG_POLL_MS);
    hvlog_poll(cd);
}

void hvlog_poll(struct consoled *cd)
{
    static char buf[HVLOG_CHUNK];
    struct hvlog *h = &cd->hvlog;

    if (!h->on)
        return;
    h->next_poll = now_ms() + HVLOG_POLL_MS;
    for (int i = 0; i < HVLOG_ROUNDS; i++) {
        int n = cd->hv->readconsole(cd->hv, buf, sizeof(buf), &h->index);
        int rc;

        if (n < 0) {
            msg(MSG_ERR, "reading the hypervisor log: %s", cd->hv->error(cd->hv));
            return;
        }
        if (!n)
            return;
        rc = logfile_write(&h->log, buf, (size_t)n, time(NULL));
        if (rc) {
            msg(MSG_ERR, "writing %s failed: %s; hypervisor logging stops until SIGHUP",
                h->log.path, strerror(-rc));
            logfile_close(&h->log);
            return;
        }
    }
}

void hvlog_stop(struct consoled *cd)
{
    struct hvlog *h = &cd->hvlog;

    if (h->port >= 0)
        cd->hv->unbind(cd->hv, (uint32_t)h->port);
    logfile_close(&h->log);
    h->on = false;
    h->port = -1;
}
