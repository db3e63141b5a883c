/* SPDX-License-Identifier: GPL-2.0-only */
/* opts.c: defaults, every option, and values it must refuse. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static char err[256];

/* getopt wants char *argv[]: copies that outlive the call (o points into them). */
static int parse(struct consoled_opts *o, int n, const char *const *args)
{
    static char store[16][64];
    static char *argv[17];

    assert_true(n < 16);
    snprintf(store[0], sizeof(store[0]), "pvxconsoled");
    argv[0] = store[0];
    for (int i = 0; i < n; i++) {
        snprintf(store[i + 1], sizeof(store[i + 1]), "%s", args[i]);
        argv[i + 1] = store[i + 1];
    }
    argv[n + 1] = NULL;
    return consoled_parse_opts(n + 1, argv, o, err, sizeof(err));
}

#define PARSE(o, ...)                                                                              \
    parse(o, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)),                        \
          (const char *const[]){__VA_ARGS__})

static void test_defaults(void **state)
{
    struct consoled_opts o;

    (void)state;
    assert_int_equal(parse(&o, 0, NULL), CONSOLED_RUN);
    assert_int_equal(o.log, CONS_LOG_GUEST);
    assert_int_equal(o.stamp, 0);
    assert_false(o.keep_overflow);
    assert_false(o.interactive);
    assert_string_equal(o.log_dir, CONSOLED_LOG_DIR);
    assert_null(o.pid_file);
    assert_int_equal(o.ready_fd, -1);
}

static void test_all_options(void **state)
{
    struct consoled_opts o;

    (void)state;
    assert_int_equal(PARSE(&o, "-i", "-v", "--verbose", "--log=all", "--log-dir=/x/y", "--pid-file",
                           "/p", "-t", "guest", "-o", "keep", "--replace-escape"),
                     CONSOLED_RUN);
    assert_true(o.interactive);
    assert_int_equal(o.verbose, 2);
    assert_int_equal(o.log, CONS_LOG_GUEST | CONS_LOG_HV);
    assert_string_equal(o.log_dir, "/x/y");
    assert_string_equal(o.pid_file, "/p");
    assert_int_equal(o.stamp, CONS_LOG_GUEST);
    assert_true(o.keep_overflow);
    assert_true(o.replace_escape);
    assert_int_equal(PARSE(&o, "--log=none", "--timestamp=all", "--overflow-data=discard"),
                     CONSOLED_RUN);
    assert_int_equal(o.log, 0);
    assert_int_equal(o.stamp, CONS_LOG_GUEST | CONS_LOG_HV);
    assert_false(o.keep_overflow);
    assert_int_equal(PARSE(&o, "--log=hv"), CONSOLED_RUN);
    assert_int_equal(o.log, CONS_LOG_HV);
}

static void test_help_version(void **state)
{
    struct consoled_opts o;

    (void)state;
    assert_int_equal(PARSE(&o, "-h"), CONSOLED_HELP);
    assert_int_equal(PARSE(&o, "--version"), CONSOLED_VERSION);
}

static void test_refused(void **state)
{
    struct consoled_opts o;

    (void)state;
    assert_int_equal(PARSE(&o, "--log=everything"), -EINVAL);
    assert_non_null(strstr(err, "everything"));
    assert_int_equal(PARSE(&o, "-t", "sometimes"), -EINVAL);
    assert_int_equal(PARSE(&o, "-o", "drop"), -EINVAL);
    assert_int_equal(PARSE(&o, "--log-dir="), -EINVAL);
    assert_int_equal(PARSE(&o, "-x"), -EINVAL);
    assert_string_equal(err, "unknown option -x");
    assert_int_equal(PARSE(&o, "--bogus"), -EINVAL);
    assert_string_equal(err, "unknown option --bogus");
    assert_int_equal(PARSE(&o, "--log"), -EINVAL);
    assert_string_equal(err, "--log needs a value");
    assert_int_equal(PARSE(&o, "stray"), -EINVAL);
}

int unit_opts(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_all_options),
        cmocka_unit_test(test_help_version),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
