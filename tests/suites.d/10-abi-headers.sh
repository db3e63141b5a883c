#!/bin/sh
# timeout: 300
# SPDX-License-Identifier: GPL-2.0-only
#
# include/public: every header starts with the SPDX MIT line and compiles on
# its own (twice in one unit, to exercise its include guard) as C89, C99,
# C++98 and C++17 with -Wall -Wextra -Werror -pedantic; headers outside io/
# also assemble with __ASSEMBLY__ defined.  Then the ring
# macros are exercised, and the ring geometry they compute and the xenstore
# error table are compared with what Xen's own headers give.
set -u
cd "$(dirname "$0")/../.." || exit 1
PUB=include/public
OUT=build/abi/headers
XEN=/usr/include/xen
mkdir -p "$OUT"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

WARN="-Wall -Wextra -Werror -pedantic"
headers=$(cd "$PUB" && find . -name '*.h' | sed 's|^\./||' | LC_ALL=C sort)
[ -n "$headers" ] || bad "no headers found under $PUB"

for h in $headers; do
    first=$(head -n 1 "$PUB/$h")
    if [ "$first" = "/* SPDX-License-Identifier: MIT */" ]; then
        ok "$h: SPDX MIT line"
    else
        bad "$h: first line is not the SPDX MIT line"
    fi
    src="$OUT/$(echo "$h" | tr '/.' '__')"
    printf '#include "%s"\n#include "%s"\nint pvx_header_check_dummy;\n' "$h" "$h" > "$src.c"
    cp "$src.c" "$src.cc"
    for mode in "c89:gcc -x c -std=c89" "c99:gcc -x c -std=c99" \
                "c++98:g++ -x c++ -std=c++98" "c++17:g++ -x c++ -std=c++17"; do
        name=${mode%%:*}
        cc=${mode#*:}
        case $name in c++*) file="$src.cc" ;; *) file="$src.c" ;; esac
        if log=$($cc $WARN -iquote "$PUB" -c "$file" -o "$src.$name.o" 2>&1); then
            ok "$h: standalone $name"
        else
            bad "$h: standalone $name"
            echo "$log" | head -n 20
        fi
    done
    # Headers outside io/ also serve assembly sources (constants only).
    case $h in
    io/*) ;;
    *)
        printf '#include "%s"\n\tmov $__HYPERVISOR_iret, %%eax\n' "$h" > "$src.S"
        if log=$(gcc -D__ASSEMBLY__ -iquote "$PUB" -c "$src.S" -o "$src.asm.o" 2>&1); then
            ok "$h: assembly (__ASSEMBLY__)"
        else
            bad "$h: assembly (__ASSEMBLY__)"
            echo "$log" | head -n 20
        fi
        ;;
    esac
done

# io/xs_wire.h's error table exists only after <errno.h>: compile that way too.
printf '#include <errno.h>\n#include "io/xs_wire.h"\nconst char *pvx_first_error(void);\nconst char *pvx_first_error(void) { return xsd_errors[0].errstring; }\n' > "$OUT/xs_wire_errno.c"
cp "$OUT/xs_wire_errno.c" "$OUT/xs_wire_errno.cc"
for mode in "c89:gcc -x c -std=c89" "c99:gcc -x c -std=c99" \
            "c++98:g++ -x c++ -std=c++98" "c++17:g++ -x c++ -std=c++17"; do
    name=${mode%%:*}
    cc=${mode#*:}
    case $name in c++*) file="$OUT/xs_wire_errno.cc" ;; *) file="$OUT/xs_wire_errno.c" ;; esac
    if log=$($cc $WARN -iquote "$PUB" -c "$file" -o "$OUT/xs_wire_errno.$name.o" 2>&1); then
        ok "io/xs_wire.h: with <errno.h> (xsd_errors table) $name"
    else
        bad "io/xs_wire.h: with <errno.h> (xsd_errors table) $name"
        echo "$log" | head -n 20
    fi
done

# Ring macros: behaviour on an in-memory ring.
if gcc -std=c99 $WARN -iquote "$PUB" tests/abi/ring-behaviour.c -o "$OUT/ring-behaviour" \
        > "$OUT/ring-behaviour.log" 2>&1 && "$OUT/ring-behaviour" >> "$OUT/ring-behaviour.log" 2>&1; then
    ok "io/ring.h: producer/consumer/notification behaviour ($(grep -c '^ok' "$OUT/ring-behaviour.log") checks)"
else
    bad "io/ring.h: producer/consumer/notification behaviour"
    cat "$OUT/ring-behaviour.log"
fi

# Ring geometry: identical to Xen's for every PV protocol and ring order.
if [ -f "$XEN/io/ring.h" ]; then
    if gcc -std=gnu11 -w -iquote "$PUB" tests/abi/ring-sizes.c -o "$OUT/ring-sizes-pvx" &&
        gcc -std=gnu11 -w -iquote "$XEN" tests/abi/ring-sizes.c -o "$OUT/ring-sizes-xen" &&
        "$OUT/ring-sizes-pvx" > "$OUT/ring-sizes-pvx.txt" &&
        "$OUT/ring-sizes-xen" > "$OUT/ring-sizes-xen.txt" &&
        diff -u "$OUT/ring-sizes-xen.txt" "$OUT/ring-sizes-pvx.txt"; then
        ok "io/ring.h: ring geometry equals Xen's ($(wc -l < "$OUT/ring-sizes-pvx.txt") rings)"
    else
        bad "io/ring.h: ring geometry differs from Xen's"
    fi
    # xenstore error table: same names, order and values as Xen's.
    if gcc -std=gnu11 -w -iquote "$PUB" tests/abi/xs-errors.c -o "$OUT/xs-errors-pvx" &&
        gcc -std=gnu11 -w -iquote "$XEN" tests/abi/xs-errors.c -o "$OUT/xs-errors-xen" &&
        "$OUT/xs-errors-pvx" > "$OUT/xs-errors-pvx.txt" &&
        "$OUT/xs-errors-xen" > "$OUT/xs-errors-xen.txt" &&
        diff -u "$OUT/xs-errors-xen.txt" "$OUT/xs-errors-pvx.txt"; then
        ok "io/xs_wire.h: xsd_errors equals Xen's ($(wc -l < "$OUT/xs-errors-pvx.txt") entries)"
    else
        bad "io/xs_wire.h: xsd_errors differs from Xen's"
    fi
else
    bad "Xen's headers missing at $XEN (install libxen-dev: scripts/install-deps.sh)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
