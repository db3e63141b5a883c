/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * domcfg: from a parsed xl.cfg (xlcfg.h) to what the toolstack needs to
 * build a PV domain, with xl's defaults, rules and messages.
 *
 * Messages go to the configuration's reporter.  xl's own sentences are kept
 * word for word but carry a "<source>[:<line>]: " prefix.  Where xl warns
 * about a malformed value and quietly uses the default, pvx refuses the
 * configuration (docs/xlcfg.md lists these differences).
 */
#ifndef PVX_DOMCFG_H
#define PVX_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devspec.h"
#include "xlcfg.h"

#define PVX_DOMCFG_MAX_VCPUS 32 /* the hypervisor's MAX_VCPUS_PER_DOMAIN */

/* What to do when the guest stops; xl's names, in libxl's order. */
enum pvx_action {
    PVX_ACTION_DESTROY = 1,
    PVX_ACTION_RESTART,
    PVX_ACTION_RENAME_RESTART,
    PVX_ACTION_PRESERVE,
    PVX_ACTION_COREDUMP_DESTROY,
    PVX_ACTION_COREDUMP_RESTART,
    PVX_ACTION_SOFT_RESET,
};

struct pvx_domcfg_disk {
    struct pvx_disk spec;
    int devid; /* virtual-device number of spec.vdev */
};

struct pvx_domcfg {
    char *name;
    uint8_t uuid[16];
    bool uuid_generated; /* no uuid= given: a random version 4 one */
    uint64_t memory_kb;  /* initial target, memory= */
    uint64_t maxmem_kb;  /* static maximum, maxmem= */
    unsigned int vcpus;  /* online at boot */
    unsigned int max_vcpus;
    char *kernel;  /* host path */
    char *ramdisk; /* NULL: none */
    char *cmdline; /* NULL: none */
    enum pvx_action on_poweroff, on_reboot, on_watchdog, on_crash, on_soft_reset;
    int max_grant_frames;            /* -1: the hypervisor's default (64) */
    int max_maptrack_frames;         /* -1: the hypervisor's default (1024) */
    unsigned int max_event_channels; /* highest port; default 1023 */
    struct pvx_domcfg_disk *disks;
    size_t num_disks;
    struct pvx_nic *nics;
    size_t num_nics;
};

/*
 * Build *out from cfg.  Keys pvx does not use are reported first, one
 * warning each: "<source>: warning: unknown key '<k>' ignored", or, for
 * keys that are valid in xl.cfg but mean nothing to a pvx PV guest,
 * "<source>: warning: key '<k>' is not supported by pvx, ignored".
 * Returns 0, -EINVAL (reported) or -ENOMEM; *out is NULL on failure.
 */
int pvx_domcfg_from_xlcfg(const struct xlcfg *cfg, struct pvx_domcfg **out);
void pvx_domcfg_free(struct pvx_domcfg *dc);

/* A one-line description for logs (malloc'd; NULL if out of memory). */
char *pvx_domcfg_summary(const struct pvx_domcfg *dc);

const char *pvx_action_name(enum pvx_action a);

/* UUIDs as text: exactly 8-4-4-4-12 hex digits (either case). */
int pvx_uuid_parse(const char *s, uint8_t uuid[16]);
void pvx_uuid_format(const uint8_t uuid[16], char out[37]);
int pvx_uuid_generate(uint8_t uuid[16]); /* random, version 4 */

#endif
