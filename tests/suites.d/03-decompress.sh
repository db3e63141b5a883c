#!/bin/sh
# timeout: 420
# parallel: yes
# Decompressors and bzImage loading (docs/decompress.md): the host unit
# tests against files made now by xz, gzip, lz4 and zstd, then a bounded
# libFuzzer run per target (DECOMP_FUZZ_SECONDS each, default 15) with
# AddressSanitizer and UBSan; a crash, a sanitizer report, a contract
# violation or an input taking over 10 s (a hang) fails the suite.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
SECS=${DECOMP_FUZZ_SECONDS:-15}
UNIT=$ROOT/build/unit
FUZZ=$ROOT/build/decompress
pass=0
fail=0

ok() {
    echo "PASS: $1"
    pass=$((pass + 1))
}

ko() {
    echo "FAIL: $1"
    fail=$((fail + 1))
}

# ---- unit tests: each cmocka test counts ----
tests="decompress_gzip decompress_xz decompress_lz4 decompress_zstd decompress_bzimage"
bins=""
for t in $tests; do bins="$bins $UNIT/test_$t"; done
# shellcheck disable=SC2086
if make --no-print-directory -s -C tests/unit O="$UNIT" $bins >"$UNIT.decompress-build.log" 2>&1; then
    for t in $tests; do
        out=$("$UNIT/test_$t" 2>&1)
        rc=$?
        echo "$out" | grep -E '^\[ *(OK|FAILED|SKIPPED|ERROR) *\]|^\[ *LINE|ERROR:|SUMMARY:'
        p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
        f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
        pass=$((pass + ${p:-0}))
        fail=$((fail + ${f:-0}))
        if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
            ko "test_$t exited with status $rc (sanitizer report or crash)"
        fi
    done
else
    cat "$UNIT.decompress-build.log"
    ko "building the decompressor unit tests"
fi

# ---- fuzzing ----
if ! command -v clang >/dev/null 2>&1; then
    ko "clang (libFuzzer) is not installed"
elif ! make --no-print-directory -s -C tests/decompress O="$FUZZ" >"$FUZZ.build.log" 2>&1; then
    cat "$FUZZ.build.log"
    ko "building the fuzz targets"
else
    rm -rf "$FUZZ/seeds"
    tests/decompress/make-corpus.sh "$FUZZ/seeds"
    for t in gzip xz lz4 zstd any bzimage; do
        mkdir -p "$FUZZ/corpus/$t"
        log=$FUZZ/fuzz-$t.log
        if (cd "$FUZZ" && "./fuzz-$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$FUZZ/crash-$t-" \
            "corpus/$t" "seeds/$t" >"$log" 2>&1); then
            ok "fuzz-$t ${SECS}s: $(sed -n 's/^stat::number_of_executed_units: *//p' "$log") inputs, no finding"
        else
            tail -40 "$log"
            ko "fuzz-$t: finding saved as $FUZZ/crash-$t-*"
        fi
    done
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
