/* SPDX-License-Identifier: GPL-2.0-only */
/* xenstore helpers for the toolstack: formatted paths, ACLs, transactions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolstack.h"

char *xlt_read(struct xlt *t, xs_transaction_t tx, const char *fmt, ...)
{
    char path[256];
    unsigned int len;
    char *v, *s;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    v = xs_read(t->xs, tx, path, &len);
    if (!v)
        return NULL;
    /* Values are bytes: make a C string of them. */
    s = realloc(v, len + 1);
    if (!s) {
        free(v);
        return NULL;
    }
    s[len] = '\0';
    return s;
}

int xlt_write(struct xlt *t, xs_transaction_t tx, const char *path, const char *val)
{
    return xs_write(t->xs, tx, path, val, (unsigned int)strlen(val)) ? 0 : -errno;
}

int xlt_writef(struct xlt *t, xs_transaction_t tx, const char *path, const char *fmt, ...)
{
    char val[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(val))
        return -E2BIG;
    return xlt_write(t, tx, path, val);
}

int xlt_set_perms(struct xlt *t, xs_transaction_t tx, const char *path, domid_t owner,
                  bool others_read, domid_t reader)
{
    struct xs_permissions p[2] = {
        {.id = owner, .perms = others_read ? XS_PERM_READ : XS_PERM_NONE},
        {.id = reader, .perms = XS_PERM_READ},
    };

    return xs_set_permissions(t->xs, tx, path, p, reader == DOMID_INVALID ? 1 : 2) ? 0 : -errno;
}

int xlt_mkdir(struct xlt *t, xs_transaction_t tx, const char *path, domid_t owner, bool others_read,
              domid_t reader)
{
    int rc = xlt_write(t, tx, path, "");

    return rc ? rc : xlt_set_perms(t, tx, path, owner, others_read, reader);
}

int xlt_rm(struct xlt *t, xs_transaction_t tx, const char *path)
{
    if (xs_rm(t->xs, tx, path) || errno == ENOENT)
        return 0;
    return -errno;
}

int xlt_rm_prune(struct xlt *t, xs_transaction_t tx, const char *path)
{
    char dir[256];
    char *slash;
    int rc = xlt_rm(t, tx, path);

    snprintf(dir, sizeof(dir), "%s", path);
    /* Then each parent that is left empty (no value, no children), as
     * libxl does, so the last device of a kind leaves no directory behind. */
    while (!rc && (slash = strrchr(dir, '/')) && slash != dir) {
        unsigned int num = 1, len = 1;
        char *v, **ents;

        *slash = '\0';
        v = xs_read(t->xs, tx, dir, &len);
        free(v);
        if (!v || len)
            break;
        ents = xs_directory(t->xs, tx, dir, &num);
        free(ents);
        if (!ents || num)
            break;
        rc = xlt_rm(t, tx, dir);
    }
    return rc;
}

int xlt_transaction(struct xlt *t, int (*fn)(struct xlt *t, xs_transaction_t tx, void *arg),
                    void *arg)
{
    for (int tries = 0; tries < 100; tries++) {
        xs_transaction_t tx = xs_transaction_start(t->xs);
        int rc;

        if (tx == XBT_NULL)
            return -errno;
        rc = fn(t, tx, arg);
        if (rc) {
            xs_transaction_end(t->xs, tx, true);
            return rc;
        }
        if (xs_transaction_end(t->xs, tx, false))
            return 0;
        if (errno != EAGAIN)
            return -errno;
    }
    return -EAGAIN;
}
