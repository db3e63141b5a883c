/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored: permission lists.
 *
 * Entry 0 names the owner and, through its rights, what every domain not
 * listed later may do.  The owner, privileged connections and a domain that
 * SET_TARGET made act for the owner get everything; otherwise the first
 * later entry naming the caller (or its target) decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

/* Parse num strings "[nrwb]<domid>" from strs into out (allocated). */
int xsd_perms_parse(const char *strs, uint32_t len, uint32_t num, struct xsd_perms *out)
{
    uint32_t i, off = 0;
    struct xsd_perm *p;

    if (!num)
        return -EINVAL;
    p = calloc(num, sizeof(*p));
    if (!p)
        return -ENOMEM;
    for (i = 0; i < num; i++) {
        const char *s = strs + off;
        const char *nul = off < len ? memchr(s, '\0', len - off) : NULL;
        unsigned long id;

        if (!nul)
            goto inval;
        switch (s[0]) {
        case 'n':
            p[i].bits = XSD_PERM_NONE;
            break;
        case 'r':
            p[i].bits = XSD_PERM_READ;
            break;
        case 'w':
            p[i].bits = XSD_PERM_WRITE;
            break;
        case 'b':
            p[i].bits = XSD_PERM_READ | XSD_PERM_WRITE;
            break;
        default:
            goto inval;
        }
        if (xsd_parse_uint(s + 1, 0xffff, &id))
            goto inval;
        p[i].domid = (uint32_t)id;
        off = (uint32_t)(nul - strs) + 1;
    }
    out->num = num;
    out->p = p;
    return 0;
inval:
    free(p);
    return -EINVAL;
}

/* Format as the GET_PERMS payload: "<c><domid>\0" per entry.  Returns length. */
int xsd_perms_format(const struct xsd_perms *p, char *buf, size_t buflen)
{
    static const char letter[4] = {'n', 'r', 'w', 'b'};
    size_t off = 0;
    uint32_t i;

    for (i = 0; i < p->num; i++) {
        int l = snprintf(buf + off, buflen - off, "%c%u", letter[p->p[i].bits & 3], p->p[i].domid);

        if (l < 0 || (size_t)l + 1 > buflen - off)
            return -E2BIG;
        off += (size_t)l + 1;
    }
    return (int)off;
}

int xsd_perms_copy(struct xsd_perms *dst, const struct xsd_perms *src)
{
    dst->num = 0;
    dst->p = NULL;
    if (!src->num)
        return 0;
    dst->p = malloc(src->num * sizeof(*src->p));
    if (!dst->p)
        return -ENOMEM;
    memcpy(dst->p, src->p, src->num * sizeof(*src->p));
    dst->num = src->num;
    return 0;
}

void xsd_perms_free(struct xsd_perms *p)
{
    free(p->p);
    p->p = NULL;
    p->num = 0;
}

/* Rights of connection c on a node with permissions p (XSD_PERM_* mask). */
unsigned int xsd_perm_for(const struct xsd_conn *c, const struct xsd_perms *p)
{
    const unsigned int all = XSD_PERM_READ | XSD_PERM_WRITE | XSD_PERM_OWNER;
    uint32_t target = c->domain ? c->domain->target : ~0u;
    uint32_t i;

    if (c->privileged || !p->num)
        return all;
    if (p->p[0].domid == c->domid || p->p[0].domid == target)
        return all;
    for (i = 1; i < p->num; i++)
        if (p->p[i].domid == c->domid || p->p[i].domid == target)
            return p->p[i].bits;
    return p->p[0].bits;
}
