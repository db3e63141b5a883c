// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI power-off (arch/x86/acpi.c): the \_S5 package in AML, and the walk
 * RSDP -> RSDT/XSDT -> FADT -> DSDT over tables built in the harness's fake
 * physical memory, with the broken tables a machine may have.
 */
#include <asm/acpi.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_s5),
        cmocka_unit_test(test_parse_s5_zero_one_and_root_prefix),
        cmocka_unit_test(test_parse_s5_refuses),
        cmocka_unit_test(test_probe_finds_s5),
        cmocka_unit_test(test_probe_refuses_broken_tables),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
