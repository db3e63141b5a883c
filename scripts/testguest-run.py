#!/usr/bin/env python3
"""Boot the pvx test guest as dom0 under a hypervisor in QEMU and report its checks.

    scripts/testguest-run.py --hypervisor xen [--guest-args "suite seed=7"]
    scripts/testguest-run.py --hypervisor pvx [--kernel build/hypervisor/pvx]

The guest (build/testguest/testguest, built by guest-patches/testguest)
prints one `PASS name` / `FAIL name: detail` line per check and ends with
`N passed, N failed`.  This script echoes the guest's lines (the hypervisor's
own log is kept in build/testguest/<hypervisor>-<tag>.log), and ends with
the guest's summary line.  Exit status: 0 only if the guest reported a
summary with 0 failures; 1 on any failure, timeout or missing summary.

--hypervisor xen boots Debian's Xen 4.17 (scripts/fetch-xen-peer.py unpacks
it); --hypervisor pvx boots pvx's multiboot image with the same module.
--transports runs the suite once per hypercall transport (syscall, page).
--smp N gives QEMU N CPUs (multi-threaded under TCG): with dom0_max_vcpus=2
in --append and pcpus=2 in --guest-args, the guest's vCPUs run on different
CPUs at once.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemu_harness as qh  # noqa: E402

SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed\s*$", re.M)
CHECK_LINE = re.compile(r"^(?:\(XEN\) )?((?:PASS|FAIL) .*|note: .*|pvx-testguest: .*)$")
XEN_APPEND = ("console=com1 com1=115200,8n1 dom0_mem=32M,max:32M dom0_max_vcpus=1 "
              "loglvl=all guest_loglvl=all noreboot=false sync_console")


def default_kernel(hv):
    if hv == "xen":
        return os.path.join(ROOT, "build", "xen-peer", "xen-4.17-amd64")
    return os.path.join(ROOT, "build", "hypervisor", "pvx")


def run_once(args, guest_args, tag):
    kernel = args.kernel or default_kernel(args.hypervisor)
    if not os.path.exists(kernel):
        print(f"testguest-run: no hypervisor image at {kernel}")
        return None
    guest = args.guest
    if not os.path.exists(guest):
        print(f"testguest-run: no guest at {guest} (build guest-patches/testguest)")
        return None
    append = args.append if args.append is not None else (
        XEN_APPEND if args.hypervisor == "xen" else "")
    module = f"{guest} {guest_args}".strip()
    r = qh.boot(kernel=kernel, modules=[module], append=append or None, memory=args.memory,
                cpu=args.cpu, smp=args.smp, accel=qh.smp_accel() if args.smp > 1 else None,
                timeout=args.timeout, stop_on=SUMMARY.pattern, echo=args.echo)
    os.makedirs(os.path.dirname(args.log_prefix) or ".", exist_ok=True)
    log = f"{args.log_prefix}{args.hypervisor}-{tag}.log"
    with open(log, "w") as f:
        f.write(r.output)
    if not args.echo:
        for line in r.output.splitlines():
            m = CHECK_LINE.match(line.strip())
            if m:
                print(f"[{tag}] {m.group(1)}")
    sums = SUMMARY.findall(r.output.replace("(XEN) ", ""))
    if r.timed_out and not sums:
        print(f"[{tag}] testguest-run: timed out after {args.timeout:.0f}s; "
              f"last output:\n{r.tail(25)}")
        return None
    if not sums:
        print(f"[{tag}] testguest-run: the guest printed no summary; last output:\n{r.tail(25)}")
        return None
    passed, failed = map(int, sums[-1])
    print(f"[{tag}] {passed} passed, {failed} failed ({r.elapsed:.1f}s, "
          f"{qh.accelerator()}, log {os.path.relpath(log, ROOT)})")
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hypervisor", choices=("xen", "pvx"), default="xen")
    ap.add_argument("--kernel", help="hypervisor image (default: per --hypervisor)")
    ap.add_argument("--guest", default=os.path.join(ROOT, "build", "testguest", "testguest"))
    ap.add_argument("--guest-args", default="suite", help="guest command line")
    ap.add_argument("--transports", action="store_true",
                    help="run once with hypercall=syscall and once with hypercall=page")
    ap.add_argument("--append", help="hypervisor command line (default: per --hypervisor)")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--cpu", default=qh.DEFAULT_CPU, help="QEMU CPU model (default %(default)s)")
    ap.add_argument("--smp", type=int, default=1,
                    help="emulated CPUs (default 1; more run in parallel, multi-threaded TCG)")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--echo", action="store_true", help="copy all serial output to stdout")
    ap.add_argument("--log-prefix", default=os.path.join(ROOT, "build", "testguest", ""))
    args = ap.parse_args()
    if args.smp < 1:
        ap.error(f"--smp {args.smp}: at least one CPU")

    runs = [("syscall", args.guest_args + " hypercall=syscall"),
            ("page", args.guest_args + " hypercall=page")] if args.transports else \
        [("run", args.guest_args)]
    total_p = total_f = 0
    ok = True
    for tag, gargs in runs:
        res = run_once(args, gargs.strip(), tag)
        if res is None:
            ok = False
            total_f += 1
            continue
        total_p += res[0]
        total_f += res[1]
    print(f"{total_p} passed, {total_f} failed")
    return 0 if ok and total_f == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
