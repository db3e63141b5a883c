/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of the xl.cfg -> PV domain description step against xl's
 * documented rules (xl.cfg(5), the toolstack fact sheet §2.2) and pvx's
 * documented differences (docs/xlcfg.md).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture.h"

#include "domcfg.h"

#define BASE "name = 'vm'\nkernel = '/boot/vmlinuz'\n"

static int build(const char *text, struct pvx_domcfg **dc)
{
    struct xlcfg *cfg;
    int rc;

    capture_reset(&cap);
    assert_int_equal(xlcfg_parse("vm.cfg", text, strlen(text), NULL, 0, &rep, &cfg), 0);
    rc = pvx_domcfg_from_xlcfg(cfg, dc);
    xlcfg_free(cfg);
    if (rc)
        assert_null(*dc);
    return rc;
}

static struct pvx_domcfg *build_ok(const char *text)
{
    struct pvx_domcfg *dc;

    assert_int_equal(build(text, &dc), 0);
    return dc;
}

/* Refused, and the last message is exactly msg. */
static void build_error(const char *text, const char *msg)
{
    struct pvx_domcfg *dc;

    assert_int_equal(build(text, &dc), -EINVAL);
    assert_true(cap.n >= 1);
    assert_string_equal(cap.lines[cap.n - 1], msg);
    assert_int_equal(cap.level[cap.n - 1], XLCFG_ERROR);
}

static void test_defaults(void **state)
{
    struct pvx_domcfg *dc = build_ok(BASE);

    (void)state;
    assert_int_equal(cap.n, 0);
    assert_string_equal(dc->name, "vm");
    assert_string_equal(dc->kernel, "/boot/vmlinuz");
    assert_null(dc->ramdisk);
    assert_null(dc->cmdline);
    assert_int_equal(dc->memory_kb, 32 * 1024); /* libxl's 32 MiB */
    assert_int_equal(dc->maxmem_kb, 32 * 1024);
    assert_int_equal(dc->vcpus, 1);
    assert_int_equal(dc->max_vcpus, 1);
    assert_int_equal(dc->on_poweroff, PVX_ACTION_DESTROY);
    assert_int_equal(dc->on_reboot, PVX_ACTION_RESTART);
    assert_int_equal(dc->on_watchdog, PVX_ACTION_DESTROY);
    assert_int_equal(dc->on_crash, PVX_ACTION_DESTROY);
    assert_int_equal(dc->on_soft_reset, PVX_ACTION_SOFT_RESET);
    assert_int_equal(dc->max_grant_frames, -1);
    assert_int_equal(dc->max_maptrack_frames, -1);
    assert_int_equal(dc->max_event_channels, 1023);
    assert_int_equal(dc->num_disks, 0);
    assert_int_equal(dc->num_nics, 0);
    /* a random version 4 UUID */
    assert_true(dc->uuid_generated);
    assert_int_equal(dc->uuid[6] >> 4, 4);
    assert_int_equal(dc->uuid[8] & 0xc0, 0x80);
    pvx_domcfg_free(dc);
}

static void test_name(void **state)
{
    (void)state;
    build_error("kernel = '/k'\n", "vm.cfg: Domain name must be specified.");
    build_error("name = ['a']\nkernel = '/k'\n", "vm.cfg:1: Domain name must be specified.");
    build_error("name = ''\nkernel = '/k'\n", "vm.cfg:1: Domain name must not be empty.");
}

static void test_type_prefix_rule(void **state)
{
    static const char *const pv[] = {"pv", "p", "type = 'pv'\nbuilder = 'generic'", "builder='g'"};
    struct pvx_domcfg *dc;
    char text[128];

    (void)state;
    for (size_t i = 0; i < sizeof(pv) / sizeof(pv[0]); i++) {
        if (strchr(pv[i], '='))
            snprintf(text, sizeof(text), BASE "%s\n", pv[i]);
        else
            snprintf(text, sizeof(text), BASE "type = '%s'\n", pv[i]);
        dc = build_ok(text);
        pvx_domcfg_free(dc);
    }
    /* "" is a prefix of "hvm", tried first */
    build_error(BASE "type = ''\n",
                "vm.cfg:3: domain type hvm is not supported: pvx runs PV guests only");
    build_error(BASE "type = 'pvh'\n",
                "vm.cfg:3: domain type pvh is not supported: pvx runs PV guests only");
    build_error(BASE "type = 'h'\n",
                "vm.cfg:3: domain type hvm is not supported: pvx runs PV guests only");
    build_error(BASE "builder = 'hvm'\n",
                "vm.cfg:3: domain type hvm is not supported: pvx runs PV guests only");
    build_error(BASE "type = 'pvx'\n", "vm.cfg:3: Invalid domain type pvx.");
    build_error(BASE "builder = 'linux'\n", "vm.cfg:3: Invalid domain type linux.");
    build_error(BASE "type = 'pv'\nbuilder = 'hvm'\n",
                "vm.cfg:4: Contradicting \"builder\" and \"type\" options specified.");
}

static void test_uuid(void **state)
{
    struct pvx_domcfg *dc = build_ok(BASE "uuid = '0F1E2D3C-4b5a-6978-8796-a5b4c3d2e1f0'\n");
    char text[37];
    uint8_t u[16], v[16];

    (void)state;
    assert_false(dc->uuid_generated);
    pvx_uuid_format(dc->uuid, text);
    assert_string_equal(text, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    pvx_domcfg_free(dc);
    build_error(BASE "uuid = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'\n",
                "vm.cfg:3: Failed to parse UUID: 0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    assert_int_equal(pvx_uuid_parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg", u), -EINVAL);
    assert_int_equal(pvx_uuid_parse(" 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f", u), -EINVAL);
    assert_int_equal(pvx_uuid_parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 ", u), -EINVAL);
    assert_int_equal(pvx_uuid_generate(u), 0);
    assert_int_equal(pvx_uuid_generate(v), 0);
    assert_memory_not_equal(u, v, 16);
}

static void test_memory_rules(void **state)
{
    struct pvx_domcfg *dc;

    (void)state;
    dc = build_ok(BASE "memory = 512\n"); /* maxmem defaults to memory */
    assert_int_equal(dc->memory_kb, 512 << 10);
    assert_int_equal(dc->maxmem_kb, 512 << 10);
    pvx_domcfg_free(dc);
    dc = build_ok(BASE "maxmem = 1024\n"); /* only maxmem: memory = maxmem */
    assert_int_equal(dc->memory_kb, 1024 << 10);
    assert_int_equal(dc->maxmem_kb, 1024 << 10);
    pvx_domcfg_free(dc);
    dc = build_ok(BASE "memory = '0x100'\nmaxmem = 0x400\n"); /* pre-ballooned; base 0 */
    assert_int_equal(dc->memory_kb, 256 << 10);
    assert_int_equal(dc->maxmem_kb, 1024 << 10);
    pvx_domcfg_free(dc);
    build_error(BASE "memory = 1024\nmaxmem = 512\n",
                "vm.cfg:4: maxmem (512 MiB) must not be less than memory (1024 MiB)");
    build_error(BASE "memory = 0\n", "vm.cfg:3: memory must be between 1 and 16777216, not 0");
    /* xl warns and falls back to 32 MiB; pvx refuses */
    build_error(BASE "memory = '512M'\n", "vm.cfg:3: invalid value for memory");
    assert_string_equal(cap.lines[0],
                        "vm.cfg:3: warning: parameter `memory' is not a valid number");
}

static void test_vcpus(void **state)
{
    struct pvx_domcfg *dc;

    (void)state;
    dc = build_ok(BASE "vcpus = 2\n");
    assert_int_equal(dc->vcpus, 2);
    assert_int_equal(dc->max_vcpus, 2); /* maxvcpus defaults to vcpus */
    pvx_domcfg_free(dc);
    dc = build_ok(BASE "maxvcpus = 4\n"); /* vcpus defaults to 1 */
    assert_int_equal(dc->vcpus, 1);
    assert_int_equal(dc->max_vcpus, 4);
    pvx_domcfg_free(dc);
    dc = build_ok(BASE "vcpus = 32\n");
    assert_int_equal(dc->vcpus, 32);
    pvx_domcfg_free(dc);
    build_error(BASE "vcpus = 4\nmaxvcpus = 2\n", "vm.cfg:4: maxvcpus < vcpus (2 < 4)");
    build_error(BASE "vcpus = 0\n", "vm.cfg:3: vcpus must be between 1 and 32, not 0");
    build_error(BASE "vcpus = 33\n", "vm.cfg:3: vcpus must be between 1 and 32, not 33");
    build_error(BASE "maxvcpus = 64\n", "vm.cfg:3: maxvcpus must be between 1 and 32, not 64");
}

static void test_kernel_and_bootloader(void **state)
{
    struct pvx_domcfg *dc;

    (void)state;
    build_error("name = 'vm'\n", "vm.cfg: Neither kernel nor bootloader specified");
    build_error(BASE "bootloader = 'pygrub'\n",
                "vm.cfg:3: bootloader is not supported by pvx: give the guest's kernel= (and "
                "ramdisk=)");
    build_error(BASE "firmware = 'pvgrub64'\n",
                "vm.cfg:3: firmware= (pvgrub) is not supported by pvx: give the guest's kernel= "
                "(and ramdisk=)");
    build_error("name = 'vm'\nkernel = ''\n", "vm.cfg:2: kernel must not be empty");
    dc = build_ok(BASE "ramdisk = '/boot/initrd'\n");
    assert_string_equal(dc->ramdisk, "/boot/initrd");
    pvx_domcfg_free(dc);
}

static void test_cmdline_rules(void **state)
{
    static const struct {
        const char *cfg, *cmdline;
    } t[] = {
        {"cmdline = 'console=hvc0 root=/dev/xvda1'", "console=hvc0 root=/dev/xvda1"},
        {"root = '/dev/xvda1 ro'\nextra = 'console=hvc0'", "root=/dev/xvda1 ro console=hvc0"},
        {"root = '/dev/xvda1'", "root=/dev/xvda1"},
        {"extra = 'console=hvc0'", "console=hvc0"},
        {"cmdline = ''", ""},
    };
    struct pvx_domcfg *dc;
    char text[256];

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        snprintf(text, sizeof(text), BASE "%s\n", t[i].cfg);
        dc = build_ok(text);
        assert_string_equal(dc->cmdline, t[i].cmdline);
        assert_int_equal(cap.n, 0);
        pvx_domcfg_free(dc);
    }
    dc = build_ok(BASE "root = '/dev/xvda1'\ncmdline = 'quiet'\n");
    assert_string_equal(dc->cmdline, "quiet");
    assert_int_equal(cap.n, 1);
    assert_string_equal(cap.lines[0],
                        "vm.cfg:4: Warning: ignoring root= and extra= in favour of cmdline=");
    assert_int_equal(cap.level[0], XLCFG_WARNING);
    pvx_domcfg_free(dc);
}

static void test_actions(void **state)
{
    static const struct {
        const char *name;
        enum pvx_action a;
    } t[] = {
        {"destroy", PVX_ACTION_DESTROY},
        {"restart", PVX_ACTION_RESTART},
        {"rename-restart", PVX_ACTION_RENAME_RESTART},
        {"preserve", PVX_ACTION_PRESERVE},
        {"coredump-destroy", PVX_ACTION_COREDUMP_DESTROY},
        {"coredump-restart", PVX_ACTION_COREDUMP_RESTART},
        {"soft-reset", PVX_ACTION_SOFT_RESET},
    };
    struct pvx_domcfg *dc;
    char text[256];

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        snprintf(text, sizeof(text),
                 BASE "on_poweroff = '%s'\non_reboot = '%s'\non_watchdog = '%s'\n"
                      "on_crash = '%s'\non_soft_reset = '%s'\n",
                 t[i].name, t[i].name, t[i].name, t[i].name, t[i].name);
        dc = build_ok(text);
        assert_int_equal(dc->on_poweroff, t[i].a);
        assert_int_equal(dc->on_reboot, t[i].a);
        assert_int_equal(dc->on_watchdog, t[i].a);
        assert_int_equal(dc->on_crash, t[i].a);
        assert_int_equal(dc->on_soft_reset, t[i].a);
        assert_string_equal(pvx_action_name(dc->on_crash), t[i].name);
        pvx_domcfg_free(dc);
    }
    build_error(BASE "on_crash = 'reboot'\n",
                "vm.cfg:3: Unknown on_crash action \"reboot\" specified");
    build_error(BASE "on_poweroff = 'Destroy'\n", /* exact names only */
                "vm.cfg:3: Unknown on_poweroff action \"Destroy\" specified");
}

static void test_grant_and_evtchn_limits(void **state)
{
    struct pvx_domcfg *dc = build_ok(
        BASE "max_grant_frames = 32\nmax_maptrack_frames = 0\nmax_event_channels = 4095\n");

    (void)state;
    assert_int_equal(dc->max_grant_frames, 32);
    assert_int_equal(dc->max_maptrack_frames, 0);
    assert_int_equal(dc->max_event_channels, 4095);
    pvx_domcfg_free(dc);
    dc = build_ok(BASE "max_event_channels = 0\n"); /* libxl: 0 means the default */
    assert_int_equal(dc->max_event_channels, 1023);
    pvx_domcfg_free(dc);
    build_error(BASE "max_grant_frames = 0\n",
                "vm.cfg:3: max_grant_frames must be between 1 and 64, not 0");
    build_error(BASE "max_grant_frames = 65\n",
                "vm.cfg:3: max_grant_frames must be between 1 and 64, not 65");
    build_error(BASE "max_maptrack_frames = 1025\n",
                "vm.cfg:3: max_maptrack_frames must be between 0 and 1024, not 1025");
    /* Past 2-level's 4096 ports: FIFO guests may use up to 2^17. */
    dc = build_ok(BASE "max_event_channels = 131071\n");
    assert_int_equal(dc->max_event_channels, 131071);
    pvx_domcfg_free(dc);
    dc = build_ok(BASE "max_event_channels = 2147483647\n");
    assert_int_equal(dc->max_event_channels, 2147483647);
    pvx_domcfg_free(dc);
    build_error(BASE "max_event_channels = 2147483648\n",
                "vm.cfg:3: max_event_channels must be between 0 and 2147483647, not 2147483648");
    build_error(BASE "max_grant_frames = 'x'\n", "vm.cfg:3: invalid value for max_grant_frames");
}

static void test_disks(void **state)
{
    struct pvx_domcfg *dc = build_ok(BASE "disk = [ 'phy:/dev/vg/root,xvda,w',\n"
                                          "  '/srv/data.qcow2,qcow2,xvdb,r', ',hdc:cdrom,r' ]\n");

    (void)state;
    assert_int_equal(dc->num_disks, 3);
    assert_string_equal(dc->disks[0].spec.target, "/dev/vg/root");
    assert_int_equal(dc->disks[0].devid, 51712);
    assert_true(dc->disks[0].spec.readwrite);
    assert_int_equal(dc->disks[1].spec.format, PVX_DISK_FORMAT_QCOW2);
    assert_int_equal(dc->disks[1].devid, 51728);
    assert_true(dc->disks[2].spec.is_cdrom);
    assert_int_equal(dc->disks[2].devid, 22 << 8);
    pvx_domcfg_free(dc);
    /* the same device twice, even spelt differently */
    build_error(BASE "disk = [ '/a,raw,xvda', '/b,raw,51712' ]\n",
                "vm.cfg:3: disks 1 and 2 are both virtual device 51712 (51712)");
    build_error(BASE "disk = [ '/a,raw,xvda', '/b,raw,xvda' ]\n",
                "vm.cfg:3: disks 1 and 2 are both virtual device xvda (51712)");
    build_error(BASE "disk = [ '/a,raw,vda' ]\n",
                "vm.cfg:3: Invalid or unsupported virtual disk identifier vda");
    build_error(BASE "disk = [ '/a' ]\n", "vm.cfg:3: config parsing error in disk "
                                          "specification: no vdev specified in `/a'");
    build_error(BASE "disk = '/a,raw,xvda'\n", "vm.cfg:3: invalid value for disk");
    build_error(BASE "disk = [ ['/a,raw,xvda'] ]\n", "vm.cfg:3: invalid value for disk");
}

static void test_vifs(void **state)
{
    struct pvx_domcfg *dc =
        build_ok(BASE "vif = [ 'mac=00:16:3e:00:00:01,bridge=br0', '', 'script=vif-nat' ]\n");

    (void)state;
    assert_int_equal(dc->num_nics, 3);
    assert_int_equal(dc->nics[0].mac[5], 1);
    assert_string_equal(dc->nics[0].bridge, "br0");
    assert_int_equal(dc->nics[1].devid, 1);
    assert_string_equal(dc->nics[1].bridge, "xenbr0");
    assert_int_equal(cap.n, 1); /* pvx runs no vif scripts */
    assert_string_equal(cap.lines[0], "vm.cfg:3: vif script `vif-nat' is not supported by pvx, "
                                      "ignored");
    pvx_domcfg_free(dc);
    build_error(BASE "vif = [ '', 'devid=0' ]\n", "vm.cfg:3: vifs 1 and 2 both have devid 0");
    build_error(BASE "vif = [ 'mac=00:16:3e' ]\n", "vm.cfg:3: Invalid parameter `mac'.");
}

static void test_unknown_and_unsupported_keys(void **state)
{
    struct pvx_domcfg *dc =
        build_ok(BASE "kernal = '/typo'\nvfb = [ 'vnc=1' ]\ncpus = '0-3'\n"
                      "memory = 64\nmy_own_key = 1\non_watchdog = 'preserve'\n");

    (void)state;
    assert_int_equal(cap.n, 4);
    assert_string_equal(cap.lines[0], "vm.cfg: warning: unknown key 'kernal' ignored");
    assert_string_equal(cap.lines[1],
                        "vm.cfg: warning: key 'vfb' is not supported by pvx, ignored");
    assert_string_equal(cap.lines[2],
                        "vm.cfg: warning: key 'cpus' is not supported by pvx, ignored");
    assert_string_equal(cap.lines[3], "vm.cfg: warning: unknown key 'my_own_key' ignored");
    assert_int_equal(dc->on_watchdog, PVX_ACTION_PRESERVE);
    pvx_domcfg_free(dc);
    /* the warnings come first, so they explain a later error */
    build_error("name = 'vm'\nkernal = '/typo'\n",
                "vm.cfg: Neither kernel nor bootloader specified");
    assert_string_equal(cap.lines[0], "vm.cfg: warning: unknown key 'kernal' ignored");
}

static void test_command_line_overrides(void **state)
{
    const char *text = BASE "memory = 128\non_crash = 'restart'\n";
    const char *extra[] = {"memory=2048", "on_crash=\"preserve\""};
    struct pvx_domcfg *dc;
    struct xlcfg *cfg;

    (void)state;
    capture_reset(&cap);
    assert_int_equal(xlcfg_parse("vm.cfg", text, strlen(text), extra, 2, &rep, &cfg), 0);
    assert_int_equal(pvx_domcfg_from_xlcfg(cfg, &dc), 0);
    assert_int_equal(dc->memory_kb, 2048 << 10);
    assert_int_equal(dc->on_crash, PVX_ACTION_PRESERVE);
    pvx_domcfg_free(dc);
    xlcfg_free(cfg);
}

static void test_summary(void **state)
{
    struct pvx_domcfg *dc =
        build_ok("name = 'web \"1\"'\nkernel = '/boot/vmlinuz'\nmemory = 256\nmaxmem = 512\n"
                 "vcpus = 2\nuuid = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'\n"
                 "extra = 'console=hvc0\\n'\ndisk = [ 'phy:/dev/vg/w,xvda,w' ]\n"
                 "vif = [ 'mac=00:16:3e:0a:0b:0c' ]\nmax_grant_frames = 16\n");
    char *s = pvx_domcfg_summary(dc);

    (void)state;
    assert_non_null(s);
    assert_null(strchr(s, '\n')); /* one line, even with a newline in a value */
    assert_non_null(strstr(s, "name=\"web \\\"1\\\"\""));
    assert_non_null(strstr(s, "uuid=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 "));
    assert_non_null(strstr(s, "memory=256MiB maxmem=512MiB vcpus=2/2"));
    assert_non_null(strstr(s, "cmdline=\"console=hvc0\\x0a\""));
    assert_non_null(strstr(s, "on_crash=destroy"));
    assert_non_null(strstr(s, "max_grant_frames=16"));
    assert_non_null(strstr(s, "xvda(51712)=\"/dev/vg/w\",raw,rw"));
    assert_non_null(strstr(s, "0=00:16:3e:0a:0b:0c,bridge=\"xenbr0\""));
    free(s);
    pvx_domcfg_free(dc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_defaults, capture_teardown),
        cmocka_unit_test_teardown(test_name, capture_teardown),
        cmocka_unit_test_teardown(test_type_prefix_rule, capture_teardown),
        cmocka_unit_test_teardown(test_uuid, capture_teardown),
        cmocka_unit_test_teardown(test_memory_rules, capture_teardown),
        cmocka_unit_test_teardown(test_vcpus, capture_teardown),
        cmocka_unit_test_teardown(test_kernel_and_bootloader, capture_teardown),
        cmocka_unit_test_teardown(test_cmdline_rules, capture_teardown),
        cmocka_unit_test_teardown(test_actions, capture_teardown),
        cmocka_unit_test_teardown(test_grant_and_evtchn_limits, capture_teardown),
        cmocka_unit_test_teardown(test_disks, capture_teardown),
        cmocka_unit_test_teardown(test_vifs, capture_teardown),
        cmocka_unit_test_teardown(test_unknown_and_unsupported_keys, capture_teardown),
        cmocka_unit_test_teardown(test_command_line_overrides, capture_teardown),
        cmocka_unit_test_teardown(test_summary, capture_teardown),
    };

    return cmocka_run_group_tests_name("domcfg", tests, NULL, NULL);
}
