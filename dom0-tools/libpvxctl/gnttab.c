/* SPDX-License-Identifier: MIT */
/*
 * libpvxctl: other domains' grants mapped here, through Linux's
 * /dev/xen/gntdev (which, on PV, asks pvx for GNTTABOP_map_grant_ref on the
 * PTEs of this process's mapping).  A mapping is an ioctl that reserves an
 * offset of the device, then an mmap of that offset; unmapping undoes both,
 * so the handle remembers each mapping's offset.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pvxctl_priv.h"
#include "xen-devices.h"

struct mapping {
    struct mapping *next;
    void *addr;
    uint64_t index;
    uint32_t count;
};

struct pvxctl_gnttab {
    int fd;
    struct mapping *maps;
};

int pvxctl_gnttab_open(struct pvxctl_gnttab **out, char *err, size_t errlen)
{
    struct pvxctl_gnttab *g = calloc(1, sizeof(*g));

    *out = NULL;
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    g->fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (g->fd < 0) {
        int rc = -errno;

        snprintf(err, errlen,
                 "cannot open /dev/xen/gntdev: %s (run as root in dom0, with the xen-gntdev module "
                 "loaded)",
                 strerror(errno));
        free(g);
        return rc;
    }
    *out = g;
    return 0;
}

void pvxctl_gnttab_close(struct pvxctl_gnttab *g)
{
    if (!g)
        return;
    while (g->maps)
        pvxctl_gnttab_unmap(g, g->maps->addr);
    close(g->fd);
    free(g);
}

static void release_index(struct pvxctl_gnttab *g, uint64_t index, uint32_t count)
{
    struct pvx_gntdev_unmap_grant_ref u = {.index = index, .count = count};

    ioctl(g->fd, PVX_IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
}

void *pvxctl_gnttab_map(struct pvxctl_gnttab *g, domid_t domid, const uint32_t *refs,
                        uint32_t count, int prot, int *err)
{
    size_t size = sizeof(struct pvx_gntdev_map_grant_ref) +
                  (count ? count - 1 : 0) * sizeof(struct pvx_gntdev_grant_ref);
    struct pvx_gntdev_map_grant_ref *m = NULL;
    struct mapping *map = NULL;
    void *addr = MAP_FAILED;

    *err = 0;
    if (!count) {
        *err = -EINVAL;
        goto out;
    }
    m = calloc(1, size);
    map = calloc(1, sizeof(*map));
    if (!m || !map) {
        *err = -ENOMEM;
        goto out;
    }
    m->count = count;
    for (uint32_t i = 0; i < count; i++) {
        m->refs[i].domid = domid;
        m->refs[i].ref = refs[i];
    }
    if (ioctl(g->fd, PVX_IOCTL_GNTDEV_MAP_GRANT_REF, m)) {
        *err = -errno;
        goto out;
    }
    /* The grants are mapped by this mmap: a ref nobody granted fails here. */
    addr = mmap(NULL, (size_t)count << 12, prot, MAP_SHARED, g->fd, (off_t)m->index);
    if (addr == MAP_FAILED) {
        *err = -errno;
        release_index(g, m->index, count);
        goto out;
    }
    *map = (struct mapping){.next = g->maps, .addr = addr, .index = m->index, .count = count};
    g->maps = map;
    map = NULL;
out:
    free(m);
    free(map);
    return addr == MAP_FAILED ? NULL : addr;
}

int pvxctl_gnttab_unmap(struct pvxctl_gnttab *g, void *addr)
{
    for (struct mapping **pp = &g->maps; *pp; pp = &(*pp)->next) {
        struct mapping *map = *pp;

        if (map->addr != addr)
            continue;
        *pp = map->next;
        munmap(addr, (size_t)map->count << 12);
        release_index(g, map->index, map->count);
        free(map);
        return 0;
    }
    return -ENOENT;
}
