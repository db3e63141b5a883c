#!/bin/sh
# timeout: 600
# SPDX-License-Identifier: GPL-2.0-only
#
# Conformance of include/public with Xen's public headers (libxen-dev), and
# proof that the check can fail: deliberately broken copies of the headers
# in a temporary directory must each be rejected.
set -u
cd "$(dirname "$0")/../.." || exit 1
CHECK="python3 scripts/abi-conformance.py"
OUT=build/abi
mkdir -p "$OUT"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# 1. The real headers conform.
if $CHECK --build "$OUT/conformance" > "$OUT/conformance.log" 2>&1; then
    ok "include/public conforms to Xen's headers: $(grep -o '[0-9]* items checked' "$OUT/conformance.log")"
else
    bad "include/public does not conform to Xen's headers"
fi
grep -v '^ok ' "$OUT/conformance.log"

# 2. Mutations: each must make the checker fail with the expected complaint.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pvx-abi-mutation.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM

# mutate NAME FILE SED-EXPRESSION EXPECTED-TEXT DESCRIPTION
mutate() {
    rm -rf "$TMP/public"
    cp -R include/public "$TMP/public"
    sed -i "$3" "$TMP/public/$2"
    if cmp -s "include/public/$2" "$TMP/public/$2"; then
        bad "$1: the mutation did not apply to $2 (update this test)"
        return
    fi
    if $CHECK --pvx "$TMP/public" --build "$TMP/build-$1" > "$TMP/$1.log" 2>&1; then
        bad "$1: checker accepted a broken copy ($5)"
    elif grep -q "^MISMATCH .*$4" "$TMP/$1.log"; then
        ok "$1: checker rejects $5: $(grep -m1 "^MISMATCH .*$4" "$TMP/$1.log" | cut -c10-)"
    else
        bad "$1: checker failed, but not with the expected complaint ($4)"
        cat "$TMP/$1.log"
    fi
}

mutate field-size xen.h 's/uint8_t evtchn_upcall_mask;/uint16_t evtchn_upcall_mask;/' \
    'struct vcpu_info::evtchn_upcall_mask :size' "a one-byte growth of vcpu_info.evtchn_upcall_mask"
mutate pad-size io/netif.h 's/uint8_t pad;/uint16_t pad;/' \
    'struct netif_extra_info::u.gso.pad :size' "the one-byte pad of netif_extra_info.u.gso widened to two"
mutate const-value event_channel.h 's/#define EVTCHNOP_send\( *\)4$/#define EVTCHNOP_send\15/' \
    'EVTCHNOP_send :value' "EVTCHNOP_send changed by 1"
mutate const-type grant_table.h 's/#define GTF_readonly   *(1U << _GTF_readonly)/#define GTF_readonly (1UL << _GTF_readonly)/' \
    'GTF_readonly :type' "GTF_readonly with a wider type"
mutate extra-name sched.h 's/#define SHUTDOWN_MAX        5/&\n#define SHUTDOWN_bogus 6/' \
    'SHUTDOWN_bogus: pvx defines this macro\|SHUTDOWN_bogus.*Xen.s headers do not' "a constant Xen does not define"
mutate missing-member nmi.h 's/unsigned long pad; /unsigned long pad_renamed; /' \
    'struct xennmi_callback::pad: Xen has this member' "a member renamed away from Xen's name"
mutate implicit-pad callback.h 's/uint32_t _pvx_pad0;//' \
    'struct callback_register: implicit padding' "a structure relying on compiler padding"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
