# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the suites in tests/suites.d that boot pvx or Xen in QEMU (POSIX
# sh).  Run from the repository root.
#
#   suite_tcg               guests run under TCG unless PVX_ACCEL says otherwise:
#                           Xen 4.17 does not boot under this project's
#                           machines' KVM (its PVM backend), and pvx's guests are
#                           not run faithfully there (docs/architecture.md)
#   suite_build [XEN]       build pvx and the test guest (and fetch the Xen peer
#                           with XEN); on failure print a failing summary, exit
#   suite_build_toolstack   suite_build, then xenstore (static) and dom0-tools:
#                           what a Linux dom0's initramfs carries
#   suite_run_guest HV TAG ARGS...
#                           one scripts/testguest-run.py boot on HV (pvx|xen),
#                           its summary added to the suite's totals
#   suite_ok NAME / suite_ko NAME
#                           print a PASS / FAIL line, counted in the totals
#   suite_summary           print "N passed, N failed"; status 0 only if none failed

suite_pass=0
suite_fail=0

suite_tcg() {
    : "${PVX_ACCEL:=tcg}"
    export PVX_ACCEL
}

suite_build() {
    if [ "${1:-}" = XEN ] && ! python3 scripts/fetch-xen-peer.py; then
        echo "the Xen 4.17 peer could not be fetched (see above)"
        echo "0 passed, 1 failed"
        exit 1
    fi
    if ! make -s -C hypervisor O="$PWD/build/hypervisor" >/dev/null ||
        ! make -s -C guest-patches/testguest O="$PWD/build/testguest"; then
        echo "building pvx or the test guest failed (see above)"
        echo "0 passed, 1 failed"
        exit 1
    fi
}

suite_build_toolstack() {
    suite_build
    if ! { make -s -C xenstore O="$PWD/build/xenstore" all static &&
        make -s -C dom0-tools O="$PWD/build/dom0-tools"; } >/dev/null; then
        echo "building xenstore or the toolstack failed (run make to see why)"
        echo "0 passed, 1 failed"
        exit 1
    fi
}

suite_run_guest() {
    hv=$1
    tag=$2
    shift 2
    out=$(python3 scripts/testguest-run.py --hypervisor "$hv" --log-prefix "build/testguest/$tag-" "$@")
    rc=$?
    printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
    line=$(printf '%s\n' "$out" | grep '^[0-9]* passed, [0-9]* failed$' | tail -n 1)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    suite_pass=$((suite_pass + ${p:-0}))
    suite_fail=$((suite_fail + ${f:-1}))
    # A crash after a clean summary still fails.
    if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        suite_fail=$((suite_fail + 1))
    fi
}

suite_ok() {
    suite_pass=$((suite_pass + 1))
    echo "PASS $1"
}

suite_ko() {
    suite_fail=$((suite_fail + 1))
    echo "FAIL $1"
}

suite_summary() {
    echo "$suite_pass passed, $suite_fail failed"
    [ "$suite_fail" -eq 0 ]
}
