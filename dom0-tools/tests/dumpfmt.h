/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The text both sides of the differential test print (cfg_diff.c for pvx's
 * parsers, xlu_ref.c for Xen's): one implementation, so a difference in the
 * dumps is a difference in the parsers, never in the printing.
 */
#ifndef PVX_TESTS_DUMPFMT_H
#define PVX_TESTS_DUMPFMT_H

#include <stddef.h>
#include <stdio.h>

/* n bytes of s with \\ \" and \xHH escapes (printable ASCII as is). */
void put_escaped_n(FILE *f, const char *s, size_t n);
/* s quoted and escaped, or NULL. */
void put_string(FILE *f, const char *s);
/* An errno value (positive) by name: "ok", "ESRCH", "EINVAL", ... */
const char *err_name(int e);

#endif
