#!/usr/bin/env python3
"""Debian's stock Linux kernel with two vCPUs on pvx, in QEMU with two CPUs
(multi-threaded TCG, pvx running vCPUs on both): as dom0
(dom0_max_vcpus=2) and as a boot-time domU (vcpus=2, the test guest idling
as dom0).  Each boots to a busybox /init (tests/linux/init-smp) that checks
both CPUs are online and run user processes, takes CPU 1 offline and brings
it back, and powers off.

Linux starts its secondary vCPUs with IOPL 1 in the VCPUOP_initialise
context and drives ports from them (dom0's VGA console, a domU's probe of
the legacy DMA controller): a vCPU without that IOPL takes a #GP there, and
the boot hangs or panics.  A dom0 oops, #GP or panic fails the test, and the
console tail is printed.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
INITRD = os.path.join(LINUX, "initrd-smp.gz")
CMDLINE = "console=hvc0 earlyprintk=xen"


def init_checks(prefix):
    """What init-smp prints, each line after `prefix` (a domU's "(d1) ")."""
    p = "^" + prefix.replace("(", r"\(").replace(")", r"\)") + "pvx-smp: "
    return [
        ("init runs", p + "init reached"),
        ("/proc/cpuinfo lists 2 processors", p + "processors 2$"),
        ("CPUs 0-1 online", p + "online 0-1$"),
        ("a process pinned to CPU 0 runs there", p + "pinned to cpu 0, ran on 0$"),
        ("a process pinned to CPU 1 runs there", p + "pinned to cpu 1, ran on 1$"),
        ("CPU 1 goes offline", p + "cpu 1 offline, online 0$"),
        ("CPU 1 comes back", p + "cpu 1 back, online 0-1$"),
        ("CPU 1 runs processes again", p + "pinned to cpu 1 again, ran on 1$"),
        ("init completes", p + "done"),
    ]


smp_accel = qh.smp_accel


def boot_dom0(pvx):
    r = qh.boot(kernel=pvx, append="dom0_mem=256M dom0_max_vcpus=2", memory="512M", timeout=120,
                smp=2, accel=smp_accel(),
                modules=[f"{LINUX}/vmlinuz linux {CMDLINE}", f"{INITRD} initrd"])
    checks = [
        ("pvx runs vCPUs on both CPUs", r"^sched: vCPUs run on 2 CPUs$"),
        ("kernel starts on pvx", r"Linux version 6\.1\."),
        ("Xen PV detected", r"Hypervisor detected: Xen PV"),
        ("CPU 1 brought up", r"smp: Brought up 1 node, 2 CPUs"),
    ] + init_checks("") + [
        ("dom0 powers off", r"domain 0 \(dom0\): shut down \(poweroff\)"),
    ]
    return r, checks, r.status == 0 and not r.timed_out


def boot_domu(pvx, testguest):
    r = qh.boot(kernel=pvx, memory="512M", timeout=120, smp=2, accel=smp_accel(),
                append="dom0_mem=32M domU=smp,mem=256M,kernel=1,ramdisk=2,vcpus=2",
                modules=[f"{testguest} idle=100000", f"{LINUX}/vmlinuz console=hvc0",
                         f"{INITRD} initrd"],
                stop_on=r"domain 1 \(smp\): shut down")
    checks = [
        ("domU kernel starts", r"^\(d1\) .*Linux version 6\.1\."),
        ("domU CPU 1 brought up", r"^\(d1\) .*smp: Brought up 1 node, 2 CPUs"),
    ] + [("domU " + name, pat) for name, pat in init_checks("(d1) ")] + [
        ("domU powers off", r"domain 1 \(smp\): shut down \(poweroff\)"),
    ]
    return r, checks, not r.timed_out


def main():
    for cmd in (["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--init", "tests/linux/init-smp", "--out", INITRD]):
        r = subprocess.run([sys.executable] + cmd, cwd=ROOT)
        if r.returncode:
            print("0 passed, 1 failed")
            return 1
    # PVX_BINARY: test another build of pvx (e.g. a clean checkout's) with these guests.
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    testguest = os.path.join(ROOT, "build", "testguest", "testguest")
    passed = failed = 0
    for what, run in (("dom0", lambda: boot_dom0(pvx)),
                      ("domU", lambda: boot_domu(pvx, testguest))):
        r, checks, exited = run()
        out = r.output.replace("\r", "")  # hvc0 ends dom0's lines with CRLF
        bad = 0
        for name, pat in checks:
            if re.search(pat, out, re.M):
                print(f"PASS {name}")
            else:
                print(f"FAIL {name}: missing /{pat}/")
                bad += 1
        for name, pat in (("no oops", r"Oops|BUG:|general protection fault"),
                          ("no panic", r"Kernel panic|PANIC")):
            if re.search(pat, out, re.M):
                print(f"FAIL {what}: {name}")
                bad += 1
            else:
                print(f"PASS {what}: {name}")
        if exited:
            print(f"PASS {what}: pvx ran to the end ({r.elapsed:.1f}s)")
        else:
            print(f"FAIL {what}: pvx exit status {r.status}{' (timed out)' if r.timed_out else ''}")
            bad += 1
        if bad:
            print(f"--- {what} console tail ---")
            print(r.tail(40))
        passed += len(checks) + 3 - bad
        failed += bad
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
