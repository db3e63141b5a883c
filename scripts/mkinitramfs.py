#!/usr/bin/env python3
"""Build a gzip-compressed initramfs (cpio "newc") from Debian's busybox-static.

    mkinitramfs.py --init FILE --out build/linux/initrd.gz [--dom0] [--add SRC:DEST ...]

The archive holds /bin/busybox, an applet symlink for every command busybox
offers, /dev, /proc, /sys, /tmp, and FILE as /init, plus each --add file
(mode 0755; missing parent directories are added, since the kernel's
unpacker does not create them).  Written with the standard library only, so
the build needs no cpio tool.

--dom0 adds what a pvx dom0 runs (built beforehand by `make`): the static
xenstored and xenstore tool (with xenstore-* links), the toolstack (xl,
pvx-lifecycled, pvxconsoled, pvxconsole), pvx-dom0-check, the /dev/xen
driver modules kept by fetch-linux.py in /lib/modules/pvx,
tests/linux/dom0-up.sh as /etc/dom0-up.sh, /etc/pvx (xl.conf and the
example domU config debian.cfg; /etc/xen links to it, so paths written for
Xen work), and in /var/lib/pvx/images that domU's kernel and initramfs (the
latter built first, into build/linux/initrd-domu.gz) and the PV test guest.

--domu builds the Debian Linux domU's initramfs (tests/linux/domu/): its
/init hands over to busybox init, which runs /etc/rc.domu and keeps a shell
on the console; the static xenstore tool (with xenstore-* links) reads the
guest's own nodes through the kernel's xenbus.  --init is then optional.
"""
import argparse
import gzip
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
XS_LINKS = ("read", "write", "ls", "rm", "exists", "chmod", "watch", "list")


def domu_files():
    """(SRC, DEST) for --domu; exits naming what is missing."""
    d = os.path.join(ROOT, "tests", "linux", "domu")
    files = [(f"{ROOT}/build/xenstore/static/xenstore", "bin/xenstore"),
             (f"{d}/inittab", "etc/inittab"),
             (f"{d}/rc.domu", "etc/rc.domu")]
    missing = [src for src, _ in files if not os.path.exists(src)]
    if missing:
        sys.exit("mkinitramfs: missing " + ", ".join(missing) + " (run make)")
    return files


def dom0_files():
    """(SRC, DEST) for --dom0; exits naming what is missing."""
    b = os.path.join(ROOT, "build")
    etc = os.path.join(ROOT, "tests", "linux", "etc-pvx")
    files = [(f"{b}/xenstore/static/xenstored", "bin/xenstored"),
             (f"{b}/xenstore/static/xenstore", "bin/xenstore"),
             (f"{b}/dom0-tools/pvx-dom0-check", "bin/pvx-dom0-check"),
             (f"{b}/dom0-tools/xl", "bin/xl"),
             (f"{b}/dom0-tools/pvx-lifecycled", "bin/pvx-lifecycled"),
             (f"{b}/dom0-tools/pvxconsoled", "bin/pvxconsoled"),
             (f"{b}/dom0-tools/pvxconsole", "bin/pvxconsole"),
             (f"{ROOT}/tests/linux/dom0-up.sh", "etc/dom0-up.sh"),
             (f"{etc}/xl.conf", "etc/pvx/xl.conf"),
             (f"{etc}/debian.cfg", "etc/pvx/debian.cfg"),
             (f"{b}/linux/vmlinuz", "var/lib/pvx/images/vmlinuz"),
             (DOMU_INITRD, "var/lib/pvx/images/initrd-domu.gz"),
             (f"{b}/testguest/testguest", "var/lib/pvx/images/testguest"),
             (f"{b}/linux/modules/order", "lib/modules/pvx/order")]
    order = f"{b}/linux/modules/order"
    if os.path.exists(order):
        files += [(f"{b}/linux/modules/{m}.ko", f"lib/modules/pvx/{m}.ko")
                  for m in open(order).read().split()]
    missing = [src for src, _ in files if not os.path.exists(src)]
    if missing:
        sys.exit("mkinitramfs: missing " + ", ".join(missing) +
                 " (run make, and scripts/fetch-linux.py)")
    return files


class Cpio:
    def __init__(self):
        self.data = bytearray()
        self.ino = 1

    def add(self, name, mode, body=b""):
        fields = [self.ino, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0, len(name) + 1, 0]
        self.ino += 1
        self.data += b"070701" + b"".join(b"%08X" % v for v in fields)
        self.data += name.encode() + b"\0"
        self.data += b"\0" * (-len(self.data) % 4)
        self.data += body
        self.data += b"\0" * (-len(self.data) % 4)

    def finish(self):
        self.add("TRAILER!!!", 0)
        return bytes(self.data)


DOMU_INITRD = os.path.join(ROOT, "build", "linux", "initrd-domu.gz")


BASE_DIRS = ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "run", "usr", "usr/bin")


def busybox_base(c):
    """Add /bin/busybox, a link for each of its applets, the base
    directories, and /sbin/{poweroff,reboot,halt}: Linux runs /sbin/poweroff
    and /sbin/reboot for an orderly shutdown requested through xenstore."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        sys.exit("mkinitramfs: busybox not found: run scripts/install-deps.sh (busybox-static)")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
    for d in BASE_DIRS:
        c.add(d, 0o40755)
    c.add("bin/busybox", 0o100755, open(busybox, "rb").read())
    for a in applets:
        if a != "busybox":
            c.add(f"bin/{a}", 0o120777, b"busybox")
    for a in ("poweroff", "reboot", "halt"):
        if a in applets:
            c.add(f"sbin/{a}", 0o120777, b"../bin/busybox")


def write_initramfs(init, out, adds, dom0=False, domu=False):
    """Write the archive: busybox, init as /init, adds [(SRC, DEST)], and the
    links --dom0/--domu want."""
    c = Cpio()
    busybox_base(c)
    c.add("init", 0o100755, open(init, "rb").read())
    made = set(BASE_DIRS)
    for src, dest in adds:
        dest = dest.strip("/")
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                c.add(d, 0o40755)
                made.add(d)
        c.add(dest, 0o100755, open(src, "rb").read())
    if dom0 or domu:
        for n in XS_LINKS:
            c.add(f"bin/xenstore-{n}", 0o120777, b"xenstore")
    if dom0:
        c.add("etc/xen", 0o120777, b"pvx")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    # Written aside and renamed: a reader (or a parallel build) never sees half.
    tmp = f"{out}.{os.getpid()}.tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(c.finish())
    os.replace(tmp, out)


def build_domu_initrd():
    """The Debian Linux domU's initramfs, DOMU_INITRD (one gzip member: Xen's
    domain builder gunzips a ramdisk itself and trusts its trailer)."""
    write_initramfs(os.path.join(ROOT, "tests", "linux", "domu", "init"), DOMU_INITRD,
                    domu_files(), domu=True)
    return DOMU_INITRD


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--init", help="the /init script (default with --domu: tests/linux/domu/init)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--add", action="append", default=[], help="SRC:DEST extra file")
    ap.add_argument("--dom0", action="store_true", help="add pvx's dom0 tools and modules")
    ap.add_argument("--domu", action="store_true", help="the Debian Linux domU's initramfs")
    args = ap.parse_args()
    if args.dom0 and args.domu:
        ap.error("--dom0 and --domu exclude each other")
    adds = [tuple(spec.split(":", 1)) for spec in args.add]
    if args.domu:
        args.init = args.init or os.path.join(ROOT, "tests", "linux", "domu", "init")
        adds = domu_files() + adds
    if not args.init:
        ap.error("--init is required (except with --domu)")
    if args.dom0:
        # The example domU's initramfs goes inside dom0's: build it first.
        build_domu_initrd()
        adds = dom0_files() + adds
    write_initramfs(args.init, args.out, adds, dom0=args.dom0, domu=args.domu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
