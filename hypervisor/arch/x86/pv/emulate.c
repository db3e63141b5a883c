/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Emulation of the privileged instructions PV kernels execute (they run in
 * ring 3, so each one faults with #GP) and of the forced-emulation CPUID.
 *
 * What the guest sees:
 *   CR0  the real CR0 with the guest's virtual TS; only TS may change
 *   CR2  the last page-fault address delivered; CR3 its kernel L4;
 *   CR4  PAE/MCE/OSFXSR/OSXMMEXCPT from the host plus TSD/DE it set
 *   MSRs FS/GS bases, EFER (read; writes of the same value), APIC base, PAT
 *        (the fixed value Xen gives PV guests), TSC, MISC_ENABLE; writes to
 *        the syscall MSRs are dropped; anything else #GP
 *   I/O  with a virtual IOPL or I/O bitmap permitting it: the real port for
 *        the control domain (except ports pvx drives), all-ones reads and
 *        dropped writes otherwise; in/out and the string forms ins/outs
 *        (with rep)
 *   DRn  through set_debugreg/get_debugreg's rules (debugreg.c): a refused
 *        value #GP, a register that does not exist #UD
 *   cli/sti are no-ops with enough IOPL; wbinvd flushes for the control
 *        domain only; hlt is not emulated (#GP, as on Xen: PV kernels block
 *        with SCHEDOP_block)
 */
#include <asm/apic.h>
#include <asm/processor.h>
#include <asm/pv/mm.h>
#include <asm/pv/traps.h>
#include <pvx/domain.h>
#include <pvx/errno.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <pvx/sched.h>
#include <pvx/version.h>

#define MSR_TSC          0x00000010
#define MSR_MISC_ENABLE  0x000001a0
#define MSR_PAT          0x00000277
#define MSR_BIOS_SIGN_ID 0x0000008b
#define MSR_STAR         0xc0000081
#define MSR_LSTAR        0xc0000082
#define MSR_CSTAR        0xc0000083
#define MSR_SFMASK       0xc0000084
#define MSR_TSC_AUX      0xc0000103
#define PV_PAT_VALUE     0x0000050100070406ULL /* WB WT UC- UC WC WP UC UC */

#define X86_CR4_MCE 0x040

static uint64_t guest_cr4(const struct vcpu *v)
{
    return (read_cr4() & (X86_CR4_PAE | X86_CR4_MCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)) |
           v->arch.cr4_guest_bits;
}

static bool read_msr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        *val = rdmsr(msr);
        return true;
    case MSR_APIC_BASE:
        *val = 0xfee00000ULL | (1 << 11) | (v->vcpu_id == 0 ? 1 << 8 : 0);
        return true;
    case MSR_EFER:
        *val = rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | (1 << 10) | EFER_NXE);
        return true;
    case MSR_PAT:
        *val = PV_PAT_VALUE;
        return true;
    case MSR_TSC:
        *val = rdtsc();
        return true;
    case MSR_MISC_ENABLE:
        *val = 1 | (1 << 11) | (1 << 12); /* fast strings; no BTS, no PEBS */
        return true;
    case MSR_BIOS_SIGN_ID:
        *val = 0; /* no microcode revision to report */
        return true;
    default:
        return false;
    }
}

static bool write_msr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_SHADOW_GS_BASE:
        if (!is_canonical(val))
            return false;
        wrmsr(msr, val);
        if (msr == MSR_FS_BASE)
            v->arch.fs_base = val;
        return true;
    case MSR_EFER: {
        uint64_t cur;
        read_msr(v, MSR_EFER, &cur);
        return val == cur;
    }
    case MSR_PAT:
        return val == PV_PAT_VALUE;
    case MSR_BIOS_SIGN_ID:
        return true; /* Linux clears it before reading the revision: harmless */
    default:
        /* Everything else, the syscall/sysenter MSRs included (pvx owns the
         * entry points), is refused with #GP. */
        return false;
    }
}

/* Ports pvx drives itself; a guest never reaches them. */
static bool port_owned_by_pvx(uint16_t port)
{
    return (port >= 0x20 && port <= 0x21) || (port >= 0xa0 && port <= 0xa1) ||
           (port >= 0x40 && port <= 0x43) || (port >= 0x3f8 && port <= 0x3ff) || port == 0xf4;
}

static bool io_permitted(const struct vcpu *v, uint16_t port, unsigned int size)
{
    uint8_t bits[2];
    uint64_t at;

    if (v->arch.iopl >= (v->arch.kernel_mode ? 1u : 3u))
        return true;
    if (!v->arch.iobmp || (unsigned int)port + size > v->arch.iobmp_ports)
        return false;
    /* A clear bit for every byte of the access allows it (as in a TSS). */
    at = v->arch.iobmp + port / 8;
    if (copy_from_guest(bits, at, 2))
        return false;
    return !((((uint32_t)bits[1] << 8 | bits[0]) >> (port & 7)) & ((1u << size) - 1));
}

/* dom0 reaches every port pvx does not drive itself; a domU only those the
 * toolstack granted it (domctl ioport_permission). */
static bool port_allowed(const struct domain *d, uint16_t port, unsigned int size)
{
    if (port_owned_by_pvx(port) || port_owned_by_pvx((uint16_t)(port + size - 1)))
        return false;
    return d->is_privileged || rangeset_contains(&d->ioport_caps, port, port + size - 1);
}

static uint32_t port_in(const struct vcpu *v, uint16_t port, unsigned int size)
{
    uint32_t val = 0;

    if (!port_allowed(v->domain, port, size))
        return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    if (size == 1)
        val = inb(port);
    else if (size == 2)
        __asm__ volatile("inw %1, %w0" : "=a"(val) : "Nd"(port));
    else
        __asm__ volatile("inl %1, %0" : "=a"(val) : "Nd"(port));
    return val;
}

static void port_out(const struct vcpu *v, uint16_t port, unsigned int size, uint32_t val)
{
    if (!port_allowed(v->domain, port, size))
        return;
    if (size == 1)
        outb(port, (uint8_t)val);
    else if (size == 2)
        __asm__ volatile("outw %w0, %1" : : "a"(val), "Nd"(port));
    else
        outl(port, val);
}

/* At most this many iterations of a rep ins/outs per trap: the rest runs
 * when the guest executes the instruction again (RIP stays, RCX counts down),
 * as a CPU restarts a string instruction after an interrupt. */
#define STRING_IO_BATCH 4096

/*
 * ins/outs, with or without rep: one element of size bytes at a time between
 * the port and the guest's memory at RDI (ins, ES) or RSI (outs, DS or a
 * segment override; 64-bit mode's flat segments, so FS and GS overrides are
 * refused), stepping by the direction flag.  Linux's ioread8_rep (QEMU's
 * fw_cfg driver, ATA PIO) uses them.  False: #GP, as for an unknown
 * instruction (a guest address that faults, an address-size override).
 */
static bool string_io(struct vcpu *v, struct cpu_user_regs *regs, uint8_t op, unsigned int size,
                      bool rep, unsigned int len)
{
    bool in = op <= 0x6d;
    uint16_t port = (uint16_t)regs->rdx;
    int64_t step = (regs->rflags & (1u << 10)) ? -(int64_t)size : (int64_t)size;
    uint64_t *addr = in ? &regs->rdi : &regs->rsi;
    unsigned int n;

    if (!io_permitted(v, port, size))
        return false;
    for (n = 0; !rep || (regs->rcx && n < STRING_IO_BATCH); n++) {
        uint32_t val = 0;

        if (in) {
            val = port_in(v, port, size);
            if (copy_to_guest(*addr, &val, size))
                return false;
        } else {
            if (copy_from_guest(&val, *addr, size))
                return false;
            port_out(v, port, size, val);
        }
        *addr += (uint64_t)step;
        if (!rep)
            break;
        regs->rcx--;
    }
    if (!rep || !regs->rcx)
        regs->rip += len;
    return true;
}

static void merge_result(uint64_t *reg, uint32_t val, unsigned int size)
{
    if (size == 4)
        *reg = val; /* a 32-bit destination zero-extends */
    else
        *reg = (*reg & ~(uint64_t)((1u << (size * 8)) - 1)) | val;
}

bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs, uint64_t *io_hits)
{
    uint8_t insn[16];
    unsigned int i = 0, rex = 0, opsize = 4;
    bool kernel = v->arch.kernel_mode, rep = false, addr32 = false, fsgs = false;

    *io_hits = 0;
    if (copy_from_guest(insn, regs->rip, sizeof(insn)) &&
        copy_from_guest(insn, regs->rip, 4)) /* near the end of a mapping */
        return false;
    for (; i < 4; i++) {
        if (insn[i] == 0x66)
            opsize = 2;
        else if (insn[i] == 0xf3 || insn[i] == 0xf2)
            rep = true;
        else if (insn[i] == 0x67)
            addr32 = true;
        else if (insn[i] == 0x64 || insn[i] == 0x65)
            fsgs = true;
        else if (insn[i] == 0x2e || insn[i] == 0x3e || insn[i] == 0x26 || insn[i] == 0x36)
            continue;
        else
            break;
    }
    if ((insn[i] & 0xf0) == 0x40) {
        rex = insn[i];
        i++;
    }

    switch (insn[i]) {
    case 0xe4: /* in al/ax/eax, imm8 */
    case 0xe5:
    case 0xec: /* in al/ax/eax, dx */
    case 0xed: {
        unsigned int size = (insn[i] & 1) ? opsize : 1;
        uint16_t port = (insn[i] & 8) ? (uint16_t)regs->rdx : insn[i + 1];

        if (!io_permitted(v, port, size))
            return false;
        merge_result(&regs->rax, port_in(v, port, size), size);
        *io_hits = pv_io_breakpoint_hits(v, port, size);
        regs->rip += i + ((insn[i] & 8) ? 1 : 2);
        return true;
    }
    case 0xe6: /* out imm8, al/ax/eax */
    case 0xe7:
    case 0xee: /* out dx, al/ax/eax */
    case 0xef: {
        unsigned int size = (insn[i] & 1) ? opsize : 1;
        uint16_t port = (insn[i] & 8) ? (uint16_t)regs->rdx : insn[i + 1];

        if (!io_permitted(v, port, size))
            return false;
        port_out(v, port, size, (uint32_t)regs->rax);
        *io_hits = pv_io_breakpoint_hits(v, port, size);
        regs->rip += i + ((insn[i] & 8) ? 1 : 2);
        return true;
    }
    case 0x6c: /* insb */
    case 0x6d: /* insw/insd */
    case 0x6e: /* outsb */
    case 0x6f: /* outsw/outsd */
        /* 32-bit addressing and FS/GS-relative sources are not emulated. */
        if (addr32 || (fsgs && insn[i] >= 0x6e))
            return false;
        if (!string_io(v, regs, insn[i], (insn[i] & 1) ? opsize : 1, rep, i + 1))
            return false;
        *io_hits = pv_io_breakpoint_hits(v, (uint16_t)regs->rdx, (insn[i] & 1) ? opsize : 1);
        return true;
    case 0xfa: /* cli */
    case 0xfb: /* sti */
        if (v->arch.iopl < (kernel ? 1u : 3u))
            return false;
        regs->rip += i + 1;
        return true;
    case 0x0f:
        break;
    default:
        return false;
    }

    if (!kernel)
        return false;
    i++;
    switch (insn[i]) {
    case 0x06: /* clts */
        v->arch.virtual_ts = false;
        write_cr0(read_cr0() & ~X86_CR0_TS);
        regs->rip += i + 1;
        return true;
    case 0x08: /* invd */
    case 0x09: /* wbinvd */
        if (v->domain->is_privileged)
            __asm__ volatile("wbinvd" ::: "memory");
        regs->rip += i + 1;
        return true;
    case 0x30: { /* wrmsr */
        uint64_t val = (regs->rdx << 32) | (uint32_t)regs->rax;

        if (!write_msr(v, (uint32_t)regs->rcx, val))
            return false;
        regs->rip += i + 1;
        return true;
    }
    case 0x32: { /* rdmsr */
        uint64_t val;

        if (!read_msr(v, (uint32_t)regs->rcx, &val))
            return false;
        regs->rax = (uint32_t)val;
        regs->rdx = val >> 32;
        regs->rip += i + 1;
        return true;
    }
    case 0x21:   /* mov %drN, reg */
    case 0x23: { /* mov reg, %drN */
        uint8_t modrm = insn[i + 1];
        uint64_t *reg = guest_gpr(regs, (modrm & 7) | ((rex & 1) << 3));
        unsigned int dr = (modrm >> 3) & 7;
        long rc;

        /* The CPU takes the r/m field as a register whatever the mod bits;
         * REX.R would name DR8-DR15, which do not exist. */
        if (rex & 4)
            rc = -ENODEV;
        else if (insn[i] == 0x21)
            rc = pv_get_debugreg(v, dr, reg);
        else
            rc = pv_set_debugreg(v, dr, *reg);
        if (rc == -ENODEV) {
            if (!pv_inject_exception(v, regs, 6, false, 0))
                domain_crash(v->domain, "#UD at %#llx; the guest has no handler",
                             (unsigned long long)regs->rip);
            return true;
        }
        if (rc)
            return false; /* a value set_debugreg refuses: #GP(0) */
        regs->rip += i + 2;
        return true;
    }
    case 0x20:   /* mov %crN, reg */
    case 0x22: { /* mov reg, %crN */
        uint8_t modrm = insn[i + 1];
        unsigned int cr = ((modrm >> 3) & 7) | ((rex & 4) << 1);
        uint64_t *reg = guest_gpr(regs, (modrm & 7) | ((rex & 1) << 3));

        if ((modrm >> 6) != 3)
            return false;
        if (insn[i] == 0x20) {
            switch (cr) {
            case 0:
                *reg = (read_cr0() & ~X86_CR0_TS) | (v->arch.virtual_ts ? X86_CR0_TS : 0);
                break;
            case 2:
                *reg = v->arch.guest_cr2;
                break;
            case 3:
                *reg = v->arch.guest_table << PAGE_SHIFT;
                break;
            case 4:
                *reg = guest_cr4(v);
                break;
            default:
                return false;
            }
        } else {
            switch (cr) {
            case 0:
                if ((*reg ^ read_cr0()) & ~(uint64_t)X86_CR0_TS)
                    return false;
                v->arch.virtual_ts = (*reg & X86_CR0_TS) != 0;
                write_cr0(*reg);
                break;
            case 2:
                v->arch.guest_cr2 = *reg;
                break;
            case 3: {
                int rc = pv_set_guest_table(v, *reg >> PAGE_SHIFT, false, true);

                /* A validation that stopped goes on when the guest runs the
                 * same instruction again (its RIP stays). */
                if (rc == -ERESTART)
                    return true;
                if (rc)
                    return false;
                break;
            }
            case 4:
                /* Keep only what a PV guest may control (TSD, DE). */
                v->arch.cr4_guest_bits = *reg & (X86_CR4_TSD | X86_CR4_DE);
                break;
            default:
                return false;
            }
        }
        regs->rip += i + 2;
        return true;
    }
    default:
        return false;
    }
}

/*
 * CPUID as a PV guest sees it: hide what a ring-3 kernel cannot use or pvx
 * does not virtualise (large and global pages, PCID, x2APIC, TSC deadline,
 * MTRR, VMX/SVM, MONITOR, XSAVE, FSGSBASE, SMEP/SMAP/UMIP/PKU, LA57, 1 GiB
 * pages), set the hypervisor bit, and answer the hypervisor leaves.
 */
void pv_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    if (leaf >= 0x40000000 && leaf < 0x40010000) {
        *a = *b = *c = *d = 0;
        switch (leaf) {
        case 0x40000000:
            *a = 0x40000005;
            *b = 0x566e6558; /* "XenVMMXenVMM" */
            *c = 0x65584d4d;
            *d = 0x4d4d566e;
            break;
        case 0x40000001:
            *a = (PVX_XEN_COMPAT_MAJOR << 16) | PVX_XEN_COMPAT_MINOR;
            break;
        case 0x40000002:
            *a = 1; /* one hypercall page */
            *c = 1; /* MMU_PT_UPDATE_PRESERVE_AD */
            break;
        default:
            break;
        }
        return;
    }
    cpuid_count(leaf, sub, a, b, c, d);
    switch (leaf) {
    case 1:
        *c &= ~((1u << 3) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 11) |
                (1u << 17) | (1u << 18) | (1u << 21) | (1u << 24) | (1u << 26) | (1u << 27));
        *c |= 1u << 31; /* running on a hypervisor */
        /* Also MCE/MCA: machine checks are pvx's to handle, not the guest's. */
        *d &= ~((1u << 1) | (1u << 3) | (1u << 7) | (1u << 12) | (1u << 13) | (1u << 14) |
                (1u << 17) | (1u << 21) | (1u << 29) | (1u << 31));
        break;
    case 5:   /* MONITOR/MWAIT */
    case 6:   /* thermal and power */
    case 0xd: /* XSAVE */
        *a = *b = *c = *d = 0;
        break;
    case 7:
        if (sub == 0) {
            *b &= ~((1u << 0) | (1u << 1) | (1u << 7) | (1u << 10) | (1u << 12) | (1u << 14) |
                    (1u << 15) | (1u << 20));
            *c &= ~((1u << 2) | (1u << 3) | (1u << 4) | (1u << 16));
        } else {
            *a = *b = *c = *d = 0;
        }
        break;
    case 0x80000001:
        *c &= ~((1u << 2) | (1u << 3)); /* SVM, extended APIC space */
        *d &= ~(1u << 26);              /* 1 GiB pages */
        break;
    default:
        break;
    }
}

bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs)
{
    static const uint8_t sig[7] = {0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2};
    uint8_t insn[7];
    uint32_t a, b, c, d;

    (void)v;
    if (copy_from_guest(insn, regs->rip, sizeof(insn)) || memcmp(insn, sig, sizeof(sig)))
        return false;
    pv_cpuid((uint32_t)regs->rax, (uint32_t)regs->rcx, &a, &b, &c, &d);
    regs->rax = a;
    regs->rbx = b;
    regs->rcx = c;
    regs->rdx = d;
    regs->rip += sizeof(sig);
    return true;
}
