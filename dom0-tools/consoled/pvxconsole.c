/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvxconsole DOMID: attach this terminal to a domain's console; a small
 * wrapper around pvx_console_attach (client.h) with xenconsole's options,
 * for testing and for scripts.  Ctrl-] detaches.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static void usage(const char *prog)
{
    printf("Usage: %s [OPTION] DOMID\n"
           "Attaches to a domain's console (Ctrl-] detaches).\n"
           "\n"
           "  -h, --help               display this help and exit\n"
           "  -n, --num N              console number (only 0 exists)\n"
           "  -t, --type TYPE          console type (only pv exists)\n"
           "      --start-notify-fd N  write one 0x00 byte to fd N once attached\n"
           "  -v, --verbose            say on stderr how the session ended\n",
           prog);
}

static int bad_usage(const char *prog, const char *what)
{
    fprintf(stderr, "%s\nTry `%s --help' for more information.\n", what, prog);
    return EINVAL;
}

int main(int argc, char **argv)
{
    static const struct option lopts[] = {
        {"help", 0, NULL, 'h'},    {"num", 1, NULL, 'n'},
        {"type", 1, NULL, 't'},    {"start-notify-fd", 1, NULL, 's'},
        {"verbose", 0, NULL, 'v'}, {NULL, 0, NULL, 0},
    };
    int ch, notify_fd = -1, rc, verbose = 0;
    unsigned long domid;
    char err[512], *end;

    while ((ch = getopt_long(argc, argv, "hn:t:v", lopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            usage(argv[0]);
            return 0;
        case 'n':
            if (strcmp(optarg, "0"))
                return bad_usage(argv[0], "Only console 0 exists on pvx");
            break;
        case 't':
            if (strcmp(optarg, "pv"))
                return bad_usage(argv[0], "Console types supported are: pv");
            break;
        case 's':
            notify_fd = (int)strtol(optarg, &end, 10);
            if (*end || notify_fd < 0)
                return bad_usage(argv[0], "Invalid --start-notify-fd");
            break;
        case 'v':
            verbose = 1;
            break;
        default:
            return bad_usage(argv[0], "Invalid argument");
        }
    }
    if (optind >= argc)
        return bad_usage(argv[0], "DOMID should be specified");
    domid = strtoul(argv[optind], &end, 10);
    if (!*argv[optind] || *end || domid > 0xffff) {
        fprintf(stderr, "Invalid DOMID `%s'\nTry `%s --help' for more information.\n", argv[optind],
                argv[0]);
        return EINVAL;
    }
    rc = pvx_console_attach((domid_t)domid, notify_fd, err, sizeof(err));
    if (rc < 0 || verbose)
        fprintf(stderr, "%s: %s\n", argv[0], err);
    if (PVX_CONSOLE_IS_SIGNAL(rc) && PVX_CONSOLE_SIGNAL_NUMBER(rc) != SIGTERM) {
        /* Die of it, as the caller asked; the terminal is already restored. */
        signal(PVX_CONSOLE_SIGNAL_NUMBER(rc), SIG_DFL);
        raise(PVX_CONSOLE_SIGNAL_NUMBER(rc));
    }
    return pvx_console_exit_status(rc);
}
