/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ACPI, only as far as pvx needs it: the CPUs the MADT lists (smpboot.c),
 * and powering the machine off itself (S5): the RSDP in the BIOS areas, the
 * RSDT or XSDT, the FADT's PM1 control blocks and the DSDT's \_S5 package,
 * whose first two values are the SLP_TYP codes for PM1a and PM1b.  Writing
 * SLP_TYP with SLP_EN to the PM1 control registers is what Xen does when
 * dom0 asks it to enter S5.  A reset goes through the FADT's reset register
 * first, as Linux and Xen do on ACPI machines.
 *
 * The table walk trusts nothing it reads: every length and pointer is
 * checked, and a machine whose tables do not add up simply gets no ACPI
 * power-off (pvx halts instead, as before).
 */
#include <asm/acpi.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/smp.h>
#include <pvx/arch.h>
#include <pvx/lib.h>

#define ACPI_SLP_EN        (1u << 13)
#define ACPI_SLP_TYP_SHIFT 10

#define FADT_DSDT            40  /* 32-bit physical address */
#define FADT_PM1A_CNT        64  /* I/O port of the PM1a control block */
#define FADT_PM1B_CNT        68  /* ... PM1b, 0 if none */
#define FADT_FLAGS           112 /* ACPI 2.0+ from here */
#define FADT_RESET           116 /* RESET_REG, a generic address (12 bytes) */
#define FADT_RESET_VAL       128
#define FADT_X_DSDT          140 /* 64-bit address */
#define FADT_F_RESET_REG_SUP (1u << 10)
#define GAS_SYSTEM_IO        1
#define TABLE_HDR_LEN        36
#define MAX_TABLE_LEN        (4u << 20)

static struct acpi_s5 s5;
static struct acpi_reset reset_reg;

static bool checksum_ok(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++)
        sum += p[i];
    return sum == 0;
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* An AML integer constant at p (ZeroOp, OneOp, OnesOp, BytePrefix,
 * WordPrefix): its value and length, or 0 if p holds something else. */
static size_t aml_small_int(const uint8_t *p, const uint8_t *end, uint8_t *value)
{
    if (p >= end)
        return 0;
    switch (p[0]) {
    case 0x00:
    case 0x01:
        *value = p[0];
        return 1;
    case 0xff:
        *value = 0xff;
        return 1;
    case 0x0a:
        if (end - p < 2)
            return 0;
        *value = p[1];
        return 2;
    case 0x0b:
        if (end - p < 3)
            return 0;
        *value = p[1];
        return 3;
    default:
        return 0;
    }
}

int acpi_parse_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
    const uint8_t *end = aml + len;

    for (const uint8_t *p = aml; p + 4 <= end; p++) {
        const uint8_t *q = p + 4;
        size_t n, pkglen_bytes;

        if (memcmp(p, "_S5_", 4) != 0)
            continue;
        /* Name(_S5_, ...) only: NameOp, optionally with a root prefix. */
        if (!(p > aml && (p[-1] == 0x08 || (p[-1] == '\\' && p - 1 > aml && p[-2] == 0x08))))
            continue;
        if (q >= end || *q++ != 0x12) /* PackageOp */
            return -1;
        if (q >= end)
            return -1;
        pkglen_bytes = (size_t)(*q >> 6); /* PkgLength: 0-3 bytes follow */
        q += 1 + pkglen_bytes;
        if (q >= end || *q < 2) /* NumElements */
            return -1;
        q++;
        if (!(n = aml_small_int(q, end, typa)))
            return -1;
        if (!aml_small_int(q + n, end, typb))
            return -1;
        return 0;
    }
    return -1;
}

/* Map and check one table at pa: its length, signature and checksum. */
static const uint8_t *map_table(uint64_t pa, const char *sig)
{
    const uint8_t *hdr;
    uint32_t len;

    if (!pa)
        return NULL;
    hdr = ioremap(pa, TABLE_HDR_LEN);
    len = get32(hdr + 4);
    if (memcmp(hdr, sig, 4) != 0 || len < TABLE_HDR_LEN || len > MAX_TABLE_LEN)
        return NULL;
    hdr = ioremap(pa, len);
    return checksum_ok(hdr, len) ? hdr : NULL;
}

#define MADT_ENTRIES     44 /* after the header, the APIC address and flags */
#define MADT_LAPIC       0
#define MADT_X2APIC      9
#define MADT_CPU_ENABLED (1u << 0)

int acpi_madt_cpus(const uint8_t *madt, size_t len, uint32_t *ids, unsigned int max)
{
    unsigned int nr = 0;

    if (len < MADT_ENTRIES || memcmp(madt, "APIC", 4) != 0 || get32(madt + 4) != len)
        return -1;
    for (size_t off = MADT_ENTRIES; off < len;) {
        const uint8_t *e = madt + off;
        uint32_t id, flags;

        if (len - off < 2 || e[1] < 2 || e[1] > len - off)
            return -1;
        off += e[1];
        if (e[0] == MADT_LAPIC && e[1] >= 8) {
            id = e[3];
            flags = get32(e + 4);
        } else if (e[0] == MADT_X2APIC && e[1] >= 16) {
            id = get32(e + 4);
            flags = get32(e + 8);
        } else {
            continue; /* I/O APICs, overrides, NMI sources: not CPUs */
        }
        if ((flags & MADT_CPU_ENABLED) && nr < max)
            ids[nr++] = id;
    }
    return (int)nr;
}

static const uint8_t *scan_rsdp(uint64_t pa, size_t len)
{
    const uint8_t *area = ioremap(pa, len);

    for (size_t off = 0; off + 20 <= len; off += 16)
        if (!memcmp(area + off, "RSD PTR ", 8) && checksum_ok(area + off, 20))
            return area + off;
    return NULL;
}

static const uint8_t *find_rsdp(void)
{
    /* The first KiB of the EBDA (its segment at 0x40e), then the BIOS ROM. */
    uint64_t ebda = (uint64_t) * (const volatile uint16_t *)ioremap(0x40e, 2) << 4;
    const uint8_t *rsdp = NULL;

    if (ebda >= 0x80000 && ebda < 0xa0000)
        rsdp = scan_rsdp(ebda, 1024);
    return rsdp ? rsdp : scan_rsdp(0xe0000, 0x20000);
}

/* The table with signature @sig named by the RSDT (4-byte entries) or
 * XSDT (8-byte entries). */
static const uint8_t *find_table(const uint8_t *rsdp, const char *sig)
{
    bool x = rsdp[15] >= 2 && get64(rsdp + 24);
    const uint8_t *sdt =
        x ? map_table(get64(rsdp + 24), "XSDT") : map_table(get32(rsdp + 16), "RSDT");
    unsigned int entry = x ? 8 : 4;

    if (!sdt)
        return NULL;
    for (uint32_t off = TABLE_HDR_LEN; off + entry <= get32(sdt + 4); off += entry) {
        uint64_t pa = x ? get64(sdt + off) : get32(sdt + off);
        const uint8_t *t = map_table(pa, sig);

        if (t)
            return t;
    }
    return NULL;
}

int acpi_find_cpus(uint32_t *ids, unsigned int max, const char **source)
{
    const uint8_t *rsdp = find_rsdp(), *madt;

    *source = "ACPI MADT";
    if (!rsdp || !(madt = find_table(rsdp, "APIC")))
        return -1;
    return acpi_madt_cpus(madt, get32(madt + 4), ids, max);
}

int acpi_fadt_reset(const uint8_t *fadt, size_t len, struct acpi_reset *out)
{
    uint64_t port;

    *out = (struct acpi_reset){0};
    if (len < FADT_RESET_VAL + 1 || !(get32(fadt + FADT_FLAGS) & FADT_F_RESET_REG_SUP))
        return -1;
    /* Only a register in I/O space, written whole as a byte (what QEMU and
     * PC chipsets give: the reset control register at 0xcf9). */
    port = get64(fadt + FADT_RESET + 4);
    if (fadt[FADT_RESET] != GAS_SYSTEM_IO || fadt[FADT_RESET + 1] != 8 || fadt[FADT_RESET + 2] ||
        !port || port > 0xffff)
        return -1;
    out->port = (uint16_t)port;
    out->value = fadt[FADT_RESET_VAL];
    out->valid = true;
    return 0;
}

static const char *probe_s5(void)
{
    const uint8_t *rsdp = find_rsdp(), *fadt, *dsdt;
    uint32_t fadt_len;
    uint64_t dsdt_pa;

    s5 = (struct acpi_s5){0};
    if (!rsdp)
        return "no RSDP in the BIOS areas";
    if (!(fadt = find_table(rsdp, "FACP")))
        return "no valid RSDT/XSDT or FADT";
    fadt_len = get32(fadt + 4);
    acpi_fadt_reset(fadt, fadt_len, &reset_reg);
    if (fadt_len < FADT_PM1B_CNT + 4)
        return "FADT too short";
    s5.pm1a_cnt = (uint16_t)get32(fadt + FADT_PM1A_CNT);
    s5.pm1b_cnt = (uint16_t)get32(fadt + FADT_PM1B_CNT);
    dsdt_pa = fadt_len >= FADT_X_DSDT + 8 && get64(fadt + FADT_X_DSDT) ? get64(fadt + FADT_X_DSDT)
                                                                       : get32(fadt + FADT_DSDT);
    if (!s5.pm1a_cnt)
        return "no PM1a control block";
    if (!(dsdt = map_table(dsdt_pa, "DSDT")))
        return "no valid DSDT";
    if (acpi_parse_s5(dsdt + TABLE_HDR_LEN, get32(dsdt + 4) - TABLE_HDR_LEN, &s5.slp_typa,
                      &s5.slp_typb))
        return "no \\_S5 package in the DSDT";
    s5.valid = true;
    return NULL;
}

void arch_power_init(void)
{
    const char *why = probe_s5();

    test_device_report();
    if (why)
        printk("ACPI: %s; pvx halts instead of powering off\n", why);
    else
        printk("ACPI: power off through PM1a_CNT %#x%s (S5 SLP_TYP %u)\n", s5.pm1a_cnt,
               s5.pm1b_cnt ? " and PM1b_CNT" : "", s5.slp_typa);
    if (reset_reg.valid)
        printk("ACPI: reset through the FADT's reset register (I/O %#x, value %#x)\n",
               reset_reg.port, reset_reg.value);
    else
        printk("ACPI: no usable FADT reset register; reset through the keyboard controller\n");
}

void acpi_reset(void)
{
    if (reset_reg.valid)
        outb(reset_reg.port, reset_reg.value);
}

void acpi_power_off(void)
{
    if (!s5.valid)
        return;
    if (s5.pm1b_cnt)
        outw(s5.pm1b_cnt, (uint16_t)((s5.slp_typb & 7) << ACPI_SLP_TYP_SHIFT | ACPI_SLP_EN));
    outw(s5.pm1a_cnt, (uint16_t)((s5.slp_typa & 7) << ACPI_SLP_TYP_SHIFT | ACPI_SLP_EN));
}
