#!/usr/bin/env python3
"""Fetch Debian's stock Linux kernel (the one Debian ships and Xen boots as
dom0) with `apt-get download` and unpack it with `dpkg -x`; nothing is
installed on the machine.

    build/linux/vmlinuz   the bzImage as a GRUB user would pass it (pvx
                          unpacks its xz payload itself)

The package is the one linux-image-amd64 currently depends on.  Idempotent.
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "linux")


def run(cmd, **kw):
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"fetch-linux: {' '.join(cmd)} failed: {exc}\n"
                 "  Is apt configured (run `apt-get update`) and are Debian's "
                 "package registries reachable?")


def main():
    deps = run(["apt-cache", "depends", "linux-image-amd64"])
    m = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)", deps)
    if not m:
        sys.exit("fetch-linux: cannot tell which kernel linux-image-amd64 depends on")
    pkg = m.group(1)
    stamp = os.path.join(OUT, "stamp")
    if os.path.exists(stamp) and open(stamp).read().strip() == pkg:
        return 0
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    print(f"fetch-linux: downloading {pkg} (about 70 MB)", flush=True)
    run(["apt-get", "download", "-q", pkg], cwd=OUT)
    deb = next(f for f in os.listdir(OUT) if f.endswith(".deb"))
    run(["dpkg", "-x", os.path.join(OUT, deb), os.path.join(OUT, "root")])
    boot = os.path.join(OUT, "root", "boot")
    vmlinuz = next(os.path.join(boot, f) for f in os.listdir(boot) if f.startswith("vmlinuz-"))
    shutil.copy(vmlinuz, os.path.join(OUT, "vmlinuz"))
    if open(vmlinuz, "rb").read(0x206)[0x202:0x206] != b"HdrS":
        sys.exit("fetch-linux: the kernel is not a bzImage")
    os.remove(os.path.join(OUT, deb))
    shutil.rmtree(os.path.join(OUT, "root"))  # the modules are not needed
    with open(stamp, "w") as f:
        f.write(pkg + "\n")
    print(f"fetch-linux: {pkg} unpacked into build/linux")
    return 0


if __name__ == "__main__":
    sys.exit(main())
