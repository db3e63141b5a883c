/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Unit tests of disk specs, vdev numbers, vif specs, vif rates and memory
 * sizes against xl's documented behaviour (xl-disk-configuration(5),
 * xl-network-configuration(5), the toolstack fact sheet §2.3, §2.4, §3.4).
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

#include "devspec.h"

/* ---- disks ---- */

static void disk_ok(const char *spec, struct pvx_disk *d)
{
    capture_reset(&cap);
    assert_int_equal(pvx_disk_parse("vm.cfg", spec, &rep, d), 0);
    assert_int_equal(cap.n, 0);
}

/* The spec is refused with exactly this message. */
static void disk_error(const char *spec, const char *msg)
{
    struct pvx_disk d;

    capture_reset(&cap);
    assert_int_equal(pvx_disk_parse("vm.cfg", spec, &rep, &d), -EINVAL);
    assert_true(cap.n >= 1);
    assert_string_equal(cap.lines[0], msg);
    assert_int_equal(cap.level[0], XLCFG_ERROR);
    pvx_disk_dispose(&d);
}

static void test_disk_positional(void **state)
{
    struct pvx_disk d;

    (void)state;
    disk_ok("/dev/vg0/root,raw,xvda,rw", &d);
    assert_string_equal(d.target, "/dev/vg0/root");
    assert_int_equal(d.format, PVX_DISK_FORMAT_RAW);
    assert_string_equal(d.vdev, "xvda");
    assert_true(d.readwrite);
    assert_false(d.is_cdrom);
    pvx_disk_dispose(&d);
    disk_ok("/srv/a.qcow2,qcow2,xvdb,r", &d);
    assert_int_equal(d.format, PVX_DISK_FORMAT_QCOW2);
    assert_false(d.readwrite);
    pvx_disk_dispose(&d);
    /* empty positionals take the defaults: raw, read-write */
    disk_ok("/srv/a.img,,xvdc,", &d);
    assert_int_equal(d.format, PVX_DISK_FORMAT_RAW);
    assert_true(d.readwrite);
    pvx_disk_dispose(&d);
    disk_ok(" /srv/b.img, vhd,\txvdd, ro", &d); /* blanks before parameters */
    assert_string_equal(d.target, "/srv/b.img");
    assert_int_equal(d.format, PVX_DISK_FORMAT_VHD);
    assert_string_equal(d.vdev, "xvdd");
    assert_false(d.readwrite);
    pvx_disk_dispose(&d);
}

static void test_disk_formats_and_access(void **state)
{
    static const struct {
        const char *name;
        enum pvx_disk_format f;
    } formats[] = {{"raw", PVX_DISK_FORMAT_RAW},     {"qcow", PVX_DISK_FORMAT_QCOW},
                   {"qcow2", PVX_DISK_FORMAT_QCOW2}, {"vhd", PVX_DISK_FORMAT_VHD},
                   {"qed", PVX_DISK_FORMAT_QED},     {"empty", PVX_DISK_FORMAT_EMPTY}};
    static const struct {
        const char *a;
        bool rw;
    } access[] = {{"r", false}, {"ro", false}, {"w", true}, {"rw", true}, {"", true}};
    struct pvx_disk d;
    char spec[64];

    (void)state;
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        snprintf(spec, sizeof(spec), "/x,%s,xvda", formats[i].name);
        disk_ok(spec, &d);
        assert_int_equal(d.format, formats[i].f);
        assert_string_equal(pvx_disk_format_name(d.format), formats[i].name);
        pvx_disk_dispose(&d);
    }
    for (size_t i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
        snprintf(spec, sizeof(spec), "vdev=xvda,access=%s,target=/x", access[i].a);
        disk_ok(spec, &d);
        assert_int_equal(d.readwrite, access[i].rw);
        pvx_disk_dispose(&d);
    }
    disk_error("/x,vmdk,xvda", "vm.cfg: config parsing error in disk specification: unknown "
                               "value for format: near `vmdk' in `/x,vmdk,xvda'");
    disk_error("vdev=xvda,access=q,target=/x",
               "vm.cfg: config parsing error in disk specification: unknown value for access: "
               "near `q' in `vdev=xvda,access=q,target=/x'");
}

static void test_disk_named(void **state)
{
    struct pvx_disk d;

    (void)state;
    /* target= takes the rest of the string, commas and all */
    disk_ok("vdev=xvda,target=/a,b,c", &d);
    assert_string_equal(d.target, "/a,b,c");
    assert_string_equal(d.vdev, "xvda");
    pvx_disk_dispose(&d);
    disk_ok("format=qcow2,vdev=xvdb,access=ro,backendtype=qdisk,backend=dd,script=s,"
            "specification=xen,direct-io-safe,no-discard,target=/i.qcow2",
            &d);
    assert_int_equal(d.format, PVX_DISK_FORMAT_QCOW2);
    assert_false(d.readwrite);
    assert_int_equal(d.backend, PVX_DISK_BACKEND_QDISK);
    assert_string_equal(d.backend_domname, "dd");
    assert_string_equal(d.script, "s");
    assert_int_equal(d.specification, PVX_DISK_SPEC_XEN);
    assert_true(d.direct_io_safe);
    assert_int_equal(d.discard, PVX_FALSE);
    assert_int_equal(d.trusted, PVX_DEFAULT);
    pvx_disk_dispose(&d);
    disk_ok("/x,raw,xvda,rw,untrusted", &d);
    assert_int_equal(d.trusted, PVX_FALSE);
    pvx_disk_dispose(&d);
    disk_error("vdev=xvda,vdev=xvdb,target=/x",
               "vm.cfg: config parsing error in disk specification: vdev respecified: near "
               "`xvdb' in `vdev=xvda,vdev=xvdb,target=/x'");
    disk_error("vdev=xvda,foo=bar,target=/x",
               "vm.cfg: config parsing error in disk specification: unknown parameter: near "
               "`foo=b' in `vdev=xvda,foo=bar,target=/x'");
}

static void test_disk_deprecated_prefixes(void **state)
{
    static const char *const ignored[] = {
        "phy:", "file:", "tap:", "tap2:", "aio:", "ioemu:", "tapdisk:", "tap:aio:"};
    struct pvx_disk d;
    char spec[64];

    (void)state;
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        /* the prefix goes; the second positional is then the vdev */
        snprintf(spec, sizeof(spec), "%s/dev/vg/x,xvda,w", ignored[i]);
        disk_ok(spec, &d);
        assert_string_equal(d.target, "/dev/vg/x");
        assert_string_equal(d.vdev, "xvda");
        assert_true(d.readwrite);
        assert_int_equal(d.format, PVX_DISK_FORMAT_RAW);
        pvx_disk_dispose(&d);
    }
    disk_ok("qcow2:/srv/x.qcow2,xvda,r", &d);
    assert_int_equal(d.format, PVX_DISK_FORMAT_QCOW2);
    assert_false(d.readwrite);
    pvx_disk_dispose(&d);
    disk_ok("iscsi:iqn.2001-04.com.example:d,xvda,w", &d);
    assert_string_equal(d.script, "block-iscsi");
    assert_string_equal(d.target, "iqn.2001-04.com.example:d");
    pvx_disk_dispose(&d);
    disk_ok("drbd:res0,xvda,w", &d);
    assert_string_equal(d.script, "block-drbd");
    pvx_disk_dispose(&d);
    disk_error("foo:/x,xvda,w", "vm.cfg: config parsing error in disk specification: unknown "
                                "deprecated disk prefix: near `foo:' in `foo:/x,xvda,w'");
    /* without a prefix the second positional is the format */
    disk_error("/dev/vg/x,xvda,w", "vm.cfg: config parsing error in disk specification: unknown "
                                   "value for format: near `xvda' in `/dev/vg/x,xvda,w'");
}

static void test_disk_cdrom(void **state)
{
    struct pvx_disk d;

    (void)state;
    disk_ok(",hdc:cdrom,r", &d); /* the old empty-cdrom form */
    assert_string_equal(d.target, "");
    assert_string_equal(d.vdev, "hdc");
    assert_true(d.is_cdrom);
    assert_true(d.removable);
    assert_false(d.readwrite);
    assert_int_equal(d.format, PVX_DISK_FORMAT_EMPTY);
    pvx_disk_dispose(&d);
    disk_ok("/iso/d.iso,raw,hdc,w,devtype=cdrom", &d); /* cdrom forces read-only */
    assert_true(d.is_cdrom);
    assert_false(d.readwrite);
    assert_int_equal(d.format, PVX_DISK_FORMAT_RAW);
    pvx_disk_dispose(&d);
    disk_ok("vdev=hdc,cdrom", &d); /* no target needed */
    assert_null(d.target);
    assert_int_equal(d.format, PVX_DISK_FORMAT_EMPTY);
    pvx_disk_dispose(&d);
    disk_ok("phy:/dev/sr0,hdc:cdrom,r", &d);
    assert_true(d.is_cdrom);
    assert_string_equal(d.vdev, "hdc");
    pvx_disk_dispose(&d);
    disk_error(",hdc:floppy,r", "vm.cfg: config parsing error in disk specification: unknown "
                                "deprecated type: near `floppy' in `,hdc:floppy,r'");
    disk_error("vdev=xvda,devtype=floppy,target=/x",
               "vm.cfg: config parsing error in disk specification: unknown value for type: near "
               "`devtype=floppy,' in `vdev=xvda,devtype=floppy,target=/x'");
}

static void test_disk_errors(void **state)
{
    (void)state;
    disk_error("/dev/x", "vm.cfg: config parsing error in disk specification: no vdev specified "
                         "in `/dev/x'");
    disk_error("", "vm.cfg: config parsing error in disk specification: no vdev specified in `'");
    disk_error("vdev=xvda", "vm.cfg: config parsing error in disk specification: no target "
                            "specified (and device not removable) in `vdev=xvda'");
    disk_error("/x,raw,xvda,rw,extra",
               "vm.cfg: config parsing error in disk specification: too many positional "
               "parameters: near `extra' in `/x,raw,xvda,rw,extra'");
    disk_error("/dev/x=y,raw,xvda", "vm.cfg: config parsing error in disk specification: bad disk "
                                    "syntax: near `=y,raw,xvda' in `/dev/x=y,raw,xvda'");
    /* this one makes Xen's scanner exit ("flex scanner jammed") */
    disk_error("/x,raw,=\nxvda", "vm.cfg: config parsing error in disk specification: bad disk "
                                 "syntax: near `=' in `/x,raw,=\nxvda'");
}

/* ---- vdev numbers ---- */

static void test_vdev_numbers(void **state)
{
    static const struct {
        const char *vdev;
        int num;
    } t[] = {
        {"xvda", 51712},
        {"xvdb", (202 << 8) | (1 << 4)},
        {"xvdp", (202 << 8) | (15 << 4)},
        {"xvda1", 51713},
        {"xvda15", 51727},
        {"xvdq", (1 << 28) | (16 << 8)},    /* disk 16: extended encoding */
        {"xvda16", (1 << 28) | 16},         /* partition 16 likewise */
        {"xvdaa", (1 << 28) | (26 << 8)},   /* aa = 26 */
        {"xvdzz", (1 << 28) | (701 << 8)},  /* zz = 26*27 - 1 */
        {"xvdaaa", (1 << 28) | (702 << 8)}, /* aaa follows zz */
        {"xvdb255", (1 << 28) | (1 << 8) | 255},
        {"hda", 3 << 8},
        {"hdb", (3 << 8) | 64},
        {"hdc", 22 << 8},
        {"hdd", (22 << 8) | 64},
        {"hda63", (3 << 8) | 63},
        {"sda", 8 << 8},
        {"sdb", (8 << 8) | 16},
        {"sdp15", (8 << 8) | (15 << 4) | 15},
        {"51712", 51712},
        {"0x10", 16},
        {"d0p0", 51712},
        {"d16p0", (1 << 28) | (16 << 8)},
    };
    static const char *const bad[] = {"xvd",        "vda",   "xvda0",  "xvda01", "xvdA",    "",
                                      "hde",        "hda64", "sdq",    "sdb16",  "xvda256", "-1",
                                      "2147483648", "sd",    "d0p256", "xvda-1"};

    (void)state;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        int n = pvx_vdev_to_number(t[i].vdev);

        if (n != t[i].num)
            fail_msg("%s: %d, want %d", t[i].vdev, n, t[i].num);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (pvx_vdev_to_number(bad[i]) != -EINVAL)
            fail_msg("%s accepted", bad[i]);
}

/* ---- vifs ---- */

static void test_vif_defaults(void **state)
{
    struct pvx_nic a, b;

    (void)state;
    capture_reset(&cap);
    assert_int_equal(pvx_nic_parse("vm.cfg:9", "", 3, &rep, &a), 0);
    assert_int_equal(cap.n, 0);
    assert_int_equal(a.devid, 3); /* its index in the list */
    assert_string_equal(a.bridge, "xenbr0");
    assert_int_equal(a.mtu, 1500);
    assert_true(a.trusted);
    assert_int_equal(a.type, PVX_NIC_TYPE_VIF);
    assert_null(a.ip);
    assert_null(a.script);
    assert_int_equal(a.rate_bytes_per_interval, 0);
    /* 00:16:3e, then random with the fourth octet <= 0x7f */
    for (int i = 0; i < 64; i++) {
        assert_int_equal(pvx_nic_parse("vm.cfg:9", "bridge=br1", 0, &rep, &b), 0);
        assert_int_equal(b.mac[0], 0x00);
        assert_int_equal(b.mac[1], 0x16);
        assert_int_equal(b.mac[2], 0x3e);
        assert_true(b.mac[3] <= 0x7f);
        if (i < 63)
            pvx_nic_dispose(&b);
    }
    assert_memory_not_equal(a.mac, b.mac, 6); /* 2^23 choices: a repeat would be a bug */
    pvx_nic_dispose(&a);
    pvx_nic_dispose(&b);
}

static void test_vif_all_keys(void **state)
{
    struct pvx_nic n;
    const uint8_t mac[6] = {0x00, 0x16, 0x3e, 0x01, 0x0a, 0xff};

    (void)state;
    capture_reset(&cap);
    assert_int_equal(pvx_nic_parse("vm.cfg:9",
                                   "mac=00:16:3e:01:0a:FF, bridge=br1,ip=10.0.0.2 10.0.0.3,"
                                   "script=vif-route,backend=dd,vifname=v1,model=e1000,"
                                   "type=ioemu,gatewaydev=eth0,devid=5,mtu=9000,untrusted,"
                                   "rate=10Mb/s@20ms",
                                   0, &rep, &n),
                     0);
    assert_int_equal(cap.n, 0);
    assert_memory_equal(n.mac, mac, 6);
    assert_string_equal(n.bridge, "br1"); /* leading blank stripped */
    assert_string_equal(n.ip, "10.0.0.2 10.0.0.3");
    assert_string_equal(n.script, "vif-route");
    assert_string_equal(n.backend_domname, "dd");
    assert_string_equal(n.vifname, "v1");
    assert_string_equal(n.model, "e1000");
    assert_int_equal(n.type, PVX_NIC_TYPE_VIF_IOEMU);
    assert_string_equal(n.gatewaydev, "eth0");
    assert_int_equal(n.devid, 5);
    assert_int_equal(n.mtu, 9000);
    assert_false(n.trusted);
    assert_int_equal(n.rate_interval_usecs, 20000);
    assert_int_equal(n.rate_bytes_per_interval, 25000); /* 1.25 MB/s for 20 ms */
    pvx_nic_dispose(&n);
}

static void test_vif_warnings_not_fatal(void **state)
{
    struct pvx_nic n;

    (void)state;
    capture_reset(&cap);
    assert_int_equal(
        pvx_nic_parse("vm.cfg:9", "foo=bar,,type=bogus,netdev=eth1,accel=x", 0, &rep, &n), 0);
    assert_int_equal(cap.n, 4);
    assert_string_equal(cap.lines[0], "vm.cfg:9: unrecognized argument `foo=bar'");
    assert_string_equal(cap.lines[1], "vm.cfg:9: Invalid parameter `type'.");
    assert_string_equal(cap.lines[2],
                        "vm.cfg:9: the netdev parameter is deprecated, please use gatewaydev "
                        "instead");
    assert_string_equal(cap.lines[3],
                        "vm.cfg:9: the accel parameter for vifs is currently not supported");
    assert_int_equal(cap.level[0], XLCFG_WARNING);
    assert_string_equal(n.gatewaydev, "eth1");
    pvx_nic_dispose(&n);
}

static void test_vif_errors(void **state)
{
    static const char *const bad_macs[] = {"mac=00:16:3e:01:02",    "mac=00:16:3e:01:02:03:04",
                                           "mac=0g:16:3e:01:02:03", "mac=000:16:3e:01:02:03",
                                           "mac=00-16-3e-01-02-03", "mac="};
    struct pvx_nic n;

    (void)state;
    for (size_t i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
        capture_reset(&cap);
        assert_int_equal(pvx_nic_parse("vm.cfg:9", bad_macs[i], 0, &rep, &n), -EINVAL);
        assert_string_equal(cap.lines[0], "vm.cfg:9: Invalid parameter `mac'.");
        pvx_nic_dispose(&n);
    }
    capture_reset(&cap);
    assert_int_equal(pvx_nic_parse("vm.cfg:9", "mtu=big", 0, &rep, &n), -EINVAL);
    assert_string_equal(cap.lines[0], "vm.cfg:9: xl: failed to convert \"big\" to number");
    pvx_nic_dispose(&n);
    assert_int_equal(pvx_nic_parse("vm.cfg:9", "devid=-1", 0, &rep, &n), -EINVAL);
    pvx_nic_dispose(&n);
    capture_reset(&cap);
    assert_int_equal(pvx_nic_parse("vm.cfg:9", "rate=10Mb", 0, &rep, &n), -EINVAL);
    assert_string_equal(cap.lines[0], "vm.cfg:9: config parsing error in vif: invalid rate in "
                                      "`10Mb'");
    pvx_nic_dispose(&n);
}

static void test_vif_rates(void **state)
{
    static const struct {
        const char *rate;
        uint64_t bytes;
        uint32_t usecs;
    } ok[] = {
        {"10Mb/s", 62500, 50000}, /* 1.25 MB/s, default 50 ms */
        {"10MB/s", 500000, 50000}, {"1Gb/s@1s", 125000000, 1000000},
        {"8B/s@2", 16, 2000000},                              /* a bare interval is seconds */
        {"100Kb/s@500us", 6, 500}, {"010Mb/s", 50000, 50000}, /* base 0: octal 8 */
    };
    static const struct {
        const char *rate, *msg;
        int rc;
    } bad[] = {
        {"@20ms", "no rate specified in `@20ms'", -EINVAL},
        {"10 Mb/s", "invalid rate in `10 Mb/s'", -EINVAL},
        {"0Mb/s", "rate overflow in `0Mb/s'", -EOVERFLOW},
        {"4294967296B/s", "rate overflow in `4294967296B/s'", -EOVERFLOW},
        {"10Mb/s@x", "invalid replenishment interval in `x'", -EINVAL},
        {"10Mb/s@0", "replenishment interval overflow in `0'", -EOVERFLOW},
        {"10Mb/s@5000s", "replenishment interval overflow in `5000s'", -EOVERFLOW},
        {"018Mb/s", "invalid rate in `018Mb/s'", -EINVAL}, /* xl: 1 byte/s */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t bytes;
        uint32_t usecs;

        capture_reset(&cap);
        assert_int_equal(pvx_vif_rate_parse("vm.cfg", ok[i].rate, &rep, &bytes, &usecs), 0);
        assert_int_equal(bytes, ok[i].bytes);
        assert_int_equal(usecs, ok[i].usecs);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t bytes;
        uint32_t usecs;
        char want[128];

        capture_reset(&cap);
        assert_int_equal(pvx_vif_rate_parse("vm.cfg", bad[i].rate, &rep, &bytes, &usecs),
                         bad[i].rc);
        snprintf(want, sizeof(want), "vm.cfg: config parsing error in vif: %s", bad[i].msg);
        assert_int_equal(cap.n, 1);
        assert_string_equal(cap.lines[0], want);
    }
}

/* ---- memory sizes ---- */

static void test_mem_sizes(void **state)
{
    static const struct {
        const char *s;
        uint64_t kb;
    } ok[] = {
        {"512", 512 << 10}, /* a bare number is MiB, whatever the man page says */
        {"512m", 512 << 10}, {"512M", 512 << 10}, {"1g", 1 << 20}, {"2G", 2 << 20},
        {"1t", 1ULL << 30},  {"1T", 1ULL << 30},  {"2048k", 2048}, {"2048K", 2048},
        {"1048576b", 1024},  {"1023B", 0},        {"0", 0},
    };
    static const char *const bad[] = {"",
                                      "12x",
                                      "12mb",
                                      "-5",
                                      " 5",
                                      "5 ",
                                      "0x10",
                                      "1.5g",
                                      "m",
                                      "99999999999999999999",
                                      "18014398509481984t"};

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        uint64_t kb = 1;

        capture_reset(&cap);
        assert_int_equal(pvx_parse_mem_size_kb(ok[i].s, &rep, &kb), 0);
        if (kb != ok[i].kb)
            fail_msg("%s: %llu KiB", ok[i].s, (unsigned long long)kb);
        assert_int_equal(cap.n, 0);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t kb;
        char want[64];

        capture_reset(&cap);
        assert_int_equal(pvx_parse_mem_size_kb(bad[i], &rep, &kb), -EINVAL);
        snprintf(want, sizeof(want), "invalid memory size: %s", bad[i]);
        assert_int_equal(cap.n, 1);
        assert_string_equal(cap.lines[0], want);
    }
}

/* Random specs must never crash the parsers (run under ASan/UBSan). */
static void test_random_specs_are_safe(void **state)
{
    static const char alphabet[] = "phy:/,=xvda \n\tcdrom:rwtarget=@Mb/s0123-";
    uint32_t seed = 777;

    (void)state;
    for (int round = 0; round < 3000; round++) {
        char buf[48];
        size_t len = (size_t)(seed % (sizeof(buf) - 1));
        struct pvx_disk d;
        struct pvx_nic n;
        uint64_t b;
        uint32_t u;

        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245 + 12345;
            buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        buf[len] = 0;
        seed = seed * 1103515245 + 12345;
        pvx_disk_parse("r", buf, NULL, &d);
        pvx_disk_dispose(&d);
        if (!pvx_nic_parse("r", buf, 0, NULL, &n))
            assert_non_null(n.bridge);
        pvx_nic_dispose(&n);
        pvx_vif_rate_parse("r", buf, NULL, &b, &u);
        pvx_vdev_to_number(buf);
        pvx_parse_mem_size_kb(buf, NULL, &b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_disk_positional, capture_teardown),
        cmocka_unit_test_teardown(test_disk_formats_and_access, capture_teardown),
        cmocka_unit_test_teardown(test_disk_named, capture_teardown),
        cmocka_unit_test_teardown(test_disk_deprecated_prefixes, capture_teardown),
        cmocka_unit_test_teardown(test_disk_cdrom, capture_teardown),
        cmocka_unit_test_teardown(test_disk_errors, capture_teardown),
        cmocka_unit_test_teardown(test_vdev_numbers, capture_teardown),
        cmocka_unit_test_teardown(test_vif_defaults, capture_teardown),
        cmocka_unit_test_teardown(test_vif_all_keys, capture_teardown),
        cmocka_unit_test_teardown(test_vif_warnings_not_fatal, capture_teardown),
        cmocka_unit_test_teardown(test_vif_errors, capture_teardown),
        cmocka_unit_test_teardown(test_vif_rates, capture_teardown),
        cmocka_unit_test_teardown(test_mem_sizes, capture_teardown),
        cmocka_unit_test_teardown(test_random_specs_are_safe, capture_teardown),
    };

    return cmocka_run_group_tests_name("devspec", tests, NULL, NULL);
}
