# Sourced by dom0's init (busybox sh): bring up what a Xen dom0 has in user
# space.  Loads the /dev/xen driver modules listed in /lib/modules/pvx/order
# (dependencies first), mounts xenfs, and starts pvx's xenstored serving both
# its local socket and dom0's own kernel xenbus over the store ring.  Reports
# each step as a "pvx-dom0:" line; the checks read them.
dom0_modules() {
    for m in $(cat /lib/modules/pvx/order 2>/dev/null); do
        if insmod "/lib/modules/pvx/$m.ko"; then
            echo "pvx-dom0: module $m loaded"
        else
            echo "pvx-dom0: module $m FAILED"
        fi
    done
    mkdir -p /proc/xen
    mount -t xenfs xenfs /proc/xen 2>/dev/null
}

# Wait up to $2 tenths of a second for path $1 to exist.
dom0_wait_for() {
    i=0
    while [ ! -e "$1" ] && [ "$i" -lt "$2" ]; do
        usleep 100000
        i=$((i + 1))
    done
    [ -e "$1" ]
}

dom0_xenstored() {
    mkdir -p /run/xenstored /var/log
    # Its own output goes to the log too: it must not hold our stdout open.
    xenstored --dom0-ring -L /var/log/xenstored.log </dev/null >>/var/log/xenstored.log 2>&1 &
    if dom0_wait_for /run/xenstored/socket 100; then
        echo "pvx-dom0: xenstored started"
    else
        echo "pvx-dom0: xenstored FAILED to start"
    fi
}
