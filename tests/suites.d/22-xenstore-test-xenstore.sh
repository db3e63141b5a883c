#!/usr/bin/env bash
# timeout: 300
# parallel: yes
# Xen's own test program, test-xenstore from Debian's xen-utils-4.17 (with
# Debian's libxenstore), against pvx's xenstored: every test, then every
# test 50 times (-i 50), then its random mode for 30 seconds, then the full
# set again as an unprivileged guest over a standalone domain socket.
set -u
cd "$(dirname "$0")/../.."
. xenstore/tests/lib.sh

build_xenstore all
fetch_peer
TX=$PEER/usr/lib/xen-4.17/bin/test-xenstore
D=$PEER/usr/bin
PROTO="python3 $ROOT/scripts/xenstore-proto.py"
start_daemon --
export XENSTORED_PATH=$SOCK

run_tx() {
    local name=$1; shift
    if "$TX" "$@" >"$WORK/tx.out" 2>&1 && ! grep -q failed "$WORK/tx.out"; then
        PASS=$((PASS + 1)); echo "ok   $name ($(grep -c ':' "$WORK/tx.out") lines of timings)"
    else
        FAIL=$((FAIL + 1)); echo "FAIL $name"; sed 's/^/     | /' "$WORK/tx.out" | tail -20
    fi
}

expect_eq "test-xenstore knows 12 tests" 12 bash -c "'$TX' -l | wc -l"
for t in "read 1" "read 2000" "write 1" "write 2000" "dir" "rm node" "rm dir" \
    "ta empty" "ta empty x" "ta rmw" "ta rmw x" "ta err"; do
    run_tx "test-xenstore -t '$t'" -t "$t"
done
run_tx "test-xenstore (all tests)"
run_tx "test-xenstore -i 50 (all tests, 50 iterations)" -i 50
start=$(date +%s)
run_tx "test-xenstore -r 31 (random mode)" -r 31
expect_eq "random mode ran for at least 30 s" yes bash -c "[ \$(( \$(date +%s) - $start )) -ge 30 ] && echo yes"
check_fails "test-xenstore left nothing behind" "$D/xenstore-exists" /local/domain/0/xenstore-test

# As an unprivileged guest: its relative paths go to /local/domain/3.
"$D/xenstore-write" /local/domain/3/dummy ""
"$D/xenstore-chmod" -r /local/domain/3 n3
check "INTRODUCE domain 3" $PROTO "$SOCK" INTRODUCE 3 1 1
XENSTORED_PATH=$WORK/domain-3 run_tx "test-xenstore as domain 3"
XENSTORED_PATH=$WORK/domain-3 run_tx "test-xenstore -i 20 as domain 3" -i 20
# The same binary run against pvx's libxenstore.so.4 instead of Debian's.
LD_LIBRARY_PATH=$BUILD run_tx "test-xenstore on pvx's libxenstore (all tests)"
LD_LIBRARY_PATH=$BUILD run_tx "test-xenstore -i 20 on pvx's libxenstore" -i 20
LD_LIBRARY_PATH=$BUILD run_tx "test-xenstore -r 10 on pvx's libxenstore" -r 10
expect_eq "test-xenstore really loaded pvx's library" "$BUILD/libxenstore.so.4" \
    bash -c "LD_LIBRARY_PATH='$BUILD' ldd '$TX' | awk '/libxenstore/ {print \$3}'"
check "daemon still running" daemon_alive
check "daemon exits cleanly" stop_daemon
finish
