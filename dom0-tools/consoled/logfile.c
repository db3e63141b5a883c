/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Log files: <log-dir>/guest-<name>.log and <log-dir>/hypervisor.log.
 * Always opened for appending, so a domain re-created under the same name
 * continues its log and logrotate's copytruncate works; SIGHUP reopens
 * them for rename-style rotation.  With timestamps, every line starts with
 * "[YYYY-MM-DD HH:MM:SS] " (local time) and the '\r' that follows a '\n'
 * (a guest writing "\n\r") is dropped, as xenconsoled does; the state of
 * the current line carries across writes, per file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consoled.h"

#define STAMP_LEN 22  /* "[YYYY-MM-DD HH:MM:SS] " */
#define SLICE     512 /* input bytes formatted at a time */

void logfile_init(struct logfile *l, bool stamp, bool escape)
{
    *l = (struct logfile){.fd = -1, .stamp = stamp, .escape = escape, .line_start = true};
}

size_t logfile_format_max(size_t n)
{
    /* Worst case every byte ends a line, so every byte is stamped. */
    return n + (n + 1) * STAMP_LEN;
}

size_t logfile_format(struct logfile *l, const char *data, size_t n, time_t now, char *out)
{
    char stamp[STAMP_LEN + 8];
    size_t stamp_len = 0, len = 0;

    if (l->stamp) {
        struct tm tm;

        localtime_r(&now, &tm);
        stamp_len = strftime(stamp, sizeof(stamp), "[%Y-%m-%d %H:%M:%S] ", &tm);
        if (stamp_len > STAMP_LEN)
            stamp_len = 0; /* a year past 9999: leave lines unstamped */
    }
    for (size_t i = 0; i < n; i++) {
        char c = data[i];

        if (l->skip_cr && c == '\r')
            continue;
        l->skip_cr = false;
        if (l->stamp && l->line_start) {
            memcpy(out + len, stamp, stamp_len);
            len += stamp_len;
        }
        l->line_start = false;
        if (l->escape && c == '\033')
            c = '.';
        out[len++] = c;
        if (c == '\n') {
            l->line_start = true;
            l->skip_cr = l->stamp;
        }
    }
    return len;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        if (w == 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int logfile_write(struct logfile *l, const char *data, size_t n, time_t now)
{
    static char out[SLICE + (SLICE + 1) * STAMP_LEN];
    int rc = 0;

    if (l->fd < 0)
        return 0;
    while (n && !rc) {
        size_t take = n < SLICE ? n : SLICE;

        rc = write_all(l->fd, out, logfile_format(l, data, take, now, out));
        data += take;
        n -= take;
    }
    return rc;
}

int logfile_open(struct logfile *l, const char *path, time_t now)
{
    static const char opened[] = "Logfile Opened\n";

    logfile_close(l);
    if (snprintf(l->path, sizeof(l->path), "%s", path) >= (int)sizeof(l->path))
        return -ENAMETOOLONG;
    l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (l->fd < 0)
        return -errno;
    l->line_start = true;
    l->skip_cr = false;
    /* With timestamps, a mark says when this daemon started this file. */
    return l->stamp ? logfile_write(l, opened, sizeof(opened) - 1, now) : 0;
}

int logfile_reopen(struct logfile *l, time_t now)
{
    char path[PATH_MAX];

    if (!l->path[0])
        return 0;
    memcpy(path, l->path, sizeof(path));
    return logfile_open(l, path, now);
}

void logfile_close(struct logfile *l)
{
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

void logfile_guest_name(char *out, size_t len, const char *name, domid_t domid)
{
    char safe[129];
    size_t i;

    if (!name || !*name) {
        snprintf(out, len, "guest-d%u.log", domid);
        return;
    }
    /* The name is the toolstack's, but it still becomes a path component. */
    for (i = 0; name[i] && i < sizeof(safe) - 1; i++) {
        unsigned char c = (unsigned char)name[i];

        safe[i] = (c < 0x20 || c == 0x7f || c == '/') ? '_' : (char)c;
    }
    safe[i] = '\0';
    snprintf(out, len, "guest-%s.log", safe);
}

int logfile_mkdirs(const char *dir)
{
    char path[PATH_MAX];
    size_t len = strlen(dir);

    if (len >= sizeof(path))
        return -ENAMETOOLONG;
    memcpy(path, dir, len + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}
