/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef PVX_SHUTDOWN_H
#define PVX_SHUTDOWN_H

#include <pvx/types.h>

/*
 * Stop the machine with an exit status.  Under QEMU with an isa-debug-exit
 * device the status reaches the host (QEMU exits with status*2+1); elsewhere
 * pvx powers the machine off through ACPI S5 (PVX_EXIT_OK: dom0 powered
 * off), resets it (PVX_EXIT_REBOOT) or halts (the rest, and a machine
 * without usable ACPI tables).
 */
enum {
    PVX_EXIT_OK = 0,
    PVX_EXIT_FAIL = 1,   /* a self-test or dom0 reported failure */
    PVX_EXIT_PANIC = 2,  /* hypervisor panic / fatal exception */
    PVX_EXIT_REBOOT = 3, /* dom0 asked for a reboot */
};

void __noreturn machine_shutdown(unsigned int status);
void __noreturn machine_halt(void);

#endif
