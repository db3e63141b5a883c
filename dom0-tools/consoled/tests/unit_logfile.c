/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * logfile.c: line timestamps (and the '\r' after a stamped '\n'), the line
 * state carried across writes, ESC replacement, append-mode opening and
 * SIGHUP-style reopening, and the guest log's file name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define T0 ((time_t)86400 + 3600 + 60 + 1) /* 1970-01-02 01:01:01 UTC */
#define S0 "[1970-01-02 01:01:01] "

static char dir[] = "/tmp/pvxconsoled-unit.XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* Format through a logfile's state; the result as a string. */
static const char *fmt(struct logfile *l, const char *in)
{
    static char out[4096];
    size_t n = logfile_format(l, in, strlen(in), T0, out);

    assert_true(n <= logfile_format_max(strlen(in)));
    out[n] = '\0';
    return out;
}

static void test_stamps_lines(void **state)
{
    struct logfile l;

    (void)state;
    logfile_init(&l, true, false);
    assert_string_equal(fmt(&l, "hello\nworld\n"), S0 "hello\n" S0 "world\n");
    /* A line split across writes is stamped once, where it starts. */
    assert_string_equal(fmt(&l, "abc"), S0 "abc");
    assert_string_equal(fmt(&l, "def\ngh"), "def\n" S0 "gh");
    assert_string_equal(fmt(&l, "\n"), "\n");
    assert_string_equal(fmt(&l, "\n"), S0 "\n");
}

static void test_cr_after_newline(void **state)
{
    struct logfile l;

    (void)state;
    logfile_init(&l, true, false);
    assert_string_equal(fmt(&l, "a\r\nb\n\rc\n"), S0 "a\r\n" S0 "b\n" S0 "c\n");
    /* Also when the '\r' comes in the next write. */
    assert_string_equal(fmt(&l, "d\n"), S0 "d\n");
    assert_string_equal(fmt(&l, "\r\re"), S0 "e");
    /* Without timestamps the bytes pass untouched. */
    logfile_init(&l, false, false);
    assert_string_equal(fmt(&l, "a\n\rb\r\n"), "a\n\rb\r\n");
}

static void test_escape(void **state)
{
    struct logfile l;

    (void)state;
    logfile_init(&l, false, true);
    assert_string_equal(fmt(&l, "\033[1mbold\033[0m"), ".[1mbold.[0m");
    logfile_init(&l, false, false);
    assert_string_equal(fmt(&l, "\033[0m"), "\033[0m");
}

/* Every byte a newline: the worst case fits the bound. */
static void test_format_bound(void **state)
{
    static char in[1000], out[1000 + 1001 * 22];
    struct logfile l;

    (void)state;
    memset(in, '\n', sizeof(in));
    logfile_init(&l, true, false);
    assert_int_equal(logfile_format(&l, in, sizeof(in), T0, out), sizeof(in) * 23);
    assert_true(sizeof(in) * 23 <= logfile_format_max(sizeof(in)));
}

static char *slurp(const char *path)
{
    static char buf[8192];
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return NULL;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void test_open_append_reopen(void **state)
{
    char path[256], rotated[256];
    struct logfile l;

    (void)state;
    snprintf(path, sizeof(path), "%s/guest-a.log", dir);
    snprintf(rotated, sizeof(rotated), "%s/guest-a.log.1", dir);
    logfile_init(&l, true, false);
    assert_int_equal(logfile_open(&l, path, T0), 0);
    assert_int_equal(logfile_write(&l, "one\n", 4, T0), 0);
    logfile_close(&l);
    /* The same domain name again: appended, not truncated. */
    assert_int_equal(logfile_open(&l, path, T0), 0);
    assert_int_equal(logfile_write(&l, "two\n", 4, T0), 0);
    assert_string_equal(slurp(path),
                        S0 "Logfile Opened\n" S0 "one\n" S0 "Logfile Opened\n" S0 "two\n");
    /* Rotation: renamed away, reopened, new lines in a new file. */
    assert_int_equal(rename(path, rotated), 0);
    assert_int_equal(logfile_reopen(&l, T0), 0);
    assert_int_equal(logfile_write(&l, "three\n", 6, T0), 0);
    assert_string_equal(slurp(path), S0 "Logfile Opened\n" S0 "three\n");
    assert_null(strstr(slurp(rotated), "three"));
    logfile_close(&l);
    /* A closed log takes writes silently (logging resumes on SIGHUP). */
    assert_int_equal(logfile_write(&l, "x", 1, T0), 0);
}

static void test_open_fails(void **state)
{
    struct logfile l;

    (void)state;
    logfile_init(&l, false, false);
    assert_int_equal(logfile_open(&l, "/nonexistent-dir/x.log", T0), -ENOENT);
    assert_int_equal(l.fd, -1);
}

static void test_guest_name(void **state)
{
    char out[200];

    (void)state;
    logfile_guest_name(out, sizeof(out), "web", 5);
    assert_string_equal(out, "guest-web.log");
    logfile_guest_name(out, sizeof(out), "../../etc/passwd", 5);
    assert_string_equal(out, "guest-.._.._etc_passwd.log");
    logfile_guest_name(out, sizeof(out), "a\nb\x7f", 5);
    assert_string_equal(out, "guest-a_b_.log");
    logfile_guest_name(out, sizeof(out), NULL, 7);
    assert_string_equal(out, "guest-d7.log");
    logfile_guest_name(out, sizeof(out), "", 7);
    assert_string_equal(out, "guest-d7.log");
}

int unit_logfile(void)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamps_lines),
        cmocka_unit_test(test_cr_after_newline),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_format_bound),
        cmocka_unit_test(test_open_append_reopen),
        cmocka_unit_test(test_open_fails),
        cmocka_unit_test(test_guest_name),
    };

    return cmocka_run_group_tests_name("logfile", tests, make_dir, remove_dir);
}
