/* SPDX-License-Identifier: MIT */
/*
 * pvx public ABI: the PV console ring page.
 *
 * A domU's console is one page (start_info.console.domU.mfn) plus an event
 * channel.  `in` carries keyboard input to the guest, `out` carries the
 * guest's output.  Indexes are free-running; the byte for index i is at
 * MASK_XENCONS_IDX(i, ring).  Each side writes data, issues a write barrier,
 * advances its producer index, then notifies the event channel.  The
 * consumer reads data after reading the producer index (read barrier) and
 * advances its consumer index when done.  A producer that finds its ring
 * full waits for the consumer.
 */
#ifndef PVX_PUBLIC_IO_CONSOLE_H
#define PVX_PUBLIC_IO_CONSOLE_H

#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;

/* Position of index `idx` in a ring array whose size is a power of two. */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xencons_interface {
    char in[1024];                       /* input: written by the backend, read by the guest */
    char out[2048];                      /* output: written by the guest, read by the backend */
    XENCONS_RING_IDX in_cons, in_prod;   /* guest / backend */
    XENCONS_RING_IDX out_cons, out_prod; /* backend / guest */
};

#endif /* PVX_PUBLIC_IO_CONSOLE_H */
