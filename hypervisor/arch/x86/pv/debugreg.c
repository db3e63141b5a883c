/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A PV guest's debug registers (set_debugreg/get_debugreg, and `mov` to and
 * from %drN, which the guest kernel's ring 3 turns into #GP for emulate.c).
 *
 * Values follow Xen's rules: breakpoint addresses outside the hypervisor's
 * range, the upper halves of DR6/DR7 refused, their reserved bits forced,
 * DR7.GD refused (it would trap pvx's own accesses), I/O breakpoints only
 * with the guest's CR4.DE (and then only remembered: no port access of a
 * guest reaches the real I/O breakpoint logic), DR4/DR5 as aliases of
 * DR6/DR7 unless CR4.DE.  No length or alignment rule is enforced.
 *
 * The real registers hold a vCPU's values only while DR7 enables something:
 * a vCPU that uses no breakpoint costs nothing on a switch (DR7 of the CPU
 * stays 0).  A #DB is recorded into the vCPU's DR6 the way the CPU reports
 * it and bounced to the guest; one raised inside pvx (a watchpoint on guest
 * memory pvx copies to, or a `mov ss` shadow reaching the syscall entry) is
 * noted and dropped.  #DB runs on its own IST stack (entry.S) so that the
 * second case never lands on a guest stack pointer.
 */
#include <asm/current.h>
#include <asm/debugreg.h>
#include <asm/processor.h>
#include <asm/pv/traps.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/hypercall.h>
#include <pvx/lib.h>

#define X86_EFLAGS_TF 0x100

/* Not an address in or around pvx's range: the lower canonical half or
 * above pvx's reserved slots (every breakpoint is at most 8 bytes and
 * naturally aligned, so the start decides). */
static bool breakpoint_addr_ok(uint64_t addr)
{
    return addr < (1ULL << 47) || addr >= PVX_VIRT_END;
}

static bool guest_de(const struct vcpu *v)
{
    return (v->arch.cr4_guest_bits & X86_CR4_DE) != 0;
}

static void write_dr_addr(unsigned int n, uint64_t value)
{
    switch (n) {
    case 0:
        write_dr0(value);
        break;
    case 1:
        write_dr1(value);
        break;
    case 2:
        write_dr2(value);
        break;
    default:
        write_dr3(value);
        break;
    }
}

/* Everything but DR7 (which the caller writes last). */
static void load_breakpoints(const struct vcpu *v)
{
    for (unsigned int n = 0; n < 4; n++)
        write_dr_addr(n, v->arch.debugreg[n]);
    write_dr6(v->arch.debugreg[6]);
}

static long set_dr7(struct vcpu *v, uint64_t value)
{
    struct arch_vcpu *a = &v->arch;
    uint64_t io_enables = 0;

    if (value >> 32)
        return -EINVAL;
    value = (value & DR7_WRITABLE) | DR7_DEFAULT;
    if (value & DR7_GD)
        return -EPERM;
    if (value & DR7_ENABLE_MASK) {
        for (unsigned int n = 0; n < 4; n++) {
            if (DR7_RW(value, n) != DR7_RW_IO)
                continue;
            if (!guest_de(v))
                return -EPERM;
            io_enables |= value & (3ULL << (n * 2));
        }
        /* The CPU's DR0-DR3/DR6 were left alone while this vCPU's DR7
         * enabled nothing: load them before DR7 arms them. */
        if (v == current && !(a->debugreg[7] & DR7_ENABLE_MASK))
            load_breakpoints(v);
    }
    a->dr7_emul = io_enables;
    a->debugreg[7] = value & ~io_enables;
    if (v == current)
        write_dr7(a->debugreg[7]);
    return 0;
}

long pv_set_debugreg(struct vcpu *v, unsigned int reg, uint64_t value)
{
    struct arch_vcpu *a = &v->arch;

    switch (reg) {
    case 0:
    case 1:
    case 2:
    case 3:
        if (!breakpoint_addr_ok(value))
            return -EPERM;
        a->debugreg[reg] = value;
        if (v == current)
            write_dr_addr(reg, value);
        return 0;
    case 4:
        if (guest_de(v))
            return -ENODEV;
        /* fall through - DR4 is DR6 */
    case 6:
        if (value >> 32)
            return -EINVAL;
        a->debugreg[6] = (value & DR6_WRITABLE) | DR6_DEFAULT;
        if (v == current)
            write_dr6(a->debugreg[6]);
        return 0;
    case 5:
        if (guest_de(v))
            return -ENODEV;
        /* fall through - DR5 is DR7 */
    case 7:
        return set_dr7(v, value);
    default:
        return -ENODEV;
    }
}

int pv_get_debugreg(const struct vcpu *v, unsigned int reg, uint64_t *value)
{
    const struct arch_vcpu *a = &v->arch;

    switch (reg) {
    case 0:
    case 1:
    case 2:
    case 3:
        *value = a->debugreg[reg];
        return 0;
    case 4:
    case 6:
        if (reg == 4 && guest_de(v))
            return -ENODEV;
        *value = a->debugreg[6];
        return 0;
    case 5:
    case 7:
        if (reg == 5 && guest_de(v))
            return -ENODEV;
        *value = a->debugreg[7] | a->dr7_emul;
        return 0;
    default:
        return -ENODEV;
    }
}

void pv_reset_debugregs(struct vcpu *v)
{
    struct arch_vcpu *a = &v->arch;

    for (unsigned int n = 0; n < 4; n++)
        a->debugreg[n] = 0;
    a->debugreg[4] = a->debugreg[5] = 0;
    a->debugreg[6] = DR6_DEFAULT;
    a->debugreg[7] = DR7_DEFAULT;
    a->dr7_emul = 0;
}

void pv_debugregs_switch_in(const struct vcpu *v)
{
    if (v->arch.debugreg[7] & DR7_ENABLE_MASK) {
        load_breakpoints(v);
        write_dr7(v->arch.debugreg[7]);
    }
}

void pv_debugregs_switch_out(const struct vcpu *v)
{
    if (v->arch.debugreg[7] & DR7_ENABLE_MASK)
        write_dr7(0);
}

void pv_debug_status_from_trap(struct vcpu *v)
{
    uint64_t dr6 = read_dr6();

    /* The CPU never clears what it set: reset it so the next #DB reports
     * only its own cause, and let the guest's copy accumulate as a real
     * DR6 would until the guest clears it. */
    write_dr6(DR6_DEFAULT);
    v->arch.debugreg[6] |= dr6 & ~DR6_DEFAULT;
    v->arch.debugreg[6] &= dr6 | ~DR6_DEFAULT;
}

uint64_t pv_io_breakpoint_hits(const struct vcpu *v, uint16_t port, unsigned int size)
{
    static const unsigned int width_of_len[4] = {1, 2, 8, 4}; /* DR7 LEN 00, 01, 10, 11 */
    uint64_t hits = 0;

    if (!v->arch.dr7_emul || !guest_de(v))
        return 0;
    for (unsigned int n = 0; n < 4; n++) {
        unsigned int width = width_of_len[(v->arch.debugreg[7] >> (18 + n * 4)) & 3];
        uint64_t start = v->arch.debugreg[n] & ~(uint64_t)(width - 1);

        if (DR7_ENABLED(v->arch.dr7_emul, n) && start < (uint64_t)port + size &&
            start + width > port)
            hits |= DR6_HIT(n);
    }
    return hits;
}

void debug_trap_in_hypervisor(struct cpu_user_regs *regs)
{
    static unsigned int reported;
    uint64_t dr6 = read_dr6(), dr7 = read_dr7();

    /* DR6 and DR7 are the guest's here: only pvx's own state decides. */
    write_dr6(DR6_DEFAULT);
    regs->rflags &= ~(uint64_t)X86_EFLAGS_TF; /* pvx never single-steps itself */
    /* A guest may not place an instruction breakpoint on pvx's code, but a
     * fault-type breakpoint here would fire again forever: disarm all. */
    for (unsigned int n = 0; n < 4; n++)
        if ((dr6 & DR6_HIT(n)) && DR7_ENABLED(dr7, n) && DR7_RW(dr7, n) == DR7_RW_EXECUTE) {
            printk("pvx: instruction breakpoint hit in pvx at %#llx; guest breakpoints "
                   "disarmed\n",
                   (unsigned long long)regs->rip);
            write_dr7(0);
            break;
        }
    if (reported < 16) {
        reported++;
        printk("pvx: #DB in pvx at %#llx (dr6 %#llx), from a guest's debug state; ignored\n",
               (unsigned long long)regs->rip, (unsigned long long)dr6);
    }
}

/* The register number is an int in Xen's prototype: only its low half counts. */
long do_set_debugreg(uint64_t reg, uint64_t value, uint64_t a3, uint64_t a4, uint64_t a5)
{
    return pv_set_debugreg(current, (unsigned int)reg, value);
}

long do_get_debugreg(uint64_t reg, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    uint64_t value;

    if (pv_get_debugreg(current, (unsigned int)reg, &value))
        return -ENODEV;
    return (long)value;
}
