/* SPDX-License-Identifier: GPL-2.0-only */
/* Boot-time self-tests (option `selftest`): each prints PASS/FAIL lines. */
#ifndef PVX_SELFTEST_H
#define PVX_SELFTEST_H

/* Run every self-test; returns the number of failed checks. */
unsigned int run_selftests(void);

#endif
