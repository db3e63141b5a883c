/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Each domain's configuration, kept while it exists so that a reboot or a
 * restart rebuilds it as it was (the role of libxl's stored JSON).  It is
 * the xl.cfg text it was created from, command-line overrides included;
 * runtime changes (mem-set, rename, vcpu-set) are appended as assignments,
 * which xl.cfg's "last one wins" makes effective.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "toolstack.h"

static void saved_path(domid_t domid, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%u.cfg", XLT_STATE_DIR, domid);
}

static int make_dirs(const char *dir)
{
    char p[256];

    snprintf(p, sizeof(p), "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) && errno != EEXIST)
            return -errno;
        *s = '/';
    }
    return mkdir(p, 0755) && errno != EEXIST ? -errno : 0;
}

/* Written to a temporary file and renamed, so a reader never sees half. */
int xlt_saved_write(domid_t domid, const char *text)
{
    char path[256], tmp[272];
    size_t len = strlen(text);
    int fd, rc = make_dirs(XLT_STATE_DIR);

    if (rc)
        return rc;
    saved_path(domid, path, sizeof(path));
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (write(fd, text, len) != (ssize_t)len || fsync(fd))
        rc = errno ? -errno : -EIO;
    if (close(fd) && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path))
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

char *xlt_saved_read(domid_t domid)
{
    char path[256];
    FILE *f;
    char *text = NULL;
    long len;

    saved_path(domid, path, sizeof(path));
    f = fopen(path, "re");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        text = malloc((size_t)len + 1);
        if (text && fread(text, 1, (size_t)len, f) == (size_t)len) {
            text[len] = '\0';
        } else {
            free(text);
            text = NULL;
        }
    }
    fclose(f);
    return text;
}

int xlt_saved_append(domid_t domid, const char *fmt, ...)
{
    char *old = xlt_saved_read(domid), *text = NULL;
    char line[512];
    va_list ap;
    int rc;

    if (!old)
        return -ENOENT;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    rc = asprintf(&text, "%s\n%s\n", old, line) < 0 ? -ENOMEM : xlt_saved_write(domid, text);
    free(old);
    free(text);
    return rc;
}

void xlt_saved_remove(domid_t domid)
{
    char path[256];

    saved_path(domid, path, sizeof(path));
    unlink(path);
}
