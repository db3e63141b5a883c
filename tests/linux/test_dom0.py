#!/usr/bin/env python3
"""Debian's stock Linux kernel (its vmlinuz, as GRUB users pass it) as dom0
on pvx, in QEMU: boot to a busybox
/init, which reports and powers off.  Checks the kernel's own view (Xen PV
detected, hvc0 console, /init reached, /sys/hypervisor) and that pvx ends
with dom0's poweroff as its exit status.  A dom0 oops or panic fails it, and
the console tail is printed.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
CMDLINE = "console=hvc0 earlyprintk=xen acpi=off nopvspin xen.fifo_events=0"


def main():
    for cmd in (["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--init", "tests/linux/init-smoke",
                 "--out", os.path.join(LINUX, "initrd-smoke.gz")]):
        r = subprocess.run([sys.executable] + cmd, cwd=ROOT)
        if r.returncode:
            print("0 passed, 1 failed")
            return 1
    r = qh.boot(kernel=os.path.join(ROOT, "build", "hypervisor", "pvx"), append="dom0_mem=256M",
                memory="512M", timeout=300,
                modules=[f"{LINUX}/vmlinuz linux {CMDLINE}", f"{LINUX}/initrd-smoke.gz initrd"])
    checks = [
        ("pvx unpacks the bzImage (xz) itself", r"domain 0: unpacked a \d+ KiB bzImage"),
        ("kernel starts on pvx", r"Linux version 6\.1\."),
        ("Xen PV detected", r"Hypervisor detected: Xen PV"),
        ("Xen version reported", r"Xen version: 4\.17"),
        ("2-level event channels", r"xen:events: Using 2-level ABI"),
        ("hvc0 console", r"printk: console \[hvc0\] enabled"),
        ("grant tables", r"Grant table initialized"),
        ("init runs", r"^pvx-dom0: init reached"),
        ("user space runs", r"^pvx-dom0: uname Linux 6\.1\."),
        ("/sys/hypervisor says xen", r"^pvx-dom0: hypervisor type xen"),
        ("dom0 powers off", r"domain 0 \(dom0\): shut down \(poweroff\)"),
    ]
    passed = failed = 0
    for name, pat in checks:
        if r.search(pat):
            print(f"PASS {name}")
            passed += 1
        else:
            print(f"FAIL {name}: missing /{pat}/")
            failed += 1
    for name, pat in (("no oops", r"Oops|BUG:|general protection fault"),
                      ("no panic", r"Kernel panic|PANIC")):
        if r.search(pat):
            print(f"FAIL {name}")
            failed += 1
        else:
            print(f"PASS {name}")
            passed += 1
    if r.status == 0 and not r.timed_out:
        print(f"PASS pvx exit status 0 ({r.elapsed:.1f}s)")
        passed += 1
    else:
        print(f"FAIL pvx exit status {r.status}{' (timed out)' if r.timed_out else ''}")
        failed += 1
    if failed:
        print("--- console tail ---")
        print(r.tail(40))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
