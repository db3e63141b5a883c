/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI power-off and reset (acpi.c): what pvx read from the firmware's
 * tables at boot (arch_power_init) to enter S5 when dom0 powers the machine
 * off, and to reset it when dom0 reboots.
 */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <pvx/types.h>

struct acpi_s5 {
    bool valid;
    uint16_t pm1a_cnt, pm1b_cnt; /* I/O ports of the PM1 control blocks (b: 0 if none) */
    uint8_t slp_typa, slp_typb;  /* \_S5's SLP_TYP codes for them */
};

struct acpi_reset {
    bool valid;
    uint16_t port; /* the FADT's RESET_REG, in I/O space */
    uint8_t value; /* RESET_VALUE */
};

/* The FADT's reset register, if the FADT (len bytes) says it has one
 * (RESET_REG_SUP) and it is a byte-wide I/O port: 0, else -1. */
int acpi_fadt_reset(const uint8_t *fadt, size_t len, struct acpi_reset *out);

/* Find Name(_S5_, Package(){a, b, ...}) in AML and return its first two
 * values: 0, or -1 if there is none or it is not made of integer constants. */
int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

/* Enter S5 if the tables allowed it; returns only if they did not, or the
 * machine did not go off. */
void acpi_power_off(void);

/* Say at boot whether QEMU's isa-debug-exit test device is there
 * (setup.c): arch_shutdown() writes its status to it only then. */
void test_device_report(void);

/* Write the FADT's reset value to its reset register, if there is one;
 * returns if the machine did not reset. */
void acpi_reset(void);

#endif
