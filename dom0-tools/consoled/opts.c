/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvxconsoled's command line, in xenconsoled's spelling.  Unlike
 * xenconsoled, a value it does not know is an error rather than ignored:
 * a typo in --log must not silently turn logging off.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "consoled.h"

void consoled_usage(const char *prog)
{
    printf("Usage: %s [-h] [-V] [-v] [-i] [--log=none|guest|hv|all] [--log-dir=DIR]\n"
           "       [--pid-file=PATH] [-t, --timestamp=none|guest|hv|all]\n"
           "       [-o, --overflow-data=discard|keep] [--replace-escape]\n"
           "\n"
           "The pvx console daemon: a pty and a log file for every domU console.\n"
           "\n"
           "  -i, --interactive       stay in the foreground, messages on stderr\n"
           "  -v, --verbose           -v: consoles coming and going; -vv: every event\n"
           "      --log=WHAT          log files to write (default guest):\n"
           "                            guest  %s/guest-<name>.log per domain\n"
           "                            hv     %s/hypervisor.log (pvx's own log)\n"
           "                            all    both; none: neither\n"
           "      --log-dir=DIR       where log files go (default %s)\n"
           "      --pid-file=PATH     pid file (default %s when daemonized)\n"
           "  -t, --timestamp=WHICH   logs whose lines get \"[YYYY-MM-DD HH:MM:SS] \"\n"
           "  -o, --overflow-data=M   output nobody reads beyond a console's limit:\n"
           "                            discard  drop the middle (default)\n"
           "                            keep     stop reading the guest's ring\n"
           "      --replace-escape    write ESC as '.' in log files\n"
           "  -V, --version           print the version\n"
           "  -h, --help              this text\n",
           prog, "DIR", "DIR", CONSOLED_LOG_DIR, CONSOLED_PID_FILE);
}

/* none|guest|hv|all as CONS_LOG_* bits, or -1. */
static int which_logs(const char *s)
{
    static const struct {
        const char *name;
        unsigned int bits;
    } names[] = {{"none", 0},
                 {"guest", CONS_LOG_GUEST},
                 {"hv", CONS_LOG_HV},
                 {"all", CONS_LOG_GUEST | CONS_LOG_HV}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(s, names[i].name))
            return (int)names[i].bits;
    return -1;
}

int consoled_parse_opts(int argc, char **argv, struct consoled_opts *o, char *err, size_t errlen)
{
    static const struct option lopts[] = {
        {"help", 0, NULL, 'h'},
        {"version", 0, NULL, 'V'},
        {"verbose", 0, NULL, 'v'},
        {"interactive", 0, NULL, 'i'},
        {"log", 1, NULL, 'l'},
        {"log-dir", 1, NULL, 'r'},
        {"pid-file", 1, NULL, 'p'},
        {"timestamp", 1, NULL, 't'},
        {"overflow-data", 1, NULL, 'o'},
        {"replace-escape", 0, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    int ch, bits;

    *o = (struct consoled_opts){.log = CONS_LOG_GUEST, .log_dir = CONSOLED_LOG_DIR, .ready_fd = -1};
    optind = 0; /* glibc: start afresh, so the tests may parse again */
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "hVvit:o:", lopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            return CONSOLED_HELP;
        case 'V':
            return CONSOLED_VERSION;
        case 'v':
            o->verbose++;
            break;
        case 'i':
            o->interactive = true;
            break;
        case 'l':
        case 't':
            bits = which_logs(optarg);
            if (bits < 0) {
                snprintf(err, errlen, "%s: '%s' is not one of none, guest, hv, all",
                         ch == 'l' ? "--log" : "--timestamp", optarg);
                return -EINVAL;
            }
            if (ch == 'l')
                o->log = (unsigned int)bits;
            else
                o->stamp = (unsigned int)bits;
            break;
        case 'r':
            if (!*optarg) {
                snprintf(err, errlen, "--log-dir: empty directory name");
                return -EINVAL;
            }
            o->log_dir = optarg;
            break;
        case 'p':
            o->pid_file = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "discard") && strcmp(optarg, "keep")) {
                snprintf(err, errlen, "--overflow-data: '%s' is not discard or keep", optarg);
                return -EINVAL;
            }
            o->keep_overflow = !strcmp(optarg, "keep");
            break;
        case 'e':
            o->replace_escape = true;
            break;
        default:
            /* optopt is the option's val: non-zero for a known one lacking its value. */
            if (optopt && strchr("lrpto", optopt))
                snprintf(err, errlen, "%s needs a value", argv[optind - 1]);
            else if (optopt)
                snprintf(err, errlen, "unknown option -%c", optopt);
            else
                snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
            return -EINVAL;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
        return -EINVAL;
    }
    return CONSOLED_RUN;
}
