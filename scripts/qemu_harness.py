#!/usr/bin/env python3
"""Boot pvx (or Xen, or anything multiboot) in QEMU and capture its serial line.

Used as a library by the integration tests and benchmarks, and as a command:

    qemu_harness.py --kernel build/hypervisor/pvx --append "selftest" \
        --module "build/guest/test guest args" --expect "selftest: .* 0 failed" \
        --status 0 --timeout 60

Every wait has a deadline: QEMU is killed when it passes.  The guest sees a
fixed CPU model (Haswell-noTSX by default) so results do not depend on the
host.  The accelerator is KVM when /dev/kvm opens and a probe VM starts, TCG
otherwise; PVX_ACCEL=tcg|kvm forces one.

Exit status: pvx writes its status to QEMU's isa-debug-exit port (0xf4) and
QEMU exits with 2*status+1; BootResult.status holds the decoded value (None
if QEMU ended any other way).
"""
import argparse
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time

QEMU = "qemu-system-x86_64"
# No RDCL_NO: XPTI is on by default, as on such hardware.  Without SMAP:
# QEMU 7.2's TCG pops an iretq's frame with supervisor accesses even at
# CPL 3, so with SMAP on a guest kernel's native iretq faults (on Xen 4.17
# as on pvx); SMAP_CPU is for the runs that check SMAP itself.
DEFAULT_CPU = "Haswell-noTSX"
SMAP_CPU = "Haswell-noTSX,+smap"
_accel_cache = None


def accelerator():
    """'kvm' or 'tcg', decided once per process."""
    global _accel_cache
    if _accel_cache:
        return _accel_cache
    forced = os.environ.get("PVX_ACCEL")
    if forced in ("kvm", "tcg"):
        _accel_cache = forced
        return forced
    _accel_cache = "tcg"
    if os.path.exists("/sys/module/kvm_pvm"):
        # KVM's PVM backend runs a guest kernel by emulating its privileged
        # parts: pvx's own guests are not run faithfully there (Linux dom0
        # stalls, Xen does not boot) and TCG is faster.  PVX_ACCEL=kvm
        # still selects it.
        return _accel_cache
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        probe = subprocess.run(
            [QEMU, "-accel", "kvm", "-M", "pc", "-nodefaults", "-display", "none",
             "-S", "-monitor", "stdio"],
            input="quit\n", capture_output=True, text=True, timeout=20)
        if probe.returncode == 0:
            _accel_cache = "kvm"
    except (OSError, subprocess.SubprocessError):
        pass
    return _accel_cache


class Checks:
    """The PASS/FAIL lines of a QEMU test script: each check prints one line
    (a failure adds the tail of its boot's serial output) and summary()
    prints the closing `N passed, N failed` the test runner reads."""

    def __init__(self):
        self.results = []

    def check(self, name, ok, result=None, why="", tail=25):
        self.results.append(bool(ok))
        print(f"{'PASS' if ok else 'FAIL'} {name}{'' if ok else ': ' + why}")
        if not ok and result is not None:
            for line in result.tail(tail).splitlines():
                print("  | " + line)
        sys.stdout.flush()
        return ok

    def summary(self):
        passed = sum(self.results)
        failed = len(self.results) - passed
        print(f"{passed} passed, {failed} failed")
        return 1 if failed else 0

    def run_cases(self, cases, needs, names):
        """A test script's main: the files it needs must exist; run the
        named cases (a dict name -> function; all of them for no names) and
        return the exit status."""
        missing = [p for p in needs if not os.path.exists(p)]
        unknown = [n for n in names if n not in cases]
        if missing or unknown:
            for p in missing:
                print(f"{p} missing: run `make` first")
            if unknown:
                print(f"unknown case(s) {', '.join(unknown)}; the cases are: {', '.join(cases)}")
            print("0 passed, 1 failed")
            return 2 if unknown and not missing else 1
        print(f"accelerator: {accelerator()}")
        for name in names or cases:
            cases[name]()
        return self.summary()


class BootResult:
    def __init__(self, output, returncode, timed_out, elapsed, first_line_at, inputs_sent=0):
        self.output = output
        self.inputs_sent = inputs_sent  # how many of boot()'s `inputs` were typed
        self.returncode = returncode
        self.timed_out = timed_out
        self.elapsed = elapsed
        self.first_line_at = first_line_at  # seconds from QEMU start to a first_line match
        self.status = returncode >> 1 if returncode is not None and returncode % 2 == 1 else None

    def tail(self, n=40):
        return "\n".join(self.output.splitlines()[-n:])

    def search(self, pattern):
        return re.search(pattern, self.output, re.M)


def smp_accel():
    """The accelerator for several emulated CPUs: under TCG, one host thread
    per CPU, so they run in parallel."""
    accel = accelerator()
    return "tcg,thread=multi" if accel == "tcg" else accel


def qemu_command(kernel=None, modules=(), append=None, iso=None, memory="256M", cpu=DEFAULT_CPU,
                 smp=1, accel=None, extra=(), test_device=True, no_reboot=True):
    """test_device=False leaves out isa-debug-exit (pvx must then power the
    machine off itself); no_reboot=False lets a reset restart the machine."""
    if not shutil.which(QEMU):
        sys.exit(f"{QEMU} not found: run scripts/install-deps.sh (or `make deps`)")
    cmd = [QEMU, "-accel", accel or accelerator(), "-cpu", cpu, "-m", str(memory),
           "-smp", str(smp), "-display", "none", "-vga", "none", "-serial", "stdio",
           "-monitor", "none", "-nodefaults"]
    if no_reboot:
        cmd += ["-no-reboot"]
    if test_device:
        cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    if iso:
        cmd += ["-cdrom", iso, "-boot", "d"]
    else:
        cmd += ["-kernel", kernel]
        if append:
            cmd += ["-append", append]
        if modules:
            # QEMU splits -initrd on commas; each item is "path args".
            for m in modules:
                if "," in m:
                    raise ValueError(f"module spec may not contain a comma: {m!r}")
            cmd += ["-initrd", ",".join(modules)]
    return cmd + list(extra)


def boot(timeout=60, first_line=None, stop_on=None, echo=False, inputs=(), on_line=None, cmd=None,
         **kw):
    """Run QEMU until it exits or `timeout` seconds pass.

    first_line: regex; BootResult.first_line_at records when it appeared.
    stop_on: regex; once a line matches, QEMU is stopped (for guests that
    never power off).
    inputs: [(regex, bytes[, delay])] typed on the serial line in order: each
    waits until its regex matches a line printed since the previous bytes
    were typed (b"" waits without typing), then `delay` seconds more if given
    (to keep keys apart that a guest must read separately, as a console's
    Ctrl-] escape).  QEMU paces what it reads to the UART's FIFO, so nothing
    typed is lost.
    on_line(line, seconds): called for each complete line as it arrives
    (for progress); QEMU is stopped once it returns true.
    cmd: the QEMU command line, instead of qemu_command(**kw)'s.
    """
    cmd = cmd or qemu_command(**kw)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.PIPE if inputs else subprocess.DEVNULL,
                            start_new_session=True)
    steps = [(re.compile(step[0], re.M), step[1], step[2] if len(step) > 2 else 0)
             for step in inputs]
    sent, typed_at = 0, 0  # steps done; where the output stood when bytes were last typed
    ready_at = None  # when the matched step's delay is over
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    chunks, pending = [], b""
    timed_out, first_at = False, None
    stop_re = re.compile(stop_on) if stop_on else None
    first_re = re.compile(first_line) if first_line else None
    stopped = False
    while True:
        left = timeout - (time.monotonic() - start)
        if left <= 0:
            timed_out = True
            break
        data = b""
        if sel.select(timeout=min(left, 0.2 if ready_at else 0.5)):
            data = os.read(proc.stdout.fileno(), 65536)
            if not data:
                break
        elif proc.poll() is not None:
            rest = proc.stdout.read()
            if rest:
                chunks.append(rest)
            break
        chunks.append(data)
        if echo:
            sys.stdout.write(data.decode("utf-8", "replace"))
            sys.stdout.flush()
        pending += data
        while sent < len(steps):
            done = b"".join(chunks)
            done = done[typed_at:done.rfind(b"\n") + 1].decode("utf-8", "replace")
            pattern, keys, delay = steps[sent]
            if ready_at is None:
                if not pattern.search(done.replace("\r\n", "\n")):
                    break
                ready_at = time.monotonic() + delay
            if time.monotonic() < ready_at:
                break
            ready_at = None
            if keys:
                try:
                    os.write(proc.stdin.fileno(), keys)
                except OSError:
                    pass  # QEMU is gone; the result will say so
                whole = b"".join(chunks)
                typed_at = whole.rfind(b"\n") + 1  # from the start of the line in progress
            sent += 1
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            if first_re and first_at is None and first_re.search(line):
                first_at = time.monotonic() - start
            if stop_re and stop_re.search(line):
                stopped = True
            if on_line and on_line(line.rstrip("\r"), time.monotonic() - start):
                stopped = True
        if stopped:
            break
    if timed_out or stopped:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    rc = proc.wait()
    if proc.stdin:
        proc.stdin.close()
    elapsed = time.monotonic() - start
    out = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return BootResult(out, None if (timed_out or stopped) else rc, timed_out, elapsed, first_at,
                      sent)


def main():
    ap = argparse.ArgumentParser(description="Boot a multiboot image in QEMU and check its serial output.")
    ap.add_argument("--kernel")
    ap.add_argument("--iso")
    ap.add_argument("--module", action="append", default=[], help='"path args" (repeatable)')
    ap.add_argument("--append", default=None)
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--cpu", default=DEFAULT_CPU)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--expect", action="append", default=[], help="regex that must appear")
    ap.add_argument("--status", type=int, default=None, help="expected pvx exit status")
    ap.add_argument("--echo", action="store_true", help="copy serial output to stdout")
    args = ap.parse_args()
    if not args.kernel and not args.iso:
        ap.error("give --kernel or --iso")
    r = boot(kernel=args.kernel, iso=args.iso, modules=args.module, append=args.append,
             memory=args.memory, cpu=args.cpu, timeout=args.timeout, echo=args.echo)
    problems = []
    if r.timed_out:
        problems.append(f"timed out after {args.timeout:.0f}s")
    for pat in args.expect:
        if not r.search(pat):
            problems.append(f"missing /{pat}/")
    if args.status is not None and r.status != args.status:
        problems.append(f"exit status {r.status}, expected {args.status}")
    if problems:
        if not args.echo:
            print(r.tail())
        print("FAIL: " + "; ".join(problems))
        return 1
    print(f"PASS ({r.elapsed:.1f}s, {accelerator()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
