// SPDX-License-Identifier: GPL-2.0-only
/* Boot protocol: what the domain builder handed over (start_info, registers). */
#include "guest.h"
#include "test.h"

extern char hypercall_page[];

void t_boot(void)
{
    u16 cs, ss, ds;

    __asm__ volatile("mov %%cs, %0; mov %%ss, %1; mov %%ds, %2" : "=r"(cs), "=r"(ss), "=r"(ds));
    CHECK("magic", !strcmp(si->magic, "xen-3.0-x86_64"));
    CHECK_EQ("rsi_is_start_info", boot_rsi, (u64)si);
    CHECK("start_info_in_mapping", (u64)si >= VIRT_BASE && ((u64)si & (PAGE_SIZE - 1)) == 0);
    CHECK("flags_dom0",
          (si->flags & (SIF_INITDOMAIN | SIF_PRIVILEGED)) == (SIF_INITDOMAIN | SIF_PRIVILEGED));
    CHECK("nr_pages_nonzero", si->nr_pages > 0);
    CHECK("pt_base_page_aligned", si->pt_base > VIRT_BASE && !(si->pt_base & (PAGE_SIZE - 1)));
    CHECK("nr_pt_frames", si->nr_pt_frames >= 4);
    CHECK("boot_stack_after_tables",
          boot_rsp > si->pt_base + si->nr_pt_frames * PAGE_SIZE - 1 && !(boot_rsp & 0xfff));
    CHECK("shared_info_ma_aligned", si->shared_info && !(si->shared_info & (PAGE_SIZE - 1)));
    CHECK("cs_flat_kernel", cs == FLAT_KERNEL_CS);
    CHECK("ss_flat_kernel", ss == FLAT_KERNEL_SS);
    CHECK("ds_null", ds == 0);
    CHECK("entry_if_set", entry_rflags & (1u << 9));
    CHECK_EQ("entry_iopl_zero", (entry_rflags >> 12) & 3, 0);
    CHECK_EQ("entry_events_masked", entry_mask, 1);
    /* The kernel image is mapped from VIRT_BASE at pfn 0. */
    CHECK_EQ("p2m_m2p_roundtrip", m2p(pfn_to_mfn(va_to_pfn(si))), va_to_pfn(si));
    CHECK_EQ("pt_base_is_cr3", va_to_mfn((void *)si->pt_base), cur_l4_mfn());
    /* The L4 maps itself read-only. */
    {
        u64 *e = pte_of(si->pt_base, 1);
        CHECK("l4_mapped_readonly", e && (*e & _PAGE_PRESENT) && !(*e & _PAGE_RW));
    }
    /* The image's own pages are writable. */
    {
        u64 *e = pte_of((unsigned long)&tests_passed, 1);
        CHECK("image_mapped_rw", e && (*e & _PAGE_RW));
    }
    CHECK("hypercall_page_filled", hypercall_page[0] != 0 && hypercall_page[4095] != 0);
    CHECK("cmdline_terminated", strlen((const char *)si->cmd_line) < MAX_GUEST_CMDLINE);
}
