#!/usr/bin/env python3
"""Build the Debian Linux domU's root filesystem, an ext4 image:

    mkrootfs.py [--out build/linux/rootfs-domu.ext4] [--size 40M] [--force]

No root privileges needed: the tree is laid out in a temporary directory
and mke2fs copies it into the image (-d), every file owned by root.  The
tree holds what the domU's initramfs holds (scripts/mkinitramfs.py --domu):
busybox-static with its applet links, /sbin/init (busybox init),
/etc/inittab and /etc/rc.domu (tests/linux/domu/), the static xenstore tool
with its xenstore-* links; plus the static pvx-iobench (dom0-tools/bench,
the disk benchmark of scripts/bench-devices.py), iperf3 and sockperf with
the shared libraries they load (scripts/hostbin.py), and /root, /tmp, /proc, /sys,
/dev, /mnt, /var.  The domU's initramfs mounts it when the kernel command line has
root=/dev/xvda (xl.cfg: root = "/dev/xvda", disk = [...]).

--size is mke2fs's size (K, M or G suffix); by default 40M, or more when
the tree would leave less than DEFAULT_FREE free (the image is then sized
tree + headroom, in MiB steps of SIZE_STEP).  The image is written under a
temporary name and renamed, and not rebuilt when it is newer than all its
inputs (these scripts, busybox, the domU's files, the programs and their
libraries) and has the size asked for: callers may run this every time.
"""
import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import hostbin  # noqa: E402
import mkinitramfs  # noqa: E402

OUT = mkinitramfs.ROOTFS_DOMU
DEFAULT_SIZE = 40 << 20
# With the default size, at least this much stays free for the guest
# (benchmark files, logs); an image grown past DEFAULT_SIZE is a multiple
# of SIZE_STEP.
DEFAULT_FREE = 24 << 20
SIZE_STEP = 8 << 20
# What ext4 itself takes of an image (inode tables, journal, bitmaps, group
# descriptors) is below this share of it at these sizes.
FS_OVERHEAD = 0.12
HOST_PROGRAMS = ("iperf3", "sockperf")
IOBENCH = os.path.join(ROOT, "build", "dom0-tools", "pvx-iobench")
DIRS = ("root", "tmp", "proc", "sys", "dev", "mnt", "var", "run")
SCRIPTS = [os.path.join(ROOT, "scripts", f) for f in ("mkrootfs.py", "mkinitramfs.py",
                                                      "hostbin.py")]
D, LINK = mkinitramfs.DIR, mkinitramfs.LINK


def die(msg):
    sys.exit(f"mkrootfs: {msg}")


def parse_size(text):
    """mke2fs's size syntax with a K, M or G suffix (bytes without one)."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    t = text.strip().lower()
    try:
        if t and t[-1] in units:
            return int(t[:-1]) * units[t[-1]]
        return int(t)
    except ValueError:
        die(f"bad size {text!r} (e.g. 40M)")


def tree_entries():
    """Everything in the image, as mkinitramfs's (DEST, MODE, SRC)."""
    entries = mkinitramfs.busybox_entries()
    entries += [(d, stat.S_IFDIR | (0o1777 if d == "tmp" else 0o755), None) for d in DIRS]
    entries.append(("sbin/init", LINK, "../bin/busybox"))
    entries += [(dest, mkinitramfs.EXE, src) for src, dest in mkinitramfs.domu_files()]
    entries += mkinitramfs.xenstore_links()
    entries.append(("bin/pvx-iobench", mkinitramfs.EXE, IOBENCH))
    entries += hostbin.entries_or_exit(HOST_PROGRAMS, "mkrootfs")
    return mkinitramfs.complete(entries)


def tree_bytes(entries):
    """Blocks the tree takes, in bytes (4 KiB blocks; one per directory)."""
    total = 0
    for _, mode, src in entries:
        if stat.S_ISREG(mode):
            total += (os.path.getsize(src) + 4095) & ~4095
        elif stat.S_ISDIR(mode):
            total += 4096
    return total


def default_size(entries):
    need = tree_bytes(entries) / (1 - FS_OVERHEAD) + DEFAULT_FREE
    if need <= DEFAULT_SIZE:
        return DEFAULT_SIZE
    return -(-int(need) // SIZE_STEP) * SIZE_STEP


def up_to_date(out, size, entries):
    """out exists with the size asked for and is newer than every input."""
    try:
        st = os.stat(out)
    except FileNotFoundError:
        return False
    if st.st_size != size:
        return False
    inputs = SCRIPTS + [src for _, mode, src in entries if stat.S_ISREG(mode)]
    # ctime too: a package upgrade installs files with their (older) build
    # mtimes.
    return all(max(os.stat(p).st_mtime, os.stat(p).st_ctime) < st.st_mtime for p in inputs)


def lay_out(entries, tree):
    """Create the entries under the directory tree."""
    for dest, mode, src in entries:
        path = os.path.join(tree, dest)
        if stat.S_ISDIR(mode):
            os.makedirs(path, exist_ok=True)
        elif stat.S_ISLNK(mode):
            os.symlink(src, path)
            continue
        else:
            shutil.copyfile(src, path)
        os.chmod(path, stat.S_IMODE(mode))


def chown_root(img, entries):
    """mke2fs -d keeps the files' owners: make them all root when the tree
    was laid out by someone else (debugfs edits the image, no privileges)."""
    # (debugfs does not follow a path's last symlink: links are done too.)
    cmds = "".join(f"sif /{dest} uid 0\nsif /{dest} gid 0\n" for dest, _, _ in entries)
    with tempfile.NamedTemporaryFile("w", suffix=".debugfs") as f:
        f.write(cmds)
        f.flush()
        r = subprocess.run(["debugfs", "-w", "-f", f.name, img], capture_output=True, text=True)
    if r.returncode != 0:
        die(f"debugfs could not set owners: {r.stderr.strip()}")


def build(out=OUT, size=None, force=False):
    """Build the image at out (size in bytes, None for the default) unless it
    is up to date; returns out."""
    for tool in ("mke2fs", "debugfs"):
        if not shutil.which(tool, path=hostbin.SEARCH):
            die(f"{tool} not found: run scripts/install-deps.sh (e2fsprogs)")
    if not os.path.exists(IOBENCH):
        die(f"missing {IOBENCH} (run make)")
    entries = tree_entries()
    if size is None:
        size = default_size(entries)
    if not force and up_to_date(out, size, entries):
        return out
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    shown = os.path.relpath(out, ROOT) if out.startswith(ROOT + os.sep) else out
    print(f"mkrootfs: {shown}: {size >> 20} MiB ext4, "
          f"{len(entries)} entries ({tree_bytes(entries) >> 20} MiB), "
          f"busybox, xenstore, pvx-iobench, {', '.join(HOST_PROGRAMS)}", flush=True)
    tmp = f"{out}.{os.getpid()}.tmp"
    with tempfile.TemporaryDirectory(prefix="pvx-rootfs-") as tree:
        lay_out(entries, tree)
        mke2fs = shutil.which("mke2fs", path=hostbin.SEARCH)
        r = subprocess.run([mke2fs, "-q", "-t", "ext4", "-d", tree, "-E", "root_owner=0:0",
                            "-F", tmp, f"{size >> 10}k"], capture_output=True, text=True)
        if r.returncode != 0:
            if os.path.exists(tmp):
                os.unlink(tmp)
            die(f"mke2fs failed ({size >> 20} MiB for {tree_bytes(entries) >> 20} MiB of files; "
                f"a larger --size?): {(r.stderr or r.stdout).strip()}")
    try:
        if os.getuid() != 0 or os.getgid() != 0:
            chown_root(tmp, entries)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--size", help="image size, e.g. 40M (default: 40M, or what the tree needs)")
    ap.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = ap.parse_args()
    build(args.out, parse_size(args.size) if args.size else None, args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
