#!/usr/bin/env python3
"""PV against HVM-style I/O: the same disk and network workloads, on the same
Debian kernel, under each way of virtualizing I/O, as a table and a chart.

    bench-io.py [--runs N] [--mib M] [--seconds S] [--out DIR] [--only C,...]
                [--smoke] [--jobs J] [--write-doc]
    bench-io.py --render DIR [--write-doc]   (table and chart again from
                                              DIR/results.json)

Configurations (--only takes their keys):
  pv-pvx    a Debian Linux domU on pvx: xen-blkfront and xen-netfront,
            Linux's blkback (over a loop device) and netback (in bridge
            xenbr0) in pvx's dom0, pvx's toolstack;
  pv-xen    the same domU config on Debian's Xen 4.17 with its own toolstack
            (xl, xenstored, Xen's hotplug scripts);
  emulated  the same kernel as a fully virtualized guest of QEMU with an
            emulated PIIX IDE disk and e1000 NIC (ata_piix, e1000: every
            register access is emulated);
  virtio    the same with virtio-blk and virtio-net (what KVM users pick);
  hvm-xen   the same guest as a Xen 4.17 HVM guest (SVM with nested
            paging, as QEMU's TCG emulates it; hvmloader, and Debian's
            qemu-system-xen in dom0 emulating IDE and e1000; the guest in
            xenbr0 with dom0 as its host side);
  native    the workloads in pvx's dom0 directly on the backing (the loop
            device the domU's disk sits on, TCP over dom0's loopback).
The PV configurations are scripts/bench-devices.py's machinery (one boot
per round; the domU and dom0 alternate inside it); the fully virtualized
guests boot build/linux/vmlinuz with build/bench-io/initrd-guest.gz
(tests/linux/bench-io/guest-init, --build-guest builds it).

Same conditions: the guest has 128 MiB and 1 vCPU everywhere; QEMU's CPU
model is Haswell-noTSX with the same accelerator (hvm-xen: the same with
AMD's vendor string and SVM, see HVM_CPU);
the benchmark disk is an M MiB raw file of zeros (default 128) held in RAM
on the host side (dom0's tmpfs for PV and native; the host's page cache
for QEMU's guests).  The network's host side is dom0 (10.0.0.1 over the
bridge) for PV, and the machine running QEMU (10.0.2.2 through QEMU's user
networking) for QEMU's guests.

Workloads, each once per run, in this order: sequential write and read with
1 MiB requests over the whole disk, 4 KiB random reads for S seconds
(default 5; IOPS and median latency), all O_DIRECT (pvx-iobench, a small
static C program: fio needs a dozen shared libraries in every initramfs
and its JSON would be parsed in busybox sh); TCP guest to host and host to
guest for S seconds (iperf3, -R for the latter); TCP round trips of one
small message for S seconds (sockperf ping-pong --full-rtt: round trips per
second and the median round trip).

Runs: N rounds (default 3); each round boots every configuration once, in an
order that rotates from round to round, so configurations alternate rather
than running in blocks (native shares pv-pvx's boot).  Progress lines name
the configuration, the round and the workload.

Output in DIR (default build/bench-io): results.json (every run's figure:
the source of everything else), results.md (the table: median and min-max
per configuration), chart.svg and chart.png (one group per workload, one
bar per configuration, whiskers from min to max; drawn by Debian's
python3-matplotlib), and the serial logs.  A configuration that cannot run
gets a one-line reason in all of them.

--smoke: one round of 16 MiB and 1 s, the configurations booted two at a
time (--jobs 2: timings are meaningless, only that every figure is there and
positive is checked; exit status 1 otherwise).  --write-doc puts the table
and the chart (docs/bench-io.svg) into docs/benchmarks.md.
"""
import argparse
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")  # Xen 4.17 does not boot under this KVM
import mkinitramfs  # noqa: E402
import qemu_harness as qh  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_devices",
                                               os.path.join(ROOT, "scripts", "bench-devices.py"))
bd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bd)

LINUX = os.path.join(ROOT, "build", "linux")
DEFAULT_OUT = os.path.join(ROOT, "build", "bench-io")
GUEST_INIT = os.path.join(ROOT, "tests", "linux", "bench-io", "guest-init")
HVM_ORDER = os.path.join(LINUX, "modules", "order-hvm")
GUEST_PROGRAMS = ("iperf3", "sockperf")
GUEST_MEMORY = "128M"
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
DOC_CHART = os.path.join(ROOT, "docs", "bench-io.svg")
BEGIN, END = "<!-- bench-io.py -->", "<!-- /bench-io.py -->"
WORKLOADS = ("seq-write", "seq-read", "rand-read", "tcp", "tcp-rx", "rr")

# (key, label, machine that measures it)
CONFIGS = (("pv-pvx", "PV on pvx", "pvx"),
           ("pv-xen", "PV on Xen 4.17", "xen"),
           ("emulated", "emulated IDE + e1000", "emulated"),
           ("virtio", "virtio-blk + virtio-net", "virtio"),
           ("hvm-xen", "Xen 4.17 HVM", "xen-hvm"),
           ("native", "native (dom0 on the backing)", "pvx"))
LABEL = {k: label for k, label, _ in CONFIGS}
MACHINE = {k: machine for k, _, machine in CONFIGS}
# (key, label, workload, field in bench-devices' parse_output(), unit, lower is better)
METRICS = (("seq-write", "sequential write, 1 MiB", "seq-write", "mibs", "MiB/s", False),
           ("seq-read", "sequential read, 1 MiB", "seq-read", "mibs", "MiB/s", False),
           ("rand-read", "random read, 4 KiB", "rand-read", "iops", "IOPS", False),
           ("rand-read-lat", "random read, 4 KiB: median latency", "rand-read", "lat", "us",
            True),
           ("tcp-tx", "TCP, guest to host", "tcp", "mbits", "Mbit/s", False),
           ("tcp-rx", "TCP, host to guest", "tcp-rx", "mbits", "Mbit/s", False),
           ("rr", "TCP round trips", "rr", "rts", "per s", False),
           ("rr-lat", "TCP round trip: median", "rr", "rtt", "us", True))
# QEMU's guests: the disk and NIC devices, and the disk's name in the guest.
QEMU_DEVICES = {
    "emulated": (["-drive", "file={img},format=raw,if=ide,index=0,media=disk"],
                 "e1000", "/dev/sda"),
    "virtio": (["-drive", "file={img},format=raw,if=none,id=bench,cache=writeback",
                "-device", "virtio-blk-pci,drive=bench"], "virtio-net-pci", "/dev/vda"),
}
# QEMU's TCG emulates AMD's SVM (with nested paging) and not Intel's VMX,
# and Xen uses SVM only on an AMD CPU: the same model as the others with
# AMD's vendor string.  (QEMU's EPYC model does not do: Xen's dom0 faults
# with SMAP on, and with SMAP off Xen's family-17h idle loop faults on
# MWAIT.)
HVM_CPU = "Haswell-noTSX,vendor=AuthenticAMD,+svm,+npt"
XEN_HVM_INIT = os.path.join(ROOT, "tests", "linux", "xen", "init-bench-io-hvm")
XEN_HVM_INITRD = os.path.join(ROOT, "build", "xen-peer", "initrd-bench-io-hvm.gz")
# Where that dom0 keeps the guest's kernel and initramfs (mk-xen-dom0-initrd.py's BENCH_DIR).
XEN_HVM_GUEST = "var/lib/pvx-bench/initrd-guest.gz"


def say(msg):
    print(f"bench-io: {msg}", flush=True)


class CannotRun(Exception):
    """A configuration this machine cannot run (not a failure): the message
    is the one-line reason the report gives."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_guest(out):
    """The fully virtualized guest's initramfs: busybox, guest-init, the
    HVM modules, pvx-iobench, iperf3 and sockperf with their libraries."""
    if subprocess.run([sys.executable, "scripts/fetch-linux.py"], cwd=ROOT).returncode:
        return False
    iobench = os.path.join(ROOT, "build", "dom0-tools", "pvx-iobench")
    missing = [p for p in (iobench, HVM_ORDER) if not os.path.exists(p)]
    if missing:
        say(f"missing {', '.join(missing)}: run make")
        return False
    mods = open(HVM_ORDER).read().split()
    adds = [(iobench, "bin/pvx-iobench"), (HVM_ORDER, "lib/modules/hvm/order")]
    adds += [(os.path.join(LINUX, "modules", f"{m}.ko"), f"lib/modules/hvm/{m}.ko")
             for m in mods]
    mkinitramfs.write_initramfs(GUEST_INIT, out, adds, host_programs=GUEST_PROGRAMS)
    return True


class Progress:
    """One line per step: configuration, round k of n, workload (and side)."""

    def __init__(self, config, rnd, runs):
        self.tag = f"[{config}, round {rnd}/{runs}]"

    def __call__(self, line, at):
        m = re.match(r"pvx-dom0: bench progress round \d+/\d+ (\S+) (\S+)", line)
        if m:
            cfg = "pv" if m.group(2) == "domU" else "native"
            say(f"{self.tag} [{at:4.0f} s] {m.group(1)} ({cfg})")
            return
        m = re.match(r"pvx-bench: progress (\S+)", line)
        if m:
            say(f"{self.tag} [{at:4.0f} s] {m.group(1)}")
            return
        if re.match(r"pvx-(dom0: bench |bench: )(error|config)|pvx-dom0: .*FAILED", line):
            say(f"{self.tag} [{at:4.0f} s] {line.split(': ', 1)[1]}")
        elif line.startswith("pvx-dom0: init reached"):
            say(f"{self.tag} [{at:4.0f} s] dom0's init runs; creating the domU")


def guest_results(out):
    """{workload: figures} from a fully virtualized guest's lines, problems."""
    res, problems = {}, []
    for m in re.finditer(r"^pvx-bench: result (\S+) \| (.*)$", out, re.M):
        figs = bd.parse_output(m.group(1), m.group(2))
        if figs is None:
            problems.append(f"{m.group(1)}: no figures in '{m.group(2).strip()}'")
        else:
            res[m.group(1)] = figs
    problems += re.findall(r"^pvx-bench: (error .*|module .*FAILED.*)$", out, re.M)
    if not re.search(r"^pvx-bench: done", out, re.M):
        problems.append("the guest did not finish (see its serial log)")
    return res, problems


def run_pv(machine, rnd, args, logdir):
    """One boot of pvx or Xen with the PV domU: {config: {workload: figs}}."""
    timeout = 600 + args.mib * 2 + args.seconds * 40
    log = os.path.join(logdir, f"{machine}-round{rnd}.log")
    out, problem = bd.boot(machine, 1, args.mib, args.seconds, timeout, work=WORKLOADS,
                           first_round=rnd, on_line=Progress(machine, rnd, args.runs), log=log)
    res, problems = bd.collect(out)
    if problem:
        problems.insert(0, problem)
    if not re.search(r"^pvx-dom0: done", out, re.M):
        problems.append(f"dom0's init did not finish (see {os.path.relpath(log, ROOT)})")
    sides = {"domU": "pv-pvx", "dom0": "native"} if machine == "pvx" else {"domU": "pv-xen"}
    figures = {cfg: {} for cfg in sides.values()}
    for (side, workload), runs in res.items():
        if side in sides and runs:
            figures[sides[side]][workload] = runs[0]
    info = re.search(r"^pvx-dom0: bench config (.*)$", out, re.M)
    return figures, problems, info.group(1) if info else ""


def run_qemu_guest(machine, rnd, args, logdir):
    """One boot of the fully virtualized guest with machine's devices, its
    host side (iperf3 and sockperf servers) on this machine's loopback."""
    drive, nic, disk = QEMU_DEVICES[machine]
    img = os.path.join(logdir, f"disk-{machine}.img")
    with open(img, "wb") as f:
        f.truncate(0)
        zero = bytes(1 << 20)
        for _ in range(args.mib):
            f.write(zero)
    iperf, rr = free_port(), free_port()
    servers = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for c in (["iperf3", "-s", "-B", "127.0.0.1", "-p", str(iperf)],
                         ["sockperf", "server", "--tcp", "-i", "127.0.0.1", "-p", str(rr)])]
    append = (f"console=ttyS0 quiet pvxbench.disk={disk} pvxbench.ip=10.0.2.15/24 "
              f"pvxbench.peer=10.0.2.2 pvxbench.iperf={iperf} pvxbench.rr={rr} "
              f"pvxbench.mib={args.mib} pvxbench.secs={args.seconds} "
              f"pvxbench.work={'+'.join(WORKLOADS)}")
    extra = [a.format(img=img) for a in drive]
    extra += ["-netdev", "user,id=net0", "-device", f"{nic},netdev=net0"]
    cmd = qh.qemu_command(kernel=os.path.join(LINUX, "vmlinuz"), append=append,
                          modules=[args.guest_initrd], memory=GUEST_MEMORY, extra=extra)
    progress = Progress(machine, rnd, args.runs)

    def each(line, at):
        progress(line, at)
        return line.startswith("pvx-bench: done")

    timeout = 300 + args.mib * 2 + args.seconds * 20
    try:
        r = qh.boot(timeout=timeout, cmd=cmd, on_line=each)
    finally:
        for s in servers:
            s.kill()
            s.wait()
        os.unlink(img)
    return guest_boot_results(machine, rnd, r, timeout, logdir)


def guest_boot_results(machine, rnd, r, timeout, logdir):
    """A fully virtualized guest's boot (qh.boot's result): its serial log
    kept, and what run_qemu_guest and run_xen_hvm return."""
    log = os.path.join(logdir, f"{machine}-round{rnd}.log")
    with open(log, "w") as f:
        f.write(r.output)
    res, problems = guest_results(r.output)
    if r.timed_out:
        problems.insert(0, f"timed out after {timeout} s (see {os.path.relpath(log, ROOT)})")
    info = re.search(r"^pvx-bench: config (.*)$", r.output, re.M)
    return {machine: res}, problems, info.group(1) if info else ""


def run_xen_hvm(machine, rnd, args, logdir):
    """One boot of Xen 4.17 whose dom0 (tests/linux/xen/init-bench-io-hvm)
    runs the fully virtualized guest as an HVM guest: Xen's device model in
    dom0 emulates its IDE disk and e1000 (in xenbr0, dom0 at 10.0.0.1 the
    host side); dom0 relays the guest's "pvx-bench: " lines."""
    xen = os.path.join(ROOT, "build", "xen-peer", "xen-4.17-amd64")
    cmdline = (f"console=hvc0 earlyprintk=xen pvxbench.mib={args.mib} "
               f"pvxbench.secs={args.seconds} pvxbench.work={'+'.join(WORKLOADS)}")
    cmd = qh.qemu_command(kernel=xen, append=bd.xs.XEN_APPEND, memory=bd.MEMORY, cpu=HVM_CPU,
                          modules=[f"{LINUX}/vmlinuz linux {cmdline}", f"{XEN_HVM_INITRD} initrd"])
    progress = Progress(machine, rnd, args.runs)

    def each(line, at):
        progress(line, at)
        return bool(re.match(r"pvx-dom0: done", line) or
                    re.search(r"Hardware Dom0 (halted|shutdown|crashed)|Panic on CPU", line))

    timeout = 900 + args.mib * 4 + args.seconds * 40
    r = qh.boot(timeout=timeout, cmd=cmd, on_line=each)
    if (re.search(r"pvx-dom0: init reached", r.output) and
            not re.search(r"HVM: (SVM|VMX) enabled", r.output)):
        raise CannotRun(f"Xen 4.17 found no hardware virtualization on this CPU (accelerator "
                        f"{qh.accelerator()}, CPU model {HVM_CPU}: its boot log has no "
                        "'HVM: SVM enabled' or 'HVM: VMX enabled')")
    figs, problems, info = guest_boot_results(machine, rnd, r, timeout, logdir)
    return figs, problems + re.findall(r"^pvx-dom0: (bench error .*)$", r.output, re.M), info


# How long each machine's boot takes, relatively (Xen's boot and hotplug
# scripts are the slowest): --jobs starts the longest first.
BOOT_WEIGHT = {"xen-hvm": 4, "xen": 3, "pvx": 2, "emulated": 1, "virtio": 1}
RUNNERS = {"pvx": run_pv, "xen": run_pv, "emulated": run_qemu_guest,
           "virtio": run_qemu_guest, "xen-hvm": run_xen_hvm}


def prepare(machines, args):
    """Build what each machine boots; {machine: why} for those whose build
    failed (a failure of the benchmark, not a configuration that cannot
    run)."""
    cannot = {}
    guests = [m for m in ("emulated", "virtio", "xen-hvm") if m in machines]
    if guests:
        args.guest_initrd = os.path.join(args.out, "initrd-guest.gz")
        if not build_guest(args.guest_initrd):
            for m in guests:
                cannot[m] = "the guest's initramfs could not be built (see above)"
    for m in ("pvx", "xen"):
        if m in machines and not bd.build(m):
            cannot[m] = f"building {bd.NAMES[m]}'s dom0 initramfs failed (see above)"
    if "xen-hvm" in machines and "xen-hvm" not in cannot:
        if subprocess.run([sys.executable, "scripts/fetch-xen-peer.py"], cwd=ROOT).returncode:
            cannot["xen-hvm"] = "Xen 4.17's packages could not be fetched (see above)"
        elif subprocess.run([sys.executable, "scripts/mk-xen-dom0-initrd.py", "--hvm",
                             "--init", XEN_HVM_INIT,
                             "--add", f"{args.guest_initrd}:{XEN_HVM_GUEST}",
                             "--host", "iperf3", "--host", "sockperf",
                             "--out", XEN_HVM_INITRD], cwd=ROOT).returncode:
            cannot["xen-hvm"] = "building Xen's dom0 initramfs with its device model failed"
    return cannot


def machines_for(configs):
    ms = []
    for key, _, machine in CONFIGS:
        if key in configs and machine not in ms:
            ms.append(machine)
    return ms


def measure(args, configs):
    """Every round of every machine: the results document (see render())."""
    machines = machines_for(configs)
    logdir = args.out
    broken = prepare(machines, args)
    runnable = [m for m in machines if m not in broken]
    cannot = {}
    results = {c: {m[0]: [] for m in METRICS} for c in configs}
    problems = {c: [] for c in configs}
    retried = {m: [] for m in machines}  # what the boots that were redone went through
    info = {}
    lock = threading.Lock()

    def one(machine, rnd):
        for attempt in range(args.retries + 1):
            say(f"[{machine}, round {rnd}/{args.runs}] booting"
                + (f" again (retry {attempt} of {args.retries})" if attempt else ""))
            t0 = time.monotonic()
            try:
                figs, probs, line = RUNNERS[machine](machine, rnd, args, logdir)
            except CannotRun as e:
                with lock:
                    say(f"[{machine}] cannot run: {e}")
                    cannot[machine] = str(e)
                    runnable.remove(machine)
                return
            except Exception as e:  # a bug or a missing file: the run counts as failed
                figs, probs, line = {}, [f"{type(e).__name__}: {e}"], ""
            if not probs or attempt == args.retries:
                break
            with lock:
                say(f"[{machine}, round {rnd}/{args.runs}] {len(probs)} problem(s): "
                    + "; ".join(probs))
                retried[machine] += [f"round {rnd}, attempt {attempt + 1}: {p}" for p in probs]
        with lock:
            say(f"[{machine}, round {rnd}/{args.runs}] done in {time.monotonic() - t0:.0f} s"
                + (f"; {len(probs)} problem(s)" if probs else ""))
            if line:
                info[machine] = line
            for c in (c for c in configs if MACHINE[c] == machine):
                problems[c] += [f"round {rnd}: {p}" for p in probs]
                got = figs.get(c if c in figs else machine, {})
                for key, _, workload, field, _, _ in METRICS:
                    if workload in got and field in got[workload]:
                        results[c][key].append(got[workload][field])
                    else:
                        problems[c].append(f"round {rnd}: no {key} figure")

    for rnd in range(1, args.runs + 1):
        k = (rnd - 1) % len(runnable) if runnable else 0
        order = runnable[k:] + runnable[:k]  # a copy: one() may drop a machine
        if args.jobs == 1:
            for m in order:
                one(m, rnd)
        else:
            # A pool of args.jobs workers, the longest boots first.
            queue = sorted(order, key=lambda m: -BOOT_WEIGHT.get(m, 0))

            def worker():
                while True:
                    with lock:
                        if not queue:
                            return
                        m = queue.pop(0)
                    one(m, rnd)
            threads = [threading.Thread(target=worker) for _ in range(args.jobs)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    cfgs = []
    for key, label, machine in CONFIGS:
        if key not in configs:
            continue
        entry = {"key": key, "label": label, "machine": machine,
                 "details": info.get(machine, "")}
        if machine in cannot:
            entry["status"], entry["reason"] = "cannot run", cannot[machine]
        elif machine in broken:
            entry["status"], entry["problems"] = "problems", [broken[machine]]
        else:
            entry["status"] = "ok" if not problems[key] else "problems"
            entry["problems"] = problems[key]
        if retried.get(machine):
            entry["retried_after"] = retried[machine]
        cfgs.append(entry)
    return {
        "meta": {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "host": host_description(),
            "accelerator": qh.accelerator(),
            "qemu": subprocess.run([qh.QEMU, "--version"], capture_output=True,
                                   text=True).stdout.splitlines()[0],
            "cpu_model": qh.DEFAULT_CPU, "hvm_cpu_model": HVM_CPU,
            "guest": f"{GUEST_MEMORY[:-1]} MiB, 1 vCPU, Debian's kernel "
                     f"({open(os.path.join(LINUX, 'stamp')).read().split()[0]})",
            "runs": args.runs, "disk_mib": args.mib, "seconds": args.seconds,
            "smoke": args.smoke,
        },
        "configs": cfgs,
        "metrics": [{"key": k, "label": label, "workload": w, "unit": u, "lower_is_better": low}
                    for k, label, w, _, u, low in METRICS],
        "results": {c: results[c] for c in configs if results[c]},
    }


def host_description():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


# --- rendering: everything below reads only the results document ---

def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def cell(values):
    """'median (min-max)' of a run's figures; '-' when there are none."""
    if not values:
        return "-"
    med = fmt(statistics.median(values))
    return med if len(values) == 1 else f"{med} ({fmt(min(values))}-{fmt(max(values))})"


def table(doc):
    """The Markdown table: a row per metric, a column per configuration;
    then PV on pvx's advantage over each other configuration."""
    cfgs = [c for c in doc["configs"]]
    ok = [c for c in cfgs if c["status"] != "cannot run"]
    head = "| metric | " + " | ".join(c["label"] for c in ok) + " |"
    rows = [head, "|---" * (len(ok) + 1) + "|"]
    for m in doc["metrics"]:
        vals = [doc["results"].get(c["key"], {}).get(m["key"], []) for c in ok]
        rows.append(f"| {m['label']} ({m['unit']}) | " + " | ".join(cell(v) for v in vals) + " |")
    lines = ["\n".join(rows)]
    base = doc["results"].get("pv-pvx")
    others = [c for c in ok if c["key"] != "pv-pvx"]
    if base and others:
        rows = ["| metric | " + " | ".join(f"vs {c['label']}" for c in others) + " |",
                "|---" * (len(others) + 1) + "|"]
        for m in doc["metrics"]:
            r = []
            for c in others:
                a, b = base.get(m["key"], []), doc["results"].get(c["key"], {}).get(m["key"], [])
                if not a or not b or min(a + b) <= 0:
                    r.append("-")
                    continue
                x = statistics.median(a) / statistics.median(b)
                r.append(f"{1 / x if m['lower_is_better'] else x:.2f}")
            rows.append(f"| {m['label']} | " + " | ".join(r) + " |")
        lines.append("PV on pvx against each configuration (ratio of the medians, oriented so "
                     "that above 1 means PV on pvx is better: faster, or lower latency):\n\n"
                     + "\n".join(rows))
    notes = [f"- {c['label']}: {c['reason']}" for c in cfgs if c["status"] == "cannot run"]
    if notes:
        lines.append("Not measured:\n\n" + "\n".join(notes))
    return "\n\n".join(lines)


def describe(doc):
    m = doc["meta"]
    hvm = f" (Xen HVM: {m['hvm_cpu_model']})" if m.get("hvm_cpu_model") else ""
    return (f"{m['date']}; host: {m['host']}; QEMU: {m['qemu']}, accelerator {m['accelerator']}, "
            f"CPU model {m['cpu_model']}{hvm}; guest: {m['guest']}; {m['runs']} run(s) per figure "
            f"(median, min-max), a {m['disk_mib']} MiB disk, {m['seconds']} s timed runs"
            + (" (smoke run: figures meaningless)" if m["smoke"] else "") + ".")


def chart(doc, svg, png):
    """One panel per metric (a group per workload), one bar per configuration
    at the median, whiskers from min to max.  Each bar carries the id
    bar:METRIC:CONFIG in the SVG, and text stays text, so the chart can be
    checked against the JSON."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["svg.hashsalt"] = "pvx"
    cfgs = [c for c in doc["configs"] if c["status"] != "cannot run"]
    colours = plt.get_cmap("tab10")
    metrics = doc["metrics"]
    cols = 4
    rows = (len(metrics) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.6 * rows + 1.0), squeeze=False)
    for i, m in enumerate(metrics):
        ax = axes[i // cols][i % cols]
        for j, c in enumerate(cfgs):
            vals = doc["results"].get(c["key"], {}).get(m["key"], [])
            if not vals:
                continue
            med = statistics.median(vals)
            bar = ax.bar(j, med, color=colours(j), yerr=[[med - min(vals)], [max(vals) - med]],
                         capsize=3, label=c["label"])
            bar.patches[0].set_gid(f"bar:{m['key']}:{c['key']}")
        ax.set_title(m["label"] + (" (lower is better)" if m["lower_is_better"] else ""),
                     fontsize=9)
        ax.set_ylabel(m["unit"])
        ax.set_ylim(bottom=0)
        ax.set_xticks([])
    for i in range(len(metrics), rows * cols):
        axes[i // cols][i % cols].axis("off")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours(j)) for j in range(len(cfgs))]
    fig.legend(handles, [c["label"] for c in cfgs], loc="lower center", ncol=len(cfgs),
               fontsize=9, frameon=False)
    meta = doc["meta"]
    fig.suptitle(f"Disk and network I/O, {meta['accelerator']}: median of {meta['runs']} run(s), "
                 "whiskers min-max", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.96))
    fig.savefig(svg, metadata={"Date": None})
    fig.savefig(png, dpi=80)
    plt.close(fig)


def render(outdir):
    """results.md, chart.svg and chart.png from outdir/results.json."""
    try:
        doc = json.load(open(os.path.join(outdir, "results.json")))
    except (OSError, ValueError) as e:
        say(f"cannot read {os.path.join(outdir, 'results.json')}: {e} (run bench-io.py first)")
        return False
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(f"# PV against HVM-style I/O\n\n{describe(doc)}\n\n{table(doc)}\n")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        # Debian's python3-matplotlib is for Debian's python3, which may
        # not be the python3 first on PATH.
        if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
            return subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--render",
                                   outdir]).returncode == 0
        say("python3-matplotlib is missing: run scripts/install-deps.sh")
        return False
    chart(doc, os.path.join(outdir, "chart.svg"), os.path.join(outdir, "chart.png"))
    return True


def write_doc(doc, outdir):
    shutil.copy(os.path.join(outdir, "chart.svg"), DOC_CHART)
    block = (f"{BEGIN}\n{describe(doc)}\n\n![PV against HVM-style I/O](bench-io.svg)\n\n"
             f"{table(doc)}\n{END}")
    text = open(DOC).read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + ("\n\n## PV against HVM-style I/O\n\n`make bench-io` "
                                    "(scripts/bench-io.py).\n\n" + block + "\n")
    with open(DOC, "w") as f:
        f.write(text)
    say(f"table and chart written to {os.path.relpath(DOC, ROOT)} and "
        f"{os.path.relpath(DOC_CHART, ROOT)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mib", type=int, default=128, help="the benchmark disk's size (MiB)")
    ap.add_argument("--seconds", type=int, default=5,
                    help="random-read, TCP and round-trip duration")
    ap.add_argument("--out", default=DEFAULT_OUT, help="where results and logs go")
    ap.add_argument("--only", help="comma-separated configurations: " +
                    ", ".join(k for k, _, _ in CONFIGS))
    ap.add_argument("--smoke", action="store_true",
                    help="one short run, two boots at a time; checks that figures exist")
    ap.add_argument("--jobs", type=int, help="boots at once (only with --smoke)")
    ap.add_argument("--retries", type=int,
                    help="boot a configuration's round again after problems, this many times "
                         "(default 0; 2 with --smoke: Xen's HVM guest under nested TCG "
                         "sometimes crashes a program, on a loaded host twice in a row); the "
                         "JSON keeps what went wrong")
    ap.add_argument("--write-doc", action="store_true")
    ap.add_argument("--render", metavar="DIR", help="redraw DIR's table and chart from its JSON")
    ap.add_argument("--build-guest", metavar="FILE", help="only build the guest's initramfs")
    args = ap.parse_args()
    if args.render:
        if not render(args.render):
            return 1
        if args.write_doc:
            write_doc(json.load(open(os.path.join(args.render, "results.json"))), args.render)
        return 0
    if args.build_guest:
        return 0 if build_guest(args.build_guest) else 1
    if args.smoke:
        args.runs, args.mib, args.seconds = 1, 16, 1
        args.jobs = args.jobs or 2
        args.retries = 2 if args.retries is None else args.retries
    args.jobs = args.jobs or 1
    args.retries = args.retries or 0
    if args.jobs > 1 and not args.smoke:
        ap.error("--jobs above 1 perturbs the timings: only with --smoke")
    if args.runs < 1 or args.mib < 2 or args.seconds < 1 or args.jobs < 1 or args.retries < 0:
        ap.error("--runs, --seconds and --jobs must be at least 1, --mib at least 2 and "
                 "--retries at least 0")
    keys = [k for k, _, _ in CONFIGS]
    configs = args.only.split(",") if args.only else keys
    bad = [c for c in configs if c not in keys]
    if bad:
        ap.error(f"unknown configuration(s) {', '.join(bad)}: choose from {', '.join(keys)}")
    configs = [k for k in keys if k in configs]
    if args.write_doc and (args.smoke or args.only):
        ap.error("--write-doc needs the full benchmark (no --smoke, no --only)")
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    say(f"{len(configs)} configuration(s), {args.runs} round(s), {args.mib} MiB disk, "
        f"{args.seconds} s timed runs, accelerator {qh.accelerator()}; output in "
        f"{os.path.relpath(args.out, ROOT)}")
    doc = measure(args, configs)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    rendered = render(args.out)
    print(f"\n{describe(doc)}\n\n{table(doc)}\n")
    failed = not rendered
    for c in doc["configs"]:
        for p in c.get("retried_after", []):
            say(f"{c['label']}: booted again after: {p}")
        for p in c.get("problems", []):
            say(f"{c['label']}: problem: {p}")
            failed = True
        if c["status"] == "cannot run":
            say(f"{c['label']}: {c['reason']}")
    for c, res in doc["results"].items():
        for m, vals in res.items():
            if any(v <= 0 for v in vals):
                say(f"{LABEL[c]}: a zero or negative {m} figure")
                failed = True
    say("results: " + ", ".join(os.path.relpath(os.path.join(args.out, f), ROOT) for f in
                                 ("results.json", "results.md", "chart.svg", "chart.png")))
    if failed:
        return 1
    if args.write_doc:
        write_doc(doc, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
