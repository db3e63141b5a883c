/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Disk specs, vdev numbers, vif specs, vif rates and memory sizes.
 *
 * libxlutil reads a disk spec with a flex scanner whose rules overlap, so
 * which rule wins is decided by flex's longest-match rule (trailing context
 * counts towards the length; ties go to the earlier rule).  The scanner here
 * keeps that mechanism: a table of rules in libxlutil's order, each with a
 * matcher, and the longest match wins.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devspec.h"

/* ---- disk specs: the rules ---- */

enum match_kind {
    M_BLANKS,         /* [ \t\n]+/([^ \t\n].*)?  blanks before a parameter */
    M_VALUE,          /* LIT[^,]*,?               key=value */
    M_FLAG,           /* LIT,?                    a bare word */
    M_REST,           /* LIT.*                    target=, takes the rest */
    M_UNKNOWN_VALUE,  /* [a-z][-a-z0-9]*=[^,],?   (one character of value!) */
    M_PREFIX,         /* LIT/.*                   deprecated "xxx:" prefix */
    M_UNKNOWN_PREFIX, /* [a-z][a-z0-9]*:/([^a-z0-9].*)? */
    M_POSITIONAL,     /* [^=,]*,|[^=,]+,? */
    M_ANY,            /* .                        starts "bad disk syntax" */
};

enum disk_act {
    D_SKIP,
    D_FORMAT,
    D_CDROM,
    D_DISK,
    D_BAD_TYPE,
    D_ACCESS,
    D_BACKEND,
    D_BACKENDTYPE,
    D_SPECIFICATION,
    D_VDEV,
    D_SCRIPT,
    D_DIRECT_IO,
    D_DISCARD,
    D_NO_DISCARD,
    D_COLO,
    D_NO_COLO,
    D_COLO_HOST,
    D_COLO_PORT,
    D_COLO_EXPORT,
    D_ACTIVE_DISK,
    D_HIDDEN_DISK,
    D_TRUSTED,
    D_UNTRUSTED,
    D_TARGET,
    D_UNKNOWN_PARAM,
    D_FORMAT_PREFIX,
    D_SCRIPT_PREFIX,
    D_IGNORED_PREFIX,
    D_BAD_PREFIX,
    D_POSITIONAL,
    D_BAD_SYNTAX,
};

static const struct disk_rule {
    enum match_kind kind;
    const char *lit;
    enum disk_act act;
} disk_rules[] = {
    {M_BLANKS, NULL, D_SKIP},
    {M_VALUE, "format=", D_FORMAT},
    {M_FLAG, "cdrom", D_CDROM},
    {M_FLAG, "devtype=cdrom", D_CDROM},
    {M_FLAG, "devtype=disk", D_DISK},
    {M_VALUE, "devtype=", D_BAD_TYPE},
    {M_VALUE, "access=", D_ACCESS},
    {M_VALUE, "backend=", D_BACKEND},
    {M_VALUE, "backendtype=", D_BACKENDTYPE},
    {M_VALUE, "specification=", D_SPECIFICATION},
    {M_VALUE, "vdev=", D_VDEV},
    {M_VALUE, "script=", D_SCRIPT},
    {M_FLAG, "direct-io-safe", D_DIRECT_IO},
    {M_FLAG, "discard", D_DISCARD},
    {M_FLAG, "no-discard", D_NO_DISCARD},
    {M_FLAG, "colo", D_COLO},
    {M_FLAG, "no-colo", D_NO_COLO},
    {M_VALUE, "colo-host=", D_COLO_HOST},
    {M_VALUE, "colo-port=", D_COLO_PORT},
    {M_VALUE, "colo-export=", D_COLO_EXPORT},
    {M_VALUE, "active-disk=", D_ACTIVE_DISK},
    {M_VALUE, "hidden-disk=", D_HIDDEN_DISK},
    {M_FLAG, "trusted", D_TRUSTED},
    {M_FLAG, "untrusted", D_UNTRUSTED},
    {M_REST, "target=", D_TARGET},
    {M_UNKNOWN_VALUE, NULL, D_UNKNOWN_PARAM},
    {M_PREFIX, "raw:", D_FORMAT_PREFIX},
    {M_PREFIX, "qcow:", D_FORMAT_PREFIX},
    {M_PREFIX, "qcow2:", D_FORMAT_PREFIX},
    {M_PREFIX, "vhd:", D_FORMAT_PREFIX},
    {M_PREFIX, "iscsi:", D_SCRIPT_PREFIX},
    {M_PREFIX, "nbd:", D_SCRIPT_PREFIX},
    {M_PREFIX, "enbd:", D_SCRIPT_PREFIX},
    {M_PREFIX, "drbd:", D_SCRIPT_PREFIX},
    {M_PREFIX, "tapdisk:", D_IGNORED_PREFIX},
    {M_PREFIX, "tap:", D_IGNORED_PREFIX},
    {M_PREFIX, "tap2:", D_IGNORED_PREFIX},
    {M_PREFIX, "aio:", D_IGNORED_PREFIX},
    {M_PREFIX, "ioemu:", D_IGNORED_PREFIX},
    {M_PREFIX, "file:", D_IGNORED_PREFIX},
    {M_PREFIX, "phy:", D_IGNORED_PREFIX},
    {M_UNKNOWN_PREFIX, NULL, D_BAD_PREFIX},
    {M_POSITIONAL, NULL, D_POSITIONAL},
    {M_ANY, NULL, D_BAD_SYNTAX},
};

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_alnum_lower(char c)
{
    return is_lower(c) || (c >= '0' && c <= '9');
}

/* flex's `.*`: up to the end of the line. */
static size_t line_len(const char *s)
{
    return strcspn(s, "\n");
}

static size_t starts(const char *s, const char *lit)
{
    size_t n = strlen(lit);

    return strncmp(s, lit, n) ? 0 : n;
}

/*
 * How much rule r matches at s: the length that competes for the longest
 * match (trailing context included), and in *text the part that is yytext.
 */
static size_t rule_match(const struct disk_rule *r, const char *s, size_t *text)
{
    size_t n = 0, total;

    switch (r->kind) {
    case M_BLANKS:
        n = strspn(s, " \t\n");
        total = n ? n + line_len(s + n) : 0;
        break;
    case M_VALUE:
    case M_FLAG:
        n = starts(s, r->lit);
        if (n && r->kind == M_VALUE)
            n += strcspn(s + n, ",");
        if (n && s[n] == ',')
            n++;
        total = n;
        break;
    case M_REST:
        n = starts(s, r->lit);
        total = n = n ? n + line_len(s + n) : 0;
        break;
    case M_UNKNOWN_VALUE:
        if (!is_lower(s[0]))
            return 0;
        n = 1 + strspn(s + 1, "-abcdefghijklmnopqrstuvwxyz0123456789");
        if (s[n] != '=' || !s[n + 1] || s[n + 1] == ',')
            return 0;
        n += 2;
        if (s[n] == ',')
            n++;
        total = n;
        break;
    case M_PREFIX:
        n = starts(s, r->lit);
        total = n ? n + line_len(s + n) : 0;
        break;
    case M_UNKNOWN_PREFIX:
        if (!is_lower(s[0]))
            return 0;
        n = 1;
        while (is_alnum_lower(s[n]))
            n++;
        if (s[n] != ':')
            return 0;
        n++;
        total = n;
        if (s[n] && !is_alnum_lower(s[n])) /* [^a-z0-9] takes a newline too */
            total += 1 + line_len(s + n + 1);
        break;
    case M_POSITIONAL:
        n = strcspn(s, "=,");
        if (s[n] == ',')
            n++;
        total = n;
        break;
    case M_ANY:
    default:
        total = n = (s[0] && s[0] != '\n') ? 1 : 0;
        break;
    }
    *text = n;
    return total;
}

/* ---- disk specs: the actions ---- */

struct disk_ctx {
    const char *source, *spec;
    const struct xlcfg_reporter *rep;
    struct pvx_disk *disk;
    int err;
    bool access_set;
    bool had_prefix; /* a deprecated "xxx:" prefix: the 2nd positional is the vdev */
};

static void disk_err(struct disk_ctx *c, const char *near, const char *msg)
{
    xlcfg_reportf(c->rep, XLCFG_ERROR,
                  "%s: config parsing error in disk specification: %s%s%s%s in `%s'", c->source,
                  msg, near ? ": near `" : "", near ? near : "", near ? "'" : "", c->spec);
    if (!c->err)
        c->err = -EINVAL;
}

/* A string setting may be given once (an empty earlier value may be replaced). */
static void save_string(struct disk_ctx *c, const char *what, char **field, const char *val)
{
    if (*field && **field) {
        char msg[40];

        snprintf(msg, sizeof(msg), "%s respecified", what);
        disk_err(c, val, msg);
        return;
    }
    free(*field);
    *field = strdup(val);
    if (!*field)
        c->err = -ENOMEM;
}

/* An enum setting may be repeated only with the same value: may cur become val? */
static bool enum_settable(struct disk_ctx *c, int cur, int val, const char *what, const char *str)
{
    char msg[40];

    if (cur == 0 || cur == val)
        return true;
    snprintf(msg, sizeof(msg), "%s respecified", what);
    disk_err(c, str, msg);
    return false;
}

static const char *const format_names[] = {
    [PVX_DISK_FORMAT_UNKNOWN] = "unknown", [PVX_DISK_FORMAT_QCOW] = "qcow",
    [PVX_DISK_FORMAT_QCOW2] = "qcow2",     [PVX_DISK_FORMAT_VHD] = "vhd",
    [PVX_DISK_FORMAT_RAW] = "raw",         [PVX_DISK_FORMAT_EMPTY] = "empty",
    [PVX_DISK_FORMAT_QED] = "qed",
};

const char *pvx_disk_format_name(enum pvx_disk_format f)
{
    return (unsigned)f < sizeof(format_names) / sizeof(format_names[0]) ? format_names[f] : "?";
}

static void set_format(struct disk_ctx *c, const char *str)
{
    int f = -1;

    if (!*str) {
        f = PVX_DISK_FORMAT_RAW;
    } else {
        for (int i = PVX_DISK_FORMAT_QCOW; i <= PVX_DISK_FORMAT_QED; i++)
            if (!strcmp(str, format_names[i]))
                f = i;
    }
    if (f < 0)
        disk_err(c, str, "unknown value for format");
    else if (enum_settable(c, (int)c->disk->format, f, "format", str))
        c->disk->format = (enum pvx_disk_format)f;
}

static void set_access(struct disk_ctx *c, const char *str)
{
    if (!strcmp(str, "r") || !strcmp(str, "ro"))
        c->disk->readwrite = false;
    else if (!strcmp(str, "rw") || !strcmp(str, "w") || !*str)
        c->disk->readwrite = true;
    else
        disk_err(c, str, "unknown value for access");
}

static void set_backendtype(struct disk_ctx *c, const char *str)
{
    static const char *const names[] = {NULL, "phy", "tap", "qdisk", "standalone"};

    for (int i = PVX_DISK_BACKEND_PHY; i <= PVX_DISK_BACKEND_STANDALONE; i++) {
        if (!strcmp(str, names[i])) {
            if (enum_settable(c, (int)c->disk->backend, i, "backend", str))
                c->disk->backend = (enum pvx_disk_backend)i;
            return;
        }
    }
    disk_err(c, str, "unknown value for backendtype");
}

static void set_specification(struct disk_ctx *c, const char *str)
{
    int v = !strcmp(str, "xen")      ? PVX_DISK_SPEC_XEN
            : !strcmp(str, "virtio") ? PVX_DISK_SPEC_VIRTIO
                                     : 0;

    if (!v)
        disk_err(c, str, "unknown value for specification");
    else if (enum_settable(c, (int)c->disk->specification, v, "specification", str))
        c->disk->specification = (enum pvx_disk_specification)v;
}

/* "vdev:cdrom" / "vdev:disk" (deprecated); false if str has no colon. */
static bool vdev_and_devtype(struct disk_ctx *c, char *str)
{
    char *colon = strrchr(str, ':');

    if (!colon)
        return false;
    *colon++ = 0;
    save_string(c, "vdev", &c->disk->vdev, str);
    if (!strcmp(colon, "cdrom"))
        c->disk->is_cdrom = true;
    else if (!strcmp(colon, "disk"))
        c->disk->is_cdrom = false;
    else
        disk_err(c, colon, "unknown deprecated type");
    return true;
}

/* Positional parameters fill target, format, vdev, access in turn. */
static bool positional(struct disk_ctx *c, char *tok)
{
    struct pvx_disk *d = c->disk;

    if (c->err) {
        /* an earlier error: later complaints would only be noise */
    } else if (!d->target) {
        save_string(c, "target", &d->target, tok);
    } else if (!c->had_prefix && d->format == PVX_DISK_FORMAT_UNKNOWN) {
        if (!*d->target && vdev_and_devtype(c, tok))
            d->format = PVX_DISK_FORMAT_EMPTY;
        else
            set_format(c, tok);
    } else if (!d->vdev) {
        if (!vdev_and_devtype(c, tok))
            save_string(c, "vdev", &d->vdev, tok);
    } else if (!c->access_set) {
        c->access_set = true;
        set_access(c, tok);
    } else {
        disk_err(c, tok, "too many positional parameters");
        return false;
    }
    return true;
}

/* Run one rule's action on its text; false stops the scan. */
static bool disk_action(struct disk_ctx *c, enum disk_act act, char *text, size_t len)
{
    struct pvx_disk *d = c->disk;
    char *val = strchr(text, '=');

    val = val ? val + 1 : text;
    /* Rules with a value drop one trailing comma; these three quote it. */
    if (len && text[len - 1] == ',' && act != D_BAD_TYPE && act != D_UNKNOWN_PARAM &&
        act != D_BAD_SYNTAX)
        text[--len] = 0;
    switch (act) {
    case D_SKIP:
        break;
    case D_FORMAT:
        set_format(c, val);
        break;
    case D_CDROM:
        d->is_cdrom = true;
        break;
    case D_DISK:
        d->is_cdrom = false;
        break;
    case D_BAD_TYPE:
        disk_err(c, text, "unknown value for type");
        break;
    case D_ACCESS:
        set_access(c, val);
        break;
    case D_BACKEND:
        save_string(c, "backend", &d->backend_domname, val);
        break;
    case D_BACKENDTYPE:
        set_backendtype(c, val);
        break;
    case D_SPECIFICATION:
        set_specification(c, val);
        break;
    case D_VDEV:
        save_string(c, "vdev", &d->vdev, val);
        break;
    case D_SCRIPT:
        save_string(c, "script", &d->script, val);
        break;
    case D_DIRECT_IO:
        d->direct_io_safe = true;
        break;
    case D_DISCARD:
    case D_NO_DISCARD:
        d->discard = act == D_DISCARD ? PVX_TRUE : PVX_FALSE;
        break;
    case D_COLO:
    case D_NO_COLO:
        d->colo = act == D_COLO ? PVX_TRUE : PVX_FALSE;
        break;
    case D_COLO_HOST:
        save_string(c, "colo-host", &d->colo_host, val);
        break;
    case D_COLO_PORT:
        if (atoi(val))
            d->colo_port = atoi(val);
        else
            disk_err(c, val, "unknown value for colo_port");
        break;
    case D_COLO_EXPORT:
        save_string(c, "colo-export", &d->colo_export, val);
        break;
    case D_ACTIVE_DISK:
        save_string(c, "active-disk", &d->active_disk, val);
        break;
    case D_HIDDEN_DISK:
        save_string(c, "hidden-disk", &d->hidden_disk, val);
        break;
    case D_TRUSTED:
    case D_UNTRUSTED:
        d->trusted = act == D_TRUSTED ? PVX_TRUE : PVX_FALSE;
        break;
    case D_TARGET:
        save_string(c, "target", &d->target, val);
        break;
    case D_UNKNOWN_PARAM:
        disk_err(c, text, "unknown parameter");
        break;
    case D_FORMAT_PREFIX:
    case D_SCRIPT_PREFIX:
    case D_IGNORED_PREFIX:
        c->had_prefix = true;
        text[len - 1] = 0; /* the colon */
        if (act == D_FORMAT_PREFIX) {
            set_format(c, text);
        } else if (act == D_SCRIPT_PREFIX) {
            char script[16];

            snprintf(script, sizeof(script), "block-%s", text);
            save_string(c, "script", &d->script, script);
        }
        break;
    case D_BAD_PREFIX:
        disk_err(c, text, "unknown deprecated disk prefix");
        return false;
    case D_POSITIONAL:
        return positional(c, text);
    case D_BAD_SYNTAX:
        disk_err(c, text, "bad disk syntax");
        return false;
    }
    return true;
}

static int disk_scan(struct disk_ctx *c)
{
    const char *s = c->spec;

    while (*s) {
        const struct disk_rule *best = NULL;
        size_t best_total = 0, best_text = 0, text;
        char *tok;
        bool more;

        for (size_t i = 0; i < sizeof(disk_rules) / sizeof(disk_rules[0]); i++) {
            size_t total = rule_match(&disk_rules[i], s, &text);

            if (total > best_total) {
                best = &disk_rules[i];
                best_total = total;
                best_text = text;
            }
        }
        if (best && best->act == D_BAD_SYNTAX) {
            /*
             * flex's LEXERR state takes the rest of the line.  Nothing left
             * at the very end of the input means end of input, no error.
             */
            best_text = 1 + line_len(s + 1);
            if (!s[best_text] && best_text == 1)
                break;
        }
        if (!best) /* only a newline is left unmatched, and the blanks rule takes those */
            break;
        tok = strndup(s, best_text);
        if (!tok)
            return -ENOMEM;
        more = disk_action(c, best->act, tok, best_text);
        free(tok);
        if (c->err == -ENOMEM || !more)
            break;
        s += best_text;
    }
    return c->err;
}

void pvx_disk_dispose(struct pvx_disk *d)
{
    free(d->target);
    free(d->vdev);
    free(d->backend_domname);
    free(d->script);
    free(d->colo_host);
    free(d->colo_export);
    free(d->active_disk);
    free(d->hidden_disk);
    memset(d, 0, sizeof(*d));
}

int pvx_disk_parse(const char *source, const char *spec, const struct xlcfg_reporter *rep,
                   struct pvx_disk *d)
{
    struct disk_ctx c = {.source = source, .spec = spec, .rep = rep, .disk = d};
    int rc;

    memset(d, 0, sizeof(*d));
    d->readwrite = true;
    d->discard = d->trusted = d->colo = PVX_DEFAULT;
    rc = disk_scan(&c);
    if (rc)
        return rc;
    if (d->format == PVX_DISK_FORMAT_UNKNOWN)
        d->format = PVX_DISK_FORMAT_RAW;
    if (d->is_cdrom) {
        /* a cdrom is read-only and removable; without a target it is empty */
        d->removable = true;
        d->readwrite = false;
        if (!d->target || !*d->target)
            d->format = PVX_DISK_FORMAT_EMPTY;
    }
    if (!d->vdev)
        disk_err(&c, NULL, "no vdev specified");
    else if (!d->target && !d->removable)
        disk_err(&c, NULL, "no target specified (and device not removable)");
    return c.err;
}

/* ---- vdev numbers ---- */

/*
 * "<prefix><letters>[<partition>]": letters count a=0 .. z=25, aa=26 ..;
 * the partition has no leading zero and is read like strtoul base 10.
 */
static bool vdev_split(const char *vdev, const char *prefix, int max_disk, int max_part, int *disk,
                       int *part)
{
    size_t n = strlen(prefix);
    const char *p = vdev + n;
    long idx = -1;
    char *ep;
    long pl;

    if (strncmp(vdev, prefix, n))
        return false;
    for (; is_lower(*p); p++) {
        idx = (idx + 1) * 26 + (*p - 'a');
        if (idx > max_disk)
            return false;
    }
    if (idx < 0)
        return false; /* no letter at all */
    *disk = (int)idx;
    if (!*p) {
        *part = 0;
        return true;
    }
    if (*p == '0')
        return false;
    errno = 0;
    pl = (long)strtoul(p, &ep, 10);
    if (*ep || pl < 0 || pl > max_part)
        return false; /* a '-' sign wraps round to a huge value: refused */
    *part = (int)pl;
    return true;
}

int pvx_vdev_to_number(const char *vdev)
{
    int disk, part, used = -1;
    unsigned long ul;
    char *ep;

    if ((sscanf(vdev, "d%ip%i%n", &disk, &part, &used) >= 2 && used == (int)strlen(vdev) &&
         disk >= 0 && disk < (1 << 20) && part >= 0 && part < 256) ||
        vdev_split(vdev, "xvd", (1 << 20) - 1, 255, &disk, &part)) {
        if (disk <= 15 && part <= 15)
            return (202 << 8) | (disk << 4) | part;
        return (1 << 28) | (disk << 8) | part;
    }
    errno = 0;
    ul = strtoul(vdev, &ep, 0);
    if (!errno && ep != vdev && !*ep && ul <= INT_MAX)
        return (int)ul;
    if (vdev_split(vdev, "hd", 3, 63, &disk, &part))
        return ((disk < 2 ? 3 : 22) << 8) | ((disk & 1) << 6) | part;
    if (vdev_split(vdev, "sd", 15, 15, &disk, &part))
        return (8 << 8) | (disk << 4) | part;
    return -EINVAL;
}

/* ---- random bytes ---- */

int pvx_random_bytes(void *buf, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    int rc = 0;

    if (fd < 0)
        return -errno;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? -errno : -EIO;
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    return rc;
}

/* ---- vif rates ---- */

static int rate_err(const char *source, const struct xlcfg_reporter *rep, const char *msg,
                    const char *what, int rc)
{
    xlcfg_reportf(rep, XLCFG_ERROR, "%s: config parsing error in vif: %s in `%s'", source, msg,
                  what);
    return rc;
}

static bool matches(const char *re, const char *s)
{
    regex_t r;
    bool ok;

    if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
        return false;
    ok = !regexec(&r, s, 0, NULL, 0);
    regfree(&r);
    return ok;
}

/* strtoull base 0 of the leading digits (too big: ULLONG_MAX); false if
 * it stops inside them, as in "018". */
static bool rate_number(const char *s, unsigned long long *val, const char **end)
{
    char *ep;

    *val = strtoull(s, &ep, 0);
    *end = ep;
    return !(*ep >= '0' && *ep <= '9');
}

int pvx_vif_rate_parse(const char *source, const char *rate, const struct xlcfg_reporter *rep,
                       uint64_t *bytes_per_interval, uint32_t *interval_usecs)
{
    unsigned long long bps, usecs = 50000; /* 50ms unless given */
    const char *at = strchr(rate, '@'), *p;
    char *bytes = strndup(rate, at ? (size_t)(at - rate) : strlen(rate));
    int rc = -ENOMEM;

    if (!bytes)
        return rc;
    if (!*bytes) {
        rc = rate_err(source, rep, "no rate specified", rate, -EINVAL);
        goto out;
    }
    if (!matches("^[0-9]+[GMK]?[Bb]/s$", bytes)) {
        rc = rate_err(source, rep, "invalid rate", bytes, -EINVAL);
        goto out;
    }
    if (!rate_number(bytes, &bps, &p)) {
        rc = rate_err(source, rep, "invalid rate", bytes, -EINVAL);
        goto out;
    }
    if (bps == 0 || bps > UINT32_MAX) {
        rc = rate_err(source, rep, "rate overflow", bytes, -EOVERFLOW);
        goto out;
    }
    bps *= *p == 'G' ? 1000000000ULL : *p == 'M' ? 1000000ULL : *p == 'K' ? 1000ULL : 1;
    if (p[0] == 'b' || p[1] == 'b')
        bps /= 8; /* bits */
    if (at) {
        const char *iv = at + 1;

        if (!matches("^[0-9]+[mu]?s?$", iv)) {
            rc = rate_err(source, rep, "invalid replenishment interval", iv, -EINVAL);
            goto out;
        }
        if (!rate_number(iv, &usecs, &p)) {
            rc = rate_err(source, rep, "invalid replenishment interval", iv, -EINVAL);
            goto out;
        }
        if (usecs == 0 || usecs > UINT32_MAX) {
            rc = rate_err(source, rep, "replenishment interval overflow", iv, -EOVERFLOW);
            goto out;
        }
        if (*p == 's' || !*p)
            usecs *= 1000000;
        else if (*p == 'm')
            usecs *= 1000;
        if (usecs > UINT32_MAX) {
            rc = rate_err(source, rep, "replenishment interval overflow", iv, -EOVERFLOW);
            goto out;
        }
    }
    if (bps > UINT64_MAX / usecs) {
        rc = rate_err(source, rep, "rate overflow", rate, -EOVERFLOW);
        goto out;
    }
    *bytes_per_interval = (uint64_t)(bps * usecs / 1000000);
    *interval_usecs = (uint32_t)usecs;
    rc = 0;
out:
    free(bytes);
    return rc;
}

/* ---- vif specs ---- */

/* xl accepts these COLO settings; pvx has no COLO. */
static const char *const colo_keys[] = {
    "forwarddev",
    "colo_sock_mirror_id",
    "colo_sock_mirror_ip",
    "colo_sock_mirror_port",
    "colo_sock_compare_sec_in_id",
    "colo_sock_compare_sec_in_ip",
    "colo_sock_compare_sec_in_port",
    "colo_sock_redirector0_id",
    "colo_sock_redirector0_ip",
    "colo_sock_redirector0_port",
    "colo_sock_redirector1_id",
    "colo_sock_redirector1_ip",
    "colo_sock_redirector1_port",
    "colo_sock_redirector2_id",
    "colo_sock_redirector2_ip",
    "colo_sock_redirector2_port",
    "colo_sock_compare_pri_in_id",
    "colo_sock_compare_pri_in_ip",
    "colo_sock_compare_pri_in_port",
    "colo_sock_compare_notify_id",
    "colo_sock_compare_notify_ip",
    "colo_sock_compare_notify_port",
    "colo_filter_mirror_queue",
    "colo_filter_mirror_outdev",
    "colo_filter_redirector0_queue",
    "colo_filter_redirector0_indev",
    "colo_filter_redirector0_outdev",
    "colo_filter_redirector1_queue",
    "colo_filter_redirector1_indev",
    "colo_filter_redirector1_outdev",
    "colo_compare_pri_in",
    "colo_compare_sec_in",
    "colo_compare_out",
    "colo_compare_notify_dev",
    "colo_sock_sec_redirector0_id",
    "colo_sock_sec_redirector0_ip",
    "colo_sock_sec_redirector0_port",
    "colo_sock_sec_redirector1_id",
    "colo_sock_sec_redirector1_ip",
    "colo_sock_sec_redirector1_port",
    "colo_filter_sec_redirector0_queue",
    "colo_filter_sec_redirector0_indev",
    "colo_filter_sec_redirector0_outdev",
    "colo_filter_sec_redirector1_queue",
    "colo_filter_sec_redirector1_indev",
    "colo_filter_sec_redirector1_outdev",
    "colo_filter_sec_rewriter0_queue",
    "colo_checkpoint_host",
    "colo_checkpoint_port",
};

/* The value of "key=value" if tok starts with key and '='. */
static const char *option(const char *tok, const char *key)
{
    size_t n = strlen(key);

    return !strncmp(tok, key, n) && tok[n] == '=' ? tok + n + 1 : NULL;
}

/* Six 1-2 digit hex octets separated by colons. */
static bool parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned int v = 0;
        int digits = 0;

        for (; digits < 2; digits++, s++) {
            char c = *s;

            if (c >= '0' && c <= '9')
                v = v * 16 + (unsigned)(c - '0');
            else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                v = v * 16 + (unsigned)((c | 0x20) - 'a' + 10);
            else
                break;
        }
        if (!digits || *s != (i == 5 ? '\0' : ':'))
            return false;
        mac[i] = (uint8_t)v;
        s++;
    }
    return true;
}

/* xl's parse_ulong, stricter: the whole value must be decimal digits. */
static int parse_count(const char *source, const struct xlcfg_reporter *rep, const char *val,
                       unsigned long max, unsigned long *out)
{
    char *ep;

    errno = 0;
    *out = strtoul(val, &ep, 10);
    if (val[0] < '0' || val[0] > '9' || *ep || errno || *out > max) {
        xlcfg_reportf(rep, XLCFG_ERROR, "%s: xl: failed to convert \"%s\" to number", source, val);
        return -EINVAL;
    }
    return 0;
}

static int replace(char **field, const char *val)
{
    free(*field);
    *field = strdup(val);
    return *field ? 0 : -ENOMEM;
}

static int nic_token(const char *source, const struct xlcfg_reporter *rep, struct pvx_nic *nic,
                     const char *tok)
{
    static const struct {
        const char *key;
        size_t field; /* offset of a char * in struct pvx_nic */
    } strings[] = {
        {"bridge", offsetof(struct pvx_nic, bridge)},
        {"gatewaydev", offsetof(struct pvx_nic, gatewaydev)},
        {"ip", offsetof(struct pvx_nic, ip)},
        {"script", offsetof(struct pvx_nic, script)},
        {"backend", offsetof(struct pvx_nic, backend_domname)},
        {"vifname", offsetof(struct pvx_nic, vifname)},
        {"model", offsetof(struct pvx_nic, model)},
    };
    const char *v;
    unsigned long ul;
    int rc;

    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        if ((v = option(tok, strings[i].key)))
            return replace((char **)((char *)nic + strings[i].field), v);
    if ((v = option(tok, "type"))) {
        if (!strcmp(v, "vif"))
            nic->type = PVX_NIC_TYPE_VIF;
        else if (!strcmp(v, "ioemu"))
            nic->type = PVX_NIC_TYPE_VIF_IOEMU;
        else
            xlcfg_reportf(rep, XLCFG_WARNING, "%s: Invalid parameter `type'.", source);
        return 0;
    }
    if ((v = option(tok, "mac"))) {
        if (parse_mac(v, nic->mac))
            return 0;
        xlcfg_reportf(rep, XLCFG_ERROR, "%s: Invalid parameter `mac'.", source);
        return -EINVAL;
    }
    if ((v = option(tok, "netdev"))) {
        xlcfg_reportf(rep, XLCFG_WARNING,
                      "%s: the netdev parameter is deprecated, please use gatewaydev instead",
                      source);
        return replace(&nic->gatewaydev, v);
    }
    if ((v = option(tok, "rate")))
        return pvx_vif_rate_parse(source, v, rep, &nic->rate_bytes_per_interval,
                                  &nic->rate_interval_usecs);
    if ((v = option(tok, "accel"))) {
        xlcfg_reportf(rep, XLCFG_WARNING,
                      "%s: the accel parameter for vifs is currently not supported", source);
        return 0;
    }
    if ((v = option(tok, "devid"))) {
        rc = parse_count(source, rep, v, INT_MAX, &ul);
        if (!rc)
            nic->devid = (int)ul;
        return rc;
    }
    if ((v = option(tok, "mtu"))) {
        rc = parse_count(source, rep, v, 65535, &ul);
        if (!rc)
            nic->mtu = ul ? (unsigned int)ul : 1500; /* 0: libxl's default */
        return rc;
    }
    if (!strcmp(tok, "trusted") || !strcmp(tok, "untrusted")) {
        nic->trusted = tok[0] == 't';
        return 0;
    }
    for (size_t i = 0; i < sizeof(colo_keys) / sizeof(colo_keys[0]); i++) {
        if (option(tok, colo_keys[i])) {
            xlcfg_reportf(rep, XLCFG_WARNING,
                          "%s: vif option `%s' is not supported by pvx, ignored", source,
                          colo_keys[i]);
            return 0;
        }
    }
    xlcfg_reportf(rep, XLCFG_WARNING, "%s: unrecognized argument `%s'", source, tok);
    return 0; /* as in xl, not fatal */
}

void pvx_nic_dispose(struct pvx_nic *nic)
{
    free(nic->bridge);
    free(nic->ip);
    free(nic->script);
    free(nic->backend_domname);
    free(nic->vifname);
    free(nic->model);
    free(nic->gatewaydev);
    memset(nic, 0, sizeof(*nic));
}

int pvx_nic_parse(const char *source, const char *spec, int index, const struct xlcfg_reporter *rep,
                  struct pvx_nic *nic)
{
    static const uint8_t zero[6];
    char *buf = strdup(spec), *save = NULL;
    int rc = -ENOMEM;

    memset(nic, 0, sizeof(*nic));
    nic->devid = index;
    nic->mtu = 1500;
    nic->trusted = true;
    nic->bridge = strdup("xenbr0");
    if (!buf || !nic->bridge)
        goto out;
    rc = 0;
    /* Tokens split at commas (empty ones skipped), leading spaces dropped. */
    for (char *tok = strtok_r(buf, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        rc = nic_token(source, rep, nic, tok);
    }
    if (!rc && !memcmp(nic->mac, zero, sizeof(zero))) {
        /* libxl: 00:16:3e (Xen's OUI), then three random bytes, the first < 0x80 */
        uint8_t r[3];

        rc = pvx_random_bytes(r, sizeof(r));
        nic->mac[1] = 0x16;
        nic->mac[2] = 0x3e;
        nic->mac[3] = r[0] & 0x7f;
        nic->mac[4] = r[1];
        nic->mac[5] = r[2];
    }
out:
    free(buf);
    return rc;
}

/* ---- memory sizes ---- */

int pvx_parse_mem_size_kb(const char *s, const struct xlcfg_reporter *rep, uint64_t *kb)
{
    unsigned long long v;
    int shift = -1; /* -1: invalid; -10: bytes */
    char *ep;
    int rc = -EINVAL;

    errno = 0;
    v = strtoull(s, &ep, 10);
    if (s[0] < '0' || s[0] > '9' || errno || (ep[0] && ep[1]))
        goto out;
    switch (ep[0]) {
    case 't':
    case 'T':
        shift = 30;
        break;
    case 'g':
    case 'G':
        shift = 20;
        break;
    case '\0': /* no suffix: MiB */
    case 'm':
    case 'M':
        shift = 10;
        break;
    case 'k':
    case 'K':
        shift = 0;
        break;
    case 'b':
    case 'B':
        *kb = v >> 10;
        rc = 0;
        goto out;
    default:
        goto out;
    }
    if (v <= (UINT64_MAX >> shift)) {
        *kb = (uint64_t)v << shift;
        rc = 0;
    }
out:
    if (rc)
        xlcfg_reportf(rep, XLCFG_ERROR, "invalid memory size: %s", s);
    return rc;
}
