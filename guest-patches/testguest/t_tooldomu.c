// SPDX-License-Identifier: GPL-2.0-only
/*
 * tooldomu=NAME [mem=MIB] [maxmem=MIB]: run as a domain the toolstack built
 * from dom0 (`xl create`), and check what such a domain is given:
 *   - no privilege; start_info names a console ring and a xenstore ring,
 *     each with its event channel; nr_pages is mem;
 *   - the memory map xl sets: one RAM entry up to maxmem; the most it may
 *     have is mem + 1 MiB (xl's slack), so it can balloon only after
 *     mem-set;
 *   - its xenstore ring is served: reading "name" (a path relative to its
 *     home /local/domain/N) gives NAME, "domid" is a number, and it may
 *     write under data/ (dom0 reads data/tooldomu back);
 *   - a line through the console ring is consumed by dom0's console daemon.
 * Then it stays up (blocked) until dom0 destroys it or shuts it down; with
 * `suspend` it also answers `xl save` (suspend, then checks after resume).
 */
#include "guest.h"
#include "test.h"
#include <public/event_channel.h>
#include <public/grant_table.h>
#include <public/io/console.h>
#include <public/io/xs_wire.h>
#include <public/memory.h>
#include <public/sched.h>

#define M2P           ((const unsigned long *)0xffff800000000000UL)
#define XS_TIMEOUT_NS 5000000000ULL

static struct xenstore_domain_interface *xs_ring;
static unsigned xs_port;

/* A page of the initial mapping, from its frame. */
static void *initial_va(unsigned long mfn)
{
    return (void *)(VIRT_BASE + (M2P[mfn] << PAGE_SHIFT));
}

static void kick(unsigned port)
{
    struct evtchn_send send = {.port = port};

    hc_event_channel_op(EVTCHNOP_send, &send);
}

static void wait_a_little(void)
{
    block_until_or_event(system_time_ns() + 2000000);
}

static bool xs_put(const void *data, u32 len, u64 deadline)
{
    const u8 *p = data;

    while (len) {
        u32 prod = xs_ring->req_prod;
        u32 cons = __atomic_load_n(&xs_ring->req_cons, __ATOMIC_ACQUIRE);

        if (prod - cons >= XENSTORE_RING_SIZE) {
            if (system_time_ns() > deadline)
                return false;
            wait_a_little();
            continue;
        }
        xs_ring->req[MASK_XENSTORE_IDX(prod)] = *p++;
        __atomic_store_n(&xs_ring->req_prod, prod + 1, __ATOMIC_RELEASE);
        len--;
    }
    kick(xs_port);
    return true;
}

static bool xs_get(void *data, u32 len, u64 deadline)
{
    u8 *p = data;

    while (len) {
        u32 cons = xs_ring->rsp_cons;
        u32 prod = __atomic_load_n(&xs_ring->rsp_prod, __ATOMIC_ACQUIRE);

        if (prod == cons) {
            if (system_time_ns() > deadline)
                return false;
            wait_a_little();
            continue;
        }
        *p++ = (u8)xs_ring->rsp[MASK_XENSTORE_IDX(cons)];
        __atomic_store_n(&xs_ring->rsp_cons, cons + 1, __ATOMIC_RELEASE);
        len--;
    }
    kick(xs_port);
    return true;
}

/* One request (payload a then b), its reply's type and payload (NUL-ended). */
static long xs_request(u32 type, const char *a, u32 alen, const char *b, u32 blen, char *out,
                       u32 outlen)
{
    static u32 req_id;
    struct xsd_sockmsg m = {.type = type, .req_id = ++req_id, .len = alen + blen};
    u64 deadline = system_time_ns() + XS_TIMEOUT_NS;

    if (!xs_put(&m, sizeof(m), deadline) || !xs_put(a, alen, deadline) ||
        (blen && !xs_put(b, blen, deadline)) || !xs_get(&m, sizeof(m), deadline))
        return -1;
    if (m.len >= outlen)
        return -1;
    if (!xs_get(out, m.len, deadline))
        return -1;
    out[m.len] = '\0';
    return m.type;
}

static bool same(const char *a, const char *b)
{
    return !strcmp(a, b);
}

static void check_memory(unsigned long mem_mib, unsigned long maxmem_mib)
{
    static struct {
        u64 addr, size;
        u32 type;
    } __attribute__((packed)) map[4];
    struct xen_memory_map mm = {.nr_entries = 4};
    domid_t self = DOMID_SELF;

    if (mem_mib)
        CHECK_EQ("tooldomu.nr_pages_is_memory", si->nr_pages, mem_mib << 8);
    set_xen_guest_handle(mm.buffer, map);
    CHECK_RC("tooldomu.memory_map", hc_memory_op(XENMEM_memory_map, &mm), 0);
    if (maxmem_mib)
        CHECK("tooldomu.memory_map_up_to_maxmem", mm.nr_entries == 1 && map[0].addr == 0 &&
                                                      map[0].size == maxmem_mib << 20 &&
                                                      map[0].type == 1);
    CHECK_EQ("tooldomu.max_reservation_is_memory_plus_slack",
             hc_memory_op(XENMEM_maximum_reservation, &self), si->nr_pages + 256);
}

static void check_xenstore(const char *name)
{
    static char buf[256];
    static const char hello[] = "ok";
    long type;

    CHECK("tooldomu.xenstore_ring_given", si->store_mfn != 0 && si->store_evtchn != 0);
    if (!si->store_mfn || !si->store_evtchn)
        return;
    xs_ring = initial_va(si->store_mfn);
    xs_port = si->store_evtchn;
    type = xs_request(XS_READ, "name", 5, NULL, 0, buf, sizeof(buf));
    CHECK("tooldomu.xenstore_read_name", type == XS_READ && same(buf, name));
    type = xs_request(XS_READ, "domid", 6, NULL, 0, buf, sizeof(buf));
    CHECK("tooldomu.xenstore_read_domid",
          type == XS_READ && buf[0] >= '1' && buf[0] <= '9' && parse_ulong(buf, NULL) > 0);
    type = xs_request(XS_WRITE, "data/tooldomu", 14, hello, sizeof(hello) - 1, buf, sizeof(buf));
    CHECK("tooldomu.xenstore_write_data", type == XS_WRITE && same(buf, "OK"));
    /* Its home's other nodes are dom0's: writing them is refused. */
    type = xs_request(XS_WRITE, "name", 5, "x", 1, buf, sizeof(buf));
    CHECK("tooldomu.xenstore_name_read_only", type == XS_ERROR && same(buf, "EACCES"));
}

static void check_console(const char *name)
{
    struct xencons_interface *ring = console_ring();
    char line[96];
    u64 deadline;

    CHECK("tooldomu.console_ring_given", ring && si->console.domU.evtchn);
    CHECK_RC("tooldomu.console_write_refused", hc_console_io(CONSOLEIO_write, 4, "x\n"),
             -XEN_EPERM);
    if (!ring || !si->console.domU.evtchn)
        return;
    snprintf(line, sizeof(line), "hello from %s through the console ring\n", name);
    console_ring_write(line, strlen(line));
    deadline = system_time_ns() + XS_TIMEOUT_NS;
    while (ring->out_cons != ring->out_prod && system_time_ns() < deadline)
        wait_a_little();
    CHECK("tooldomu.console_consumed_by_dom0", ring->out_cons == ring->out_prod);
}

/* ---- suspend and resume (tooldomu=NAME suspend) ----
 *
 * As Linux does it, so that `xl save` / `xl restore` can be checked with
 * this guest: publish the p2m as a frame-list tree in shared_info, answer
 * control/shutdown = "suspend", turn start_info's ring frames into pfns,
 * unmap shared_info and call SCHEDOP_shutdown(suspend) with the start_info
 * frame in rdx.  It returns 1 when the save was cancelled (same domain)
 * and 0 in a new domain, whose event channels, timers and grant table are
 * then checked from scratch. */
static u64 fll_top[512] __page_aligned, fll_mid[512] __page_aligned;
static unsigned resumes;

static unsigned long va_mfn(const void *va)
{
    return p2m[((unsigned long)va - VIRT_BASE) >> PAGE_SHIFT];
}

static void publish_p2m(void)
{
    unsigned long frames = (si->nr_pages + 511) / 512;

    for (unsigned long i = 0; i < frames && i < 512; i++)
        fll_mid[i] = va_mfn((const u8 *)p2m + i * PAGE_SIZE);
    fll_top[0] = va_mfn(fll_mid);
    shinfo->arch.max_pfn = si->nr_pages;
    shinfo->arch.pfn_to_mfn_frame_list_list = va_mfn(fll_top);
}

static long do_suspend(void)
{
    struct sched_shutdown r = {.reason = SHUTDOWN_suspend};
    unsigned long si_mfn = va_mfn(si);
    long rc;

    publish_p2m();
    /* No printk from here on: the console ring's frame is a pfn. */
    si->store_mfn = M2P[si->store_mfn];
    si->console.domU.mfn = M2P[si->console.domU.mfn];
    /* The page under shared_info's address back: no PTE may name a frame
     * that is not the guest's when it is saved. */
    hc_update_va_mapping((unsigned long)shinfo, ((u64)va_mfn(shinfo) << PAGE_SHIFT) | PTE_KERN_RW,
                         UVMF_INVLPG);
    rc = hc_call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&r, si_mfn, 0, 0);
    /* start_info.shared_info is the new domain's after a restore. */
    hc_update_va_mapping((unsigned long)shinfo, si->shared_info | PTE_KERN_RW, UVMF_INVLPG);
    if (rc) { /* cancelled: the frames are still ours */
        si->store_mfn = p2m[si->store_mfn];
        si->console.domU.mfn = p2m[si->console.domU.mfn];
    } else {
        events_init(); /* a new domain: every port masked until bound */
    }
    return rc;
}

/* What a resumed guest uses: its rings, an event channel, a timer, its
 * grant table. */
static void check_resumed(const char *name, long how)
{
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = DOMID_SELF};
    struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF};
    struct evtchn_send send = {0};
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 1};
    static xen_pfn_t gframe;
    static char buf[64];
    u64 t0;
    long type;

    xs_ring = initial_va(si->store_mfn);
    xs_port = si->store_evtchn;
    type = xs_request(XS_WRITE, "data/resumed", 13, how ? "cancelled" : "new", how ? 9 : 3, buf,
                      sizeof(buf));
    CHECK("resume.xenstore_write", type == XS_WRITE && same(buf, "OK"));
    CHECK_RC("resume.evtchn_alloc_unbound", hc_event_channel_op(EVTCHNOP_alloc_unbound, &au), 0);
    bi.remote_port = au.port;
    CHECK_RC("resume.evtchn_bind_self", hc_event_channel_op(EVTCHNOP_bind_interdomain, &bi), 0);
    send.port = bi.local_port;
    CHECK_RC("resume.evtchn_send", hc_event_channel_op(EVTCHNOP_send, &send), 0);
    CHECK("resume.evtchn_pending",
          __atomic_load_n(&shinfo->evtchn_pending[au.port / 64], __ATOMIC_SEQ_CST) &
              (1UL << (au.port % 64)));
    __atomic_fetch_and(&shinfo->evtchn_pending[au.port / 64], ~(1UL << (au.port % 64)),
                       __ATOMIC_SEQ_CST);
    t0 = system_time_ns();
    hc_set_timer_op(t0 + 20000000ULL);
    hc_sched_op(SCHEDOP_block, 0);
    CHECK("resume.timer_fires", system_time_ns() >= t0 + 20000000ULL);
    set_xen_guest_handle(st.frame_list, &gframe);
    CHECK_RC("resume.gnttab_setup_table", hc_grant_table_op(GNTTABOP_setup_table, &st, 1), 0);
    CHECK("resume.gnttab_frame", st.status == GNTST_okay && gframe != 0);
    printk("tooldomu %s: resume %u (%s): %u passed, %u failed\n", name, ++resumes,
           how ? "cancelled" : "new domain", tests_passed, tests_failed);
}

/* control/shutdown = "suspend": acknowledge, suspend, check. */
static void serve_suspend(const char *name)
{
    static char buf[64];
    long type = xs_request(XS_READ, "control/shutdown", 17, NULL, 0, buf, sizeof(buf));

    if (type != XS_READ || !same(buf, "suspend"))
        return;
    if (xs_request(XS_WRITE, "control/shutdown", 17, "", 0, buf, sizeof(buf)) != XS_WRITE)
        return;
    check_resumed(name, do_suspend());
}

void mode_tooldomu(const char *name, unsigned long mem_mib, unsigned long maxmem_mib, bool suspend)
{
    CHECK("tooldomu.not_privileged", !(si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN)));
    check_memory(mem_mib, maxmem_mib);
    check_xenstore(name);
    check_console(name);
    /* Through the console ring (console_io is refused): its console log. */
    printk("tooldomu %s: %u passed, %u failed\n", name, tests_passed, tests_failed);
    /* Up until dom0 ends it: destroyed, or shut down through xenstore by a
     * toolstack this guest does not watch (so `xl destroy` it). */
    for (;;) {
        /* With suspend, it looks for a request five times a second. */
        block_until_or_event(system_time_ns() + (suspend ? 200000000ULL : 1000000000ULL));
        if (suspend && xs_ring)
            serve_suspend(name);
    }
}
