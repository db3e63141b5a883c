// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI power-off (arch/x86/acpi.c): the \_S5 package in AML, and the walk
 * RSDP -> RSDT/XSDT -> FADT -> DSDT over tables built in the harness's fake
 * physical memory, with the broken tables a machine may have.  The CPU
 * lists of the MADT and of the MP table (mptable.c), the same way.
 */
#include <asm/acpi.h>
#include <asm/smp.h>
#include <pvx/arch.h>

/* acpi.c maps firmware tables with ioremap(): here, the fake memory. */
void *ioremap(paddr_t pa, uint64_t size)
{
    assert_true(pa + size <= harness_phys_size);
    return harness_phys + pa;
}

/* Name(_S5_, Package(4){0x05, 0x07, 0, 0}) as iasl writes it, amid other AML. */
static const uint8_t s5_aml[] = {0x10, 0x12, 0x5c, 0x5f, 0x53, 0x42, 0x5f, 0x08, 0x5f, 0x53,
                                 0x35, 0x5f, 0x12, 0x0a, 0x04, 0x0a, 0x05, 0x0a, 0x07, 0x00,
                                 0x00, 0x14, 0x08, 0x5f, 0x50, 0x54, 0x53, 0x01};

static void test_parse_s5(void **state)
{
    uint8_t a = 0xee, b = 0xee;

    (void)state;
    assert_int_equal(acpi_parse_s5(s5_aml, sizeof(s5_aml), &a, &b), 0);
    assert_int_equal(a, 5);
    assert_int_equal(b, 7);
}

static void test_parse_s5_zero_one_and_root_prefix(void **state)
{
    /* \_S5_ with ZeroOp and OneOp elements (QEMU's DSDT uses Zero). */
    static const uint8_t aml[] = {0x08, '\\', '_',  'S',  '5',  '_', 0x12,
                                  0x06, 0x04, 0x00, 0x01, 0x00, 0x00};
    uint8_t a = 0xee, b = 0xee;

    (void)state;
    assert_int_equal(acpi_parse_s5(aml, sizeof(aml), &a, &b), 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
}

static void test_parse_s5_refuses(void **state)
{
    /* Not a Name(): a method called _S5_ or a reference to it. */
    static const uint8_t method[] = {0x14, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00};
    /* A Name whose value is not a package. */
    static const uint8_t not_pkg[] = {0x08, '_', 'S', '5', '_', 0x0a, 0x05};
    /* Cut off inside the package. */
    static const uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0a};
    /* A package of one element. */
    static const uint8_t one[] = {0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x01, 0x00};
    /* Elements that are not integer constants (a string). */
    static const uint8_t str[] = {0x08, '_',  'S',  '5', '_',  0x12,
                                  0x06, 0x02, 0x0d, 'x', 0x00, 0x00};
    uint8_t a, b;

    (void)state;
    assert_int_equal(acpi_parse_s5(method, sizeof(method), &a, &b), -1);
    assert_int_equal(acpi_parse_s5(not_pkg, sizeof(not_pkg), &a, &b), -1);
    assert_int_equal(acpi_parse_s5(cut, sizeof(cut), &a, &b), -1);
    assert_int_equal(acpi_parse_s5(one, sizeof(one), &a, &b), -1);
    assert_int_equal(acpi_parse_s5(str, sizeof(str), &a, &b), -1);
    assert_int_equal(acpi_parse_s5(s5_aml, 12, &a, &b), -1); /* ends at the name */
    assert_int_equal(acpi_parse_s5(s5_aml, 0, &a, &b), -1);
}

/* setup.c's probe of QEMU's test device, not part of this harness. */
void test_device_report(void)
{
}

/* ---- a whole set of tables in fake memory ---- */

#define RSDP_PA 0xe0100
#define RSDT_PA 0x100000
#define FADT_PA 0x101000
#define DSDT_PA 0x102000

static void put32(uint64_t pa, uint32_t v)
{
    memcpy(harness_phys + pa, &v, 4);
}

static void fix_checksum(uint64_t pa, uint32_t len, unsigned int at)
{
    uint8_t sum = 0;

    harness_phys[pa + at] = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += harness_phys[pa + i];
    harness_phys[pa + at] = (uint8_t)-sum;
}

static void table(uint64_t pa, const char *sig, uint32_t len)
{
    memcpy(harness_phys + pa, sig, 4);
    put32(pa + 4, len);
    fix_checksum(pa, len, 9);
}

static void build_tables(void)
{
    harness_phys_init(4 << 20);
    memset(harness_phys, 0, 4 << 20);
    /* DSDT: header + the AML above. */
    memcpy(harness_phys + DSDT_PA + 36, s5_aml, sizeof(s5_aml));
    table(DSDT_PA, "DSDT", 36 + sizeof(s5_aml));
    /* FADT (ACPI 1.0 size): DSDT at 40, PM1a_CNT_BLK at 64. */
    put32(FADT_PA + 40, DSDT_PA);
    put32(FADT_PA + 64, 0x604);
    table(FADT_PA, "FACP", 116);
    /* RSDT with one entry. */
    put32(RSDT_PA + 36, FADT_PA);
    table(RSDT_PA, "RSDT", 40);
    /* RSDP (revision 0) in the BIOS ROM area. */
    memcpy(harness_phys + RSDP_PA, "RSD PTR ", 8);
    put32(RSDP_PA + 16, RSDT_PA);
    fix_checksum(RSDP_PA, 20, 8);
}

static void test_probe_finds_s5(void **state)
{
    (void)state;
    build_tables();
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("ACPI: power off through PM1a_CNT 0x604 (S5 SLP_TYP 5)"));
}

/* An ACPI 2.0 FADT whose flags say RESET_REG_SUP, with the reset register
 * at I/O 0xcf9, 8 bits wide, value 6 (QEMU's piix and q35 give this). */
static void put_fadt_reset(uint8_t *fadt)
{
    uint64_t port = 0xcf9;
    uint32_t flags = 1u << 10;

    memcpy(fadt + 112, &flags, 4);
    fadt[116] = 1; /* system I/O */
    fadt[117] = 8; /* bits */
    fadt[118] = 0; /* offset */
    fadt[119] = 1; /* byte access */
    memcpy(fadt + 120, &port, 8);
    fadt[128] = 6;
}

static void test_fadt_reset_register(void **state)
{
    uint8_t fadt[244];
    struct acpi_reset r;
    (void)state;

    memset(fadt, 0, sizeof(fadt));
    put_fadt_reset(fadt);
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), 0);
    assert_true(r.valid);
    assert_int_equal(r.port, 0xcf9);
    assert_int_equal(r.value, 6);
    /* Each thing that makes it unusable. */
    assert_int_equal(acpi_fadt_reset(fadt, 128, &r), -1); /* ends before RESET_VALUE */
    assert_false(r.valid);
    fadt[113] = 0; /* RESET_REG_SUP clear */
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), -1);
    put_fadt_reset(fadt);
    fadt[116] = 0; /* memory space */
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), -1);
    put_fadt_reset(fadt);
    fadt[117] = 16; /* not a byte */
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), -1);
    put_fadt_reset(fadt);
    fadt[118] = 1; /* a bit offset */
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), -1);
    put_fadt_reset(fadt);
    memset(fadt + 120, 0, 8); /* no address */
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), -1);
    put_fadt_reset(fadt);
    fadt[122] = 1; /* past the I/O space */
    assert_int_equal(acpi_fadt_reset(fadt, sizeof(fadt), &r), -1);
    assert_false(r.valid);
}

/* The boot-time probe: the ACPI 1.0 FADT has no reset register, the 2.0
 * one has. */
static void test_probe_reports_reset(void **state)
{
    (void)state;
    build_tables();
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("ACPI: no usable FADT reset register"));
    put_fadt_reset(harness_phys + FADT_PA);
    table(FADT_PA, "FACP", 244);
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("ACPI: power off through PM1a_CNT 0x604"));
    assert_true(harness_log_contains(
        "ACPI: reset through the FADT's reset register (I/O 0xcf9, value 0x6)"));
}

static void test_probe_refuses_broken_tables(void **state)
{
    (void)state;
    /* A DSDT whose checksum is wrong. */
    build_tables();
    harness_phys[DSDT_PA + 40]++;
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("ACPI: no valid DSDT; pvx halts instead of powering off"));
    /* An RSDT entry naming something that is not a FADT. */
    build_tables();
    put32(RSDT_PA + 36, DSDT_PA);
    fix_checksum(RSDT_PA, 40, 9);
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("no valid RSDT/XSDT or FADT"));
    /* A FADT claiming 4 GiB. */
    build_tables();
    put32(FADT_PA + 4, 0xffffffff);
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("no valid RSDT/XSDT or FADT"));
    /* No RSDP at all. */
    build_tables();
    memset(harness_phys + RSDP_PA, 0, 20);
    harness_log_reset();
    arch_power_init();
    assert_true(harness_log_contains("ACPI: no RSDP in the BIOS areas"));
}

/* ---- the CPUs: MADT ---- */

#define MADT_PA 0x103000

static size_t madt_len;
static uint8_t madt_buf[256];

static void madt_start(void)
{
    memset(madt_buf, 0, sizeof(madt_buf));
    memcpy(madt_buf, "APIC", 4);
    madt_len = 44;
}

static void madt_add(const uint8_t *e)
{
    memcpy(madt_buf + madt_len, e, e[1]);
    madt_len += e[1];
    madt_buf[4] = (uint8_t)madt_len;
}

static const uint8_t lapic_on[] = {0, 8, 0, 0, 1, 0, 0, 0};      /* APIC id 0, enabled */
static const uint8_t lapic_on3[] = {0, 8, 1, 3, 1, 0, 0, 0};     /* id 3, enabled */
static const uint8_t lapic_off[] = {0, 8, 2, 5, 0, 0, 0, 0};     /* id 5, disabled */
static const uint8_t lapic_hotplug[] = {0, 8, 3, 6, 2, 0, 0, 0}; /* id 6, online-capable only */
static const uint8_t ioapic[] = {1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0};
static const uint8_t x2apic_on[] = {9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0};

static void test_madt_lists_enabled_cpus(void **state)
{
    uint32_t ids[8] = {0};

    (void)state;
    madt_start();
    madt_add(lapic_on);
    madt_add(ioapic);
    madt_add(lapic_off);
    madt_add(lapic_on3);
    madt_add(lapic_hotplug);
    madt_add(x2apic_on);
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len, ids, 8), 3);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 3);
    assert_int_equal(ids[2], 0x100);
    /* At most max ids are written; the count says how many. */
    ids[1] = 0xdead;
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len, ids, 1), 1);
    assert_int_equal(ids[1], 0xdead);
}

static void test_madt_refuses_malformed(void **state)
{
    uint32_t ids[8];

    (void)state;
    madt_start();
    madt_add(lapic_on);
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len, ids, 8), 1);
    /* Length field and buffer disagree. */
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len - 1, ids, 8), -1);
    /* An entry running past the end. */
    madt_buf[45] = 9;
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len, ids, 8), -1);
    /* An entry of length 0 (would loop forever) or 1. */
    madt_buf[45] = 0;
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len, ids, 8), -1);
    madt_buf[45] = 1;
    assert_int_equal(acpi_madt_cpus(madt_buf, madt_len, ids, 8), -1);
    /* Not a MADT; shorter than its fixed part. */
    madt_start();
    madt_buf[4] = 44;
    madt_buf[0] = 'X';
    assert_int_equal(acpi_madt_cpus(madt_buf, 44, ids, 8), -1);
    madt_buf[0] = 'A';
    assert_int_equal(acpi_madt_cpus(madt_buf, 44, ids, 8), 0);
    madt_buf[4] = 40;
    assert_int_equal(acpi_madt_cpus(madt_buf, 40, ids, 8), -1);
}

static void test_find_cpus_through_rsdt(void **state)
{
    uint32_t ids[8] = {0};
    const char *source = NULL;

    (void)state;
    build_tables();
    madt_start();
    madt_add(lapic_on);
    madt_add(lapic_on3);
    memcpy(harness_phys + MADT_PA, madt_buf, madt_len);
    table(MADT_PA, "APIC", (uint32_t)madt_len);
    /* Not listed in the RSDT yet: not found. */
    assert_int_equal(acpi_find_cpus(ids, 8, &source), -1);
    put32(RSDT_PA + 40, MADT_PA);
    table(RSDT_PA, "RSDT", 44);
    assert_int_equal(acpi_find_cpus(ids, 8, &source), 2);
    assert_string_equal(source, "ACPI MADT");
    assert_int_equal(ids[1], 3);
    /* A bad checksum makes the table invisible. */
    harness_phys[MADT_PA + 50]++;
    assert_int_equal(acpi_find_cpus(ids, 8, &source), -1);
}

/* ---- the CPUs: MP table ---- */

#define MPF_PA 0xf5000
#define MPC_PA 0xf6000

static uint8_t mpc[256];
static size_t mpc_len;

static uint8_t checksum_of(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    while (len--)
        sum += *p++;
    return sum;
}

static void mpc_start(void)
{
    memset(mpc, 0, sizeof(mpc));
    memcpy(mpc, "PCMP", 4);
    mpc_len = 44;
}

static void mpc_add(const uint8_t *e, size_t len)
{
    memcpy(mpc + mpc_len, e, len);
    mpc_len += len;
    mpc[34]++; /* entry count */
}

static void mpc_finish(void)
{
    mpc[4] = (uint8_t)mpc_len;
    mpc[5] = (uint8_t)(mpc_len >> 8);
    mpc[7] = 0;
    mpc[7] = (uint8_t)-checksum_of(mpc, mpc_len);
}

static const uint8_t mp_cpu_bsp[20] = {0, 0, 0x14, 3};
static const uint8_t mp_cpu_ap[20] = {0, 2, 0x14, 1};
static const uint8_t mp_cpu_off[20] = {0, 4, 0x14, 0};
static const uint8_t mp_bus[8] = {1, 0, 'I', 'S', 'A', ' ', ' ', ' '};
static const uint8_t mp_ioapic[8] = {2, 0, 0x11, 1, 0, 0, 0xc0, 0xfe};

static void build_mptable(void)
{
    mpc_start();
    mpc_add(mp_cpu_bsp, 20);
    mpc_add(mp_bus, 8);
    mpc_add(mp_cpu_off, 20);
    mpc_add(mp_cpu_ap, 20);
    mpc_add(mp_ioapic, 8);
    mpc_finish();
}

static void test_mptable_lists_enabled_cpus(void **state)
{
    uint32_t ids[8] = {0};

    (void)state;
    build_mptable();
    assert_int_equal(mptable_cpus(mpc, mpc_len, ids, 8), 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
}

static void test_mptable_refuses_malformed(void **state)
{
    uint32_t ids[8];

    (void)state;
    build_mptable();
    mpc[50]++; /* checksum */
    assert_int_equal(mptable_cpus(mpc, mpc_len, ids, 8), -1);
    build_mptable();
    mpc[34]++; /* one entry more than there is */
    mpc_finish();
    assert_int_equal(mptable_cpus(mpc, mpc_len, ids, 8), -1);
    build_mptable();
    mpc[44 + 20] = 0x7f; /* an unknown entry type: its length is unknown */
    mpc_finish();
    assert_int_equal(mptable_cpus(mpc, mpc_len, ids, 8), -1);
    build_mptable();
    assert_int_equal(mptable_cpus(mpc, mpc_len - 1, ids, 8), -1); /* length field disagrees */
    mpc[0] = 'X';
    mpc_finish();
    assert_int_equal(mptable_cpus(mpc, mpc_len, ids, 8), -1);
}

static void put_mpf(uint8_t feature1)
{
    uint8_t *f = harness_phys + MPF_PA;

    memset(f, 0, 16);
    memcpy(f, "_MP_", 4);
    memcpy(f + 4, &(uint32_t){MPC_PA}, 4);
    f[8] = 1;
    f[9] = 4;
    f[11] = feature1;
    f[10] = (uint8_t)-checksum_of(f, 16);
}

static void test_mptable_found_in_bios_rom(void **state)
{
    uint32_t ids[8] = {0};

    (void)state;
    harness_phys_init(4 << 20);
    memset(harness_phys, 0, 4 << 20);
    build_mptable();
    memcpy(harness_phys + MPC_PA, mpc, mpc_len);
    assert_int_equal(mptable_find_cpus(ids, 8), -1); /* no floating pointer */
    put_mpf(0);
    assert_int_equal(mptable_find_cpus(ids, 8), 2);
    assert_int_equal(ids[1], 2);
    put_mpf(5); /* a default configuration: no table to read */
    assert_int_equal(mptable_find_cpus(ids, 8), -1);
    put_mpf(0);
    harness_phys[MPF_PA + 10]++; /* the pointer's checksum */
    assert_int_equal(mptable_find_cpus(ids, 8), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_s5),
        cmocka_unit_test(test_parse_s5_zero_one_and_root_prefix),
        cmocka_unit_test(test_parse_s5_refuses),
        cmocka_unit_test(test_probe_finds_s5),
        cmocka_unit_test(test_fadt_reset_register),
        cmocka_unit_test(test_probe_reports_reset),
        cmocka_unit_test(test_probe_refuses_broken_tables),
        cmocka_unit_test(test_madt_lists_enabled_cpus),
        cmocka_unit_test(test_madt_refuses_malformed),
        cmocka_unit_test(test_find_cpus_through_rsdt),
        cmocka_unit_test(test_mptable_lists_enabled_cpus),
        cmocka_unit_test(test_mptable_refuses_malformed),
        cmocka_unit_test(test_mptable_found_in_bios_rom),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
