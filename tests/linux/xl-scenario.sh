#!/bin/sh
# The xl scenario: one Linux domU's life driven through xl's documented
# command line only, the same on Xen 4.17's toolstack and on pvx's.  Run in
# dom0 (busybox sh) after the toolstack is up:
#
#   xl-scenario LOG_DIR
#   xl-scenario LOG_DIR bench RUNS     (scripts/bench-toolstack.py)
#   xl-scenario LOG_DIR smp RUNS STEPS (scripts/bench-smp-domains.py)
#
# The dom0 inits run it without arguments beyond LOG_DIR unless the kernel
# command line says xlbench=N; xlsmp=RUNS (and xlsmpsteps=STEPS) there
# selects the smp mode the same way: the kernel hands such words to init as
# environment variables, and init to this script.
#
# LOG_DIR is where the console daemon logs each guest (guest-NAME.log): Xen
# /var/log/xen/console, pvx /var/log/pvx/console.  Environment:
#   XL_SCENARIO_CFG      the domU config (default /etc/xen/debian.cfg)
#   XL_SCENARIO_NAME     the name it gives the domain (default debian)
#   XL_SCENARIO_DAEMONS  daemons whose memory is reported (default
#                        "xenstored xenconsoled")
#   XL_SCENARIO_XL_LOG   the log of xl's per-domain monitor (default
#                        /var/log/xen/xl-NAME.log)
#   XL_SCENARIO_BOOT_S   deadline for a domU's boot, seconds (default 150)
#   XL_SCENARIO_CMD_S    deadline for one command, seconds (default 120): a
#                        command still running then is killed (status 137)
#   XL                   the xl command (default xl)
#   XL_SCENARIO_SMALL_KERNEL  bench: a small PV kernel (the PV test guest) for
#                        the memory-per-domain run (default: skip it)
#
# Output, parsed by tests/linux/xl_scenario.py (every line starts "@@@ "
# except command output):
#   @@@ BEGIN <label>          one command: its argv on "@@@ CMD", then
#   @@@ CMD <argv>             "@@@ STDOUT <bytes> <md5>" and its stdout,
#   @@@ STDOUT <n> <md5>       "@@@ STDERR <bytes> <md5>" and its stderr (a
#   ...                        newline is added after output that lacks one;
#   @@@ STDERR <n> <md5>       the byte count says so), its exit status and
#   ...                        the end marker
#   @@@ STATUS <n>
#   @@@ END <label>
#   @@@ TIME <event> <ms>      a monotonic clock in milliseconds
#   @@@ WAIT <event> ok|timeout
#   @@@ RSS <when> <daemon> <kB> <kB>  VmRSS from /proc/PID/status, Rss from
#                              /proc/PID/smaps_rollup
#   @@@ SCENARIO begin|end
# bench: after `xl save` and `xl restore`, `xl migrate` of the guest to this
# same host when dom0 has pvx-migrate (pvx's dom0, not Xen's).
# smp: also "@@@ CPUWORK <event> <name> <the guest's pvx-cpuwork line>" and
# "@@@ SMPRUN <n>" (see smp below).

LOG_DIR=${1:?usage: xl-scenario LOG_DIR (the console log directory)}
CFG=${XL_SCENARIO_CFG:-/etc/xen/debian.cfg}
NAME=${XL_SCENARIO_NAME:-debian}
DAEMONS=${XL_SCENARIO_DAEMONS:-xenstored xenconsoled}
XL_LOG=${XL_SCENARIO_XL_LOG:-/var/log/xen/xl-$NAME.log}
BOOT_S=${XL_SCENARIO_BOOT_S:-150}
CMD_S=${XL_SCENARIO_CMD_S:-120}
XL=${XL:-xl}
WORK=/tmp/xl-scenario
LOG=$LOG_DIR/guest-$NAME.log
mkdir -p "$WORK"

# Milliseconds on a monotonic clock: the kernel's hrtimer "now" (ns) when
# /proc/timer_list is there, else /proc/uptime (10 ms steps).
now_ms() {
    ns=$(sed -n '3{s/^now at \([0-9]*\) nsecs$/\1/p;q}' /proc/timer_list 2>/dev/null)
    if [ -n "$ns" ]; then
        echo $((ns / 1000000))
    else
        read -r up _ </proc/uptime
        echo $((${up%.*} * 1000 + $(echo "${up#*.}" | sed 's/^0*//;s/^$/0/') * 10))
    fi
}

stamp() { echo "@@@ TIME $1 $(now_ms)"; }

# One captured stream: header with its size and digest, the bytes, and a
# newline if they do not end with one.
emit() {
    echo "@@@ $1 $(wc -c <"$2") $(md5sum <"$2" | cut -d' ' -f1)"
    cat "$2"
    if [ -s "$2" ] && [ -n "$(tail -c 1 "$2")" ]; then
        echo
    fi
}

# run LABEL COMMAND...: run it with stdin from /dev/null, report everything.
# Sets $st to its exit status (and returns it).
run() {
    label=$1
    shift
    echo "@@@ BEGIN $label"
    echo "@@@ CMD $*"
    timeout -s KILL "$CMD_S" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
    st=$?
    emit STDOUT "$WORK/out"
    emit STDERR "$WORK/err"
    echo "@@@ STATUS $st"
    echo "@@@ END $label"
    return $st
}

# wait_log EVENT DEADLINE_MS GREP_PATTERN [FILE [POLL_US]]: poll a console
# log (the guest's, $LOG, unless FILE) every POLL_US (50 ms) until the
# pattern (or, for "", a first complete line) is in it.
wait_log() {
    f=${4:-$LOG}
    while :; do
        if [ -f "$f" ]; then
            if [ -z "$3" ]; then
                [ "$(wc -l <"$f")" -gt 0 ] && break
            elif grep -q "$3" "$f"; then
                break
            fi
        fi
        if [ "$(now_ms)" -ge "$2" ]; then
            echo "@@@ WAIT $1 timeout"
            return 1
        fi
        usleep "${5:-50000}"
    done
    stamp "$1"
    echo "@@@ WAIT $1 ok"
}

# wait_gone EVENT DEADLINE_MS: poll (unrecorded) until xl no longer knows
# the domain's name.
wait_gone() {
    while "$XL" domid "$NAME" >/dev/null 2>&1; do
        if [ "$(now_ms)" -ge "$2" ]; then
            echo "@@@ WAIT $1 timeout"
            return 1
        fi
        usleep 100000
    done
    stamp "$1"
    echo "@@@ WAIT $1 ok"
}

# rss WHEN: each daemon's VmRSS (/proc/PID/status; Linux 6.1 updates it
# lazily, in steps of up to 64 pages per thread) and its Rss from
# /proc/PID/smaps_rollup (counted from the page tables when read).
rss() {
    for d in $DAEMONS; do
        pid=$(pidof "$d" | cut -d' ' -f1)
        kb=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$pid/status" 2>/dev/null)
        exact=$(sed -n 's/^Rss:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$pid/smaps_rollup" \
            2>/dev/null)
        echo "@@@ RSS $1 $d ${kb:-unknown} ${exact:-unknown}"
    done
}

# create N: create the domain and wait for its boot; times are create-N-*.
# $created is xl create's exit status: the steps that follow run whenever a
# domain was created, booted or not.
create() {
    rm -f "$LOG"
    stamp "create$1-start"
    run "create$1" "$XL" create "$CFG"
    created=$st
    stamp "create$1-end"
    [ "$created" -eq 0 ] || return 1
    deadline=$(($(now_ms) + BOOT_S * 1000))
    wait_log "create$1-first-line" "$deadline" "" &&
        wait_log "create$1-domid" "$deadline" "pvx-domu: domid" &&
        wait_log "create$1-ready" "$deadline" "pvx-domu: ready"
}

# free_kb: the hypervisor's free memory, as exactly as the host tells it
# (pvx: pvx-dom0-check free-pages; Xen: xl info, in MiB).
free_kb() {
    if command -v pvx-dom0-check >/dev/null 2>&1; then
        echo $(($(pvx-dom0-check free-pages) * 4))
    else
        echo $(($("$XL" info free_memory) * 1024))
    fi
}

# bench RUNS: RUNS times create (to the first console line and to
# "pvx-domu: ready") and destroy, one save and restore of the booted guest,
# then 8 small domains at once for the memory each costs the hypervisor and
# dom0's daemons.
bench() {
    echo "@@@ SCENARIO begin bench $NAME $CFG"
    i=1
    while [ "$i" -le "$1" ]; do
        echo "@@@ BENCHRUN $i"
        create "b$i"
        if [ "$created" -eq 0 ]; then
            stamp "destroyb$i-start"
            run "destroyb$i" "$XL" destroy "$NAME"
            stamp "destroyb$i-end"
        fi
        i=$((i + 1))
    done
    # One xl save and xl restore of the booted guest, the file in dom0's RAM.
    echo "@@@ BENCHRUN save"
    create "s"
    if [ "$created" -eq 0 ]; then
        rm -f "$WORK/save"
        stamp "saveb-start"
        run "saveb" "$XL" -v save "$NAME" "$WORK/save"
        stamp "saveb-end"
        echo "@@@ SAVESIZE $(wc -c <"$WORK/save" 2>/dev/null || echo 0)"
        stamp "restoreb-start"
        run "restoreb" "$XL" -v restore "$WORK/save"
        stamp "restoreb-end"
        rm -f "$WORK/save"
        # Where dom0 has pvx-migrate (pvx's): one live xl migrate of the
        # restored guest to this same host, its rounds on xl's stderr.
        if command -v pvx-migrate >/dev/null 2>&1; then
            ip link set lo up 2>/dev/null
            pvx-migrate listen --address 127.0.0.1 --xl "$(command -v "$XL")" >"$WORK/listener" 2>&1 &
            listener=$!
            sleep 1
            stamp "migrateb-start"
            run "migrateb" "$XL" migrate -s "pvx-migrate connect" "$NAME" 127.0.0.1
            stamp "migrateb-end"
            kill "$listener" 2>/dev/null
            # The receiver's share of the downtime (its stderr).
            echo "@@@ NOTE receiver: $(grep -m1 'guest unpaused' "$WORK/listener")"
        fi
        run "destroys" "$XL" destroy "$NAME"
    fi
    if [ -n "$XL_SCENARIO_SMALL_KERNEL" ]; then
        sleep 1
        echo "@@@ FREE before-small $(free_kb)"
        rss before-small
        for k in 1 2 3 4 5 6 7 8; do
            "$XL" create -q /dev/null "name=\"small$k\"" "kernel=\"$XL_SCENARIO_SMALL_KERNEL\"" \
                memory=16 "extra=\"tooldomu=small$k mem=16\"" </dev/null >/dev/null 2>&1 ||
                echo "@@@ NOTE small$k not created"
        done
        sleep 2
        echo "@@@ FREE with-small $(free_kb)"
        rss with-small
        for k in 1 2 3 4 5 6 7 8; do
            "$XL" destroy "small$k" </dev/null >/dev/null 2>&1
        done
    fi
    echo "@@@ SCENARIO end"
}

# smp_wait EVENT SECONDS NAME PATTERN [QUIET_US]: wait_log for domain
# NAME's log, up to SECONDS.  dom0 must not take CPU time from the domUs
# being timed (their own clocks time the work; these stamps are a check):
# it sleeps QUIET_US first (most of the expected time), then looks twice a
# second (a fork costs a PV guest tens of ms under TCG).
smp_wait() {
    f=$LOG_DIR/guest-$3.log
    usleep "${5:-0}"
    if ! wait_log "$1" $(($(now_ms) + $2 * 1000)) "$4" "$f" 500000; then
        tail -n 20 "$f" 2>/dev/null | sed "s/^/@@@ NOTE $3 console: /"
        return 1
    fi
    echo "@@@ CPUWORK $1 $3 $(grep "$4" "$f" | tail -n 1)"
}

# smp RUNS STEPS: two one-vCPU domUs, cpuA and cpuB, whose rdinit is
# pvx-cpuwork (dom0-tools/domu/cpuwork.c): each runs STEPS xorshift steps
# when dom0 writes a new round number into its data/cpuwork, and prints the
# time on its own clock.  Per run: A alone, then A and B at once (one
# xenstore-write starts both), with xl vcpu-list before and after.  Then
# the vcpu-pin check: while B spins, its vCPU 0 is pinned to CPU 0, to CPU
# 1 and back to CPU 0, each followed by xl vcpu-list
# (tests/linux/xl_scenario.py check_smp).
smp() {
    runs=$1
    steps=$2
    echo "@@@ SCENARIO begin smp $runs $steps"
    run smp-info "$XL" info nr_cpus
    for d in cpuA cpuB; do
        rm -f "$LOG_DIR/guest-$d.log"
        run "smp-create-$d" "$XL" create "$CFG" "name=\"$d\"" \
            "extra=\"console=hvc0 rdinit=/bin/pvx-cpuwork cpuwork=$steps\""
    done
    # Both fully booted (rc.domu done), so that nothing but the work runs
    # when the timing starts.
    for d in cpuA cpuB; do
        if ! smp_wait "smp-ready-$d" $((2 * BOOT_S)) "$d" "pvx-cpuwork: ready" ||
            ! smp_wait "smp-booted-$d" $((2 * BOOT_S)) "$d" "pvx-domu: ready"; then
            echo "@@@ SCENARIO end"
            return 1
        fi
    done
    sleep 2
    run smp-domid-cpuA "$XL" domid cpuA
    a=/local/domain/$(cat "$WORK/out")/data/cpuwork
    run smp-domid-cpuB "$XL" domid cpuB
    b=/local/domain/$(cat "$WORK/out")/data/cpuwork
    k=0
    i=1
    quiet=0
    while [ "$i" -le "$runs" ]; do
        echo "@@@ SMPRUN $i"
        k=$((k + 1))
        stamp "smp$i-alone-start"
        xenstore-write "$a" "$k"
        smp_wait "smp$i-alone-cpuA" 300 cpuA "pvx-cpuwork: round $k " "$quiet" || break
        # Quiet for 80% of this round's time (ns / 1250 = 0.8 us per ns)
        # from now on.
        ns=$(grep "pvx-cpuwork: round $k " "$LOG_DIR/guest-cpuA.log" |
            sed -n 's/.* ns \([0-9]*\) .*/\1/p' | tail -n 1)
        quiet=$((${ns:-0} / 1250))
        # The vCPUs' CPU time (Time(s)) around the round, outside its
        # timing: did the two run side by side or take turns?
        run "smp$i-vcpus-before" "$XL" vcpu-list cpuA cpuB
        k=$((k + 1))
        stamp "smp$i-both-start"
        xenstore-write "$a" "$k" "$b" "$k"
        smp_wait "smp$i-both-cpuA" 300 cpuA "pvx-cpuwork: round $k " "$quiet" || break
        smp_wait "smp$i-both-cpuB" 300 cpuB "pvx-cpuwork: round $k " || break
        run "smp$i-vcpus-after" "$XL" vcpu-list cpuA cpuB
        i=$((i + 1))
    done
    # The vCPU must really move: B is running (spinning) while it is pinned.
    k=$((k + 1))
    xenstore-write "$b" "spin $k"
    sleep 1
    for pin in 0:0 1:1 back:0; do
        run "smp-pin-${pin%:*}" "$XL" vcpu-pin cpuB 0 "${pin#*:}"
        sleep 1
        run "smp-vcpu-list-${pin%:*}" "$XL" vcpu-list cpuB
    done
    xenstore-write "$b" "stop $k"
    smp_wait "smp-spin-end" 60 cpuB "pvx-cpuwork: spin $k done"
    run smp-pin-all "$XL" vcpu-pin cpuB 0 all
    run smp-vcpu-list-all "$XL" vcpu-list cpuB
    run smp-destroy-cpuA "$XL" destroy cpuA
    run smp-destroy-cpuB "$XL" destroy cpuB
    echo "@@@ SCENARIO end"
}

if [ "${2:-}" = bench ]; then
    bench "${3:-3}"
    exit 0
fi
if [ "${2:-}" = smp ] || [ -n "${xlsmp:-}" ]; then
    smp "${3:-${xlsmp:-1}}" "${4:-${xlsmpsteps:-16777216}}"
    exit 0
fi

echo "@@@ SCENARIO begin $NAME $CFG"
rss before
run list-dom0 "$XL" list
run info "$XL" info
run info-prefix "$XL" info xen_ver
run list-nosuch "$XL" list nosuch
run list-nosuch-id "$XL" list 4242
run domid-nosuch "$XL" domid nosuch
run domname-nosuch "$XL" domname 4242
run domname-notnum "$XL" domname abc
run destroy-nosuch "$XL" destroy nosuch
cat >"$WORK/syntax.cfg" <<EOF
name = "syntax-error"
memory = 64
on_crash = destroy
EOF
run create-syntax "$XL" create "$WORK/syntax.cfg"

create 1
if [ "$created" -eq 0 ]; then
    rss with-domu
    run list "$XL" list
    run list-name "$XL" list "$NAME"
    run list-long "$XL" list -l "$NAME"
    run domid "$XL" domid "$NAME"
    domid=$(cat "$WORK/out")
    run domname "$XL" domname "${domid:-0}"
    run uptime "$XL" uptime
    run pause "$XL" pause "$NAME"
    run list-paused "$XL" list "$NAME"
    # Long enough for the guest's next timer to fall due while it is paused:
    # it must fire after the unpause, not be lost.
    sleep 2
    run unpause "$XL" unpause "$NAME"
    run list-unpaused "$XL" list "$NAME"
    run vcpu-list "$XL" vcpu-list "$NAME"
    run vcpu-pin "$XL" vcpu-pin "$NAME" 0 0
    run vcpu-list-pinned "$XL" vcpu-list "$NAME"
    run vcpu-pin-all "$XL" vcpu-pin "$NAME" all all
    run vcpu-pin-bad-cpus "$XL" vcpu-pin "$NAME" 0 0-x
    run create-duplicate "$XL" create "$CFG"
    run list-after-duplicate "$XL" list
    stamp shutdown-start
    run shutdown "$XL" shutdown -w "$NAME"
    stamp shutdown-end
    run list-after-shutdown "$XL" list
    # Clean up after a shutdown that did not end the domain, so that the
    # rest still runs.
    wait_gone shutdown-gone $(($(now_ms) + 30000)) ||
        run destroy-after-failed-shutdown "$XL" destroy "$NAME"
    run list-name-after-shutdown "$XL" list "$NAME"
    if grep -q "pvx-domu: going down" "$LOG"; then
        echo "@@@ NOTE guest ran its shutdown actions"
    else
        # Keep the guest's side of a failed shutdown in the serial log.
        tail -n 40 "$LOG" | sed 's/^/@@@ NOTE console: /'
    fi
    run monitor-log cat "$XL_LOG"
fi

create 2
if [ "$created" -eq 0 ]; then
    run list-second "$XL" list
    stamp destroy-start
    run destroy "$XL" destroy "$NAME"
    stamp destroy-end
    run list-after-destroy "$XL" list
    run domid-after-destroy "$XL" domid "$NAME"
fi
rss after
echo "@@@ SCENARIO end"
