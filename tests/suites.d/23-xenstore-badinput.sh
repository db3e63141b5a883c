#!/usr/bin/env bash
# timeout: 400
# parallel: yes
# Bad input for xenstored: a bounded libFuzzer run over the parser and
# dispatcher (XS_FUZZ_SECONDS, default 30) and one of hostile guests on their
# store rings (XS_RING_FUZZ_SECONDS, default 20), then the explicit bad-input
# script against an AddressSanitizer/UBSan/LeakSanitizer build and against
# the normal build under valgrind, plus Debian's clients and test-xenstore
# against the ASan build.  Any sanitizer report, valgrind error or leak fails.
set -u
cd "$(dirname "$0")/../.."
. xenstore/tests/lib.sh

build_xenstore all unit asan fuzz
fetch_peer
BAD="python3 $ROOT/scripts/xenstore-badinput.py"

# ---- fuzzing ----
FZ=$WORK/fuzz
python3 "$ROOT/scripts/xenstore-fuzz-seeds.py" "$FZ/seeds"
mkdir -p "$FZ/corpus"
check "libFuzzer ${XS_FUZZ_SECONDS:-30}s over parser+dispatcher: no crash, leak or UB" \
    bash -c "cd '$FZ' && '$BUILD/fuzz/xsd-fuzz' -max_total_time=${XS_FUZZ_SECONDS:-30} \
        -max_len=8192 -dict=xsd.dict -print_final_stats=1 corpus seeds >fuzz.log 2>&1 \
        || { tail -40 fuzz.log; exit 1; }; grep -E 'stat::number_of_executed_units' fuzz.log"
mkdir -p "$FZ/ring-corpus"
check "libFuzzer ${XS_RING_FUZZ_SECONDS:-20}s of hostile guest rings: no crash, hang, leak or UB" \
    bash -c "cd '$FZ' && '$BUILD/fuzz/xsd-ring-fuzz' -max_total_time=${XS_RING_FUZZ_SECONDS:-20} \
        -timeout=10 -max_len=4096 -print_final_stats=1 ring-corpus >ring-fuzz.log 2>&1 \
        || { grep -v '^xenstored\[' ring-fuzz.log | tail -40; exit 1; }; \
        grep -E 'stat::number_of_executed_units' ring-fuzz.log"

# ---- ASan/UBSan/LSan daemon ----
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=66
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=67
XENSTORED_BIN=$BUILD/asan/xenstored start_daemon -- -d "$WORK"
"$ROOT/scripts/xenstore-badinput.py" "$SOCK" "$WORK" >"$WORK/bad-asan.out" 2>&1
cat "$WORK/bad-asan.out"
bp=$(tail -1 "$WORK/bad-asan.out" | awk '/passed, .* failed/ {print $1}')
bf=$(tail -1 "$WORK/bad-asan.out" | awk '/passed, .* failed/ {print $3}')
PASS=$((PASS + ${bp:-0})); FAIL=$((FAIL + ${bf:-1}))
export XENSTORED_PATH=$SOCK
check "Debian clients against the ASan daemon" bash -c \
    "'$PEER/usr/bin/xenstore-write' /asan/a 1 /asan/b 2 && '$PEER/usr/bin/xenstore-ls' /asan >/dev/null && '$PEER/usr/bin/xenstore-rm' /asan"
check "test-xenstore -i 10 against the ASan daemon" "$PEER/usr/lib/xen-4.17/bin/test-xenstore" -i 10
check "test-xenstore -r 5 against the ASan daemon" "$PEER/usr/lib/xen-4.17/bin/test-xenstore" -r 5
check "ASan daemon survived everything" daemon_alive
check "ASan daemon exits cleanly (no leaks, no reports)" stop_daemon
check_fails "no sanitizer report in the daemon's stderr" grep -E "ERROR: |runtime error|SUMMARY" "$WORK/daemon.err"
unset XENSTORED_PATH

# ---- valgrind ----
rm -f "$WORK/daemon.err"
start_daemon valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 -- -d "$WORK"
# valgrind is slow to start: wait until the daemon answers
for _ in $(seq 1 100); do XENSTORED_PATH=$SOCK "$BUILD/xenstore" exists /tool >/dev/null 2>&1 && break; sleep 0.1; done
"$ROOT/scripts/xenstore-badinput.py" "$SOCK" "$WORK" >"$WORK/bad-vg.out" 2>&1
tail -3 "$WORK/bad-vg.out"
bp=$(tail -1 "$WORK/bad-vg.out" | awk '/passed, .* failed/ {print $1}')
bf=$(tail -1 "$WORK/bad-vg.out" | awk '/passed, .* failed/ {print $3}')
PASS=$((PASS + ${bp:-0})); FAIL=$((FAIL + ${bf:-1}))
check "daemon under valgrind exits with no errors or leaks" stop_daemon
check "unit tests under valgrind: no errors or leaks" valgrind -q --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$BUILD/xsd-unit"
check "guest ring unit tests under valgrind: no errors or leaks" valgrind -q --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$BUILD/xsd-guest-unit"
finish
