/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xl list -l: each domain's configuration as JSON, in the shape scripts
 * written for xl read (libxl's domain config: c_info, b_info, disks, nics,
 * on_*), indented four spaces per level as xl prints it.  pvx keeps each
 * domain's xl.cfg text (with runtime changes appended), so the values come
 * from parsing that; fields left at their default are omitted, as libxl
 * does.  Domain-0 has no configuration file: only its type, name and UUID.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "domcfg.h"
#include "xl.h"

struct json {
    int depth;
    bool first; /* nothing written yet at this depth */
};

static void indent(const struct json *j)
{
    printf("\n%*s", j->depth * 4, "");
}

/* Before a value or key at the current depth. */
static void next(struct json *j)
{
    if (!j->first)
        putchar(',');
    j->first = false;
    indent(j);
}

static void open_(struct json *j, char c)
{
    putchar(c);
    j->depth++;
    j->first = true;
}

static void close_(struct json *j, char c)
{
    bool empty = j->first;

    j->depth--;
    j->first = false;
    if (!empty)
        indent(j);
    putchar(c);
}

static void string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void key(struct json *j, const char *k)
{
    next(j);
    string(k);
    fputs(": ", stdout);
}

static void kv_string(struct json *j, const char *k, const char *v)
{
    if (!v)
        return;
    key(j, k);
    string(v);
}

static void kv_int(struct json *j, const char *k, long long v)
{
    key(j, k);
    printf("%lld", v);
}

/* libxl's enum names use underscores where xl.cfg's use dashes. */
static void kv_action(struct json *j, const char *k, enum pvx_action a)
{
    char name[32];

    snprintf(name, sizeof(name), "%s", pvx_action_name(a));
    for (char *p = name; *p; p++)
        if (*p == '-')
            *p = '_';
    kv_string(j, k, name);
}

static void c_info(struct json *j, const char *name, const uint8_t uuid[16])
{
    char text[37];

    pvx_uuid_format(uuid, text);
    key(j, "c_info");
    open_(j, '{');
    kv_string(j, "type", "pv");
    kv_string(j, "name", name);
    kv_string(j, "uuid", text);
    close_(j, '}');
}

static void b_info(struct json *j, const struct pvx_domcfg *c)
{
    key(j, "b_info");
    open_(j, '{');
    kv_int(j, "max_vcpus", c->max_vcpus);
    key(j, "avail_vcpus");
    open_(j, '[');
    for (unsigned int i = 0; i < c->vcpus; i++) {
        next(j);
        printf("%u", i);
    }
    close_(j, ']');
    kv_int(j, "max_memkb", (long long)c->maxmem_kb);
    kv_int(j, "target_memkb", (long long)c->memory_kb);
    kv_string(j, "kernel", c->kernel);
    kv_string(j, "cmdline", c->cmdline);
    kv_string(j, "ramdisk", c->ramdisk);
    key(j, "type.pv");
    open_(j, '{');
    close_(j, '}');
    close_(j, '}');
}

static void devices(struct json *j, const struct pvx_domcfg *c)
{
    if (c->num_disks) {
        key(j, "disks");
        open_(j, '[');
        for (size_t i = 0; i < c->num_disks; i++) {
            const struct pvx_disk *d = &c->disks[i].spec;

            next(j);
            open_(j, '{');
            kv_string(j, "pdev_path", d->target);
            kv_string(j, "vdev", d->vdev);
            kv_string(j, "format", pvx_disk_format_name(d->format));
            kv_string(j, "readwrite", d->readwrite ? "True" : "False");
            close_(j, '}');
        }
        close_(j, ']');
    }
    if (c->num_nics) {
        key(j, "nics");
        open_(j, '[');
        for (size_t i = 0; i < c->num_nics; i++) {
            const struct pvx_nic *n = &c->nics[i];
            char mac[18];

            snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0], n->mac[1],
                     n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
            next(j);
            open_(j, '{');
            kv_int(j, "devid", n->devid);
            kv_string(j, "mac", mac);
            kv_string(j, "bridge", n->bridge);
            kv_string(j, "ip", n->ip);
            close_(j, '}');
        }
        close_(j, ']');
    }
}

static void domain(struct json *j, domid_t domid, const pvxctl_dominfo_t *info)
{
    struct pvx_domcfg *c = NULL;
    char *text = domid ? xlt_saved_read(domid) : NULL;
    char source[64];

    snprintf(source, sizeof(source), "saved configuration of domain %u", domid);
    /* Not made by this toolstack (or unreadable): nothing to show, as xl. */
    if (domid && (!text || xlt_config_parse(source, text, strlen(text), NULL, 0, &c)))
        goto out;
    next(j);
    open_(j, '{');
    kv_int(j, "domid", domid);
    key(j, "config");
    open_(j, '{');
    if (!domid) {
        c_info(j, XLT_DOM0_NAME, info->handle);
    } else {
        char *name = xlt_domain_name(&xl_ctx, domid);

        c_info(j, name ? name : c->name, c->uuid);
        free(name);
        b_info(j, c);
        devices(j, c);
        kv_action(j, "on_poweroff", c->on_poweroff);
        kv_action(j, "on_reboot", c->on_reboot);
        kv_action(j, "on_watchdog", c->on_watchdog);
        kv_action(j, "on_crash", c->on_crash);
        kv_action(j, "on_soft_reset", c->on_soft_reset);
    }
    close_(j, '}');
    close_(j, '}');
out:
    pvx_domcfg_free(c);
    free(text);
}

void xl_list_long(const pvxctl_dominfo_t *infos, int n)
{
    struct json j = {0};

    open_(&j, '[');
    for (int i = 0; i < n; i++)
        domain(&j, infos[i].domain, &infos[i]);
    close_(&j, ']');
    putchar('\n');
}
