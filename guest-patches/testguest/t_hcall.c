// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypercall transports (raw syscall and the hypercall page), the
 * registers each preserves, the iret hypercall, and hypercall numbers that
 * do not exist.
 */
#include "guest.h"
#include "test.h"

unsigned long hc_probe_regs(int transport);
unsigned long iret_probe(unsigned long flags);
unsigned long native_iret_probe(void);
extern u64 iret_probe_rcx, iret_probe_r11;

void t_hcall(void)
{
    enum hc_transport saved = hc_transport;
    static const unsigned long bad_numbers[] = {11, 43,  44,  45,  46,   47,           56,  63,
                                                64, 127, 128, 255, 4096, 0xffffffffUL, ~0UL};
    const u8 *slot = (const u8 *)hypercall_page + 17 * 32;
    long a, b;

    a = hc_syscall(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
    b = hc_page(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
    CHECK("transports_agree", a > 0 && a == b);
    /* The page's stubs issue `syscall` with eax = their slot number. */
    CHECK("page_slot_has_number", slot[3] == 0xb8 && slot[4] == 17 && !slot[5] && !slot[6]);
    CHECK_EQ("syscall_preserves_regs", hc_probe_regs(0), 0);
    CHECK_EQ("page_preserves_regs_and_rcx_r11", hc_probe_regs(1), 0);

    for (int t = HC_SYSCALL; t <= HC_PAGE; t++) {
        char name[48];

        hc_transport = (enum hc_transport)t;
        snprintf(name, sizeof(name), "iret_to_kernel_%s", t ? "page" : "syscall");
        CHECK_EQ(name, iret_probe(0), 0x1234abcd5678);
        snprintf(name, sizeof(name), "iret_restores_rcx_r11_%s", t ? "page" : "syscall");
        CHECK(name, iret_probe_rcx == 0xcc11 && iret_probe_r11 == 0xbb11);
    }
    hc_transport = saved;
    CHECK_EQ("native_iretq_same_ring", native_iret_probe(), 1);

    for (size_t i = 0; i < ARRAY_SIZE(bad_numbers); i++) {
        char name[48];

        snprintf(name, sizeof(name), "unknown_hypercall_%lu", bad_numbers[i]);
        CHECK_RC(name, hc_syscall(bad_numbers[i], 0, 0, 0, 0, 0), -XEN_ENOSYS);
    }
    for (unsigned long n = 11; n < 128; n += 116) {
        char name[48];

        snprintf(name, sizeof(name), "unknown_hypercall_page_slot_%lu", n);
        CHECK_RC(name, hc_page(n, 0, 0, 0, 0, 0), -XEN_ENOSYS);
    }
}
