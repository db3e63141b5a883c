/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests: writable page tables (arch/x86/pv/ptwr.c).  The guest's L1
 * maps itself read-only; each test assembles one faulting store in guest
 * memory, points the registers at an entry of that L1 and checks the
 * emulation: the entry written (validated and adjusted), the references
 * moved, the registers and flags, RIP.
 */
#include "harness.h"

#include "pvmm_harness.h"
#include <asm/hardening.h>

#include <pvx/errno.h>
#include <pvx/hypercall.h>
#include <public/xen.h>

#define P       _PAGE_PRESENT
#define RW      _PAGE_RW
#define US      _PAGE_USER
#define GK      _PAGE_GUEST_KERNEL
#define CF      0x001ULL
#define ZF      0x040ULL
#define PF_PW   3U /* error code: present, write */
#define CODE    0x100
#define TREE_VA 0x10400000ULL /* within disp32 reach of the guest window */

static struct pvmm_tree t;
static struct cpu_user_regs regs;
static uint64_t l1va; /* where the guest sees its L1 (read-only) */

static uint64_t slot_va(unsigned int slot)
{
    return l1va + slot * sizeof(pte_t);
}

static pte_t *entry(unsigned int slot)
{
    return &pvmm_table(t.l1)[slot];
}

static int setup(void **state)
{
    (void)state;
    pvmm_setup();
    pvmm_build_tree(&t, &pvmm_dom, TREE_VA);
    pvmm_pin_and_load(&t);
    pvmm_dom.vm_assist = 1ULL << VMASST_TYPE_writable_pagetables;
    l1va = PVMM_L1_SELF_VA(TREE_VA);
    memset(&regs, 0, sizeof(regs));
    regs.rflags = 0x202;
    regs.error_code = PF_PW;
    regs.rdi = slot_va(0);
    return 0;
}

/* Fault on cr2 with the instruction code at guest offset CODE. */
static bool fault(const uint8_t *code, size_t len, uint64_t cr2)
{
    regs.rip = pvmm_guest_put(CODE, code, len);
    return pv_ptwr_fault(&pvmm_vcpu, cr2, &regs);
}

#define FAULT(cr2, ...)                                                                            \
    ({                                                                                             \
        static const uint8_t code_[] = {__VA_ARGS__};                                              \
        fault(code_, sizeof(code_), (cr2));                                                        \
    })

static void assert_advanced(unsigned int len)
{
    assert_int_equal(regs.rip, PVMM_GUEST_WIN + CODE + len);
}

/* ---- MOV ---- */

static void test_mov_r64(void **state)
{
    (void)state;
    regs.rax = pvmm_pte(t.data[1], P | RW);
    regs.rdi = slot_va(10);
    assert_true(FAULT(slot_va(10), 0x48, 0x89, 0x07)); /* mov %rax,(%rdi) */
    assert_int_equal(*entry(10), pvmm_pte(t.data[1], P | RW | US | GK));
    assert_int_equal(pvmm_refs(t.data[1]), 2);
    assert_int_equal(pvmm_trefs(t.data[1]), 2);
    assert_advanced(3);
    assert_int_equal(regs.rflags, 0x202);
}

static void test_mov_sib_and_displacements(void **state)
{
    (void)state;
    /* mov %r8,(%rdi,%rcx,8) */
    regs.rcx = 12;
    regs.r8 = pvmm_pte(t.data[2], P);
    assert_true(FAULT(slot_va(12), 0x4c, 0x89, 0x04, 0xcf));
    assert_int_equal(*entry(12), pvmm_pte(t.data[2], P | US | GK));
    assert_advanced(4);
    /* mov %rax,8(%rdi) */
    regs.rax = pvmm_pte(t.data[2], P);
    assert_true(FAULT(slot_va(1), 0x48, 0x89, 0x47, 0x08));
    assert_int_equal(*entry(1), pvmm_pte(t.data[2], P | US | GK));
    assert_int_equal(pvmm_refs(t.data[1]), 0);
    /* mov %r15,0x100(%r13) */
    regs.r13 = slot_va(0) - 0x100 + 5 * 8;
    regs.r15 = pvmm_pte(t.data[3], P | RW);
    assert_true(FAULT(slot_va(5), 0x4d, 0x89, 0xbd, 0x00, 0x01, 0x00, 0x00));
    assert_int_equal(*entry(5), pvmm_pte(t.data[3], P | RW | US | GK));
    assert_advanced(7);
    /* mov %rsi,-8(%rsp,%rbx,1) with a negative disp8 */
    regs.rsp = slot_va(7);
    regs.rbx = 16;
    regs.rsi = 0;
    assert_true(FAULT(slot_va(8), 0x48, 0x89, 0x74, 0x1c, 0xf8));
    assert_int_equal(*entry(8), 0);
}

static void test_mov_rip_relative(void **state)
{
    uint64_t insn_end = PVMM_GUEST_WIN + CODE + 7;
    int32_t disp = (int32_t)(slot_va(20) - insn_end);
    uint8_t code[7] = {0x48, 0x89, 0x05}; /* mov %rax,disp32(%rip) */

    (void)state;
    memcpy(&code[3], &disp, 4);
    regs.rax = pvmm_pte(t.data[0], P);
    assert_true(fault(code, sizeof(code), slot_va(20)));
    assert_int_equal(*entry(20), pvmm_pte(t.data[0], P | US | GK));
    assert_advanced(7);
    /* The same displacement aimed elsewhere does not match CR2. */
    assert_false(fault(code, sizeof(code), slot_va(21)));
}

static void test_mov_imm(void **state)
{
    (void)state;
    /* movq $0,(%rdi): unmap data[0] */
    assert_true(FAULT(slot_va(0), 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x00));
    assert_int_equal(*entry(0), 0);
    assert_int_equal(pvmm_refs(t.data[0]), 0);
    assert_int_equal(pvmm_trefs(t.data[0]), 0);
    assert_advanced(7);
    /* movq $-1,(%rdi): the imm32 is sign-extended, giving a bad entry. */
    assert_false(FAULT(slot_va(0), 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff));
    assert_int_equal(*entry(0), 0);
    /* movl $0x80000000,4(%rdi): the upper half only (NX); it also drops
     * _PAGE_GUEST_KERNEL, so the page becomes a (global) user page. */
    regs.rdi = slot_va(1);
    assert_true(FAULT(slot_va(1) + 4, 0xc7, 0x47, 0x04, 0x00, 0x00, 0x00, 0x80));
    assert_int_equal(*entry(1), pvmm_pte(t.data[1], P | RW | US | _PAGE_GLOBAL | _PAGE_NX));
    /* movb $0x01,(%rdi): a byte store keeps the rest of the entry. */
    assert_true(FAULT(slot_va(1), 0xc6, 0x07, 0x01));
    assert_int_equal(*entry(1), pvmm_pte(t.data[1], P | US | GK | _PAGE_GLOBAL | _PAGE_NX));
    assert_int_equal(pvmm_trefs(t.data[1]), 0);
}

static void test_mov_r32_and_r8(void **state)
{
    (void)state;
    /* mov %eax,(%rdi): low half; the high half (NX) stays. */
    *entry(0) |= _PAGE_NX;
    regs.rax = 0xffffffff00000000ULL | (uint32_t)pvmm_pte(t.data[3], P);
    assert_true(FAULT(slot_va(0), 0x89, 0x07));
    assert_int_equal(*entry(0), pvmm_pte(t.data[3], P | US | GK | _PAGE_NX));
    assert_int_equal(pvmm_refs(t.data[0]), 0);
    assert_int_equal(pvmm_refs(t.data[3]), 2);
    /* mov %ah,(%rdi): byte register 4 without REX is AH. */
    regs.rax = 0x0300 | 0xff;
    assert_true(FAULT(slot_va(0), 0x88, 0x27));
    assert_int_equal(*entry(0) & 0xff, P | RW | US);
    assert_advanced(2);
    /* mov %r9d,4(%rdi) */
    regs.r9 = 0;
    assert_true(FAULT(slot_va(0) + 4, 0x44, 0x89, 0x4f, 0x04));
    assert_false(*entry(0) & _PAGE_NX);
}

/* ---- XCHG, CMPXCHG ---- */

static void test_xchg(void **state)
{
    pte_t old;

    (void)state;
    old = *entry(2);
    regs.rdi = slot_va(2);
    regs.rax = 0;
    assert_true(FAULT(slot_va(2), 0x48, 0x87, 0x07)); /* xchg %rax,(%rdi) */
    assert_int_equal(regs.rax, old);
    assert_int_equal(*entry(2), 0);
    assert_int_equal(pvmm_refs(t.data[2]), 0);
    /* xchg %ecx,(%rdi): 32-bit, zero-extends the register */
    regs.rcx = 0xaaaaaaaa00000000ULL | (uint32_t)pvmm_pte(t.data[2], P);
    assert_true(FAULT(slot_va(2), 0x87, 0x0f));
    assert_int_equal(regs.rcx, 0);
    assert_int_equal(*entry(2), pvmm_pte(t.data[2], P | US | GK));
}

static void test_cmpxchg(void **state)
{
    pte_t old;

    (void)state;
    old = *entry(3);
    regs.rdi = slot_va(3);
    /* lock cmpxchg %rdx,(%rdi), rax matches: store, ZF=1 */
    regs.rax = old;
    regs.rdx = pvmm_pte(t.data[0], P);
    assert_true(FAULT(slot_va(3), 0xf0, 0x48, 0x0f, 0xb1, 0x17));
    assert_int_equal(*entry(3), pvmm_pte(t.data[0], P | US | GK));
    assert_true(regs.rflags & ZF);
    assert_false(regs.rflags & CF);
    assert_int_equal(regs.rax, old);
    assert_int_equal(pvmm_refs(t.data[3]), 0);
    assert_int_equal(pvmm_refs(t.data[0]), 2);
    assert_advanced(5);
    /* rax does not match: no store, ZF=0, rax = memory */
    regs.rax = 0x1000;
    regs.rdx = 0;
    assert_true(FAULT(slot_va(3), 0xf0, 0x48, 0x0f, 0xb1, 0x17));
    assert_int_equal(*entry(3), pvmm_pte(t.data[0], P | US | GK));
    assert_false(regs.rflags & ZF);
    assert_int_equal(regs.rax, *entry(3));
    assert_int_equal(regs.rflags & 0x202, 0x202); /* IF and bit 1 untouched */
    /* The stored value is validated: a writable page table is refused. */
    regs.rax = *entry(3);
    regs.rdx = pvmm_pte(t.l2, P | RW);
    regs.rip = 0;
    assert_false(FAULT(slot_va(3), 0xf0, 0x48, 0x0f, 0xb1, 0x17));
    assert_int_equal(*entry(3), pvmm_pte(t.data[0], P | US | GK));
    assert_int_equal(regs.rdx, pvmm_pte(t.l2, P | RW));
}

/* ---- LOCK AND/OR, BTS/BTR ---- */

static void test_lock_and_or_byte(void **state)
{
    (void)state;
    /* lock andb $0xfd,(%rdi): clear RW (Linux's ptep_set_wrprotect) */
    regs.rflags |= CF | ZF;
    assert_true(FAULT(slot_va(0), 0xf0, 0x80, 0x27, 0xfd));
    assert_int_equal(*entry(0), pvmm_pte(t.data[0], P | US | GK));
    assert_int_equal(pvmm_trefs(t.data[0]), 0);
    assert_int_equal(pvmm_refs(t.data[0]), 1);
    assert_false(regs.rflags & (CF | ZF));
    assert_advanced(4);
    /* lock orb $0x02,(%rdi): set it again */
    assert_true(FAULT(slot_va(0), 0xf0, 0x80, 0x0f, 0x02));
    assert_int_equal(*entry(0), pvmm_pte(t.data[0], P | RW | US | GK));
    assert_int_equal(pvmm_trefs(t.data[0]), 1);
    /* lock orb $0x80,7(%rdi): NX lives in the top byte */
    assert_true(FAULT(slot_va(0) + 7, 0xf0, 0x80, 0x4f, 0x07, 0x80));
    assert_true(*entry(0) & _PAGE_NX);
    /* lock andb %cl,(%rdi) and lock orb %cl,(%rdi).  Clearing only P
     * leaves a non-present entry naming RAM: refused where domUs' entries
     * are checked for L1TF (the guest sees its fault), emulated where not. */
    regs.rcx = 0xfe;
    assert_false(FAULT(slot_va(0), 0xf0, 0x20, 0x0f));
    assert_true(*entry(0) & P);
    hardening.l1tf_domu = false;
    assert_true(FAULT(slot_va(0), 0xf0, 0x20, 0x0f));
    assert_false(*entry(0) & P);
    assert_int_equal(pvmm_refs(t.data[0]), 0);
    regs.rcx = 0x01;
    assert_true(FAULT(slot_va(0), 0xf0, 0x08, 0x0f));
    assert_int_equal(*entry(0), pvmm_pte(t.data[0], P | RW | US | GK | _PAGE_NX));
}

static void test_lock_and_or_qword(void **state)
{
    (void)state;
    /* lock and %rax,(%rdi) */
    regs.rdi = slot_va(1);
    regs.rax = ~RW;
    assert_true(FAULT(slot_va(1), 0xf0, 0x48, 0x21, 0x07));
    assert_int_equal(*entry(1), pvmm_pte(t.data[1], P | US | GK));
    /* lock orq $0x20,(%rdi) (imm8, sign-extended): set ACCESSED */
    assert_true(FAULT(slot_va(1), 0xf0, 0x48, 0x83, 0x0f, 0x20));
    assert_true(*entry(1) & _PAGE_ACCESSED);
    /* lock andq $-0x21,(%rdi) (imm32) clears it again */
    assert_true(FAULT(slot_va(1), 0xf0, 0x48, 0x81, 0x27, 0xdf, 0xff, 0xff, 0xff));
    assert_int_equal(*entry(1), pvmm_pte(t.data[1], P | US | GK));
    assert_advanced(8);
    /* lock or %rdx,(%rdi) making it name a frame beyond RAM: refused */
    regs.rdx = 1ULL << 51;
    assert_false(FAULT(slot_va(1), 0xf0, 0x48, 0x09, 0x17));
    assert_int_equal(*entry(1), pvmm_pte(t.data[1], P | US | GK));
}

static void test_bit_ops(void **state)
{
    (void)state;
    *entry(2) |= _PAGE_ACCESSED;
    regs.rdi = slot_va(2);
    /* lock btr $5,(%rdi): test_and_clear_bit(_PAGE_BIT_ACCESSED) */
    assert_true(FAULT(slot_va(2), 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05));
    assert_true(regs.rflags & CF);
    assert_false(*entry(2) & _PAGE_ACCESSED);
    assert_advanced(6);
    assert_true(FAULT(slot_va(2), 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05));
    assert_false(regs.rflags & CF);
    /* lock btr $1 / lock bts $1: RW off and on, with the references */
    assert_true(FAULT(slot_va(2), 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x01));
    assert_int_equal(pvmm_trefs(t.data[2]), 0);
    assert_true(FAULT(slot_va(2), 0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x01));
    assert_false(regs.rflags & CF);
    assert_int_equal(pvmm_trefs(t.data[2]), 1);
    /* lock btr %rax,(%rdi) with rax = 65: bit 1 of the next entry */
    regs.rax = 65;
    assert_true(FAULT(slot_va(3), 0xf0, 0x48, 0x0f, 0xb3, 0x07));
    assert_true(regs.rflags & CF);
    assert_int_equal(*entry(3), pvmm_pte(t.data[3], P | US | GK));
    /* ... and a negative offset reaches backwards */
    regs.rdi = slot_va(3);
    regs.rax = (uint64_t)-63;                                     /* bit 1 of the entry before */
    assert_true(FAULT(slot_va(2), 0xf0, 0x48, 0x0f, 0xab, 0x07)); /* bts: already set */
    assert_true(regs.rflags & CF);
    /* bt only reads: never a write fault to emulate */
    assert_false(FAULT(slot_va(3), 0x48, 0x0f, 0xba, 0x27, 0x01));
}

/* ---- what is not emulated ---- */

static void test_not_candidates(void **state)
{
    pte_t before = *entry(0);

    (void)state;
    regs.rax = 0;
    /* No writable_pagetables assist... */
    pvmm_dom.vm_assist = 0;
    assert_false(FAULT(slot_va(0), 0x48, 0x89, 0x07));
    pvmm_dom.vm_assist = 1ULL << VMASST_TYPE_writable_pagetables;
    /* Guest user mode. */
    pvmm_vcpu.arch.kernel_mode = false;
    assert_false(FAULT(slot_va(0), 0x48, 0x89, 0x07));
    pvmm_vcpu.arch.kernel_mode = true;
    /* Reads, not-present pages, reserved bits, instruction fetches. */
    uint32_t codes[] = {1, 2, PF_PW | 8, PF_PW | 16};
    for (unsigned int i = 0; i < ARRAY_SIZE(codes); i++) {
        regs.error_code = codes[i];
        assert_false(FAULT(slot_va(0), 0x48, 0x89, 0x07));
    }
    regs.error_code = PF_PW;
    assert_int_equal(*entry(0), before);
    assert_int_equal(regs.rip, PVMM_GUEST_WIN + CODE);
    /* Nothing mapped at the address. */
    regs.rdi = 0x7000000;
    assert_false(FAULT(0x7000000, 0x48, 0x89, 0x07));
    /* Pages that are not L1 tables: an L2 and a plain page, mapped read-only. */
    *entry(30) = pvmm_pte(t.l2, P | US | GK);
    frame_table[t.l2].count_info++;
    regs.rdi = l1va - 511 * PAGE_SIZE + 30 * PAGE_SIZE;
    assert_false(FAULT(regs.rdi, 0x48, 0x89, 0x07));
    *entry(31) = pvmm_pte(t.data[3], P | US | GK);
    frame_table[t.data[3]].count_info++;
    regs.rdi = l1va - 511 * PAGE_SIZE + 31 * PAGE_SIZE;
    assert_false(FAULT(regs.rdi, 0x48, 0x89, 0x07));
    assert_int_equal(pvmm_table(t.l2)[0], 0);
}

/* ...except for the privileged domain, which Xen emulates for anyway. */
static void test_privileged_without_assist(void **state)
{
    (void)state;
    pvmm_dom.vm_assist = 0;
    pvmm_dom.is_privileged = true;
    regs.rax = 0;
    assert_true(FAULT(slot_va(0), 0x48, 0x89, 0x07));
    assert_int_equal(*entry(0), 0);
    assert_int_equal(pvmm_refs(t.data[0]), 0);
}

static void test_refused_forms(void **state)
{
    pte_t before = *entry(0);

    (void)state;
    regs.rax = 0;
    /* The memory operand is not the faulting address. */
    regs.rdi = slot_va(1);
    assert_false(FAULT(slot_va(0), 0x48, 0x89, 0x07));
    /* Misaligned: a qword store at a dword boundary. */
    regs.rdi = slot_va(0) + 4;
    assert_false(FAULT(slot_va(0) + 4, 0x48, 0x89, 0x07));
    regs.rdi = slot_va(0);
    /* FS override, 16-bit operand, address-size override, REP MOVSB, UD2,
     * a register destination, an unsupported ALU op (ADD), a REX before a
     * legacy prefix. */
    assert_false(FAULT(slot_va(0), 0x64, 0x48, 0x89, 0x07));
    assert_false(FAULT(slot_va(0), 0x66, 0x89, 0x07));
    assert_false(FAULT(slot_va(0), 0x67, 0x48, 0x89, 0x07));
    assert_false(FAULT(slot_va(0), 0xf3, 0xa4));
    assert_false(FAULT(slot_va(0), 0x0f, 0x0b));
    assert_false(FAULT(slot_va(0), 0x48, 0x89, 0xc7));
    assert_false(FAULT(slot_va(0), 0xf0, 0x48, 0x01, 0x07));
    assert_false(FAULT(slot_va(0), 0x48, 0xf0, 0x89, 0x07));
    assert_false(FAULT(slot_va(0), 0xc7, 0x0f, 0x00, 0x00, 0x00, 0x00)); /* /1 is not MOV */
    assert_int_equal(*entry(0), before);
    assert_int_equal(regs.rip, PVMM_GUEST_WIN + CODE);
}

static void test_validation_failure_leaves_state(void **state)
{
    pte_t before = *entry(0);

    (void)state;
    struct {
        pte_t val;
    } bad[] = {
        {pvmm_pte(pvmm_other.shared_info_mfn, P)}, /* another domain's frame */
        {pvmm_pte(0x10, P)},                       /* firmware */
        {pvmm_pte(t.l1, P | RW)},                  /* its own table, writable */
        {pvmm_pte(t.data[0], P | _PAGE_PCD)},      /* cache attributes */
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
        regs.rax = bad[i].val;
        regs.rip = 0;
        assert_false(FAULT(slot_va(0), 0x48, 0x87, 0x07)); /* xchg */
        assert_int_equal(regs.rax, bad[i].val);
        assert_int_equal(*entry(0), before);
        assert_int_equal(regs.rip, PVMM_GUEST_WIN + CODE);
    }
    assert_int_equal(pvmm_refs(t.data[0]), 1);
    assert_int_equal(pvmm_refs(t.l1), 2);
}

static void test_instruction_at_end_of_guest_memory(void **state)
{
    static const uint8_t whole[] = {0x48, 0x89, 0x07};

    (void)state;
    regs.rax = 0;
    regs.rip = pvmm_guest_put(PVMM_GUEST_WIN_SIZE - 3, whole, 3);
    assert_true(pv_ptwr_fault(&pvmm_vcpu, slot_va(0), &regs));
    assert_int_equal(*entry(0), 0);
    regs.rip = pvmm_guest_put(PVMM_GUEST_WIN_SIZE - 2, whole, 2); /* cut short */
    assert_false(pv_ptwr_fault(&pvmm_vcpu, slot_va(0), &regs));
    regs.rip = 0xffff800000001000ULL; /* not guest memory at all */
    assert_false(pv_ptwr_fault(&pvmm_vcpu, slot_va(0), &regs));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_mov_r64, setup),
        cmocka_unit_test_setup(test_mov_sib_and_displacements, setup),
        cmocka_unit_test_setup(test_mov_rip_relative, setup),
        cmocka_unit_test_setup(test_mov_imm, setup),
        cmocka_unit_test_setup(test_mov_r32_and_r8, setup),
        cmocka_unit_test_setup(test_xchg, setup),
        cmocka_unit_test_setup(test_cmpxchg, setup),
        cmocka_unit_test_setup(test_lock_and_or_byte, setup),
        cmocka_unit_test_setup(test_lock_and_or_qword, setup),
        cmocka_unit_test_setup(test_bit_ops, setup),
        cmocka_unit_test_setup(test_not_candidates, setup),
        cmocka_unit_test_setup(test_privileged_without_assist, setup),
        cmocka_unit_test_setup(test_refused_forms, setup),
        cmocka_unit_test_setup(test_validation_failure_leaves_state, setup),
        cmocka_unit_test_setup(test_instruction_at_end_of_guest_memory, setup),
    };

    return cmocka_run_group_tests_name("pvmm_ptwr", tests, NULL, NULL);
}
