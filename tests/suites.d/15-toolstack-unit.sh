#!/usr/bin/env bash
# timeout: 300
# The dom0 toolstack's xl.cfg parser, disk/vif specs, domain description and
# save/restore stream (framing, bad input, page-table rewriting):
# cmocka unit tests under ASan+UBSan, and the differential test against Xen
# 4.17's own libxlutil (Debian libxen-dev) on the corpus in
# dom0-tools/tests/cfg-corpus plus seeded random configs and disk specs;
# pvx-iobench on a host file (tests/tools/test_iobench.py), and the I/O
# benchmark's parsers, table and chart (tests/tools/test_bench_io.py);
# pvx-migrate, xl migrate's transport (tests/tools/test_migrate_transport.py).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=$PWD/build/dom0-tools/tests
WORK=$(mktemp -d /tmp/pvx-toolstack.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PASS=0
FAIL=0

if ! make -s -C dom0-tools/tests O="$BUILD" all >"$WORK/build.log" 2>&1; then
    cat "$WORK/build.log"
    echo "building the toolstack tests failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# A test program that reports nothing, or exits non-zero without reporting a
# failure (a sanitizer at exit, a crash), still counts as one failure.
for t in test_xlcfg test_devspec test_domcfg test_sr; do
    "$BUILD/$t" >"$WORK/$t.out" 2>&1
    rc=$?
    cat "$WORK/$t.out"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$WORK/$t.out")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$WORK/$t.out")
    PASS=$((PASS + ${p:-0}))
    FAIL=$((FAIL + ${f:-0}))
    if [ -z "$p$f" ] || { [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
        echo "FAIL $t: exit status $rc"
        FAIL=$((FAIL + 1))
    fi
done

"$BUILD/cfg-diff" "$BUILD/xlu-ref" dom0-tools/tests/cfg-corpus "${PVX_CFG_FUZZ:-20000}" \
    >"$WORK/diff.out" 2>&1
rc=$?
cat "$WORK/diff.out"
line=$(grep '^[0-9]* passed, [0-9]* failed$' "$WORK/diff.out" | tail -n 1)
p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
PASS=$((PASS + ${p:-0}))
FAIL=$((FAIL + ${f:-1}))
if [ "$rc" -ne 0 ] && [ "${f:-1}" -eq 0 ]; then
    echo "FAIL cfg-diff: exit status $rc"
    FAIL=$((FAIL + 1))
fi

# pvx-iobench, the disk benchmark dom0 and the domU run
# (tests/tools/test_iobench.py: a small file on the host, under build/), and
# the I/O benchmark's parsing, table and chart (tests/tools/test_bench_io.py).
for t in test_iobench test_bench_io test_migrate_transport; do
    python3 "tests/tools/$t.py" >"$WORK/$t.out" 2>&1
    rc=$?
    cat "$WORK/$t.out"
    line=$(grep '^[0-9]* passed, [0-9]* failed$' "$WORK/$t.out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    PASS=$((PASS + ${p:-0}))
    FAIL=$((FAIL + ${f:-1}))
    if [ "$rc" -ne 0 ] && [ "${f:-1}" -eq 0 ]; then
        echo "FAIL $t: exit status $rc"
        FAIL=$((FAIL + 1))
    fi
done

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
