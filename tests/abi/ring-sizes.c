/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Prints the ring geometry that io/ring.h derives for each PV protocol.
 * Compiled once against pvx's headers and once against Xen's; the outputs
 * must be identical (tests/suites.d/10-abi-headers.sh compares them).
 */
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "xen.h"
#include "io/ring.h"
#include "io/blkif.h"
#include "io/netif.h"

#define SHOW(name, bytes)                                                                          \
    printf("%-16s %5lu bytes: %4lu entries, entry %3lu bytes, header %lu\n", #name,                \
           (unsigned long)(bytes), (unsigned long)__CONST_RING_SIZE(name, bytes),                  \
           (unsigned long)sizeof(((struct name##_sring *)0)->ring[0]),                             \
           (unsigned long)offsetof(struct name##_sring, ring))

int main(void)
{
    unsigned long order;

    for (order = 0; order < 4; order++) {
        unsigned long bytes = 4096UL << order;
        SHOW(blkif, bytes);
        SHOW(netif_tx, bytes);
        SHOW(netif_rx, bytes);
        SHOW(xen_netif_ctrl, bytes);
    }
    return 0;
}
