// SPDX-License-Identifier: GPL-2.0-only
/*
 * The toolstack interface (pvx's domctl and sysctl, include/public/domctl.h
 * and sysctl.h) driven by the control domain: build a domain from nothing
 * (create, memory through a foreign populate_physmap, a page mapped through
 * a foreign mmu_update, a hypercall page called through that mapping, a vCPU
 * context), run it into a crash, and destroy it, checking that every frame
 * comes back.  The ABI is pvx's own: on Xen only the interface-version check
 * applies (Xen refuses a version it does not know with -EACCES too).
 */
#include "guest.h"
#include "test.h"
#include <public/domctl.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/version.h>

#define DC_VA(n)  (SCRATCH_BASE + (3072 + (n)) * PAGE_SIZE) /* the new domain's pages */
#define NEW_PAGES 6

static struct pvx_domctl dc;
static struct pvx_sysctl sc;

static long domctl(unsigned cmd, unsigned domid)
{
    dc.cmd = cmd;
    dc.interface_version = PVX_DOMCTL_INTERFACE_VERSION;
    dc.domain = (domid_t)domid;
    return HC1(__HYPERVISOR_domctl, &dc);
}

static long sysctl(unsigned cmd)
{
    sc.cmd = cmd;
    sc.interface_version = PVX_SYSCTL_INTERFACE_VERSION;
    return HC1(__HYPERVISOR_sysctl, &sc);
}

static u64 free_pages(void)
{
    memset(&sc, 0, sizeof(sc));
    return sysctl(PVX_SYSCTL_physinfo) ? 0 : sc.u.physinfo.free_pages;
}

static long info(unsigned domid, struct pvx_domctl_getdomaininfo *out)
{
    long rc;

    memset(&dc.u, 0, sizeof(dc.u));
    rc = domctl(PVX_DOMCTL_getdomaininfo, domid);
    *out = dc.u.getdomaininfo;
    return rc;
}

const char *hv_log(void)
{
    static char buf[80 * 1024]; /* more than the whole ring */

    memset(&sc, 0, sizeof(sc));
    set_xen_guest_handle(sc.u.readconsole.buffer, buf);
    sc.u.readconsole.count = sizeof(buf) - 1;
    if (sysctl(PVX_SYSCTL_readconsole))
        return NULL;
    buf[sc.u.readconsole.count] = '\0';
    return buf;
}

/* Does the hypervisor log contain `what`? */
static bool log_contains(const char *what)
{
    const char *log = hv_log();

    return log && strstr(log, what) != NULL;
}

static void check_refusals(void)
{
    struct pvx_domctl_getdomaininfo di;

    dc.interface_version = PVX_DOMCTL_INTERFACE_VERSION + 1;
    dc.cmd = PVX_DOMCTL_getdomaininfo;
    CHECK_RC("wrong_version", HC1(__HYPERVISOR_domctl, &dc), -XEN_EACCES);
    CHECK_RC("bad_pointer", HC1(__HYPERVISOR_domctl, HV_ADDR_XEN), -XEN_EFAULT);
    CHECK_RC("unknown_cmd", domctl(999, 0), -XEN_ENOSYS);
    dc._pad0[1] = 1;
    CHECK_RC("reserved_padding", domctl(PVX_DOMCTL_getdomaininfo, 0), -XEN_EINVAL);
    dc._pad0[1] = 0;
    CHECK_RC("no_such_domain", domctl(PVX_DOMCTL_pausedomain, 4321), -XEN_ESRCH);
    CHECK_RC("pause_self", domctl(PVX_DOMCTL_pausedomain, 0), -XEN_EINVAL);
    CHECK_RC("destroy_self", domctl(PVX_DOMCTL_destroydomain, 0), -XEN_EINVAL);
    CHECK_RC("info_dom0", info(0, &di), 0);
    CHECK_EQ("info_dom0_id", di.domain, 0);
    CHECK("info_dom0_privileged_running",
          (di.flags & (PVX_DOMINF_privileged | PVX_DOMINF_running)) ==
              (PVX_DOMINF_privileged | PVX_DOMINF_running));
    CHECK("info_dom0_pages", di.tot_pages > 0 && di.nr_online_vcpus == 1);

    memset(&dc.u, 0, sizeof(dc.u));
    dc.u.createdomain.max_vcpus = 0;
    CHECK_RC("create_no_vcpus", domctl(PVX_DOMCTL_createdomain, DOMID_INVALID), -XEN_EINVAL);
    dc.u.createdomain.max_vcpus = 1;
    dc.u.createdomain.flags = 0x80;
    CHECK_RC("create_unknown_flag", domctl(PVX_DOMCTL_createdomain, DOMID_INVALID), -XEN_EINVAL);
    dc.u.createdomain.flags = 0;
    memset(dc.u.createdomain.name, 'x', sizeof(dc.u.createdomain.name));
    CHECK_RC("create_unterminated_name", domctl(PVX_DOMCTL_createdomain, DOMID_INVALID),
             -XEN_EINVAL);
    memset(dc.u.createdomain.name, 0, sizeof(dc.u.createdomain.name));
    dc.u.createdomain.max_maptrack_frames = PVX_MAX_MAPTRACK_FRAMES + 1;
    CHECK_RC("create_too_many_maptrack_frames", domctl(PVX_DOMCTL_createdomain, DOMID_INVALID),
             -XEN_EINVAL);
    dc.u.createdomain.max_maptrack_frames = 0;
    CHECK_RC("create_dom0_id", domctl(PVX_DOMCTL_createdomain, 0), -XEN_EINVAL);
    CHECK_RC("create_reserved_id", domctl(PVX_DOMCTL_createdomain, DOMID_FIRST_RESERVED),
             -XEN_EINVAL);

    memset(&sc, 0, sizeof(sc));
    CHECK_RC("physinfo", sysctl(PVX_SYSCTL_physinfo), 0);
    CHECK("physinfo_sane", sc.u.physinfo.nr_cpus >= 1 && sc.u.physinfo.cpu_khz > 0 &&
                               sc.u.physinfo.free_pages > 0 &&
                               sc.u.physinfo.free_pages < sc.u.physinfo.total_pages);
    CHECK_RC("sysctl_unknown", sysctl(77), -XEN_ENOSYS);
}

/* Map frame mfn of domain id at va through mmu_update with a foreign owner. */
static long map_foreign(unsigned long va, unsigned long mfn, unsigned id)
{
    struct mmu_update req;
    long rc = ensure_l1(va);

    if (rc)
        return rc;
    req.ptr = pte_ma(va);
    req.val = ((u64)mfn << PAGE_SHIFT) | PTE_KERN_RW;
    rc = hc_mmu_update(&req, 1, NULL, id);
    flush_va(va);
    return rc;
}

/* One domain from creation to destruction.  pvx's own heap may keep a page
 * it grew by for the first domain's structures, so only a second round
 * must give back exactly what it took. */
static void check_lifecycle(bool steady)
{
    static unsigned last_id;
    static xen_pfn_t mfns[NEW_PAGES];
    static struct vcpu_guest_context ctx;
    struct xen_memory_reservation r;
    struct pvx_domctl_getdomaininfo di;
    u64 free_before = free_pages(), free_dying;
    u8 stub_byte;
    unsigned id;
    long rc;

    /* create: a paused domain with no memory and its vCPUs down */
    memset(&dc.u, 0, sizeof(dc.u));
    dc.u.createdomain.max_vcpus = 2;
    dc.u.createdomain.max_pages = NEW_PAGES;
    dc.u.createdomain.max_maptrack_frames = PVX_MAX_MAPTRACK_FRAMES; /* Xen's default, in frames */
    /* Any highest port, as on Xen (clamped; the guest's ABI caps it). */
    dc.u.createdomain.max_evtchn_port = 0xffffffffu;
    memcpy(dc.u.createdomain.name, "ctl-test", sizeof("ctl-test"));
    CHECK_RC("create", domctl(PVX_DOMCTL_createdomain, DOMID_INVALID), 0);
    id = dc.domain;
    CHECK("create_id", id > 0 && id < DOMID_FIRST_RESERVED);
    /* As on Xen, the id of the domain destroyed last time is not handed out
     * again at once. */
    if (steady)
        CHECK("create_id_not_reused", id != last_id);
    last_id = id;
    CHECK_RC("create_taken_id", domctl(PVX_DOMCTL_createdomain, id), -XEN_EEXIST);
    CHECK_RC("info", info(id, &di), 0);
    CHECK_EQ("info_id", di.domain, id);
    CHECK("info_paused_not_running",
          (di.flags & PVX_DOMINF_paused) &&
              !(di.flags & (PVX_DOMINF_running | PVX_DOMINF_privileged)));
    CHECK("info_vcpus", di.nr_online_vcpus == 0 && di.max_vcpu_id == 1);
    CHECK("info_name", !strcmp(di.name, "ctl-test"));
    CHECK_EQ("info_no_memory", di.tot_pages, 0);
    CHECK("log_names_it", log_contains("(ctl-test): created by d0"));

    /* memory: a foreign populate_physmap, bounded by max_pages */
    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i < NEW_PAGES; i++)
        mfns[i] = i;
    set_xen_guest_handle(r.extent_start, mfns);
    r.nr_extents = NEW_PAGES;
    r.domid = (domid_t)id;
    CHECK_RC("populate_foreign", hc_memory_op(XENMEM_populate_physmap, &r), NEW_PAGES);
    CHECK_RC("info_after_populate", info(id, &di), 0);
    CHECK_EQ("tot_pages", di.tot_pages, NEW_PAGES);
    r.nr_extents = 1;
    CHECK_RC("populate_beyond_max", hc_memory_op(XENMEM_populate_physmap, &r), 0);
    /* A limit below what it has (as Xen's max_mem allows): no growth until
     * it is back under the limit. */
    dc.u.max_mem.max_pages = NEW_PAGES - 2;
    CHECK_RC("max_mem_below_tot", domctl(PVX_DOMCTL_max_mem, id), 0);
    CHECK_RC("populate_above_lowered_max", hc_memory_op(XENMEM_populate_physmap, &r), 0);
    dc.u.max_mem.max_pages = NEW_PAGES;
    CHECK_RC("max_mem_restored", domctl(PVX_DOMCTL_max_mem, id), 0);
    CHECK("free_pages_dropped", free_pages() + NEW_PAGES <= free_before);
    /* decrease_reservation naming it gives one frame back; ours are not its. */
    set_xen_guest_handle(r.extent_start, &mfns[NEW_PAGES - 1]);
    CHECK_RC("decrease_foreign", hc_memory_op(XENMEM_decrease_reservation, &r), 1);
    CHECK_RC("info_after_decrease", info(id, &di), 0);
    CHECK_EQ("tot_pages_after_decrease", di.tot_pages, NEW_PAGES - 1);
    {
        xen_pfn_t ours = cur_l4_mfn();

        set_xen_guest_handle(r.extent_start, &ours);
        CHECK_RC("decrease_foreign_not_its", hc_memory_op(XENMEM_decrease_reservation, &r), 0);
    }
    set_xen_guest_handle(r.extent_start, mfns);

    /* frame types: its pages are plain, ours are not its */
    {
        static xen_pfn_t q[2];

        q[0] = mfns[0];
        q[1] = cur_l4_mfn();
        dc.u.getpageframeinfo.num = 2;
        set_xen_guest_handle(dc.u.getpageframeinfo.array, q);
        CHECK_RC("pfinfo", domctl(PVX_DOMCTL_getpageframeinfo, id), 0);
        CHECK_EQ("pfinfo_plain", q[0] >> PVX_DOMCTL_PFINFO_SHIFT, PVX_DOMCTL_PFINFO_NOTAB);
        CHECK_EQ("pfinfo_not_its", q[1] >> PVX_DOMCTL_PFINFO_SHIFT, PVX_DOMCTL_PFINFO_XTAB);
        CHECK_EQ("pfinfo_frame_kept", q[0] & PVX_DOMCTL_PFINFO_FRAME_MASK, mfns[0]);
    }

    /* a hypercall page in its memory, mapped here and called from here */
    dc.u.hypercall_init.gmfn = mfns[1];
    CHECK_RC("hypercall_init", domctl(PVX_DOMCTL_hypercall_init, id), 0);
    dc.u.hypercall_init.gmfn = cur_l4_mfn();
    CHECK_RC("hypercall_init_not_its", domctl(PVX_DOMCTL_hypercall_init, id), -XEN_EINVAL);
    CHECK_RC("map_foreign_wrong_owner", map_foreign(DC_VA(0), cur_l4_mfn(), id), -XEN_EBUSY);
    rc = map_foreign(DC_VA(1), mfns[1], id);
    CHECK_RC("map_foreign", rc, 0);
    if (!rc) {
        long (*stub)(unsigned long, void *) =
            (long (*)(unsigned long, void *))(DC_VA(1) + __HYPERVISOR_xen_version * 32);
        CHECK_EQ("hypercall_page_works", stub(XENVER_version, NULL),
                 hc_xen_version(XENVER_version, 0));
    }

    /* a vCPU context: an empty L4 of its own is a valid address space */
    memset(&ctx, 0, sizeof(ctx));
    ctx.user_regs.rip = 0x400000; /* nothing mapped there: it will crash */
    ctx.user_regs.cs = FLAT_KERNEL_CS64;
    ctx.user_regs.ss = FLAT_KERNEL_SS64;
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.kernel_ss = FLAT_KERNEL_SS64;
    dc.u.vcpucontext.vcpu = 0;
    set_xen_guest_handle(dc.u.vcpucontext.ctxt, &ctx);
    CHECK_RC("setvcpucontext_no_cr3", domctl(PVX_DOMCTL_setvcpucontext, id), -XEN_EINVAL);
    ctx.ctrlreg[3] = (u64)mfns[2] << PAGE_SHIFT;
    ctx.user_regs.cs = 0xe008; /* pvx's own ring-0 code selector */
    CHECK_RC("setvcpucontext_bad_cs", domctl(PVX_DOMCTL_setvcpucontext, id), -XEN_EINVAL);
    ctx.user_regs.cs = FLAT_KERNEL_CS64;
    ctx.user_regs.rip = BAD_NONCANON;
    CHECK_RC("setvcpucontext_noncanonical", domctl(PVX_DOMCTL_setvcpucontext, id), -XEN_EINVAL);
    ctx.user_regs.rip = 0x400000;
    dc.u.vcpucontext.vcpu = 2;
    CHECK_RC("setvcpucontext_no_vcpu", domctl(PVX_DOMCTL_setvcpucontext, id), -XEN_EINVAL);
    dc.u.vcpucontext.vcpu = 0;
    CHECK_RC("setvcpucontext", domctl(PVX_DOMCTL_setvcpucontext, id), 0);
    memset(&ctx, 0, sizeof(ctx));
    CHECK_RC("getvcpucontext", domctl(PVX_DOMCTL_getvcpucontext, id), 0);
    CHECK("getvcpucontext_matches", ctx.user_regs.rip == 0x400000 &&
                                        ctx.ctrlreg[3] >> PAGE_SHIFT == mfns[2] &&
                                        (ctx.flags & VGCF_online));
    {
        static xen_pfn_t q[1];

        q[0] = mfns[2];
        dc.u.getpageframeinfo.num = 1;
        set_xen_guest_handle(dc.u.getpageframeinfo.array, q);
        domctl(PVX_DOMCTL_getpageframeinfo, id);
        CHECK_EQ("pfinfo_l4", q[0] >> PVX_DOMCTL_PFINFO_SHIFT, PVX_DOMCTL_PFINFO_L4TAB);
    }
    CHECK_RC("info_online", info(id, &di), 0);
    CHECK_EQ("info_one_vcpu_up", di.nr_online_vcpus, 1);

    /* scheduling parameters and I/O rights */
    dc.u.scheduler_op.cmd = PVX_DOMCTL_SCHEDOP_putinfo;
    dc.u.scheduler_op.weight = 512;
    dc.u.scheduler_op.cap = 50;
    CHECK_RC("sched_put", domctl(PVX_DOMCTL_scheduler_op, id), 0);
    dc.u.scheduler_op.cmd = PVX_DOMCTL_SCHEDOP_getinfo;
    dc.u.scheduler_op.weight = dc.u.scheduler_op.cap = 0;
    CHECK_RC("sched_get", domctl(PVX_DOMCTL_scheduler_op, id), 0);
    CHECK("sched_values", dc.u.scheduler_op.weight == 512 && dc.u.scheduler_op.cap == 50);
    dc.u.scheduler_op.cmd = PVX_DOMCTL_SCHEDOP_putinfo;
    dc.u.scheduler_op.cap = 1000;
    CHECK_RC("sched_cap_too_big", domctl(PVX_DOMCTL_scheduler_op, id), -XEN_EINVAL);
    dc.u.ioport_permission.first_port = 0x300;
    dc.u.ioport_permission.nr_ports = 8;
    dc.u.ioport_permission.allow_access = 1;
    CHECK_RC("ioport_needs_io_flag", domctl(PVX_DOMCTL_ioport_permission, id), -XEN_EPERM);
    dc.u.settimeoffset.time_offset_seconds = 3600;
    CHECK_RC("settimeoffset", domctl(PVX_DOMCTL_settimeoffset, id), 0);

    /* run it: it faults at once with no handler and crashes, alone */
    CHECK_RC("unpause", domctl(PVX_DOMCTL_unpausedomain, id), 0);
    CHECK_RC("unpause_twice", domctl(PVX_DOMCTL_unpausedomain, id), -XEN_EINVAL);
    dc.u.max_vcpus.max = 3;
    CHECK_RC("max_vcpus_after_run", domctl(PVX_DOMCTL_max_vcpus, id), -XEN_EBUSY);
    /* Up to a second: on a host with several CPUs it runs on another one,
     * which may first have to wake up, and a yield here returns at once. */
    for (u64 until = system_time_ns() + 1000000000ULL;
         !info(id, &di) && !(di.flags & PVX_DOMINF_shutdown) && system_time_ns() < until;)
        hc_sched_op(SCHEDOP_yield, 0);
    CHECK("crashed", (di.flags & PVX_DOMINF_shutdown) && di.shutdown_reason == SHUTDOWN_crash);

    /* destroy while we still map one of its frames: it lingers, dying */
    stub_byte = *(volatile u8 *)(DC_VA(1) + __HYPERVISOR_xen_version * 32);
    CHECK_RC("destroy", domctl(PVX_DOMCTL_destroydomain, id), 0);
    CHECK_RC("info_dying", info(id, &di), 0);
    CHECK("dying", di.domain == id && (di.flags & PVX_DOMINF_dying) && di.tot_pages == 1);
    CHECK_RC("dying_not_controllable", domctl(PVX_DOMCTL_pausedomain, id), -XEN_ESRCH);
    CHECK_RC("destroy_again", domctl(PVX_DOMCTL_destroydomain, id), 0);
    CHECK_EQ("mapped_frame_intact", *(volatile u8 *)(DC_VA(1) + __HYPERVISOR_xen_version * 32),
             stub_byte);
    free_dying = free_pages();
    CHECK_RC("unmap", unmap_va(DC_VA(1)), 0);
    rc = info(id, &di);
    CHECK("gone", rc == -XEN_ESRCH || di.domain != id);
    CHECK("last_frame_freed_on_unmap", free_pages() > free_dying);
    if (steady)
        CHECK_EQ("all_memory_back", free_pages(), free_before);
    else
        CHECK("memory_back", free_pages() + 4 >= free_before);
    CHECK("log_says_destroyed", log_contains("(ctl-test): destroyed"));
}

/* A domain whose every frame is held only by its own page tables (L4 -> L3
 * -> L2 -> L1, the L4 pinned), as a Linux guest's memory is: tearing the
 * tables down frees every frame while destroydomain is still running, and
 * the domain must be freed once, after that. */
static void check_destroy_self_mapped(void)
{
    static xen_pfn_t m[4];
    struct xen_memory_reservation r;
    struct mmuext_op pin;
    u64 free_before = free_pages();
    unsigned id;
    int mapped = 0;

    memset(&dc.u, 0, sizeof(dc.u));
    dc.u.createdomain.max_vcpus = 1;
    dc.u.createdomain.max_pages = 4;
    memcpy(dc.u.createdomain.name, "selfmap", sizeof("selfmap"));
    CHECK_RC("selfmap_create", domctl(PVX_DOMCTL_createdomain, DOMID_INVALID), 0);
    id = dc.domain;
    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i < 4; i++)
        m[i] = i;
    set_xen_guest_handle(r.extent_start, m);
    r.nr_extents = 4;
    r.domid = (domid_t)id;
    CHECK_RC("selfmap_populate", hc_memory_op(XENMEM_populate_physmap, &r), 4);
    /* Each table names the next one in its entry 0. */
    for (unsigned i = 0; i < 4; i++)
        mapped += map_foreign(DC_VA(i), m[i], id) == 0;
    if (mapped == 4)
        for (unsigned i = 0; i < 3; i++)
            ((u64 *)DC_VA(i))[0] = ((u64)m[i + 1] << PAGE_SHIFT) | PTE_TABLE;
    for (unsigned i = 0; i < 4; i++)
        unmap_va(DC_VA(i));
    CHECK_EQ("selfmap_mapped", mapped, 4);
    memset(&pin, 0, sizeof(pin));
    pin.cmd = MMUEXT_PIN_L4_TABLE;
    pin.arg1.mfn = m[0];
    CHECK_RC("selfmap_pin", hc_mmuext_op(&pin, 1, NULL, id), 0);
    CHECK_RC("selfmap_destroy", domctl(PVX_DOMCTL_destroydomain, id), 0);
    CHECK("selfmap_gone", info(id, &(struct pvx_domctl_getdomaininfo){0}) == -XEN_ESRCH);
    CHECK_EQ("selfmap_memory_back", free_pages(), free_before);
}

static void check_list(void)
{
    static struct pvx_domctl_getdomaininfo list[4];

    memset(&sc, 0, sizeof(sc));
    sc.u.getdomaininfolist.first_domain = 0;
    sc.u.getdomaininfolist.max_domains = 4;
    set_xen_guest_handle(sc.u.getdomaininfolist.buffer, list);
    CHECK_RC("list", sysctl(PVX_SYSCTL_getdomaininfolist), 0);
    CHECK("list_has_dom0", sc.u.getdomaininfolist.num_domains >= 1 && list[0].domain == 0);
    sc.u.getdomaininfolist.max_domains = 100000;
    CHECK_RC("list_too_many", sysctl(PVX_SYSCTL_getdomaininfolist), -XEN_E2BIG);
}

void t_domctl(void)
{
    dc.interface_version = PVX_DOMCTL_INTERFACE_VERSION + 1;
    dc.cmd = PVX_DOMCTL_getdomaininfo;
    CHECK_RC("unknown_version_refused", HC1(__HYPERVISOR_domctl, &dc), -XEN_EACCES);
    if (!on_pvx())
        return; /* the rest is pvx's own interface */
    check_refusals();
    check_list();
    check_lifecycle(false);
    check_lifecycle(true);
    check_destroy_self_mapped();
}
