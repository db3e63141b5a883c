// SPDX-License-Identifier: GPL-2.0-only
/*
 * The `coninput` mode: read console input and report each line, so a test
 * can type on pvx's serial line and see which domain got it.
 *   dom0  (privileged): VIRQ_CONSOLE and CONSOLEIO_read
 *   domU: its console ring's `in` half, on the ring's event channel
 * Input is read only after the event arrives, so a backend that forgets to
 * signal shows up as lost input.  Each line prints as `coninput: got 'TEXT'`
 * (control characters as ^X); the line `quit` ends the mode (power off).
 */
#include "guest.h"
#include "test.h"
#include <public/event_channel.h>
#include <public/io/console.h>
#include <public/sched.h>

static size_t read_input(struct xencons_interface *ring, char *buf, size_t len)
{
    u32 cons, prod;
    size_t n = 0;

    if (!ring) {
        long rc = hc_console_io(CONSOLEIO_read, len, buf);

        return rc > 0 ? (size_t)rc : 0;
    }
    cons = ring->in_cons;
    prod = READ_ONCE(ring->in_prod);
    __asm__ volatile("" ::: "memory"); /* the index before the bytes it covers */
    while (cons != prod && n < len)
        buf[n++] = ring->in[cons++ & (sizeof(ring->in) - 1)];
    __asm__ volatile("" ::: "memory");
    ring->in_cons = cons;
    return n;
}

void mode_coninput(void)
{
    struct xencons_interface *ring = NULL;
    char line[128], buf[64];
    size_t len = 0;
    unsigned port, seen = 0;

    if (si->flags & SIF_INITDOMAIN) {
        struct evtchn_bind_virq bv = {.virq = VIRQ_CONSOLE, .vcpu = 0};
        long rc = hc_event_channel_op(EVTCHNOP_bind_virq, &bv);

        if (rc) {
            printk("coninput: bind VIRQ_CONSOLE failed: %ld\n", rc);
            return;
        }
        port = bv.port;
    } else {
        if (!si->console.domU.mfn || !si->console.domU.evtchn) {
            printk("coninput: no console ring\n");
            return;
        }
        port = si->console.domU.evtchn;
        ring = console_ring();
    }
    evtchn_unmask_port(port);
    printk("coninput: ready\n");
    for (;;) {
        size_t n;

        if (evt_count[port] == seen) {
            /* The timeout only bounds a lost wake-up race; input waits for the event. */
            block_until_or_event(system_time_ns() + 100000000ULL);
            continue;
        }
        seen = evt_count[port];
        while ((n = read_input(ring, buf, sizeof(buf))) > 0) {
            for (size_t i = 0; i < n; i++) {
                char c = buf[i];

                if (c == '\r' || c == '\n') {
                    if (!len)
                        continue;
                    line[len] = '\0';
                    printk("coninput: got '%s'\n", line);
                    if (!strcmp(line, "quit"))
                        return;
                    len = 0;
                } else if (len + 3 < sizeof(line)) {
                    if ((unsigned char)c < 0x20) {
                        line[len++] = '^';
                        c = (char)(c + '@');
                    }
                    line[len++] = c;
                }
            }
        }
    }
}
