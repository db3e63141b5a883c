/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writable page tables (VMASST_TYPE_writable_pagetables, and always for the
 * privileged domain as on Xen): a guest kernel
 * stores straight into its own L1 page tables, which it can only map
 * read-only; the write faults and pvx emulates the one instruction, checking
 * the resulting entry exactly as mmu_update would.
 *
 * Only the stores compilers and PV kernels use on page-table entries are
 * decoded: MOV (register or immediate source), XCHG, LOCK CMPXCHG, LOCK
 * AND/OR and LOCK BTS/BTR/BTC, in byte, dword or qword size, with any
 * ModRM/SIB/displacement or RIP-relative memory operand.  The store must be
 * naturally aligned (so it stays inside one entry) and its address must be
 * the faulting one.  A store narrower than an entry is merged into the
 * entry's other bytes before the check.  Anything else is left to the guest
 * as an ordinary #PF.
 */
#include <asm/pv/mm.h>
#include <asm/regs.h>
#include <pvx/arch.h>
#include <pvx/domain.h>
#include <pvx/guest_access.h>
#include <pvx/lib.h>
#include <public/xen.h>

#define PFEC_PRESENT  (1U << 0)
#define PFEC_WRITE    (1U << 1)
#define PFEC_RESERVED (1U << 3)
#define PFEC_IFETCH   (1U << 4)

#define EFLAGS_CF    0x001ULL
#define EFLAGS_PF    0x004ULL
#define EFLAGS_AF    0x010ULL
#define EFLAGS_ZF    0x040ULL
#define EFLAGS_SF    0x080ULL
#define EFLAGS_OF    0x800ULL
#define EFLAGS_ARITH (EFLAGS_CF | EFLAGS_PF | EFLAGS_AF | EFLAGS_ZF | EFLAGS_SF | EFLAGS_OF)

#define MAX_INSN_LEN 15

enum op {
    OP_MOV,
    OP_XCHG,
    OP_CMPXCHG,
    OP_AND,
    OP_OR,
    OP_BTS,
    OP_BTR,
    OP_BTC,
};

struct insn {
    uint8_t buf[MAX_INSN_LEN];
    unsigned int avail, pos; /* bytes fetched, bytes consumed */
    uint8_t rex;
    bool opsize16;
    enum op op;
    unsigned int size; /* operand size in bytes: 1, 4 or 8 */
    bool src_is_reg;   /* else an immediate */
    unsigned int reg;  /* ModRM.reg (with REX.R) */
    uint64_t imm;
    uint64_t ea;
    bool rip_relative;
};

#define REX_W 8
#define REX_R 4
#define REX_X 2
#define REX_B 1

static uint64_t size_mask(unsigned int size)
{
    return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Byte registers 4-7 are AH, CH, DH, BH unless a REX prefix is present. */
static uint64_t read_reg(struct cpu_user_regs *r, unsigned int n, unsigned int size, uint8_t rex)
{
    if (size == 1 && !rex && n >= 4 && n < 8)
        return (*guest_gpr(r, n - 4) >> 8) & 0xff;
    return *guest_gpr(r, n) & size_mask(size);
}

/* 32-bit results zero the upper half; byte results leave the rest alone. */
static void write_reg(struct cpu_user_regs *r, unsigned int n, unsigned int size, uint8_t rex,
                      uint64_t val)
{
    uint64_t *p;

    if (size == 1 && !rex && n >= 4 && n < 8) {
        p = guest_gpr(r, n - 4);
        *p = (*p & ~0xff00ULL) | ((val & 0xff) << 8);
        return;
    }
    p = guest_gpr(r, n);
    if (size == 1)
        *p = (*p & ~0xffULL) | (val & 0xff);
    else
        *p = val & size_mask(size);
}

/* ---- fetching and decoding ---- */

static void fetch(struct insn *in, uint64_t rip)
{
    if (!copy_from_guest(in->buf, rip, MAX_INSN_LEN)) {
        in->avail = MAX_INSN_LEN;
        return;
    }
    /* The instruction may end just before an unmapped page. */
    for (in->avail = 0; in->avail < MAX_INSN_LEN; in->avail++)
        if (copy_from_guest(&in->buf[in->avail], rip + in->avail, 1))
            break;
}

static bool next_byte(struct insn *in, uint8_t *b)
{
    if (in->pos >= in->avail)
        return false;
    *b = in->buf[in->pos++];
    return true;
}

static bool next_imm(struct insn *in, unsigned int bytes, uint64_t *out)
{
    uint64_t v = 0;
    uint8_t b;

    for (unsigned int i = 0; i < bytes; i++) {
        if (!next_byte(in, &b))
            return false;
        v |= (uint64_t)b << (8 * i);
    }
    /* Immediates and displacements are sign-extended to 64 bits. */
    if (bytes < 8 && (v >> (8 * bytes - 1)) & 1)
        v |= ~0ULL << (8 * bytes);
    *out = v;
    return true;
}

/* The memory operand of a ModRM byte; false for a register operand. */
static bool decode_modrm(struct insn *in, struct cpu_user_regs *regs)
{
    uint8_t modrm, sib, mod, rm;
    uint64_t disp = 0;

    if (!next_byte(in, &modrm))
        return false;
    mod = modrm >> 6;
    rm = modrm & 7;
    in->reg = ((modrm >> 3) & 7) | ((in->rex & REX_R) ? 8 : 0);
    if (mod == 3)
        return false;
    in->ea = 0;
    if (rm == 4) {
        unsigned int index, base;

        if (!next_byte(in, &sib))
            return false;
        index = ((sib >> 3) & 7) | ((in->rex & REX_X) ? 8 : 0);
        base = (sib & 7) | ((in->rex & REX_B) ? 8 : 0);
        if (index != 4)
            in->ea += *guest_gpr(regs, index) << (sib >> 6);
        if ((base & 7) == 5 && mod == 0) {
            if (!next_imm(in, 4, &disp))
                return false;
        } else {
            in->ea += *guest_gpr(regs, base);
        }
    } else if (rm == 5 && mod == 0) {
        in->rip_relative = true; /* completed once the length is known */
        if (!next_imm(in, 4, &disp))
            return false;
    } else {
        in->ea += *guest_gpr(regs, rm | ((in->rex & REX_B) ? 8 : 0));
    }
    if (mod == 1 && !next_imm(in, 1, &disp))
        return false;
    if (mod == 2 && !next_imm(in, 4, &disp))
        return false;
    in->ea += disp;
    return true;
}

/* Group 1 (0x80/0x81/0x83): only AND (/4) and OR (/1) are page-table ops. */
static bool group1_op(struct insn *in)
{
    switch (in->reg & 7) {
    case 1:
        in->op = OP_OR;
        return true;
    case 4:
        in->op = OP_AND;
        return true;
    default:
        return false;
    }
}

static bool decode_twobyte(struct insn *in, struct cpu_user_regs *regs)
{
    uint8_t opc;

    if (!next_byte(in, &opc) || !decode_modrm(in, regs))
        return false;
    in->src_is_reg = true;
    switch (opc) {
    case 0xb1:
        in->op = OP_CMPXCHG;
        return true;
    case 0xab:
        in->op = OP_BTS;
        return true;
    case 0xb3:
        in->op = OP_BTR;
        return true;
    case 0xbb:
        in->op = OP_BTC;
        return true;
    case 0xba: /* BT* r/m, imm8 */
        in->src_is_reg = false;
        if (!next_imm(in, 1, &in->imm))
            return false;
        switch (in->reg & 7) {
        case 5:
            in->op = OP_BTS;
            return true;
        case 6:
            in->op = OP_BTR;
            return true;
        case 7:
            in->op = OP_BTC;
            return true;
        default:
            return false; /* BT does not write */
        }
    default:
        return false;
    }
}

static bool decode_onebyte(struct insn *in, uint8_t opc, struct cpu_user_regs *regs)
{
    bool byte = !(opc & 1); /* 0x88, 0x86, 0x08, 0x20, 0xc6, 0x80 */

    if (!decode_modrm(in, regs))
        return false;
    if (byte)
        in->size = 1;
    in->src_is_reg = true;
    switch (opc) {
    case 0x88:
    case 0x89:
        in->op = OP_MOV;
        return true;
    case 0x86:
    case 0x87:
        in->op = OP_XCHG;
        return true;
    case 0x08:
    case 0x09:
        in->op = OP_OR;
        return true;
    case 0x20:
    case 0x21:
        in->op = OP_AND;
        return true;
    case 0xc6:
    case 0xc7:
        in->src_is_reg = false;
        in->op = OP_MOV;
        return (in->reg & 7) == 0 && next_imm(in, byte ? 1 : 4, &in->imm);
    case 0x80:
    case 0x81:
    case 0x83:
        in->src_is_reg = false;
        return group1_op(in) && next_imm(in, opc == 0x81 ? 4 : 1, &in->imm);
    default:
        return false;
    }
}

static bool decode(struct insn *in, struct cpu_user_regs *regs)
{
    uint8_t b;

    /* Legacy prefixes, then at most one REX immediately before the opcode. */
    for (;;) {
        if (!next_byte(in, &b))
            return false;
        if (b == 0xf0 || b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36)
            continue; /* LOCK; null segment overrides in 64-bit mode */
        if (b == 0x66) {
            in->opsize16 = true;
            continue;
        }
        break; /* FS/GS overrides, 0x67 and REP are not page-table stores */
    }
    if ((b & 0xf0) == 0x40) {
        in->rex = b;
        if (!next_byte(in, &b))
            return false;
    }
    if (in->opsize16)
        return false; /* 16-bit stores are not used on entries */
    in->size = (in->rex & REX_W) ? 8 : 4;
    if (b == 0x0f ? !decode_twobyte(in, regs) : !decode_onebyte(in, b, regs))
        return false;
    if (in->rip_relative)
        in->ea += regs->rip + in->pos;
    in->imm &= size_mask(in->size); /* sign-extended to the operand size */
    return true;
}

/* ---- execution ---- */

static bool parity_even(uint8_t v)
{
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return !(v & 1);
}

static uint64_t result_flags(uint64_t res, unsigned int size)
{
    uint64_t f = 0;

    res &= size_mask(size);
    if (!res)
        f |= EFLAGS_ZF;
    if ((res >> (size * 8 - 1)) & 1)
        f |= EFLAGS_SF;
    if (parity_even((uint8_t)res))
        f |= EFLAGS_PF;
    return f;
}

/* The flags of CMP a, b (a - b), as CMPXCHG sets them. */
static uint64_t sub_flags(uint64_t a, uint64_t b, unsigned int size)
{
    uint64_t m = size_mask(size), res = (a - b) & m, sign = 1ULL << (size * 8 - 1);
    uint64_t f = result_flags(res, size);

    a &= m;
    b &= m;
    if (a < b)
        f |= EFLAGS_CF;
    if ((a ^ b) & (a ^ res) & sign)
        f |= EFLAGS_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= EFLAGS_AF;
    return f;
}

struct outcome {
    bool write;          /* store val to memory */
    uint64_t val;        /* operand-sized new memory value */
    uint64_t flags;      /* new arithmetic flags */
    uint64_t flags_mask; /* which arithmetic flags the instruction defines */
};

/*
 * The effect of the instruction on old (the operand-sized memory value) and
 * the registers.  Register results are applied by the caller only once the
 * store has been accepted.
 */
static void execute(const struct insn *in, struct cpu_user_regs *regs, uint64_t old, uint64_t src,
                    struct outcome *o)
{
    unsigned int bits = in->size * 8;
    uint64_t acc, bit;

    o->write = true;
    o->flags = 0;
    o->flags_mask = 0;
    switch (in->op) {
    case OP_MOV:
    case OP_XCHG:
        o->val = src;
        break;
    case OP_CMPXCHG:
        acc = read_reg(regs, 0, in->size, in->rex);
        o->flags = sub_flags(acc, old, in->size);
        o->flags_mask = EFLAGS_ARITH;
        o->write = acc == old;
        o->val = src;
        break;
    case OP_AND:
    case OP_OR:
        o->val = in->op == OP_AND ? old & src : old | src;
        o->flags = result_flags(o->val, in->size);
        o->flags_mask = EFLAGS_ARITH;
        break;
    default: /* BTS, BTR, BTC: src is the bit number within the operand */
        bit = 1ULL << (src & (bits - 1));
        o->flags = (old & bit) ? EFLAGS_CF : 0;
        o->flags_mask = EFLAGS_CF;
        o->val = in->op == OP_BTS ? old | bit : in->op == OP_BTR ? old & ~bit : old ^ bit;
        break;
    }
    o->val &= size_mask(in->size);
}

/* A register bit offset of BTS/BTR/BTC addresses a bit string: the
 * operand actually touched is the one holding that bit. */
static void adjust_bitstring_ea(struct insn *in, struct cpu_user_regs *regs)
{
    unsigned int bits = in->size * 8;
    int64_t off;

    if (!in->src_is_reg || (in->op != OP_BTS && in->op != OP_BTR && in->op != OP_BTC))
        return;
    off = (int64_t)read_reg(regs, in->reg, in->size, in->rex);
    if (in->size == 4)
        off = (int32_t)off;
    in->ea += (uint64_t)((off >> (bits == 64 ? 6 : 5)) * (int64_t)in->size);
}

static void commit_registers(const struct insn *in, struct cpu_user_regs *regs, uint64_t old,
                             const struct outcome *o)
{
    if (in->op == OP_XCHG)
        write_reg(regs, in->reg, in->size, in->rex, old);
    if (in->op == OP_CMPXCHG && !o->write)
        write_reg(regs, 0, in->size, in->rex, old);
    regs->rflags = (regs->rflags & ~o->flags_mask) | (o->flags & o->flags_mask);
    regs->rip += in->pos;
}

/* ---- the fault ---- */

static bool fault_is_candidate(struct vcpu *v, const struct cpu_user_regs *regs)
{
    uint32_t ec = regs->error_code;

    /* Xen also emulates for the hardware domain without the assist (its
     * read-only-MMIO path handles every write fault on a present page and
     * falls back to this emulation), and dom0 guests can observe that. */
    if (!(v->domain->vm_assist & (1ULL << VMASST_TYPE_writable_pagetables)) &&
        !v->domain->is_privileged)
        return false;
    if (!v->arch.kernel_mode)
        return false;
    return (ec & (PFEC_PRESENT | PFEC_WRITE | PFEC_RESERVED | PFEC_IFETCH)) ==
           (PFEC_PRESENT | PFEC_WRITE);
}

/* The guest's L1 page table that the page at addr maps, with a general
 * reference; NULL if addr does not map one of d's validated L1 pages. */
static struct page_info *target_l1(struct vcpu *v, uint64_t addr)
{
    struct page_info *map_l1, *pg;
    unsigned int slot;
    pte_t e;

    if (pv_find_guest_l1e(v, addr, &map_l1, &slot))
        return NULL;
    e = ((const pte_t *)arch_maddr_to_virt(page_to_mfn(map_l1) << PAGE_SHIFT))[slot];
    if (!(e & _PAGE_PRESENT))
        return NULL;
    pg = pv_get_page_from_mfn((e & PTE_ADDR_MASK) >> PAGE_SHIFT, v->domain);
    if (!pg)
        return NULL;
    if (pgt_level(pg->type_info) != 1 || !(pg->type_info & PGT_validated) ||
        !(pg->type_info & PGT_count_mask)) {
        put_page(pg);
        return NULL;
    }
    return pg;
}

static bool emulate(struct vcpu *v, struct page_info *l1, uint64_t addr, struct cpu_user_regs *regs)
{
    const pte_t *table = arch_maddr_to_virt(page_to_mfn(l1) << PAGE_SHIFT);
    struct insn in = {0};
    struct outcome o;
    unsigned int idx, shift;
    uint64_t old, src, mask;
    pte_t entry;

    fetch(&in, regs->rip);
    if (!decode(&in, regs))
        return false;
    adjust_bitstring_ea(&in, regs);
    /* Natural alignment keeps the store inside one entry of this page. */
    if (in.ea != addr || (addr & (in.size - 1)))
        return false;

    idx = (addr & ~PAGE_MASK) / sizeof(pte_t);
    shift = (addr & (sizeof(pte_t) - 1)) * 8;
    mask = size_mask(in.size);
    entry = table[idx];
    old = (entry >> shift) & mask;
    src = in.src_is_reg ? read_reg(regs, in.reg, in.size, in.rex) : in.imm;
    execute(&in, regs, old, src, &o);
    if (o.write) {
        pte_t nval = (entry & ~(mask << shift)) | (o.val << shift);

        if (pv_mod_pt_entry(v->domain, l1, idx, nval, false))
            return false;
    }
    commit_registers(&in, regs, old, &o);
    return true;
}

bool pv_ptwr_fault(struct vcpu *v, uint64_t addr, struct cpu_user_regs *regs)
{
    struct page_info *l1;
    bool handled;

    if (!fault_is_candidate(v, regs))
        return false;
    l1 = target_l1(v, addr);
    if (!l1)
        return false;
    handled = emulate(v, l1, addr, regs);
    put_page(l1);
    return handled;
}
