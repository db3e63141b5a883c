#!/usr/bin/env python3
"""Build a bootable Debian 12 (bookworm) amd64 disk image with pvx installed
from its packages, for `make test-install` (tests/install/test_install.py).

    mkimage-debian.py [--out build/install/debian-pvx.img] [--force] [--sources FILE]

What it does (docs/install.md, "The disk-image test"):

 1. mmdebstrap (root mode, into a directory) installs a minimal Debian 12
    from the registry this machine's apt uses (/etc/apt/sources.list.d/
    debian.sources or /etc/apt/sources.list): systemd, udev, Debian's
    kernel (the very package build/linux holds, build/linux/stamp), busybox,
    e2fsprogs and GRUB (grub-pc).
 2. Inside that chroot, apt installs build/deb/pvx-hypervisor_*.deb and
    pvx-utils_*.deb: their maintainer scripts run, and the package's
    postinst runs update-grub, which writes the "with pvx" entries into
    /boot/grub/grub.cfg.  grub-probe cannot see a disk from a chroot, so a
    stand-in (dpkg-divert) answers for the disk the image will be: virtio
    disk /dev/vda, partition 1, ext4 with the UUID chosen here.  Then, as
    docs/install.md tells an administrator, PVX_OVERRIDE_GRUB_DEFAULT=1 in
    /etc/default/grub.d/pvx.cfg and update-grub make the pvx entry GRUB's
    default.
 3. A domU to start with the host: /etc/pvx/auto/hello.cfg, the image's own
    Debian kernel with the small busybox initramfs of the Linux tests
    (build/linux/initrd-domu.gz, tests/linux/domu/).  The test's units and
    check script (tests/install/) and, for the install/upgrade/remove cycle
    the test runs inside the image, the packages again and a higher-version
    build of them (mkdeb.py --version VERSION+test1) under
    /var/cache/pvx-test/.
 4. The disk: an MBR partition table with one bootable partition at 1 MiB,
    an ext4 file system made from the directory by `mkfs.ext4 -d` (no loop
    device, no mount), and GRUB's boot code: boot.img in the MBR, core.img
    (grub-mkimage: biosdisk, part_msdos, ext2) in the gap before the
    partition, its modules in /boot/grub/i386-pc, as grub-install does.

The result is kept with a key (a hash of every input: the packages, the
kernel package's name, the domU initramfs, tests/install/, this script):
a second run with the same inputs does nothing.  --force rebuilds.
Progress goes to stdout; mmdebstrap's own output to build/install/debian-pvx-mmdebstrap.log
(beside the image).
Runs as root (mmdebstrap's root mode, chroot, file ownership in the image).
"""
import argparse
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
OUTDIR = os.path.join(BUILD, "install")
TESTS = os.path.join(ROOT, "tests", "install")
SUITE = "bookworm"
# What the image has besides mmdebstrap's minbase variant (the kernel is
# added by name, the one build/linux holds).
PACKAGES = ["systemd", "systemd-sysv", "udev", "dbus", "initramfs-tools", "kmod", "busybox",
            "e2fsprogs", "procps", "grub-pc", "less"]
# The dom0 initramfs: Debian's initramfs-tools with only what this disk
# needs (MODULES=list), so GRUB loads and Linux unpacks a small one under TCG.
INITRAMFS_MODULES = ["virtio_pci", "virtio_blk", "ext4", "crc32c_generic"]
PART_START = 2048  # sectors: the partition at 1 MiB, core.img in the gap before it
DISK_DEVICE = "/dev/vda"  # what dom0's Linux calls the disk (QEMU virtio-blk)
START = time.monotonic()


def say(msg):
    print(f"mkimage-debian: [{time.monotonic() - START:5.0f} s] {msg}", flush=True)


def die(msg):
    sys.exit(f"mkimage-debian: error: {msg}")


def run(cmd, log=None, **kw):
    """Run cmd; its output goes to log (appended) or is returned."""
    if log:
        with open(log, "a") as f:
            f.write(f"\n$ {' '.join(cmd)}\n")
            f.flush()
            r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw)
        if r.returncode:
            tail = open(log, errors="replace").read().splitlines()[-25:]
            die(f"{' '.join(cmd[:3])} ... failed (status {r.returncode}); the end of "
                f"{os.path.relpath(log, ROOT)}:\n  " + "\n  ".join(tail))
        return ""
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        die(f"{' '.join(cmd)} failed (status {r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def chroot(rootfs, cmd, log, env=None):
    e = dict(PATH="/usr/sbin:/usr/bin:/sbin:/bin", HOME="/root", LC_ALL="C.UTF-8",
             DEBIAN_FRONTEND="noninteractive", DEBCONF_NONINTERACTIVE_SEEN="true")
    e.update(env or {})
    return run(["chroot", rootfs] + cmd, log=log, env=e)


def host_sources(given=None):
    """The apt sources this machine uses, or the file given (mmdebstrap pastes
    it into the image's apt configuration)."""
    if given:
        if not os.path.isfile(given):
            die(f"--sources {given}: no such file (an apt sources.list or .sources file)")
        return os.path.abspath(given)
    for p in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        if os.path.exists(p) and re.search(r"^\s*(Types:\s*deb|deb\s)", open(p).read(), re.M):
            return p
    die("no Debian apt sources on this machine (/etc/apt/sources.list.d/debian.sources "
        "or /etc/apt/sources.list): configure apt to reach Debian's registry")


def kernel_package():
    stamp = os.path.join(BUILD, "linux", "stamp")
    if not os.path.exists(stamp):
        die("build/linux/stamp is missing: run scripts/fetch-linux.py (make does)")
    return open(stamp).read().split()[0]


def inputs(args):
    """The files the image is made from, checked, and their hash (the cache key)."""
    version = re.search(r'#define\s+PVX_VERSION_STR\s+"([^"]+)"',
                        open(os.path.join(ROOT, "hypervisor/include/pvx/version.h")).read()).group(1)
    debs = [os.path.join(BUILD, "deb", f"pvx-{p}_{version}_amd64.deb")
            for p in ("hypervisor", "utils")]
    domu = os.path.join(BUILD, "linux", "initrd-domu.gz")
    files = debs + [domu, os.path.abspath(__file__)] + sorted(glob.glob(os.path.join(TESTS, "image", "*")))
    missing = [f for f in files if not os.path.exists(f)]
    if missing:
        die("missing " + ", ".join(os.path.relpath(m, ROOT) for m in missing) +
            ": run `make deb` and `make` first (make test-install does both)")
    h = hashlib.sha256()
    for f in files:
        data = open(f, "rb").read()
        if f.endswith(".gz"):
            data = gzip.decompress(data)  # not gzip's time stamp
        h.update(os.path.relpath(f, ROOT).encode() + b"\0" + data)
    h.update(" ".join([kernel_package(), SUITE] + PACKAGES + INITRAMFS_MODULES).encode())
    return version, debs, domu, h.hexdigest()


def bumped_debs(version, work):
    """The packages again at a higher version, for the upgrade inside the image."""
    nxt = f"{version}+test1"
    out = os.path.join(work, "deb-next")
    run([sys.executable, os.path.join(ROOT, "scripts", "mkdeb.py"), "--out", out,
         "--version", nxt])
    return nxt, [os.path.join(out, f"pvx-{p}_{nxt}_amd64.deb") for p in ("hypervisor", "utils")]


def mmdebstrap(rootfs, kpkg, work, log, sources=None):
    if not shutil.which("mmdebstrap"):
        die("mmdebstrap is not installed: run scripts/install-deps.sh")
    src = host_sources(sources)
    say(f"mmdebstrap: Debian {SUITE} with {kpkg}, systemd, GRUB from the registry in {src} "
        f"(about 250 MB to download; 3-10 minutes; log in {os.path.relpath(log, ROOT)})")
    mods = " ".join(INITRAMFS_MODULES)
    essential = (
        # Before the kernel is installed: its initramfs holds only this disk's drivers.
        'mkdir -p "$1/etc/initramfs-tools/conf.d" && '
        'echo MODULES=list > "$1/etc/initramfs-tools/conf.d/pvx-image.conf" && '
        f'for m in {mods}; do echo $m; done >> "$1/etc/initramfs-tools/modules" && '
        # grub-pc's postinst: no device to install to in a chroot (done here, by hand).
        'echo "grub-pc grub-pc/install_devices_empty boolean true" | chroot "$1" debconf-set-selections')
    # The rest runs in the chroot while mmdebstrap still has /proc, /dev and
    # apt's lists there: this script again, as the customize hook.
    hook = f'{sys.executable} {os.path.abspath(__file__)} --customize-hook {work} "$1"'
    cmd = ["mmdebstrap", "--mode=root", "--variant=minbase", "--format=directory",
           "--include=" + ",".join(PACKAGES + [kpkg]),
           "--essential-hook=" + essential, "--customize-hook=" + hook,
           SUITE, rootfs, src]
    t = time.monotonic()
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
        last, seen = time.monotonic(), 0
        while p.poll() is None:
            time.sleep(2)
            lines = open(log, errors="replace").read().splitlines()
            # The hook's progress lines as they come, mmdebstrap's every 30 s.
            for line in lines[seen:]:
                if line.startswith("mkimage-debian: "):
                    print(line, flush=True)
                    last = time.monotonic()
            seen = len(lines)
            if time.monotonic() - last >= 30:
                last = time.monotonic()
                now = lines[-1][:100] if lines else ""
                say(f"mmdebstrap: {time.monotonic() - t:.0f} s ... {now}")
    if p.returncode:
        text = open(log, errors="replace").read()
        hint = ""
        if re.search(r"Could not resolve|Temporary failure|Failed to fetch|Unable to connect|"
                     r"Connection failed|could not download", text):
            hint = ("\n  Debian's registry could not be reached: check the network and the apt "
                    f"sources in {src} (`apt-get update` must work on this machine).")
        tail = "\n  ".join(text.splitlines()[-20:])
        die(f"mmdebstrap failed (status {p.returncode}); the end of "
            f"{os.path.relpath(log, ROOT)}:\n  {tail}{hint}")
    say(f"mmdebstrap: done in {time.monotonic() - t:.0f} s")


GRUB_PROBE_STANDIN = """#!/bin/sh
# Stand-in for grub-probe while mkimage-debian.py builds this image in a
# chroot (it sees no disk there): / and /boot are the first partition of
# the virtio disk, ext4, filesystem UUID {uuid}.  Removed afterwards.
for a in "$@"; do
    case "$a" in
    --target=device) echo {part} ;;
    --target=disk) echo {disk} ;;
    --target=fs) echo ext2 ;;
    --target=fs_uuid) echo {uuid} ;;
    --target=partmap) echo msdos ;;
    --target=drive) echo '(hd0,msdos1)' ;;
    --target=compatibility_hint) echo hd0,msdos1 ;;
    --target=hints_string) echo '--hint-bios=hd0,msdos1 --hint=hd0,msdos1' ;;
    --target=abstraction | --target=partuuid | --target=cryptodisk_uuid | --target=msdos_parttype) ;;
    --target=*) echo "grub-probe stand-in: $a not known" >&2; exit 1 ;;
    esac
done
exit 0
"""


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def customize(rootfs, fs_uuid, version, debs, nxt, next_debs, domu, kpkg, log):
    """Install the packages with apt in the chroot, GRUB's files, the domU
    and the test's units."""
    part = DISK_DEVICE + "1"
    kver = kpkg[len("linux-image-"):]
    # The disk as grub-mkconfig would see it on the booted system.
    chroot(rootfs, ["dpkg-divert", "--local", "--rename", "--add", "/usr/sbin/grub-probe"], log)
    write(f"{rootfs}/usr/sbin/grub-probe",
          GRUB_PROBE_STANDIN.format(uuid=fs_uuid, part=part, disk=DISK_DEVICE), 0o755)
    # udev's link and the partition it names, so 20_linux_pvx and 10_linux
    # put root=UUID=... (both removed below; mmdebstrap's /dev in the
    # chroot is a directory of the image, with single nodes bind-mounted).
    os.makedirs(f"{rootfs}/dev/disk/by-uuid", exist_ok=True)
    open(f"{rootfs}{part}", "w").close()
    os.symlink(f"../../{part[5:]}", f"{rootfs}/dev/disk/by-uuid/{fs_uuid}")
    # GRUB's settings for this image: the serial line (QEMU's only console),
    # a short menu timeout, systemd's progress on the console.
    write(f"{rootfs}/etc/default/grub.d/50-pvx-image.cfg",
          "# pvx disk image (scripts/mkimage-debian.py): GRUB and the consoles on the\n"
          "# serial line, systemd's progress shown.  Linux without pvx uses COM1\n"
          "# (ttyS0); dom0 on pvx must not name it (pvx drives COM1; dom0's console\n"
          "# is hvc0, GRUB_CMDLINE_LINUX_PVX in pvx.cfg), hence the _PVX_DEFAULT.\n"
          'GRUB_TERMINAL="serial"\n'
          'GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"\n'
          "GRUB_TIMEOUT=2\n"
          'GRUB_CMDLINE_LINUX="systemd.show_status=1"\n'
          'GRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0,115200 quiet"\n'
          'GRUB_CMDLINE_LINUX_PVX_DEFAULT="quiet"\n')
    # GRUB's modules where core.img looks for them (grub-install's copy).
    os.makedirs(f"{rootfs}/boot/grub/i386-pc", exist_ok=True)
    for f in glob.glob(f"{rootfs}/usr/lib/grub/i386-pc/*"):
        if f.endswith((".mod", ".lst", ".o")) or os.path.basename(f) in ("modinfo.sh",):
            shutil.copy(f, f"{rootfs}/boot/grub/i386-pc/")
    write(f"{rootfs}/etc/fstab", f"UUID={fs_uuid} / ext4 errors=remount-ro 0 1\n")
    write(f"{rootfs}/etc/hostname", "pvx-host\n")
    write(f"{rootfs}/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 pvx-host\n")

    say(f"apt-get install ./pvx-hypervisor_{version}_amd64.deb ./pvx-utils_{version}_amd64.deb "
        "in the image (maintainer scripts, update-grub)")
    cache = f"{rootfs}/var/cache/pvx-test"
    for sub, files in (("v1", debs), ("v2", next_debs)):
        os.makedirs(f"{cache}/{sub}", exist_ok=True)
        for d in files:
            shutil.copy(d, f"{cache}/{sub}/")
    chroot(rootfs, ["apt-get", "install", "-y", "--no-install-recommends"] +
           [f"/var/cache/pvx-test/v1/{os.path.basename(d)}" for d in debs], log)
    cfg = open(f"{rootfs}/boot/grub/grub.cfg").read() if os.path.exists(
        f"{rootfs}/boot/grub/grub.cfg") else ""
    n = len(re.findall(r"^\s*menuentry 'Debian GNU/Linux, with pvx", cfg, re.M))
    if not n:
        die("the package's update-grub wrote no 'with pvx' entry into /boot/grub/grub.cfg "
            f"(see {os.path.relpath(log, ROOT)})")
    say(f"update-grub (pvx-hypervisor's postinst) wrote {n} 'with pvx' entries")
    m = re.search(r"^\s*module2 /boot/vmlinuz-\S+ \S+ (.*)$", cfg, re.M)
    if not m or f"root=UUID={fs_uuid}" not in m.group(1) or "ttyS0" in m.group(1):
        die("the pvx entry's dom0 command line is not root=UUID=... without ttyS0: "
            f"{m.group(1) if m else 'no module2 line'}")
    say(f"dom0's command line: {m.group(1)}")
    # As docs/install.md says: make the pvx entry GRUB's default.
    pvxcfg = f"{rootfs}/etc/default/grub.d/pvx.cfg"
    text = open(pvxcfg).read()
    if "PVX_OVERRIDE_GRUB_DEFAULT=0" not in text:
        die(f"{pvxcfg} has no PVX_OVERRIDE_GRUB_DEFAULT=0 line to change")
    write(pvxcfg, text.replace("PVX_OVERRIDE_GRUB_DEFAULT=0", "PVX_OVERRIDE_GRUB_DEFAULT=1"))
    chroot(rootfs, ["update-grub"], log)
    cfg = open(f"{rootfs}/boot/grub/grub.cfg").read()
    if 'set default="Debian GNU/Linux, with pvx"' not in cfg:
        die("PVX_OVERRIDE_GRUB_DEFAULT=1 did not make the pvx entry the default")
    say("the pvx entry is GRUB's default")

    # The domU that starts with the host.
    img = f"{rootfs}/var/lib/pvx/images"
    os.makedirs(img, exist_ok=True)
    shutil.copy(domu, f"{img}/initrd-domu.gz")
    write(f"{rootfs}/etc/pvx/auto/hello.cfg",
          "# A small Debian Linux domU that starts with the host (pvx-domains.service):\n"
          "# this system's own kernel with a busybox initramfs (tests/linux/domu/), no\n"
          "# devices.  It writes data/hello into its xenstore home once it runs.\n"
          'name = "hello"\n'
          'type = "pv"\n'
          f'kernel = "/boot/vmlinuz-{kver}"\n'
          'ramdisk = "/var/lib/pvx/images/initrd-domu.gz"\n'
          'extra = "console=hvc0"\n'
          "memory = 128\n"
          "vcpus = 1\n"
          'on_poweroff = "destroy"\n'
          'on_reboot = "destroy"\n'
          'on_crash = "destroy"\n')
    if not os.path.exists(f"{rootfs}/boot/vmlinuz-{kver}"):
        die(f"the image has no /boot/vmlinuz-{kver}")

    # The test's check script and units (tests/install/image/).
    src = os.path.join(TESTS, "image")
    shutil.copy(f"{src}/pvx-install-check", f"{rootfs}/usr/local/sbin/pvx-install-check")
    os.chmod(f"{rootfs}/usr/local/sbin/pvx-install-check", 0o755)
    for u in glob.glob(f"{src}/*.service"):
        shutil.copy(u, f"{rootfs}/etc/systemd/system/")
    write(f"{cache}/versions", f"V1={version}\nV2={nxt}\n")
    chroot(rootfs, ["systemctl", "enable"] + [os.path.basename(u) for u in glob.glob(f"{src}/*.service")], log)
    # Root logs in on the consoles without a password (a test machine).
    chroot(rootfs, ["passwd", "-d", "root"], log)

    # Undo the build-time stand-ins.
    os.remove(f"{rootfs}/usr/sbin/grub-probe")
    chroot(rootfs, ["dpkg-divert", "--local", "--rename", "--remove", "/usr/sbin/grub-probe"], log)
    shutil.rmtree(f"{rootfs}/dev/disk")
    os.remove(f"{rootfs}{part}")


def grub_boot_code(rootfs, log):
    """boot.img and core.img (made by the image's own grub-mkimage)."""
    chroot(rootfs, ["grub-mkimage", "-O", "i386-pc", "-o", "/boot/grub/i386-pc/core.img",
                    "-p", "(hd0,msdos1)/boot/grub", "biosdisk", "part_msdos", "ext2"], log)
    core = os.path.getsize(f"{rootfs}/boot/grub/i386-pc/core.img")
    if core > (PART_START - 1) * 512:
        die(f"core.img ({core} bytes) does not fit before the partition")


def make_disk(out, rootfs, fs_uuid, boot, core, log):
    if len(boot) != 512:
        die("boot.img is not one sector")
    used = int(run(["du", "-sxk", rootfs]).split()[0])
    # Room for the upgrade and the journal: used + 50% + 512 MiB, in MiB.
    fs_mib = (used * 3 // 2) // 1024 + 512
    size = PART_START * 512 + fs_mib * 1024 * 1024
    say(f"disk: {size >> 20} MiB raw, ext4 of {fs_mib} MiB from {used >> 10} MiB of files "
        "(mkfs.ext4 -d)")
    tmp = out + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    with open(tmp, "wb") as f:
        f.truncate(size)
    run(["mkfs.ext4", "-q", "-F", "-L", "pvx-root", "-U", fs_uuid, "-d", rootfs,
         "-E", f"offset={PART_START * 512}", tmp, f"{fs_mib}M"], log=log)
    # MBR: boot.img's code (up to the disk signature), one bootable Linux
    # partition, the boot signature.  The jump over the boot drive check is
    # made two NOPs, as grub-bios-setup does for a hard disk.
    sectors = fs_mib * 2048
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x83, b"\xfe\xff\xff",
                        PART_START, sectors)
    mbr = bytearray(boot[:0x1b8])
    mbr[0x66:0x68] = b"\x90\x90"
    mbr += struct.pack("<I", int(fs_uuid.replace("-", "")[:8], 16)) + b"\0\0"
    mbr += entry + bytes(48) + b"\x55\xaa"
    # core.img from sector 1: its first sector (diskboot) loads the rest from
    # sector 2 on (grub-mkimage filled in the length).
    start, length = struct.unpack_from("<QH", core, 0x200 - 12)
    if start != 2 or length != (len(core) + 511) // 512 - 1:
        die(f"core.img's block list is start {start} length {length}: not the one "
            "this script expects (a GRUB of another layout?)")
    with open(tmp, "r+b") as f:
        f.write(mbr)
        f.seek(512)
        f.write(core)
    os.replace(tmp, out)


def remove_work(work):
    """Delete the work directory, unless something is still mounted in it
    (an mmdebstrap that was killed leaves /proc, /sys and /dev nodes bound
    there: deleting through them would reach the host's)."""
    if not os.path.exists(work):
        return
    inside = [line.split()[1] for line in open("/proc/mounts")
              if line.split()[1].startswith(os.path.realpath(work) + "/")]
    if inside:
        die(f"{os.path.relpath(work, ROOT)} still has mounts ({', '.join(inside[:4])}...): "
            "unmount them (umount -R) and delete it by hand")
    shutil.rmtree(work)


def customize_hook(work, rootfs):
    """mmdebstrap's customize hook: customize() with main()'s parameters."""
    global START
    p = json.load(open(os.path.join(work, "params.json")))
    START = time.monotonic() - (time.time() - p["t0"])  # main()'s clock
    customize(rootfs, p["uuid"], p["version"], p["debs"], p["next"], p["next_debs"], p["domu"],
              p["kpkg"], p["log"])
    grub_boot_code(rootfs, p["log"])
    say("customize hook done")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(OUTDIR, "debian-pvx.img"))
    ap.add_argument("--force", action="store_true", help="rebuild even when the inputs are the same")
    ap.add_argument("--sources", metavar="FILE",
                    help="apt sources for mmdebstrap (default: this machine's)")
    ap.add_argument("--customize-hook", nargs=2, metavar=("WORK", "ROOTFS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.customize_hook:
        return customize_hook(*args.customize_hook)
    args.out = os.path.abspath(args.out)
    if os.geteuid() != 0:
        die("run as root (mmdebstrap's root mode, chroot, and the files' owners in the image)")
    version, debs, domu, key = inputs(args)
    keyfile = args.out + ".key"
    if (not args.force and os.path.exists(args.out) and os.path.exists(keyfile)
            and open(keyfile).read().strip() == key):
        say(f"{os.path.relpath(args.out, ROOT)} is up to date (key {key[:12]})")
        return 0
    for tool in ("chroot", "mkfs.ext4"):
        if not shutil.which(tool):
            die(f"{tool} is not installed: run scripts/install-deps.sh")
    work = args.out + ".work"
    remove_work(work)
    os.makedirs(work)
    log = os.path.splitext(args.out)[0] + "-mmdebstrap.log"
    open(log, "w").close()
    rootfs = os.path.join(work, "rootfs")
    kpkg = kernel_package()
    fs_uuid = str(uuid.UUID(key[:32]))
    nxt, next_debs = bumped_debs(version, work)
    with open(os.path.join(work, "params.json"), "w") as f:
        json.dump(dict(uuid=fs_uuid, version=version, debs=debs, next=nxt, next_debs=next_debs,
                       domu=domu, kpkg=kpkg, log=log, t0=time.time() - (time.monotonic() - START)), f)
    mmdebstrap(rootfs, kpkg, work, log, args.sources)
    boot = open(f"{rootfs}/usr/lib/grub/i386-pc/boot.img", "rb").read()
    core = open(f"{rootfs}/boot/grub/i386-pc/core.img", "rb").read()
    make_disk(args.out, rootfs, fs_uuid, boot, core, log)
    with open(keyfile, "w") as f:
        f.write(key + "\n")
    remove_work(work)
    say(f"{os.path.relpath(args.out, ROOT)} is ready (key {key[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
