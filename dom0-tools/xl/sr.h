/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Saving and restoring a PV domain as a stream on an fd (sr_save.c,
 * sr_restore.c; the layout is sr_stream.h).  The fd may be a file, a pipe
 * or a socket: the stream is written and read strictly in order, so `xl
 * migrate` can send the same stream to a receiver.
 */
#ifndef PVX_SR_H
#define PVX_SR_H

#include "sr_stream.h"
#include "toolstack.h"

/*
 * Write domain domid, which must be shut down with SHUTDOWN_suspend, as the
 * libxl layer onwards (libxl header, LIBXC_CONTEXT, the libxc stream, END).
 * Reads only: the domain is untouched.  0, or -errno with io->err set.
 */
int xlt_sr_save(struct xlt *t, domid_t domid, struct sr_io *io);

/* Live rounds for xlt_sr_save_live(). */
struct sr_live {
    unsigned int max_rounds; /* IN: rounds while the guest runs, the first (all pages) included */
    uint64_t max_dirty;      /* IN: stop them once at most this many pages are dirty */
    int (*suspend)(struct xlt *t, domid_t domid); /* IN: suspend the guest, 0 once it has */
    bool suspended;      /* OUT: it was suspended (on failure the caller resumes it) */
    unsigned int rounds; /* OUT: rounds sent while it ran */
    uint64_t last_pages; /* OUT: pages sent with the guest suspended */
    int64_t last_ms;     /* OUT: from the suspend request to the end of the stream */
};

/*
 * The same stream for domain domid while it runs: its pages in rounds under
 * log-dirty mode, then l->suspend() and the last round.  Progress goes to
 * stderr.  0, or -errno with io->err set; log-dirty mode is off either way,
 * and the guest runs on unless l->suspended.
 */
int xlt_sr_save_live(struct xlt *t, domid_t domid, struct sr_io *io, struct sr_live *l);

struct xlt_sr_restore {
    domid_t domid;            /* IN: the new, paused domain */
    evtchn_port_t store_port; /* IN: its new event channels */
    evtchn_port_t console_port;
    xen_pfn_t store_mfn, console_mfn; /* OUT: its rings' new frames */
    uint64_t nr_pages;                /* OUT: pages it was given */
};

/*
 * Read the libxl layer onwards from io (the xl header already read) into
 * the new domain: memory, page tables (pinned), start_info and shared_info
 * rewritten for it, vCPU contexts.  0, or -errno with io->err set; the
 * caller destroys the domain on failure.
 */
int xlt_sr_restore(struct xlt *t, struct xlt_sr_restore *r, struct sr_io *io);

/*
 * An X86_CPUID_POLICY record's body (Xen's xen_cpuid_leaf array) against the
 * CPUID pvx gives PV guests here (sr_cpuid.c): 0, or -EOPNOTSUPP with
 * io->err naming each feature the guest saw and would not have.
 */
int sr_check_cpuid_policy(struct sr_io *io, const void *body, uint32_t length);

#endif
