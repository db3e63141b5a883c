#!/usr/bin/env python3
"""Hypercall and trap microbenchmarks: pvx beside Xen 4.17, in one run.

    scripts/bench.py [--runs 3] [--iters 1001] [--write-doc]

Boots the same test guest (build/testguest/testguest, command line
`bench iters=N`) as dom0 under pvx and under Debian's Xen 4.17 in QEMU, with
the same CPU model, memory and accelerator, alternating pvx, Xen, pvx, Xen,
... (--runs boots each).  The guest prints one line per operation,
`BENCH <op> median=<cycles> min=<cycles> max=<cycles> iters=<n>` or
`BENCH <op> unavailable: <reason>`.  For each operation the table shows the
median over the runs of the per-run medians, the range of those medians
across runs (the spread), and the ratio pvx/Xen; then the wall time from
QEMU's start to the guest's first console line for each hypervisor.

pvx boots like scripts/testguest-run.py boots it (build/hypervisor/pvx,
command line "dom0_mem=32M"), plus one domU running the guest's `benchpeer`
mode (the other end of the cross-domain rows: event-channel ping-pong and
the switch between domains; it stays blocked during the other rows); Xen
with that script's command line for Xen.  Xen has no toolstack here, so
those two rows have no Xen counterpart; the grant and loopback rows use a
domain granting to and binding to itself, which both can run.
The accelerator is TCG unless PVX_ACCEL says otherwise (Xen cannot boot
under this machine's nested KVM).  --write-doc replaces the generated part
of the "Hypercall and trap microbenchmarks" section of docs/benchmarks.md.

SMP: each run also boots pvx and Xen once more with two CPUs (QEMU -smp 2,
multi-threaded TCG) and dom0_max_vcpus=2, the guest in `bench smp` mode:
round trips and TLB shootdowns between its two vCPUs on the two CPUs, and a
fixed CPU-bound work done by one vCPU alone and by both at once (aggregate
throughput).  Their table goes into the "SMP" section of
docs/benchmarks.md.  --no-smp leaves these boots out, --smp-only boots only
them.

Exit status: 0 if every boot produced a BENCH line for every operation on
both hypervisors; 1 otherwise.  Python 3 standard library only.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
os.environ.setdefault("PVX_ACCEL", "tcg")
import qemu_harness as qh  # noqa: E402

# The same command lines scripts/testguest-run.py and tests/suites.d/4[01]-*
# use for each hypervisor.
PVX_APPEND = "dom0_mem=32M domU=peer,mem=16M,kernel=1"
XEN_APPEND = ("console=com1 com1=115200,8n1 dom0_mem=32M,max:32M dom0_max_vcpus=1 "
              "loglvl=all guest_loglvl=all noreboot=false sync_console")
# The configurations booted, in order: pvx, Xen, and optionally Xen and pvx
# with extra options (--xen-extra-append, --pvx-extra-append: `make bench-pv`
# adds xpti=0 to both, so each is also measured without Meltdown isolation).
HYPERVISORS = ["pvx", "xen"]
NAMES = {"pvx": "pvx", "xen": "Xen 4.17", "xen2": "Xen 4.17 + options",
         "pvx2": "pvx + options"}

FIRST_LINE = r"pvx-testguest: start_info"
SUMMARY = r"^(?:\(XEN\) )?\d+ passed, \d+ failed\s*$"
BENCH_OK = re.compile(r"^(?:\(XEN\) )?BENCH (\S+) median=(\d+) min=(\d+) max=(\d+) iters=(\d+)",
                      re.M)
BENCH_NA = re.compile(r"^(?:\(XEN\) )?BENCH (\S+) unavailable: (.*?)\s*$", re.M)
TSC_LINE = re.compile(r"note: bench: \d+ iterations per operation, tsc (\d+) kHz")
WORK_LINE = re.compile(r"note: bench: smp: one unit of work is (\d+) xorshift steps")
# A row whose start did not see both vCPUs running at once (measured anyway).
APART_LINE = re.compile(r"^(?:\(XEN\) )?note: bench: smp: (smp_\w+): vCPU 1 answered", re.M)

# Display order and descriptions (the guest's names, bench.c).
OPS = [
    ("null_hypercall", "null hypercall (xen_version 0)"),
    ("multicall_32_null", "multicall, 32 null calls"),
    ("mmu_update_512", "mmu_update, 512 PTEs in one call"),
    ("update_va_mapping_invlpg", "update_va_mapping + UVMF_INVLPG"),
    ("mmuext_tlb_flush_local", "mmuext TLB_FLUSH_LOCAL"),
    ("evtchn_send_self_upcall", "evtchn send to self -> upcall"),
    ("page_fault_bounce", "page fault bounced to guest kernel"),
    ("user_syscall_roundtrip", "user syscall -> kernel -> iret"),
    ("user_int80_iret_roundtrip", "user int $0x80 -> kernel -> iret"),
    ("grant_map_unmap_self", "grant map + unmap, one page (own grant)"),
    ("grant_copy_64m_4k_self", "grant copy 64 MiB, 4 KiB per call"),
    ("grant_copy_64m_batched_self", "grant copy 64 MiB, 16 x 4 KiB per call"),
    ("evtchn_loopback_roundtrip", "evtchn interdomain loopback round trip"),
    ("evtchn_xdom_pingpong", "evtchn ping-pong with another domain"),
    ("context_switch", "switch to another domain and back"),
]
# Rows that need a second domain: measured on pvx only.
PVX_ONLY = {"evtchn_xdom_pingpong", "context_switch"}
# Rows whose sample moves COPY_BYTES: also shown as throughput.
COPY_ROWS = {"grant_copy_64m_4k_self", "grant_copy_64m_batched_self"}
COPY_BYTES = 64 << 20

# The SMP boots (--no-smp: none): two CPUs, two dom0 vCPUs, `bench smp`.
SMP_HYPERVISORS = ["pvx-smp", "xen-smp"]
NAMES.update({"pvx-smp": "pvx, 2 CPUs", "xen-smp": "Xen 4.17, 2 CPUs"})
PVX_SMP_APPEND = "dom0_mem=32M dom0_max_vcpus=2"
XEN_SMP_APPEND = XEN_APPEND.replace("dom0_max_vcpus=1", "dom0_max_vcpus=2")
SMP_OPS = [
    ("smp_null_hypercall_alone", "null hypercall, vCPU 1 down"),
    ("smp_null_hypercall_both", "null hypercall, vCPU 1 making them too"),
    ("smp_evtchn_roundtrip_running", "evtchn round trip vCPU 0 <-> 1, both running"),
    ("smp_evtchn_roundtrip_wake", "evtchn round trip, vCPU 1 woken from poll"),
    ("smp_tlb_flush_local", "mmuext TLB_FLUSH_LOCAL"),
    ("smp_tlb_flush_multi", "mmuext TLB_FLUSH_MULTI {vCPU 1}"),
    ("smp_invlpg_local", "mmuext INVLPG_LOCAL"),
    ("smp_invlpg_multi", "mmuext INVLPG_MULTI {vCPU 1}"),
    ("smp_uvm_invlpg_local", "update_va_mapping UVMF_INVLPG|LOCAL"),
    ("smp_uvm_invlpg_all", "update_va_mapping UVMF_INVLPG|ALL"),
    ("smp_work_1vcpu", "fixed work, vCPU 0 alone"),
    ("smp_work_2vcpus", "same work on each vCPU at once"),
]
# (shootdown row, its local counterpart, what the difference is)
SHOOTDOWNS = [
    ("smp_tlb_flush_multi", "smp_tlb_flush_local", "TLB_FLUSH_MULTI - TLB_FLUSH_LOCAL"),
    ("smp_invlpg_multi", "smp_invlpg_local", "INVLPG_MULTI - INVLPG_LOCAL"),
    ("smp_uvm_invlpg_all", "smp_uvm_invlpg_local", "UVMF_ALL - UVMF_LOCAL"),
]

DOC = os.path.join(ROOT, "docs", "benchmarks.md")
SECTION = "## Hypercall and trap microbenchmarks"
BEGIN = "<!-- bench.py: generated table begins -->"
END = "<!-- bench.py: generated table ends -->"
SMP_SECTION = "## SMP: two vCPUs on two CPUs"
SMP_BEGIN = "<!-- bench.py: generated SMP table begins -->"
SMP_END = "<!-- bench.py: generated SMP table ends -->"


def log(msg):
    print(msg, flush=True)


def boot_once(hv, args):
    on_pvx = hv.startswith("pvx")
    kernel = args.pvx if on_pvx else args.xen
    append = PVX_APPEND if on_pvx else XEN_APPEND
    if hv == "xen2":
        append += " " + args.xen_extra_append
    if hv == "pvx2":
        append += " " + args.pvx_extra_append
    modules = [f"{args.guest} bench iters={args.iters}"]
    smp = {}
    if hv in SMP_HYPERVISORS:
        append = PVX_SMP_APPEND if on_pvx else XEN_SMP_APPEND
        modules = [f"{args.guest} bench smp iters={args.iters}"]
        smp = {"smp": 2, "accel": qh.smp_accel()}
    elif on_pvx:
        modules = [modules[0] + " peer=1", f"{args.guest} benchpeer peer=0"]
    r = qh.boot(kernel=kernel, modules=modules, append=append, memory=args.memory,
                cpu=args.cpu, timeout=args.timeout, first_line=FIRST_LINE, stop_on=SUMMARY,
                **smp)
    res = {"ok": {}, "na": {}, "first": r.first_line_at, "elapsed": r.elapsed,
           "timed_out": r.timed_out, "output": r.output, "tsc_khz": None, "work": None}
    for m in BENCH_OK.finditer(r.output):
        res["ok"][m.group(1)] = tuple(int(x) for x in m.group(2, 3, 4, 5))
    for m in BENCH_NA.finditer(r.output):
        res["na"][m.group(1)] = m.group(2)
    m = TSC_LINE.search(r.output)
    if m:
        res["tsc_khz"] = int(m.group(1))
    m = WORK_LINE.search(r.output)
    if m:
        res["work"] = int(m.group(1))
    res["apart"] = sorted(set(APART_LINE.findall(r.output)))
    return res


def fmt_cycles(v):
    return "-" if v is None else f"{v:,.0f}"


def fmt_range(vals):
    if not vals:
        return "-"
    lo, hi = min(vals), max(vals)
    med = statistics.median(vals)
    if len(vals) == 1 or med == 0:
        return "-"
    return f"±{(hi - lo) / 2 / med * 100:.0f}%"


def summarize(results):
    """results[hv] = list of boot dicts -> rows and boot-time figures."""
    rows = []
    names = [op for op, _ in OPS]
    for hv in HYPERVISORS:
        for b in results[hv]:
            for op in list(b["ok"]) + list(b["na"]):
                if op not in names:
                    names.append(op)
    desc = dict(OPS)
    for op in names:
        row = {"op": op, "desc": desc.get(op, op)}
        for hv in HYPERVISORS:
            meds = [b["ok"][op][0] for b in results[hv] if op in b["ok"]]
            nas = [b["na"][op] for b in results[hv] if op in b["na"]]
            row[hv] = statistics.median(meds) if meds else None
            row[hv + "_runs"] = meds
            row[hv + "_na"] = nas[0] if nas and not meds else None
        row["ratio"] = (row["pvx"] / row["xen"]) if row["pvx"] and row["xen"] else None
        if "xen2" in HYPERVISORS:
            row["ratio2"] = (row["pvx"] / row["xen2"]) if row["pvx"] and row["xen2"] else None
        if "pvx2" in HYPERVISORS:
            peer = row["xen2"] if "xen2" in HYPERVISORS else row["xen"]
            row["ratio3"] = (row["pvx2"] / peer) if row["pvx2"] and peer else None
        rows.append(row)
    return rows


def render(rows, results, args):
    out = []
    w = max(len(r["desc"]) for r in rows)
    extra = "xen2" in HYPERVISORS
    extra_pvx = "pvx2" in HYPERVISORS
    head = (f"{'operation':<{w}}  {'pvx cycles':>12} {'spread':>7}  {'Xen cycles':>12} "
            f"{'spread':>7}  {'pvx/Xen':>7}")
    if extra:
        head += f"  {'Xen+opts':>12} {'spread':>7}  {'pvx/that':>8}"
    if extra_pvx:
        head += f"  {'pvx+opts':>12} {'spread':>7}  {'that/Xen' + ('+o' if extra else ''):>10}"
    out.append(head)
    out.append("-" * len(head))
    notes = []
    for r in rows:
        if r["pvx"] is None and r["xen"] is None:
            reason = r["pvx_na"] or r["xen_na"] or "no result"
            same = r["pvx_na"] == r["xen_na"]
            out.append(f"{r['desc']:<{w}}  {'n/a':>12} {'':>7}  {'n/a':>12} {'':>7}  {'-':>7}" +
                       (f"  {'n/a':>12} {'':>7}  {'-':>8}" if extra else "") +
                       (f"  {'n/a':>12} {'':>7}  {'-':>10}" if extra_pvx else ""))
            if same:
                notes.append(f"{r['desc']}: not available on either side: {reason}")
            else:
                notes.append(f"{r['desc']}: pvx: {r['pvx_na'] or 'no result'}; "
                             f"Xen: {r['xen_na'] or 'no result'}")
            continue
        if r["op"] in PVX_ONLY and r["xen"] is None:
            out.append(f"{r['desc']:<{w}}  {fmt_cycles(r['pvx']):>12} "
                       f"{fmt_range(r['pvx_runs']):>7}  {'(no Xen counterpart)':>29}")
            notes.append(f"{r['desc']}: pvx only ({r['xen_na'] or 'no Xen result'})")
            continue
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "-"
        line = (f"{r['desc']:<{w}}  {fmt_cycles(r['pvx']):>12} {fmt_range(r['pvx_runs']):>7}  "
                f"{fmt_cycles(r['xen']):>12} {fmt_range(r['xen_runs']):>7}  {ratio:>7}")
        if extra:
            ratio2 = f"{r['ratio2']:.2f}" if r["ratio2"] is not None else "-"
            line += (f"  {fmt_cycles(r['xen2']):>12} {fmt_range(r['xen2_runs']):>7}  "
                     f"{ratio2:>8}")
        if extra_pvx:
            ratio3 = f"{r['ratio3']:.2f}" if r["ratio3"] is not None else "-"
            line += (f"  {fmt_cycles(r['pvx2']):>12} {fmt_range(r['pvx2_runs']):>7}  "
                     f"{ratio3:>10}")
        out.append(line)
        for hv in HYPERVISORS:
            if r[hv] is None:
                notes.append(f"{r['desc']}: {NAMES[hv]}: {r[hv + '_na'] or 'no result'}")
    out.append("")
    wn = max(len(NAMES[hv]) for hv in HYPERVISORS) + 1
    for hv in HYPERVISORS:
        firsts = [b["first"] for b in results[hv] if b["first"] is not None]
        totals = [b["elapsed"] for b in results[hv]]
        if firsts:
            out.append(f"{NAMES[hv] + ':':<{wn}} QEMU start -> guest's first line "
                       f"{statistics.median(firsts):6.2f} s (runs {min(firsts):.2f}-"
                       f"{max(firsts):.2f} s); whole boot {statistics.median(totals):.2f} s")
        else:
            out.append(f"{NAMES[hv] + ':':<{wn}} the guest's first line never appeared")
    out.append("")
    if extra:
        out.append(f"Xen+opts: Xen 4.17 with \"{NAMES['xen2'][len('Xen 4.17 + '):]}\" added to "
                   "its command line, for reference; pvx/Xen is the comparison that counts")
    if extra_pvx:
        out.append(f"pvx+opts: pvx with \"{NAMES['pvx2'][len('pvx + '):]}\" added to its command "
                   "line, compared with " + ("Xen+opts" if extra else "Xen") +
                   " (with xpti=0 on both: each without Meltdown isolation, like for like)")
    out.append(f"cycles: rdtsc deltas in the guest, median of {args.iters} samples per run "
               f"after 10 warm-up rounds; each figure is the median over {args.runs} runs, "
               "spread = half the range of the run medians; a grant copy sample moves all "
               "64 MiB, at most 5 samples per run")
    tsc = [b["tsc_khz"] for hv in HYPERVISORS for b in results[hv] if b["tsc_khz"]]
    if tsc:
        out.append(f"TSC {statistics.median(tsc) / 1000:.0f} MHz as the guest sees it "
                   f"(1000 cycles = {1e6 / statistics.median(tsc):.2f} us)")
    if tsc:
        hz = statistics.median(tsc) * 1000
        for r in rows:
            if r["op"] in COPY_ROWS:
                rates = [f"{NAMES[hv]} {COPY_BYTES / (r[hv] / hz) / 2**20:,.0f} MiB/s"
                         for hv in HYPERVISORS if r[hv]]
                out.append(f"{r['desc']}: {', '.join(rates)}")
    for n in notes:
        out.append("note: " + n)
    return "\n".join(out)


def smp_figures(results, op):
    """Per hypervisor: the median over runs of the run medians, and those."""
    out = {}
    for hv in SMP_HYPERVISORS:
        runs = [b["ok"][op][0] for b in results.get(hv, []) if op in b["ok"]]
        nas = [b["na"][op] for b in results.get(hv, []) if op in b["na"]]
        out[hv] = (statistics.median(runs) if runs else None, runs,
                   nas[0] if nas and not runs else None)
    return out


def throughput(results, hv):
    """Aggregate throughput of two vCPUs against one (2 x alone / both), per
    run, from each run's medians."""
    out = []
    for b in results.get(hv, []):
        one, two = b["ok"].get("smp_work_1vcpu"), b["ok"].get("smp_work_2vcpus")
        if one and two and two[0]:
            out.append(2 * one[0] / two[0])
    return out


def render_smp(results, args):
    """The table of the two-CPU boots: pvx beside Xen."""
    names = [op for op, _ in SMP_OPS]
    for hv in SMP_HYPERVISORS:
        for b in results.get(hv, []):
            names += [op for op in list(b["ok"]) + list(b["na"]) if op not in names]
    desc = dict(SMP_OPS)
    w = max(len(desc.get(op, op)) for op in names)
    head = (f"{'operation (2 CPUs, 2 dom0 vCPUs)':<{w}}  {'pvx cycles':>12} {'spread':>7}  "
            f"{'Xen cycles':>12} {'spread':>7}  {'pvx/Xen':>7}")
    out = [head, "-" * len(head)]
    notes = []
    fig = {}
    for op in names:
        f = fig[op] = smp_figures(results, op)
        (p, pr, pna), (x, xr, xna) = f["pvx-smp"], f["xen-smp"]
        d = desc.get(op, op)
        ratio = f"{p / x:.2f}" if p and x else "-"
        out.append(f"{d:<{w}}  {fmt_cycles(p) if p is not None else 'n/a':>12} "
                   f"{fmt_range(pr):>7}  {fmt_cycles(x) if x is not None else 'n/a':>12} "
                   f"{fmt_range(xr):>7}  {ratio:>7}")
        if p is None or x is None:
            if pna == xna:
                notes.append(f"{d}: not available on either side: {pna or 'no result'}")
            else:
                for hv, na, v in (("pvx-smp", pna, p), ("xen-smp", xna, x)):
                    if v is None:
                        notes.append(f"{d}: {NAMES[hv]}: {na or 'no result'}")
    out.append("")
    out.append("TLB shootdown, the cycles the other vCPU's CPU adds to the local operation:")
    for multi, local, what in SHOOTDOWNS:
        vals = []
        for hv in SMP_HYPERVISORS:
            a, b = fig[multi][hv][0], fig[local][hv][0]
            vals.append(a - b if a is not None and b is not None else None)
        ok = all(v is not None and v > 0 for v in vals)
        ratio = f"{vals[0] / vals[1]:.2f}" if ok else "- (not both above zero)"
        out.append(f"  {what:<34} pvx {fmt_cycles(vals[0]):>9}, Xen {fmt_cycles(vals[1]):>9}, "
                   f"pvx/Xen {ratio}")
    thr = {hv: throughput(results, hv) for hv in SMP_HYPERVISORS}
    parts = []
    for hv in SMP_HYPERVISORS:
        t = thr[hv]
        if t:
            rng = f" (runs {min(t):.2f}-{max(t):.2f})" if len(t) > 1 else ""
            parts.append(f"{NAMES[hv].split(',')[0]} {statistics.median(t):.2f}x{rng}")
        else:
            parts.append(f"{NAMES[hv].split(',')[0]} n/a")
    ratio = ""
    if thr["pvx-smp"] and thr["xen-smp"]:
        p, x = statistics.median(thr["pvx-smp"]), statistics.median(thr["xen-smp"])
        ratio = f", pvx/Xen {p / x:.2f}"
    out.append("Aggregate throughput, 2 vCPUs at once against 1 alone (2 x alone / both; "
               f"goal >= 1.80x): {', '.join(parts)}{ratio}")
    out.append("")
    wn = max(len(NAMES[hv]) for hv in SMP_HYPERVISORS) + 1
    for hv in SMP_HYPERVISORS:
        firsts = [b["first"] for b in results.get(hv, []) if b["first"] is not None]
        totals = [b["elapsed"] for b in results.get(hv, [])]
        if firsts:
            out.append(f"{NAMES[hv] + ':':<{wn}} QEMU start -> guest's first line "
                       f"{statistics.median(firsts):6.2f} s; whole boot "
                       f"{statistics.median(totals):.2f} s")
        else:
            out.append(f"{NAMES[hv] + ':':<{wn}} the guest's first line never appeared")
    out.append("")
    work = [b["work"] for hv in SMP_HYPERVISORS for b in results.get(hv, []) if b["work"]]
    out.append(f"cycles: rdtsc deltas on vCPU 0, median of {args.iters} samples per run after 10 "
               f"warm-up rounds (the work rows: at most 5 samples after one warm-up); each "
               f"figure is the median over {args.runs} runs, spread = half the range of the "
               "run medians" + (f"; one unit of work = {work[0]:,} xorshift steps" if work else ""))
    tsc = [b["tsc_khz"] for hv in SMP_HYPERVISORS for b in results.get(hv, []) if b["tsc_khz"]]
    if tsc:
        out.append(f"TSC {statistics.median(tsc) / 1000:.0f} MHz as the guest sees it "
                   f"(1000 cycles = {1e6 / statistics.median(tsc):.2f} us)")
    for hv in SMP_HYPERVISORS:
        boots = results.get(hv, [])
        apart = [op for b in boots for op in b.get("apart", [])]
        measured = sum(len(b["ok"]) for b in boots)
        if apart:
            rows = sorted(set(apart), key=names.index)
            out.append(f"{NAMES[hv]}: at the start of {len(apart)} of {measured} measured rows "
                       "vCPU 1 did not run at the same time as vCPU 0 within 2 s (100 shared-"
                       "memory round trips in 200 ms, ten tries); measured anyway: "
                       + "; ".join(desc.get(op, op) for op in rows))
        elif boots:
            out.append(f"{NAMES[hv]}: both vCPUs were seen running at once at the start of "
                       "every row")
    for n in notes:
        out.append("note: " + n)
    return "\n".join(out)


def machine_info(args):
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        qv = subprocess.run([qh.QEMU, "--version"], capture_output=True, text=True,
                            timeout=20).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        qv = "unknown"
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {
        "cores": os.cpu_count(),
        "model": model,
        "qemu": qv,
        "accel": qh.accelerator(),
        "cpu": args.cpu,
        "memory": args.memory,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load": load,
        "kernel": platform.release(),
    }


def doc_block(begin, end, table, measured):
    """A generated table between its markers: how it was measured, then the table."""
    return "\n".join([begin, "", measured, "", "```", table, "```", "", end])


def write_doc(table, info, args):
    text = open(DOC).read() if os.path.exists(DOC) else "# pvx benchmarks\n"
    block = doc_block(BEGIN, END, table,
        f"Measured {info['date']} by `python3 scripts/bench.py --runs {args.runs} "
        f"--iters {args.iters}"
        + (f" --xen-extra-append {args.xen_extra_append}" if args.xen_extra_append else "")
        + (f" --pvx-extra-append {args.pvx_extra_append}" if args.pvx_extra_append else "")
        + f"` on: {info['cores']} host cores ({info['model']}, "
        f"Linux {info['kernel']}, load average {info['load']} at the start, shared with "
        f"other jobs); {info['qemu']}; accelerator **{info['accel'].upper()}**; guest CPU "
        f"model {info['cpu']}, {info['memory']} of RAM, one CPU; dom0 32 MiB "
        "on both hypervisors (pvx also runs a 16 MiB benchpeer domU).")
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        sect = text[start:] if nxt < 0 else text[start:nxt + 1]
        if BEGIN in sect and END in sect:
            new = sect[:sect.index(BEGIN)] + block + sect[sect.index(END) + len(END):]
        else:
            new = sect.rstrip("\n") + "\n\n" + block + "\n"
        text = text[:start] + new + ("" if nxt < 0 else text[nxt + 1:])
    else:
        text = text.rstrip("\n") + "\n\n" + SECTION + "\n\n" + block + "\n"
    with open(DOC, "w") as f:
        f.write(text)


def write_smp_doc(table, info, args):
    text = open(DOC).read() if os.path.exists(DOC) else "# pvx benchmarks\n"
    block = doc_block(SMP_BEGIN, SMP_END, table,
        f"Measured {info['date']} by `python3 scripts/bench.py --smp-only --runs {args.runs} "
        f"--iters {args.iters}` on: {info['cores']} host cores ({info['model']}, "
        f"Linux {info['kernel']}, load average {info['load']} at the start, shared with "
        f"other jobs); {info['qemu']}; accelerator **{qh.smp_accel().upper()}** (one host "
        f"thread per emulated CPU); guest CPU model {info['cpu']}, {info['memory']} of RAM, "
        "**two CPUs**; dom0 32 MiB with 2 vCPUs on both hypervisors, no other domain.")
    if SMP_BEGIN in text and SMP_END in text:
        text = text[:text.index(SMP_BEGIN)] + block + text[text.index(SMP_END) + len(SMP_END):]
    else:
        text = text.rstrip("\n") + "\n\n" + SMP_SECTION + "\n\n" + block + "\n"
    with open(DOC, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="boots per hypervisor (default 3)")
    ap.add_argument("--iters", type=int, default=1001,
                    help="timed samples per operation per boot (default 1001, max 2001)")
    ap.add_argument("--pvx", default=os.path.join(ROOT, "build", "hypervisor", "pvx"))
    ap.add_argument("--xen", default=os.path.join(ROOT, "build", "xen-peer", "xen-4.17-amd64"))
    ap.add_argument("--guest", default=os.path.join(ROOT, "build", "testguest", "testguest"))
    ap.add_argument("--memory", default="512M", help="QEMU RAM, same for both (default 512M)")
    ap.add_argument("--cpu", default=qh.DEFAULT_CPU, help="QEMU CPU model, same for both")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per boot")
    ap.add_argument("--xen-extra-append", metavar="OPTS",
                    help="also boot Xen with these options added (e.g. xpti=0), "
                    "as a third column for reference")
    ap.add_argument("--pvx-extra-append", metavar="OPTS",
                    help="also boot pvx with these options added (e.g. xpti=0), as a column "
                    "beside Xen+opts")
    ap.add_argument("--write-doc", action="store_true",
                    help="update the generated table(s) in docs/benchmarks.md")
    ap.add_argument("--no-smp", action="store_true",
                    help="leave out the two-CPU boots (the SMP table)")
    ap.add_argument("--smp-only", action="store_true",
                    help="only the two-CPU boots (the SMP table)")
    ap.add_argument("--logs", default=os.path.join(ROOT, "build", "bench"),
                    help="directory for each boot's serial log")
    args = ap.parse_args()
    if args.runs < 1 or not 1 <= args.iters <= 2001:
        ap.error("--runs must be at least 1, --iters between 1 and 2001 (the guest's limit)")
    if args.no_smp and args.smp_only:
        ap.error("--no-smp and --smp-only exclude each other")
    if args.xen_extra_append:
        HYPERVISORS.append("xen2")
        NAMES["xen2"] = "Xen 4.17 + " + args.xen_extra_append
    if args.pvx_extra_append:
        HYPERVISORS.append("pvx2")
        NAMES["pvx2"] = "pvx + " + args.pvx_extra_append

    if not os.path.exists(args.xen) and args.xen == ap.get_default("xen"):
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "fetch-xen-peer.py")])
    for what, path in (("pvx", args.pvx), ("Xen", args.xen), ("test guest", args.guest)):
        if not os.path.exists(path):
            print(f"bench: no {what} image at {path} (run `make all`; Xen: "
                  "scripts/fetch-xen-peer.py)")
            return 1
    os.makedirs(args.logs, exist_ok=True)

    info = machine_info(args)
    log(f"bench: {args.runs} runs per hypervisor, {args.iters} iterations per operation, "
        f"accelerator {info['accel']}, CPU model {args.cpu}, {args.memory}")
    boots = ([] if args.smp_only else list(HYPERVISORS)) + \
        ([] if args.no_smp else SMP_HYPERVISORS)
    results = {hv: [] for hv in boots}
    problems = []
    total = len(boots) * args.runs
    n = 0
    t_start = time.monotonic()
    t_boots = {hv: 0.0 for hv in boots}
    for run in range(1, args.runs + 1):
        for hv in boots:
            n += 1
            b = boot_once(hv, args)
            path = os.path.join(args.logs, f"{hv}-run{run}.log")
            with open(path, "w") as f:
                f.write(b["output"])
            results[hv].append(b)
            t_boots[hv] += b["elapsed"]
            first = f"{b['first']:.2f} s" if b["first"] is not None else "never"
            missing = [op for op, _ in (SMP_OPS if hv in SMP_HYPERVISORS else OPS)
                       if op not in b["ok"] and op not in b["na"]]
            status = "ok" if not missing and not b["timed_out"] else (
                "TIMED OUT" if b["timed_out"] else "INCOMPLETE")
            log(f"[{n}/{total}] {NAMES[hv]:<16} run {run}: {len(b['ok'])} measured, "
                f"{len(b['na'])} unavailable, first line {first}, boot {b['elapsed']:.1f} s, "
                f"{status} (log {os.path.relpath(path, ROOT)})")
            if missing:
                problems.append(f"{NAMES[hv]} run {run}: no result for {', '.join(missing)}")
    log(f"bench: {total} boots in {time.monotonic() - t_start:.0f} s (" +
        ", ".join(f"{NAMES[hv]} {t_boots[hv]:.0f} s" for hv in boots) + ")")

    if not args.smp_only:
        rows = summarize(results)
        table = render(rows, results, args)
        print()
        print(f"Hypercall and trap microbenchmarks: pvx vs Xen 4.17 ({info['accel'].upper()}, "
              f"{args.cpu}, {args.runs} runs x {args.iters} iterations)")
        print()
        print(table)
    if not args.no_smp:
        smp_table = render_smp(results, args)
        print()
        print(f"SMP: pvx vs Xen 4.17, each with 2 CPUs and 2 dom0 vCPUs "
              f"({qh.smp_accel().upper()}, {args.cpu}, {args.runs} runs x {args.iters} "
              "iterations)")
        print()
        print(smp_table)
    for p in problems:
        print("bench: " + p)
    if args.write_doc:
        if not args.smp_only:
            write_doc(table, info, args)
        if not args.no_smp:
            write_smp_doc(smp_table, info, args)
        print(f"bench: updated {os.path.relpath(DOC, ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
