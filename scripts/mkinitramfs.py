#!/usr/bin/env python3
"""Build a gzip-compressed initramfs (cpio "newc") from Debian's busybox-static.

    mkinitramfs.py --init FILE --out build/linux/initrd.gz [--add SRC:DEST ...]

The archive holds /bin/busybox, an applet symlink for every command busybox
offers, /dev, /proc, /sys, /tmp, and FILE as /init.  Written with the
standard library only, so the build needs no cpio tool.
"""
import argparse
import gzip
import os
import shutil
import subprocess
import sys


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--init", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--add", action="append", default=[], help="SRC:DEST extra file")
    args = ap.parse_args()
    busybox = shutil.which("busybox") or "/bin/busybox"
    if not os.path.exists(busybox):
        sys.exit("mkinitramfs: busybox not found: run scripts/install-deps.sh (busybox-static)")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True).stdout.split()
    c = Cpio()
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "run", "usr", "usr/bin"):
        c.add(d, 0o40755)
    c.add("bin/busybox", 0o100755, open(busybox, "rb").read())
    for a in applets:
        if a != "busybox":
            c.add(f"bin/{a}", 0o120777, b"busybox")
    c.add("init", 0o100755, open(args.init, "rb").read())
    for spec in args.add:
        src, dest = spec.split(":", 1)
        c.add(dest.lstrip("/"), 0o100755, open(src, "rb").read())
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with gzip.open(args.out, "wb", compresslevel=6) as f:
        f.write(c.finish())
    return 0


if __name__ == "__main__":
    sys.exit(main())
