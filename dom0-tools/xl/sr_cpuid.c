/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stream's X86_CPUID_POLICY record against what this host gives PV
 * guests (sr.h, docs/migration.md).  A running guest chose its code paths
 * from the CPUID it saw at boot and never asks again: a feature it saw
 * and this host hides (machine-check MSRs, FSGSBASE, XSAVE, ...) makes it
 * crash on its first use after the restore.  Such a stream is refused,
 * naming the features, before anything is built; Xen's restore refuses a
 * policy the host cannot offer the same way.
 *
 * pvx's own saver writes no policy (every guest on pvx sees the same
 * CPUID); Xen 4.17's does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sr.h"

/* One leaf of the record: Xen's struct xen_cpuid_leaf. */
struct sr_cpuid_leaf {
    uint32_t leaf, subleaf;
    uint32_t a, b, c, d;
};
_Static_assert(sizeof(struct sr_cpuid_leaf) == 24, "xen_cpuid_leaf");

#define NO_SUBLEAF 0xffffffffu

enum { REG_A, REG_B, REG_C, REG_D };

/* The feature words compared, and the bits in them that say nothing about
 * what the guest may use (they follow CR4, or say "a hypervisor"). */
static const struct {
    uint32_t leaf, subleaf;
    unsigned int reg;
    uint32_t ignore;
} words[] = {
    {1, 0, REG_C, (1u << 27) | (1u << 31)}, /* OSXSAVE, hypervisor */
    {1, 0, REG_D, 0},
    {7, 0, REG_B, 0},
    {7, 0, REG_C, 1u << 4}, /* OSPKE */
    {7, 0, REG_D, 0},
    {0xd, 1, REG_A, 0},
    {0x80000001, 0, REG_C, 0},
    {0x80000001, 0, REG_D, 0},
};

static const struct {
    uint32_t leaf;
    unsigned int reg, bit;
    const char *name;
} names[] = {
    {1, REG_D, 1, "VME"},
    {1, REG_D, 2, "DE"},
    {1, REG_D, 3, "PSE"},
    {1, REG_D, 7, "MCE"},
    {1, REG_D, 9, "APIC"},
    {1, REG_D, 12, "MTRR"},
    {1, REG_D, 13, "PGE"},
    {1, REG_D, 14, "MCA"},
    {1, REG_D, 16, "PAT"},
    {1, REG_D, 17, "PSE36"},
    {1, REG_D, 21, "DS"},
    {1, REG_D, 22, "ACPI"},
    {1, REG_D, 28, "HTT"},
    {1, REG_D, 29, "TM"},
    {1, REG_D, 31, "PBE"},
    {1, REG_C, 0, "SSE3"},
    {1, REG_C, 1, "PCLMULQDQ"},
    {1, REG_C, 3, "MONITOR"},
    {1, REG_C, 5, "VMX"},
    {1, REG_C, 9, "SSSE3"},
    {1, REG_C, 12, "FMA"},
    {1, REG_C, 13, "CX16"},
    {1, REG_C, 17, "PCID"},
    {1, REG_C, 19, "SSE4.1"},
    {1, REG_C, 20, "SSE4.2"},
    {1, REG_C, 21, "X2APIC"},
    {1, REG_C, 22, "MOVBE"},
    {1, REG_C, 23, "POPCNT"},
    {1, REG_C, 24, "TSC-DEADLINE"},
    {1, REG_C, 25, "AES"},
    {1, REG_C, 26, "XSAVE"},
    {1, REG_C, 28, "AVX"},
    {1, REG_C, 29, "F16C"},
    {1, REG_C, 30, "RDRAND"},
    {7, REG_B, 0, "FSGSBASE"},
    {7, REG_B, 3, "BMI1"},
    {7, REG_B, 5, "AVX2"},
    {7, REG_B, 7, "SMEP"},
    {7, REG_B, 8, "BMI2"},
    {7, REG_B, 9, "ERMS"},
    {7, REG_B, 10, "INVPCID"},
    {7, REG_B, 16, "AVX512F"},
    {7, REG_B, 18, "RDSEED"},
    {7, REG_B, 19, "ADX"},
    {7, REG_B, 20, "SMAP"},
    {7, REG_B, 23, "CLFLUSHOPT"},
    {7, REG_B, 24, "CLWB"},
    {7, REG_B, 29, "SHA"},
    {7, REG_C, 2, "UMIP"},
    {7, REG_C, 3, "PKU"},
    {7, REG_C, 16, "LA57"},
    {7, REG_C, 22, "RDPID"},
    {7, REG_D, 10, "MD_CLEAR"},
    {7, REG_D, 26, "IBRSB"},
    {7, REG_D, 27, "STIBP"},
    {7, REG_D, 28, "L1D_FLUSH"},
    {7, REG_D, 29, "ARCH_CAPS"},
    {7, REG_D, 31, "SSBD"},
    {0xd, REG_A, 0, "XSAVEOPT"},
    {0xd, REG_A, 1, "XSAVEC"},
    {0xd, REG_A, 3, "XSAVES"},
    {0x80000001, REG_C, 0, "LAHF"},
    {0x80000001, REG_C, 2, "SVM"},
    {0x80000001, REG_C, 5, "ABM"},
    {0x80000001, REG_D, 11, "SYSCALL"},
    {0x80000001, REG_D, 20, "NX"},
    {0x80000001, REG_D, 26, "PAGE1GB"},
    {0x80000001, REG_D, 27, "RDTSCP"},
    {0x80000001, REG_D, 29, "LM"},
};

/* CPUID as pvx answers a PV guest: the forced-emulation form (ud2a, "xen",
 * cpuid), which pvx emulates in either guest mode; a plain cpuid in dom0's
 * user space would show the machine's. */
static void pv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __asm__ volatile("ud2a; .ascii \"xen\"; cpuid"
                     : "=a"(r[REG_A]), "=b"(r[REG_B]), "=c"(r[REG_C]), "=d"(r[REG_D])
                     : "0"(leaf), "2"(subleaf));
}

static const char *name_of(uint32_t leaf, unsigned int reg, unsigned int bit)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].leaf == leaf && names[i].reg == reg && names[i].bit == bit)
            return names[i].name;
    return NULL;
}

int sr_check_cpuid_policy(struct sr_io *io, const void *body, uint32_t length)
{
    static const char regname[] = "ABCD";
    const struct sr_cpuid_leaf *leaves = body;
    char missing[400] = "";
    size_t used = 0;
    uint32_t n = length / sizeof(*leaves);

    if (length % sizeof(*leaves))
        return sr_fail(io, -EINVAL,
                       "X86_CPUID_POLICY record of %u bytes: not whole %zu-byte leaves", length,
                       sizeof(*leaves));
    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        uint32_t here[4], theirs = 0, lacking;
        bool found = false;

        for (uint32_t i = 0; i < n && !found; i++) {
            uint32_t sub = leaves[i].subleaf == NO_SUBLEAF ? 0 : leaves[i].subleaf;
            const uint32_t regs[4] = {leaves[i].a, leaves[i].b, leaves[i].c, leaves[i].d};

            if (leaves[i].leaf == words[w].leaf && sub == words[w].subleaf) {
                theirs = regs[words[w].reg];
                found = true;
            }
        }
        if (!found)
            continue;
        pv_cpuid(words[w].leaf, words[w].subleaf, here);
        lacking = theirs & ~here[words[w].reg] & ~words[w].ignore;
        for (unsigned int bit = 0; bit < 32 && used < sizeof(missing) - 1; bit++) {
            const char *name;
            int len;

            if (!(lacking & (1u << bit)))
                continue;
            name = name_of(words[w].leaf, words[w].reg, bit);
            if (name)
                len = snprintf(missing + used, sizeof(missing) - used, "%s%s", used ? ", " : "",
                               name);
            else
                len = snprintf(missing + used, sizeof(missing) - used, "%sCPUID %#x.%u E%cX bit %u",
                               used ? ", " : "", words[w].leaf, words[w].subleaf,
                               regname[words[w].reg], bit);
            used += len > 0 ? (size_t)len : 0;
            if (used >= sizeof(missing))
                used = sizeof(missing) - 1;
        }
    }
    if (!used)
        return 0;
    return sr_fail(io, -EOPNOTSUPP,
                   "the guest started with CPU features this host hides from PV guests (%s): "
                   "it would crash using them; restore it where they are offered",
                   missing);
}
