/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor console: every line goes to the serial port (when one is
 * configured) and to an in-memory log ring that the control domain can read
 * back later (sysctl readconsole).
 */
#ifndef PVX_CONSOLE_H
#define PVX_CONSOLE_H

#include <pvx/types.h>
#include <public/xen.h>

#define CONSOLE_RING_SIZE (64 * 1024)

void console_init(void);
void console_write(const char *s, size_t len);

/*
 * Copy out ring contents starting at byte sequence number *pos (0 = the
 * oldest still held).  Returns the number of bytes copied and advances *pos.
 * Bytes overwritten before they were read are skipped.
 */
size_t console_ring_read(char *buf, size_t len, uint64_t *pos);
/* Total bytes ever written to the ring. */
uint64_t console_ring_written(void);

/*
 * Console input: bytes typed on the serial line are collected by a polling
 * timer and go to one domain at a time: the control domain (VIRQ_CONSOLE,
 * CONSOLEIO_read) or a domU with a console ring (its ring's `in` half and
 * its console event).  Ctrl-A pressed CONSOLE_SWITCH_PRESSES times in a row
 * moves input on: dom0, then each live ring domain in id order, then dom0
 * again; fewer presses reach the target as ordinary bytes.
 */
#define CONSOLE_SWITCH_CHAR    0x01 /* Ctrl-A, as on Xen's serial console */
#define CONSOLE_SWITCH_PRESSES 3
void console_input_start(void);
/* Copy out up to len bytes received for dom0; returns how many. */
size_t console_input_read(char *buf, size_t len);
/* The domain input goes to now (0 = dom0). */
domid_t console_input_target(void);

/* console_ring.c: the rings of domains other than dom0. */
struct domain;
int console_ring_attach(struct domain *d, mfn_t mfn);
void console_rings_poll(void);
/* The live (not shut down) ring domain with this id, or NULL. */
struct domain *console_ring_find(domid_t id);
/* The live ring domain with the lowest id above `after`, or NULL. */
struct domain *console_ring_next(domid_t after);
/* Write input into d's ring and raise its console event; bytes beyond the
 * free space are dropped (and counted).  Returns how many were written. */
size_t console_ring_input(struct domain *d, const char *buf, size_t len);
uint64_t console_ring_input_dropped(const struct domain *d);
/* Stop servicing d's ring (domain destruction): drops pvx's reference. */
void console_ring_detach(struct domain *d);

#endif
