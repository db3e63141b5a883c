/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From a parsed xl.cfg to a PV domain description (see domcfg.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg.h"

#define MAX_MEMORY_MIB      (16UL << 20) /* 16 TiB: a guard against overflow, not a host limit */
#define MAX_GRANT_FRAMES    64           /* Xen's (and pvx's) gnttab_max_frames default */
#define MAX_MAPTRACK_FRAMES 1024         /* Xen's gnttab_max_maptrack_frames default */
#define MAX_EVTCHN_PORT     0x7fffffffL  /* Xen clamps to INT_MAX; the ABI's limit applies too */
#define DEFAULT_EVTCHN_PORT 1023         /* libxl's default */

/* Keys pvx reads. */
static const char *const pvx_keys[] = {
    "name",
    "type",
    "builder",
    "uuid",
    "memory",
    "maxmem",
    "vcpus",
    "maxvcpus",
    "kernel",
    "ramdisk",
    "cmdline",
    "root",
    "extra",
    "on_poweroff",
    "on_reboot",
    "on_watchdog",
    "on_crash",
    "on_soft_reset",
    "max_grant_frames",
    "max_maptrack_frames",
    "max_event_channels",
    "disk",
    "vif",
    "bootloader",
    "firmware",
};

/*
 * Keys Xen 4.17's xl reads that a pvx PV guest has no use for: HVM and
 * device-model settings, passthrough, scheduling, consoles other than the
 * PV one, other device kinds, security labels.
 */
static const char *const xl_only_keys[] = {
    "acpi",
    "acpi_firmware",
    "acpi_laptop_slate",
    "acpi_s3",
    "acpi_s4",
    "altp2m",
    "altp2mhvm",
    "apic",
    "bios",
    "bios_path_override",
    "boot",
    "bootloader_args",
    "cap",
    "channel",
    "cpu_weight",
    "cpuid",
    "cpus",
    "cpus_soft",
    "device_model",
    "device_model_args",
    "device_model_args_hvm",
    "device_model_args_pv",
    "device_model_override",
    "device_model_stubdomain_override",
    "device_model_stubdomain_seclabel",
    "device_model_user",
    "device_model_version",
    "device_tree",
    "display",
    "dm_restrict",
    "driver_domain",
    "dtdev",
    "e820_host",
    "extratime",
    "firmware_override",
    "gfx_passthru",
    "gic_version",
    "hap",
    "hdtype",
    "hpet",
    "init_seclabel",
    "iomem",
    "ioports",
    "irqs",
    "keymap",
    "latency",
    "localtime",
    "max_grant_version",
    "mca_caps",
    "mmio_hole",
    "ms_vm_genid",
    "msr_relaxed",
    "nestedhvm",
    "nographic",
    "nomigrate",
    "nx",
    "oos",
    "opengl",
    "p9",
    "pae",
    "passthrough",
    "pci",
    "pci_msitranslate",
    "pci_permissive",
    "pci_power_mgmt",
    "pci_seize",
    "period",
    "pool",
    "pvcalls",
    "pvshim",
    "pvshim_cmdline",
    "pvshim_extra",
    "pvshim_path",
    "rdm",
    "rdm_mem_boundary",
    "rtc_timeoffset",
    "sdl",
    "seclabel",
    "serial",
    "shadow_memory",
    "slice",
    "smbios_firmware",
    "soundhw",
    "spice",
    "spice_clipboard_sharing",
    "spice_image_compression",
    "spice_streaming_video",
    "spiceagent_mouse",
    "spicedisable_ticketing",
    "spicehost",
    "spicepasswd",
    "spiceport",
    "spicetls_port",
    "spiceusbredirection",
    "spicevdagent",
    "stdvga",
    "stubdomain_cmdline",
    "stubdomain_kernel",
    "stubdomain_memory",
    "stubdomain_ramdisk",
    "tee",
    "timer_mode",
    "tsc_mode",
    "usb",
    "usbctrl",
    "usbdev",
    "usbdevice",
    "usbversion",
    "vdispl",
    "vendor_device",
    "vfb",
    "vga",
    "videoram",
    "vif2",
    "viridian",
    "vkb",
    "vkb_device",
    "vmtrace_buf_kb",
    "vnc",
    "vncdisplay",
    "vnclisten",
    "vncpasswd",
    "vncunused",
    "vncviewer",
    "vnuma",
    "vpmu",
    "vpt_align",
    "vsnd",
    "vtpm",
    "vuart",
    "xauthority",
    "xen_platform_pci",
    "xend_suspend_evtchn_compat",
};

static const char *const action_names[] = {
    [PVX_ACTION_DESTROY] = "destroy",
    [PVX_ACTION_RESTART] = "restart",
    [PVX_ACTION_RENAME_RESTART] = "rename-restart",
    [PVX_ACTION_PRESERVE] = "preserve",
    [PVX_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [PVX_ACTION_COREDUMP_RESTART] = "coredump-restart",
    [PVX_ACTION_SOFT_RESET] = "soft-reset",
};

const char *pvx_action_name(enum pvx_action a)
{
    return a >= PVX_ACTION_DESTROY && a <= PVX_ACTION_SOFT_RESET ? action_names[a] : "?";
}

struct ctx {
    const struct xlcfg *cfg;
    const struct xlcfg_reporter *rep;
    const char *src;
    struct pvx_domcfg *dc;
};

static bool in(const char *key, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(key, set[i]))
            return true;
    return false;
}

/* "<source>:<line>: " for a key that is present, else "<source>: ". */
static void where(const struct ctx *c, const char *key, char *buf, size_t size)
{
    int line = key ? xlcfg_key_line(c->cfg, key) : 0;

    if (line)
        snprintf(buf, size, "%s:%d", c->src, line);
    else
        snprintf(buf, size, "%s", c->src);
}

__attribute__((format(printf, 4, 0))) static void vsay(const struct ctx *c, enum xlcfg_level level,
                                                       const char *key, const char *fmt, va_list ap)
{
    char loc[300], *msg;

    if (vasprintf(&msg, fmt, ap) < 0)
        return;
    where(c, key, loc, sizeof(loc));
    xlcfg_reportf(c->rep, level, "%s: %s", loc, msg);
    free(msg);
}

__attribute__((format(printf, 3, 4))) static int fail(const struct ctx *c, const char *key,
                                                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(c, XLCFG_ERROR, key, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

__attribute__((format(printf, 3, 4))) static void warn(const struct ctx *c, const char *key,
                                                       const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(c, XLCFG_WARNING, key, fmt, ap);
    va_end(ap);
}

/* A string key: *val NULL if absent.  A list is refused (xl would warn and ignore it). */
static int get_str(const struct ctx *c, const char *key, const char **val)
{
    int rc = xlcfg_get_string(c->cfg, key, val, false);

    if (rc == -ESRCH) {
        *val = NULL;
        return 0;
    }
    return rc ? fail(c, key, "invalid value for %s", key) : 0;
}

/* A number in [min, max]; *present false if absent.  Bad values are refused. */
static int get_num(const struct ctx *c, const char *key, long min, long max, long *val,
                   bool *present)
{
    int rc = xlcfg_get_long(c->cfg, key, val, false);

    *present = false;
    if (rc == -ESRCH)
        return 0;
    if (rc)
        return fail(c, key, "invalid value for %s", key);
    if (*val < min || *val > max)
        return fail(c, key, "%s must be between %ld and %ld, not %ld", key, min, max, *val);
    *present = true;
    return 0;
}

static void check_keys(const struct ctx *c)
{
    for (size_t i = 0; i < xlcfg_nkeys(c->cfg); i++) {
        const char *k = xlcfg_key(c->cfg, i);

        if (in(k, pvx_keys, sizeof(pvx_keys) / sizeof(pvx_keys[0])))
            continue;
        if (in(k, xl_only_keys, sizeof(xl_only_keys) / sizeof(xl_only_keys[0])))
            xlcfg_reportf(c->rep, XLCFG_WARNING,
                          "%s: warning: key '%s' is not supported by pvx, ignored", c->src, k);
        else
            xlcfg_reportf(c->rep, XLCFG_WARNING, "%s: warning: unknown key '%s' ignored", c->src,
                          k);
    }
}

/* xl matches a type as a prefix of the word: "p" is pv, and "" is hvm. */
static bool prefix_of(const char *s, const char *word)
{
    return !strncmp(s, word, strlen(s));
}

static int parse_type(const struct ctx *c)
{
    enum { UNSET, PV, PVH, HVM } type = UNSET, btype;
    static const char *const names[] = {"", "pv", "pvh", "hvm"};
    const char *t, *b, *key = "type";
    int rc = get_str(c, "type", &t);

    if (rc)
        return rc;
    if (t) {
        if (prefix_of(t, "hvm"))
            type = HVM;
        else if (prefix_of(t, "pv"))
            type = PV;
        else if (prefix_of(t, "pvh"))
            type = PVH;
        else
            return fail(c, "type", "Invalid domain type %s.", t);
    }
    rc = get_str(c, "builder", &b); /* deprecated since Xen 4.10 */
    if (rc)
        return rc;
    if (b) {
        if (prefix_of(b, "hvm"))
            btype = HVM;
        else if (prefix_of(b, "generic"))
            btype = PV;
        else
            return fail(c, "builder", "Invalid domain type %s.", b);
        if (type != UNSET && type != btype)
            return fail(c, "builder", "Contradicting \"builder\" and \"type\" options specified.");
        type = btype;
        key = "builder";
    }
    if (type == HVM || type == PVH)
        return fail(c, key, "domain type %s is not supported: pvx runs PV guests only",
                    names[type]);
    return 0;
}

static int parse_identity(const struct ctx *c)
{
    struct pvx_domcfg *dc = c->dc;
    const char *name, *uuid;
    int rc = xlcfg_get_string(c->cfg, "name", &name, false);

    if (rc)
        return fail(c, "name", "Domain name must be specified.");
    if (!*name)
        return fail(c, "name", "Domain name must not be empty.");
    dc->name = strdup(name);
    if (!dc->name)
        return -ENOMEM;
    rc = get_str(c, "uuid", &uuid);
    if (rc)
        return rc;
    if (!uuid) {
        dc->uuid_generated = true;
        rc = pvx_uuid_generate(dc->uuid);
        return rc ? fail(c, NULL, "cannot generate a UUID: %s", strerror(-rc)) : 0;
    }
    if (pvx_uuid_parse(uuid, dc->uuid))
        return fail(c, "uuid", "Failed to parse UUID: %s", uuid);
    return 0;
}

static int parse_sizes(const struct ctx *c)
{
    struct pvx_domcfg *dc = c->dc;
    long mem = 0, max = 0, vcpus = 1, maxv = 0, v;
    bool has_mem, has_max, has;
    int rc;

    if ((rc = get_num(c, "memory", 1, MAX_MEMORY_MIB, &mem, &has_mem)) ||
        (rc = get_num(c, "maxmem", 1, MAX_MEMORY_MIB, &max, &has_max)))
        return rc;
    /* libxl: 32 MiB if neither is given; each defaults to the other */
    if (!has_mem && !has_max)
        mem = max = 32;
    else if (!has_max)
        max = mem;
    else if (!has_mem)
        mem = max;
    if (max < mem)
        return fail(c, "maxmem", "maxmem (%ld MiB) must not be less than memory (%ld MiB)", max,
                    mem);
    dc->memory_kb = (uint64_t)mem << 10;
    dc->maxmem_kb = (uint64_t)max << 10;

    if ((rc = get_num(c, "vcpus", 1, PVX_DOMCFG_MAX_VCPUS, &v, &has)))
        return rc;
    if (has)
        vcpus = v;
    if ((rc = get_num(c, "maxvcpus", 1, PVX_DOMCFG_MAX_VCPUS, &v, &has)))
        return rc;
    maxv = has ? v : vcpus;
    if (maxv < vcpus)
        return fail(c, "maxvcpus", "maxvcpus < vcpus (%ld < %ld)", maxv, vcpus);
    dc->vcpus = (unsigned int)vcpus;
    dc->max_vcpus = (unsigned int)maxv;

    if ((rc = get_num(c, "max_grant_frames", 1, MAX_GRANT_FRAMES, &v, &has)))
        return rc;
    dc->max_grant_frames = has ? (int)v : -1;
    if ((rc = get_num(c, "max_maptrack_frames", 0, MAX_MAPTRACK_FRAMES, &v, &has)))
        return rc;
    dc->max_maptrack_frames = has ? (int)v : -1;
    if ((rc = get_num(c, "max_event_channels", 0, MAX_EVTCHN_PORT, &v, &has)))
        return rc;
    dc->max_event_channels = has && v ? (unsigned int)v : DEFAULT_EVTCHN_PORT; /* 0: default */
    return 0;
}

static int parse_actions(const struct ctx *c)
{
    static const struct {
        const char *key;
        enum pvx_action def;
        size_t field;
    } acts[] = {
        {"on_poweroff", PVX_ACTION_DESTROY, offsetof(struct pvx_domcfg, on_poweroff)},
        {"on_reboot", PVX_ACTION_RESTART, offsetof(struct pvx_domcfg, on_reboot)},
        {"on_watchdog", PVX_ACTION_DESTROY, offsetof(struct pvx_domcfg, on_watchdog)},
        {"on_crash", PVX_ACTION_DESTROY, offsetof(struct pvx_domcfg, on_crash)},
        {"on_soft_reset", PVX_ACTION_SOFT_RESET, offsetof(struct pvx_domcfg, on_soft_reset)},
    };

    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
        enum pvx_action *field = (enum pvx_action *)((char *)c->dc + acts[i].field);
        const char *s;
        int rc = get_str(c, acts[i].key, &s);

        if (rc)
            return rc;
        *field = acts[i].def;
        if (!s)
            continue;
        *field = 0;
        for (int a = PVX_ACTION_DESTROY; a <= PVX_ACTION_SOFT_RESET; a++)
            if (!strcmp(s, action_names[a])) /* exact names only */
                *field = (enum pvx_action)a;
        if (!*field)
            return fail(c, acts[i].key, "Unknown %s action \"%s\" specified", acts[i].key, s);
    }
    return 0;
}

static int dup_opt(const char *s, char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    *out = strdup(s);
    return *out ? 0 : -ENOMEM;
}

static int parse_boot(const struct ctx *c)
{
    struct pvx_domcfg *dc = c->dc;
    const char *kernel, *ramdisk, *cmdline, *root, *extra, *s;
    int rc;

    if ((rc = get_str(c, "bootloader", &s)))
        return rc;
    if (s)
        return fail(c, "bootloader",
                    "bootloader is not supported by pvx: give the guest's kernel= (and ramdisk=)");
    if ((rc = get_str(c, "firmware", &s)))
        return rc;
    if (s)
        return fail(c, "firmware",
                    "firmware= (pvgrub) is not supported by pvx: give the guest's kernel= (and "
                    "ramdisk=)");
    if ((rc = get_str(c, "kernel", &kernel)) || (rc = get_str(c, "ramdisk", &ramdisk)) ||
        (rc = get_str(c, "cmdline", &cmdline)) || (rc = get_str(c, "root", &root)) ||
        (rc = get_str(c, "extra", &extra)))
        return rc;
    if (!kernel)
        return fail(c, NULL, "Neither kernel nor bootloader specified");
    if (!*kernel)
        return fail(c, "kernel", "kernel must not be empty");
    if ((rc = dup_opt(kernel, &dc->kernel)) || (rc = dup_opt(ramdisk, &dc->ramdisk)))
        return rc;
    if (dc->ramdisk && !*dc->ramdisk) {
        free(dc->ramdisk); /* ramdisk = "": none, as libxl reads it */
        dc->ramdisk = NULL;
    }
    if (cmdline) {
        if (root || extra)
            warn(c, "cmdline", "Warning: ignoring root= and extra= in favour of cmdline=");
        return dup_opt(cmdline, &dc->cmdline);
    }
    if (root && extra)
        rc = asprintf(&dc->cmdline, "root=%s %s", root, extra) < 0 ? -ENOMEM : 0;
    else if (root)
        rc = asprintf(&dc->cmdline, "root=%s", root) < 0 ? -ENOMEM : 0;
    else
        rc = dup_opt(extra, &dc->cmdline);
    if (rc)
        dc->cmdline = NULL;
    return rc;
}

/* A list of strings: NULL/0 if absent; a single value or nested list is refused. */
static int get_specs(const struct ctx *c, const char *key, const char ***items, size_t *n)
{
    int rc;

    *items = NULL;
    *n = 0;
    rc = xlcfg_get_string_list(c->cfg, key, items, n, false);
    if (rc == -ESRCH)
        return 0;
    if (rc == -EINVAL)
        return fail(c, key, "invalid value for %s", key);
    return rc;
}

static int parse_disks(const struct ctx *c)
{
    struct pvx_domcfg *dc = c->dc;
    const char **specs;
    char loc[300];
    size_t n;
    int rc = get_specs(c, "disk", &specs, &n);

    if (rc || !n)
        goto out;
    where(c, "disk", loc, sizeof(loc));
    dc->disks = calloc(n, sizeof(*dc->disks));
    rc = -ENOMEM;
    if (!dc->disks)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct pvx_domcfg_disk *d = &dc->disks[i];

        dc->num_disks = i + 1; /* so that it is disposed of */
        rc = pvx_disk_parse(loc, specs[i], c->rep, &d->spec);
        if (rc)
            goto out;
        d->devid = pvx_vdev_to_number(d->spec.vdev);
        if (d->devid < 0) {
            rc = fail(c, "disk", "Invalid or unsupported virtual disk identifier %s", d->spec.vdev);
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            if (dc->disks[j].devid == d->devid) {
                rc = fail(c, "disk", "disks %zu and %zu are both virtual device %s (%d)", j + 1,
                          i + 1, d->spec.vdev, d->devid);
                goto out;
            }
        }
    }
out:
    free(specs);
    return rc;
}

static int parse_vifs(const struct ctx *c)
{
    struct pvx_domcfg *dc = c->dc;
    const char **specs;
    char loc[300];
    size_t n;
    int rc = get_specs(c, "vif", &specs, &n);

    if (rc || !n)
        goto out;
    where(c, "vif", loc, sizeof(loc));
    dc->nics = calloc(n, sizeof(*dc->nics));
    rc = -ENOMEM;
    if (!dc->nics)
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct pvx_nic *nic = &dc->nics[i];

        dc->num_nics = i + 1;
        rc = pvx_nic_parse(loc, specs[i], (int)i, c->rep, nic);
        if (rc)
            goto out;
        if (nic->script)
            warn(c, "vif", "vif script `%s' is not supported by pvx, ignored", nic->script);
        for (size_t j = 0; j < i; j++) {
            if (dc->nics[j].devid == nic->devid) {
                rc =
                    fail(c, "vif", "vifs %zu and %zu both have devid %d", j + 1, i + 1, nic->devid);
                goto out;
            }
        }
    }
out:
    free(specs);
    return rc;
}

void pvx_domcfg_free(struct pvx_domcfg *dc)
{
    if (!dc)
        return;
    free(dc->name);
    free(dc->kernel);
    free(dc->ramdisk);
    free(dc->cmdline);
    for (size_t i = 0; i < dc->num_disks; i++)
        pvx_disk_dispose(&dc->disks[i].spec);
    free(dc->disks);
    for (size_t i = 0; i < dc->num_nics; i++)
        pvx_nic_dispose(&dc->nics[i]);
    free(dc->nics);
    free(dc);
}

int pvx_domcfg_from_xlcfg(const struct xlcfg *cfg, struct pvx_domcfg **out)
{
    struct pvx_domcfg *dc = calloc(1, sizeof(*dc));
    struct ctx c = {cfg, xlcfg_get_reporter(cfg), xlcfg_source(cfg), dc};
    int rc = -ENOMEM;

    *out = NULL;
    if (!dc)
        goto out;
    check_keys(&c);
    /* xl's order, so that the first complaint is the one xl would make */
    if ((rc = parse_type(&c)) || (rc = parse_identity(&c)) || (rc = parse_sizes(&c)) ||
        (rc = parse_actions(&c)) || (rc = parse_boot(&c)) || (rc = parse_disks(&c)) ||
        (rc = parse_vifs(&c)))
        goto out;
    *out = dc;
    dc = NULL;
out:
    pvx_domcfg_free(dc);
    return rc;
}

/* ---- UUIDs ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pvx_uuid_parse(const char *s, uint8_t uuid[16])
{
    int byte = 0;

    if (strlen(s) != 36)
        return -EINVAL;
    for (int i = 0; i < 36;) {
        int hi, lo;

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i++] != '-')
                return -EINVAL;
            continue;
        }
        hi = hexval(s[i]);
        lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        uuid[byte++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return 0;
}

void pvx_uuid_format(const uint8_t u[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

int pvx_uuid_generate(uint8_t uuid[16])
{
    int rc = pvx_random_bytes(uuid, 16);

    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40); /* version 4: random */
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    return rc;
}

/* ---- the summary ---- */

/* Quoted, with anything unprintable as \xHH, so the summary stays one line. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch >= 0x20 && ch < 0x7f)
            fputc(ch, f);
        else
            fprintf(f, "\\x%02x", ch);
    }
    fputc('"', f);
}

char *pvx_domcfg_summary(const struct pvx_domcfg *dc)
{
    char *buf = NULL, uuid[37];
    size_t len;
    FILE *f = open_memstream(&buf, &len);

    if (!f)
        return NULL;
    pvx_uuid_format(dc->uuid, uuid);
    fputs("name=", f);
    put_quoted(f, dc->name);
    fprintf(f, " uuid=%s%s type=pv memory=%lluMiB maxmem=%lluMiB vcpus=%u/%u kernel=", uuid,
            dc->uuid_generated ? "(generated)" : "", (unsigned long long)(dc->memory_kb >> 10),
            (unsigned long long)(dc->maxmem_kb >> 10), dc->vcpus, dc->max_vcpus);
    put_quoted(f, dc->kernel);
    if (dc->ramdisk) {
        fputs(" ramdisk=", f);
        put_quoted(f, dc->ramdisk);
    }
    if (dc->cmdline) {
        fputs(" cmdline=", f);
        put_quoted(f, dc->cmdline);
    }
    fprintf(f, " on_poweroff=%s on_reboot=%s on_watchdog=%s on_crash=%s on_soft_reset=%s",
            pvx_action_name(dc->on_poweroff), pvx_action_name(dc->on_reboot),
            pvx_action_name(dc->on_watchdog), pvx_action_name(dc->on_crash),
            pvx_action_name(dc->on_soft_reset));
    if (dc->max_grant_frames >= 0)
        fprintf(f, " max_grant_frames=%d", dc->max_grant_frames);
    if (dc->max_maptrack_frames >= 0)
        fprintf(f, " max_maptrack_frames=%d", dc->max_maptrack_frames);
    fprintf(f, " max_event_channels=%u disks=[", dc->max_event_channels);
    for (size_t i = 0; i < dc->num_disks; i++) {
        const struct pvx_disk *d = &dc->disks[i].spec;

        fprintf(f, "%s%s(%d)=", i ? " " : "", d->vdev, dc->disks[i].devid);
        put_quoted(f, d->target ? d->target : "");
        fprintf(f, ",%s,%s%s", pvx_disk_format_name(d->format), d->readwrite ? "rw" : "ro",
                d->is_cdrom ? ",cdrom" : "");
    }
    fputs("] vifs=[", f);
    for (size_t i = 0; i < dc->num_nics; i++) {
        const struct pvx_nic *n = &dc->nics[i];

        fprintf(f, "%s%d=%02x:%02x:%02x:%02x:%02x:%02x,bridge=", i ? " " : "", n->devid, n->mac[0],
                n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
        put_quoted(f, n->bridge);
    }
    fputc(']', f);
    if (fclose(f)) {
        free(buf);
        return NULL;
    }
    return buf;
}
