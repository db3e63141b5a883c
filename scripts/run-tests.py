#!/usr/bin/env python3
"""Run every test suite under tests/suites.d and print one closing line,
`N passed, N failed`.

A suite is an executable file tests/suites.d/NN-name.sh, run from the
repository root with a deadline.  It reports its checks in one of two ways:
  - a line `N passed, N failed` (the last such line counts), or
  - cmocka's summary lines `[  PASSED  ] N test(s).` / `[  FAILED  ] N test(s)`.
A suite that exits non-zero without reporting a failure counts one failure, so
a crash or a timeout can never look green.  Suite output is streamed to the
terminal and kept in build/test-logs/NAME.log.

Suites run one after another in name order, except those that declare
`# parallel: yes` in their first lines: once every other suite is done, they
run side by side, PVX_TEST_JOBS at a time (default: 2, or 1 on a one-CPU
machine), longest deadline first, each output line prefixed with the suite's
number.  A suite may say so only if it builds nothing another suite builds and
writes only files of its own: they are mostly single-threaded QEMU runs, which
is what the machine's CPUs can do side by side.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = os.path.join(ROOT, "tests", "suites.d")
LOGS = os.path.join(ROOT, "build", "test-logs")

PLAIN = re.compile(r"^(?:\w+:\s*)?(\d+) passed, (\d+) failed(?:, \d+ skipped)?\s*$")
CM_PASS = re.compile(r"^\[\s+PASSED\s+\] (\d+) test")
CM_FAIL = re.compile(r"^\[\s+FAILED\s+\] (\d+) test")
# A check's failure as the suites print it ("FAIL name", "check NAME FAIL",
# cmocka's "[  FAILED  ] test"): repeated in the closing summary, so that a
# log that keeps only its tail still says what failed.
FAIL_LINE = re.compile(r"\bFAIL(?:ED)?\b")
FAILS_SHOWN = 12
DEFAULT_TIMEOUT = 900
PREPARE = ("scripts/fetch-linux.py", "scripts/fetch-xen-peer.py")


def suite_header(path, key):
    """The value of `# KEY: VALUE` in a suite's first lines, or None."""
    with open(path) as f:
        for _ in range(10):
            m = re.match(rf"#\s*{key}:\s*(\S+)", f.readline())
            if m:
                return m.group(1)
    return None


def suite_timeout(path):
    """A suite may declare `# timeout: SECONDS` in its first lines."""
    value = suite_header(path, "timeout")
    return int(value) if value and value.isdigit() else DEFAULT_TIMEOUT


def suite_parallel(path):
    return suite_header(path, "parallel") == "yes"


OUT_LOCK = threading.Lock()


def say(text, prefix=""):
    with OUT_LOCK:
        for line in text.splitlines():
            sys.stdout.write(prefix + line + "\n")
        sys.stdout.flush()


def count(lines):
    plain = None
    cm_pass = cm_fail = 0
    cm_seen = False
    for line in lines:
        m = PLAIN.match(line)
        if m:
            plain = (int(m.group(1)), int(m.group(2)))
            continue
        m = CM_PASS.match(line)
        if m:
            cm_pass += int(m.group(1))
            cm_seen = True
            continue
        m = CM_FAIL.match(line)
        if m:
            cm_fail += int(m.group(1))
            cm_seen = True
    if plain is not None:
        return plain
    if cm_seen:
        return cm_pass, cm_fail
    return None


def run_suite(path, prefix=""):
    name = os.path.basename(path)
    timeout = suite_timeout(path)
    say(f"=== {name} (deadline {timeout}s)", prefix)
    os.makedirs(LOGS, exist_ok=True)
    log_path = os.path.join(LOGS, os.path.splitext(name)[0] + ".log")
    lines = []
    start = time.monotonic()
    proc = subprocess.Popen([path], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, text=True, errors="replace")
    timed_out = False
    with open(log_path, "w") as log:
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                timed_out = True
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            log.write(line)
            say("  " + line.rstrip("\n"), prefix)
    if timed_out:
        os.killpg(proc.pid, 9)
    rc = proc.wait()
    secs = time.monotonic() - start
    result = count(lines)
    passed, failed = result if result else (0, 0)
    if timed_out:
        say(f"  {name}: TIMEOUT after {timeout}s (log: {os.path.relpath(log_path, ROOT)})", prefix)
        failed += 1
    elif rc != 0 and failed == 0:
        say(f"  {name}: exited with status {rc} without reporting a failure", prefix)
        failed += 1
    elif result is None:
        say(f"  {name}: printed no result line", prefix)
        failed += 1
    say(f"--- {name}: {passed} passed, {failed} failed ({secs:.1f}s)", prefix)
    return passed, failed, [l for l in lines if FAIL_LINE.search(l)]


def jobs_wanted():
    value = os.environ.get("PVX_TEST_JOBS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return min(2, os.cpu_count() or 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="*", help="run only suites whose name contains one of these")
    args = ap.parse_args()
    suites = sorted(os.path.join(SUITES, n) for n in os.listdir(SUITES)
                    if os.access(os.path.join(SUITES, n), os.X_OK))
    if args.patterns:
        suites = [s for s in suites if any(p in os.path.basename(s) for p in args.patterns)]
    if not suites:
        print("run-tests: no suites selected")
        print("0 passed, 1 failed")
        return 1
    results = {}
    start = time.monotonic()
    for s in suites:
        if not suite_parallel(s):
            results[s] = run_suite(s)
    side_by_side = sorted((s for s in suites if suite_parallel(s)), key=suite_timeout, reverse=True)
    jobs = max(1, min(jobs_wanted(), len(side_by_side)))
    if side_by_side:
        say(f"run-tests: {len(side_by_side)} suites side by side, {jobs} at a time "
            f"(PVX_TEST_JOBS sets how many)")
    # What the side-by-side suites would each fetch, fetched once first.
    for fetch in PREPARE if side_by_side else ():
        if subprocess.run([sys.executable, os.path.join(ROOT, fetch)], cwd=ROOT).returncode:
            print(f"run-tests: {fetch} failed (see above); the suites that need it will fail")
    queue = list(side_by_side)
    queue_lock = threading.Lock()

    def worker():
        while True:
            with queue_lock:
                if not queue:
                    return
                s = queue.pop(0)
            prefix = "[" + os.path.basename(s).split("-")[0] + "] " if jobs > 1 else ""
            results[s] = run_suite(s, prefix)

    threads = [threading.Thread(target=worker) for _ in range(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total_pass = sum(r[0] for r in results.values())
    total_fail = sum(r[1] for r in results.values())
    failing = [s for s in suites if results[s][1]]
    print(f"run-tests: {len(suites)} suites in {time.monotonic() - start:.0f}s")
    for s in failing:
        fails = results[s][2]
        print(f"{os.path.basename(s)}: {results[s][1]} failed"
              + (":" if fails else " (no FAIL line: see its log)"))
        for line in fails[:FAILS_SHOWN]:
            print("    " + line.strip()[:300])
        if len(fails) > FAILS_SHOWN:
            print(f"    ... and {len(fails) - FAILS_SHOWN} more")
    if failing:
        print("failing suites: " + ", ".join(os.path.basename(s) for s in failing)
              + " (logs in build/test-logs/)")
    print(f"{total_pass} passed, {total_fail} failed")
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
