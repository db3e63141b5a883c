/* SPDX-License-Identifier: MIT */
/*
 * gntalloc + gntdev: dom0 grants one of its pages to itself through
 * /dev/xen/gntalloc and maps the grant through /dev/xen/gntdev with
 * libpvxctl's gnttab calls, as the toolstack's daemons do (on PV the kernel
 * asks the hypervisor for a mapping of the grant, GNTTABOP_map_grant_ref by
 * PTE).  Bytes written through either mapping must be read through the
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
#include "pvxctl.h"
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
static int bogus_ref(struct pvxctl_gnttab *g, uint32_t issued)
{
    uint32_t ref = issued + 4000;
    int err;
    void *p = pvxctl_gnttab_map(g, 0, &ref, 1, PROT_READ | PROT_WRITE, &err);

    if (p)
        pvxctl_gnttab_unmap(g, p);
    return check_report("gnt-bogus-ref", p == NULL, "mapping ref %u %s", ref,
                        p ? "succeeded" : "refused");
}

int check_gnt(void)
{
    struct pvx_gntalloc_alloc_gref al = {
        .domid = 0, .flags = PVX_GNTALLOC_FLAG_WRITABLE, .count = 1};
    struct pvx_gntalloc_dealloc_gref d = {.count = 1};
    int ga = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
    struct pvxctl_gnttab *g = NULL;
    uint8_t *a = NULL, *b = NULL;
    char why[160];
    int failed = 0, err;

    if (ga < 0) {
        failed = check_report("gnt-alloc", false, "open /dev/xen/gntalloc: %s", strerror(errno));
        goto out;
    }
    if (pvxctl_gnttab_open(&g, why, sizeof(why))) {
        failed = check_report("gnt-alloc", false, "%s", why);
        goto out;
    }
    if (ioctl(ga, PVX_IOCTL_GNTALLOC_ALLOC_GREF, &al) || !(a = map_at(ga, al.index))) {
        failed = check_report("gnt-alloc", false, "gntalloc: %s", strerror(errno));
        goto out;
    }
    failed += check_report("gnt-alloc", true, "ref %u", al.gref_ids[0]);
    b = pvxctl_gnttab_map(g, 0, &al.gref_ids[0], 1, PROT_READ | PROT_WRITE, &err);
    if (!b) {
        failed += check_report("gnt-map", false, "gntdev map of ref %u: %s", al.gref_ids[0],
                               strerror(-err));
        goto out;
    }
    failed += check_report("gnt-map", true, "ref %u at %p", al.gref_ids[0], (void *)b);
    failed += shared_data(a, b);
    failed += bogus_ref(g, al.gref_ids[0]);
out:
    if (b)
        pvxctl_gnttab_unmap(g, b);
    pvxctl_gnttab_close(g);
    if (a) {
        munmap(a, PAGE);
        d.index = al.index;
        ioctl(ga, PVX_IOCTL_GNTALLOC_DEALLOC_GREF, &d);
    }
    if (ga >= 0)
        close(ga);
    return failed;
}
