#!/usr/bin/env python3
"""Fetch Debian's Xen 4.17 packages (the peer pvx is tested and benchmarked
against) with `apt-get download` and unpack them with `dpkg -x`.

Nothing is installed on the machine.  The result is a tree under
build/xen-peer/root plus a gunzipped hypervisor image that QEMU's multiboot1
loader can boot:

    build/xen-peer/xen-4.17-amd64        (hypervisor ELF for -kernel)
    build/xen-peer/root/usr/bin/xenstore-*  (Debian's xenstore clients)
    build/xen-peer/root/usr/lib/xen-4.17/bin/test-xenstore
    build/xen-peer/root/usr/lib/xen-4.17/bin/{xl,xenstored,xenconsoled,...}
                                         (Debian's toolstack, with its
                                         libraries in usr/lib/x86_64-linux-gnu:
                                         scripts/mk-xen-dom0-initrd.py packs it
                                         into a Xen dom0's initramfs)
    build/xen-peer/root/usr/libexec/xen-qemu-system-i386
                                         (qemu-system-xen: the device model
                                         of HVM guests, QEMU 7.2 as the
                                         host's; its libraries are the
                                         host's, and so are the firmware
                                         files it and libxl load: seabios,
                                         ipxe-qemu, qemu-system-data)
    build/xen-peer/root/usr/lib/xen-4.17/boot/hvmloader
                                         (from xen-utils-4.17)

Idempotent: a stamp file records the package set that was unpacked; when
the set changes, only debs/, root/ and the hypervisor image are redone (the
initramfs images and logs other scripts keep in build/xen-peer stay).
"""
import gzip
import os
import shutil
import subprocess
import sys

PACKAGES = [
    "xen-hypervisor-4.17-amd64",
    "xen-utils-4.17",
    "xenstore-utils",
    "libxenstore4",
    "libxentoolcore1",
    # xl, xenstored, xenconsoled, xenconsole and xen-init-dom0 (the toolstack
    # scripts/mk-xen-dom0-initrd.py packs into a Xen dom0) and their libraries
    "xen-utils-common",
    "libxenmisc4.17",
    "libxencall1",
    "libxenevtchn1",
    "libxenforeignmemory1",
    "libxengnttab1",
    "libxendevicemodel1",
    "libxenhypfs1",
    "libxentoollog1",
    "libyajl2",
    # The device model of HVM guests (mk-xen-dom0-initrd.py --hvm).
    "qemu-system-xen",
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "xen-peer")


def run(cmd, cwd=None):
    try:
        subprocess.run(cmd, cwd=cwd, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"fetch-xen-peer: {' '.join(cmd)} failed: {exc}\n"
                 "  Is apt configured (run `apt-get update`) and are Debian's "
                 "package registries reachable?")


def main():
    stamp = os.path.join(OUT, "stamp")
    want = "\n".join(PACKAGES) + "\n"
    if os.path.exists(stamp) and open(stamp).read() == want:
        return 0
    debs = os.path.join(OUT, "debs")
    root = os.path.join(OUT, "root")
    for old in (debs, root):
        shutil.rmtree(old, ignore_errors=True)
    for old in (stamp, os.path.join(OUT, "xen-4.17-amd64")):
        if os.path.exists(old):
            os.remove(old)
    os.makedirs(debs)
    print("fetch-xen-peer: downloading " + " ".join(PACKAGES), flush=True)
    run(["apt-get", "download", "-q"] + PACKAGES, cwd=debs)
    for deb in sorted(os.listdir(debs)):
        if deb.endswith(".deb"):
            run(["dpkg", "-x", os.path.join(debs, deb), root])
    src = os.path.join(root, "boot", "xen-4.17-amd64.gz")
    with gzip.open(src, "rb") as fin, open(os.path.join(OUT, "xen-4.17-amd64"), "wb") as fout:
        shutil.copyfileobj(fin, fout)
    with open(stamp, "w") as f:
        f.write(want)
    print(f"fetch-xen-peer: unpacked into {os.path.relpath(OUT, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
