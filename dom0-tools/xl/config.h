/* SPDX-License-Identifier: GPL-2.0-only */
/* xl.cfg text to a domain configuration (config.c), for xl and the daemons. */
#ifndef PVX_XL_CONFIG_H
#define PVX_XL_CONFIG_H

#include <stddef.h>

struct pvx_domcfg;

/*
 * Parse xl.cfg text named source (len bytes) plus nextra command-line
 * `key=value` overrides into *out (free with pvx_domcfg_free), printing
 * xl's messages (errors, warnings) to stderr.  0, or -EINVAL after
 * "Failed to parse config: Invalid argument" / -ENOMEM.
 */
int xlt_config_parse(const char *source, const char *text, size_t len, const char *const *extra,
                     size_t nextra, struct pvx_domcfg **out);

#endif
