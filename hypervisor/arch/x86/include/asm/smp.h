/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secondary CPU bring-up (smpboot.c, boot/trampoline.S) and the firmware
 * tables that list the CPUs (acpi.c: MADT, mptable.c: MP table).
 */
#ifndef ASM_SMP_H
#define ASM_SMP_H

/* Where the real-mode start-up code is copied: a page below 1 MiB, in the
 * conventional memory every PC has, that pvx keeps for itself. */
#define AP_TRAMPOLINE_PA 0x8000

/* Most CPUs pvx looks at in the firmware's tables. */
#define MAX_FIRMWARE_CPUS 256

#ifndef __ASSEMBLY__
#include <pvx/types.h>

/*
 * The usable local APIC ids in a MADT (@madt, @len bytes with its header),
 * in table order, at most @max: their number, or -1 if the table is not a
 * well-formed MADT.  Processor entries (type 0) and x2APIC entries (type 9)
 * count when enabled; disabled and online-capable (hot-plug) ones do not.
 */
int acpi_madt_cpus(const uint8_t *madt, size_t len, uint32_t *ids, unsigned int max);
/* The same for an MP configuration table ("PCMP", @len bytes): processor
 * entries with the enabled bit. */
int mptable_cpus(const uint8_t *cfg, size_t len, uint32_t *ids, unsigned int max);

/* Find the firmware's list of CPUs (MADT, else MP table): as above, with
 * *source naming where it came from; -1 if neither exists. */
int acpi_find_cpus(uint32_t *ids, unsigned int max, const char **source);
int mptable_find_cpus(uint32_t *ids, unsigned int max);

/* smpboot.c: start every CPU the firmware lists (at most maxcpus=). */
void smp_boot_cpus(void);
unsigned int smp_online_cpus(void);

struct cpu_user_regs;
/* Stop every other online CPU with an NMI (the machine is going down),
 * each printing its state first if @dump (a crash).  Waits a little for
 * them; returns at once on a one-CPU machine or if this CPU called it
 * already.  If another CPU called it first, waits for that CPU's NMI and
 * never returns: one CPU alone takes the machine down. */
void smp_stop_other_cpus(bool dump);
/* From the NMI handler: if a stop was asked for, report and halt for good
 * (does not return); false otherwise. */
bool smp_nmi_stop(const struct cpu_user_regs *regs);
/* traps.c: print a CPU's registers and its pvx call chain. */
void dump_cpu_state(const struct cpu_user_regs *regs);
#endif

#endif
