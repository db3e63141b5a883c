#!/usr/bin/env python3
"""Wall time from QEMU start to dom0's /init: pvx against Xen 4.17 with the
same Debian kernel (its vmlinuz), busybox initramfs, CPU model, memory and
accelerator, alternating runs.  Also pvx's own time before it jumps to dom0.
Two machines: one CPU and dom0 with one vCPU, and two CPUs (QEMU -smp 2,
multi-threaded TCG) with dom0_max_vcpus=2 on both hypervisors (--vcpus 1 or
2 boots only one of them).

    bench-dom0-boot.py [--runs N] [--vcpus 1|2] [--write-doc]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

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


def boot(hv, vcpus):
    kernel = os.path.join(ROOT, "build", "hypervisor", "pvx") if hv == "pvx" else \
        os.path.join(ROOT, "build", "xen-peer", "xen-4.17-amd64")
    append = "dom0_mem=256M" if hv == "pvx" else XEN_APPEND
    smp = {}
    if vcpus > 1:
        append = (append + f" dom0_max_vcpus={vcpus}" if hv == "pvx" else
                  append.replace("dom0_max_vcpus=1", f"dom0_max_vcpus={vcpus}"))
        smp = {"smp": vcpus, "accel": qh.smp_accel()}
    r = qh.boot(kernel=kernel, append=append, memory="512M", timeout=300,
                modules=[f"{LINUX}/vmlinuz linux {CMDLINE}", f"{LINUX}/initrd-boot.gz initrd"],
                first_line=INIT, stop_on=r"pvx-dom0: done", **smp)
    pre = None
    m = r.search(r"pvx: boot complete in (\d+) ms, starting dom0")
    if m:
        pre = int(m.group(1)) / 1000
    m = r.search(r"smp: Brought up \d+ nodes?, (\d+) CPUs?")
    return r.first_line_at, pre, int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--vcpus", type=int, choices=(1, 2),
                    help="only this machine: 1 CPU / 1 dom0 vCPU, or 2 CPUs / 2 vCPUs")
    ap.add_argument("--write-doc", action="store_true")
    args = ap.parse_args()
    configs = [args.vcpus] if args.vcpus else [1, 2]
    for cmd in (["scripts/fetch-xen-peer.py"], ["scripts/fetch-linux.py"],
                ["scripts/mkinitramfs.py", "--init", "tests/linux/init-boot", "--out",
                 os.path.join(LINUX, "initrd-boot.gz")]):
        if subprocess.run([sys.executable] + cmd, cwd=ROOT).returncode:
            return 1
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    times = {(hv, n): [] for hv in ("pvx", "xen") for n in configs}
    pre = {n: [] for n in configs}
    t0 = time.monotonic()
    for i in range(args.runs):
        for n in configs:
            for hv in ("pvx", "xen"):
                t, p, up = boot(hv, n)
                print(f"bench-dom0-boot: run {i + 1}/{args.runs} {hv}, {n} vCPU(s): "
                      f"{'no /init' if t is None else f'/init at {t:.2f} s'}, Linux brought "
                      f"up {up if up is not None else '?'} CPU(s)", flush=True)
                if t is None:
                    return 1
                if up is not None and up != n:
                    print(f"bench-dom0-boot: dom0 runs {up} vCPUs, not {n}")
                    return 1
                times[hv, n].append(t)
                if p is not None:
                    pre[n].append(p)
    print(f"bench-dom0-boot: {len(times) * args.runs} boots in {time.monotonic() - t0:.0f} s")
    lines = ["| | pvx | Xen 4.17 | pvx/Xen |", "|---|---|---|---|"]
    for n in configs:
        pt, xt = times["pvx", n], times["xen", n]
        pm, xm = statistics.median(pt), statistics.median(xt)
        what = ("1 CPU, dom0 with 1 vCPU" if n == 1 else
                f"{n} CPUs (multi-threaded TCG), dom0_max_vcpus={n}")
        lines += [
            f"| {what}: QEMU start to dom0 /init (median of {args.runs}) | {pm:.2f} s | "
            f"{xm:.2f} s | {pm / xm:.2f} |",
            f"| spread (min-max) | {min(pt):.2f}-{max(pt):.2f} s | "
            f"{min(xt):.2f}-{max(xt):.2f} s | |",
            f"| hypervisor's own boot before dom0 runs | "
            f"{statistics.median(pre[n]):.2f} s | - | |" if pre[n] else
            "| hypervisor's own boot before dom0 runs | - | - | |",
        ]
    table = "\n".join(lines)
    print(table)
    print(f"accelerator: {qh.accelerator()} (2 CPUs: {qh.smp_accel()})")
    if args.write_doc:
        text = open(DOC).read()
        block = (f"{BEGIN}\nMeasured with `{qh.accelerator()}` (two CPUs: "
                 f"`{qh.smp_accel()}`, one host thread per emulated CPU), {args.runs} "
                 f"alternating runs, {os.cpu_count()} host cores (load average {load} at the "
                 "start, shared with other jobs), "
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
