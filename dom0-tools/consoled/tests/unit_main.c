/* SPDX-License-Identifier: GPL-2.0-only */
/* Runs every group; the exit status is the number of failed tests. */
#include <stdlib.h>

#include "unit.h"

int main(void)
{
    /* Timestamps are compared as text: one time zone for every run. */
    setenv("TZ", "UTC", 1);
    return unit_ring() + unit_cbuf() + unit_logfile() + unit_ratelimit() + unit_opts();
}
