/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Typed command-line options.  Each option is declared next to the variable
 * it sets and lands in the pvx_params section; the parser walks that table.
 *
 *   name=value   integers (decimal or 0x hex), sizes (with K/M/G/T suffix),
 *                strings, booleans (1/0, yes/no, on/off, true/false)
 *   name         a boolean set to true
 *   no-name      a boolean set to false
 *
 * A bad option is reported and skipped: the variable keeps its default.
 */
#ifndef PVX_PARAM_H
#define PVX_PARAM_H

#include <pvx/types.h>

enum param_type {
    PARAM_BOOL,
    PARAM_UINT,   /* uint64_t */
    PARAM_SIZE,   /* uint64_t, accepts K/M/G/T suffixes */
    PARAM_STRING, /* char[len] */
    PARAM_CUSTOM, /* int fn(const char *value), value may be NULL */
};

struct param {
    const char *name;
    enum param_type type;
    void *var;
    size_t len;
    int (*fn)(const char *value);
};

#define PARAM_ENTRY(_name, _type, _var, _len, _fn)                                                 \
    static const struct param __param_##_var __section("pvx_params")                               \
        __used __aligned(sizeof(void *)) = {_name, _type, &(_var), _len, _fn}

#define boolean_param(name, var) PARAM_ENTRY(name, PARAM_BOOL, var, sizeof(var), NULL)
#define uint_param(name, var)    PARAM_ENTRY(name, PARAM_UINT, var, sizeof(var), NULL)
#define size_param(name, var)    PARAM_ENTRY(name, PARAM_SIZE, var, sizeof(var), NULL)
#define string_param(name, var)  PARAM_ENTRY(name, PARAM_STRING, var, sizeof(var), NULL)
#define custom_param(name, fn)                                                                     \
    static const struct param __param_##fn __section("pvx_params")                                 \
        __used __aligned(sizeof(void *)) = {name, PARAM_CUSTOM, NULL, 0, fn}

extern const struct param __start_pvx_params[], __stop_pvx_params[];

/* Parse a command line against a table; returns the number of bad options. */
unsigned int parse_params(const char *cmdline, const struct param *start, const struct param *end);

/* Parsers shared with custom handlers; return 0 or -EINVAL. */
int parse_uint(const char *s, uint64_t *out, bool allow_size_suffix);
int parse_bool(const char *s, bool *out);

#endif
