/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building a PV domain from a kernel image at boot (dom0 from the first
 * multiboot module, domU=... from later ones).  The layout, page tables and
 * start_info follow the PV boot protocol of asm/pv/boot_layout.h, shared
 * with the toolstack's builder in dom0.  The whole tree is validated by
 * pinning the L4, so the builder's tables obey the same rules as the
 * guest's own.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/pv/boot_layout.h>
#include <asm/pv/mm.h>
#include <asm/pv/traps.h>
#include <pvx/bootinfo.h>
#include <pvx/bzimage.h>
#include <pvx/console.h>
#include <pvx/domain.h>
#include <pvx/elf.h>
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/param.h>
#include <pvx/sched.h>
#include <public/xen.h>

static uint64_t opt_dom0_mem; /* 0 = automatic */
size_param("dom0_mem", opt_dom0_mem);

struct builder {
    struct domain *d;
    const struct pv_kernel_info *k;
    struct pv_boot_layout l;
    mfn_t *p2m; /* hypervisor copy while building */
};

static void *pfn_ptr(struct builder *b, uint64_t pfn)
{
    return maddr_to_virt(b->p2m[pfn] << PAGE_SHIFT);
}

static void *boot_page(void *ctx, uint64_t pfn)
{
    return pfn_ptr(ctx, pfn);
}

static uint64_t va_to_pfn(const struct builder *b, uint64_t va)
{
    return pv_boot_va_to_pfn(b->k, va);
}

/* Copy bytes to guest VA va of the bootstrap region (page by page). */
static void copy_to_region(struct builder *b, uint64_t va, const void *src, uint64_t len)
{
    const uint8_t *s = src;

    while (len) {
        uint64_t off = va & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);

        memcpy((uint8_t *)pfn_ptr(b, va_to_pfn(b, va)) + off, s, n);
        va += n;
        s += n;
        len -= n;
    }
}

static void load_kernel(struct builder *b)
{
    const struct pv_kernel_info *k = b->k;

    for (unsigned int i = 0; i < k->nr_segments; i++) {
        const struct elf_segment *s = &k->segments[i];
        uint64_t dst = k->virt_kstart + (s->paddr - k->pstart);

        copy_to_region(b, dst, k->image + s->offset, s->filesz);
        /* The rest up to memsz is already zero: every page was cleared. */
    }
}

void pv_fill_hypercall_page(uint8_t *p)
{
    memset(p, 0xcc, PAGE_SIZE);
    for (unsigned int i = 0; i < PAGE_SIZE / 32; i++) {
        uint8_t *s = p + i * 32;

        /* push %rcx; push %r11; [push %rax;] mov $i,%eax; syscall; ... */
        *s++ = 0x51;
        *s++ = 0x41, *s++ = 0x53;
        if (i == __HYPERVISOR_iret)
            *s++ = 0x50; /* iret takes rax from the stack and never returns */
        *s++ = 0xb8;
        memcpy(s, &i, 4);
        s += 4;
        *s++ = 0x0f, *s++ = 0x05;
        if (i == __HYPERVISOR_iret)
            continue;
        *s++ = 0x41, *s++ = 0x5b; /* pop %r11 */
        *s++ = 0x59;              /* pop %rcx */
        *s++ = 0xc3;              /* ret */
    }
}

static void write_hypercall_page(struct builder *b)
{
    pv_fill_hypercall_page(pfn_ptr(b, va_to_pfn(b, b->k->hypercall_page)));
}

static void write_start_info(struct builder *b, const struct boot_module *initrd,
                             const char *cmdline)
{
    const struct pv_boot_info bi = {
        .shared_info_mfn = b->d->shared_info_mfn,
        .flags = b->d->is_privileged ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0,
        .initrd_size = initrd ? initrd->size : 0,
        .cmdline = cmdline,
        .store_mfn = b->l.console_page ? b->p2m[va_to_pfn(b, b->l.store_va)] : 0,
        .store_evtchn = 0, /* no xenstore for boot-time domUs: the guest treats it as local */
        .console_mfn = b->d->console_mfn,
        .console_evtchn = b->d->console_port,
    };

    pv_boot_fill_start_info(pfn_ptr(b, va_to_pfn(b, b->l.start_info_va)), &b->l, b->k, &bi);
}

/* dom0 gets dom0_mem, or all free memory but a reserve for pvx and the
 * domains that follow; a domU gets what its description asks for. */
static uint64_t domain_pages(const struct domain *d, uint64_t mem)
{
    uint64_t free = page_alloc_free_pages();
    uint64_t reserve = MAX(free / 16, (uint64_t)(MiB(16) >> PAGE_SHIFT));

    if (mem)
        return mem >> PAGE_SHIFT;
    if (d->is_privileged && opt_dom0_mem)
        return opt_dom0_mem >> PAGE_SHIFT;
    return free > reserve ? free - reserve : 0;
}

/* Allocate the domain's pages, zeroed, and record them in the M2P. */
static int populate(struct builder *b, uint64_t nr_pages)
{
    b->p2m = xmalloc_bytes(nr_pages * sizeof(mfn_t));
    if (!b->p2m)
        return -ENOMEM;
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++) {
        struct page_info *pg = domain_alloc_page(b->d);

        if (!pg) {
            printk("domain %u: out of memory after %llu pages\n", b->d->domain_id,
                   (unsigned long long)pfn);
            return -ENOMEM;
        }
        b->p2m[pfn] = page_to_mfn(pg);
        memset(maddr_to_virt(b->p2m[pfn] << PAGE_SHIFT), 0, PAGE_SIZE);
        set_gpfn_from_mfn(b->p2m[pfn], pfn);
    }
    b->d->max_pages = nr_pages;
    return 0;
}

static void load_initrd(struct builder *b, const struct boot_module *initrd)
{
    if (b->l.initrd_va) {
        copy_to_region(b, b->l.initrd_va, maddr_to_virt(initrd->start), initrd->size);
        return;
    }
    for (uint64_t off = 0; off < initrd->size; off += PAGE_SIZE)
        memcpy(pfn_ptr(b, b->l.initrd_pfn + (off >> PAGE_SHIFT)),
               maddr_to_virt(initrd->start + off), MIN(PAGE_SIZE, initrd->size - off));
}

static void init_vcpu0(struct vcpu *v, const struct pv_kernel_info *k,
                       const struct pv_boot_layout *l)
{
    struct cpu_user_regs *r = &v->arch.user_regs;

    memset(r, 0, sizeof(*r));
    pv_boot_initial_regs(l, k, &r->rip, &r->rsp, &r->rsi);
    r->cs = FLAT_RING3_CS64;
    r->ss = FLAT_RING3_SS64;
    r->rflags = X86_EFLAGS_IF | 0x2;
    pv_reset_debugregs(v);
    v->arch.kernel_mode = true;
    v->arch.kernel_ss = FLAT_RING3_SS64;
    v->arch.kernel_sp = r->rsp;
    v->initialised = true;
    v->online = true;
}

int pv_build_domain(struct domain *d, const struct boot_module *kernel,
                    const struct boot_module *initrd, const char *cmdline, uint64_t mem)
{
    struct pv_kernel_info k;
    struct builder b = {.d = d, .k = &k};
    struct vcpu *v = d->vcpus[0];
    struct page_info *zpages = NULL;
    const void *elf = NULL;
    size_t elf_size = 0;
    const char *why = NULL;
    uint64_t nr_pages = domain_pages(d, mem), need;
    mfn_t l4;
    int rc;

    /* A bzImage (what GRUB users name) is unpacked first; an ELF is used as is. */
    rc = bzimage_unpack(maddr_to_virt(kernel->start), kernel->size, &elf, &elf_size, &zpages, &why);
    if (!rc && zpages)
        printk("domain %u: unpacked a %llu KiB bzImage into a %llu KiB kernel\n", d->domain_id,
               (unsigned long long)(kernel->size >> 10), (unsigned long long)(elf_size >> 10));
    if (!rc)
        rc = elf_parse_pv_kernel(elf, elf_size, &k, &why);
    if (!rc && (why = pv_boot_check_features(&k, d->is_privileged)) != NULL)
        rc = -EINVAL;
    if (rc) {
        printk("domain %u: cannot use '%s' as a kernel: %s\n", d->domain_id, kernel->cmdline, why);
        goto out;
    }
    printk("domain %u: %s kernel (%s %s), entry %#llx, image %#llx-%#llx%s\n", d->domain_id,
           k.loader[0] ? k.loader : "?", k.guest_os, k.guest_version, (unsigned long long)k.entry,
           (unsigned long long)k.virt_kstart, (unsigned long long)k.virt_kend,
           k.hypercall_page ? ", hypercall page" : "");

    b.l.nr_pages = nr_pages;
    b.l.console_page = !d->is_privileged;
    pv_boot_layout(&b.l, &k, initrd ? initrd->size : 0);
    need = pv_boot_min_pages(&b.l, &k, initrd ? initrd->size : 0);
    if (nr_pages < need) {
        printk("domain %u: %llu MiB is too little memory for this kernel and initrd "
               "(needs %llu MiB)\n",
               d->domain_id, (unsigned long long)(nr_pages >> 8),
               (unsigned long long)(PFN_UP(need << PAGE_SHIFT) >> 8) + 1);
        rc = -ENOMEM;
        goto out;
    }
    rc = populate(&b, nr_pages);
    if (rc)
        goto out;

    load_kernel(&b);
    if (initrd)
        load_initrd(&b, initrd);
    if (b.l.console_page) {
        rc = console_ring_attach(d, b.p2m[va_to_pfn(&b, b.l.console_va)]);
        if (rc) {
            printk("domain %u: cannot set up its console ring (%d)\n", d->domain_id, rc);
            goto out;
        }
    }
    copy_to_region(&b, b.l.p2m_va, b.p2m, nr_pages * sizeof(mfn_t));
    write_start_info(&b, initrd, cmdline);
    if (k.hypercall_page)
        write_hypercall_page(&b);
    arch_init_guest_l4(d, pfn_ptr(&b, va_to_pfn(&b, b.l.pt_va)));
    l4 = b.p2m[pv_boot_write_page_tables(&b.l, &k, b.p2m, boot_page, &b)];

    rc = pv_pin_table(d, l4, PGT_l4_page_table, false);
    if (!rc)
        rc = pv_set_guest_table(v, l4, false, false);
    if (rc) {
        printk("domain %u: the bootstrap page tables did not validate (%d)\n", d->domain_id, rc);
        goto out;
    }
    init_vcpu0(v, &k, &b.l);
    printk("domain %u: %llu MiB, start_info %#llx, page tables %#llx (%u frames), "
           "stack %#llx, initrd %s\n",
           d->domain_id, (unsigned long long)(nr_pages >> 8), (unsigned long long)b.l.start_info_va,
           (unsigned long long)b.l.pt_va, b.l.nr_pt, (unsigned long long)b.l.stack_va + PAGE_SIZE,
           !initrd         ? "none"
           : b.l.initrd_va ? "mapped"
                           : "by pfn");

out:
    /* The unpacked kernel is no longer needed once its segments are copied. */
    if (zpages)
        bzimage_release(zpages, elf_size);
    xfree(b.p2m);
    return rc;
}
