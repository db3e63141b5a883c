#!/bin/sh
# timeout: 900
# parallel: yes
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke run of the hypercall/trap benchmark (scripts/bench.py, `make bench`):
# one boot of the test guest's bench mode under pvx and one under Xen 4.17,
# one iteration per operation.  Checks only that the side-by-side table is
# produced with a figure from both hypervisors for every operation, and both
# boot times; no timing is asserted (a timing is not a test).  The same for
# the SMP table: one more boot of each with two CPUs and two dom0 vCPUs
# (`bench smp`: round trips and TLB shootdowns between the vCPUs, the work
# done by one vCPU and by both at once).  Then one
# round of the toolstack benchmark on pvx.  The split-driver benchmark's
# workload runs in suite 43 (scripts/bench-io.py boots it), which also
# checks scripts/bench-devices.py's table on that boot's log.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
suite_tcg
suite_build XEN

all=$(python3 scripts/bench.py --runs 1 --iters 1 --timeout 120 --logs build/bench-smoke 2>&1)
rc=$?
printf '%s\n' "$all"
if [ "$rc" -eq 0 ]; then suite_ok "bench.exit_status"; else suite_ko "bench.exit_status: $rc"; fi
# The one-CPU table, then the SMP one.
out=$(printf '%s\n' "$all" | sed '/^SMP: pvx vs Xen/,$d')
smp=$(printf '%s\n' "$all" | sed -n '/^SMP: pvx vs Xen/,$p')

if printf '%s\n' "$out" | grep -q '^operation .*pvx cycles.*Xen cycles.*pvx/Xen$'; then
    suite_ok "bench.table_header"
else
    suite_ko "bench.table_header"
fi

# Every measured row: a pvx figure, a Xen figure and a ratio.
num='[0-9][0-9,]*'
for row in "null hypercall" "multicall, 32 null calls" "mmu_update, 512 PTEs" \
    "update_va_mapping + UVMF_INVLPG" "mmuext TLB_FLUSH_LOCAL" "evtchn send to self" \
    "page fault bounced" "user syscall" "user int \$0x80" "grant map + unmap" \
    "grant copy 64 MiB, 4 KiB" "grant copy 64 MiB, 16 x" "evtchn interdomain loopback"; do
    if printf '%s\n' "$out" | grep -F "$row" |
        grep -Eq "^.{20,} +$num +(-|±[0-9]+%) +$num +(-|±[0-9]+%) +[0-9]+\.[0-9]{2}$"; then
        suite_ok "bench.row: $row"
    else
        suite_ko "bench.row: $row (missing, or a figure absent on one side)"
    fi
done

# The rows needing a second domain: a pvx figure, marked as having no Xen
# counterpart (Xen has no toolstack here to start one).
for row in "evtchn ping-pong with another domain" "switch to another domain and back"; do
    if printf '%s\n' "$out" | grep -F "$row" |
        grep -Eq "^.{20,} +$num +(-|±[0-9]+%) +\(no Xen counterpart\)$"; then
        suite_ok "bench.pvx_only_row: $row"
    else
        suite_ko "bench.pvx_only_row: $row (no pvx figure, or not marked)"
    fi
done
if printf '%s\n' "$out" | grep -Eq "^grant copy 64 MiB, 4 KiB per call: pvx [0-9,]+ MiB/s, Xen 4.17 [0-9,]+ MiB/s$"; then
    suite_ok "bench.copy_throughput"
else
    suite_ko "bench.copy_throughput"
fi

for hv in pvx "Xen 4.17"; do
    if printf '%s\n' "$out" | grep -q "^$hv: *QEMU start -> guest's first line *[0-9.]* s"; then
        suite_ok "bench.first_line_time: $hv"
    else
        suite_ko "bench.first_line_time: $hv"
    fi
done

# SMP: every row measured on both (a row a hypervisor cannot measure, e.g.
# with vCPU 1 never running beside vCPU 0, shows n/a and fails here).
if printf '%s\n' "$smp" | grep -q '^operation (2 CPUs, 2 dom0 vCPUs) .*pvx cycles.*Xen cycles.*pvx/Xen$'; then
    suite_ok "bench.smp_table_header"
else
    suite_ko "bench.smp_table_header"
fi
for row in "null hypercall, vCPU 1 down" "null hypercall, vCPU 1 making them too" \
    "evtchn round trip vCPU 0 <-> 1, both running" "evtchn round trip, vCPU 1 woken from poll" \
    "mmuext TLB_FLUSH_LOCAL" "mmuext TLB_FLUSH_MULTI {vCPU 1}" "mmuext INVLPG_LOCAL" \
    "mmuext INVLPG_MULTI {vCPU 1}" "update_va_mapping UVMF_INVLPG|LOCAL" \
    "update_va_mapping UVMF_INVLPG|ALL" "fixed work, vCPU 0 alone" "same work on each vCPU at once"; do
    if printf '%s\n' "$smp" | grep -F "$row" |
        grep -Eq "^.{20,} +$num +(-|±[0-9]+%) +$num +(-|±[0-9]+%) +[0-9]+\.[0-9]{2}$"; then
        suite_ok "bench.smp_row: $row"
    else
        suite_ko "bench.smp_row: $row (missing, or a figure absent on one side)"
    fi
done
for what in "TLB_FLUSH_MULTI - TLB_FLUSH_LOCAL" "INVLPG_MULTI - INVLPG_LOCAL" "UVMF_ALL - UVMF_LOCAL"; do
    if printf '%s\n' "$smp" | grep -F "$what" | grep -Eq " pvx +-?$num, Xen +-?$num, pvx/Xen "; then
        suite_ok "bench.smp_shootdown: $what"
    else
        suite_ko "bench.smp_shootdown: $what"
    fi
done
if printf '%s\n' "$smp" |
    grep -Eq '^Aggregate throughput, .*: pvx [0-9]+\.[0-9]{2}x, Xen 4\.17 [0-9]+\.[0-9]{2}x, pvx/Xen [0-9]+\.[0-9]{2}$'; then
    suite_ok "bench.smp_throughput"
else
    suite_ko "bench.smp_throughput"
fi
for hv in "pvx, 2 CPUs" "Xen 4.17, 2 CPUs"; do
    if printf '%s\n' "$smp" | grep -q "^$hv: *QEMU start -> guest's first line *[0-9.]* s"; then
        suite_ok "bench.smp_first_line_time: $hv"
    else
        suite_ko "bench.smp_first_line_time: $hv"
    fi
done

# The toolstack benchmark (scripts/bench-toolstack.py), one round on pvx:
# every row gets a pvx figure.
make -s -C xenstore O="$PWD/build/xenstore" all static >/dev/null &&
    make -s -C dom0-tools O="$PWD/build/dom0-tools" >/dev/null
out=$(python3 scripts/bench-toolstack.py --runs 1 --only pvx 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then suite_ok "bench-toolstack.exit_status"; else suite_ko "bench-toolstack.exit_status: $rc"; fi
for row in "create returns (ms)" "first console line (ms)" "guest's init runs (ms)" \
    "xl destroy (ms)" "xl save (ms)" "xl restore (ms)" "save file (MiB)" \
    "xl migrate, live, to the same host (ms)" "migrate: live rounds" \
    "migrate: pages sent in round 1" "migrate: pages sent with the guest suspended" \
    "migrate: suspend request to end of stream (ms)" \
    "migrate: end of stream to guest unpaused on the receiver (ms)" \
    "migrate: downtime, suspend request to unpaused (ms)" \
    "hypervisor memory per domU beyond its own (KiB)" \
    "xenstored RSS per domU (KiB)" "pvxconsoled RSS per domU (KiB)"; do
    if printf '%s\n' "$out" | grep -F "| $row |" | grep -Eq "^\| [^|]+ \| -?[0-9][0-9,.]* \|"; then
        suite_ok "bench-toolstack.row: $row"
    else
        suite_ko "bench-toolstack.row: $row (missing, or no pvx figure)"
    fi
done

suite_summary
