#!/usr/bin/env bash
# timeout: 300
# Debian's xenstore-utils (linked against Debian's libxenstore 4.17) against
# pvx's xenstored running standalone: the behaviour docs/misc/xenstore.txt
# documents, seen through clients no one here wrote.  Also checks pvx's own
# tool and an unprivileged domain (standalone domain socket).
set -u
cd "$(dirname "$0")/../.."
. xenstore/tests/lib.sh

build_xenstore all
fetch_peer
start_daemon --
export XENSTORED_PATH=$SOCK
D=$PEER/usr/bin
PROTO="python3 $ROOT/scripts/xenstore-proto.py"

# ---- values ----
check "write creates a node" "$D/xenstore-write" /t/a/b hello
expect_eq "read returns the value" "hello" "$D/xenstore-read" /t/a/b
expect_eq "write created the parent with an empty value" "" "$D/xenstore-read" /t/a
check "write several pairs at once" "$D/xenstore-write" /t/x 1 /t/y 2
expect_eq "read several keys" $'1\n2' "$D/xenstore-read" /t/x /t/y
check_fails "read of a missing node fails" "$D/xenstore-read" /t/missing
check_fails "read of an invalid path fails" "$D/xenstore-read" /t/bad.name
check "exists on an existing node" "$D/xenstore-exists" /t/a/b
check_fails "exists on a missing node" "$D/xenstore-exists" /t/nope
check "overwrite" "$D/xenstore-write" /t/a/b "second value"
expect_eq "overwrite is visible" "second value" "$D/xenstore-read" /t/a/b
check "write 4000-byte value" "$D/xenstore-write" /t/big "$(printf 'z%.0s' $(seq 1 4000))"
expect_eq "read 4000-byte value back" 4000 bash -c "'$D/xenstore-read' /t/big | tr -d '\n' | wc -c"

# ---- relative paths (a local socket is dom0: home /local/domain/0) ----
check "relative write" "$D/xenstore-write" relnode relvalue
expect_eq "relative path lands under /local/domain/0" relvalue "$D/xenstore-read" /local/domain/0/relnode

# ---- directories ----
expect_eq "list children in creation order" $'a\nx\ny\nbig' "$D/xenstore-list" /t
expect_eq "ls shows the subtree" $'a = ""\n b = "second value"\nx = "1"' bash -c "'$D/xenstore-ls' /t | head -3"
for i in $(seq 1 300); do printf '/t/many/entry-number-%04d v ' "$i"; done | xargs "$D/xenstore-write"
expect_eq "directory larger than one message (DIRECTORY_PART)" 300 bash -c "'$D/xenstore-list' /t/many | wc -l"
expect_eq "pvx tool lists the same" 300 bash -c "'$BUILD/xenstore' list /t/many | wc -l"

# ---- removal ----
check "rm a subtree" "$D/xenstore-rm" /t/many
check_fails "removed subtree is gone" "$D/xenstore-exists" /t/many/entry-number-0001
check "rm of a missing node whose parent exists succeeds" "$D/xenstore-rm" /t/never
check_fails "rm of a node whose parent is missing fails" "$D/xenstore-rm" /t/no/such
check "rm -t removes empty parents" bash -c "'$D/xenstore-write' /t/tidy/p/q v && '$D/xenstore-rm' -t /t/tidy/p/q"
check_fails "rm -t left no empty parent" "$D/xenstore-exists" /t/tidy

# ---- permissions ----
expect_eq "new node inherits its parent's permissions" "n0" bash -c "'$D/xenstore-ls' -p /t | grep '^x = ' | sed 's/.*(\(.*\))/\1/'"
check "chmod sets an owner and an ACL" "$D/xenstore-chmod" /t/x r0 b5 w7
expect_eq "permissions read back" "r0,b5,w7" bash -c "'$D/xenstore-ls' -p /t | grep '^x = ' | sed 's/.*(\(.*\))/\1/'"
check_fails "chmod with a bad permission letter fails" "$D/xenstore-chmod" /t/x q3
check "chmod -r recurses" "$D/xenstore-chmod" -r /t/a b0 r9
expect_eq "child got the permissions" "b0,r9" bash -c "'$D/xenstore-ls' -p /t/a | sed 's/.*(\(.*\))/\1/'"

# ---- watches ----
"$D/xenstore-watch" -n 4 /w >"$WORK/watch1" &
WPID=$!
for _ in $(seq 1 50); do [ -s "$WORK/watch1" ] && break; sleep 0.05; done
"$D/xenstore-write" /w/a/b 1
"$D/xenstore-write" /other 1
"$D/xenstore-chmod" /w/a n0
"$D/xenstore-rm" /w
wait "$WPID"
expect_eq "watch: first event at once, then write, chmod, rm (nothing for /other)" \
    $'/w\n/w/a/b\n/w/a\n/w' cat "$WORK/watch1"

"$D/xenstore-write" /w2/deep/child v
"$D/xenstore-watch" -n 2 /w2/deep/child >"$WORK/watch2" &
WPID=$!
for _ in $(seq 1 50); do [ -s "$WORK/watch2" ] && break; sleep 0.05; done
"$D/xenstore-rm" /w2
wait "$WPID"
expect_eq "watch on a child fires when an ancestor is removed" \
    $'/w2/deep/child\n/w2/deep/child' cat "$WORK/watch2"

# ---- an unprivileged domain (standalone: a socket per introduced domain) ----
"$D/xenstore-write" /local/domain/5/name guest5 /secret/key s3cr3t
"$D/xenstore-chmod" -r /local/domain/5 n5
"$D/xenstore-chmod" /secret n0
"$D/xenstore-watch" -n 4 @introduceDomain @releaseDomain >"$WORK/watch3" &
WPID=$!
for _ in $(seq 1 50); do [ "$(wc -l <"$WORK/watch3")" -ge 2 ] && break; sleep 0.05; done
check "INTRODUCE domain 5" $PROTO "$SOCK" INTRODUCE 5 1234 7
check "IS_DOMAIN_INTRODUCED says T" bash -c "$PROTO '$SOCK' IS_DOMAIN_INTRODUCED 5 | grep -qx 'IS_DOMAIN_INTRODUCED T|'"
expect_eq "GET_DOMAIN_PATH" "GET_DOMAIN_PATH /local/domain/5|" $PROTO "$SOCK" GET_DOMAIN_PATH 5
check "domain socket exists" test -S "$WORK/domain-5"
(
    export XENSTORED_PATH=$WORK/domain-5
    expect_eq "guest reads its own node" guest5 "$D/xenstore-read" /local/domain/5/name
    expect_eq "guest relative path is under its home" guest5 "$D/xenstore-read" name
    check "guest writes below its home" "$D/xenstore-write" data/x 42
    expect_eq "guest owns what it creates" "n5" bash -c "'$D/xenstore-ls' -p /local/domain/5/data | sed 's/.*(\(.*\))/\1/'"
    check_fails "guest cannot read dom0's secret" "$D/xenstore-read" /secret/key
    check_fails "guest cannot write outside its area" "$D/xenstore-write" /secret/key mine
    check_fails "guest cannot create under /" "$D/xenstore-write" /guestroot x
    check_fails "guest cannot give its node away" "$D/xenstore-chmod" /local/domain/5/data/x n0
    check "guest may change the ACL of its node" "$D/xenstore-chmod" /local/domain/5/data/x n5 r0
    check_fails "guest cannot INTRODUCE" $PROTO "$WORK/domain-5" INTRODUCE 6 1 1
    echo "$PASS $FAIL" >"$WORK/sub-counts"
)
read -r PASS FAIL <"$WORK/sub-counts"
expect_eq "dom0 still reads the secret" s3cr3t "$D/xenstore-read" /secret/key
check "RELEASE domain 5" $PROTO "$SOCK" RELEASE 5
wait "$WPID"
expect_eq "@introduceDomain / @releaseDomain watches fired" \
    $'@introduceDomain\n@introduceDomain\n@releaseDomain\n@releaseDomain' sort "$WORK/watch3"
check_fails "released domain's socket is gone" test -S "$WORK/domain-5"
check_fails "nodes owned by the released domain are removed" "$D/xenstore-exists" /local/domain/5/name
check "IS_DOMAIN_INTRODUCED says F after release" bash -c "$PROTO '$SOCK' IS_DOMAIN_INTRODUCED 5 | grep -qx 'IS_DOMAIN_INTRODUCED F|'"

# ---- pvx's own tool, through argv[0] names too ----
check "pvx xenstore write" "$BUILD/xenstore" write /p/k "a b"
expect_eq "pvx xenstore-read link" "a b" "$BUILD/xenstore-read" /p/k
expect_eq "Debian's reader sees pvx's write" "a b" "$D/xenstore-read" /p/k
check "pvx xenstore-chmod" "$BUILD/xenstore-chmod" /p/k r0 w3
expect_eq "pvx ls -p" 'k = "a b"  (r0,w3)' "$BUILD/xenstore-ls" -p /p
check "pvx xenstore rm" "$BUILD/xenstore" rm /p
check_fails "pvx xenstore exists after rm" "$BUILD/xenstore" exists /p/k
"$BUILD/xenstore" watch -n 2 /pw >"$WORK/watch4" &
WPID=$!
for _ in $(seq 1 50); do [ -s "$WORK/watch4" ] && break; sleep 0.05; done
"$BUILD/xenstore" write /pw/x 1
wait "$WPID"
expect_eq "pvx xenstore watch" $'/pw\n/pw/x' cat "$WORK/watch4"

# ---- Debian's tools on pvx's libxenstore.so.4 (drop-in ABI) ----
(
    export LD_LIBRARY_PATH=$BUILD
    check "Debian's xenstore-write on pvx's library" "$D/xenstore-write" /abi/a 1 /abi/b 2
    expect_eq "Debian's xenstore-ls -p on pvx's library" $'a = "1"  (n0)\nb = "2"  (n0)' \
        bash -c "'$D/xenstore-ls' -p /abi | sed 's/  *[. ]*  (/  (/'"
    "$D/xenstore-watch" -n 2 /abi >"$WORK/watch5" &
    WPID=$!
    for _ in $(seq 1 50); do [ -s "$WORK/watch5" ] && break; sleep 0.05; done
    "$D/xenstore-rm" /abi/a
    wait "$WPID"
    expect_eq "Debian's xenstore-watch on pvx's library" $'/abi\n/abi/a' cat "$WORK/watch5"
    echo "$PASS $FAIL" >"$WORK/sub-counts"
)
read -r PASS FAIL <"$WORK/sub-counts"

check "daemon still running" daemon_alive
check "daemon exits cleanly on SIGTERM" stop_daemon

# ---- default socket location from XENSTORED_RUNDIR, as libxenstore finds it ----
mkdir -p "$WORK/rundir"
unset XENSTORED_PATH
XENSTORED_RUNDIR=$WORK/rundir "$BUILD/xenstored" -L "$WORK/rundir.log" &
RPID=$!
for _ in $(seq 1 100); do [ -S "$WORK/rundir/socket" ] && break; sleep 0.05; done
check "daemon without -s listens on \$XENSTORED_RUNDIR/socket" test -S "$WORK/rundir/socket"
check "Debian's client finds it through XENSTORED_RUNDIR" \
    env XENSTORED_RUNDIR="$WORK/rundir" "$D/xenstore-write" /rd ok
expect_eq "and through XENSTORED_PATH" ok env XENSTORED_PATH="$WORK/rundir/socket" "$D/xenstore-read" /rd
kill -TERM "$RPID"
wait "$RPID"

# ---- one very short iteration of the benchmark (no timing asserted) ----
check "bench-xenstore --smoke prints the table" bash -c \
    "python3 '$ROOT/scripts/bench-xenstore.py' --smoke | tee '$WORK/bench.out' | grep -q 'WATCH_EVENT median'"
sed 's/^/     | /' "$WORK/bench.out"
finish
