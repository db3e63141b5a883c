/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor console: every line goes to the serial port (when one is
 * configured) and to an in-memory log ring that the control domain can read
 * back later (sysctl readconsole).
 */
#ifndef PVX_CONSOLE_H
#define PVX_CONSOLE_H

#include <pvx/types.h>

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
 * timer and handed to the control domain (VIRQ_CONSOLE, CONSOLEIO_read).
 */
void console_input_start(void);
/* Copy out up to len received bytes; returns how many. */
size_t console_input_read(char *buf, size_t len);

/* console_ring.c: the rings of domains other than dom0. */
struct domain;
int console_ring_attach(struct domain *d, mfn_t mfn);
void console_rings_poll(void);

#endif
