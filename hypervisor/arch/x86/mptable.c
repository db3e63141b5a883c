/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Intel MultiProcessor Specification's tables, where a machine has no
 * ACPI MADT: the floating pointer ("_MP_", 16 bytes on a 16-byte boundary
 * in the EBDA's first KiB, the last KiB of base memory or the BIOS ROM)
 * names the configuration table ("PCMP"), whose processor entries give the
 * local APIC ids.  Like the ACPI walk, nothing read is trusted: lengths,
 * checksums and entry types are checked.
 */
#include <asm/mm.h>
#include <asm/smp.h>
#include <pvx/lib.h>

#define MPF_LEN         16
#define MPC_HDR_LEN     44
#define MPC_MAX_LEN     0x10000
#define MPC_PROCESSOR   0
#define MPC_PROC_LEN    20
#define MPC_OTHER_LEN   8 /* bus, I/O APIC, interrupt sources */
#define MPC_LAST_TYPE   4
#define MPC_CPU_ENABLED (1u << 0)

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--)
        s += *p++;
    return s;
}

int mptable_cpus(const uint8_t *cfg, size_t len, uint32_t *ids, unsigned int max)
{
    unsigned int nr = 0, count;
    size_t off = MPC_HDR_LEN;

    if (len < MPC_HDR_LEN || memcmp(cfg, "PCMP", 4) != 0 || (size_t)(cfg[4] | cfg[5] << 8) != len ||
        sum(cfg, len) != 0)
        return -1;
    count = cfg[34] | cfg[35] << 8;
    for (unsigned int i = 0; i < count; i++) {
        const uint8_t *e = cfg + off;
        size_t elen = e[0] == MPC_PROCESSOR ? MPC_PROC_LEN : MPC_OTHER_LEN;

        if (off >= len || e[0] > MPC_LAST_TYPE || len - off < elen)
            return -1;
        if (e[0] == MPC_PROCESSOR && (e[3] & MPC_CPU_ENABLED) && nr < max)
            ids[nr++] = e[1];
        off += elen;
    }
    return (int)nr;
}

static const uint8_t *scan_mpf(uint64_t pa, size_t len)
{
    const uint8_t *area = ioremap(pa, len);

    for (size_t off = 0; off + MPF_LEN <= len; off += 16)
        if (!memcmp(area + off, "_MP_", 4) && area[off + 8] == 1 && sum(area + off, MPF_LEN) == 0)
            return area + off;
    return NULL;
}

int mptable_find_cpus(uint32_t *ids, unsigned int max)
{
    uint64_t ebda = (uint64_t) * (const volatile uint16_t *)ioremap(0x40e, 2) << 4;
    const uint8_t *mpf = NULL, *cfg;
    uint32_t cfg_pa;
    size_t len;

    if (ebda >= 0x80000 && ebda < 0xa0000)
        mpf = scan_mpf(ebda, 1024);
    if (!mpf)
        mpf = scan_mpf(0x9fc00, 1024);
    if (!mpf)
        mpf = scan_mpf(0xf0000, 0x10000);
    /* No pointer, or one to a default configuration (feature byte 1 set,
     * no table): nothing to enumerate. */
    if (!mpf || mpf[11] || !(cfg_pa = mpf[4] | mpf[5] << 8 | mpf[6] << 16 | (uint32_t)mpf[7] << 24))
        return -1;
    cfg = ioremap(cfg_pa, MPC_HDR_LEN);
    len = cfg[4] | cfg[5] << 8;
    if (len < MPC_HDR_LEN || len > MPC_MAX_LEN)
        return -1;
    return mptable_cpus(ioremap(cfg_pa, len), len, ids, max);
}
