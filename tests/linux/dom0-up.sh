# Sourced by dom0's init (busybox sh): bring up what a Xen dom0 has in user
# space.  Any init may use it:
#
#     . /etc/dom0-up.sh
#     dom0_up          # modules, xenfs, xenstored, the console and lifecycle
#                      # daemons: from then on `xl` works
#
# The steps are also functions of their own (dom0_modules, dom0_xenstored,
# dom0_toolstack, dom0_network).  Each reports a "pvx-dom0:" line; the checks read them.

# Load the /dev/xen driver modules listed in /lib/modules/pvx/order
# (dependencies first) and mount xenfs.
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

# pvx's xenstored, serving its local socket, dom0's own kernel xenbus over
# the store ring and the domUs' rings.
dom0_xenstored() {
    mkdir -p /run/xenstored /var/log/pvx
    # Its own output goes to the log too: it must not hold our stdout open.
    xenstored --dom0-ring -L /var/log/pvx/xenstored.log </dev/null >>/var/log/pvx/xenstored.log 2>&1 &
    if dom0_wait_for /run/xenstored/socket 100; then
        echo "pvx-dom0: xenstored started"
    else
        echo "pvx-dom0: xenstored FAILED to start"
    fi
}

# dom0's own nodes (what xen-init-dom0 writes on Xen), then the console
# daemon and the lifecycle daemon, which the toolstack needs.
dom0_toolstack() {
    mkdir -p /var/lib/pvx/domains /var/log/pvx/console /run/lock /etc/pvx /dev/pts
    # Consoles are ptys.
    grep -q " /dev/pts " /proc/mounts || mount -t devpts devpts /dev/pts
    xenstore-write /local/domain/0/name Domain-0 /local/domain/0/domid 0
    pvxconsoled --log-dir=/var/log/pvx/console --pid-file=/run/pvxconsoled.pid \
        </dev/null >>/var/log/pvx/pvxconsoled.log 2>&1
    if dom0_wait_for /run/pvxconsoled.pid 50; then
        echo "pvx-dom0: pvxconsoled started"
    else
        echo "pvx-dom0: pvxconsoled FAILED to start (see /var/log/pvx/pvxconsoled.log)"
    fi
    pvx-lifecycled --pid-file=/run/pvx-lifecycled.pid \
        </dev/null >>/var/log/pvx/lifecycled.log 2>&1
    if dom0_wait_for /run/pvx-lifecycled.pid 50; then
        echo "pvx-dom0: pvx-lifecycled started"
    else
        echo "pvx-dom0: pvx-lifecycled FAILED to start (see /var/log/pvx/lifecycled.log)"
    fi
}

# The bridge xenbr0 for the domUs' vifs (/etc/dom0-bridge.sh, shared with
# Xen's peer dom0).
dom0_network() {
    . /etc/dom0-bridge.sh
    dom0_bridge
}

dom0_up() {
    dom0_modules
    dom0_xenstored
    dom0_toolstack
    dom0_network
}
