/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlu-ref: runs Xen 4.17's own parsers (Debian's static libxlutil.a, and
 * libxenlight.a for the vdev and UUID rules) on a batch of cases and prints
 * what they report, in the canonical text form that cfg_diff.c renders for
 * pvx's parsers.  Everything libxlutil writes to its report FILE is captured.
 *
 * Batch format (stdin): records "<kind>\n<nparts>\n" followed by nparts
 * parts "<len>\n<bytes>".  Output (stdout): per record "<len>\n<dump>".
 *   cfg   source, data, keys ('\n'-separated), extra args...
 *   disk  spec          vdev  name          uuid  text          rate  rate
 */
#include <errno.h>
#include <libxlutil.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dumpfmt.h"

/* libxl's internal rule for vdev numbers; exported from libxenlight.a. */
int libxl__device_disk_dev_number(const char *virtpath, int *pdisk, int *ppartition);

struct out {
    char *buf;
    size_t len;
    FILE *f;
};

/* The report stream and how much of it has been copied to the dump. */
struct report {
    char *buf;
    size_t len, seen;
    FILE *f;
};

/* Copy the report lines written since the last call, one "msg" line each. */
static void flush_report(struct report *r, FILE *out)
{
    fflush(r->f);
    while (r->seen < r->len) {
        char *nl = memchr(r->buf + r->seen, '\n', r->len - r->seen);
        size_t n = nl ? (size_t)(nl - (r->buf + r->seen)) : r->len - r->seen;
        char *line = strndup(r->buf + r->seen, n);

        fputs("msg ", out);
        put_escaped_n(out, line ? line : "", line ? strlen(line) : 0);
        fputc('\n', out);
        free(line);
        r->seen += n + (nl ? 1 : 0);
    }
}

static void dump_value(XLU_Config *c, XLU_ConfigValue *v, int depth, FILE *out)
{
    if (xlu_cfg_value_type(v) == XLU_STRING) {
        char *s = NULL;

        xlu_cfg_value_get_string(c, v, &s, 1);
        put_string(out, s);
        fputc('\n', out);
    } else {
        XLU_ConfigList *l = NULL;
        XLU_ConfigValue *item;

        xlu_cfg_value_get_list(c, v, &l, 1);
        fputs("list\n", out);
        for (int i = 0; (item = xlu_cfg_get_listitem2(l, i)); i++) {
            fprintf(out, "%*s[%d] ", 2 * depth + 2, "", i);
            dump_value(c, item, depth + 1, out);
        }
    }
}

static void do_cfg(char **parts, const size_t *lens, int nparts, FILE *out)
{
    struct report r = {0};
    XLU_Config *c;
    char *data;
    size_t len = lens[1], extra_len = 0;
    int e;

    r.f = open_memstream(&r.buf, &r.len);
    c = xlu_cfg_init(r.f, parts[0]);
    /* What `xl create` feeds the parser: file, then "\n%s\n" of the
     * command-line arguments, each followed by "\n". */
    for (int i = 3; i < nparts; i++)
        extra_len += strlen(parts[i]) + 1;
    data = malloc(len + extra_len + 3);
    memcpy(data, parts[1], len);
    if (nparts > 3) {
        data[len++] = '\n';
        for (int i = 3; i < nparts; i++)
            len += (size_t)sprintf(data + len, "%s\n", parts[i]);
        data[len++] = '\n';
    }
    e = xlu_cfg_readdata(c, data, (int)len);
    fprintf(out, "parse %s\n", err_name(e));
    flush_report(&r, out);
    if (!e) {
        for (char *key = strtok(parts[2], "\n"); key; key = strtok(NULL, "\n")) {
            const char *s;
            long l;
            XLU_ConfigList *list;
            XLU_ConfigValue *item;
            int n;

            fprintf(out, "key %s\n", key);
            e = xlu_cfg_get_string(c, key, &s, 0);
            fprintf(out, "string %s", err_name(e));
            if (!e) {
                fputc(' ', out);
                put_string(out, s);
            }
            fputc('\n', out);
            flush_report(&r, out);
            e = xlu_cfg_get_long(c, key, &l, 0);
            fprintf(out, "long %s", err_name(e));
            if (!e)
                fprintf(out, " %ld", l);
            fputc('\n', out);
            flush_report(&r, out);
            e = xlu_cfg_get_bounded_long(c, key, 1, 64, &l, 0);
            fprintf(out, "bounded %s", err_name(e));
            if (!e)
                fprintf(out, " %ld", l);
            fputc('\n', out);
            flush_report(&r, out);
            e = xlu_cfg_get_list(c, key, &list, &n, 0);
            fprintf(out, "list %s", err_name(e));
            if (!e)
                fprintf(out, " %d", n);
            fputc('\n', out);
            flush_report(&r, out);
            for (int i = 0; !e && (item = xlu_cfg_get_listitem2(list, i)); i++) {
                fprintf(out, "  [%d] ", i);
                dump_value(c, item, 1, out);
            }
        }
    }
    xlu_cfg_destroy(c);
    fclose(r.f);
    free(r.buf);
    free(data);
}

static const char *tristate(libxl_defbool b)
{
    return libxl_defbool_is_default(b) ? "default" : libxl_defbool_val(b) ? "1" : "0";
}

static void do_disk(const char *spec, FILE *out)
{
    static const char *const formats[] = {"unknown", "qcow", "qcow2", "vhd", "raw", "empty", "qed"};
    struct report r = {0};
    libxl_device_disk d;
    XLU_Config *c;
    int e;

    r.f = open_memstream(&r.buf, &r.len);
    c = xlu_cfg_init(r.f, "test.cfg");
    libxl_device_disk_init(&d);
    e = xlu_disk_parse(c, 1, &spec, &d);
    fprintf(out, "disk %s\n", err_name(e));
    flush_report(&r, out);
    if (!e) {
        fputs("target ", out);
        put_string(out, d.pdev_path);
        fputs("\nvdev ", out);
        put_string(out, d.vdev);
        fprintf(out, "\nformat %s backend %d specification %d\nbackend_domname ", formats[d.format],
                d.backend, d.specification);
        put_string(out, d.backend_domname);
        fputs(" script ", out);
        put_string(out, d.script);
        fprintf(out, "\nrw %d cdrom %d removable %d direct_io_safe %d\n", d.readwrite, d.is_cdrom,
                d.removable, d.direct_io_safe);
        fprintf(out, "discard %s trusted %s colo %s colo_port %d\ncolo_host ",
                tristate(d.discard_enable), tristate(d.trusted), tristate(d.colo_enable),
                d.colo_port);
        put_string(out, d.colo_host);
        fputs(" colo_export ", out);
        put_string(out, d.colo_export);
        fputs(" active_disk ", out);
        put_string(out, d.active_disk);
        fputs(" hidden_disk ", out);
        put_string(out, d.hidden_disk);
        fputc('\n', out);
    }
    libxl_device_disk_dispose(&d);
    xlu_cfg_destroy(c);
    fclose(r.f);
    free(r.buf);
}

static void do_vdev(const char *vdev, FILE *out)
{
    int n = libxl__device_disk_dev_number(vdev, NULL, NULL);

    if (n < 0)
        fputs("vdev invalid\n", out);
    else
        fprintf(out, "vdev %d\n", n);
}

static void do_uuid(const char *text, FILE *out)
{
    libxl_uuid u;

    if (libxl_uuid_from_string(&u, text)) {
        fputs("uuid invalid\n", out);
        return;
    }
    fputs("uuid ", out);
    for (int i = 0; i < 16; i++)
        fprintf(out, "%02x", libxl_uuid_bytearray(&u)[i]);
    fputc('\n', out);
}

static void do_rate(const char *rate, FILE *out)
{
    struct report r = {0};
    libxl_device_nic nic;
    XLU_Config *c;
    int e;

    r.f = open_memstream(&r.buf, &r.len);
    c = xlu_cfg_init(r.f, "test.cfg");
    libxl_device_nic_init(&nic);
    errno = 0; /* libxlutil reads a stale errno */
    e = xlu_vif_parse_rate(c, rate, &nic);
    fprintf(out, "rate %s\n", err_name(e));
    flush_report(&r, out);
    if (!e)
        fprintf(out, "bytes_per_interval %llu interval_usecs %u\n",
                (unsigned long long)nic.rate_bytes_per_interval, nic.rate_interval_usecs);
    libxl_device_nic_dispose(&nic);
    xlu_cfg_destroy(c);
    fclose(r.f);
    free(r.buf);
}

/* The whole batch, read before any child exists (a child's exit() would
 * otherwise resync the shared stdin offset). */
static char *input;
static size_t input_len, input_pos;

static void read_input(void)
{
    size_t cap = 0, r;

    do {
        if (input_len + 65536 > cap) {
            cap = 2 * cap + 65536;
            input = realloc(input, cap);
            if (!input) {
                perror("xlu-ref");
                exit(2);
            }
        }
        r = fread(input + input_len, 1, cap - input_len - 1, stdin);
        input_len += r;
    } while (r);
    input[input_len] = 0;
}

/* A decimal number and its newline; false at the end. */
static bool read_number(size_t *val)
{
    char *ep;

    if (input_pos >= input_len)
        return false;
    *val = strtoul(input + input_pos, &ep, 10);
    if (ep == input + input_pos || *ep != '\n')
        return false;
    input_pos = (size_t)(ep + 1 - input);
    return true;
}

/* "<len>\n<bytes>" (may hold NULs); NULL when truncated. */
static char *read_part(size_t *lenp)
{
    size_t len;
    char *p;

    if (!read_number(&len) || len > input_len - input_pos)
        return NULL;
    p = malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, input + input_pos, len);
    p[len] = 0;
    input_pos += len;
    *lenp = len;
    return p;
}

static void dispatch(const char *kind, char **parts, const size_t *lens, int nparts, FILE *f)
{
    if (!strcmp(kind, "cfg") && nparts >= 3)
        do_cfg(parts, lens, nparts, f);
    else if (!strcmp(kind, "disk") && nparts == 1)
        do_disk(parts[0], f);
    else if (!strcmp(kind, "vdev") && nparts == 1)
        do_vdev(parts[0], f);
    else if (!strcmp(kind, "uuid") && nparts == 1)
        do_uuid(parts[0], f);
    else if (!strcmp(kind, "rate") && nparts == 1)
        do_rate(parts[0], f);
    else
        fprintf(f, "bad record %s\n", kind);
}

/*
 * A risky case in a child process: Xen's parsers can die on bad input (the disk
 * scanner exits with "flex scanner jammed", a NUL in a quoted string trips
 * an assertion).  That is reported as "crash <how>: <stderr>".
 */
static void run_case(const char *kind, char **parts, const size_t *lens, int nparts, FILE *out)
{
    int dump[2], err[2], status;
    char buf[4096];
    ssize_t n;
    pid_t pid;
    /* The known ways to kill them; anything else may run in-process (a new
     * way fails the whole run loudly). */
    bool risky = (!strcmp(kind, "disk") && strchr(parts[0], '\n')) ||
                 (!strcmp(kind, "cfg") && nparts > 1 && memchr(parts[1], 0, lens[1]));

    if (!risky) {
        dispatch(kind, parts, lens, nparts, out);
        return;
    }
    fflush(NULL); /* nothing buffered may be written twice */
    if (pipe(dump) || pipe(err)) {
        perror("xlu-ref: pipe");
        exit(2);
    }
    pid = fork();
    if (pid == 0) {
        FILE *f = fdopen(dump[1], "w");

        close(dump[0]);
        close(err[0]);
        dup2(err[1], 2);
        dispatch(kind, parts, lens, nparts, f);
        fclose(f);
        _exit(0);
    }
    close(dump[1]);
    close(err[1]);
    if (pid < 0) {
        perror("xlu-ref: fork");
        exit(2);
    }
    while ((n = read(dump[0], buf, sizeof(buf))) > 0)
        fwrite(buf, 1, (size_t)n, out);
    close(dump[0]);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        if (WIFEXITED(status))
            fprintf(out, "crash exit %d: ", WEXITSTATUS(status));
        else
            fprintf(out, "crash signal %d: ", WTERMSIG(status));
        n = read(err[0], buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
        put_escaped_n(out, buf, strlen(buf));
        fputc('\n', out);
    }
    close(err[0]);
}

int main(void)
{
    read_input();
    while (input_pos < input_len) {
        char kind[16];
        size_t nparts, klen = strcspn(input + input_pos, " \n");
        char **parts;
        size_t *lens;
        struct out o = {0};

        if (klen >= sizeof(kind) || input[input_pos + klen] != ' ')
            break;
        memcpy(kind, input + input_pos, klen);
        kind[klen] = 0;
        input_pos += klen + 1;
        if (!read_number(&nparts) || nparts > 1000)
            break;
        parts = calloc(nparts + 1, sizeof(*parts));
        lens = calloc(nparts + 1, sizeof(*lens));
        for (size_t i = 0; i < nparts; i++) {
            parts[i] = read_part(&lens[i]);
            if (!parts[i]) {
                fprintf(stderr, "xlu-ref: truncated input\n");
                return 2;
            }
        }
        o.f = open_memstream(&o.buf, &o.len);
        run_case(kind, parts, lens, (int)nparts, o.f);
        fclose(o.f);
        printf("%zu\n", o.len);
        fwrite(o.buf, 1, o.len, stdout);
        free(o.buf);
        for (size_t i = 0; i < nparts; i++)
            free(parts[i]);
        free(parts);
        free(lens);
    }
    if (input_pos != input_len) {
        fprintf(stderr, "xlu-ref: bad input at byte %zu\n", input_pos);
        return 2;
    }
    free(input);
    return 0;
}
