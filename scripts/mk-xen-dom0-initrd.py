#!/usr/bin/env python3
"""Build the initramfs of a Xen 4.17 dom0 that runs Xen's own toolstack:

    mk-xen-dom0-initrd.py [--out build/xen-peer/initrd-xl.gz] [--init FILE]
                          [--add SRC:DEST ...] [--host PROGRAM[:DEST] ...]
                          [--hvm]

It is the reference pvx's xl-compatible toolstack is measured and checked
against (tests/linux/xl_scenario.py).  The archive holds:

  - busybox-static with a link for every applet (as scripts/mkinitramfs.py);
  - Debian's xl, xenstored (the C one), xenconsoled, xenconsole,
    xen-init-dom0 and libxl-save-helper (xl save and restore run it) from
    build/xen-peer/root (scripts/fetch-xen-peer.py) at
    Debian's paths (/usr/lib/xen-4.17/bin, with /usr/sbin links), and every
    shared library they load: DT_NEEDED is followed recursively, searching the
    unpacked Xen packages first and then the host's multiarch directories; the
    dynamic loader sits at its PT_INTERP path;
  - Debian's xenstore clients (/usr/bin/xenstore and its xenstore-* links);
  - what guests with disks and NICs need: Xen's hotplug scripts
    (/etc/xen/scripts from xen-utils-common: libxl runs block and vif-bridge
    itself, run_hotplug_scripts being on by default), and what they call
    that busybox lacks or does differently, from the host with their
    libraries: bash (the scripts are bash), flock (locking.sh; busybox has
    none) and util-linux's losetup (block's sharing check parses
    `losetup -a` in util-linux's format, and reads `losetup -h`); the rest
    (stat, readlink, expr index, ip, brctl, logger, which, awk) is
    busybox's, which does what the scripts ask of it;
  - /etc/xen/xl.conf (autoballoon off) and the domU config /etc/xen/debian.cfg;
  - the directories xl, libxl and the daemons write to;
  - the dom0 driver modules pvx's dom0 loads (build/linux/modules, `order`)
    in /lib/modules/dom0;
  - the domU's kernel (build/linux/vmlinuz) and initramfs in /var/lib/pvx-bench;
  - tests/linux/xen/xen-dom0-up.sh as /etc/xen-dom0-up.sh (and
    tests/linux/dom0-bridge.sh, which it sources, as /etc/dom0-bridge.sh),
    tests/linux/xl-scenario.sh as /usr/bin/xl-scenario, and /init
    (default tests/linux/xen/init-xl);
  - each --add SRC:DEST file (mode 0755), and each --host PROGRAM (a host
    program at DEST, by default its path on the host) with the libraries it
    loads;
  - with --hvm, what libxl needs to create HVM guests run by the upstream
    device model: Debian's qemu-system-xen (/usr/libexec/xen-qemu-system-i386,
    where Debian's libxl looks for it) with its libraries, hvmloader
    (/usr/lib/xen-4.17/boot), the BIOS libxl hands hvmloader
    (/usr/share/seabios/bios-256k.bin) and the files the device model loads
    (the option ROMs of direct kernel boot, the e1000's boot ROM, a VGA
    BIOS, the keymap libxl asks for) from the host's seabios,
    qemu-system-data and ipxe-qemu packages, at the same paths; and the tun
    module (the emulated NIC is a tap device the device model opens; the
    HVM init loads it) in /lib/modules/dom0, from build/linux/modules.

The domU's initramfs is the one pvx's dom0 carries (mkinitramfs.py's
build_domu_initrd: build/linux/initrd-domu.gz), so both peers boot the same
guest.
"""
import argparse
import gzip
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import mkinitramfs  # noqa: E402  (Cpio: the newc writer)
import hostbin  # noqa: E402

PEER = os.path.join(ROOT, "build", "xen-peer")
PEER_ROOT = os.path.join(PEER, "root")
LINUX = os.path.join(ROOT, "build", "linux")
XEN_BIN = "usr/lib/xen-4.17/bin"
# (name in XEN_BIN, also linked from /usr/sbin)
TOOLS = [("xl", True), ("xenstored", True), ("xenconsoled", True), ("xenconsole", False),
         ("xen-init-dom0", False), ("libxl-save-helper", False)]
LIBDIR = "usr/lib/x86_64-linux-gnu"
# Debian's xenstore clients: one program, named by argv[0].
XENSTORE_LINKS = ("chmod", "exists", "list", "ls", "read", "rm", "watch", "write")
# Host programs Xen's hotplug scripts need beyond busybox, at the paths
# the scripts' PATH finds before busybox's applets.
HOTPLUG_HOST = [("bash", "bin/bash"), ("flock", "usr/bin/flock"),
                ("losetup", "usr/sbin/losetup")]
HOTPLUG_SCRIPTS = "etc/xen/scripts"
# Loaded with dlopen(), so in no DT_NEEDED: glibc needs libgcc_s for
# pthread_cancel and thread exit (xl aborts without it).
DLOPENED = ["libgcc_s.so.1"]
SEARCH = [os.path.join(PEER_ROOT, "usr/lib/x86_64-linux-gnu"),
          os.path.join(PEER_ROOT, "lib/x86_64-linux-gnu"),
          "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"]
BENCH_DIR = "var/lib/pvx-bench"
DOMU_CFG_PATH = "etc/xen/debian.cfg"
DIRS = ["var", "var/lib", "var/lib/xen", "var/lib/xen/dump", "var/log", "var/log/xen",
        "var/log/xen/console", "var/lock", "run/xen", "run/xenstored", "run/lock",
        "run/xen-hotplug",
        "dev/pts", "usr/sbin", "usr/lib", "usr/lib/xen-4.17", XEN_BIN, LIBDIR, "lib",
        "lib64", "lib/modules", "lib/modules/dom0", "etc/xen", BENCH_DIR]

XL_CONF = """\
# xl's global configuration in the reference Xen dom0 (mk-xen-dom0-initrd.py).
# dom0 has a fixed size (dom0_mem=...): never balloon it down to make room.
autoballoon="off"
"""

DOMU_CFG = f"""\
# The Debian Linux domU both toolstacks create (tests/linux/xl-scenario.sh).
name = "debian"
type = "pv"
kernel = "/{BENCH_DIR}/vmlinuz"
ramdisk = "/{BENCH_DIR}/initrd-domu.gz"
memory = 128
vcpus = 1
extra = "console=hvc0"
"""


# --hvm: the device model (in build/xen-peer/root) and the firmware files
# (host paths, also their paths in the image).
DEVICE_MODEL = "usr/libexec/xen-qemu-system-i386"
HVMLOADER = "usr/lib/xen-4.17/boot/hvmloader"
HVM_FIRMWARE = ["/usr/share/seabios/bios-256k.bin", "/usr/share/seabios/vgabios-stdvga.bin",
                "/usr/share/qemu/linuxboot_dma.bin", "/usr/share/qemu/linuxboot.bin",
                "/usr/lib/ipxe/qemu/efi-e1000.rom",
                # libxl passes -k en-us: QEMU loads the keymap even without
                # a display.
                "/usr/share/qemu/keymaps/en-us"]
HVM_DOM0_MODULES = ["tun"]
HVM_MODULE_DIR = os.path.join(LINUX, "modules")

TESTGUEST = os.path.join(ROOT, "build", "testguest", "testguest")


def host_program(spec):
    """(host path, DEST) of a --host PROGRAM[:DEST] (hostbin's search)."""
    name, _, dest = spec.partition(":")
    try:
        path = hostbin.find(name)
    except hostbin.HostBinError as e:
        die(str(e))
    return path, (dest or path).strip("/")


def die(msg):
    sys.exit(f"mk-xen-dom0-initrd: {msg}")


class Elf:
    """The dynamic-linking facts of an x86-64 ELF file: PT_INTERP and the
    DT_NEEDED names (read through the PT_DYNAMIC segment, so stripped files
    work)."""

    def __init__(self, path):
        self.path = path
        data = open(path, "rb").read()
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            die(f"{path} is not a 64-bit little-endian ELF file")
        phoff, = struct.unpack_from("<Q", data, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
        loads, dynamic = [], None
        self.interp = None
        for i in range(phnum):
            p_type, _, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from(
                "<IIQQQQQQ", data, phoff + i * phentsize)
            if p_type == 1:  # PT_LOAD
                loads.append((p_vaddr, p_offset, p_filesz))
            elif p_type == 2:  # PT_DYNAMIC
                dynamic = (p_offset, p_filesz)
            elif p_type == 3:  # PT_INTERP
                self.interp = data[p_offset:p_offset + p_filesz].split(b"\0")[0].decode()
        self.needed = []
        if not dynamic:
            return
        entries, strtab = [], None
        for off in range(dynamic[0], dynamic[0] + dynamic[1], 16):
            tag, val = struct.unpack_from("<qQ", data, off)
            if tag == 0:
                break
            if tag == 5:  # DT_STRTAB
                strtab = val
            entries.append((tag, val))

        def file_offset(vaddr):
            for v, o, sz in loads:
                if v <= vaddr < v + sz:
                    return vaddr - v + o
            die(f"{path}: address {vaddr:#x} is in no PT_LOAD segment")

        base = file_offset(strtab)
        for tag, val in entries:
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", base + val)
                self.needed.append(data[base + val:end].decode())


def find_library(name):
    for d in SEARCH:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    die(f"library {name} not found in build/xen-peer/root nor on the host: add the Debian "
        "package that ships it to PACKAGES in scripts/fetch-xen-peer.py (or install it "
        "with apt-get), then run this again")


def library_closure(binaries):
    """{soname: path} of everything the binaries load, and the PT_INTERP
    path they share."""
    libs, todo, interps = {}, list(binaries), set()
    for name in DLOPENED:
        libs[name] = find_library(name)
        todo.append(libs[name])
    while todo:
        elf = Elf(todo.pop())
        if elf.interp:
            interps.add(elf.interp)
        for name in elf.needed:
            if name not in libs:
                libs[name] = find_library(name)
                todo.append(libs[name])
    if len(interps) != 1:
        die(f"expected one dynamic loader, found {sorted(interps) or 'none'}")
    return libs, interps.pop()


def hvm_modules():
    """{name: path} of HVM_DOM0_MODULES, kept in build/linux/modules by
    scripts/fetch-linux.py."""
    found = {m: os.path.join(HVM_MODULE_DIR, f"{m}.ko") for m in HVM_DOM0_MODULES}
    missing = [p for p in found.values() if not os.path.exists(p)]
    if missing:
        die(f"missing {', '.join(missing)}: run scripts/fetch-linux.py")
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(PEER, "initrd-xl.gz"))
    ap.add_argument("--init", default=os.path.join(ROOT, "tests", "linux", "xen", "init-xl"))
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST",
                    help="an extra file (mode 0755)")
    ap.add_argument("--host", action="append", default=[], metavar="PROGRAM[:DEST]",
                    help="a host program (with its libraries)")
    ap.add_argument("--hvm", action="store_true",
                    help="add the device model, hvmloader and firmware of HVM guests")
    args = ap.parse_args()
    adds = [tuple(spec.split(":", 1)) for spec in args.add]
    if any(len(a) != 2 for a in adds):
        ap.error("--add takes SRC:DEST")
    for fetch in ("fetch-xen-peer.py", "fetch-linux.py"):
        if subprocess.run([sys.executable, os.path.join(ROOT, "scripts", fetch)]).returncode:
            return 1
    tools = [(os.path.join(PEER_ROOT, XEN_BIN, t), t, link) for t, link in TOOLS]
    xenstore = os.path.join(PEER_ROOT, "usr/bin/xenstore")
    scripts = os.path.join(PEER_ROOT, HOTPLUG_SCRIPTS)
    host = [host_program(f"{n}:{d}") for n, d in HOTPLUG_HOST]
    host += [host_program(spec) for spec in args.host]
    hvm_bins = []
    if args.hvm:
        hvm_bins = [os.path.join(PEER_ROOT, DEVICE_MODEL)]
        hvm_mods = hvm_modules()
        for p in HVM_FIRMWARE:
            if not os.path.exists(p):
                die(f"missing {p}: install the host's seabios, qemu-system-data and ipxe-qemu "
                    "packages (scripts/install-deps.sh)")
    missing = [p for p, _, _ in tools if not os.path.exists(p)]
    missing += [os.path.join(PEER_ROOT, p) for p in ((DEVICE_MODEL, HVMLOADER) if args.hvm else ())
                if not os.path.exists(os.path.join(PEER_ROOT, p))]
    missing += [p for p in [xenstore, scripts] + [src for src, _ in adds] if not os.path.exists(p)]
    order = os.path.join(LINUX, "modules", "order")
    for p in (order, os.path.join(LINUX, "vmlinuz"), args.init, TESTGUEST,
              os.path.join(ROOT, "tests", "linux", "xen", "xen-dom0-up.sh"),
              os.path.join(ROOT, "tests", "linux", "dom0-bridge.sh"),
              os.path.join(ROOT, "tests", "linux", "xl-scenario.sh")):
        if not os.path.exists(p):
            missing.append(p)
    if missing:
        die("missing " + ", ".join(missing) + " (run make, scripts/fetch-xen-peer.py and "
            "scripts/fetch-linux.py)")
    # The same domU initramfs as pvx's dom0 carries.
    print("mk-xen-dom0-initrd: building the domU initramfs", flush=True)
    domu_initrd = mkinitramfs.build_domu_initrd()

    libs, interp = library_closure([p for p, _, _ in tools] + [xenstore] + [p for p, _ in host]
                                   + hvm_bins)
    programs = len(tools) + 1 + len(host) + len(hvm_bins)
    print(f"mk-xen-dom0-initrd: {programs} programs, {len(libs)} libraries: "
          + " ".join(sorted(libs)), flush=True)
    c = mkinitramfs.Cpio()
    mkinitramfs.busybox_base(c)
    c.add("init", 0o100755, open(args.init, "rb").read())
    for d in DIRS:
        c.add(d, 0o40755)
    c.add("var/run", 0o120777, b"../run")
    # Libraries under their sonames in one directory; the other multiarch
    # directory and the loader's PT_INTERP path point there.
    for name, path in sorted(libs.items()):
        c.add(f"{LIBDIR}/{name}", 0o100755, open(os.path.realpath(path), "rb").read())
    c.add("lib/x86_64-linux-gnu", 0o120777, b"../usr/lib/x86_64-linux-gnu")
    interp_name = os.path.basename(interp)
    if interp_name not in libs:
        c.add(f"{LIBDIR}/{interp_name}", 0o100755,
              open(os.path.realpath(find_library(interp_name)), "rb").read())
    if os.path.dirname(interp).strip("/") not in ("lib/x86_64-linux-gnu", LIBDIR):
        c.add(interp.strip("/"), 0o120777, f"/{LIBDIR}/{interp_name}".encode())
    for path, name, link in tools:
        c.add(f"{XEN_BIN}/{name}", 0o100755, open(path, "rb").read())
        if link:
            c.add(f"usr/sbin/{name}", 0o120777, f"../lib/xen-4.17/bin/{name}".encode())
    c.add("usr/bin/xenstore", 0o100755, open(xenstore, "rb").read())
    for n in XENSTORE_LINKS:
        c.add(f"usr/bin/xenstore-{n}", 0o120777, b"xenstore")
    # The hotplug scripts, and the host programs they need (bash at
    # /bin/bash, for their #! line; busybox's /bin has no bash applet).
    c.add(HOTPLUG_SCRIPTS, 0o40755)
    for name in sorted(os.listdir(scripts)):
        src = os.path.join(scripts, name)
        mode = 0o100755 if os.access(src, os.X_OK) else 0o100644
        c.add(f"{HOTPLUG_SCRIPTS}/{name}", mode, open(src, "rb").read())
    made = set(DIRS) | set(mkinitramfs.BASE_DIRS)

    def parents(dest):
        """Add DEST's missing parent directories (the kernel's unpacker
        creates none)."""
        parts = dest.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made:
                c.add(d, 0o40755)
                made.add(d)

    for path, dest in host:
        parents(dest)
        c.add(dest, 0o100755, open(os.path.realpath(path), "rb").read())
    if args.hvm:
        for path in hvm_bins:
            dest = os.path.relpath(path, PEER_ROOT)
            parents(dest)
            c.add(dest, 0o100755, open(path, "rb").read())
        parents(HVMLOADER)
        c.add(HVMLOADER, 0o100644, open(os.path.join(PEER_ROOT, HVMLOADER), "rb").read())
        for path in HVM_FIRMWARE:
            dest = path.strip("/")
            parents(dest)
            c.add(dest, 0o100644, open(os.path.realpath(path), "rb").read())
    for src, dest in adds:
        dest = dest.strip("/")
        parents(dest)
        c.add(dest, 0o100755, open(src, "rb").read())
    c.add("etc/xen/xl.conf", 0o100644, XL_CONF.encode())
    c.add(DOMU_CFG_PATH, 0o100644, DOMU_CFG.encode())
    c.add("etc/xen-dom0-up.sh", 0o100755,
          open(os.path.join(ROOT, "tests", "linux", "xen", "xen-dom0-up.sh"), "rb").read())
    c.add("etc/dom0-bridge.sh", 0o100755,
          open(os.path.join(ROOT, "tests", "linux", "dom0-bridge.sh"), "rb").read())
    c.add("usr/bin/xl-scenario", 0o100755,
          open(os.path.join(ROOT, "tests", "linux", "xl-scenario.sh"), "rb").read())
    modules = open(order).read().split()
    c.add("lib/modules/dom0/order", 0o100644, open(order, "rb").read())
    for m in modules:
        c.add(f"lib/modules/dom0/{m}.ko", 0o100644,
              open(os.path.join(LINUX, "modules", f"{m}.ko"), "rb").read())
    if args.hvm:
        # Loaded by the HVM init (tests/linux/xen/init-bench-io-hvm).
        for m, path in sorted(hvm_mods.items()):
            c.add(f"lib/modules/dom0/{m}.ko", 0o100644, open(path, "rb").read())
    c.add(f"{BENCH_DIR}/vmlinuz", 0o100644, open(os.path.join(LINUX, "vmlinuz"), "rb").read())
    c.add(f"{BENCH_DIR}/initrd-domu.gz", 0o100644, open(domu_initrd, "rb").read())
    # The PV test guest: the small kernel of the toolstack benchmark's
    # memory-per-domain run (scripts/bench-toolstack.py).
    c.add(f"{BENCH_DIR}/testguest", 0o100644, open(TESTGUEST, "rb").read())
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = f"{args.out}.{os.getpid()}.tmp"
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        f.write(c.finish())
    os.replace(tmp, args.out)
    print(f"mk-xen-dom0-initrd: wrote {os.path.relpath(args.out, ROOT)} "
          f"({os.path.getsize(args.out) // 1024} KiB)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
