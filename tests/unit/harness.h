/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host harness for unit tests of real hypervisor sources.  Each test
 * compiles hypervisor .c files unchanged with this header forced in first
 * (-include harness.h): the arch hooks become small fakes, printk goes to a
 * buffer the tests can search, and panic() becomes a cmocka assertion so
 * expect_assert_failure() can check that a host invariant is enforced.
 */
#ifndef PVX_UNIT_HARNESS_H
#define PVX_UNIT_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Everything printed since the last harness_log_reset(). */
extern char harness_log[65536];
void harness_log_reset(void);
int harness_log_contains(const char *needle);

/* What arch_smp_processor_id() returns: the tests run as CPU 0 unless one
 * plays another CPU for a moment. */
extern unsigned int harness_cpu;

/* The fake physical memory behind arch_maddr_to_virt(). */
extern unsigned char *harness_phys;
extern uint64_t harness_phys_size;
void harness_phys_init(uint64_t bytes);

/* Bytes arch_serial_getc() hands out, one per call (NULL = none). */
extern const char *harness_serial_input;

/* The last deadline handed to arch_timer_program(). */
extern uint64_t harness_timer_deadline;
extern unsigned int harness_timer_programs;
/* Calls of arch_timer_kick() (a timer of another CPU changed at its head). */
extern unsigned int harness_timer_kicks;

#endif
