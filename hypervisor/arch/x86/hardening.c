/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the CPU offers against guests and what it is vulnerable to, and the
 * switches that turn the protections on (asm/hardening.h):
 *
 *   smep=<bool>  (default on where the CPU has it) pvx never executes a
 *                user page, and PV guest kernels run on user pages
 *   smap=<bool>  (default on where the CPU has it) pvx touches user pages
 *                only inside the checked copies (STAC/CLAC, asm/smap.h)
 *   xpti=<bool>  (default on where the CPU may leak supervisor data to
 *                ring 3: not AMD/Hygon and no RDCL_NO) Meltdown isolation
 *   pv-l1tf=<bool> | dom0=<bool>,domu=<bool>  (default: domains other
 *                than dom0, on an L1TF-affected CPU) refuse non-present
 *                guest entries that could name memory the guest does not own
 *
 * Xen 4.17 keeps SMEP and SMAP on while a 64-bit PV guest runs (it drops
 * them only for 32-bit PV kernels, which run in ring 1); pvx does the same.
 */
#include <asm/config.h>
#include <asm/current.h>
#include <asm/hardening.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/smap.h>
#include <pvx/arch.h>
#include <pvx/bootinfo.h>
#include <pvx/e820.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/param.h>

#define CPUID7_EBX_SMEP       (1u << 7)
#define CPUID7_EBX_SMAP       (1u << 20)
#define CPUID7_EDX_ARCH_CAPS  (1u << 29)
#define MSR_ARCH_CAPABILITIES 0x10a
#define ARCH_CAPS_RDCL_NO     (1ULL << 0)

struct cpu_hardening hardening;

static bool opt_smep = true, opt_smap = true;
boolean_param("smep", opt_smep);
boolean_param("smap", opt_smap);

/* -1: decided from the CPU. */
static int opt_xpti = -1, opt_l1tf_dom0 = -1, opt_l1tf_domu = -1;

static int parse_xpti(const char *s)
{
    bool b;

    if (!s) {
        opt_xpti = 1;
        return 0;
    }
    if (parse_bool(s, &b))
        return -EINVAL;
    opt_xpti = b;
    return 0;
}
custom_param("xpti", parse_xpti);

/* "<bool>" for every domain, or a comma list of dom0[=<bool>], domu[=<bool>]. */
static int parse_pv_l1tf(const char *s)
{
    bool b;

    if (!s || !parse_bool(s, &b)) {
        opt_l1tf_dom0 = opt_l1tf_domu = s ? b : 1;
        return 0;
    }
    while (*s) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char word[16];
        char *eq;

        if (len >= sizeof(word))
            return -EINVAL;
        memcpy(word, s, len);
        word[len] = '\0';
        eq = strchr(word, '=');
        b = true;
        if (eq) {
            *eq = '\0';
            if (parse_bool(eq + 1, &b))
                return -EINVAL;
        }
        if (!strcmp(word, "dom0"))
            opt_l1tf_dom0 = b;
        else if (!strcmp(word, "domu"))
            opt_l1tf_domu = b;
        else
            return -EINVAL;
        s += len + (end ? 1 : 0);
    }
    return 0;
}
custom_param("pv-l1tf", parse_pv_l1tf);

static bool cpu_is_intel(void)
{
    uint32_t a, b, c, d;

    cpuid_count(0, 0, &a, &b, &c, &d);
    return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* GenuineIntel */
}

static bool cpu_is_amd_like(void)
{
    uint32_t a, b, c, d;

    cpuid_count(0, 0, &a, &b, &c, &d);
    return (b == 0x68747541 && d == 0x69746e65) || /* AuthenticAMD */
           (b == 0x6f677948 && d == 0x6e65476e);   /* HygonGenuine */
}

static unsigned int cpu_family_model(unsigned int *model)
{
    uint32_t a, b, c, d;
    unsigned int family;

    cpuid_count(1, 0, &a, &b, &c, &d);
    family = (a >> 8) & 0xf;
    *model = (a >> 4) & 0xf;
    if (family == 6 || family == 0xf)
        *model |= ((a >> 16) & 0xf) << 4;
    if (family == 0xf)
        family += (a >> 20) & 0xff;
    return family;
}

/*
 * The L1TF facts (Intel's list, as Xen 4.17 uses it): family-6 cores are
 * affected, Atom and Knights cores are not, RDCL_NO means not affected.
 * The L1D may look at more address bits than CPUID reports; an address at
 * or above the safe limit names nothing cacheable.
 */
static void l1tf_detect(bool rdcl_no, uint64_t ram_end)
{
    static const uint8_t unaffected[] = {0x1c, 0x26, 0x27, 0x35, 0x36, 0x37, 0x4d, 0x4c,
                                         0x4a, 0x5a, 0x5c, 0x5f, 0x7a, 0x57, 0x85};
    static const uint8_t l1d_44[] = {0x1f, 0x1e, 0x1a, 0x2e, 0x25, 0x2c, 0x2f};
    static const uint8_t l1d_46[] = {0x2a, 0x2d, 0x3a, 0x3e, 0x3c, 0x3f, 0x45, 0x46, 0x3d, 0x47,
                                     0x4f, 0x56, 0x4e, 0x55, 0x5e, 0x66, 0x67, 0x8e, 0x9e};
    uint32_t a, b, c, d;
    unsigned int model, paddr_bits, l1d_bits;
    uint64_t safe;

    cpuid_count(0x80000008, 0, &a, &b, &c, &d);
    paddr_bits = a & 0xff;
    l1d_bits = paddr_bits;
    hardening.l1tf = cpu_family_model(&model) == 6 && cpu_is_intel() && !rdcl_no;
    for (size_t i = 0; hardening.l1tf && i < ARRAY_SIZE(unaffected); i++)
        if (model == unaffected[i])
            hardening.l1tf = false;
    for (size_t i = 0; i < ARRAY_SIZE(l1d_44); i++)
        if (model == l1d_44[i])
            l1d_bits = 44;
    for (size_t i = 0; i < ARRAY_SIZE(l1d_46); i++)
        if (model == l1d_46[i])
            l1d_bits = 46;
    if (l1d_bits < paddr_bits)
        l1d_bits = paddr_bits;
    hardening.l1tf_mask = ((1ULL << l1d_bits) - 1) & PAGE_MASK;
    /* Beyond CPUID's width when the L1D is wider; else the top quarter of
     * the address space is assumed empty, and never below the end of RAM. */
    safe = l1d_bits > paddr_bits ? 1ULL << paddr_bits : 3ULL << (paddr_bits - 2);
    hardening.l1tf_safe = MAX(safe, ROUNDUP(ram_end, PAGE_SIZE));
    hardening.l1tf_dom0 = opt_l1tf_dom0 >= 0 ? opt_l1tf_dom0 : false;
    hardening.l1tf_domu = opt_l1tf_domu >= 0 ? opt_l1tf_domu : hardening.l1tf;
}

/* Rewrite each listed NOP into STAC or CLAC, through the direct map (the
 * image's own text mapping is read-only). */
static void patch_smap_sites(void)
{
    extern const struct smap_site __start_smap_sites[], __stop_smap_sites[];
    static const uint8_t insn[][3] = {
        [SMAP_SITE_STAC] = {0x0f, 0x01, 0xcb}, [SMAP_SITE_CLAC] = {0x0f, 0x01, 0xca}};

    for (const struct smap_site *s = __start_smap_sites; s < __stop_smap_sites; s++) {
        uint8_t *p = maddr_to_virt(virt_to_maddr((const void *)s->addr));

        BUG_ON(s->kind != SMAP_SITE_STAC && s->kind != SMAP_SITE_CLAC);
        BUG_ON(p[0] != 0x0f || p[1] != 0x1f || p[2] != 0x00);
        memcpy(p, insn[s->kind], 3);
    }
}

void arch_hardening_init(void)
{
    extern char cpu0_stack[];
    uint32_t a, b, c, d;
    bool rdcl_no = false;
    uint64_t cr4 = read_cr4();

    cpuid_count(0, 0, &a, &b, &c, &d);
    if (a >= 7)
        cpuid_count(7, 0, &a, &b, &c, &d);
    else
        a = b = c = d = 0;
    if (d & CPUID7_EDX_ARCH_CAPS)
        rdcl_no = rdmsr(MSR_ARCH_CAPABILITIES) & ARCH_CAPS_RDCL_NO;

    hardening.smep = opt_smep && (b & CPUID7_EBX_SMEP);
    hardening.smap = opt_smap && (b & CPUID7_EBX_SMAP);
    if (hardening.smep)
        cr4 |= X86_CR4_SMEP;
    if (hardening.smap) {
        patch_smap_sites();
        cr4 |= X86_CR4_SMAP;
    }
    write_cr4(cr4); /* serializing: the patched sites are seen from here on */

    hardening.meltdown = !cpu_is_amd_like() && !rdcl_no;
    hardening.xpti = opt_xpti >= 0 ? opt_xpti : hardening.meltdown;
    if (hardening.xpti && xpti_init_cpu(0, cpu0_stack)) {
        printk("XPTI: out of memory for the root page table; XPTI off\n");
        hardening.xpti = false;
    }
    l1tf_detect(rdcl_no, e820_ram_end(&bootinfo.mem));

    printk("CPU hardening: SMEP %s, SMAP %s, XPTI %s (Meltdown: %s)\n",
           hardening.smep ? "on" : "off", hardening.smap ? "on" : "off",
           hardening.xpti ? "on" : "off", hardening.meltdown ? "affected" : "not affected");
    printk("CPU hardening: L1TF %s; non-present PV entries checked for dom0 %s, domU %s "
           "(safe from %#llx)\n",
           hardening.l1tf ? "affected" : "not affected", hardening.l1tf_dom0 ? "yes" : "no",
           hardening.l1tf_domu ? "yes" : "no", (unsigned long long)hardening.l1tf_safe);
    printk("CR4: %#llx\n", (unsigned long long)read_cr4());
}
