/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl: pvx's toolstack command line, compatible with Xen's xl (the verbs,
 * their options, output and exit statuses; docs/toolstack.md lists each
 * difference).  Installed in dom0 as `xl`, so scripts written for Xen run
 * unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl.h"

struct xlt xl_ctx;
int xl_dryrun;

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    bool modifies;   /* takes the global -f */
    bool can_dryrun; /* takes the global -N */
    bool needs_ctx;  /* runs against the hypervisor and xenstore */
    const char *desc, *usage, *options;
};

static const struct cmd cmds[] = {
    {"create", main_create, true, true, true, "Create a domain from an xl.cfg configuration file",
     "<ConfigFile> [options] [key=value ...]",
     "-c                      Attach to its console once it is created.\n"
     "-p                      Leave it paused.\n"
     "-q, --quiet             Do not print which file is parsed.\n"
     "-f FILE, --defconfig=FILE\n"
     "                        The configuration file (instead of the first argument).\n"
     "-n, --dryrun            Parse and check the configuration only.\n"
     "-e, -F                  Accepted for compatibility (pvx's lifecycle daemon\n"
     "                        handles the domain's shutdown and reboot).\n"
     "-h                      Print this help."},
    {"save", main_save, false, false, true, "Save a domain's state to a file, then destroy it",
     "[options] <Domain> <CheckpointFile> [<ConfigFile>]",
     "-c                      Leave the domain running after it is saved.\n"
     "-p                      Leave the domain paused after it is saved."},
    {"restore", main_restore, false, false, true, "Restore a domain from a saved state",
     "[options] [<ConfigFile>] <CheckpointFile>",
     "-p                      Do not unpause the domain after it is restored.\n"
     "-e, -d, -V              Accepted for compatibility (they change nothing)."},
    {"migrate", main_migrate, false, false, true, "Migrate a domain to another host",
     "[options] <Domain> <host>",
     "-s <sshcommand>         Use <sshcommand> instead of ssh.  The string is followed\n"
     "                        by <host> xl migrate-receive: with\n"
     "                        -s \"pvx-migrate connect\" the transport is pvx-migrate\n"
     "                        (no ssh keys; docs/migration.md).\n"
     "-C <config>             Send <config> instead of the domain's configuration.\n"
     "-e, -F                  Accepted for compatibility (passed on as -e).\n"
     "-p                      Leave the domain paused on the receiver.\n"
     "--max-rounds <n>        Copy memory in at most <n> rounds while the guest runs\n"
     "                        (default 5; 0: suspend it for the whole copy).\n"
     "--max-dirty <pages>     End the rounds once at most <pages> are dirty (default 50).\n"
     "--debug, --live         Accepted for compatibility (it is live by default)."},
    {"migrate-receive", main_migrate_receive, false, false, true,
     "The receiving end of xl migrate (run by the transport)", "[options]",
     "-p                      Leave the domain paused.\n"
     "-e, -F, -d              Accepted for compatibility."},
    {"list", main_list, false, false, true, "List domains", "[options] [Domain]",
     "-l, --long              Each domain's saved configuration.\n"
     "-v, --verbose           Also the UUID and the shutdown reason."},
    {"destroy", main_destroy, true, false, true, "End a domain at once", "[options] <Domain>",
     "-f                      Allow naming domain 0 (it is still refused)."},
    {"shutdown", main_shutdown, false, false, true,
     "Ask a domain to shut down (the guest powers itself off)", "[options] <-a|Domain>",
     "-a, --all               Every guest domain.\n"
     "-w, --wait              Wait until it has shut down (-ww: until it is gone).\n"
     "-F                      Accepted for compatibility (PV guests only).\n"
     "-h                      Print this help."},
    {"reboot", main_reboot, false, false, true, "Ask a domain to reboot", "[options] <-a|Domain>",
     "-a, --all               Every guest domain.\n"
     "-w, --wait              Wait until it has shut down for the reboot.\n"
     "-F                      Accepted for compatibility (PV guests only).\n"
     "-h                      Print this help."},
    {"pause", main_pause, false, false, true, "Pause a domain", "<Domain>", NULL},
    {"unpause", main_unpause, false, false, true, "Unpause a paused domain", "<Domain>", NULL},
    {"console", main_console, false, false, true, "Attach to a domain's console",
     "[options] <Domain>\n"
     "Ctrl-] detaches",
     "-t <type>               Console type: pv (serial and vuart are not offered).\n"
     "-n <number>             Console number: 0 (pvx offers one console per domain)."},
    {"info", main_info, false, false, true, "Information about the host and pvx", "[-n] [NAME]",
     "-n, --numa              Also the NUMA topology (one node on pvx)."},
    {"dmesg", main_dmesg, false, false, true, "Print pvx's log", "[-c]",
     "-c                      Clear the log after printing it."},
    {"mem-set", main_memset, false, false, true,
     "Set a domain's memory target (the guest balloons to it)",
     "<Domain> <MemMB['b'[bytes]|'k'|'m'|'g']>", NULL},
    {"mem-max", main_memmax, false, false, true, "Set the most memory a domain may balloon up to",
     "<Domain> <MemMB['b'[bytes]|'k'|'m'|'g']>", NULL},
    {"vcpu-set", main_vcpuset, false, false, true, "Set how many vCPUs a domain has online",
     "[option] <Domain> <vCPUs>",
     "-i, --ignore-host       Allow more vCPUs than the host has CPUs."},
    {"vcpu-list", main_vcpulist, false, false, true, "List the VCPUs for all/some domains",
     "[Domain, ...]", NULL},
    {"vcpu-pin", main_vcpupin, true, true, true, "Set which CPUs a VCPU can use",
     "[option] <Domain> <VCPU|all> <Hard affinity|-|all> <Soft affinity|-|all>",
     "-f, --force        undo an override pinning done by the kernel\n"
     "-i, --ignore-global-affinity-masks Ignore the global affinity masks."},
    {"block-attach", main_blockattach, false, true, true, "Create a new virtual block device",
     "<Domain> <disk-spec-component(s)>...", NULL},
    {"block-list", main_blocklist, false, false, true, "List virtual block devices for a domain",
     "<Domain(s)>", NULL},
    {"block-detach", main_blockdetach, false, false, true,
     "Destroy a domain's virtual block device", "[option] <Domain> <DevId>",
     "-f, --force             Detach even if the guest does not let go of it."},
    {"network-attach", main_networkattach, false, true, true, "Create a new virtual network device",
     "<Domain> [type=<type>] [mac=<mac>] [bridge=<bridge>] [ip=<ip>] [vifname=<name>]\n"
     "                  [mtu=<mtu>]",
     NULL},
    {"network-list", main_networklist, false, false, true,
     "List virtual network interfaces for a domain", "<Domain(s)>", NULL},
    {"network-detach", main_networkdetach, false, false, true,
     "Destroy a domain's virtual network device", "<Domain> <DevId|mac>", NULL},
    {"rename", main_rename, true, false, true, "Rename a domain", "<Domain> <NewDomainName>", NULL},
    {"sysrq", main_sysrq, false, false, true, "Send a magic SysRq key to a domain",
     "<Domain> <letter>", NULL},
    {"domid", main_domid, false, false, true, "Print a domain's id from its name", "<DomainName>",
     NULL},
    {"domname", main_domname, false, false, true, "Print a domain's name from its id", "<DomainId>",
     NULL},
    {"uptime", main_uptime, false, false, true, "Print how long domains have been running",
     "[-s] [Domain]", "-s, --short             Uptime only."},
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

/* A unique prefix names a verb; an exact name always wins. */
static const struct cmd *lookup(const char *s)
{
    const struct cmd *found = NULL;
    size_t len = strlen(s);
    int count = 0;

    for (size_t i = 0; i < NR_CMDS; i++) {
        if (strncmp(s, cmds[i].name, len))
            continue;
        if (len == strlen(cmds[i].name))
            return &cmds[i];
        found = &cmds[i];
        count++;
    }
    return count == 1 ? found : NULL;
}

void xl_help(const char *name)
{
    const struct cmd *c;

    if (!name || !strcmp(name, "help")) {
        printf("Usage xl [-vfNtT] <subcommand> [args]\n\n");
        printf("xl full list of subcommands:\n\n");
        for (size_t i = 0; i < NR_CMDS; i++)
            printf(" %-19s %s\n", cmds[i].name, cmds[i].desc);
        return;
    }
    c = lookup(name);
    if (!c) {
        printf("command \"%s\" not implemented\n", name);
        return;
    }
    printf("Usage: xl [-vtT%s%s] %s %s\n\n%s.\n\n", c->modifies ? "f" : "",
           c->can_dryrun ? "N" : "", c->name, c->usage, c->desc);
    if (c->options)
        printf("Options:\n\n%s\n", c->options);
}

int xl_getopt(int argc, char *const argv[], const char *optstring, const struct option *longopts,
              const char *cmd, int reqargs)
{
    static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int opt;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, optstring, longopts ? longopts : help_only, NULL)) ==
           '?') {
        if (optopt == 'h') {
            xl_help(cmd);
            exit(0);
        }
        fprintf(stderr, "option `%c' not supported.\n", optopt);
        exit(2);
    }
    if (opt == 'h') {
        xl_help(cmd);
        exit(0);
    }
    if (opt != -1)
        return opt;
    if (argc - optind < reqargs) {
        fprintf(stderr, "'xl %s' requires at least %d argument%s.\n\n", cmd, reqargs,
                reqargs > 1 ? "s" : "");
        xl_help(cmd);
        exit(2);
    }
    return -1;
}

int main(int argc, char **argv)
{
    const struct cmd *c;
    char err[512];
    int opt, verbose = 0, rc;

    while ((opt = getopt(argc, argv, "+vftTN")) >= 0) {
        switch (opt) {
        case 'v':
            verbose++;
            break;
        case 'N':
            xl_dryrun = 1;
            break;
        case 'f': /* force, progress with CR, timestamps: nothing to change on pvx */
        case 't':
        case 'T':
            break;
        default:
            fprintf(stderr, "unknown global option\n");
            return EXIT_FAILURE;
        }
    }
    if (optind >= argc) {
        xl_help(NULL);
        return EXIT_FAILURE;
    }
    argv += optind;
    argc -= optind;
    optind = 1;
    if (!strcmp(argv[0], "help")) {
        xl_help(argc > 1 ? argv[1] : NULL);
        return EXIT_SUCCESS;
    }
    c = lookup(argv[0]);
    if (!c) {
        fprintf(stderr, "command not implemented\n");
        return EXIT_FAILURE;
    }
    if (xl_dryrun && !c->can_dryrun) {
        fprintf(stderr, "command does not implement -N (dryrun) option\n");
        return EXIT_FAILURE;
    }
    /* The verb's own -h must work without a hypervisor, and so must
     * `xl -N create FILE`, which only parses and prints: it checks a
     * configuration anywhere (pvx-domains, the package test). */
    if (c->needs_ctx && !(xl_dryrun && c->fn == main_create) &&
        !(argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        if (xlt_open(&xl_ctx, err, sizeof(err))) {
            fprintf(stderr, "cannot init xl context: %s\n", err);
            return EXIT_FAILURE;
        }
        xl_ctx.verbose = verbose;
    }
    rc = c->fn(argc, argv);
    xlt_close(&xl_ctx);
    return rc;
}
