/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl create and xl console.
 *
 * create: the configuration is the file named first (or by -f), with each
 * `key=value` argument appended as a line of its own, so that they override
 * the file (xl.cfg's last assignment wins).  `/dev/null` means "the command
 * line only".  With -c the domain stays paused until a console client (a
 * child process) is attached, so none of the guest's first lines is missed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "domcfg.h"
#include "xl.h"

/* Config files larger than this are refused (xl.cfg files are small). */
#define MAX_CONFIG (1u << 20)

char *xl_read_config(const char *path, size_t *len)
{
    struct stat st;
    char *text = NULL;
    int fd;

    *len = 0;
    if (!strcmp(path, "/dev/null"))
        return strdup("");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_CONFIG) {
        errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
        goto out;
    }
    text = malloc((size_t)st.st_size + 1);
    if (!text)
        goto out;
    while (*len < (size_t)st.st_size) {
        ssize_t n = read(fd, text + *len, (size_t)st.st_size - *len);

        if (n <= 0) {
            free(text);
            text = NULL;
            errno = n < 0 ? errno : EIO;
            goto out;
        }
        *len += (size_t)n;
    }
    text[*len] = '\0';
out:
    close(fd);
    return text;
}

/* The text saved for reboots: the file, then each override on its own line,
 * exactly as the parser saw them. */
static char *saved_text(const char *file, size_t len, char **extra, size_t nextra)
{
    size_t total = len + 2;
    char *s, *p;

    for (size_t i = 0; i < nextra; i++)
        total += strlen(extra[i]) + 1;
    s = p = malloc(total + 1);
    if (!s)
        return NULL;
    memcpy(p, file, len);
    p += len;
    *p++ = '\n';
    for (size_t i = 0; i < nextra; i++)
        p += sprintf(p, "%s\n", extra[i]);
    *p = '\0';
    return s;
}

/* -c: a child attaches to the console; the domain is unpaused only once
 * it says it is connected.  Returns the child's pid, or -1. */
static pid_t start_console(domid_t domid, int *notify_rd)
{
    int pipefd[2];
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC))
        return -1;
    pid = fork();
    if (pid == 0) {
        char err[256];
        int rc;

        close(pipefd[0]);
        rc = pvx_console_attach(domid, pipefd[1], err, sizeof(err));
        if (rc < 0)
            fprintf(stderr, "%s\n", err);
        _exit(pvx_console_exit_status(rc));
    }
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        return -1;
    }
    *notify_rd = pipefd[0];
    return pid;
}

int main_create(int argc, char **argv)
{
    static const struct option opts[] = {{"defconfig", required_argument, NULL, 'f'},
                                         {"dryrun", no_argument, NULL, 'n'},
                                         {"ignore-global-affinity-masks", no_argument, NULL, 'i'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"vncviewer", no_argument, NULL, 'V'},
                                         {"vncviewer-autopass", no_argument, NULL, 'A'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL;
    bool console = false, quiet = false, dryrun = xl_dryrun, paused = false;
    struct xlt_create c = {.console_notify_fd = -1};
    struct pvx_domcfg *cfg = NULL;
    char **extra;
    size_t nextra = 0, len;
    char *text = NULL, *saved = NULL;
    pid_t child = -1;
    int opt, rc = EXIT_FAILURE;

    if (argv[1] && argv[1][0] != '-' && !strchr(argv[1], '=')) {
        file = argv[1];
        argc--;
        argv++;
    }
    while ((opt = xl_getopt(argc, argv, "AFVcdef:inpq", opts, "create", 0)) != -1) {
        switch (opt) {
        case 'c':
            console = true;
            break;
        case 'f':
            file = optarg;
            break;
        case 'n':
            dryrun = true;
            break;
        case 'p':
            paused = true;
            break;
        case 'q':
            quiet = true;
            break;
        default: /* -F -e -d -i -V -A: nothing to do on pvx (docs/toolstack.md) */
            break;
        }
    }
    extra = calloc((size_t)argc + 1, sizeof(*extra));
    if (!extra)
        return EXIT_FAILURE;
    for (; optind < argc; optind++) {
        if (strchr(argv[optind], '=')) {
            extra[nextra++] = argv[optind];
        } else if (!file) {
            file = argv[optind];
        } else {
            xl_help("create");
            free(extra);
            return 2;
        }
    }
    if (!file) {
        fprintf(stderr, "Config file not specified and none in save file\n");
        rc = -XLT_ERROR_INVAL;
        goto out;
    }
    text = xl_read_config(file, &len);
    if (!text) {
        fprintf(stderr, "Failed to read config file: %s: %s\n", file, strerror(errno));
        rc = -XLT_ERROR_FAIL;
        goto out;
    }
    if (!quiet)
        fprintf(stderr, "Parsing config from %s\n", file);
    if (xlt_config_parse(file, text, len, (const char *const *)extra, nextra, &cfg))
        goto out; /* EXIT_FAILURE, as xl's parse_config_data */
    if (dryrun) {
        char *summary = pvx_domcfg_summary(cfg);

        printf("%s\n", summary ? summary : "");
        free(summary);
        rc = EXIT_SUCCESS;
        goto out;
    }
    saved = saved_text(text, len, extra, nextra);
    if (!saved)
        goto out;
    c.cfg = cfg;
    c.config_text = saved;
    c.paused = paused || console;
    rc = xlt_create(&xl_ctx, &c);
    if (rc) {
        rc = -XLT_ERROR_FAIL; /* xl exits 3 for any failure of libxl's create */
        goto out;
    }
    if (console) {
        int notify = -1;
        char b;

        child = start_console(c.domid, &notify);
        /* Unpause once the client is attached (or has given up). */
        if (child > 0 && read(notify, &b, 1) != 1)
            fprintf(stderr, "Got EOF from xenconsole notification fd\n");
        if (notify >= 0)
            close(notify);
        if (!paused && pvxctl_domain_unpause(xl_ctx.ctl, c.domid))
            XLT_ERR(DOMID_INVALID, "%s", pvxctl_error(xl_ctx.ctl));
        if (child > 0) {
            int status;

            while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        }
    }
    rc = EXIT_SUCCESS;
out:
    pvx_domcfg_free(cfg);
    free(text);
    free(saved);
    free(extra);
    return rc;
}

int main_console(int argc, char **argv)
{
    static const struct option opts[] = {{"type", required_argument, NULL, 't'},
                                         {"num", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    domid_t domid;
    char err[256];
    int opt, rc;

    while ((opt = xl_getopt(argc, argv, "n:t:", opts, "console", 1)) != -1) {
        if (opt == 't' && strcmp(optarg, "pv") && strcmp(optarg, "serial") &&
            strcmp(optarg, "vuart")) {
            fprintf(stderr, "console type supported are: pv, serial, vuart\n");
            return EXIT_FAILURE;
        }
        if ((opt == 't' && strcmp(optarg, "pv")) || (opt == 'n' && strcmp(optarg, "0"))) {
            /* PV guests on pvx have one console: pv 0. */
            fprintf(stderr, "Unable to attach console\n");
            return EXIT_FAILURE;
        }
    }
    if (xlt_find_domain(&xl_ctx, argv[optind], &domid))
        return EXIT_FAILURE;
    /* The console client talks to xenstore by itself. */
    xlt_close(&xl_ctx);
    rc = pvx_console_attach(domid, -1, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "%s\n", err);
    return pvx_console_exit_status(rc);
}
