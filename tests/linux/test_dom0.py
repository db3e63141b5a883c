#!/usr/bin/env python3
"""Debian's stock Linux kernel (its vmlinuz, as GRUB users pass it) as dom0
on pvx, in QEMU: boot to a busybox /init (tests/linux/init-smoke), which
checks dom0's user space and powers off.  Checks the kernel's own view (Xen
PV detected, hvc0 console, /init reached, /sys/hypervisor), the /dev/xen
drivers loaded from Debian's modules, each "pvx-dom0: check NAME PASS" line
of the init (privcmd, evtchn, gntalloc/gntdev, xenstore through pvx's
xenstored on its socket and on dom0's own xenbus ring), and that pvx ends
with dom0's poweroff as its exit status.  A dom0 oops or panic fails it, and
the console tail is printed.  That boot gives dom0 two vCPUs on two CPUs
(multi-threaded TCG), so every check runs with dom0's vCPUs in parallel.
Linux takes the FIFO event channel ABI pvx offers; a second,
shorter-checked boot with xen.fifo_events=0, on one CPU and one vCPU, keeps
the 2-level and uniprocessor paths working.
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
CMDLINE = "console=hvc0 earlyprintk=xen"
DOM0_CHECKS = (
    "privcmd-xen-version", "privcmd-bad-hypercall",            # dom0-tools/check_privcmd.c
    "evtchn-bind", "evtchn-bind-event", "evtchn-notify", "evtchn-notify-back",      # dom0-tools/check_evtchn.c
    "gnt-alloc", "gnt-map", "gnt-shared-data", "gnt-bogus-ref",  # dom0-tools/check_gnt.c
    "xenstore-write", "xenstore-read", "xenstore-watch",       # tests/linux/init-smoke
    "xenstore-kernel-ring", "xenstore-kernel-ring-write", "xenstore-kernel-nodes", "xenstore-ls",
    "foreign-create", "foreign-populate", "foreign-map", "foreign-shared-data",
    "foreign-not-its-frame", "foreign-destroy", "foreign-dying-while-mapped",
    "foreign-gone-after-unmap",                                # dom0-tools/check_foreign.c
    "pirq-com2",                                              # a device interrupt as a PIRQ
    "virtio-blk-read", "virtio-blk-write", "virtio-interrupts", "virtio-net-ping",  # QEMU devices
)


def main():
    for cmd in (["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--dom0", "--init", "tests/linux/init-smoke",
                 "--out", os.path.join(LINUX, "initrd-smoke.gz")]):
        r = subprocess.run([sys.executable] + cmd, cwd=ROOT)
        if r.returncode:
            print("0 passed, 1 failed")
            return 1
    # PVX_BINARY: test another build of pvx (e.g. a clean checkout's) with this dom0.
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    com2 = os.path.join(LINUX, "com2.out")
    if os.path.exists(com2):
        os.unlink(com2)
    r = boot_dom0(pvx, "disk.img", CMDLINE, f"file:{com2}", vcpus=2)
    checks = [
        ("pvx unpacks the bzImage (xz) itself", r"domain 0: unpacked a \d+ KiB bzImage"),
        ("pvx runs vCPUs on both CPUs", r"^sched: vCPUs run on 2 CPUs$"),
        ("kernel starts on pvx", r"Linux version 6\.1\."),
        ("dom0 brings up its second vCPU", r"smp: Brought up 1 node, 2 CPUs"),
        ("Xen PV detected", r"Hypervisor detected: Xen PV"),
        ("Xen version reported", r"Xen version: 4\.17"),
        ("FIFO event channels", r"xen:events: Using FIFO-based ABI"),
        ("hvc0 console", r"printk: console \[hvc0\] enabled"),
        ("grant tables", r"Grant table initialized"),
        ("init runs", r"^pvx-dom0: init reached"),
        ("user space runs", r"^pvx-dom0: uname Linux 6\.1\."),
        ("/sys/hypervisor says xen", r"^pvx-dom0: hypervisor type xen"),
    ]
    modules = open(os.path.join(LINUX, "modules", "order")).read().split()
    checks += [(f"module {m} loads", rf"^pvx-dom0: module {m} loaded") for m in modules]
    checks += [
        ("xenstored starts", r"^pvx-dom0: xenstored started"),
        ("xenstored serves dom0's xenbus ring", r"xenstored: .*dom0 ring: serving dom0's xenbus"),
    ]
    # Each must print "pvx-dom0: check NAME PASS"; a FAIL line or none fails.
    checks += [(f"dom0 check {n}", rf"^pvx-dom0: check {n} PASS") for n in DOM0_CHECKS]
    checks += [
        ("init completes", r"^pvx-dom0: done"),
        ("dom0 powers off", r"domain 0 \(dom0\): shut down \(poweroff\)"),
    ]
    passed = failed = 0
    for name, pat in checks:
        m = r.search(pat)
        if m:
            print(f"PASS {name}")
            passed += 1
        else:
            print(f"FAIL {name}: missing /{pat}/")
            failed += 1
    for line in r.output.splitlines():
        if line.startswith("pvx-dom0: check ") and " FAIL " in line:
            print(f"  {line}")
    for name, pat in (("no oops", r"Oops|BUG:|general protection fault"),
                      ("no panic", r"Kernel panic|PANIC")):
        if r.search(pat):
            print(f"FAIL {name}")
            failed += 1
        else:
            print(f"PASS {name}")
            passed += 1
    # What dom0 wrote through virtio-blk reached the disk image.
    with open(os.path.join(LINUX, "disk.img"), "rb") as f:
        f.seek(512)
        written = f.read(40)
    if written.startswith(b"written by dom0 through virtio-blk"):
        print("PASS the disk image holds what dom0 wrote")
        passed += 1
    else:
        print(f"FAIL the disk image holds what dom0 wrote: {written!r}")
        failed += 1
    # What dom0's 8250 driver sent through COM2 reached the device.
    sent = open(com2, errors="replace").read() if os.path.exists(com2) else ""
    if "pvx-com2: line 8 of data" in sent:
        print("PASS COM2 carried dom0's data (interrupt-driven transmit)")
        passed += 1
    else:
        print(f"FAIL COM2 carried dom0's data: got {sent[-120:]!r}")
        failed += 1
    if r.status == 0 and not r.timed_out:
        print(f"PASS pvx exit status 0 ({r.elapsed:.1f}s)")
        passed += 1
    else:
        print(f"FAIL pvx exit status {r.status}{' (timed out)' if r.timed_out else ''}")
        failed += 1
    if failed:
        print("--- console tail ---")
        print(r.tail(40))
    p2, f2 = boot_2level(pvx)
    passed += p2
    failed += f2
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def boot_dom0(pvx, disk_name, cmdline, com2, vcpus=1):
    """pvx with the smoke dom0 (kernel command line `cmdline`), a virtio disk
    holding the pattern init-smoke looks for, a virtio NIC, and COM2 (a QEMU
    -serial target) for dom0's second serial line.  vcpus: dom0's vCPUs and
    QEMU's CPUs (more than one: multi-threaded TCG, each vCPU on a CPU)."""
    disk = os.path.join(LINUX, disk_name)
    with open(disk, "wb") as f:
        f.write(b"pvx disk pattern 8d6a31c".ljust(512, b"\0") + bytes(1024 * 1024 - 512))
    return qh.boot(kernel=pvx, append=f"dom0_mem=256M dom0_max_vcpus={vcpus}", memory="512M",
                   smp=vcpus, accel=qh.smp_accel() if vcpus > 1 else None, timeout=300,
                   modules=[f"{LINUX}/vmlinuz linux {cmdline}", f"{LINUX}/initrd-smoke.gz initrd"],
                   extra=("-serial", com2,
                          "-drive", f"file={disk},if=none,id=disk0,format=raw",
                          "-device", "virtio-blk-pci,drive=disk0",
                          "-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0"))


def boot_2level(pvx):
    """The same dom0 told to keep the 2-level ABI: its event channels (the
    evtchn device checks, xenstore over its ring) still work."""
    r = boot_dom0(pvx, "disk-2level.img", f"{CMDLINE} xen.fifo_events=0", "null")
    checks = [
        ("2-level: the ABI Linux chose", r"xen:events: Using 2-level ABI"),
        ("2-level: init runs", r"^pvx-dom0: init reached"),
    ]
    checks += [(f"2-level: dom0 check {n}", rf"^pvx-dom0: check {n} PASS")
               for n in ("evtchn-bind", "evtchn-bind-event", "evtchn-notify", "evtchn-notify-back",
                         "xenstore-kernel-ring", "xenstore-watch", "pirq-com2",
                         "virtio-blk-read", "virtio-interrupts")]
    checks += [("2-level: dom0 powers off", r"domain 0 \(dom0\): shut down \(poweroff\)")]
    passed = failed = 0
    for name, pat in checks:
        if r.search(pat):
            print(f"PASS {name}")
            passed += 1
        else:
            print(f"FAIL {name}: missing /{pat}/")
            failed += 1
    if r.search(r"Oops|BUG:|general protection fault|Kernel panic|PANIC"):
        print("FAIL 2-level: no oops or panic")
        failed += 1
    else:
        print("PASS 2-level: no oops or panic")
        passed += 1
    if failed:
        print("--- console tail (2-level) ---")
        print(r.tail(40))
    return passed, failed


if __name__ == "__main__":
    sys.exit(main())
