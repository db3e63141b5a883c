/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The daemon's own messages, on stderr: in the foreground that is the
 * terminal, daemonized it is <log-dir>/pvxconsoled.log (main.c).  A dom0
 * initramfs has no syslog daemon, and one file is what a test collects.
 * Errors and warnings always; -v adds consoles coming and going, -vv
 * every event.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "consoled.h"

static int max_level = MSG_WARN;
static bool with_time;

void msg_setup(int verbose, bool timestamps)
{
    max_level = MSG_WARN + (verbose > 2 ? 2 : verbose);
    with_time = timestamps;
}

bool msg_enabled(int level)
{
    return level <= max_level;
}

void msg(int level, const char *fmt, ...)
{
    static const char *const tag[] = {"error: ", "warning: ", "", ""};
    char stamp[32] = "";
    va_list ap;

    if (!msg_enabled(level))
        return;
    if (with_time) {
        time_t now = time(NULL);
        struct tm tm;

        localtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "[%Y-%m-%d %H:%M:%S] ", &tm);
    }
    fprintf(stderr, "%spvxconsoled: %s", stamp, tag[level]);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}
