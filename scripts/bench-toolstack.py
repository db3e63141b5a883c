#!/usr/bin/env python3
"""The toolstack benchmark: `xl create` to the guest's first console line,
`xl destroy`, `xl save` and `xl restore` (and, on pvx, a live `xl migrate` to the same
host), for the same Debian Linux domU, on pvx with its own
toolstack and on Xen 4.17 with Debian's (xl, the C xenstored, xenconsoled),
same QEMU machine, dom0 kernel, domU kernel, ramdisk and config.  Also the
memory each domU costs the hypervisor and dom0's daemons (8 PV test guests
of 16 MiB at once).

    bench-toolstack.py [--runs N] [--only pvx|xen] [--write-doc]

Each hypervisor boots once and runs the scenario's bench mode
(tests/linux/xl-scenario.sh LOG_DIR bench N): N create/destroy rounds
timed by dom0's clock, one save to dom0's RAM and restore of the booted
guest, then the 8 small domains.  Medians are reported with
the spread; nothing is asserted (suite 42 runs one round as a smoke test).
"""
import argparse
import os
import re
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "linux"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import xl_scenario as xs  # noqa: E402
import qemu_harness as qh  # noqa: E402

DOC = os.path.join(ROOT, "docs", "benchmarks.md")
BEGIN, END = "<!-- bench-toolstack.py -->", "<!-- /bench-toolstack.py -->"
NAMES = {"pvx": "pvx", "xen": "Xen 4.17"}
SMALL_DOMAINS, SMALL_MIB = 8, 16


def measure(hv, runs, timeout):
    """Boot hv with the bench mode; returns {metric: [values]} or a reason."""
    if not (xs.prepare_pvx() if hv == "pvx" else xs.prepare_xen()):
        return f"building {NAMES[hv]}'s dom0 initramfs failed (see above)"
    print(f"bench-toolstack: {NAMES[hv]}: {runs} create/destroy rounds and "
          f"{SMALL_DOMAINS} small domains ({qh.accelerator()}); a minute or two", flush=True)
    run = xs.run_pvx if hv == "pvx" else xs.run_xen
    r = run(timeout, extra_cmdline=f"xlbench={runs}")
    with open(os.path.join(ROOT, "build", f"bench-toolstack-{hv}.log"), "w") as f:
        f.write(r.output)
    sc = xs.parse(r.output)
    if sc.problems:
        return "; ".join(sc.problems)
    t = sc.times
    out = {"create returns (ms)": [], "first console line (ms)": [], "guest's init runs (ms)": [],
           "xl destroy (ms)": []}
    for i in range(1, runs + 1):
        start = t.get(f"createb{i}-start")
        pairs = (("create returns (ms)", f"createb{i}-end"),
                 ("first console line (ms)", f"createb{i}-first-line"),
                 ("guest's init runs (ms)", f"createb{i}-domid"))
        for name, ev in pairs:
            if start is None or ev not in t:
                return f"round {i}: no '{ev}' time (see build/bench-toolstack-{hv}.log)"
            out[name].append(t[ev] - start)
        if f"destroyb{i}-end" not in t:
            return f"round {i}: no destroy time"
        out["xl destroy (ms)"].append(t[f"destroyb{i}-end"] - t[f"destroyb{i}-start"])
    for name, label in (("xl save (ms)", "saveb"), ("xl restore (ms)", "restoreb")):
        res = sc.results.get(label)
        if not res or res[2] != 0 or f"{label}-end" not in t:
            why = f"exit status {res[2]}: {res[1].strip()[-300:]}" if res else "it did not run"
            return f"{label[:-1]}: {why} (see build/bench-toolstack-{hv}.log)"
        out[name] = [t[f"{label}-end"] - t[f"{label}-start"]]
    if sc.save_size:
        out["save file (MiB)"] = [sc.save_size / 2**20]
    res = sc.results.get("migrateb")
    if res is not None:  # pvx's dom0 only: it has the pvx-migrate transport
        if res[2] != 0 or "migrateb-end" not in t:
            return f"migrate: exit status {res[2]}: {res[1].strip()[-300:]}"
        rounds = [int(n) for n in re.findall(r"round \d+: (\d+) pages sent", res[1])]
        last = re.search(r"last round, guest suspended: (\d+) pages; (\d+) ms", res[1])
        if not rounds or not last:
            return f"migrate: no rounds on xl's stderr: {res[1].strip()[-300:]}"
        out["xl migrate, live, to the same host (ms)"] = [t["migrateb-end"] - t["migrateb-start"]]
        out["migrate: live rounds"] = [len(rounds)]
        out["migrate: pages sent in round 1"] = [rounds[0]]
        out["migrate: pages sent in later live rounds"] = [sum(rounds[1:])]
        out["migrate: pages sent with the guest suspended"] = [int(last.group(1))]
        out["migrate: suspend request to end of stream (ms)"] = [int(last.group(2))]
        unpaused = [re.search(r"guest unpaused (\d+) ms after the end of the stream", n)
                    for n in sc.notes]
        unpaused = [m for m in unpaused if m]
        if not unpaused:
            return f"migrate: the receiver printed no unpause time: {sc.notes}"
        out["migrate: end of stream to guest unpaused on the receiver (ms)"] = [
            int(unpaused[0].group(1))]
        out["migrate: downtime, suspend request to unpaused (ms)"] = [
            int(last.group(2)) + int(unpaused[0].group(1))]
    if "before-small" in sc.free and "with-small" in sc.free:
        took = sc.free["before-small"] - sc.free["with-small"]
        out["hypervisor memory per domU beyond its own (KiB)"] = [
            took / SMALL_DOMAINS - SMALL_MIB * 1024]
        for (when, daemon), kbs in sorted(sc.rss.items()):
            before = sc.rss.get(("before-small", daemon))
            if when == "with-small" and before and kbs and kbs[-1] and before[-1]:
                out[f"{daemon} RSS per domU (KiB)"] = [(kbs[-1] - before[-1]) / SMALL_DOMAINS]
    return out


def fmt(values):
    if not values:
        return "-"
    m = statistics.median(values)
    spread = f" ({min(values):,.0f}-{max(values):,.0f})" if len(values) > 1 else ""
    return f"{m:,.0f}{spread}"


def table(results, runs):
    rows = ["| | pvx | Xen 4.17 | pvx/Xen |", "|---|---|---|---|"]
    keys = [k for k in results.get("pvx", {}) if "RSS" not in k] + \
        sorted({k for res in results.values() if isinstance(res, dict) for k in res if "RSS" in k})
    for k in keys:
        p, x = results.get("pvx", {}).get(k), results.get("xen", {}).get(k)
        ratio = f"{statistics.median(p) / statistics.median(x):.2f}" \
            if p and x and statistics.median(x) > 0 and "memory" not in k and "RSS" not in k \
            and "MiB" not in k else ""
        rows.append(f"| {k} | {fmt(p)} | {fmt(x)} | {ratio} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", choices=["pvx", "xen"])
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--write-doc", action="store_true")
    args = ap.parse_args()
    results = {}
    for hv in (args.only,) if args.only else ("pvx", "xen"):
        res = measure(hv, args.runs, args.timeout)
        if isinstance(res, str):
            print(f"bench-toolstack: {NAMES[hv]}: {res}")
            return 1
        results[hv] = res
        print(f"bench-toolstack: {NAMES[hv]}: done", flush=True)
    t = table(results, args.runs)
    print(t)
    print(f"accelerator: {qh.accelerator()}, median of {args.runs} (min-max)")
    if args.write_doc and len(results) == 2:
        text = open(DOC).read()
        block = (f"{BEGIN}\nMeasured with `{qh.accelerator()}`, {args.runs} rounds per hypervisor "
                 "(median, min-max), QEMU 1 GiB Haswell-noTSX, dom0 512 MiB, the Debian domU of "
                 "/etc/pvx/debian-ramdisk.cfg (128 MiB, 1 vCPU); times on dom0's clock from `xl create` "
                 "starting; one `xl save` to dom0's RAM and `xl restore` of the booted domU per "
                 "hypervisor, then on pvx one live `xl migrate` of it to the same host through "
                 "pvx-migrate (Xen's dom0 here has no transport for it); memory from 8 PV test guests of 16 MiB at once (Xen's `xl info` "
                 "gives MiB, so its per-domU figure is within 128 KiB).\n\n" + t + f"\n{END}")
        if BEGIN in text:
            text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        with open(DOC, "w") as f:
            f.write(text)
        print(f"bench-toolstack: table written to {os.path.relpath(DOC, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
