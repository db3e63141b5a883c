/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstored libFuzzer target: hostile guests on their store rings.
 *
 * Two guests (domains 5 and 6) are introduced through the guest backend
 * against a fake hypervisor; the input is a script of chunks
 * [op][len][len bytes] that makes a guest write bytes into its request ring,
 * set any ring index (or any byte of its page) to anything, consume its
 * responses, change its domain state (shut down, dying, gone) before a
 * VIRQ_DOM_EXC, or makes dom0 send a raw message, introduce or release it.
 * The daemon must neither crash nor hang (libFuzzer's -timeout), must leave
 * the store consistent, and must give back every mapping and port.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xenstored.h"
#include <public/xen.h>
#include <public/domctl.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPORT 16

static struct xenstore_domain_interface pages[2];
static uint32_t flags[2];
static bool gone[2], mapped[2], bound[NPORT];
static uint32_t bound_dom[NPORT];

static int gi(uint32_t domid)
{
    return domid == 5 ? 0 : domid == 6 ? 1 : -1;
}

static int f_map(uint32_t domid, uint64_t mfn, void **page)
{
    int g = gi(domid);

    if (g < 0 || gone[g] || mfn != 0x100u + domid || mapped[g])
        return -EINVAL;
    mapped[g] = true;
    *page = &pages[g];
    return 0;
}

static void f_unmap(void *page)
{
    int g = (int)((struct xenstore_domain_interface *)page - pages);

    if (g < 0 || g > 1 || !mapped[g])
        abort();
    mapped[g] = false;
}

static int f_bind(uint32_t domid, uint32_t port)
{
    int g = gi(domid);

    if (g < 0 || gone[g] || port != 7)
        return -EINVAL;
    for (int p = 2; p < NPORT; p++) {
        if (!bound[p]) {
            bound[p] = true;
            bound_dom[p] = domid;
            return p;
        }
    }
    return -ENOSPC;
}

static int f_bind_virq(uint32_t virq)
{
    (void)virq;
    bound[1] = true;
    return 1;
}

static void f_unbind(uint32_t port)
{
    if (port >= NPORT || !bound[port])
        abort();
    bound[port] = false;
}

static void f_notify(uint32_t port)
{
    if (port >= NPORT || !bound[port])
        abort();
}

static int f_info(uint32_t domid, uint32_t *f)
{
    int g = gi(domid);

    if (g < 0 || gone[g])
        return -ESRCH;
    *f = flags[g];
    return 0;
}

static const struct xsd_hyp_ops fake = {
    .map = f_map,
    .unmap = f_unmap,
    .bind = f_bind,
    .bind_virq = f_bind_virq,
    .unbind = f_unbind,
    .notify = f_notify,
    .domain_info = f_info,
};

static void kick(uint32_t domid)
{
    for (uint32_t p = 2; p < NPORT; p++)
        if (bound[p] && bound_dom[p] == domid)
            xsd_guest_port_event(p);
}

static void dom0_send(struct xsd_conn *c, uint32_t type, const void *p, uint32_t len)
{
    uint8_t b[XSD_MSG_MAX];
    struct xsd_sockmsg h = {type, 1, 0, len};

    memcpy(b, &h, sizeof(h));
    memcpy(b + sizeof(h), p, len);
    xsd_mem_feed(c, b, sizeof(h) + len);
}

static void introduce(struct xsd_conn *c, uint32_t domid)
{
    static const char a5[] = "5\0"
                             "261\0"
                             "7",
                      a6[] = "6\0"
                             "262\0"
                             "7";

    dom0_send(c, XS_INTRODUCE, domid == 5 ? a5 : a6, sizeof(a5));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t sink[1 << 16];
    static const char home5[] = "/local/domain/5\0n5", home6[] = "/local/domain/6\0n6";
    struct xsd_conn *dom0;
    char msg[256];
    size_t off = 0;

    memset(&xsd, 0, sizeof(xsd));
    memset(pages, 0, sizeof(pages));
    memset(flags, 0, sizeof(flags));
    memset(gone, 0, sizeof(gone));
    memset(bound, 0, sizeof(bound));
    xsd_quota_defaults(&xsd.quota);
    xsd.quota.nodes = 50;
    xsd.quota.output_max = 64 * 1024;
    if (xsd_core_init() || xsd_guest_init(&fake))
        abort();
    xsd.backend = &xsd_guest_backend;
    dom0 = xsd_mem_conn(NULL);
    dom0_send(dom0, XS_MKDIR, home5, 16);
    dom0_send(dom0, XS_SET_PERMS, home5, sizeof(home5));
    dom0_send(dom0, XS_MKDIR, home6, 16);
    dom0_send(dom0, XS_SET_PERMS, home6, sizeof(home6));
    introduce(dom0, 5);
    introduce(dom0, 6);
    while (off + 3 <= size) {
        uint8_t op = data[off];
        size_t len = (size_t)data[off + 1] | ((size_t)data[off + 2] << 8);
        uint32_t domid = (op & 8) ? 6 : 5;
        struct xenstore_domain_interface *p = &pages[gi(domid)];
        const uint8_t *b = data + off + 3;

        off += 3;
        if (len > size - off)
            len = size - off;
        off += len;
        switch (op & 7) {
        case 0: /* the guest writes requests, as far as its view of the ring allows */
            for (size_t i = 0; i < len && p->req_prod - p->req_cons < XENSTORE_RING_SIZE; i++)
                p->req[MASK_XENSTORE_IDX(p->req_prod++)] = (char)b[i];
            kick(domid);
            break;
        case 1: /* any index to any value */
            if (len >= 5) {
                uint32_t v;
                XENSTORE_RING_IDX *idx[] = {&p->req_cons, &p->req_prod, &p->rsp_cons, &p->rsp_prod};

                memcpy(&v, b + 1, 4);
                *idx[b[0] & 3] = v;
            }
            kick(domid);
            break;
        case 2: /* the guest takes its responses */
            p->rsp_cons = p->rsp_prod;
            kick(domid);
            break;
        case 3: /* the domain changes state */
            if (len >= 1) {
                flags[gi(domid)] =
                    (b[0] & 1 ? PVX_DOMINF_shutdown : 0) | (b[0] & 2 ? PVX_DOMINF_dying : 0);
                gone[gi(domid)] = (b[0] & 4) != 0;
            }
            xsd_guest_port_event(1);
            break;
        case 4: /* dom0 sends anything */
            xsd_mem_feed(dom0, b, len);
            break;
        case 5:
            introduce(dom0, domid);
            break;
        case 6:
            dom0_send(dom0, XS_RELEASE, domid == 5 ? "5" : "6", 2);
            break;
        case 7: /* any bytes anywhere in the page */
            if (len >= 2) {
                size_t at = ((size_t)b[0] | (size_t)b[1] << 8) % sizeof(*p);
                size_t n = len - 2 < sizeof(*p) - at ? len - 2 : sizeof(*p) - at;

                memcpy((uint8_t *)p + at, b + 2, n);
            }
            kick(domid);
            break;
        }
        xsd_conn_flush_all();
        while (dom0->tdata && xsd_mem_take(dom0, sink, sizeof(sink)))
            ;
        if (dom0->dead)
            dom0 = xsd_mem_conn(NULL);
        xsd_conn_reap();
    }
    if (xsd_tree_check(msg, sizeof(msg)))
        abort();
    xsd_core_free();
    xsd_guest_fini();
    for (int i = 0; i < 2; i++)
        if (mapped[i])
            abort();
    for (int i = 0; i < NPORT; i++)
        if (bound[i])
            abort();
    return 0;
}
