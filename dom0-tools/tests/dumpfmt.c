/* SPDX-License-Identifier: GPL-2.0-only */
/* The differential test's common printing (dumpfmt.h). */
#include <errno.h>
#include <string.h>

#include "dumpfmt.h"

void put_escaped_n(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\\' || c == '"')
            fprintf(f, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            fputc(c, f);
        else
            fprintf(f, "\\x%02x", c);
    }
}

void put_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("NULL", f);
        return;
    }
    fputc('"', f);
    put_escaped_n(f, s, strlen(s));
    fputc('"', f);
}

const char *err_name(int e)
{
    static char buf[16];

    switch (e) {
    case 0:
        return "ok";
    case ESRCH:
        return "ESRCH";
    case EINVAL:
        return "EINVAL";
    case ERANGE:
        return "ERANGE";
    case EOVERFLOW:
        return "EOVERFLOW";
    case ENOMEM:
        return "ENOMEM";
    default:
        snprintf(buf, sizeof(buf), "%d", e);
        return buf;
    }
}
