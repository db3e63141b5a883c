#!/usr/bin/env python3
"""pvx-iobench (dom0-tools/bench/iobench.c) on the host: every mode on a
small file, its output line parsed and checked for consistency (bytes,
requests, MiB/s against iops x bs and against bytes / seconds, latencies
positive with median <= p99), the file's content after seq-write (each
4 KiB starts with its offset as a little-endian 64-bit number, the rest is
0xa5), --verify catching a changed byte, and bad input refused with exit
status 2 and a message saying what to do.

The files live under build/ (a disk file system): O_DIRECT may be refused
on tmpfs.  Where this kernel's tmpfs refuses it, the tool's error for that
is checked too.  Prints PASS/FAIL lines and `N passed, N failed`.

    test_iobench.py [PROGRAM]     (default: build/dom0-tools/pvx-iobench, built first)
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "build", "dom0-tools", "pvx-iobench")
MiB = 1 << 20
LINE = re.compile(
    r"^pvx-iobench: (?P<mode>seq-read|seq-write|rand-read) bs=(?P<bs>\d+) bytes=(?P<bytes>\d+) "
    r"requests=(?P<requests>\d+) seconds=(?P<seconds>\d+\.\d{6}) MiB/s=(?P<mibs>\d+\.\d) "
    r"iops=(?P<iops>\d+\.\d) lat-median-us=(?P<med>\d+\.\d) lat-p99-us=(?P<p99>\d+\.\d)$")

results = []


def check(name, ok, why=""):
    results.append(bool(ok))
    print(f"{'PASS' if ok else 'FAIL'} iobench.{name}{'' if ok else ': ' + why}", flush=True)
    return ok


def run(prog, *args):
    r = subprocess.run([prog, *args], capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr.strip()


def consistent(m, mode, bs, nbytes=None):
    """Why the parsed line m is inconsistent, or ''."""
    v = {k: float(m.group(k)) for k in ("bs", "bytes", "requests", "seconds", "mibs", "iops",
                                       "med", "p99")}
    if m.group("mode") != mode:
        return f"mode {m.group('mode')}, wanted {mode}"
    if v["bs"] != bs:
        return f"bs={v['bs']:.0f}, wanted {bs}"
    if nbytes is not None and v["bytes"] != nbytes:
        return f"bytes={v['bytes']:.0f}, wanted {nbytes}"
    if v["bytes"] != v["requests"] * bs:
        return "bytes is not requests x bs"
    if not (v["seconds"] > 0 and v["mibs"] > 0 and v["iops"] > 0):
        return "a zero time or rate"
    # MiB/s = iops x bs / 1 MiB (both printed to 0.1).
    if abs(v["mibs"] - v["iops"] * bs / MiB) > 0.05 + 0.05 * bs / MiB + 0.001 * v["mibs"]:
        return f"MiB/s {v['mibs']} is not iops x bs ({v['iops'] * bs / MiB:.1f})"
    # MiB/s = bytes / seconds, seconds printed to the microsecond.
    lo = v["bytes"] / MiB / (v["seconds"] + 5e-7)
    hi = v["bytes"] / MiB / max(v["seconds"] - 5e-7, 1e-9)
    if not lo * 0.99 - 0.05 <= v["mibs"] <= hi * 1.01 + 0.05:
        return f"MiB/s {v['mibs']} is not bytes / seconds ({lo:.1f}-{hi:.1f})"
    if not (0 < v["med"] <= v["p99"]):
        return f"latencies median {v['med']} p99 {v['p99']}"
    return ""


def measure(prog, name, mode, path, bs, *args, nbytes=None):
    """Run one measurement and check its line; returns the parsed match or None."""
    rc, out, err = run(prog, mode, path, "--bs", str(bs), *args)
    m = LINE.match(out.strip())
    if rc != 0 or not m or out.count("\n") != 1:
        check(name, False, f"exit {rc}, output {out.strip()!r}, errors {err!r}")
        return None
    why = consistent(m, mode, bs, nbytes)
    check(name, not why, f"{why}: {out.strip()}")
    return m if not why else None


def content_ok(path, size):
    """'' if path holds what seq-write writes over [0, size), else why not."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) != size:
        return f"{len(data)} bytes, wanted {size}"
    fill = b"\xa5" * 4088
    for off in range(0, size, 4096):
        if struct.unpack_from("<Q", data, off)[0] != off or data[off + 8:off + 4096] != fill:
            return f"the 4 KiB at offset {off} is not its stamp"
    return ""


def bad(prog, name, args, status, want):
    rc, out, err = run(prog, *args)
    check(f"bad.{name}", rc == status and want in err and not out,
          f"exit {rc} (wanted {status}), stderr {err!r} (wanted {want!r}), stdout {out!r}")


def odirect_refused(prog):
    """The tool's error where a tmpfs refuses O_DIRECT (Linux before 6.6)."""
    shm = "/dev/shm"
    if not os.path.isdir(shm) or not os.access(shm, os.W_OK):
        print("SKIP iobench.odirect_refused: no writable /dev/shm")
        return
    probe = os.path.join(shm, f"pvx-iobench-probe.{os.getpid()}")
    try:
        fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_DIRECT, 0o644)
        os.close(fd)
        print("SKIP iobench.odirect_refused: this kernel's tmpfs accepts O_DIRECT")
        return
    except OSError:
        pass
    finally:
        if os.path.exists(probe):
            os.unlink(probe)
    bad(prog, "odirect_refused", ["seq-write", probe, "--size", "1M"], 2, "O_DIRECT refused")
    check("odirect_refused_no_file_left", not os.path.exists(probe), f"{probe} left behind")


def main():
    prog = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    if len(sys.argv) <= 1:
        r = subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "dom0-tools"),
                            f"O={os.path.join(ROOT, 'build', 'dom0-tools')}", prog],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            check("build", False, "make failed (see above)")
            print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
            return 1
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    work = tempfile.mkdtemp(prefix="iobench-test.", dir=os.path.join(ROOT, "build"))
    try:
        big = os.path.join(work, "big.img")
        small = os.path.join(work, "small.img")
        size = 4 * MiB
        measure(prog, "seq_write_1m", "seq-write", big, MiB, "--size", "4M", nbytes=size)
        why = content_ok(big, size)
        check("seq_write_1m_content", not why, why)
        measure(prog, "seq_read_1m", "seq-read", big, MiB, "--verify", nbytes=size)
        measure(prog, "seq_read_4k", "seq-read", big, 4096, "--size", "4M", "--verify",
                nbytes=size)
        measure(prog, "seq_write_4k", "seq-write", small, 4096, "--size", "1m", nbytes=MiB)
        why = content_ok(small, MiB)
        check("seq_write_4k_content", not why, why)
        m = measure(prog, "rand_read_count", "rand-read", big, 4096, "--count", "300", "--verify",
                    nbytes=300 * 4096)
        m = measure(prog, "rand_read_seconds", "rand-read", big, 4096, "--seconds", "0.3",
                    "--verify")
        if m:
            check("rand_read_seconds_time", 0.3 <= float(m.group("seconds")) < 5,
                  f"seconds={m.group('seconds')} for --seconds 0.3")
        m = measure(prog, "runtime_limit", "seq-read", big, 4096, "--seconds", "0.000001",
                    "--runtime-limit")
        if m:
            check("runtime_limit_stops", int(m.group("requests")) < 1024,
                  f"{m.group('requests')} requests: the limit did not stop it")
        # seq-write extends a file and leaves what lies beyond SIZE alone.
        measure(prog, "seq_write_extend", "seq-write", small, MiB, "--size", "2M", nbytes=2 * MiB)
        why = content_ok(small, 2 * MiB)
        check("seq_write_extend_content", not why, why)
        # A changed byte is caught by --verify (exit 1, naming its offset).
        with open(big, "r+b") as f:
            f.seek(3 * MiB + 4096 + 100)
            f.write(b"\x00")
        rc, out, err = run(prog, "seq-read", big, "--verify")
        check("verify_mismatch", rc == 1 and f"byte {3 * MiB + 4096 + 100} " in err and not out,
              f"exit {rc}, stderr {err!r}")

        bad(prog, "no_args", [], 2, "usage:")
        bad(prog, "unknown_mode", ["seq-copy", big], 2, "unknown mode 'seq-copy'")
        bad(prog, "size_syntax", ["seq-read", big, "--size", "4x"], 2, "bad size '4x' for --size")
        bad(prog, "bs_syntax", ["seq-read", big, "--bs", "-1"], 2, "bad size '-1' for --bs")
        bad(prog, "size_not_bs_multiple", ["seq-read", big, "--bs", "1M", "--size", "1536k"], 2,
            "is not a multiple of --bs")
        bad(prog, "bs_unaligned", ["seq-read", big, "--bs", "1000"], 2, "not a multiple of 4 KiB")
        bad(prog, "file_too_small", ["seq-read", big, "--size", "8M"], 2,
            "smaller than --size 8388608")
        bad(prog, "missing_file", ["rand-read", os.path.join(work, "nosuch")], 2,
            "No such file or directory")
        bad(prog, "new_file_no_size", ["seq-write", os.path.join(work, "new.img")], 2,
            "give --size")
        bad(prog, "unknown_option", ["seq-read", big, "--depth", "4"], 2, "unknown option")
        bad(prog, "missing_value", ["seq-read", big, "--bs"], 2, "--bs needs a value")
        bad(prog, "bad_seconds", ["rand-read", big, "--seconds", "0"], 2, "bad --seconds")
        bad(prog, "verify_on_write", ["seq-write", big, "--verify"], 2, "--verify checks")
        bad(prog, "directory", ["seq-read", work], 2, "neither a block device nor a regular file")
        odirect_refused(prog)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
