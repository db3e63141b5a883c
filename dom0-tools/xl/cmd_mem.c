/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl mem-set, mem-max, vcpu-set: a running domain's memory and vCPUs.
 *
 * The guest does the work: its balloon driver follows memory/target, and
 * its vCPU hotplug watcher follows cpu/K/availability.  The toolstack sets
 * the hypervisor's limit (max_pages = target + 1 MiB, as libxl) and writes
 * the nodes; the change is also recorded in the domain's saved config so
 * that a reboot keeps it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devspec.h"
#include "guest.h"
#include "xl.h"

static void report_line(void *opaque, enum xlcfg_level level, const char *line)
{
    (void)opaque;
    (void)level;
    fprintf(stderr, "%s\n", line);
}

static const struct xlcfg_reporter stderr_reporter = {report_line, NULL};

/* A decimal KiB value from the domain's memory/<node>. */
static int read_kb(domid_t domid, const char *node, uint64_t *kb)
{
    char *v = xlt_read(&xl_ctx, XBT_NULL, "/local/domain/%u/memory/%s", domid, node), *end;
    int rc = 0;

    if (!v) {
        XLT_ERR(domid, "Cannot get memory info from /local/domain/%u/memory/%s", domid, node);
        return -ENOENT;
    }
    *kb = strtoull(v, &end, 10);
    if (*end || end == v) {
        XLT_ERR(domid, "Invalid memory %s from /local/domain/%u/memory/%s", v, domid, node);
        rc = -EINVAL;
    }
    free(v);
    return rc;
}

/*
 * mem-set and mem-max differ only in which limit they set and which one
 * bounds it: the target must stay at or below static-max, static-max at or
 * above the target.  Either way pvx's limit becomes the new value plus
 * xl's slack, and the node and the saved configuration follow.
 */
struct mem_limit {
    const char *verb, *node, *other, *cfg_key, *what, *refusal;
    bool at_most_other; /* the new value may not exceed the other node's */
};

static const struct mem_limit target_limit = {
    "mem-set", "target",      "static-max",
    "memory",  "dynamic max", "memory_dynamic_max must be less than or equal to memory_static_max",
    true};
static const struct mem_limit max_limit = {
    "mem-max",    "static-max",
    "target",     "maxmem",
    "static max", "memory_static_max must be greater than or or equal to memory_dynamic_max",
    false};

static int set_limit(const struct mem_limit *m, domid_t domid, uint64_t kb)
{
    uint64_t other;
    char path[96];
    int rc = read_kb(domid, m->other, &other);

    if (rc)
        return rc;
    if (m->at_most_other ? kb > other : kb < other) {
        XLT_ERR(domid, "%s", m->refusal);
        return -EINVAL;
    }
    rc = pvxctl_domain_max_mem(xl_ctx.ctl, domid, (kb + PVX_MAXMEM_SLACK_KB) >> 2);
    if (rc) {
        XLT_ERR(DOMID_INVALID, "%s", pvxctl_error(xl_ctx.ctl));
        return rc;
    }
    snprintf(path, sizeof(path), "/local/domain/%u/memory/%s", domid, m->node);
    rc = xlt_writef(&xl_ctx, XBT_NULL, path, "%llu", (unsigned long long)kb);
    if (!rc)
        xlt_saved_append(domid, "%s = %llu", m->cfg_key, (unsigned long long)(kb >> 10));
    return rc;
}

static int mem_verb(const struct mem_limit *m, int argc, char **argv)
{
    domid_t domid;
    uint64_t kb;
    const char *mem;

    while (xl_getopt(argc, argv, "", NULL, m->verb, 2) != -1)
        ;
    if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
        return EXIT_FAILURE;
    mem = argv[optind + 1];
    if (pvx_parse_mem_size_kb(mem, &stderr_reporter, &kb))
        return EXIT_FAILURE;
    if (domid == 0 || set_limit(m, domid, kb)) {
        fprintf(stderr, "cannot set domid %u %s memory to : %s\n", domid, m->what, mem);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

int main_memset(int argc, char **argv)
{
    return mem_verb(&target_limit, argc, argv);
}

int main_memmax(int argc, char **argv)
{
    return mem_verb(&max_limit, argc, argv);
}

struct vcpus {
    domid_t domid;
    unsigned int online, max;
};

static int vcpus_tx(struct xlt *t, xs_transaction_t tx, void *arg)
{
    const struct vcpus *v = arg;
    char path[96];
    int rc = 0;

    for (unsigned int k = 0; !rc && k < v->max; k++) {
        snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability", v->domid, k);
        rc = xlt_write(t, tx, path, k < v->online ? "online" : "offline");
    }
    return rc;
}

int main_vcpuset(int argc, char **argv)
{
    static const struct option opts[] = {{"ignore-host", no_argument, NULL, 'i'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    struct pvx_sysctl_physinfo pi;
    pvxctl_dominfo_t info;
    struct vcpus v;
    bool check_host = true;
    unsigned long n;
    char *end;
    int opt;

    while ((opt = xl_getopt(argc, argv, "i", opts, "vcpu-set", 2)) != -1)
        check_host = false;
    if (xlt_find_domain(&xl_ctx, argv[optind], &v.domid))
        return EXIT_FAILURE;
    n = strtoul(argv[optind + 1], &end, 10);
    if (end == argv[optind + 1] || n > INT_MAX) {
        fprintf(stderr, "Error: Invalid argument.\n");
        return EXIT_FAILURE;
    }
    if (pvxctl_domain_info(xl_ctx.ctl, v.domid, &info)) {
        fprintf(stderr, "Domain %u does not exist.\n", v.domid);
        return EXIT_FAILURE;
    }
    if (check_host && !pvxctl_physinfo(xl_ctx.ctl, &pi) && n > info.nr_online_vcpus &&
        n > pi.nr_cpus) {
        fprintf(stderr,
                "You are overcommmitting! You have %u physical CPUs and want %lu vCPUs! "
                "Aborting, use --ignore-host to continue\n",
                pi.nr_cpus, n);
        return EXIT_FAILURE;
    }
    v.online = (unsigned int)n;
    v.max = info.max_vcpu_id + 1;
    if (n == 0 || n > v.max) {
        if (n == 0)
            XLT_ERR(v.domid, "Requested 0 VCPUs!");
        else
            XLT_ERR(v.domid, "Requested %lu VCPUs, however maxcpus is %u!", n, v.max);
        fprintf(stderr, "libxl_set_vcpuonline failed domid=%u max_vcpus=%lu, rc: %d\n", v.domid, n,
                XLT_ERROR_FAIL);
        return EXIT_FAILURE;
    }
    if (v.domid == 0 || xlt_transaction(&xl_ctx, vcpus_tx, &v)) {
        fprintf(stderr, "libxl_set_vcpuonline failed domid=%u max_vcpus=%lu, rc: %d\n", v.domid, n,
                XLT_ERROR_FAIL);
        return EXIT_FAILURE;
    }
    xlt_saved_append(v.domid, "vcpus = %lu", n);
    return EXIT_SUCCESS;
}
