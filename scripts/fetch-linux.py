#!/usr/bin/env python3
"""Fetch Debian's stock Linux kernel (the one Debian ships and Xen boots as
dom0) with `apt-get download` and unpack it with `dpkg -x`; nothing is
installed on the machine.

    build/linux/vmlinuz   the bzImage as a GRUB user would pass it (pvx
                          unpacks its xz payload itself)
    build/linux/modules/  the modules dom0 loads (the /dev/xen drivers:
                          evtchn, gntdev, gntalloc, privcmd, xenfs; the
                          split-driver backends blkback and netback, loop
                          and bridge; QEMU's virtio PCI, disk and network
                          drivers) and the modules a domU loads (blkfront,
                          netfront, ext4), and the drivers of the
                          emulated and virtio devices the I/O benchmark's
                          fully virtualized guest has (scripts/bench-io.py:
                          PIIX IDE, SCSI disks, e1000, virtio; tun for
                          Xen's HVM device model in its dom0), with what
                          they depend on, uncompressed; `order`,
                          `order-domu`, `order-hvm` and
                          `order-xen-hvm-dom0` list each set in a valid
                          load order

The package is the one linux-image-amd64 currently depends on.  Idempotent.
"""
import lzma
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "linux")
# Bumped whenever what we keep from the package changes, to refetch.
LAYOUT = "modules-5"
# dom0: the drivers behind /dev/xen/{evtchn,gntdev,gntalloc,privcmd} and
# xenfs, the backends and what their devices sit on (loop images, a bridge),
# and QEMU's virtio disk and network devices that dom0 drives.
DOM0 = ("xen-evtchn", "xen-gntdev", "xen-gntalloc", "xen-privcmd", "xenfs", "xen-blkback",
        "xen-netback", "loop", "bridge", "virtio-pci", "virtio-blk", "virtio-net")
# A domU: the frontends and its root filesystem (ext4 checksums its metadata
# with crc32c, which it asks the crypto layer for by name, not by depends=).
DOMU = ("xen-blkfront", "xen-netfront", "crc32c-generic", "ext4")
# The I/O benchmark's guest on emulated devices (QEMU's PIIX IDE disk, seen
# through libata as a SCSI disk, and e1000) or virtio ones; sd_mod's CRC
# helper asks the crypto layer for crct10dif by name.
# Xen 4.17's dom0 running an HVM guest's device model: its emulated NIC is a
# tap device (scripts/mk-xen-dom0-initrd.py --hvm).
XEN_HVM_DOM0 = ("tun",)
HVM = ("ata-piix", "crct10dif-generic", "sd-mod", "e1000", "virtio-pci", "virtio-blk",
       "virtio-net")


def run(cmd, **kw):
    try:
        return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        sys.exit(f"fetch-linux: {' '.join(cmd)} failed: {exc}\n"
                 "  Is apt configured (run `apt-get update`) and are Debian's "
                 "package registries reachable?")


def modinfo_depends(data):
    """The depends= field of a module's .modinfo (what depmod reads)."""
    m = re.search(rb"(?:^|\0)depends=([^\0]*)", data)
    return [d for d in m.group(1).decode().split(",") if d] if m else []


def keep_modules(moddir, out):
    """Copy the DOM0, DOMU, HVM and XEN_HVM_DOM0 modules and their dependencies (uncompressed) to
    out, and write out/order, out/order-domu, out/order-hvm and
    out/order-xen-hvm-dom0, dependencies first.
    Built-in drivers are simply absent."""
    found = {}
    for dirpath, _, files in os.walk(moddir):
        for f in files:
            m = re.fullmatch(r"(.+)\.ko(\.xz)?", f)
            if m:
                found[m.group(1).replace("_", "-")] = os.path.join(dirpath, f)
    os.makedirs(out)

    def add(order, name, seen=()):
        name = name.replace("_", "-")
        if name in order or name not in found:
            return
        if name in seen:
            sys.exit(f"fetch-linux: module dependency loop at {name}")
        path = found[name]
        data = open(path, "rb").read()
        if path.endswith(".xz"):
            data = lzma.decompress(data)
        for dep in modinfo_depends(data):
            add(order, dep, seen + (name,))
        with open(os.path.join(out, name + ".ko"), "wb") as f:
            f.write(data)
        order.append(name)

    for wanted, listing in ((DOM0, "order"), (DOMU, "order-domu"), (HVM, "order-hvm"),
                            (XEN_HVM_DOM0, "order-xen-hvm-dom0")):
        order = []
        for name in wanted:
            add(order, name)
        with open(os.path.join(out, listing), "w") as f:
            f.write("".join(n + "\n" for n in order))


def main():
    deps = run(["apt-cache", "depends", "linux-image-amd64"])
    m = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)", deps)
    if not m:
        sys.exit("fetch-linux: cannot tell which kernel linux-image-amd64 depends on")
    pkg = m.group(1)
    stamp = os.path.join(OUT, "stamp")
    if os.path.exists(stamp) and open(stamp).read().split() == [pkg, LAYOUT]:
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
    keep_modules(os.path.join(OUT, "root", "lib", "modules"), os.path.join(OUT, "modules"))
    os.remove(os.path.join(OUT, deb))
    shutil.rmtree(os.path.join(OUT, "root"))
    with open(stamp, "w") as f:
        f.write(f"{pkg} {LAYOUT}\n")
    print(f"fetch-linux: {pkg} unpacked into build/linux")
    return 0


if __name__ == "__main__":
    sys.exit(main())
