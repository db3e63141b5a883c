/* SPDX-License-Identifier: GPL-2.0-only */
/* xl list, info, uptime, domid, domname, dmesg: reading the host's state. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "domcfg.h"
#include "xl.h"

/* ---- list ---------------------------------------------------------------- */

static void list_header(bool verbose)
{
    printf("Name                                        ID   Mem VCPUs\tState\tTime(s)");
    if (verbose)
        printf("   UUID                            Reason-Code\tSecurity Label");
    printf("\n");
}

static void list_row(const pvxctl_dominfo_t *d, bool verbose)
{
    static const char reason_letters[] = "-rscwS";
    bool shutdown = d->flags & PVX_DOMINF_shutdown;
    unsigned int reason = shutdown ? d->shutdown_reason : 0;
    char *name = xlt_domain_name(&xl_ctx, d->domain);

    printf("%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f", name ? name : "(null)", d->domain,
           (unsigned long)(d->tot_pages * 4 / 1024), d->nr_online_vcpus,
           d->flags & PVX_DOMINF_running ? 'r' : '-', d->flags & PVX_DOMINF_blocked ? 'b' : '-',
           d->flags & PVX_DOMINF_paused ? 'p' : '-', shutdown ? 's' : '-',
           reason < sizeof(reason_letters) - 1 ? reason_letters[reason] : '?',
           d->flags & PVX_DOMINF_dying ? 'd' : '-', (double)((float)d->cpu_time / 1e9));
    if (verbose) {
        char uuid[37];

        pvx_uuid_format(d->handle, uuid);
        printf(" %s", uuid);
        if (shutdown)
            printf(" %8x", reason);
        else
            printf(" %8s", "-");
        printf(" %16s", "-");
    }
    printf("\n");
    free(name);
}

int main_list(int argc, char **argv)
{
    static const struct option opts[] = {{"long", no_argument, NULL, 'l'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"context", no_argument, NULL, 'Z'},
                                         {"cpupool", no_argument, NULL, 'c'},
                                         {"numa", no_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static pvxctl_dominfo_t infos[1024];
    bool verbose = false, details = false;
    int opt, n;

    while ((opt = xl_getopt(argc, argv, "lvhZcn", opts, "list", 0)) != -1) {
        if (opt == 'l')
            details = true;
        else if (opt == 'v')
            verbose = true;
        /* -Z, -c, -n: no security labels, cpupools or NUMA nodes on pvx */
    }
    if (optind == argc - 1) {
        domid_t domid;

        if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
            return EXIT_FAILURE;
        if (pvxctl_domain_info(xl_ctx.ctl, domid, &infos[0])) {
            fprintf(stderr, "Error: Domain '%s' does not exist.\n", argv[optind]);
            return EXIT_FAILURE;
        }
        n = 1;
    } else if (optind == argc) {
        n = xlt_list(&xl_ctx, infos, sizeof(infos) / sizeof(infos[0]));
        if (n < 0) {
            fprintf(stderr, "libxl_list_domain failed.\n");
            xlt_err("%s", pvxctl_error(xl_ctx.ctl));
            return EXIT_FAILURE;
        }
    } else {
        xl_help("list");
        return EXIT_FAILURE;
    }
    if (details) {
        xl_list_long(infos, n);
        return EXIT_SUCCESS;
    }
    list_header(verbose);
    for (int i = 0; i < n; i++)
        list_row(&infos[i], verbose);
    return EXIT_SUCCESS;
}

/* ---- info ------------------------------------------------------------------- */

/* With a NAME argument only the values of lines whose key starts with it. */
static const char *info_name;

static void __attribute__((format(printf, 1, 2))) info_line(const char *fmt, ...)
{
    char line[1024];
    const char *colon;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (!info_name) {
        fputs(line, stdout);
        return;
    }
    colon = strchr(line, ':');
    if (!strncmp(line, info_name, strlen(info_name)) && colon && colon[1] == ' ')
        fputs(colon + 2, stdout);
}

static int print_info(void)
{
    struct pvx_sysctl_physinfo pi;
    struct utsname u;
    unsigned int major, minor;
    char extra[64], cmdline[1024] = "";
    uint64_t mib = 256; /* pages per MiB */

    uname(&u);
    if (pvxctl_physinfo(xl_ctx.ctl, &pi) ||
        pvxctl_version(xl_ctx.ctl, &major, &minor, extra, sizeof(extra))) {
        xlt_err("%s", pvxctl_error(xl_ctx.ctl));
        return EXIT_FAILURE;
    }
    {
        FILE *f = fopen("/sys/hypervisor/properties/cmdline", "re");

        if (f) {
            if (!fgets(cmdline, sizeof(cmdline), f))
                cmdline[0] = '\0';
            cmdline[strcspn(cmdline, "\n")] = '\0';
            fclose(f);
        }
    }
    info_line("host                   : %s\n", u.nodename);
    info_line("release                : %s\n", u.release);
    info_line("version                : %s\n", u.version);
    info_line("machine                : %s\n", u.machine);
    info_line("nr_cpus                : %u\n", pi.nr_cpus);
    info_line("max_cpu_id             : %u\n", pi.max_cpu_id);
    info_line("nr_nodes               : %u\n", pi.nr_nodes);
    info_line("cores_per_socket       : %u\n", pi.cores_per_socket);
    info_line("threads_per_core       : %u\n", pi.threads_per_core);
    info_line("cpu_mhz                : %u.%03u\n", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    info_line("hw_caps                : %08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x\n", pi.hw_cap[0],
              pi.hw_cap[1], pi.hw_cap[2], pi.hw_cap[3], pi.hw_cap[4], pi.hw_cap[5], pi.hw_cap[6],
              pi.hw_cap[7]);
    info_line("virt_caps              :%s%s\n", pi.capabilities & PVX_PHYSCAP_pv ? " pv" : "",
              " gnttab-v1");
    info_line("total_memory           : %" PRIu64 "\n", pi.total_pages / mib);
    info_line("free_memory            : %" PRIu64 "\n", pi.free_pages / mib);
    info_line("sharing_freed_memory   : 0\n");
    info_line("sharing_used_memory    : 0\n");
    info_line("outstanding_claims     : 0\n");
    info_line("free_cpus              : 0\n");
    info_line("xen_major              : %u\n", major);
    info_line("xen_minor              : %u\n", minor);
    info_line("xen_extra              : %s\n", extra);
    info_line("xen_version            : %u.%u%s\n", major, minor, extra);
    info_line("xen_caps               : xen-3.0-x86_64\n");
    info_line("xen_scheduler          : credit\n");
    info_line("xen_pagesize           : 4096\n");
    info_line("platform_params        : virt_start=0xffff800000000000\n");
    info_line("xen_changeset          : \n");
    info_line("xen_commandline        : %s\n", cmdline);
    info_line("cc_compiler            : \n");
    info_line("cc_compile_by          : \n");
    info_line("cc_compile_domain      : \n");
    info_line("cc_compile_date        : \n");
    info_line("build_id               : \n");
    info_line("xend_config_format     : 4\n");
    return EXIT_SUCCESS;
}

int main_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"numa", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool numa = false;
    int opt;

    while ((opt = xl_getopt(argc, argv, "n", opts, "info", 0)) != -1)
        numa = true;
    if (!numa && argc > optind)
        info_name = argv[optind];
    return print_info();
}

/* ---- domid, domname --------------------------------------------------------- */

int main_domid(int argc, char **argv)
{
    domid_t domid;

    while (xl_getopt(argc, argv, "", NULL, "domid", 1) != -1)
        ;
    if (xlt_domid_by_name(&xl_ctx, argv[optind], &domid)) {
        fprintf(stderr, "Can't get domid of domain name '%s', maybe this domain does not exist.\n",
                argv[optind]);
        return EXIT_FAILURE;
    }
    printf("%u\n", domid);
    return EXIT_SUCCESS;
}

int main_domname(int argc, char **argv)
{
    char *end, *name;
    long id;

    while (xl_getopt(argc, argv, "", NULL, "domname", 1) != -1)
        ;
    id = strtol(argv[optind], &end, 10);
    if (id == 0 && end == argv[optind]) {
        fprintf(stderr, "Invalid domain id.\n\n");
        return EXIT_FAILURE;
    }
    name = (id >= 0 && id < DOMID_FIRST_RESERVED)
               ? xlt_read(&xl_ctx, XBT_NULL, "/local/domain/%ld/name", id)
               : NULL;
    if (!name) {
        fprintf(stderr,
                "Can't get domain name of domain id '%u', maybe this domain does not exist.\n",
                (unsigned int)id);
        return EXIT_FAILURE;
    }
    printf("%s\n", name);
    free(name);
    return EXIT_SUCCESS;
}

/* ---- uptime ---------------------------------------------------------------- */

static void uptime_string(unsigned long up, bool short_mode, char *buf, size_t len)
{
    unsigned long day = up / 86400, hour = up / 3600 % 24, min = up / 60 % 60, sec = up % 60;
    int n = 0;

    if (day)
        n = snprintf(buf, len, "%lu day%s, ", day, day > 1 ? "s" : "");
    if (short_mode)
        snprintf(buf + n, len - (size_t)n, "%2lu:%02lu", hour, min);
    else
        snprintf(buf + n, len - (size_t)n, "%2lu:%02lu:%02lu", hour, min, sec);
}

static void uptime_row(domid_t domid, bool short_mode, time_t now)
{
    unsigned long up;
    char *name, str[64];

    if (domid == 0) {
        FILE *f = fopen("/proc/uptime", "re");
        double s = 0;

        if (!f || fscanf(f, "%lf", &s) != 1) {
            fprintf(stderr, "Can not get Dom0 uptime.\n");
            exit(-1);
        }
        fclose(f);
        up = (unsigned long)s;
    } else {
        char *vm = xlt_read(&xl_ctx, XBT_NULL, "/local/domain/%u/vm", domid);
        char *start = vm ? xlt_read(&xl_ctx, XBT_NULL, "%s/start_time", vm) : NULL;

        free(vm);
        if (!start)
            return; /* not a domain the toolstack made */
        up = (unsigned long)(now - strtoll(start, NULL, 10));
        free(start);
    }
    name = xlt_domain_name(&xl_ctx, domid);
    uptime_string(up, short_mode, str, sizeof(str));
    if (short_mode) {
        char clock[16];

        strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
        printf(" %s up %s, %s (%d)\n", clock, str, name ? name : "(null)", domid);
    } else {
        printf("%-33s %4d %s\n", name ? name : "(null)", domid, str);
    }
    free(name);
}

int main_uptime(int argc, char **argv)
{
    static pvxctl_dominfo_t infos[1024];
    static const struct option opts[] = {
        {"short", no_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool short_mode = false;
    time_t now = time(NULL);
    int opt;

    while ((opt = xl_getopt(argc, argv, "s", opts, "uptime", 0)) != -1)
        short_mode = true;
    if (!short_mode)
        printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
    if (optind == argc) {
        int n = xlt_list(&xl_ctx, infos, sizeof(infos) / sizeof(infos[0]));

        uptime_row(0, short_mode, now);
        for (int i = 0; i < n; i++)
            if (infos[i].domain)
                uptime_row(infos[i].domain, short_mode, now);
        return 0;
    }
    for (; optind < argc; optind++) {
        domid_t domid;

        if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
            return EXIT_FAILURE;
        uptime_row(domid, short_mode, now);
    }
    return 0;
}

/* ---- dmesg --------------------------------------------------------------- */

int main_dmesg(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clear", no_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool clear = false;
    uint32_t index = 0;
    char buf[16384];
    int opt, n;

    while ((opt = xl_getopt(argc, argv, "c", opts, "dmesg", 0)) != -1)
        clear = true;
    /* From the oldest byte, 16 KiB at a time; the last read clears. */
    for (bool first = true;; first = false) {
        n = pvxctl_readconsole(xl_ctx.ctl, buf, sizeof(buf), &index, !first, false);
        if (n < 0) {
            xlt_err("%s", pvxctl_error(xl_ctx.ctl));
            return EXIT_FAILURE;
        }
        fwrite(buf, 1, (size_t)n, stdout);
        if (n < (int)sizeof(buf))
            break;
    }
    if (clear && pvxctl_readconsole(xl_ctx.ctl, buf, 0, &index, true, true) < 0) {
        xlt_err("%s", pvxctl_error(xl_ctx.ctl));
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
