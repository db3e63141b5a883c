# Sourced by the dom0 test inits (busybox sh), as /etc/pvx-checks.sh: the
# check line the test scripts read, and waiting on conditions.

# One "pvx-dom0: check NAME PASS|FAIL DETAIL" line; STATUS 0 passes.
check() { # NAME STATUS DETAIL
    if [ "$2" = 0 ]; then r=PASS; else r=FAIL; fi
    echo "pvx-dom0: check $1 $r $3"
}
# Wait up to $2 seconds for the shell condition $1 (evaluated again at the
# end: its status is the result).
wait_until() {
    n=0
    while ! eval "$1" && [ $n -lt $(($2 * 5)) ]; do
        usleep 200000
        n=$((n + 1))
    done
    eval "$1"
}
LOGS=/var/log/pvx/console
# Domain $1's console log has a line matching $2.
logged() { grep -q "$2" "$LOGS/guest-$1.log" 2>/dev/null; }
# No domain is called $1.
gone() { ! xl domid "$1" >/dev/null 2>&1; }
