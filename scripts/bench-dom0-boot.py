#!/usr/bin/env python3
"""Wall time from QEMU start to dom0's /init: pvx against Xen 4.17 with the
same Debian kernel (its vmlinuz), busybox initramfs, CPU model, memory and
accelerator, alternating runs.  Also pvx's own time before it jumps to dom0.

    bench-dom0-boot.py [--runs N] [--write-doc]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")  # Xen 4.17, the peer, needs it; same for both
import qemu_harness as qh  # noqa: E402

LINUX = os.path.join(ROOT, "build", "linux")
CMDLINE = "console=hvc0 earlyprintk=xen"
XEN_APPEND = ("console=com1 com1=115200,8n1 dom0_mem=256M,max:256M dom0_max_vcpus=1 "
              "noreboot=false")
INIT = r"pvx-dom0: init reached"
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- bench-dom0-boot.py -->", "<!-- /bench-dom0-boot.py -->"


def boot(hv):
    kernel = os.path.join(ROOT, "build", "hypervisor", "pvx") if hv == "pvx" else \
        os.path.join(ROOT, "build", "xen-peer", "xen-4.17-amd64")
    append = "dom0_mem=256M" if hv == "pvx" else XEN_APPEND
    r = qh.boot(kernel=kernel, append=append, memory="512M", timeout=300,
                modules=[f"{LINUX}/vmlinuz linux {CMDLINE}", f"{LINUX}/initrd-boot.gz initrd"],
                first_line=INIT, stop_on=r"pvx-dom0: done")
    pre = None
    m = r.search(r"pvx: boot complete in (\d+) ms, starting dom0")
    if m:
        pre = int(m.group(1)) / 1000
    return r.first_line_at, pre


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write-doc", action="store_true")
    args = ap.parse_args()
    for cmd in (["scripts/fetch-xen-peer.py"], ["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--init", "tests/linux/init-boot", "--out",
                 os.path.join(LINUX, "initrd-boot.gz")]):
        if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
            return 1
    times = {"pvx": [], "xen": []}
    pre = []
    for i in range(args.runs):
        for hv in ("pvx", "xen"):
            t, p = boot(hv)
            print(f"bench-dom0-boot: run {i + 1}/{args.runs} {hv}: "
                  f"{'no /init' if t is None else f'/init at {t:.2f} s'}", flush=True)
            if t is None:
                return 1
            times[hv].append(t)
            if p is not None:
                pre.append(p)
    pm, xm = statistics.median(times["pvx"]), statistics.median(times["xen"])
    table = "\n".join([
        "| | pvx | Xen 4.17 | pvx/Xen |",
        "|---|---|---|---|",
        f"| QEMU start to dom0 /init (median of {args.runs}) | {pm:.2f} s | {xm:.2f} s | "
        f"{pm / xm:.2f} |",
        f"| spread (min-max) | {min(times['pvx']):.2f}-{max(times['pvx']):.2f} s | "
        f"{min(times['xen']):.2f}-{max(times['xen']):.2f} s | |",
        f"| hypervisor's own boot before dom0 runs | {statistics.median(pre):.2f} s | - | |",
    ])
    print(table)
    print(f"accelerator: {qh.accelerator()}")
    if args.write_doc:
        text = open(DOC).read()
        block = (f"{BEGIN}\nMeasured with `{qh.accelerator()}`, {args.runs} alternating runs, "
                 "Haswell-noTSX, 512 MiB, Debian's linux-image-amd64 vmlinuz and a busybox "
                 f"initramfs:\n\n{table}\n{END}")
        if BEGIN in text:
            text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), block, text, flags=re.S)
        else:
            text += "\n## Linux dom0 boot time\n\n`make bench-dom0` (scripts/bench-dom0-boot.py):\n\n" \
                    + block + "\n"
        with open(DOC, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
