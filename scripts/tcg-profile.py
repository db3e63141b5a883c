#!/usr/bin/env python3
"""Where the emulated CPU spends its time during one workload of the device
benchmark (scripts/bench-devices.py) on pvx: a sampling profile taken
through QEMU's monitor.

    tcg-profile.py [--workload tcp|rand-read|seq-read|seq-write] [--side domU|dom0]
                   [--secs N] [--top N]

pvx boots with the benchmark's dom0 (one round, a 64 MiB image, N-second
runs) and a QMP socket; while the chosen workload runs, RIP is read with
`info registers` every few milliseconds.  Each sample is counted as pvx (by
function, from build/hypervisor/pvx.nm), guest kernel or guest user, and
by CR3 (which address space: dom0's and the domU's processes).

What it can and cannot say: QEMU answers the monitor between translated
blocks, so a sample lands on the block that follows the one running when
it was asked for; a block that is slow (a device access, a TLB refill)
charges the instruction after it.  The shares are good for finding hot
spots, not for timing.  Guest kernel addresses are not symbolized (Debian
ships no System.map for its image).  Sampling takes QEMU's big lock, so
device accesses get slower while it runs.
"""
import argparse
import bisect
import collections
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PVX_NM = os.path.join(ROOT, "build", "hypervisor", "pvx.nm")
PVX_START, PVX_END = 0xFFFF800000000000, 0xFFFF880000000000
GUEST_KERNEL = 0xFFFF880000000000


def load_bench_devices():
    spec = importlib.util.spec_from_file_location(
        "bench_devices", os.path.join(ROOT, "scripts", "bench-devices.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def symbols(path):
    """[(address, name)] sorted, from an `nm` listing."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] in "TtWw":
                out.append((int(parts[0], 16), parts[2]))
    out.sort()
    return out


def symbol_of(table, addr):
    i = bisect.bisect_right(table, (addr, "\U0010ffff")) - 1
    return table[i][1] if i >= 0 else f"{addr:#x}"


class Sampler(threading.Thread):
    """Reads RIP and CR3 through QMP while `active` is set."""

    def __init__(self, path, interval):
        super().__init__(daemon=True)
        self.path, self.interval = path, interval
        self.active, self.stop = threading.Event(), threading.Event()
        self.samples = []

    def connect(self):
        for _ in range(300):
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.path)
                return s.makefile("rw")
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"no QMP socket at {self.path}")

    def run(self):
        try:
            f = self.connect()
            f.readline()
            f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
            f.flush()
            f.readline()
            ask = json.dumps({"execute": "human-monitor-command",
                              "arguments": {"command-line": "info registers"}}) + "\n"
            while not self.stop.is_set():
                if not self.active.wait(0.05):
                    continue
                f.write(ask)
                f.flush()
                while True:
                    reply = json.loads(f.readline())
                    if "return" in reply or "error" in reply:
                        break
                text = reply.get("return", "")
                rip = re.search(r"RIP=([0-9a-f]+)", text)
                cr3 = re.search(r"CR3=([0-9a-f]+)", text)
                if rip:
                    self.samples.append((int(rip.group(1), 16),
                                         int(cr3.group(1), 16) if cr3 else 0))
                time.sleep(self.interval)
        except (OSError, ValueError):
            pass  # QEMU went away


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", default="tcp",
                    choices=["tcp", "rand-read", "seq-read", "seq-write"])
    ap.add_argument("--side", default="domU", choices=["domU", "dom0"])
    ap.add_argument("--secs", type=int, default=20, help="the workload's duration (default 20)")
    ap.add_argument("--top", type=int, default=30, help="pvx functions listed (default 30)")
    ap.add_argument("--interval-ms", type=float, default=3.0)
    args = ap.parse_args()
    if not os.path.exists(PVX_NM):
        sys.exit("tcg-profile: build/hypervisor/pvx.nm is missing: run `make` first")
    bd = load_bench_devices()
    if not bd.build("pvx"):
        sys.exit("tcg-profile: building dom0's initramfs failed (see above)")
    sock = os.path.join(tempfile.mkdtemp(prefix="pvx-prof-"), "qmp.sock")
    cmd = bd.qemu_command("pvx", 1, 64, args.secs) + [
        "-qmp", f"unix:{sock},server=on,wait=off"]
    sampler = Sampler(sock, args.interval_ms / 1000)
    want = f"bench progress round 1/1 {args.workload} {args.side}"
    print(f"tcg-profile: booting pvx with the device benchmark; sampling '{args.workload}' "
          f"in {args.side} ({args.secs} s); about {args.secs * 4 + 60} s under TCG", flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    sampler.start()
    pending, started, start = b"", None, time.monotonic()
    try:
        while True:
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
            pending += data
            *lines, pending = pending.split(b"\n")
            finished = False
            for raw in lines:
                line = raw.decode("utf-8", "replace")
                if "bench progress" in line:
                    print(f"tcg-profile: [{time.monotonic() - start:4.0f} s] "
                          f"{line.split('bench progress ')[1]}", flush=True)
                if want in line:
                    sampler.active.set()
                    started = time.monotonic()
                elif started and ("bench progress" in line or "bench result" in line):
                    finished = True
                if "bench error" in line or "pvx-dom0: done" in line:
                    finished = True
            if finished:
                break
    finally:
        sampler.active.clear()
        sampler.stop.set()
        os.killpg(proc.pid, 9)
        proc.wait()
    samples = sampler.samples
    if not started or not samples:
        sys.exit(f"tcg-profile: the workload did not run, or no sample was taken "
                 f"(see build/bench-devices-pvx.log for a normal run)")
    table = symbols(PVX_NM)
    where, funcs, spaces = collections.Counter(), collections.Counter(), collections.Counter()
    for rip, cr3 in samples:
        if PVX_START <= rip < PVX_END:
            where["pvx"] += 1
            funcs[symbol_of(table, rip)] += 1
        elif rip >= GUEST_KERNEL:
            where["guest kernel"] += 1
        else:
            where["guest user"] += 1
        spaces[cr3] += 1
    n = len(samples)
    print(f"\n{n} samples in {time.monotonic() - started:.1f} s")
    for name, count in where.most_common():
        print(f"  {name:14s} {100 * count / n:5.1f}%")
    print(f"\npvx functions (share of all samples):")
    for name, count in funcs.most_common(args.top):
        print(f"  {100 * count / n:5.1f}%  {name}")
    print("\naddress spaces (CR3):")
    for cr3, count in spaces.most_common(6):
        print(f"  {100 * count / n:5.1f}%  {cr3:#x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
