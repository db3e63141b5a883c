# SPDX-License-Identifier: GPL-2.0-only
# ACPI power-off: finding \_S5 and the PM1 control blocks in firmware tables;
# the CPUs listed in the MADT and the MP table.
TESTS += acpi
src_acpi := $(HV)/arch/x86/acpi.c $(HV)/arch/x86/mptable.c
