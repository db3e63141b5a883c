/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic boot sequence.  The arch entry code gets the CPU into 64-bit
 * mode on a boot stack and calls start_pvx(); from here on the order is:
 * early arch setup and console, command line, memory map, allocators, time,
 * then the first domain (later issues) or the idle loop.
 */
#include <pvx/arch.h>
#include <pvx/bootinfo.h>
#include <pvx/console.h>
#include <pvx/lib.h>
#include <pvx/mm.h>
#include <pvx/param.h>
#include <pvx/percpu.h>
#include <pvx/selftest.h>
#include <pvx/shutdown.h>
#include <pvx/time.h>
#include <pvx/timer.h>
#include <pvx/version.h>
#include <pvx/domain.h>
#include <pvx/sched.h>
#include <pvx/sched_credit.h>
#include <asm/pv/traps.h>
#include <pvx/errno.h>
#include <pvx/mm.h>
#include <public/sched.h>

/* Options for tests and appliances. */
static bool opt_selftest;                /* run boot-time self-tests */
static bool opt_poweroff;                /* power off once boot is complete */
static char opt_fault[8];                /* deliberately fault: ud, pf, gp, de, df[@CPU] */
static uint64_t opt_min_ram = 64 * 1024; /* RAM regions smaller than this are ignored */
boolean_param("selftest", opt_selftest);
boolean_param("poweroff", opt_poweroff);
string_param("selftest-fault", opt_fault);
size_param("e820-min-region", opt_min_ram);

static void print_modules(const struct bootinfo *bi)
{
    printk("Boot modules: %u\n", bi->nr_modules);
    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        const struct boot_module *m = &bi->modules[i];
        const char *args = strchr(m->cmdline, ' ');
        int namelen = args ? (int)(args - m->cmdline) : (int)strlen(m->cmdline);

        printk("  module %u: name '%.*s' at %#llx size %llu cmdline '%s'\n", i, namelen, m->cmdline,
               (unsigned long long)m->start, (unsigned long long)m->size, args ? args + 1 : "");
    }
}

void m2p_init(void);
void wallclock_init(void);

static void release_to_page_allocator(paddr_t start, paddr_t end)
{
    page_alloc_add_range(start, end);
}

static void memory_setup(struct bootinfo *bi)
{
    paddr_t img_start, img_end;
    unsigned int problems;

    printk("Memory map from the boot loader (%u entries):\n", bi->mem.nr);
    e820_print(&bi->mem);
    problems = e820_sanitize(&bi->mem, opt_min_ram);
    if (problems) {
        printk("Sanitized memory map (%u problem%s fixed):\n", problems, problems == 1 ? "" : "s");
        e820_print(&bi->mem);
    }
    if (e820_ram_total(&bi->mem) < MiB(16))
        panic("only %llu KiB of usable RAM; pvx needs at least 16 MiB",
              (unsigned long long)(e820_ram_total(&bi->mem) >> 10));

    arch_image_range(&img_start, &img_end);
    bootinfo_check_modules(bi, img_start, img_end);
    print_modules(bi);

    bootmem_init(&bi->mem);
    bootmem_reserve(0, MiB(1)); /* real-mode structures, BIOS data, ROMs */
    bootmem_reserve(img_start, img_end);
    for (unsigned int i = 0; i < bi->nr_modules; i++)
        bootmem_reserve(bi->modules[i].start, bi->modules[i].start + bi->modules[i].size);

    arch_memory_setup(&bi->mem);
    bootmem_release(release_to_page_allocator);
    printk("Memory: %llu MiB RAM, %llu MiB free for domains and the heap\n",
           (unsigned long long)(e820_ram_total(&bi->mem) >> 20),
           (unsigned long long)(page_alloc_free_pages() >> (20 - PAGE_SHIFT)));
}

/*
 * Boot-time domains: `domU=NAME,mem=SIZE,kernel=MOD[,ramdisk=MOD][,vcpus=1]
 * [,weight=W][,cap=PERCENT][,count=N]`, repeatable; count=N makes N such
 * domains named NAME1..NAMEn.  weight (default 256) and cap (percent of a
 * CPU, 0 = none) are the credit scheduler's.  MOD is a boot module index; the kernel module's own command
 * line (after its name) is the domain's command line.  A bad description is
 * reported and that domain skipped; pvx and the others go on.
 */
#define MAX_BOOT_DOMAINS 128

static struct boot_domain {
    char name[DOMAIN_NAME_MAX];
    uint64_t mem;
    unsigned int kernel, ramdisk, vcpus, weight, cap;
} boot_domains[MAX_BOOT_DOMAINS];
static unsigned int nr_boot_domains;

static int parse_domu(const char *value)
{
    struct boot_domain bd = {
        .ramdisk = UINT32_MAX, .vcpus = 1, .kernel = UINT32_MAX, .weight = CSCHED_DEFAULT_WEIGHT};
    unsigned int count = 1;
    char field[64];

    if (!value || nr_boot_domains == MAX_BOOT_DOMAINS)
        return -EINVAL;
    for (const char *p = value; *p;) {
        size_t n = 0;
        uint64_t v;
        char *eq;

        while (p[n] && p[n] != ',')
            n++;
        if (n >= sizeof(field))
            return -EINVAL;
        memcpy(field, p, n);
        field[n] = '\0';
        p += n + (p[n] == ',');
        eq = strchr(field, '=');
        if (!eq) {
            if (bd.name[0] || !n || n >= sizeof(bd.name))
                return -EINVAL;
            strlcpy(bd.name, field, sizeof(bd.name));
            continue;
        }
        *eq++ = '\0';
        if (parse_uint(eq, &v, !strcmp(field, "mem")))
            return -EINVAL;
        if (!strcmp(field, "mem"))
            bd.mem = v;
        else if (!strcmp(field, "kernel") && v < BOOT_MAX_MODULES)
            bd.kernel = (unsigned int)v;
        else if (!strcmp(field, "ramdisk") && v < BOOT_MAX_MODULES)
            bd.ramdisk = (unsigned int)v;
        else if (!strcmp(field, "weight") && v >= 1 && v <= CSCHED_MAX_WEIGHT)
            bd.weight = (unsigned int)v;
        else if (!strcmp(field, "cap") && v <= 100)
            bd.cap = (unsigned int)v;
        else if (!strcmp(field, "count") && v >= 1 && v <= MAX_BOOT_DOMAINS)
            count = (unsigned int)v;
        else if (!strcmp(field, "vcpus") && v >= 1 && v <= MAX_VCPUS_PER_DOMAIN)
            bd.vcpus = (unsigned int)v; /* vCPU 0 starts; the guest brings up the others */
        else
            return -EINVAL;
    }
    if (!bd.name[0] || bd.kernel == UINT32_MAX || bd.mem < MiB(4) ||
        count > MAX_BOOT_DOMAINS - nr_boot_domains)
        return -EINVAL;
    for (unsigned int i = 0; i < count; i++) {
        boot_domains[nr_boot_domains] = bd;
        if (count > 1)
            snprintf(boot_domains[nr_boot_domains].name, sizeof(bd.name), "%.20s%u", bd.name,
                     i + 1);
        nr_boot_domains++;
    }
    return 0;
}
custom_param("domU", parse_domu);

/* As Xen's option: dom0's vCPUs (it starts on vCPU 0 and brings up the rest). */
static unsigned int opt_dom0_max_vcpus = 1;
uint_param("dom0_max_vcpus", opt_dom0_max_vcpus);

static void start_boot_domains(const struct bootinfo *bi)
{
    uint64_t free_before = page_alloc_free_pages(), guest_pages = 0;
    unsigned int built = 0;

    /* dom0 can check that destroying every boot domain gives all of it
     * back (the stress run, docs/testguest.md). */
    if (nr_boot_domains)
        printk("pvx: %llu pages free before boot domains\n", (unsigned long long)free_before);

    for (unsigned int i = 0; i < nr_boot_domains; i++) {
        const struct boot_domain *bd = &boot_domains[i];
        const struct boot_module *kernel, *ramdisk = NULL;
        const char *args;
        struct domain *d;

        if (bd->kernel >= bi->nr_modules ||
            (bd->ramdisk != UINT32_MAX && bd->ramdisk >= bi->nr_modules)) {
            printk("domU %s: no such boot module; domain not built\n", bd->name);
            continue;
        }
        kernel = &bi->modules[bd->kernel];
        if (bd->ramdisk != UINT32_MAX)
            ramdisk = &bi->modules[bd->ramdisk];
        args = strchr(kernel->cmdline, ' ');
        d = domain_create((domid_t)(i + 1), bd->name, bd->vcpus, false);
        if (!d) {
            printk("domU %s: cannot create the domain\n", bd->name);
            continue;
        }
        BUG_ON(csched_set_params(&d->csched, bd->weight, bd->cap)); /* checked when parsed */
        if (pv_build_domain(d, kernel, ramdisk, args ? args + 1 : "", bd->mem)) {
            printk("domU %s: not started (see above)\n", bd->name);
            domain_shutdown(d, SHUTDOWN_crash);
            continue;
        }
        built++;
        guest_pages += d->tot_pages;
    }
    if (built) {
        /* Everything allocated beyond the guests' own pages is pvx's cost:
         * domain and vCPU structures, event tables, shared_info pages. */
        uint64_t used = free_before - page_alloc_free_pages() - guest_pages;

        printk("pvx: %u boot domain%s built; pvx's own memory: %llu KiB per domain\n", built,
               built == 1 ? "" : "s", (unsigned long long)(used * 4 / built));
    }
}

/* The first module is dom0's kernel, the second its initrd; the kernel's
 * module command line (after the name) is dom0's command line. */
static void start_dom0(const struct bootinfo *bi)
{
    const struct boot_module *kernel = &bi->modules[0];
    const struct boot_module *initrd = bi->nr_modules > 1 ? &bi->modules[1] : NULL;
    const char *args = strchr(kernel->cmdline, ' ');
    struct domain *d0;

    m2p_init();
    wallclock_init();
    sched_init();
    if (opt_dom0_max_vcpus < 1 || opt_dom0_max_vcpus > MAX_VCPUS_PER_DOMAIN) {
        printk("dom0_max_vcpus=%u: out of range 1-%u; using 1\n", opt_dom0_max_vcpus,
               MAX_VCPUS_PER_DOMAIN);
        opt_dom0_max_vcpus = 1;
    }
    d0 = domain_create(0, "dom0", opt_dom0_max_vcpus, true);
    if (!d0)
        panic("cannot create dom0");
    /* No port limit of its own (Xen's dom0 has max_evtchn_port -1): only
     * its ABI's, 4096 ports under 2-level, 2^17 under FIFO. */
    BUG_ON(evtchn_set_max_ports(d0, EVTCHN_MAX_PORTS_UNLIMITED));
    if (pv_build_domain(d0, kernel, initrd, args ? args + 1 : "", 0))
        panic("cannot build dom0 from module 0 (see above)");
    start_boot_domains(bi);
    console_input_start();
    printk("pvx: boot complete in %llu ms, starting dom0\n", (unsigned long long)(NOW() / 1000000));
    sched_start();
}

void __noreturn start_pvx(void)
{
    unsigned int bad_options, failures = 0;

    arch_early_setup(&bootinfo);
    printk("\n" PVX_BANNER "\n");
    printk("Boot loader: %s (multiboot%u)\n", bootinfo.loader, bootinfo.protocol);
    printk("Command line: %s\n", bootinfo.cmdline);
    bad_options = parse_params(bootinfo.cmdline, __start_pvx_params, __stop_pvx_params);
    if (bad_options)
        printk("Command line: %u option%s ignored (see above)\n", bad_options,
               bad_options == 1 ? "" : "s");
    console_init();

    memory_setup(&bootinfo);
    arch_hardening_init();
    arch_power_init();

    if (timer_init_cpu(arch_smp_processor_id()))
        panic("cannot allocate the timer heap");
    arch_time_init();
    arch_smp_init();
    arch_local_irq_enable();

    if (opt_fault[0]) {
        arch_selftest_fault(opt_fault);
        machine_shutdown(PVX_EXIT_FAIL); /* the fault should not have returned */
    }
    if (opt_selftest)
        failures = run_selftests();

    if (opt_poweroff || opt_selftest) {
        printk("pvx: boot complete in %llu ms\n", (unsigned long long)(NOW() / 1000000));
        machine_shutdown(failures ? PVX_EXIT_FAIL : PVX_EXIT_OK);
    }
    if (bootinfo.nr_modules)
        start_dom0(&bootinfo);
    printk("pvx: boot complete in %llu ms\n", (unsigned long long)(NOW() / 1000000));

    printk("pvx: no domain to run; idling (pass 'poweroff' to stop here)\n");
    for (;;)
        arch_cpu_idle();
}

void __noreturn machine_shutdown(unsigned int status)
{
    printk("pvx: shutting down with status %u\n", status);
    arch_shutdown(status, status == PVX_EXIT_REBOOT);
}

void __noreturn machine_halt(void)
{
    arch_shutdown(PVX_EXIT_PANIC, false);
}
