/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the unit tests' parsers report: each message line the xl.cfg
 * parser, devspec or domcfg hands their reporter is kept in `cap` (at most
 * 64), for the tests to compare with xl's wording.
 */
#ifndef PVX_TESTS_CAPTURE_H
#define PVX_TESTS_CAPTURE_H

#include <stddef.h>

#include "xlcfg.h"

#define CAPTURE_MAX 64

struct capture {
    char *lines[CAPTURE_MAX];
    enum xlcfg_level level[CAPTURE_MAX];
    size_t n;
};

extern struct capture cap;
extern const struct xlcfg_reporter rep; /* reports into cap */

/* Forget what was captured. */
void capture_reset(struct capture *c);
/* A cmocka teardown that resets cap. */
int capture_teardown(void **state);

#endif
