/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI power-off (acpi.c): what pvx read from the firmware's tables at boot
 * (arch_power_init) to enter S5 when dom0 powers the machine off.
 */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <pvx/types.h>

struct acpi_s5 {
    bool valid;
    uint16_t pm1a_cnt, pm1b_cnt; /* I/O ports of the PM1 control blocks (b: 0 if none) */
    uint8_t slp_typa, slp_typb;  /* \_S5's SLP_TYP codes for them */
};

/* Find Name(_S5_, Package(){a, b, ...}) in AML and return its first two
 * values: 0, or -1 if there is none or it is not made of integer constants. */
int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

/* Enter S5 if the tables allowed it; returns only if they did not, or the
 * machine did not go off. */
void acpi_power_off(void);

#endif
