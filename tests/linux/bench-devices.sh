# The device benchmark's workload (scripts/bench-devices.py), sourced by
# dom0's init on each hypervisor after it has brought its dom0 up: pvx's
# tests/linux/init-bench-devices and Xen 4.17's
# tests/linux/xen/init-bench-devices (busybox sh).  The same disk and TCP
# workloads in a Debian Linux domU, over its PV disk (xvdb: xen-blkfront,
# xen-blkback on a loop device) and PV NIC (xen-netfront, xen-netback in
# bridge xenbr0), and in dom0 itself, on a loop device of the same backing
# file and over its own loopback interface.  The domU's config is the same
# on both (only the directory of its images differs); on Xen, libxl runs
# Xen's hotplug scripts (block, vif-bridge) to set up the loop device and
# join the vif to the bridge, on pvx its xl does both itself.
#
# The init sets, before sourcing this:
#   BENCH_HV    pvx | xen (reported on the config line)
#   IMG         the directory holding vmlinuz, initrd-domu.gz and
#               rootfs-domu.ext4
#   LOGS        the console daemon's log directory (guest-NAME.log)
#   BENCH_LOGS  dom0 log files whose tails an error line carries (optional)
# and wait_until (tests/linux/checks.sh) must be defined.
#
# Parameters on the kernel command line: pvxbench.runs=N (rounds),
# pvxbench.mib=M (the backing file's size), pvxbench.secs=S (rand-read,
# iperf3 and sockperf durations), pvxbench.round=K (the first round's
# number, default 1: scripts/bench-io.py boots once per round),
# pvxbench.work=W+W... (the workloads, default seq-write, seq-read,
# rand-read, tcp, idle; also tcp-rx: TCP from dom0 to the domU, and rr: TCP
# round trips with sockperf ping-pong).  In each round every workload runs
# once in the domU and once in dom0, alternately (the domU first in odd
# rounds, dom0 first in even ones), never both at once.
#
# The domU's part is a job written into its root image (/job.sh, run by its
# rc): it waits for a command in its node data/cmd ("K COMMAND"), runs it and
# answers in data/res ("K OUTPUT", lines joined by '|').  dom0's CPU use is
# read from /proc/stat before the command is written and after the answer
# is read: busy = user + nice + system + irq + softirq, in USER_HZ ticks.
#
# Output, for scripts/bench-devices.py:
#   pvx-dom0: bench config hv=HV mib=M secs=S runs=N loop=DEV cpus=C
#   pvx-dom0: bench vbd backend|frontend KEY=VALUE...   (xvdb's features)
#   pvx-dom0: bench backends vbd=... vif=...            (how they were set up)
#   pvx-dom0: bench progress round K/N WORKLOAD SIDE   (K from pvxbench.round)
#   pvx-dom0: bench result K SIDE WORKLOAD ticks=T wall-cs=W | OUTPUT
# (T: dom0's busy ticks, W: centiseconds, from writing the command to
# reading the answer)
#   pvx-dom0: bench error WHAT
#   pvx-dom0: bench log FILE: LINE                      (after an error)
# then "pvx-dom0: done" and dom0 powers off.

param() { # NAME DEFAULT: pvxbench.NAME= from the kernel command line
    v=$(tr ' ' '\n' </proc/cmdline | sed -n "s/^pvxbench\.$1=//p" | tail -n 1)
    echo "${v:-$2}"
}
RUNS=$(param runs 3)
MIB=$(param mib 128)
SECS=$(param secs 5)
ROUND0=$(param round 1)
WORK=$(param work seq-write,seq-read,rand-read,tcp,idle | tr ',+' '  ')
fail() {
    echo "pvx-dom0: bench error $*"
    for f in ${BENCH_LOGS:-}; do
        [ -f "$f" ] && tail -n 15 "$f" | sed "s|^|pvx-dom0: bench log $f: |"
    done
    echo "pvx-dom0: done"
    poweroff -f
}

# The backing file, in a tmpfs of its own (the initramfs's is capped at half
# of dom0's memory); written once, so every block is allocated.  The domU's
# root image is used in place: only its /job.sh changes.
ROOTFS=$IMG/rootfs-domu.ext4
mkdir -p /srv/bench
mount -t tmpfs -o size=$((MIB + 8))m tmpfs /srv/bench || fail "cannot mount a tmpfs on /srv/bench"
dd if=/dev/zero of=/srv/bench/bench.img bs=1M count="$MIB" 2>/dev/null ||
    fail "cannot write a $MIB MiB /srv/bench/bench.img ($(grep MemAvailable /proc/meminfo))"
# dom0's own loop device on the file (busybox's losetup has no
# --direct-io; and a tmpfs file could not take direct I/O anyway: the loop
# driver reads and writes it through the page cache, as for blkback's).
LOOP=$(losetup -f)
losetup "$LOOP" /srv/bench/bench.img || fail "losetup $LOOP /srv/bench/bench.img"
echo "pvx-dom0: bench config hv=$BENCH_HV mib=$MIB secs=$SECS runs=$RUNS loop=$LOOP cpus=$(grep -c ^processor /proc/cpuinfo)"

cat >/tmp/job.sh <<'EOF'
# The benchmark's guest side: run what dom0 puts in data/cmd, answer in
# data/res.  One watch for the whole job, its events read from a FIFO: no
# polling, and no change is missed (the watch is set before the first read).
last=0
home=/local/domain/$(xenstore-read domid)/data
mkfifo /tmp/cmd-events
xenstore-watch "$home/cmd" >/tmp/cmd-events 2>/dev/null &
exec 3</tmp/cmd-events
xenstore-write data/res "0 ready"
while read -r _ <&3; do
    cmd=$(xenstore-read "$home/cmd" 2>/dev/null)
    k=${cmd%% *}
    if [ -n "$cmd" ] && [ "$k" != "$last" ]; then
        last=$k
        out=$(eval "${cmd#* }" 2>&1 | tail -n 4 | tr '\n' '|')
        xenstore-write data/res "$k $out"
    fi
done
EOF
debugfs -w -R "rm job.sh" "$ROOTFS" >/dev/null 2>&1
debugfs -w -R "write /tmp/job.sh job.sh" "$ROOTFS" >/dev/null 2>&1 || fail "cannot write job.sh"
cat >/srv/bench.cfg <<EOF
name = "bench"
kernel = "$IMG/vmlinuz"
ramdisk = "$IMG/initrd-domu.gz"
root = "/dev/xvda"
extra = "console=hvc0"
memory = 128
disk = [ 'format=raw, vdev=xvda, access=rw, target=$ROOTFS',
         'format=raw, vdev=xvdb, access=rw, target=/srv/bench/bench.img' ]
vif = [ 'mac=00:16:3e:00:00:b1, bridge=xenbr0, ip=10.0.0.11' ]
EOF
# iperf3 and sockperf servers: one of each for the domU on the bridge, one
# for dom0's loopback.
iperf3 -s -D -B 10.0.0.1 -p 5201 || fail "iperf3 server on 10.0.0.1"
iperf3 -s -D -B 127.0.0.1 -p 5202 || fail "iperf3 server on 127.0.0.1"
case " $WORK " in
*" rr "*)
    for a in 10.0.0.1:11111 127.0.0.1:11112; do
        sockperf server --tcp -i "${a%:*}" -p "${a#*:}" --daemonize >/dev/null 2>&1 ||
            fail "sockperf server on $a"
    done
    ;;
esac
xl create -q /srv/bench.cfg || fail "xl create /srv/bench.cfg"
GID=$(xl domid bench)
RES=/local/domain/$GID/data/res
wait_until "xenstore-exists $RES" 240 || fail "the domU's job did not start ($(tail -n 3 "$LOGS/guest-bench.log" | tr '\n' '|'))"
# The command node is dom0's, readable by the guest.
xenstore-write "/local/domain/$GID/data/cmd" "0 true"
xenstore-chmod "/local/domain/$GID/data/cmd" n0 "r$GID"
# The guest's answers, as the guest's commands: one watch, read from a FIFO.
mkfifo /tmp/res-events
xenstore-watch "$RES" >/tmp/res-events 2>/dev/null &
exec 3</tmp/res-events

# What blkfront and blkback negotiated for xvdb (51728), and netback for eth0.
vbd_keys() {
    xenstore-ls "$1" 2>/dev/null |
        grep -E "^(feature-[a-z-]*|max-ring-page-order|ring-page-order|multi-queue-[a-z-]*|mode) =" |
        tr -d '"' | sed 's/ = /=/' | tr '\n' ' '
}
echo "pvx-dom0: bench vbd backend $(vbd_keys "/local/domain/0/backend/vbd/$GID/51728")"
echo "pvx-dom0: bench vbd frontend $(vbd_keys "/local/domain/$GID/device/vbd/51728")"
# What set the backends up: the loop device under xvdb (Xen's block script
# writes physical-device-path), and the hotplug scripts' verdicts.
BE=/local/domain/0/backend
echo "pvx-dom0: bench backends" \
    "vbd=$(xenstore-read "$BE/vbd/$GID/51728/physical-device-path" 2>/dev/null || echo -)" \
    "vbd-hotplug=$(xenstore-read "$BE/vbd/$GID/51728/hotplug-status" 2>/dev/null || echo -)" \
    "vif-hotplug=$(xenstore-read "$BE/vif/$GID/0/hotplug-status" 2>/dev/null || echo -)" \
    "bridge=$(ls /sys/class/net/xenbr0/brif 2>/dev/null | tr '\n' ' ')"

busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# dom0's uptime in centiseconds.
now() { tr -d . </proc/uptime | cut -d' ' -f1; }
SEQ=0
# Run COMMAND in the domU; its output in $OUT, dom0's busy ticks in $TICKS.
in_domu() {
    SEQ=$((SEQ + 1))
    w0=$(now)
    t0=$(busy)
    xenstore-write "/local/domain/$GID/data/cmd" "$SEQ $1"
    while :; do
        r=$(xenstore-read "$RES" 2>/dev/null)
        [ "${r%% *}" = "$SEQ" ] && break
        read -r -t 900 _ <&3 ||
            fail "no answer from the domU to '$1' ($(tail -n 3 "$LOGS/guest-bench.log" | tr '\n' '|'))"
    done
    TICKS=$(($(busy) - t0))
    WALL=$(($(now) - w0))
    OUT=${r#* }
}
in_dom0() {
    w0=$(now)
    t0=$(busy)
    OUT=$(eval "$1" 2>&1 | tail -n 4 | tr '\n' '|')
    TICKS=$(($(busy) - t0))
    WALL=$(($(now) - w0))
}
# One workload on one side: WORKLOAD SIDE COMMAND.
measure() {
    echo "pvx-dom0: bench progress round $round/$((ROUND0 + RUNS - 1)) $1 $2"
    if [ "$2" = domU ]; then in_domu "$3"; else in_dom0 "$3"; fi
    echo "pvx-dom0: bench result $round $2 $1 ticks=$TICKS wall-cs=$WALL | $OUT"
}
# WORKLOAD DOMU-COMMAND DOM0-COMMAND, in this round's order.
both() {
    if [ $((round % 2)) = 1 ]; then
        measure "$1" domU "$2"
        measure "$1" dom0 "$3"
    else
        measure "$1" dom0 "$3"
        measure "$1" domU "$2"
    fi
}
SIZE=${MIB}M
# sockperf's lines that count: the measured span and the median round trip.
# --mps caps the rate at one message per 50 us, which never binds here (a
# round trip takes hundreds of us under TCG); without a cap sockperf sizes
# its record of round trips for an unbounded rate, tens of MiB that a 128
# MiB guest cannot spare.
RR_LINES="grep -E 'Valid Duration|percentile 50.000'"
round=$ROUND0
while [ $round -lt $((ROUND0 + RUNS)) ]; do
    for w in $WORK; do
        case $w in
        seq-write | seq-read)
            both "$w" "pvx-iobench $w /dev/xvdb --bs 1M --size $SIZE" \
                "pvx-iobench $w $LOOP --bs 1M --size $SIZE"
            ;;
        rand-read)
            both rand-read "pvx-iobench rand-read /dev/xvdb --bs 4k --size $SIZE --seconds $SECS" \
                "pvx-iobench rand-read $LOOP --bs 4k --size $SIZE --seconds $SECS"
            ;;
        tcp | tcp-rx)
            rev=""
            [ "$w" = tcp-rx ] && rev=" -R"
            both "$w" "iperf3 -c 10.0.0.1 -p 5201 -t $SECS -f m$rev | grep receiver" \
                "iperf3 -c 127.0.0.1 -p 5202 -t $SECS -f m$rev | grep receiver"
            ;;
        rr)
            both rr "sockperf ping-pong --tcp --full-rtt --mps=20000 -i 10.0.0.1 -p 11111 -t $SECS | $RR_LINES" \
                "sockperf ping-pong --tcp --full-rtt --mps=20000 -i 127.0.0.1 -p 11112 -t $SECS | $RR_LINES"
            ;;
        idle)
            # dom0's own CPU use with nothing running, for scale.
            measure idle dom0 "sleep $SECS"
            ;;
        *) fail "unknown workload $w" ;;
        esac
    done
    round=$((round + 1))
done
xl destroy bench
losetup -d "$LOOP"
echo "pvx-dom0: done"
poweroff -f
