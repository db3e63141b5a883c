#!/usr/bin/env python3
"""Restore on pvx a file saved by Xen 4.17's own `xl save` (issue 15's
stretch goal), and report how far it gets.

    xen-stream-on-pvx.py [--timeout SECONDS] [--pvx-only]

Two QEMU boots, one after the other (TCG):

 1. Debian's Xen 4.17 with a Linux dom0 running Debian's toolstack
    (scripts/mk-xen-dom0-initrd.py, with an init written by this script):
    it creates the small Debian domU of /etc/xen/debian.cfg counting on its
    console (`extra="console=hvc0 pvx.test=count"`), runs `xl -v save` on
    it, and writes the file with dd onto a raw virtio disk
    (build/xen-stream/disk.img): a 4 KiB header line
    `xen-stream SIZE MD5`, then the file.
 2. pvx with a Linux dom0 (scripts/mkinitramfs.py --dom0) and the same
    disk: dom0 copies the file out, checks its MD5, runs
    `xl -v restore FILE` (Xen's config is libxl JSON, which pvx does not
    read), then `xl -v restore /etc/pvx/debian-ramdisk.cfg FILE` (the same
    domU's pvx config), and, if that succeeds, watches whether the guest's
    count goes on.

The file is also kept as build/xen-stream/xen-debian.save and its records
are listed (parsed here, following Xen's libxl and libxc stream specs).
--pvx-only skips step 1 and restores what a previous run left on the disk.
Logs: build/xen-stream/{xen,pvx}-serial.log.  Exit status 0 when both
boots ran to their end (whatever the restore did), 1 otherwise.
"""
import argparse
import collections
import hashlib
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")  # Xen 4.17 needs TCG here
import qemu_harness as qh  # noqa: E402

OUT = os.path.join(ROOT, "build", "xen-stream")
LINUX = os.path.join(ROOT, "build", "linux")
PEER = os.path.join(ROOT, "build", "xen-peer")
DISK = os.path.join(OUT, "disk.img")
DISK_MIB = 256
SAVE = os.path.join(OUT, "xen-debian.save")
DOM0_CMDLINE = "console=hvc0 earlyprintk=xen"
DONE = "xen-stream: done"

INIT_HEAD = """#!/bin/busybox sh
# Written by scripts/xen-stream-on-pvx.py.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
dmesg -n 1
echo "xen-stream: init reached on $(cat /sys/hypervisor/type 2>/dev/null)"
say() { sed "s/^/xen-stream: $1: /"; }
waitfor() { n=0; while ! eval "$1" && [ $n -lt $2 ]; do sleep 1; n=$((n + 1)); done; eval "$1"; }
last_count() { grep -o 'pvx-domu: count [0-9]*' $LOG | tail -n 1 | awk '{print $3}'; }
"""

# On Xen: save the counting domU, put the file on /dev/vda.
XEN_INIT = INIT_HEAD + r"""
. /etc/xen-dom0-up.sh
xen_dom0_up | grep -v "module .* loaded"
LOG=/var/log/xen/console/guest-debian.log
xl create /etc/xen/debian.cfg 'extra="console=hvc0 pvx.test=count"' 2>&1 | say create
waitfor "grep -q 'pvx-domu: pattern' $LOG 2>/dev/null" 240
grep -E 'pvx-domu: (domid|pattern)' $LOG | tail -n 2 | say guest
echo "xen-stream: guest counts: $(last_count)"
xl list | say xl-list
xl -v save debian /tmp/debian.save >/tmp/save.out 2>&1
rc=$?
grep -v "Frames:" /tmp/save.out | say save
echo "xen-stream: xl save exit $rc, count $(last_count) at the save"
size=$(wc -c </tmp/debian.save 2>/dev/null || echo 0)
sum=$(md5sum </tmp/debian.save | cut -c1-32)
waitfor "[ -b /dev/vda ]" 20
echo "xen-stream $size $sum" | dd of=/dev/vda bs=4096 count=1 conv=sync 2>/dev/null
dd if=/tmp/debian.save of=/dev/vda bs=4096 seek=1 conv=fsync 2>&1 | say dd
sync
echo "xen-stream: file $size bytes md5 $sum written to /dev/vda"
echo "xen-stream: done"
poweroff -f
"""

# On pvx: take the file off /dev/vda and restore it.
PVX_INIT = INIT_HEAD + r"""
. /etc/dom0-up.sh
dom0_up | grep -v "module .* loaded"
LOG=/var/log/pvx/console/guest-debian.log
FILE=/var/lib/pvx/xen-debian.save
CFG=/etc/pvx/debian-ramdisk.cfg
waitfor "[ -b /dev/vda ]" 20
set -- $(dd if=/dev/vda bs=4096 count=1 2>/dev/null | head -n 1)
size=$2 sum=$3
dd if=/dev/vda bs=4096 skip=1 count=$(((size + 4095) / 4096)) 2>/dev/null | head -c "$size" >$FILE
got=$(md5sum <$FILE | cut -c1-32)
echo "xen-stream: copied $(wc -c <$FILE) bytes from /dev/vda, md5 $got (Xen wrote $sum)"
timeout 300 xl -v restore $FILE >/tmp/r1.out 2>&1
echo "xen-stream: xl -v restore FILE: exit $?"
say restore-file </tmp/r1.out
timeout 300 xl -v restore $CFG $FILE >/tmp/r2.out 2>&1
rc=$?
say restore </tmp/r2.out
echo "xen-stream: xl -v restore CONFIG FILE: exit $rc"
xl list | say xl-list
if [ $rc = 0 ]; then
    c0=$(last_count)
    waitfor "[ \"\$(last_count)\" -gt $((${c0:-0} + 5)) ] 2>/dev/null || ! xl domid debian >/dev/null 2>&1" 60
    n=$(xl list | grep -c debian) c1=$(last_count)
    echo "xen-stream: guest count after the restore: ${c0:-none} -> ${c1:-none} ($n listed)"
    say guest <$LOG
    xl list | say xl-list
fi
echo "xen-stream: done"
poweroff -f
"""


def step(msg):
    print(f"xen-stream-on-pvx: {msg}", flush=True)


def die(msg):
    step(f"ERROR: {msg}")
    sys.exit(1)


def run(cmd):
    if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
        die(f"{' '.join(cmd)} failed (see above)")


def boot(what, kernel, append, modules, timeout):
    """One QEMU boot with the disk; xen-stream: lines echoed as they come."""
    def show(line, secs):
        if line.startswith("xen-stream: "):
            print(f"  [{what} {secs:4.0f}s] {line[12:]}", flush=True)
        return line.startswith(DONE)
    step(f"booting {what} in QEMU ({qh.accelerator()}), up to {timeout} s")
    r = qh.boot(kernel=kernel, append=append, modules=modules, memory="1G", timeout=timeout,
                on_line=show, extra=("-drive", f"file={DISK},if=none,id=d0,format=raw",
                                     "-device", "virtio-blk-pci,drive=d0"))
    log = os.path.join(OUT, f"{what.split()[0].lower()}-serial.log")
    with open(log, "w") as f:
        f.write(r.output)
    step(f"{what}: {r.elapsed:.0f} s, serial log {os.path.relpath(log, ROOT)}")
    if not r.search(rf"^{DONE}"):
        die(f"{what} did not reach its end ({'timed out' if r.timed_out else 'stopped'}); "
            f"last lines:\n" + r.tail(20))
    return r


REC = {0: "END", 1: "PAGE_DATA", 2: "X86_PV_INFO", 3: "X86_PV_P2M_FRAMES",
       4: "X86_PV_VCPU_BASIC", 5: "X86_PV_VCPU_EXTENDED", 6: "X86_PV_VCPU_XSAVE",
       7: "SHARED_INFO", 8: "X86_TSC_INFO", 0xc: "X86_PV_VCPU_MSRS", 0xd: "VERIFY",
       0x10: "STATIC_DATA_END", 0x11: "X86_CPUID_POLICY", 0x12: "X86_MSR_POLICY"}
LIBXL_REC = {0: "END", 1: "LIBXC_CONTEXT", 2: "EMULATOR_XENSTORE_DATA",
             3: "EMULATOR_CONTEXT", 4: "CHECKPOINT_END"}


def describe(data):
    """Lines describing the file: its three layers and its records."""
    out = []
    magic, order, mand, opt, optlen = struct.unpack_from("<32sIIII", data, 0)
    out.append(f"xl header: magic {magic[:27].decode(errors='replace')!r}, mandatory flags "
               f"{mand:#x}, optional flags {opt:#x}, optional data {optlen} bytes")
    cfg_len, = struct.unpack_from("<I", data, 48)
    cfg = data[52:52 + cfg_len].rstrip(b"\0").decode(errors="replace")
    out.append(f"config ({cfg_len} bytes): {' '.join(cfg.split())[:150]}...")
    off = 48 + optlen
    ident, ver, opts = struct.unpack_from(">QII", data, off)
    out.append(f"libxl header: {ident.to_bytes(8, 'big')!r} version {ver} options {opts:#x}")
    off += 16
    libxl_recs, libxc = [], collections.Counter()
    types, pages, extra = collections.Counter(), 0, []
    while off + 8 <= len(data):
        rtype, length = struct.unpack_from("<II", data, off)
        libxl_recs.append(f"{LIBXL_REC.get(rtype, hex(rtype))}({length})")
        off += 8 + ((length + 7) & ~7)
        if rtype != 1:
            if rtype == 0:
                break
            continue
        _, ident, ver, opts = struct.unpack_from(">QIIH", data, off)
        dtype, shift, _, xmaj, xmin = struct.unpack_from("<IHHII", data, off + 24)
        out.append(f"libxc image header: version {ver} options {opts:#x}; domain type {dtype}, "
                   f"page shift {shift}, saved by Xen {xmaj}.{xmin}")
        off += 40
        while off + 8 <= len(data):
            rtype, length = struct.unpack_from("<II", data, off)
            body = data[off + 8:off + 8 + length]
            libxc[REC.get(rtype & 0x7fffffff, hex(rtype))] += 1
            if rtype == 1:
                n, = struct.unpack_from("<I", body, 0)
                for w in struct.unpack_from(f"<{n}Q", body, 8):
                    types[w >> 60] += 1
                pages += n
            elif rtype == 3:
                s, e = struct.unpack_from("<II", body, 0)
                extra.append(f"P2M_FRAMES: pfns {s}-{e}, {(length - 8) // 8} p2m frames")
            elif rtype == 2:
                extra.append(f"PV_INFO: guest width {body[0]}, {body[1]} levels")
            elif rtype == 8:
                mode, khz = struct.unpack_from("<II", body, 0)
                extra.append(f"TSC_INFO: mode {mode}, {khz} kHz")
            elif rtype in (5, 6, 0xc):
                extra.append(f"{REC[rtype]}: vCPU {struct.unpack_from('<I', body)[0]}, "
                             f"{length - 8} bytes")
            off += 8 + ((length + 7) & ~7)
            if rtype == 0:
                break
    out.append("libxl records: " + " ".join(libxl_recs))
    out.append("libxc records: " + ", ".join(f"{k} x{v}" for k, v in libxc.items()))
    out += extra
    out.append(f"PAGE_DATA: {pages} pfn entries, by type: "
               + ", ".join(f"{t:#x}: {n}" for t, n in sorted(types.items())))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=int, default=900, help="per boot (s)")
    ap.add_argument("--pvx-only", action="store_true",
                    help="skip the Xen boot: restore the file a previous run left on the disk")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    step("fetching Xen 4.17 and Debian's kernel, building both dom0 initramfs images")
    for name, text in (("init-xen-save", XEN_INIT), ("init-pvx-restore", PVX_INIT)):
        with open(os.path.join(OUT, name), "w") as f:
            f.write(text)
    xen_initrd = os.path.join(OUT, "initrd-xen-save.gz")
    pvx_initrd = os.path.join(OUT, "initrd-pvx-restore.gz")
    run(["scripts/fetch-linux.py"])
    if not args.pvx_only:
        run(["scripts/mk-xen-dom0-initrd.py", "--init", os.path.join(OUT, "init-xen-save"),
             "--out", xen_initrd])
    run(["scripts/mkinitramfs.py", "--dom0", "--init", os.path.join(OUT, "init-pvx-restore"),
         "--out", pvx_initrd])
    pvx = os.environ.get("PVX_BINARY") or os.path.join(ROOT, "build", "hypervisor", "pvx")
    if not os.path.exists(pvx):
        die(f"{pvx} missing: run make first")
    if not args.pvx_only:
        with open(DISK, "wb") as f:
            f.truncate(DISK_MIB << 20)
        boot("Xen 4.17", os.path.join(PEER, "xen-4.17-amd64"),
             "console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 "
             "noreboot=false",
             [f"{LINUX}/vmlinuz linux {DOM0_CMDLINE}", f"{xen_initrd} initrd"], args.timeout)
    if not os.path.exists(DISK):
        die(f"{os.path.relpath(DISK, ROOT)} missing: run without --pvx-only first")
    with open(DISK, "rb") as f:
        head = f.read(4096).split(b"\n")[0].split()
        if len(head) != 3 or head[0] != b"xen-stream" or not int(head[1]):
            die(f"no saved file on {os.path.relpath(DISK, ROOT)} (header {head!r}): "
                "xl save failed on Xen, see the lines above")
        data = f.read(int(head[1]))
    if hashlib.md5(data).hexdigest() != head[2].decode():
        die("the file read back from the disk image does not match its MD5")
    with open(SAVE, "wb") as f:
        f.write(data)
    step(f"Xen's file: {os.path.relpath(SAVE, ROOT)}, {len(data)} bytes, md5 {head[2].decode()}")
    for line in describe(data):
        step("  " + line)

    r = boot("pvx", pvx, "dom0_mem=512M",
             [f"{LINUX}/vmlinuz {DOM0_CMDLINE}", f"{pvx_initrd} initrd"], args.timeout)
    step("summary (the whole guest console is in the pvx serial log):")
    for line in r.output.splitlines():
        if line.startswith(("xen-stream: restore", "xen-stream: xl -v restore",
                            "xen-stream: guest count", "xen-stream: copied")) or (
                line.startswith("xen-stream: guest: ") and re.search(
                    r"panic|Oops|BUG|invalid opcode|MSR access error|RIP:|count \d", line)):
            print("  " + line[12:])
    for line in r.output.splitlines():
        if re.match(r"^domain \d+ \(debian\): (shut down|destroyed)", line):
            print("  pvx: " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
