/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl vcpu-list and vcpu-pin: where vCPUs run and where they may run, in
 * Xen's output format (a row per vCPU: CPU, state, time, hard / soft
 * affinity as CPU ranges) and with its CPU-list syntax ("all", "3",
 * "0-3", "^2", comma-separated).  NUMA node lists are refused (pvx has
 * one node).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

#define XL_MAX_CPUS 64 /* what a mask holds */

/* A CPU set as Xen prints it over nr_cpus CPUs: "all", "none" or ranges. */
static void print_cpus(uint64_t map, unsigned int nr_cpus)
{
    uint64_t all = nr_cpus >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << nr_cpus) - 1;
    bool first = true;

    map &= all;
    if (!map) {
        fputs("none", stdout);
        return;
    }
    if (map == all) {
        fputs("all", stdout);
        return;
    }
    for (unsigned int i = 0; i < nr_cpus;) {
        unsigned int j = i;

        if (!(map >> i & 1)) {
            i++;
            continue;
        }
        while (j + 1 < nr_cpus && (map >> (j + 1) & 1))
            j++;
        printf("%s%u", first ? "" : ",", i);
        if (j > i)
            printf("-%u", j);
        first = false;
        i = j + 1;
    }
}

/* One item of a CPU list into *map: "all", N, N-M, each optionally "^". */
static int cpu_item(const char *s, uint64_t *map)
{
    bool remove = *s == '^';
    unsigned long a, b;
    char *end;

    if (remove)
        s++;
    if (!strcmp(s, "all")) {
        if (remove) {
            fprintf(stderr, "Can't combine \"^\" and \"all\".\n");
            return -1;
        }
        *map = ~(uint64_t)0;
        return 0;
    }
    a = b = strtoul(s, &end, 10);
    if (end == s || a == ULONG_MAX)
        goto bad;
    if (*end == '-') {
        const char *t = end + 1;

        b = strtoul(t, &end, 10);
        if (end == t || b == ULONG_MAX || b < a)
            goto bad;
    }
    if (*end)
        goto bad;
    for (unsigned long c = a; c <= b && c < XL_MAX_CPUS; c++)
        *map = remove ? *map & ~((uint64_t)1 << c) : *map | (uint64_t)1 << c;
    return 0;
bad:
    fprintf(stderr, "Invalid pcpu range: %s.\n", s);
    return -1;
}

static int parse_cpus(const char *list, uint64_t *map)
{
    char *buf = strdup(list), *save = NULL;
    int rc = 0;

    if (!buf)
        return -1;
    *map = 0;
    for (char *p = strtok_r(buf, ",", &save); p && !rc; p = strtok_r(NULL, ",", &save))
        rc = cpu_item(p, map);
    free(buf);
    return rc;
}

static void list_domain(domid_t domid, unsigned int nr_cpus)
{
    pvxctl_dominfo_t info;
    char *name;

    if (pvxctl_domain_info(xl_ctx.ctl, domid, &info))
        return;
    name = xlt_domain_name(&xl_ctx, domid);
    for (uint32_t v = 0; v <= info.max_vcpu_id; v++) {
        struct pvx_domctl_getvcpuinfo vi;
        uint64_t hard, soft;

        if (pvxctl_vcpu_info(xl_ctx.ctl, domid, v, &vi) ||
            pvxctl_vcpu_getaffinity(xl_ctx.ctl, domid, v, &hard, &soft))
            continue;
        printf("%-32s %5u %5u", name ? name : "", domid, v);
        if (vi.online)
            printf("%5u %3c%c- ", vi.cpu, vi.running ? 'r' : '-', vi.blocked ? 'b' : '-');
        else
            printf("%5c %3c%cp ", '-', '-', '-');
        printf("%9.1f  ", (double)vi.cpu_time / 1e9);
        print_cpus(hard, nr_cpus);
        fputs(" / ", stdout);
        print_cpus(soft, nr_cpus);
        putchar('\n');
    }
    free(name);
}

int main_vcpulist(int argc, char **argv)
{
    struct pvx_sysctl_physinfo pi;
    pvxctl_dominfo_t infos[256];
    int n;

    while (xl_getopt(argc, argv, "", NULL, "vcpu-list", 0) != -1)
        ;
    if (pvxctl_physinfo(xl_ctx.ctl, &pi)) {
        fprintf(stderr, "libxl_physinfo failed.\n");
        return EXIT_SUCCESS; /* as xl: the header is not even printed */
    }
    printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
           "Affinity (Hard / Soft)");
    if (optind == argc) {
        n = xlt_list(&xl_ctx, infos, sizeof(infos) / sizeof(infos[0]));
        for (int i = 0; i < n; i++)
            list_domain(infos[i].domain, pi.max_cpu_id + 1);
        return EXIT_SUCCESS;
    }
    for (int i = optind; i < argc; i++) {
        domid_t domid;

        if (xlt_find_domain(&xl_ctx, argv[i], &domid))
            return EXIT_FAILURE;
        list_domain(domid, pi.max_cpu_id + 1);
    }
    return EXIT_SUCCESS;
}

int main_vcpupin(int argc, char **argv)
{
    static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                         {"ignore-global-affinity-masks", no_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *vcpu_arg, *hard_arg, *soft_arg;
    uint64_t hard = 0, soft = 0;
    bool force = false, set_hard, set_soft;
    pvxctl_dominfo_t info;
    domid_t domid;
    long vcpu;
    char *end;
    int opt;

    while ((opt = xl_getopt(argc, argv, "fi", opts, "vcpu-pin", 3)) != -1)
        force |= opt == 'f';
    if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
        return EXIT_FAILURE;
    vcpu_arg = argv[optind + 1];
    hard_arg = argv[optind + 2];
    soft_arg = argc > optind + 3 ? argv[optind + 3] : NULL;
    vcpu = strtol(vcpu_arg, &end, 10);
    if (end == vcpu_arg || *end || vcpu < 0) {
        if (strcmp(vcpu_arg, "all")) {
            fprintf(stderr, "Error: Invalid argument %s as VCPU.\n", vcpu_arg);
            return EXIT_FAILURE;
        }
        if (force) {
            fprintf(stderr, "Error: --force and 'all' as VCPU not allowed.\n");
            return EXIT_FAILURE;
        }
        vcpu = -1;
    }
    set_hard = strcmp(hard_arg, "-") != 0;
    set_soft = soft_arg && strcmp(soft_arg, "-") != 0;
    if ((set_hard && parse_cpus(hard_arg, &hard)) || (set_soft && parse_cpus(soft_arg, &soft)))
        return EXIT_FAILURE;
    if (xl_dryrun) {
        printf("cpumap: ");
        if (set_hard)
            print_cpus(hard, XL_MAX_CPUS);
        else
            putchar('-');
        if (set_soft) {
            putchar(' ');
            print_cpus(soft, XL_MAX_CPUS);
        }
        putchar('\n');
        return EXIT_SUCCESS;
    }
    if (!set_hard && !set_soft)
        return EXIT_SUCCESS;
    if (pvxctl_domain_info(xl_ctx.ctl, domid, &info)) {
        fprintf(stderr, "Could not get domain info\n");
        return EXIT_FAILURE;
    }
    for (uint32_t v = vcpu < 0 ? 0 : (uint32_t)vcpu;
         v <= (vcpu < 0 ? info.max_vcpu_id : (uint32_t)vcpu); v++) {
        uint64_t h = hard, s = soft;

        if (pvxctl_vcpu_setaffinity(xl_ctx.ctl, domid, v, set_hard ? &h : NULL,
                                    set_soft ? &s : NULL)) {
            if (vcpu < 0) {
                fprintf(stderr, "Could not set affinity.\n");
                return EXIT_SUCCESS; /* as xl for 'all' */
            }
            fprintf(stderr, "Could not set affinity for vcpu `%ld'.\n", vcpu);
            return EXIT_FAILURE;
        }
    }
    return EXIT_SUCCESS;
}
