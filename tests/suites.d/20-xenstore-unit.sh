#!/usr/bin/env bash
# timeout: 300
# xenstored unit tests (cmocka, in-memory transport: tree, paths,
# permissions, transactions, watches, quotas, control; and the guest ring
# backend against a fake hypervisor) and the pvx libxenstore API test
# against a live daemon, and concurrent transactions (serializability under
# conflicts) against it.
set -u
cd "$(dirname "$0")/../.."
. xenstore/tests/lib.sh

build_xenstore all unit
for t in xsd-unit xsd-guest-unit; do
    "$BUILD/$t" 2>&1 | tee "$WORK/$t.out"
    cm_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$WORK/$t.out")
    cm_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$WORK/$t.out")
    PASS=$((PASS + ${cm_pass:-0}))
    FAIL=$((FAIL + ${cm_fail:-0}))
    [ -z "$cm_pass$cm_fail" ] && FAIL=$((FAIL + 1)) && echo "FAIL $t printed no summary"
done

start_daemon --
XENSTORED_PATH=$SOCK "$BUILD/xs-lib-test" | tee "$WORK/lib.out"
lp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$WORK/lib.out")
lf=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$WORK/lib.out")
PASS=$((PASS + ${lp:-0}))
FAIL=$((FAIL + ${lf:-1}))
python3 "$ROOT/scripts/xenstore-txstress.py" "$SOCK" 6 150 | tee "$WORK/stress.out"
sp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$WORK/stress.out")
sf=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$WORK/stress.out")
PASS=$((PASS + ${sp:-0}))
FAIL=$((FAIL + ${sf:-1}))
check "daemon exits cleanly" stop_daemon
finish
