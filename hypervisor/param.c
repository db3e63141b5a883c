/* SPDX-License-Identifier: GPL-2.0-only */
/* Command-line option parsing; see pvx/param.h for the syntax. */
#include <pvx/errno.h>
#include <pvx/lib.h>
#include <pvx/param.h>

int parse_uint(const char *s, uint64_t *out, bool allow_size_suffix)
{
    unsigned int base = 10;
    uint64_t v = 0;
    bool any = false;

    if (!s || !*s)
        return -EINVAL;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; *s; s++) {
        unsigned int d;

        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            break;
        if (v > (UINT64_MAX - d) / base)
            return -EINVAL; /* overflow */
        v = v * base + d;
        any = true;
    }
    if (!any)
        return -EINVAL;
    if (*s && allow_size_suffix) {
        unsigned int shift;

        switch (*s) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        case 't':
        case 'T':
            shift = 40;
            break;
        default:
            return -EINVAL;
        }
        if (v > (UINT64_MAX >> shift))
            return -EINVAL;
        v <<= shift;
        s++;
        if (*s == 'i') /* KiB, MiB, ... */
            s++;
        if (*s == 'b' || *s == 'B')
            s++;
    }
    if (*s)
        return -EINVAL;
    *out = v;
    return 0;
}

int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "yes", "on", "true", "enable"};
    static const char *const no[] = {"0", "no", "off", "false", "disable"};

    if (!s) {
        *out = true;
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

static const struct param *find_param(const char *name, const struct param *start,
                                      const struct param *end)
{
    for (const struct param *p = start; p < end; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

static int apply_param(const struct param *p, const char *value, bool negated)
{
    uint64_t v;
    bool b;
    int rc;

    if (negated && p->type != PARAM_BOOL)
        return -EINVAL;
    switch (p->type) {
    case PARAM_BOOL:
        rc = parse_bool(value, &b);
        if (rc)
            return rc;
        *(bool *)p->var = negated ? !b : b;
        return 0;
    case PARAM_UINT:
    case PARAM_SIZE:
        rc = parse_uint(value, &v, p->type == PARAM_SIZE);
        if (rc)
            return rc;
        if (p->len == sizeof(uint32_t)) {
            if (v > UINT32_MAX)
                return -EINVAL;
            *(uint32_t *)p->var = (uint32_t)v;
        } else {
            *(uint64_t *)p->var = v;
        }
        return 0;
    case PARAM_STRING:
        if (!value || strlen(value) >= p->len)
            return -EINVAL;
        strlcpy(p->var, value, p->len);
        return 0;
    case PARAM_CUSTOM:
        return p->fn(value);
    }
    return -EINVAL;
}

static const char *type_hint(enum param_type t)
{
    switch (t) {
    case PARAM_BOOL:
        return "a boolean";
    case PARAM_UINT:
        return "an integer";
    case PARAM_SIZE:
        return "a size such as 64M";
    case PARAM_STRING:
        return "a string that fits";
    default:
        return "a valid value";
    }
}

unsigned int parse_params(const char *cmdline, const struct param *start, const struct param *end)
{
    char token[256];
    unsigned int errors = 0;

    while (cmdline && *cmdline) {
        const struct param *p;
        const char *name, *value = NULL;
        bool negated = false;
        size_t len = 0;
        char *eq;
        int rc;

        while (*cmdline == ' ' || *cmdline == '\t')
            cmdline++;
        if (!*cmdline)
            break;
        while (cmdline[len] && cmdline[len] != ' ' && cmdline[len] != '\t')
            len++;
        if (len >= sizeof(token)) {
            printk("cmdline: option '%.32s...' is too long, ignored\n", cmdline);
            errors++;
            cmdline += len;
            continue;
        }
        memcpy(token, cmdline, len);
        token[len] = '\0';
        cmdline += len;

        name = token;
        eq = strchr(token, '=');
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        }
        p = find_param(name, start, end);
        if (!p && !value && !strncmp(name, "no-", 3)) {
            p = find_param(name + 3, start, end);
            negated = p != NULL;
        }
        if (!p) {
            printk("cmdline: unknown option '%s' ignored\n", name);
            errors++;
            continue;
        }
        if (!value && p->type != PARAM_BOOL && p->type != PARAM_CUSTOM) {
            printk("cmdline: option '%s' needs a value (%s); keeping the default\n", name,
                   type_hint(p->type));
            errors++;
            continue;
        }
        rc = apply_param(p, value, negated);
        if (rc) {
            printk("cmdline: option '%s': invalid value '%s' (expected %s); keeping the default\n",
                   name, value ? value : "", type_hint(p->type));
            errors++;
        }
    }
    return errors;
}
