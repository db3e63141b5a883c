/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cfg-diff: differential test of pvx's xl.cfg, disk-spec, vdev, UUID and
 * vif-rate parsers against Xen 4.17's own (run by xlu-ref, see xlu_ref.c).
 *
 *   cfg-diff XLU_REF CORPUS_DIR [FUZZ_CASES [SEED]]
 *
 * Cases: every CORPUS_DIR/NAME.cfg (with NAME.extra: one command-line key=value per
 * line), disks.txt, vdevs.txt, uuids.txt, rates.txt (one escaped input per
 * line: \n \t \\ \xHH, a lone \E is the empty string, '#' starts a comment
 * line), and FUZZ_CASES seeded random configs and disk specs.  Every case
 * is run through both sides and the whole reports must be equal: accept or
 * reject, every message line (so every error line number), every value
 * read back through every getter.  allowlist.txt lists intentional
 * differences: "<kind>\t<escaped input>\t<reason>".
 * Prints one line per category and "N passed, N failed", where each corpus
 * case is one check and each fuzz category one more.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include "../xl/devspec.h"
#include "../xl/domcfg.h"
#include "../xl/xlcfg.h"
#include "dumpfmt.h"

enum kind { K_CFG, K_DISK, K_VDEV, K_UUID, K_RATE };
static const char *const kind_name[] = {"cfg", "disk", "vdev", "uuid", "rate"};

struct tcase {
    enum kind kind;
    const char *category; /* for the summary */
    char *id;             /* corpus file name, or the escaped input */
    int nparts;
    char **parts;
    size_t *lens;
};

static struct tcase *cases;
static size_t ncases, cases_cap;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        perror("cfg-diff");
        exit(2);
    }
    return p;
}

static char *xmemdup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static struct tcase *add_case(enum kind k, const char *category, char *id, int nparts)
{
    struct tcase *c;

    if (ncases == cases_cap) {
        cases_cap = cases_cap ? 2 * cases_cap : 256;
        cases = realloc(cases, cases_cap * sizeof(*cases));
        if (!cases) {
            perror("cfg-diff");
            exit(2);
        }
    }
    c = &cases[ncases++];
    c->kind = k;
    c->category = category;
    c->id = id;
    c->nparts = nparts;
    c->parts = xmalloc((size_t)nparts * sizeof(*c->parts));
    c->lens = xmalloc((size_t)nparts * sizeof(*c->lens));
    return c;
}

static void set_part(struct tcase *c, int i, const char *s, size_t n)
{
    c->parts[i] = xmemdup(s, n);
    c->lens[i] = n;
}

/* A corpus line: \n \t \\ \xHH escapes; "\E" alone is the empty string. */
static char *unescape(const char *line)
{
    char *out = xmalloc(strlen(line) + 1), *q = out;

    if (!strcmp(line, "\\E")) {
        *out = 0;
        return out;
    }
    for (const char *p = line; *p; p++) {
        if (*p != '\\' || !p[1]) {
            *q++ = *p;
            continue;
        }
        p++;
        if (*p == 'n')
            *q++ = '\n';
        else if (*p == 't')
            *q++ = '\t';
        else if (*p == 'x' && p[1] && p[2]) {
            char hex[3] = {p[1], p[2], 0};

            *q++ = (char)strtol(hex, NULL, 16);
            p += 2;
        } else
            *q++ = *p;
    }
    *q = 0;
    return out;
}

/* ---- loading the corpus ---- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;

    if (!f)
        return NULL;
    do {
        if (n + 4096 > cap) {
            cap = 2 * cap + 4096;
            buf = realloc(buf, cap);
            if (!buf) {
                perror("cfg-diff");
                exit(2);
            }
        }
        r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
    } while (r);
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Lines of a corpus list file, comments and blank lines dropped. */
static void load_list(const char *dir, const char *name, enum kind k, const char *category)
{
    char path[4096];
    size_t len;
    char *buf, *save = NULL;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    buf = read_file(path, &len);
    if (!buf) {
        fprintf(stderr, "cfg-diff: cannot read %s\n", path);
        exit(2);
    }
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct tcase *c;
        char *in;

        if (line[0] == '#')
            continue;
        in = unescape(line);
        c = add_case(k, category, xmemdup(line, strlen(line)), 1);
        set_part(c, 0, in, strlen(in));
        free(in);
    }
    free(buf);
}

/* Is the word w one of the '\n'-separated words of keys? */
static bool has_word(const char *keys, size_t klen, const char *w, size_t wl)
{
    for (size_t i = 0; i < klen;) {
        size_t l = strcspn(keys + i, "\n");

        if (l == wl && !memcmp(keys + i, w, wl))
            return true;
        i += l + 1;
    }
    return false;
}

/* Identifier-like words of the input, once each: every key the parser can have stored. */
static void add_words(char **keys, size_t *klen, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9') ||
                         s[j] == '.' || s[j] == '_'))
            j++;
        if (j > i && s[i] >= 'a' && s[i] <= 'z' && !has_word(*keys, *klen, s + i, j - i)) {
            *keys = realloc(*keys, *klen + (j - i) + 2);
            if (!*keys) {
                perror("cfg-diff");
                exit(2);
            }
            if (*klen)
                (*keys)[(*klen)++] = '\n';
            memcpy(*keys + *klen, s + i, j - i);
            *klen += j - i;
            (*keys)[*klen] = 0;
        }
        i = j > i ? j : i + 1;
    }
}

static void add_cfg_case(const char *category, char *id, const char *src, const char *data,
                         size_t len, char **extra, int nextra)
{
    struct tcase *c = add_case(K_CFG, category, id, 3 + nextra);
    char *keys = xmalloc(1);
    size_t klen = 0;

    keys[0] = 0;
    add_words(&keys, &klen, "nonexistent", 11);
    add_words(&keys, &klen, data, len);
    for (int i = 0; i < nextra; i++)
        add_words(&keys, &klen, extra[i], strlen(extra[i]));
    set_part(c, 0, src, strlen(src));
    set_part(c, 1, data, len);
    set_part(c, 2, keys, klen);
    for (int i = 0; i < nextra; i++)
        set_part(c, 3 + i, extra[i], strlen(extra[i]));
    free(keys);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_cfgs(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;

    if (!d) {
        fprintf(stderr, "cfg-diff: cannot open %s\n", dir);
        exit(2);
    }
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);

        if (l > 4 && !strcmp(de->d_name + l - 4, ".cfg")) {
            names = realloc(names, (n + 1) * sizeof(*names));
            names[n++] = xmemdup(de->d_name, l);
        }
    }
    closedir(d);
    qsort(names, n, sizeof(*names), name_cmp);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        char *data, *ex, *extra[64];
        size_t len, exlen;
        int nextra = 0;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        data = read_file(path, &len);
        snprintf(path, sizeof(path), "%s/%.*s.extra", dir, (int)strlen(names[i]) - 4, names[i]);
        ex = read_file(path, &exlen);
        if (ex) {
            char *save = NULL;

            for (char *l = strtok_r(ex, "\n", &save); l && nextra < 64;
                 l = strtok_r(NULL, "\n", &save))
                extra[nextra++] = unescape(l);
        }
        add_cfg_case("cfg corpus", names[i], names[i], data, len, extra, nextra);
        for (int k = 0; k < nextra; k++)
            free(extra[k]);
        free(ex);
        free(data);
    }
    free(names);
}

/* ---- seeded fuzz cases ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned int)(rng % n);
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

static const char *const soup[] = {
    "a",        "b",
    "memory",   "x.y",
    "k_2",      "disk",
    " ",        " ",
    "\t",       "\n",
    "\n",       "\n",
    "=",        "=",
    "=",        "+=",
    ";",        ",",
    "[",        "]",
    "1",        "0x1f",
    "0100",     "08",
    "1x",       "0",
    "'s'",      "\"d q\"",
    "'\\n\\t'", "'\\x41'",
    "'\\101'",  "'\\1'",
    "'\\12x'",  "'\\q'",
    "'\\''",    "\"\\\"\"",
    "'un",      "\"",
    "'",        "#c\n",
    "# c ",     "#",
    "$",        ".",
    "-",        "+",
    "(",        ")",
    ":",        "M",
    "_",        "\r",
    "\r\n",     "\\",
    "'a b'",    "\"\"",
    "''",       "99999999999999999999",
    "'-5'",     "' 7'",
    "'0x'",
};

static void gen_value(FILE *f, int depth)
{
    static const char *const atoms[] = {"1",     "42",    "0x10", "010",   "'str'", "\"dq\"",
                                        "'  5'", "'1.5'", "''",   "'a,b'", "'\\t'", "08"};
    int kind = rnd(depth > 2 ? 3 : 4);

    if (kind < 3) {
        fputs(PICK(atoms), f);
        return;
    }
    fputc('[', f);
    for (int i = 0, n = (int)rnd(4); i < n; i++) {
        if (rnd(3) == 0)
            fputs("\n", f);
        gen_value(f, depth + 1);
        if (i + 1 < n || rnd(2))
            fputs(rnd(2) ? ", " : ",", f);
    }
    if (rnd(4) == 0)
        fputs("\n", f);
    fputc(']', f);
}

static char *gen_cfg(size_t *len)
{
    static const char *const keys[] = {"a", "b", "memory", "disk", "x.y", "k_2"};
    static const char *const ends[] = {"\n", "\n", ";", "\n\n", " # c\n", ";\n"};
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    if (rnd(2)) {
        for (int i = 0, n = 1 + (int)rnd(25); i < n; i++)
            fputs(PICK(soup), f);
    } else {
        for (int i = 0, n = 1 + (int)rnd(5); i < n; i++) {
            fprintf(f, "%s %s ", PICK(keys), rnd(4) ? "=" : "+=");
            gen_value(f, 0);
            if (i + 1 < n || rnd(2))
                fputs(PICK(ends), f);
        }
    }
    fclose(f);
    if (*len && rnd(3) == 0) {
        /* one mutation: a fragment inserted, or a byte dropped */
        const char *frag = PICK(soup);
        size_t at = rnd((unsigned)*len), fl = strlen(frag);
        char *m = xmalloc(*len + fl + 1);

        memcpy(m, buf, at);
        if (rnd(2)) {
            memcpy(m + at, frag, fl);
            memcpy(m + at + fl, buf + at, *len - at + 1);
            *len += fl;
        } else {
            memcpy(m + at, buf + at + 1, *len - at);
            *len -= 1;
        }
        free(buf);
        buf = m;
    }
    return buf;
}

static char *gen_disk(void)
{
    static const char *const frags[] = {
        "phy:",
        "file:",
        "raw:",
        "qcow2:",
        "foo:",
        "tap:",
        "iscsi:",
        "/dev/x",
        "/img.qcow2",
        "xvda",
        "hdc",
        "xvdb1",
        ":cdrom",
        ":disk",
        ":foo",
        ",",
        ",",
        ",",
        "=",
        "format=",
        "vdev=",
        "target=",
        "access=",
        "r",
        "rw",
        "w",
        "ro",
        "x",
        "cdrom",
        "devtype=cdrom",
        "devtype=disk",
        "devtype=foo",
        "backendtype=phy",
        "backendtype=x",
        " ",
        "\t",
        "\n",
        "discard",
        "no-discard",
        "script=s",
        "a=b",
        "qcow2",
        "raw",
        "empty",
        "vhd",
        "colo-port=12",
        "colo-port=x",
        "backend=d",
        "untrust",
        "specification=xen",
        "direct-io-safe",
        "A",
        "a b",
        "format=raw",
    };
    char *buf = NULL;
    size_t len;
    FILE *f = open_memstream(&buf, &len);

    for (int i = 0, n = 1 + (int)rnd(7); i < n; i++)
        fputs(PICK(frags), f);
    fclose(f);
    return buf;
}

static void add_fuzz(unsigned int n)
{
    static const char *const extras[] = {"memory=5", "a += 'x'", "bad",    "b = [1,",
                                         "x=#",      "disk=[]",  "k_2=1;", "a = 1 2"};

    for (unsigned int i = 0; i < n; i++) {
        size_t len;
        char *data = gen_cfg(&len), *extra[2], id[32];
        int nextra = rnd(5) == 0 ? 1 + (int)rnd(2) : 0;

        for (int k = 0; k < nextra; k++)
            extra[k] = (char *)PICK(extras);
        snprintf(id, sizeof(id), "fuzz-cfg-%u", i);
        add_cfg_case("cfg fuzz", xmemdup(id, strlen(id)), "fuzz.cfg", data, len, extra, nextra);
        free(data);
    }
    for (unsigned int i = 0; i < n; i++) {
        char *spec = gen_disk();
        struct tcase *c = add_case(K_DISK, "disk fuzz", NULL, 1);
        char *id = NULL;
        size_t idlen;
        FILE *f = open_memstream(&id, &idlen);

        put_escaped_n(f, spec, strlen(spec));
        fclose(f);
        c->id = id;
        set_part(c, 0, spec, strlen(spec));
        free(spec);
    }
}

/* ---- pvx's side, rendered like xlu_ref.c ---- */

/* Xen's messages go through a FILE, so one holding a newline reads as two lines. */
static void msg_to_dump(void *opaque, enum xlcfg_level level, const char *line)
{
    (void)level;
    do {
        size_t n = strcspn(line, "\n");

        fputs("msg ", (FILE *)opaque);
        put_escaped_n(opaque, line, n);
        fputc('\n', (FILE *)opaque);
        line += n;
    } while (*line++);
}

static void dump_value(const struct xlcfg_value *v, int depth, FILE *out)
{
    if (!xlcfg_value_is_list(v)) {
        put_string(out, xlcfg_value_string(v));
        fputc('\n', out);
        return;
    }
    fputs("list\n", out);
    for (size_t i = 0; i < xlcfg_list_len(v); i++) {
        fprintf(out, "%*s[%zu] ", 2 * depth + 2, "", i);
        dump_value(xlcfg_list_item(v, i), depth + 1, out);
    }
}

/* Getter warnings, printed after the result line as xlu_ref.c does. */
struct msgs {
    char *buf;
    size_t len;
    FILE *f;
};

static void msgs_open(struct msgs *m)
{
    m->buf = NULL;
    m->f = open_memstream(&m->buf, &m->len);
}

static void msgs_flush(struct msgs *m, FILE *out)
{
    fclose(m->f);
    fwrite(m->buf, 1, m->len, out);
    free(m->buf);
    msgs_open(m);
}

/* Also checks the key enumeration: exactly the queried keys that exist. */
static void pvx_cfg(const struct tcase *c, FILE *out, bool *enum_ok)
{
    char *keys = xmemdup(c->parts[2], c->lens[2]), *save = NULL;
    size_t present = 0;
    struct msgs m;
    struct xlcfg_reporter rep = {msg_to_dump, NULL};
    struct xlcfg *cfg;
    int e;

    msgs_open(&m);
    rep.opaque = m.f;
    e = xlcfg_parse(c->parts[0], c->parts[1], c->lens[1], (const char *const *)c->parts + 3,
                    (size_t)c->nparts - 3, &rep, &cfg);
    fprintf(out, "parse %s\n", err_name(-(e)));
    msgs_flush(&m, out);
    *enum_ok = true;
    if (e)
        goto out;
    for (char *key = strtok_r(keys, "\n", &save); key; key = strtok_r(NULL, "\n", &save)) {
        const struct xlcfg_value *list;
        const char *s;
        long l;
        size_t n;

        present += xlcfg_lookup(cfg, key) != NULL;
        fprintf(out, "key %s\n", key);
        xlcfg_set_reporter(cfg, &(struct xlcfg_reporter){msg_to_dump, m.f});
        e = xlcfg_get_string(cfg, key, &s, false);
        fprintf(out, "string %s", err_name(-(e)));
        if (!e) {
            fputc(' ', out);
            put_string(out, s);
        }
        fputc('\n', out);
        msgs_flush(&m, out);
        xlcfg_set_reporter(cfg, &(struct xlcfg_reporter){msg_to_dump, m.f});
        e = xlcfg_get_long(cfg, key, &l, false);
        fprintf(out, "long %s", err_name(-(e)));
        if (!e)
            fprintf(out, " %ld", l);
        fputc('\n', out);
        msgs_flush(&m, out);
        xlcfg_set_reporter(cfg, &(struct xlcfg_reporter){msg_to_dump, m.f});
        e = xlcfg_get_bounded_long(cfg, key, 1, 64, &l, false);
        fprintf(out, "bounded %s", err_name(-(e)));
        if (!e)
            fprintf(out, " %ld", l);
        fputc('\n', out);
        msgs_flush(&m, out);
        xlcfg_set_reporter(cfg, &(struct xlcfg_reporter){msg_to_dump, m.f});
        e = xlcfg_get_list(cfg, key, &list, &n, false);
        fprintf(out, "list %s", err_name(-(e)));
        if (!e)
            fprintf(out, " %zu", n);
        fputc('\n', out);
        msgs_flush(&m, out);
        for (size_t i = 0; !e && i < n; i++) {
            fprintf(out, "  [%zu] ", i);
            dump_value(xlcfg_list_item(list, i), 1, out);
        }
    }
    if (present != xlcfg_nkeys(cfg))
        *enum_ok = false;
    for (size_t i = 0; i < xlcfg_nkeys(cfg); i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(xlcfg_key(cfg, i), xlcfg_key(cfg, j)))
                *enum_ok = false;
    xlcfg_free(cfg);
out:
    fclose(m.f);
    free(m.buf);
    free(keys);
}

static const char *tristate(enum pvx_tristate t)
{
    return t == PVX_DEFAULT ? "default" : t ? "1" : "0";
}

static void pvx_disk(const char *spec, FILE *out)
{
    struct msgs m;
    struct xlcfg_reporter rep = {msg_to_dump, NULL};
    struct pvx_disk d;
    int e;

    msgs_open(&m);
    rep.opaque = m.f;
    e = pvx_disk_parse("test.cfg", spec, &rep, &d);
    fprintf(out, "disk %s\n", err_name(-(e)));
    msgs_flush(&m, out);
    fclose(m.f);
    free(m.buf);
    if (!e) {
        fputs("target ", out);
        put_string(out, d.target);
        fputs("\nvdev ", out);
        put_string(out, d.vdev);
        fprintf(out, "\nformat %s backend %d specification %d\nbackend_domname ",
                pvx_disk_format_name(d.format), d.backend, d.specification);
        put_string(out, d.backend_domname);
        fputs(" script ", out);
        put_string(out, d.script);
        fprintf(out, "\nrw %d cdrom %d removable %d direct_io_safe %d\n", d.readwrite, d.is_cdrom,
                d.removable, d.direct_io_safe);
        fprintf(out, "discard %s trusted %s colo %s colo_port %d\ncolo_host ", tristate(d.discard),
                tristate(d.trusted), tristate(d.colo), d.colo_port);
        put_string(out, d.colo_host);
        fputs(" colo_export ", out);
        put_string(out, d.colo_export);
        fputs(" active_disk ", out);
        put_string(out, d.active_disk);
        fputs(" hidden_disk ", out);
        put_string(out, d.hidden_disk);
        fputc('\n', out);
    }
    pvx_disk_dispose(&d);
}

static void pvx_rate(const char *rate, FILE *out)
{
    struct msgs m;
    struct xlcfg_reporter rep = {msg_to_dump, NULL};
    uint64_t bytes = 0;
    uint32_t usecs = 0;
    int e;

    msgs_open(&m);
    rep.opaque = m.f;
    e = pvx_vif_rate_parse("test.cfg", rate, &rep, &bytes, &usecs);
    fprintf(out, "rate %s\n", err_name(-(e)));
    msgs_flush(&m, out);
    fclose(m.f);
    free(m.buf);
    if (!e)
        fprintf(out, "bytes_per_interval %llu interval_usecs %u\n", (unsigned long long)bytes,
                usecs);
}

static void pvx_uuid(const char *text, FILE *out)
{
    uint8_t u[16];

    if (pvx_uuid_parse(text, u)) {
        fputs("uuid invalid\n", out);
        return;
    }
    fputs("uuid ", out);
    for (int i = 0; i < 16; i++)
        fprintf(out, "%02x", u[i]);
    fputc('\n', out);
}

static char *pvx_dump(const struct tcase *c, size_t *len, bool *enum_ok)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);
    int n;

    *enum_ok = true;
    switch (c->kind) {
    case K_CFG:
        pvx_cfg(c, out, enum_ok);
        break;
    case K_DISK:
        pvx_disk(c->parts[0], out);
        break;
    case K_VDEV:
        n = pvx_vdev_to_number(c->parts[0]);
        if (n < 0)
            fputs("vdev invalid\n", out);
        else
            fprintf(out, "vdev %d\n", n);
        break;
    case K_UUID:
        pvx_uuid(c->parts[0], out);
        break;
    case K_RATE:
        pvx_rate(c->parts[0], out);
        break;
    }
    fclose(out);
    return buf;
}

/* ---- running xlu-ref ---- */

static char **run_reference(const char *xlu_ref, size_t **lens)
{
    char in_path[] = "/tmp/cfg-diff-in.XXXXXX", out_path[] = "/tmp/cfg-diff-out.XXXXXX";
    int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path), status;
    FILE *in = in_fd >= 0 ? fdopen(in_fd, "w") : NULL;
    char **dumps = xmalloc(ncases * sizeof(*dumps)), *buf, *p;
    size_t len;
    pid_t pid;

    if (!in || out_fd < 0) {
        perror("cfg-diff: temporary file");
        exit(2);
    }
    for (size_t i = 0; i < ncases; i++) {
        fprintf(in, "%s %d\n", kind_name[cases[i].kind], cases[i].nparts);
        for (int k = 0; k < cases[i].nparts; k++) {
            fprintf(in, "%zu\n", cases[i].lens[k]);
            fwrite(cases[i].parts[k], 1, cases[i].lens[k], in);
        }
    }
    fclose(in);
    pid = fork();
    if (pid == 0) {
        int fd = open(in_path, O_RDONLY);

        dup2(fd, 0);
        dup2(out_fd, 1);
        execl(xlu_ref, xlu_ref, (char *)NULL);
        perror(xlu_ref);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "cfg-diff: %s failed\n", xlu_ref);
        exit(2);
    }
    close(out_fd);
    buf = read_file(out_path, &len);
    unlink(in_path);
    unlink(out_path);
    if (!buf) {
        fprintf(stderr, "cfg-diff: no output from %s\n", xlu_ref);
        exit(2);
    }
    *lens = xmalloc(ncases * sizeof(**lens));
    p = buf;
    for (size_t i = 0; i < ncases; i++) {
        char *ep;
        size_t n = strtoul(p, &ep, 10);

        if (ep == p || *ep != '\n' || (size_t)(ep + 1 + n - buf) > len) {
            fprintf(stderr, "cfg-diff: %s stopped after %zu of %zu cases\n", xlu_ref, i, ncases);
            exit(2);
        }
        dumps[i] = xmemdup(ep + 1, n);
        (*lens)[i] = n;
        p = ep + 1 + n;
    }
    free(buf);
    return dumps;
}

/* ---- comparing ---- */

struct allow {
    char *kind, *input, *reason;
    bool used;
};

static struct allow *allows;
static size_t nallows;

static void load_allowlist(const char *dir)
{
    char path[4096];
    size_t len;
    char *buf, *save = NULL;

    snprintf(path, sizeof(path), "%s/allowlist.txt", dir);
    buf = read_file(path, &len);
    if (!buf)
        return;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

        if (line[0] == '#' || !t2)
            continue;
        allows = realloc(allows, (nallows + 1) * sizeof(*allows));
        allows[nallows].kind = xmemdup(line, (size_t)(t1 - line));
        allows[nallows].input = xmemdup(t1 + 1, (size_t)(t2 - t1 - 1));
        allows[nallows].reason = xmemdup(t2 + 1, strlen(t2 + 1));
        allows[nallows].used = false;
        nallows++;
    }
    free(buf);
}

static struct allow *allowed(const struct tcase *c)
{
    for (size_t i = 0; i < nallows; i++)
        if (c->id && !strcmp(allows[i].kind, kind_name[c->kind]) && !strcmp(allows[i].input, c->id))
            return &allows[i];
    return NULL;
}

/* The first differing line of the two reports, with its line number. */
static void show_diff(const char *xen, const char *pvx)
{
    size_t line = 1;

    while (*xen && *pvx) {
        size_t a = strcspn(xen, "\n"), b = strcspn(pvx, "\n");

        if (a != b || memcmp(xen, pvx, a))
            break;
        xen += a + (xen[a] ? 1 : 0);
        pvx += b + (pvx[b] ? 1 : 0);
        line++;
    }
    printf("     | report line %zu\n     | xen: %.*s\n     | pvx: %.*s\n", line,
           (int)strcspn(xen, "\n"), xen, (int)strcspn(pvx, "\n"), pvx);
}

struct tally {
    const char *category;
    unsigned int cases, matched, allowed;
    bool fuzz;
};

int main(int argc, char **argv)
{
    struct tally tallies[8] = {0};
    size_t ntallies = 0, *ref_lens;
    unsigned int pass = 0, fail = 0, shown = 0, crashes = 0;
    char **ref;

    if (argc < 3) {
        fprintf(stderr, "usage: cfg-diff XLU_REF CORPUS_DIR [FUZZ_CASES [SEED]]\n");
        return 2;
    }
    load_cfgs(argv[2]);
    load_list(argv[2], "disks.txt", K_DISK, "disk corpus");
    load_list(argv[2], "vdevs.txt", K_VDEV, "vdev corpus");
    load_list(argv[2], "uuids.txt", K_UUID, "uuid corpus");
    load_list(argv[2], "rates.txt", K_RATE, "vif rate corpus");
    if (argc > 4)
        rng = strtoull(argv[4], NULL, 0) | 1; /* xorshift state must not be 0 */
    add_fuzz(argc > 3 ? (unsigned)atoi(argv[3]) : 0);
    load_allowlist(argv[2]);
    ref = run_reference(argv[1], &ref_lens);

    for (size_t i = 0; i < ncases; i++) {
        const struct tcase *c = &cases[i];
        size_t len;
        bool enum_ok;
        char *mine = pvx_dump(c, &len, &enum_ok);
        bool same = enum_ok && len == ref_lens[i] && !memcmp(mine, ref[i], len);
        /* Where Xen's parser dies, pvx must reject the input cleanly. */
        bool xen_crashed = !strncmp(ref[i], "crash ", 6);
        struct allow *al = same ? NULL : allowed(c);

        if (xen_crashed) {
            size_t first = strcspn(mine, "\n"); /* "parse EINVAL" / "disk EINVAL" */

            same = first >= 7 && !memcmp(mine + first - 7, " EINVAL", 7);
            crashes++;
        }
        struct tally *t = NULL;

        for (size_t k = 0; k < ntallies; k++)
            if (!strcmp(tallies[k].category, c->category))
                t = &tallies[k];
        if (!t) {
            t = &tallies[ntallies++];
            t->category = c->category;
            t->fuzz = strstr(c->category, "fuzz") != NULL;
        }
        t->cases++;
        if (same) {
            t->matched++;
            pass += !t->fuzz;
        } else if (al) {
            t->allowed++;
            al->used = true;
            pass += !t->fuzz;
        } else {
            fail++; /* a fuzz category's failures count once each: one per input */
            if (shown++ < 25) {
                printf("MISMATCH %s %s\n", kind_name[c->kind], c->id);
                if (c->kind == K_CFG && strncmp(c->id, "fuzz", 4)) {
                    /* corpus file: the name says it */
                } else if (c->kind == K_CFG) {
                    printf("     | input: ");
                    put_escaped_n(stdout, c->parts[1], c->lens[1]);
                    for (int k = 3; k < c->nparts; k++)
                        printf(" + extra '%s'", c->parts[k]);
                    printf("\n");
                }
                if (!enum_ok)
                    printf("     | key enumeration differs from the keys present\n");
                show_diff(ref[i], mine);
            }
        }
        free(mine);
    }
    for (size_t k = 0; k < ntallies; k++) {
        printf("%-16s %5u cases, %5u identical to Xen, %u allowlisted\n", tallies[k].category,
               tallies[k].cases, tallies[k].matched, tallies[k].allowed);
        if (tallies[k].fuzz && tallies[k].matched == tallies[k].cases)
            pass++;
    }
    for (size_t i = 0; i < nallows; i++)
        printf("allowlisted %s %s: %s%s\n", allows[i].kind, allows[i].input, allows[i].reason,
               allows[i].used ? "" : " (UNUSED: no longer differs)");
    if (crashes)
        printf("%u cases crash Xen's parser (it exits or aborts); pvx rejects each of them\n",
               crashes);
    printf("%u passed, %u failed\n", pass, fail);
    for (size_t i = 0; i < ncases; i++) {
        for (int k = 0; k < cases[i].nparts; k++)
            free(cases[i].parts[k]);
        free(cases[i].parts);
        free(cases[i].lens);
        free(cases[i].id);
        free(ref[i]);
    }
    free(cases);
    free(ref);
    free(ref_lens);
    for (size_t i = 0; i < nallows; i++) {
        free(allows[i].kind);
        free(allows[i].input);
        free(allows[i].reason);
    }
    free(allows);
    return fail ? 1 : 0;
}
