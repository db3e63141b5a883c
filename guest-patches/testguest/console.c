// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console output.  console_io(CONSOLEIO_write) where the hypervisor allows
 * it (the control domain), always through the raw `syscall` transport so
 * output keeps working while a check plays with the hypercall page.  A
 * domain it refuses (a domU: -EPERM, as on Xen's release builds) writes into
 * its console ring instead, as Linux does.  Lines are assembled in a buffer
 * and written whole.
 */
#include "guest.h"
#include "hypercall.h"
#include "lib.h"
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/io/console.h>
#include <public/sched.h>

#define M2P ((const unsigned long *)0xffff800000000000UL)

struct xencons_interface *console_ring(void)
{
    if (!si || (si->flags & SIF_INITDOMAIN) || !si->console.domU.mfn)
        return NULL;
    /* The ring page is ordinary domain memory inside the initial mapping. */
    return (struct xencons_interface *)(VIRT_BASE + (M2P[si->console.domU.mfn] << PAGE_SHIFT));
}

void console_ring_write(const char *s, size_t n)
{
    struct xencons_interface *ring = console_ring();
    struct evtchn_send send = {.port = si ? si->console.domU.evtchn : 0};
    u32 prod;

    if (!ring)
        return;
    prod = ring->out_prod;
    for (; n; s++, n--) {
        /* Full: publish what we have, let the backend drain it. */
        while (prod - __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE) >= sizeof(ring->out)) {
            __atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
            hc_syscall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send, 0, 0, 0);
            hc_syscall(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, 0, 0);
        }
        ring->out[prod++ & (sizeof(ring->out) - 1)] = *s;
    }
    __atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
    hc_syscall(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (unsigned long)&send, 0, 0, 0);
}

void console_write(const char *s, size_t n)
{
    static bool use_ring;

    while (n) {
        size_t chunk = n > 512 ? 512 : n;

        if (use_ring)
            console_ring_write(s, chunk);
        else if (hc_syscall(__HYPERVISOR_console_io, CONSOLEIO_write, chunk, (unsigned long)s, 0,
                            0) == -XEN_EPERM &&
                 console_ring()) {
            use_ring = true;
            continue; /* this chunk again, through the ring */
        }
        s += chunk;
        n -= chunk;
    }
}

void printk(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    console_write(buf, (size_t)n);
}
