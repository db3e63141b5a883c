#!/usr/bin/env python3
"""Benchmark pvx's xenstored (`make bench-xenstore`).

Starts xenstored and a minimal Unix-socket echo server (both single-threaded
epoll loops) in a temporary directory and measures, with the C load
generator build/xenstore/xs-bench:

  * operations per second for a small READ (10-byte value), a small WRITE,
    a DIRECTORY of 100 children and a read-modify-write TRANSACTION
    (start, read, write, commit), with 1 and 16 concurrent clients;
  * the median latency from sending a WRITE to receiving the matching
    WATCH_EVENT.

Next to every figure it prints the physical limit measured in the same run:
the echo server answering exactly the same request bytes with replies of
exactly the same sizes (so it is the cost of the socket traffic with no
store behind it).  Then it fills the store with --nodes nodes (default
100,000) and measures everything again.

'slowdown' is the small-store figure over the full-store figure; 'vs lim'
is the same ratio after dividing each figure by its own echo limit, which
cancels most of the noise of a shared machine.

Every figure is the best of --reps runs (default 3) of --seconds each
(default 1), xenstored and echo alternating, because the machine is shared
and a single run is noisy.  Latencies are the best (lowest) median.

Options: --seconds S, --reps R, --nodes N, --samples N (watch), --smoke
(a very short run for the test suite; no figures are meaningful).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "xenstore")
BENCH = os.path.join(BUILD, "xs-bench")
OPS = [("read", "small READ"), ("write", "small WRITE"), ("dir", "DIRECTORY (100 children)"),
       ("tx", "TRANSACTION (read-modify-write)")]


def run(args):
    out = subprocess.run([BENCH] + args, check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def wait_socket(path, proc):
    for _ in range(200):
        if os.path.exists(path):
            return
        if proc.poll() is not None:
            sys.exit(f"bench-xenstore: {proc.args[0]} exited early")
        time.sleep(0.05)
    sys.exit(f"bench-xenstore: {path} never appeared")


def measure(sock, echo, secs, samples, clients_list, reps):
    """Best of reps runs, xenstored and echo alternating (the machine is shared)."""
    res = {}
    for op, _ in OPS:
        for n in clients_list:
            xs = ec = 0.0
            for _ in range(reps):
                xs = max(xs, run(["run", sock, op, str(n), str(secs)]))
                ec = max(ec, run(["run", sock, op, str(n), str(secs), "echo", echo]))
            res[(op, n)] = (xs, ec)
    wx = we = float("inf")
    for _ in range(reps):
        wx = min(wx, run(["watch", sock, str(samples)]))
        we = min(we, run(["watch", sock, str(samples), "echo", echo]))
    res["watch"] = (wx, we)
    return res


def main():
    ap = argparse.ArgumentParser(description="xenstored benchmark")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=3, help="best of this many runs per figure")
    ap.add_argument("--nodes", type=int, default=100000)
    ap.add_argument("--samples", type=int, default=20000)
    ap.add_argument("--smoke", action="store_true", help="one very short iteration (tests)")
    args = ap.parse_args()
    if args.smoke:
        args.seconds, args.nodes, args.samples, args.reps = 0.05, 1000, 50, 1

    subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "xenstore"), f"O={BUILD}", "bench"],
                   check=True)
    tmp = tempfile.mkdtemp(prefix="pvx-xsbench.")
    sock, echo = os.path.join(tmp, "socket"), os.path.join(tmp, "echo")
    daemon = subprocess.Popen([os.path.join(BUILD, "xenstored"), "-s", sock, "-L",
                               os.path.join(tmp, "log")])
    echod = subprocess.Popen([BENCH, "echo", echo])
    try:
        wait_socket(sock, daemon)
        wait_socket(echo, echod)
        clients = [1, 16]
        small = measure(sock, echo, args.seconds, args.samples, clients, args.reps)
        subprocess.run([BENCH, "populate", sock, str(args.nodes)], check=True, capture_output=True)
        big = measure(sock, echo, args.seconds, args.samples, clients, args.reps)
    finally:
        for p in (daemon, echod):
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    nproc = os.cpu_count()
    print(f"xenstored benchmark ({nproc} CPUs; best of {args.reps} x {args.seconds:g} s per figure; "
          f"'limit' = echo server, same bytes)")
    print()
    hdr = (f"{'operation':34} {'clients':>7} {'ops/s':>9} {'limit':>9} {'% lim':>6} "
           f"{'ops/s@' + str(args.nodes // 1000) + 'k':>11} {'limit':>9} {'% lim':>6} {'slowdown':>8} "
           f"{'vs lim':>6}")
    print(hdr)
    print("-" * len(hdr))
    worst = worst_norm = 1.0
    for op, label in OPS:
        for n in clients:
            xs, ec = small[(op, n)]
            bxs, bec = big[(op, n)]
            slow = xs / bxs if bxs else float("inf")
            norm = (xs / ec) / (bxs / bec) if bxs else float("inf")
            worst = max(worst, slow)
            worst_norm = max(worst_norm, norm)
            print(f"{label:34} {n:7d} {xs:9.0f} {ec:9.0f} {100 * xs / ec:5.0f}% "
                  f"{bxs:11.0f} {bec:9.0f} {100 * bxs / bec:5.0f}% {slow:7.2f}x {norm:5.2f}x")
    wx, we = small["watch"]
    bwx, bwe = big["watch"]
    print(f"{'WRITE -> WATCH_EVENT median (us)':34} {1:7d} {wx:9.1f} {we:9.1f} {'':>6} "
          f"{bwx:11.1f} {bwe:9.1f} {'':>6} {bwx / wx:7.2f}x {(bwx / bwe) / (wx / we):5.2f}x")
    print()
    r1 = small[("read", 1)]
    print(f"small READ, 1 client: {100 * r1[0] / r1[1]:.0f}% of the echo limit (goal >= 70%); "
          f"worst slowdown with {args.nodes} nodes: {worst:.2f}x raw, {worst_norm:.2f}x relative "
          f"to the limit measured alongside (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
