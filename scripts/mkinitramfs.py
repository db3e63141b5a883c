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
pvx-lifecycled, pvxconsoled, pvxconsole), pvx-dom0-check, pvx-iobench (the
disk benchmark of scripts/bench-devices.py), the /dev/xen
driver modules kept by fetch-linux.py in /lib/modules/pvx,
tests/linux/dom0-up.sh as /etc/dom0-up.sh, /etc/pvx (xl.conf and the
example domU config debian.cfg; /etc/xen links to it, so paths written for
Xen work), and in /var/lib/pvx/images that domU's kernel and initramfs (the
latter built first, into build/linux/initrd-domu.gz) and the PV test guest.

--dom0 also adds e2fsprogs (mke2fs, e2fsck, debugfs) and iperf3 with
the shared libraries they load, at their host paths (hostbin.py).  With
--rootfs it adds the domU's root filesystem image (scripts/mkrootfs.py,
built first) as /var/lib/pvx/images/rootfs-domu.ext4: 40 MiB of dom0's
memory once unpacked, so only the inits that start domUs with disks ask
for it.

--host PROGRAM adds a program of the host's with the libraries it loads
(the device benchmark's dom0 gets sockperf this way).

--domu builds the Debian Linux domU's initramfs (tests/linux/domu/): its
/init loads the frontend and ext4 modules (build/linux/modules/order-domu,
kept in /lib/modules/domu), switches to the root filesystem named by root=
on the kernel command line if there is one, and otherwise hands over to
busybox init, which runs /etc/rc.domu and keeps a shell on the console; the
static xenstore tool (with xenstore-* links) reads the guest's own nodes
through the kernel's xenbus.  --init is then optional.

The busybox tree and the domU's files are shared with mkrootfs.py, which
lays the same entries out in an ext4 image: everything is described as
(DEST, MODE, SRC) entries, SRC being a host file, a symlink's target, or
None for a directory.
"""
import argparse
import gzip
import os
import shutil
import stat
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import hostbin  # noqa: E402

XS_LINKS = ("read", "write", "ls", "rm", "exists", "chmod", "watch", "list")
DOMU_DIR = os.path.join(ROOT, "tests", "linux", "domu")
MODULES = os.path.join(ROOT, "build", "linux", "modules")
DOMU_ORDER = os.path.join(MODULES, "order-domu")
# What dom0 gets from the host, with the libraries they load: e2fsprogs to
# make and check domU disk images, iperf3 to measure the network path
# beside the domU's own copy (mkrootfs.py).
DOM0_HOST_PROGRAMS = ("mke2fs", "e2fsck", "debugfs", "iperf3")
DIR = stat.S_IFDIR | 0o755
EXE = stat.S_IFREG | 0o755
LINK = stat.S_IFLNK | 0o777


def domu_files():
    """(SRC, DEST) for --domu and mkrootfs.py: the xenstore tool,
    pvx-forkcheck, pvx-cpuwork (the SMP benchmark's work, run only when the
    command line names it as rdinit), inittab and rc.domu; exits naming
    what is missing."""
    d = DOMU_DIR
    files = [(f"{ROOT}/build/xenstore/static/xenstore", "bin/xenstore"),
             (f"{ROOT}/build/dom0-tools/pvx-forkcheck", "bin/pvx-forkcheck"),
             (f"{ROOT}/build/dom0-tools/pvx-cpuwork", "bin/pvx-cpuwork"),
             (f"{d}/inittab", "etc/inittab"),
             (f"{d}/rc.domu", "etc/rc.domu")]
    missing = [src for src, _ in files if not os.path.exists(src)]
    if missing:
        sys.exit("mkinitramfs: missing " + ", ".join(missing) + " (run make)")
    return files


def domu_module_files():
    """(SRC, DEST) for the domU initramfs's modules: order-domu and each
    module it lists, in /lib/modules/domu; exits naming what is missing."""
    if not os.path.exists(DOMU_ORDER):
        sys.exit(f"mkinitramfs: missing {DOMU_ORDER} (run scripts/fetch-linux.py)")
    files = [(DOMU_ORDER, "lib/modules/domu/order")]
    files += [(f"{MODULES}/{m}.ko", f"lib/modules/domu/{m}.ko")
              for m in open(DOMU_ORDER).read().split()]
    missing = [src for src, _ in files if not os.path.exists(src)]
    if missing:
        sys.exit("mkinitramfs: missing " + ", ".join(missing) + " (run scripts/fetch-linux.py)")
    return files


def xenstore_links():
    """The xenstore-* links to bin/xenstore, as entries."""
    return [(f"bin/xenstore-{n}", LINK, "xenstore") for n in XS_LINKS]


def dom0_files():
    """(SRC, DEST) for --dom0; exits naming what is missing."""
    b = os.path.join(ROOT, "build")
    etc = os.path.join(ROOT, "tests", "linux", "etc-pvx")
    files = [(f"{b}/xenstore/static/xenstored", "bin/xenstored"),
             (f"{b}/xenstore/static/xenstore", "bin/xenstore"),
             (f"{b}/dom0-tools/pvx-dom0-check", "bin/pvx-dom0-check"),
             (f"{b}/dom0-tools/pvx-iobench", "bin/pvx-iobench"),
             (f"{b}/dom0-tools/xl", "bin/xl"),
             (f"{b}/dom0-tools/pvx-lifecycled", "bin/pvx-lifecycled"),
             (f"{b}/dom0-tools/pvxconsoled", "bin/pvxconsoled"),
             (f"{b}/dom0-tools/pvxconsole", "bin/pvxconsole"),
             (f"{b}/dom0-tools/pvx-migrate", "bin/pvx-migrate"),
             (f"{ROOT}/tests/linux/dom0-up.sh", "etc/dom0-up.sh"),
             (f"{ROOT}/tests/linux/dom0-bridge.sh", "etc/dom0-bridge.sh"),
             (f"{ROOT}/tests/linux/checks.sh", "etc/pvx-checks.sh"),
             (f"{ROOT}/tests/linux/devices.sh", "etc/pvx-devices.sh"),
             (f"{etc}/xl.conf", "etc/pvx/xl.conf"),
             (f"{etc}/debian.cfg", "etc/pvx/debian.cfg"),
             (f"{etc}/debian-ramdisk.cfg", "etc/pvx/debian-ramdisk.cfg"),
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
    """A newc archive, kept in memory (finish() returns it) or, with out (a
    binary file), written there as it grows (finish() returns b"")."""

    def __init__(self, out=None):
        self.data = bytearray()
        self.out = out
        self.size = 0
        self.ino = 1

    def add(self, name, mode, body=b""):
        fields = [self.ino, mode, 0, 0, 1, 0, len(body), 0, 0, 0, 0, len(name) + 1, 0]
        self.ino += 1
        head = b"070701" + b"".join(b"%08X" % v for v in fields) + name.encode() + b"\0"
        head += b"\0" * (-(self.size + len(head)) % 4)
        self._put(head)
        self._put(body)
        self._put(b"\0" * (-self.size % 4))

    def _put(self, b):
        self.size += len(b)
        if self.out:
            self.out.write(b)
        else:
            self.data += b

    def add_entry(self, dest, mode, src):
        """One (DEST, MODE, SRC) entry: SRC is read for a file, is the
        target of a symlink, and is None for a directory."""
        if stat.S_ISREG(mode):
            with open(src, "rb") as f:
                self.add(dest, mode, f.read())
        elif stat.S_ISLNK(mode):
            self.add(dest, mode, src.encode())
        else:
            self.add(dest, mode)

    def finish(self):
        self.add("TRAILER!!!", 0)
        return bytes(self.data)


DOMU_INITRD = os.path.join(ROOT, "build", "linux", "initrd-domu.gz")
ROOTFS_DOMU = os.path.join(ROOT, "build", "linux", "rootfs-domu.ext4")


BASE_DIRS = ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "run", "usr", "usr/bin")


def busybox_path():
    """Debian's busybox-static on this machine; exits when it is missing."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        sys.exit("mkinitramfs: busybox not found: run scripts/install-deps.sh (busybox-static)")
    return busybox


def busybox_entries(exclude=()):
    """The base directories, /bin/busybox, a link for each of its applets
    (except those named in exclude: real programs of that name are added
    instead), and /sbin/{poweroff,reboot,halt}: Linux runs /sbin/poweroff
    and /sbin/reboot for an orderly shutdown requested through xenstore."""
    busybox = busybox_path()
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
    out = [(d, DIR, None) for d in BASE_DIRS]
    out.append(("bin/busybox", EXE, busybox))
    out += [(f"bin/{a}", LINK, "busybox") for a in applets
            if a != "busybox" and a not in exclude]
    out += [(f"sbin/{a}", LINK, "../bin/busybox") for a in ("poweroff", "reboot", "halt")
            if a in applets]
    return out


def busybox_base(c):
    """Add busybox_entries() to the Cpio c."""
    for e in busybox_entries():
        c.add_entry(*e)


def complete(entries):
    """entries with each DEST once (a later entry replaces an earlier one,
    as --add may) and every missing parent directory added before its first
    use (neither the kernel's unpacker nor mke2fs -d creates any)."""
    last = {}
    for dest, mode, src in entries:
        last[dest.strip("/")] = (mode, src)
    out, made = [], set()
    for dest, (mode, src) in last.items():
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                out.append((d, DIR, None))
                made.add(d)
        if dest not in made:
            out.append((dest, mode, src))
            made.add(dest)
    return out


def write_initramfs(init, out, adds, dom0=False, domu=False, host_programs=()):
    """Write the archive: busybox, init as /init, adds [(SRC, DEST)], the
    host_programs with their libraries, and the links --dom0/--domu want."""
    host = hostbin.entries_or_exit(host_programs, "mkinitramfs")
    entries = busybox_entries(exclude={os.path.basename(p) for p in host_programs})
    entries.append(("init", EXE, init))
    entries += [(dest, EXE, src) for src, dest in adds]
    entries += host
    if dom0 or domu:
        entries += xenstore_links()
    if dom0:
        entries.append(("etc/xen", LINK, "pvx"))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    # Written aside and renamed: a reader (or a parallel build) never sees half.
    tmp = f"{out}.{os.getpid()}.tmp"
    try:
        with gzip.open(tmp, "wb", compresslevel=6) as f:
            c = Cpio(f)
            for e in complete(entries):
                c.add_entry(*e)
            c.finish()
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build_domu_initrd():
    """The Debian Linux domU's initramfs, DOMU_INITRD (one gzip member: Xen's
    domain builder gunzips a ramdisk itself and trusts its trailer)."""
    write_initramfs(os.path.join(DOMU_DIR, "init"), DOMU_INITRD,
                    domu_files() + domu_module_files(), domu=True)
    return DOMU_INITRD


def build_domu_rootfs():
    """The domU's root filesystem image, ROOTFS_DOMU (mkrootfs.py; cheap
    when it is up to date)."""
    import mkrootfs
    mkrootfs.build(ROOTFS_DOMU)
    return ROOTFS_DOMU


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--init", help="the /init script (default with --domu: tests/linux/domu/init)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--add", action="append", default=[], help="SRC:DEST extra file")
    ap.add_argument("--dom0", action="store_true", help="add pvx's dom0 tools and modules")
    ap.add_argument("--domu", action="store_true", help="the Debian Linux domU's initramfs")
    ap.add_argument("--host", action="append", default=[], metavar="PROGRAM",
                    help="a host program to add with the libraries it loads")
    ap.add_argument("--rootfs", action="store_true",
                    help="with --dom0: add the domU's root filesystem image")
    args = ap.parse_args()
    if args.dom0 and args.domu:
        ap.error("--dom0 and --domu exclude each other")
    if args.rootfs and not args.dom0:
        ap.error("--rootfs goes with --dom0")
    adds = [tuple(spec.split(":", 1)) for spec in args.add]
    if args.domu:
        args.init = args.init or os.path.join(ROOT, "tests", "linux", "domu", "init")
        adds = domu_files() + domu_module_files() + adds
    if not args.init:
        ap.error("--init is required (except with --domu)")
    if args.dom0:
        # The example domU's initramfs (and root filesystem) go inside
        # dom0's: build them first.
        build_domu_initrd()
        adds = dom0_files() + adds
        if args.rootfs:
            adds.append((build_domu_rootfs(), "var/lib/pvx/images/rootfs-domu.ext4"))
    write_initramfs(args.init, args.out, adds, dom0=args.dom0, domu=args.domu,
                    host_programs=(DOM0_HOST_PROGRAMS if args.dom0 else ()) + tuple(args.host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
