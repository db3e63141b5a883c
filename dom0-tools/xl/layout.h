/* SPDX-License-Identifier: GPL-2.0-only */
/* The xenstore layout of a new domain (layout.c); used by create.c. */
#ifndef PVX_XL_LAYOUT_H
#define PVX_XL_LAYOUT_H

#include "toolstack.h"

struct xlt_layout {
    domid_t domid;
    const char *name, *uuid; /* uuid as 8-4-4-4-12 text */
    uint64_t memory_kb, maxmem_kb;
    unsigned int vcpus, maxvcpus;
    const char *kernel, *ramdisk, *cmdline; /* ramdisk, cmdline may be NULL */
    xen_pfn_t store_mfn, console_mfn;
    evtchn_port_t store_port, console_port;
};

/* The nodes written before the build. */
int xlt_layout_skeleton(struct xlt *t, const struct xlt_layout *l);
/* The nodes written once it is built: memory, store, vCPUs, image, console. */
int xlt_layout_built(struct xlt *t, const struct xlt_layout *l);

#endif
