/* SPDX-License-Identifier: MIT */
/*
 * gntalloc + gntdev: dom0 grants one of its pages to itself through
 * /dev/xen/gntalloc and maps the grant through /dev/xen/gntdev (on PV the
 * kernel asks the hypervisor for a mapping of the grant, GNTTABOP_map_grant_ref
 * by PTE).  Bytes written through either mapping must be read through the
 * other, and a grant reference nobody issued must not map.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "xen-devices.h"

#define PAGE 4096

static void *map_at(int fd, uint64_t index)
{
    void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)index);

    return p == MAP_FAILED ? NULL : p;
}

/* Both directions through the two mappings of the same frame. */
static int shared_data(volatile uint8_t *a, volatile uint8_t *b)
{
    static const char msg1[] = "pvx gntalloc -> gntdev";
    static const char msg2[] = "pvx gntdev -> gntalloc";
    char got1[sizeof(msg1)], got2[sizeof(msg2)];
    size_t i;

    for (i = 0; i < sizeof(msg1); i++)
        a[100 + i] = (uint8_t)msg1[i];
    for (i = 0; i < sizeof(msg1); i++)
        got1[i] = (char)b[100 + i];
    for (i = 0; i < sizeof(msg2); i++)
        b[PAGE - 64 + i] = (uint8_t)msg2[i];
    for (i = 0; i < sizeof(msg2); i++)
        got2[i] = (char)a[PAGE - 64 + i];
    return check_report("gnt-shared-data",
                        !memcmp(got1, msg1, sizeof(msg1)) && !memcmp(got2, msg2, sizeof(msg2)),
                        "read back '%.22s' and '%.22s'", got1, got2);
}

/* A reference past every issued one: gntdev must refuse to map it. */
static int bogus_ref(int gd, uint32_t issued)
{
    struct pvx_gntdev_map_grant_ref m = {.count = 1, .refs = {{.domid = 0, .ref = issued + 4000}}};
    struct pvx_gntdev_unmap_grant_ref u = {.count = 1};
    void *p = NULL;

    if (ioctl(gd, PVX_IOCTL_GNTDEV_MAP_GRANT_REF, &m) == 0) {
        p = map_at(gd, m.index);
        if (p)
            munmap(p, PAGE);
        u.index = m.index;
        ioctl(gd, PVX_IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
    }
    return check_report("gnt-bogus-ref", p == NULL, "mapping ref %u %s", issued + 4000,
                        p ? "succeeded" : "refused");
}

int check_gnt(void)
{
    struct pvx_gntalloc_alloc_gref al = {
        .domid = 0, .flags = PVX_GNTALLOC_FLAG_WRITABLE, .count = 1};
    struct pvx_gntdev_map_grant_ref m = {.count = 1};
    struct pvx_gntdev_unmap_grant_ref u = {.count = 1};
    struct pvx_gntalloc_dealloc_gref d = {.count = 1};
    int ga = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
    int gd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    uint8_t *a = NULL, *b = NULL;
    int failed = 0;

    if (ga < 0 || gd < 0) {
        failed = check_report("gnt-alloc", false, "open %s: %s",
                              ga < 0 ? "/dev/xen/gntalloc" : "/dev/xen/gntdev", strerror(errno));
        goto out;
    }
    if (ioctl(ga, PVX_IOCTL_GNTALLOC_ALLOC_GREF, &al) || !(a = map_at(ga, al.index))) {
        failed = check_report("gnt-alloc", false, "gntalloc: %s", strerror(errno));
        goto out;
    }
    failed += check_report("gnt-alloc", true, "ref %u", al.gref_ids[0]);
    m.refs[0].domid = 0;
    m.refs[0].ref = al.gref_ids[0];
    if (ioctl(gd, PVX_IOCTL_GNTDEV_MAP_GRANT_REF, &m) || !(b = map_at(gd, m.index))) {
        failed += check_report("gnt-map", false, "gntdev map of ref %u: %s", al.gref_ids[0],
                               strerror(errno));
        goto out;
    }
    failed += check_report("gnt-map", true, "ref %u at %p", al.gref_ids[0], (void *)b);
    failed += shared_data(a, b);
    failed += bogus_ref(gd, al.gref_ids[0]);
out:
    if (b) {
        munmap(b, PAGE);
        u.index = m.index;
        ioctl(gd, PVX_IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
    }
    if (a) {
        munmap(a, PAGE);
        d.index = al.index;
        ioctl(ga, PVX_IOCTL_GNTALLOC_DEALLOC_GREF, &d);
    }
    if (ga >= 0)
        close(ga);
    if (gd >= 0)
        close(gd);
    return failed;
}
