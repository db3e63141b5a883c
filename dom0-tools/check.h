/* SPDX-License-Identifier: MIT */
/*
 * pvx-dom0-check: ABI checks of Linux's /dev/xen devices on pvx, run from
 * dom0's init.  Each check prints one line the test harness matches:
 *
 *     pvx-dom0: check NAME PASS detail
 *     pvx-dom0: check NAME FAIL reason
 */
#ifndef PVX_DOM0_CHECK_H
#define PVX_DOM0_CHECK_H

#include <stdbool.h>

/* Print NAME's verdict (fmt describes it) and return 0 for PASS, 1 for FAIL. */
int check_report(const char *name, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int check_privcmd(void);
int check_evtchn(void);
int check_gnt(void);
int check_foreign(void);

#endif /* PVX_DOM0_CHECK_H */
