/* SPDX-License-Identifier: GPL-2.0-only */
/* Every CPU's struct percpu (pvx/percpu.h); the unit-test harness has its own. */
#include <pvx/percpu.h>

struct percpu percpu_data[NR_CPUS];
