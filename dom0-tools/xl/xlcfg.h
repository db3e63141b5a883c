/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xlcfg: the xl.cfg parser, following Xen 4.17's libxlutil grammar and
 * messages exactly (docs/xlcfg.md lists the few deliberate differences).
 *
 * Grammar: statements `KEY = VALUE` / `KEY += VALUE` ended by a newline or
 * `;` (the last one may lack it); KEY is [a-z][._0-9a-z]*; VALUE is a quoted
 * string, a NUMBER token ([0-9][0-9a-fx]*, kept as a string) or a list
 * `[v, v, ...]` that may nest, be empty, end with a comma and span lines.
 * `#` comments run to the end of the line.  The last assignment of a key
 * wins; `+=` concatenates strings or joins lists.
 *
 * The library never prints: every error and warning is handed, as one
 * complete xl-style line without its newline, to the caller's reporter.
 *
 * Errors are negative errno values: -ESRCH "not present", -EINVAL "present
 * but malformed or of the wrong type" (a warning was reported unless the
 * caller asked for quiet), -ERANGE "number out of range", -ENOMEM.
 */
#ifndef PVX_XLCFG_H
#define PVX_XLCFG_H

#include <stdbool.h>
#include <stddef.h>

enum xlcfg_level {
    XLCFG_ERROR,   /* the operation failed because of this */
    XLCFG_WARNING, /* reported, but the operation went on */
};

/* Receives one complete message line, without a trailing newline. */
typedef void xlcfg_report_fn(void *opaque, enum xlcfg_level level, const char *line);

struct xlcfg_reporter {
    xlcfg_report_fn *fn; /* NULL: messages are dropped */
    void *opaque;
};

/* printf-style helper shared by devspec and domcfg; a NULL reporter is fine. */
void xlcfg_reportf(const struct xlcfg_reporter *rep, enum xlcfg_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct xlcfg;       /* a parsed configuration */
struct xlcfg_value; /* a string or a list of values */

/*
 * Parse `len` bytes of `data` (need not be NUL-terminated; may come from a
 * file) named `source` in messages.  `extra` holds `nextra` command-line
 * `key=value` strings: like `xl create`, they are appended after the file as
 * "\n" + each string + "\n" ... + "\n", so they override the file and their
 * errors carry the line numbers that follows the file's.  `rep` may be NULL.
 * Returns 0 and *out, or -EINVAL (errors were reported) / -ENOMEM with
 * *out = NULL.  xl follows a failure with "Failed to parse config: Invalid
 * argument"; that line is the caller's.
 */
int xlcfg_parse(const char *source, const char *data, size_t len, const char *const *extra,
                size_t nextra, const struct xlcfg_reporter *rep, struct xlcfg **out);

void xlcfg_free(struct xlcfg *cfg);

const char *xlcfg_source(const struct xlcfg *cfg);
/* Where the getters' warnings (and domcfg's messages) go; rep may be NULL. */
const struct xlcfg_reporter *xlcfg_get_reporter(const struct xlcfg *cfg);
void xlcfg_set_reporter(struct xlcfg *cfg, const struct xlcfg_reporter *rep);

/* Keys in the order of their first assignment, each once. */
size_t xlcfg_nkeys(const struct xlcfg *cfg);
const char *xlcfg_key(const struct xlcfg *cfg, size_t i);
/* Line of the key's effective (last) value, 0 if the key is absent. */
int xlcfg_key_line(const struct xlcfg *cfg, const char *key);

/*
 * Typed getters, each with xl's warning on a type mismatch unless `quiet`:
 *  string: "<src>:<line>: warning: parameter `k' is a list but should be a
 *          single value" (-EINVAL);
 *  long:   strtol base 0 of the whole string (quoted numbers are fine);
 *          additionally "... parameter `k' is not a valid number" (-EINVAL),
 *          "... could not be parsed as a number: <strerror>" (-ERANGE) and
 *          "... can't use += with numbers for parameter `k'" (-EINVAL);
 *  bounded long: also "value `v' is smaller than minimum bound 'min'" /
 *          "is greater than maximum bound 'max'" (-EINVAL);
 *  list:   "... parameter `k' is a single value but should be a list".
 * The returned pointers live as long as cfg.
 */
int xlcfg_get_string(const struct xlcfg *cfg, const char *key, const char **val, bool quiet);
int xlcfg_get_long(const struct xlcfg *cfg, const char *key, long *val, bool quiet);
int xlcfg_get_bounded_long(const struct xlcfg *cfg, const char *key, long min, long max, long *val,
                           bool quiet);
int xlcfg_get_list(const struct xlcfg *cfg, const char *key, const struct xlcfg_value **list,
                   size_t *n, bool quiet);
/*
 * A list whose elements must all be strings, as a freshly allocated
 * NULL-terminated array of pointers into cfg (free the array only).  A
 * nested list element gives -EINVAL with "<src>:<line>: warning: parameter
 * `k' element N is a list but should be a string" (pvx: xl silently stops
 * at such an element).
 */
int xlcfg_get_string_list(const struct xlcfg *cfg, const char *key, const char ***items, size_t *n,
                          bool quiet);

/* The effective value of a key, NULL if absent (no warnings). */
const struct xlcfg_value *xlcfg_lookup(const struct xlcfg *cfg, const char *key);
bool xlcfg_value_is_list(const struct xlcfg_value *v);
const char *xlcfg_value_string(const struct xlcfg_value *v); /* NULL for a list */
size_t xlcfg_list_len(const struct xlcfg_value *list);       /* 0 for a string */
/* Element i, NULL when out of range. */
const struct xlcfg_value *xlcfg_list_item(const struct xlcfg_value *list, size_t i);
/* Element i if it is a string; NULL when out of range or a nested list. */
const char *xlcfg_list_string(const struct xlcfg_value *list, size_t i);

#endif
