#!/usr/bin/env python3
"""make test-install: pvx installed on Debian 12 from its packages, booted
from the disk (docs/install.md, "The disk-image test").

scripts/mkimage-debian.py builds (or reuses) build/install/debian-pvx.img:
Debian 12 made by mmdebstrap, pvx-hypervisor and pvx-utils installed in it
with apt, GRUB's boot code on the disk, the "with pvx" entry GRUB's default,
a domU in /etc/pvx/auto/.  This boots a copy of it (build/install/run.img,
so the cached image never changes) twice in QEMU under TCG from the disk
alone (no -kernel, no test device): SeaBIOS, GRUB, its pvx entry
(multiboot2 pvx, Debian's kernel and initrd as modules), dom0's systemd.
pvx-install-check.service in the image prints `pvx-install: check NAME
PASS|FAIL detail` lines on the console and powers the host off; this script
turns every expected line into a check and follows each shutdown.

The first boot checks the boot, systemd's state, the services, xl list,
the domU, reinstall / upgrade / remove / purge of the packages with nothing
left behind; it leaves a token in the domU's RAM through its console and
sets PVX_DOMAINS_STOP=save, so at the poweroff pvx-domains saves the domU
(xl save) before dom0 goes.  The second boot checks that pvx-domains
restored it (xl restore) with the token in its memory, without booting it
again; then, back to PVX_DOMAINS_STOP=shutdown, the poweroff shuts the domU
down first, then dom0, then pvx powers the machine off through ACPI and
QEMU exits by itself.

    test_install.py [--echo] [--timeout SECONDS] [--image PATH]

PVX_ECHO=1 (or --echo) copies the whole console to stdout.  The consoles are
kept in build/install/serial-1.log and serial-2.log.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")
import qemu_harness as qh  # noqa: E402

IMAGE = os.path.join(ROOT, "build", "install", "debian-pvx.img")
RUN_IMAGE = os.path.join(ROOT, "build", "install", "run.img")
SERIAL_LOG = os.path.join(ROOT, "build", "install", "serial-{boot}.log")
# The checks pvx-install-check prints (tests/install/image/pvx-install-check).
IMAGE_CHECKS = (
    "boot-pvx-entry", "dom0-on-pvx", "dom0-debian-kernel", "multi-user-target", "system-running",
    "modules-loaded", "service-pvx-xenstored", "service-pvx-consoled", "service-pvx-lifecycled",
    "service-pvx-domains", "xl-list-domain0", "domu-hello-running", "domu-hello-says-hello",
    "domu-hello-console",
    "pkg-reinstall", "pkg-reinstall-grub", "pkg-upgrade", "pkg-upgrade-version",
    "pkg-upgrade-image", "pkg-upgrade-keeps-conffile", "pkg-remove", "pkg-remove-conffiles-stay",
    "pkg-remove-grub-entry", "pkg-purge", "pkg-purge-nothing-left", "pkg-purge-logs-gone",
    "pkg-install-again", "pkg-install-again-xl", "pkg-restart-services", "domu-hello-ready-again",
    "domu-hello-console-input", "save-mode-set",
)
# The second boot's (after PVX_DOMAINS_STOP=save).
BOOT2_CHECKS = (
    "boot2-service-pvx-domains", "boot2-hello-restored", "boot2-save-image-gone",
    "boot2-hello-running", "boot2-hello-memory-kept", "boot2-hello-did-not-boot-again",
    "boot2-stop-mode-shutdown",
)
# Console lines shown as progress while the machine runs.
PROGRESS = re.compile(r"Loading (pvx|Linux|initial)|pvx .*(version|starting)|"
                      r"domain \d+ \(.*\): (built|shut down)|Reached target|"
                      r"Started pvx|Stopp(ing|ed) pvx|pvx-install: |ACPI: power off|"
                      r"Kernel panic|Oops|PANIC|login:")

FATAL = re.compile(r"domain 0 \(dom0\): shut down \((crash|reboot)\)|\*\*\* pvx PANIC")


def build_image():
    """mkimage-debian.py, its progress streamed; true when the image is there."""
    print("test_install: building the disk image (cached in build/install/)", flush=True)
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "mkimage-debian.py")],
                       cwd=ROOT)
    return r.returncode == 0 and os.path.exists(IMAGE)


def boot(image, n, timeout, echo):
    """Boot n (1 or 2) of the image; its console goes to serial-n.log."""
    log = SERIAL_LOG.format(boot=n)
    cmd = [qh.QEMU, "-accel", qh.accelerator(), "-cpu", qh.DEFAULT_CPU, "-m", "1536", "-smp", "1",
           "-display", "none", "-vga", "none", "-serial", "stdio", "-monitor", "none",
           "-nodefaults", "-no-reboot", "-drive", f"file={image},format=raw,if=virtio"]
    what = ("the packages' checks; about 8-30 minutes" if n == 1
            else "the restore; about 3-8 minutes")
    print(f"test_install: boot {n} of the image from its disk ({qh.accelerator()}; {what} "
          f"under TCG, at most {timeout:.0f} s)", flush=True)
    print("  " + " ".join(cmd), flush=True)
    # GRUB and pvx draw with escape sequences on the serial line.
    esc = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")

    live = open(log + ".live", "w")  # the console so far, while it runs

    def progress(line, secs):
        live.write(line + "\n")
        live.flush()
        line = esc.sub("", line).strip()
        if not echo and PROGRESS.search(line):
            print(f"  [{secs:6.0f} s] {line[:150]}", flush=True)
        # pvx halts the machine (no power off) when dom0 crashes: stop there.
        return bool(FATAL.search(line))

    r = qh.boot(cmd=cmd, timeout=timeout, echo=echo, on_line=progress)
    live.close()
    if os.path.exists(log + ".live"):
        os.unlink(log + ".live")
    r.output = esc.sub("", r.output)
    with open(log, "w") as f:
        f.write(r.output)
    print(f"test_install: console in {os.path.relpath(log, ROOT)} ({r.elapsed:.0f} s)",
          flush=True)
    return r


def image_checks(ck, r, names, boot):
    """The `pvx-install: check` lines of one boot, and its 'checks done' line."""
    out = r.output
    for name in names:
        m = re.search(rf"pvx-install: check {re.escape(name)} (PASS|FAIL) ?(.*)$", out, re.M)
        ck.check(f"in the image, boot {boot}: {name}", bool(m) and m.group(1) == "PASS",
                 why=m.group(2).strip() if m else "no check line (the checks stopped before it)")
    done = r.search(r"pvx-install: checks done: (\d+) passed, (\d+) failed")
    ck.check(f"in the image, boot {boot}: every check ran",
             done and int(done.group(1)) + int(done.group(2)) == len(names), r,
             why=done.group(0) if done else "no 'checks done' line")


def host_poweroff(ck, r, boot):
    """dom0 powers off, then pvx through ACPI, and QEMU exits by itself."""
    dom0 = r.search(r"domain 0 \(dom0\): shut down \(poweroff\)")
    ck.check(f"boot {boot}, poweroff: dom0 powers off", dom0, r)
    ck.check(f"boot {boot}, poweroff: pvx powers the machine off through ACPI (S5)",
             r.search(r"ACPI: power off through") and dom0 and r.returncode == 0, r)
    ck.check(f"boot {boot}: QEMU exits by itself (no test device, no timeout)",
             not r.timed_out and r.returncode == 0, r,
             why=f"timed out after {r.elapsed:.0f} s" if r.timed_out else f"status {r.returncode}")
    ck.check(f"boot {boot}: no oops or panic",
             not r.search(r"Oops|BUG:|Kernel panic|PANIC|general protection fault"), r)
    return dom0


def hello_down_first(ck, r, dom0, boot, how):
    """After the checks' poweroff line, hello shuts down (how) before dom0."""
    out = r.output
    off = out.find("pvx-install: powering off")
    domu = re.search(r"domain (\d+) \(hello\): shut down \((\w+)\)", out[off:]) if off >= 0 else None
    ck.check(f"boot {boot}, poweroff: hello shuts down ({how})",
             domu and domu.group(2) == how, r, why=domu.group(0) if domu else "no line")
    ck.check(f"boot {boot}, poweroff: hello is down before dom0",
             domu and dom0 and off + domu.start() < dom0.start(), r)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--echo", action="store_true", default=bool(os.environ.get("PVX_ECHO")))
    ap.add_argument("--timeout", type=float, default=2700)
    ap.add_argument("--image", help="boot this image (made by mkimage-debian.py --out) instead "
                    "of building or reusing build/install/debian-pvx.img")
    args = ap.parse_args()
    ck = qh.Checks()
    start = time.monotonic()
    if args.image:
        ok = os.path.exists(args.image)
    else:
        ok = build_image()
    if not ck.check("the disk image is built (scripts/mkimage-debian.py)", ok, why="see above"):
        return ck.summary()
    # A copy, booted twice: the second boot sees what the first one left.
    print(f"test_install: copying the image to {os.path.relpath(RUN_IMAGE, ROOT)}", flush=True)
    subprocess.run(["cp", "--sparse=always", "--reflink=auto", args.image or IMAGE, RUN_IMAGE],
                   check=True)
    r = boot(RUN_IMAGE, 1, args.timeout, args.echo)
    ck.check("GRUB boots its pvx entry (multiboot2 pvx, Debian's kernel and initrd as modules)",
             r.search(r"Loading pvx pvx-[^ ]+-amd64") and r.search(r"Loading Linux 6\.1\.")
             and r.search(r"module \d+: name 'vmlinuz-6\.1\.[^']+-amd64'"), r)
    ck.check("pvx builds dom0 from Debian's kernel", r.search(r"domain 0: unpacked a \d+ KiB bzImage"), r)
    # systemd's own status lines stop once a getty has the console:
    # multi-user.target is checked from inside (multi-user-target).
    image_checks(ck, r, IMAGE_CHECKS, 1)
    # The first poweroff, with PVX_DOMAINS_STOP=save: hello is saved, not shut down.
    ck.check("boot 1, poweroff: pvx-domains saves hello (xl save, PVX_DOMAINS_STOP=save)",
             r.search(r"pvx-install: pvx-domains.service: pvx-domains: saved hello in "
                      r"/var/lib/pvx/save/hello"), r)
    dom0 = host_poweroff(ck, r, 1)
    hello_down_first(ck, r, dom0, 1, "suspend")
    if r.timed_out or r.returncode != 0:
        print("test_install: the first boot did not end with a poweroff; no second boot")
        return ck.summary()
    r = boot(RUN_IMAGE, 2, args.timeout, args.echo)
    image_checks(ck, r, BOOT2_CHECKS, 2)
    # The host's poweroff: pvx-domains shuts hello down, then dom0 goes, then the machine.
    ck.check("boot 2, poweroff: pvx-domains asks hello to shut down",
             r.search(r"pvx-install: pvx-domains.service: pvx-domains: shutting down hello"), r)
    dom0 = host_poweroff(ck, r, 2)
    hello_down_first(ck, r, dom0, 2, "poweroff")
    if all(ck.results):
        os.unlink(RUN_IMAGE)  # 700 MB; kept when something failed
    print(f"test_install: {time.monotonic() - start:.0f} s in all")
    return ck.summary()


if __name__ == "__main__":
    sys.exit(main())
