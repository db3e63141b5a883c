/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored libFuzzer target: the message parser and every request
 * handler, driven through the in-memory transport.
 *
 * The input is a script of chunks: [selector][len][len bytes].  The low two
 * bits of the selector pick a connection (dom0, dom0, guest 5, guest 6);
 * bit 7 closes it (a client vanishing mid-message or mid-transaction) and
 * reopens a fresh one.  Each input starts from a fresh store and must leave
 * it consistent; everything is freed so leaks show up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct xsd_conn *open_conn(int i)
{
    struct xsd_domain *d = NULL;

    if (i >= 2) {
        d = xsd_domain_get(i == 2 ? 5 : 6);
        d->introduced = true;
    }
    return xsd_mem_conn(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t sink[1 << 16];
    struct xsd_conn *c[4];
    char msg[256];
    size_t off = 0;
    int i;

    memset(&xsd, 0, sizeof(xsd));
    xsd_quota_defaults(&xsd.quota);
    xsd.quota.nodes = 50;
    xsd.quota.output_max = 64 * 1024;
    if (xsd_core_init())
        abort();
    xsd.backend = NULL;
    for (i = 0; i < 4; i++)
        c[i] = open_conn(i);
    /* A little initial structure so guests have somewhere to write. */
    {
        static const char w1[] = "/local/domain/5\0";
        static const char p1[] = "/local/domain/5\0n5\0r6\0";
        struct xsd_sockmsg h = {XS_WRITE, 1, 0, sizeof(w1) - 1};
        uint8_t b[64];

        memcpy(b, &h, sizeof(h));
        memcpy(b + sizeof(h), w1, sizeof(w1) - 1);
        xsd_mem_feed(c[0], b, sizeof(h) + sizeof(w1) - 1);
        h.type = XS_SET_PERMS;
        h.len = sizeof(p1) - 1;
        memcpy(b, &h, sizeof(h));
        memcpy(b + sizeof(h), p1, sizeof(p1) - 1);
        xsd_mem_feed(c[0], b, sizeof(h) + sizeof(p1) - 1);
    }
    while (off + 3 <= size) {
        uint8_t sel = data[off];
        size_t len = (size_t)data[off + 1] | ((size_t)data[off + 2] << 8);
        int k = sel & 3;

        off += 3;
        if (len > size - off)
            len = size - off;
        if (sel & 0x80) {
            xsd_conn_close(c[k]);
            c[k] = open_conn(k);
        }
        xsd_mem_stall(c[k], (sel & 0x40) != 0);
        xsd_mem_feed(c[k], data + off, len);
        off += len;
        for (i = 0; i < 4; i++) {
            while (c[i]->tdata && xsd_mem_take(c[i], sink, sizeof(sink)))
                ;
            if (c[i]->dead) /* dropped by the daemon: the client reconnects */
                c[i] = open_conn(i);
        }
        xsd_conn_reap();
    }
    if (xsd_tree_check(msg, sizeof(msg)))
        abort();
    xsd_core_free();
    return 0;
}
