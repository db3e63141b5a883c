#!/usr/bin/env bash
# timeout: 300
# The console daemon and client on the host (docs/console.md): cmocka unit
# tests of the ring, the output buffer, log files, the rate limiter and the
# options (ASan/UBSan); then the end-to-end test: pvxconsoled's loop over a
# fake hypervisor, real pvx_console_attach clients, real ptys and a real
# xenstored (standalone).  The test in QEMU with a Linux domU is xl's.
set -u
cd "$(dirname "$0")/../.."
. xenstore/tests/lib.sh

DT=$ROOT/build/dom0-tools
build_xenstore all
if ! make -s -C dom0-tools O="$DT" consoled consoled-tests >"$WORK/consoled-build.log" 2>&1; then
    cat "$WORK/consoled-build.log"
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

"$DT/consoled-unit" >"$WORK/unit.out" 2>&1
unit_rc=$?
cat "$WORK/unit.out"
cm_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$WORK/unit.out" | awk '{s += $1} END {print s + 0}')
cm_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$WORK/unit.out" | awk '{s += $1} END {print s + 0}')
echo "cmocka: $cm_pass passed, $cm_fail failed"
PASS=$((PASS + cm_pass))
FAIL=$((FAIL + cm_fail))
if [ "$unit_rc" -ne 0 ] && [ "$cm_fail" -eq 0 ]; then
    FAIL=$((FAIL + 1))
    echo "FAIL consoled-unit exited $unit_rc without reporting a failure (a sanitizer?)"
fi

start_daemon --
XENSTORED_PATH=$SOCK "$DT/consoled-e2e" >"$WORK/e2e.out" 2>&1
e2e_rc=$?
cat "$WORK/e2e.out"
ep=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$WORK/e2e.out")
ef=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$WORK/e2e.out")
PASS=$((PASS + ${ep:-0}))
FAIL=$((FAIL + ${ef:-1}))
if [ "$e2e_rc" -ne 0 ] && [ "${ef:-1}" -eq 0 ]; then
    FAIL=$((FAIL + 1))
    echo "FAIL consoled-e2e exited $e2e_rc without reporting a failure (a sanitizer?)"
fi
check "xenstored exits cleanly" stop_daemon
finish
