/* SPDX-License-Identifier: GPL-2.0-only */
/* The unit tests' message capture (capture.h). */
#include <stdlib.h>
#include <string.h>

#include "capture.h"

struct capture cap;

static void capture_fn(void *opaque, enum xlcfg_level level, const char *line)
{
    struct capture *c = opaque;

    if (c->n < CAPTURE_MAX) {
        c->level[c->n] = level;
        c->lines[c->n++] = strdup(line);
    }
}

const struct xlcfg_reporter rep = {capture_fn, &cap};

void capture_reset(struct capture *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->lines[i]);
    c->n = 0;
}

int capture_teardown(void **state)
{
    (void)state;
    capture_reset(&cap);
    return 0;
}
