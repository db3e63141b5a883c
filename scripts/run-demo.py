#!/usr/bin/env python3
"""`make run`: boot the pvx demo in QEMU with its serial console on this
terminal.  Press Ctrl-T then X to quit QEMU (Ctrl-T C toggles the monitor):
QEMU's escape is moved off Ctrl-A, which pvx uses to switch console input
between domains (three presses, as on Xen).
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cmdline", default="", help="pvx command line")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--smp", type=int, default=2,
                    help="emulated CPUs (default 2: dom0 and a domU run side by side)")
    ap.add_argument("--module", action="append", default=[], help='"path args" (repeatable)')
    args = ap.parse_args()
    kernel = os.path.join(ROOT, "build", "hypervisor", "pvx")
    if not os.path.exists(kernel):
        sys.exit("run-demo: build/hypervisor/pvx is missing: run `make` first")
    cmd = qh.qemu_command(kernel=kernel, append=args.cmdline.strip() or None,
                          modules=args.module, memory=args.memory, smp=args.smp,
                          accel=qh.smp_accel() if args.smp > 1 else None)
    # The serial line shares the terminal with QEMU's monitor (Ctrl-T C);
    # Ctrl-A stays pvx's (console input switching).
    cmd[cmd.index("-serial") + 1] = "mon:stdio"
    i = cmd.index("-monitor")
    del cmd[i:i + 2]
    cmd += ["-echr", "0x14"]
    print(f"run-demo: booting pvx under QEMU ({qh.accelerator()}, {args.smp} CPUs); "
          "press Ctrl-T then X to quit.", flush=True)
    rc = subprocess.call(cmd)
    # pvx reports its exit status through isa-debug-exit: QEMU exits 2*status+1.
    status = rc >> 1 if rc % 2 == 1 else rc
    print(f"run-demo: pvx stopped with status {status}")
    return status


if __name__ == "__main__":
    sys.exit(main())
