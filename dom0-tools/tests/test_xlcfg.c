/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the xl.cfg parser against xl's documented behaviour
 * (docs/xlcfg.md, the toolstack fact sheet §2.1).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"

#include "xlcfg.h"

static int parse(const char *text, struct xlcfg **cfg)
{
    capture_reset(&cap);
    return xlcfg_parse("t.cfg", text, strlen(text), NULL, 0, &rep, cfg);
}

static struct xlcfg *parse_ok(const char *text)
{
    struct xlcfg *cfg;

    assert_int_equal(parse(text, &cfg), 0);
    assert_non_null(cfg);
    return cfg;
}

/* The messages of a failed parse, exactly. */
static void expect_errors(const char *text, size_t n, ...)
{
    struct xlcfg *cfg = (struct xlcfg *)1;
    va_list ap;

    assert_int_equal(parse(text, &cfg), -EINVAL);
    assert_null(cfg);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);

        assert_true(i < cap.n);
        assert_string_equal(cap.lines[i], want);
    }
    va_end(ap);
    assert_int_equal(cap.n, n);
}

static const char *str(const struct xlcfg *cfg, const char *key)
{
    const char *s = NULL;

    assert_int_equal(xlcfg_get_string(cfg, key, &s, false), 0);
    return s;
}

static long num(const struct xlcfg *cfg, const char *key)
{
    long l = 0;

    assert_int_equal(xlcfg_get_long(cfg, key, &l, false), 0);
    return l;
}

/* ---- statements ---- */

static void test_statements_and_terminators(void **state)
{
    struct xlcfg *cfg = parse_ok("a = 1; b = 'two';c=3\n;;\n\nd = \"four\" ;\n e = 5");

    (void)state;
    assert_int_equal(num(cfg, "a"), 1);
    assert_string_equal(str(cfg, "b"), "two");
    assert_int_equal(num(cfg, "c"), 3);
    assert_string_equal(str(cfg, "d"), "four");
    assert_int_equal(num(cfg, "e"), 5); /* last statement, no terminator */
    assert_int_equal(cap.n, 0);
    xlcfg_free(cfg);
}

static void test_empty_and_comments(void **state)
{
    struct xlcfg *cfg = parse_ok("");

    (void)state;
    assert_int_equal(xlcfg_nkeys(cfg), 0);
    xlcfg_free(cfg);
    cfg = parse_ok("# comment\n\n  \t\n# x = 1\nname = 'vm' # trailing\n");
    assert_int_equal(xlcfg_nkeys(cfg), 1);
    assert_string_equal(str(cfg, "name"), "vm");
    xlcfg_free(cfg);
}

static void test_keys_enumerated_in_order_once(void **state)
{
    struct xlcfg *cfg = parse_ok("b = 1\na = 2\nb = 3\nc.d_9 = 4\na += 'x'\n");

    (void)state;
    assert_int_equal(xlcfg_nkeys(cfg), 3);
    assert_string_equal(xlcfg_key(cfg, 0), "b");
    assert_string_equal(xlcfg_key(cfg, 1), "a");
    assert_string_equal(xlcfg_key(cfg, 2), "c.d_9");
    assert_null(xlcfg_key(cfg, 3));
    assert_int_equal(xlcfg_key_line(cfg, "b"), 3); /* the effective assignment */
    assert_int_equal(xlcfg_key_line(cfg, "a"), 5);
    assert_int_equal(xlcfg_key_line(cfg, "zz"), 0);
    xlcfg_free(cfg);
}

static void test_last_assignment_wins(void **state)
{
    struct xlcfg *cfg = parse_ok("memory = 128\nmemory = 256\nname = ['l']\nname = 'last'\n");

    (void)state;
    assert_int_equal(num(cfg, "memory"), 256);
    assert_string_equal(str(cfg, "name"), "last");
    assert_int_equal(cap.n, 0); /* silently */
    xlcfg_free(cfg);
}

/* ---- keys ---- */

static void test_key_syntax(void **state)
{
    (void)state;
    expect_errors("Memory = 512\n", 1,
                  "t.cfg:1: config parsing error near `Memory': lexical error");
    expect_errors("_x = 1\n", 1, "t.cfg:1: config parsing error near `_x': lexical error");
    /* a NUMBER token is [0-9][0-9a-fx]*: it stops at the 'l' */
    expect_errors("9lives = 1\n", 1,
                  "t.cfg:1: config parsing error near `9': syntax error, unexpected NUMBER, "
                  "expecting $end or IDENT or NEWLINE or ';'");
    /* '-' is one of the "Python" characters */
    expect_errors("on-crash = 'destroy'\n", 4,
                  "t.cfg:1: config parsing error near `-crash': lexical error",
                  "warning: Config file looks like it contains Python code.",
                  "warning:  Arbitrary Python is no longer supported.",
                  "warning:  See https://wiki.xen.org/wiki/PythonInXlConfig");
}

/* ---- values ---- */

static void test_barewords_rejected(void **state)
{
    (void)state;
    expect_errors("on_crash = destroy\n", 1,
                  "t.cfg:1: config parsing error near `destroy': syntax error, unexpected IDENT, "
                  "expecting STRING or NUMBER or '['");
}

static void test_python_like_values(void **state)
{
    static const char *const inputs[] = {"memory = -1\n", "x = 1.5\n", "k = f(1)\n", "k = a:b\n",
                                         "k = 1 + 2\n"};

    (void)state;
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        struct xlcfg *cfg;

        assert_int_equal(parse(inputs[i], &cfg), -EINVAL);
        assert_true(cap.n >= 2);
        assert_string_equal(cap.lines[cap.n - 3],
                            "warning: Config file looks like it contains Python code.");
        assert_int_equal(cap.level[cap.n - 1], XLCFG_WARNING);
    }
    /* errors without one of + - . ( ) : get no such warning */
    expect_errors("memory = 512M\n", 1, "t.cfg:1: config parsing error near `M': lexical error");
    expect_errors("memory = 256 * 2\n", 1, "t.cfg:1: config parsing error near `*': lexical error");
}

static void test_numbers_base0(void **state)
{
    struct xlcfg *cfg =
        parse_ok("hex = 0x200\noct = 0100\nz = 0\nq = \"512\"\nsp = ' 12'\nneg = '-5'\n");
    long l;

    (void)state;
    assert_int_equal(num(cfg, "hex"), 512);
    assert_int_equal(num(cfg, "oct"), 64);
    assert_int_equal(num(cfg, "z"), 0);
    assert_int_equal(num(cfg, "q"), 512); /* quoted numbers are fine */
    assert_int_equal(num(cfg, "sp"), 12);
    assert_int_equal(num(cfg, "neg"), -5);
    assert_string_equal(str(cfg, "hex"), "0x200"); /* kept as written */
    assert_int_equal(xlcfg_get_long(cfg, "nope", &l, false), -ESRCH);
    assert_int_equal(cap.n, 0);
    xlcfg_free(cfg);
}

static void test_number_warnings(void **state)
{
    struct xlcfg *cfg = parse_ok("bad = 08\nx = 1x\nhuge = 99999999999999999999\nl = [1]\n"
                                 "s = 'abc'\nadd += 5\n");
    long l;

    (void)state;
    assert_int_equal(xlcfg_get_long(cfg, "bad", &l, false), -EINVAL);
    assert_string_equal(cap.lines[0], "t.cfg:1: warning: parameter `bad' is not a valid number");
    assert_int_equal(xlcfg_get_long(cfg, "x", &l, false), -EINVAL);
    assert_int_equal(xlcfg_get_long(cfg, "huge", &l, false), -ERANGE);
    assert_string_equal(cap.lines[2], "t.cfg:3: warning: parameter `huge' could not be parsed as "
                                      "a number: Numerical result out of range");
    assert_int_equal(xlcfg_get_long(cfg, "l", &l, false), -EINVAL);
    assert_string_equal(cap.lines[3],
                        "t.cfg:4: warning: parameter `l' is a list but should be a single value");
    assert_int_equal(xlcfg_get_long(cfg, "s", &l, false), -EINVAL);
    assert_int_equal(xlcfg_get_long(cfg, "add", &l, false), -EINVAL);
    assert_string_equal(cap.lines[5],
                        "t.cfg:6: warning: can't use += with numbers for parameter `add'");
    assert_int_equal(cap.n, 6);
    /* quiet: same answers, no warnings */
    assert_int_equal(xlcfg_get_long(cfg, "bad", &l, true), -EINVAL);
    assert_int_equal(cap.n, 6);
    xlcfg_free(cfg);
}

static void test_bounded_long(void **state)
{
    struct xlcfg *cfg = parse_ok("a = 0\nb = 65\nc = 64\n");
    long l;

    (void)state;
    assert_int_equal(xlcfg_get_bounded_long(cfg, "a", 1, 64, &l, false), -EINVAL);
    assert_string_equal(cap.lines[0],
                        "t.cfg:1: warning: value `0' is smaller than minimum bound '1'");
    assert_int_equal(xlcfg_get_bounded_long(cfg, "b", 1, 64, &l, false), -EINVAL);
    assert_string_equal(cap.lines[1],
                        "t.cfg:2: warning: value `65' is greater than maximum bound '64'");
    assert_int_equal(xlcfg_get_bounded_long(cfg, "c", 1, 64, &l, false), 0);
    assert_int_equal(l, 64);
    xlcfg_free(cfg);
}

static void test_strings_and_escapes(void **state)
{
    struct xlcfg *cfg =
        parse_ok("sq = 'it \"is\"'\ndq = \"it's\"\nesc = '\\'\\\"\\\\\\a\\b\\f\\n\\r\\t\\v'\n"
                 "hash = '#x;y,[z]'\nempty = ''\n");

    (void)state;
    assert_string_equal(str(cfg, "sq"), "it \"is\"");
    assert_string_equal(str(cfg, "dq"), "it's");
    assert_string_equal(str(cfg, "esc"), "'\"\\\a\b\f\n\r\t\v");
    assert_string_equal(str(cfg, "hash"), "#x;y,[z]");
    assert_string_equal(str(cfg, "empty"), "");
    xlcfg_free(cfg);
}

static void test_escape_quirks(void **state)
{
    struct xlcfg *cfg = parse_ok("oct = 'x\\101y'\n");

    (void)state;
    /* xl's broken numeric escapes: an octal one silently produces nothing */
    assert_string_equal(str(cfg, "oct"), "xy");
    xlcfg_free(cfg);
    expect_errors("a = '\\x41'\n", 1,
                  "t.cfg:1: config parsing error near `'\\x41'': invalid digit after backslash "
                  "hexnumerical character escape in quoted string");
    expect_errors("a = \"\\1\"\n", 1,
                  "t.cfg:1: config parsing error near `\"\\1\"': invalid digit after backslash "
                  "octalnumerical character escape in quoted string");
    expect_errors("a = \"\\q\"\n", 1,
                  "t.cfg:1: config parsing error near `\"\\q\"': invalid character after backlash "
                  "in quoted string");
}

static void test_strings_stay_on_one_line(void **state)
{
    (void)state;
    expect_errors("name = 'vm\nmemory = 1\n", 1,
                  "t.cfg:1: config parsing error near `'vm': lexical error");
}

/* ---- lists ---- */

static void test_lists(void **state)
{
    struct xlcfg *cfg =
        parse_ok("e = []\nt = [ 'a', 'b', ]\nn = [ [1, []], 'x' ]\nm = [\n 'p',\n\n # c\n 'q'\n"
                 " ]\n");
    const struct xlcfg_value *l;
    size_t n;

    (void)state;
    assert_int_equal(xlcfg_get_list(cfg, "e", &l, &n, false), 0);
    assert_int_equal(n, 0);
    assert_int_equal(xlcfg_get_list(cfg, "t", &l, &n, false), 0);
    assert_int_equal(n, 2);
    assert_string_equal(xlcfg_list_string(l, 1), "b");
    assert_null(xlcfg_list_string(l, 2));
    assert_int_equal(xlcfg_get_list(cfg, "n", &l, &n, false), 0);
    assert_int_equal(n, 2);
    assert_null(xlcfg_list_string(l, 0)); /* a nested list */
    assert_true(xlcfg_value_is_list(xlcfg_list_item(l, 0)));
    assert_int_equal(xlcfg_list_len(xlcfg_list_item(l, 0)), 2);
    assert_string_equal(xlcfg_value_string(xlcfg_list_item(xlcfg_list_item(l, 0), 0)), "1");
    assert_string_equal(xlcfg_list_string(l, 1), "x");
    assert_int_equal(xlcfg_get_list(cfg, "m", &l, &n, false), 0);
    assert_int_equal(n, 2);
    assert_string_equal(xlcfg_list_string(l, 1), "q");
    assert_int_equal(xlcfg_key_line(cfg, "m"), 4); /* where the list starts */
    assert_int_equal(cap.n, 0);
    xlcfg_free(cfg);
}

static void test_list_type_warnings(void **state)
{
    struct xlcfg *cfg = parse_ok("s = 'x'\nl = ['x']\nn = [['x'], 'y']\n");
    const struct xlcfg_value *l;
    const char **items;
    const char *s;
    size_t n;

    (void)state;
    assert_int_equal(xlcfg_get_list(cfg, "s", &l, &n, false), -EINVAL);
    assert_string_equal(cap.lines[0],
                        "t.cfg:1: warning: parameter `s' is a single value but should be a list");
    assert_int_equal(xlcfg_get_string(cfg, "l", &s, false), -EINVAL);
    assert_string_equal(cap.lines[1],
                        "t.cfg:2: warning: parameter `l' is a list but should be a single value");
    assert_int_equal(xlcfg_get_list(cfg, "none", &l, &n, false), -ESRCH);
    assert_int_equal(xlcfg_get_string_list(cfg, "l", &items, &n, false), 0);
    assert_int_equal(n, 1);
    assert_string_equal(items[0], "x");
    assert_null(items[1]);
    free(items);
    assert_int_equal(xlcfg_get_string_list(cfg, "n", &items, &n, false), -EINVAL);
    assert_string_equal(cap.lines[2], "t.cfg:3: warning: parameter `n' element 0 is a list but "
                                      "should be a string");
    xlcfg_free(cfg);
}

static void test_list_errors(void **state)
{
    (void)state;
    expect_errors("a = [1 2]\n", 1,
                  "t.cfg:1: config parsing error near `2': syntax error, unexpected NUMBER, "
                  "expecting ']'");
    expect_errors("a = [1,\n 2,", 1,
                  "t.cfg:2: config parsing error near `': syntax error, unexpected $end, "
                  "expecting ']'");
    expect_errors("a = [,1]\n", 1,
                  "t.cfg:1: config parsing error near `,': syntax error, unexpected ',', "
                  "expecting ']'");
}

/* ---- += ---- */

static void test_add_strings_and_lists(void **state)
{
    struct xlcfg *cfg = parse_ok("x = 'a'\nx += 'b'\nx += \"c\"\nl = [1]\nl += [2, 3]\n"
                                 "l += []\nfresh += 'f'\n");
    const struct xlcfg_value *l;
    size_t n;

    (void)state;
    assert_string_equal(str(cfg, "x"), "abc");
    assert_int_equal(xlcfg_get_list(cfg, "l", &l, &n, false), 0);
    assert_int_equal(n, 3);
    assert_string_equal(xlcfg_list_string(l, 0), "1");
    assert_string_equal(xlcfg_list_string(l, 2), "3");
    assert_string_equal(str(cfg, "fresh"), "f"); /* += with nothing before */
    xlcfg_free(cfg);
    expect_errors("a = 'x'\na += ['y']\n", 1,
                  "t.cfg:2: config parsing error near `]': can't add [list] to \"string\" or "
                  "vice versa");
    expect_errors("a = ['x']\na += 'y'\n", 1,
                  "t.cfg:2: config parsing error near `'y'': can't add [list] to \"string\" or "
                  "vice versa");
}

/* ---- errors and their line numbers ---- */

static void test_crlf_rejected(void **state)
{
    (void)state;
    expect_errors("name = 'vm'\r\n", 1, "t.cfg:1: config parsing error near `\r': lexical error");
}

static void test_comment_needs_newline(void **state)
{
    struct xlcfg *cfg;
    const char *extra[] = {"vcpus=2"};
    const char *text = "memory = 128\n# final";

    (void)state;
    expect_errors(text, 1, "t.cfg:2: config parsing error near `#': lexical error");
    /* with command-line settings xl appends a newline, and the file is accepted */
    capture_reset(&cap);
    assert_int_equal(xlcfg_parse("t.cfg", text, strlen(text), extra, 1, &rep, &cfg), 0);
    assert_int_equal(num(cfg, "vcpus"), 2);
    xlcfg_free(cfg);
}

static void test_error_on_newline_reports_previous_line(void **state)
{
    (void)state;
    /* xl's quirk: an unexpected end of line is blamed on the line before */
    expect_errors("name = 'vm'\nmemory =\n", 1,
                  "t.cfg:1: config parsing error near <newline>: syntax error, unexpected "
                  "NEWLINE, expecting STRING or NUMBER or '['");
    expect_errors("a 1\n", 1,
                  "t.cfg:1: config parsing error near `1': syntax error, unexpected NUMBER, "
                  "expecting += or '='");
}

static void test_error_recovery(void **state)
{
    (void)state;
    /* after an error, three tokens must be accepted before another is reported */
    expect_errors("a = b\nc d\ne = f\n", 2,
                  "t.cfg:1: config parsing error near `b': syntax error, unexpected IDENT, "
                  "expecting STRING or NUMBER or '['",
                  "t.cfg:3: config parsing error near `f': syntax error, unexpected IDENT, "
                  "expecting STRING or NUMBER or '['");
    /* an error after the unterminated last statement ends the parse */
    expect_errors("a = 1 2\nb c\n", 1,
                  "t.cfg:1: config parsing error near `2': syntax error, unexpected NUMBER, "
                  "expecting $end");
}

static void test_bad_char_at_very_end_ignored(void **state)
{
    struct xlcfg *cfg = parse_ok("a = 1 $");

    (void)state;
    /* flex drops a lone unmatched last byte: xl accepts this */
    assert_int_equal(num(cfg, "a"), 1);
    xlcfg_free(cfg);
    expect_errors("a = 1 $x", 1, "t.cfg:1: config parsing error near `$x': lexical error");
}

static void test_nul_and_deep_nesting_do_not_crash(void **state)
{
    static const char nul[] = "a = 'x\0y'\nb = 1\n";
    struct xlcfg *cfg;
    size_t n = 6000;
    char *deep = malloc(4 + 2 * n + 2);

    (void)state;
    capture_reset(&cap);
    assert_int_equal(xlcfg_parse("t.cfg", nul, sizeof(nul) - 1, NULL, 0, &rep, &cfg), -EINVAL);
    assert_true(cap.n >= 1);
    assert_non_null(strstr(cap.lines[0], "t.cfg:1: config parsing error near `'x': lexical error"));
    memcpy(deep, "a = ", 4);
    memset(deep + 4, '[', n);
    memset(deep + 4 + n, ']', n);
    strcpy(deep + 4 + 2 * n, "\n");
    expect_errors(deep, 1, "t.cfg:1: config parsing error near `[': memory exhausted");
    free(deep);
}

/* ---- command-line settings ---- */

static void test_extra_overrides_file(void **state)
{
    const char *text = "name = 'file'\nmemory = 128\nextra = 'a'";
    const char *extra[] = {"memory=1024", "name=\"cmd\"", "extra += ' b'"};
    struct xlcfg *cfg;

    (void)state;
    capture_reset(&cap);
    assert_int_equal(xlcfg_parse("t.cfg", text, strlen(text), extra, 3, &rep, &cfg), 0);
    assert_int_equal(num(cfg, "memory"), 1024);
    assert_string_equal(str(cfg, "name"), "cmd");
    assert_string_equal(str(cfg, "extra"), "a b");
    xlcfg_free(cfg);
}

static void test_extra_error_lines_follow_file(void **state)
{
    const char *text = "name = 'vm'\nmemory = 128\n";
    const char *extra[] = {"vcpus=2", "bad value"};
    struct xlcfg *cfg;

    (void)state;
    capture_reset(&cap);
    /* file: 2 lines, then xl's "\n", then one line per setting */
    assert_int_equal(xlcfg_parse("t.cfg", text, strlen(text), extra, 2, &rep, &cfg), -EINVAL);
    assert_int_equal(cap.n, 1);
    assert_string_equal(cap.lines[0], "t.cfg:5: config parsing error near `value': syntax "
                                      "error, unexpected IDENT, expecting += or '='");
}

/* ---- the library never prints ---- */

static void test_library_is_silent(void **state)
{
    char path[] = "/tmp/xlcfg-silent.XXXXXX";
    int fd = mkstemp(path), out = dup(1), err = dup(2);
    struct xlcfg *cfg;
    const char *s;
    long l;

    (void)state;
    assert_true(fd >= 0);
    fflush(stdout);
    fflush(stderr);
    dup2(fd, 1);
    dup2(fd, 2);
    assert_int_equal(xlcfg_parse("t.cfg", "a = 1.5\n", 8, NULL, 0, NULL, &cfg), -EINVAL);
    assert_int_equal(xlcfg_parse("t.cfg", "a = [1]\n", 8, NULL, 0, NULL, &cfg), 0);
    assert_int_equal(xlcfg_get_string(cfg, "a", &s, false), -EINVAL);
    assert_int_equal(xlcfg_get_long(cfg, "a", &l, false), -EINVAL);
    xlcfg_free(cfg);
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    assert_int_equal(lseek(fd, 0, SEEK_END), 0);
    close(fd);
    unlink(path);
}

/* Random bytes must never crash the parser (run under ASan/UBSan). */
static void test_random_input_is_safe(void **state)
{
    static const char alphabet[] = "ab=+[],;'\"\\#\n \t1x.-$\r\0z_";
    uint32_t seed = 12345;

    (void)state;
    for (int round = 0; round < 3000; round++) {
        char buf[64];
        size_t len = (size_t)(seed % sizeof(buf));
        struct xlcfg *cfg = NULL;

        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245 + 12345;
            buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        seed = seed * 1103515245 + 12345;
        if (!xlcfg_parse("r.cfg", buf, len, NULL, 0, NULL, &cfg)) {
            for (size_t k = 0; k < xlcfg_nkeys(cfg); k++) {
                const char *key = xlcfg_key(cfg, k), *s;
                long l;

                assert_non_null(xlcfg_lookup(cfg, key));
                xlcfg_get_string(cfg, key, &s, false);
                xlcfg_get_long(cfg, key, &l, false);
            }
            xlcfg_free(cfg);
        } else {
            assert_null(cfg);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_statements_and_terminators, capture_teardown),
        cmocka_unit_test_teardown(test_empty_and_comments, capture_teardown),
        cmocka_unit_test_teardown(test_keys_enumerated_in_order_once, capture_teardown),
        cmocka_unit_test_teardown(test_last_assignment_wins, capture_teardown),
        cmocka_unit_test_teardown(test_key_syntax, capture_teardown),
        cmocka_unit_test_teardown(test_barewords_rejected, capture_teardown),
        cmocka_unit_test_teardown(test_python_like_values, capture_teardown),
        cmocka_unit_test_teardown(test_numbers_base0, capture_teardown),
        cmocka_unit_test_teardown(test_number_warnings, capture_teardown),
        cmocka_unit_test_teardown(test_bounded_long, capture_teardown),
        cmocka_unit_test_teardown(test_strings_and_escapes, capture_teardown),
        cmocka_unit_test_teardown(test_escape_quirks, capture_teardown),
        cmocka_unit_test_teardown(test_strings_stay_on_one_line, capture_teardown),
        cmocka_unit_test_teardown(test_lists, capture_teardown),
        cmocka_unit_test_teardown(test_list_type_warnings, capture_teardown),
        cmocka_unit_test_teardown(test_list_errors, capture_teardown),
        cmocka_unit_test_teardown(test_add_strings_and_lists, capture_teardown),
        cmocka_unit_test_teardown(test_crlf_rejected, capture_teardown),
        cmocka_unit_test_teardown(test_comment_needs_newline, capture_teardown),
        cmocka_unit_test_teardown(test_error_on_newline_reports_previous_line, capture_teardown),
        cmocka_unit_test_teardown(test_error_recovery, capture_teardown),
        cmocka_unit_test_teardown(test_bad_char_at_very_end_ignored, capture_teardown),
        cmocka_unit_test_teardown(test_nul_and_deep_nesting_do_not_crash, capture_teardown),
        cmocka_unit_test_teardown(test_extra_overrides_file, capture_teardown),
        cmocka_unit_test_teardown(test_extra_error_lines_follow_file, capture_teardown),
        cmocka_unit_test_teardown(test_library_is_silent, capture_teardown),
        cmocka_unit_test_teardown(test_random_input_is_safe, capture_teardown),
    };

    return cmocka_run_group_tests_name("xlcfg", tests, NULL, NULL);
}
