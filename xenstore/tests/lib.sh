# Shared helpers for the xenstore test suites (sourced, not executed).
# Provides: build_xenstore, start_daemon, stop_daemon, check, expect_eq,
# finish, and the variables ROOT, BUILD, PEER, WORK, SOCK.

ROOT=$(pwd)
BUILD=$ROOT/build/xenstore
PEER=$ROOT/build/xen-peer/root
PASS=0
FAIL=0
WORK=$(mktemp -d /tmp/pvx-xs.XXXXXX)
SOCK=$WORK/socket
DAEMON_PID=

cleanup() {
    stop_daemon
    rm -rf "$WORK"
}
trap cleanup EXIT

build_xenstore() {
    make -s -C "$ROOT/xenstore" O="$BUILD" "$@" >"$WORK/build.log" 2>&1 || {
        cat "$WORK/build.log"
        echo "build failed"
        echo "0 passed, 1 failed"
        exit 1
    }
}

fetch_peer() {
    python3 "$ROOT/scripts/fetch-xen-peer.py" >"$WORK/fetch.log" 2>&1 || {
        cat "$WORK/fetch.log"
        echo "could not fetch Debian's Xen packages"
        echo "0 passed, 1 failed"
        exit 1
    }
    export LD_LIBRARY_PATH=$PEER/usr/lib/x86_64-linux-gnu
}

# start_daemon [binary-prefix...] -- [daemon options]: waits for the socket.
start_daemon() {
    local prefix=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do prefix+=("$1"); shift; done
    [ "${1:-}" = "--" ] && shift
    rm -f "$SOCK"
    "${prefix[@]}" "${XENSTORED_BIN:-$BUILD/xenstored}" -s "$SOCK" -L "$WORK/xenstored.log" "$@" 2>>"$WORK/daemon.err" &
    DAEMON_PID=$!
    for _ in $(seq 1 200); do
        [ -S "$SOCK" ] && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "daemon did not start"; cat "$WORK/xenstored.log"
    echo "0 passed, 1 failed"
    exit 1
}

# stop_daemon: SIGTERM and wait; returns the daemon's exit status.
stop_daemon() {
    local rc=0
    if [ -n "$DAEMON_PID" ]; then
        kill -TERM "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" || rc=$?
        DAEMON_PID=
    fi
    return $rc
}

daemon_alive() {
    [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null
}

# check NAME COMMAND...: passes if the command exits 0.
check() {
    local name=$1; shift
    if "$@" >"$WORK/check.out" 2>&1; then
        PASS=$((PASS + 1)); echo "ok   $name"
    else
        FAIL=$((FAIL + 1)); echo "FAIL $name"; sed 's/^/     | /' "$WORK/check.out" | head -20
    fi
}

# check_fails NAME COMMAND...: passes if the command exits non-zero.
check_fails() {
    local name=$1; shift
    if "$@" >"$WORK/check.out" 2>&1; then
        FAIL=$((FAIL + 1)); echo "FAIL $name (unexpected success)"; sed 's/^/     | /' "$WORK/check.out" | head -20
    else
        PASS=$((PASS + 1)); echo "ok   $name"
    fi
}

# expect_eq NAME EXPECTED COMMAND...: passes if the command's stdout equals EXPECTED.
expect_eq() {
    local name=$1 want=$2 got; shift 2
    got=$("$@" 2>"$WORK/check.err")
    if [ "$got" = "$want" ]; then
        PASS=$((PASS + 1)); echo "ok   $name"
    else
        FAIL=$((FAIL + 1)); echo "FAIL $name"
        echo "     | expected: $(printf '%q' "$want")"
        echo "     | got:      $(printf '%q' "$got")"
        sed 's/^/     | /' "$WORK/check.err" | head -5
    fi
}

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}
