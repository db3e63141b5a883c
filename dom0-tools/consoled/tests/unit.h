/* SPDX-License-Identifier: GPL-2.0-only */
/* pvxconsoled's unit tests: one group per pure module (unit_main.c runs them). */
#ifndef PVX_CONSOLED_UNIT_H
#define PVX_CONSOLED_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "consoled.h"

int unit_ring(void);
int unit_cbuf(void);
int unit_logfile(void);
int unit_ratelimit(void);
int unit_opts(void);

#endif /* PVX_CONSOLED_UNIT_H */
