#!/bin/sh
# timeout: 120
# Every C source and header follows the one code style in .clang-format.
cd "$(dirname "$0")/../.." || exit 1
pass=0
fail=0
for f in $(git ls-files -co --exclude-standard '*.c' '*.h'); do
    [ -f "$f" ] || continue
    if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        pass=$((pass + 1))
    else
        echo "FAIL format: $f (run 'make format')"
        fail=$((fail + 1))
    fi
done
echo "clang-format: $pass files clean"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
