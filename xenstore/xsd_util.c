/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: small helpers shared by every file (logging, strings).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xenstored.h"

static FILE *logfp;

void xsd_set_logfile(const char *path)
{
    FILE *f = fopen(path, "a");

    if (!f) {
        fprintf(stderr, "xenstored: cannot open log file %s: %s\n", path, strerror(errno));
        return;
    }
    if (logfp && logfp != stderr)
        fclose(logfp);
    setvbuf(f, NULL, _IOLBF, 0);
    logfp = f;
}

static void vlog(const char *fmt, va_list ap)
{
    FILE *f = logfp ? logfp : stderr;
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(f, "xenstored[%ld.%03ld]: ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
}

/* Always-on messages: startup, misbehaving clients, internal errors. */
void xsd_log(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

/* Per-request tracing, switched by -V or "CONTROL log on". */
void xsd_trace(const char *fmt, ...)
{
    va_list ap;

    if (!xsd.log_on)
        return;
    va_start(ap, fmt);
    vlog(fmt, ap);
    va_end(ap);
}

void *xsd_zalloc(size_t sz)
{
    return calloc(1, sz);
}

char *xsd_memdup(const void *p, size_t len)
{
    char *d = malloc(len ? len : 1);

    if (d && len)
        memcpy(d, p, len);
    return d;
}

/* The protocol's error name for a positive errno; unknown ones map to EINVAL. */
const char *xsd_errname(int err)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EINVAL";
}

/* FNV-1a followed by a final avalanche so low bits are usable as an index. */
uint32_t xsd_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

/* Number of NUL-terminated strings in data (an unterminated tail counts not). */
int xsd_count_strings(const char *data, uint32_t len)
{
    int n = 0;
    uint32_t i;

    for (i = 0; i < len; i++)
        if (data[i] == '\0')
            n++;
    return n;
}

/* The n-th NUL-terminated string of data, or NULL if there are fewer. */
const char *xsd_nth_string(const char *data, uint32_t len, int n)
{
    uint32_t off = 0;

    while (off < len) {
        const char *nul = memchr(data + off, '\0', len - off);

        if (!nul)
            return NULL;
        if (n-- == 0)
            return data + off;
        off = (uint32_t)(nul - data) + 1;
    }
    return NULL;
}

/* Strict unsigned decimal: digits only, no sign, no overflow past max. */
int xsd_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;

    if (!s || !*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        if (v > (max - (unsigned long)(*s - '0')) / 10)
            return -EINVAL;
        v = v * 10 + (unsigned long)(*s - '0');
    }
    *out = v;
    return 0;
}
