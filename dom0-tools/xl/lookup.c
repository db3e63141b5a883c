/* SPDX-License-Identifier: GPL-2.0-only */
/* Domains by name and by id, as xl resolves its arguments. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolstack.h"

int xlt_list(struct xlt *t, pvxctl_dominfo_t *infos, unsigned int max)
{
    unsigned int n = 0;

    /* getdomaininfolist fills what fits its buffer; go on from the last id. */
    while (n < max) {
        int got = pvxctl_domain_list(t->ctl, n ? infos[n - 1].domain + 1 : 0, infos + n,
                                     max - n < 256 ? max - n : 256);

        if (got < 0)
            return got;
        if (got == 0)
            break;
        n += (unsigned int)got;
    }
    return (int)n;
}

/* As libxl: every domain the hypervisor has, whose name node matches. */
int xlt_domid_by_name(struct xlt *t, const char *name, domid_t *domid)
{
    pvxctl_dominfo_t infos[64];
    domid_t next = 0;
    int n;

    while ((n = pvxctl_domain_list(t->ctl, next, infos, 64)) > 0) {
        for (int i = 0; i < n; i++) {
            char *nm = xlt_domain_name(t, infos[i].domain);
            bool same = nm && !strcmp(nm, name);

            free(nm);
            if (same) {
                *domid = infos[i].domain;
                return 0;
            }
        }
        next = infos[n - 1].domain + 1;
    }
    return n < 0 ? n : -ESRCH;
}

char *xlt_domain_name(struct xlt *t, domid_t domid)
{
    char *name = xlt_read(t, XBT_NULL, "/local/domain/%u/name", domid);

    if (!name && domid == 0)
        name = strdup(XLT_DOM0_NAME);
    return name;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int xlt_find_domain(struct xlt *t, const char *arg, domid_t *domid)
{
    if (all_digits(arg)) {
        unsigned long v = strtoul(arg, NULL, 10);

        if (v >= DOMID_FIRST_RESERVED) {
            xlt_err("%s is an invalid domain identifier (rc=-6)", arg);
            return -EINVAL;
        }
        *domid = (domid_t)v;
        return 0;
    }
    if (xlt_domid_by_name(t, arg, domid)) {
        xlt_err("%s is an invalid domain identifier (rc=-6)", arg);
        return -ESRCH;
    }
    return 0;
}
