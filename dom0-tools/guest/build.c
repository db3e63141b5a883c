/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Building a PV domain from dom0: the same steps as pvx's boot-time builder
 * (hypervisor/arch/x86/pv/dom0_build.c), through the toolstack interface.
 *
 *   1. parse the kernel (hypervisor/elf.c, compiled in) and lay out the
 *      bootstrap region (pv/boot_layout.c, compiled in);
 *   2. populate_physmap every page of the guest (pvx zeroes them and
 *      records pfn -> frame in the M2P);
 *   3. map the bootstrap region here and write the kernel's segments, the
 *      p2m list, start_info and the page tables; copy the ramdisk by pfn;
 *   4. allocate the xenstore and console event channels (dom0 their
 *      remote end), fill the hypercall page, pin the L4 (pvx validates the
 *      whole tree), set the memory map and limit, and give vCPU 0 its
 *      registers.
 *
 * The domain stays paused; the toolstack introduces it to xenstored and
 * unpauses it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <asm/pv/boot_layout.h>
#include <public/features.h>

#include "guest.h"

/* Files larger than these are refused before reading them. */
#define MAX_KERNEL_FILE  (256u << 20)
#define MAX_RAMDISK_FILE (1u << 30)

struct builder {
    struct pvxctl *x;
    struct pvx_build *b;
    struct pv_kernel_info k;
    struct pv_boot_layout l;
    xen_pfn_t *p2m;
    uint8_t *region; /* the bootstrap region, mapped here */
    uint64_t region_pages;
    char *err;
    size_t errlen;
};

static int fail(struct builder *bd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct builder *bd, int rc, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(bd->err, bd->errlen, "domain %u: ", bd->b->domid);

    va_start(ap, fmt);
    if (n > 0 && (size_t)n < bd->errlen)
        vsnprintf(bd->err + n, bd->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}

/* The library's own sentence already names the domain. */
static int fail_ctl(struct builder *bd, int rc)
{
    snprintf(bd->err, bd->errlen, "%s", pvxctl_error(bd->x));
    return rc;
}

static void *region_page(void *ctx, uint64_t pfn)
{
    struct builder *bd = ctx;

    return bd->region + (pfn << PAGE_SHIFT);
}

static void copy_to_region(struct builder *bd, uint64_t va, const void *src, uint64_t len)
{
    memcpy(bd->region + (va - bd->k.virt_base), src, len);
}

static int load_kernel(struct builder *bd, struct pvx_blob *elf)
{
    struct pvx_blob file;
    const char *format = "?", *why = NULL;
    char detail[160];
    int rc;

    rc = pvx_blob_read(bd->b->kernel_path, MAX_KERNEL_FILE, &file, detail, sizeof(detail));
    if (rc)
        return fail(bd, rc, "kernel %s", detail);
    rc = pvx_kernel_unpack(&file, elf, &format, detail, sizeof(detail));
    if (rc) {
        fail(bd, rc, "cannot use %s as a kernel: %s", bd->b->kernel_path, detail);
        goto out;
    }
    rc = elf_parse_pv_kernel(elf->data, elf->size, &bd->k, &why);
    if (!rc && (why = pv_boot_check_features(&bd->k, false)) != NULL)
        rc = -EINVAL;
    if (rc) {
        fail(bd, rc, "cannot use %s as a PV kernel: %s", bd->b->kernel_path, why);
        goto out;
    }
    snprintf(bd->b->kernel_desc, sizeof(bd->b->kernel_desc), "%s %s, %s, %zu KiB", bd->k.guest_os,
             bd->k.guest_version, format, file.size >> 10);
out:
    pvx_blob_free(&file);
    return rc;
}

static int populate(struct builder *bd)
{
    uint64_t n = bd->l.nr_pages;
    int rc;

    bd->p2m = malloc(n * sizeof(*bd->p2m));
    if (!bd->p2m)
        return fail(bd, -ENOMEM, "out of memory for a %llu-page p2m", (unsigned long long)n);
    for (uint64_t pfn = 0; pfn < n; pfn++)
        bd->p2m[pfn] = pfn;
    rc = pvxctl_populate_physmap(bd->x, bd->b->domid, bd->p2m, bd->p2m, n);
    return rc < 0 ? fail_ctl(bd, rc) : 0;
}

static int map_region(struct builder *bd)
{
    bd->region_pages = (bd->l.v_end - bd->k.virt_base) >> PAGE_SHIFT;
    bd->region = pvxctl_map_foreign(bd->x, bd->b->domid, PROT_READ | PROT_WRITE, bd->p2m,
                                    bd->region_pages, NULL);
    return bd->region ? 0 : fail_ctl(bd, -EFAULT);
}

/* The ramdisk: inside the region when the kernel wants it mapped, else
 * after it by pfn (mapped here in one go for the copy). */
static int load_ramdisk(struct builder *bd, const struct pvx_blob *rd)
{
    uint64_t pages = PFN_UP(rd->size);
    uint8_t *dst;

    if (!rd->size)
        return 0;
    if (bd->l.initrd_va) {
        copy_to_region(bd, bd->l.initrd_va, rd->data, rd->size);
        return 0;
    }
    dst = pvxctl_map_foreign(bd->x, bd->b->domid, PROT_READ | PROT_WRITE,
                             bd->p2m + bd->l.initrd_pfn, pages, NULL);
    if (!dst)
        return fail_ctl(bd, -EFAULT);
    memcpy(dst, rd->data, rd->size);
    pvxctl_unmap(dst, pages);
    return 0;
}

static void load_segments(struct builder *bd, const struct pvx_blob *elf)
{
    for (unsigned int i = 0; i < bd->k.nr_segments; i++) {
        const struct elf_segment *s = &bd->k.segments[i];

        /* elf.c checked every segment against the image and the layout. */
        copy_to_region(bd, bd->k.virt_kstart + (s->paddr - bd->k.pstart), elf->data + s->offset,
                       s->filesz);
    }
}

static int event_channels(struct builder *bd)
{
    struct pvx_build *b = bd->b;
    int rc = pvxctl_evtchn_alloc_unbound(bd->x, b->domid, b->store_domid, &b->store_evtchn);

    if (!rc)
        rc = pvxctl_evtchn_alloc_unbound(bd->x, b->domid, b->console_domid, &b->console_evtchn);
    return rc ? fail_ctl(bd, rc) : 0;
}

static int vcpu0(struct builder *bd, xen_pfn_t l4_mfn)
{
    struct vcpu_guest_context ctx;
    uint64_t rip, rsp, rsi;
    int rc;

    memset(&ctx, 0, sizeof(ctx));
    pv_boot_initial_regs(&bd->l, &bd->k, &rip, &rsp, &rsi);
    ctx.user_regs.rip = rip;
    ctx.user_regs.rsp = rsp;
    ctx.user_regs.rsi = rsi;
    ctx.user_regs.cs = FLAT_KERNEL_CS64;
    ctx.user_regs.ss = FLAT_KERNEL_SS64;
    ctx.user_regs.rflags = 1u << 9 | 1u << 1; /* IF, and the always-one bit */
    ctx.kernel_ss = FLAT_KERNEL_SS64;
    ctx.kernel_sp = rsp;
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.ctrlreg[3] = (uint64_t)l4_mfn << PAGE_SHIFT;
    rc = pvxctl_vcpu_setcontext(bd->x, bd->b->domid, 0, &ctx);
    return rc ? fail_ctl(bd, rc) : 0;
}

/* Memory limits as xl sets them: the map reaches maxmem (the balloon's
 * room), max_pages is what the guest starts with plus a little slack. */
static int memory_limits(struct builder *bd)
{
    const struct pvxctl_e820 ram = {0, bd->b->maxmem_kb << 10, PVXCTL_E820_RAM};
    int rc = pvxctl_set_memory_map(bd->x, bd->b->domid, &ram, 1);

    if (!rc)
        rc = pvxctl_domain_max_mem(bd->x, bd->b->domid,
                                   (bd->b->memory_kb + PVX_MAXMEM_SLACK_KB) >> 2);
    return rc ? fail_ctl(bd, rc) : 0;
}

int pvx_build_pv(struct pvxctl *x, struct pvx_build *b, char *err, size_t errlen)
{
    struct builder bd = {.x = x, .b = b, .err = err, .errlen = errlen};
    struct pvx_blob elf = {0}, rd = {0};
    pvxctl_dominfo_t info;
    uint64_t l4_pfn;
    int rc;

    if (b->maxmem_kb < b->memory_kb)
        return fail(&bd, -EINVAL, "maxmem (%llu KiB) is below memory (%llu KiB)",
                    (unsigned long long)b->maxmem_kb, (unsigned long long)b->memory_kb);
    rc = load_kernel(&bd, &elf);
    if (rc)
        goto out;
    if (b->ramdisk_path) {
        char detail[160];

        rc = pvx_blob_read(b->ramdisk_path, MAX_RAMDISK_FILE, &rd, detail, sizeof(detail));
        if (rc) {
            fail(&bd, rc, "ramdisk %s", detail);
            goto out;
        }
    }
    rc = pvxctl_domain_info(x, b->domid, &info);
    if (rc) {
        fail_ctl(&bd, rc);
        goto out;
    }

    bd.l.nr_pages = b->nr_pages = b->memory_kb >> 2;
    bd.l.console_page = true;
    pv_boot_layout(&bd.l, &bd.k, rd.size);
    if (bd.l.nr_pages < pv_boot_min_pages(&bd.l, &bd.k, rd.size)) {
        rc = fail(&bd, -ENOMEM,
                  "%llu MiB is too little memory for this kernel and ramdisk (needs %llu MiB)",
                  (unsigned long long)(b->memory_kb >> 10),
                  (unsigned long long)(pv_boot_min_pages(&bd.l, &bd.k, rd.size) >> 8) + 1);
        goto out;
    }
    /* populate_physmap stops at max_pages: raise it first. */
    rc = pvxctl_domain_max_mem(x, b->domid, (b->memory_kb + PVX_MAXMEM_SLACK_KB) >> 2);
    if (rc) {
        fail_ctl(&bd, rc);
        goto out;
    }
    rc = populate(&bd);
    if (!rc)
        rc = map_region(&bd);
    if (!rc)
        rc = load_ramdisk(&bd, &rd);
    if (!rc)
        rc = event_channels(&bd);
    if (rc)
        goto out;

    load_segments(&bd, &elf);
    copy_to_region(&bd, bd.l.p2m_va, bd.p2m, bd.l.nr_pages * sizeof(xen_pfn_t));
    b->store_mfn = bd.p2m[pv_boot_va_to_pfn(&bd.k, bd.l.store_va)];
    b->console_mfn = bd.p2m[pv_boot_va_to_pfn(&bd.k, bd.l.console_va)];
    {
        const struct pv_boot_info bi = {
            .shared_info_mfn = info.shared_info_frame,
            .initrd_size = rd.size,
            .cmdline = b->cmdline,
            .store_mfn = b->store_mfn,
            .store_evtchn = b->store_evtchn,
            .console_mfn = b->console_mfn,
            .console_evtchn = b->console_evtchn,
        };

        pv_boot_fill_start_info(region_page(&bd, pv_boot_va_to_pfn(&bd.k, bd.l.start_info_va)),
                                &bd.l, &bd.k, &bi);
    }
    l4_pfn = pv_boot_write_page_tables(&bd.l, &bd.k, bd.p2m, region_page, &bd);
    /* Nothing of ours may stay mapped: pinning turns the tables read-only. */
    pvxctl_unmap(bd.region, bd.region_pages);
    bd.region = NULL;

    if (bd.k.hypercall_page) {
        rc = pvxctl_hypercall_init(x, b->domid,
                                   bd.p2m[pv_boot_va_to_pfn(&bd.k, bd.k.hypercall_page)]);
        if (rc) {
            fail_ctl(&bd, rc);
            goto out;
        }
    }
    rc = pvxctl_pin_table(x, b->domid, 4, bd.p2m[l4_pfn]);
    if (rc) {
        fail_ctl(&bd, rc);
        goto out;
    }
    rc = memory_limits(&bd);
    if (!rc)
        rc = vcpu0(&bd, bd.p2m[l4_pfn]);
out:
    if (bd.region)
        pvxctl_unmap(bd.region, bd.region_pages);
    free(bd.p2m);
    pvx_blob_free(&elf);
    pvx_blob_free(&rd);
    return rc;
}
