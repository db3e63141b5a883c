/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Descriptor tables: the per-CPU GDT (hypervisor entries in the reserved
 * area at 0xe000, see asm/desc.h), the TSS with its IST stacks, and the
 * shared IDT whose 256 gates point at the stubs in entry.S.  CPU 0's
 * tables are static; a secondary CPU's are allocated before it starts.
 */
#include <asm/config.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/mm.h>
#include <pvx/arch.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/percpu.h>

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};
BUILD_BUG_ON(sizeof(struct idt_gate) != 16);
BUILD_BUG_ON(sizeof(struct tss64) != 104);

static struct idt_gate idt[256] __section(".bss.page_aligned") __aligned(4096);
static uint64_t cpu0_gdt[GDT_ENTRIES] __section(".bss.page_aligned") __aligned(4096);
static uint64_t cpu0_ldt[LDT_ENTRIES] __section(".bss.page_aligned") __aligned(4096);
/* A whole page, so that XPTI maps nothing else with it. */
static union {
    struct tss64 tss;
    uint8_t page[4096];
} cpu0_tss_page __section(".bss.page_aligned") __aligned(4096);

/* Each CPU's tables: CPU 0's are the static ones above, a secondary CPU's
 * come from the page allocator when it is brought up (smpboot.c). */
struct cpu_desc {
    uint64_t *gdt, *ldt;
    struct tss64 *tss; /* at the start of a page of its own */
};
static struct cpu_desc cpu_desc[NR_CPUS] = {
    [0] = {cpu0_gdt, cpu0_ldt, &cpu0_tss_page.tss},
};

extern const char trap_stubs[], syscall_stubs[], syscall32_stubs[], debug_ist_entry[];
extern uint64_t syscall_stack[NR_CPUS];

/* Flags cleared on syscall entry: TF, IF, DF, NT, RF, VM, AC. */
#define SYSCALL_FLAGS_MASK 0x74700

/* syscall lands in this CPU's stub (entry.S), which switches to the CPU's
 * guest frame; sysret would return to 0xe033/0xe02b. */
static void syscall_init_cpu(unsigned int cpu, struct cpu_info *ci)
{
    syscall_stack[cpu] = (uint64_t)&ci->guest_regs.es;
    wrmsr(MSR_STAR, ((uint64_t)FLAT_RING3_CS32 << 48) | ((uint64_t)__HYPERVISOR_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_stubs + 64 * cpu);
    wrmsr(MSR_CSTAR, (uint64_t)syscall32_stubs + 64 * cpu);
    wrmsr(MSR_SFMASK, SYSCALL_FLAGS_MASK);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define GATE_DPL3      0x60

static void set_gate(unsigned int vec, uint64_t handler, unsigned int ist)
{
    idt[vec].offset_lo = (uint16_t)handler;
    idt[vec].selector = __HYPERVISOR_CS;
    idt[vec].ist = (uint8_t)ist;
    idt[vec].type_attr = GATE_INTERRUPT;
    idt[vec].offset_mid = (uint16_t)(handler >> 16);
    idt[vec].offset_hi = (uint32_t)(handler >> 32);
    idt[vec].reserved = 0;
}

void idt_init(void)
{
    for (unsigned int v = 0; v < 256; v++)
        set_gate(v, (uint64_t)trap_stubs + 16 * v, 0);
    /* Exceptions that may hit with a bad stack get known-good ones. */
    set_gate(2, (uint64_t)trap_stubs + 16 * 2, IST_NMI);
    set_gate(8, (uint64_t)trap_stubs + 16 * 8, IST_DF);
    set_gate(18, (uint64_t)trap_stubs + 16 * 18, IST_MC);
    /* A `mov ss` shadow can hold a guest's #DB until the first instruction
     * of the syscall entry, before it has a stack of its own. */
    set_gate(1, (uint64_t)debug_ist_entry, IST_DB);
    /* Software interrupts a ring-3 guest may raise directly: int3, into,
     * int $0x80 (bounced to the guest kernel) and int $0x82 (hypercall).
     * Every other `int n` faults with #GP and is checked against the
     * guest's trap table. */
    idt[3].type_attr |= GATE_DPL3;
    idt[4].type_attr |= GATE_DPL3;
    idt[0x80].type_attr |= GATE_DPL3;
    idt[0x82].type_attr |= GATE_DPL3;
}

static void set_tss_desc(uint64_t *gdt, unsigned int index, const struct tss64 *tss)
{
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

    gdt[index] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
                 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[index + 1] = base >> 32;
}

static void *alloc_zeroed(unsigned int order)
{
    struct page_info *pg = alloc_pages(order);
    void *p;

    if (!pg)
        return NULL;
    p = maddr_to_virt(page_to_mfn(pg) << PAGE_SHIFT);
    memset(p, 0, PAGE_SIZE << order);
    return p;
}

int desc_alloc_cpu(unsigned int cpu)
{
    struct cpu_desc *cd = &cpu_desc[cpu];

    ASSERT(cpu > 0 && cpu < NR_CPUS);
    if (cd->gdt)
        return 0;              /* kept from an earlier attempt */
    cd->gdt = alloc_zeroed(4); /* GDT_ENTRIES * 8: 16 pages */
    cd->ldt = alloc_zeroed(4);
    cd->tss = alloc_zeroed(0);
    if (!cd->gdt || !cd->ldt || !cd->tss)
        return -ENOMEM; /* what was allocated stays for a retry */
    return 0;
}

void desc_init_cpu(unsigned int cpu, void *stack_block)
{
    uint64_t *gdt = cpu_desc[cpu].gdt;
    struct tss64 *tss = cpu_desc[cpu].tss;
    char *block = stack_block;
    struct cpu_info *ci = (struct cpu_info *)(block + STACK_SIZE) - 1;
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed gdtr, idtr;

    BUG_ON(cpu >= NR_CPUS || !gdt);
    gdt[__HYPERVISOR_CS >> 3] = 0x00af9b000000ffffULL; /* 64-bit code, DPL 0 */
    gdt[__HYPERVISOR_DS >> 3] = 0x00cf93000000ffffULL; /* data, DPL 0 */
    gdt[FLAT_RING3_CS32 >> 3] = 0x00cffb000000ffffULL; /* 32-bit code, DPL 3 */
    gdt[FLAT_RING3_SS64 >> 3] = 0x00cff3000000ffffULL; /* data, DPL 3 */
    gdt[FLAT_RING3_CS64 >> 3] = 0x00affb000000ffffULL; /* 64-bit code, DPL 3 */

    memset(tss, 0, sizeof(*tss));
    /* A trap from ring 3 pushes its frame right into cpu_info.guest_regs. */
    tss->rsp[0] = (uint64_t)&ci->guest_regs.es;
    tss->ist[IST_DF - 1] = (uint64_t)block + (IST_DF + 1) * 4096;
    tss->ist[IST_NMI - 1] = (uint64_t)block + (IST_NMI + 1) * 4096;
    tss->ist[IST_MC - 1] = (uint64_t)block + (IST_MC + 1) * 4096;
    tss->ist[IST_DB - 1] = (uint64_t)block + (IST_DF + 1) * 4096;
    tss->iomap_base = sizeof(*tss); /* no I/O bitmap: every port faults in ring 3 */
    set_tss_desc(gdt, TSS_SELECTOR >> 3, tss);
    BUG_ON(tss->rsp[0] & 15);

    gdtr.limit = GDT_ENTRIES * 8 - 1;
    gdtr.base = (uint64_t)gdt;
    idtr.limit = sizeof(idt) - 1;
    idtr.base = (uint64_t)idt;
    __asm__ volatile("lgdt %0\n\t"
                     "lidt %1\n\t"
                     /* Reload CS through a far return, then the data segments. */
                     "pushq %2\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %3, %%eax\n\t"
                     "movl %%eax, %%ss\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs\n\t"
                     "movw %4, %%ax\n\t"
                     "ltr %%ax\n\t"
                     /* A null LDT: the reset value (base 0, limit 0xffff)
                      * would let guest LDT selectors read address 0. */
                     "xorl %%eax, %%eax\n\t"
                     "lldt %%ax"
                     :
                     : "m"(gdtr), "m"(idtr), "i"(__HYPERVISOR_CS), "i"(__HYPERVISOR_DS),
                       "i"(TSS_SELECTOR)
                     : "rax", "memory");
    syscall_init_cpu(cpu, ci);
}

uint64_t *this_cpu_gdt(void)
{
    return cpu_desc[arch_smp_processor_id()].gdt;
}

uint64_t *this_cpu_ldt(void)
{
    return cpu_desc[arch_smp_processor_id()].ldt;
}

void desc_cpu_tables(unsigned int cpu, struct desc_tables *t)
{
    BUG_ON(cpu >= NR_CPUS || !cpu_desc[cpu].gdt);
    t->gdt = cpu_desc[cpu].gdt;
    t->gdt_size = sizeof(cpu0_gdt);
    t->ldt = cpu_desc[cpu].ldt;
    t->ldt_size = sizeof(cpu0_ldt);
    t->tss = cpu_desc[cpu].tss;
    t->tss_size = sizeof(cpu0_tss_page);
    t->idt = idt;
    t->idt_size = sizeof(idt);
}
