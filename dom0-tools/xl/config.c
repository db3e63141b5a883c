/* SPDX-License-Identifier: GPL-2.0-only */
/* xl.cfg text to a domain configuration, messages to stderr as xl prints them. */
#include <errno.h>
#include <stdio.h>

#include "config.h"
#include "domcfg.h"

static void to_stderr(void *opaque, enum xlcfg_level level, const char *line)
{
    (void)opaque;
    (void)level;
    fprintf(stderr, "%s\n", line);
}

int xlt_config_parse(const char *source, const char *text, size_t len, const char *const *extra,
                     size_t nextra, struct pvx_domcfg **out)
{
    static const struct xlcfg_reporter rep = {to_stderr, NULL};
    struct xlcfg *cfg = NULL;
    int rc;

    *out = NULL;
    rc = xlcfg_parse(source, text, len, extra, nextra, &rep, &cfg);
    if (!rc)
        rc = pvx_domcfg_from_xlcfg(cfg, out);
    if (rc == -EINVAL)
        fprintf(stderr, "Failed to parse config: Invalid argument\n");
    else if (rc)
        fprintf(stderr, "Failed to parse config: %s\n",
                rc == -ENOMEM ? "Cannot allocate memory" : "error");
    xlcfg_free(cfg);
    return rc;
}
