#!/bin/sh
# timeout: 1200
# parallel: yes
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke run of the PV-against-HVM I/O benchmark (scripts/bench-io.py
# --smoke, `make bench-io`): one short run of every configuration that can
# start (PV on pvx and its dom0 as the native reference, PV on Xen 4.17,
# QEMU's emulated IDE + e1000 and virtio guests, Xen 4.17 HVM), booted two
# at a time.  bench-io.py itself fails when a configuration that started
# lacks a figure; tests/tools/check_bench_io.py then checks that the JSON,
# the table, the SVG chart and the PNG are produced and agree (a
# configuration that cannot run must carry its one-line reason).  Then
# scripts/bench-devices.py's table from the pvx boot's log (the split-driver
# benchmark's workload ran in it).  No timing is asserted.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build XEN
suite_build_toolstack

OUT=build/bench-io-smoke
rm -rf "$OUT"
python3 scripts/bench-io.py --smoke --out "$OUT"
rc=$?
if [ "$rc" -eq 0 ]; then
    suite_ok bench-io.smoke_exit_status
else
    suite_ko "bench-io.smoke_exit_status: $rc (see the problems above)"
fi
ALL=pv-pvx,pv-xen,emulated,virtio,hvm-xen,native
# Under TCG every configuration can run (QEMU emulates SVM for Xen's HVM
# guest): none may be reported as one that cannot.
RAN=""
[ "$PVX_ACCEL" = tcg ] && RAN="--ran $ALL"
# shellcheck disable=SC2086 # RAN is an option and its value, or nothing
out=$(python3 tests/tools/check_bench_io.py "$OUT" --runs 1 --configs $ALL $RAN)
printf '%s\n' "$out"
line=$(printf '%s\n' "$out" | grep '^[0-9]* passed, [0-9]* failed$' | tail -n 1)
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
suite_pass=$((suite_pass + ${p:-0}))
suite_fail=$((suite_fail + ${f:-1}))

# scripts/bench-devices.py's table on the pvx boot above (the split-driver
# benchmark's workload, with bench-io's extra workloads): every row gets a
# domU figure, a dom0 figure and a ratio, and the rows that move data dom0's
# CPU per MiB (the script fails when a figure is missing or zero).
out=$(python3 scripts/bench-devices.py --from-logs --only pvx --log "$OUT/pvx-round1.log" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then suite_ok "bench-devices.exit_status"; else suite_ko "bench-devices.exit_status: $rc"; fi
fig='[0-9][0-9,.]*'
for row in "sequential write, 1 MiB requests (MiB/s)" "sequential read, 1 MiB requests (MiB/s)" \
    "random read, 4 KiB (IOPS)" "TCP, iperf3 (Mbit/s)"; do
    if printf '%s\n' "$out" | grep -F "| $row |" |
        grep -Eq "^\| [^|]+ \| $fig \| $fig \| [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9]{2} \|$"; then
        suite_ok "bench-devices.row: $row"
    else
        suite_ko "bench-devices.row: $row (missing, or a figure absent)"
    fi
done
if printf '%s\n' "$out" | grep -F "| random read, 4 KiB, median latency (us) |" |
    grep -Eq "^\| [^|]+ \| $fig \| $fig \| [0-9]+\.[0-9]{2} \|  \|$"; then
    suite_ok "bench-devices.row: random read latency"
else
    suite_ko "bench-devices.row: random read latency (missing, or a figure absent)"
fi
suite_summary
