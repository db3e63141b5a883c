// SPDX-License-Identifier: GPL-2.0-only
/*
 * memory_op: the query sub-ops (RAM page, reservations, machphys mapping
 * and frame list, memory maps) and giving a page back and getting one
 * again (decrease_reservation, populate_physmap, increase_reservation).
 */
#include "guest.h"
#include "test.h"
#include <public/domctl.h>
#include <public/memory.h>

struct e820_entry { /* the BIOS memory-map format the memory_map ops return */
    u64 addr, size;
    u32 type;
} __attribute__((packed));

static long reservation(unsigned cmd, xen_pfn_t *list, unsigned long n, domid_t dom)
{
    struct xen_memory_reservation r;

    memset(&r, 0, sizeof(r));
    set_xen_guest_handle(r.extent_start, list);
    r.nr_extents = n;
    r.extent_order = 0;
    r.domid = dom;
    return hc_memory_op(cmd, &r);
}

/*
 * Set our own maximum reservation to `pages` (dom0 only): domctl max_mem,
 * which is pvx's own interface on pvx (pages) and Xen 4.17's on Xen (cmd 11,
 * interface version 0x15, KiB).  The two share the header and the field's
 * place.  0 or the hypercall's error.
 */
static long set_own_max_pages(unsigned long pages)
{
    static union {
        struct pvx_domctl pvx;
        u8 raw[256]; /* Xen reads its whole struct xen_domctl (144 bytes) */
    } dc;

    if (!(si->flags & SIF_INITDOMAIN))
        return -XEN_EPERM; /* our own domain id is unknown */
    memset(&dc, 0, sizeof(dc));
    dc.pvx.domain = 0;
    if (on_pvx()) {
        dc.pvx.cmd = PVX_DOMCTL_max_mem;
        dc.pvx.interface_version = PVX_DOMCTL_INTERFACE_VERSION;
        dc.pvx.u.max_mem.max_pages = pages;
    } else {
        dc.pvx.cmd = 11;                        /* XEN_DOMCTL_max_mem */
        dc.pvx.interface_version = 0x15;        /* XEN_DOMCTL_INTERFACE_VERSION of 4.17 */
        dc.pvx.u.max_mem.max_pages = pages * 4; /* max_memkb */
    }
    return HC1(__HYPERVISOR_domctl, &dc);
}

void t_memory(void)
{
    domid_t self = DOMID_SELF, nodom = 0x1234;
    struct xen_machphys_mapping mm;
    struct xen_machphys_mfn_list ml;
    struct xen_memory_map map;
    static struct e820_entry e820[64];
    static xen_pfn_t mfns[8];
    long saved_max = 0;
    long maxram, cur;

    maxram = hc_memory_op(XENMEM_maximum_ram_page, 0);
    CHECK("maximum_ram_page", maxram > 0);
    cur = hc_memory_op(XENMEM_current_reservation, &self);
    CHECK_EQ("current_reservation_is_nr_pages", cur, si->nr_pages);
    CHECK("maximum_reservation", hc_memory_op(XENMEM_maximum_reservation, &self) >= cur);
    /* A PV guest's highest gpfn is what it published in shared_info. */
    shinfo->arch.max_pfn = 0;
    CHECK_EQ("maximum_gpfn_unpublished", hc_memory_op(XENMEM_maximum_gpfn, &self), 0);
    shinfo->arch.max_pfn = si->nr_pages;
    CHECK_EQ("maximum_gpfn_from_shared_info", hc_memory_op(XENMEM_maximum_gpfn, &self),
             si->nr_pages - 1);
    CHECK_RC("current_reservation_no_domain", hc_memory_op(XENMEM_current_reservation, &nodom),
             -XEN_ESRCH);
    CHECK_RC("current_reservation_bad_ptr", hc_memory_op(XENMEM_current_reservation, HV_ADDR_XEN),
             -XEN_EFAULT);

    memset(&mm, 0, sizeof(mm));
    CHECK_RC("machphys_mapping", hc_memory_op(XENMEM_machphys_mapping, &mm), 0);
    CHECK_EQ("machphys_v_start", mm.v_start, MACH2PHYS_VIRT_START);
    CHECK_EQ("machphys_v_end", mm.v_end, MACH2PHYS_VIRT_END);
    CHECK("machphys_max_mfn", mm.max_mfn >= (unsigned long)maxram - 1);

    memset(&ml, 0, sizeof(ml));
    ml.max_extents = ARRAY_SIZE(mfns);
    set_xen_guest_handle(ml.extent_start, mfns);
    CHECK_RC("machphys_mfn_list", hc_memory_op(XENMEM_machphys_mfn_list, &ml), 0);
    CHECK("machphys_mfn_list_extents", ml.nr_extents >= 1 && mfns[0] != 0);

    memset(&map, 0, sizeof(map));
    map.nr_entries = ARRAY_SIZE(e820);
    set_xen_guest_handle(map.buffer, e820);
    CHECK_RC("machine_memory_map", hc_memory_op(XENMEM_machine_memory_map, &map), 0);
    {
        bool ram = false;
        for (unsigned i = 0; i < map.nr_entries && i < ARRAY_SIZE(e820); i++)
            if (e820[i].type == 1 && e820[i].size >= (1UL << 20))
                ram = true;
        CHECK("machine_memory_map_has_ram", map.nr_entries >= 1 && ram);
    }
    /* A PV dom0 has no pseudo-physical map of its own: only the machine one. */
    map.nr_entries = ARRAY_SIZE(e820);
    CHECK_RC("memory_map_pv_dom0", hc_memory_op(XENMEM_memory_map, &map), -XEN_ENOSYS);
    /* set_memory_map (the toolstack's call, allowed on oneself): memory_map
     * then answers exactly that map, cut to the caller's buffer. */
    {
        static struct xen_foreign_memory_map fm;
        static struct e820_entry mine[2];

        mine[0] = (struct e820_entry){0, (u64)si->nr_pages << 12, 1};
        mine[1] = (struct e820_entry){1UL << 32, 1UL << 20, 2};
        memset(&fm, 0, sizeof(fm));
        fm.domid = DOMID_SELF;
        fm.map.nr_entries = 2;
        set_xen_guest_handle(fm.map.buffer, mine);
        CHECK_RC("set_memory_map", hc_memory_op(XENMEM_set_memory_map, &fm), 0);
        memset(e820, 0, sizeof(e820));
        map.nr_entries = ARRAY_SIZE(e820);
        set_xen_guest_handle(map.buffer, e820);
        CHECK_RC("memory_map_after_set", hc_memory_op(XENMEM_memory_map, &map), 0);
        CHECK("memory_map_is_what_was_set",
              map.nr_entries == 2 && !memcmp(e820, mine, sizeof(mine)));
        map.nr_entries = 1;
        memset(e820, 0, sizeof(e820));
        CHECK("memory_map_short_buffer", hc_memory_op(XENMEM_memory_map, &map) == 0 &&
                                             map.nr_entries == 1 && e820[0].size == mine[0].size &&
                                             e820[1].size == 0);
        fm.map.nr_entries = 1025;
        CHECK_RC("set_memory_map_too_long", hc_memory_op(XENMEM_set_memory_map, &fm), -XEN_EINVAL);
        fm.map.nr_entries = 1;
        fm.domid = nodom;
        CHECK_RC("set_memory_map_no_domain", hc_memory_op(XENMEM_set_memory_map, &fm), -XEN_ESRCH);
        fm.domid = DOMID_SELF;
        set_xen_guest_handle(fm.map.buffer, (void *)HV_ADDR_XEN);
        CHECK_RC("set_memory_map_bad_buffer", hc_memory_op(XENMEM_set_memory_map, &fm),
                 -XEN_EFAULT);
    }
    map.nr_entries = 64;
    set_xen_guest_handle(map.buffer, (void *)HV_ADDR_XEN);
    CHECK_RC("memory_map_bad_buffer", hc_memory_op(XENMEM_machine_memory_map, &map), -XEN_EFAULT);

    /* Give one of our pages back, then populate the pfn again. */
    {
        u8 *p = page_alloc();
        unsigned long pfn = va_to_pfn(p), old = va_to_mfn(p);

        CHECK_RC("unmap_before_release", hc_update_va_mapping((unsigned long)p, 0, UVMF_INVLPG), 0);
        mfns[0] = old;
        CHECK_EQ("decrease_reservation",
                 reservation(XENMEM_decrease_reservation, mfns, 1, DOMID_SELF), 1);
        CHECK_EQ("reservation_dropped", hc_memory_op(XENMEM_current_reservation, &self), cur - 1);
        mfns[0] = pfn;
        CHECK_EQ("populate_physmap", reservation(XENMEM_populate_physmap, mfns, 1, DOMID_SELF), 1);
        CHECK("populate_returns_mfn", mfns[0] != pfn || mfns[0] != 0);
        CHECK_EQ("populate_sets_m2p", m2p(mfns[0]), pfn);
        p2m[pfn] = mfns[0];
        CHECK_RC(
            "map_new_frame",
            hc_update_va_mapping((unsigned long)p, ((u64)mfns[0] << 12) | PTE_KERN_RW, UVMF_INVLPG),
            0);
        p[0] = 0x42;
        CHECK_EQ("new_frame_usable", p[0], 0x42);
        CHECK_EQ("reservation_restored", hc_memory_op(XENMEM_current_reservation, &self), cur);
        mfns[0] = 1UL << 40;
        CHECK_EQ("decrease_not_ours", reservation(XENMEM_decrease_reservation, mfns, 1, DOMID_SELF),
                 0);
    }
    /*
     * At its maximum, the domain cannot grow; after giving a page back it
     * can.  Booted below its maximum (dom0_mem=N without max:), the check
     * first lowers the maximum to what the domain has, and puts it back at
     * the end; a domain that cannot do that skips it.
     */
    {
        long max = hc_memory_op(XENMEM_maximum_reservation, &self), rc = 0;

        if (max != cur && (rc = set_own_max_pages((unsigned long)cur)) == 0)
            saved_max = max;
        if (hc_memory_op(XENMEM_maximum_reservation, &self) == cur)
            CHECK_EQ("increase_at_max_pages",
                     reservation(XENMEM_increase_reservation, mfns, 1, DOMID_SELF), 0);
        else
            test_skip("increase_at_max_pages",
                      "below its maximum (%ld of %ld pages) and domctl max_mem refused (%s)", cur,
                      max, errname(rc));
    }
    {
        u8 *p = page_alloc();
        hc_update_va_mapping((unsigned long)p, 0, UVMF_INVLPG);
        mfns[0] = va_to_mfn(p);
        CHECK_EQ("decrease_again", reservation(XENMEM_decrease_reservation, mfns, 1, DOMID_SELF),
                 1);
        p2m[va_to_pfn(p)] = ~0UL; /* this pfn now has no frame */
        mfns[0] = 0;
        CHECK_EQ("increase_reservation",
                 reservation(XENMEM_increase_reservation, mfns, 1, DOMID_SELF), 1);
        CHECK("increase_returns_mfn", mfns[0] != 0);
    }
    if (saved_max)
        CHECK_RC("max_pages_restored", set_own_max_pages((unsigned long)saved_max), 0);
    /* exchange: two of our frames for one machine-contiguous extent of two
     * below 4 GiB (what Linux's swiotlb asks for), mapped where they were. */
    {
        static struct xen_memory_exchange x;
        static xen_pfn_t in[2], out[1];
        u8 *a = page_alloc(), *b = page_alloc();
        unsigned long pfn = va_to_pfn(a);
        long before = hc_memory_op(XENMEM_current_reservation, &self);

        memset(&x, 0, sizeof(x));
        set_xen_guest_handle(x.in.extent_start, in);
        set_xen_guest_handle(x.out.extent_start, out);
        x.in.nr_extents = 2;
        x.out.nr_extents = 1;
        x.out.extent_order = 1;
        x.out.mem_flags = XENMEMF_address_bits(32);
        x.in.domid = x.out.domid = DOMID_SELF;
        in[0] = 1UL << 40; /* not ours */
        in[1] = va_to_mfn(b);
        out[0] = pfn;
        CHECK("exchange_not_ours", hc_memory_op(XENMEM_exchange, &x) < 0 && x.nr_exchanged == 0);
        x.out.nr_extents = 2;
        CHECK_RC("exchange_size_mismatch", hc_memory_op(XENMEM_exchange, &x), -XEN_EINVAL);
        x.out.nr_extents = 1;
        if (va_to_pfn(b) == pfn + 1) {
            hc_update_va_mapping((unsigned long)a, 0, UVMF_INVLPG);
            hc_update_va_mapping((unsigned long)b, 0, UVMF_INVLPG);
            in[0] = va_to_mfn(b); /* the same frame twice */
            CHECK("exchange_same_frame_twice",
                  hc_memory_op(XENMEM_exchange, &x) < 0 && x.nr_exchanged == 0);
            in[0] = va_to_mfn(a);
            CHECK_RC("exchange", hc_memory_op(XENMEM_exchange, &x), 0);
            CHECK_EQ("exchange_done", x.nr_exchanged, 2);
            CHECK("exchange_contiguous_below_4g", out[0] < (1UL << 20) && !(out[0] & 1));
            CHECK("exchange_sets_m2p", m2p(out[0]) == pfn && m2p(out[0] + 1) == pfn + 1);
            CHECK_EQ("exchange_keeps_reservation", hc_memory_op(XENMEM_current_reservation, &self),
                     before);
            p2m[pfn] = out[0];
            p2m[pfn + 1] = out[0] + 1;
            hc_update_va_mapping((unsigned long)a, ((u64)out[0] << 12) | PTE_KERN_RW, UVMF_INVLPG);
            hc_update_va_mapping((unsigned long)b, ((u64)(out[0] + 1) << 12) | PTE_KERN_RW,
                                 UVMF_INVLPG);
            CHECK("exchange_frames_zeroed", a[0] == 0 && b[PAGE_SIZE - 1] == 0);
            a[0] = 1;
            b[0] = 2;
            CHECK("exchange_frames_usable", a[0] == 1 && b[0] == 2);
        }
    }
    CHECK_RC("reservation_bad_list",
             reservation(XENMEM_populate_physmap, (xen_pfn_t *)HV_ADDR_XEN, 1, DOMID_SELF), 0);
    CHECK_RC("unknown_cmd", hc_memory_op(99, 0), -XEN_ENOSYS);
    CHECK_RC("arg_hv_addr", hc_memory_op(XENMEM_machphys_mapping, HV_ADDR_XEN), -XEN_EFAULT);
}
