/* SPDX-License-Identifier: MIT */
/*
 * pvx xenstore: one small command-line tool for the dom0 image.
 *
 *   xenstore read [-p] [-R] PATH...        print values
 *   xenstore write [-R] PATH VALUE...      set values
 *   xenstore ls [-f] [-p] [PATH]           print a subtree
 *   xenstore list [-p] PATH...             print children names
 *   xenstore rm [-t] PATH...               remove subtrees (-t: and empty parents)
 *   xenstore exists PATH...                exit status 0 if all exist
 *   xenstore chmod [-r] [-u] PATH PERM...  set permissions (PERM: [nrwb]<domid>)
 *   xenstore watch [-n N] PATH...          print changed paths (N events, default forever)
 *
 * Also callable as xenstore-read, xenstore-write, ... through links.
 * Values are printed with non-printable bytes escaped (\n \t \r \\ \xNN)
 * unless -R is given; write takes the same escapes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xenstore.h"

static const char *prog = "xenstore";

static void usage(void)
{
    fprintf(stderr,
            "usage: %s <command> [options] args\n"
            "  read [-p] [-R] PATH...       write [-R] PATH VALUE...\n"
            "  ls [-f] [-p] [PATH]          list [-p] PATH...\n"
            "  rm [-t] PATH...              exists PATH...\n"
            "  chmod [-r] [-u] PATH PERM... watch [-n N] PATH...\n",
            prog);
    exit(2);
}

static void print_value(FILE *f, const char *v, unsigned int len, bool raw)
{
    unsigned int i;

    if (raw) {
        fwrite(v, 1, len, f);
        return;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v[i];

        if (ch == '\\')
            fputs("\\\\", f);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch == '\t')
            fputs("\\t", f);
        else if (ch == '\r')
            fputs("\\r", f);
        else if (ch < 0x20 || ch >= 0x7f)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
}

static int cmd_read(struct xs_handle *h, int argc, char **argv, bool prefix, bool raw)
{
    int i, ret = 0;

    for (i = 0; i < argc; i++) {
        unsigned int len;
        char *v = xs_read(h, XBT_NULL, argv[i], &len);

        if (!v) {
            fprintf(stderr, "%s: couldn't read path %s: %s\n", prog, argv[i], strerror(errno));
            ret = 1;
            continue;
        }
        if (prefix)
            printf("%s: ", argv[i]);
        print_value(stdout, v, len, raw);
        if (!raw)
            putchar('\n');
        free(v);
    }
    return ret;
}

static int cmd_write(struct xs_handle *h, int argc, char **argv, bool raw)
{
    int i;

    if (argc == 0 || argc % 2)
        usage();
    for (i = 0; i < argc; i += 2) {
        char *v = argv[i + 1];
        unsigned int len = (unsigned int)strlen(v);

        if (!raw) {
            char *s = v, *o = v;

            while (*s) {
                if (*s == '\\' && s[1]) {
                    s++;
                    if (*s == 'n' || *s == 't' || *s == 'r') {
                        *o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : '\r';
                        s++;
                    } else if (*s == 'x' && s[1] && s[2]) {
                        char hex[3] = {s[1], s[2], 0};

                        *o++ = (char)strtoul(hex, NULL, 16);
                        s += 3;
                    } else {
                        *o++ = *s++;
                    }
                } else {
                    *o++ = *s++;
                }
            }
            len = (unsigned int)(o - v);
        }
        if (!xs_write(h, XBT_NULL, argv[i], v, len)) {
            fprintf(stderr, "%s: could not write path %s: %s\n", prog, argv[i], strerror(errno));
            return 1;
        }
    }
    return 0;
}

static void ls_tree(struct xs_handle *h, const char *path, int depth, bool full, bool perms)
{
    unsigned int num, i;
    char **names = xs_directory(h, XBT_NULL, path, &num);

    if (!names) {
        if (depth == 0)
            fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return;
    }
    for (i = 0; i < num; i++) {
        size_t l = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(l);
        unsigned int vlen;
        char *v;

        if (!child)
            break;
        snprintf(child, l, "%s%s%s", path, strcmp(path, "/") ? "/" : "", names[i]);
        if (full)
            printf("%s", child);
        else
            printf("%*s%s", depth, "", names[i]);
        v = xs_read(h, XBT_NULL, child, &vlen);
        if (v) {
            fputs(" = \"", stdout);
            print_value(stdout, v, vlen, false);
            putchar('"');
            free(v);
        } else {
            putchar(':');
        }
        if (perms) {
            unsigned int np, j;
            struct xs_permissions *p = xs_get_permissions(h, XBT_NULL, child, &np);

            if (p) {
                fputs("  (", stdout);
                for (j = 0; j < np; j++) {
                    char b[32];

                    if (xs_perm_to_string(&p[j], b, sizeof(b)))
                        printf("%s%s", j ? "," : "", b);
                }
                putchar(')');
                free(p);
            }
        }
        putchar('\n');
        ls_tree(h, child, depth + 1, full, perms);
        free(child);
    }
    free(names);
}

static int cmd_rm(struct xs_handle *h, int argc, char **argv, bool tidy)
{
    int i;

    for (i = 0; i < argc; i++) {
        char *p = strdup(argv[i]);

        if (!p)
            return 1;
        if (!xs_rm(h, XBT_NULL, p)) {
            fprintf(stderr, "%s: could not remove path %s: %s\n", prog, p, strerror(errno));
            free(p);
            return 1;
        }
        /* -t: walk up removing parents left empty (no value, no children). */
        while (tidy) {
            char *slash = strrchr(p, '/');
            unsigned int vlen, num;
            char *v;
            char **d;

            if (!slash || slash == p)
                break;
            *slash = '\0';
            v = xs_read(h, XBT_NULL, p, &vlen);
            d = xs_directory(h, XBT_NULL, p, &num);
            tidy = v && vlen == 0 && d && num == 0 && xs_rm(h, XBT_NULL, p);
            free(v);
            free(d);
        }
        free(p);
    }
    return 0;
}

static int parse_perms(int argc, char **argv, struct xs_permissions *p)
{
    int i;

    for (i = 0; i < argc; i++) {
        char *end;

        switch (argv[i][0]) {
        case 'n':
            p[i].perms = XS_PERM_NONE;
            break;
        case 'r':
            p[i].perms = XS_PERM_READ;
            break;
        case 'w':
            p[i].perms = XS_PERM_WRITE;
            break;
        case 'b':
            p[i].perms = XS_PERM_READ | XS_PERM_WRITE;
            break;
        default:
            return -1;
        }
        p[i].id = (unsigned int)strtoul(argv[i] + 1, &end, 10);
        if (!argv[i][1] || *end)
            return -1;
    }
    return 0;
}

static int chmod_tree(struct xs_handle *h, const char *path, struct xs_permissions *p, int n,
                      bool recurse)
{
    unsigned int num, i;
    char **names;
    int ret = 0;

    if (!xs_set_permissions(h, XBT_NULL, path, p, (unsigned int)n)) {
        fprintf(stderr, "%s: could not set permissions on %s: %s\n", prog, path, strerror(errno));
        return 1;
    }
    if (!recurse || !(names = xs_directory(h, XBT_NULL, path, &num)))
        return 0;
    for (i = 0; i < num && !ret; i++) {
        size_t l = strlen(path) + strlen(names[i]) + 2;
        char *child = malloc(l);

        if (!child)
            break;
        snprintf(child, l, "%s%s%s", path, strcmp(path, "/") ? "/" : "", names[i]);
        ret = chmod_tree(h, child, p, n, true);
        free(child);
    }
    free(names);
    return ret;
}

static int cmd_chmod(struct xs_handle *h, int argc, char **argv, bool recurse, bool upto)
{
    struct xs_permissions p[64];
    int n = argc - 1, ret;

    if (argc < 2 || n > 64 || parse_perms(n, argv + 1, p)) {
        fprintf(stderr, "%s: bad permission list\n", prog);
        return 2;
    }
    ret = chmod_tree(h, argv[0], p, n, recurse);
    if (!ret && upto) {
        char *q = strdup(argv[0]), *slash;

        while (!ret && q && (slash = strrchr(q, '/')) && slash != q) {
            *slash = '\0';
            ret = chmod_tree(h, q, p, n, false);
        }
        free(q);
    }
    return ret;
}

static int cmd_watch(struct xs_handle *h, int argc, char **argv, long count)
{
    int i;

    if (!argc)
        usage();
    for (i = 0; i < argc; i++) {
        if (!xs_watch(h, argv[i], argv[i])) {
            fprintf(stderr, "%s: cannot watch %s: %s\n", prog, argv[i], strerror(errno));
            return 1;
        }
    }
    for (; count != 0; count = count > 0 ? count - 1 : count) {
        unsigned int num;
        char **v = xs_read_watch(h, &num);

        if (!v)
            return 1;
        printf("%s\n", v[XS_WATCH_PATH]);
        fflush(stdout);
        free(v);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    const char *cmd;
    bool prefix = false, raw = false, full = false, tidy = false, recurse = false, upto = false;
    long count = -1;
    struct xs_handle *h;
    int opt, ret;

    base = base ? base + 1 : argv[0];
    if (!strncmp(base, "xenstore-", 9)) {
        cmd = base + 9;
        prog = base;
    } else {
        if (argc < 2)
            usage();
        cmd = argv[1];
        argv++;
        argc--;
    }
    while ((opt = getopt(argc, argv, "hpRftrun:s")) != -1) {
        switch (opt) {
        case 'p':
            prefix = true;
            break;
        case 'R':
            raw = true;
            break;
        case 'f':
            full = true;
            break;
        case 't':
            tidy = true;
            break;
        case 'r':
            recurse = true;
            break;
        case 'u':
            upto = true;
            break;
        case 'n':
            count = strtol(optarg, NULL, 10);
            break;
        case 's':
            break; /* socket-only: the default */
        default:
            usage();
        }
    }
    argc -= optind;
    argv += optind;

    h = xs_open(0);
    if (!h) {
        fprintf(stderr, "%s: cannot connect to xenstored (%s): %s\n", prog, xs_daemon_socket(),
                strerror(errno));
        return 1;
    }
    if (!strcmp(cmd, "read") && argc) {
        ret = cmd_read(h, argc, argv, prefix, raw);
    } else if (!strcmp(cmd, "write")) {
        ret = cmd_write(h, argc, argv, raw);
    } else if (!strcmp(cmd, "ls")) {
        ret = 0;
        ls_tree(h, argc ? argv[0] : "/", 0, full, prefix);
    } else if (!strcmp(cmd, "list") && argc) {
        int i;
        unsigned int n, j;

        for (ret = 0, i = 0; i < argc; i++) {
            char **d = xs_directory(h, XBT_NULL, argv[i], &n);

            if (!d) {
                fprintf(stderr, "%s: could not list %s: %s\n", prog, argv[i], strerror(errno));
                ret = 1;
                continue;
            }
            for (j = 0; j < n; j++)
                printf("%s%s%s\n", prefix ? argv[i] : "", prefix ? "/" : "", d[j]);
            free(d);
        }
    } else if (!strcmp(cmd, "rm") && argc) {
        ret = cmd_rm(h, argc, argv, tidy);
    } else if (!strcmp(cmd, "exists") && argc) {
        int i;

        for (ret = 0, i = 0; i < argc && !ret; i++) {
            char *v = xs_read(h, XBT_NULL, argv[i], NULL);

            ret = v ? 0 : 1;
            free(v);
        }
    } else if (!strcmp(cmd, "chmod")) {
        ret = cmd_chmod(h, argc, argv, recurse, upto);
    } else if (!strcmp(cmd, "watch")) {
        ret = cmd_watch(h, argc, argv, count);
    } else {
        xs_close(h);
        usage();
        return 2;
    }
    xs_close(h);
    return ret;
}
